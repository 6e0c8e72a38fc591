package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkHeartbeat reports the figures: the oneshot's wall time and
// max RSS per run, the /heartbeat round trip, and web's and worker's idle
// memory (RSS and PSS, after a settle).
func BenchmarkHeartbeat(b *testing.B) {
	rcv := NewReceiver(b)
	box := StartBox(b, monitoringINI("5", rcv.URL))

	b.Run("oneshot", func(b *testing.B) {
		var rss int64
		var wall time.Duration
		for i := 0; i < b.N; i++ {
			cmd := exec.Command(bin("heartbeat"), "--boot", "--url", box.LocalURL)
			cmd.Env = box.env()
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("oneshot: %v %s", err, out)
			}
			wall += time.Since(start)
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && int64(ru.Maxrss) > rss {
				rss = int64(ru.Maxrss)
			}
		}
		b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/run")
		b.ReportMetric(float64(rss)/1024, "maxRSS-MB")
	})

	b.Run("local-heartbeat-round-trip", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			resp, err := http.Get(box.LocalURL + "/heartbeat")
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})

	b.Run("idle-memory", func(b *testing.B) {
		time.Sleep(3 * time.Second) // let both settle after the runs above
		for name, cmd := range map[string]*exec.Cmd{"web": box.web, "worker": box.worker} {
			rss, pss := memOf(cmd.Process.Pid)
			b.ReportMetric(rss/1024, name+"-RSS-MB")
			b.ReportMetric(pss/1024, name+"-PSS-MB")
		}
	})
}

// memOf reads a process's RSS and PSS in kB.
func memOf(pid int) (rss, pss float64) {
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "Rss:":
			rss = v
		case "Pss:":
			pss = v
		}
	}
	return rss, pss
}
