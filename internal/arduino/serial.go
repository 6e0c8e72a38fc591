package arduino

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/framing"
)

// Serial defaults.
const (
	DefaultSerialDevice = "/dev/ttyUSB0"
	DefaultSerialBaud   = 115200
	// SerialTimeout bounds one exchange when the context allows longer.
	SerialTimeout = 2 * time.Second
)

// Port is what Serial needs of a serial port (go.bug.st/serial's Port).
type Port interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	SetReadTimeout(t time.Duration) error
	Close() error
}

// Serial carries the protocol over a serial line in the frames of package
// framing: a request line, then its answer line with the same sequence
// number.
type Serial struct {
	mu   sync.Mutex
	port Port
	name string
	seq  byte
	sp   framing.Splitter
}

// OpenSerial opens a serial device (8N1, raw) at baud.
func OpenSerial(dev string, baud int) (*Serial, error) {
	p, err := serial.Open(dev, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("arduino serial: open %s: %w", dev, err)
	}
	return NewSerial(p, dev), nil
}

// NewSerial uses an open port.
func NewSerial(p Port, name string) *Serial { return &Serial{port: p, name: name} }

func (s *Serial) String() string { return "serial:" + s.name }

// exchange sends one request and waits for the answer with its sequence.
func (s *Serial) exchange(ctx context.Context, kind byte, data []byte) (framing.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	seq := s.seq
	deadline := time.Now().Add(SerialTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.sp.Reset() // anything still buffered answers an abandoned request
	if _, err := s.port.Write(framing.Encode(framing.Frame{Kind: kind, Seq: seq, Data: data})); err != nil {
		return framing.Frame{}, fmt.Errorf("serial write: %w", err)
	}
	buf := make([]byte, 256)
	for {
		for {
			line, ok := s.sp.Line()
			if !ok {
				break
			}
			f, err := framing.Decode(line)
			if err != nil || f.Seq != seq {
				continue // noise, or the answer to an abandoned request
			}
			return f, nil
		}
		if err := ctx.Err(); err != nil {
			return framing.Frame{}, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return framing.Frame{}, fmt.Errorf("serial: no answer within %s: %w", SerialTimeout, context.DeadlineExceeded)
		}
		if left > 100*time.Millisecond {
			left = 100 * time.Millisecond // look at ctx now and then
		}
		if err := s.port.SetReadTimeout(left); err != nil {
			return framing.Frame{}, fmt.Errorf("serial: %w", err)
		}
		n, err := s.port.Read(buf)
		if n > 0 {
			s.sp.Feed(buf[:n])
		}
		if err != nil {
			return framing.Frame{}, fmt.Errorf("serial read: %w", err)
		}
	}
}

// ErrRefused is wrapped when the far end answers with an E frame.
var ErrRefused = errors.New("refused by the Arduino")

// Query implements Transport.
func (s *Serial) Query(ctx context.Context, code byte) (Reply, error) {
	var r Reply
	f, err := s.exchange(ctx, framing.KindQuery, []byte{code})
	if err != nil {
		return r, fmt.Errorf("serial query %q: %w", code, err)
	}
	switch f.Kind {
	case framing.KindReply:
		copy(r[:], f.Data)
		return r, nil
	case framing.KindError:
		return r, fmt.Errorf("serial query %q: %w: %s", code, ErrRefused, printable(f.Data))
	}
	return r, fmt.Errorf("serial query %q: answered with a %q frame", code, f.Kind)
}

// Command implements Transport.
func (s *Serial) Command(ctx context.Context, text []byte) error {
	if err := CheckCommand(text); err != nil {
		return err
	}
	f, err := s.exchange(ctx, framing.KindCommand, text)
	if err != nil {
		return fmt.Errorf("serial command %q: %w", printable(text), err)
	}
	switch f.Kind {
	case framing.KindOK:
		return nil
	case framing.KindError:
		return fmt.Errorf("serial command %q: %w: %s", printable(text), ErrRefused, printable(f.Data))
	}
	return fmt.Errorf("serial command %q: answered with a %q frame", printable(text), f.Kind)
}

// Close implements Transport.
func (s *Serial) Close() error { return s.port.Close() }
