package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/creack/pty"
	"golang.org/x/term"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/framing"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// restartWeb stops the box's web server and starts it again with extra
// environment and flags (a different --arduino, a clock recorder).
func restartWeb(t testing.TB, b *Box, env []string, args ...string) {
	t.Helper()
	b.StopWeb()
	u, _ := url.Parse(b.LocalURL)
	cmd := exec.Command(bin("web"), append([]string{"--listen", b.UIAddr, "--local-listen", u.Host}, args...)...)
	cmd.Env = append(b.env(), env...)
	w := &lockedWriter{mu: &b.mu, buf: b.logs["web"]}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start web: %v", err)
	}
	b.web = cmd
	if err := testutil.WaitTCP(b.UIAddr, 10*time.Second); err != nil {
		t.Fatalf("web did not start: %v\n%s", err, b.Log("web"))
	}
}

// board is the test's own view of the box's simulated Arduino: the same
// state file, under the same bus lock, without the cache.
type board struct {
	bus *sim.Bus
	c   *arduino.Client
}

func simBoard(b *Box) *board {
	p := paths.New(b.Home)
	bus := sim.NewBus(p, sim.Options{})
	return &board{bus: bus, c: arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock()})}
}

func (bd *board) schedule(t *testing.T) arduino.Schedule {
	t.Helper()
	s, err := bd.c.Schedule(context.Background())
	if err != nil {
		t.Fatalf("read the simulated schedule: %v", err)
	}
	return s
}

// page is a logged-in browser-like client.
type page struct {
	t    *testing.T
	b    *Box
	c    *http.Client
	base string
}

func loggedIn(t *testing.T, b *Box) *page {
	c := b.Client()
	b.Login(c)
	return &page{t: t, b: b, c: c, base: "http://" + b.UIAddr}
}

func (p *page) get(path string) string {
	p.t.Helper()
	resp, err := p.c.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	body := readAll(resp)
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	return body
}

// post submits a form with the page's CSRF token and returns the response
// (a redirect) and the page it leads to.
func (p *page) post(path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	m := csrfField.FindStringSubmatch(p.get(path))
	if m == nil {
		p.t.Fatalf("no CSRF token on %s", path)
	}
	form.Set("_csrf", m[1])
	resp, err := p.c.PostForm(p.base+path, form)
	if err != nil {
		p.t.Fatal(err)
	}
	body := readAll(resp)
	if resp.StatusCode == http.StatusUnprocessableEntity { // a refused form, drawn again as typed
		return resp, body
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		p.t.Fatalf("POST %s: %d to %q, want 303 to %s", path, resp.StatusCode, resp.Header.Get("Location"), path)
	}
	return resp, p.get(path)
}

// eventually polls ok for a few seconds: a command that lands during a
// camera wake pulse is acted on only when the pulse ends.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func scheduleForm(days []string, start, end, interval string) url.Values {
	return url.Values{"shootDays": days, "startHour": {start}, "endHour": {end}, "interval": {interval}}
}

