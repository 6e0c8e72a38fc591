package schedule

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	mon9 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local) // a Monday
	for _, tc := range []struct {
		name string
		r    Rule
		tr   Trigger
		at   time.Time
		want bool
	}{
		{"now trumps all", Rule{Day: "Off"}, Now, mon9, true},
		{"daily at its hour", Rule{Day: "Daily", Hour: "09", WakePiHour: "25"}, Timer, mon9, true},
		{"daily at the wake hour", Rule{Day: "Daily", Hour: "14", WakePiHour: "09"}, Timer, mon9, true},
		{"daily, other hour", Rule{Day: "Daily", Hour: "14", WakePiHour: "25"}, Timer, mon9, false},
		{"weekday match", Rule{Day: "Monday", Hour: "09", WakePiHour: "25"}, Timer, mon9, true},
		{"weekday mismatch", Rule{Day: "Tuesday", Hour: "09", WakePiHour: "09"}, Timer, mon9, false},
		{"off", Rule{Day: "Off", Hour: "09", WakePiHour: "09"}, Timer, mon9, false},
		{"afterCopy never by the clock", Rule{Day: "afterCopy", Hour: "09", WakePiHour: "09"}, Timer, mon9, false},
		{"boot with flag", Rule{Day: "Off", OnBoot: true}, Boot, mon9, true},
		{"boot without flag", Rule{Day: "Off"}, Boot, mon9, false},
		{"boot, due anyway by the clock", Rule{Day: "Daily", Hour: "09"}, Boot, mon9, true},
		{"unpadded hour", Rule{Day: "Daily", Hour: "9", WakePiHour: "25"}, Timer, mon9, true},
		{"day in any case", Rule{Day: "monday", Hour: "09"}, Timer, mon9, true},
		{"always-on 25 never matches by the clock", Rule{Day: "Daily", WakePiHour: "25"}, Timer, time.Date(2026, 11, 30, 1, 0, 0, 0, time.Local), false},
		{"junk hour", Rule{Day: "Daily", Hour: "ten"}, Timer, mon9, false},
		{"the boot flag does not make a timer run", Rule{Day: "afterCopy", OnBoot: true}, Timer, mon9, false},
	} {
		if got, why := Due(tc.at, tc.r, tc.tr); got != tc.want {
			t.Errorf("%s: Due = %v (%s), want %v", tc.name, got, why, tc.want)
		}
	}
}

func TestParseTrigger(t *testing.T) {
	for in, want := range map[string]Trigger{"": Timer, "bootup": Boot, "copyNow": Now} {
		if got, err := ParseTrigger(in); err != nil || got != want {
			t.Errorf("ParseTrigger(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTrigger("sometimes"); err == nil {
		t.Error("bad trigger accepted")
	}
}

func TestNext(t *testing.T) {
	mon := time.Date(2026, 12, 7, 10, 20, 0, 0, time.UTC) // a Monday
	for _, c := range []struct {
		name string
		r    Rule
		want string // "" when never
	}{
		{"daily at 14", Rule{Day: "Daily", Hour: "14", WakePiHour: "25"}, "2026-12-07 14:00"},
		{"daily, hour passed: tomorrow", Rule{Day: "Daily", Hour: "09", WakePiHour: "25"}, "2026-12-08 09:00"},
		{"the wake hour comes first", Rule{Day: "Daily", Hour: "18", WakePiHour: "12"}, "2026-12-07 12:00"},
		{"a weekday", Rule{Day: "Thursday", Hour: "07", WakePiHour: "25"}, "2026-12-10 07:00"},
		{"this hour is past: next week", Rule{Day: "Monday", Hour: "10", WakePiHour: "25"}, "2026-12-14 10:00"},
		{"off", Rule{Day: "Off", Hour: "14", WakePiHour: "25"}, ""},
		{"afterCopy never on the timer", Rule{Day: "afterCopy", Hour: "14", WakePiHour: "25"}, ""},
	} {
		got, ok := Next(mon, c.r)
		gotS := ""
		if ok {
			gotS = got.Format("2006-01-02 15:04")
		}
		if gotS != c.want {
			t.Errorf("%s: Next = %q, want %q", c.name, gotS, c.want)
		}
	}
}
