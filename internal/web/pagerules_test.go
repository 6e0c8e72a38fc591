package web

// The rules of the device pages' handlers that the browser tests
// (internal/e2e) exercise and the package's own tests did not: which photo
// files are served and how, what the Intervalometer, System and Thermal
// forms refuse and what they send or write.

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// scheduleForm parses values as the Intervalometer page's POST.
func scheduleForm(t *testing.T, v url.Values) (arduino.Schedule, string, error) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/intervalometer", strings.NewReader(v.Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	return parseScheduleForm(echo.New().NewContext(req, httptest.NewRecorder()))
}

// Each refusal of the schedule form names its field; the edges the Arduino
// takes (start 00 and 23, end 01 and 24, two digits) pass.
func TestScheduleFormRefusals(t *testing.T) {
	good := func() url.Values {
		return url.Values{"shootDays": {"Monday", "Sunday"}, "startHour": {"06"}, "endHour": {"18"}, "interval": {"15"}}
	}
	s, field, err := scheduleForm(t, good())
	want := arduino.Schedule{Days: arduino.Bit(time.Monday) | arduino.Bit(time.Sunday), StartHour: 6, EndHour: 18, Interval: 15}
	if err != nil || field != "" || s != want {
		t.Fatalf("good form: %+v %q %v, want %+v", s, field, err, want)
	}
	for _, ok := range []struct{ key, v string }{
		{"startHour", "0"}, {"startHour", "23"}, {"endHour", "1"}, {"endHour", "24"}, {"interval", "1"}, {"interval", "90"}, {"interval", "63"},
	} {
		v := good()
		v.Set(ok.key, ok.v)
		if _, field, err := scheduleForm(t, v); err != nil {
			t.Errorf("%s=%s refused (%s): %v", ok.key, ok.v, field, err)
		}
	}
	for _, c := range []struct{ key, v, field string }{
		{"shootDays", "Someday", "shootDays"},
		{"shootDays", "", "shootDays"}, // no day: the box list is empty
		{"startHour", "", "startHour"},
		{"startHour", "006", "startHour"},
		{"startHour", "6a", "startHour"},
		{"startHour", "24", "startHour"},
		{"endHour", "", "endHour"},
		{"endHour", "0", "endHour"},
		{"endHour", "25", "endHour"},
		{"endHour", "6", "endHour"}, // the start hour too
		{"interval", "", "interval"},
		{"interval", "7", "interval"},
		{"interval", "61", "interval"},
		{"interval", "91", "interval"},
	} {
		v := good()
		if c.key == "shootDays" && c.v == "" {
			v.Del("shootDays")
		} else {
			v.Set(c.key, c.v)
		}
		if _, field, err := scheduleForm(t, v); err == nil || field != c.field {
			t.Errorf("%s=%q: field %q, err %v; want refused beside %s", c.key, c.v, field, err, c.field)
		}
	}
}

// treeGet fetches u and returns the response with its body read.
func treeGet(t *testing.T, cl *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(b)
}

// The photo trees serve their files, and only theirs, to a logged-in user:
// a photo inline with its type, anything else as a download; every file
// under the sandbox policy; nothing outside the tree, no directory.
func TestServeTree(t *testing.T) {
	home := t.TempDir()
	ts, cl := loggedIn(t, home)
	t.Run("ServesOnlyItsFiles", func(t *testing.T) { serveTreeServesOnlyItsFiles(t, home, ts.URL, cl) })
	t.Run("GivesABigFileItsTime", func(t *testing.T) { serveTreeGivesABigFileItsTime(t, home, ts.URL, cl) })
}

