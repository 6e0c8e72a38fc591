package camera

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeMode is one of the System page's four ways of setting the camera's
// clock; the values are the form's and the cameraTimeMode cookie's.
type TimeMode int

const (
	TimeSync     TimeMode = 1 // syncdatetime: the camera copies the Pi's clock
	TimeSyncUTC  TimeMode = 2 // syncdatetimeutc: the same, in UTC
	TimeSet      TimeMode = 4 // datetime: set to the time the user chose
	TimeSetUTC   TimeMode = 8 // datetimeutc: set to the current instant
	timeModesAll          = TimeSync | TimeSyncUTC | TimeSet | TimeSetUTC
)

// AllTimeModes is the System page's order.
var AllTimeModes = []TimeMode{TimeSync, TimeSyncUTC, TimeSet, TimeSetUTC}

// Widget is the config widget the mode writes.
func (m TimeMode) Widget() string {
	switch m {
	case TimeSync:
		return "syncdatetime"
	case TimeSyncUTC:
		return "syncdatetimeutc"
	case TimeSet:
		return "datetime"
	case TimeSetUTC:
		return "datetimeutc"
	}
	return ""
}

func (m TimeMode) String() string {
	if w := m.Widget(); w != "" {
		return w
	}
	return fmt.Sprintf("TimeMode(%d)", int(m))
}

// ParseTimeMode reads a cameraTimeMode form value or cookie ("1", "2", "4", "8").
func ParseTimeMode(s string) (TimeMode, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || TimeMode(n).Widget() == "" {
		return 0, fmt.Errorf("camera time mode %q: want 1, 2, 4 or 8: %w", s, ErrBadValue)
	}
	return TimeMode(n), nil
}

// TimeModes is a set of TimeMode bits: the original's timeSettingsValid.
type TimeModes int

// Has reports whether m is in the set (a bit test, not the original's
// subtraction).
func (s TimeModes) Has(m TimeMode) bool { return int(s)&int(m) != 0 && m&timeModesAll == m }

// List is the modes in the set, in the page's order.
func (s TimeModes) List() []TimeMode {
	var out []TimeMode
	for _, m := range AllTimeModes {
		if s.Has(m) {
			out = append(out, m)
		}
	}
	return out
}

// TimeModes reports which ways of setting the clock the camera offers: one bit
// per widget that exists.
func (t Tree) TimeModes() TimeModes {
	var s TimeModes
	for _, m := range AllTimeModes {
		if _, ok := t.Find(m.Widget()); ok {
			s |= TimeModes(m)
		}
	}
	return s
}

// CameraTime is the camera's clock as read from its config.
type CameraTime struct {
	Widget  string     // datetime, datetimeutc or d034
	Type    WidgetType // WidgetDate, or WidgetText for cameras that use text
	Time    time.Time  // the instant; for a text clock without a zone, its wall time read in UTC
	Display string     // as the pages show it
}

// Display formats: a date widget in the Pi's zone like "2019 Mar 08 13:06:03",
// a text clock in ISO form with a space.
const (
	displayDate = "2006 Jan 02 15:04:05"
	displayText = "2006-01-02 15:04:05"
)

// The text forms cameras use for their clock, tried in order.
var textClockLayouts = []string{displayDate, displayText, "20060102T150405", "20060102T150405.0", time.RFC3339, "2006:01:02 15:04:05"}

// CameraTime reads the first of datetime, datetimeutc and d034 that exists.
// loc is the zone a date widget is shown in (nil: the Pi's local zone).
func (t Tree) CameraTime(loc *time.Location) (CameraTime, error) {
	if loc == nil {
		loc = time.Local
	}
	for _, name := range []string{"datetime", "datetimeutc", "d034"} {
		w, ok := t.Find(name)
		if !ok {
			continue
		}
		ct := CameraTime{Widget: name, Type: w.Type}
		v := strings.TrimSpace(w.Value)
		if w.Type == WidgetDate {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return CameraTime{}, fmt.Errorf("camera %s value %q is not a time: %w", name, w.Value, ErrBadValue)
			}
			ct.Time = time.Unix(sec, 0)
			ct.Display = ct.Time.In(loc).Format(displayDate)
			return ct, nil
		}
		tm, err := parseTextClock(v)
		if err != nil {
			return CameraTime{}, fmt.Errorf("camera %s value %q: %w", name, w.Value, err)
		}
		ct.Time = tm
		ct.Display = tm.Format(displayText)
		return ct, nil
	}
	return CameraTime{}, fmt.Errorf("camera has no date/time widget: %w", ErrNotFound)
}

