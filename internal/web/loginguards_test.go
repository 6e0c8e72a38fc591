package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The login session and the login limiter through the real handlers, on a
// real Redis, with real cookies (loginlimit_test.go has the limiter's rules).

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func captureLog(u *tpUI) *logBuffer {
	buf := &logBuffer{}
	u.srv.Log = slog.New(slog.NewTextHandler(buf, nil))
	return buf
}

// loggedInAs tells whether cl is let in: Home answers 200, or sends it to
// the login page.
func (u *tpUI) loggedInAs(cl *http.Client) bool {
	u.t.Helper()
	resp, err := cl.Get(u.ts.URL + "/")
	if err != nil {
		u.t.Fatal(err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return false
	}
	u.t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	return false
}

// copyOf is another browser holding a copy of cl's cookies as they are now.
func (u *tpUI) copyOf(cl *http.Client) *http.Client {
	jar, _ := cookiejar.New(nil)
	site, _ := url.Parse(u.ts.URL)
	jar.SetCookies(site, cl.Jar.Cookies(site))
	loginPath, _ := url.Parse(u.ts.URL + "/login")
	jar.SetCookies(loginPath, cl.Jar.Cookies(loginPath))
	return &http.Client{Jar: jar, CheckRedirect: cl.CheckRedirect}
}

// sessionKeys are the logins Redis holds.
func (u *tpUI) sessionKeys() []string {
	u.t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: u.redis})
	defer rdb.Close()
	keys, err := rdb.Keys(context.Background(), sessionKeyPrefix+"*").Result()
	if err != nil {
		u.t.Fatal(err)
	}
	return keys
}

