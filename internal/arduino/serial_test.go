package arduino

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/framing"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// servePTY serves the simulator of p on a real pseudo-terminal and returns
// the terminal's device path.
func servePTY(t *testing.T, p paths.Paths, opts sim.Options) (string, *sim.Bus) {
	return servePTYWith(t, p, opts)
}

func servePTYB(b *testing.B, p paths.Paths) (string, *sim.Bus) {
	return servePTYWith(b, p, sim.Options{})
}

func servePTYWith(t testing.TB, p paths.Paths, opts sim.Options) (string, *sim.Bus) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	bus := sim.NewBus(p, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		framing.Serve(ctx, ptmx, bus)
	}()
	t.Cleanup(func() {
		cancel()
		tty.Close()
		ptmx.Close()
		<-done
	})
	return tty.Name(), bus
}

// Every query and every command over a real pty, against the simulator,
// through Open's serial spec.
func TestSerialOverPTY(t *testing.T) {
	p := testPaths(t)
	dev, bus := servePTY(t, p, sim.Options{})
	c, err := Open("serial:"+dev, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Each query's raw reply over the line equals the simulator's own.
	for _, code := range []byte("0123456789A\xC8") {
		got, err := c.Raw(ctx, code)
		if err != nil {
			t.Fatalf("query %q: %v", code, err)
		}
		want, err := bus.Query(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if code == '1' {
			continue // the snapshot moves with the '0' above
		}
		if code != '0' && got != want {
			t.Errorf("query %q over serial % x, direct % x", code, got, want)
		}
	}
	if v, err := c.Version(ctx); err != nil || v.String() != "5.0.1" {
		t.Fatalf("version %v %v", v, err)
	}
	if _, err := c.HourlyTemperatures(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := c.HourlyVoltages(ctx); err != nil || v.Fitted {
		t.Fatal(v, err)
	}

	loc := time.Local
	if err := c.SetTime(ctx, time.Date(2025, 7, 14, 9, 3, 0, 0, loc)); err != nil {
		t.Fatal(err)
	}
	if d, err := c.Date(ctx); err != nil || d != (Date{2025, time.July, 14}) {
		t.Errorf("date after ST %v %v", d, err)
	}
	if tm, err := c.Time(ctx); err != nil || tm.Hour != 9 || tm.Minute != 3 {
		t.Errorf("time after ST %v %v", tm, err)
	}
	sched := Schedule{Days: MaskOf(time.Saturday, time.Sunday), StartHour: 20, EndHour: 6, Interval: 70}
	if err := c.SetSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Schedule(ctx); err != nil || got != sched {
		t.Errorf("schedule %+v %v", got, err)
	}
	if sh, err := c.Shots(ctx); err != nil || sh.Next != (Shot{Set: true, Weekday: time.Saturday, Hour: 20}) {
		t.Errorf("shots %+v %v", sh, err)
	}
	if err := c.SetWakeWindow(ctx, 7, 20); err != nil {
		t.Fatal(err)
	}
	if w, err := c.WakeWindow(ctx); err != nil || w != (WakeWindow{7, 20}) {
		t.Errorf("wake %+v %v", w, err)
	}
	if m, err := c.ShutdownMinute(ctx); err != nil || m != 3+20+1 {
		t.Errorf("shutdown minute %v %v", m, err)
	}
	if err := c.ExtendPi(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := c.ShutdownMinute(ctx); err != nil || !m.Pending() {
		t.Errorf("shutdown minute after EX %v %v", m, err)
	}
	bus.SetTemperature(12.25)
	if err := c.RefreshTemperatures(ctx); err != nil {
		t.Fatal(err)
	}
	if tp, err := c.Temperatures(ctx); err != nil || tp.Current != 12 {
		t.Errorf("temperatures %+v %v", tp, err)
	}
	bus.SetTemperature(-3)
	if err := c.ResetMax(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetMin(ctx); err != nil {
		t.Fatal(err)
	}
	if tp, err := c.Temperatures(ctx); err != nil || tp != (Temperatures{-3, -3, -3}) {
		t.Errorf("temperatures after RX, RN %+v %v", tp, err)
	}
	if err := c.WakeCamera(ctx); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p.SimCameraWake()); err != nil || !strings.HasPrefix(string(b), "20") {
		t.Errorf("camera.wake %q %v", b, err)
	}
	// RA: the simulated Pi has not finished booting, so the board resets
	// straight away (after its 1 s power-off wait).
	before, _ := bus.Stats()
	if err := c.RebootArduino(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		st, err := bus.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if st.Boots == before.Boots+1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no reset after RA: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got, _ := c.Schedule(ctx); got != sched {
		t.Errorf("schedule after RA %+v", got)
	}
	// Refused arguments never reach the line.
	if err := c.SetWakeWindow(ctx, 7, 2); err == nil {
		t.Error("bad SP sent")
	}
	if st, _ := bus.Stats(); st.Violations != 0 {
		t.Errorf("violations %+v", st)
	}
}

// Noise and stale answers on the line are skipped; a silent line times out.
func TestSerialNoiseAndTimeout(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	s, err := OpenSerial(tty.Name(), 9600)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	go func() {
		buf := make([]byte, 256)
		var sp framing.Splitter
		for {
			n, err := ptmx.Read(buf)
			if err != nil {
				return
			}
			sp.Feed(buf[:n])
			line, ok := sp.Line()
			if !ok {
				continue
			}
			f, err := framing.Decode(line)
			if err != nil {
				continue
			}
			if f.Data[0] == '9' {
				continue // say nothing
			}
			var r [32]byte
			copy(r[:], "5.0.1")
			ptmx.Write([]byte("\x00\xFFnoise\n"))
			ptmx.Write(framing.Encode(framing.Frame{Kind: framing.KindReply, Seq: f.Seq - 1, Data: make([]byte, 32)}))
			ptmx.Write(framing.Encode(framing.Frame{Kind: framing.KindReply, Seq: f.Seq, Data: r[:]}))
		}
	}()
	ctx := context.Background()
	r, err := s.Query(ctx, '6')
	if err != nil || string(r[:5]) != "5.0.1" {
		t.Fatalf("query through noise: %q %v", r[:5], err)
	}
	tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := s.Query(tctx, '9'); err == nil {
		t.Fatal("silent line answered")
	}
	if r, err := s.Query(ctx, '6'); err != nil || string(r[:5]) != "5.0.1" {
		t.Fatalf("after a timeout: %q %v", r[:5], err)
	}
}
