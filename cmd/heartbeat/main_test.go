package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// binPath is the oneshot, built from this package by TestMain; coverDir
// collects its coverage under go test -cover.
var binPath, coverDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "heartbeat-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "intvlm8r-heartbeat")
	var flags []string
	flag.Parse()
	if mode := testing.CoverMode(); mode != "" {
		// go test -cover: the binary counts too (its runs get GOCOVERDIR),
		// so coverage, and mutation testing, see what it runs.
		flags = []string{"-cover", "-covermode=" + mode, "-coverpkg=."}
		coverDir = filepath.Join(dir, "cover")
		os.Mkdir(coverDir, 0o755)
	}
	if err := testutil.BuildCommands(dir, flags, "."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if err := addBinaryCoverage(); err != nil {
		fmt.Fprintln(os.Stderr, "binary coverage:", err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// addBinaryCoverage appends what the binary's runs covered to the test's
// -coverprofile (go test merges only the test binary's own counters).
func addBinaryCoverage() error {
	f := flag.Lookup("test.coverprofile")
	if coverDir == "" || f == nil || f.Value.String() == "" {
		return nil
	}
	profile := f.Value.String()
	if !filepath.IsAbs(profile) {
		if od := flag.Lookup("test.outputdir"); od != nil && od.Value.String() != "" {
			profile = filepath.Join(od.Value.String(), profile)
		}
	}
	text := filepath.Join(coverDir, "binary.txt")
	if out, err := exec.Command("go", "tool", "covdata", "textfmt", "-i="+coverDir, "-o="+text).CombinedOutput(); err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	data, err := os.ReadFile(text)
	if err != nil {
		return err
	}
	_, blocks, _ := bytes.Cut(data, []byte("\n")) // without its "mode:" line
	out, err := os.OpenFile(profile, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := out.Write(blocks); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// zoneAt writes a time zone file (TZif, as /usr/share/zoneinfo holds) whose
// offset from UTC puts the local clock, now, at minute:05 of the hour. The
// binary reads it through TZ like any time zone: the minute it sees is real
// local time, with no clock override in the code.
func zoneAt(t *testing.T, minute int) string {
	t.Helper()
	u := int(time.Now().Unix() % 3600)
	offset := ((minute*60+5-u)%3600 + 3600) % 3600
	var b bytes.Buffer
	b.WriteString("TZif")
	b.WriteByte(0)                                 // version 1
	b.Write(make([]byte, 15))                      // reserved
	for _, n := range []uint32{0, 0, 0, 0, 1, 4} { // isut, isstd, leap, time, type, char counts
		binary.Write(&b, binary.BigEndian, n)
	}
	binary.Write(&b, binary.BigEndian, int32(offset)) // the one type: its UTC offset,
	b.Write([]byte{0, 0})                             // not DST, abbreviation at 0
	b.WriteString("TST\x00")
	path := filepath.Join(t.TempDir(), "zone")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if loc, err := time.LoadLocationFromTZData("TST", b.Bytes()); err != nil || time.Now().In(loc).Minute() != minute {
		t.Fatalf("zone file for minute %d: %v", minute, err)
	}
	return path
}

var logMinute = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:(\d\d):\d\d `)

// runAt runs the built oneshot with the local clock at minute, against a
// stand-in for the web server's local /heartbeat that answers status, and
// returns the number of requests it got, the exit status and the log. It
// retries when a starved machine let the minute pass before the run.
func runAt(t *testing.T, minute, status int, args ...string) (requests int32, exit int, log string) {
	t.Helper()
	var calls atomic.Int32
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/heartbeat" {
			t.Errorf("the oneshot asked %s %s", r.Method, r.URL.Path)
		}
		calls.Add(1)
		w.WriteHeader(status)
		fmt.Fprintln(w, "OK 2026/12/01 10:00:01 (200)")
	}))
	defer local.Close()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "www"), 0o755)
	ini := "[Monitoring]\nheartbeatfrequency = 15\nheartbeaturl = https://hc-ping.example/abc\n"
	if err := os.WriteFile(filepath.Join(home, "www", "intvlm8r.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	for try := 0; try < 3; try++ {
		calls.Store(0)
		cmd := exec.Command(binPath, append([]string{"--home", home, "--url", local.URL}, args...)...)
		cmd.Env = append(os.Environ(), "TZ="+zoneAt(t, minute))
		if coverDir != "" {
			cmd.Env = append(cmd.Env, "GOCOVERDIR="+coverDir)
		}
		out, err := cmd.CombinedOutput()
		exit = 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			exit = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(filepath.Join(home, "heartbeat.log"))
		m := logMinute.FindStringSubmatch(string(data))
		if m == nil {
			t.Fatalf("heartbeat.log has no timestamped line:\n%s\noutput:\n%s", data, out)
		}
		if got, _ := strconv.Atoi(m[1]); got == minute {
			return calls.Load(), exit, string(data)
		}
	}
	t.Fatalf("the oneshot never ran within minute %d", minute)
	return
}

func TestNotDueSendsNothing(t *testing.T) {
	n, exit, log := runAt(t, 7, http.StatusOK)
	if n != 0 || exit != 0 {
		t.Fatalf("minute 7, every 15: %d requests, exit %d; want none, 0\n%s", n, exit, log)
	}
	if !regexp.MustCompile(`Not yet Heartbeat o'clock\. hbFreq=15`).MatchString(log) {
		t.Fatalf("log does not say why:\n%s", log)
	}
}

func TestDueSendsOne(t *testing.T) {
	n, exit, log := runAt(t, 30, http.StatusOK)
	if n != 1 || exit != 0 {
		t.Fatalf("minute 30, every 15: %d requests, exit %d; want 1, 0\n%s", n, exit, log)
	}
}

func TestBootSendsOneWhateverTheMinute(t *testing.T) {
	n, exit, log := runAt(t, 7, http.StatusOK, "--boot")
	if n != 1 || exit != 0 {
		t.Fatalf("--boot at minute 7: %d requests, exit %d; want 1, 0\n%s", n, exit, log)
	}
}

// A web server that could not run the beat makes the oneshot fail (systemd
// shows it), after one request: the web server does the retrying.
func TestFailedBeatExitsOne(t *testing.T) {
	n, exit, log := runAt(t, 45, http.StatusServiceUnavailable)
	if n != 1 || exit != 1 {
		t.Fatalf("/heartbeat answered 503: %d requests, exit %d; want 1, 1\n%s", n, exit, log)
	}
}
