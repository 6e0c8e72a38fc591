package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// The time helper's local endpoints: /setArduinoDateTime sets the Arduino
// to the Pi's time, /getTime reads it back live; without an Arduino, or
// when it does not answer, both say so with a 503.
func TestTimeEndpoints(t *testing.T) {
	none := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	for _, path := range []string{"/getTime", "/setArduinoDateTime"} {
		if code, body := do(t, none.anon, http.MethodGet, none.local.URL+path, nil, ""); code != http.StatusServiceUnavailable || !strings.Contains(body, "No Arduino link is configured.") {
			t.Errorf("%s without an Arduino: %d %s", path, code, body)
		}
	}

	var ard *arduino.Client
	u := startTransferUIWith(t, tpINI, transfer.DropboxAPI{}, func(p paths.Paths) *arduino.Client {
		c, err := arduino.Open("sim", p, nil)
		if err != nil {
			t.Fatal(err)
		}
		ard = c
		return c
	})
	ctx := context.Background()
	if err := ard.SetTime(ctx, time.Now().Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	code, body := do(t, u.anon, http.MethodGet, u.local.URL+"/setArduinoDateTime", nil, "")
	if code != http.StatusOK || !strings.HasPrefix(body, "<p>Set Arduino datetime to "+time.Now().Format("200601021504")[:10]) {
		t.Fatalf("/setArduinoDateTime: %d %s", code, body)
	}
	if !u.srv.arduinoClockNear(ctx, time.Now()) {
		t.Error("the Arduino's clock was not set to the Pi's")
	}
	code, body = do(t, u.anon, http.MethodGet, u.local.URL+"/getTime", nil, "")
	got, err := time.ParseInLocation(view.DateLayout+" 15:04:05", strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(body), `<div id="dateTime">`), "</div>"), time.Local)
	if code != http.StatusOK || err != nil || got.Sub(time.Now()).Abs() > time.Minute {
		t.Errorf("/getTime: %d %s (%v), want the Pi's time", code, body, err)
	}

	// The same Arduino gone quiet (a bus error every try).
	u.srv.Arduino = arduino.NewClient(deadBus{}, arduino.Options{LockPath: u.p.ArduinoLock(),
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	for _, path := range []string{"/getTime", "/setArduinoDateTime"} {
		if code, body := do(t, u.anon, http.MethodGet, u.local.URL+path, nil, ""); code != http.StatusServiceUnavailable || !strings.Contains(body, "remote I/O error") {
			t.Errorf("%s, Arduino not answering: %d %s", path, code, body)
		}
	}
}

// deadBus is an Arduino link on which every transaction fails.
type deadBus struct{}

func (deadBus) Query(context.Context, byte) (arduino.Reply, error) {
	return arduino.Reply{}, errors.New("remote I/O error")
}
func (deadBus) Command(context.Context, []byte) error { return errors.New("remote I/O error") }
func (deadBus) Close() error                          { return nil }

// arduinoClockNear allows a few seconds either way, no more; confirm
// re-reads until its check holds, and gives up when its time is over.
func TestArduinoClockNearAndConfirm(t *testing.T) {
	p := paths.New(t.TempDir())
	ard, err := arduino.Open("sim", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ard.Close() })
	s := &Server{Deps: Deps{Arduino: ard}}
	ctx := context.Background()
	now := time.Now()
	if err := ard.SetTime(ctx, now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		off  time.Duration
		near bool
	}{{0, true}, {-3 * time.Second, true}, {3 * time.Second, true}, {-20 * time.Second, false}, {20 * time.Second, false}, {time.Hour, false}} {
		if got := s.arduinoClockNear(ctx, time.Now().Add(tc.off)); got != tc.near {
			t.Errorf("clock off by %v: near %v, want %v", tc.off, got, tc.near)
		}
	}

	calls := 0
	if !confirm(ctx, func(context.Context) bool { calls++; return calls == 3 }) || calls != 3 {
		t.Errorf("confirm: %d checks, want true on the third", calls)
	}
	short, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	calls = 0
	if confirm(short, func(context.Context) bool { calls++; return false }) || calls == 0 {
		t.Errorf("confirm of a check never true: true, or %d checks", calls)
	}
}
