// Package schedule decides whether a daily job (the copy from the camera, the
// upload) is due now, by the original's rule for its hourly helpers.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Trigger is why the oneshot runs.
type Trigger int

const (
	// Timer: the hourly timer.
	Timer Trigger = iota
	// Boot: the boot unit, after the Pi powers up.
	Boot
	// Now: asked for by hand ("copyNow"), whatever the settings.
	Now
)

// ParseTrigger reads the oneshots' positional argument: "", "bootup" or "copyNow".
func ParseTrigger(arg string) (Trigger, error) {
	switch arg {
	case "", "timer":
		return Timer, nil
	case "bootup", "boot":
		return Boot, nil
	case "copyNow", "now":
		return Now, nil
	}
	return Timer, fmt.Errorf("unknown trigger %q: want bootup or copyNow", arg)
}

// Rule is one job's settings from the INI.
type Rule struct {
	Day        string // "Off", "Daily", a weekday ("Monday"…), or "afterCopy" (never matches here)
	Hour       string // "00"–"23"
	WakePiHour string // the Arduino's Pi wake hour, "00"–"23" or "25" (always on)
	OnBoot     bool   // run at boot
}

// Due reports whether the job runs, and why, in words for the log:
// asked for now; or the day matches (or Daily) and the hour is the wake hour
// or the job's hour; or at boot with the boot flag on.
// Hours compare as numbers ("7" is "07"); 25 (Always On), empty or junk
// never matches. Day names compare in any case.
func Due(now time.Time, r Rule, t Trigger) (bool, string) {
	if t == Now {
		return true, "OK on copyNow"
	}
	day, hour := now.Weekday().String(), now.Hour()
	d := strings.TrimSpace(r.Day)
	dayOK := d == "Daily" || strings.EqualFold(d, day)
	if dayOK && (hourIs(r.WakePiHour, hour) || hourIs(r.Hour, hour)) {
		return true, fmt.Sprintf("OK @ %02d:00 on %s", hour, day)
	}
	if t == Boot {
		if r.OnBoot {
			return true, "OK on bootup"
		}
		return false, "Ran at bootup but the bootup flag is not set"
	}
	return false, fmt.Sprintf("Not due: now %s %02d:00; day %s, hour %s, Pi wakes at %s:00", day, hour, orNone(r.Day), orNone(r.Hour), orNone(r.WakePiHour))
}

func hourIs(v string, h int) bool {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return err == nil && n >= 0 && n <= 23 && n == h
}

func orNone(s string) string {
	if s == "" {
		return "[none]"
	}
	return s
}

// Next is the next hour, after now, at which the hourly timer finds the job
// due (the timers fire on the hour); ok is false when no hour in the coming
// week is (the job is Off, or its settings never match).
func Next(now time.Time, r Rule) (time.Time, bool) {
	t := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), 0, 0, 0, now.Location())
	for range 8 * 24 {
		t = t.Add(time.Hour)
		if due, _ := Due(t, r, Timer); due {
			return t, true
		}
	}
	return time.Time{}, false
}
