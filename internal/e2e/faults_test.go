package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The fault suite: Redis restarted (with and without persistence) and
// frozen, web and worker killed (kill -9) at random points, the disk full.
// After each fault the pages render, no photo is lost, and the heartbeat
// tells the truth: a call that says OK sent exactly one beat that reached
// the receiver, and no beat is claimed that did not.

// faultINI sets heartbeats to rcv and the copy from the camera.
func faultINI(rcv *Receiver, copyExtra string) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\n\n" +
		"[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\n\n" +
		"[Copy]\ncopyday = Off\ncopyhour = 14\n" + copyExtra + "\n" +
		"[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = " + rcv.URL + "/ping\n\n"
}

// beat runs the heartbeat oneshot and checks that it told the truth: exit 0
// exactly when one beat reached the receiver during the call (the receiver
// answers 200 throughout these tests), never more than one beat. It
// returns whether the oneshot said OK, and heartbeat.log.
func beat(t *testing.T, b *Box, rcv *Receiver) (bool, string) {
	t.Helper()
	before := rcv.Count()
	code, out := b.Oneshot("--boot")
	n := rcv.Count() - before
	log := b.ReadFile("heartbeat.log")
	if code == 0 && (n != 1 || !strings.Contains(log, "Status code = 200")) {
		t.Fatalf("heartbeat said OK with %d beats at the receiver:\n%s\n%s", n, out, log)
	}
	if n > 1 {
		t.Fatalf("one heartbeat call sent %d beats:\n%s", n, log)
	}
	return code == 0, log
}

// beatOK is beat that must succeed.
func beatOK(t *testing.T, b *Box, rcv *Receiver) {
	t.Helper()
	if ok, log := beat(t, b, rcv); !ok {
		t.Fatalf("heartbeat failed:\n%s\nweb:\n%s\nworker:\n%s", log, b.Log("web"), b.Log("worker"))
	}
}

