package view

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The rules the owner reads on the pages (a colour, a threshold, a days
// figure, a warning), each pinned where a mutation run found it unasserted
// (docs/mutants.md, "### internal/view").

// The Home page with a camera that answers: its shots left in days against
// the thresholds, a low battery in red, no card and a fixed capture target
// as notices; the Pi's free days in their colour, and the newest photo in
// green when the camera's newest is already on the Pi.
func TestBuildHomeCameraAnswers(t *testing.T) {
	newest := time.Date(2026, 12, 7, 9, 0, 0, 0, time.Local)
	set := homeSettings()
	set.Global.EnableCameraUSB = true
	set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm = 14, 7
	card := camera.CardSummary{FileCount: 3, Newest: &camera.File{Name: "IMG_3.JPG", MTime: newest},
		AvailableShots: "500", Battery: "Low", NoStorage: true, CaptureTargetFixed: true}
	store := photos.Summary{Count: 2, Newest: &photos.Photo{Rel: "DCIM/IMG_3.JPG", MTime: newest},
		Largest: 5 << 20, FreeBytes: 1000 * 5 << 20, FreeOK: true}
	src := func(ard *arduino.Client) HomeSources {
		return HomeSources{Arduino: ard, Log: quietLog, Now: func() time.Time { return monday },
			Settings: func() (config.Settings, error) { return set, nil },
			Camera:   func(context.Context) (camera.CardSummary, error) { return card, nil },
			Photos:   func() (photos.Summary, error) { return store, nil },
			ThumbURL: func(rel string) string { return "/thumbs/" + rel },
			ImageURL: func(photos.LastImage) string { return "/photos/last" },
		}
	}
	// 12 h at 6 an hour: 72 a day. The camera's 500 last 6 days (under the
	// alarm of 7: red); the Pi's room for 1000 lasts 13 (under 14: orange).
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 7, EndHour: 19, Interval: 10})
	h := BuildHome(context.Background(), src(ard))
	for id, w := range map[string]Row{
		"cameraImages":   {Value: "3"},
		"cameraLast":     {Value: newest.Format("2006-01-02 15:04:05")},
		"availableShots": {Value: "500 (6)", Colour: status.Red},
		"battery":        {Value: "Low", Colour: status.Red},
	} {
		if got, ok := rowByID(h.Camera, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("camera row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	for id, w := range map[string]Row{
		"piImages": {Value: "2"},
		"piLast":   {Value: newest.Format("2006-01-02 15:04:05"), Colour: status.Green},
		"piFree":   {Value: system.FormatGB(1000*5<<20) + " (13)", Colour: status.Orange},
	} {
		if got, ok := rowByID(h.Pi, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("Pi row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	if len(h.Notices) != 2 || h.Notices[0].Colour != status.Red || h.Notices[0].Text != "The camera reports no storage: is its card in?" ||
		h.Notices[1].Colour != status.White {
		t.Errorf("notices %+v", h.Notices)
	}
	if h.CameraDown != nil || h.Image != "/thumbs/DCIM/IMG_3.JPG" {
		t.Errorf("camera down %+v, image %q (the thumbnail first)", h.CameraDown, h.Image)
	}

	// A good battery is not coloured; the Pi's newest photo that is not the
	// camera's is not green; without a schedule no days, no colour.
	card.Battery, card.NoStorage, card.CaptureTargetFixed = "Full", false, false
	card.Newest.MTime = newest.Add(time.Minute)
	h = BuildHome(context.Background(), src(nil))
	for id, w := range map[string]Row{
		"availableShots": {Value: "500 (Unknown)"},
		"battery":        {Value: "Full"},
	} {
		if got, ok := rowByID(h.Camera, id); !ok || got.Value != w.Value || got.Colour != w.Colour {
			t.Errorf("no schedule: camera row %s = %+v (found %v), want %q in %q", id, got, ok, w.Value, w.Colour)
		}
	}
	if got, _ := rowByID(h.Pi, "piLast"); got.Colour != status.None {
		t.Errorf("the camera has a newer photo, yet the Pi's newest is %q", got.Colour)
	}
	if got, _ := rowByID(h.Pi, "piFree"); got.Value != system.FormatGB(1000*5<<20)+" (Unknown)" || got.Colour != status.None {
		t.Errorf("no schedule: Pi free %+v", got)
	}
	if len(h.Notices) != 0 {
		t.Errorf("notices %+v", h.Notices)
	}
	// A shot count that is not a number is shown as it is, days Unknown.
	card.AvailableShots = "n/a"
	if got, _ := rowByID(BuildHome(context.Background(), src(ard)).Camera, "availableShots"); got.Value != "n/a (Unknown)" || got.Colour != status.None {
		t.Errorf("no shot count: %+v", got)
	}
}

// The live part of Home (sent every few seconds) grades the battery and
// the schedule by the settings file, as the page does, not by defaults.
func TestBuildHomeLiveReadsTheSettings(t *testing.T) {
	set := homeSettings()
	set.Thresholds.VoltageLow = 10 // 9.5 V is under it: critical (the default 9 says low)
	set.Copy.CopyHour = "16"
	src := HomeSources{Arduino: simArduinoAtVolts(t, 9.5), Log: quietLog, Now: func() time.Time { return monday },
		Settings: func() (config.Settings, error) { return set, nil }}
	live := BuildHomeLive(context.Background(), src)
	if got, _ := rowByID(live.Box, "boxBattery"); got.Value != "9.5 V (critical)" || got.Colour != status.Red {
		t.Errorf("live battery %+v", got)
	}
	if got, _ := rowByID(live.Box, "nextCopy"); got.Value != "Mon 7 Dec 16:00 (in 5 h 40 min)" {
		t.Errorf("live next copy %+v", got)
	}
}

// What the last beat sent is kept for the page's health table.
func TestBuildHomeLastState(t *testing.T) {
	v := 12.5
	src := HomeSources{Log: quietLog, Now: func() time.Time { return monday },
		LastState: func() (health.State, bool) { return health.State{BatteryV: &v, Arduino: "ok"}, true }}
	if h := BuildHome(context.Background(), src); h.Health == nil || h.Health.BatteryV == nil || *h.Health.BatteryV != 12.5 {
		t.Errorf("health %+v", h.Health)
	}
	src.LastState = func() (health.State, bool) { return health.State{}, false }
	if h := BuildHome(context.Background(), src); h.Health != nil {
		t.Errorf("no beat yet, health %+v", h.Health)
	}
}

// Each result row has its own label, an unknown kind a plain one.
func TestResultRowLabels(t *testing.T) {
	for kind, want := range map[string]string{
		health.KindCopy: "Last copy", health.KindUpload: "Last upload", health.KindHeartbeat: "Last heartbeat",
		health.KindThumbnails: "Last thumbnails run", "reboot": "Last reboot",
	} {
		if got := ResultRow(kind, health.Outcome{}, false); got.Label != want || got.ID != "result-"+kind || got.Value != "None yet" {
			t.Errorf("%s: %+v, want label %q", kind, got, want)
		}
	}
}

// A camera with no shots left is the page's worst case, not an unknown:
// 0 shots, under a day, red.
func TestIntervalometerCameraFull(t *testing.T) {
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 7, EndHour: 19, Interval: 10})
	d := BuildIntervalometer(context.Background(), ivSources(ard, cameraWith("0"), piStore(1000)))
	if d.CameraShots != "0" || d.CameraDays != "< 1" || d.CameraClass != status.Red || d.CameraNote != "" {
		t.Errorf("full card: shots %q, days %q, %q, note %q", d.CameraShots, d.CameraDays, d.CameraClass, d.CameraNote)
	}
	// Every start hour is offered, 00 to 23.
	if len(d.StartHours) != 24 || d.StartHours[0].Value != "00" || d.StartHours[23].Value != "23" {
		t.Errorf("start hours %+v", d.StartHours)
	}
	// No camera driver: no shots shown, only the reason.
	if d := BuildIntervalometer(context.Background(), ivSources(ard, nil, piStore(10))); d.CameraShots != Unknown || d.CameraDays != Unknown {
		t.Errorf("no driver: shots %q days %q", d.CameraShots, d.CameraDays)
	}
}

// withFirmware is the simulated Arduino with its schedule set straight in
// the firmware's RAM, as a hand-flashed or older board may hold it.
func withFirmware(t *testing.T, interval int) *arduino.Client {
	t.Helper()
	p := paths.New(t.TempDir())
	bus := sim.NewBus(p, sim.Options{Log: quietLog})
	err := bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.Interval, f.S.StartHour, f.S.EndHour, f.S.ShootDays = interval, 6, 18, int(arduino.EveryDay)
		f.S.IntervalString = append([]byte{byte(arduino.EveryDay)}, fmt.Sprintf("0618%02d", interval)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock(), Log: quietLog})
}

// Interval 0 shoots nothing: no shots a day and no days figure (never a
// "0 a day" and a days-left worked from it).
func TestIntervalometerIntervalZero(t *testing.T) {
	d := BuildIntervalometer(context.Background(), ivSources(withFirmware(t, 0), cameraWith("500"), piStore(1000)))
	if !d.Known || d.ShotsPerDay != Unknown || d.CameraDays != Unknown || d.CameraClass != status.None || d.PiDays != Unknown {
		t.Errorf("interval 0: known %v, per day %q, camera %q %q, Pi %q", d.Known, d.ShotsPerDay, d.CameraDays, d.CameraClass, d.PiDays)
	}
}

// A fast interval that is not a choice (7 s) is shown first, selected, in
// seconds.
func TestIntervalometerForeignFastInterval(t *testing.T) {
	d := BuildIntervalometer(context.Background(), ivSources(withFirmware(t, 67), cameraWith("500"), piStore(1000)))
	if first := d.Intervals[0]; first.Value != "67" || first.Label != "07 seconds" || !first.Selected || !first.Fast {
		t.Errorf("foreign fast interval shown as %+v", first)
	}
}

// The auto power-off rule's edges: over a minute is orange, over five
// minutes red.
func TestCameraAutoPowerOffEdges(t *testing.T) {
	for apo, want := range map[string]status.Colour{"60": status.None, "61": status.Orange, "300": status.Orange, "301": status.Red} {
		rows := CameraInfoRows(camera.Details{FocusMode: "Manual", ExposureMode: "M", AutoPowerOff: apo})
		if got, _ := rowByID(rows, "autoPowerOff"); got.Colour != want {
			t.Errorf("auto power-off %s: %q, want %q", apo, got.Colour, want)
		}
	}
}

// How old a value is, as the pages say it, at each unit's edge.
func TestAgeText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		59 * time.Second: "59 s", time.Minute: "1 min", 59*time.Minute + 59*time.Second: "59 min",
		time.Hour: "1 h 0 min", 47*time.Hour + 59*time.Minute: "47 h 59 min", 48 * time.Hour: "2 days", 100 * time.Hour: "4 days",
	} {
		if got := AgeText(d); got != want {
			t.Errorf("AgeText(%v) = %q, want %q", d, got, want)
		}
	}
}

