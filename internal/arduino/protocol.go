// Package arduino speaks the Intervalometerator firmware's protocol (release
// 5.0.1): ten one-byte queries answered with a 32-byte reply, and a handful of
// short ASCII commands. Everything here is typed: each query has a parser that
// turns the raw reply into a value or an error, and each command has an
// encoder that refuses bad arguments before a byte reaches the wire.
//
// The wire itself sits behind Transport: I2C (periph.io, byte for byte what
// the original's smbus2 calls put on the bus), a serial line (see package
// framing) and the simulator (package sim). Client adds what the original's
// helpers did around the wire: two tries, a cross-process bus lock held for
// exactly one transaction, the wait the firmware needs to act on a command,
// and the Redis cache of replies.
package arduino

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReplyLen is the size of every query reply: the firmware always sends its
// whole 32-byte buffer.
const ReplyLen = 32

// MaxCommandLen is the longest command text the firmware can take: its I2C
// receive buffer holds 32 bytes and the register byte uses one.
const MaxCommandLen = 31

// Reply is one raw answer to a query.
type Reply = [ReplyLen]byte

// The query bytes.
const (
	QueryDate           byte = '0'
	QueryTime           byte = '1'
	QueryShots          byte = '2'
	QuerySchedule       byte = '3'
	QueryTemperatures   byte = '4'
	QueryWakeWindow     byte = '5'
	QueryVersion        byte = '6'
	QueryHourlyTemps    byte = '7'
	QueryHourlyVoltages byte = '8'
	QueryShutdownMinute byte = '9'
)

// ErrMalformed is wrapped by every parse error: the reply did not have the
// shape the firmware gives that query.
var ErrMalformed = errors.New("malformed reply")

func malformed(what string, raw []byte, format string, a ...any) error {
	return fmt.Errorf("%w to %s query %q: %s", ErrMalformed, what, printable(raw), fmt.Sprintf(format, a...))
}

// printable renders reply text for error messages without control bytes.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7F {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

// Text is a text reply as the original reads it: bytes up to the first 0x00.
// The firmware never clears its buffer, so what follows the terminator is
// left over from older, longer answers and means nothing.
func Text(r Reply) []byte {
	if i := bytes.IndexByte(r[:], 0); i >= 0 {
		return r[:i]
	}
	return r[:]
}

// digits parses s, which must be all ASCII digits (no sign, no spaces).
func digits(s []byte) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Date is the Arduino's calendar date (query '0').
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// ParseDate reads "20YYMMDD". An impossible date (the clock chip will keep
// one such as 30 February if it is written) is an error, as is a month with
// the chip's century bit leaked into it.
func ParseDate(r Reply) (Date, error) {
	t := Text(r)
	if len(t) != 8 {
		return Date{}, malformed("date", t, "want 8 digits, got %d bytes", len(t))
	}
	y, ok1 := digits(t[0:4])
	m, ok2 := digits(t[4:6])
	d, ok3 := digits(t[6:8])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, malformed("date", t, "not all digits")
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return Date{}, malformed("date", t, "month %d day %d out of range", m, d)
	}
	if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
		return Date{}, malformed("date", t, "no such day")
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// Clock is the Arduino's time of day (query '1').
type Clock struct{ Hour, Minute, Second int }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d:%02d", c.Hour, c.Minute, c.Second) }

// ParseTime reads "HHMMSS" (24-hour). The firmware answers from its snapshot
// of the clock taken by the latest date query, so ask for the date first.
func ParseTime(r Reply) (Clock, error) {
	t := Text(r)
	if len(t) != 6 {
		return Clock{}, malformed("time", t, "want 6 digits, got %d bytes", len(t))
	}
	h, ok1 := digits(t[0:2])
	m, ok2 := digits(t[2:4])
	s, ok3 := digits(t[4:6])
	if !ok1 || !ok2 || !ok3 {
		return Clock{}, malformed("time", t, "not all digits")
	}
	if h > 23 || m > 59 || s > 59 {
		return Clock{}, malformed("time", t, "out of range")
	}
	return Clock{Hour: h, Minute: m, Second: s}, nil
}

