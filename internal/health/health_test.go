package health

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// A Wednesday, 14:30 local.
var wed = time.Date(2026, 12, 9, 14, 30, 0, 0, time.Local)

// every day, 08:00 to 18:00, every 10 minutes.
var daySchedule = arduino.Schedule{Days: arduino.EveryDay, StartHour: 8, EndHour: 18, Interval: 10}

func healthy() Sources {
	return Sources{
		Arduino: func(context.Context) ArduinoFacts {
			return ArduinoFacts{Volts: 12.6, VoltsOK: true, TempC: 21, TempOK: true, Schedule: daySchedule, ScheduleOK: true,
				Shots:   arduino.Shots{Last: arduino.Shot{Set: true, Weekday: time.Wednesday, Hour: 14, Minute: 30}, Next: arduino.Shot{Set: true, Weekday: time.Wednesday, Hour: 14, Minute: 40}},
				ShotsOK: true, Version: "5.0.1"}
		},
		Camera: func(context.Context) CameraFacts {
			return CameraFacts{State: CameraPresent, ShotsLeft: 6000, ShotsOK: true}
		},
		Pi: func(context.Context) PiFacts {
			return PiFacts{FreeBytes: 10 << 30, FreeOK: true, Largest: 8 << 20, TempC: 48, TempOK: true, Uptime: 90 * time.Minute}
		},
		LastCopy:   func() (Outcome, bool) { return Outcome{At: wed.Add(-time.Hour), Text: "Copied 3 images OK"}, true },
		LastUpload: func() (Outcome, bool) { return Outcome{At: wed.Add(-time.Hour), Text: "Transferred 3 images OK"}, true },
		Version:    "test",
		Now:        func() time.Time { return wed },
	}
}

func TestGatherHealthy(t *testing.T) {
	s := Gather(context.Background(), healthy(), config.Defaults())
	if !s.OK || len(s.Failures) != 0 {
		t.Fatalf("failures %q", s.Failures)
	}
	// 60 shots a day: 6000 camera shots hold 100 days; 10 GiB / 8 MiB = 1280 shots, 21 days.
	if s.Camera.DaysLeft == nil || *s.Camera.DaysLeft != 100 || s.Pi.DaysLeft == nil || *s.Pi.DaysLeft != 21 {
		t.Fatalf("days: camera %v pi %v", s.Camera.DaysLeft, s.Pi.DaysLeft)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"battery_v":12.6`, `"arduino_temp_c":21`, `"pi_temp_c":48`, `"state":"present"`, `"last_shot":"Wednesday 14:30"`, `"uptime_s":5400`, `"arduino_version":"5.0.1"`, `"version":"test"`, `"ok":true`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("body lacks %s:\n%s", want, data)
		}
	}
}

func TestCheckRules(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Sources)
		want string
	}{
		{"battery", func(s *Sources) {
			a := s.Arduino
			s.Arduino = func(ctx context.Context) ArduinoFacts { f := a(ctx); f.Volts = 8.9; return f }
		}, "battery 8.9 V is under voltage_low 9 V"},
		{"pi days", func(s *Sources) {
			s.Pi = func(context.Context) PiFacts { return PiFacts{FreeBytes: 1 << 30, FreeOK: true, Largest: 8 << 20} }
		}, "Pi storage: 2 days left, under daysfreealarm 7"},
		{"camera days", func(s *Sources) {
			s.Camera = func(context.Context) CameraFacts {
				return CameraFacts{State: CameraPresent, ShotsLeft: 100, ShotsOK: true}
			}
		}, "camera storage: 1 days left"},
		{"copy", func(s *Sources) {
			s.LastCopy = func() (Outcome, bool) { return Outcome{Text: "Out of drive space", Failed: true}, true }
		}, "last copy failed: Out of drive space"},
		{"upload", func(s *Sources) {
			s.LastUpload = func() (Outcome, bool) { return Outcome{Text: "FTP error: 530 Login incorrect", Failed: true}, true }
		}, "last upload failed: FTP error: 530 Login incorrect"},
		{"arduino", func(s *Sources) {
			s.Arduino = func(context.Context) ArduinoFacts { return ArduinoFacts{Err: errors.New("i2c: no answer")} }
		}, "Arduino not answering: i2c: no answer"},
		{"no new photo", func(s *Sources) { *s = withLastShot(*s, time.Wednesday, 11, 0) }, "no new photo: the last shot was Wed 11:00, the schedule wanted one by Wed 14:10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := healthy()
			c.edit(&src)
			s := Gather(context.Background(), src, config.Defaults())
			if s.OK || len(s.Failures) != 1 || !strings.Contains(s.Failures[0], c.want) {
				t.Fatalf("failures %q, want one with %q", s.Failures, c.want)
			}
		})
	}
}

// withLastShot is src with the Arduino's last shot at weekday, hour:minute.
func withLastShot(src Sources, day time.Weekday, hour, minute int) Sources {
	a := src.Arduino
	src.Arduino = func(ctx context.Context) ArduinoFacts {
		f := a(ctx)
		f.Shots.Last = arduino.Shot{Set: true, Weekday: day, Hour: hour, Minute: minute}
		return f
	}
	return src
}

func TestNoPhotoRuleOutsideWindow(t *testing.T) {
	// Last shot Tuesday 17:50, the last of its window; now Wednesday 08:05:
	// nothing was due yet today (a grace of one interval + 10 minutes).
	src := withLastShot(healthy(), time.Tuesday, 17, 50)
	morning := time.Date(2026, 12, 9, 8, 5, 0, 0, time.Local)
	src.Now = func() time.Time { return morning }
	if s := Gather(context.Background(), src, config.Defaults()); !s.OK {
		t.Fatalf("failures %q", s.Failures)
	}
	// At 09:00 the morning's shots are missing.
	nine := morning.Add(55 * time.Minute)
	src.Now = func() time.Time { return nine }
	if s := Gather(context.Background(), src, config.Defaults()); s.OK {
		t.Fatal("no failure at 09:00 with no shot since Tuesday")
	}
}

func TestThresholdsFromSettings(t *testing.T) {
	set := config.Defaults()
	set.Thresholds.VoltageLow = 13
	set.Thresholds.DaysFreeAlarm = 30
	s := Gather(context.Background(), healthy(), set)
	if len(s.Failures) != 2 {
		t.Fatalf("failures %q, want battery and Pi days", s.Failures)
	}
}

func TestUSBOffAndUnknowns(t *testing.T) {
	set := config.Defaults()
	set.Global.EnableCameraUSB = false
	s := Gather(context.Background(), Sources{Now: func() time.Time { return wed }}, set)
	if s.Camera.State != CameraOff || s.BatteryV != nil || s.Pi.DaysLeft != nil {
		t.Fatalf("state %+v", s)
	}
	// No Arduino link at all is a failure; nothing else is known, so nothing else fails.
	if len(s.Failures) != 1 || !strings.HasPrefix(s.Failures[0], "Arduino not answering") {
		t.Fatalf("failures %q", s.Failures)
	}
}

func TestOutcomeRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "lastupload.json")
	if _, ok := ReadOutcome(path); ok {
		t.Fatal("an outcome before any was recorded")
	}
	o := Outcome{At: wed, Text: "Transferred 2 images OK"}
	if err := RecordOutcome(path, o); err != nil {
		t.Fatal(err)
	}
	got, ok := ReadOutcome(path)
	if !ok || !got.At.Equal(o.At) || got.Text != o.Text || got.Failed {
		t.Fatalf("got %+v", got)
	}
}
