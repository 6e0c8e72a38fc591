package transfer

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The upload oneshot against a stand-in for the web server's local
// /trnTrNow (as internal/heartbeat's oneshot test does): the INI and the
// due rule decide whether it is called, and each answer is told in
// piTransfer.log and the error. cmd/pitransfer and internal/e2e run it
// against the real web server and worker.

// localStandIn answers /trnTrNow with the next status and body it is given.
type localStandIn struct {
	*httptest.Server
	mu    sync.Mutex
	code  int
	body  string
	delay time.Duration
	paths []string
}

func startLocalStandIn(t *testing.T) *localStandIn {
	s := &localStandIn{code: http.StatusOK, body: "5 files uploaded OK"}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.RequestURI())
		code, body, delay := s.code, s.body, s.delay
		s.mu.Unlock()
		time.Sleep(delay)
		w.WriteHeader(code)
		io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *localStandIn) answer(code int, body string) {
	s.mu.Lock()
	s.code, s.body = code, body
	s.mu.Unlock()
}

func (s *localStandIn) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

// Monday 2026-12-07 09:30, local time.
var oneshotNow = func() time.Time { return time.Date(2026, 12, 7, 9, 30, 0, 0, time.Local) }

func writeINI(t *testing.T, p paths.Paths, transfer string) {
	t.Helper()
	if err := os.WriteFile(p.INI(), []byte("[Global]\nwakepihour = 25\n[Transfer]\n"+transfer), 0o640); err != nil {
		t.Fatal(err)
	}
}

func TestOneshotDecides(t *testing.T) {
	srv := startLocalStandIn(t)
	p := newHome(t)
	run := func(trig schedule.Trigger) error {
		o := &Oneshot{Paths: p, INI: config.NewStore(p.INI()), LocalURL: srv.URL, Trigger: trig, Now: oneshotNow}
		return o.Run(t.Context())
	}
	logHas := func(want ...string) {
		t.Helper()
		log := readLog(t, p)
		for _, w := range want {
			if !strings.Contains(log, w) {
				t.Errorf("piTransfer.log lacks %q:\n%s", w, log)
			}
		}
	}

	// No INI: said, and an error.
	if err := run(schedule.Timer); !errors.Is(err, ErrNoINI) || lastStatus(t, p) != "Upload aborted. I've lost the INI file" {
		t.Fatalf("no INI: %v %q", err, lastStatus(t, p))
	}
	logHas("intvlm8r-pitransfer started (timer)")
	// An INI that cannot be read.
	os.Mkdir(p.INI(), 0o755)
	if err := run(schedule.Boot); !errors.Is(err, ErrUploadFailed) || lastStatus(t, p) != "Upload aborted. The INI file could not be read" {
		t.Fatalf("unreadable INI: %v %q", err, lastStatus(t, p))
	}
	logHas("intvlm8r-pitransfer started (bootup)", "INI file error: ")
	os.Remove(p.INI())

	// Not due: nothing called, no STATUS line, no error.
	writeINI(t, p, "tfrmethod = FTP\ntransferday = Off\ntransferhour = 09\n")
	if err := run(schedule.Timer); err != nil {
		t.Fatalf("not due: %v", err)
	}
	logHas("Not OK to transfer: ", "TransferDay = Off, TransferHour = 09. wakePiHour is 25:00")
	writeINI(t, p, "tfrmethod = FTP\ntransferday = Daily\n")
	if err := run(schedule.Timer); err != nil {
		t.Fatalf("not due: %v", err)
	}
	logHas("TransferDay = Daily, TransferHour = [none]. wakePiHour is 25:00", "NowDay = Monday, NowHour = 09")
	if len(srv.calls()) != 0 {
		t.Fatalf("called when not due: %q", srv.calls())
	}

	// Due, but the method is Off or unknown.
	writeINI(t, p, "tfrmethod = Off\ntransferday = Monday\ntransferhour = 9\n")
	if err := run(schedule.Timer); err != nil || lastStatus(t, p) != "Upload aborted. tfrMethod=Off" {
		t.Fatalf("Off: %v %q", err, lastStatus(t, p))
	}
	logHas("OK @ 09:00 on Monday. Method = Off")
	writeINI(t, p, "tfrmethod = Google Drive\ntransferonbootup = maybe\n")
	if err := run(schedule.Now); !errors.Is(err, ErrUploadFailed) || lastStatus(t, p) != "Upload aborted. tfrMethod=Google Drive" {
		t.Fatalf("unknown method: %v %q", err, lastStatus(t, p))
	}
	logHas("intvlm8r-pitransfer started (copyNow)", "INI file has malformed values (defaults used): ", "transferonbootup")
	if len(srv.calls()) != 0 {
		t.Fatalf("called for method Off or unknown: %q", srv.calls())
	}

	// Due: the web server is asked, waiting 30 minutes by default.
	writeINI(t, p, "tfrmethod = ftp\ntransferday = Off\ntransferonbootup = True\n")
	before := lastStatus(t, p)
	if err := run(schedule.Boot); err != nil {
		t.Fatalf("due: %v", err)
	}
	if c := srv.calls(); len(c) != 1 || c[0] != "/trnTrNow?wait=1800" {
		t.Fatalf("calls %q", c)
	}
	logHas("OK on bootup. Method = ftp", "/trnTrNow answered 200: 5 files uploaded OK")
	if lastStatus(t, p) != before {
		t.Fatalf("the oneshot wrote a STATUS line of its own for a run the worker reported: %q", lastStatus(t, p))
	}
}

