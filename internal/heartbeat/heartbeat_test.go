package heartbeat

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func TestDueEveryFrequencyEveryMinute(t *testing.T) {
	want := map[int][]int{
		5:  {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55},
		10: {0, 10, 20, 30, 40, 50},
		15: {0, 15, 30, 45},
		20: {0, 20, 40},
		30: {0, 30}, // not the original's code's 15 and 45
		60: {0},     // not the original's code's minute 30
	}
	for freq, minutes := range want {
		due := map[int]bool{}
		for _, m := range minutes {
			due[m] = true
		}
		for m := 0; m < 60; m++ {
			if got := Due(m, freq); got != due[m] {
				t.Errorf("Due(minute %d, every %d) = %v, want %v", m, freq, got, due[m])
			}
		}
	}
	for m := 0; m < 60; m++ {
		if Due(m, 0) {
			t.Fatalf("Off is due at minute %d", m)
		}
	}
}

func TestParseFrequency(t *testing.T) {
	for in, want := range map[string]int{"Off": 0, "off": 0, "": 0, " 5": 5, "10": 10, "15": 15, "20": 20, "30": 30, "60": 60} {
		got, err := ParseFrequency(in)
		if err != nil || got != want {
			t.Errorf("ParseFrequency(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"7", "0", "-5", "five", "600", "5m"} {
		if _, err := ParseFrequency(bad); err == nil {
			t.Errorf("ParseFrequency(%q) accepted", bad)
		}
	}
}

func TestValidateURL(t *testing.T) {
	good := []string{
		"http://example.com", "https://hc-ping.com/5e1c4f0a-uuid", "https://nosnch.in/abc123",
		"http://192.168.1.20:3001/api/push/xyz?status=up", "http://127.0.0.1:9999/ping", "http://localhost/beat",
		"HTTPS://EXAMPLE.COM/x", "http://[::1]:8080/p", "https://user:pw@host.example/p#frag", "http://10.0.0.1/",
		"http://host:1/", "http://host:65535/", // the ends of the port range
	}
	bad := []string{
		"", "example.com", "//example.com", "ftp://example.com", "https://", "http:///path", " http://a.b",
		"http://a.b ", "http://a b.com", "javascript:alert(1)", "mailto:x@y.z", "http://host:0/", "http://host:99999/", "http://host:65536/",
		"file:///etc/passwd", "https:example.com",
	}
	for _, u := range good {
		if err := ValidateURL(u); err != nil {
			t.Errorf("ValidateURL(%q) = %v, want valid", u, err)
		}
	}
	for _, u := range bad {
		if err := ValidateURL(u); err == nil {
			t.Errorf("ValidateURL(%q) accepted", u)
		}
	}
}

func TestResultLine(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 5, 3, 0, time.Local)
	for _, tc := range []struct {
		o    Outcome
		want string
	}{
		{Outcome{StatusCode: 200}, "2026/12/01 09:05:03 (200)"},
		{Outcome{StatusCode: 204}, "2026/12/01 09:05:03 (204)"},
		{Outcome{StatusCode: 503}, "2026/12/01 09:05:03 (HTTP error 503)"},
		{Outcome{StatusCode: 404}, "2026/12/01 09:05:03 (HTTP error 404)"},
		{Outcome{Err: "Timeout error"}, "2026/12/01 09:05:03 (Timeout error)"},
		{Outcome{Err: "Conn. error"}, "2026/12/01 09:05:03 (Conn. error)"},
		{Outcome{StatusCode: 302, Err: "Redir error"}, "2026/12/01 09:05:03 (Redir error)"},
		{Outcome{}, "2026/12/01 09:05:03 (Unknown error)"},
	} {
		if got := ResultLine(at, tc.o); got != tc.want {
			t.Errorf("ResultLine(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}

func TestPingClassifiesReceivers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("OK")) })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A port with nothing listening: connection refused.
	closed := "http://" + testutil.RefusedAddr(t) + "/"

	ctx := context.Background()
	for _, tc := range []struct {
		url       string
		timeout   time.Duration
		want      string
		explained string
	}{
		{srv.URL + "/ok", time.Second, "200", "200"},
		{srv.URL + "/500", time.Second, "HTTP error 500", "HTTP error 500: the receiver answered 500 Internal Server Error"},
		{srv.URL + "/loop", time.Second, "Redir error", "Redir error: the receiver redirected too many times"},
		{srv.URL + "/hang", 200 * time.Millisecond, "Timeout error", "Timeout error: no answer in time"},
		{closed, time.Second, "Conn. error", "Conn. error: dial: connect: connection refused"},
	} {
		o := Ping(ctx, nil, tc.url, tc.timeout)
		if got := o.ResultText(); got != tc.want {
			t.Errorf("Ping(%s) = %q (%s), want %q", tc.url, got, o.Detail, tc.want)
		}
		// The cause is for a page: it never carries the URL's secret path.
		if got := o.Explained(); got != tc.explained || strings.Contains(got, "/key") || strings.Contains(got, "/loop") {
			t.Errorf("Ping(%s) explained %q, want %q", tc.url, got, tc.explained)
		}
	}
	// A name that cannot resolve ("not found", or with no name server
	// reachable, "no name server answered") is named; the path is not.
	o := Ping(ctx, nil, "http://no-such-host.invalid/key", time.Second)
	if got := o.Explained(); !strings.HasPrefix(got, "Conn. error: ") || !strings.Contains(got, `"no-such-host.invalid"`) || strings.Contains(got, "/key") {
		t.Errorf("unresolvable receiver explained %q", got)
	}
}

func TestResultFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hbresults.txt")
	if got := ReadResult(path); got != "None" {
		t.Fatalf("missing file reads %q, want None", got)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	if err := WriteResult(path, at, Outcome{StatusCode: 200}); err != nil {
		t.Fatal(err)
	}
	if err := WriteResult(path, at.Add(time.Minute), Outcome{Err: "Timeout error"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "2026/01/02 03:05:05 (Timeout error)\n" {
		t.Fatalf("hbresults.txt = %q: want the last attempt only", data)
	}
	if got := ReadResult(path); got != "2026/01/02 03:05:05 (Timeout error)" {
		t.Fatalf("ReadResult = %q", got)
	}
}

func TestSendPostsTheBody(t *testing.T) {
	type got struct{ method, path, ctype, body string }
	seen := make(chan got, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen <- got{r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), string(b)}
	}))
	defer srv.Close()
	if o := Send(context.Background(), nil, srv.URL+"/ping/abc", []byte(`{"ok":true}`), time.Second); !o.OK() {
		t.Fatalf("outcome %+v", o)
	}
	if g := <-seen; g.method != http.MethodPost || g.path != "/ping/abc" || g.ctype != "application/json" || g.body != `{"ok":true}` {
		t.Fatalf("receiver saw %+v", g)
	}
	if o := Send(context.Background(), nil, srv.URL+"/ping/abc", nil, time.Second); !o.OK() {
		t.Fatalf("outcome %+v", o)
	}
	if g := <-seen; g.method != http.MethodGet || g.body != "" {
		t.Fatalf("receiver saw %+v", g)
	}
}

func TestFailURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://hc-ping.com/uuid":     "https://hc-ping.com/uuid/fail",
		"https://hc-ping.com/uuid/":    "https://hc-ping.com/uuid/fail",
		"http://10.0.0.2:8000/p?rid=7": "http://10.0.0.2:8000/p/fail?rid=7",
		"http://host":                  "http://host/fail",
	} {
		if got, err := FailURL(in); err != nil || got != want {
			t.Errorf("FailURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