// Shot is a last- or next-shot time as the firmware keeps it: a weekday and a
// time of day, no date. Set is false for the firmware's "none yet" sentinel
// 19999 (Sunday 99:99).
type Shot struct {
	Set     bool
	Weekday time.Weekday
	Hour    int
	Minute  int
}

// NoShot is the text of the sentinel.
const NoShot = "19999"

func (s Shot) String() string {
	if !s.Set {
		return "none"
	}
	return fmt.Sprintf("%s %02d:%02d", s.Weekday, s.Hour, s.Minute)
}

// Shots is the answer to query '2'.
type Shots struct{ Last, Next Shot }

func parseShot(t []byte) (Shot, bool) {
	if string(t) == NoShot {
		return Shot{}, true
	}
	if len(t) != 5 {
		return Shot{}, false
	}
	d, ok1 := digits(t[0:1])
	h, ok2 := digits(t[1:3])
	m, ok3 := digits(t[3:5])
	if !ok1 || !ok2 || !ok3 || d < 1 || d > 7 || h > 23 || m > 59 {
		return Shot{}, false
	}
	return Shot{Set: true, Weekday: time.Weekday(d - 1), Hour: h, Minute: m}, true
}

// ParseShots reads "LLLLL:NNNNN": DOW digit (1 = Sunday) + HH + MM each.
func ParseShots(r Reply) (Shots, error) {
	t := Text(r)
	if len(t) != 11 || t[5] != ':' {
		return Shots{}, malformed("shots", t, "want DHHMM:DHHMM")
	}
	last, ok1 := parseShot(t[0:5])
	next, ok2 := parseShot(t[6:11])
	if !ok1 || !ok2 {
		return Shots{}, malformed("shots", t, "bad weekday, hour or minute")
	}
	return Shots{Last: last, Next: next}, nil
}

// DayMask is the schedule's weekday bitmask: bit n is the day whose firmware
// number is n (1 = Sunday .. 7 = Saturday); bit 0 is unused.
type DayMask byte

// EveryDay sets every weekday bit.
const EveryDay DayMask = 0xFE

// Bit is the mask bit of a weekday.
func Bit(d time.Weekday) DayMask { return DayMask(1) << (uint(d) + 1) }

// MaskOf builds a mask from weekdays.
func MaskOf(days ...time.Weekday) DayMask {
	var m DayMask
	for _, d := range days {
		m |= Bit(d % 7)
	}
	return m
}

// Has tells whether the weekday is a shooting day.
func (m DayMask) Has(d time.Weekday) bool { return m&Bit(d%7) != 0 }

// Weekdays lists the shooting days, Sunday first (the firmware's order).
func (m DayMask) Weekdays() []time.Weekday {
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if m.Has(d) {
			out = append(out, d)
		}
	}
	return out
}

// Schedule is the shooting schedule (query '3', command SI=).
type Schedule struct {
	Days DayMask
	// StartHour 0..23 and EndHour 1..24. The end hour is exclusive; when
	// StartHour > EndHour the window runs through midnight.
	StartHour, EndHour int
	// Interval is the firmware's code: 1..60 minutes between shots, or
	// 61..90 for shoot-fast, a shot every Interval-60 seconds.
	Interval int
}

// ShootFast tells whether the interval is in seconds (codes 61..90).
func (s Schedule) ShootFast() bool { return s.Interval > 60 }

// Every is the time between shots.
func (s Schedule) Every() time.Duration {
	if s.ShootFast() {
		return time.Duration(s.Interval-60) * time.Second
	}
	return time.Duration(s.Interval) * time.Minute
}

// ShotsPerHour is how many shots an hour the interval gives, worked out as
// the original does, with true division: 60/minutes, or 60×(60/seconds) when
// shooting fast (an interval of 7 minutes is 8.57 shots an hour). 0 for the
// interval code 0, which shoots nothing. Every page takes its figures from
// here.
func (s Schedule) ShotsPerHour() float64 {
	switch {
	case s.Interval > 60:
		return 60 * (60 / float64(s.Interval-60))
	case s.Interval > 0:
		return 60 / float64(s.Interval)
	}
	return 0
}

// Hours is the length of the shooting window in hours; a window through
// midnight wraps.
func (s Schedule) Hours() int {
	if s.EndHour >= s.StartHour {
		return s.EndHour - s.StartHour
	}
	return s.EndHour + 24 - s.StartHour
}

