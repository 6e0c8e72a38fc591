package view

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// The interval choices, as the firmware's codes: minutes, and with
// shoot-fast firmware, 60 + seconds.
var (
	MinuteIntervals = []int{1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60}
	FastIntervals   = []int{63, 64, 65, 66, 70, 72, 75, 80, 90}
)

// ScheduleDays is the form's order of weekdays.
var ScheduleDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// IntervalOffered says whether code is one of the interval choices.
func IntervalOffered(code int) bool {
	for _, v := range MinuteIntervals {
		if v == code {
			return true
		}
	}
	for _, v := range FastIntervals {
		if v == code {
			return true
		}
	}
	return false
}

// QuickCamera runs fn on the camera if it answers at once (no wait, no
// wake), and says why not otherwise ("" when fn ran).
type QuickCamera func(ctx context.Context, fn func(camera.Camera) error) string

// IntervalometerSources is what the Intervalometer page is built from.
type IntervalometerSources struct {
	Arduino  *ArduinoReader
	Camera   QuickCamera
	Photos   func() (photos.Summary, error) // the Pi's photo store
	Settings config.Settings
	Log      *slog.Logger
}

// DayBox is one weekday's checkbox.
type DayBox struct {
	Name    string
	Checked bool
}

// IntervalOption is one interval choice; Fast marks the seconds ones.
type IntervalOption struct {
	Option
	Fast bool
}

// IntervalometerView is the Intervalometer page.
type IntervalometerView struct {
	Notice        string // the Arduino's state, when it did not answer
	Known         bool   // the schedule was read
	Cached        string // " (cached, … old)" when from the cache
	Days          []DayBox
	StartHours    []Option
	EndHours      []Option
	Intervals     []IntervalOption
	ShootFast     bool // firmware offers the fast choices
	IntervalFast  bool // the current interval is a fast one
	Start, End    string
	Interval      string
	ShotsPerDay   string
	CameraShots   string // the camera's shots left, or Unknown
	CameraNote    string // why the camera figures are missing
	CameraDays    string
	CameraClass   status.Colour
	PiShots       string
	PiDays        string
	PiClass       status.Colour
	DaysFreeWarn  int
	DaysFreeAlarm int
}

// BuildIntervalometer reads the schedule and works out the page's figures
// as its script also does: shots per day from the schedule (arduino), and
// the days the camera's and the Pi's shots left last. The camera is asked
// at the same time as the Arduino.
func BuildIntervalometer(ctx context.Context, src IntervalometerSources) IntervalometerView {
	th := src.Settings.Thresholds
	d := IntervalometerView{CameraShots: Unknown, PiShots: Unknown, ShotsPerDay: Unknown, CameraDays: Unknown, PiDays: Unknown,
		DaysFreeWarn: th.DaysFreeWarn, DaysFreeAlarm: th.DaysFreeAlarm}
	var wg sync.WaitGroup
	var camShots int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		camShots, d.CameraNote = cameraShotsLeft(ctx, src.Camera)
	}()
	sch, schOK := Get(src.Arduino, arduino.QSchedule)
	ver, _ := Get(src.Arduino, arduino.QVersion)
	d.ShootFast = ver.Value.AtLeast(arduino.MinShootFast)
	d.Notice = src.Arduino.Notice()
	wg.Wait()

	cur := sch.Value
	if schOK {
		d.Known, d.Cached = true, CachedNote(sch)
		d.Start, d.End = fmt.Sprintf("%02d", cur.StartHour), fmt.Sprintf("%02d", cur.EndHour)
		d.Interval = fmt.Sprintf("%02d", cur.Interval)
		d.IntervalFast = cur.ShootFast()
	}
	d.scheduleChoices(cur, schOK)

	perDay := 0.0
	perDayOK := schOK && cur.Interval > 0
	if perDayOK {
		perDay = cur.ShotsPerDay()
		d.ShotsPerDay = strconv.FormatFloat(perDay, 'f', -1, 64)
	}
	if sum, err := src.Photos(); err != nil {
		logger(src.Log).Warn("photo store unreadable", "err", err)
	} else if sum.FreeOK {
		// From the rounded shot count, as the page's script works it out.
		piShots := photos.PyRound(float64(sum.FreeBytes) / float64(sum.Largest))
		d.PiShots = strconv.FormatInt(piShots, 10)
		d.PiDays, d.PiClass = d.daysLeft(piShots, perDay, perDayOK, d.PiDays)
	}
	if camShots >= 0 {
		d.CameraShots = strconv.FormatInt(camShots, 10)
		d.CameraDays, d.CameraClass = d.daysLeft(camShots, perDay, perDayOK, d.CameraDays)
	}
	return d
}

