package photos

import (
	"math"
	"strconv"
	"strings"
)

// PyRound is Python 3's round(x) to an integer: halves go to the even neighbour.
func PyRound(x float64) int64 { return int64(math.RoundToEven(x)) }

// DaysFloor is the pages' days-free rounding, round(v − 0.5) in Python: in
// effect a floor, except that halves go to even, so an odd whole number comes
// out one less (v = 3 gives round(2.5) = 2), exactly as the original shows it.
func DaysFloor(v float64) int64 { return PyRound(v - 0.5) }

// PiDaysFree is how many days of shooting the Pi's free space holds, at the
// largest image size seen. ok is false when it cannot be known (no shots per day).
func PiDaysFree(freeBytes uint64, largestImage int64, shotsPerDay float64) (int64, bool) {
	if largestImage <= 0 || shotsPerDay <= 0 || math.IsNaN(shotsPerDay) {
		return 0, false
	}
	return DaysFloor(float64(freeBytes) / float64(largestImage) / shotsPerDay), true
}

// CameraDaysFree is how many days the camera's own shots-left estimate lasts.
func CameraDaysFree(availableShots int64, shotsPerDay float64) (int64, bool) {
	if shotsPerDay <= 0 || math.IsNaN(shotsPerDay) {
		return 0, false
	}
	return DaysFloor(float64(availableShots) / shotsPerDay), true
}

// PyFloatStr prints a float as Python's str() does: the shortest text that
// reads back the same, always with a decimal point, exponent form outside
// [1e-4, 1e16).
func PyFloatStr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e-05, 1.5e+16
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if len(exp) < 2 {
			exp = strings.Repeat("0", 2-len(exp)) + exp
		}
		return mant + "e" + string(sign) + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}
