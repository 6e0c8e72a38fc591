package arduino

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"
)

// The byte sequences smbus2 puts on the bus for the original's calls:
// read_i2c_block_data(4, ord(q), 32) is one combined write [q] + 32-byte
// read; write_i2c_block_data(4, 0, text) is one write [0, text...].
func TestI2CGoldenQueries(t *testing.T) {
	version := reply("5.0.1")
	schedule := reply("\x7C081705")
	pb := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x04, W: []byte{0x36}, R: version[:]},
		{Addr: 0x04, W: []byte{0x33}, R: schedule[:]},
	}}
	c := NewClient(NewI2C(pb, 0x04), Options{})
	ctx := context.Background()
	v, err := c.Version(ctx)
	if err != nil || v.String() != "5.0.1" {
		t.Fatalf("version %v %v", v, err)
	}
	s, err := c.Schedule(ctx)
	if err != nil || s.Interval != 5 || s.Days != 0x7C {
		t.Fatalf("schedule %+v %v", s, err)
	}
	if err := pb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestI2CGoldenCommands(t *testing.T) {
	rec := &i2ctest.Record{}
	noWait := func(ctx context.Context, d time.Duration) error { return nil }
	c := NewClient(NewI2C(rec, 0x04), Options{Sleep: noWait})
	ctx := context.Background()
	steps := []struct {
		run  func() error
		wire []byte
	}{
		{func() error { return c.WakeCamera(ctx) }, []byte("\x00WC")},
		{func() error {
			return c.SetTime(ctx, time.Date(2024, 3, 15, 14, 27, 5, 0, time.Local))
		}, []byte("\x00ST=20240315142705")},
		{func() error {
			return c.SetSchedule(ctx, Schedule{Days: 0x7C, StartHour: 8, EndHour: 17, Interval: 5})
		}, []byte("\x00SI=\x7C081705")},
		{func() error { return c.SetWakeWindow(ctx, 18, 15) }, []byte("\x00SP=1815")},
		{func() error { return c.RebootArduino(ctx) }, []byte("\x00RA")},
		{func() error { return c.RefreshTemperatures(ctx) }, []byte("\x00GT")},
		{func() error { return c.ResetMin(ctx) }, []byte("\x00RN")},
		{func() error { return c.ResetMax(ctx) }, []byte("\x00RX")},
		{func() error { return c.ExtendPi(ctx) }, []byte("\x00EX")},
	}
	for i, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if len(rec.Ops) != i+1 {
			t.Fatalf("step %d: %d ops on the bus", i, len(rec.Ops))
		}
		op := rec.Ops[i]
		if op.Addr != 0x04 || !bytes.Equal(op.W, s.wire) || len(op.R) != 0 {
			t.Errorf("step %d: addr %#x wrote % x read %d, want % x", i, op.Addr, op.W, len(op.R), s.wire)
		}
	}
	// Refused arguments never reach the bus.
	n := len(rec.Ops)
	if err := c.SetWakeWindow(ctx, 24, 30); err == nil {
		t.Error("SP=2430 sent")
	}
	if err := c.SetSchedule(ctx, Schedule{Days: 1, StartHour: 0, EndHour: 23, Interval: 15}); err == nil {
		t.Error("empty day mask sent")
	}
	if len(rec.Ops) != n {
		t.Error("a refused command reached the bus")
	}
}

// Two tries, the second after the retry delay; a malformed reply counts as
// a failed try.
func TestI2CRetries(t *testing.T) {
	good := reply("20240315")
	garbage := reply("2024\xff315")
	pb := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x04, W: []byte{'0'}, R: garbage[:]},
		{Addr: 0x04, W: []byte{'0'}, R: good[:]},
	}}
	var slept []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	c := NewClient(NewI2C(pb, 0x04), Options{Sleep: sleep})
	d, err := c.Date(context.Background())
	if err != nil || d.Day != 15 {
		t.Fatalf("date %v %v", d, err)
	}
	if len(slept) != 1 || slept[0] != RetryDelay {
		t.Errorf("slept %v, want one %v", slept, RetryDelay)
	}
	// Both tries fail: the error says what was asked, wraps the cause.
	pb2 := &i2ctest.Playback{DontPanic: true, Ops: []i2ctest.IO{
		{Addr: 0x04, W: []byte{'0'}, R: garbage[:]},
		{Addr: 0x04, W: []byte{'0'}, R: garbage[:]},
	}}
	c2 := NewClient(NewI2C(pb2, 0x04), Options{Sleep: sleep})
	if _, err := c2.Date(context.Background()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err %v, want malformed", err)
	}
	// Nothing left over, nothing more asked.
	if err := pb2.Close(); err != nil {
		t.Fatal(err)
	}
	// A bus error (an empty playback refuses every Tx) is retried, then
	// reported; a cancelled context stops before the second try.
	var calls int
	sleepCancel := func(ctx context.Context, d time.Duration) error { calls++; return context.Canceled }
	c3 := NewClient(NewI2C(&i2ctest.Playback{DontPanic: true}, 0x04), Options{Sleep: sleepCancel})
	if _, err := c3.Version(context.Background()); err == nil || calls != 1 {
		t.Fatalf("err %v after %d sleeps", err, calls)
	}
}

func TestOpenSpecs(t *testing.T) {
	for _, bad := range []string{"", "usb", "sim:fast", "i2c:/dev/i2c-x", "i2c:/dev/i2c-1@0x99", "i2c:@zz", "serial:/dev/ttyUSB0@12"} {
		if _, err := OpenTransport(bad, testPaths(t)); err == nil {
			t.Errorf("spec %q accepted", bad)
		}
	}
	// A device that is not there (yet) is no reason not to start: each use
	// says which device is missing, and a device that appears is picked up.
	for _, spec := range []string{"i2c:/dev/i2c-97", "serial:/dev/nonexistent-tty"} {
		tr, err := OpenTransport(spec, testPaths(t))
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		dev := strings.TrimSuffix(strings.SplitN(spec, ":", 2)[1], "@")
		if _, err := tr.Query(context.Background(), QueryVersion); err == nil || !strings.Contains(err.Error(), dev) {
			t.Errorf("%s: query on a missing device: %v", spec, err)
		}
		if err := tr.Command(context.Background(), CmdWakeCamera.Text); err == nil || !strings.Contains(err.Error(), dev) {
			t.Errorf("%s: command on a missing device: %v", spec, err)
		}
		tr.Close()
	}
}
