package arduino

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// fakeClock is a virtual host clock shared by the simulator and the
// client's waits, so settle times pass without sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func simClient(t *testing.T) (*Client, *sim.Bus, *fakeClock, paths.Paths) {
	t.Helper()
	p := testPaths(t)
	clk := &fakeClock{now: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	bus := sim.NewBus(p, sim.Options{Now: clk.Now})
	c := NewClient(bus, Options{LockPath: p.ArduinoLock(), Sleep: clk.Sleep, Now: clk.Now})
	return c, bus, clk, p
}

// The client against the simulator: a cold start, then every command
// followed by the query that shows its effect, each after only the
// command's settle time.
func TestClientAgainstSimulator(t *testing.T) {
	c, bus, clk, p := simClient(t)
	ctx := context.Background()

	d, err := c.Date(ctx)
	if err != nil || d != (Date{2018, time.January, 1}) {
		t.Fatalf("cold-start date %v %v", d, err)
	}
	tm, err := c.Time(ctx)
	if err != nil || tm.Hour != 12 || tm.Minute != 0 {
		t.Fatalf("cold-start time %v %v", tm, err)
	}
	shots, err := c.Shots(ctx)
	if err != nil || shots.Last.Set || shots.Next != (Shot{Set: true, Weekday: time.Monday, Hour: 12, Minute: 15}) {
		t.Fatalf("shots %+v %v", shots, err)
	}
	s, err := c.Schedule(ctx)
	if err != nil || s != (Schedule{Days: EveryDay, StartHour: 0, EndHour: 23, Interval: 15}) {
		t.Fatalf("schedule %+v %v", s, err)
	}
	w, err := c.WakeWindow(ctx)
	if err != nil || !w.AlwaysOn() || w.Minutes != 30 {
		t.Fatalf("wake %+v %v", w, err)
	}
	v, err := c.Version(ctx)
	if err != nil || !v.AtLeast(MinShootFast) || v.String() != "5.0.1" {
		t.Fatalf("version %v %v", v, err)
	}
	ht, err := c.HourlyTemperatures(ctx)
	if err != nil || ht.Measured(5) {
		t.Fatalf("hourly temps %v %v", ht, err)
	}
	hv, err := c.HourlyVoltages(ctx)
	if err != nil || hv.Fitted {
		t.Fatalf("voltages %+v %v", hv, err)
	}
	sm, err := c.ShutdownMinute(ctx)
	if err != nil || sm != 0 {
		t.Fatalf("shutdown minute %v %v", sm, err)
	}

	loc := time.FixedZone("AEST", 10*3600)
	if err := c.SetTime(ctx, time.Date(2024, 3, 18, 10, 7, 30, 0, loc)); err != nil {
		t.Fatal(err)
	}
	at, err := c.DateTime(ctx, loc)
	if err != nil || at.Format("2006-01-02 15:04") != "2024-03-18 10:07" {
		t.Fatalf("after ST: %v %v", at, err)
	}
	sched := Schedule{Days: MaskOf(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), StartHour: 8, EndHour: 17, Interval: 15}
	if err := c.SetSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Schedule(ctx); err != nil || got != sched {
		t.Fatalf("after SI: %+v %v", got, err)
	}
	if shots, _ := c.Shots(ctx); shots.Next != (Shot{Set: true, Weekday: time.Monday, Hour: 10, Minute: 15}) {
		t.Errorf("next shot after SI %v", shots.Next)
	}
	if err := c.SetWakeWindow(ctx, 18, 15); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.WakeWindow(ctx); got != (WakeWindow{18, 15}) {
		t.Errorf("after SP: %+v", got)
	}
	if got, _ := c.ShutdownMinute(ctx); got != 7+15+1 {
		t.Errorf("shutdown minute after SP: %d", got)
	}
	clk.Sleep(ctx, 3*time.Minute)
	if err := c.ExtendPi(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.ShutdownMinute(ctx); got != 10+15+1 {
		t.Errorf("shutdown minute after EX: %d", got)
	}
	if err := bus.SetTemperature(-4.5); err != nil {
		t.Fatal(err)
	}
	if err := c.RefreshTemperatures(ctx); err != nil {
		t.Fatal(err)
	}
	temps, err := c.Temperatures(ctx)
	if err != nil || temps.Current != -5 || temps.Min != -5 {
		t.Fatalf("after GT: %+v %v", temps, err)
	}
	bus.SetTemperature(30)
	if err := c.ResetMax(ctx); err != nil {
		t.Fatal(err)
	}
	bus.SetTemperature(10)
	if err := c.ResetMin(ctx); err != nil {
		t.Fatal(err)
	}
	if temps, _ := c.Temperatures(ctx); temps != (Temperatures{10, 30, 10}) {
		t.Errorf("after RX, RN: %+v", temps)
	}
	if err := c.WakeCamera(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.SimCameraWake()); err != nil {
		t.Errorf("WC did not wake the simulated camera: %v", err)
	}
	// RA: the simulated Pi is running by now, so it is asked to halt
	// first; the board resets once it has.
	clk.Sleep(ctx, time.Minute)
	if err := c.RebootArduino(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Sleep(ctx, sim.PiHaltDelay+10*time.Second)
	st, err := bus.Stats()
	if err != nil || st.Boots != 2 || st.Violations != 0 || st.Wakes != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
	if got, _ := c.Schedule(ctx); got != sched {
		t.Errorf("schedule lost in the reset: %+v", got)
	}
}

// A query straight after a command, without the settle wait, still sees the
// old state: the firmware acts in its loop, not in the interrupt.
func TestSettleIsNeeded(t *testing.T) {
	c, bus, clk, _ := simClient(t)
	ctx := context.Background()
	c.Version(ctx)
	clk.Sleep(ctx, 2*time.Second)
	if err := bus.Command(ctx, []byte("SP=0630")); err != nil {
		t.Fatal(err)
	}
	if w, _ := c.WakeWindow(ctx); w.Hour != AlwaysOn {
		t.Fatalf("SP acted on inside the interrupt: %+v", w)
	}
	clk.Sleep(ctx, SettleWakeWindow)
	if w, _ := c.WakeWindow(ctx); w.Hour != 6 {
		t.Fatalf("SP not acted on within its settle time: %+v", w)
	}
	// Every settle time covers the simulator's pass latency and the work.
	for _, cmd := range []Command{CmdWakeCamera, CmdReboot, CmdRefreshTemps, CmdResetMin, CmdResetMax, CmdExtendPi} {
		if cmd.Settle <= sim.PassLatency {
			t.Errorf("%s settles in %v", cmd, cmd.Settle)
		}
	}
	if SettleWakeCamera < 400*time.Millisecond+sim.PassLatency {
		t.Error("WC settle shorter than its pulse")
	}
}

func TestClientContextDeadline(t *testing.T) {
	p := testPaths(t)
	bus := sim.NewBus(p, sim.Options{BusTiming: true})
	c := NewClient(bus, Options{LockPath: p.ArduinoLock()})
	// Another process holds the bus: the deadline ends the wait for it.
	l, err := lockFile(p.ArduinoLock())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Version(ctx)
	l.Unlock()
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("err %v, want ErrBusy (a busy bus is not a silent Arduino)", err)
	}
	if v, err := c.Version(context.Background()); err != nil || v.String() != "5.0.1" {
		t.Fatalf("after the lock was freed: %v %v", v, err)
	}
}
