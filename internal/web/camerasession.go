// The camera session every page shares: a quick look within a budget,
// with a wake sent in the background when the camera sleeps.

package web

import (
	"context"
	"errors"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
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
	if s.Camera == nil {
		return "no camera driver"
	}
	on, err := s.cameraUSBEnabled()
	if err != nil {
		return "settings unreadable"
	}
	if !on {
		return "camera USB is off"
	}
	if err := s.withCamera(ctx, fn); err != nil {
		text, _ := cameraProblem(err)
		return text
	}
	return ""
}
