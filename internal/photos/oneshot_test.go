package photos

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The copy oneshot against a stand-in for the web server's local /copyNow:
// the [Copy] rule and the camera USB switch decide whether it is called, and
// only an answer that started the copy (or found one running) is a success.
func TestOneshotCopyDecision(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	status, body := http.StatusOK, "Copy queued"
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.RequestURI())
		st, b := status, body
		mu.Unlock()
		w.WriteHeader(st)
		w.Write([]byte(b))
	}))
	defer local.Close()
	answer := func(st int, b string) { mu.Lock(); status, body = st, b; mu.Unlock() }
	calls := func() []string { mu.Lock(); defer mu.Unlock(); c := asked; asked = nil; return c }

	dir := t.TempDir()
	ini := filepath.Join(dir, "intvlm8r.ini")
	logPath := filepath.Join(dir, "cameraTransfer.log")
	write := func(usb, day, hour, boot string) {
		t.Helper()
		s := "[Global]\nenablecamerausb = " + usb + "\nwakepihour = 25\n[Copy]\ncopyday = " + day + "\ncopyhour = " + hour + "\ncopyonbootup = " + boot + "\n"
		if err := os.WriteFile(ini, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 12, 1, 14, 5, 30, 0, time.Local) // a Tuesday
	run := func(trig schedule.Trigger, wait time.Duration) (error, string) {
		t.Helper()
		o := &Oneshot{INI: config.NewStore(ini), LogPath: logPath, LocalURL: local.URL, Trigger: trig, Wait: wait, Now: func() time.Time { return at }}
		err := o.Run(context.Background())
		log, _ := os.ReadFile(logPath)
		return err, string(log)
	}

	// Due by the clock: /copyNow without a wait; the log says when and what came back.
	write("True", "Daily", "14", "False")
	err, log := run(schedule.Timer, 0)
	if c := calls(); err != nil || len(c) != 1 || c[0] != "/copyNow" {
		t.Fatalf("due at 14:00: err %v, calls %q", err, c)
	}
	for _, want := range []string{"2026/12/01 14:05:30 Now Tuesday 14:05; copyDay = Daily, copyHour = 14, wakePiHour = 25",
		"2026/12/01 14:05:30 OK @ 14:00 on Tuesday", "Status code = 200", "This is what I received: Copy queued"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "malformed") {
		t.Errorf("a good INI logged as malformed:\n%s", log)
	}

	// Not due: nothing is called, and that is no failure.
	write("True", "Daily", "13", "False")
	if err, log := run(schedule.Timer, 0); err != nil || len(calls()) != 0 || !strings.Contains(log, "Not due") {
		t.Fatalf("not due: err %v\n%s", err, log)
	}

	// Camera USB off: not even copyNow calls the web server.
	write("False", "Daily", "14", "True")
	if err, log := run(schedule.Now, 0); err != nil || len(calls()) != 0 || !strings.HasSuffix(log, "Not OK to copy: camera USB is switched off\n") {
		t.Fatalf("USB off: err %v\n%s", err, log)
	}

	// The boot run waits for the chain: ?wait=<seconds>, and the call's own
	// timeout grows by the wait (the copy takes minutes).
	write("True", "Off", "00", "True")
	if err, _ := run(schedule.Boot, 90*time.Second); err != nil {
		t.Fatalf("boot with wait: %v", err)
	}
	if c := calls(); len(c) != 1 || c[0] != "/copyNow?wait=90" {
		t.Fatalf("boot with wait asked %q", c)
	}

	// A copy already running is no failure; any other refusal is, with the answer.
	answer(http.StatusConflict, "A copy is already running")
	if err, _ := run(schedule.Now, 0); err != nil {
		t.Fatalf("409 already running: %v", err)
	}
	answer(http.StatusConflict, "The camera is busy")
	if err, _ := run(schedule.Now, 0); !errors.Is(err, ErrCopyNotStarted) || !strings.Contains(err.Error(), "409: The camera is busy") {
		t.Fatalf("409 other: %v", err)
	}
	answer(http.StatusInternalServerError, "no queue")
	err, log = run(schedule.Now, 0)
	if !errors.Is(err, ErrCopyNotStarted) || !strings.Contains(err.Error(), "500: no queue") || !strings.Contains(log, "Status code = 500") {
		t.Fatalf("500: %v\n%s", err, log)
	}
	calls()
	answer(http.StatusOK, "Copy queued")

	// The web server not answering.
	o := &Oneshot{INI: config.NewStore(ini), LogPath: logPath, LocalURL: "http://" + testutil.RefusedAddr(t), Trigger: schedule.Now, Now: func() time.Time { return at }}
	if err := o.Run(context.Background()); !errors.Is(err, ErrCopyNotStarted) {
		t.Fatalf("refused: %v", err)
	}
	if log, _ := os.ReadFile(logPath); !strings.Contains(string(log), "did not answer") {
		t.Fatalf("refused: log\n%s", log)
	}

	// Malformed values: defaults used, said in the log, and the run goes on.
	write("maybe", "Daily", "14", "False")
	if err, log := run(schedule.Timer, 0); err != nil || len(calls()) != 1 || !strings.Contains(log, "malformed values (defaults used): config [Global] enablecamerausb") {
		t.Fatalf("malformed: err %v\n%s", err, log)
	}
	// An unreadable INI aborts the copy, and says so.
	os.Remove(ini)
	os.Mkdir(ini, 0o755)
	if err, log := run(schedule.Now, 0); !errors.Is(err, ErrCopyNotStarted) || len(calls()) != 0 || !strings.Contains(log, "Copy aborted. The INI file could not be read") {
		t.Fatalf("unreadable INI: err %v\n%s", err, log)
	}
	// A log that cannot be written is an error of the run.
	os.Remove(ini)
	write("True", "Off", "00", "False")
	o = &Oneshot{INI: config.NewStore(ini), LogPath: dir, LocalURL: local.URL, Trigger: schedule.Timer}
	if err := o.Run(context.Background()); err == nil {
		t.Fatal("an unwritable log gave no error")
	}
}