func parseTextClock(v string) (time.Time, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	}
	for _, l := range textClockLayouts {
		if tm, err := time.Parse(l, v); err == nil {
			return tm.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date/time the camera is known to use: %w", ErrBadValue)
}

// ReadCameraTime reads the camera's clock (see Tree.CameraTime).
func ReadCameraTime(ctx context.Context, c Camera, loc *time.Location) (CameraTime, error) {
	t, err := ReadTree(ctx, c)
	if err != nil {
		return CameraTime{}, err
	}
	return t.CameraTime(loc)
}

// WallLayout is the System page's SyncSystem value: the browser's time plus
// the chosen offset, e.g. "20190613235900".
const WallLayout = "20060102150405"

// SetTimeRequest is one "set the camera's date & time" from the System page.
type SetTimeRequest struct {
	Mode TimeMode
	// Wall is the time the user wants the camera to show (SyncSystem's value,
	// WallLayout). Used by TimeSet.
	Wall string
	// Loc is the zone Wall is read in for a date widget (nil: the Pi's zone),
	// as the original does with mktime.
	Loc *time.Location
	// Now is the current instant for TimeSetUTC (zero: time.Now()). The sync
	// modes make the camera read the host's clock itself.
	Now time.Time
}

// SetCameraTime sets the camera's clock in one of the four modes and writes
// the config. A mode the camera does not offer is ErrNotFound.
func SetCameraTime(ctx context.Context, c Camera, r SetTimeRequest) error {
	name := r.Mode.Widget()
	if name == "" {
		return fmt.Errorf("set camera time: mode %d: %w", int(r.Mode), ErrBadValue)
	}
	w, err := c.Widget(ctx, name)
	if err != nil {
		return fmt.Errorf("set camera time (%s): %w", name, err)
	}
	loc := r.Loc
	if loc == nil {
		loc = time.Local
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	var value string
	switch r.Mode {
	case TimeSync, TimeSyncUTC:
		value = "1"
	case TimeSet:
		wall, err := time.ParseInLocation(WallLayout, strings.TrimSpace(r.Wall), loc)
		if err != nil {
			return fmt.Errorf("set camera time: %q is not YYYYMMDDHHMMSS: %w", r.Wall, ErrBadValue)
		}
		if w.Type == WidgetDate {
			value = strconv.FormatInt(wall.Unix(), 10)
		} else {
			value = wall.Format(displayText)
		}
	case TimeSetUTC:
		if w.Type == WidgetDate {
			value = strconv.FormatInt(now.Unix(), 10)
		} else {
			value = now.UTC().Format(displayText)
		}
	}
	if err := c.SetConfig(ctx, map[string]string{name: value}); err != nil {
		return fmt.Errorf("set camera time (%s=%s): %w", name, value, err)
	}
	return nil
}

// ParseTZOffset validates the tzOffset cookie: decimal hours in half-hour
// steps between -23.5 and 23.5 ("-0.5", "10.0", "5.5").
func ParseTZOffset(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789-.") != "" {
		return 0, fmt.Errorf("timezone offset %q: not decimal hours", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < -23.5 || f > 23.5 || math.Mod(f*2, 1) != 0 {
		return 0, fmt.Errorf("timezone offset %q: want -23.5 to 23.5 in half hours", s)
	}
	return f, nil
}

// FormatTZOffset prints an offset as the original's option values do
// (Python's float repr): "0.0", "-0.5", "10.0".
func FormatTZOffset(h float64) string {
	s := strconv.FormatFloat(h, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

// AdjustedWall is the browser's computation, for callers that have only an
// instant: now shifted by the offset, in WallLayout.
func AdjustedWall(now time.Time, tzOffsetHours float64) string {
	return now.UTC().Add(time.Duration(tzOffsetHours * float64(time.Hour))).Format(WallLayout)
}
