package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

var buildSettime sync.Once

// settimeBin is intvlm8r-settime, built here when the binaries given to
// the tests do not include it.
func settimeBin(t *testing.T) string {
	t.Helper()
	path := bin("settime")
	buildSettime.Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", path, "../../cmd/settime").CombinedOutput()
		if err != nil {
			t.Fatalf("build settime: %v\n%s", err, out)
		}
	})
	return path
}

// runSettime runs the oneshot against the box with a recorder in place of
// the clock-setting command; it returns the exit code and what the
// recorder was given.
func runSettime(t *testing.T, b *Box, args ...string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	rec := filepath.Join(dir, "clock.txt")
	script := filepath.Join(dir, "setclock")
	os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> "+rec+"\n"), 0o755)
	cmd := exec.Command(settimeBin(t), append([]string{"--url", b.LocalURL, "--set-clock-cmd", script, "--retry-pause", "100ms", "--wait", "2s"}, args...)...)
	cmd.Env = b.env()
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run settime: %v", err)
	}
	got, _ := os.ReadFile(rec)
	t.Logf("settime %v: exit %d: %s", args, code, out)
	return code, string(got)
}

func TestSettime(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	bd := simBoard(b)
	ctx := context.Background()

	t.Run("NTP active: the Arduino gets the Pi's time", func(t *testing.T) {
		bd.c.SetTime(ctx, time.Date(2030, 3, 4, 5, 6, 7, 0, time.Local))
		code, rec := runSettime(t, b, "--ntp", "yes")
		if code != 0 || rec != "" {
			t.Fatalf("exit %d, clock command given %q", code, rec)
		}
		eventually(t, "the Arduino's clock is now", func() bool {
			got, err := bd.c.DateTime(ctx, time.Local)
			return err == nil && got.Sub(time.Now()).Abs() < 5*time.Second
		})
		log := b.ReadFile("setTime.log")
		if !strings.Contains(log, "The Pi takes its time from NTP") || !strings.Contains(log, "New Arduino time is "+time.Now().Format("20060102")) {
			t.Fatalf("setTime.log:\n%s", log)
		}
	})

	t.Run("NTP inactive: the Pi gets the Arduino's time", func(t *testing.T) {
		bd.c.SetTime(ctx, time.Date(2031, 5, 6, 7, 8, 9, 0, time.Local))
		eventually(t, "the Arduino shows 2031", func() bool {
			got, err := bd.c.DateTime(ctx, time.Local)
			return err == nil && got.Year() == 2031
		})
		code, rec := runSettime(t, b, "--ntp", "no")
		if code != 0 || !strings.HasPrefix(rec, "2031-05-06 07:08:") || strings.Count(rec, "\n") != 1 {
			t.Fatalf("exit %d, clock command given %q", code, rec)
		}
		if log := b.ReadFile("setTime.log"); !strings.Contains(log, "New time is 2031 May 06 07:08:") || !strings.Contains(log, "The Pi's clock is now 2031 May 06") {
			t.Fatalf("setTime.log:\n%s", log)
		}
	})

	t.Run("an Arduino clock that lost its battery is not copied", func(t *testing.T) {
		bd.c.SetTime(ctx, time.Date(2000, 1, 1, 0, 0, 5, 0, time.Local))
		eventually(t, "the Arduino shows 2000", func() bool {
			got, err := bd.c.DateTime(ctx, time.Local)
			return err == nil && got.Year() == 2000
		})
		code, rec := runSettime(t, b, "--ntp", "no")
		if code != 1 || rec != "" {
			t.Fatalf("exit %d, clock command given %q", code, rec)
		}
		if log := b.ReadFile("setTime.log"); !strings.Contains(log, "lost its battery") {
			t.Fatalf("setTime.log:\n%s", log)
		}
		bd.c.SetTime(ctx, time.Now())
	})

	t.Run("a failing clock command fails the run", func(t *testing.T) {
		cmd := exec.Command(settimeBin(t), "--url", b.LocalURL, "--ntp", "no", "--set-clock-cmd", "/bin/false", "--retry-pause", "100ms")
		cmd.Env = b.env()
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("exit 0 with /bin/false as the clock command: %s", out)
		}
		if log := b.ReadFile("setTime.log"); !strings.Contains(log, "FAILED: set the Pi's clock to") {
			t.Fatalf("setTime.log:\n%s", log)
		}
	})

	t.Run("web server down: three tries, then a failure", func(t *testing.T) {
		dead := "http://127.0.0.1:" + strconv.Itoa(testutil.FreePort(t))
		cmd := exec.Command(settimeBin(t), "--url", dead, "--ntp", "no", "--wait", "300ms", "--retry-pause", "100ms")
		cmd.Env = b.env()
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("exit 0 with no web server: %s", out)
		}
		if log := b.ReadFile("setTime.log"); !strings.Contains(log, "the web server did not answer") {
			t.Fatalf("setTime.log:\n%s", log)
		}
		// With the listener up but the Arduino refusing, all three tries are made.
		restartWeb(t, b, nil, "--arduino", "serial:"+serialArduino(t, garbage{}))
		code, rec := runSettime(t, b, "--ntp", "no")
		log := b.ReadFile("setTime.log")
		last := log[strings.LastIndex(log, "The Pi does NOT take"):]
		if code != 1 || rec != "" || strings.Count(last, "Status code = 503") != 3 || strings.Count(last, "RETRYING") != 2 {
			t.Fatalf("exit %d, clock %q, last run:\n%s", code, rec, last)
		}
	})

	t.Run("the log keeps every run, bounded", func(t *testing.T) {
		log := b.ReadFile("setTime.log")
		if n := strings.Count(log, "Updating the"); n < 5 {
			t.Fatalf("setTime.log holds %d runs, want them all:\n%s", n, log)
		}
		if n := strings.Count(log, "\n"); n > 500 {
			t.Fatalf("setTime.log has %d lines", n)
		}
	})
}
