package heartbeat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// The oneshot against a stand-in for the web server's /heartbeat: the due
// rule decides whether it is called at all.
func TestOneshotDueRule(t *testing.T) {
	var calls atomic.Int32
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/heartbeat" {
			t.Errorf("called %s", r.URL.Path)
		}
		calls.Add(1)
		w.Write([]byte("OK"))
	}))
	defer local.Close()
	dir := t.TempDir()
	ini := filepath.Join(dir, "intvlm8r.ini")
	logPath := filepath.Join(dir, "heartbeat.log")
	write := func(freq, url string) {
		os.WriteFile(ini, []byte("[Monitoring]\nheartbeatfrequency = "+freq+"\nheartbeaturl = "+url+"\n"), 0o644)
	}
	run := func(minute int, boot bool) error {
		at := time.Date(2026, 12, 1, 10, minute, 30, 0, time.Local)
		o := &Oneshot{INI: config.NewStore(ini), LogPath: logPath, LocalURL: local.URL, Boot: boot, Now: func() time.Time { return at }}
		return o.Run(context.Background())
	}
	write("15", "https://hc-ping.example/abc")
	for m := 0; m < 60; m++ {
		before := calls.Load()
		if err := run(m, false); err != nil {
			t.Fatalf("minute %d: %v", m, err)
		}
		called := calls.Load() > before
		if called != (m%15 == 0) {
			t.Errorf("minute %d: called=%v", m, called)
		}
		log, _ := os.ReadFile(logPath)
		if !called && !strings.Contains(string(log), "Not yet Heartbeat o'clock. hbFreq=15") {
			t.Errorf("minute %d log: %s", m, log)
		}
	}
	before := calls.Load()
	if err := run(7, true); err != nil || calls.Load() != before+1 {
		t.Fatalf("boot beat at minute 7: err %v, calls %d", err, calls.Load()-before)
	}
	write("Off", "https://hc-ping.example/abc")
	before = calls.Load()
	if err := run(0, true); err != nil || calls.Load() != before {
		t.Fatalf("Off: err %v, called %v", err, calls.Load() != before)
	}
	write("12", "https://hc-ping.example/abc")
	if err := run(0, false); err == nil {
		t.Fatal("a frequency outside the list did not fail")
	}
	log, _ := os.ReadFile(logPath)
	if !strings.HasPrefix(string(log), "2026/12/01 10:00:30 Heartbeat aborted.") || strings.Count(string(log), "\n") != 1 {
		t.Fatalf("log of the last run only:\n%s", log)
	}
}