// loginWith posts the login form from cl (its token read from the page
// from), with header added to the request.
func (u *tpUI) loginWith(cl *http.Client, from string, form url.Values, header http.Header) *http.Response {
	u.t.Helper()
	resp, err := cl.Get(u.ts.URL + from)
	if err != nil {
		u.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form.Set("_csrf", u.csrf(string(page)))
	req, _ := http.NewRequest(http.MethodPost, u.ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err = cl.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func adminLogin(pw string) url.Values {
	return url.Values{"username": {"admin"}, "password": {pw}}
}

func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// A logout ends the login on the server: a copy of the cookie taken before
// it is worth nothing after, Redis keeps no record, and nothing is logged as
// an error.
func TestSessionLogoutEndsTheLoginEverywhere(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	log := captureLog(u)
	copied := u.copyOf(u.cl)
	if !u.loggedInAs(copied) || len(u.sessionKeys()) != 1 {
		t.Fatalf("before the logout: copy let in %v, %d logins in Redis", u.loggedInAs(copied), len(u.sessionKeys()))
	}
	resp, err := u.cl.PostForm(u.ts.URL+"/logout", url.Values{"_csrf": {u.csrf(u.page("/"))}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if u.loggedInAs(u.cl) || u.loggedInAs(copied) {
		t.Error("still let in after the logout (the browser, or a copy of its cookie)")
	}
	if keys := u.sessionKeys(); len(keys) != 0 {
		t.Errorf("Redis still holds %d logins", len(keys))
	}
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a plain logout logged an error:\n%s", log)
	}
}

// A new login in a browser ends the login its cookie had: the old id is
// worth nothing after, and Redis holds the new login only.
func TestSessionNewLoginEndsTheOldOne(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	old := u.copyOf(u.cl)
	if resp := u.loginWith(u.cl, "/", adminLogin("pw-for-tests"), nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login: %d", resp.StatusCode)
	}
	if !u.loggedInAs(u.cl) {
		t.Fatal("the second login did not let its browser in")
	}
	if u.loggedInAs(old) {
		t.Error("the id from before the second login still lets in")
	}
	if keys := u.sessionKeys(); len(keys) != 1 {
		t.Errorf("Redis holds %d logins, want the new one only", len(keys))
	}
}

// A password change or a removed user ends the logins made before, at their
// next request, and the log says why.
func TestSessionEndsWhenThePasswordChangesOrTheUserGoes(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	log := captureLog(u)
	if err := auth.SetPassword(u.p.Credentials(), "admin", "a-new-password"); err != nil {
		t.Fatal(err)
	}
	if u.loggedInAs(u.cl) {
		t.Fatal("a login made with the old password still lets in")
	}
	if !strings.Contains(log.String(), `reason="password changed"`) || len(u.sessionKeys()) != 0 {
		t.Errorf("ended login: %d left in Redis, log:\n%s", len(u.sessionKeys()), log)
	}

	if resp := u.loginWith(u.cl, "/login", adminLogin("a-new-password"), nil); resp.StatusCode != http.StatusSeeOther || !u.loggedInAs(u.cl) {
		t.Fatalf("login with the new password: %d", resp.StatusCode)
	}
	if err := auth.SetPassword(u.p.Credentials(), "other", "pw-of-other"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(u.p.Credentials())
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "admin:") {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(u.p.Credentials(), []byte(strings.Join(kept, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if u.loggedInAs(u.cl) {
		t.Fatal("a removed user's login still lets in")
	}
	if !strings.Contains(log.String(), `reason="user removed from the logins file"`) {
		t.Errorf("no reason logged for the removed user:\n%s", log)
	}
}

// Each request restarts the login's idle time in Redis; a login past its
// absolute end is refused at its next request (and removed), whatever its
// idle time left. "Remember me" keeps it in Redis for its longer idle time.
func TestSessionIdleRefreshAndAbsoluteEnd(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	log := captureLog(u)
	rdb := redis.NewClient(&redis.Options{Addr: u.redis})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	keys := u.sessionKeys()
	if len(keys) != 1 {
		t.Fatalf("%d logins in Redis", len(keys))
	}
	key := keys[0]
	if ttl := rdb.TTL(ctx, key).Val(); ttl > sessionIdle || ttl < sessionIdle-time.Minute {
		t.Errorf("a new login kept for %v, want its idle time %v", ttl, sessionIdle)
	}
	rdb.Expire(ctx, key, time.Minute)
	if !u.loggedInAs(u.cl) {
		t.Fatal("login refused within its idle time")
	}
	if ttl := rdb.TTL(ctx, key).Val(); ttl < sessionIdle-time.Minute {
		t.Errorf("a request left the login %v to live, want its idle time restarted", ttl)
	}

	var rec loginRecord
	if err := json.Unmarshal([]byte(rdb.Get(ctx, key).Val()), &rec); err != nil {
		t.Fatal(err)
	}
	rec.Created = time.Now().Add(-sessionAbsolute - time.Second).Unix()
	b, _ := json.Marshal(rec)
	rdb.Set(ctx, key, b, redis.KeepTTL)
	if u.loggedInAs(u.cl) {
		t.Fatal("a login past its absolute end let in")
	}
	if n := rdb.Exists(ctx, key).Val(); n != 0 || !strings.Contains(log.String(), `reason=expired`) {
		t.Errorf("expired login: still in Redis %v; log:\n%s", n == 1, log)
	}

	form := adminLogin("pw-for-tests")
	form.Set("rememberme", "on")
	resp := u.loginWith(u.cl, "/login", form, nil)
	var maxAge int
	if ck := findCookie(resp, sessionName); ck != nil {
		maxAge = ck.MaxAge
	}
	if maxAge != rememberFor {
		t.Errorf("remembered login's cookie: Max-Age %d, want %d", maxAge, rememberFor)
	}
	keys = u.sessionKeys()
	if len(keys) != 1 {
		t.Fatalf("%d logins in Redis", len(keys))
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl > rememberIdle || ttl < rememberIdle-time.Minute {
		t.Errorf("a remembered login kept for %v, want %v", ttl, rememberIdle)
	}
}

// When Redis cannot be read, a browser with a login gets a 503 saying so,
// not the login page (which would look like a logout); one without a login
// cookie still gets the login page.
func TestSessionStoreUnreadableIs503(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	u.srv.rdb.Close()
	code, body := do(t, u.cl, http.MethodGet, u.ts.URL+"/", nil, "")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "Redis") {
		t.Errorf("GET / with a login, Redis unreadable: %d\n%s", code, body)
	}
	if u.loggedInAs(u.anon) {
		t.Error("a stranger was let in")
	}
}

// The device cookie: a browser that logged in as a name keeps trying that
// name while strangers have used up its tries; a new browser, or one with a
// forged cookie, is refused. The cookie is for /login only, HttpOnly,
// SameSite=Strict, kept a year, and Secure when the browser came over HTTPS.
func TestLoginDeviceCookieLetsTheOwnerInWhileTheNameIsGuessed(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	trusted, _ := ParseTrustedProxies("127.0.0.1")
	u.srv.public.IPExtractor = clientIP(false, trusted) // X-Real-IP says who asks
	from := func(ip string) http.Header { return http.Header{"X-Real-Ip": {ip}} }

	owner := newBrowser()
	resp := u.loginWith(owner, "/login", adminLogin("pw-for-tests"), from("203.0.113.1"))
	dev := findCookie(resp, deviceCookie)
	if resp.StatusCode != http.StatusSeeOther || dev == nil {
		t.Fatalf("owner's login: %d, device cookie %v", resp.StatusCode, dev)
	}
	if dev.Path != "/login" || !dev.HttpOnly || dev.SameSite != http.SameSiteStrictMode || dev.Secure ||
		dev.MaxAge != int(deviceFor.Seconds()) {
		t.Errorf("device cookie over HTTP: %+v", dev)
	}
	https := from("203.0.113.2")
	https.Set("X-Forwarded-Proto", "https")
	if dev := findCookie(u.loginWith(newBrowser(), "/login", adminLogin("pw-for-tests"), https), deviceCookie); dev == nil || !dev.Secure {
		t.Errorf("device cookie over HTTPS: %+v, want Secure", dev)
	}

	// A stranger guesses at admin from many addresses until refused.
	stranger := newBrowser()
	refused := false
	for i := 0; i < 3*perName.burst && !refused; i++ {
		code := u.loginWith(stranger, "/login", adminLogin("guess"+strconv.Itoa(i)), from("198.51.100."+strconv.Itoa(i))).StatusCode
		refused = code == http.StatusTooManyRequests
	}
	if !refused {
		t.Fatal("guesses at one name from many addresses were never refused")
	}
	if code := u.loginWith(newBrowser(), "/login", adminLogin("pw-for-tests"), from("203.0.113.50")).StatusCode; code != http.StatusTooManyRequests {
		t.Errorf("a new browser at a name being guessed: %d, want 429", code)
	}
	forged := newBrowser()
	loginPath, _ := url.Parse(u.ts.URL + "/login")
	forged.Jar.SetCookies(loginPath, []*http.Cookie{{Name: deviceCookie, Value: strings.Replace(dev.Value, dev.Value[:4], "AAAA", 1)}})
	if code := u.loginWith(forged, "/login", adminLogin("pw-for-tests"), from("203.0.113.51")).StatusCode; code != http.StatusTooManyRequests {
		t.Errorf("a browser with a forged device cookie: %d, want 429", code)
	}
	if code := u.loginWith(owner, "/", adminLogin("pw-for-tests"), from("203.0.113.1")).StatusCode; code != http.StatusSeeOther || !u.loggedInAs(owner) {
		t.Errorf("the owner's browser while admin is being guessed: %d, want logged in", code)
	}
}

// findCookie is the cookie name as a browser keeps it from resp: the last
// one set under that name, or nil.
func findCookie(resp *http.Response, name string) *http.Cookie {
	var found *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			found = ck
		}
	}
	return found
}

// The device cookie remembers the last 8 names the browser logged in as,
// under one id.
func TestDeviceCookieKeepsTheLastEightNames(t *testing.T) {
	s := &Server{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		devices: newDeviceCodec(securecookie.GenerateRandomKey(64))}
	e := echo.New()
	var ck *http.Cookie
	ctx := func() echo.Context {
		req := httptest.NewRequest(http.MethodPost, "/login", nil)
		if ck != nil {
			req.AddCookie(ck)
		}
		return e.NewContext(req, httptest.NewRecorder())
	}
	id := ""
	for i := 1; i <= 9; i++ {
		c := ctx()
		s.markDevice(c, "n"+strconv.Itoa(i))
		ck = findCookie(&http.Response{Header: c.Response().Header()}, deviceCookie)
		if ck == nil {
			t.Fatalf("login %d: no device cookie", i)
		}
		m, ok := s.readDevice(ctx())
		if !ok || (id != "" && m.ID != id) {
			t.Fatalf("login %d: device %q ok=%v, want the id %q kept", i, m.ID, ok, id)
		}
		id = m.ID
	}
	m, _ := s.readDevice(ctx())
	want := []string{"n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"}
	if !slices.Equal(m.Names, want) {
		t.Errorf("names %v, want %v", m.Names, want)
	}
	if s.device(ctx(), "n1") != "" || s.device(ctx(), "n9") != id {
		t.Error("device() does not answer by the names kept")
	}
}

// With the limiter's memory full, a client it does not know is refused
// (its known clients and the device cookies still get their tries) until
// idle buckets are forgotten.
func TestLoginLimitFullMemoryRefusesNewClients(t *testing.T) {
	l := newLoginLimiter()
	now := fakeClock(l)
	for i := 0; len(l.buckets) < maxBuckets && i < 2*maxBuckets; i++ { // each new client adds a bucket
		l.attempt(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String(), "admin", "", true)
	}
	if n := len(l.buckets); n != maxBuckets {
		t.Fatalf("%d buckets, want the cap %d", n, maxBuckets)
	}
	*now = now.Add(perName.every * time.Duration(perName.burst)) // every bucket full again
	if l.attempt("192.0.2.1", "admin", "", true) {
		t.Error("a new client was let try with the limiter's memory full")
	}
	if !l.attempt("10.0.0.1", "admin", "", true) {
		t.Error("a known client was refused with the limiter's memory full")
	}
	if !l.attempt("192.0.2.1", "admin", "owner-device", true) {
		t.Error("a device cookie was refused with the limiter's memory full")
	}
	*now = now.Add(bucketIdle + time.Minute)
	if !l.attempt("192.0.2.1", "admin", "", true) {
		t.Error("a new client still refused after the idle buckets went")
	}
}
