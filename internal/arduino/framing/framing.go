// Package framing carries the Arduino protocol over a serial line (a USB
// serial adapter, or a pseudo-terminal in front of the simulator). I2C gives
// the protocol its framing for free; a byte stream does not, and the replies
// are binary (a day-mask byte, signed temperatures, 0x00 and 0xFF), so every
// frame is a line of printable ASCII with the payload in hex:
//
//		<kind> <seq> <hex>*<sum>\n
//
//	  - kind is one letter. From the Pi: 'Q' a query (hex: the one query byte),
//	    'C' a command (hex: the command text, without the I2C register byte).
//	    From the Arduino: 'R' the 32-byte reply to a query, 'K' a command
//	    taken (no hex), 'E' a refusal (hex: a UTF-8 message).
//	  - seq is two hex digits chosen by the Pi for each request; the answer
//	    carries the same seq, so a late answer to an earlier, timed-out
//	    request is recognised and dropped.
//	  - sum is two hex digits, the XOR of every byte of the line from kind to
//	    the last hex digit.
//	  - Hex digits are upper case from the sender and read in either case.
//	    A '\r' before the '\n' is ignored. A line longer than MaxLine, or one
//	    that does not parse or check, is dropped by the reader; the Pi then
//	    times out and tries again, as it would on an I2C error.
//
// Example: query '6' as seq 0x01 is "Q 01 36*..." and its answer is
// "R 01 352E302E3100...*..". The Arduino answers each request before it
// reads the next, so the line carries one transaction at a time.
package framing

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLine is the longest frame: an R frame is 2+3+64+3 = 72 bytes.
const MaxLine = 200

// Frame kinds.
const (
	KindQuery   byte = 'Q'
	KindCommand byte = 'C'
	KindReply   byte = 'R'
	KindOK      byte = 'K'
	KindError   byte = 'E'
)

// Frame is one decoded line.
type Frame struct {
	Kind byte
	Seq  byte
	Data []byte
}

// ErrBadFrame is wrapped by every decoding error.
var ErrBadFrame = errors.New("bad frame")

func checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// Encode renders f as one line, "\n" included.
func Encode(f Frame) []byte {
	body := fmt.Appendf(nil, "%c %02X %s", f.Kind, f.Seq, strings.ToUpper(hex.EncodeToString(f.Data)))
	return fmt.Appendf(body, "*%02X\n", checksum(body))
}

// Decode parses one line (with or without its line ending).
func Decode(line []byte) (Frame, error) {
	line = []byte(strings.TrimRight(string(line), "\r\n"))
	if len(line) > MaxLine {
		return Frame{}, fmt.Errorf("%w: %d bytes", ErrBadFrame, len(line))
	}
	star := strings.LastIndexByte(string(line), '*')
	if star < 0 || len(line)-star != 3 {
		return Frame{}, fmt.Errorf("%w: no checksum", ErrBadFrame)
	}
	body := line[:star]
	sum, err := hex.DecodeString(string(line[star+1:]))
	if err != nil || sum[0] != checksum(body) {
		return Frame{}, fmt.Errorf("%w: checksum", ErrBadFrame)
	}
	if len(body) < 5 || body[1] != ' ' || (len(body) > 5 && body[4] != ' ') {
		return Frame{}, fmt.Errorf("%w: layout", ErrBadFrame)
	}
	seq, err := hex.DecodeString(string(body[2:4]))
	if err != nil {
		return Frame{}, fmt.Errorf("%w: sequence", ErrBadFrame)
	}
	var data []byte
	if len(body) > 5 {
		data, err = hex.DecodeString(string(body[5:]))
		if err != nil {
			return Frame{}, fmt.Errorf("%w: payload: %v", ErrBadFrame, err)
		}
	}
	f := Frame{Kind: body[0], Seq: seq[0], Data: data}
	switch f.Kind {
	case KindQuery:
		if len(data) != 1 {
			return Frame{}, fmt.Errorf("%w: a query carries one byte", ErrBadFrame)
		}
	case KindReply:
		if len(data) != 32 {
			return Frame{}, fmt.Errorf("%w: a reply carries 32 bytes", ErrBadFrame)
		}
	case KindCommand, KindError:
	case KindOK:
		if len(data) != 0 {
			return Frame{}, fmt.Errorf("%w: K carries nothing", ErrBadFrame)
		}
	default:
		return Frame{}, fmt.Errorf("%w: kind %q", ErrBadFrame, f.Kind)
	}
	return f, nil
}

// Handler is the device end: the simulator's Bus, or anything else that
// answers the protocol.
type Handler interface {
	Query(ctx context.Context, code byte) ([32]byte, error)
	Command(ctx context.Context, text []byte) error
}

// Serve answers the frames read from rw until ctx ends or rw fails. Bad
// lines are dropped; a handler error is answered with an E frame.
func Serve(ctx context.Context, rw io.ReadWriter, h Handler) error {
	r := bufio.NewReaderSize(rw, 512)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if line == nil {
			continue
		}
		f, err := Decode(line)
		if err != nil {
			continue
		}
		var out Frame
		switch f.Kind {
		case KindQuery:
			reply, err := h.Query(ctx, f.Data[0])
			if err != nil {
				out = Frame{Kind: KindError, Seq: f.Seq, Data: []byte(err.Error())}
			} else {
				out = Frame{Kind: KindReply, Seq: f.Seq, Data: reply[:]}
			}
		case KindCommand:
			if err := h.Command(ctx, f.Data); err != nil {
				out = Frame{Kind: KindError, Seq: f.Seq, Data: []byte(err.Error())}
			} else {
				out = Frame{Kind: KindOK, Seq: f.Seq}
			}
		default:
			continue
		}
		if _, err := rw.Write(Encode(out)); err != nil {
			return err
		}
	}
}

// readLine returns the next line, or nil for an over-long one (dropped).
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > MaxLine+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if tooLong {
			return nil, nil
		}
		return line, nil
	}
}

// Splitter cuts a byte stream read in pieces (with timeouts) into lines,
// dropping over-long ones.
type Splitter struct {
	buf      []byte
	dropping bool
}

// Feed adds bytes read from the line.
func (s *Splitter) Feed(p []byte) { s.buf = append(s.buf, p...) }

// Reset forgets everything fed so far.
func (s *Splitter) Reset() { s.buf, s.dropping = s.buf[:0], false }

// Line returns the next complete line, without its ending.
func (s *Splitter) Line() ([]byte, bool) {
	for {
		i := strings.IndexByte(string(s.buf), '\n')
		if i < 0 {
			if len(s.buf) > MaxLine+2 {
				s.buf, s.dropping = s.buf[:0], true
			}
			return nil, false
		}
		line := append([]byte(nil), s.buf[:i]...)
		s.buf = append(s.buf[:0], s.buf[i+1:]...)
		if s.dropping || len(line) > MaxLine+1 {
			s.dropping = false
			continue
		}
		return line, true
	}
}
