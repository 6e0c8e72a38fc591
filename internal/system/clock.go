package system

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Clock is the clock's state as systemd's timedated reports it.
type Clock struct {
	TimeZone        string // e.g. "Australia/Sydney"
	NTP             bool   // network time is switched on (systemd-timesyncd)
	NTPSynchronized bool   // and the clock has been set from a server
	CanNTP          bool   // a time-sync service is installed
	RTCInLocalTZ    bool
	Err             error // timedatectl could not be asked
}

// Source names who sets the clock: "NTP" when network time is on, else
// "Arduino" (setTime copies the Arduino's battery-backed clock to the Pi).
func (c Clock) Source() string {
	if c.NTP {
		return "NTP"
	}
	return "Arduino"
}

// Clock asks timedatectl (machine-readable "show" form).
func (h Host) Clock(ctx context.Context) Clock {
	out, err := h.run(ctx, "timedatectl", "show")
	if err != nil {
		return Clock{Err: fmt.Errorf("clock state: %w", err)}
	}
	c, err := ParseTimedatectl(out)
	if err != nil {
		c.Err = err
	}
	return c
}

// ParseTimedatectl reads `timedatectl show` (KEY=value lines).
func ParseTimedatectl(out []byte) (Clock, error) {
	kv := ParseKeyValues(out)
	if len(kv) == 0 {
		return Clock{}, fmt.Errorf("clock state: timedatectl printed nothing usable")
	}
	yes := func(k string) bool { return kv[k] == "yes" }
	return Clock{
		TimeZone:        kv["Timezone"],
		NTP:             yes("NTP"),
		NTPSynchronized: yes("NTPSynchronized"),
		CanNTP:          yes("CanNTP"),
		RTCInLocalTZ:    yes("LocalRTC"),
	}, nil
}

// ParseKeyValues reads KEY=value lines, as systemctl show and timedatectl
// show print them; the first "=" splits, values are kept whole.
func ParseKeyValues(out []byte) map[string]string {
	kv := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok && k != "" {
			kv[k] = v
		}
	}
	return kv
}

// Unit is one systemd unit's state.
type Unit struct {
	Name          string
	LoadState     string // loaded, not-found, masked, error
	ActiveState   string // active, inactive, failed, activating…
	SubState      string // running, exited, dead, waiting, failed…
	UnitFileState string // enabled, disabled, static, masked…
	Type          string // services: simple, oneshot, notify…
	Result        string // success, exit-code, …
}

// UnitState asks systemctl about one unit.
func (h Host) UnitState(ctx context.Context, name string) (Unit, error) {
	out, err := h.run(ctx, "systemctl", "show", "--no-pager",
		"--property=LoadState,ActiveState,SubState,UnitFileState,Type,Result", "--", name)
	if err != nil {
		return Unit{Name: name}, fmt.Errorf("state of %s: %w", name, err)
	}
	return ParseUnit(name, out)
}

// ParseUnit reads `systemctl show --property=…` output.
func ParseUnit(name string, out []byte) (Unit, error) {
	kv := ParseKeyValues(out)
	u := Unit{
		Name: name, LoadState: kv["LoadState"], ActiveState: kv["ActiveState"], SubState: kv["SubState"],
		UnitFileState: kv["UnitFileState"], Type: kv["Type"], Result: kv["Result"],
	}
	if u.LoadState == "" || u.ActiveState == "" {
		return u, fmt.Errorf("state of %s: systemctl printed no LoadState/ActiveState", name)
	}
	return u, nil
}
