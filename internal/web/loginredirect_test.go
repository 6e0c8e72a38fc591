package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// Where a stranger is sent, and the session cookie's Secure flag: set only
// when the browser came over HTTPS (directly or through nginx saying so),
// since a Secure cookie is never sent back over the Pi's plain HTTP.
func TestLoginRedirectsAndSecureCookie(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	stranger := newBrowser()

	// A page asked for by a GET: the login page, which remembers it.
	resp, err := stranger.Get(u.ts.URL + "/system")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != "/login?next=%2Fsystem" {
		t.Errorf("GET /system logged out: %d to %q", resp.StatusCode, got)
	}

	// The login page's token, then a POST of a form: the plain login page
	// (a form's target is no page to come back to).
	resp, err = stranger.Get(u.ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := u.csrf(string(page))
	resp, err = stranger.PostForm(u.ts.URL+"/system", url.Values{"_csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != "/login" {
		t.Errorf("POST /system logged out: %d to %q", resp.StatusCode, got)
	}

	// A wrong password goes back to the login page, keeping next only when
	// there is one.
	for _, tc := range []struct{ query, want string }{
		{"", "/login"},
		{"?next=%2Fsystem", "/login?next=%2Fsystem"},
	} {
		form := url.Values{"_csrf": {token}, "username": {"admin"}, "password": {"not-the-password"}}
		resp, err = stranger.PostForm(u.ts.URL+"/login"+tc.query, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
			t.Errorf("failed login from /login%s: %d to %q, want %q", tc.query, resp.StatusCode, got, tc.want)
		}
	}

	// A good login goes to the page it was sent from, or Home.
	for _, tc := range []struct{ from, want string }{
		{"/login?next=%2Fsystem", "/system"},
		{"/login", "/"},
	} {
		cl := newBrowser()
		resp, err := cl.Get(u.ts.URL + tc.from)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := url.Values{"_csrf": {u.csrf(string(page))}, "username": {"admin"}, "password": {"pw-for-tests"}}
		if resp, err = cl.PostForm(u.ts.URL+tc.from, form); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != tc.want {
			t.Errorf("login from %s: %d to %q, want %q", tc.from, resp.StatusCode, got, tc.want)
		}
	}

	// The session cookie of a good login: Secure behind HTTPS only.
	for _, tc := range []struct {
		proto  string
		secure bool
	}{{"", false}, {"http", false}, {"https", true}, {"HTTPS", true}} {
		h := http.Header{}
		if tc.proto != "" {
			h.Set("X-Forwarded-Proto", tc.proto)
		}
		resp := u.loginWith(newBrowser(), "/login", adminLogin("pw-for-tests"), h)
		cookie := findCookie(resp, sessionName)
		if cookie == nil {
			t.Fatalf("X-Forwarded-Proto %q: no %s cookie in %v", tc.proto, sessionName, resp.Header["Set-Cookie"])
		}
		if cookie.Secure != tc.secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
			t.Errorf("X-Forwarded-Proto %q: cookie %s", tc.proto, strings.Join(resp.Header["Set-Cookie"], " | "))
		}
	}
}

// A login that saves its cookie says nothing went wrong (saveSession logs
// to the default logger only when the cookie could not be written).
func TestLoginLogsNoCookieTrouble(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	var said logBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&said, nil)))
	defer slog.SetDefault(prev)
	if resp := u.loginWith(newBrowser(), "/login", adminLogin("pw-for-tests"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	if strings.Contains(said.String(), "session cookie not written") {
		t.Errorf("a good login logged:\n%s", said.String())
	}
}
