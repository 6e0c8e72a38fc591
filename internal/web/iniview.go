package web

import (
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

func (s *Server) iniviewPage(c echo.Context) error {
	f, err := s.Config.Load()
	if err != nil {
		s.Log.Error("read INI", "err", err)
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
		return s.render(c, http.StatusOK, "iniview", view.INIView{Path: s.Config.Path()})
	}
	return s.render(c, http.StatusOK, "iniview", view.BuildINI(s.Config.Path(), f))
}
