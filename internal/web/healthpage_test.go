package web

import (
	"os"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The Monitoring page's health choice and thresholds save through saveForm;
// bad thresholds are refused; the last beat's body is shown there and its
// verdict on Home.
func TestMonitoringHealthAndThresholds(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	v := u.form("/monitoring", "monitoringForm")
	if v.Get("hbHealth") != "on" || v.Get("voltageLow") != "9" || v.Get("daysFreeAlarm") != "7" {
		t.Fatalf("form defaults: %v", v)
	}
	v.Del("hbHealth")
	v.Set("voltageLow", "11")
	v.Set("daysFreeAlarm", "3")
	u.submit("/monitoring", "monApply", v)
	if h, lo, al := u.get("Monitoring", "heartbeathealth"), u.get("Thresholds", "voltage_low"), u.get("Thresholds", "daysfreealarm"); h != "Off" || lo != "11" || al != "3" {
		t.Fatalf("saved heartbeathealth %q voltage_low %q daysfreealarm %q", h, lo, al)
	}
	if u.get("Thresholds", "voltage_high") != "" {
		t.Fatal("an unchanged threshold was written")
	}

	for _, bad := range []struct{ field, value, says string }{
		{"voltageLow", "15", "must be under the high one"},
		{"daysFreeAlarm", "20", "must not be above the warning"},
		{"daysFreeWarn", "ten", "whole number"},
	} {
		v = u.form("/monitoring", "monitoringForm")
		v.Set(bad.field, bad.value)
		page := u.submit("/monitoring", "monApply", v)
		if !strings.Contains(page, bad.says) {
			t.Errorf("%s = %q: page does not say %q", bad.field, bad.value, bad.says)
		}
	}
	if lo := u.get("Thresholds", "voltage_low"); lo != "11" {
		t.Fatalf("voltage_low %q after refusals", lo)
	}

	v = u.form("/monitoring", "monitoringForm")
	v.Set("pushUrl", "ftp://metrics:9091")
	if page := u.submit("/monitoring", "monApply", v); !strings.Contains(page, "Pushgateway URL") || u.get("Monitoring", "pushgatewayurl") != "" {
		t.Fatal("a non-http Pushgateway URL was saved")
	}
	v = u.form("/monitoring", "monitoringForm")
	v.Set("pushUrl", "http://10.0.0.9:9091")
	u.submit("/monitoring", "monApply", v)
	if got := u.get("Monitoring", "pushgatewayurl"); got != "http://10.0.0.9:9091" {
		t.Fatalf("pushgatewayurl %q", got)
	}

	if page := u.page("/monitoring"); !strings.Contains(page, `<span id="hbBody">No beat has been sent yet</span>`) {
		t.Fatalf("before any beat, Monitoring does not say so:\n%s", page)
	}
	if err := os.WriteFile(u.p.HeartbeatResult(), []byte("2026-12-07 10:05:00 Heartbeat sent OK (200)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if page := u.page("/monitoring"); !strings.Contains(page, `<span id="hbBody">A plain GET, with no body</span>`) {
		t.Fatalf("after a plain GET beat, Monitoring does not say so:\n%s", page)
	}
	body := `{"at":"2026-12-07T10:05:00Z","location":"x","ok":false,"failures":["last upload failed: FTP connection failed"],"arduino":"ok","pi":{},"camera":{"state":"asleep"},"version":"t","uptime_s":1}`
	if err := os.WriteFile(health.BodyPath(u.p), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if page := u.page("/monitoring"); !strings.Contains(page, "&#34;failures&#34;: [") && !strings.Contains(page, `"failures": [`) {
		t.Fatalf("Monitoring does not show the last body:\n%s", page)
	}
	home := u.page("/")
	if !strings.Contains(home, `id="healthVerdict">Failing<`) || !strings.Contains(home, "last upload failed: FTP connection failed") {
		t.Fatalf("Home has no failing health block:\n%s", home)
	}
}
