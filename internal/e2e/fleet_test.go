package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The shipped alert rules, for fleets (the README's "Metrics and alerts for
// a fleet").
const alertRules = "../../scripts/prometheus/intvlm8r-alerts.yml"

func promtool(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("promtool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s (scripts/test-deps.sh installs it): %v\n%s", strings.Join(args, " "), err, out)
	}
}

// The rules pass `promtool check rules`, and `promtool test rules` on the
// series of rules_test.yml: each alert fires when it should, not before.
func TestAlertRules(t *testing.T) {
	promtool(t, "check", "rules", alertRules)
	promtool(t, "test", "rules", filepath.Join(filepath.Dir(alertRules), "rules_test.yml"))
}

var forClause = regexp.MustCompile(`(?m)^(\s+for:) \S+$`)

// startPrometheus runs the Debian package's prometheus on a free loopback
// port, scraping the Pushgateway gw every second with the README's job, and
// evaluating the shipped rules every second with every for: shortened to 0s.
func startPrometheus(t *testing.T, gw string) string {
	t.Helper()
	dir := t.TempDir()
	rules, err := os.ReadFile(alertRules)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(forClause.FindAll(rules, -1)); n == 0 {
		t.Fatal("no for: clause to shorten in the rules")
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), forClause.ReplaceAll(rules, []byte("$1 0s")), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - rules.yml
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ['` + strings.TrimPrefix(gw, "http://") + `']
`
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	cmd := exec.Command("prometheus", "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	var log bytes.Buffer // one writer for both: exec calls it from one goroutine at a time
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus (scripts/test-deps.sh installs it): %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", log.String())
		}
	})
	if err := testutil.WaitTCP(addr, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

// A box whose disk is nearly full pushes at its beat; a real Prometheus
// scraping the real Pushgateway fires the shipped "storage nearly full"
// rule for it, as its HTTP API tells.
func TestFleetStorageNearlyFullFires(t *testing.T) {
	gw := startPushgateway(t)
	dir, view, wrap, _ := smallDisk(t, ".intvlm8r/sim")
	rcv := NewReceiver(t)
	b := StartBoxWith(t, BoxOptions{Home: view, ProcHome: dir, Wrap: wrap},
		monitoringINI("5", rcv.URL+"/ping")+"pushgatewayurl = "+gw+"\n")
	// A 1 MB photo on the Pi, and the rest of its 64 MB but 2 MB taken.
	photo := filepath.Join(view, "photos", "DCIM", "100CANON", "IMG_0001.JPG")
	if err := os.MkdirAll(filepath.Dir(photo), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	fill(t, filepath.Join(view, "filler"), 2<<20)

	if code, out := b.Oneshot("--boot"); code != 0 {
		t.Fatalf("beat: %d %s", code, out)
	}
	if pushed := getText(t, gw+"/metrics"); !strings.Contains(pushed, `intvlm8r_storage_left_seconds{device="pi"`) {
		t.Fatalf("the box pushed no days left for the Pi:\n%s\nbeat body: %s", pushed, b.ReadFile("hbbody.json"))
	}

	prom := startPrometheus(t, gw)
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(prom + "/api/v1/alerts")
		if err == nil {
			var body struct {
				Status string `json:"status"`
				Data   struct {
					Alerts []promAlert `json:"alerts"`
				} `json:"data"`
			}
			last = readAll(resp)
			if json.Unmarshal([]byte(last), &body) == nil {
				for _, a := range body.Data.Alerts {
					if a.Labels["alertname"] == "Intvlm8rStorageNearlyFull" && a.State == "firing" {
						if a.Labels["device"] != "pi" || a.Labels["job"] != "intvlm8r" || a.Labels["instance"] == "" {
							t.Fatalf("the alert's labels: %v", a.Labels)
						}
						return
					}
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no firing Intvlm8rStorageNearlyFull; last /api/v1/alerts: %s\npushed: %s", last, getText(t, gw+"/metrics"))
}

// fill writes a file that leaves about free bytes on its file system.
func fill(t *testing.T, path string, free int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatal(err)
	}
	size := int64(st.Bavail)*st.Bsize - free
	if size <= 0 {
		return
	}
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
}
