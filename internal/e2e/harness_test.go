// Package e2e runs the built binaries against a real redis-server: the
// heartbeat chain end to end, the security rules, and the pages in chromium.
package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

var binDir string

func TestMain(m *testing.M) {
	testutil.MainWithCommands(m, &binDir, "../../cmd/web", "../../cmd/worker", "../../cmd/heartbeat",
		"../../cmd/cameratransfer", "../../cmd/pitransfer")
}

func bin(name string) string { return filepath.Join(binDir, "intvlm8r-"+name) }

// Box is one Pi's software: a home folder, Redis, web and worker.
type Box struct {
	t        testing.TB
	Home     string
	Redis    *testutil.Redis
	UIAddr   string
	LocalURL string
	web      *exec.Cmd
	worker   *exec.Cmd
	logs     map[string]*bytes.Buffer
	extraEnv []string
	mu       sync.Mutex
	opts     BoxOptions
}

// BoxOptions sets a box up otherwise than StartBox does.
type BoxOptions struct {
	Redis *testutil.Redis // nil: a fresh one without persistence
	// Home is the home folder as the test reads it ("": a new temp dir);
	// ProcHome the same folder as the box's processes see it ("": Home).
	Home, ProcHome string
	// Wrap prefixes every command of the box's processes (e.g. nsenter into
	// the mount namespace that holds a small file system).
	Wrap []string
}

const testUser, testPassword = "admin", "test-password-1"

// StartBox sets up a home with an INI, a login, and starts everything.
func StartBox(t testing.TB, ini string, env ...string) *Box {
	t.Helper()
	return StartBoxWith(t, BoxOptions{}, ini, env...)
}

// StartBoxWith is StartBox with options.
func StartBoxWith(t testing.TB, o BoxOptions, ini string, env ...string) *Box {
	t.Helper()
	if o.Home == "" {
		o.Home = t.TempDir()
	}
	if o.ProcHome == "" {
		o.ProcHome = o.Home
	}
	b := &Box{t: t, Home: o.Home, logs: map[string]*bytes.Buffer{}, extraEnv: env, opts: o}
	if ini != "" {
		b.WriteINI(ini)
	}
	pw := exec.Command(bin("web"), "passwd", "--home", b.Home, testUser)
	pw.Stdin = strings.NewReader(testPassword + "\n")
	if out, err := pw.CombinedOutput(); err != nil {
		t.Fatalf("web passwd: %v\n%s", err, out)
	}
	b.Redis = o.Redis
	if b.Redis == nil {
		b.Redis = testutil.StartRedis(t)
	}
	b.UIAddr = "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	local := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
	b.LocalURL = "http://" + local
	b.StartWorker()
	b.StartWeb()
	b.WaitWorker(true)
	t.Cleanup(b.StopAll)
	return b
}

// StartWeb starts (or restarts) the web server and waits for its listeners.
func (b *Box) StartWeb() {
	b.t.Helper()
	local := strings.TrimPrefix(b.LocalURL, "http://")
	b.web = b.start("web", bin("web"), "--listen", b.UIAddr, "--local-listen", local)
	for _, addr := range []string{b.UIAddr, local} {
		if err := testutil.WaitTCP(addr, 10*time.Second); err != nil {
			b.t.Fatalf("web did not start: %v\n%s", err, b.Log("web"))
		}
	}
}

// command runs path as one of the box's processes would.
func (b *Box) command(path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	if w := b.opts.Wrap; len(w) > 0 {
		cmd = exec.Command(w[0], append(append(w[1:len(w):len(w)], path), args...)...)
	}
	cmd.Env = b.env()
	return cmd
}

// env is the processes' environment: the simulators unless the test's
// extra VAR=value entries (which come last, so they win) say otherwise.
func (b *Box) env() []string {
	env := append(os.Environ(), "INTVLM8R_HOME="+b.opts.ProcHome, "INTVLM8R_REDIS="+b.Redis.Addr,
		"INTVLM8R_ARDUINO=sim", "INTVLM8R_CAMERA=sim")
	return append(env, b.extraEnv...)
}

func (b *Box) start(name, path string, args ...string) *exec.Cmd {
	cmd := b.command(path, args...)
	buf := &bytes.Buffer{}
	b.mu.Lock()
	b.logs[name] = buf
	b.mu.Unlock()
	w := &lockedWriter{mu: &b.mu, buf: buf}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("start %s: %v", name, err)
	}
	return cmd
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Log returns what a process printed.
func (b *Box) Log(name string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if buf, ok := b.logs[name]; ok {
		return buf.String()
	}
	return ""
}

// StartWorker starts (or restarts) the worker.
func (b *Box) StartWorker() { b.worker = b.start("worker", bin("worker")) }

