package sim

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// rig drives a Firmware on a virtual host clock.
type rig struct {
	t   *testing.T
	f   *Firmware
	now time.Time
}

var hostStart = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// newRig powers up a factory-fresh board and lets setup finish.
func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, f: New(NewState()), now: hostStart}
	r.f.PowerOn(r.now)
	r.step(10 * time.Second)
	return r
}

func (r *rig) step(d time.Duration) {
	r.now = r.now.Add(d)
	r.f.Advance(r.now)
}

func (r *rig) raw(code byte) [32]byte { return r.f.Ask(r.now, code) }

func (r *rig) ask(code byte) string {
	b := r.raw(code)
	if i := bytes.IndexByte(b[:], 0); i >= 0 {
		return string(b[:i])
	}
	return string(b[:])
}

// send writes a command and gives the loop time to act on it.
func (r *rig) send(text string) {
	r.t.Helper()
	if err := r.f.Send(r.now, text); err != nil {
		r.t.Fatalf("send %q: %v", text, err)
	}
	r.step(20 * time.Millisecond)
}

func (r *rig) expect(code byte, want string) {
	r.t.Helper()
	if got := r.ask(code); got != want {
		r.t.Errorf("query %q = %q, want %q", code, got, want)
	}
}

// Conformance check 1: cold start.
func TestColdStart(t *testing.T) {
	r := newRig(t)
	r.expect('0', "20180101")
	if tm := r.ask('1'); !strings.HasPrefix(tm, "1200") || len(tm) != 6 {
		t.Errorf("time after cold start = %q, want 1200xx", tm)
	}
	r.expect('3', "\xFE002315")
	r.expect('5', "2530")
	r.expect('6', "5.0.1")
	r.expect('2', "19999:21215")
	r.expect('9', "00")
	b := r.raw('8')
	if !bytes.Equal(b[:24], bytes.Repeat([]byte{0xFF}, 24)) || b[24] != 0 {
		t.Errorf("voltages = % x", b[:25])
	}
	b = r.raw('7')
	if !bytes.Equal(b[:24], bytes.Repeat([]byte{0x80}, 24)) || b[24] != 0 {
		t.Errorf("hourly temperatures = % x", b[:25])
	}
	if !r.f.S.PiPower {
		t.Error("PI_POWER low after the first pass")
	}
	e := r.f.S.EEPROM
	temp := byte(int8(roundQ(r.f.tempQ(r.now))))
	want := []byte{0x0F, 0xFF, 0xFE, 0x00, 0x17, 0x19, 0x1E}
	if !bytes.Equal(e[:7], want) || e[7] != e[8] || (e[7] != temp && e[7] != temp-1 && e[7] != temp+1) {
		t.Errorf("EEPROM 0..8 = % x, want % x t t (t≈%d)", e[:9], want, int8(temp))
	}
	if r.f.S.Boots != 1 {
		t.Errorf("boots = %d", r.f.S.Boots)
	}
}

// Conformance checks 2 and 3: SI= applied, and SI= of the wrong length.
func TestSetInterval(t *testing.T) {
	r := newRig(t)
	r.send("SI=\x7C081705")
	r.expect('3', "\x7C081705")
	// Monday 12:00 in a Mon-Fri 08-17 every-5-minutes schedule.
	r.expect('2', "19999:21205")
	e := r.f.S.EEPROM
	if e[0] != 0x05 || e[2] != 0x7C || e[3] != 0x08 || e[4] != 0x11 {
		t.Errorf("EEPROM after SI = % x", e[:5])
	}
	r.f.S.NextShot = "stale"
	r.send("SI=\x7C08175")
	r.expect('3', "\x7C081705")
	r.expect('2', "19999:21205")
	if e := r.f.S.EEPROM; e[0] != 0x05 {
		t.Errorf("short SI changed EEPROM: % x", e[:5])
	}
	// Out-of-range fields are refused one by one.
	r.send("SI=\xFE259991")
	r.expect('3', "\xFE081705")
	// A mask without weekdays is refused instead of hanging the firmware.
	r.send("SI=\x01002315")
	r.expect('3', "\xFE081705")
}

// Conformance checks 4 and 5: SP=.
func TestSetWakePi(t *testing.T) {
	r := newRig(t)
	r.send("ST=20240318101700")
	r.send("SP=1830")
	r.expect('5', "1830")
	r.expect('9', "48") // minute 17 + 30 + 1
	r.send("SP=2599")
	r.expect('5', "2530")
	r.send("SP=25None")
	r.expect('5', "2530")
}

