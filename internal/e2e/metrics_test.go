package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

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

// /metrics on the local listener passes the Prometheus linter (promtool's
// `check metrics` rules), and every beat pushes the state to a real Pushgateway.
func TestMetricsAndPushgateway(t *testing.T) {
	gw := startPushgateway(t)
	rcv := NewReceiver(t)
	b := StartBox(t, monitoringINI("5", rcv.URL+"/ping")+"pushgatewayurl = "+gw+"\n")

	text := getText(t, b.LocalURL+"/metrics")
	for _, want := range []string{"intvlm8r_healthy ", "intvlm8r_arduino_up 1", "intvlm8r_storage_free_bytes{device=\"pi\"}", "intvlm8r_tasks{state=\"pending\"}", "intvlm8r_build_info{"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, text)
		}
	}
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil || len(problems) != 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}

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
}
