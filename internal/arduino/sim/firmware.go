// Package sim emulates the Intervalometerator Arduino running firmware 5.0.1
// at the wire: it takes the raw bytes of I2C writes and answers reads with
// the firmware's 32-byte buffer, and behind that models the firmware's main
// loop, its EEPROM, the DS3234 clock with its two alarms, the camera pulses
// and a simulated Pi on the power and shutdown lines.
//
// Time is event driven and lazy: whenever the simulator is touched it runs
// every alarm, loop pass and pin change due since it was last touched, up to
// "now". That lets the state live in a small file (Bus) shared by every
// process that hosts the simulator, and lets tests drive a Firmware with a
// virtual clock.
//
// Choices where the firmware is undefined or would brick itself (see the
// spec, §12): ST= with a year outside 2000..2099 or any field out of range
// (month 1..12, day 1..31, hour 0..23, minute and second 0..59) is ignored
// entirely; SI= with a day mask that has no weekday bit is refused (schedule
// unchanged, next shot still recomputed) instead of hanging; interval 0 does
// what AVR's modulo by zero does (minute 0 of the current hour); corrupt
// EEPROM values are loaded as they are and formatted at full width. Setup is
// applied at once at the start of a boot and the loop's first pass runs when
// setup would have ended. The Sunday "yesterday" bug of the shot decision is
// kept unless FixSundayBug is set.
package sim

