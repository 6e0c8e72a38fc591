// Package health gathers the box's state for the heartbeat's body, and
// checks it against the [Thresholds] rules (see the README's "Health in the
// heartbeat"). Gathering takes its facts from injected sources, so the rules
// are tested with fakes and the worker wires the real ones.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// Camera states in the body.
const (
	CameraPresent = "present" // answered on USB
	CameraAsleep  = "asleep"  // not on USB (asleep, off or unplugged)
	CameraBusy    = "busy"    // another process held it: not asked
	CameraOff     = "usb off" // [Global] enablecamerausb = Off
	CameraUnknown = "unknown" // asked, and it failed otherwise
)

// ArduinoFacts is what the Arduino (or its cache) told.
type ArduinoFacts struct {
	Err        error // non-nil: the Arduino did not answer live
	Volts      float64
	VoltsOK    bool // a voltmeter is fitted and the current hour has a reading
	TempC      int
	TempOK     bool
	Schedule   arduino.Schedule
	ScheduleOK bool
	Shots      arduino.Shots
	ShotsOK    bool
	Version    string
}

// CameraFacts is what the camera told, without waking it.
type CameraFacts struct {
	State     string
	ShotsLeft int64
	ShotsOK   bool
}

// PiFacts is the Pi's own state.
type PiFacts struct {
	FreeBytes uint64
	FreeOK    bool
	Largest   int64 // the largest photo, for the days figure
	TempC     int
	TempOK    bool
	Uptime    time.Duration
}

// Outcome is how the last copy, upload, thumbnails run or heartbeat ended.
// Colour is how the pages show it (absent in files from before it was kept:
// Colour() derives it then).
type Outcome struct {
	At     time.Time     `json:"at"`
	Text   string        `json:"text"`
	Failed bool          `json:"failed"`
	Colour status.Colour `json:"colour,omitempty"`
}

// Outcome kinds: the background tasks whose last result is kept.
const (
	KindCopy       = "copy"
	KindUpload     = "upload"
	KindThumbnails = "thumbnails"
	KindHeartbeat  = "heartbeat"
)

// Kinds are every kind, in the order the pages list them.
var Kinds = []string{KindCopy, KindUpload, KindThumbnails, KindHeartbeat}

// ShowColour is the colour the pages give o: red when it failed, else the
// colour recorded, else none (an upload known only from piTransfer.log).
func (o Outcome) ShowColour() status.Colour {
	if o.Failed {
		return status.Red
	}
	return o.Colour
}

// Sources gives the facts; a nil source reads as unknown.
type Sources struct {
	Arduino    func(ctx context.Context) ArduinoFacts
	Camera     func(ctx context.Context) CameraFacts
	Pi         func(ctx context.Context) PiFacts
	LastCopy   func() (Outcome, bool)
	LastUpload func() (Outcome, bool)
	Version    string
	Now        func() time.Time
}

// Storage is free space and how many shooting days it holds.
type Storage struct {
	FreeBytes *uint64 `json:"free_bytes,omitempty"`
	ShotsLeft *int64  `json:"shots_left,omitempty"`
	DaysLeft  *int64  `json:"days_left,omitempty"`
}

// CameraState is the camera's part of the body.
type CameraState struct {
	State string `json:"state"`
	Storage
}

// State is the beat's body.
type State struct {
	At           time.Time   `json:"at"`
	Location     string      `json:"location"`
	OK           bool        `json:"ok"`
	Failures     []string    `json:"failures,omitempty"`
	BatteryV     *float64    `json:"battery_v,omitempty"`
	ArduinoTempC *int        `json:"arduino_temp_c,omitempty"`
	PiTempC      *int        `json:"pi_temp_c,omitempty"`
	Arduino      string      `json:"arduino"` // "ok", or why it did not answer
	Pi           Storage     `json:"pi"`
	Camera       CameraState `json:"camera"`
	LastShot     string      `json:"last_shot,omitempty"`
	NextShot     string      `json:"next_shot,omitempty"`
	LastCopy     *Outcome    `json:"last_copy,omitempty"`
	LastUpload   *Outcome    `json:"last_upload,omitempty"`
	Version      string      `json:"version"`
	FirmwareV    string      `json:"arduino_version,omitempty"`
	UptimeS      int64       `json:"uptime_s"`

	lastShotAt time.Time // the Arduino's last shot, resolved to a date
	dueShotAt  time.Time // the latest moment the schedule wanted a shot
	schedule   *arduino.Schedule
	thresholds *thresholds // the rules' thresholds, for the metrics
}

// thresholds are [Thresholds] as the checks used them.
type thresholds struct{ voltageLow, daysFreeAlarm int }

