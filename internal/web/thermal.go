package web

import (
	"context"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// Units cookie.
const (
	unitsCookie = "thermalUnits"
	celsius     = "Celsius"
	fahrenheit  = "Fahrenheit"
	unitsMaxAge = 7 * 24 * 3600
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

type chartLine struct {
	Y, Label, Class string
	LabelY          string
}

type chartBar struct {
	X, Y, W, H string
	Class      string
	Title      string
}

type chartHour struct {
	X     string
	Label string
}

// chart is an SVG bar chart drawn on the server.
type chart struct {
	ID, Label     string
	Width, Height string
	Left, Right   string
	Lines         []chartLine
	Bars          []chartBar
	Hours         []chartHour
	HourY         string
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func newChart(id, label string) *chart {
	c := &chart{ID: id, Label: label, Width: f1(chartWidth), Height: f1(chartHeight), Left: f1(chartLeft), Right: f1(chartLeft + 24*chartColW), HourY: f1(chartTop + chartPlotH + 16)}
	for h := 0; h < 24; h++ {
		c.Hours = append(c.Hours, chartHour{X: f1(chartLeft + (float64(h)+0.5)*chartColW), Label: strconv.Itoa(h)})
	}
	return c
}

func (c *chart) line(y float64, label, class string) {
	c.Lines = append(c.Lines, chartLine{Y: f1(y), LabelY: f1(y + 4), Label: label, Class: class})
}

// bar adds a column's bar between y0 and y1 (either way up).
func (c *chart) bar(hour int, y0, y1 float64, class, title string) {
	top, h := math.Min(y0, y1), math.Abs(y1-y0)
	if h < 1.5 { // a value on the base line still shows, and can be hovered
		top, h = top-0.75, 1.5
	}
	c.Bars = append(c.Bars, chartBar{X: f1(chartLeft + float64(hour)*chartColW + barGap/2), Y: f1(top), W: f1(chartColW - barGap), H: f1(h), Class: class, Title: title})
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
func tempChart(h arduino.HourlyTemps, f bool) *chart {
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
func voltChart(v arduino.HourlyVoltages, hi, lo int) *chart {
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

type thermalData struct {
	Notice     string
	Fahrenheit bool
	Cached     string

	ArduinoTemp, ArduinoMin, ArduinoMax, PiTemp string

	TempChart      *chart
	TempNote       string
	DayMin, DayMax string
	DayMinAt       string
	DayMaxAt       string

	VoltChart      *chart
	VoltNote       string
	VMin, VMax     string
	VMinAt, VMaxAt string
}

// thermalGTFresh is how recent a GT must be for a render to use its reading
// rather than send another.
const thermalGTFresh = 2 * time.Second

func (s *Server) thermalPage(c echo.Context) error {
	ck, err := c.Cookie(unitsCookie)
	d := thermalData{Fahrenheit: err == nil && ck.Value == fahrenheit,
		ArduinoTemp: view.Unknown, ArduinoMin: view.Unknown, ArduinoMax: view.Unknown, PiTemp: view.Unknown,
		DayMin: view.Unknown, DayMax: view.Unknown, VMin: view.Unknown, VMax: view.Unknown}
	f := d.Fahrenheit
	withUnit := func(v int) string { return strconv.Itoa(toUnit(v, f)) + unitSign(f) }
	vHi, vLo := 14, 9
	if file, err := s.Config.Load(); err == nil {
		set, _ := file.Settings()
		vHi, vLo = set.Thresholds.VoltageHigh, set.Thresholds.VoltageLow
	}
	if t, ok := system.Live().Temperature(); ok {
		d.PiTemp = withUnit(t)
	}

	actx, cancel := context.WithTimeout(c.Request().Context(), view.ArduinoBudget)
	defer cancel()
	r := view.NewArduinoReader(actx, s.Arduino, s.Log)
	// GT asks the firmware for a fresh reading. It goes out first, and
	// while the firmware settles the version and the hourly arrays (which
	// GT does not touch) are read; query 4 follows once the settle time is up.
	// Pages rendered at once share one GT, and one sent in the last few
	// seconds is fresh enough.
	var settled <-chan time.Time
	if r.Down() == nil {
		if ready, err := s.Arduino.SendShared(actx, arduino.CmdRefreshTemps, thermalGTFresh); err != nil {
			r.Failed("GT", err)
		} else {
			settled = time.After(time.Until(ready)) // waited for below, in parallel with the other reads
		}
	}
	ver, verOK := view.Get(r, arduino.QVersion)
	var hourly arduino.Cached[arduino.HourlyTemps]
	var volts arduino.Cached[arduino.HourlyVoltages]
	var hourlyOK, voltsOK bool
	temps24 := verOK && ver.Value.AtLeast(arduino.MinTemps24)
	volts24 := verOK && ver.Value.AtLeast(arduino.MinVolts24)
	if temps24 {
		hourly, hourlyOK = view.Get(r, arduino.QHourlyTemps)
	}
	if volts24 {
		volts, voltsOK = view.Get(r, arduino.QHourlyVoltages)
	}
	if settled != nil {
		select {
		case <-settled:
		case <-actx.Done():
		}
	}
	if t, ok := view.Get(r, arduino.QTemperatures); ok {
		d.ArduinoTemp, d.ArduinoMin, d.ArduinoMax = withUnit(t.Value.Current), withUnit(t.Value.Min), withUnit(t.Value.Max)
		d.Cached = view.CachedNote(t)
	}
	d.Notice = r.Notice()

	switch {
	case !verOK:
		d.TempNote = "The Arduino's firmware version is Unknown, so its 24-hour temperatures cannot be read."
		d.VoltNote = "The Arduino's firmware version is Unknown, so its 24-hour voltages cannot be read."
	default:
		if !temps24 {
			d.TempNote = "Firmware " + ver.Value.String() + " keeps no 24-hour temperatures (4.5.0 or later does)."
		}
		if !volts24 {
			d.VoltNote = "Firmware " + ver.Value.String() + " keeps no 24-hour voltages (4.5.4 or later does)."
		}
	}
	if temps24 {
		if !hourlyOK {
			d.TempNote = "The 24-hour temperatures are Unknown: the Arduino did not send them."
		} else {
			d.TempChart = tempChart(hourly.Value, f)
			var vals [24]int
			for i, v := range hourly.Value {
				vals[i] = int(v)
			}
			if lo, loAt, hi, hiAt, ok := extremes(vals, hourly.Value.Measured); ok {
				d.DayMin, d.DayMinAt = withUnit(lo), fmt.Sprintf("%02d:00", loAt)
				d.DayMax, d.DayMaxAt = withUnit(hi), fmt.Sprintf("%02d:00", hiAt)
			} else {
				d.TempNote = "No hour has been measured yet since the Arduino started."
			}
			if n := view.CachedNote(hourly); n != "" {
				d.TempNote = strings.TrimSpace(d.TempNote + " Chart" + n + ".")
			}
		}
	}
	if volts24 {
		switch {
		case !voltsOK:
			d.VoltNote = "The 24-hour voltages are Unknown: the Arduino did not send them."
		case !volts.Value.Fitted:
			d.VoltChart = voltChart(volts.Value, vHi, vLo)
			d.VoltNote = "This Arduino has no voltmeter fitted."
		default:
			d.VoltChart = voltChart(volts.Value, vHi, vLo)
			if lo, loAt, hi, hiAt, ok := extremes(volts.Value.Tenths, func(i int) bool { return volts.Value.Tenths[i] != 0 }); ok {
				d.VMin, d.VMinAt = f1(float64(lo)/10)+"V", fmt.Sprintf("%02d:00", loAt)
				d.VMax, d.VMaxAt = f1(float64(hi)/10)+"V", fmt.Sprintf("%02d:00", hiAt)
			} else {
				d.VoltNote = "No hour has a voltage reading yet."
			}
			if n := view.CachedNote(volts); n != "" {
				d.VoltNote = strings.TrimSpace(d.VoltNote + " Chart" + n + ".")
			}
		}
	}
	return s.render(c, http.StatusOK, "thermal", d)
}

func (s *Server) thermalSubmit(c echo.Context) error {
	units := celsius
	if c.FormValue(unitsCookie) == fahrenheit {
		units = fahrenheit
	}
	c.SetCookie(&http.Cookie{Name: unitsCookie, Value: units, Path: "/", MaxAge: unitsMaxAge, SameSite: http.SameSiteLaxMode})
	var cmd *arduino.Command
	what := ""
	switch {
	case c.FormValue("resetMin") != "":
		cmd, what = &arduino.CmdResetMin, "minimum"
	case c.FormValue("resetMax") != "":
		cmd, what = &arduino.CmdResetMax, "maximum"
	}
	if cmd == nil {
		return s.redirect(c, "/thermal")
	}
	if s.Arduino == nil {
		flash(c, "red", "The "+what+" was not reset: no Arduino link is configured.")
		return s.redirect(c, "/thermal")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*view.ArduinoBudget)
	defer cancel()
	if err := s.Arduino.Send(ctx, *cmd); err != nil {
		s.Log.Error("thermal reset", "what", what, "err", err)
		flash(c, "red", "The "+what+" was not reset: "+err.Error())
		return s.redirect(c, "/thermal")
	}
	flash(c, "white", "The Arduino's "+what+" temperature was reset.")
	return s.redirect(c, "/thermal")
}
