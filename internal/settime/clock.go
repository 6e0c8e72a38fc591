// Package settime keeps the Pi's clock and the Arduino's in step, as the
// original's setTime.py did: when NTP sets the Pi's clock, the Pi's time is
// pushed to the Arduino (so daylight saving follows); otherwise the Pi has
// no clock of its own worth keeping and takes the Arduino's. It also holds
// the two host-side pieces the System page shares: whether NTP is active,
// and setting the Pi's clock.
package settime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// ClockLayout is how a time is handed to the clock-setting command: the
// form both `timedatectl set-time` and `date --set` read as local time.
const ClockLayout = "2006-01-02 15:04:05"

// Env names of the host overrides (also read by the web server).
const (
	// EnvSetClockCmd replaces the clock-setting commands: it is split on
	// white space and run with the time (ClockLayout) as its last argument.
	// Tests point it at a recorder so the test machine's clock stays put.
	EnvSetClockCmd = "INTVLM8R_SET_CLOCK_CMD"
	// EnvNTP forces the NTP answer: "yes" or "no" ("" or "auto": ask systemd).
	EnvNTP = "INTVLM8R_NTP"
)

// Host is how this machine's clock is read and set.
type Host struct {
	// SetClockCmd, when not empty, is the command used instead of
	// timedatectl/date (see EnvSetClockCmd).
	SetClockCmd string
	// NTPMode is "yes", "no", or "" / "auto" to ask systemd.
	NTPMode string
}

// HostFromEnv reads the overrides from the environment.
func HostFromEnv() Host {
	return Host{SetClockCmd: os.Getenv(EnvSetClockCmd), NTPMode: os.Getenv(EnvNTP)}
}

// run runs a command through system.Exec (C locale, timeout, stderr in the
// error) and returns its trimmed output.
func run(ctx context.Context, name string, args ...string) (string, error) {
	out, err := system.Exec(ctx, name, args...)
	return strings.TrimSpace(string(out)), err
}

// NTPState is the answer to "does NTP set the Pi's clock?".
type NTPState struct {
	Active bool
	// Detail says how it was decided, for logs and the page's tooltip.
	Detail string
}

// ErrNTPUnknown is returned when systemd could not be asked.
var ErrNTPUnknown = errors.New("cannot tell whether NTP sets the clock")

// NTP decides whether the Pi's clock comes from the network: the
// systemd-timesyncd service is active (the original's test), or timedated
// reports the clock synchronised (chrony and other NTP daemons).
func (h Host) NTP(ctx context.Context) (NTPState, error) {
	switch strings.ToLower(strings.TrimSpace(h.NTPMode)) {
	case "yes", "on", "true", "1":
		return NTPState{Active: true, Detail: EnvNTP + "=yes"}, nil
	case "no", "off", "false", "0":
		return NTPState{Active: false, Detail: EnvNTP + "=no"}, nil
	case "", "auto":
	default:
		return NTPState{}, fmt.Errorf("%s=%q: want yes, no or auto", EnvNTP, h.NTPMode)
	}
	// is-active prints the state and exits non-zero for anything but active.
	state, errA := run(ctx, "systemctl", "is-active", "systemd-timesyncd")
	if state == "active" {
		return NTPState{Active: true, Detail: "systemd-timesyncd = active"}, nil
	}
	synced, errB := run(ctx, "timedatectl", "show", "-p", "NTPSynchronized", "--value")
	if errB == nil && synced == "yes" {
		return NTPState{Active: true, Detail: "timedatectl NTPSynchronized = yes"}, nil
	}
	if state != "" && errB == nil {
		return NTPState{Active: false, Detail: "systemd-timesyncd = " + state + ", NTPSynchronized = " + synced}, nil
	}
	return NTPState{}, fmt.Errorf("%w: %w", ErrNTPUnknown, errors.Join(errA, errB))
}

// SetClock sets the Pi's clock to t's wall time (read as the Pi's local
// time). Without an override it tries timedatectl (timedated, through
// polkit) and then date --set (which needs CAP_SYS_TIME); when both fail the
// error holds both reasons.
func (h Host) SetClock(ctx context.Context, t time.Time) error {
	when := t.In(time.Local).Format(ClockLayout)
	if f := strings.Fields(h.SetClockCmd); len(f) > 0 {
		if _, err := run(ctx, f[0], append(f[1:], when)...); err != nil {
			return fmt.Errorf("set the Pi's clock to %s: %w", when, err)
		}
		return nil
	}
	_, errA := run(ctx, "timedatectl", "set-time", when)
	if errA == nil {
		return nil
	}
	_, errB := run(ctx, "date", "--set="+when)
	if errB == nil {
		return nil
	}
	return fmt.Errorf("set the Pi's clock to %s: %w", when, errors.Join(errA, errB))
}
