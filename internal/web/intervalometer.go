package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

// The interval choices, as the firmware's codes: minutes, and with
// shoot-fast firmware, 60 + seconds.
var (
	minuteIntervals = []int{1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60}
	fastIntervals   = []int{63, 64, 65, 66, 70, 72, 75, 80, 90}
)

// pageDays is the form's order of weekdays.
var pageDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// cameraPageBudget bounds a page's look at the camera: a page shows the
// camera's figures when it answers, and says why when it does not. Listing a
// full card over USB on a Pi Zero takes seconds, hence not less.
const cameraPageBudget = 8 * time.Second

type dayBox struct {
	Name    string
	Checked bool
}

type intervalOption struct {
	Value    string
	Label    string
	Fast     bool
	Selected bool
}

type hourOption struct {
	Value    string
	Selected bool
}

type intervalometerData struct {
	Notice        string // the Arduino's state, when it did not answer
	Known         bool   // the schedule was read
	Cached        string // " (cached, … old)" when from the cache
	Days          []dayBox
	StartHours    []hourOption
	EndHours      []hourOption
	Intervals     []intervalOption
	ShootFast     bool // firmware offers the fast choices
	IntervalFast  bool // the current interval is a fast one
	Start, End    string
	Interval      string
	ShotsPerDay   string
	CameraShots   string // the camera's shots left, or Unknown / a reason
	CameraNote    string // why the camera figures are missing
	CameraDays    string
	CameraClass   status.Colour
	PiShots       string
	PiDays        string
	PiClass       status.Colour
	DaysFreeWarn  int
	DaysFreeAlarm int
}

// wakeInFlight keeps pages from queueing one camera wake per request.
var wakeInFlight atomic.Bool

// bgWaker sends the Arduino's WC without holding the page: the page says
// the camera is waking, and the next page finds it up.
type bgWaker struct{ s *Server }