// cameraShotsLeft is the camera's own estimate of its shots left, -1 with
// the reason when there is none.
func cameraShotsLeft(ctx context.Context, session QuickCamera) (int64, string) {
	if session == nil {
		return -1, "no camera driver"
	}
	shots := int64(-1)
	note := session(ctx, func(cam camera.Camera) error {
		t, err := camera.ReadTree(ctx, cam)
		if err != nil {
			return err
		}
		if n, ok := t.AvailableShots(); ok {
			shots = int64(n)
		}
		return nil
	})
	if note == "" && shots < 0 {
		note = "the camera does not report its shots left"
	}
	return shots, note
}

// daysLeft is how many days shots last, in the page's words and colour;
// unknown (as it is) without shots per day.
func (d *IntervalometerView) daysLeft(shots int64, perDay float64, perDayOK bool, unknown string) (string, status.Colour) {
	if !perDayOK {
		return unknown, status.None
	}
	days, ok := photos.CameraDaysFree(shots, perDay)
	return DaysText(days, ok, DaysIntervalometer), status.ForDays(days, ok, d.DaysFreeWarn, d.DaysFreeAlarm)
}

// scheduleChoices fills the form's choices, the current schedule's selected.
func (d *IntervalometerView) scheduleChoices(cur arduino.Schedule, known bool) {
	for _, wd := range ScheduleDays {
		d.Days = append(d.Days, DayBox{Name: wd.String(), Checked: known && cur.Days.Has(wd)})
	}
	for h := 0; h <= 23; h++ {
		d.StartHours = append(d.StartHours, Option{Value: fmt.Sprintf("%02d", h), Selected: known && cur.StartHour == h})
	}
	for h := 1; h <= 24; h++ {
		d.EndHours = append(d.EndHours, Option{Value: fmt.Sprintf("%02d", h), Selected: known && cur.EndHour == h})
	}
	if d.ShootFast {
		for _, v := range FastIntervals {
			d.Intervals = append(d.Intervals, IntervalOption{Option{Value: strconv.Itoa(v), Label: fmt.Sprintf("%02d seconds", v-60), Selected: known && cur.Interval == v}, true})
		}
	}
	for i, v := range MinuteIntervals {
		label := fmt.Sprintf("%02d minutes", v)
		if i == 0 {
			label = fmt.Sprintf("%02d minute", v)
		}
		d.Intervals = append(d.Intervals, IntervalOption{Option{Value: fmt.Sprintf("%02d", v), Label: label, Selected: known && cur.Interval == v}, false})
	}
	offered := IntervalOffered(cur.Interval) && (d.ShootFast || !cur.ShootFast())
	if known && !offered {
		// A schedule set elsewhere: show it rather than a wrong choice.
		label := fmt.Sprintf("%02d minutes", cur.Interval)
		if cur.ShootFast() {
			label = fmt.Sprintf("%02d seconds", cur.Interval-60)
		}
		d.Intervals = append([]IntervalOption{{Option{Value: d.Interval, Label: label, Selected: true}, cur.ShootFast()}}, d.Intervals...)
	}
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
