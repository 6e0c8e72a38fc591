package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/buildinfo"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/doctor"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
)

// Cookies of the System page's time form.
const (
	tzOffsetCookie   = "tzOffset"
	timeModeCookie   = "cameraTimeMode"
	timeCookieMaxAge = 365 * 24 * 3600 // a year (the original's 7 years was a slip)
)

// maxLocationName bounds the location name (it heads every page).
const maxLocationName = 64

// ntpTTL is how long the System page reuses the NTP answer (view.NTPMemo).
const ntpTTL = 30 * time.Second

// systemData is the System page: its view, the two forms' records
// (formedit.go) and the health checks, when asked for.
type systemData struct {
	view.SystemView
	ShownLocation, ShownThumbs string
	Checks                     []doctor.Check
}

func (s *Server) systemPage(c echo.Context) error {
	ctx := c.Request().Context()
	actx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
	defer cancel()
	src, f := s.systemSources(c)
	src.Arduino = view.NewArduinoReader(actx, s.Arduino, s.Log)
	d := systemData{}
	if f != nil {
		loc, th := systemFormValues(f)
		d.ShownLocation, d.ShownThumbs = shownValues(loc), shownValues(th)
	}
	d.SystemView = view.BuildSystem(ctx, src)
	if c.QueryParam("checks") != "" {
		d.Checks = s.healthChecks(ctx)
	}
	return s.render(c, http.StatusOK, "system", d)
}

// systemSources binds the System page's inputs: the settings, the time
// form's cookies and the hosts of Deps; f is the settings file, nil when it
// could not be read.
func (s *Server) systemSources(c echo.Context) (src view.SystemSources, f *config.File) {
	src = view.SystemSources{Camera: s.withCamera, Host: s.PiHost, Photos: s.Paths.Photos(),
		NTP: s.ntp.Get, Now: time.Now, LocationName: config.DefaultLocationName, ThumbsCount: 24, Version: buildinfo.Version}
	if s.Camera != nil {
		src.CameraLibrary, src.CameraDriver = s.Camera.LibraryVersion(), s.Camera.Name()
	}
	f, err := s.Config.Load()
	if err != nil {
		f = nil
	} else {
		set, _ := f.Settings()
		src.ThumbsCount, src.CameraUSB = set.Global.ThumbsCount, set.Global.EnableCameraUSB
		src.LocationName = inputValue(f.String(config.SectionGlobal, config.KeyLocationName, "")) // as saved: the header shows a default for none
	}
	src.CameraOff = s.cameraOff(src.CameraUSB, err)
	if ck, err := c.Cookie(tzOffsetCookie); err == nil {
		if v, err := camera.ParseTZOffset(ck.Value); err == nil {
			src.TZOffset = v
		}
	}
	if ck, err := c.Cookie(timeModeCookie); err == nil {
		if m, err := camera.ParseTimeMode(ck.Value); err == nil {
			src.TimeMode = int(m)
		}
	}
	return src, f
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
			flash(c, status.Red, "The shutdown was not postponed: "+err.Error())
		} else {
			flash(c, status.White, "The Pi's shutdown was postponed.")
		}
	case c.FormValue("SyncSystem") != "":
		s.syncClocks(ctx, c)
	case c.FormValue("Reboot") != "":
		if c.FormValue("rebootString") != view.RebootSafeWord {
			flash(c, status.Red, "Not rebooted: type "+view.RebootSafeWord+" in the box to confirm.")
			break
		}
		if err := s.sendArduino(ctx, arduino.CmdReboot); err != nil {
			flash(c, status.Red, "The Arduino was not rebooted: "+err.Error())
		} else {
			s.Log.Warn("Arduino reboot requested from the System page")
			flash(c, status.Orange, "The Arduino is rebooting: it shuts the Pi down first, then starts it again.")
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
		case !slices.Contains(view.ThumbCounts, n):
			e.badField("thumbsCount", "%q is not one of the thumbnail counts (%s).", n, strings.Join(view.ThumbCounts, ", "))
		default:
			f.Set(config.SectionGlobal, config.KeyThumbsCount, n)
		}
	})
}

// saveWakeWindow sends SP= and, once the Arduino has it, mirrors the hour
// into [Global] wakepihour (the copy and upload helpers read it there).
func (s *Server) saveWakeWindow(ctx context.Context, c echo.Context) {
	hour, minutes, bad := s.wakeForm(ctx, c)
	switch {
	case bad.Field != "":
		refuse(c, bad)
		return
	case bad.Text != "":
		flash(c, status.Red, bad.Text)
		return
	}
	if err := s.Arduino.SetWakeWindow(ctx, hour, minutes); err != nil {
		s.Log.Error("set wake window", "err", err)
		flash(c, status.Red, "The Arduino did not take the Pi's wake time: "+err.Error())
		return
	}
	want := arduino.WakeWindow{Hour: hour, Minutes: minutes}
	confirmed := confirm(ctx, func(ctx context.Context) bool {
		got, err := s.Arduino.WakeWindow(ctx)
		return err == nil && got == want
	})
	if !confirmed {
		flash(c, status.Orange, "The wake time was sent, but the Arduino does not report it yet: reload the page in a moment to check.")
	}
	hh := fmt.Sprintf("%02d", hour)
	if err := s.Config.Update(func(f *config.File) error {
		f.Set(config.SectionGlobal, config.KeyWakePiHour, hh)
		return f.Err()
	}); err != nil {
		s.Log.Error("save wakepihour", "err", err)
		flash(c, status.Orange, "The Arduino has the new wake time, but the settings file was not updated: "+err.Error())
		return
	}
	if confirmed {
		flash(c, status.White, "The Pi's wake time was saved.")
	}
}

