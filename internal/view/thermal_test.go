package view

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

func scaleLabels(c *Chart) string {
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

// thermalArduino is the simulated Arduino on a stopped clock, its hourly
// arrays set by set (after the board has come up).
func thermalArduino(t *testing.T, set func(s *sim.State)) *arduino.Client {
	t.Helper()
	p := paths.New(t.TempDir())
	at := time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC)
	bus := sim.NewBus(p, sim.Options{Now: func() time.Time { return at }, Log: quietLog})
	ard := arduino.NewClient(bus, arduino.Options{LockPath: p.ArduinoLock(), Log: quietLog, Now: func() time.Time { return at }})
	if _, err := ard.Version(context.Background()); err != nil { // powers the board on
		t.Fatal(err)
	}
	if err := bus.Do(func(f *sim.Firmware, _ time.Time) error { set(f.S); return nil }); err != nil {
		t.Fatal(err)
	}
	return ard
}

// piAt is a Pi whose SoC is at milli m°C.
func piAt(t *testing.T, milli string) system.Host {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "sys/class/thermal/thermal_zone0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "temp"), []byte(milli+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return system.Host{Root: root}
}

func thermalSources(ard *arduino.Client, host system.Host, f bool) (ThermalSources, *int) {
	refreshed := new(int)
	src := ThermalSources{Arduino: NewArduinoReader(context.Background(), ard, quietLog), Host: host, Settings: config.Defaults(), Fahrenheit: f}
	if ard != nil {
		src.Refresh = func(context.Context) (time.Time, error) { *refreshed++; return time.Now(), nil }
	}
	return src, refreshed
}

func TestThermalReadings(t *testing.T) {
	ard := thermalArduino(t, func(s *sim.State) {
		for i := range s.DailyTemps {
			s.DailyTemps[i] = arduino.Unmeasured
		}
		s.DailyTemps[3], s.DailyTemps[5], s.DailyTemps[14], s.DailyTemps[16] = -6, -6, 21, 21
		for i := range s.Volts {
			s.Volts[i] = 10 // 0 V: no reading
		}
		s.Volts[2], s.Volts[12] = 10+95, 10+142 // 9.5 V, 14.2 V
	})
	src, refreshed := thermalSources(ard, piAt(t, "48500"), false)
	src.Settings.Thresholds.VoltageHigh, src.Settings.Thresholds.VoltageLow = 14, 10
	d := BuildThermal(context.Background(), src)
	if *refreshed != 1 {
		t.Errorf("GT sent %d times", *refreshed)
	}
	if d.Notice != "" || d.Cached != "" || d.TempNote != "" || d.VoltNote != "" {
		t.Errorf("notice %q cached %q notes %q %q", d.Notice, d.Cached, d.TempNote, d.VoltNote)
	}
	// The SoC's 48.5 °C rounds to even.
	if d.PiTemp != "48°C" || !strings.HasSuffix(d.ArduinoTemp, "°C") || d.ArduinoTemp == Unknown {
		t.Errorf("Pi %q, Arduino %q", d.PiTemp, d.ArduinoTemp)
	}
	// The first hour of each extreme.
	if d.DayMin != "-6°C" || d.DayMinAt != "03:00" || d.DayMax != "21°C" || d.DayMaxAt != "14:00" {
		t.Errorf("day %s at %s, %s at %s", d.DayMin, d.DayMinAt, d.DayMax, d.DayMaxAt)
	}
	if d.VMin != "9.5V" || d.VMinAt != "02:00" || d.VMax != "14.2V" || d.VMaxAt != "12:00" {
		t.Errorf("volts %s at %s, %s at %s", d.VMin, d.VMinAt, d.VMax, d.VMaxAt)
	}
	if d.TempChart == nil || len(d.TempChart.Bars) != 4 || d.VoltChart == nil || len(d.VoltChart.Bars) != 2 {
		t.Fatalf("charts: %+v %+v", d.TempChart, d.VoltChart)
	}
	// The [Thresholds] colour the bars: 9.5 V under the low 10 V, 14.2 V over the high 14 V.
	if d.VoltChart.Bars[0].Class != "bar vlow" || d.VoltChart.Bars[1].Class != "bar vhigh" {
		t.Errorf("volt bars %+v", d.VoltChart.Bars)
	}

	// In °F.
	src, _ = thermalSources(ard, piAt(t, "48500"), true)
	d = BuildThermal(context.Background(), src)
	if !d.Fahrenheit || d.PiTemp != "118°F" || d.DayMin != "21°F" || d.DayMax != "70°F" || !strings.Contains(d.TempChart.Label, "°F") {
		t.Errorf("°F: Pi %s, day %s–%s, chart %q", d.PiTemp, d.DayMin, d.DayMax, d.TempChart.Label)
	}
}