// ShotsPerDay is what the original's pages show: window hours × shots per hour.
func (s Schedule) ShotsPerDay() float64 { return float64(s.Hours()) * s.ShotsPerHour() }

// Validate applies the checks made before SI= is sent. The firmware would
// accept more (interval 0, an empty day mask, start == end), but those
// divide by zero, hang the firmware for good, or never shoot before the
// start hour; the original's UI never sends them either.
func (s Schedule) Validate() error {
	if s.Days&EveryDay == 0 {
		return fmt.Errorf("schedule: no shooting day chosen")
	}
	if s.Days&^EveryDay != 0 {
		return fmt.Errorf("schedule: day mask %#02x uses the unused bit 0", byte(s.Days))
	}
	if s.StartHour < 0 || s.StartHour > 23 {
		return fmt.Errorf("schedule: start hour %d not in 0..23", s.StartHour)
	}
	if s.EndHour < 1 || s.EndHour > 24 {
		return fmt.Errorf("schedule: end hour %d not in 1..24", s.EndHour)
	}
	if s.StartHour == s.EndHour {
		return fmt.Errorf("schedule: start and end hour are both %d", s.StartHour)
	}
	if s.Interval < 1 || s.Interval > 90 {
		return fmt.Errorf("schedule: interval code %d not in 1..90", s.Interval)
	}
	return nil
}

// ParseSchedule reads the 7-byte answer: mask byte, then SS EE II.
func ParseSchedule(r Reply) (Schedule, error) {
	t := Text(r)
	if len(t) != 7 {
		return Schedule{}, malformed("schedule", t, "want 7 bytes, got %d", len(t))
	}
	st, ok1 := digits(t[1:3])
	en, ok2 := digits(t[3:5])
	iv, ok3 := digits(t[5:7])
	if !ok1 || !ok2 || !ok3 {
		return Schedule{}, malformed("schedule", t, "hours or interval not digits")
	}
	s := Schedule{Days: DayMask(t[0]), StartHour: st, EndHour: en, Interval: iv}
	if st > 23 || en < 1 || en > 24 || iv > 90 {
		return Schedule{}, malformed("schedule", t, "start %d, end %d or interval %d out of the firmware's range", st, en, iv)
	}
	return s, nil
}

// Temperatures is the answer to query '4', whole degrees Celsius.
type Temperatures struct{ Current, Max, Min int }

// ParseTemperatures reads "current,max,min".
func ParseTemperatures(r Reply) (Temperatures, error) {
	t := Text(r)
	parts := strings.Split(string(t), ",")
	if len(parts) != 3 {
		return Temperatures{}, malformed("temperatures", t, "want current,max,min")
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < -128 || n > 127 || strings.HasPrefix(p, "+") {
			return Temperatures{}, malformed("temperatures", t, "field %d is not a signed byte", i)
		}
		v[i] = n
	}
	return Temperatures{Current: v[0], Max: v[1], Min: v[2]}, nil
}

// AlwaysOn is the wake hour meaning "never power the Pi down".
const AlwaysOn = 25

// WakeWindow is the answer to query '5': the hour the Arduino powers the Pi
// up and how many minutes it stays up.
type WakeWindow struct{ Hour, Minutes int }

// AlwaysOn tells whether the Pi is never powered down.
func (w WakeWindow) AlwaysOn() bool { return w.Hour == AlwaysOn }

// ParseWakeWindow reads "HHDD".
func ParseWakeWindow(r Reply) (WakeWindow, error) {
	t := Text(r)
	if len(t) != 4 {
		return WakeWindow{}, malformed("wake window", t, "want 4 digits, got %d bytes", len(t))
	}
	h, ok1 := digits(t[0:2])
	d, ok2 := digits(t[2:4])
	if !ok1 || !ok2 {
		return WakeWindow{}, malformed("wake window", t, "not digits")
	}
	if h > 25 || d < 5 || d > 60 {
		return WakeWindow{}, malformed("wake window", t, "hour %d or duration %d out of the firmware's range", h, d)
	}
	return WakeWindow{Hour: h, Minutes: d}, nil
}

