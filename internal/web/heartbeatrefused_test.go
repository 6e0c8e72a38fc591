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
