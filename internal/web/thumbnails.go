package web

import (
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

func (s *Server) thumbnailsPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
	}
	v, errs := view.BuildThumbnails(s.Paths, set)
	for _, err := range errs {
		s.Log.Warn("thumbnails page", "err", err)
	}
	for _, n := range v.Notes {
		flash(c, n.Colour, n.Text)
	}
	return s.render(c, http.StatusOK, "thumbnails", v.Tiles)
}
