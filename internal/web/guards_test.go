package web

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// homeState is every file under the home directory with a hash of its bytes.
func homeState(t *testing.T, home string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		state[path] = fmt.Sprintf("%x", sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// routePath turns a route pattern into a path it serves: /x/:id → /x/p.
func routePath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || p == "*" {
			parts[i] = "p"
		}
	}
	return strings.Join(parts, "/")
}

// served lists the routes of a router, without Echo's not-found catch-alls.
func served(e *echo.Echo) []*echo.Route {
	var rs []*echo.Route
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			rs = append(rs, r)
		}
	}
	return rs
}

func do(t *testing.T, cl *http.Client, method, u string, header http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if header != nil {
		req.Header = header.Clone()
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Every state-changing route of the public router, read from the router so a
// new route is covered without editing this test, refuses a request without
// the CSRF token (or with a wrong one, or from another site) with 403, for a
// logged-in user and a stranger alike; and nothing changes: no file under the
// home directory, no task queued, the session still logged in.
func TestEveryPublicStateChangeNeedsTheCSRFToken(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	safe := []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace}
	var routes []*echo.Route
	for _, r := range served(u.srv.public) {
		if !slices.Contains(safe, r.Method) {
			routes = append(routes, r)
		}
	}
	// The router really was read: the known forms are among its routes.
	for _, want := range []string{"/login", "/logout", "/system", "/transfer", "/trnCopyNow", "/monitoring", "/camera", "/", "/system/apitoken", "/system/apitoken/revoke"} {
		if !slices.ContainsFunc(routes, func(r *echo.Route) bool { return r.Method == http.MethodPost && r.Path == want }) {
			t.Fatalf("POST %s is not among the public routes read from the router", want)
		}
	}
	before := homeState(t, u.p.Home)
	form := url.Values{"username": {"admin"}, "password": {"pw-for-tests"}, "tfrmethod": {"FTP"},
		"deleteaftertransfer": {"on"}, "heartbeatfrequency": {"5"}, "heartbeaturl": {"http://127.0.0.1:9/"}}.Encode()
	type variant struct {
		name   string
		header http.Header
		body   string
	}
	formType := "application/x-www-form-urlencoded"
	variants := []variant{
		{"no token", http.Header{"Content-Type": {formType}}, form},
		{"wrong token in the form", http.Header{"Content-Type": {formType}}, form + "&_csrf=forged"},
		{"wrong token in the header", http.Header{"Content-Type": {formType}, "X-Csrf-Token": {"forged"}}, form},
		{"from another site", http.Header{"Content-Type": {formType}, "Sec-Fetch-Site": {"cross-site"}}, form},
	}
	for _, r := range routes {
		for _, who := range []struct {
			name string
			cl   *http.Client
		}{{"logged in", u.cl}, {"stranger", u.anon}} {
			for _, v := range variants {
				code, body := do(t, who.cl, r.Method, u.ts.URL+routePath(r.Path), v.header, v.body)
				if code != http.StatusForbidden {
					t.Errorf("%s %s, %s, %s: %d, want 403\n%s", r.Method, r.Path, who.name, v.name, code, body)
				}
			}
		}
	}
	t.Logf("%d state-changing public routes checked", len(routes))
	after := homeState(t, u.p.Home)
	for path, h := range after {
		if before[path] != h {
			t.Errorf("%s changed or appeared", path)
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			t.Errorf("%s was removed", path)
		}
	}
	if qs, err := u.tasks.Inspector.Queues(); err != nil || len(qs) != 0 {
		t.Errorf("queues after the refused requests: %v %v; want none", qs, err)
	}
	u.page("/") // still logged in: a refused /logout logged nobody out
}

// No route of the local router (no login there) answers on the public
// listener, for a logged-in user or a stranger; each does answer on the local one.
func TestLocalOnlyEndpointsNotOnThePublicListener(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	routes := served(u.srv.local)
	for _, want := range []string{"/heartbeat", "/copyNow", "/trnTrNow", "/getTime", "/setArduinoDateTime"} {
		if !slices.ContainsFunc(routes, func(r *echo.Route) bool { return r.Path == want }) {
			t.Fatalf("%s is not among the local routes read from the router", want)
		}
	}
	public := served(u.srv.public)
	for _, r := range routes {
		if slices.ContainsFunc(public, func(p *echo.Route) bool { return p.Method == r.Method && p.Path == r.Path }) {
			t.Errorf("%s %s is routed on the public listener too", r.Method, r.Path)
		}
		code, body := do(t, u.cl, r.Method, u.ts.URL+routePath(r.Path), nil, "")
		if code != http.StatusNotFound {
			t.Errorf("public %s %s, logged in: %d, want 404\n%s", r.Method, r.Path, code, body)
		}
		if code, body = do(t, u.anon, r.Method, u.ts.URL+routePath(r.Path), nil, ""); code < 300 {
			t.Errorf("public %s %s, stranger: %d\n%s", r.Method, r.Path, code, body)
		}
	}
	if qs, err := u.tasks.Inspector.Queues(); err != nil || len(qs) != 0 {
		t.Fatalf("queues after the public requests: %v %v; want none", qs, err)
	}
	for _, r := range routes {
		if code, body := do(t, u.anon, r.Method, u.local.URL+routePath(r.Path), nil, ""); code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
			t.Errorf("local %s %s: %d\n%s", r.Method, r.Path, code, body)
		}
	}
}

