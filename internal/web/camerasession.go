// The camera session every page shares: a quick look within a budget,
// with a wake sent in the background when the camera sleeps.

package web

import (
	"context"
	"errors"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// cameraPageBudget bounds a page's look at the camera: a page shows the
// camera's figures when it answers, and says why when it does not. Listing a
// full card over USB on a Pi Zero takes seconds, hence not less.
const cameraPageBudget = 8 * time.Second

// bgWaker sends the Arduino's WC without holding the page: the page says
// the camera is waking, and the next page finds it up.
type bgWaker struct{ s *Server }

func (w bgWaker) WakeCamera(ctx context.Context) error {
	if w.s.Arduino == nil {
		return errors.New("no Arduino link to wake the camera")
	}
	if !w.s.wakeInFlight.CompareAndSwap(false, true) {
		return nil
	}
	go func() {
		defer w.s.wakeInFlight.Store(false)
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := w.s.Arduino.WakeCamera(wctx); err != nil {
			w.s.Log.Warn("camera wake failed", "err", err)
		}
	}()
	return nil
}

// quickCamera runs fn on the camera if it answers at once; the string says
// why not otherwise ("" when fn ran).
func (s *Server) quickCamera(ctx context.Context, fn func(camera.Camera) error) string {
	on, err := s.cameraUSBEnabled()
	if off := s.cameraOff(on, err); off != "" {
		return off
	}
	if err := s.withCamera(ctx, fn); err != nil {
		text, _ := view.CameraProblem(err)
		return text
	}
	return ""
}

// withCamera runs fn in a camera session for a page: no wait for the lock,
// and if the camera sleeps a wake sent in the background (bgWaker) while the
// page says so; bounded in time, so a page never hangs on a camera. It is
// the view.CameraSession the page builders get.
func (s *Server) withCamera(ctx context.Context, fn func(camera.Camera) error) error {
	if s.Camera == nil {
		return errors.New("no camera driver")
	}
	ctx, cancel := context.WithTimeout(ctx, cameraPageBudget)
	defer cancel()
	return camera.SessionWith(ctx, s.Camera, s.Paths.CameraLock(),
		camera.SessionOptions{Waker: bgWaker{s}, Wake: camera.QuickWake}, fn)
}

// cameraOff says why a page does not ask the camera at all ("" when it
// may): no driver, settings unreadable (settingsErr), or camera USB off.
func (s *Server) cameraOff(usb bool, settingsErr error) string {
	switch {
	case s.Camera == nil:
		return "no camera driver"
	case settingsErr != nil:
		return "settings unreadable"
	case !usb:
		return "camera USB is off"
	}
	return ""
}