// Gather asks every source at once and puts the state together; set
// supplies the location and thresholds, and Check's verdict is in OK and
// Failures.
func Gather(ctx context.Context, src Sources, set config.Settings) State {
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	var (
		ar  ArduinoFacts
		cam = CameraFacts{State: CameraUnknown}
		pi  PiFacts
	)
	done := make(chan struct{}, 3)
	run := func(f func()) { go func() { f(); done <- struct{}{} }() }
	run(func() {
		if src.Arduino != nil {
			ar = src.Arduino(ctx)
		} else {
			ar.Err = errors.New("no Arduino link")
		}
	})
	run(func() {
		switch {
		case !set.Global.EnableCameraUSB:
			cam.State = CameraOff
		case src.Camera != nil:
			cam = src.Camera(ctx)
		}
	})
	run(func() {
		if src.Pi != nil {
			pi = src.Pi(ctx)
		}
	})
	for range 3 {
		<-done
	}
	at := now()
	s := State{At: at.Truncate(time.Second), Location: set.Global.LocationName, Version: src.Version, Arduino: "ok", Camera: CameraState{State: cam.State}}
	if ar.Err != nil {
		s.Arduino = ar.Err.Error()
	}
	if ar.VoltsOK {
		s.BatteryV = &ar.Volts
	}
	if ar.TempOK {
		s.ArduinoTempC = &ar.TempC
	}
	if pi.TempOK {
		s.PiTempC = &pi.TempC
	}
	s.FirmwareV = ar.Version
	s.UptimeS = int64(pi.Uptime / time.Second)
	perDay := 0.0
	if ar.ScheduleOK {
		perDay = float64(ar.Schedule.ShotsPerDay())
		sch := ar.Schedule
		s.schedule = &sch
	}
	if pi.FreeOK {
		free := pi.FreeBytes
		s.Pi.FreeBytes = &free
		if days, ok := photos.PiDaysFree(pi.FreeBytes, pi.Largest, perDay); ok {
			s.Pi.DaysLeft = &days
		}
	}
	if cam.ShotsOK {
		n := cam.ShotsLeft
		s.Camera.ShotsLeft = &n
		if days, ok := photos.CameraDaysFree(n, perDay); ok {
			s.Camera.DaysLeft = &days
		}
	}
	if ar.ShotsOK {
		s.LastShot, s.NextShot = ar.Shots.Last.String(), ar.Shots.Next.String()
		if ar.ScheduleOK && ar.Shots.Next.Set {
			s.NextShot = arduino.FormatNextShot(ar.Shots.Next, ar.Schedule)
		}
		if ar.Shots.Last.Set {
			s.lastShotAt = resolveShot(ar.Shots.Last, at)
		}
	}
	if ar.ScheduleOK {
		s.dueShotAt = latestDue(ar.Schedule, at)
	}
	if src.LastCopy != nil {
		if o, ok := src.LastCopy(); ok {
			s.LastCopy = &o
		}
	}
	if src.LastUpload != nil {
		if o, ok := src.LastUpload(); ok {
			s.LastUpload = &o
		}
	}
	s.thresholds = &thresholds{voltageLow: set.Thresholds.VoltageLow, daysFreeAlarm: set.Thresholds.DaysFreeAlarm}
	s.Failures = Check(s, set)
	s.OK = len(s.Failures) == 0
	return s
}

// resolveShot is the most recent moment at or before now with the shot's
// weekday and time of day (the firmware keeps no date).
func resolveShot(sh arduino.Shot, now time.Time) time.Time {
	t := time.Date(now.Year(), now.Month(), now.Day(), sh.Hour, sh.Minute, 0, 0, now.Location())
	t = t.AddDate(0, 0, -((int(now.Weekday()) - int(sh.Weekday) + 7) % 7))
	if t.After(now) {
		t = t.AddDate(0, 0, -7)
	}
	return t
}

// inWindow tells whether the schedule shoots in the minute starting at t.
func inWindow(s arduino.Schedule, t time.Time) bool {
	if !s.Days.Has(t.Weekday()) {
		return false
	}
	h := t.Hour()
	if s.StartHour < s.EndHour {
		return h >= s.StartHour && h < s.EndHour
	}
	return h >= s.StartHour || h < s.EndHour
}

// latestDue is the latest minute, at least a grace (one interval + 10
// minutes) before now and within the last week, in which the schedule
// wanted a shot; zero when there is none.
func latestDue(s arduino.Schedule, now time.Time) time.Time {
	if s.Interval <= 0 || s.Days&arduino.EveryDay == 0 {
		return time.Time{}
	}
	t := now.Add(-(s.Every() + 10*time.Minute)).Truncate(time.Minute)
	for range 7 * 24 * 60 {
		if inWindow(s, t) {
			return t
		}
		t = t.Add(-time.Minute)
	}
	return time.Time{}
}

