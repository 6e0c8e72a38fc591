package web

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The local /heartbeat refuses, before any task is queued, a receiver URL
// that is not valid and a settings file it cannot read, each with its reason.
func TestLocalHeartbeatRefusesWithTheReason(t *testing.T) {
	u := startTransferUI(t, "", transfer.DropboxAPI{})
	for _, tc := range []struct {
		name, ini, want string
	}{
		{"not http", "[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = ftp://example.com/beat\n", "must start with http:// or https://"},
		{"no host", "[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = http:///beat\n", "has no host name"},
	} {
		if err := os.WriteFile(u.p.INI(), []byte(tc.ini), 0o644); err != nil {
			t.Fatal(err)
		}
		code, body := do(t, u.anon, http.MethodGet, u.local.URL+"/heartbeat", nil, "")
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want 422 saying %q", tc.name, code, body, tc.want)
		}
	}
	// A settings file that cannot be read is said as such, not taken for
	// one without a URL.
	if err := os.Remove(u.p.INI()); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(u.p.INI(), 0o755); err != nil {
		t.Fatal(err)
	}
	code, body := do(t, u.anon, http.MethodGet, u.local.URL+"/heartbeat", nil, "")
	if code != http.StatusUnprocessableEntity || strings.Contains(body, "must start with") || !strings.Contains(body, "directory") {
		t.Errorf("unreadable INI: %d %q", code, body)
	}
}

// The Monitoring page says a saved frequency that is not a choice, and says
// nothing (no empty message row) when it is one.
func TestMonitoringFrequencyNoteOnlyWhenNeeded(t *testing.T) {
	u := startTransferUI(t, "", transfer.DropboxAPI{})
	for _, tc := range []struct {
		freq string
		note bool
	}{{"15", false}, {"7", true}} {
		ini := "[Monitoring]\nheartbeatfrequency = " + tc.freq + "\nheartbeaturl = http://127.0.0.1:9/beat\n"
		if err := os.WriteFile(u.p.INI(), []byte(ini), 0o644); err != nil {
			t.Fatal(err)
		}
		page := u.page("/monitoring")
		if strings.Contains(page, `<td class="centred"></td>`) {
			t.Errorf("frequency %s: an empty message row", tc.freq)
		}
		if got := strings.Contains(page, "is not one of the choices"); got != tc.note {
			t.Errorf("frequency %s: note shown %v, want %v", tc.freq, got, tc.note)
		}
	}
}

// The thresholds' ranges hold at both ends: each end is saved, one past it
// is refused beside its field.
func TestMonitoringThresholdRangeEnds(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	for _, tc := range []struct {
		field, section, key, value string
		ok                         bool
	}{
		{"daysFreeAlarm", "Thresholds", "daysfreealarm", "0", true},
		{"daysFreeAlarm", "Thresholds", "daysfreealarm", "-1", false},
		{"voltageLow", "Thresholds", "voltage_low", "0", true},
		{"voltageLow", "Thresholds", "voltage_low", "-1", false},
		{"voltageHigh", "Thresholds", "voltage_high", "30", true},
		{"voltageHigh", "Thresholds", "voltage_high", "31", false},
		{"daysFreeWarn", "Thresholds", "daysfreewarn", "3650", true},
		{"daysFreeWarn", "Thresholds", "daysfreewarn", "3651", false},
	} {
		before := u.get(tc.section, tc.key)
		v := u.form("/monitoring", "monitoringForm")
		v.Set(tc.field, tc.value)
		page := u.submit("/monitoring", "monApply", v)
		got := u.get(tc.section, tc.key)
		switch {
		case tc.ok && got != tc.value:
			t.Errorf("%s = %s refused (saved %q)", tc.field, tc.value, got)
		case !tc.ok && (got != before || !strings.Contains(page, "must be a whole number from")):
			t.Errorf("%s = %s: saved %q (was %q), or not said why", tc.field, tc.value, got, before)
		}
	}
}

// The alarm may equal the warning; the low voltage may not equal the high.
func TestMonitoringThresholdPairsAtEquality(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	v := u.form("/monitoring", "monitoringForm")
	v.Set("daysFreeWarn", "10")
	v.Set("daysFreeAlarm", "10")
	u.submit("/monitoring", "monApply", v)
	if w, a := u.get("Thresholds", "daysfreewarn"), u.get("Thresholds", "daysfreealarm"); w != "10" || a != "10" {
		t.Errorf("alarm equal to the warning: saved %q and %q", w, a)
	}
	v = u.form("/monitoring", "monitoringForm")
	v.Set("voltageHigh", "12")
	v.Set("voltageLow", "12")
	page := u.submit("/monitoring", "monApply", v)
	if !strings.Contains(page, "must be under the high one") || u.get("Thresholds", "voltage_low") == "12" {
		t.Errorf("low voltage equal to the high one: saved %q", u.get("Thresholds", "voltage_low"))
	}
}
