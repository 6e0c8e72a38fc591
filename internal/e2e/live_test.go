package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// A copy started from the Transfer page shows its live "i of n" and bytes,
// pushed by the Pi, without a reload; its result stays on the page after the
// chain, and is still on the Transfer page and on Home later (the recorded
// result back-dated by a minute and more, instead of waiting for it).
func TestBrowserCopyProgressAndResult(t *testing.T) {
	t.Parallel()
	const photos = 6
	ini := strings.Replace(copyINI(""), "copyday = Off", "copyday = Daily", 1)
	// Each download takes 400 ms: the copy lasts long enough to be watched.
	b := StartBox(t, ini, "INTVLM8R_CAMERA=sim:canon,awake,slow=400ms")
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, photos, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	base := "http://" + b.UIAddr
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/transfer"),
		chromedp.WaitVisible("#copyNow", chromedp.ByID),
		chromedp.Evaluate(`window.notReloaded = true`, nil),
		chromedp.Click("#copyNow", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}

	progress := regexp.MustCompile(`^Copying image (\d+) of ` + strconv.Itoa(photos) + ` \([0-9.]+ of [0-9.]+ MB\)$`)
	seen := map[int]bool{}
	var status, copyRow, copyClass string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(`document.getElementById('taskStatus').textContent`, &status),
			chromedp.Evaluate(`document.getElementById('result-copy').textContent`, &copyRow),
			chromedp.Evaluate(`document.getElementById('row-result-copy').className`, &copyClass),
		); err != nil {
			t.Fatal(err)
		}
		if m := progress.FindStringSubmatch(status); m != nil {
			i, _ := strconv.Atoi(m[1])
			seen[i] = true
		}
		if strings.Contains(copyRow, "Copied 6 images OK") && strings.Contains(status, "thumbnail") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("progress seen on the page: items %v", seen)
	if len(seen) < 2 {
		t.Fatalf("live progress: saw %v of %d (status now %q)\n%s", seen, photos, status, b.Log("worker"))
	}
	if !strings.Contains(copyRow, "Copied 6 images OK") || !strings.Contains(copyClass, "green") {
		t.Fatalf("copy result row %q (class %q); status %q", copyRow, copyClass, status)
	}
	var notReloaded bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.notReloaded === true`, &notReloaded)); err != nil || !notReloaded {
		t.Fatalf("the page reloaded (%v): its results would have gone", err)
	}
	if strings.Contains(status, "idle") || strings.Contains(status, "waiting for the worker") {
		t.Fatalf("after the chain the status says %q", status)
	}

	// A minute and more later: the result is still on its page and on Home.
	o, ok := health.ReadOutcome(health.OutcomePath(p, health.KindCopy))
	if !ok {
		t.Fatal("no copy outcome recorded")
	}
	o.At = o.At.Add(-90 * time.Second)
	if err := health.RecordOutcome(health.OutcomePath(p, health.KindCopy), o); err != nil {
		t.Fatal(err)
	}
	want := o.At.Format("2006-01-02 15:04") + ": Copied 6 images OK"
	for _, page := range []string{"/transfer", "/"} {
		if err := chromedp.Run(ctx,
			chromedp.Navigate(base+page),
			chromedp.WaitVisible("#result-copy", chromedp.ByID),
			chromedp.Evaluate(`document.getElementById('result-copy').textContent`, &copyRow),
			chromedp.Evaluate(`document.getElementById('row-result-copy').className`, &copyClass),
		); err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if copyRow != want || !strings.Contains(copyClass, "green") {
			t.Errorf("%s: copy result %q (class %q), want %q in green", page, copyRow, copyClass, want)
		}
	}
}

// Home refreshes its clock by itself while open; when the web server goes
// away the page says so quietly and keeps what it showed, and once the
// server is back the stream reconnects by itself and the note goes.
func TestBrowserHomeLive(t *testing.T) {
	t.Parallel()
	b := StartBox(t, copyINI(""))
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	var first, now, note string
	var noteHidden bool
	text := func(id string, into *string) chromedp.Action {
		return chromedp.Evaluate(`document.getElementById('`+id+`').textContent`, into)
	}
	if err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+b.UIAddr+"/"),
		chromedp.WaitVisible("#dateTime", chromedp.ByID),
		chromedp.Evaluate(`window.notReloaded = true`, nil),
		text("dateTime", &first),
	); err != nil {
		t.Fatal(err)
	}
	// waitFor polls the page until ok (up to 40 s: the stream sends every 10 s).
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(40 * time.Second)
		for time.Now().Before(deadline) {
			if err := chromedp.Run(ctx, text("dateTime", &now), text("liveNote", &note),
				chromedp.Evaluate(`document.getElementById('liveNote').hidden`, &noteHidden)); err != nil {
				t.Fatal(err)
			}
			if ok() {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("%s: clock %q (first %q), note %q (hidden %v)", what, now, first, note, noteHidden)
	}
	waitFor("the clock moves on by itself", func() bool { return now != first && now != "" })
	var notReloaded bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.notReloaded === true`, &notReloaded)); err != nil || !notReloaded {
		t.Fatalf("the page reloaded instead (%v)", err)
	}

	b.StopWeb()
	waitFor("the page says the connection dropped", func() bool { return !noteHidden && strings.Contains(note, "reconnecting") })
	shown := now
	b.StartWeb()
	waitFor("the stream comes back by itself", func() bool { return noteHidden && now != shown })
}