// StopWorker stops the worker as systemd would (SIGTERM) and waits for it.
func (b *Box) StopWorker() { stop(b.worker); b.worker = nil; b.WaitWorker(false) }

// StopWeb stops the web server.
func (b *Box) StopWeb() { stop(b.web); b.web = nil }

// WaitWorker waits until Redis shows a live worker (or none).
func (b *Box) WaitWorker(alive bool) {
	b.t.Helper()
	tc := tasks.NewClient(b.Redis.Addr)
	defer tc.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if got, err := tc.WorkersAlive(); err == nil && got == alive {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("worker alive=%v not reached\n%s", alive, b.Log("worker"))
}

func stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// StopAll stops web and worker (Redis stops with the test).
func (b *Box) StopAll() {
	stop(b.web)
	stop(b.worker)
	if b.t.Failed() {
		b.t.Logf("web log:\n%s\nworker log:\n%s", b.Log("web"), b.Log("worker"))
	}
}

// WriteINI replaces intvlm8r.ini.
func (b *Box) WriteINI(content string) {
	b.t.Helper()
	path := filepath.Join(b.Home, "www", "intvlm8r.ini")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// ReadFile reads a file below the home folder ("" when missing).
func (b *Box) ReadFile(rel string) string {
	data, _ := os.ReadFile(filepath.Join(b.Home, rel))
	return string(data)
}

// RunOneshot runs the oneshot intvlm8r-<name> against this box's local
// listener and returns its exit code and output.
func (b *Box) RunOneshot(name string, args ...string) (int, string) {
	b.t.Helper()
	cmd := b.command(bin(name), append([]string{"--url", b.LocalURL}, args...)...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		b.t.Fatalf("run %s: %v", name, err)
	}
	return 0, string(out)
}

// Oneshot runs the heartbeat oneshot.
func (b *Box) Oneshot(args ...string) (int, string) { return b.RunOneshot("heartbeat", args...) }

// Receiver is a heartbeat receiver on loopback that counts requests and
// records each one's method, path and body.
type Receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []Received
	count  atomic.Int32
	status atomic.Int32
	hang   atomic.Bool
	onGet  atomic.Pointer[func()] // called at each GET, before the answer
}

func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{}
	r.status.Store(200)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		r.mu.Lock()
		r.got = append(r.got, Received{Method: req.Method, Path: req.URL.Path, Body: string(body)})
		r.mu.Unlock()
		r.count.Add(1)
		if f := r.onGet.Load(); f != nil {
			(*f)()
		}
		if r.hang.Load() {
			select {
			case <-req.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		w.WriteHeader(int(r.status.Load()))
		w.Write([]byte("got it"))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *Receiver) Count() int { return int(r.count.Load()) }

// Received is one request a Receiver got.
type Received struct{ Method, Path, Body string }

// Since returns the requests received after the first n.
func (r *Receiver) Since(n int) []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.got[min(n, len(r.got)):]...)
}

// monitoringINI is an INI as the original writes it, with heartbeats set.
func monitoringINI(freq, receiver string) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\n\n" +
		"[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\n\n" +
		"[Copy]\ncopyday = Daily\ncopyhour = 14\ndeleteaftercopy = Off\n\n" +
		"[Monitoring]\nheartbeatfrequency = " + freq + "\nheartbeaturl = " + receiver + "\n\n"
}

// Client is a browser-like HTTP client with cookies that does not follow redirects.
func (b *Box) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Login logs c in through the form and returns the CSRF token of the page.
func (b *Box) Login(c *http.Client) string {
	b.t.Helper()
	base := "http://" + b.UIAddr
	resp, err := c.Get(base + "/login")
	if err != nil {
		b.t.Fatal(err)
	}
	body := readAll(resp)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on the login page:\n%s", body)
	}
	form := url.Values{"username": {testUser}, "password": {testPassword}, "_csrf": {m[1]}}
	resp, err = c.PostForm(base+"/login", form)
	if err != nil {
		b.t.Fatal(err)
	}
	readAll(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		b.t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return m[1]
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return buf.String()
}

// PostTask presses a "do it now" button as the page script does: POST path
// with the page's CSRF token in X-CSRF-Token, asking for JSON. The body is
// read; the response's status and Location tell the rest.
func (b *Box) PostTask(c *http.Client, path string) (*http.Response, string) {
	b.t.Helper()
	base := "http://" + b.UIAddr
	resp, err := c.Get(base + "/monitoring")
	if err != nil {
		b.t.Fatal(err)
	}
	m := csrfField.FindStringSubmatch(readAll(resp))
	if m == nil {
		b.t.Fatal("no CSRF token on the page: not logged in?")
	}
	req, _ := http.NewRequest(http.MethodPost, base+path, nil)
	req.Header.Set("X-CSRF-Token", m[1])
	req.Header.Set("Accept", "application/json")
	resp, err = c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readAll(resp)
}
