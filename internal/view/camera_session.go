package view

import (
	"context"
	"errors"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
)

// CameraSession runs fn in a session with the camera, as a page may: the web
// server's is bounded in time, does not wait for the camera lock and wakes a
// sleeping camera in the background. Tests pass a func that hands fn a
// simulated camera, or returns a session error.
type CameraSession func(ctx context.Context, fn func(camera.Camera) error) error

// CameraProblem turns a session error into what a page tells the user, and
// whether the page's "Wake the camera" button could help.
func CameraProblem(err error) (text string, canWake bool) {
	switch {
	case errors.Is(err, camera.ErrBusy):
		return "Camera busy: another task (a copy?) is using it. Try again when it has finished.", false
	case errors.Is(err, camera.ErrWaking):
		// A sleeping DSLR drops off the USB bus: asleep and unplugged look alike.
		return "Camera asleep or not connected: this page has just tried to wake it. Reload in a few seconds, or wake it again with the button. If it stays so, check it is on and in the right USB port.", true
	case errors.Is(err, camera.ErrNoCamera):
		return "Unknown model: no camera detected. Is it on and plugged into the right USB port?", true
	case errors.Is(err, context.DeadlineExceeded):
		return "The camera did not answer in time.", true
	}
	return "Camera error: " + err.Error(), true
}

// errNoSession is a page's camera error when it was given no session.
var errNoSession = errors.New("no camera driver")