// wakeForm reads the wake form's hour and minutes; bad, when set, says why
// nothing is sent: beside its field, or (no Field) as a message.
func (s *Server) wakeForm(ctx context.Context, c echo.Context) (hour, minutes int, bad view.FieldError) {
	hourText := strings.TrimSpace(c.FormValue("wakePiTime"))
	if hourText == "Always On" {
		hourText = "25"
	}
	hour, err := parseTwoDigits("wake hour", hourText)
	if err == nil && hour > 23 && hour != arduino.AlwaysOn {
		err = fmt.Errorf("wake hour %q is neither 00 to 23 nor Always On", hourText)
	}
	if err != nil {
		return 0, 0, view.FieldError{Field: "wakePiTime", Text: sentence(err.Error()) + "."}
	}
	minText := strings.TrimSpace(c.FormValue("wakePiDuration"))
	if minText == "" && hour == arduino.AlwaysOn && s.Arduino != nil {
		// The duration row is hidden for Always On: keep the current one.
		minText = "60"
		if w, err := arduino.Get(ctx, s.Arduino, arduino.QWakeWindow, arduino.LiveOrCache); err == nil {
			minText = fmt.Sprintf("%02d", w.Value.Minutes)
		}
	}
	switch {
	case minText == "":
		return 0, 0, view.FieldError{Field: "wakePiDuration", Text: "Choose how many minutes the Pi stays on."}
	case !slices.Contains(view.WakeDurations, minText):
		return 0, 0, view.FieldError{Field: "wakePiDuration", Text: fmt.Sprintf("%q minutes is not one of the choices (%s).", minText, strings.Join(view.WakeDurations, ", "))}
	case s.Arduino == nil:
		return 0, 0, view.FieldError{Text: "Not saved: no Arduino link is configured."}
	}
	minutes, _ = strconv.Atoi(minText)
	return hour, minutes, view.FieldError{}
}

// syncClocks sets the ticked clocks to the browser's time (plus the chosen
// offset), which arrives as the SyncSystem button's value.
func (s *Server) syncClocks(ctx context.Context, c echo.Context) {
	raw := strings.TrimSpace(c.FormValue("SyncSystem"))
	wall, err := time.ParseInLocation(camera.WallLayout, raw, time.Local)
	if err != nil || wall.Year() < 2000 || wall.Year() > 2099 {
		flash(c, status.Red, fmt.Sprintf("No clock set: %q is not a date and time (YYYYMMDDHHMMSS, years 2000 to 2099).", raw))
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
			flash(c, status.Red, "The Arduino's clock was not set: no Arduino link is configured.")
		} else if err := s.Arduino.SetTime(ctx, wall); err != nil {
			s.Log.Error("set Arduino time", "err", err)
			flash(c, status.Red, "The Arduino's clock was not set: "+err.Error())
		} else if sent := time.Now(); !confirm(ctx, func(ctx context.Context) bool { return s.arduinoClockNear(ctx, wall.Add(time.Since(sent))) }) {
			flash(c, status.Orange, "The time was sent, but the Arduino's clock does not show it yet: reload the page in a moment to check.")
		} else {
			flash(c, status.White, "The Arduino's clock was set to "+shown+".")
		}
	}
	if c.FormValue("setPiTime") != "" {
		any = true
		host := s.PiClock
		if st, err := host.NTP(ctx); err == nil && st.Active {
			flash(c, status.Orange, "The Pi's clock was not set: NTP sets it ("+st.Detail+").")
		} else if err := host.SetClock(ctx, wall); err != nil {
			s.Log.Error("set Pi time", "err", err)
			flash(c, status.Red, "The Pi's clock was not set: "+err.Error())
		} else {
			flash(c, status.White, "The Pi's clock was set to "+shown+".")
		}
	}
	if c.FormValue("setCameraTime") != "" {
		any = true
		s.setCameraClock(ctx, c, modeText, raw, shown)
	}
	if !any {
		flash(c, status.Orange, "No clock set: tick the Arduino, the Pi or the camera first.")
	}
}

func (s *Server) setCameraClock(ctx context.Context, c echo.Context, modeText, wall, shown string) {
	mode, err := camera.ParseTimeMode(modeText)
	if err != nil {
		flash(c, status.Red, "The camera's clock was not set: choose a camera time mode.")
		return
	}
	if on, err := s.cameraUSBEnabled(); err != nil || !on {
		flash(c, status.Red, "The camera's clock was not set: camera USB is switched off on the Camera page.")
		return
	}
	if s.Camera == nil {
		flash(c, status.Red, "The camera's clock was not set: no camera driver.")
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
		flash(c, status.Red, "The camera's clock was not set ("+mode.Widget()+"): "+err.Error())
		return
	}
	if mode == camera.TimeSet {
		flash(c, status.White, "The camera's clock was set to "+shown+".")
	} else {
		flash(c, status.White, "The camera's clock was set ("+mode.Widget()+").")
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
