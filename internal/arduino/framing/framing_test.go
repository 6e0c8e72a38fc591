package framing

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var reply [32]byte
	copy(reply[:], "\x7C081705\x00\xFF\x80")
	for _, f := range []Frame{
		{Kind: KindQuery, Seq: 1, Data: []byte{'6'}},
		{Kind: KindCommand, Seq: 0xFE, Data: []byte("SI=\x7C081705")},
		{Kind: KindReply, Seq: 0x7F, Data: reply[:]},
		{Kind: KindOK, Seq: 0},
		{Kind: KindError, Seq: 9, Data: []byte("NACK")},
	} {
		line := Encode(f)
		if !bytes.HasSuffix(line, []byte("\n")) || bytes.ContainsAny(line[:len(line)-1], "\r\n\x00") {
			t.Errorf("line %q not a clean line", line)
		}
		got, err := Decode(line)
		if err != nil || got.Kind != f.Kind || got.Seq != f.Seq || !bytes.Equal(got.Data, f.Data) {
			t.Errorf("%+v -> %q -> %+v, %v", f, line, got, err)
		}
		// A CR before the LF is ignored.
		crlf := append(append([]byte(nil), line[:len(line)-1]...), '\r', '\n')
		if _, err := Decode(crlf); err != nil {
			t.Errorf("CRLF line %q: %v", crlf, err)
		}
	}
	if got := string(Encode(Frame{Kind: KindQuery, Seq: 1, Data: []byte{'6'}})); got != "Q 01 36*55\n" {
		t.Errorf("golden query frame %q", got)
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Encode(Frame{Kind: KindQuery, Seq: 1, Data: []byte{'6'}})
	flip := append([]byte(nil), good...)
	flip[4] = '2'
	for _, bad := range []string{"", "Q", "Q 01 36", "Q 01 36*00", string(flip), "Z 01 36*" + "00",
		string(Encode(Frame{Kind: KindQuery, Seq: 1, Data: []byte("66")})),
		string(Encode(Frame{Kind: KindReply, Seq: 1, Data: []byte("short")})),
		string(Encode(Frame{Kind: KindOK, Seq: 1, Data: []byte("x")})),
		"Q 01 3G*" + "00", strings.Repeat("A", MaxLine+1)} {
		if _, err := Decode([]byte(bad)); !errors.Is(err, ErrBadFrame) {
			t.Errorf("Decode(%q) = %v, want bad frame", bad, err)
		}
	}
}

type echoHandler struct{ commands [][]byte }

func (h *echoHandler) Query(ctx context.Context, code byte) ([32]byte, error) {
	var r [32]byte
	if code == 'X' {
		return r, errors.New("no such thing")
	}
	r[0] = code
	return r, nil
}

func (h *echoHandler) Command(ctx context.Context, text []byte) error {
	h.commands = append(h.commands, append([]byte(nil), text...))
	return nil
}

type pipe struct {
	in  io.Reader
	out bytes.Buffer
}

func (p *pipe) Read(b []byte) (int, error)  { return p.in.Read(b) }
func (p *pipe) Write(b []byte) (int, error) { return p.out.Write(b) }

func TestServe(t *testing.T) {
	var in bytes.Buffer
	in.Write(Encode(Frame{Kind: KindQuery, Seq: 1, Data: []byte{'6'}}))
	in.WriteString("garbage line\n")
	in.WriteString(strings.Repeat("x", 3*MaxLine) + "\n")
	in.Write(Encode(Frame{Kind: KindCommand, Seq: 2, Data: []byte("GT")}))
	in.Write(Encode(Frame{Kind: KindQuery, Seq: 3, Data: []byte{'X'}}))
	h := &echoHandler{}
	p := &pipe{in: &in}
	if err := Serve(context.Background(), p, h); err != io.EOF {
		t.Fatalf("Serve ended with %v, want EOF", err)
	}
	var sp Splitter
	sp.Feed(p.out.Bytes())
	var kinds []byte
	for {
		line, ok := sp.Line()
		if !ok {
			break
		}
		f, err := Decode(line)
		if err != nil {
			t.Fatalf("answer %q: %v", line, err)
		}
		kinds = append(kinds, f.Kind, '0'+f.Seq)
		if f.Kind == KindReply && f.Data[0] != '6' {
			t.Errorf("reply %q", f.Data)
		}
	}
	if string(kinds) != "R1K2E3" || len(h.commands) != 1 || string(h.commands[0]) != "GT" {
		t.Errorf("answers %q, commands %q", kinds, h.commands)
	}
}

func TestSplitter(t *testing.T) {
	var sp Splitter
	sp.Feed([]byte("ab"))
	if _, ok := sp.Line(); ok {
		t.Fatal("line before its end")
	}
	sp.Feed([]byte("c\nde"))
	if l, ok := sp.Line(); !ok || string(l) != "abc" {
		t.Fatalf("line %q %v", l, ok)
	}
	sp.Feed(bytes.Repeat([]byte("y"), MaxLine+10))
	sp.Feed([]byte("tail\nok\n"))
	if l, ok := sp.Line(); !ok || string(l) != "ok" {
		t.Fatalf("after an over-long line: %q %v", l, ok)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(Frame{Kind: KindQuery, Seq: 1, Data: []byte{'6'}}))
	f.Add(Encode(Frame{Kind: KindReply, Seq: 2, Data: make([]byte, 32)}))
	f.Add(Encode(Frame{Kind: KindOK, Seq: 3}))
	f.Add([]byte("Q 01 36*00\n"))
	f.Add([]byte("*"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Decode(Encode(fr))
		if err != nil || again.Kind != fr.Kind || again.Seq != fr.Seq || !bytes.Equal(again.Data, fr.Data) {
			t.Fatalf("%+v does not survive re-encoding: %v", fr, err)
		}
	})
}
