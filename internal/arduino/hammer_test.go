package arduino

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

const hammerEnv = "INTVLM8R_ARDUINO_HAMMER_HOME"

var hammerSchedule = Schedule{Days: 0x82, StartHour: 21, EndHour: 5, Interval: 30}

// Two processes share the simulated bus through Open("sim:i2c-timing"),
// each firing queries and commands as fast as it can for a few seconds.
// The bus lock must keep every transaction whole: the simulator counts no
// interleaving, and every reply is the right answer to its own query.
func TestTwoProcessHammer(t *testing.T) {
	home := t.TempDir()
	p := paths.New(home)
	c, err := Open("sim", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SetSchedule(ctx, hammerSchedule); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWakeWindow(ctx, AlwaysOn, 30); err != nil {
		t.Fatal(err)
	}
	bus := sim.NewBus(p, sim.Options{})
	if err := bus.SetTemperature(20); err != nil {
		t.Fatal(err)
	}
	c.ResetMin(ctx)
	c.ResetMax(ctx)

	var procs []*exec.Cmd
	outs := make([]*os.File, 2)
	for i := range 2 {
		f, err := os.CreateTemp(t.TempDir(), "hammer")
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = f
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), hammerEnv+"="+home, "INTVLM8R_HAMMER_SEED="+strconv.Itoa(i+1))
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	total := 0
	for i, cmd := range procs {
		err := cmd.Wait()
		out, _ := os.ReadFile(outs[i].Name())
		if err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, out)
		}
		var n int
		for _, line := range splitLines(string(out)) {
			if _, err := fmt.Sscanf(line, "HAMMER transactions=%d", &n); err == nil {
				break
			}
		}
		if n == 0 {
			t.Fatalf("child %d reported nothing:\n%s", i, out)
		}
		total += n
	}
	st, err := bus.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Violations != 0 {
		t.Fatalf("%d interleaved transactions: %s", st.Violations, st.LastViolation)
	}
	if st.Queries+st.Commands < int64(total) {
		t.Fatalf("bus saw %d transactions, children made %d", st.Queries+st.Commands, total)
	}
	t.Logf("%d transactions from two processes, none interleaved (%+v)", total, st)
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

// TestMain runs a hammering child instead of the tests when
// TestTwoProcessHammer re-executes the test binary.
func TestMain(m *testing.M) {
	if home := os.Getenv(hammerEnv); home != "" {
		if err := hammerChild(home); err != nil {
			fmt.Println("HAMMER failed:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// hammerChild is one hammering process.
func hammerChild(home string) (err error) {
	seed, _ := strconv.Atoi(os.Getenv("INTVLM8R_HAMMER_SEED"))
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	c, err := Open("sim:i2c-timing", paths.New(home), nil)
	if err != nil {
		return err
	}
	ctx := context.Background()
	n := 0
	type failure struct{ error }
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			err = f.error
		}
	}()
	check := func(what string, err error, ok bool, got any) {
		n++
		if err != nil || !ok {
			b, _ := json.Marshal(got)
			panic(failure{fmt.Errorf("transaction %d, %s: %v, got %s", n, what, err, b)})
		}
	}
	end := time.Now().Add(3 * time.Second)
	for time.Now().Before(end) {
		switch rng.IntN(14) {
		case 0:
			d, err := c.Date(ctx)
			check("date", err, d.Year >= 2018, d)
		case 1:
			tm, err := c.Time(ctx)
			check("time", err, true, tm)
		case 2:
			s, err := c.Shots(ctx)
			check("shots", err, s.Next.Set, s)
		case 3:
			s, err := c.Schedule(ctx)
			check("schedule", err, s == hammerSchedule, s)
		case 4:
			v, err := c.Temperatures(ctx)
			check("temperatures", err, v == Temperatures{20, 20, 20}, v)
		case 5:
			w, err := c.WakeWindow(ctx)
			check("wake window", err, w == WakeWindow{AlwaysOn, 30}, w)
		case 6:
			v, err := c.Version(ctx)
			check("version", err, v.String() == "5.0.1", v)
		case 7:
			h, err := c.HourlyTemperatures(ctx)
			check("hourly temperatures", err, true, h)
		case 8:
			v, err := c.HourlyVoltages(ctx)
			check("hourly voltages", err, !v.Fitted, v)
		case 9:
			m, err := c.ShutdownMinute(ctx)
			check("shutdown minute", err, m == 0, m)
		case 10:
			check("GT", c.RefreshTemperatures(ctx), true, nil)
		case 11:
			check("SI", c.SetSchedule(ctx, hammerSchedule), true, nil)
		case 12:
			check("SP", c.SetWakeWindow(ctx, AlwaysOn, 30), true, nil)
		case 13:
			if rng.IntN(2) == 0 {
				check("RX", c.ResetMax(ctx), true, nil)
			} else {
				check("EX", c.ExtendPi(ctx), true, nil)
			}
		}
	}
	fmt.Printf("HAMMER transactions=%d\n", n)
	return nil
}
