package web

import (
	"context"
	"errors"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// cameraProblem turns a session error into what a page tells the user
// (view.CameraProblem: the rule lives with the page views).
func cameraProblem(err error) (text string, canWake bool) { return view.CameraProblem(err) }

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
