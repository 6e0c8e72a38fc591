package sim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// BootLead is how long before its first use a fresh simulated board is taken
// to have been powered: long enough for setup and the first pass to be over.
const BootLead = 10 * time.Second

// I2C timing at the Pi's 40 kHz bus clock (9 clocks per byte with its ACK).
const (
	busClock = 40_000
	byteTime = 9 * time.Second / busClock
)

// Options tune a Bus.
type Options struct {
	// Now is the host clock; nil means time.Now.
	Now func() time.Time
	// BusTiming makes each transaction take as long as it would on the
	// Pi's 40 kHz I2C bus (about 8 ms for a query), for benchmarks.
	BusTiming bool
	// Log receives the simulator's notes; nil means slog.Default().
	Log *slog.Logger
}

// Bus is the simulated Arduino on its bus, with its state in a file under
// paths.Sim() so that every process hosting the simulator (web, worker,
// oneshots, arduinosim) sees the same board, as EEPROM and a battery-backed
// clock would survive a restart. Each bus phase (a write, or a read) loads
// the state under its own lock, runs the firmware up to now, and saves it.
//
// A query is two phases, its write and its read, as on the wire. The state
// records the open query between them; a phase that finds another
// transaction's query open counts a violation (Stats). Callers are expected
// to hold the bus lock around each transaction, so there should be none.
type Bus struct {
	p    paths.Paths
	opts Options
	pid  int
}

// NewBus opens the simulated board of the install at p (creating it, freshly
// powered, on first use).
func NewBus(p paths.Paths, opts Options) *Bus {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Bus{p: p, opts: opts, pid: os.Getpid()}
}

func (b *Bus) String() string { return "sim:" + b.p.SimArduinoState() }

// Close releases nothing: the board lives in its file.
func (b *Bus) Close() error { return nil }

func (b *Bus) load() (*State, bool, error) {
	data, err := os.ReadFile(b.p.SimArduinoState())
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("arduino sim: %w", err)
	}
	s := &State{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, false, fmt.Errorf("arduino sim: state %s: %w", b.p.SimArduinoState(), err)
	}
	if len(s.EEPROM) != eepromSize || len(s.SendToPi) != 32 || len(s.Volts) != 24 || s.Format != 1 {
		return nil, false, fmt.Errorf("arduino sim: state %s is not a format-1 board", b.p.SimArduinoState())
	}
	return s, true, nil
}

// Do runs fn on the board brought up to now, under the state lock, then
// saves the board and hands on the camera pulses it fired.
func (b *Bus) Do(fn func(f *Firmware, now time.Time) error) error {
	lock, err := fileutil.LockExclusive(b.p.SimArduinoLock())
	if err != nil {
		return fmt.Errorf("arduino sim: %w", err)
	}
	defer lock.Unlock()
	now := b.opts.Now()
	s, ok, err := b.load()
	if err != nil {
		return err
	}
	f := New(s)
	f.Log = b.opts.Log
	if !ok {
		f = New(NewState())
		f.Log = b.opts.Log
		f.PowerOn(now.Add(-BootLead))
	}
	f.Advance(now)
	ferr := fn(f, now)
	if err := b.flush(f); err != nil {
		return err
	}
	data, err := json.Marshal(f.S)
	if err != nil {
		return fmt.Errorf("arduino sim: %w", err)
	}
	if err := fileutil.WriteAtomic(b.p.SimArduinoState(), data, 0o644); err != nil {
		return fmt.Errorf("arduino sim: %w", err)
	}
	return ferr
}

