package settime

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	got, err := parseDateTime(`<div id="dateTime">2031 May 06 07:08:09</div>` + "\n")
	if err != nil || !got.Equal(time.Date(2031, 5, 6, 7, 8, 9, 0, time.Local)) {
		t.Fatalf("parse = %s %v", got, err)
	}
	for _, bad := range []string{
		`<div id="dateTime">Unknown </div>`,
		`<div id="dateTime">2031 Foo 06 07:08:09</div>`,
		`<p>nothing</p>`,
		`<div id="dateTime"></div>`,
	} {
		if _, err := parseDateTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNTPOverride(t *testing.T) {
	ctx := context.Background()
	for mode, want := range map[string]bool{"yes": true, "no": false, "on": true, "off": false} {
		st, err := Host{NTPMode: mode}.NTP(ctx)
		if err != nil || st.Active != want {
			t.Errorf("%s: %+v %v", mode, st, err)
		}
	}
	if _, err := (Host{NTPMode: "maybe"}).NTP(ctx); err == nil {
		t.Error("NTP mode maybe accepted")
	}
}

func TestSetClockCommand(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	script := filepath.Join(dir, "set")
	os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s|' \"$@\" > "+rec+"\n"), 0o755)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.Local)
	if err := (Host{SetClockCmd: script + " --flag"}).SetClock(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(rec); string(got) != "--flag|2030-01-02 03:04:05|" {
		t.Fatalf("command got %q", got)
	}
	err := Host{SetClockCmd: "/bin/sh -c 'echo no >&2; exit 3'"}.SetClock(context.Background(), at)
	if err == nil || !strings.Contains(err.Error(), "2030-01-02 03:04:05") {
		t.Fatalf("a failing command: %v", err)
	}
}
