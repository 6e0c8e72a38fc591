package web

import (
	"context"
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

// cameraProblem turns a session error into what a page tells the user.
func cameraProblem(err error) (text string, canWake bool) {
	switch {
	case errors.Is(err, camera.ErrBusy):
		return "Camera busy: another task (a copy?) is using it. Try again when it has finished.", false
	case errors.Is(err, camera.ErrWaking):
		// A sleeping DSLR drops off the USB bus: asleep and unplugged look alike.
		return "Camera asleep or not connected: a wake has been sent; reload in a few seconds. If it stays so, check it is on and in the right USB port.", true
	case errors.Is(err, camera.ErrNoCamera):
		return "Unknown model: no camera detected. Is it on and plugged into the right USB port?", true
	case errors.Is(err, context.DeadlineExceeded):
		return "The camera did not answer in time.", true
	}
	return "Camera error: " + err.Error(), true
}

// withCamera runs fn in a camera session for a page: no wait for the lock,
// and if the camera sleeps a wake sent in the background (bgWaker) while the
// page says so; bounded in time, so a page never hangs on a camera.
func (s *Server) withCamera(ctx context.Context, fn func(camera.Camera) error) error {
	if s.Camera == nil {
		return errors.New("no camera driver")
	}
	ctx, cancel := context.WithTimeout(ctx, cameraPageBudget)
	defer cancel()
	return camera.SessionWith(ctx, s.Camera, s.Paths.CameraLock(),
		camera.SessionOptions{Waker: bgWaker{s}, Wake: camera.QuickWake}, fn)
}

func (s *Server) homePage(c echo.Context) error {
	d := view.BuildHome(c.Request().Context(), s.homeSources())
	for _, n := range d.Notices {
		flash(c, n.Colour, n.Text)
	}
	return s.render(c, http.StatusOK, "home", d)
}

// homeSources wires Home's view to the real Arduino, camera, store and records.
func (s *Server) homeSources() view.HomeSources {
	return view.HomeSources{
		Arduino:  s.Arduino,
		Log:      s.Log,
		Settings: s.settings,
		Camera: func(ctx context.Context) (sum camera.CardSummary, err error) {
			err = s.withCamera(ctx, func(cam camera.Camera) error {
				sum, err = camera.ReadCardSummary(ctx, cam)
				return err
			})
			return sum, err
		},
		Problem:  cameraProblem,
		Photos:   func() (photos.Summary, error) { return photos.Summarise(s.Paths) },
		PhotoURL: func(rel string) string { return "/" + photos.GalleryTarget(s.Paths, rel).URLPath() },
		// The thumbnail, not a 6 MB original, over a 4G link; it links to the full image.
		ThumbURL: func(rel string) string {
			if fileExists(photos.ThumbPath(s.Paths, rel)) {
				return "/" + photos.ThumbURLPath(rel)
			}
			return ""
		},
		ImageURL:  func(l photos.LastImage) string { return "/" + l.URLPath() },
		Outcome:   s.lastOutcome,
		LastState: func() (health.State, bool) { return health.ReadLast(s.Paths) },
	}
}

// homeWake is the Home page's "Wake the camera".
func (s *Server) homeWake(c echo.Context) error {
	s.wakeCamera(c)
	return s.redirect(c, "/")
}

// wakeCamera sends WC and tells the user how it went.
func (s *Server) wakeCamera(c echo.Context) {
	if s.Arduino == nil {
		flash(c, "red", "No Arduino link: the camera cannot be woken.")
		return
	}
	if err := s.Arduino.WakeCamera(c.Request().Context()); err != nil {
		flash(c, "red", "The Arduino did not take the wake command: "+err.Error())
		return
	}
	flash(c, "white", "Wake sent to the camera. It may take a few seconds to appear.")
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
