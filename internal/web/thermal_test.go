package web

import (
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
)

func scaleLabels(c *chart) string {
	var out []string
	for _, l := range c.Lines {
		if strings.HasPrefix(l.Class, "grid") {
			out = append(out, l.Label)
		}
	}
	return strings.Join(out, " ")
}

func TestTempChartScale(t *testing.T) {
	var h arduino.HourlyTemps
	for i := range h {
		h[i] = arduino.Unmeasured
	}
	h[2], h[14] = -7, 23
	c := tempChart(h, false)
	if got := scaleLabels(c); got != "-10° -5° 0° 5° 10° 15° 20° 25°" {
		t.Errorf("°C scale %q", got)
	}
	if len(c.Bars) != 2 || !strings.Contains(c.Bars[0].Class, "below") || strings.Contains(c.Bars[1].Class, "below") {
		t.Errorf("bars %+v: want one below freezing, one above, none for unmeasured hours", c.Bars)
	}
	// °F: gridlines on …2 and …7, 32 among them; -7 °C is 19 °F, 23 °C is 73 °F.
	if got := scaleLabels(tempChart(h, true)); got != "17° 22° 27° 32° 37° 42° 47° 52° 57° 62° 67° 72° 77°" {
		t.Errorf("°F scale %q", got)
	}
	// Nothing measured: the minimum span above freezing, no bars.
	for i := range h {
		h[i] = arduino.Unmeasured
	}
	c = tempChart(h, false)
	if got := scaleLabels(c); got != "0° 5° 10°" || len(c.Bars) != 0 {
		t.Errorf("empty chart: scale %q, %d bars", got, len(c.Bars))
	}
}

func TestVoltChartThresholds(t *testing.T) {
	v := arduino.HourlyVoltages{Fitted: true}
	v.Tenths[0], v.Tenths[1], v.Tenths[2] = 150, 85, 120 // 15.0 V, 8.5 V, 12.0 V; the rest no reading
	c := voltChart(v, 14, 9)
	if len(c.Bars) != 3 || c.Bars[0].Class != "bar vhigh" || c.Bars[1].Class != "bar vlow" || c.Bars[2].Class != "bar" {
		t.Fatalf("bars %+v", c.Bars)
	}
	limits := 0
	for _, l := range c.Lines {
		if strings.HasPrefix(l.Class, "limit") {
			limits++
		}
	}
	if limits != 2 {
		t.Errorf("%d limit lines, want VHi and VLo", limits)
	}
	if c := voltChart(v, 0, 0); len(c.Lines) != 10 || c.Bars[0].Class != "bar" {
		t.Errorf("thresholds 0 should draw no limit lines and colour no bar")
	}
}

func TestExtremesSkipUnmeasured(t *testing.T) {
	var vals [24]int
	for i := range vals {
		vals[i] = arduino.Unmeasured
	}
	vals[5], vals[9], vals[20] = 4, -2, 4
	lo, loAt, hi, hiAt, ok := extremes(vals, func(i int) bool { return vals[i] != arduino.Unmeasured })
	if !ok || lo != -2 || loAt != 9 || hi != 4 || hiAt != 5 {
		t.Fatalf("extremes = %d@%d %d@%d %v", lo, loAt, hi, hiAt, ok)
	}
}

func TestToUnit(t *testing.T) {
	for c, f := range map[int]int{0: 32, 21: 70, -4: 25, -40: -40, 37: 99, -128: -198} {
		if got := toUnit(c, true); got != f {
			t.Errorf("%d °C = %d °F, want %d", c, got, f)
		}
	}
}
