package view

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func parseINI(t *testing.T, text string) *config.File {
	t.Helper()
	f, err := config.Parse([]byte(text), "intvlm8r.ini")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMonitoringForm(t *testing.T) {
	p := paths.New(t.TempDir())
	f := parseINI(t, "[Monitoring]\nheartbeatfrequency = 15\nheartbeaturl = https://hc.example/ping\nheartbeathealth = Off\n[Thresholds]\ndaysfreewarn = 21\nvoltage_low = 9.5\n")
	d := BuildMonitoring(MonitoringSources{INI: f, Paths: p})
	if d.Freq != "15" || d.URL != "https://hc.example/ping" || d.Health || d.PushURL != "" || d.FreqNote != "" {
		t.Errorf("form: %+v", d)
	}
	if !slices.Equal(d.Frequencies, heartbeat.Frequencies) {
		t.Errorf("frequencies %v", d.Frequencies)
	}
	// The thresholds as written, a malformed one too; the defaults for missing ones.
	if d.DaysFreeWarn != "21" || d.DaysFreeAlarm != "7" || d.VoltageHigh != "14" || d.VoltageLow != "9.5" {
		t.Errorf("thresholds %q %q %q %q", d.DaysFreeWarn, d.DaysFreeAlarm, d.VoltageHigh, d.VoltageLow)
	}
	// No beat yet.
	if d.Result != "None" || d.BeatSent || d.LastBody != "" {
		t.Errorf("no beat: result %q sent %v body %q", d.Result, d.BeatSent, d.LastBody)
	}

	// A hand-edited frequency stays shown, first, and the page says so.
	d = BuildMonitoring(MonitoringSources{INI: parseINI(t, "[Monitoring]\nheartbeatfrequency = 7\n"), Paths: p})
	if d.Freq != "7" || d.Frequencies[0] != "7" || len(d.Frequencies) != len(heartbeat.Frequencies)+1 || d.FreqNote == "" {
		t.Errorf("hand-edited: freq %q, choices %v, note %q", d.Freq, d.Frequencies, d.FreqNote)
	}

	// An unreadable INI: heartbeats shown Off, the defaults, no note.
	d = BuildMonitoring(MonitoringSources{Paths: p})
	if d.Freq != heartbeat.FrequencyOff || d.FreqNote != "" || !slices.Equal(d.Frequencies, heartbeat.Frequencies) {
		t.Errorf("no INI: %+v", d)
	}
}

func TestMonitoringLastBeat(t *testing.T) {
	p := paths.New(t.TempDir())
	writeFile(t, p.HeartbeatResult(), "200 OK at 12:00\nsecond line\n")
	writeFile(t, health.BodyPath(p), `{"ok":true,"days":3}`)
	d := BuildMonitoring(MonitoringSources{Paths: p})
	if d.Result != "200 OK at 12:00" || !d.BeatSent {
		t.Errorf("result %q sent %v", d.Result, d.BeatSent)
	}
	if want := "{\n  \"ok\": true,\n  \"days\": 3\n}"; d.LastBody != want {
		t.Errorf("body %q, want it indented", d.LastBody)
	}
	// A body that is not JSON is shown as sent.
	writeFile(t, health.BodyPath(p), "not json")
	if d := BuildMonitoring(MonitoringSources{Paths: p}); d.LastBody != "not json" {
		t.Errorf("raw body %q", d.LastBody)
	}
}
