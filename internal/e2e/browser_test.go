package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium (installed by make test-deps).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatal("chromium not installed (apt-get install chromium)")
	return ""
}

// Browser starts headless chromium for one test, of up to 90 s.
func Browser(t *testing.T) context.Context {
	t.Helper()
	return BrowserFor(t, 90*time.Second)
}

// BrowserFor is Browser for a test that may take up to d.
func BrowserFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	// The profile is ours to remove, not t.TempDir's: chromium's helper
	// processes can still write into it for a moment after the browser is
	// stopped, and TempDir's single RemoveAll then fails the test.
	profile, err := os.MkdirTemp("", "intvlm8r-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1024, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, d)
	t.Cleanup(func() {
		cancelC()
		cancelB()
		cancelA()
		for try := 0; ; try++ {
			err := os.RemoveAll(profile)
			if err == nil {
				return
			}
			if try == 50 {
				t.Errorf("remove chromium's profile: %v", err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// evalJS evaluates expr in the page (into out, unless nil), failing t on error.
func evalJS(t *testing.T, ctx context.Context) func(expr string, out any) {
	return func(expr string, out any) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Evaluate(expr, out)); err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
	}
}

func browserLogin(t *testing.T, ctx context.Context, b *Box) {
	t.Helper()
	base := "http://" + b.UIAddr
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/monitoring"),
		chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.SendKeys("#username", testUser, chromedp.ByID),
		chromedp.SendKeys("#password", testPassword, chromedp.ByID),
		chromedp.Click("#login", chromedp.ByID),
		chromedp.WaitVisible("#monitoringForm", chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
}

func TestBrowserMonitoring(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, monitoringINI("Off", ""))
	ctx := Browser(t)
	browserLogin(t, ctx, b) // "next" brought us back to /monitoring

	var disabledApply, disabledNow bool
	var urlClass string
	state := func() {
		t.Helper()
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(`document.getElementById('apply').disabled`, &disabledApply),
			chromedp.Evaluate(`document.getElementById('hbnow').disabled`, &disabledNow),
			chromedp.Evaluate(`document.getElementById('hbUrl').className`, &urlClass),
		); err != nil {
			t.Fatal(err)
		}
	}

	// Frequency Off: the URL and result rows are hidden.
	var hidden bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById('showHideHbUrl').classList.contains('hidden')`, &hidden)); err != nil || !hidden {
		t.Fatalf("URL row visible with frequency Off (%v)", err)
	}

	// An invalid URL: red border, both buttons disabled.
	if err := chromedp.Run(ctx,
		chromedp.SetValue("#hbFreq", "5", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById('hbFreq').dispatchEvent(new Event('change'))`, nil),
		chromedp.SendKeys("#hbUrl", "not a url", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	state()
	if !strings.Contains(urlClass, "redborder") || !disabledApply || !disabledNow {
		t.Fatalf("invalid URL: class %q, apply disabled %v, now disabled %v", urlClass, disabledApply, disabledNow)
	}

	// A valid change: Apply only.
	if err := chromedp.Run(ctx,
		chromedp.Evaluate(`document.getElementById('hbUrl').value = ''`, nil),
		chromedp.SendKeys("#hbUrl", rcv.URL+"/beat", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	state()
	if strings.Contains(urlClass, "redborder") || disabledApply || !disabledNow {
		t.Fatalf("valid change: class %q, apply disabled %v, now disabled %v", urlClass, disabledApply, disabledNow)
	}

	// Apply: saved, and now Heartbeat now is enabled.
	if err := chromedp.Run(ctx,
		chromedp.Click("#apply", chromedp.ByID),
		chromedp.WaitVisible(`//td[contains(., "Heartbeat settings saved")]`),
	); err != nil {
		t.Fatalf("apply: %v", err)
	}
	state()
	if !disabledApply || disabledNow {
		t.Fatalf("after apply: apply disabled %v, now disabled %v", disabledApply, disabledNow)
	}
	if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "heartbeaturl = "+rcv.URL+"/beat") || !strings.Contains(ini, "heartbeatfrequency = 5") {
		t.Fatalf("INI after apply:\n%s", ini)
	}

	// Heartbeat now: the receiver sees a GET, the page shows the new result.
	before := rcv.Count()
	if err := chromedp.Run(ctx, chromedp.Click("#hbnow", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	var result string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		chromedp.Run(ctx, chromedp.Evaluate(`(document.getElementById('hbResult')||{}).textContent || ''`, &result))
		if strings.HasSuffix(result, "(200)") && rcv.Count() > before {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if rcv.Count() != before+1 {
		t.Fatalf("receiver saw %d GETs, want 1", rcv.Count()-before)
	}
	if !strings.HasSuffix(result, "(200)") {
		t.Fatalf("page shows result %q, want one ending (200)", result)
	}
}

func TestBrowserCameraForm(t *testing.T) {
	b := StartBox(t, copyINI(""), "INTVLM8R_CAMERA=sim:canon,awake")
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	base := "http://" + b.UIAddr
	var applyOff, previewOff, tablesHidden, warningHidden bool
	state := func() {
		t.Helper()
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(`document.getElementById('camApply').disabled`, &applyOff),
			chromedp.Evaluate(`document.getElementById('camPreview').disabled`, &previewOff),
			chromedp.Evaluate(`document.getElementById('imageInfo').classList.contains('hidden')`, &tablesHidden),
			chromedp.Evaluate(`document.getElementById('usbWarning').classList.contains('hidden')`, &warningHidden),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/camera"), chromedp.WaitVisible("#iso", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	state()
	if !applyOff || previewOff || tablesHidden || !warningHidden {
		t.Fatalf("at load: apply off %v, preview off %v, tables hidden %v, warning hidden %v", applyOff, previewOff, tablesHidden, warningHidden)
	}
	// A changed setting: Apply on, Preview off; changed back: as at load.
	if err := chromedp.Run(ctx, chromedp.SetValue("#iso", "800", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById('iso').dispatchEvent(new Event('change'))`, nil)); err != nil {
		t.Fatal(err)
	}
	state()
	if applyOff || !previewOff {
		t.Fatalf("after a change: apply off %v, preview off %v", applyOff, previewOff)
	}
	if err := chromedp.Run(ctx, chromedp.Click("#camApply", chromedp.ByID)); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := waitText(ctx, "Camera settings applied"); err != nil {
		t.Fatalf("apply: %v", err)
	}
	var iso string
	chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById('iso').value`, &iso))
	if iso != "800" {
		t.Fatalf("ISO after apply: %q", iso)
	}
	// Untick USB: the camera tables go, the warning shows, Apply saves it.
	if err := chromedp.Run(ctx, chromedp.Click("#enableCameraUsb", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	state()
	if !tablesHidden || warningHidden || applyOff {
		t.Fatalf("USB unticked: tables hidden %v, warning hidden %v, apply off %v", tablesHidden, warningHidden, applyOff)
	}
	if err := chromedp.Run(ctx, chromedp.Click("#camApply", chromedp.ByID)); err != nil {
		t.Fatalf("USB off: %v", err)
	}
	if err := waitText(ctx, "Camera USB switched off"); err != nil {
		t.Fatalf("USB off: %v", err)
	}
	if ini := b.ReadFile("www/intvlm8r.ini"); !strings.Contains(ini, "enablecamerausb = False") {
		t.Fatalf("INI:\n%s", ini)
	}
}

// waitText waits (up to 15 s) for the page to show text; the error carries
// what the page showed instead.
func waitText(ctx context.Context, text string) error {
	var body string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.body ? document.body.innerText : ''`, &body)); err == nil && strings.Contains(body, text) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%q not shown; the page shows:\n%s", text, body)
}