// pagesRender checks that every page renders for a logged-in user, and
// returns the Home page.
func pagesRender(t *testing.T, b *Box) string {
	t.Helper()
	c := b.Client()
	b.Login(c)
	var home string
	for _, p := range []string{"/", "/thumbnails", "/camera", "/intervalometer", "/transfer", "/thermal", "/monitoring", "/system", "/iniview", "/network"} {
		resp, err := c.Get("http://" + b.UIAddr + p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		body := readAll(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="taskRow"`) {
			t.Fatalf("%s: %d\n%s", p, resp.StatusCode, body)
		}
		if p == "/" {
			home = body
		}
	}
	return home
}

// copyWaits asks /copyNow?wait= as the boot chain does and checks that its
// 200 means the copy had finished: every photo of the card on the Pi.
func copyWaits(t *testing.T, b *Box) {
	t.Helper()
	p := paths.New(b.Home)
	card := cardFiles(t, p)
	resp, err := http.Get(b.LocalURL + "/copyNow?wait=60")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	onPi := piFiles(t, p)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/copyNow?wait=60: %d %s", resp.StatusCode, body)
	}
	for name, sum := range card {
		if onPi[name] != sum {
			t.Fatalf("/copyNow?wait=60 answered %q before %s was on the Pi", body, name)
		}
	}
}

// A new task's status is known, not "not known", and the button works.
func heartbeatButton(t *testing.T, b *Box, rcv *Receiver) {
	t.Helper()
	c := b.Client()
	b.Login(c)
	before := rcv.Count()
	resp, body := b.PostTask(c, "/monHbNow")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Heartbeat now: %d %s", resp.StatusCode, body)
	}
	v := follow(t, c, "http://"+b.UIAddr, resp.Header.Get("Location"))
	if v.State != "SUCCESS" || !strings.Contains(v.Status, "Heartbeat sent OK") || rcv.Count()-before != 1 {
		t.Fatalf("Heartbeat now: %+v, %d beats", v, rcv.Count()-before)
	}
}

// Redis restarts under the running web server and worker: a crash (kill -9)
// and a clean restart, with no persistence and with Debian's RDB snapshots
// (where the crash brings back the older state of the last snapshot).
func TestFaultRedisRestart(t *testing.T) {
	for _, persist := range []bool{false, true} {
		name := map[bool]string{false: "no persistence", true: "Debian RDB snapshots"}[persist]
		t.Run(name, func(t *testing.T) {
			rcv := NewReceiver(t)
			var r *testutil.Redis
			if persist {
				r = testutil.StartRedisPersistent(t)
			}
			b := StartBoxWith(t, BoxOptions{Redis: r}, faultINI(rcv, "deleteaftercopy = Off\n"))
			p := paths.New(b.Home)
			start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local)
			if err := camsim.SeedCard(p, 4, start, time.Minute); err != nil {
				t.Fatal(err)
			}
			beatOK(t, b, rcv)
			copyWaits(t, b)
			for i, restart := range []struct {
				how string
				do  func(testing.TB)
			}{{"clean restart", b.Redis.RestartClean}, {"crash", b.Redis.Restart}} {
				restart.do(t)
				b.WaitWorker(true)
				beatOK(t, b, rcv)
				heartbeatButton(t, b, rcv)
				if err := camsim.SeedCard(p, 3, start.Add(time.Duration(i+1)*time.Hour), time.Minute); err != nil {
					t.Fatal(err)
				}
				copyWaits(t, b)
				pagesRender(t, b)
				t.Logf("after the %s: heartbeat, button, copy wait and pages right", restart.how)
			}
		})
	}
}

// A frozen Redis (SIGSTOP): the heartbeat says it failed, within the
// oneshot's wait, whether Redis froze before the call or while the beat was
// on its way; it works again once Redis goes on (SIGCONT).
func TestFaultRedisFrozen(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, faultINI(rcv, ""))
	beatOK(t, b, rcv)

	b.Redis.Freeze()
	ok, log := beat(t, b, rcv)
	b.Redis.Thaw()
	if ok || !strings.Contains(log, "Redis (the task queue) is not answering") {
		t.Fatalf("heartbeat with Redis frozen before the call:\n%s", log)
	}
	b.WaitWorker(true)
	beatOK(t, b, rcv)

	// Frozen while the beat is at the receiver: it reached the receiver, but
	// the box cannot learn so from a frozen Redis, and must not claim it.
	freeze := func() { b.Redis.Freeze() }
	rcv.onGet.Store(&freeze)
	ok, log = beat(t, b, rcv)
	rcv.onGet.Store(nil)
	b.Redis.Thaw()
	if ok || !strings.Contains(log, "Redis (the task queue) is not answering") {
		t.Fatalf("heartbeat with Redis frozen during the beat:\n%s", log)
	}
	b.WaitWorker(true)
	before := rcv.Count()
	beatOK(t, b, rcv)
	if rcv.Count() != before+1 {
		t.Fatal("a beat went out late after Redis went on")
	}
	pagesRender(t, b)
}

// With Redis down, the pages and buttons name Redis, not the worker.
func TestFaultRedisDownNamed(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, faultINI(rcv, ""))
	c := b.Client()
	b.Login(c)
	b.Redis.Stop()
	defer b.Redis.Restart(t)
	resp, err := c.Get("http://" + b.UIAddr + "/monitoring")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `<tr id="taskRow" class="red">`) ||
		!strings.Contains(page, "Redis (the task queue) is not answering") || strings.Contains(page, "No background worker") {
		t.Fatalf("page with Redis down: %d\n%s", resp.StatusCode, page)
	}
	for _, path := range []string{"/monHbNow", "/trnCopyNow"} {
		resp, body := b.PostTask(c, path)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Redis (the task queue) is not answering") || strings.Contains(body, "worker") {
			t.Errorf("%s with Redis down: %d %s", path, resp.StatusCode, body)
		}
	}
}
