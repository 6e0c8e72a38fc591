package status

import "testing"

func TestForDays(t *testing.T) {
	for _, c := range []struct {
		days        int64
		ok          bool
		warn, alarm int
		want        Colour
	}{
		{0, false, 10, 5, None},
		{4, true, 10, 5, Red},
		{5, true, 10, 5, Orange},
		{9, true, 10, 5, Orange},
		{10, true, 10, 5, None},
	} {
		if got := ForDays(c.days, c.ok, c.warn, c.alarm); got != c.want {
			t.Errorf("ForDays(%d, %v, %d, %d) = %q, want %q", c.days, c.ok, c.warn, c.alarm, got, c.want)
		}
	}
}