func serveTreeServesOnlyItsFiles(t *testing.T, home, base string, cl *http.Client) {
	dir := filepath.Join(home, "photos", "DCIM", "100CANON")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "IMG_1.JPG"), []byte("jpeg bytes"), 0o644)
	os.WriteFile(filepath.Join(dir, "EVIL.HTML"), []byte("<script>alert(1)</script>"), 0o644)
	os.Symlink(filepath.Join(home, "www"), filepath.Join(home, "photos", "escape"))
	os.MkdirAll(filepath.Join(home, "thumbs"), 0o755)
	os.WriteFile(filepath.Join(home, "thumbs", "t.png"), []byte("png bytes"), 0o644)

	for path, want := range map[string][3]string{
		"/photos/DCIM/100CANON/IMG_1.JPG": {"image/jpeg", `inline; filename=IMG_1.JPG`, "jpeg bytes"},
		"/photos/DCIM/100CANON/EVIL.HTML": {"application/octet-stream", `attachment; filename=EVIL.HTML`, "<script>alert(1)</script>"},
		"/thumbs/t.png":                   {"image/png", `inline; filename=t.png`, "png bytes"},
	} {
		resp, body := treeGet(t, cl, base+path)
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != want[0] || h.Get("Content-Disposition") != want[1] || body != want[2] {
			t.Errorf("%s: %d %q %q %q, want 200 %q", path, resp.StatusCode, h.Get("Content-Type"), h.Get("Content-Disposition"), body, want)
		}
		if h.Get("Content-Security-Policy") != fileCSP || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "private, max-age=3600" {
			t.Errorf("%s: CSP %q, nosniff %q, cache %q", path, h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"), h.Get("Cache-Control"))
		}
	}
	for _, path := range []string{
		"/photos/", "/photos/.", "/photos/DCIM", "/photos/DCIM/100CANON/", "/photos/none.JPG",
		"/photos/../www/intvlm8r.ini", "/photos/%2e%2e/www/intvlm8r.ini", "/photos/..%2fwww/intvlm8r.users",
		"/photos/escape/intvlm8r.users", "/photos/DCIM/100CANON/IMG_1.JPG%00.html", "/preview/intvlm8r-preview.jpg",
	} {
		if resp, body := treeGet(t, cl, base+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404\n%s", path, resp.StatusCode, body)
		}
	}
}

// A big file over a slow link is given longer than a page: a 3 MB file
// (three minutes at the slowest rate) is still written after the public
// write timeout would have been spent.
func serveTreeGivesABigFileItsTime(t *testing.T, home, base string, cl *http.Client) {
	os.MkdirAll(filepath.Join(home, "photos"), 0o755)
	big := strings.Repeat("x", 3<<20)
	os.WriteFile(filepath.Join(home, "photos", "BIG.CR2"), []byte(big), 0o644)
	resp, body := treeGet(t, cl, base+"/photos/BIG.CR2")
	if resp.StatusCode != http.StatusOK || len(body) != len(big) {
		t.Fatalf("BIG.CR2: %d, %d of %d bytes", resp.StatusCode, len(body), len(big))
	}
}

// pageUI is the UI with a simulated Arduino (nil: none configured).
type pageUI struct {
	*tpUI
	ard *arduino.Client
}

func startPageUI(t *testing.T, withArduino bool) *pageUI {
	t.Helper()
	pu := &pageUI{}
	pu.tpUI = startTransferUIWith(t, tpINI, transfer.DropboxAPI{}, func(p paths.Paths) *arduino.Client {
		if !withArduino {
			return nil
		}
		c, err := arduino.Open("sim", p, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		pu.ard = c
		return c
	})
	return pu
}

// postRaw posts v (with the page's CSRF token) to path and returns the
// response, its body read, without following a redirect.
func (u *tpUI) postRaw(path string, v url.Values) (*http.Response, string) {
	u.t.Helper()
	w := url.Values{}
	for k, vs := range v {
		w[k] = append([]string(nil), vs...)
	}
	w.Set("_csrf", u.csrf(u.page("/transfer")))
	resp, err := u.cl.PostForm(u.ts.URL+path, w)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// said posts v to path and returns what the browser shows after: the page
// it is sent back to (to), with its flashes, or the refused form (422).
func (u *tpUI) said(path, to string, v url.Values) (int, string) {
	u.t.Helper()
	resp, body := u.postRaw(path, v)
	switch resp.StatusCode {
	case http.StatusSeeOther:
		if loc := resp.Header.Get("Location"); loc != to {
			u.t.Fatalf("POST %s: sent to %q, want %q", path, loc, to)
		}
		return resp.StatusCode, html.UnescapeString(u.page(to))
	case http.StatusUnprocessableEntity:
		return resp.StatusCode, html.UnescapeString(body)
	}
	u.t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, body)
	return 0, ""
}

func expectSaid(t *testing.T, what string, code int, page string, wantCode int, wants ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: %d, want %d", what, code, wantCode)
	}
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("%s: the page does not say %q", what, w)
		}
	}
}

