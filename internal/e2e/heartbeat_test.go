package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var resultLine = regexp.MustCompile(`^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \((.*)\)\n$`)

func result(t *testing.T, b *Box) string {
	t.Helper()
	m := resultLine.FindStringSubmatch(b.ReadFile("hbresults.txt"))
	if m == nil {
		t.Fatalf("hbresults.txt = %q", b.ReadFile("hbresults.txt"))
	}
	return m[1]
}

// The heartbeat chain, on one box: each case changes one thing.
func TestHeartbeatChain(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, monitoringINI("5", rcv.URL+"/ping"))

	t.Run("beat reaches the receiver once", func(t *testing.T) {
		before := rcv.Count()
		code, out := b.Oneshot("--boot")
		if code != 0 {
			t.Fatalf("exit %d: %s\n%s", code, out, b.ReadFile("heartbeat.log"))
		}
		if n := rcv.Count() - before; n != 1 {
			t.Fatalf("receiver saw %d GETs, want 1", n)
		}
		if r := result(t, b); r != "200" {
			t.Fatalf("result %q, want 200", r)
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "Status code = 200") {
			t.Fatalf("heartbeat.log:\n%s", log)
		}
	})

	t.Run("receiver 500 gets exactly two GETs", func(t *testing.T) {
		rcv.status.Store(500)
		defer rcv.status.Store(200)
		before := rcv.Count()
		code, out := b.Oneshot("--boot")
		if code == 0 {
			t.Fatalf("exit 0 though the receiver refused both beats: %s", out)
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "Status code = 502") || !strings.Contains(log, "HTTP error 500") {
			t.Fatalf("heartbeat.log:\n%s", log)
		}
		if n := rcv.Count() - before; n != 2 {
			t.Fatalf("receiver saw %d GETs, want 2", n)
		}
		if r := result(t, b); r != "HTTP error 500" {
			t.Fatalf("result %q", r)
		}
	})

	t.Run("receiver hangs past 10 s", func(t *testing.T) {
		rcv.hang.Store(true)
		defer rcv.hang.Store(false)
		before := rcv.Count()
		code, out := b.Oneshot("--boot")
		if code == 0 {
			t.Fatalf("exit 0 though no beat was answered: %s\n%s", out, b.ReadFile("heartbeat.log"))
		}
		if r := result(t, b); r != "Timeout error" {
			t.Fatalf("result %q", r)
		}
		if n := rcv.Count() - before; n < 1 || n > 2 {
			t.Fatalf("receiver saw %d GETs, want 1 or 2 (never more)", n)
		}
	})

	t.Run("heartbeat log holds the last run only", func(t *testing.T) {
		b.Oneshot("--boot")
		b.Oneshot("--boot")
		log := b.ReadFile("heartbeat.log")
		if n := strings.Count(log, "Status code ="); n != 1 {
			t.Fatalf("heartbeat.log has %d runs:\n%s", n, log)
		}
	})

	t.Run("frequency Off sends nothing", func(t *testing.T) {
		b.WriteINI(monitoringINI("Off", rcv.URL+"/ping"))
		defer b.WriteINI(monitoringINI("5", rcv.URL+"/ping"))
		before := rcv.Count()
		if code, out := b.Oneshot("--boot"); code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		if rcv.Count() != before {
			t.Fatal("receiver called with heartbeats off")
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "hbFreq=Off") {
			t.Fatalf("heartbeat.log:\n%s", log)
		}
	})

	t.Run("empty URL sends nothing", func(t *testing.T) {
		b.WriteINI(monitoringINI("5", ""))
		defer b.WriteINI(monitoringINI("5", rcv.URL+"/ping"))
		before := rcv.Count()
		if code, out := b.Oneshot("--boot"); code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		if rcv.Count() != before {
			t.Fatal("receiver called with no URL")
		}
	})

	t.Run("invalid URL fails without a call", func(t *testing.T) {
		b.WriteINI(monitoringINI("5", "not a url"))
		defer b.WriteINI(monitoringINI("5", rcv.URL+"/ping"))
		before := rcv.Count()
		if code, _ := b.Oneshot("--boot"); code == 0 {
			t.Fatal("exit 0 with an invalid URL")
		}
		if rcv.Count() != before {
			t.Fatal("receiver called")
		}
	})

	t.Run("worker stopped: no GET, non-zero exit, log says why", func(t *testing.T) {
		b.StopWorker()
		defer func() { b.StartWorker(); b.WaitWorker(true) }()
		before := rcv.Count()
		start := time.Now()
		code, _ := b.Oneshot("--boot")
		if code == 0 {
			t.Fatal("exit 0 with the worker stopped")
		}
		if time.Since(start) > 5*time.Second {
			t.Logf("took %s", time.Since(start))
		}
		if rcv.Count() != before {
			t.Fatal("receiver called with no worker")
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "no background worker") {
			t.Fatalf("heartbeat.log does not say why:\n%s", log)
		}
		// The refused beat must not go out late when the worker comes back.
		b.StartWorker()
		b.WaitWorker(true)
		time.Sleep(1500 * time.Millisecond)
		if rcv.Count() != before {
			t.Fatal("a refused heartbeat went out late")
		}
	})

	t.Run("Redis stopped: no GET, non-zero exit", func(t *testing.T) {
		b.Redis.Stop()
		defer func() { b.Redis.Restart(t); b.StopWorker(); b.StartWorker(); b.WaitWorker(true) }()
		before := rcv.Count()
		code, _ := b.Oneshot("--boot")
		if code == 0 {
			t.Fatal("exit 0 with Redis stopped")
		}
		if rcv.Count() != before {
			t.Fatal("receiver called with Redis down")
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "Status code = 503") {
			t.Fatalf("heartbeat.log:\n%s", log)
		}
	})

	t.Run("web stopped: non-zero exit, log says why", func(t *testing.T) {
		b.StopWeb()
		before := rcv.Count()
		code, _ := b.Oneshot("--boot")
		if code == 0 {
			t.Fatal("exit 0 with the web server stopped")
		}
		if rcv.Count() != before {
			t.Fatal("receiver called")
		}
		if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "web server did not answer") {
			t.Fatalf("heartbeat.log:\n%s", log)
		}
	})
}

func TestHeartbeatMissingINI(t *testing.T) {
	b := StartBox(t, "")
	code, _ := b.Oneshot("--boot")
	if code == 0 {
		t.Fatal("exit 0 with no INI")
	}
	if log := b.ReadFile("heartbeat.log"); !strings.Contains(log, "lost the INI file") {
		t.Fatalf("heartbeat.log:\n%s", log)
	}
}
