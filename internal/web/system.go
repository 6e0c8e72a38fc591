package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/buildinfo"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/doctor"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// rebootSafeWord guards the Arduino reboot against a slip of the finger.
const rebootSafeWord = "seeyasoon"

// Cookies of the System page's time form.
const (
	tzOffsetCookie   = "tzOffset"
	timeModeCookie   = "cameraTimeMode"
	timeCookieMaxAge = 365 * 24 * 3600 // a year (the original's 7 years was a slip)
)

var (
	thumbCounts   = []string{"0", "24", "48", "96", "144"}
	wakeDurations = []string{"05", "10", "15", "20", "30", "60"}
)

// maxLocationName bounds the location name (it heads every page).
const maxLocationName = 64

// piFacts is what the System page shows about the Pi itself.
type piFacts struct {
	Model, OS, Bits, Hostname, Uptime, Free string
	NTP                                     bool
	NTPKnown                                bool
	NTPDetail                               string
}

// piHost is the machine the page describes (a variable for tests).
var piHost = system.Live()

// readPiFacts reads the Pi's facts (internal/system); what cannot be read
// is Unknown. Whether NTP sets the clock is settime's rule, shared with the
// time helper, so the page and the helper never disagree.
func (s *Server) readPiFacts(ctx context.Context) piFacts {
	f := piFacts{Model: view.Unknown, OS: view.Unknown, Bits: strconv.Itoa(strconv.IntSize), Hostname: view.Unknown, Uptime: view.Unknown, Free: view.Unknown}
	if m, err := piHost.Model(); err == nil {
		f.Model = m
	}
	if o, err := piHost.OSPrettyName(); err == nil {
		f.OS = o
	}
	if h, err := os.Hostname(); err == nil {
		f.Hostname = h
	}
	if up, err := piHost.Uptime(); err == nil {
		f.Uptime = system.FormatUptime(up)
	}
	if free, err := system.FreeBytes(s.Paths.Photos()); err == nil {
		f.Free = photos.FormatGB(free)
	}
	st, err := cachedNTP(ctx)
	if err == nil {
		f.NTP, f.NTPKnown, f.NTPDetail = st.Active, true, st.Detail
	} else {
		f.NTPDetail = err.Error()
	}
	return f
}

// ntpTTL is how long the NTP answer is reused: asking systemd means two
// commands, slow on a Pi Zero, and the answer changes only when someone
// switches the clock master.
const ntpTTL = 30 * time.Second

var ntpMemo struct {
	sync.Mutex
	at  time.Time
	st  settime.NTPState
	err error
}

func cachedNTP(ctx context.Context) (settime.NTPState, error) {
	ntpMemo.Lock()
	defer ntpMemo.Unlock()
	if !ntpMemo.at.IsZero() && time.Since(ntpMemo.at) < ntpTTL {
		return ntpMemo.st, ntpMemo.err
	}
	st, err := settime.HostFromEnv().NTP(ctx)
	if ctx.Err() == nil { // an answer cut short by the request is not kept
		ntpMemo.st, ntpMemo.err, ntpMemo.at = st, err, time.Now()
	}
	return st, err
}

type tzOption struct {
	Value, Label string
	Selected     bool
}

type timeModeOption struct {
	Value    int
	Label    string
	Disabled bool
	Selected bool
}

type systemData struct {
	// Checks are the health checks (intvlm8r-doctor's), when asked for.
	Checks []doctor.Check
	Notice string
	// ShownLocation and ShownThumbs are the two forms' records (formedit.go).
	ShownLocation, ShownThumbs string
	LocationName               string
	ThumbCounts                []hourOption

	WakeKnown     bool
	WakeCached    string
	WakeHours     []hourOption // "25" first (Always On), then 00..23
	WakeDurations []hourOption
	AlwaysOn      bool
	WakeMinutes   string
	ShutdownIn    string // minutes, Unknown, or "" when the row is not shown

	ArduinoDateTime string
	ArduinoRed      bool
	PiDateTime      string
	PiZone          string
	CameraDateTime  string
	CameraNote      string
	TZOptions       []tzOption
	SyncValue       string

	PiNTP          bool
	PiNTPKnown     bool
	PiNTPDetail    string
	CameraUSB      bool
	CameraModes    []timeModeOption
	CameraModesAny bool

	SafeWord string
	Facts    piFacts

	AppVersion, ArduinoVersion, LibgphotoVersion, CameraDriver string
}