// The Intervalometer's Save sends the schedule to the Arduino and says so;
// a refused form comes back beside its field and sends nothing; without an
// Arduino link nothing is sent and the page says why.
func TestIntervalometerSubmitSendsTheSchedule(t *testing.T) {
	u := startPageUI(t, true)
	ctx := t.Context()
	before, err := u.ard.Schedule(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"shootDays": {"Tuesday", "Saturday"}, "startHour": {"05"}, "endHour": {"21"}, "interval": {"63"}}
	bad := url.Values{"shootDays": {"Tuesday"}, "startHour": {"05"}, "endHour": {"25"}, "interval": {"15"}}
	code, page := u.said("/intervalometer", "/intervalometer", bad)
	expectSaid(t, "end hour 25", code, page, http.StatusUnprocessableEntity, `id="endHour-error">End hour 25 is not 01 to 24.<`)
	if got, _ := u.ard.Schedule(ctx); got != before {
		t.Fatalf("a refused form reached the Arduino: %+v", got)
	}
	code, page = u.said("/intervalometer", "/intervalometer", form)
	expectSaid(t, "a fast schedule", code, page, http.StatusSeeOther, "Intervalometer settings saved.")
	want := arduino.Schedule{Days: arduino.MaskOf(time.Tuesday, time.Saturday), StartHour: 5, EndHour: 21, Interval: 63}
	if got, err := u.ard.Schedule(ctx); err != nil || got != want {
		t.Fatalf("the Arduino has %+v (%v), want %+v", got, err, want)
	}
}

// The System page's forms, on one UI with a simulated Arduino.
func TestSystemForms(t *testing.T) {
	u := startPageUI(t, true)
	t.Run("WakeWindow", func(t *testing.T) { systemWakeWindow(t, u) })
	t.Run("SyncClocks", func(t *testing.T) { systemSyncClocks(t, u) })
	t.Run("ArduinoButtons", func(t *testing.T) { systemArduinoButtons(t, u) }) // last: it reboots the Arduino
}

// The System page's Arduino buttons: postpone the shutdown, reboot only
// with the safe word; each outcome said, and nothing sent without a link.
func systemArduinoButtons(t *testing.T, u *pageUI) {
	code, page := u.said("/system", "/system", url.Values{"extend": {"extend"}})
	expectSaid(t, "extend", code, page, http.StatusSeeOther, "The Pi's shutdown was postponed.")
	code, page = u.said("/system", "/system", url.Values{"Reboot": {"Reboot"}, "rebootString": {"seeyasoo"}})
	expectSaid(t, "reboot, wrong word", code, page, http.StatusSeeOther, "Not rebooted: type seeyasoon in the box to confirm.")
	code, page = u.said("/system", "/system", url.Values{"Reboot": {"Reboot"}, "rebootString": {view.RebootSafeWord}})
	expectSaid(t, "reboot", code, page, http.StatusSeeOther, "The Arduino is rebooting")
}

