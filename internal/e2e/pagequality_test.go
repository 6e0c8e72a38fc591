package e2e

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

//go:embed pagequality.js
var pageQualityJS string

// axeSource is axe-core's axe.min.js, which scripts/test-deps.sh unpacks
// from npm into a cache (INTVLM8R_AXE overrides where it is).
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv("INTVLM8R_AXE")
	if p == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		p = filepath.Join(cache, "intvlm8r", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(p)
	if err != nil {
		testutil.Unmet(t, fmt.Sprintf("axe-core not found at %s (scripts/test-deps.sh puts it there): %v", p, err))
	}
	return string(src)
}

// artifactsDir is where the screenshots go: $INTVLM8R_ARTIFACTS, or
// test-artifacts/screenshots at the top of the repository (git-ignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("INTVLM8R_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artefacts: %v", err)
	}
	return dir
}

type pageReport struct {
	Height   int `json:"height"`
	Problems []struct {
		Rule string `json:"rule"`
		What string `json:"what"`
	} `json:"problems"`
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestBrowserPageQuality walks every page at a phone's 360×740 and a
// desktop's 1280×900 in one chromium and one logged-in session, and checks
// each against pagequality.js's rules and axe-core (no serious or critical
// violation). The screenshots are kept in artifactsDir.
func TestBrowserPageQuality(t *testing.T) {
	axe := axeSource(t)
	// Every section shown: copies, renaming, FTP uploads, a heartbeat URL.
	ini := strings.Replace(formsINI, "heartbeatfrequency = Off\nheartbeaturl = \n", "heartbeatfrequency = 15\nheartbeaturl = http://127.0.0.1:9/ping\n", 1)
	b := StartBox(t, ini, "INTVLM8R_CAMERA=sim:canon,awake")
	p := paths.New(b.Home)
	camsim.SeedCard(p, 3, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute)
	if code, out := b.cameraTransfer("--wait", "2m", "copyNow"); code != 0 {
		t.Fatalf("copy: %d %s", code, out)
	}
	// Thermal: a day of readings below and above freezing, a voltmeter.
	simBoard(b).bus.Do(func(f *sim.Firmware, _ time.Time) error {
		f.S.VoltADC = 640
		for h := range f.S.DailyTemps {
			f.S.DailyTemps[h] = int8(2*h - 12)
		}
		for h := range f.S.Volts {
			f.S.Volts[h] = byte(115 + 2*h)
		}
		return nil
	})
	// A log with a line longer than a phone is wide.
	for _, line := range []string{"0 of 0 files uploaded OK", "Could not connect to ftp.example.com:21: dial tcp: lookup ftp.example.com: no such host; the photos stay on the Pi"} {
		if err := transfer.LogStatus(p, line); err != nil {
			t.Fatal(err)
		}
	}
	dir := artifactsDir(t)
	// 30 page views, each with axe-core and a screenshot: on a loaded
	// 2-core machine that can pass 90 s.
	ctx := BrowserFor(t, 5*time.Minute)
	base := "http://" + b.UIAddr

	type size struct{ w, h int }
	sizes := []size{{360, 740}, {1280, 900}}
	var heights []string
	check := func(t *testing.T, name, scope string, sz size) {
		t.Helper()
		var rep pageReport
		var buf []byte
		var viol []axeViolation
		desktop := sz.w > 600
		minTarget := 44
		if desktop {
			minTarget = 24
		}
		if err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf("(%s)(%d, %v, %q)", strings.TrimSpace(pageQualityJS), minTarget, desktop, scope), &rep)); err != nil {
			t.Fatalf("%s: checks: %v", name, err)
		}
		var has bool
		chromedp.Run(ctx, chromedp.Evaluate(`!!window.axe`, &has))
		if !has {
			if err := chromedp.Run(ctx, chromedp.Evaluate(axe+";0", nil)); err != nil {
				t.Fatalf("load axe: %v", err)
			}
		}
		err := chromedp.Run(ctx,
			chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, &viol,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			chromedp.FullScreenshot(&buf, 100),
		)
		if err != nil {
			t.Fatalf("%s: axe/screenshot: %v", name, err)
		}
		png := filepath.Join(dir, fmt.Sprintf("%s-%dx%d.png", name, sz.w, sz.h))
		if err := os.WriteFile(png, buf, 0o644); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		heights = append(heights, fmt.Sprintf("%s\t%d×%d\t%d px tall\taxe: %d rules broken (any impact)", name, sz.w, sz.h, rep.Height, len(viol)))
		for _, pr := range rep.Problems {
			t.Errorf("%s at %d px: %s: %s", name, sz.w, pr.Rule, pr.What)
		}
		for _, v := range viol {
			if v.Impact != "serious" && v.Impact != "critical" {
				continue
			}
			for _, n := range v.Nodes {
				t.Errorf("%s at %d px: axe %s (%s): %s %v: %s", name, sz.w, v.ID, v.Impact, v.Help, n.Target, n.Summary)
			}
		}
	}
	emulate := func(sz size) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(int64(sz.w), int64(sz.h))); err != nil {
			t.Fatal(err)
		}
	}
	open := func(path, ready string) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Navigate(base+path), chromedp.WaitReady(ready, chromedp.ByQuery)); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
	}

	// The login page, before the session exists.
	for _, sz := range sizes {
		emulate(sz)
		open("/login", "#loginForm")
		t.Run(fmt.Sprintf("login@%d", sz.w), func(t *testing.T) { check(t, "login", "body", sz) })
	}
	browserLogin(t, ctx, b)

	// The health checks (slow: they run intvlm8r-doctor's checks) are
	// walked at phone width only: the finding was their hints on a phone.
	pages := []struct {
		name, path, ready string
		phoneOnly         bool
	}{
		{"home", "/", "#systemInfo", false},
		{"camera", "/camera", "#cameraForm", false},
		{"intervalometer", "/intervalometer", "#intervalometerForm", false},
		{"transfer", "/transfer", "#transferForm", false},
		{"thermal", "/thermal", "#thermalForm", false},
		{"monitoring", "/monitoring", "#monitoringForm", false},
		{"system", "/system", "#piFacts", false},
		{"system-checks", "/system?checks=1", "#health", true},
		{"network", "/network", "#interfaces", false},
		{"iniview", "/iniview", "#iniview", false},
		{"thumbnails", "/thumbnails", "#thumbnails", false},
		{"transferlog", "/transferlog", "#transferLog", false},
	}
	for _, sz := range sizes {
		emulate(sz)
		for _, pg := range pages {
			if pg.phoneOnly && sz.w > 600 {
				continue
			}
			open(pg.path, pg.ready)
			t.Run(fmt.Sprintf("%s@%d", pg.name, sz.w), func(t *testing.T) { check(t, pg.name, "body", sz) })
		}
		// The open menu, over Home.
		open("/", "#systemInfo")
		// Clicked, then awaited to the end of its opening transition.
		err := chromedp.Run(ctx, chromedp.Evaluate(`new Promise(done => {
			const m = document.getElementById("menu");
			m.addEventListener("transitionend", () => done(true), {once: true});
			document.getElementById("menuOpen").click();
			if (getComputedStyle(m).transitionDuration === "0s") done(true);
		})`, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		if err != nil {
			t.Fatalf("open the menu: %v", err)
		}
		t.Run(fmt.Sprintf("menu@%d", sz.w), func(t *testing.T) { check(t, "menu", "#menu", sz) })
	}
	// The pages' heights, beside the screenshots (a phone page's length is
	// how far its owner scrolls).
	summary := strings.Join(heights, "\n") + "\n"
	t.Log("\n" + summary)
	if err := os.WriteFile(filepath.Join(dir, "heights.txt"), []byte(summary), 0o644); err != nil {
		t.Errorf("heights: %v", err)
	}
}
