package config

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

func validUTF8(s string) bool { return utf8.ValidString(s) }

// ParseBool reads a boolean as configparser's getboolean does: 1, yes, true,
// on, 0, no, false, off, in any case.
func ParseBool(s string) (bool, error) {
	switch pyLower(s) {
	case "1", "yes", "true", "on":
		return true, nil
	case "0", "no", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q (want on/off, yes/no, true/false or 1/0)", s)
}

// FormatBool writes a boolean as Python's str() does, "True" or "False";
// the original stores enablecamerausb so.
func FormatBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// FormatCheckbox writes a boolean as the original stores its checkboxes and
// on/off switches: "on" (what a browser posts for a ticked box) or "Off".
func FormatCheckbox(b bool) string {
	if b {
		return "on"
	}
	return "Off"
}

// ParseInt reads an integer as Python's int() reads a string: white space
// around it, an optional sign, decimal digits (any script's) with single
// underscores between them.
func ParseInt(s string) (int, error) {
	bad := fmt.Errorf("not an integer: %q", s)
	t := pyStrip(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
		return 0, bad
	}
	var n uint64
	for _, r := range t {
		if r == '_' {
			continue
		}
		if !unicode.IsDigit(r) {
			return 0, bad
		}
		d := digitValue(r)
		if n > (math.MaxInt64-uint64(d))/10 {
			return 0, fmt.Errorf("not an integer in range: %q", s)
		}
		n = n*10 + uint64(d)
	}
	if neg {
		return -int(n), nil
	}
	return int(n), nil
}

// digitValue is the value of a Unicode decimal digit (category Nd). Those
// come in unbroken runs whose length is a multiple of ten, each run starting
// at a zero, so the value is the distance from the run's start, modulo ten.
func digitValue(r rune) int {
	if r >= '0' && r <= '9' {
		return int(r - '0')
	}
	z := r
	for unicode.IsDigit(z - 1) {
		z--
	}
	return int(r-z) % 10
}
