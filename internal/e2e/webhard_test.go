package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// rssKB reads a process's resident set now and at its peak (kB).
func rssKB(t *testing.T, pid int) (now, peak int) {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			now = v
		case "VmHWM:":
			peak = v
		}
	}
	return now, peak
}

// zeros is an endless body of zero bytes, n long.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// multipartBody is a multipart form of one file field of size bytes,
// streamed; chunked hides its length (no Content-Length).
func multipartPost(base string, size int64, chunked bool) (*http.Request, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, _ := mw.CreateFormFile("username", "big.bin")
		io.Copy(part, &zeros{size})
		mw.Close()
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, base+"/login", pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if !chunked {
		req.ContentLength = size + 400 // about right: refused on the header alone
	}
	return req, nil
}

// Finding 2: anonymous bodies are refused at a few kB, before the CSRF check
// reads them, a stalled body is dropped, and the web server's memory stays
// small. The figures are logged (go test -v) for the report.
func TestAnonymousBodiesKeepMemorySmall(t *testing.T) {
	t.Parallel() // its own box; the stalled body waits out a timeout meanwhile
	b := StartBox(t, "")
	base := "http://" + b.UIAddr
	pid := b.web.Process.Pid
	idle, _ := rssKB(t, pid)

	// A body that stalls after its headers: the server must hang up.
	stalled := make(chan time.Duration, 1)
	go func() {
		conn, err := net.Dial("tcp", b.UIAddr)
		if err != nil {
			stalled <- -1
			return
		}
		defer conn.Close()
		start := time.Now()
		fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000\r\n\r\nusername=")
		conn.SetReadDeadline(time.Now().Add(3 * time.Minute))
		io.Copy(io.Discard, conn)
		stalled <- time.Since(start)
	}()

	send := func(n int, size int64, chunked bool) map[string]int {
		var mu sync.Mutex
		got := map[string]int{}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				req, _ := multipartPost(base, size, chunked)
				resp, err := http.DefaultClient.Do(req)
				key := "error"
				if err == nil {
					readAll(resp)
					key = strconv.Itoa(resp.StatusCode)
				}
				mu.Lock()
				got[key]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return got
	}
	for _, tc := range []struct {
		n       int
		size    int64
		chunked bool
	}{{50, 8 << 20, false}, {50, 8 << 20, true}, {6, 100 << 20, false}, {6, 100 << 20, true}} {
		got := send(tc.n, tc.size, tc.chunked)
		if got["200"] > 0 || got["303"] > 0 {
			t.Errorf("%d bodies of %d MB (chunked %v) were taken: %v", tc.n, tc.size>>20, tc.chunked, got)
		}
		if !tc.chunked && got["413"] == 0 {
			t.Errorf("%d bodies of %d MB with their length: no 413 (%v)", tc.n, tc.size>>20, got)
		}
		now, peak := rssKB(t, pid)
		t.Logf("after %d × %d MB (chunked %v): %v; web RSS %d kB, peak %d kB", tc.n, tc.size>>20, tc.chunked, got, now, peak)
	}
	d := <-stalled
	if d < 0 {
		t.Fatal("could not open the stalled connection")
	}
	if d >= 3*time.Minute-time.Second {
		t.Errorf("a stalled body kept its connection open for %v", d)
	}
	now, peak := rssKB(t, pid)
	t.Logf("web RSS: idle %d kB, peak %d kB, after the burst and the stalled body (%v) %d kB", idle, peak, d.Round(time.Second), now)
	// The limit is on memory, not time: bodies cap at kilobytes, so the
	// peak stays within a few dozen MB of idle whatever the load.
	if peak-idle > 64<<10 {
		t.Errorf("anonymous bodies took the web server from %d kB to %d kB", idle, peak)
	}
	// The login form still works.
	b.Login(b.Client())
}