// Conformance check 6: a leap day rolls over, and the weekday with it.
func TestLeapDayRollover(t *testing.T) {
	r := newRig(t)
	r.send("ST=20240229235930")
	r.expect('0', "20240229")
	if d := r.f.S.RTC.DOW; d != 5 {
		t.Errorf("DOW of 2024-02-29 = %d, want 5 (Thursday)", d)
	}
	r.step(30 * time.Second)
	r.expect('0', "20240301")
	if d := r.f.S.RTC.DOW; d != 6 {
		t.Errorf("DOW of 2024-03-01 = %d, want 6 (Friday)", d)
	}
	r.expect('1', "000000")
}

// Conformance check 7: bad requests print the byte as a signed char.
func TestBadRequest(t *testing.T) {
	r := newRig(t)
	r.expect('A', "Bad request - 65")
	r.expect(0xC8, "Bad request - -56")
	r.expect(0x00, "Bad request - 0")
	// The buffer is never cleared: a shorter answer leaves the tail.
	b := r.raw('6')
	if string(b[:6]) != "5.0.1\x00" || string(b[6:16]) != "quest - 0\x00" {
		t.Errorf("stale tail not kept: %q", b[:16])
	}
	// A register-0 write carrying "3" is an (ignored) command, not a query.
	if err := r.f.Receive(r.now, []byte{0, '3'}); err != nil {
		t.Fatal(err)
	}
	r.expect('9', "00")
	if err := r.f.Receive(r.now, bytes.Repeat([]byte{'x'}, 33)); err != ErrNACK {
		t.Errorf("33-byte write: %v, want NACK", err)
	}
}

// Conformance check 8: rounding and the min/max resets.
func TestTemperatures(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		q    int
		want string
	}{{-2, "-1"}, {-1, "0"}, {86, "22"}, {93, "23"}, {-6, "-2"}} {
		r.f.S.TempBaseQ, r.f.S.TempSwingQ = c.q, 0
		r.send("GT")
		if got := strings.Split(r.ask('4'), ",")[0]; got != c.want {
			t.Errorf("temperature %v quarter degrees -> %s, want %s", c.q, got, c.want)
		}
	}
	if got := r.ask('4'); got != "-2,23,-2" {
		t.Errorf("temperatures = %q", got)
	}
	r.f.S.TempBaseQ = 40
	r.send("RN")
	r.expect('4', "10,23,10")
	r.send("RX")
	r.expect('4', "10,10,10")
}

// Conformance check 9: the overnight Sunday bug, and its fix.
func TestOvernightSundayBug(t *testing.T) {
	for _, fix := range []bool{false, true} {
		r := newRig(t)
		r.f.S.FixSundayBug = fix
		r.send("SI=\x80200630")
		r.send("ST=20240323233000") // Saturday
		r.expect('2', "19999:10000")
		before := r.f.S.Shots
		r.step(31 * time.Minute) // Sunday 00:01
		got := r.f.S.Shots - before
		want := int64(0)
		if fix {
			want = 1
		}
		if got != want {
			t.Errorf("fix=%v: %d photos at Sunday 00:00, want %d", fix, got, want)
		}
	}
}

// Conformance check 10: the Pi up at hh:29 for 30 minutes is shut down an
// hour late, at (hh+2):00.
func TestShutdownMinuteSixty(t *testing.T) {
	r := newRig(t)
	r.step(time.Minute) // the simulated Pi is up and running
	if !r.f.S.PiRunning {
		t.Fatal("simulated Pi not running")
	}
	r.send("SP=0830")
	r.send("ST=20240318102900")
	r.expect('9', "60")
	r.step(31*time.Minute + 10*time.Second) // 11:00:10
	if !r.f.S.PiShutdown {
		t.Fatal("shutdown asked at 11:00")
	}
	r.expect('9', "00")
	r.step(59 * time.Minute) // 11:59:10
	if !r.f.S.PiShutdown {
		t.Fatal("shutdown asked before 12:00")
	}
	r.step(time.Minute) // 12:00:10
	if r.f.S.PiShutdown {
		t.Fatal("no shutdown request at 12:00")
	}
	r.expect('9', "120")
	r.step(15 * time.Second)
	if r.f.S.PiRunning || r.f.S.PiPower {
		t.Errorf("Pi still running %v / powered %v after halting", r.f.S.PiRunning, r.f.S.PiPower)
	}
}

