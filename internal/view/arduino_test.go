package view

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// silentTransport is an Arduino that never answers.
type silentTransport struct{}

func (silentTransport) Query(context.Context, byte) (arduino.Reply, error) {
	return arduino.Reply{}, errors.New("remote I/O error")
}
func (silentTransport) Command(context.Context, []byte) error { return errors.New("remote I/O error") }
func (silentTransport) Close() error                          { return nil }

// A page whose budget runs out while another process holds the bus says the
// bus was busy, with the cached values; an Arduino that fails says it is not
// answering.
func TestArduinoReaderBusyIsNotSilent(t *testing.T) {
	r := testutil.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	t.Cleanup(func() { rdb.Close() })
	p := paths.New(t.TempDir())
	cache := arduino.NewCache(rdb, "")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ard := arduino.NewClient(sim.NewBus(p, sim.Options{}), arduino.Options{LockPath: p.ArduinoLock(), Cache: cache, Log: quiet})
	if _, err := ard.Version(context.Background()); err != nil { // fills the cache
		t.Fatal(err)
	}

	lock, err := fileutil.LockExclusive(p.ArduinoLock()) // another process's long transaction
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	rd := NewArduinoReader(ctx, ard, quiet)
	v, ok := Get(rd, arduino.QVersion)
	_, wakeOK := Get(rd, arduino.QWakeWindow) // never read: no cached copy
	cancel()
	lock.Unlock()
	if !ok || v.Live || v.Value.String() != "5.0.1" {
		t.Fatalf("busy bus: got %+v ok=%v, want the cached version", v, ok)
	}
	if wakeOK {
		t.Fatal("a value never read came from nowhere")
	}
	n := rd.Notice()
	if !strings.Contains(n, "busy") || strings.Contains(n, "not answering") {
		t.Fatalf("busy bus notice: %q", n)
	}
	// Let the reads given up on finish before the home goes.
	if _, err := ard.WakeWindow(context.Background()); err != nil {
		t.Fatal(err)
	}

	silent := arduino.NewClient(silentTransport{}, arduino.Options{LockPath: p.ArduinoLock(), Cache: cache, Log: quiet,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	rd = NewArduinoReader(context.Background(), silent, quiet)
	if v, ok := Get(rd, arduino.QVersion); !ok || v.Live {
		t.Fatalf("silent Arduino: %+v %v, want the cached version", v, ok)
	}
	if n := rd.Notice(); !strings.Contains(n, "not answering") {
		t.Fatalf("silent Arduino notice: %q", n)
	}
}