func TestArduinoPages(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	bd := simBoard(b)
	p := loggedIn(t, b)

	t.Run("intervalometer shows the Arduino's schedule", func(t *testing.T) {
		p.t = t
		s := bd.schedule(t)
		body := p.get("/intervalometer")
		for _, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
			checked := regexp.MustCompile(`name="shootDays" value="` + wd.String() + `" checked`).MatchString(body)
			if checked != s.Days.Has(wd) {
				t.Errorf("%s checked=%v, Arduino says %v", wd, checked, s.Days.Has(wd))
			}
		}
		if !strings.Contains(body, fmt.Sprintf(`<option value="%02d" selected>%02d</option>`, s.StartHour, s.StartHour)) {
			t.Errorf("start hour %02d not selected", s.StartHour)
		}
		if !strings.Contains(body, `id="shotsperday">`+fmt.Sprint(s.ShotsPerDay())+`<`) {
			t.Errorf("shots per day %v not shown", s.ShotsPerDay())
		}
		// Firmware 5.0.1 offers shoot-fast.
		if !strings.Contains(body, `value="63"`) || strings.Contains(body, "arduinoNotice") {
			t.Errorf("no shoot-fast choices, or an Arduino notice:\n%s", body)
		}
	})

	t.Run("intervalometer POST sets the schedule", func(t *testing.T) {
		p.t = t
		_, body := p.post("/intervalometer", scheduleForm([]string{"Monday", "Wednesday", "Sunday"}, "06", "20", "15"))
		if !strings.Contains(body, "Intervalometer settings saved") {
			t.Fatalf("no confirmation:\n%s", body)
		}
		got := bd.schedule(t)
		want := arduino.Schedule{Days: arduino.MaskOf(time.Monday, time.Wednesday, time.Sunday), StartHour: 6, EndHour: 20, Interval: 15}
		if got != want {
			t.Fatalf("Arduino schedule %+v, want %+v", got, want)
		}
		// A window through midnight with a shoot-fast interval.
		p.post("/intervalometer", scheduleForm([]string{"Saturday"}, "22", "02", "70"))
		got = bd.schedule(t)
		if want := (arduino.Schedule{Days: arduino.MaskOf(time.Saturday), StartHour: 22, EndHour: 2, Interval: 70}); got != want {
			t.Fatalf("Arduino schedule %+v, want %+v", got, want)
		}
		if body := p.get("/intervalometer"); !strings.Contains(body, `id="shotsperday">1440<`) || !strings.Contains(body, `id="shootFastWarning" class="orange"`) {
			t.Fatalf("22-02 every 10 s should be 1440 shots a day with the warning shown:\n%s", body)
		}
	})

	t.Run("intervalometer refuses bad values and changes nothing", func(t *testing.T) {
		p.t = t
		before := bd.schedule(t)
		for name, form := range map[string]url.Values{
			"start hour 25":    scheduleForm([]string{"Monday"}, "25", "20", "15"),
			"interval 0":       scheduleForm([]string{"Monday"}, "06", "20", "0"),
			"no days":          scheduleForm(nil, "06", "20", "15"),
			"non-numeric":      scheduleForm([]string{"Monday"}, "six", "20", "15"),
			"start = end":      scheduleForm([]string{"Monday"}, "08", "08", "15"),
			"unknown day":      scheduleForm([]string{"Funday"}, "06", "20", "15"),
			"interval 07":      scheduleForm([]string{"Monday"}, "06", "20", "07"),
			"end hour 00":      scheduleForm([]string{"Monday"}, "06", "00", "15"),
			"missing fields":   {"shootDays": {"Monday"}},
			"three digit hour": scheduleForm([]string{"Monday"}, "006", "20", "15"),
		} {
			resp, body := p.post("/intervalometer", form)
			if resp.StatusCode != http.StatusUnprocessableEntity ||
				!regexp.MustCompile(`<tr class="red"><td class="centred">Nothing was saved: [^<]+</td></tr>`).MatchString(body) ||
				!regexp.MustCompile(`aria-describedby="(shootDays|startHour|endHour|interval)-error"`).MatchString(body) {
				t.Errorf("%s: not drawn again with its refusal beside its field (%d):\n%s", name, resp.StatusCode, body)
			}
			if got := bd.schedule(t); got != before {
				t.Fatalf("%s changed the schedule to %+v", name, got)
			}
		}
	})

	t.Run("thermal shows temperatures and both charts", func(t *testing.T) {
		p.t = t
		if err := bd.bus.SetTemperature(21); err != nil {
			t.Fatal(err)
		}
		// Fit the voltmeter (about 12.6 V) so the battery chart has bars.
		if err := bd.bus.Do(func(f *sim.Firmware, _ time.Time) error { f.S.VoltADC = 640; return nil }); err != nil {
			t.Fatal(err)
		}
		var body string
		eventually(t, "the thermal page shows 21°C", func() bool {
			body = p.get("/thermal")
			return strings.Contains(body, `id="arduinoTemp">21°C<`)
		})
		for _, want := range []string{`<svg class="chart" id="tempChart"`, `<svg class="chart" id="voltChart"`, `class="limit high"`, `class="limit low"`, `>VHi<`, `>0°<`} {
			if !strings.Contains(body, want) {
				t.Errorf("thermal page lacks %s", want)
			}
		}
		if strings.Count(body, `class="hour"`) != 48 {
			t.Errorf("want 24 hour labels on each chart, got %d", strings.Count(body, `class="hour"`))
		}
		temps, err := bd.c.HourlyTemperatures(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		measured := 0
		for h := 0; h < 24; h++ {
			if temps.Measured(h) {
				measured++
			}
		}
		tempSVG := body[strings.Index(body, `id="tempChart"`):strings.Index(body, `id="voltChart"`)]
		if n := strings.Count(tempSVG, "<rect "); n != measured {
			t.Errorf("%d temperature bars for %d measured hours (-128 must draw none)", n, measured)
		}
		if measured > 0 && !regexp.MustCompile(`Daily minimum \(at \d\d:00\):</span><span class="alignright" id="dayTempMin">-?\d+°C<`).MatchString(body) {
			t.Errorf("no daily minimum with its hour")
		}
	})

	t.Run("thermal units cookie and resets", func(t *testing.T) {
		p.t = t
		resp, body := p.post("/thermal", url.Values{"thermalUnits": {"Fahrenheit"}})
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "thermalUnits" {
				ck = c
			}
		}
		if ck == nil || ck.Value != "Fahrenheit" || ck.MaxAge != 7*24*3600 {
			t.Fatalf("thermalUnits cookie %+v, want Fahrenheit for 7 days", ck)
		}
		if !strings.Contains(body, `id="arduinoTemp">70°F<`) || !strings.Contains(body, `id="thermalF" value="Fahrenheit" checked`) || !strings.Contains(body, `>32°<`) {
			t.Fatalf("21 °C should show as 70°F with 32° on the scale:\n%s", body)
		}
		// Make min and max differ from now, then reset each.
		if err := bd.bus.SetTemperature(5); err != nil {
			t.Fatal(err)
		}
		if err := bd.c.Send(context.Background(), arduino.CmdRefreshTemps); err != nil {
			t.Fatal(err)
		}
		if err := bd.bus.SetTemperature(15); err != nil {
			t.Fatal(err)
		}
		p.post("/thermal", url.Values{"thermalUnits": {"Celsius"}, "resetMin": {"resetMin"}})
		if err := bd.c.Send(context.Background(), arduino.CmdRefreshTemps); err != nil {
			t.Fatal(err)
		}
		tv, err := bd.c.Temperatures(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tv.Min != 15 || tv.Max < 21 {
			t.Fatalf("after Reset min: %+v, want min 15 and max kept (21 or more)", tv)
		}
		_, body = p.post("/thermal", url.Values{"thermalUnits": {"Celsius"}, "resetMax": {"resetMax"}})
		if !strings.Contains(body, `id="arduinoMax">15°C<`) || !strings.Contains(body, "maximum temperature was reset") {
			t.Fatalf("after Reset max the page should show max 15°C:\n%s", body)
		}
	})

	t.Run("system shows the clocks, versions and the Pi", func(t *testing.T) {
		p.t = t
		body := p.get("/system")
		for _, re := range []string{
			`id="arduinoDateTime">\d{4} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d<`,
			`id="arduinoVersion">5\.0\.1<`,
			`id="libgphoto2Version">[^<U][^<]*<`,
			`id="appVersion">[^<]+<`,
			`id="piHostname">[^<]+<`,
			`id="piBits">(32|64)<`,
			`id="piFree">[\d.]+ GB<`,
			`id="piUptime">[\d:, days]+<`,
			`name="rebootString"`,
		} {
			if !regexp.MustCompile(re).MatchString(body) {
				t.Errorf("system page lacks %s", re)
			}
		}
	})

	t.Run("system wake window, extend and reboot", func(t *testing.T) {
		p.t = t
		_, body := p.post("/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {"07"}, "wakePiDuration": {"30"}})
		if !strings.Contains(body, "wake time was saved") {
			t.Fatalf("no confirmation:\n%s", body)
		}
		w, err := bd.c.WakeWindow(context.Background())
		if err != nil || w != (arduino.WakeWindow{Hour: 7, Minutes: 30}) {
			t.Fatalf("wake window %+v %v, want 07 for 30", w, err)
		}
		if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "wakepihour = 07") {
			t.Fatalf("wakepihour not mirrored:\n%s", ini)
		}
		for name, form := range map[string]url.Values{
			"hour 24":      {"wakePi": {"wakePi"}, "wakePiTime": {"24"}, "wakePiDuration": {"30"}},
			"duration 07":  {"wakePi": {"wakePi"}, "wakePiTime": {"08"}, "wakePiDuration": {"07"}},
			"no duration":  {"wakePi": {"wakePi"}, "wakePiTime": {"08"}},
			"not a number": {"wakePi": {"wakePi"}, "wakePiTime": {"x8"}, "wakePiDuration": {"30"}},
		} {
			resp, body := p.post("/system", form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<tr class="red"><td class="centred">Nothing was saved: `) ||
				!regexp.MustCompile(`aria-describedby="wakePi(Time|Duration)-error"`).MatchString(body) {
				t.Errorf("%s: not drawn again with its refusal beside its field (%d)", name, resp.StatusCode)
			}
			if w2, _ := bd.c.WakeWindow(context.Background()); w2 != w {
				t.Fatalf("%s changed the wake window to %+v", name, w2)
			}
		}
		// Always On keeps the duration the Arduino has.
		p.post("/system", url.Values{"wakePi": {"wakePi"}, "wakePiTime": {"Always On"}})
		if w, _ := bd.c.WakeWindow(context.Background()); w != (arduino.WakeWindow{Hour: 25, Minutes: 30}) {
			t.Fatalf("Always On: %+v", w)
		}
		if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "wakepihour = 25") {
			t.Fatalf("wakepihour not 25:\n%s", ini)
		}
		// Extend reaches the Arduino.
		before, _ := bd.bus.Stats()
		_, body = p.post("/system", url.Values{"extend": {"extend"}})
		after, _ := bd.bus.Stats()
		if !strings.Contains(body, "shutdown was postponed") || after.Commands <= before.Commands {
			t.Fatalf("extend: commands %d -> %d\n%s", before.Commands, after.Commands, body)
		}
	})

	t.Run("system location name and thumbnail count", func(t *testing.T) {
		p.t = t
		_, body := p.post("/system", url.Values{"submitLocation": {"submitLocation"}, "newName": {"Ridge 100% Top"}})
		if !strings.Contains(body, `<h2 id="locationName">Ridge 100% Top</h2>`) {
			t.Fatalf("new location name not in the header:\n%s", body)
		}
		if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "locationname = Ridge 100%% Top") {
			t.Fatalf("INI:\n%s", ini)
		}
		p.post("/system", url.Values{"submitThumbsCount": {"submitThumbsCount"}, "thumbsCount": {"96"}})
		if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "thumbscount = 96") {
			t.Fatalf("INI:\n%s", ini)
		}
		_, body = p.post("/system", url.Values{"submitThumbsCount": {"submitThumbsCount"}, "thumbsCount": {"1000"}})
		if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "thumbscount = 96") || !strings.Contains(body, `id="thumbsCount-error">&#34;1000&#34; is not one of the thumbnail counts`) {
			t.Fatalf("thumbs count 1000 accepted:\n%s", ini)
		}
	})

	t.Run("local getTime and setArduinoDateTime", func(t *testing.T) {
		p.t = t
		if err := bd.c.SetTime(context.Background(), time.Date(2031, 5, 6, 7, 8, 9, 0, time.Local)); err != nil {
			t.Fatal(err)
		}
		var body string
		eventually(t, "/getTime answers the time just set", func() bool {
			resp, err := http.Get(b.LocalURL + "/getTime")
			if err != nil {
				t.Fatal(err)
			}
			body = readAll(resp)
			return resp.StatusCode == 200 && regexp.MustCompile(`^<div id="dateTime">2031 May 06 07:08:(09|1\d)</div>\n$`).MatchString(body)
		})
		resp, err := http.Get(b.LocalURL + "/setArduinoDateTime")
		if err != nil {
			t.Fatal(err)
		}
		body = readAll(resp)
		m := regexp.MustCompile(`^<p>Set Arduino datetime to (\d{14})</p>\n$`).FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("/setArduinoDateTime: %d %q", resp.StatusCode, body)
		}
		eventually(t, "the Arduino's clock is set to now", func() bool {
			got, err := bd.c.DateTime(context.Background(), time.Local)
			return err == nil && got.Sub(time.Now()).Abs() < 5*time.Second
		})
		// Neither is on the public listener.
		resp, _ = p.c.Get(p.base + "/getTime")
		readAll(resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("/getTime on the public listener: %d", resp.StatusCode)
		}
	})

	t.Run("system sets the Arduino, Pi and camera clocks", func(t *testing.T) {
		p.t = t
		rec := filepath.Join(t.TempDir(), "clock.txt")
		script := filepath.Join(t.TempDir(), "setclock")
		os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> "+rec+"\n"), 0o755)
		restartWeb(t, b, []string{"INTVLM8R_SET_CLOCK_CMD=" + script, "INTVLM8R_NTP=no"})
		p = loggedIn(t, b)
		// The camera is asleep until something wakes it: a page does.
		p.get("/system")
		time.Sleep(700 * time.Millisecond)
		body := p.get("/system")
		if !strings.Contains(body, `id="setCameraTime" name="setCameraTime" value="on">`) {
			t.Fatalf("camera time box not enabled:\n%s", body)
		}
		_, body = p.post("/system", url.Values{"SyncSystem": {"20300102030405"}, "setArduinoTime": {"on"}, "setPiTime": {"on"},
			"setCameraTime": {"on"}, "cameraTimeMode": {"4"}, "tzOffsetValue": {"5.5"}})
		for _, want := range []string{"Arduino&#39;s clock was set to 2030 Jan 02 03:04:05", "Pi&#39;s clock was set to 2030 Jan 02 03:04:05", "camera&#39;s clock was set to 2030 Jan 02 03:04:05"} {
			if !strings.Contains(body, want) {
				t.Errorf("no %q:\n%s", want, body)
			}
		}
		if got, _ := os.ReadFile(rec); string(got) != "2030-01-02 03:04:05\n" {
			t.Errorf("clock command got %q", got)
		}
		if got, err := bd.c.DateTime(context.Background(), time.Local); err != nil || got.Year() != 2030 || got.YearDay() != 2 {
			t.Errorf("Arduino clock %s %v", got, err)
		}
		if !regexp.MustCompile(`id="cameraDateTime">2030[ -]`).MatchString(body) {
			t.Errorf("camera date/time not 2030:\n%s", body)
		}
		if !strings.Contains(body, `<option value="5.5" selected>`) || !strings.Contains(body, `<option value="4" selected>datetime`) {
			t.Errorf("cookies not remembered:\n%s", body)
		}
		// Red: the Arduino's clock looks reset.
		bd.c.SetTime(context.Background(), time.Date(2000, 1, 1, 0, 0, 0, 0, time.Local))
		eventually(t, "a 2000 clock is flagged red", func() bool {
			return strings.Contains(p.get("/system"), `<tr class="red" id="arduinoTimeRow">`)
		})
		bd.c.SetTime(context.Background(), time.Now())
		// A bad time sets nothing.
		_, body = p.post("/system", url.Values{"SyncSystem": {"2030-01-02"}, "setPiTime": {"on"}})
		if got, _ := os.ReadFile(rec); strings.Count(string(got), "\n") != 1 || !strings.Contains(body, "No clock set") {
			t.Errorf("a bad time reached the clock command: %q", got)
		}
		// A failing clock command is shown, not hidden.
		restartWeb(t, b, []string{"INTVLM8R_SET_CLOCK_CMD=/bin/false", "INTVLM8R_NTP=no"})
		p = loggedIn(t, b)
		_, body = p.post("/system", url.Values{"SyncSystem": {"20300102030405"}, "setPiTime": {"on"}})
		if !strings.Contains(body, "The Pi&#39;s clock was not set") {
			t.Errorf("failed clock not shown:\n%s", body)
		}
	})

	// Last: the reboot takes the simulated Arduino away for a while.
	t.Run("system reboot needs the safe word", func(t *testing.T) {
		p.t = t
		after, _ := bd.bus.Stats()
		// Reboot only with the safe word.
		_, body := p.post("/system", url.Values{"Reboot": {"Reboot"}, "rebootString": {"please"}})
		if st, _ := bd.bus.Stats(); st.Boots != after.Boots || !strings.Contains(body, "Not rebooted") {
			t.Fatalf("rebooted without the safe word (boots %d -> %d)", after.Boots, st.Boots)
		}
		_, body = p.post("/system", url.Values{"Reboot": {"Reboot"}, "rebootString": {"seeyasoon"}})
		if !strings.Contains(body, "The Arduino is rebooting") {
			t.Fatalf("no reboot notice:\n%s", body)
		}
		var ra bool
		bd.bus.Do(func(f *sim.Firmware, _ time.Time) error {
			ra = f.S.RAFlag || f.S.ResetAt != nil || f.S.Boots > after.Boots
			return nil
		})
		if !ra {
			t.Fatal("RA did not reach the Arduino")
		}
	})
}

