package web

import (
	"context"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"html"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
)

// getTime is GET /getTime on the loopback listener, for the time helper:
// the Arduino's date and time, read live (a cached clock is no clock), in
// the markup the helper parses.
func (s *Server) getTime(c echo.Context) error {
	if s.Arduino == nil {
		return c.HTML(http.StatusServiceUnavailable, `<div id="dateTime">Unknown</div><p>No Arduino link is configured.</p>`+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	d, err := s.Arduino.Date(ctx)
	var t arduino.Clock
	if err == nil {
		t, err = s.Arduino.Time(ctx)
	}
	if err != nil {
		s.Log.Warn("getTime: the Arduino did not answer", "err", err)
		return c.HTML(http.StatusServiceUnavailable, `<div id="dateTime">Unknown</div><p>`+html.EscapeString(err.Error())+"</p>\n")
	}
	return c.HTML(http.StatusOK, `<div id="dateTime">`+view.FormatArduinoDate(d)+" "+t.String()+"</div>\n")
}

// setArduinoDateTime is GET /setArduinoDateTime on the loopback listener:
// the Pi's local time goes to the Arduino (ST=).
func (s *Server) setArduinoDateTime(c echo.Context) error {
	if s.Arduino == nil {
		return c.HTML(http.StatusServiceUnavailable, "<p>No Arduino link is configured.</p>\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	now := time.Now()
	if err := s.Arduino.SetTime(ctx, now); err != nil {
		s.Log.Warn("setArduinoDateTime failed", "err", err)
		return c.HTML(http.StatusServiceUnavailable, "<p>The Arduino's clock was not set: "+html.EscapeString(err.Error())+"</p>\n")
	}
	v := now.Format("20060102150405")
	s.Log.Info("Arduino clock set from the Pi", "time", v)
	return c.HTML(http.StatusOK, "<p>Set Arduino datetime to "+v+"</p>\n")
}

// confirmWait bounds the read-back after a command. The firmware acts on a
// command in its next loop pass; when one lands during a shutter or wake
// pulse that pass comes about a second later, so a page that redirected at
// once would show the old value.
const confirmWait = 1500 * time.Millisecond

// confirm re-reads until check holds or confirmWait passes.
func confirm(ctx context.Context, check func(ctx context.Context) bool) bool {
	ctx, cancel := context.WithTimeout(ctx, confirmWait)
	defer cancel()
	for {
		if check(ctx) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// arduinoClockNear tells whether the Arduino's clock reads want, give or
// take a few seconds (it keeps running while it is read).
func (s *Server) arduinoClockNear(ctx context.Context, want time.Time) bool {
	got, err := s.Arduino.DateTime(ctx, want.Location())
	return err == nil && got.Sub(want).Abs() < 5*time.Second
}
