package e2e

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkLoad50Clients is issue 14's load figure: 50 logged-in clients
// for 60 s over every page, against the built web and worker with the
// simulated Arduino at the Pi's 40 kHz I2C bus timing and the simulated
// camera. It reports the errors (must be 0), the renders that said a healthy
// Arduino was "not answering" (must be 0), p50 and p99 of each page, and the
// web server's RSS idle, at its peak and 30 s after. One run, whatever b.N:
//
//	go test ./internal/e2e -run '^$' -bench Load50Clients -benchtime 1x
//
// INTVLM8R_LOAD_SECONDS shortens (or lengthens) the 60 s.
func BenchmarkLoad50Clients(b *testing.B) {
	const clients = 50
	duration := 60 * time.Second
	if s, err := strconv.Atoi(os.Getenv("INTVLM8R_LOAD_SECONDS")); err == nil && s > 0 {
		duration = time.Duration(s) * time.Second
	}
	box := StartBox(b, formsINI)
	restartWeb(b, box, nil, "--arduino", "sim:i2c-timing")
	base := "http://" + box.UIAddr
	pages := []string{"/", "/thumbnails", "/camera", "/intervalometer", "/transfer", "/thermal", "/monitoring", "/system", "/iniview", "/network"}
	cs := loggedInClients(b, box, clients)
	for _, p := range pages { // one visit each first: the camera wakes, caches fill
		resp, err := cs[0].Get(base + p)
		if err != nil {
			b.Fatal(err)
		}
		readAll(resp)
	}
	pid := box.web.Process.Pid
	time.Sleep(2 * time.Second)
	idle := rssMB(pid)

	type sample struct {
		page string
		d    time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	errs, silent, busy := 0, 0, 0
	var errText []string
	peak := idle
	stop := make(chan struct{})
	sampler := make(chan struct{})
	go func() {
		defer close(sampler)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if r := rssMB(pid); r > peak {
					peak = r
				}
			}
		}
	}()
	b.ResetTimer()
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; time.Now().Before(deadline); n++ {
				page := pages[n%len(pages)]
				start := time.Now()
				resp, err := c.Get(base + page)
				body := ""
				if err == nil {
					body = readAll(resp)
				}
				d := time.Since(start)
				mu.Lock()
				switch {
				case err != nil:
					errs++
					errText = append(errText, page+": "+err.Error())
				case resp.StatusCode != http.StatusOK:
					errs++
					errText = append(errText, fmt.Sprintf("%s: %d", page, resp.StatusCode))
				default:
					samples = append(samples, sample{page, d})
					if strings.Contains(body, "Arduino is not answering") {
						silent++
					}
					if strings.Contains(body, "bus was busy") {
						busy++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(stop)
	<-sampler
	time.Sleep(30 * time.Second)
	after := rssMB(pid)

	b.Logf("%d clients for %s: %d renders, %d errors, %d said not answering, %d said the bus was busy", clients, duration, len(samples), errs, silent, busy)
	if len(errText) > 0 {
		b.Logf("first errors: %s", strings.Join(errText[:min(5, len(errText))], "; "))
	}
	b.Logf("web RSS: idle %.1f MB, peak %.1f MB, 30 s after %.1f MB", idle, peak, after)
	b.Logf("%-16s %7s %9s %9s", "page", "renders", "p50 ms", "p99 ms")
	byPage := map[string][]time.Duration{}
	for _, s := range samples {
		byPage[s.page] = append(byPage[s.page], s.d)
	}
	for _, p := range pages {
		lat := byPage[p]
		if len(lat) == 0 {
			b.Logf("%-16s %7d", p, 0)
			continue
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
		}
		b.Logf("%-16s %7d %9.1f %9.1f", p, len(lat), pct(0.50), pct(0.99))
		name := strings.Trim(strings.ReplaceAll(p, "/", ""), " ")
		if name == "" {
			name = "home"
		}
		b.ReportMetric(pct(0.50), name+"-p50-ms")
		b.ReportMetric(pct(0.99), name+"-p99-ms")
	}
	b.ReportMetric(float64(errs), "errors")
	b.ReportMetric(float64(silent), "not-answering")
	b.ReportMetric(float64(busy), "bus-busy")
	b.ReportMetric(idle, "rss-idle-MB")
	b.ReportMetric(peak, "rss-peak-MB")
	b.ReportMetric(after, "rss-after30s-MB")
}

// rssMB is a process's resident set, in MB (0 when unreadable).
func rssMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
