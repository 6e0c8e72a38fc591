package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// Units cookie.
const (
	unitsCookie = "thermalUnits"
	celsius     = "Celsius"
	fahrenheit  = "Fahrenheit"
	unitsMaxAge = 7 * 24 * 3600
)

// thermalGTFresh is how recent a GT must be for a render to use its reading
// rather than send another.
const thermalGTFresh = 2 * time.Second

func (s *Server) thermalPage(c echo.Context) error {
	ck, err := c.Cookie(unitsCookie)
	set, _ := s.settings() // the defaults when unreadable
	actx, cancel := context.WithTimeout(c.Request().Context(), view.ArduinoBudget)
	defer cancel()
	src := view.ThermalSources{
		Arduino:    view.NewArduinoReader(actx, s.Arduino, s.Log),
		Host:       s.PiHost,
		Settings:   set,
		Fahrenheit: err == nil && ck.Value == fahrenheit,
	}
	if s.Arduino != nil {
		// Pages rendered at once share one GT, and one sent in the last
		// few seconds is fresh enough.
		src.Refresh = func(ctx context.Context) (time.Time, error) {
			return s.Arduino.SendShared(ctx, arduino.CmdRefreshTemps, thermalGTFresh)
		}
	}
	return s.render(c, http.StatusOK, "thermal", view.BuildThermal(actx, src))
}

func (s *Server) thermalSubmit(c echo.Context) error {
	units := celsius
	if c.FormValue(unitsCookie) == fahrenheit {
		units = fahrenheit
	}
	c.SetCookie(&http.Cookie{Name: unitsCookie, Value: units, Path: "/", MaxAge: unitsMaxAge, SameSite: http.SameSiteLaxMode})
	var cmd *arduino.Command
	what := ""
	switch {
	case c.FormValue("resetMin") != "":
		cmd, what = &arduino.CmdResetMin, "minimum"
	case c.FormValue("resetMax") != "":
		cmd, what = &arduino.CmdResetMax, "maximum"
	}
	if cmd == nil {
		return s.redirect(c, "/thermal")
	}
	if s.Arduino == nil {
		flash(c, status.Red, "The "+what+" was not reset: no Arduino link is configured.")
		return s.redirect(c, "/thermal")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	if err := s.Arduino.Send(ctx, *cmd); err != nil {
		s.Log.Error("thermal reset", "what", what, "err", err)
		flash(c, status.Red, "The "+what+" was not reset: "+err.Error())
		return s.redirect(c, "/thermal")
	}
	flash(c, status.White, "The Arduino's "+what+" temperature was reset.")
	return s.redirect(c, "/thermal")
}
