package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// hourOption is an hour choice of the System page's forms.
type hourOption struct {
	Value    string
	Selected bool
}

func (s *Server) intervalometerPage(c echo.Context) error {
	ctx := c.Request().Context()
	set, _ := s.settings() // the defaults when unreadable
	actx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
	defer cancel()
	d := view.BuildIntervalometer(ctx, view.IntervalometerSources{
		Arduino:  view.NewArduinoReader(actx, s.Arduino, s.Log),
		Camera:   s.quickCamera,
		Photos:   func() (photos.Summary, error) { return photos.Summarise(s.Paths) },
		Settings: set,
		Log:      s.Log,
	})
	return s.render(c, http.StatusOK, "intervalometer", d)
}

// parseTwoDigits reads a one- or two-digit form number.
func parseTwoDigits(field, v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, fmt.Errorf("no %s chosen", field)
	}
	if len(v) > 2 || strings.Trim(v, "0123456789") != "" {
		return 0, fmt.Errorf("%s %q is not a number", field, v)
	}
	n, _ := strconv.Atoi(v)
	return n, nil
}

// parseScheduleForm checks the form on the server (the original left it
// all to the page's script). A refusal names the field it is about ("" for
// the schedule as a whole).
func parseScheduleForm(c echo.Context) (arduino.Schedule, string, error) {
	var s arduino.Schedule
	form, err := c.FormParams()
	if err != nil {
		return s, "", fmt.Errorf("unreadable form: %w", err)
	}
	for _, name := range form["shootDays"] {
		found := false
		for _, wd := range view.ScheduleDays {
			if name == wd.String() {
				s.Days |= arduino.Bit(wd)
				found = true
			}
		}
		if !found {
			return s, "shootDays", fmt.Errorf("%q is not a day of the week", name)
		}
	}
	if s.Days == 0 {
		return s, "shootDays", errors.New("no shooting day chosen")
	}
	if s.StartHour, err = parseTwoDigits("start hour", form.Get("startHour")); err != nil {
		return s, "startHour", err
	}
	if s.EndHour, err = parseTwoDigits("end hour", form.Get("endHour")); err != nil {
		return s, "endHour", err
	}
	if s.Interval, err = parseTwoDigits("interval", form.Get("interval")); err != nil {
		return s, "interval", err
	}
	if s.StartHour > 23 {
		return s, "startHour", fmt.Errorf("start hour %02d is not an hour (00 to 23)", s.StartHour)
	}
	if s.EndHour < 1 || s.EndHour > 24 {
		return s, "endHour", fmt.Errorf("end hour %02d is not 01 to 24", s.EndHour)
	}
	if s.StartHour == s.EndHour {
		return s, "endHour", fmt.Errorf("start and end hour are both %02d", s.StartHour)
	}
	if !view.IntervalOffered(s.Interval) {
		return s, "interval", fmt.Errorf("interval %02d is not one of the choices", s.Interval)
	}
	return s, "", s.Validate()
}

func (s *Server) intervalometerSubmit(c echo.Context) error {
	sch, field, err := parseScheduleForm(c)
	if err != nil {
		refuse(c, view.FieldError{Field: field, Text: sentence(err.Error()) + "."})
		return s.formDone(c, "/intervalometer", s.intervalometerPage)
	}
	if s.Arduino == nil {
		flash(c, status.Red, "Not saved: no Arduino link is configured.")
		return s.redirect(c, "/intervalometer")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	if sch.ShootFast() {
		v, err := arduino.Get(ctx, s.Arduino, arduino.QVersion, arduino.LiveOrCache)
		if err != nil {
			flash(c, status.Red, "Not saved: the Arduino's firmware version could not be read, so fast shooting cannot be checked: "+err.Error())
			return s.redirect(c, "/intervalometer")
		}
		if !v.Value.AtLeast(arduino.MinShootFast) {
			refuse(c, view.FieldError{Field: "interval", Text: "Firmware " + v.Value.String() + " cannot shoot faster than once a minute (4.6.0 or later can)."})
			return s.formDone(c, "/intervalometer", s.intervalometerPage)
		}
	}
	if err := s.Arduino.SetSchedule(ctx, sch); err != nil {
		s.Log.Error("set schedule", "err", err)
		flash(c, status.Red, "The Arduino did not take the schedule: "+err.Error())
		return s.redirect(c, "/intervalometer")
	}
	s.Log.Info("schedule set", "days", fmt.Sprint(sch.Days.Weekdays()), "start", sch.StartHour, "end", sch.EndHour, "interval", sch.Interval)
	if !confirm(ctx, func(ctx context.Context) bool { got, err := s.Arduino.Schedule(ctx); return err == nil && got == sch }) {
		flash(c, status.Orange, "The schedule was sent, but the Arduino does not report it yet: reload the page in a moment to check.")
		return s.redirect(c, "/intervalometer")
	}
	flash(c, status.White, "Intervalometer settings saved.")
	return s.redirect(c, "/intervalometer")
}