// ParseVersionReply reads query '6'. A reply that is text but not a version
// gives the zero Version (which every feature gate refuses) and no error,
// as the original does; a reply that is not text at all is an error.
func ParseVersionReply(r Reply) (Version, error) {
	t := Text(r)
	for _, c := range t {
		if c < 0x20 || c >= 0x7F {
			return Version{}, malformed("version", t, "not text")
		}
	}
	return ParseVersion(string(t)), nil
}

// Unmeasured is the hourly temperature the firmware reports for an hour not
// sampled since a cold boot.
const Unmeasured = -128

// HourlyTemps is the answer to query '7': the temperature at each hour of
// the day, whole degrees Celsius, -128 where unmeasured.
type HourlyTemps [24]int8

// Measured tells whether hour h holds a reading.
func (h HourlyTemps) Measured(hour int) bool { return hour >= 0 && hour < 24 && h[hour] != Unmeasured }

// ParseHourlyTemps reads the binary answer: 24 signed bytes, then 0x00.
func ParseHourlyTemps(r Reply) (HourlyTemps, error) {
	var h HourlyTemps
	if r[24] != 0 {
		return h, malformed("hourly temperatures", r[:25], "byte 24 is %#02x, not the terminator", r[24])
	}
	for i := range h {
		h[i] = int8(r[i])
	}
	return h, nil
}

// NoVoltmeter is the first byte of query '8' when the board has no voltmeter.
const NoVoltmeter = 0xFF

// HourlyVoltages is the answer to query '8'. Fitted is false when the board
// has no voltmeter. Tenths holds volts x 10 for each hour; 0 is "no reading".
type HourlyVoltages struct {
	Fitted bool
	Tenths [24]int
}

// Volts is the reading at hour h in volts.
func (v HourlyVoltages) Volts(hour int) float64 { return float64(v.Tenths[hour]) / 10 }

// ParseHourlyVoltages reads 24 bytes of (volts x 10) + 10, then 0x00.
func ParseHourlyVoltages(r Reply) (HourlyVoltages, error) {
	var v HourlyVoltages
	if r[0] == NoVoltmeter {
		return v, nil
	}
	t := Text(r)
	if len(t) != 24 {
		return v, malformed("hourly voltages", t, "want 24 bytes, got %d", len(t))
	}
	for i, b := range t {
		if b < 10 || b > 190 {
			return v, malformed("hourly voltages", t, "hour %d byte %d outside 10..190", i, b)
		}
		v.Tenths[i] = int(b) - 10
	}
	v.Fitted = true
	return v, nil
}

// NoShutdown is the shutdown minute meaning "no shutdown pending".
const NoShutdown = 120

// ShutdownMinute is the answer to query '9'. Below 60 it is the minute of the
// current hour at which the Arduino asks the Pi to shut down; 60..119 means
// the next hour at (value-60); 120 means none is pending.
type ShutdownMinute int

// Pending tells whether a shutdown is scheduled.
func (s ShutdownMinute) Pending() bool { return s >= 0 && s < NoShutdown }

// MinutesLeft is the original's countdown: the firmware adds a bonus minute,
// which is taken off again, less the Arduino's current minute.
func (s ShutdownMinute) MinutesLeft(currentMinute int) (int, bool) {
	if !s.Pending() {
		return 0, false
	}
	return int(s) - 1 - currentMinute, true
}

// ParseShutdownMinute reads a decimal of at least two digits, 0..255 (the
// firmware keeps it in a byte; 120 is "none").
func ParseShutdownMinute(r Reply) (ShutdownMinute, error) {
	t := Text(r)
	n, ok := digits(t)
	if !ok || len(t) < 2 || len(t) > 3 || n > 255 || (len(t) == 3 && t[0] == '0') {
		return 0, malformed("shutdown minute", t, "want 2 or 3 digits")
	}
	return ShutdownMinute(n), nil
}

// FormatNextShot is the Home page's next-shot text: in shoot-fast mode the
// seconds between shots come first, e.g. "(every 10s) Monday 08:00".
func FormatNextShot(next Shot, s Schedule) string {
	if !next.Set {
		return "none"
	}
	if s.ShootFast() {
		return fmt.Sprintf("(every %ds) %s", s.Interval-60, next)
	}
	return next.String()
}
