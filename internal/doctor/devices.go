package doctor

import (
	"context"
	"errors"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// DeviceChecks are the Arduino and camera checks for opened devices: the
// firmware version, asked live; the camera's model, in a session that does
// not wait for the camera lock (a camera in use is there) and sends one wake.
func DeviceChecks(ard *arduino.Client, cam camera.Driver, p paths.Paths) (arduinoCheck, cameraCheck func(context.Context) (string, error)) {
	arduinoCheck = func(ctx context.Context) (string, error) {
		if ard == nil {
			return "", errors.New("no Arduino link")
		}
		v, err := arduino.Get(ctx, ard, arduino.QVersion, arduino.Live)
		if err != nil {
			return "", err
		}
		return v.Value.String(), nil
	}
	cameraCheck = func(ctx context.Context) (string, error) {
		if cam == nil {
			return "", errors.New("no camera driver")
		}
		var waker camera.Waker
		if ard != nil {
			waker = ard
		}
		var model string
		err := camera.SessionWith(ctx, cam, p.CameraLock(),
			camera.SessionOptions{Waker: waker, Wake: camera.QuickWake},
			func(c camera.Camera) error {
				ab, err := c.Abilities(ctx)
				model = ab.Model
				return err
			})
		if errors.Is(err, camera.ErrBusy) {
			return "in use by another task (a copy?): present", nil
		}
		return model, err
	}
	return arduinoCheck, cameraCheck
}