// What the web server answers, as the oneshot tells it.
func TestOneshotAnswers(t *testing.T) {
	srv := startLocalStandIn(t)
	p := newHome(t)
	writeINI(t, p, "tfrmethod = SFTP\n")
	o := &Oneshot{Paths: p, INI: config.NewStore(p.INI()), LocalURL: srv.URL, Trigger: schedule.Now, Now: oneshotNow}
	for _, c := range []struct {
		code         int
		body, status string
		ok           bool
	}{
		{http.StatusConflict, "an upload is already running", "", true},
		{http.StatusBadGateway, "0 of 2 files uploaded OK", "", false}, // the worker's STATUS line says it
		{http.StatusConflict, "method changed", "Upload not started: method changed", false},
		{http.StatusServiceUnavailable, "worker is not running\nstart it", "Upload not started: worker is not running", false},
	} {
		LogStatus(p, "before")
		srv.answer(c.code, c.body)
		err := o.Run(t.Context())
		if (err == nil) != c.ok || !c.ok && !errors.Is(err, ErrUploadFailed) {
			t.Errorf("%d %q: %v", c.code, c.body, err)
		}
		want := c.status
		if want == "" {
			want = "before"
		}
		if st := lastStatus(t, p); st != want {
			t.Errorf("%d %q: STATUS %q, want %q", c.code, c.body, st, want)
		}
	}

	// The web server takes longer than the upload's limit to answer: the
	// oneshot waits on (the web server's own wait, plus a margin).
	srv.answer(http.StatusOK, "1 files uploaded OK")
	srv.mu.Lock()
	srv.delay = 1500 * time.Millisecond
	srv.mu.Unlock()
	o.Wait = time.Second
	if err := o.Run(t.Context()); err != nil {
		t.Fatalf("a slow answer: %v", err)
	}
	if c := srv.calls(); c[len(c)-1] != "/trnTrNow?wait=1" {
		t.Fatalf("wait parameter %q", c[len(c)-1])
	}

	// Nobody listening.
	o.LocalURL = "http://127.0.0.1:" + itoa(testutil.FreePort(t))
	if err := o.Run(t.Context()); !errors.Is(err, ErrUploadFailed) || lastStatus(t, p) != "Upload not started: the web server did not answer" {
		t.Fatalf("no web server: %v %q", err, lastStatus(t, p))
	}
}

// A log that cannot be written is said on stderr (the journal), and the
// decision is still made.
func TestOneshotLogUnwritable(t *testing.T) {
	p := newHome(t)
	if err := os.Mkdir(p.TransferLog(), 0o755); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	err = (&Oneshot{Paths: p, INI: config.NewStore(p.INI()), Now: oneshotNow}).Run(t.Context())
	os.Stderr = stderr
	w.Close()
	said, _ := io.ReadAll(r)
	if !errors.Is(err, ErrNoINI) {
		t.Fatalf("no INI: %v", err)
	}
	// Two ordinary lines and the STATUS line, each said.
	if n := strings.Count(string(said), "piTransfer.log: transfer log: "); n != 3 || strings.Contains(string(said), "<nil>") {
		t.Fatalf("stderr:\n%s", said)
	}
}