// The Pi's wake time: sent to the Arduino, mirrored into [Global]
// wakepihour; an hour or a duration that is not a choice is refused beside
// its field and sends nothing; Always On keeps the Arduino's duration.
func systemWakeWindow(t *testing.T, u *pageUI) {
	ctx := t.Context()
	if err := u.ard.SetWakeWindow(ctx, 6, 30); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ hour, minutes, field, reason string }{
		{"24", "30", "wakePiTime", `Wake hour "24" is neither 00 to 23 nor Always On.`},
		{"", "30", "wakePiTime", "No wake hour chosen."},
		{"07", "07", "wakePiDuration", `"07" minutes is not one of the choices`},
		{"07", "", "wakePiDuration", "Choose how many minutes the Pi stays on."},
	} {
		code, page := u.said("/system", "/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {c.hour}, "wakePiDuration": {c.minutes}})
		expectSaid(t, c.hour+"/"+c.minutes, code, page, http.StatusUnprocessableEntity, `id="`+c.field+`-error">`+c.reason)
	}
	if w, _ := u.ard.WakeWindow(ctx); w != (arduino.WakeWindow{Hour: 6, Minutes: 30}) || u.get("Global", "wakepihour") != "07" {
		t.Fatalf("a refused wake time was sent or saved: %+v, INI %q", w, u.get("Global", "wakepihour"))
	}
	code, page := u.said("/system", "/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {"23"}, "wakePiDuration": {"10"}})
	expectSaid(t, "23/10", code, page, http.StatusSeeOther, "The Pi's wake time was saved.")
	if strings.Contains(page, "does not report it yet") {
		t.Error("23/10: the page says the Arduino does not report the wake time it has")
	}
	if w, _ := u.ard.WakeWindow(ctx); w != (arduino.WakeWindow{Hour: 23, Minutes: 10}) || u.get("Global", "wakepihour") != "23" {
		t.Fatalf("after 23/10: the Arduino has %+v, the INI %q", w, u.get("Global", "wakepihour"))
	}
	code, page = u.said("/system", "/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {"Always On"}})
	expectSaid(t, "Always On", code, page, http.StatusSeeOther, "The Pi's wake time was saved.")
	if w, _ := u.ard.WakeWindow(ctx); w != (arduino.WakeWindow{Hour: arduino.AlwaysOn, Minutes: 10}) || u.get("Global", "wakepihour") != "25" {
		t.Fatalf("after Always On: the Arduino has %+v, the INI %q", w, u.get("Global", "wakepihour"))
	}
}

// The System page's clock form: a time that is not one (or outside 2000 to
// 2099) sets nothing; the offset and camera mode are remembered for a year;
// each ticked clock is set and says so; the Pi's clock is left to NTP when
// NTP sets it; the camera's needs a mode and a driver.
func systemSyncClocks(t *testing.T, u *pageUI) {
	sync := func(wall string, extra ...string) url.Values {
		v := url.Values{"SyncSystem": {wall}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	for _, wall := range []string{"bogus", "19991231235959", "21000101000000"} {
		code, page := u.said("/system", "/system", sync(wall, "setArduinoTime", "on"))
		expectSaid(t, wall, code, page, http.StatusSeeOther, `No clock set: "`+wall+`" is not a date and time`)
	}
	for _, wall := range []string{"20000101000000", "20991231235959"} {
		code, page := u.said("/system", "/system", sync(wall))
		expectSaid(t, wall, code, page, http.StatusSeeOther, "No clock set: tick the Arduino, the Pi or the camera first.")
	}
	resp, _ := u.postRaw("/system", sync("20260102030405", "tzOffsetValue", "9.5", "cameraTimeMode", "2"))
	for name, want := range map[string]string{tzOffsetCookie: "9.5", timeModeCookie: "2"} {
		if ck := findCookie(resp, name); ck == nil || ck.Value != want || ck.MaxAge != 365*24*3600 {
			t.Errorf("cookie %s: %+v, want %q for a year", name, ck, want)
		}
	}

	now := time.Now().Format(camera.WallLayout)
	shown, _ := time.ParseInLocation(camera.WallLayout, now, time.Local)
	code, page := u.said("/system", "/system", sync(now, "setArduinoTime", "on"))
	expectSaid(t, "Arduino", code, page, http.StatusSeeOther, "The Arduino's clock was set to "+shown.Format(settime.DisplayLayout)+".")

	set := filepath.Join(t.TempDir(), "set")
	script := filepath.Join(t.TempDir(), "setclock")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" > "+set+"\n"), 0o755)
	u.srv.PiClock = settime.Host{NTPMode: "yes", SetClockCmd: script}
	code, page = u.said("/system", "/system", sync(now, "setPiTime", "on"))
	expectSaid(t, "Pi, NTP", code, page, http.StatusSeeOther, "The Pi's clock was not set: NTP sets it")
	if _, err := os.Stat(set); err == nil {
		t.Fatal("the Pi's clock was set although NTP sets it")
	}
	u.srv.PiClock = settime.Host{NTPMode: "no", SetClockCmd: script}
	code, page = u.said("/system", "/system", sync(now, "setPiTime", "on"))
	expectSaid(t, "Pi", code, page, http.StatusSeeOther, "The Pi's clock was set to "+shown.Format(settime.DisplayLayout)+".")
	if b, _ := os.ReadFile(set); strings.TrimSpace(string(b)) != shown.Format(settime.ClockLayout) {
		t.Fatalf("the Pi's clock was set to %q, want %q", b, shown.Format(settime.ClockLayout))
	}
	u.srv.PiClock = settime.Host{NTPMode: "no", SetClockCmd: "false"}
	code, page = u.said("/system", "/system", sync(now, "setPiTime", "on"))
	expectSaid(t, "Pi, failing", code, page, http.StatusSeeOther, "The Pi's clock was not set: ")

	code, page = u.said("/system", "/system", sync(now, "setCameraTime", "on"))
	expectSaid(t, "camera, no mode", code, page, http.StatusSeeOther, "The camera's clock was not set: choose a camera time mode.")
	code, page = u.said("/system", "/system", sync(now, "setCameraTime", "on", "cameraTimeMode", "1"))
	expectSaid(t, "camera, no driver", code, page, http.StatusSeeOther, "The camera's clock was not set: no camera driver.")
}

// The Thermal page's units are remembered for a week (anything but
// Fahrenheit is Celsius); its buttons reset the Arduino's minimum or
// maximum, and say so, or why not.
func TestThermalSubmit(t *testing.T) {
	u := startPageUI(t, true)
	for typed, want := range map[string]string{"Fahrenheit": "Fahrenheit", "Kelvin": "Celsius"} {
		resp, _ := u.postRaw("/thermal", url.Values{"thermalUnits": {typed}})
		ck := findCookie(resp, unitsCookie)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/thermal" || ck == nil || ck.Value != want || ck.MaxAge != 7*24*3600 {
			t.Errorf("units %s: %d %q, cookie %+v; want %s for a week", typed, resp.StatusCode, resp.Header.Get("Location"), ck, want)
		}
		checked := `id="thermalC" value="Celsius" checked`
		if want == "Fahrenheit" {
			checked = `id="thermalF" value="Fahrenheit" checked`
		}
		if page := u.page("/thermal"); !strings.Contains(page, checked) {
			t.Errorf("units %s: the page is not in %s", typed, want)
		}
	}
	for button, what := range map[string]string{"resetMin": "minimum", "resetMax": "maximum"} {
		code, page := u.said("/thermal", "/thermal", url.Values{button: {button}})
		expectSaid(t, button, code, page, http.StatusSeeOther, "The Arduino's "+what+" temperature was reset.")
	}
}

// Without an Arduino link nothing is sent and every page says why.
func TestPagesWithoutAnArduinoLink(t *testing.T) {
	none := startPageUI(t, false)
	var code int
	var page string
	form := url.Values{"shootDays": {"Tuesday", "Saturday"}, "startHour": {"05"}, "endHour": {"21"}, "interval": {"63"}}
	now := time.Now().Format(camera.WallLayout)
	sync := func(wall string, extra ...string) url.Values {
		v := url.Values{"SyncSystem": {wall}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	code, page = none.said("/intervalometer", "/intervalometer", form)
	expectSaid(t, "schedule, no link", code, page, http.StatusSeeOther, "Not saved: no Arduino link is configured.")
	code, page = none.said("/system", "/system", url.Values{"extend": {"extend"}})
	expectSaid(t, "extend, no link", code, page, http.StatusSeeOther, "The shutdown was not postponed: no Arduino link is configured")
	code, page = none.said("/system", "/system", url.Values{"Reboot": {"Reboot"}, "rebootString": {view.RebootSafeWord}})
	expectSaid(t, "reboot, no link", code, page, http.StatusSeeOther, "The Arduino was not rebooted: no Arduino link is configured")
	code, page = none.said("/system", "/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {"07"}, "wakePiDuration": {"10"}})
	expectSaid(t, "wake time, no link", code, page, http.StatusSeeOther, "Not saved: no Arduino link is configured.")
	code, page = none.said("/system", "/system", sync(now, "setArduinoTime", "on"))
	expectSaid(t, "Arduino, no link", code, page, http.StatusSeeOther, "The Arduino's clock was not set: no Arduino link is configured.")
	for button, what := range map[string]string{"resetMin": "minimum", "resetMax": "maximum"} {
		code, page := none.said("/thermal", "/thermal", url.Values{button: {button}})
		expectSaid(t, button+", no link", code, page, http.StatusSeeOther, "The "+what+" was not reset: no Arduino link is configured.")
	}
	// No camera driver either.
	code, page = none.said("/camera", "/camera", url.Values{"wakeCamera": {"wake"}})
	expectSaid(t, "camera wake, no link", code, page, http.StatusSeeOther, "No Arduino link: the camera cannot be woken.")
	code, page = none.said("/camera", "/camera", url.Values{"camApply": {"apply"}, "cameraMfr": {string(camera.MakerCanon)}, string(camera.SettingISO): {"800"}})
	expectSaid(t, "apply, no driver", code, page, http.StatusSeeOther, "Settings not applied. ")
	code, page = none.said("/camera", "/camera", url.Values{"camPreview": {"preview"}})
	expectSaid(t, "preview, no driver", code, page, http.StatusSeeOther, "No preview. ")
}
