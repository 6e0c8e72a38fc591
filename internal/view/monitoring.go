package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// MonitoringSources is what the Monitoring page is built from.
type MonitoringSources struct {
	INI   *config.File // nil when the file could not be read
	Paths paths.Paths  // the last beat's result and body
}

// MonitoringView is the Monitoring page.
type MonitoringView struct {
	Frequencies []string
	Freq, URL   string
	Health      bool   // [Monitoring] heartbeathealth: the beat carries the box's state
	PushURL     string // [Monitoring] pushgatewayurl: "" for none
	// [Thresholds], as the INI holds them (the health checks read them).
	DaysFreeWarn, DaysFreeAlarm, VoltageHigh, VoltageLow string
	// FreqNote says the saved frequency is not one of the choices.
	FreqNote string
	Result   string
	LastBody string // the body of the last beat, as sent; "" after a plain GET
	BeatSent bool   // a beat has been sent (hbresults.txt exists)
	Shown    string // the form's record of the values shown (web's formedit)
}

// MonitoringForm is the form's part of the page, from the INI: the values
// as they are written, a hand-edited frequency outside the list shown (and
// selected) first.
func MonitoringForm(f *config.File) MonitoringView {
	set, _ := f.Settings()
	d := MonitoringView{Frequencies: heartbeat.Frequencies, Freq: set.Monitoring.HeartbeatFrequency, URL: set.Monitoring.HeartbeatURL,
		Health: set.Monitoring.HeartbeatHealth, PushURL: set.Monitoring.PushgatewayURL}
	raw := func(key string, def int) string { return f.String(config.SectionThresholds, key, strconv.Itoa(def)) }
	d.DaysFreeWarn = raw(config.KeyDaysFreeWarn, set.Thresholds.DaysFreeWarn)
	d.DaysFreeAlarm = raw(config.KeyDaysFreeAlarm, set.Thresholds.DaysFreeAlarm)
	d.VoltageHigh = raw(config.KeyVoltageHigh, set.Thresholds.VoltageHigh)
	d.VoltageLow = raw(config.KeyVoltageLow, set.Thresholds.VoltageLow)
	if _, err := heartbeat.ParseFrequency(d.Freq); err != nil || !slices.Contains(d.Frequencies, d.Freq) {
		d.Frequencies = append([]string{d.Freq}, d.Frequencies...)
	}
	return d
}

// BuildMonitoring is the page: the form from the INI (heartbeats Off when
// it could not be read), and the last beat's result and body.
func BuildMonitoring(src MonitoringSources) MonitoringView {
	d := MonitoringView{Frequencies: heartbeat.Frequencies, Freq: heartbeat.FrequencyOff}
	if src.INI != nil {
		d = MonitoringForm(src.INI)
		if _, err := heartbeat.ParseFrequency(d.Freq); err != nil {
			// A hand-edited value outside the list: say so instead of showing Off.
			d.FreqNote = fmt.Sprintf("The saved heartbeat frequency %q is not one of the choices; pick one and Apply.", d.Freq)
		}
	}
	d.Result = heartbeat.ReadResult(src.Paths.HeartbeatResult())
	d.LastBody = lastBeatBody(src.Paths)
	_, err := os.Stat(src.Paths.HeartbeatResult())
	d.BeatSent = err == nil
	return d
}

// lastBeatBody is the last beat's body as the worker sent it, indented for
// reading; "" when the last beat was a plain GET.
func lastBeatBody(p paths.Paths) string {
	data, err := os.ReadFile(health.BodyPath(p))
	if err != nil {
		return ""
	}
	var out bytes.Buffer
	if json.Indent(&out, data, "", "  ") != nil {
		return string(data)
	}
	return out.String()
}