// The daily cycle of §7.8: wake at 18:00, shut down at 18:31.
func TestDailyCycle(t *testing.T) {
	r := newRig(t)
	r.step(time.Minute)
	r.send("SP=1830")
	r.send("ST=20240318100000")
	r.step(30 * time.Minute) // 10:30: the countdown from 10:00 ends at 10:31
	r.step(2 * time.Minute)
	r.step(15 * time.Second)
	if r.f.S.PiPower {
		t.Fatal("Pi still powered after the countdown")
	}
	r.step(7*time.Hour + 27*time.Minute) // 17:59:xx
	if r.f.S.PiPower {
		t.Fatal("Pi powered before the wake hour")
	}
	r.step(2 * time.Minute)
	if !r.f.S.PiPower {
		t.Fatal("Pi not powered at 18:00")
	}
	r.step(time.Minute) // booted by now
	r.expect('0', "20240318")
	r.expect('9', "31")
	r.step(31 * time.Minute)
	if r.f.S.PiPower {
		t.Error("Pi still powered at 18:32")
	}
}

func TestEXAndRA(t *testing.T) {
	r := newRig(t)
	r.step(time.Minute)
	r.send("SP=0830")
	r.send("ST=20240318101000")
	r.expect('9', "41")
	r.step(5*time.Minute + 3*time.Second) // clear of the 10:15 photo
	r.send("EX")
	r.expect('9', "46")
	// RA: the Pi is asked to halt, then the board resets (healthy boot).
	boots := r.f.S.Boots
	r.send("RA")
	if r.f.S.PiShutdown {
		t.Fatal("RA did not ask the Pi to shut down")
	}
	r.step(PiHaltDelay + 10*time.Second)
	if r.f.S.Boots != boots+1 {
		t.Fatalf("boots = %d, want %d", r.f.S.Boots, boots+1)
	}
	r.expect('0', "20240318") // the clock survived: a healthy boot
	r.expect('5', "0830")     // loaded from EEPROM
	r.expect('9', "00")       // RAM starts over
	if !strings.HasPrefix(r.ask('2'), "19999:") {
		t.Error("last shot survived the reset")
	}
	r.step(time.Minute)
	if !r.f.S.PiPower || !r.f.S.PiRunning {
		t.Error("Pi not powered up again after the reset")
	}
}

// The next-shot examples of §7.4.
func TestNextShotExamples(t *testing.T) {
	// March 2024: Sun 17, Mon 18, ..., Sat 23.
	day := map[string]int{"Sun": 17, "Mon": 18, "Tue": 19, "Wed": 20, "Thu": 21, "Fri": 22, "Sat": 23}
	cases := []struct {
		when     string
		interval int
		start    int
		end      int
		mask     byte
		want     string
	}{
		{"Mon 10:07", 15, 8, 17, 0x7C, "21015"},
		{"Fri 16:50", 15, 8, 17, 0x7C, "20800"},
		{"Mon 06:20", 15, 8, 17, 0x7C, "20800"},
		{"Sat 12:00", 15, 8, 17, 0x7C, "20800"},
		{"Mon 10:56", 7, 0, 24, 0xFE, "21103"},
		{"Mon 10:00", 45, 0, 24, 0xFE, "21045"},
		{"Mon 10:45", 45, 0, 24, 0xFE, "21130"},
		{"Sat 23:59", 1, 0, 24, 0xFE, "10000"},
		{"Mon 10:07", 65, 8, 17, 0xFE, "21008"},
		{"Wed 22:50", 10, 0, 23, 0xFE, "50000"},
		{"Fri 23:40", 30, 20, 6, 0x40, "70000"},
		{"Sat 05:30", 30, 20, 6, 0x40, "62000"},
		{"Sun 03:00", 30, 20, 6, 0x02, "12000"},
		{"Sat 23:30", 30, 20, 6, 0x80, "10000"},
		{"Wed 12:00", 10, 5, 5, 0xFE, "41210"},
	}
	for _, c := range cases {
		r := newRig(t)
		r.send("SI=" + string([]byte{c.mask}) + fmt.Sprintf("%02d%02d%02d", c.start, c.end, c.interval))
		var h, m int
		fmt.Sscanf(c.when[4:], "%d:%d", &h, &m)
		r.send(fmt.Sprintf("ST=202403%02d%02d%02d00", day[c.when[:3]], h, m))
		if got := strings.Split(r.ask('2'), ":")[1]; got != c.want {
			t.Errorf("%s I=%d %02d-%02d mask %#02x: next %s, want %s", c.when, c.interval, c.start, c.end, c.mask, got, c.want)
		}
	}
}

