package view

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// Voltage chart's full scale, as the original's.
const voltsFullScale = 18

// Chart geometry, in SVG user units: the scale labels sit left of the
// plot, the hours under it.
const (
	chartLeft   = 44.0
	chartTop    = 10.0
	chartColW   = 29.0
	chartPlotH  = 220.0
	chartWidth  = chartLeft + 24*chartColW + 8
	chartHeight = chartTop + chartPlotH + 24
	barGap      = 4.0
)

type ChartLine struct {
	Y, Label, Class string
	LabelY          string
}

type ChartBar struct {
	X, Y, W, H string
	Class      string
	Title      string
}

type ChartHour struct {
	X     string
	Label string
}

// Chart is an SVG bar chart drawn on the server.
type Chart struct {
	ID, Label     string
	Width, Height string
	Left, Right   string
	Lines         []ChartLine
	Bars          []ChartBar
	Hours         []ChartHour
	HourY         string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func newChart(id, label string) *Chart {
	c := &Chart{ID: id, Label: label, Width: f1(chartWidth), Height: f1(chartHeight), Left: f1(chartLeft), Right: f1(chartLeft + 24*chartColW), HourY: f1(chartTop + chartPlotH + 16)}
	for h := 0; h < 24; h++ {
		c.Hours = append(c.Hours, ChartHour{X: f1(chartLeft + (float64(h)+0.5)*chartColW), Label: strconv.Itoa(h)})
	}
	return c
}

func (c *Chart) line(y float64, label, class string) {
	c.Lines = append(c.Lines, ChartLine{Y: f1(y), LabelY: f1(y + 4), Label: label, Class: class})
}

// bar adds a column's bar between y0 and y1 (either way up).
func (c *Chart) bar(hour int, y0, y1 float64, class, title string) {
	top, h := math.Min(y0, y1), math.Abs(y1-y0)
	if h < 1.5 { // a value on the base line still shows, and can be hovered
		top, h = top-0.75, 1.5
	}
	c.Bars = append(c.Bars, ChartBar{X: f1(chartLeft + float64(hour)*chartColW + barGap/2), Y: f1(top), W: f1(chartColW - barGap), H: f1(h), Class: class, Title: title})
}

// toUnit converts whole °C to the display unit, as the original rounds.
func toUnit(c int, f bool) int {
	if !f {
		return c
	}
	return int(math.RoundToEven(float64(c)*9/5)) + 32
}

func unitSign(f bool) string {
	if f {
		return "°F"
	}
	return "°C"
}

// tempChart draws the 24 hourly temperatures in the display unit. Hours
// the Arduino has not measured (-128) get no bar and do not move the scale.
// The scale always spans freezing and at least 10 degrees above it; in °F
// its gridlines fall on ...2 and ...7 so that 32 is one of them.
func tempChart(h arduino.HourlyTemps, f bool) *Chart {
	freezing := 0
	if f {
		freezing = 32
	}
	lo, hi := freezing, freezing
	for i := 0; i < 24; i++ {
		if !h.Measured(i) {
			continue
		}
		v := toUnit(int(h[i]), f)
		lo, hi = min(lo, v), max(hi, v)
	}
	off := 0
	if f {
		off = 2
	}
	down := func(v int) int { return int(math.Floor(float64(v-off)/5))*5 + off }
	up := func(v int) int { return int(math.Ceil(float64(v-off)/5))*5 + off }
	minScale := down(lo)
	maxScale := max(up(hi), freezing+10)
	span := float64(maxScale - minScale)
	y := func(v int) float64 { return chartTop + float64(maxScale-v)/span*chartPlotH }

	c := newChart("tempChart", "Temperature at each hour of the day, "+unitSign(f))
	for v := minScale; v <= maxScale; v += 5 {
		class := "grid"
		if v == freezing {
			class = "grid freezing"
		}
		c.line(y(v), strconv.Itoa(v)+"°", class)
	}
	for i := 0; i < 24; i++ {
		if !h.Measured(i) {
			continue
		}
		v := toUnit(int(h[i]), f)
		class := "bar"
		if v < freezing {
			class = "bar below"
		}
		c.bar(i, y(freezing), y(v), class, fmt.Sprintf("%02d:00 %d%s", i, v, unitSign(f)))
	}
	return c
}

// voltChart draws the 24 hourly battery voltages against 0–18 V, with the
// [Thresholds] lines; 0 V is "no reading" and gets no bar.
func voltChart(v arduino.HourlyVoltages, hi, lo int) *Chart {
	y := func(volts float64) float64 {
		return chartTop + (voltsFullScale-math.Min(volts, voltsFullScale))/voltsFullScale*chartPlotH
	}
	c := newChart("voltChart", "Battery voltage at each hour of the day")
	for n := 0; n <= voltsFullScale; n += 2 {
		c.line(y(float64(n)), strconv.Itoa(n)+"V", "grid")
	}
	if hi > 0 {
		c.line(y(float64(hi)), "VHi", "limit high")
	}
	if lo > 0 {
		c.line(y(float64(lo)), "VLo", "limit low")
	}
	if !v.Fitted {
		return c
	}
	for i := 0; i < 24; i++ {
		if v.Tenths[i] == 0 {
			continue
		}
		volts := v.Volts(i)
		class := "bar"
		switch {
		case hi > 0 && volts >= float64(hi):
			class = "bar vhigh"
		case lo > 0 && volts <= float64(lo):
			class = "bar vlow"
		}
		c.bar(i, y(0), y(volts), class, fmt.Sprintf("%02d:00 %.1fV", i, volts))
	}
	return c
}

// extremes finds the lowest and highest measured values and the first hour
// of each; ok is false when no hour has a reading.
func extremes(vals [24]int, measured func(int) bool) (minV, minAt, maxV, maxAt int, ok bool) {
	for i := 0; i < 24; i++ {
		if !measured(i) {
			continue
		}
		if !ok || vals[i] < minV {
			minV, minAt = vals[i], i
		}
		if !ok || vals[i] > maxV {
			maxV, maxAt = vals[i], i
		}
		ok = true
	}
	return
}

// ThermalSources is what the Thermal page is built from.
type ThermalSources struct {
	Arduino *ArduinoReader
	// Refresh asks the firmware for a fresh temperature reading (GT) and
	// says when it is ready; nil when there is no Arduino link.
	Refresh    func(ctx context.Context) (ready time.Time, err error)
	Host       system.Host // the Pi, for its temperature
	Settings   config.Settings
	Fahrenheit bool
}

// ThermalView is the Thermal page.
type ThermalView struct {
	Notice     string
	Fahrenheit bool
	Cached     string

	ArduinoTemp, ArduinoMin, ArduinoMax, PiTemp string

	TempChart      *Chart
	TempNote       string
	DayMin, DayMax string
	DayMinAt       string
	DayMaxAt       string

	VoltChart      *Chart
	VoltNote       string
	VMin, VMax     string
	VMinAt, VMaxAt string
}

func (d *ThermalView) withUnit(v int) string {
	return strconv.Itoa(toUnit(v, d.Fahrenheit)) + unitSign(d.Fahrenheit)
}

// BuildThermal reads the temperatures and the 24-hour arrays within ctx.
// The fresh reading (GT) goes out first, and while the firmware settles the
// version and the hourly arrays (which GT does not touch) are read; the
// temperatures follow once the settle time is up.
func BuildThermal(ctx context.Context, src ThermalSources) ThermalView {
	d := ThermalView{Fahrenheit: src.Fahrenheit,
		ArduinoTemp: Unknown, ArduinoMin: Unknown, ArduinoMax: Unknown, PiTemp: Unknown,
		DayMin: Unknown, DayMax: Unknown, VMin: Unknown, VMax: Unknown}
	if t, ok := src.Host.Temperature(); ok {
		d.PiTemp = d.withUnit(t)
	}
	r := src.Arduino
	var settled <-chan time.Time
	if r.Down() == nil && src.Refresh != nil {
		if ready, err := src.Refresh(ctx); err != nil {
			r.Failed("GT", err)
		} else {
			settled = time.After(time.Until(ready)) // waited for below, in parallel with the other reads
		}
	}
	ver, verOK := Get(r, arduino.QVersion)
	temps24 := verOK && ver.Value.AtLeast(arduino.MinTemps24)
	volts24 := verOK && ver.Value.AtLeast(arduino.MinVolts24)
	var hourly arduino.Cached[arduino.HourlyTemps]
	var volts arduino.Cached[arduino.HourlyVoltages]
	var hourlyOK, voltsOK bool
	if temps24 {
		hourly, hourlyOK = Get(r, arduino.QHourlyTemps)
	}
	if volts24 {
		volts, voltsOK = Get(r, arduino.QHourlyVoltages)
	}
	if settled != nil {
		select {
		case <-settled:
		case <-ctx.Done():
		}
	}
	if t, ok := Get(r, arduino.QTemperatures); ok {
		d.ArduinoTemp, d.ArduinoMin, d.ArduinoMax = d.withUnit(t.Value.Current), d.withUnit(t.Value.Min), d.withUnit(t.Value.Max)
		d.Cached = CachedNote(t)
	}
	d.Notice = r.Notice()
	d.firmwareNotes(ver.Value, verOK, temps24, volts24)
	if temps24 {
		d.temperatures(hourly, hourlyOK)
	}
	if volts24 {
		th := src.Settings.Thresholds
		d.voltages(volts, voltsOK, th.VoltageHigh, th.VoltageLow)
	}
	return d
}

// firmwareNotes say why a chart is missing when the firmware keeps no
// 24-hour arrays, or its version is unknown.
func (d *ThermalView) firmwareNotes(ver arduino.Version, verOK, temps24, volts24 bool) {
	switch {
	case !verOK:
		d.TempNote = "The Arduino's firmware version is Unknown, so its 24-hour temperatures cannot be read."
		d.VoltNote = "The Arduino's firmware version is Unknown, so its 24-hour voltages cannot be read."
	default:
		if !temps24 {
			d.TempNote = "Firmware " + ver.String() + " keeps no 24-hour temperatures (4.5.0 or later does)."
		}
		if !volts24 {
			d.VoltNote = "Firmware " + ver.String() + " keeps no 24-hour voltages (4.5.4 or later does)."
		}
	}
}

// temperatures fills the temperature chart and the day's extremes.
func (d *ThermalView) temperatures(hourly arduino.Cached[arduino.HourlyTemps], ok bool) {
	if !ok {
		d.TempNote = "The 24-hour temperatures are Unknown: the Arduino did not send them."
		return
	}
	d.TempChart = tempChart(hourly.Value, d.Fahrenheit)
	var vals [24]int
	for i, v := range hourly.Value {
		vals[i] = int(v)
	}
	if lo, loAt, hi, hiAt, ok := extremes(vals, hourly.Value.Measured); ok {
		d.DayMin, d.DayMinAt = d.withUnit(lo), fmt.Sprintf("%02d:00", loAt)
		d.DayMax, d.DayMaxAt = d.withUnit(hi), fmt.Sprintf("%02d:00", hiAt)
	} else {
		d.TempNote = "No hour has been measured yet since the Arduino started."
	}
	if n := CachedNote(hourly); n != "" {
		d.TempNote = strings.TrimSpace(d.TempNote + " Chart" + n + ".")
	}
}

// voltages fills the voltage chart, with the [Thresholds] lines, and the
// day's extremes.
func (d *ThermalView) voltages(volts arduino.Cached[arduino.HourlyVoltages], ok bool, vHi, vLo int) {
	switch {
	case !ok:
		d.VoltNote = "The 24-hour voltages are Unknown: the Arduino did not send them."
		return
	case !volts.Value.Fitted:
		d.VoltChart = voltChart(volts.Value, vHi, vLo)
		d.VoltNote = "This Arduino has no voltmeter fitted."
		return
	}
	d.VoltChart = voltChart(volts.Value, vHi, vLo)
	if lo, loAt, hi, hiAt, ok := extremes(volts.Value.Tenths, func(i int) bool { return volts.Value.Tenths[i] != 0 }); ok {
		d.VMin, d.VMinAt = f1(float64(lo)/10)+"V", fmt.Sprintf("%02d:00", loAt)
		d.VMax, d.VMaxAt = f1(float64(hi)/10)+"V", fmt.Sprintf("%02d:00", hiAt)
	} else {
		d.VoltNote = "No hour has a voltage reading yet."
	}
	if n := CachedNote(volts); n != "" {
		d.VoltNote = strings.TrimSpace(d.VoltNote + " Chart" + n + ".")
	}
}
