package photos

import (
	"fmt"
	"math"
	"os/exec"
	"strings"
	"testing"
)

// PyFloatStr and DaysFloor against Python 3 itself: the summary lines and
// the days-free figures must read as the original printed them.
func TestDaysFloatsMatchPython(t *testing.T) {
	floats := []float64{0, 1, -2, 2.5, 5.6, 0.3, 1.0 / 3, 0.1 + 0.2, 1e-4, 1.5e-4, 9.99e-5, 1e-5, -1e-7, 1.234e-300,
		1e15, 9999999999999998, 1e16, 1.5e16, -2.5e17, 1e22, 1e100, 123456.789,
		math.Inf(1), math.Inf(-1), math.NaN()}
	days := []float64{-1, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.2, 4, 7.5, 10.99, 17.07, 101}
	var script strings.Builder
	for _, f := range floats {
		fmt.Fprintf(&script, "print(str(float(%q)))\n", fmt.Sprint(f))
	}
	for _, v := range days {
		fmt.Fprintf(&script, "print(round(float(%q) - 0.5))\n", fmt.Sprint(v))
	}
	out, err := exec.Command("python3", "-c", script.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(floats)+len(days) {
		t.Fatalf("python3 printed %d lines:\n%s", len(lines), out)
	}
	for i, f := range floats {
		if got := PyFloatStr(f); got != lines[i] {
			t.Errorf("PyFloatStr(%v) = %q, Python %q", f, got, lines[i])
		}
	}
	for i, v := range days {
		if got := fmt.Sprint(DaysFloor(v)); got != lines[len(floats)+i] {
			t.Errorf("DaysFloor(%v) = %s, Python %s", v, got, lines[len(floats)+i])
		}
	}
}

// Days free is unknown, never a huge or negative number, when the figures
// it divides by are missing.
func TestDaysFreeUnknown(t *testing.T) {
	for _, c := range []struct {
		largest int64
		perDay  float64
	}{{0, 120}, {-1, 120}, {MinLargestImage, 0}, {MinLargestImage, -3}, {MinLargestImage, math.NaN()}} {
		if d, ok := PiDaysFree(10<<30, c.largest, c.perDay); ok {
			t.Errorf("PiDaysFree(largest %d, per day %v) = %d, want unknown", c.largest, c.perDay, d)
		}
	}
	for _, perDay := range []float64{0, -3, math.NaN()} {
		if d, ok := CameraDaysFree(999, perDay); ok {
			t.Errorf("CameraDaysFree(per day %v) = %d, want unknown", perDay, d)
		}
	}
	// One shot a day: the free space in largest images, less the half day.
	if d, ok := PiDaysFree(7*MinLargestImage, MinLargestImage, 1); !ok || d != 6 {
		t.Errorf("PiDaysFree(7 images, 1 a day) = %d %v, want 6 (round(6.5))", d, ok)
	}
	if d, ok := CameraDaysFree(240, 48); !ok || d != 4 {
		t.Errorf("CameraDaysFree(240, 48) = %d %v, want 4 (round(4.5))", d, ok)
	}
}