func TestShootFastBurst(t *testing.T) {
	r := newRig(t)
	r.send("SI=\xFE002475") // every 15 s
	r.send("ST=20240318100030")
	r.f.Shots = nil
	r.step(30*time.Second - 20*time.Millisecond) // 10:01:00
	r.step(62 * time.Second)                     // 10:02:02
	if n := len(r.f.Shots); n != 5 {
		t.Fatalf("%d shots in the first minute and a bit, want 4 + 1: %v", n, r.f.Shots)
	}
	gaps := []time.Duration{}
	for i := 1; i < 4; i++ {
		gaps = append(gaps, r.f.Shots[i].Sub(r.f.Shots[i-1]))
	}
	if gaps[0] < 16*time.Second || gaps[0] > 16100*time.Millisecond || gaps[1] < 15*time.Second || gaps[1] > 15100*time.Millisecond {
		t.Errorf("burst gaps %v, want about 16 s then 15 s", gaps)
	}
	r.expect('2', "21002:21003")
	// SI= cancels a running burst.
	r.step(time.Second)
	r.send("SI=\xFE002415")
	before := r.f.S.Shots
	r.step(50 * time.Second)
	if r.f.S.Shots != before {
		t.Errorf("burst went on after SI=")
	}
}

func TestCommandsWaitForTheLoop(t *testing.T) {
	r := newRig(t)
	if err := r.f.Send(r.now, "SP=1230"); err != nil {
		t.Fatal(err)
	}
	r.expect('5', "2530") // not yet: the loop acts on its next pass
	r.step(PassLatency)
	r.expect('5', "1230")
	// A command landing during a photo waits for the shutter pulse.
	r.send("ST=20240318101459")
	r.step(time.Second) // 10:15:00 alarm 1: photo until 10:15:01.1
	if err := r.f.Send(r.now.Add(100*time.Millisecond), "SP=1330"); err != nil {
		t.Fatal(err)
	}
	r.step(200 * time.Millisecond)
	r.expect('5', "1230")
	r.step(time.Second)
	r.expect('5', "1330")
}

func TestHourlySamplesAndVoltmeter(t *testing.T) {
	r := newRig(t)
	r.f.S.TempBaseQ, r.f.S.TempSwingQ = -20, 0
	r.f.S.VoltADC = 700 // 700*183/1024 = 125 -> 12.5 V
	r.send("ST=20240318105950")
	r.step(20 * time.Second)
	b := r.raw('7')
	if int8(b[11]) != -5 || b[10] != 0x80 {
		t.Errorf("hourly temps % x", b[:25])
	}
	v := r.raw('8')
	if v[11] != 135 {
		t.Errorf("voltage at 11 = %d, want 135", v[11])
	}
}

func TestLongPauseIsBounded(t *testing.T) {
	r := newRig(t)
	r.send("SI=\xFE002461") // shoot-fast, every second
	start := time.Now()
	r.step(400 * 24 * time.Hour)
	t.Logf("catching up took %v for %d shots", time.Since(start), r.f.S.Shots)
	if len(r.f.Shots) != MaxShotBacklog {
		t.Errorf("backlog %d shots, want the cap %d", len(r.f.Shots), MaxShotBacklog)
	}
	r.expect('6', "5.0.1")
}

func TestRTCDayOfWeekFormula(t *testing.T) {
	for d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2100; d = d.AddDate(0, 0, 1) {
		if got, want := dayOfWeek(d.Year(), int(d.Month()), d.Day()), int(d.Weekday())+1; got != want {
			t.Fatalf("%s: firmware DOW %d, want %d", d.Format("2006-01-02"), got, want)
		}
	}
}

func TestToInt(t *testing.T) {
	for _, c := range []struct {
		s        string
		from, to int
		want     int
	}{{"2024", 0, 4, 2024}, {" -12x", 0, 5, -12}, {"ab", 0, 2, 0}, {"12", 1, 9, 2}, {"12", 5, 9, 0}, {"+7", 0, 2, 7}} {
		if got := toInt(c.s, c.from, c.to); got != c.want {
			t.Errorf("toInt(%q,%d,%d) = %d, want %d", c.s, c.from, c.to, got, c.want)
		}
	}
}
