package main

import (
	"context"
	"errors"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// hooks returns the Arduino version check and the camera check for the
// chosen devices, opened the way web and worker open them. When the devices
// cannot even be opened (a bad flag, no bus device), both checks say why.
func hooks(hw hardware.Flags, p paths.Paths, redisAddr string) (ard, cam func(ctx context.Context) (string, error), closeAll func()) {
	dev, err := hw.Open(p, redisAddr)
	if err != nil {
		fail := func(context.Context) (string, error) { return "", err }
		return fail, fail, func() {}
	}
	ard = func(ctx context.Context) (string, error) {
		v, err := arduino.Get(ctx, dev.Arduino, arduino.QVersion, arduino.Live)
		if err != nil {
			return "", err
		}
		return v.Value.String(), nil
	}
	cam = func(ctx context.Context) (string, error) {
		var model string
		err := camera.SessionWith(ctx, dev.Camera, p.CameraLock(),
			camera.SessionOptions{Waker: dev.Arduino, Wake: camera.QuickWake},
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
	return ard, cam, func() { dev.Close() }
}