// garbage is an Arduino on a serial line that answers every query with
// bytes that parse as nothing and refuses every command.
type garbage struct{}

func (garbage) Query(context.Context, byte) ([32]byte, error) {
	var r [32]byte
	copy(r[:], "\x7f?!garbage;;;;\xfe")
	return r, nil
}
func (garbage) Command(context.Context, []byte) error { return fmt.Errorf("line noise") }

// serialArduino opens a pty for the web server's --arduino serial:… and
// answers it with h (nil: nobody answers).
func serialArduino(t *testing.T, h framing.Handler) string {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); ptmx.Close(); tty.Close() })
	if h != nil {
		go framing.Serve(ctx, ptmx, h)
	} else {
		go func() { // drain, answer nothing
			buf := make([]byte, 256)
			for ctx.Err() == nil {
				if _, err := ptmx.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	return tty.Name()
}

func TestArduinoPagesWithoutArduino(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	p := loggedIn(t, b)
	// Prime the cache with the simulator's answers.
	for _, path := range []string{"/intervalometer", "/thermal", "/system"} {
		p.get(path)
	}
	for _, tc := range []struct {
		name    string
		handler framing.Handler
	}{{"silent", nil}, {"garbage", garbage{}}} {
		t.Run(tc.name, func(t *testing.T) {
			restartWeb(t, b, nil, "--arduino", "serial:"+serialArduino(t, tc.handler))
			p := loggedIn(t, b)
			body := p.get("/intervalometer")
			if !strings.Contains(body, `id="arduinoNotice">The Arduino is not answering: the values shown are from the cache`) {
				t.Errorf("intervalometer: no cache notice:\n%s", body)
			}
			if !regexp.MustCompile(`Shoot days \(cached, \d+ s old\)`).MatchString(body) || !strings.Contains(body, `value="Monday" checked`) {
				t.Errorf("intervalometer: cached schedule not shown with its age")
			}
			body = p.get("/thermal")
			// GT failed, so the cached reading stands, with its age.
			if !strings.Contains(body, "arduinoNotice") || !regexp.MustCompile(`Arduino temperature \(cached, \d+ s old\):</span><span class="alignright" id="arduinoTemp">-?\d+°C<`).MatchString(body) ||
				!strings.Contains(body, `id="tempChart"`) {
				t.Errorf("thermal: want a notice, the cached reading with its age and the cached chart:\n%s", body)
			}
			body = p.get("/system")
			if !strings.Contains(body, "arduinoNotice") || !strings.Contains(body, `id="arduinoVersion">5.0.1<`) || !regexp.MustCompile(`id="arduinoDateTime">[^<]+\(cached, \d+ (s|min) old\)<`).MatchString(body) {
				t.Errorf("system: cached values not shown with their age:\n%s", body)
			}
			if tc.handler == nil {
				return // a silent line costs seconds a request; the rest is the same
			}
			// A form that needs the Arduino says it failed, in red.
			_, body = p.post("/intervalometer", scheduleForm([]string{"Monday"}, "06", "20", "15"))
			if !strings.Contains(body, `<tr class="red"><td class="centred">The Arduino did not take the schedule`) {
				t.Errorf("a failed SI= is not shown:\n%s", body)
			}
			resp, err := http.Get(b.LocalURL + "/getTime")
			if err != nil {
				t.Fatal(err)
			}
			if body := readAll(resp); resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(body, `<div id="dateTime">Unknown</div>`) {
				t.Errorf("/getTime without an Arduino: %d %q", resp.StatusCode, body)
			}
		})
	}
	t.Run("empty cache: Unknown everywhere", func(t *testing.T) {
		restartWeb(t, b, nil, "--arduino", "serial:"+serialArduino(t, garbage{}))
		if out, err := exec.Command("redis-cli", "-p", b.Redis.Addr[strings.LastIndex(b.Redis.Addr, ":")+1:], "FLUSHALL").CombinedOutput(); err != nil {
			t.Fatalf("flush redis: %v %s", err, out)
		}
		p := loggedIn(t, b)
		body := p.get("/intervalometer")
		if !strings.Contains(body, "values it gives are Unknown") || !strings.Contains(body, `id="shotsperday">Unknown<`) || strings.Contains(body, " checked") {
			t.Errorf("intervalometer with nothing known:\n%s", body)
		}
		body = p.get("/system")
		if !strings.Contains(body, `id="arduinoDateTime">Unknown<`) || !strings.Contains(body, `id="arduinoVersion">Unknown<`) {
			t.Errorf("system with nothing known:\n%s", body)
		}
		body = p.get("/thermal")
		if !strings.Contains(body, `id="arduinoTemp">Unknown<`) || !strings.Contains(body, "firmware version is Unknown") {
			t.Errorf("thermal with nothing known:\n%s", body)
		}
	})
}

func TestBrowserIntervalometer(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	bd := simBoard(b)
	if err := bd.c.SetSchedule(context.Background(), arduino.Schedule{Days: arduino.MaskOf(time.Monday, time.Friday), StartHour: 6, EndHour: 18, Interval: 10}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "schedule set", func() bool { return bd.schedule(t).Interval == 10 })
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	js := evalJS(t, ctx)
	text := func(id string) string {
		var s string
		js(`document.getElementById('`+id+`').textContent`, &s)
		return s
	}
	applyDisabled := func() bool {
		var d bool
		js(`document.getElementById('apply').disabled`, &d)
		return d
	}
	change := func(id, value string) {
		js(`(() => { const e = document.getElementById('`+id+`'); e.value = '`+value+`'; e.dispatchEvent(new Event('change')); return true })()`, nil)
	}
	clickDay := func(day string) {
		js(`(() => { document.querySelector('input[name="shootDays"][value="`+day+`"]').click(); return true })()`, nil)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate("http://"+b.UIAddr+"/intervalometer"), chromedp.WaitVisible("#apply", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if !applyDisabled() || text("shotsperday") != "72" {
		t.Fatalf("on load: apply disabled %v, shots/day %q (want disabled, 72)", applyDisabled(), text("shotsperday"))
	}
	// A change enables Apply; undoing it disables it again (the intended
	// rule, not the original's XOR).
	clickDay("Tuesday")
	if applyDisabled() {
		t.Fatal("Apply still disabled after a day change")
	}
	clickDay("Tuesday")
	if !applyDisabled() {
		t.Fatal("Apply enabled with the days back as loaded")
	}
	change("startHour", "07")
	change("startHour", "06")
	if !applyDisabled() {
		t.Fatal("Apply enabled with the start hour back as loaded")
	}
	// No day at all: disabled.
	clickDay("Monday")
	clickDay("Friday")
	if !applyDisabled() {
		t.Fatal("Apply enabled with no day")
	}
	clickDay("Monday")
	clickDay("Friday")
	// Start = end: red borders and disabled.
	change("endHour", "06")
	var cls string
	js(`document.getElementById('startHour').className + ' ' + document.getElementById('endHour').className`, &cls)
	if !applyDisabled() || strings.Count(cls, "redborder") != 2 {
		t.Fatalf("start = end: apply disabled %v, classes %q", applyDisabled(), cls)
	}
	// Shoot fast through midnight: warning, orange select, figures.
	change("startHour", "22")
	change("endHour", "02")
	change("interval", "70")
	var hidden bool
	js(`document.getElementById('shootFastWarning').classList.contains('hidden')`, &hidden)
	js(`document.getElementById('interval').className`, &cls)
	if hidden || !strings.Contains(cls, "orange") || text("shotsperday") != "1440" || applyDisabled() {
		t.Fatalf("fast: warning hidden %v, class %q, shots/day %q, apply disabled %v", hidden, cls, text("shotsperday"), applyDisabled())
	}
	if err := chromedp.Run(ctx, chromedp.Click("#apply", chromedp.ByID),
		chromedp.WaitVisible(`//td[contains(., "Intervalometer settings saved")]`)); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if got, want := bd.schedule(t), (arduino.Schedule{Days: arduino.MaskOf(time.Monday, time.Friday), StartHour: 22, EndHour: 2, Interval: 70}); got != want {
		t.Fatalf("after Apply the Arduino has %+v, want %+v", got, want)
	}
	if !applyDisabled() || text("shotsperday") != "1440" {
		t.Fatalf("reloaded page: apply disabled %v, shots/day %q", applyDisabled(), text("shotsperday"))
	}
}

func TestBrowserThermal(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	bd := simBoard(b)
	bd.bus.SetTemperature(-4)
	bd.bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.VoltADC = 640
		for h := range f.S.DailyTemps {
			f.S.DailyTemps[h] = int8(h - 8) // -8 … 15 °C, one hour unmeasured
		}
		f.S.DailyTemps[3] = arduino.Unmeasured
		for h := range f.S.Volts {
			f.S.Volts[h] = byte(120 + h + 10) // 12.0 … 14.3 V
		}
		f.S.Volts[5] = 10 // no reading that hour
		return nil
	})
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	var bars, hours int
	var units, minText, maxText string
	var svgWidth float64
	read := func() {
		t.Helper()
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(`document.querySelectorAll('#tempChart rect').length`, &bars),
			chromedp.Evaluate(`document.querySelectorAll('#tempChart text.hour').length`, &hours),
			chromedp.Evaluate(`document.getElementById('tempChart').getBoundingClientRect().width`, &svgWidth),
			chromedp.Evaluate(`document.getElementById('arduinoTemp').textContent`, &units),
			chromedp.Evaluate(`document.getElementById('dayTempMin').textContent`, &minText),
			chromedp.Evaluate(`document.getElementById('dayTempMax').textContent`, &maxText),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx, chromedp.Navigate("http://"+b.UIAddr+"/thermal"), chromedp.WaitVisible("#tempChart", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	read()
	// The page's GT wrote the current hour too: expect what the board holds.
	temps, err := bd.c.HourlyTemperatures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	measured, lo, hi := 0, 127, -128
	for h := 0; h < 24; h++ {
		if temps.Measured(h) {
			measured++
			lo, hi = min(lo, int(temps[h])), max(hi, int(temps[h]))
		}
	}
	toF := func(c int) int { return int(math.RoundToEven(float64(c)*9/5)) + 32 }
	if bars != measured || measured < 22 || hours != 24 || svgWidth < 200 || units != "-4°C" || minText != fmt.Sprintf("%d°C", lo) || maxText != fmt.Sprintf("%d°C", hi) {
		t.Fatalf("°C: %d bars for %d measured hours, %d hours, width %.0f, now %q, min %q, max %q (want %d, %d)", bars, measured, hours, svgWidth, units, minText, maxText, lo, hi)
	}
	// A bar below freezing hangs under the 0° line, one above rises from it.
	var below, above bool
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`(() => { const r = document.querySelectorAll('#tempChart rect'); return r[0].classList.contains('below') })()`, &below),
		chromedp.Evaluate(`(() => { const r = [...document.querySelectorAll('#tempChart rect')]; return !r[r.length-1].classList.contains('below') })()`, &above),
	); err != nil || !below || !above {
		t.Fatalf("bar classes: first below %v, last above %v (%v)", below, above, err)
	}
	var voltBars, highBars int
	var vMin, vMax string
	chromedp.Run(ctx,
		chromedp.Evaluate(`document.querySelectorAll('#voltChart rect').length`, &voltBars),
		chromedp.Evaluate(`document.querySelectorAll('#voltChart rect.vhigh').length`, &highBars),
		chromedp.Evaluate(`document.getElementById('vMin').textContent`, &vMin),
		chromedp.Evaluate(`document.getElementById('vMax').textContent`, &vMax))
	// 23 readings (hour 5 has none); 14.0 V and up is over voltage_high.
	if voltBars != 23 || highBars != 4 || vMin != "12.0V" || vMax != "14.3V" {
		t.Fatalf("voltage chart: %d bars, %d high, min %q, max %q", voltBars, highBars, vMin, vMax)
	}
	// An hour's reading on a tap (a touch screen shows no hover tooltip) and
	// from the keyboard: the bar's own text, under the chart.
	var detail, title10, title8 string
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`(() => { const r = document.querySelectorAll('#voltChart rect.bar')[9].getBoundingClientRect();
			document.getElementById('voltChart').dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.left + r.width / 2, clientY: r.top + 2})); })()`, nil),
		chromedp.Evaluate(`document.getElementById('voltChartDetail').textContent`, &detail),
		chromedp.Evaluate(`document.querySelectorAll('#voltChart rect.bar')[9].textContent`, &title10),
		chromedp.Evaluate(`document.querySelectorAll('#voltChart rect.bar')[7].textContent`, &title8),
	); err != nil || !strings.HasPrefix(title10, "10:00 ") || detail != title10 {
		t.Fatalf("tap on the 10:00 bar (%q) shows %q (%v)", title10, detail, err)
	}
	if err := chromedp.Run(ctx, chromedp.Focus("#voltChart", chromedp.ByID), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft),
		chromedp.Evaluate(`document.getElementById('voltChartDetail').textContent`, &detail)); err != nil || !strings.HasPrefix(title8, "08:00 ") || detail != title8 {
		t.Fatalf("two arrow-lefts from 10:00 show %q, want %q (%v)", detail, title8, err)
	}
	// °F: the radio stores the cookie and the server redraws in °F.
	if err := chromedp.Run(ctx, chromedp.Click("#thermalF", chromedp.ByID),
		chromedp.WaitVisible(`//span[@id="arduinoTemp" and contains(., "°F")]`)); err != nil {
		t.Fatalf("°F: %v", err)
	}
	read()
	var cookie string
	chromedp.Run(ctx, chromedp.Evaluate(`document.cookie`, &cookie))
	if units != "25°F" || minText != fmt.Sprintf("%d°F", toF(lo)) || maxText != fmt.Sprintf("%d°F", toF(hi)) || !strings.Contains(cookie, "thermalUnits=Fahrenheit") || bars != measured {
		t.Fatalf("°F: now %q, min %q, max %q, cookie %q, %d bars", units, minText, maxText, cookie, bars)
	}
	var labels string
	chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('#tempChart text.scale')].map(e => e.textContent).join(' ')`, &labels))
	if !strings.Contains(labels, "32°") || !strings.Contains(labels, "17°") {
		t.Fatalf("°F scale %q should step through 17° and 32°", labels)
	}
}