// A silent Arduino with a cache: the page says its values come from the
// cache and how old they are, or that the rest are Unknown; the Thermal
// page's charts say they are cached.
func TestArduinoReaderNoticeFromTheCache(t *testing.T) {
	r := testutil.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	t.Cleanup(func() { rdb.Close() })
	p := paths.New(t.TempDir())
	cache := arduino.NewCache(rdb, "")
	bus := sim.NewBus(p, sim.Options{Log: quietLog})
	ard := arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock(), Cache: cache, Log: quietLog})
	ctx := context.Background()
	if _, err := ard.Version(ctx); err != nil { // powers the board on
		t.Fatal(err)
	}
	err := bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.VoltADC = -1 // no new samples: the readings stay as set
		for i := range f.S.DailyTemps {
			f.S.DailyTemps[i] = arduino.Unmeasured
		}
		for i := range f.S.Volts {
			f.S.Volts[i] = 10 // 0 V: no reading
		}
		f.S.DailyTemps[3], f.S.Volts[2] = 5, 10+120
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fill := NewArduinoReader(ctx, ard, quietLog) // live reads fill the cache
	_, ok1 := Get(fill, arduino.QVersion)
	_, ok2 := Get(fill, arduino.QHourlyTemps)
	_, ok3 := Get(fill, arduino.QHourlyVoltages)
	_, ok4 := Get(fill, arduino.QTemperatures)
	if !ok1 || !ok2 || !ok3 || !ok4 || fill.Notice() != "" {
		t.Fatalf("live reads: %v %v %v %v, notice %q", ok1, ok2, ok3, ok4, fill.Notice())
	}

	silent := arduino.NewClient(silentTransport{}, arduino.Options{LockPath: p.ArduinoLock(), Cache: cache, Log: quietLog,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	all := regexp.MustCompile(`^The Arduino is not answering: the values shown are from the cache, up to \d+ s old\.$`)
	some := regexp.MustCompile(`^The Arduino is not answering: some values are from the cache \(\d+ s old at most\), the rest are Unknown\.$`)
	rd := NewArduinoReader(ctx, silent, quietLog)
	if _, ok := Get(rd, arduino.QVersion); !ok || !all.MatchString(rd.Notice()) {
		t.Errorf("all from the cache: %v, notice %q", ok, rd.Notice())
	}
	if _, ok := Get(rd, arduino.QWakeWindow); ok || !some.MatchString(rd.Notice()) {
		t.Errorf("some from the cache: %v, notice %q", ok, rd.Notice())
	}
	rd = NewArduinoReader(ctx, silent, quietLog)
	if _, ok := Get(rd, arduino.QWakeWindow); ok || rd.Notice() != "The Arduino is not answering: values it gives are Unknown." {
		t.Errorf("none from the cache: %v, notice %q", ok, rd.Notice())
	}

	src, _ := thermalSources(silent, system.Host{Root: t.TempDir()}, false)
	d := BuildThermal(ctx, src)
	cached := regexp.MustCompile(`^Chart \(cached, \d+ s old\)\.$`)
	if !all.MatchString(d.Notice) || !cached.MatchString(d.TempNote) || !cached.MatchString(d.VoltNote) || d.DayMax != "5°C" || d.VMax != "12.0V" {
		t.Errorf("thermal from the cache: notice %q, notes %q %q", d.Notice, d.TempNote, d.VoltNote)
	}
}

// A refused form whose field came with no value at all still draws the
// stored one, and does not fail.
func TestRejectedFormEmptyValueList(t *testing.T) {
	f := RejectedForm(url.Values{"server": {}, "day": {}}, nil)
	if f.Value("server", "stored") != "stored" || !f.Selected("day", "Monday", true) || f.Selected("day", "Friday", false) {
		t.Errorf("an empty list: value %q, selected %v", f.Value("server", "stored"), f.Selected("day", "Monday", true))
	}
}

// The Arduino's clock is red before the first plausible year only.
func TestBuildSystemClockPlausibleYear(t *testing.T) {
	p := paths.New(t.TempDir())
	ard := simArduino(t, p)
	ctx := context.Background()
	if err := ard.SetTime(ctx, time.Date(settime.EarliestPlausible, 1, 1, 0, 0, 1, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	v := BuildSystem(ctx, SystemSources{Arduino: NewArduinoReader(ctx, ard, quietLog), Host: fakePi(t), Now: fixedNow})
	if v.ArduinoRed || !strings.HasPrefix(v.ArduinoDateTime, strconv.Itoa(settime.EarliestPlausible)+" Jan 01") {
		t.Errorf("first plausible year: %q red %v", v.ArduinoDateTime, v.ArduinoRed)
	}
}

// The NTP answer is fresh for less than its TTL: at the TTL it is asked again.
func TestNTPMemoAtTheTTL(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	asks := 0
	m := &NTPMemo{TTL: 30 * time.Second, Now: func() time.Time { return now },
		Ask: func(context.Context) (settime.NTPState, error) { asks++; return settime.NTPState{}, nil }}
	m.Get(context.Background())
	now = now.Add(30 * time.Second)
	m.Get(context.Background())
	if asks != 2 {
		t.Errorf("%d asks, want 2", asks)
	}
}

// Hours 00 and 23 are hours; 24 and -1 are shown as not one.
func TestTransferHourEdges(t *testing.T) {
	for stored, want := range map[string]string{"0": "00", "00": "00", "23": "23", "24": "", "-1": ""} {
		o := theSelected(t, hourOptions(stored))
		if o.Value != want || (want == "") != o.Disabled {
			t.Errorf("hour %q: %+v, want %q", stored, o, want)
		}
	}
	for ini, want := range map[string]string{"wakepihour = 0": "00", "wakepihour = 23": "23", "wakepihour = -1": "25"} {
		if h, _ := WakePiHour(t.Context(), nil, settingsOf(t, "[Global]\n"+ini+"\n"), nil); h != want {
			t.Errorf("%q: %s, want %s", ini, h, want)
		}
	}
}

// An Arduino that does not say its wake hour is logged, and the INI's is used.
func TestWakePiHourLogsTheArduinosSilence(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, nil))
	silent := arduino.NewClient(silentTransport{}, arduino.Options{LockPath: filepath.Join(t.TempDir(), "lock"), Log: quietLog,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	if h, live := WakePiHour(t.Context(), silent, settingsOf(t, "[Global]\nwakepihour = 07\n"), log); h != "07" || live {
		t.Errorf("%s %v", h, live)
	}
	if !strings.Contains(buf.String(), "wake window unknown") {
		t.Errorf("log %q", buf.String())
	}
}

// An empty public key file is no key: the next one is shown.
func TestPublicKeySkipsAnEmptyFile(t *testing.T) {
	p := paths.New(t.TempDir())
	writeFile(t, p.SSHKey()+".pub", " \n")
	writeFile(t, p.SSHKeyRSA()+".pub", "ssh-rsa AAAA pi@hut\n")
	if got := PublicKey(p); got != "ssh-rsa AAAA pi@hut" {
		t.Errorf("public key %q", got)
	}
}

// A URL with nothing after its host carries no token: shown as it is.
func TestRedactValueBareHost(t *testing.T) {
	if got, red := RedactValue("heartbeaturl", "https://example.com/"); got != "https://example.com/" || red {
		t.Errorf("%q %v", got, red)
	}
}

// The charts' drawing: the plot spans its frame, each value sits on its
// scale, each bar runs from the base line (0°, 0 V) to its value, a value
// on the base line still shows as a thin bar, and a voltage past the
// scale's 18 V stops at its top.
func TestChartGeometry(t *testing.T) {
	c := newChart("c", "label")
	if c.Width != "748.0" || c.Height != "254.0" || c.Left != "44.0" || c.Right != "740.0" || c.HourY != "246.0" {
		t.Errorf("frame %s×%s, plot %s–%s, hours at %s", c.Width, c.Height, c.Left, c.Right, c.HourY)
	}
	if len(c.Hours) != 24 || c.Hours[0] != (ChartHour{X: "58.5", Label: "0"}) || c.Hours[23] != (ChartHour{X: "725.5", Label: "23"}) {
		t.Errorf("hours %+v", c.Hours)
	}

	// -10° to 25°: 35° over the plot's 220 units, from y 10 (top) to 230.
	var h arduino.HourlyTemps
	for i := range h {
		h[i] = arduino.Unmeasured
	}
	h[2], h[14], h[20] = -7, 23, 0
	c = tempChart(h, false)
	want := []ChartBar{
		{X: "104.0", Y: "167.1", W: "25.0", H: "44.0", Class: "bar below", Title: "02:00 -7°C"},
		{X: "452.0", Y: "22.6", W: "25.0", H: "144.6", Class: "bar", Title: "14:00 23°C"},
		{X: "626.0", Y: "166.4", W: "25.0", H: "1.5", Class: "bar", Title: "20:00 0°C"}, // 0° is not below freezing
	}
	if len(c.Bars) != len(want) {
		t.Fatalf("bars %+v", c.Bars)
	}
	for i := range want {
		if c.Bars[i] != want[i] {
			t.Errorf("bar %d: %+v, want %+v", i, c.Bars[i], want[i])
		}
	}
	lines := map[string]ChartLine{}
	for _, l := range c.Lines {
		lines[l.Label] = l
	}
	for label, w := range map[string]ChartLine{
		"-10°": {Y: "230.0", LabelY: "234.0", Label: "-10°", Class: "grid"},
		"0°":   {Y: "167.1", LabelY: "171.1", Label: "0°", Class: "grid freezing"},
		"25°":  {Y: "10.0", LabelY: "14.0", Label: "25°", Class: "grid"},
	} {
		if lines[label] != w {
			t.Errorf("line %s: %+v, want %+v", label, lines[label], w)
		}
	}

	// Only a bar thinner than 1.5 units is widened (about its line); one
	// of 1.5 is drawn as it is.
	c = newChart("c", "label")
	c.bar(0, 100, 101.5, "bar", "")
	c.bar(1, 100, 101.4, "bar", "")
	if c.Bars[0].Y != "100.0" || c.Bars[0].H != "1.5" || c.Bars[1].Y != "99.2" || c.Bars[1].H != "1.5" {
		t.Errorf("thin bars %+v", c.Bars)
	}

	// 0 to 18 V over 220 units; the [Thresholds] at 14 and 9 V.
	v := arduino.HourlyVoltages{Fitted: true}
	v.Tenths[0], v.Tenths[1], v.Tenths[5] = 150, 85, 195
	c = voltChart(v, 14, 9)
	want = []ChartBar{
		{X: "46.0", Y: "46.7", W: "25.0", H: "183.3", Class: "bar vhigh", Title: "00:00 15.0V"},
		{X: "75.0", Y: "126.1", W: "25.0", H: "103.9", Class: "bar vlow", Title: "01:00 8.5V"},
		{X: "191.0", Y: "10.0", W: "25.0", H: "220.0", Class: "bar vhigh", Title: "05:00 19.5V"},
	}
	if len(c.Bars) != len(want) {
		t.Fatalf("volt bars %+v", c.Bars)
	}
	for i := range want {
		if c.Bars[i] != want[i] {
			t.Errorf("volt bar %d: %+v, want %+v", i, c.Bars[i], want[i])
		}
	}
	lines = map[string]ChartLine{}
	for _, l := range c.Lines {
		lines[l.Label] = l
	}
	for label, w := range map[string]ChartLine{
		"0V":  {Y: "230.0", LabelY: "234.0", Label: "0V", Class: "grid"},
		"2V":  {Y: "205.6", LabelY: "209.6", Label: "2V", Class: "grid"},
		"18V": {Y: "10.0", LabelY: "14.0", Label: "18V", Class: "grid"},
		"VHi": {Y: "58.9", LabelY: "62.9", Label: "VHi", Class: "limit high"},
		"VLo": {Y: "120.0", LabelY: "124.0", Label: "VLo", Class: "limit low"},
	} {
		if lines[label] != w {
			t.Errorf("line %s: %+v, want %+v", label, lines[label], w)
		}
	}
}

// A firmware too old for the 24-hour arrays says which version has them.
func TestThermalFirmwareNotes(t *testing.T) {
	var d ThermalView
	d.firmwareNotes(arduino.ParseVersion("4.4.0"), true, false, false)
	if d.TempNote != "Firmware 4.4.0 keeps no 24-hour temperatures (4.5.0 or later does)." ||
		d.VoltNote != "Firmware 4.4.0 keeps no 24-hour voltages (4.5.4 or later does)." {
		t.Errorf("notes %q, %q", d.TempNote, d.VoltNote)
	}
	d = ThermalView{}
	d.firmwareNotes(arduino.ParseVersion("4.5.0"), true, true, false)
	if d.TempNote != "" || d.VoltNote != "Firmware 4.5.0 keeps no 24-hour voltages (4.5.4 or later does)." {
		t.Errorf("4.5.0 notes %q, %q", d.TempNote, d.VoltNote)
	}
}

// A photo store that cannot be read is said in red at the top of Home.
func TestBuildHomePhotoStoreUnreadable(t *testing.T) {
	src := HomeSources{Log: quietLog, Now: func() time.Time { return monday },
		Settings: func() (config.Settings, error) { return homeSettings(), nil },
		Photos:   func() (photos.Summary, error) { return photos.Summary{}, errors.New("permission denied") }}
	h := BuildHome(context.Background(), src)
	if len(h.Notices) != 1 || h.Notices[0] != (Notice{status.Red, "The Pi's photo folder could not be read: permission denied"}) {
		t.Errorf("notices %+v", h.Notices)
	}
	if got, _ := rowByID(h.Pi, "piFree"); got.Value != Unknown || got.Colour != status.None {
		t.Errorf("Pi free %+v", got)
	}
}

// An unreadable photo store is logged to the page's own logger.
func TestIntervalometerLogsTheStore(t *testing.T) {
	var buf strings.Builder
	src := ivSources(nil, nil, func() (photos.Summary, error) { return photos.Summary{}, errors.New("permission denied") })
	src.Log = slog.New(slog.NewTextHandler(&buf, nil))
	BuildIntervalometer(context.Background(), src)
	if !strings.Contains(buf.String(), "photo store unreadable") || !strings.Contains(buf.String(), "permission denied") {
		t.Errorf("log %q", buf.String())
	}
}
