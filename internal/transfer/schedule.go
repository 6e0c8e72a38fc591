package transfer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is the part of the INI that decides when piTransfer runs.
type Schedule struct {
	TransferDay      string // afterCopy, Daily, or an English weekday name
	TransferHour     string // 00-23, or empty
	WakePiHour       string // [Global] wakepihour: 00-23, or 25 for Always On
	TransferOnBootup bool
}

// Triggers: how the oneshot was started.
const (
	TriggerCron    = ""        // the hourly timer
	TriggerBootup  = "bootup"  // the boot-time unit
	TriggerCopyNow = "copyNow" // "Transfer now", the afterCopy chain, or by hand
)

// Due decides whether a transfer should run now, by piTransfer.py's rules:
// copyNow always runs; otherwise the day must be Daily or today's name and
// the hour the Pi's wake hour or the transfer hour; failing that, a boot-time
// start runs only if "Transfer on bootup" is set. afterCopy never matches
// the day test: such transfers come from the copy chain (or the boot flag).
// The reason is the log line to write.
func Due(now time.Time, s Schedule, trigger string) (bool, string) {
	day := now.Weekday().String()
	hour := now.Hour()
	if trigger == TriggerCopyNow {
		return true, "OK to transfer on 'copyNow'"
	}
	dayOK := s.TransferDay == "Daily" || strings.EqualFold(strings.TrimSpace(s.TransferDay), day)
	hourOK := hourIs(s.WakePiHour, hour) || hourIs(s.TransferHour, hour)
	if dayOK && hourOK {
		return true, fmt.Sprintf("OK to transfer @ %02d:00 on %s", hour, day)
	}
	if trigger == TriggerBootup {
		if s.TransferOnBootup {
			return true, "OK to transfer on bootup"
		}
		return false, "Script ran at bootup but flag not set. Exiting"
	}
	return false, fmt.Sprintf("Not OK to transfer: now %s %02d:00, transferDay=%s, transferHour=%s, wakePiHour=%s",
		day, hour, orNone(s.TransferDay), orNone(s.TransferHour), orNone(s.WakePiHour))
}

// hourIs compares an INI hour ("7" or "07") with h; 25 (Always On), empty
// or junk never matches.
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