func redisClient(t *testing.T, b *Box) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: b.Redis.Addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// copyCookies is a second browser holding the cookies c has now: a cookie
// saved (stolen, or kept) at this moment.
func copyCookies(t *testing.T, b *Box, c *http.Client) *http.Client {
	u, _ := url.Parse("http://" + b.UIAddr + "/")
	saved := b.Client()
	saved.Jar.SetCookies(u, c.Jar.Cookies(u))
	return saved
}

// loggedOut says a client's session no longer opens a page.
func loggedOut(t *testing.T, b *Box, c *http.Client) bool {
	t.Helper()
	resp, err := c.Get("http://" + b.UIAddr + "/iniview")
	if err != nil {
		t.Fatal(err)
	}
	readAll(resp)
	if resp.StatusCode == http.StatusOK {
		return false
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("GET /iniview: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return true
}

// Finding 3: a login lives on the server and ends there.
func TestSessionsEndOnTheServer(t *testing.T) {
	t.Parallel()
	b := StartBox(t, monitoringINI("Off", "http://127.0.0.1:9/"))
	base := "http://" + b.UIAddr
	rdb := redisClient(t, b)

	t.Run("a cookie saved before logout does not work after it", func(t *testing.T) {
		c := b.Client()
		tok := b.Login(c)
		saved := copyCookies(t, b, c)
		if loggedOut(t, b, saved) {
			t.Fatal("the copied cookie did not work before logout")
		}
		resp, _ := c.PostForm(base+"/logout", url.Values{"_csrf": {tok}})
		readAll(resp)
		if !loggedOut(t, b, c) || !loggedOut(t, b, saved) {
			t.Fatal("a cookie saved before logout still opens a page")
		}
		before := b.ReadFile("www/intvlm8r.ini")
		resp, _ = saved.PostForm(base+"/system", url.Values{"_csrf": {tok}, "newName": {"Hijacked"}, "submitName": {"1"}})
		readAll(resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("POST /system with a logged-out cookie: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if after := b.ReadFile("www/intvlm8r.ini"); after != before {
			t.Fatalf("a logged-out cookie changed the settings:\n%s", after)
		}
	})

	t.Run("a password change or a removed login ends every session", func(t *testing.T) {
		c1, c2 := b.Client(), b.Client()
		b.Login(c1)
		b.Login(c2)
		setPassword := func(pw string) {
			cmd := exec.Command(bin("web"), "passwd", "--home", b.Home, testUser)
			cmd.Stdin = strings.NewReader(pw + "\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("web passwd: %v\n%s", err, out)
			}
		}
		setPassword("another-password-2")
		if !loggedOut(t, b, c1) || !loggedOut(t, b, c2) {
			t.Fatal("a session survived the password change")
		}
		setPassword(testPassword)
		b.Login(c1)
		users := b.ReadFile("www/intvlm8r.users")
		if err := os.WriteFile(filepath.Join(b.Home, "www", "intvlm8r.users"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if !loggedOut(t, b, c1) {
			t.Fatal("a session survived the emptied logins file")
		}
		os.WriteFile(filepath.Join(b.Home, "www", "intvlm8r.users"), []byte(users), 0o600)
		// The same hash again: a login made now works, the ended one stays ended.
		if !loggedOut(t, b, c1) {
			t.Fatal("an ended session came back")
		}
	})

	t.Run("idle and absolute timeouts, Remember me", func(t *testing.T) {
		rdb.FlushDB(context.Background())
		c := b.Client()
		b.Login(c)
		keys, err := rdb.Keys(context.Background(), "intvlm8r:web:session:*").Result()
		if err != nil || len(keys) != 1 {
			t.Fatalf("session records in Redis: %v %v", keys, err)
		}
		ttl := rdb.TTL(context.Background(), keys[0]).Val()
		if ttl <= 0 || ttl > 2*time.Hour {
			t.Errorf("a login without Remember me lives %v in Redis, want at most its 2 h idle time", ttl)
		}
		// Its id is not in Redis: the record names a hash of it.
		u, _ := url.Parse(base + "/")
		for _, ck := range c.Jar.Cookies(u) {
			if strings.Contains(keys[0], ck.Value) {
				t.Error("the Redis key holds the cookie's value")
			}
		}
		// Remember me: a cookie that outlives the browser, for 30 days.
		rc := b.Client()
		resp, _ := rc.Get(base + "/login")
		tok := csrfField.FindStringSubmatch(readAll(resp))[1]
		resp, _ = rc.PostForm(base+"/login", url.Values{"username": {testUser}, "password": {testPassword}, "_csrf": {tok}, "rememberme": {"on"}})
		readAll(resp)
		found := false
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "intvlm8r=") {
				found = strings.Contains(h, "Max-Age=2592000")
			}
		}
		if !found {
			t.Errorf("Remember me: no 30-day session cookie in %q", resp.Header.Values("Set-Cookie"))
		}
		// A record that has gone (idle time passed) is a logged-out browser.
		rdb.FlushDB(context.Background())
		if !loggedOut(t, b, rc) {
			t.Fatal("a login whose record expired still works")
		}
	})
}

// unixClient talks to a web server's unix socket as nginx would: each
// request carries X-Real-IP ip.
func unixClient(sock, ip string) *http.Client {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			r.Header.Set("X-Real-IP", ip)
			return tr.RoundTrip(r)
		})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// tryLogin posts the login form and returns the status and where it leads.
func tryLogin(t *testing.T, c *http.Client, base, user, pw string) (int, string) {
	t.Helper()
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	m := csrfField.FindStringSubmatch(readAll(resp))
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pw}, "_csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(resp)
	return resp.StatusCode, resp.Header.Get("Location")
}

// Finding 4: the login limit believes X-Real-IP only from nginx, limits per
// client and per name, and a stranger cannot lock out the owner's browser.
func TestLoginLimitCannotBeDodgedOrTurned(t *testing.T) {
	t.Parallel()
	b := StartBox(t, "")
	base := "http://" + b.UIAddr

	t.Run("made-up X-Real-IP on TCP buys nothing", func(t *testing.T) {
		refused := 0
		for i := range 20 {
			c := b.Client()
			c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r.Header.Set("X-Real-IP", "198.51.100."+strconv.Itoa(i))
				r.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i))
				return http.DefaultTransport.RoundTrip(r)
			})
			if code, _ := tryLogin(t, c, base, "nobody", "wrong-password"); code == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused < 10 {
			t.Fatalf("20 wrong tries with made-up X-Real-IP: only %d refused", refused)
		}
	})

	// The installed layout: nginx on the unix socket, X-Real-IP set by it.
	sock := filepath.Join(b.Home, "web.sock")
	local := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	w := b.start("web-socket", bin("web"), "--listen", sock, "--local-listen", local)
	t.Cleanup(func() { stop(w) })
	if err := testutil.WaitTCP(local, 10*time.Second); err != nil {
		t.Fatalf("web on the socket did not start: %v\n%s", err, b.Log("web-socket"))
	}
	sbase := "http://nginx"

	owner := unixClient(sock, "203.0.113.9")
	if code, loc := tryLogin(t, owner, sbase, testUser, testPassword); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("owner's first login: %d to %q", code, loc)
	}
	owner.PostForm(sbase+"/logout", nil) // refused without a token: log out by forgetting the session cookie
	u, _ := url.Parse(sbase + "/")
	for _, ck := range owner.Jar.Cookies(u) {
		if ck.Name == "intvlm8r" {
			owner.Jar.SetCookies(u, []*http.Cookie{{Name: "intvlm8r", Value: "", Path: "/", MaxAge: -1}})
		}
	}

	t.Run("a stranger behind nginx is limited per client", func(t *testing.T) {
		refused := 0
		for range 15 {
			if code, _ := tryLogin(t, unixClient(sock, "198.51.100.77"), sbase, "nobody", "wrong-password"); code == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused == 0 {
			t.Fatal("15 wrong tries from one client behind nginx were never refused")
		}
		// Somebody else behind the same nginx is not that client.
		if code, loc := tryLogin(t, unixClient(sock, "192.0.2.44"), sbase, testUser, testPassword); code != http.StatusSeeOther || loc != "/" {
			t.Fatalf("another client's good login: %d to %q", code, loc)
		}
	})

	t.Run("a stranger guessing the owner's name cannot lock out the owner's browser", func(t *testing.T) {
		refused := 0
		for i := range 40 {
			if code, _ := tryLogin(t, unixClient(sock, "198.51.100."+strconv.Itoa(100+i)), sbase, testUser, "wrong-password"); code == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused == 0 {
			t.Fatal("40 wrong tries for one name from 40 addresses were never refused")
		}
		if code, loc := tryLogin(t, owner, sbase, testUser, testPassword); code != http.StatusSeeOther || loc != "/" {
			t.Fatalf("the owner's browser was locked out by a stranger: %d to %q", code, loc)
		}
		if !strings.Contains(b.Log("web-socket"), "198.51.100.1") {
			t.Error("the log does not name the clients behind nginx")
		}
	})
}

// tinyJPEG is a valid 16×16 JPEG.
func tinyJPEG(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Finding 5 and the photo-link ones of 8: files from the card are served as
// photos or as downloads, never as active content; names need escaping.
func TestPhotoTreesServeNoActiveContent(t *testing.T) {
	t.Parallel()
	b := StartBox(t, monitoringINI("Off", "http://127.0.0.1:9/"))
	base := "http://" + b.UIAddr
	dir := filepath.Join(b.Home, "photos", "DCIM", "100CANON")
	thumbs := filepath.Join(b.Home, "thumbs", "DCIM", "100CANON")
	os.MkdirAll(dir, 0o755)
	os.MkdirAll(thumbs, 0o755)
	jpg := tinyJPEG(t)
	files := map[string][]byte{
		"EVIL.HTML": []byte("<script>alert(document.cookie)</script>"),
		"EVIL.JS":   []byte("alert(1)"),
		"EVIL.SVG":  []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"NOEXT":     []byte("<html><script>alert(1)</script></html>"),
		"IMG_1.CR2": []byte("II*\x00not really a raw"),
	}
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "cam#2026.JPG"), jpg, 0o644)
	os.WriteFile(filepath.Join(thumbs, "cam#2026-thumb.JPG"), jpg, 0o644)
	old := time.Now().Add(-time.Hour)
	for name := range files {
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	c := b.Client()
	b.Login(c)

	get := func(path string) *http.Response {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		readAll(resp)
		return resp
	}
	checkSandbox := func(path string, resp *http.Response) {
		t.Helper()
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q is not a sandbox", path, csp)
		}
	}
	for _, name := range []string{"EVIL.HTML", "EVIL.JS", "EVIL.SVG", "NOEXT"} {
		path := "/photos/DCIM/100CANON/" + name
		resp := get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("%s served as %q", path, ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("%s: Content-Disposition %q, want an attachment", path, cd)
		}
		checkSandbox(path, resp)
	}
	for path, want := range map[string]string{
		"/photos/DCIM/100CANON/cam%232026.JPG":       "image/jpeg",
		"/photos/DCIM/100CANON/IMG_1.CR2":            "image/x-canon-cr2",
		"/thumbs/DCIM/100CANON/cam%232026-thumb.JPG": "image/jpeg",
	} {
		resp := get(path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("%s: %d %q %q, want 200 %s inline", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), want)
		}
		checkSandbox(path, resp)
	}
	// A missing preview still says what it is, under the same policy.
	if resp := get("/preview/DCIM/100CANON/none.JPG"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/preview missing file: %d", resp.StatusCode)
	}
	// A NUL byte, and other names no file system holds, are a 404.
	for _, path := range []string{"/photos/DCIM/100CANON/a%00b.JPG", "/thumbs/%00", "/preview/DCIM/" + strings.Repeat("x", 300) + ".JPG"} {
		if resp := get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	// The pages link the odd name escaped, and the links work.
	resp, _ := c.Get(base + "/thumbnails")
	page := readAll(resp)
	links := regexp.MustCompile(`(?:href|src)="(/(?:photos|thumbs)/[^"]*cam[^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(links) < 2 {
		t.Fatalf("thumbnails page: links to cam#2026 not found:\n%s", page)
	}
	for _, l := range links {
		if !strings.Contains(l[1], "%23") {
			t.Errorf("link %q is not escaped", l[1])
		}
		if resp := get(l[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s from the page: %d", l[1], resp.StatusCode)
		}
	}
	resp, _ = c.Get(base + "/")
	home := readAll(resp)
	if !strings.Contains(home, "cam%232026") {
		t.Errorf("home page: the newest photo's link is not escaped:\n%s", home)
	}

	// In chromium: the photo still shows under its sandbox, asynqmon's page
	// still runs under its policy.
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	var width int
	var rootKids int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/photos/DCIM/100CANON/cam%232026.JPG"),
		chromedp.Poll(`(()=>{const i=document.querySelector('img');return i&&i.complete?i.naturalWidth:0})()`, &width, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Navigate(base+"/asynqmon/"),
		chromedp.Poll(`document.getElementById('root').childElementCount`, &rootKids, chromedp.WithPollingTimeout(30*time.Second)),
	); err != nil {
		t.Errorf("chromium: photo width %d, asynqmon root children %d: %v", width, rootKids, err)
	}
	if width != 16 {
		t.Errorf("the photo opened in chromium is %d px wide, want 16", width)
	}

	// asynqmon: the same protective headers as every other page, its own CSP.
	resp = get("/asynqmon/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("/asynqmon/: %d, X-Frame-Options %q, nosniff %q", resp.StatusCode, resp.Header.Get("X-Frame-Options"), resp.Header.Get("X-Content-Type-Options"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "'sha256-") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("/asynqmon/ CSP %q", csp)
	}
}

// Finding 8: a 3 kB FTP server value is refused with a message, and the
// session cookie stays small enough for a browser to keep.
func TestLongValueRefusedWithAMessage(t *testing.T) {
	t.Parallel()
	b := StartBox(t, monitoringINI("Off", "http://127.0.0.1:9/"))
	base := "http://" + b.UIAddr
	c := b.Client()
	tok := b.Login(c)
	resp, _ := c.Get(base + "/transfer")
	tok = csrfField.FindStringSubmatch(readAll(resp))[1]
	before := b.ReadFile("www/intvlm8r.ini")
	long := strings.Repeat("a", 3000) + ".example"
	form := url.Values{"_csrf": {tok}, "tfrApply": {"apply"}, "tfrMethod": {"FTP"}, "ftpServer": {long}, "ftpUser": {"u"},
		"transferDay": {"Daily"}, "transferHour": {"03"}, "copyDay": {"Daily"}, "copyHour": {"14"}}
	resp, _ = c.PostForm(base+"/transfer", form)
	page := readAll(resp)
	for _, h := range resp.Header.Values("Set-Cookie") {
		if len(h) > 4000 {
			t.Errorf("a %d-byte cookie set", len(h))
		}
	}
	// Refused, the form is drawn again as typed; its reasons quote the
	// value shortened.
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Nothing was saved") {
		t.Errorf("no refusal shown for a 3 kB FTP server (%d):\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `value="`+long+`"`) {
		t.Error("the value typed is not drawn again")
	}
	if n := strings.Count(page, long); n != 1 {
		t.Errorf("the whole value appears %d times, want once (in its field): a message quotes it whole", n)
	}
	for _, m := range regexp.MustCompile(`(?s)<tr class="red"><td class="centred">.*?</td>|<span class="fielderror"[^>]*>.*?</span>`).FindAllString(page, -1) {
		if strings.Contains(m, strings.Repeat("a", 200)) {
			t.Errorf("a message quotes the whole value: %.300s…", m)
		}
	}
	if b.ReadFile("www/intvlm8r.ini") != before {
		t.Error("the long value was saved")
	}
	if strings.Contains(b.Log("web"), "session cookie not written") {
		t.Error("the session cookie could not be written")
	}
}
