package arduino

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// reply builds a 32-byte reply: text, its NUL, then a stale tail as the
// firmware leaves it.
func reply(text string) Reply {
	var r Reply
	copy(r[:], "Bad request - -128 stale leftovers")
	n := copy(r[:], text)
	if n < ReplyLen {
		r[n] = 0
	}
	return r
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate(reply("20240315"))
	if err != nil || d != (Date{2024, time.March, 15}) {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	for _, bad := range []string{"", "2024031", "202403155", "2024x315", "20241315", "20240230", "20188101", "Unknown!", "-2024031"} {
		if _, err := ParseDate(reply(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseDate(%q) err = %v, want malformed", bad, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	c, err := ParseTime(reply("142705"))
	if err != nil || c != (Clock{14, 27, 5}) || c.String() != "14:27:05" {
		t.Fatalf("ParseTime = %v, %v", c, err)
	}
	for _, bad := range []string{"", "14270", "1427055", "246000", "126000", "125960", "12:345"} {
		if _, err := ParseTime(reply(bad)); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestParseShots(t *testing.T) {
	s, err := ParseShots(reply("19999:21215"))
	if err != nil || s.Last.Set || !s.Next.Set || s.Next.Weekday != time.Monday || s.Next.Hour != 12 || s.Next.Minute != 15 {
		t.Fatalf("ParseShots = %+v, %v", s, err)
	}
	if s.Next.String() != "Monday 12:15" || s.Last.String() != "none" {
		t.Errorf("strings %q %q", s.Next, s.Last)
	}
	s, err = ParseShots(reply("71030:10000"))
	if err != nil || s.Last.Weekday != time.Saturday || s.Next.Weekday != time.Sunday {
		t.Fatalf("ParseShots = %+v, %v", s, err)
	}
	for _, bad := range []string{"", "19999", "19999-21215", "09999:21215", "81215:21215", "12415:21215", "11260:21215", "19999:2121"} {
		if _, err := ParseShots(reply(bad)); err == nil {
			t.Errorf("ParseShots(%q) accepted", bad)
		}
	}
	sched := Schedule{Days: EveryDay, StartHour: 6, EndHour: 20, Interval: 70}
	if got := FormatNextShot(Shot{Set: true, Weekday: time.Monday, Hour: 8}, sched); got != "(every 10s) Monday 08:00" {
		t.Errorf("FormatNextShot = %q", got)
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule(reply("\x7C081705"))
	if err != nil {
		t.Fatal(err)
	}
	want := Schedule{Days: MaskOf(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), StartHour: 8, EndHour: 17, Interval: 5}
	if s != want {
		t.Fatalf("ParseSchedule = %+v, want %+v", s, want)
	}
	if s.ShotsPerDay() != 9*12 || s.ShootFast() || s.Every() != 5*time.Minute {
		t.Errorf("derived: %v/day fast=%v every=%v", s.ShotsPerDay(), s.ShootFast(), s.Every())
	}
	if got := s.Days.Weekdays(); len(got) != 5 || got[0] != time.Monday {
		t.Errorf("weekdays %v", got)
	}
	fast, err := ParseSchedule(reply("\xFE200670"))
	if err != nil || !fast.ShootFast() || fast.Every() != 10*time.Second || fast.ShotsPerHour() != 360 || fast.Hours() != 10 {
		t.Errorf("overnight shoot-fast %+v %v", fast, err)
	}
	for _, bad := range []string{"", "\xFE00231", "\xFE0023155", "\xFE2423 5", "\xFE002391", "\xFE0025 5", "\xFE0000 5"} {
		if _, err := ParseSchedule(reply(bad)); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

func TestParseTemperatures(t *testing.T) {
	v, err := ParseTemperatures(reply("-3,12,-7"))
	if err != nil || v != (Temperatures{-3, 12, -7}) {
		t.Fatalf("ParseTemperatures = %v, %v", v, err)
	}
	for _, bad := range []string{"", "1,2", "1,2,3,4", "a,2,3", "1,,3", "200,1,1", "+1,2,3", " 1,2,3"} {
		if _, err := ParseTemperatures(reply(bad)); err == nil {
			t.Errorf("ParseTemperatures(%q) accepted", bad)
		}
	}
}

func TestParseWakeWindow(t *testing.T) {
	w, err := ParseWakeWindow(reply("2530"))
	if err != nil || !w.AlwaysOn() || w.Minutes != 30 {
		t.Fatalf("ParseWakeWindow = %v, %v", w, err)
	}
	w, err = ParseWakeWindow(reply("1815"))
	if err != nil || w.AlwaysOn() || w.Hour != 18 || w.Minutes != 15 {
		t.Fatalf("ParseWakeWindow = %v, %v", w, err)
	}
	for _, bad := range []string{"", "253", "25300", "2604", "1861", "18a5", "2504"} {
		if _, err := ParseWakeWindow(reply(bad)); err == nil {
			t.Errorf("ParseWakeWindow(%q) accepted", bad)
		}
	}
}

func TestParseHourly(t *testing.T) {
	var r Reply
	for i := 0; i < 24; i++ {
		r[i] = byte(int8(i - 12))
	}
	r[0] = 0x80
	r[25] = 'x'
	h, err := ParseHourlyTemps(r)
	if err != nil || h[1] != -11 || h.Measured(0) || !h.Measured(1) || h[12] != 0 {
		t.Fatalf("ParseHourlyTemps = %v, %v", h, err)
	}
	r[24] = 7
	if _, err := ParseHourlyTemps(r); err == nil {
		t.Error("hourly temperatures without terminator accepted")
	}

	var v Reply
	for i := 0; i < 24; i++ {
		v[i] = 0xFF
	}
	hv, err := ParseHourlyVoltages(v)
	if err != nil || hv.Fitted {
		t.Fatalf("no voltmeter: %+v %v", hv, err)
	}
	for i := 0; i < 24; i++ {
		v[i] = byte(10 + 120 + i)
	}
	v[3] = 10
	hv, err = ParseHourlyVoltages(v)
	if err != nil || !hv.Fitted || hv.Volts(0) != 12.0 || hv.Tenths[3] != 0 {
		t.Fatalf("voltages %+v %v", hv, err)
	}
	v[5] = 0
	if _, err := ParseHourlyVoltages(v); err == nil {
		t.Error("short voltage string accepted")
	}
	v[5] = 9
	if _, err := ParseHourlyVoltages(v); err == nil {
		t.Error("voltage byte 9 accepted")
	}
}

func TestParseShutdownMinute(t *testing.T) {
	for text, want := range map[string]ShutdownMinute{"00": 0, "31": 31, "81": 81, "120": 120, "255": 255} {
		got, err := ParseShutdownMinute(reply(text))
		if err != nil || got != want {
			t.Errorf("ParseShutdownMinute(%q) = %v, %v", text, got, err)
		}
	}
	if left, ok := ShutdownMinute(31).MinutesLeft(0); !ok || left != 30 {
		t.Errorf("MinutesLeft = %d %v", left, ok)
	}
	if _, ok := ShutdownMinute(120).MinutesLeft(0); ok {
		t.Error("120 counted as pending")
	}
	for _, bad := range []string{"", "0", "1234", "256", "0x", "-1", "012"} {
		if _, err := ParseShutdownMinute(reply(bad)); err == nil {
			t.Errorf("ParseShutdownMinute(%q) accepted", bad)
		}
	}
}

func TestVersions(t *testing.T) {
	v, err := ParseVersionReply(reply("5.0.1"))
	if err != nil || !v.Valid() || v.String() != "5.0.1" {
		t.Fatalf("version %v %v", v, err)
	}
	for _, min := range []Version{MinTemps24, MinVolts24, MinShutdown, MinShootFast} {
		if !v.AtLeast(min) {
			t.Errorf("5.0.1 below %v", min)
		}
	}
	cases := []struct {
		a, b string
		cmp  int
	}{
		{"4.5.4", "4.5.5", -1}, {"4.5", "4.5.0", 0}, {"4.6.0rc1", "4.6.0", -1}, {"4.6.0b2", "4.6.0rc1", -1},
		{"10.0", "9.9.9", 1}, {"v4.5.0", "4.5.0", 0}, {"junk", "0", 0}, {"", "4.5.0", -1}, {"4.5.x", "0", 0},
	}
	for _, c := range cases {
		if got := ParseVersion(c.a).Compare(ParseVersion(c.b)); got != c.cmp {
			t.Errorf("compare %q %q = %d, want %d", c.a, c.b, got, c.cmp)
		}
	}
	if ParseVersion("Unknown").AtLeast(MinTemps24) {
		t.Error("invalid version passes a gate")
	}
	if _, err := ParseVersionReply(reply("5.0\x01")); err == nil {
		t.Error("binary version accepted")
	}
}

func TestEncoders(t *testing.T) {
	loc := time.FixedZone("AEST", 10*3600)
	c, err := EncodeSetTime(time.Date(2024, 2, 29, 23, 59, 30, 0, loc))
	if err != nil || string(c.Text) != "ST=20240229235930" {
		t.Errorf("ST = %q %v", c.Text, err)
	}
	if _, err := EncodeSetTime(time.Date(2100, 1, 1, 0, 0, 0, 0, loc)); err == nil {
		t.Error("year 2100 accepted")
	}
	c, err = EncodeSetSchedule(Schedule{Days: 0x7C, StartHour: 8, EndHour: 17, Interval: 5})
	if err != nil || !bytes.Equal(c.Text, []byte("SI=\x7C081705")) {
		t.Errorf("SI = %q %v", c.Text, err)
	}
	for _, bad := range []Schedule{
		{Days: 0, StartHour: 8, EndHour: 17, Interval: 5},
		{Days: 0x01, StartHour: 8, EndHour: 17, Interval: 5},
		{Days: 0xFF, StartHour: 8, EndHour: 17, Interval: 5},
		{Days: 0xFE, StartHour: 24, EndHour: 17, Interval: 5},
		{Days: 0xFE, StartHour: 8, EndHour: 0, Interval: 5},
		{Days: 0xFE, StartHour: 8, EndHour: 8, Interval: 5},
		{Days: 0xFE, StartHour: 8, EndHour: 17, Interval: 0},
		{Days: 0xFE, StartHour: 8, EndHour: 17, Interval: 91},
	} {
		if _, err := EncodeSetSchedule(bad); err == nil {
			t.Errorf("schedule %+v accepted", bad)
		}
	}
	c, err = EncodeSetWakeWindow(25, 30)
	if err != nil || string(c.Text) != "SP=2530" {
		t.Errorf("SP = %q %v", c.Text, err)
	}
	for _, bad := range [][2]int{{24, 30}, {-1, 30}, {26, 30}, {18, 4}, {18, 61}} {
		if _, err := EncodeSetWakeWindow(bad[0], bad[1]); err == nil {
			t.Errorf("wake window %v accepted", bad)
		}
	}
	for _, bad := range [][]byte{nil, []byte("W"), []byte("S\x00"), bytes.Repeat([]byte("x"), 32)} {
		if err := CheckCommand(bad); err == nil {
			t.Errorf("command %q accepted", bad)
		}
	}
	if err := CheckCommand([]byte(strings.Repeat("x", 31))); err != nil {
		t.Error(err)
	}
}

// fuzzReply turns fuzz input into a reply (short inputs padded with zeros).
func fuzzReply(b []byte) Reply {
	var r Reply
	copy(r[:], b)
	return r
}

func seeds(f *testing.F, texts ...string) {
	for _, s := range texts {
		r := reply(s)
		f.Add(r[:])
	}
}

func FuzzParseDate(f *testing.F) {
	seeds(f, "20240315", "20180101", "20240230", "2024031", "")
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDate(fuzzReply(b))
		if err == nil && (d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31) {
			t.Fatalf("accepted impossible date %v", d)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	seeds(f, "142705", "000000", "235959", "246000", "")
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseTime(fuzzReply(b))
		if err == nil && (c.Hour > 23 || c.Minute > 59 || c.Second > 59 || c.Hour < 0) {
			t.Fatalf("accepted %v", c)
		}
	})
}

func FuzzParseShots(f *testing.F) {
	seeds(f, "19999:21215", "71030:10000", "19999:19999", "x9999:21215")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseShots(fuzzReply(b))
		if err == nil {
			for _, sh := range []Shot{s.Last, s.Next} {
				if sh.Set && (sh.Weekday < 0 || sh.Weekday > 6 || sh.Hour > 23 || sh.Minute > 59) {
					t.Fatalf("accepted %+v", sh)
				}
			}
		}
	})
}

func FuzzParseSchedule(f *testing.F) {
	seeds(f, "\xFE002315", "\x7C081705", "\xFE062070", "\x01002315", "\xFF255255")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSchedule(fuzzReply(b))
		if err == nil {
			if s.StartHour > 23 || s.EndHour > 24 || s.Interval > 90 {
				t.Fatalf("accepted %+v", s)
			}
			_ = s.ShotsPerDay() // must not divide by zero
			_ = s.Every()
		}
	})
}

func FuzzParseTemperatures(f *testing.F) {
	seeds(f, "-3,12,-7", "23,31,-2", "0,0,0", "-128,127,-128", "1,2")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseTemperatures(fuzzReply(b))
		if err == nil && (v.Current < -128 || v.Current > 127 || v.Max < -128 || v.Min > 127) {
			t.Fatalf("accepted %+v", v)
		}
	})
}

func FuzzParseWakeWindow(f *testing.F) {
	seeds(f, "2530", "1815", "2460", "2604", "")
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWakeWindow(fuzzReply(b))
		if err == nil && (w.Hour > 25 || w.Minutes < 5 || w.Minutes > 60) {
			t.Fatalf("accepted %+v", w)
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	seeds(f, "5.0.1", "4.6.0rc1", "Unknown", "v4.5", "1.2.3.4.5", "4..5", "rc")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseVersionReply(fuzzReply(b))
		if err == nil {
			_ = v.String()
			if v.Compare(v) != 0 {
				t.Fatalf("%v not equal to itself", v)
			}
			if !v.Valid() && v.AtLeast(MinTemps24) {
				t.Fatalf("invalid version %q passes a gate", v.Raw)
			}
		}
	})
}

func FuzzParseHourlyTemps(f *testing.F) {
	var r Reply
	for i := range 24 {
		r[i] = 0x80
	}
	f.Add(r[:])
	f.Add(make([]byte, 32))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		in := fuzzReply(b)
		h, err := ParseHourlyTemps(in)
		if err == nil && byte(h[23]) != in[23] {
			t.Fatalf("hour 23 %d from byte %#x", h[23], in[23])
		}
	})
}

