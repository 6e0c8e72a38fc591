package sim

import "time"

// RTC models the DS3234's time registers: they tick once a second from
// Anchor, the host instant of the last tick applied (or of the last write,
// which restarts the chip's sub-second divider). Dates roll over as the chip
// does: leap years when year%4 == 0, the weekday counting on by itself.
type RTC struct {
	Year    int       `json:"year"` // 0..99
	Century bool      `json:"century"`
	Month   int       `json:"month"` // 1..12
	Day     int       `json:"day"`   // 1..31
	DOW     int       `json:"dow"`   // 1 = Sunday .. 7 = Saturday
	SOD     int       `json:"sod"`   // seconds since midnight
	Anchor  time.Time `json:"anchor"`
}

func (r RTC) Hour() int   { return r.SOD / 3600 }
func (r RTC) Minute() int { return r.SOD / 60 % 60 }
func (r RTC) Second() int { return r.SOD % 60 }

func monthLen(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// rollDay is the chip's midnight. A day already past the month's end (only
// possible after writing an impossible date) goes to the 1st of the next.
func (r *RTC) rollDay() {
	r.DOW = r.DOW%7 + 1
	r.Day++
	if r.Day > monthLen(r.Month, r.Year) {
		r.Day = 1
		r.Month++
		if r.Month > 12 {
			r.Month = 1
			r.Year++
			if r.Year > 99 {
				r.Year = 0
				r.Century = !r.Century
			}
		}
	}
}

func (r *RTC) addSeconds(k int64) {
	if k <= 0 {
		return
	}
	total := int64(r.SOD) + k
	days := total / 86400
	r.SOD = int(total % 86400)
	for ; days > 0; days-- {
		r.rollDay()
	}
}

// At is the registers as they read at host time t (never before Anchor).
func (r RTC) At(t time.Time) RTC {
	if t.After(r.Anchor) {
		k := int64(t.Sub(r.Anchor) / time.Second)
		r.addSeconds(k)
		r.Anchor = r.Anchor.Add(time.Duration(k) * time.Second)
	}
	return r
}

// nextMatch is the first tick after Anchor at which the seconds-of-day
// register reaches target modulo period (86400 for alarm 1, 3600 for
// alarm 2). A tick only matches when the clock ticks into it, never at the
// anchor itself (a write does not count as a match).
func (r RTC) nextMatch(target, period int) time.Time {
	cur := r.SOD % period
	j := ((target-cur)%period + period) % period
	if j == 0 {
		j = period
	}
	return r.Anchor.Add(time.Duration(j) * time.Second)
}

// dayOfWeek is the firmware's own weekday formula for ST= (a table method
// equal to the Gregorian calendar for valid dates): 1 = Sunday .. 7 =
// Saturday. An impossible day counts on from the 1st of the month. Months
// outside 1..12 have no table value in the firmware; this gives them 0.
func dayOfWeek(yyyy, m, d int) int {
	leap := (yyyy%4 == 0 && yyyy%100 != 0) || yyyy%400 == 0
	for yyyy > 2299 {
		yyyy -= 400
	}
	for yyyy < 1900 {
		yyyy += 400
	}
	century := yyyy / 100
	yy := yyyy % 100
	cTable := map[int]int{19: 1, 20: 0, 21: 5, 22: 3}[century]
	mTable := 0
	switch m {
	case 1:
		if leap {
			mTable = 6
		}
	case 2:
		mTable = 3
		if leap {
			mTable = 2
		}
	case 3, 11:
		mTable = 3
	case 4, 7:
		mTable = 6
	case 5:
		mTable = 1
	case 6:
		mTable = 4
	case 8:
		mTable = 2
	case 9, 12:
		mTable = 5
	}
	dow := (d + mTable + yy + yy/4 + cTable) % 7
	if dow <= 0 {
		dow += 7
	}
	return dow
}
