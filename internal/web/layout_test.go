package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The layout around a page: the location in the title and header for a
// logged-in user only ("Intvlm8r" when none is set), the menu marking the page
// shown, the task row saying in red why no task can run (or naming the task
// queued), the page's last results, and no caching.
func TestLayoutAroundThePage(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	resp, err := u.cl.Get(u.ts.URL + "/transfer")
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(resp)
	for _, want := range []string{
		"<title>Intvlm8r - Hut</title>", `<h2 id="locationName">Hut</h2>`,
		`<a href="/transfer" aria-current="page">`,
		`<tr id="taskRow" class="red"><td id="taskStatus" class="centred" data-task="" aria-live="polite">No background worker`,
		"copies, uploads and heartbeats cannot run.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/transfer lacks %s", want)
		}
	}
	if n := strings.Count(page, "aria-current"); n != 1 {
		t.Errorf("%d menu items marked current", n)
	}
	if n := strings.Count(page, `class="result `); n != len(pageResults["/transfer"]) {
		t.Errorf("%d result rows on /transfer, want %d", n, len(pageResults["/transfer"]))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	login := get(t, u.anon, u.ts.URL+"/login")
	if !strings.Contains(login, "<title>Intvlm8r</title>") || strings.Contains(login, "Hut") ||
		strings.Contains(login, `id="taskRow"`) || strings.Contains(login, `class="result `) {
		t.Errorf("the login page shows the location, the task row or results:\n%s", login)
	}

	if err := os.WriteFile(u.p.INI(), []byte(strings.Replace(tpINI, "locationname = Hut\n", "", 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	idleWorker(t, u)
	id, err := u.tasks.StartChain(context.Background(), tasks.TypeThumbnails)
	if err != nil {
		t.Fatal(err)
	}
	page = u.page("/transfer")
	for _, want := range []string{"<title>Intvlm8r</title>", `<h2 id="locationName">Intvlm8r</h2>`,
		`<tr id="taskRow" class="white"><td id="taskStatus" class="centred" data-task="` + id + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no location set, a task queued: /transfer lacks %s", want)
		}
	}
}

var messageText = regexp.MustCompile(`<option class="(\w+)" disabled[^>]*>([^<]*)</option>`)

// Flashes wait in the cookie until a page is drawn, however many requests
// come between; each is shown once, the most severe first, in the order
// they came within a colour.
func TestFlashesWaitAndComeMostSevereFirst(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	resp, err := u.cl.PostForm(u.ts.URL+"/logout", url.Values{"_csrf": {u.csrf(u.page("/"))}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 2 {
		if code, _ := do(t, u.cl, http.MethodGet, u.ts.URL+"/transfer", nil, ""); code != http.StatusSeeOther {
			t.Fatalf("GET /transfer logged out: %d", code)
		}
	}
	// A form posted logged out: its token from the cookie (a page would take the flashes).
	site, _ := url.Parse(u.ts.URL)
	var tok string
	for _, ck := range u.cl.Jar.Cookies(site) {
		if ck.Name == "_csrf" {
			tok = ck.Value
		}
	}
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if code, body := do(t, u.cl, http.MethodPost, u.ts.URL+"/system", form, url.Values{"_csrf": {tok}}.Encode()); code != http.StatusSeeOther {
		t.Fatalf("POST /system logged out: %d\n%s", code, body)
	}
	page := get(t, u.cl, u.ts.URL+"/login")
	var got []string
	for _, m := range messageText.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1]+": "+m[2])
	}
	want := []string{"red: Please log in to see that page.", "red: Please log in first.", "white: You have been logged out."}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if again := get(t, u.cl, u.ts.URL+"/login"); strings.Contains(again, "Please log in") {
		t.Error("a message was shown twice")
	}
}

// A quoted value up to maxFlashQuote characters and a message up to
// maxFlashText bytes are kept whole; cutRunes keeps at most n bytes and
// never half a character.
func TestFlashTextBoundaries(t *testing.T) {
	quote := `Server "` + strings.Repeat("q", maxFlashQuote) + `" refused.`
	if got := shortenForFlash(quote); got != quote {
		t.Errorf("a %d-character quoted value was shortened: %q", maxFlashQuote, got)
	}
	if got := shortenForFlash(`Server "` + strings.Repeat("q", maxFlashQuote+1) + `" refused.`); got != `Server "`+strings.Repeat("q", maxFlashQuote)+`…" refused.` {
		t.Errorf("a %d-character quoted value: %q", maxFlashQuote+1, got)
	}
	exact := strings.Repeat("m", maxFlashText)
	if got := shortenForFlash(exact); got != exact {
		t.Errorf("a message of exactly %d bytes was cut to %d", maxFlashText, len(got))
	}
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"\x80\x80\x80", 2, ""}, {"", 0, ""},
	} {
		if got := cutRunes(tc.s, tc.n); got != tc.want {
			t.Errorf("cutRunes(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
