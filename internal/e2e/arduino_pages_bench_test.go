package e2e

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkArduinoPages is the page latency figure: p50 and p95 of
// each page with the simulated Arduino at the Pi's 40 kHz bus timing.
// Run with -benchtime 200x for 200 requests a page:
//
//	go test ./internal/e2e -run '^$' -bench ArduinoPages -benchtime 200x
func BenchmarkArduinoPages(b *testing.B) {
	box := StartBox(b, monitoringINI("Off", ""))
	restartWeb(b, box, nil, "--arduino", "sim:i2c-timing")
	c := box.Client()
	box.Login(c)
	base := "http://" + box.UIAddr
	var body string
	get := func(path string) int {
		resp, err := c.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		body = readAll(resp)
		return resp.StatusCode
	}
	pages := []string{"/intervalometer", "/thermal", "/system"}
	// Home is measured once it is a page of its own, not the placeholder.
	if get("/") == http.StatusOK && !strings.Contains(body, `id="coming"`) {
		pages = append([]string{"/"}, pages...)
	}
	// Wake the simulated camera first, as a visit to any page does, so the
	// figures are of pages that show the camera's values.
	get("/system")
	time.Sleep(time.Second)
	if get("/intervalometer"); strings.Contains(body, `id="cameraNote"`) {
		b.Logf("the camera did not answer: the figures are without it")
	}
	for _, path := range pages {
		b.Run(path, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if code := get(path); code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, code)
				}
				lat = append(lat, time.Since(start))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}
