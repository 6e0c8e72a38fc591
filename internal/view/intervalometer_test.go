package view

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// simArduino is the simulated Arduino on its bus, with no cache.
// withSchedule is the simulated Arduino set to sch.
func withSchedule(t *testing.T, sch arduino.Schedule) *arduino.Client {
	t.Helper()
	ard := simArduino(t, paths.New(t.TempDir()))
	if err := ard.SetSchedule(context.Background(), sch); err != nil {
		t.Fatal(err)
	}
	return ard
}

// fakeCamera reports its shots left ("" for none) from its config tree.
type fakeCamera struct {
	camera.Camera
	shots string
}

func (c fakeCamera) Config(context.Context) ([]camera.Widget, error) {
	if c.shots == "" {
		return []camera.Widget{{Name: "batterylevel", Value: "50%"}}, nil
	}
	return []camera.Widget{{Name: "availableshots", Value: c.shots}}, nil
}

// cameraWith is a camera session on a camera with shots left.
func cameraWith(shots string) QuickCamera {
	return func(ctx context.Context, fn func(camera.Camera) error) string {
		if err := fn(fakeCamera{shots: shots}); err != nil {
			return err.Error()
		}
		return ""
	}
}

// piStore is a photo store with room for n of its largest photo.
func piStore(n uint64) func() (photos.Summary, error) {
	return func() (photos.Summary, error) {
		return photos.Summary{Largest: 5 << 20, FreeBytes: n * 5 << 20, FreeOK: true}, nil
	}
}

func ivSources(ard *arduino.Client, cam QuickCamera, store func() (photos.Summary, error)) IntervalometerSources {
	return IntervalometerSources{Arduino: NewArduinoReader(context.Background(), ard, quietLog), Camera: cam, Photos: store, Settings: config.Defaults(), Log: quietLog}
}

var weekdays = arduino.Bit(time.Monday) | arduino.Bit(time.Tuesday) | arduino.Bit(time.Wednesday) | arduino.Bit(time.Thursday) | arduino.Bit(time.Friday)

func TestIntervalometerFigures(t *testing.T) {
	ard := withSchedule(t, arduino.Schedule{Days: weekdays, StartHour: 7, EndHour: 19, Interval: 10})
	// 12 h at 6 an hour: 72 a day. 500 shots: 500/72 = 6.9 days, shown as 6
	// (below the alarm of 7: red); 1000 on the Pi: 13.9, shown as 13
	// (below the warning of 14: orange).
	d := BuildIntervalometer(context.Background(), ivSources(ard, cameraWith("500"), piStore(1000)))
	if d.Notice != "" || !d.Known || d.Cached != "" {
		t.Fatalf("notice %q known %v cached %q", d.Notice, d.Known, d.Cached)
	}
	if d.Start != "07" || d.End != "19" || d.Interval != "10" || d.IntervalFast || !d.ShootFast {
		t.Errorf("schedule shown as %s–%s every %s (fast %v, firmware fast %v)", d.Start, d.End, d.Interval, d.IntervalFast, d.ShootFast)
	}
	for _, day := range d.Days {
		want := day.Name != "Saturday" && day.Name != "Sunday"
		if day.Checked != want {
			t.Errorf("%s checked %v", day.Name, day.Checked)
		}
	}
	if s := selected(d.StartHours); len(s) != 1 || s[0] != "07" {
		t.Errorf("start hours selected: %v", s)
	}
	if s := selected(d.EndHours); len(s) != 1 || s[0] != "19" || d.EndHours[0].Value != "01" || len(d.EndHours) != 24 {
		t.Errorf("end hours selected: %v (first %q, %d)", s, d.EndHours[0].Value, len(d.EndHours))
	}
	got := map[string]string{"per day": d.ShotsPerDay, "camera shots": d.CameraShots, "camera days": d.CameraDays, "pi shots": d.PiShots, "pi days": d.PiDays,
		"camera colour": string(d.CameraClass), "pi colour": string(d.PiClass), "camera note": d.CameraNote}
	want := map[string]string{"per day": "72", "camera shots": "500", "camera days": "6", "pi shots": "1000", "pi days": "13",
		"camera colour": string(status.Red), "pi colour": string(status.Orange), "camera note": ""}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s = %q, want %q", k, got[k], want[k])
		}
	}
	// Shoot-fast firmware: the seconds first, then the minutes; one selected.
	if len(d.Intervals) != len(FastIntervals)+len(MinuteIntervals) || !d.Intervals[0].Fast || d.Intervals[0].Label != "03 seconds" ||
		d.Intervals[len(FastIntervals)].Label != "01 minute" || d.Intervals[len(FastIntervals)+1].Label != "02 minutes" {
		t.Errorf("intervals: %+v", d.Intervals)
	}
	n := 0
	for _, o := range d.Intervals {
		if o.Selected {
			n++
			if o.Value != "10" || o.Fast {
				t.Errorf("selected interval %+v", o)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d intervals selected", n)
	}
}

func TestIntervalometerThresholdsAndUnderADay(t *testing.T) {
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 0, EndHour: 24, Interval: 1})
	src := ivSources(ard, cameraWith("1000"), piStore(5000))
	src.Settings.Thresholds.DaysFreeWarn, src.Settings.Thresholds.DaysFreeAlarm = 5, 2
	d := BuildIntervalometer(context.Background(), src)
	// 1440 a day: the camera's 1000 last under a day; the Pi's 5000 3.47 days.
	if d.ShotsPerDay != "1440" || d.CameraDays != "< 1" || d.CameraClass != status.Red || d.PiDays != "3" || d.PiClass != status.Orange {
		t.Errorf("per day %s, camera %s %s, pi %s %s", d.ShotsPerDay, d.CameraDays, d.CameraClass, d.PiDays, d.PiClass)
	}
	if d.DaysFreeWarn != 5 || d.DaysFreeAlarm != 2 {
		t.Errorf("thresholds for the page's script: %d, %d", d.DaysFreeWarn, d.DaysFreeAlarm)
	}
}

