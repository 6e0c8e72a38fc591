package sim

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func TestBusDetectsInterleaving(t *testing.T) {
	b := NewBus(paths.New(t.TempDir()), Options{})
	ctx := context.Background()
	r, err := b.Query(ctx, '6')
	if err != nil || string(r[:5]) != "5.0.1" {
		t.Fatalf("query: %q %v", r[:5], err)
	}
	if st, _ := b.Stats(); st.Violations != 0 {
		t.Fatalf("violations after a clean query: %+v", st)
	}
	// Two queries whose phases interleave, as two unlocked processes could.
	id1, err := b.writeQuery('6')
	if err != nil {
		t.Fatal(err)
	}
	id2, err := b.writeQuery('5')
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := b.readReply(id1, '6')
	if string(r1[:4]) != "2530" {
		t.Errorf("the first read got %q: the second query's answer, as on the real bus", r1[:5])
	}
	b.readReply(id2, '5')
	st, _ := b.Stats()
	if st.Violations != 3 || !strings.Contains(st.LastViolation, "no query open") {
		t.Errorf("stats %+v, want 3 violations", st)
	}
	// A command inside an open query counts too.
	id3, _ := b.writeQuery('1')
	b.Command(ctx, []byte("GT"))
	b.readReply(id3, '1')
	if st, _ := b.Stats(); st.Violations != 4 {
		t.Errorf("violations %d, want 4", st.Violations)
	}
}

func TestBusStateSurvivesRestart(t *testing.T) {
	p := paths.New(t.TempDir())
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ctx := context.Background()
	b := NewBus(p, Options{Now: clock})
	if err := b.Command(ctx, []byte("ST=20240318101400")); err != nil {
		t.Fatal(err)
	}
	if err := b.Command(ctx, []byte("SP=1815")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if err := b.Command(ctx, []byte("WC")); err != nil {
		t.Fatal(err)
	}
	// A new process: a new Bus over the same files, 10 minutes later.
	now = now.Add(10 * time.Minute)
	b2 := NewBus(p, Options{Now: clock})
	r, _ := b2.Query(ctx, '5')
	if string(r[:4]) != "1815" {
		t.Errorf("wake window after restart %q", r[:4])
	}
	b2.Query(ctx, '0')
	r, _ = b2.Query(ctx, '1')
	if string(r[:6]) != "102400" {
		t.Errorf("clock after restart %q, want 102400", r[:6])
	}
	wake, err := os.ReadFile(p.SimCameraWake())
	if err != nil {
		t.Fatal(err)
	}
	if w, err := time.Parse(time.RFC3339, strings.TrimSpace(string(wake))); err != nil || !w.After(time.Date(2026, 6, 1, 8, 0, 1, 0, time.UTC)) {
		t.Errorf("camera.wake %q %v", wake, err)
	}
	log, err := os.ReadFile(p.SimShutterLog())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	if len(lines) != 1 { // the 10:15 shot of the default 15-minute schedule
		t.Fatalf("shutter log %q", log)
	}
	if shot, err := time.Parse(time.RFC3339, lines[0]); err != nil || shot.Sub(time.Date(2026, 6, 1, 8, 1, 0, 800e6, time.UTC)).Abs() > 10*time.Millisecond {
		t.Errorf("shot at %q (%v), want about 08:01:00.8", lines[0], err)
	}
	st, _ := b2.Stats()
	if st.Shots != 1 || st.Wakes != 1 || st.Boots != 1 {
		t.Errorf("stats %+v", st)
	}
	// A corrupt state file is an error, never a panic or a silent reset.
	os.WriteFile(p.SimArduinoState(), []byte("{\"format\":1,"), 0o644)
	if _, err := b2.Query(ctx, '6'); err == nil {
		t.Error("corrupt state accepted")
	}
}
