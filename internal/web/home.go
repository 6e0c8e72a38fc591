package web

import (
	"context"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

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
		Problem:  view.CameraProblem,
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
		flash(c, status.Red, "No Arduino link: the camera cannot be woken.")
		return
	}
	if err := s.Arduino.WakeCamera(c.Request().Context()); err != nil {
		flash(c, status.Red, "The Arduino did not take the wake command: "+err.Error())
		return
	}
	flash(c, status.White, "Wake sent to the camera. It may take a few seconds to appear.")
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