func TestThermalNothingMeasured(t *testing.T) {
	ard := thermalArduino(t, func(s *sim.State) {
		for i := range s.DailyTemps {
			s.DailyTemps[i] = arduino.Unmeasured
		}
		for i := range s.Volts {
			s.Volts[i] = 10
		}
	})
	src, _ := thermalSources(ard, system.Host{Root: t.TempDir()}, false)
	d := BuildThermal(context.Background(), src)
	if d.TempNote != "No hour has been measured yet since the Arduino started." || d.VoltNote != "No hour has a voltage reading yet." {
		t.Errorf("notes %q, %q", d.TempNote, d.VoltNote)
	}
	if d.PiTemp != Unknown || d.DayMin != Unknown || d.VMax != Unknown || d.TempChart == nil || d.VoltChart == nil {
		t.Errorf("Pi %s, day min %s, volts max %s, charts %v %v", d.PiTemp, d.DayMin, d.VMax, d.TempChart != nil, d.VoltChart != nil)
	}

	// No voltmeter: the chart's scale, no bars, and a note.
	ard = thermalArduino(t, func(s *sim.State) {
		for i := range s.Volts {
			s.Volts[i] = arduino.NoVoltmeter
		}
	})
	src, _ = thermalSources(ard, system.Host{Root: t.TempDir()}, false)
	d = BuildThermal(context.Background(), src)
	if d.VoltNote != "This Arduino has no voltmeter fitted." || d.VoltChart == nil || len(d.VoltChart.Bars) != 0 || d.VMin != Unknown {
		t.Errorf("no voltmeter: note %q, chart %+v, min %s", d.VoltNote, d.VoltChart, d.VMin)
	}
}

func TestThermalArduinoMissing(t *testing.T) {
	src, refreshed := thermalSources(nil, system.Host{Root: t.TempDir()}, false)
	d := BuildThermal(context.Background(), src)
	if *refreshed != 0 || d.Notice == "" || d.ArduinoTemp != Unknown || d.TempChart != nil || d.VoltChart != nil {
		t.Errorf("no link: GT %d, notice %q, temp %s, charts %v %v", *refreshed, d.Notice, d.ArduinoTemp, d.TempChart != nil, d.VoltChart != nil)
	}
	if !strings.Contains(d.TempNote, "firmware version is Unknown") || !strings.Contains(d.VoltNote, "firmware version is Unknown") {
		t.Errorf("notes %q, %q", d.TempNote, d.VoltNote)
	}

	// A GT that fails marks the Arduino down: nothing more is asked of it.
	ard := thermalArduino(t, func(*sim.State) {})
	src, _ = thermalSources(ard, system.Host{Root: t.TempDir()}, false)
	src.Refresh = func(context.Context) (time.Time, error) { return time.Time{}, errors.New("remote I/O error") }
	d = BuildThermal(context.Background(), src)
	if !strings.Contains(d.Notice, "not answering") || d.ArduinoTemp != Unknown || d.TempChart != nil {
		t.Errorf("failed GT: notice %q, temp %s, chart %v", d.Notice, d.ArduinoTemp, d.TempChart != nil)
	}
}