// Check applies the rules and returns one reason per failed rule, empty
// when the box is healthy:
//   - the battery under [Thresholds] voltage_low;
//   - the Pi's or the camera's days left under daysfreealarm;
//   - the last copy or upload failed;
//   - the Arduino not answering;
//   - no new shot although the schedule wanted one: the Arduino's last shot
//     is more than one interval older than the latest moment (a grace of one
//     interval + 10 minutes ago) that the schedule shoots in.
func Check(s State, set config.Settings) []string {
	var f []string
	th := set.Thresholds
	if s.BatteryV != nil && BatteryColour(*s.BatteryV, th.VoltageLow) == status.Red {
		f = append(f, fmt.Sprintf("battery %.1f V is under voltage_low %d V", *s.BatteryV, th.VoltageLow))
	}
	if s.Pi.DaysLeft != nil && *s.Pi.DaysLeft < int64(th.DaysFreeAlarm) {
		f = append(f, fmt.Sprintf("Pi storage: %d days left, under daysfreealarm %d", *s.Pi.DaysLeft, th.DaysFreeAlarm))
	}
	if s.Camera.DaysLeft != nil && *s.Camera.DaysLeft < int64(th.DaysFreeAlarm) {
		f = append(f, fmt.Sprintf("camera storage: %d days left, under daysfreealarm %d", *s.Camera.DaysLeft, th.DaysFreeAlarm))
	}
	if s.LastCopy != nil && s.LastCopy.Failed {
		f = append(f, "last copy failed: "+s.LastCopy.Text)
	}
	if s.LastUpload != nil && s.LastUpload.Failed {
		f = append(f, "last upload failed: "+s.LastUpload.Text)
	}
	if s.Arduino != "ok" {
		f = append(f, "Arduino not answering: "+s.Arduino)
	}
	if photoOverdue(s) {
		f = append(f, fmt.Sprintf("no new photo: the last shot was %s, the schedule wanted one by %s",
			s.lastShotAt.Format("Mon 15:04"), s.dueShotAt.Format("Mon 15:04")))
	}
	return f
}

// photoOverdue is the "no new photo" rule of [Check].
func photoOverdue(s State) bool {
	return s.schedule != nil && !s.dueShotAt.IsZero() && !s.lastShotAt.IsZero() &&
		s.lastShotAt.Before(s.dueShotAt.Add(-s.schedule.Every()))
}

// BatteryWarnMargin is how far above [Thresholds] voltage_low a battery
// already reads as low (orange): a warning before the health check fails.
const BatteryWarnMargin = 1.0

// BatteryColour grades a battery reading against voltage_low: red
// (critical, the health check fails) under it, orange (low) within
// BatteryWarnMargin above it, none otherwise.
func BatteryColour(volts float64, low int) status.Colour {
	switch {
	case volts < float64(low):
		return status.Red
	case volts < float64(low)+BatteryWarnMargin:
		return status.Orange
	}
	return status.None
}

// OutcomePath is where the worker records how the last task of a kind
// (KindCopy, …) ended.
func OutcomePath(p paths.Paths, kind string) string {
	return filepath.Join(p.Home, ".intvlm8r", "last"+kind+".json")
}

// BodyPath is the body of the last beat, as sent, beside hbresults.txt.
func BodyPath(p paths.Paths) string { return filepath.Join(p.Home, "hbbody.json") }

// RecordOutcome writes an outcome crash-safely.
func RecordOutcome(path string, o Outcome) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := fileutil.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("record outcome: %w", err)
	}
	if err := fileutil.WriteAtomic(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("record outcome: %w", err)
	}
	return nil
}

// LastOutcome is the recorded outcome of kind; an upload from before this
// port is read from piTransfer.log's last STATUS line.
func LastOutcome(p paths.Paths, kind string) (Outcome, bool) {
	if kind == KindUpload {
		return lastUpload(p)
	}
	return ReadOutcome(OutcomePath(p, kind))
}

// ReadOutcome reads a recorded outcome; ok is false when there is none.
func ReadOutcome(path string) (Outcome, bool) {
	var o Outcome
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &o) != nil {
		return o, false
	}
	return o, true
}

// ReadLast reads the state the last beat sent; ok is false when the last
// beat carried none (health off, or no beat yet).
func ReadLast(p paths.Paths) (State, bool) {
	var s State
	data, err := os.ReadFile(BodyPath(p))
	if err != nil || json.Unmarshal(data, &s) != nil {
		return s, false
	}
	return s, true
}