func FuzzParseHourlyVoltages(f *testing.F) {
	var r Reply
	for i := range 24 {
		r[i] = 0xFF
	}
	f.Add(r[:])
	for i := range 24 {
		r[i] = 138
	}
	f.Add(r[:])
	f.Add([]byte{10, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseHourlyVoltages(fuzzReply(b))
		if err == nil && v.Fitted {
			for _, x := range v.Tenths {
				if x < 0 || x > 180 {
					t.Fatalf("accepted %d tenths", x)
				}
			}
		}
	})
}

func FuzzParseShutdownMinute(f *testing.F) {
	seeds(f, "00", "31", "120", "255", "256", "7", "")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseShutdownMinute(fuzzReply(b))
		if err == nil && (s < 0 || s > 255) {
			t.Fatalf("accepted %d", s)
		}
	})
}

// Shots per hour and per day, as the original's getShotsPerDay works them
// out (Python 3 true division; the figures are what Python prints), not the
// integer division the port once used on Home (8 an hour, 112 a day for the
// 7-minute case). The Home and Intervalometer pages show these.
func TestShotsPerDay(t *testing.T) {
	for _, c := range []struct {
		s               Schedule
		perHour, perDay float64
	}{
		{Schedule{StartHour: 8, EndHour: 18, Interval: 5}, 12, 120},
		{Schedule{StartHour: 22, EndHour: 6, Interval: 2}, 30, 240},                              // wraps midnight
		{Schedule{StartHour: 8, EndHour: 9, Interval: 70}, 360, 360},                             // every 10 s
		{Schedule{StartHour: 6, EndHour: 20, Interval: 7}, 8.571428571428571, 120},               // Python: 60/7, 14*(60/7)
		{Schedule{StartHour: 6, EndHour: 7, Interval: 67}, 514.2857142857142, 514.2857142857142}, // every 7 s; Python: 60*(60/7)
		{Schedule{StartHour: 8, EndHour: 18, Interval: 0}, 0, 0},
	} {
		if got := c.s.ShotsPerHour(); got != c.perHour {
			t.Errorf("%+v: %v shots an hour, want %v", c.s, got, c.perHour)
		}
		if got := c.s.ShotsPerDay(); got != c.perDay {
			t.Errorf("%+v: %v shots a day, want %v", c.s, got, c.perDay)
		}
	}
}