func (s *Server) systemPage(c echo.Context) error {
	ctx := c.Request().Context()
	d := systemData{LocationName: s.locationName(), ShutdownIn: "", SafeWord: rebootSafeWord,
		ArduinoDateTime: view.Unknown, CameraDateTime: view.Unknown, ArduinoVersion: view.Unknown, LibgphotoVersion: view.Unknown,
		AppVersion: buildinfo.Version}
	thumbs := "24"
	if f, err := s.Config.Load(); err == nil {
		set, _ := f.Settings()
		thumbs = strconv.Itoa(set.Global.ThumbsCount)
		d.CameraUSB = set.Global.EnableCameraUSB
		loc, th := systemFormValues(f)
		d.ShownLocation, d.ShownThumbs = shownValues(loc), shownValues(th)
		d.LocationName = loc["newName"] // as saved: the header shows a default for none
	}
	if !slices.Contains(thumbCounts, thumbs) { // hand-edited: shown as it is
		d.ThumbCounts = append(d.ThumbCounts, hourOption{thumbs, true})
	}
	for _, n := range thumbCounts {
		d.ThumbCounts = append(d.ThumbCounts, hourOption{n, n == thumbs})
	}
	if s.Camera != nil {
		d.LibgphotoVersion, d.CameraDriver = s.Camera.LibraryVersion(), s.Camera.Name()
	}

	// The camera and the Pi's facts are read while the Arduino is asked.
	var wg sync.WaitGroup
	var modes camera.TimeModes
	wg.Add(2)
	go func() {
		defer wg.Done()
		d.CameraNote = s.quickCamera(ctx, func(cam camera.Camera) error {
			t, err := camera.ReadTree(ctx, cam)
			if err != nil {
				return err
			}
			modes = t.TimeModes()
			if ct, err := t.CameraTime(time.Local); err == nil {
				d.CameraDateTime = ct.Display
			}
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		d.Facts = s.readPiFacts(ctx)
	}()

	actx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
	defer cancel()
	r := view.NewArduinoReader(actx, s.Arduino, s.Log)
	ver, verOK := view.Get(r, arduino.QVersion)
	if verOK && ver.Value.Valid() {
		d.ArduinoVersion = ver.Value.String()
	}
	date, dateOK := view.Get(r, arduino.QDate)
	var clock arduino.Cached[arduino.Clock]
	clockOK := false
	if dateOK {
		clock, clockOK = view.Get(r, arduino.QTime)
		d.ArduinoDateTime = view.FormatArduinoDate(date.Value)
		if clockOK {
			d.ArduinoDateTime += " " + clock.Value.String()
		}
		d.ArduinoDateTime += view.CachedNote(date)
		d.ArduinoRed = date.Value.Year < settime.EarliestPlausible
	}
	wake, wakeOK := view.Get(r, arduino.QWakeWindow)
	if wakeOK {
		d.WakeKnown, d.WakeCached = true, view.CachedNote(wake)
		d.AlwaysOn = wake.Value.AlwaysOn()
		d.WakeMinutes = fmt.Sprintf("%02d", wake.Value.Minutes)
		if !d.AlwaysOn && verOK && ver.Value.AtLeast(arduino.MinShutdown) {
			d.ShutdownIn = view.Unknown
			// A countdown from cached values would be wrong: live ones only.
			if sd, ok := view.Get(r, arduino.QShutdownMinute); ok && sd.Live && clockOK && clock.Live {
				if n, pending := sd.Value.MinutesLeft(clock.Value.Minute); pending {
					d.ShutdownIn = strconv.Itoa(n)
				}
			}
		}
	}
	wakeHour := func(h int) bool { return wakeOK && wake.Value.Hour == h }
	d.WakeHours = append(d.WakeHours, hourOption{"25", wakeHour(arduino.AlwaysOn)})
	for h := 0; h <= 23; h++ {
		d.WakeHours = append(d.WakeHours, hourOption{fmt.Sprintf("%02d", h), wakeHour(h)})
	}
	for _, m := range wakeDurations {
		d.WakeDurations = append(d.WakeDurations, hourOption{m, wakeOK && m == d.WakeMinutes})
	}
	d.Notice = r.Notice()

	now := time.Now()
	d.PiDateTime = now.Format(settime.DisplayLayout)
	d.PiZone, _ = now.Zone()
	offset := 0.0
	if ck, err := c.Cookie(tzOffsetCookie); err == nil {
		if v, err := camera.ParseTZOffset(ck.Value); err == nil {
			offset = v
		}
	}
	for h := -47; h <= 47; h++ {
		v := float64(h) / 2
		sign := "+"
		switch {
		case h < 0:
			sign = "-"
		case h == 0:
			sign = "\u00a0"
		}
		a := h
		if a < 0 {
			a = -a
		}
		d.TZOptions = append(d.TZOptions, tzOption{Value: camera.FormatTZOffset(v), Label: fmt.Sprintf("%s%d:%02d", sign, a/2, a%2*30), Selected: v == offset})
	}
	// The page's script replaces this with the browser's clock every second.
	d.SyncValue = now.Add(time.Duration(offset * float64(time.Hour))).Format(camera.WallLayout)
	wg.Wait()
	d.PiNTP, d.PiNTPKnown, d.PiNTPDetail = d.Facts.NTP, d.Facts.NTPKnown, d.Facts.NTPDetail

	mode := 0
	if ck, err := c.Cookie(timeModeCookie); err == nil {
		if m, err := camera.ParseTimeMode(ck.Value); err == nil {
			mode = int(m)
		}
	}
	for _, m := range camera.AllTimeModes {
		d.CameraModes = append(d.CameraModes, timeModeOption{Value: int(m), Label: m.Widget(), Disabled: !modes.Has(m), Selected: int(m) == mode && modes.Has(m)})
		d.CameraModesAny = d.CameraModesAny || modes.Has(m)
	}
	if d.CameraNote == "" && !d.CameraModesAny {
		d.CameraNote = "the camera offers no way to set its clock"
	}
	if c.QueryParam("checks") != "" {
		d.Checks = s.healthChecks(ctx)
	}
	return s.render(c, http.StatusOK, "system", d)
}

// systemSubmit handles the page's five forms; each button's name picks one.
func (s *Server) systemSubmit(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 20*time.Second)
	defer cancel()
	switch {
	case c.FormValue("submitLocation") != "":
		s.saveLocation(c)
	case c.FormValue("submitThumbsCount") != "":
		s.saveThumbsCount(c)
	case c.FormValue("wakePi") != "":
		s.saveWakeWindow(ctx, c)
	case c.FormValue("extend") != "":
		if err := s.sendArduino(ctx, arduino.CmdExtendPi); err != nil {
			flash(c, "red", "The shutdown was not postponed: "+err.Error())
		} else {
			flash(c, "white", "The Pi's shutdown was postponed.")
		}
	case c.FormValue("SyncSystem") != "":
		s.syncClocks(ctx, c)
	case c.FormValue("Reboot") != "":
		if c.FormValue("rebootString") != rebootSafeWord {
			flash(c, "red", "Not rebooted: type "+rebootSafeWord+" in the box to confirm.")
			break
		}
		if err := s.sendArduino(ctx, arduino.CmdReboot); err != nil {
			flash(c, "red", "The Arduino was not rebooted: "+err.Error())
		} else {
			s.Log.Warn("Arduino reboot requested from the System page")
			flash(c, "orange", "The Arduino is rebooting: it shuts the Pi down first, then starts it again.")
		}
	}
	return s.formDone(c, "/system", s.systemPage)
}

func (s *Server) sendArduino(ctx context.Context, cmd arduino.Command) error {
	if s.Arduino == nil {
		return errors.New("no Arduino link is configured")
	}
	return s.Arduino.Send(ctx, cmd)
}

// systemFormValues are the location and thumbnail forms' fields as the
// page shows them (each form records its own).
func systemFormValues(f *config.File) (location, thumbs map[string]string) {
	set, _ := f.Settings()
	return map[string]string{"newName": inputValue(f.String(config.SectionGlobal, config.KeyLocationName, ""))},
		map[string]string{"thumbsCount": strconv.Itoa(set.Global.ThumbsCount)}
}

// saveLocation saves a changed location name. Any name the original took
// is kept as long as it is not edited; a new one is checked.
func (s *Server) saveLocation(c echo.Context) {
	current := func(f *config.File) map[string]string { loc, _ := systemFormValues(f); return loc }
	s.saveForm(c, "Location name", current, func(e *formEdit, f *config.File) {
		name, changed := e.field("newName", "location name", fieldText)
		switch {
		case !changed:
		case len([]rune(name)) > maxLocationName:
			e.badField("newName", "The location name is longer than %d characters.", maxLocationName)
		case strings.IndexFunc(name, unicode.IsControl) >= 0:
			e.badField("newName", "The location name holds control characters.")
		default:
			f.Set(config.SectionGlobal, config.KeyLocationName, name)
		}
	})
}

func (s *Server) saveThumbsCount(c echo.Context) {
	current := func(f *config.File) map[string]string { _, th := systemFormValues(f); return th }
	s.saveForm(c, "Thumbnail count", current, func(e *formEdit, f *config.File) {
		n, changed := e.field("thumbsCount", "thumbnail count", fieldChoice)
		switch {
		case !changed:
		case !slices.Contains(thumbCounts, n):
			e.badField("thumbsCount", "%q is not one of the thumbnail counts (%s).", n, strings.Join(thumbCounts, ", "))
		default:
			f.Set(config.SectionGlobal, config.KeyThumbsCount, n)
		}
	})
}

// saveWakeWindow sends SP= and, once the Arduino has it, mirrors the hour
// into [Global] wakepihour (the copy and upload helpers read it there).
func (s *Server) saveWakeWindow(ctx context.Context, c echo.Context) {
	hourText := strings.TrimSpace(c.FormValue("wakePiTime"))
	if hourText == "Always On" {
		hourText = "25"
	}
	hour, err := parseTwoDigits("wake hour", hourText)
	if err == nil && hour > 23 && hour != arduino.AlwaysOn {
		err = fmt.Errorf("wake hour %q is neither 00 to 23 nor Always On", hourText)
	}
	if err != nil {
		refuse(c, view.FieldError{Field: "wakePiTime", Text: sentence(err.Error()) + "."})
		return
	}
	minText := strings.TrimSpace(c.FormValue("wakePiDuration"))
	if minText == "" && hour == arduino.AlwaysOn && s.Arduino != nil {
		// The duration row is hidden for Always On: keep the current one.
		if w, err := arduino.Get(ctx, s.Arduino, arduino.QWakeWindow, arduino.LiveOrCache); err == nil {
			minText = fmt.Sprintf("%02d", w.Value.Minutes)
		} else {
			minText = "60"
		}
	}
	ok := false
	for _, v := range wakeDurations {
		ok = ok || v == minText
	}
	if !ok {
		if minText == "" {
			refuse(c, view.FieldError{Field: "wakePiDuration", Text: "Choose how many minutes the Pi stays on."})
		} else {
			refuse(c, view.FieldError{Field: "wakePiDuration", Text: fmt.Sprintf("%q minutes is not one of the choices (%s).", minText, strings.Join(wakeDurations, ", "))})
		}
		return
	}
	minutes, _ := strconv.Atoi(minText)
	if s.Arduino == nil {
		flash(c, "red", "Not saved: no Arduino link is configured.")
		return
	}
	if err := s.Arduino.SetWakeWindow(ctx, hour, minutes); err != nil {
		s.Log.Error("set wake window", "err", err)
		flash(c, "red", "The Arduino did not take the Pi's wake time: "+err.Error())
		return
	}
	want := arduino.WakeWindow{Hour: hour, Minutes: minutes}
	confirmed := confirm(ctx, func(ctx context.Context) bool {
		got, err := s.Arduino.WakeWindow(ctx)
		return err == nil && got == want
	})
	if !confirmed {
		flash(c, "orange", "The wake time was sent, but the Arduino does not report it yet: reload the page in a moment to check.")
	}
	hh := fmt.Sprintf("%02d", hour)
	if err := s.Config.Update(func(f *config.File) error {
		f.Set(config.SectionGlobal, config.KeyWakePiHour, hh)
		return f.Err()
	}); err != nil {
		s.Log.Error("save wakepihour", "err", err)
		flash(c, "orange", "The Arduino has the new wake time, but the settings file was not updated: "+err.Error())
		return
	}
	if confirmed {
		flash(c, "white", "The Pi's wake time was saved.")
	}
}

// syncClocks sets the ticked clocks to the browser's time (plus the chosen
// offset), which arrives as the SyncSystem button's value.
func (s *Server) syncClocks(ctx context.Context, c echo.Context) {
	raw := strings.TrimSpace(c.FormValue("SyncSystem"))
	wall, err := time.ParseInLocation(camera.WallLayout, raw, time.Local)
	if err != nil || wall.Year() < 2000 || wall.Year() > 2099 {
		flash(c, "red", fmt.Sprintf("No clock set: %q is not a date and time (YYYYMMDDHHMMSS, years 2000 to 2099).", raw))
		return
	}
	// The choices are remembered even when a clock fails.
	if off, err := camera.ParseTZOffset(c.FormValue("tzOffsetValue")); err == nil {
		c.SetCookie(&http.Cookie{Name: tzOffsetCookie, Value: camera.FormatTZOffset(off), Path: "/", MaxAge: timeCookieMaxAge, SameSite: http.SameSiteLaxMode})
	}
	modeText := c.FormValue("cameraTimeMode")
	if m, err := camera.ParseTimeMode(modeText); err == nil {
		c.SetCookie(&http.Cookie{Name: timeModeCookie, Value: strconv.Itoa(int(m)), Path: "/", MaxAge: timeCookieMaxAge, SameSite: http.SameSiteLaxMode})
	}
	shown := wall.Format(settime.DisplayLayout)
	any := false
	if c.FormValue("setArduinoTime") != "" {
		any = true
		if s.Arduino == nil {
			flash(c, "red", "The Arduino's clock was not set: no Arduino link is configured.")
		} else if err := s.Arduino.SetTime(ctx, wall); err != nil {
			s.Log.Error("set Arduino time", "err", err)
			flash(c, "red", "The Arduino's clock was not set: "+err.Error())
		} else if sent := time.Now(); !confirm(ctx, func(ctx context.Context) bool { return s.arduinoClockNear(ctx, wall.Add(time.Since(sent))) }) {
			flash(c, "orange", "The time was sent, but the Arduino's clock does not show it yet: reload the page in a moment to check.")
		} else {
			flash(c, "white", "The Arduino's clock was set to "+shown+".")
		}
	}
	if c.FormValue("setPiTime") != "" {
		any = true
		host := settime.HostFromEnv()
		if st, err := host.NTP(ctx); err == nil && st.Active {
			flash(c, "orange", "The Pi's clock was not set: NTP sets it ("+st.Detail+").")
		} else if err := host.SetClock(ctx, wall); err != nil {
			s.Log.Error("set Pi time", "err", err)
			flash(c, "red", "The Pi's clock was not set: "+err.Error())
		} else {
			flash(c, "white", "The Pi's clock was set to "+shown+".")
		}
	}
	if c.FormValue("setCameraTime") != "" {
		any = true
		s.setCameraClock(ctx, c, modeText, raw, shown)
	}
	if !any {
		flash(c, "orange", "No clock set: tick the Arduino, the Pi or the camera first.")
	}
}

func (s *Server) setCameraClock(ctx context.Context, c echo.Context, modeText, wall, shown string) {
	mode, err := camera.ParseTimeMode(modeText)
	if err != nil {
		flash(c, "red", "The camera's clock was not set: choose a camera time mode.")
		return
	}
	if on, err := s.cameraUSBEnabled(); err != nil || !on {
		flash(c, "red", "The camera's clock was not set: camera USB is switched off on the Camera page.")
		return
	}
	if s.Camera == nil {
		flash(c, "red", "The camera's clock was not set: no camera driver.")
		return
	}
	var w camera.Waker
	if s.Arduino != nil {
		w = s.Arduino
	}
	err = camera.SessionWith(ctx, s.Camera, s.Paths.CameraLock(),
		camera.SessionOptions{LockWait: 3 * time.Second, Waker: w, Wake: camera.WakePolicy{Attempts: 3, Settle: 1500 * time.Millisecond}},
		func(cam camera.Camera) error {
			return camera.SetCameraTime(ctx, cam, camera.SetTimeRequest{Mode: mode, Wall: wall, Loc: time.Local})
		})
	if err != nil {
		s.Log.Error("set camera time", "mode", mode, "err", err)
		flash(c, "red", "The camera's clock was not set ("+mode.Widget()+"): "+err.Error())
		return
	}
	if mode == camera.TimeSet {
		flash(c, "white", "The camera's clock was set to "+shown+".")
	} else {
		flash(c, "white", "The camera's clock was set ("+mode.Widget()+").")
	}
}

// healthChecks runs intvlm8r-doctor's checks from the web server, with its
// own Redis, Arduino and camera.
func (s *Server) healthChecks(ctx context.Context) []doctor.Check {
	units, err := doctor.ReadUnits(doctor.UnitsFile)
	if err != nil {
		s.Log.Warn("units list", "err", err)
		units = doctor.DefaultUnits
	}
	set, _ := s.settings()
	d := doctor.Deps{
		Units: units, RedisAddr: s.RedisAddr, ArduinoLink: s.ArduinoLink,
		Workers:   func(context.Context) (bool, error) { return s.Tasks.WorkersAlive() },
		CameraOff: !set.Global.EnableCameraUSB, Home: s.Paths.Home, MinFree: doctor.DefaultMinFree,
	}
	d.Arduino, d.Camera = doctor.DeviceChecks(s.Arduino, s.Camera, s.Paths)
	return doctor.Run(ctx, d)
}