// /heartbeat with a real worker: any 2xx from the receiver is a success after
// one request; a 3xx, 4xx or 5xx gets exactly one retry. /heartbeat itself
// answers 200 whenever the worker ran the beat.
func TestHeartbeatReceiverAnswers(t *testing.T) {
	var hits atomic.Int32
	code := regexp.MustCompile(`^/code/(\d+)$`)
	rcv := func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		var n int
		if m := code.FindStringSubmatch(r.URL.Path); m != nil {
			fmt.Sscan(m[1], &n)
		}
		w.WriteHeader(n) // a 3xx without Location is not followed
	}
	rs := httptest.NewServer(http.HandlerFunc(rcv))
	t.Cleanup(rs.Close)
	receiver := rs.URL
	u := startTransferUI(t, "", transfer.DropboxAPI{})
	store := config.NewStore(u.p.INI())
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: u.redis}, asynq.Config{Concurrency: 1, TaskCheckInterval: 50 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.Handle(tasks.TypeHeartbeat, &tasks.HeartbeatHandler{ResultPath: u.p.HeartbeatResult(), ReceiverURL: func() (string, error) {
		f, err := store.Load()
		if err != nil {
			return "", err
		}
		set, _ := f.Settings()
		return set.Monitoring.HeartbeatURL, nil
	}})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil { // the web server sees the worker once it has registered
		if alive, _ := u.tasks.WorkersAlive(); alive {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, tc := range []struct {
		status, requests int
		result           string
	}{
		{200, 1, "(200)"}, {201, 1, "(201)"}, {202, 1, "(202)"}, {204, 1, "(204)"},
		{300, 2, "(Redir error: the receiver answered 300 Multiple Choices)"},
		{301, 2, "(Redir error: the receiver answered 301 Moved Permanently)"},
		{304, 2, "(Redir error: the receiver answered 304 Not Modified)"},
		{400, 2, "(HTTP error 400: the receiver answered 400 Bad Request)"},
		{404, 2, "(HTTP error 404: the receiver answered 404 Not Found)"},
		{500, 2, "(HTTP error 500: the receiver answered 500 Internal Server Error)"},
		{503, 2, "(HTTP error 503: the receiver answered 503 Service Unavailable)"},
	} {
		ini := fmt.Sprintf("[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = %s/code/%d\n", receiver, tc.status)
		if err := os.WriteFile(u.p.INI(), []byte(ini), 0o644); err != nil {
			t.Fatal(err)
		}
		hits.Store(0)
		got, body := do(t, u.anon, http.MethodGet, u.local.URL+"/heartbeat", nil, "")
		// Only a beat the receiver accepted is OK; any other answer is a
		// failure (502) after exactly one retry.
		want := http.StatusOK
		if tc.requests > 1 {
			want = http.StatusBadGateway
		}
		if got != want || !strings.HasSuffix(strings.TrimSpace(body), tc.result) || int(hits.Load()) != tc.requests {
			t.Errorf("receiver answering %d: /heartbeat %d %q after %d requests; want %d ending %s after %d",
				tc.status, got, body, hits.Load(), want, tc.result, tc.requests)
		}
	}
}