func TestIntervalometerFastAndForeignIntervals(t *testing.T) {
	ard := withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 6, EndHour: 18, Interval: 70})
	d := BuildIntervalometer(context.Background(), ivSources(ard, cameraWith("4320"), piStore(0)))
	// Every 10 s for 12 h: 4320 a day; the camera's 4320 last exactly a
	// day, shown as "< 1" by the original's rounding (round(1 - 0.5) = 0).
	if !d.IntervalFast || d.Interval != "70" || d.ShotsPerDay != "4320" || d.CameraDays != "< 1" {
		t.Errorf("fast: interval %s fast %v, per day %s, camera days %s", d.Interval, d.IntervalFast, d.ShotsPerDay, d.CameraDays)
	}
	if d.PiShots != "0" || d.PiDays != "< 1" || d.PiClass != status.Red {
		t.Errorf("a full Pi: %s shots, %s days, %s", d.PiShots, d.PiDays, d.PiClass)
	}

	// An interval set elsewhere is shown, selected, first.
	ard = withSchedule(t, arduino.Schedule{Days: arduino.EveryDay, StartHour: 20, EndHour: 4, Interval: 7})
	d = BuildIntervalometer(context.Background(), ivSources(ard, cameraWith("100"), piStore(100)))
	if first := d.Intervals[0]; first.Value != "07" || first.Label != "07 minutes" || !first.Selected || first.Fast {
		t.Errorf("foreign interval shown as %+v", first)
	}
	// Through midnight: 8 h at 60/7 an hour.
	if want := strconv.FormatFloat(8*(60.0/7), 'f', -1, 64); d.ShotsPerDay != want {
		t.Errorf("per day %s, want %s", d.ShotsPerDay, want)
	}
}

func TestIntervalometerUnknowns(t *testing.T) {
	// No Arduino link, a camera that is off, an unreadable store.
	noCamera := func(context.Context, func(camera.Camera) error) string { return "camera USB is off" }
	badStore := func() (photos.Summary, error) { return photos.Summary{}, errors.New("permission denied") }
	d := BuildIntervalometer(context.Background(), ivSources(nil, noCamera, badStore))
	if d.Notice == "" || d.Known || d.Start != "" {
		t.Errorf("no Arduino: notice %q known %v start %q", d.Notice, d.Known, d.Start)
	}
	for name, v := range map[string]string{"per day": d.ShotsPerDay, "camera shots": d.CameraShots, "camera days": d.CameraDays, "pi shots": d.PiShots, "pi days": d.PiDays} {
		if v != Unknown {
			t.Errorf("%s = %q, want %s", name, v, Unknown)
		}
	}
	if d.CameraNote != "camera USB is off" || d.CameraClass != status.None || d.PiClass != status.None {
		t.Errorf("note %q, colours %q %q", d.CameraNote, d.CameraClass, d.PiClass)
	}
	for _, day := range d.Days {
		if day.Checked {
			t.Errorf("%s checked with no schedule", day.Name)
		}
	}
	if s := selected(d.StartHours); len(s) != 0 {
		t.Errorf("start hour selected with no schedule: %v", s)
	}

	// The shots are known without a schedule; the days are not.
	d = BuildIntervalometer(context.Background(), ivSources(nil, cameraWith("300"), piStore(10)))
	if d.CameraShots != "300" || d.CameraDays != Unknown || d.PiShots != "10" || d.PiDays != Unknown {
		t.Errorf("no schedule: camera %s (%s), pi %s (%s)", d.CameraShots, d.CameraDays, d.PiShots, d.PiDays)
	}

	// A camera that does not report its shots left says so; no driver says that.
	d = BuildIntervalometer(context.Background(), ivSources(nil, cameraWith(""), piStore(10)))
	if d.CameraShots != Unknown || d.CameraNote != "the camera does not report its shots left" {
		t.Errorf("silent camera: %s, note %q", d.CameraShots, d.CameraNote)
	}
	d = BuildIntervalometer(context.Background(), ivSources(nil, nil, piStore(10)))
	if d.CameraNote != "no camera driver" {
		t.Errorf("no driver: note %q", d.CameraNote)
	}
}

func TestDaysText(t *testing.T) {
	cases := []struct {
		days  int64
		ok    bool
		style DaysStyle
		want  string
	}{
		{0, false, DaysHome, "Unknown"},
		{0, true, DaysHome, "<1"},
		{-1, true, DaysHome, "<1"},
		{12, true, DaysHome, "12"},
		{0, false, DaysIntervalometer, "n/a"},
		{0, true, DaysIntervalometer, "< 1"},
		{1, true, DaysIntervalometer, "1"},
	}
	for _, c := range cases {
		if got := DaysText(c.days, c.ok, c.style); got != c.want {
			t.Errorf("DaysText(%d, %v, %+v) = %q, want %q", c.days, c.ok, c.style, got, c.want)
		}
	}
}