func (w bgWaker) WakeCamera(ctx context.Context) error {
	if w.s.Arduino == nil {
		return errors.New("no Arduino link to wake the camera")
	}
	if !wakeInFlight.CompareAndSwap(false, true) {
		return nil
	}
	go func() {
		defer wakeInFlight.Store(false)
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

// ivDaysText is the days-left figure as the page's script writes it.
func ivDaysText(days int64, ok bool) string {
	switch {
	case !ok:
		return "n/a"
	case days <= 0:
		return "< 1"
	}
	return strconv.FormatInt(days, 10)
}

func (s *Server) intervalometerPage(c echo.Context) error {
	ctx := c.Request().Context()
	d := intervalometerData{CameraShots: view.Unknown, PiShots: view.Unknown, ShotsPerDay: view.Unknown, CameraDays: view.Unknown, PiDays: view.Unknown, DaysFreeWarn: 14, DaysFreeAlarm: 7}
	if f, err := s.Config.Load(); err == nil {
		set, _ := f.Settings()
		d.DaysFreeWarn, d.DaysFreeAlarm = set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm
	}

	// The camera is asked at the same time as the Arduino.
	var wg sync.WaitGroup
	var camShots int64 = -1
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.CameraNote = s.quickCamera(ctx, func(cam camera.Camera) error {
			t, err := camera.ReadTree(ctx, cam)
			if err != nil {
				return err
			}
			if n, ok := t.AvailableShots(); ok {
				camShots = int64(n)
			}
			return nil
		})
		if d.CameraNote == "" && camShots < 0 {
			d.CameraNote = "the camera does not report its shots left"
		}
	}()

	actx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
	defer cancel()
	r := view.NewArduinoReader(actx, s.Arduino, s.Log)
	sch, schOK := view.Get(r, arduino.QSchedule)
	ver, _ := view.Get(r, arduino.QVersion)
	d.ShootFast = ver.Value.AtLeast(arduino.MinShootFast)
	d.Notice = r.Notice()
	wg.Wait()

	cur := arduino.Schedule{}
	if schOK {
		cur = sch.Value
		d.Known, d.Cached = true, view.CachedNote(sch)
		d.Start, d.End = fmt.Sprintf("%02d", cur.StartHour), fmt.Sprintf("%02d", cur.EndHour)
		d.Interval = fmt.Sprintf("%02d", cur.Interval)
		d.IntervalFast = cur.ShootFast()
	}
	for _, wd := range pageDays {
		d.Days = append(d.Days, dayBox{Name: wd.String(), Checked: schOK && cur.Days.Has(wd)})
	}
	for h := 0; h <= 23; h++ {
		d.StartHours = append(d.StartHours, hourOption{fmt.Sprintf("%02d", h), schOK && cur.StartHour == h})
	}
	for h := 1; h <= 24; h++ {
		d.EndHours = append(d.EndHours, hourOption{fmt.Sprintf("%02d", h), schOK && cur.EndHour == h})
	}
	offered := map[int]bool{}
	if d.ShootFast {
		for _, v := range fastIntervals {
			d.Intervals = append(d.Intervals, intervalOption{Value: strconv.Itoa(v), Label: fmt.Sprintf("%02d seconds", v-60), Fast: true, Selected: schOK && cur.Interval == v})
			offered[v] = true
		}
	}
	for i, v := range minuteIntervals {
		label := fmt.Sprintf("%02d minutes", v)
		if i == 0 {
			label = fmt.Sprintf("%02d minute", v)
		}
		d.Intervals = append(d.Intervals, intervalOption{Value: fmt.Sprintf("%02d", v), Label: label, Selected: schOK && cur.Interval == v})
		offered[v] = true
	}
	if schOK && !offered[cur.Interval] {
		// A schedule set elsewhere: show it rather than a wrong choice.
		label := fmt.Sprintf("%02d minutes", cur.Interval)
		if cur.ShootFast() {
			label = fmt.Sprintf("%02d seconds", cur.Interval-60)
		}
		d.Intervals = append([]intervalOption{{Value: d.Interval, Label: label, Fast: cur.ShootFast(), Selected: true}}, d.Intervals...)
	}

	// The figures, as the page's script also works them out.
	perDay := 0.0
	perDayOK := false
	if schOK && cur.Interval > 0 {
		perDay, perDayOK = cur.ShotsPerDay(), true
	}
	if perDayOK {
		d.ShotsPerDay = strconv.FormatFloat(perDay, 'f', -1, 64)
	}
	if sum, err := photos.Summarise(s.Paths); err != nil {
		s.Log.Warn("photo store unreadable", "err", err)
	} else if sum.FreeOK {
		piShots := photos.PyRound(float64(sum.FreeBytes) / float64(sum.Largest))
		d.PiShots = strconv.FormatInt(piShots, 10)
		if perDayOK {
			// From the rounded shot count, as the page's script works it out.
			days, ok := photos.CameraDaysFree(piShots, perDay)
			d.PiDays, d.PiClass = ivDaysText(days, ok), status.ForDays(days, ok, d.DaysFreeWarn, d.DaysFreeAlarm)
		}
	}
	if camShots >= 0 {
		d.CameraShots = strconv.FormatInt(camShots, 10)
		if perDayOK {
			days, ok := photos.CameraDaysFree(camShots, perDay)
			d.CameraDays, d.CameraClass = ivDaysText(days, ok), status.ForDays(days, ok, d.DaysFreeWarn, d.DaysFreeAlarm)
		}
	}
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
		for _, wd := range pageDays {
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
	ok := false
	for _, v := range append(append([]int{}, minuteIntervals...), fastIntervals...) {
		ok = ok || v == s.Interval
	}
	if !ok {
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
		flash(c, "red", "Not saved: no Arduino link is configured.")
		return s.redirect(c, "/intervalometer")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	if sch.ShootFast() {
		v, err := arduino.Get(ctx, s.Arduino, arduino.QVersion, arduino.LiveOrCache)
		if err != nil {
			flash(c, "red", "Not saved: the Arduino's firmware version could not be read, so fast shooting cannot be checked: "+err.Error())
			return s.redirect(c, "/intervalometer")
		}
		if !v.Value.AtLeast(arduino.MinShootFast) {
			refuse(c, view.FieldError{Field: "interval", Text: "Firmware " + v.Value.String() + " cannot shoot faster than once a minute (4.6.0 or later can)."})
			return s.formDone(c, "/intervalometer", s.intervalometerPage)
		}
	}
	if err := s.Arduino.SetSchedule(ctx, sch); err != nil {
		s.Log.Error("set schedule", "err", err)
		flash(c, "red", "The Arduino did not take the schedule: "+err.Error())
		return s.redirect(c, "/intervalometer")
	}
	s.Log.Info("schedule set", "days", fmt.Sprint(sch.Days.Weekdays()), "start", sch.StartHour, "end", sch.EndHour, "interval", sch.Interval)
	if !confirm(ctx, func(ctx context.Context) bool { got, err := s.Arduino.Schedule(ctx); return err == nil && got == sch }) {
		flash(c, "orange", "The schedule was sent, but the Arduino does not report it yet: reload the page in a moment to check.")
		return s.redirect(c, "/intervalometer")
	}
	flash(c, "white", "Intervalometer settings saved.")
	return s.redirect(c, "/intervalometer")
}