import (
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Version is the firmware version the simulator reports.
const Version = "5.0.1"

// Timing of the firmware's blocking work inside a loop pass.
const (
	// PassLatency is how long after an I2C write the loop starts the pass
	// that acts on a command (an awake loop is a tight spin).
	PassLatency = 5 * time.Millisecond
	photoTime   = 1000 * time.Millisecond // WAKE high, FIRE at +800 ms for 200 ms
	fireOffset  = 800 * time.Millisecond
	wakePulse   = 400 * time.Millisecond
	alarmGap    = 100 * time.Millisecond
	ledFlash2   = 800 * time.Millisecond
	powerOffGap = 2000 * time.Millisecond
	resetGap    = 1000 * time.Millisecond
	// Setup: 1 s after rtc.begin, LED flashes (4 healthy, 8 unhealthy at
	// 400 ms each), 400 ms after enabling interrupts, 2 s at the end.
	setupHealthy   = 1000*time.Millisecond + 1600*time.Millisecond + 400*time.Millisecond + 2000*time.Millisecond
	setupUnhealthy = 1000*time.Millisecond + 3200*time.Millisecond + 400*time.Millisecond + 2000*time.Millisecond
)

// The simulated Pi on the power lines.
const (
	PiBootDelay = 30 * time.Second // power on until it drives PI_RUNNING high
	PiHaltDelay = 10 * time.Second // shutdown request until PI_RUNNING goes low
)

// MaxCatchUp bounds the work of one access after a long pause: events older
// than this are skipped (the clock is brought forward and alarms re-armed).
const MaxCatchUp = 26 * time.Hour

// MaxShotBacklog bounds the shots reported by one access.
const MaxShotBacklog = 500

// EEPROM addresses.
const (
	memInterval = 0x00
	memDays     = 0x02
	memStart    = 0x03
	memEnd      = 0x04
	memWakeHour = 0x05
	memWakeDur  = 0x06
	memTempMin  = 0x07
	memTempMax  = 0x08
	memTemp0    = 0x09
	eepromSize  = 0x21
)

// Snap is the firmware's cached copy of the clock registers (query '1'
// formats it without reading the chip).
type Snap struct {
	Year, Month, Day, DOW, Hour, Minute, Second int
	Century                                     bool
}

func snapOf(r RTC) Snap {
	return Snap{Year: r.Year, Month: r.Month, Day: r.Day, DOW: r.DOW, Hour: r.Hour(), Minute: r.Minute(), Second: r.Second(), Century: r.Century}
}

// Pending is a command stored by the I2C interrupt, waiting for the loop.
type Pending struct {
	Kind    string    `json:"kind"`
	Payload []byte    `json:"payload,omitempty"` // bytes: JSON strings would mangle a day mask >= 0x80
	At      time.Time `json:"at"`                // the pass that acts on it starts no earlier
}

// State is everything the simulated board remembers. It is persisted as
// JSON by Bus.
type State struct {
	Format int `json:"format"`

	// DS3234.
	RTC    RTC  `json:"rtc"`
	A1Min  int  `json:"a1_min"`
	A1Hour int  `json:"a1_hour"`
	A2Min  int  `json:"a2_min"`
	A1Flag bool `json:"a1f"`
	A2Flag bool `json:"a2f"`
	A1IE   bool `json:"a1ie"`
	A2IE   bool `json:"a2ie"`

	// Persistent across resets.
	EEPROM []byte `json:"eeprom"`

	// Loop bookkeeping.
	Processed time.Time `json:"processed"` // everything due up to here has run
	LoopFree  time.Time `json:"loop_free"` // end of the pass in progress

	// RAM, re-initialised at every boot.
	Snap              Snap      `json:"snap"`
	Interval          int       `json:"interval"`
	ShootDays         int       `json:"shoot_days"`
	StartHour         int       `json:"start_hour"`
	EndHour           int       `json:"end_hour"`
	WakePiHour        int       `json:"wake_hour"`
	WakePiDuration    int       `json:"wake_duration"`
	ShootFastInterval int       `json:"sf_interval"`
	ShootFastCount    int       `json:"sf_count"`
	SFTimerStart      time.Time `json:"sf_start"`
	PiShutdownMinute  int       `json:"shutdown_minute"`
	LastShot          string    `json:"last_shot"`
	NextShot          string    `json:"next_shot"`
	IntervalString    []byte    `json:"interval_string"`
	TempString        string    `json:"temp_string"`
	DailyTemps        [24]int8  `json:"daily_temps"`
	Volts             []byte    `json:"volts"`
	VoltPending       bool      `json:"volt_pending"`
	VoltSum           int       `json:"volt_sum"`
	VoltN             int       `json:"volt_n"`
	SendToPi          []byte    `json:"send"`
	Alarm             bool      `json:"alarm"`
	AlarmAt           time.Time `json:"alarm_at"`
	WakePi            bool      `json:"wake_pi"`
	Flags             []Pending `json:"flags_pending"`
	RAFlag            bool      `json:"ra"`

	// Pins, and the simulated Pi.
	PiPower     bool       `json:"pi_power"`
	PiShutdown  bool       `json:"pi_shutdown"` // the output level: false = "shut down now"
	PiRunning   bool       `json:"pi_running"`
	LastRunning bool       `json:"last_running"`
	PiBootAt    *time.Time `json:"pi_boot_at,omitempty"`
	PiHaltAt    *time.Time `json:"pi_halt_at,omitempty"`
	ResetAt     *time.Time `json:"reset_at,omitempty"`

	// Environment: die temperature in quarter degrees (base + daily swing),
	// voltmeter ADC reading (-1: no voltmeter fitted, as shipped).
	TempBaseQ    int  `json:"temp_base_q"`
	TempSwingQ   int  `json:"temp_swing_q"`
	VoltADC      int  `json:"volt_adc"`
	FixSundayBug bool `json:"fix_sunday_bug"`

	// Counters.
	Shots int64 `json:"shots"`
	Wakes int64 `json:"wakes"`
	Boots int64 `json:"boots"`

	Bus BusState `json:"bus"`
}

// BusState records how the bus was used, so tests can prove that no two
// transactions ever interleaved.
type BusState struct {
	Open          *OpenTxn `json:"open,omitempty"`
	Queries       int64    `json:"queries"`
	Commands      int64    `json:"commands"`
	Violations    int64    `json:"violations"`
	LastViolation string   `json:"last_violation,omitempty"`
}

// OpenTxn is a query whose write phase has happened and whose read has not.
type OpenTxn struct {
	ID   uint64    `json:"id"`
	PID  int       `json:"pid"`
	Code byte      `json:"code"`
	At   time.Time `json:"at"`
}

// Firmware runs the emulation over a State. Shots and Wakes collect the
// camera pulses fired during the latest calls, for the caller to hand on.
type Firmware struct {
	S     *State
	Shots []time.Time // shutter instants (FIRE going high), oldest first
	Wakes []time.Time // WC pulses
	Log   *slog.Logger
}

// NewState is a board fresh from the factory: EEPROM erased (0xFF), clock
// chip without battery (00:00:00, 01/01/00, alarm interrupts disabled, so
// the first boot is unhealthy), 18 °C with a 6 °C daily swing, no voltmeter.
func NewState() *State {
	s := &State{Format: 1, EEPROM: make([]byte, eepromSize), TempBaseQ: 18 * 4, TempSwingQ: 6 * 4, VoltADC: -1}
	for i := range s.EEPROM {
		s.EEPROM[i] = 0xFF
	}
	s.RTC = RTC{Month: 1, Day: 1, DOW: 1}
	return s
}

// New wraps a state.
func New(s *State) *Firmware {
	return &Firmware{S: s, Log: slog.Default()}
}

// PowerOn applies power to a board at host time t: the clock starts
// (keeping its registers if it had a battery) and the firmware boots.
func (f *Firmware) PowerOn(t time.Time) {
	s := f.S
	if s.RTC.Anchor.IsZero() || t.Before(s.RTC.Anchor) {
		s.RTC.Anchor = t
	}
	s.Processed = t
	s.LoopFree = t
	f.boot(t)
}

// ---- clock helpers ----

func (f *Firmware) regs(t time.Time) RTC { return f.S.RTC.At(t) }

// tempQ is the die temperature at t, in quarter degrees.
func (f *Firmware) tempQ(t time.Time) int {
	s := f.S
	if s.TempSwingQ == 0 {
		return s.TempBaseQ
	}
	r := f.regs(t)
	h := float64(r.SOD) / 3600
	return s.TempBaseQ + int(math.Round(float64(s.TempSwingQ)*math.Cos(2*math.Pi*(h-15)/24)))
}

// roundQ rounds quarter degrees to whole degrees, half away from zero.
func roundQ(q int) int {
	if q < 0 {
		return -((-q + 2) / 4)
	}
	return (q + 2) / 4
}

// ---- the event loop ----

// Advance runs everything due up to now.
func (f *Firmware) Advance(now time.Time) {
	s := f.S
	if !now.After(s.Processed) {
		return
	}
	if now.Sub(s.Processed) > MaxCatchUp {
		f.run(s.Processed.Add(time.Minute))
		if now.Sub(s.Processed) > MaxCatchUp {
			f.jump(now.Add(-MaxCatchUp))
		}
	}
	f.run(now)
}

func (f *Firmware) nextAlarm() (time.Time, bool, bool) {
	s := f.S
	var best time.Time
	var a1, a2 bool
	if s.A1IE {
		best = s.RTC.nextMatch(s.A1Hour*3600+s.A1Min*60, 86400)
		a1 = true
	}
	if s.A2IE {
		t := s.RTC.nextMatch(s.A2Min*60, 3600)
		switch {
		case !a1 || t.Before(best):
			best, a1, a2 = t, false, true
		case t.Equal(best):
			a2 = true
		}
	}
	return best, a1, a2
}

// nextPass is when the loop next has work, and whether it has any.
func (f *Firmware) nextPass() (time.Time, bool) {
	s := f.S
	var t time.Time
	have := false
	consider := func(c time.Time) {
		if !have || c.Before(t) {
			t, have = c, true
		}
	}
	if s.Alarm {
		consider(s.AlarmAt)
	}
	if s.WakePi || s.VoltPending {
		consider(s.LoopFree)
	}
	for _, p := range s.Flags {
		consider(p.At)
	}
	if s.ShootFastCount > 0 {
		consider(s.SFTimerStart.Add(time.Duration(s.ShootFastInterval)*time.Second + time.Millisecond))
	}
	if s.PiBootAt != nil {
		consider(*s.PiBootAt)
	}
	if s.PiHaltAt != nil {
		consider(*s.PiHaltAt)
	}
	if s.ResetAt != nil {
		consider(*s.ResetAt)
	}
	if have && t.Before(s.LoopFree) {
		t = s.LoopFree
	}
	return t, have
}

func (f *Firmware) run(now time.Time) {
	s := f.S
	for guard := 0; guard < 1_000_000; guard++ {
		ta, a1, a2 := f.nextAlarm()
		tp, havePass := f.nextPass()
		alarmDue := (a1 || a2) && !ta.After(now)
		passDue := havePass && !tp.After(now)
		if alarmDue && (!passDue || !tp.Before(ta)) {
			// The clock ticks into a matching second: flag it, raise ALARM.
			s.RTC = s.RTC.At(ta)
			if a1 {
				s.A1Flag = true
			}
			if a2 {
				s.A2Flag = true
			}
			if !s.Alarm {
				s.Alarm, s.AlarmAt = true, ta
			}
			s.Processed = ta
			continue
		}
		if passDue {
			s.Processed = tp
			f.pass(tp)
			continue
		}
		break
	}
	s.RTC = s.RTC.At(now)
	if now.After(s.Processed) {
		s.Processed = now
	}
}

// jump skips to t after a long pause, as if nothing had happened but the
// clock running: no photos, no samples; alarms re-armed from t.
func (f *Firmware) jump(t time.Time) {
	s := f.S
	f.Log.Info("arduino sim: skipping a long pause", "from", s.Processed, "to", t)
	s.RTC = s.RTC.At(t)
	s.A1Flag, s.A2Flag, s.Alarm = false, false, false
	s.ShootFastCount = 0
	s.Flags = nil
	if s.PiBootAt != nil {
		s.PiRunning, s.PiBootAt = true, nil
	}
	if s.PiHaltAt != nil {
		s.PiRunning, s.PiHaltAt = false, nil
	}
	if s.ResetAt != nil {
		s.ResetAt = nil
		f.boot(t)
	}
	s.Processed, s.LoopFree = t, t
	f.setAlarm1(t)
	f.setAlarm2(t, false)
}

// pass is one run of the firmware's loop() starting at t, in its order.
func (f *Firmware) pass(t time.Time) {
	s := f.S
	c := t
	// Pin changes of the simulated Pi and the reset wait land first.
	if s.ResetAt != nil && !c.Before(*s.ResetAt) {
		s.ResetAt = nil
		f.boot(c)
		return
	}
	if s.PiBootAt != nil && !c.Before(*s.PiBootAt) {
		s.PiBootAt = nil
		if s.PiPower {
			s.PiRunning = true
		}
	}
	if s.PiHaltAt != nil && !c.Before(*s.PiHaltAt) {
		s.PiHaltAt = nil
		s.PiRunning = false
	}

	// Alarm handling.
	if s.Alarm {
		s.Snap = snapOf(f.regs(c))
		if s.A1Flag {
			s.A1Flag = false
			today := 1 << s.Snap.DOW
			shoot := false
			if today&s.ShootDays != 0 && s.Snap.Hour >= s.StartHour {
				shoot = true
			} else if s.StartHour > s.EndHour && s.Snap.Hour < s.EndHour {
				yesterday := today >> 1
				if yesterday == 1 {
					yesterday = 1 << 6 // the firmware's Sunday slip: Friday
					if s.FixSundayBug {
						yesterday = 1 << 7
					}
				}
				shoot = yesterday&s.ShootDays != 0
			}
			if shoot {
				c = f.photo(c)
				if s.Interval > 60 {
					s.SFTimerStart = c
					s.ShootFastCount = 60/(s.Interval-60) - 1
				}
			}
			f.setAlarm1(c)
		}
		c = c.Add(alarmGap)
		if s.A2Flag {
			s.A2Flag = false
			if s.Snap.Minute == 0 {
				f.reading(c, "", s.Snap.Hour)
				s.VoltPending = true
			}
			if s.Snap.Minute == 0 && s.Snap.Hour == s.WakePiHour {
				s.WakePi = true
			} else if s.Snap.Minute == s.PiShutdownMinute && s.WakePiHour != 25 {
				f.setShutdownPin(c, false)
				s.PiShutdownMinute = 120
			}
			f.setAlarm2(c, false)
		}
		s.Alarm = false
	}

	// shootFast burst.
	if s.ShootFastCount > 0 {
		if c.Sub(s.SFTimerStart) > time.Duration(s.ShootFastInterval)*time.Second {
			s.SFTimerStart = c
			c = f.photo(c)
			s.ShootFastCount--
		}
	} else {
		s.ShootFastCount = 0
	}

	// Command flags stored before this pass began, in the loop's order.
	due := map[string]Pending{}
	var keep []Pending
	for _, p := range s.Flags {
		if !p.At.After(t) {
			due[p.Kind] = p
		} else {
			keep = append(keep, p)
		}
	}
	s.Flags = keep
	if p, ok := due["ST"]; ok {
		c = f.cmdSetTime(c, string(p.Payload))
	}
	if p, ok := due["SI"]; ok {
		f.cmdSetInterval(c, string(p.Payload))
		f.setAlarm1(c)
	}
	if _, ok := due["WC"]; ok {
		c = c.Add(wakePulse) // the wake itself was told at receive time
	}
	if p, ok := due["SP"]; ok {
		f.cmdSetWakePi(c, string(p.Payload))
	}
	c = f.wakePiStep(c)
	if _, ok := due["RA"]; ok {
		s.RAFlag = true
	}
	// RA is checked on every pass while its flag is set.
	if s.RAFlag {
		if s.PiRunning {
			f.setShutdownPin(c, false)
		} else {
			s.RAFlag = false
			s.PiPower = false
			c = c.Add(resetGap)
			at := c
			s.ResetAt = &at
			s.LoopFree = c
			return
		}
	}
	if _, ok := due["GT"]; ok {
		f.reading(c, "", -1)
	}
	if _, ok := due["RN"]; ok {
		f.reading(c, "Min", -1)
	}
	if _, ok := due["RX"]; ok {
		f.reading(c, "Max", -1)
	}

	// Battery voltage sampling, one step per pass.
	if s.VoltPending {
		if s.VoltADC < 0 {
			s.VoltPending = false
		} else if s.VoltN < 8 {
			s.VoltSum += s.VoltADC
			s.VoltN++
			c = c.Add(time.Millisecond) // keeps the loop spinning pass by pass
		} else {
			avg := s.VoltSum / 8
			code := avg*183/1024 + 10
			if code < 10 || code > 190 {
				code = 10
			}
			s.Volts[f.regs(c).Hour()] = byte(code)
			s.VoltPending, s.VoltSum, s.VoltN = false, 0, 0
		}
	}

	if _, ok := due["EX"]; ok {
		f.setAlarm2(c, true)
	}

	// Pi running edges.
	if !s.PiRunning {
		if s.LastRunning && !s.PiShutdown {
			c = c.Add(powerOffGap)
			s.PiPower = false
			s.PiShutdown = false
			f.setAlarm2(c, false)
		}
		s.LastRunning = false
	} else if !s.LastRunning {
		f.setAlarm2(c, true)
		s.LastRunning = true
	}
	s.LoopFree = c
}

func (f *Firmware) wakePiStep(c time.Time) time.Time {
	s := f.S
	if !s.WakePi {
		return c
	}
	c = c.Add(ledFlash2)
	s.LastRunning = false
	s.PiShutdown = true
	if !s.PiPower {
		s.PiPower = true
	}
	if !s.PiRunning && s.PiBootAt == nil && s.PiHaltAt == nil {
		at := c.Add(PiBootDelay)
		s.PiBootAt = &at
	}
	s.WakePi = false
	return c
}

// setShutdownPin drives PI_SHUTDOWN; low asks a running Pi to halt.
func (f *Firmware) setShutdownPin(c time.Time, high bool) {
	s := f.S
	s.PiShutdown = high
	if !high && s.PiRunning && s.PiHaltAt == nil {
		at := c.Add(PiHaltDelay)
		s.PiHaltAt = &at
	}
}

// photo pulses WAKE and FIRE and returns when the pulse ends.
func (f *Firmware) photo(c time.Time) time.Time {
	s := f.S
	fire := c.Add(fireOffset)
	f.Shots = append(f.Shots, fire)
	if len(f.Shots) > MaxShotBacklog {
		f.Shots = f.Shots[len(f.Shots)-MaxShotBacklog:]
	}
	s.Shots++
	end := c.Add(photoTime)
	r := f.regs(end)
	s.LastShot = fmt.Sprintf("%d%02d%02d", r.DOW, r.Hour(), r.Minute())
	s.Snap.DOW, s.Snap.Hour, s.Snap.Minute = r.DOW, r.Hour(), r.Minute()
	return end
}

// setAlarm1 computes the next shot from the clock at c and arms alarm 1.
func (f *Firmware) setAlarm1(c time.Time) {
	s := f.S
	r := f.regs(c)
	s.Snap.DOW, s.Snap.Hour, s.Snap.Minute = r.DOW, r.Hour(), r.Minute()
	step := s.Interval & 0xFF
	if step > 60 {
		step = 1
	}
	day, hour, m := r.DOW, r.Hour(), r.Minute()
	if step == 0 {
		m = 0 // AVR's x % 0 == x: the search runs until the byte wraps to 0
	} else {
		for {
			m = (m + 1) & 0xFF
			if m%step == 0 {
				break
			}
		}
	}
	if m >= 60 {
		m -= 60
		hour++
		if hour >= 24 {
			hour = 0
			day++
		}
	}
	S, E := s.StartHour, s.EndHour
	if S < E {
		if hour < S {
			hour, m = S, 0
		} else if hour >= E {
			hour, m = S, 0
			day++
		}
	} else if hour >= E && hour < S {
		hour, m = S, 0
	}
	if day == 8 {
		day = 1
	}
	bit := func(d int) int { return 1 << d }
	done := false
	if S > E && hour < E {
		y := day - 1
		if y == 0 {
			y = 7
		}
		if bit(y)&s.ShootDays != 0 {
			done = true
		} else {
			hour, m = S, 0
		}
	}
	if !done {
		// The firmware would spin forever on a mask without weekday bits;
		// SI= refuses such masks, and a corrupt EEPROM one stops here.
		for i := 0; i < 8 && bit(day)&s.ShootDays == 0; i++ {
			m, hour = 0, S
			day++
			if day == 8 {
				day = 1
			}
		}
	}
	if m <= 59 && hour <= 23 {
		s.A1Min, s.A1Hour = m, hour
	}
	s.NextShot = fmt.Sprintf("%d%02d%02d", day, hour, m)
}

// setAlarm2 arms the hourly alarm and runs the shutdown-minute state machine.
func (f *Firmware) setAlarm2(c time.Time, reset bool) {
	s := f.S
	r := f.regs(c)
	s.Snap = snapOf(r)
	a := 0
	if s.WakePiHour != 25 {
		if reset {
			s.PiShutdownMinute = (r.Minute() + s.WakePiDuration + 1) & 0xFF
			if s.PiShutdownMinute < 60 {
				a = s.PiShutdownMinute
			}
		} else if s.PiShutdownMinute >= 60 && s.PiShutdownMinute < 120 {
			s.PiShutdownMinute -= 60
			a = s.PiShutdownMinute
		}
	}
	s.A2Min = a
}

// reading takes a temperature reading (boot, top of hour, GT, RN, RX).
func (f *Firmware) reading(c time.Time, reset string, hour int) {
	s := f.S
	t := roundQ(f.tempQ(c))
	t = int(int8(t))
	lo := int(int8(s.EEPROM[memTempMin]))
	hi := int(int8(s.EEPROM[memTempMax]))
	if reset == "Min" || t < lo {
		lo = t
		s.EEPROM[memTempMin] = byte(int8(t))
	}
	if reset == "Max" || t > hi {
		hi = t
		s.EEPROM[memTempMax] = byte(int8(t))
	}
	if hour >= 0 && hour < 24 {
		s.DailyTemps[hour] = int8(t)
		s.EEPROM[memTemp0+hour] = byte(int8(t))
	}
	s.TempString = fmt.Sprintf("%d,%d,%d", t, hi, lo)
}

// toInt is Arduino String.toInt (atol) on s[from:to], clipped to s.
func toInt(s string, from, to int) int {
	if from > len(s) {
		return 0
	}
	if to > len(s) {
		to = len(s)
	}
	sub := s[from:to]
	i := 0
	for i < len(sub) && (sub[i] == ' ' || (sub[i] >= '\t' && sub[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(sub) && (sub[i] == '+' || sub[i] == '-') {
		neg = sub[i] == '-'
		i++
	}
	n := 0
	for ; i < len(sub) && sub[i] >= '0' && sub[i] <= '9'; i++ {
		n = n*10 + int(sub[i]-'0')
		if n > 1<<30 {
			n = 1 << 30
		}
	}
	if neg {
		n = -n
	}
	return n
}

func validate(cur, v, lo, hi int) int {
	if v < lo || v > hi {
		return cur
	}
	return v
}

func (f *Firmware) cmdSetTime(c time.Time, p string) time.Time {
	y, mo, d := toInt(p, 0, 4), toInt(p, 4, 6), toInt(p, 6, 8)
	h, mi, se := toInt(p, 8, 10), toInt(p, 10, 12), toInt(p, 12, 14)
	if y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || h < 0 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		f.Log.Warn("arduino sim: ST= out of range, ignored", "payload", p)
		return c
	}
	f.setTime(c, y, mo, d, h, mi, se)
	f.setAlarm2(c, true)
	f.setAlarm1(c)
	return c
}

func (f *Firmware) setTime(c time.Time, y, mo, d, h, mi, se int) {
	s := f.S
	century := s.RTC.Century
	s.RTC = RTC{Year: y - 2000, Century: century, Month: mo, Day: d, DOW: dayOfWeek(y, mo, d), SOD: h*3600 + mi*60 + se, Anchor: c}
	s.Snap = snapOf(s.RTC)
}

func (f *Firmware) cmdSetInterval(c time.Time, p string) {
	s := f.S
	if len(p) != 7 {
		return
	}
	days := int(p[0])
	if days&0xFE == 0 {
		f.Log.Warn("arduino sim: SI= day mask without a weekday refused (the firmware would hang)", "mask", days)
		return
	}
	s.ShootDays = days
	s.StartHour = validate(s.StartHour, toInt(p, 1, 3), 0, 23)
	s.EndHour = validate(s.EndHour, toInt(p, 3, 5), 1, 24)
	s.Interval = validate(s.Interval, toInt(p, 5, 7), 0, 90)
	s.ShootFastInterval = 0
	if s.Interval > 60 {
		s.ShootFastInterval = s.Interval - 60
	}
	s.ShootFastCount = 0
	s.EEPROM[memDays] = byte(s.ShootDays)
	s.EEPROM[memStart] = byte(s.StartHour)
	s.EEPROM[memEnd] = byte(s.EndHour)
	s.EEPROM[memInterval] = byte(s.Interval)
	f.buildIntervalString()
}

func (f *Firmware) cmdSetWakePi(c time.Time, p string) {
	s := f.S
	if len(p) != 4 {
		return
	}
	s.WakePiHour = validate(s.WakePiHour, toInt(p, 0, 2), 0, 25)
	s.WakePiDuration = validate(s.WakePiDuration, toInt(p, 2, 4), 5, 60)
	s.EEPROM[memWakeHour] = byte(s.WakePiHour)
	s.EEPROM[memWakeDur] = byte(s.WakePiDuration)
	f.setAlarm2(c, true)
}

func (f *Firmware) buildIntervalString() {
	s := f.S
	s.IntervalString = append([]byte{byte(s.ShootDays)}, fmt.Sprintf("%02d%02d%02d", s.StartHour, s.EndHour, s.Interval)...)
}

// boot is setup() after a power-up or a soft reset at t.
func (f *Firmware) boot(t time.Time) {
	s := f.S
	s.Boots++
	// RAM starts over.
	s.Interval, s.ShootDays, s.StartHour, s.EndHour = 15, 0xFE, 0, 23
	s.WakePiHour, s.WakePiDuration = 25, 30
	s.ShootFastInterval, s.ShootFastCount, s.PiShutdownMinute = 0, 0, 0
	s.LastShot, s.NextShot = "19999", "19999"
	s.IntervalString, s.TempString = nil, ""
	s.SendToPi = make([]byte, 32)
	s.Flags, s.RAFlag, s.Alarm, s.WakePi = nil, false, false, true
	s.LastRunning = false
	s.VoltSum, s.VoltN = 0, 0
	s.PiPower, s.PiShutdown = false, true
	s.Snap = Snap{}

	healthy := s.A1IE
	c := t.Add(time.Second)
	if healthy {
		c = c.Add(1600 * time.Millisecond)
		e := s.EEPROM
		s.Interval, s.ShootDays, s.StartHour, s.EndHour = int(e[memInterval]), int(e[memDays]), int(e[memStart]), int(e[memEnd])
		s.WakePiHour, s.WakePiDuration = int(e[memWakeHour]), int(e[memWakeDur])
		for i := range s.DailyTemps {
			s.DailyTemps[i] = int8(e[memTemp0+i])
		}
	} else {
		c = c.Add(3200 * time.Millisecond)
		f.setTime(c, 2018, 1, 1, 12, 0, 1)
		f.setAlarm2(c, true)
		e := s.EEPROM
		e[memDays], e[memStart], e[memEnd], e[memInterval] = byte(s.ShootDays), byte(s.StartHour), byte(s.EndHour), byte(s.Interval)
		e[memWakeHour], e[memWakeDur] = byte(s.WakePiHour), byte(s.WakePiDuration)
		e[memTempMin], e[memTempMax] = 127, 0x80
		for i := range s.DailyTemps {
			s.DailyTemps[i] = -128
		}
	}
	if s.Interval > 60 {
		s.ShootFastInterval = s.Interval - 60
	}
	f.reading(c, "", -1)
	s.Volts = make([]byte, 24)
	for i := range s.Volts {
		s.Volts[i] = 0xFF
		if s.VoltADC >= 0 {
			s.Volts[i] = 10
		}
	}
	s.VoltPending = true
	f.buildIntervalString()
	s.Snap = snapOf(f.regs(c))
	s.A1IE, s.A2IE = true, true
	c = c.Add(400 * time.Millisecond)
	f.setAlarm1(c)
	s.Alarm, s.AlarmAt = true, c
	c = c.Add(2000 * time.Millisecond)
	s.LoopFree = c
	if s.AlarmAt.Before(c) {
		s.AlarmAt = c
	}
}

// ---- the I2C slave ----

// ErrNACK is what the master sees when it writes more than the firmware's
// 32-byte receive buffer holds.
var ErrNACK = fmt.Errorf("arduino sim: write longer than 32 bytes NACKed")

// Receive is the firmware's I2C receive callback for a master write of
// data (the bytes after the address) at host time now.
func (f *Firmware) Receive(now time.Time, data []byte) error {
	f.Advance(now)
	s := f.S
	if len(data) > 32 {
		return ErrNACK
	}
	if len(data) == 0 {
		return nil
	}
	in := make([]byte, 0, len(data))
	for _, b := range data {
		if b != 0 {
			in = append(in, b)
		}
	}
	if len(data) == 1 {
		s.Bus.Queries++
		f.answer(now, in)
		return nil
	}
	s.Bus.Commands++
	str := string(in)
	var kind, payload string
	switch {
	case str == "WC", str == "RA", str == "GT", str == "RN", str == "RX", str == "EX":
		kind = str
	case len(str) >= 3 && (str[:3] == "ST=" || str[:3] == "SI=" || str[:3] == "SP="):
		kind, payload = str[:2], str[3:]
	default:
		return nil // unknown commands are ignored
	}
	at := now.Add(PassLatency)
	for i, p := range s.Flags {
		if p.Kind == kind { // a flag set twice is acted on once, last payload
			s.Flags[i].Payload = []byte(payload)
			return nil
		}
	}
	s.Flags = append(s.Flags, Pending{Kind: kind, Payload: []byte(payload), At: at})
	if kind == "WC" {
		// The camera is told at once (with the instant the pulse will
		// start, as far as is known now), so that a simulated camera sees
		// the wake without anyone touching the board again.
		f.Wakes = append(f.Wakes, maxTime(at, s.LoopFree))
		s.Wakes++
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// put is sprintf into sendToPi: the text and its terminator; whatever was
// beyond stays.
func (f *Firmware) put(b []byte) {
	s := f.S
	if len(b) > 31 {
		b = b[:31]
	}
	copy(s.SendToPi, b)
	s.SendToPi[len(b)] = 0
}

func (f *Firmware) answer(now time.Time, in []byte) {
	s := f.S
	q := ""
	if len(in) > 0 {
		q = string(in)
	}
	switch q {
	case "0":
		r := f.regs(now)
		s.Snap = snapOf(r)
		month := r.Month
		if r.Century {
			month += 80
		}
		f.put(fmt.Appendf(nil, "20%02d%02d%02d", r.Year, month, r.Day))
	case "1":
		f.put(fmt.Appendf(nil, "%02d%02d%02d", s.Snap.Hour, s.Snap.Minute, s.Snap.Second))
	case "2":
		f.put([]byte(s.LastShot + ":" + s.NextShot))
	case "3":
		f.put(s.IntervalString)
	case "4":
		f.put([]byte(s.TempString))
	case "5":
		f.put(fmt.Appendf(nil, "%02d%02d", s.WakePiHour, s.WakePiDuration))
	case "6":
		f.put([]byte(Version))
	case "7":
		for i, v := range s.DailyTemps {
			s.SendToPi[i] = byte(v)
		}
		s.SendToPi[24] = 0
	case "8":
		copy(s.SendToPi, s.Volts)
		s.SendToPi[24] = 0
	case "9":
		f.put(fmt.Appendf(nil, "%02d", s.PiShutdownMinute))
	default:
		v := 0
		if len(in) > 0 {
			v = int(int8(in[0]))
		}
		f.put(fmt.Appendf(nil, "Bad request - %d", v))
	}
}

// Read is the firmware's request callback: the reply buffer as it stands.
// A master reading more than 32 bytes gets 0xFF after them.
func (f *Firmware) Read(now time.Time, n int) []byte {
	f.Advance(now)
	out := make([]byte, n)
	for i := range out {
		out[i] = 0xFF
	}
	copy(out, f.S.SendToPi)
	return out
}

// Ask is a whole query: the write of code, then a 32-byte read.
func (f *Firmware) Ask(now time.Time, code byte) [32]byte {
	var r [32]byte
	f.Receive(now, []byte{code})
	copy(r[:], f.Read(now, 32))
	return r
}

// Send is a whole command: register 0, then text.
func (f *Firmware) Send(now time.Time, text string) error {
	return f.Receive(now, append([]byte{0}, text...))
}