// flush appends the shots to shutter.log and rewrites camera.wake. They go
// out before the state is saved: after a crash a shot may be told twice,
// never lost.
func (b *Bus) flush(f *Firmware) error {
	for _, t := range f.Shots {
		if err := fileutil.AppendLine(b.p.SimShutterLog(), t.Format(time.RFC3339Nano)+"\n"); err != nil {
			return fmt.Errorf("arduino sim: %w", err)
		}
	}
	if n := len(f.Wakes); n > 0 {
		last := f.Wakes[n-1]
		if err := fileutil.WriteAtomic(b.p.SimCameraWake(), []byte(last.Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
			return fmt.Errorf("arduino sim: %w", err)
		}
	}
	f.Shots, f.Wakes = nil, nil
	return nil
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func newTxnID() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// violation notes a phase that found someone else's query open. A query
// left open by a process that has died is not counted.
func (b *Bus) violation(s *State, what string) {
	o := s.Bus.Open
	if o == nil || !alive(o.PID) {
		return
	}
	s.Bus.Violations++
	s.Bus.LastViolation = fmt.Sprintf("%s while query %q of pid %d was open since %s", what, o.Code, o.PID, o.At.Format(time.RFC3339Nano))
	b.opts.Log.Warn("arduino sim: interleaved bus transactions", "detail", s.Bus.LastViolation)
}

// Query writes the query byte, then reads the 32-byte reply, as the Pi's
// I2C block read does (two bus phases).
func (b *Bus) Query(ctx context.Context, code byte) ([32]byte, error) {
	var reply [32]byte
	if err := ctx.Err(); err != nil {
		return reply, err
	}
	id, err := b.writeQuery(code)
	if err != nil {
		return reply, err
	}
	if b.opts.BusTiming {
		// address + query byte, repeated start, address + 32 data bytes
		if err := ctxutil.Sleep(ctx, 35*byteTime); err != nil {
			return reply, err
		}
	}
	return b.readReply(id, code)
}

// writeQuery is a query's write phase.
func (b *Bus) writeQuery(code byte) (uint64, error) {
	id := newTxnID()
	err := b.Do(func(f *Firmware, now time.Time) error {
		s := f.S
		if s.Bus.Open != nil {
			b.violation(s, fmt.Sprintf("query %q written", code))
		}
		s.Bus.Open = &OpenTxn{ID: id, PID: b.pid, Code: code, At: now}
		return f.Receive(now, []byte{code})
	})
	return id, err
}

// readReply is a query's read phase.
func (b *Bus) readReply(id uint64, code byte) ([32]byte, error) {
	var reply [32]byte
	err := b.Do(func(f *Firmware, now time.Time) error {
		s := f.S
		if o := s.Bus.Open; o == nil || o.ID != id {
			if o == nil {
				s.Bus.Violations++
				s.Bus.LastViolation = fmt.Sprintf("read of query %q found no query open", code)
				b.opts.Log.Warn("arduino sim: interleaved bus transactions", "detail", s.Bus.LastViolation)
			} else {
				b.violation(s, fmt.Sprintf("read of query %q", code))
			}
		}
		s.Bus.Open = nil
		copy(reply[:], f.Read(now, 32))
		return nil
	})
	return reply, err
}

// Command writes register 0 and the command text, as the Pi's I2C block
// write does.
func (b *Bus) Command(ctx context.Context, text []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := b.Do(func(f *Firmware, now time.Time) error {
		if f.S.Bus.Open != nil {
			b.violation(f.S, fmt.Sprintf("command %q written", text))
		}
		return f.Receive(now, append([]byte{0}, text...))
	})
	if err != nil {
		return err
	}
	if b.opts.BusTiming {
		return ctxutil.Sleep(ctx, time.Duration(2+len(text))*byteTime)
	}
	return nil
}

// Sync brings the board up to now and hands on what it has done since it
// was last touched: the simulated camera calls it before reading
// shutter.log, since shots are worked out lazily.
func (b *Bus) Sync() error {
	return b.Do(func(*Firmware, time.Time) error { return nil })
}

// Stats is what the bus has seen.
type Stats struct {
	Queries, Commands, Violations int64
	LastViolation                 string
	Shots, Wakes, Boots           int64
}

// Stats reads the counters (bringing the board up to now).
func (b *Bus) Stats() (Stats, error) {
	var st Stats
	err := b.Do(func(f *Firmware, now time.Time) error {
		s := f.S
		st = Stats{Queries: s.Bus.Queries, Commands: s.Bus.Commands, Violations: s.Bus.Violations,
			LastViolation: s.Bus.LastViolation, Shots: s.Shots, Wakes: s.Wakes, Boots: s.Boots}
		return nil
	})
	return st, err
}

// SetTemperature fixes the clock chip's die temperature (°C, kept to the
// chip's quarter degrees) with no daily swing.
func (b *Bus) SetTemperature(celsius float64) error {
	return b.Do(func(f *Firmware, now time.Time) error {
		f.S.TempBaseQ = int(celsius*4 + copysignHalf(celsius))
		f.S.TempSwingQ = 0
		return nil
	})
}

func copysignHalf(x float64) float64 {
	if x < 0 {
		return -0.5
	}
	return 0.5
}
