package runlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteKeepsTheTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.Local)
	for run := 0; run < 5; run++ {
		l := &Log{Now: func() time.Time { return at }}
		l.Printf("run %d line a", run)
		l.Printf("run %d\nline b", run)
		if err := l.Write(path, 4); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	want := []string{
		"2026/03/04 05:06:07 run 2 line a", "2026/03/04 05:06:07 run 2 line b",
		"2026/03/04 05:06:07 run 3 line a", "2026/03/04 05:06:07 run 3 line b",
		"2026/03/04 05:06:07 run 4 line a", "2026/03/04 05:06:07 run 4 line b",
	}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("log:\n%s", data)
	}
	l := &Log{Now: func() time.Time { return at }}
	l.Printf("only")
	l.Write(path, 0)
	if data, _ := os.ReadFile(path); string(data) != "2026/03/04 05:06:07 only\n" {
		t.Fatalf("keep 0: %q", data)
	}
}
