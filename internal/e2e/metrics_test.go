package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// startPushgateway runs the Debian package's prometheus-pushgateway on a
// free loopback port and returns its base URL.
func startPushgateway(t testing.TB) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	cmd := exec.Command("prometheus-pushgateway", "--web.listen-address="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus-pushgateway (scripts/test-deps.sh installs it): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if err := testutil.WaitTCP(addr, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

func getText(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, data)
	}
	return string(data)
}

// promtoolCheckMetrics runs `promtool check metrics` (Debian's prometheus
// package) on a scrape's text.
func promtoolCheckMetrics(t *testing.T, text string) {
	t.Helper()
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool check metrics (scripts/test-deps.sh installs it): %v\n%s\n%s", err, out, text)
	}
}

// pushTime is the push_time_seconds the Pushgateway holds for the box.
var pushTime = regexp.MustCompile(`(?m)^push_time_seconds\{[^}]*job="intvlm8r"[^}]*\} (\S+)$`)

// /metrics on the local listener passes `promtool check metrics`; every beat
// pushes the state to a real Pushgateway, and so does every copy, with its
// run counted in the worker's task metrics.
func TestMetricsAndPushgateway(t *testing.T) {
	gw := startPushgateway(t)
	rcv := NewReceiver(t)
	b := StartBox(t, copyINI("")+"[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = "+rcv.URL+"/ping\npushgatewayurl = "+gw+"\n")
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, 3, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}

	text := getText(t, b.LocalURL+"/metrics")
	for _, want := range []string{"intvlm8r_healthy ", "intvlm8r_arduino_up 1", "intvlm8r_storage_free_bytes{device=\"pi\"}", "intvlm8r_tasks{state=\"pending\"}", "intvlm8r_build_info{"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, text)
		}
	}
	promtoolCheckMetrics(t, text)

	before := rcv.Count()
	if code, out := b.Oneshot("--boot"); code != 0 {
		t.Fatalf("beat: %d %s", code, out)
	}
	if rcv.Count() != before+1 {
		t.Fatalf("receiver got %d requests, want 1", rcv.Count()-before)
	}
	pushed := getText(t, gw+"/metrics")
	for _, want := range []string{`intvlm8r_healthy{instance=`, `job="intvlm8r"`, `intvlm8r_tasks_processed_total{`, `push_time_seconds{`} {
		if !strings.Contains(pushed, want) {
			t.Errorf("Pushgateway lacks %q:\n%s", want, pushed)
		}
	}

	// A copy pushes at its end (beside the chain, which goes on to the
	// thumbnails): its run and outcome reach the Pushgateway.
	if code, out := b.cameraTransfer("--wait", "2m", "copyNow"); code != 0 {
		t.Fatalf("copyNow: %d %s\n%s", code, out, b.Log("worker"))
	}
	wants := []string{`intvlm8r_task_duration_seconds_count{instance=`, `result="ok",type="photos:copy-from-camera"} 1`, `intvlm8r_last_run_failed{instance=`, `kind="copy"} 0`}
	has := func(text string) bool {
		for _, w := range wants {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(15 * time.Second); !has(pushed) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		pushed = getText(t, gw+"/metrics")
	}
	if !has(pushed) {
		t.Fatalf("after the copy, the Pushgateway lacks one of %q:\n%s\n%s", wants, pushed, b.Log("worker"))
	}
	// The copy's end (its outcome file written) to the push, for the report.
	fi, err := os.Stat(health.OutcomePath(p, "copy"))
	m := pushTime.FindStringSubmatch(pushed)
	if err != nil || m == nil {
		t.Fatalf("outcome %v; push time in %s", err, pushed)
	}
	at, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("copy end -> Pushgateway: %v", time.Unix(0, int64(at*1e9)).Sub(fi.ModTime()).Round(time.Millisecond))
	promtoolCheckMetrics(t, getText(t, b.LocalURL+"/metrics"))
}
