package arduino

import (
	"fmt"
	"time"
)

// Settle times: how long the firmware needs, after a command has been
// written, before its effect shows in the replies. The firmware stores the
// command in its I2C interrupt and acts on it in the next pass of its main
// loop, a few milliseconds later when the Pi is up (the loop never sleeps
// while the Pi is powered); each constant is that pass plus the command's own
// work plus a margin. The original slept a flat 1 s (2 s for GT and the wake
// buttons) instead. A command that lands during a shutter pulse waits for the
// pulse (about 1.1 s), in the firmware as in the simulator; replies read
// straight after it may then still show the old state.
const (
	// SettleWakeCamera covers the 400 ms WAKE pulse.
	SettleWakeCamera = 450 * time.Millisecond
	// SettleSetTime covers writing the clock chip and re-arming both alarms.
	SettleSetTime = 60 * time.Millisecond
	// SettleSchedule covers the EEPROM writes and the next-shot computation.
	SettleSchedule = 60 * time.Millisecond
	// SettleWakeWindow covers the EEPROM writes and re-arming alarm 2.
	SettleWakeWindow = 60 * time.Millisecond
	// SettleTemperatures covers one temperature conversion read (GT).
	SettleTemperatures = 60 * time.Millisecond
	// SettleResetMinMax is the same reading with a reset of min or max.
	SettleResetMinMax = 60 * time.Millisecond
	// SettleExtend covers re-arming alarm 2 (EX).
	SettleExtend = 60 * time.Millisecond
	// SettleReboot covers the pass that asks the Pi to shut down (RA); the
	// reset itself waits for the Pi to halt.
	SettleReboot = 60 * time.Millisecond
)

// Command is one encoded command: the ASCII text sent after register 0, and
// how long to wait for the firmware to act on it.
type Command struct {
	Text   []byte
	Settle time.Duration
	// Invalidates lists the cached queries whose answers the command changes.
	Invalidates []byte
}

func (c Command) String() string { return printable(c.Text) }

// CheckCommand is the last check before a command reaches the wire: the
// firmware drops NUL bytes, so the text would arrive changed, and it cannot
// take more than MaxCommandLen bytes.
func CheckCommand(text []byte) error {
	if len(text) < 2 {
		return fmt.Errorf("command %q: too short", printable(text))
	}
	if len(text) > MaxCommandLen {
		return fmt.Errorf("command %q: %d bytes, the firmware takes at most %d", printable(text), len(text), MaxCommandLen)
	}
	for _, c := range text {
		if c == 0 {
			return fmt.Errorf("command %q: contains a NUL byte, which the firmware drops", printable(text))
		}
	}
	return nil
}

var allQueries = []byte("0123456789")

// The fixed commands.
var (
	CmdWakeCamera   = Command{Text: []byte("WC"), Settle: SettleWakeCamera}
	CmdReboot       = Command{Text: []byte("RA"), Settle: SettleReboot, Invalidates: allQueries}
	CmdRefreshTemps = Command{Text: []byte("GT"), Settle: SettleTemperatures, Invalidates: []byte{QueryTemperatures}}
	CmdResetMin     = Command{Text: []byte("RN"), Settle: SettleResetMinMax, Invalidates: []byte{QueryTemperatures}}
	CmdResetMax     = Command{Text: []byte("RX"), Settle: SettleResetMinMax, Invalidates: []byte{QueryTemperatures}}
	CmdExtendPi     = Command{Text: []byte("EX"), Settle: SettleExtend, Invalidates: []byte{QueryShutdownMinute}}
)

// EncodeSetTime builds ST=YYYYMMDDHHMMSS from t's wall clock in its own
// location (the Pi sends local time). The clock chip keeps a two-digit year,
// so only 2000..2099 can be set.
func EncodeSetTime(t time.Time) (Command, error) {
	if y := t.Year(); y < 2000 || y > 2099 {
		return Command{}, fmt.Errorf("set time %s: the Arduino's clock keeps years 2000..2099 only", t.Format(time.RFC3339))
	}
	return Command{
		Text:        []byte("ST=" + t.Format("20060102150405")),
		Settle:      SettleSetTime,
		Invalidates: []byte{QueryDate, QueryTime, QueryShots, QueryShutdownMinute},
	}, nil
}

// EncodeSetSchedule builds SI= + mask byte + SS EE II after Validate.
func EncodeSetSchedule(s Schedule) (Command, error) {
	if err := s.Validate(); err != nil {
		return Command{}, err
	}
	text := append([]byte("SI="), byte(s.Days))
	text = fmt.Appendf(text, "%02d%02d%02d", s.StartHour, s.EndHour, s.Interval)
	return Command{Text: text, Settle: SettleSchedule, Invalidates: []byte{QuerySchedule, QueryShots}}, nil
}

// EncodeSetWakeWindow builds SP=HHMM. Hour is 0..23, or AlwaysOn (25); the
// firmware also takes 24, an hour that never comes, so it is refused here.
// Minutes is 5..60.
func EncodeSetWakeWindow(hour, minutes int) (Command, error) {
	if (hour < 0 || hour > 23) && hour != AlwaysOn {
		return Command{}, fmt.Errorf("wake window: hour %d is neither 0..23 nor %d (always on)", hour, AlwaysOn)
	}
	if minutes < 5 || minutes > 60 {
		return Command{}, fmt.Errorf("wake window: %d minutes not in 5..60", minutes)
	}
	return Command{
		Text:        fmt.Appendf(nil, "SP=%02d%02d", hour, minutes),
		Settle:      SettleWakeWindow,
		Invalidates: []byte{QueryWakeWindow, QueryShutdownMinute},
	}, nil
}
