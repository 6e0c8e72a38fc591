package config

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"unicode/utf8"
)

// The oracle for these tests is Python's configparser itself, run as a
// coprocess (testdata/pyini.py): every fixture is read by both, and every
// file one writes is read by the other.

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		os.Exit(runHelper(role))
	}
	code := m.Run()
	oracle.close()
	os.Exit(code)
}

type pyOracle struct {
	once sync.Once
	mu   sync.Mutex
	err  error
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
}

var oracle pyOracle

func (o *pyOracle) start() {
	script, err := filepath.Abs(filepath.Join("testdata", "pyini.py"))
	if err != nil {
		o.err = err
		return
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		o.err = fmt.Errorf("python3 is needed as the configparser oracle: %w", err)
		return
	}
	o.cmd = exec.Command(py, script)
	o.cmd.Stderr = os.Stderr
	o.cmd.Env = append(os.Environ(), "PYTHONUTF8=1")
	if o.in, err = o.cmd.StdinPipe(); err != nil {
		o.err = err
		return
	}
	stdout, err := o.cmd.StdoutPipe()
	if err != nil {
		o.err = err
		return
	}
	o.out = bufio.NewReaderSize(stdout, 1<<20)
	o.err = o.cmd.Start()
}

func (o *pyOracle) close() {
	if o.cmd != nil && o.cmd.Process != nil {
		o.in.Close()
		o.cmd.Wait()
	}
}

// call sends one request to Python and decodes its reply into reply.
func (o *pyOracle) call(t testing.TB, req, reply any) {
	t.Helper()
	o.once.Do(o.start)
	if o.err != nil {
		t.Fatal(o.err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.in.Write(append(b, '\n')); err != nil {
		t.Fatalf("python oracle: %v", err)
	}
	line, err := o.out.ReadBytes('\n')
	if err != nil {
		t.Fatalf("python oracle: %v", err)
	}
	if err := json.Unmarshal(line, reply); err != nil {
		t.Fatalf("python oracle reply %q: %v", line, err)
	}
}

type pyError struct {
	Type    string `json:"type"`
	Lines   []int  `json:"lines"`
	Message string `json:"message"`
}

type pyKey struct {
	Key         string  `json:"key"`
	Raw         string  `json:"raw"`
	Value       *string `json:"value"`
	InterpError *string `json:"interp_error"`
	Bool        *bool   `json:"bool"`
}

type pySection struct {
	Name  string      `json:"name"`
	Keys  []pyKey     `json:"keys"`
	Items [][2]string `json:"items"`
}

type pyDump struct {
	Error       *pyError    `json:"error"`
	Defaults    [][2]string `json:"defaults"`
	DefaultKeys []pyKey     `json:"default_keys"`
	Sections    []pySection `json:"sections"`
	Rewrite     []byte      `json:"rewrite"`
}

// pyRead is what Python's configparser makes of data.
func pyRead(t testing.TB, data []byte) pyDump {
	t.Helper()
	var d pyDump
	oracle.call(t, map[string]any{"op": "dump", "data": data}, &d)
	return d
}

type pyWritten struct {
	Error *pyError `json:"error"`
	Data  []byte   `json:"data"`
}

type kv = [2]string

type pySec struct {
	Name string
	Keys []kv
}

// pyWrite is the file Python's configparser writes after add_section and set
// for each key (values with "%" doubled when escape is set).
func pyWrite(t testing.TB, secs []pySec, escape bool) []byte {
	t.Helper()
	var list []any
	for _, s := range secs {
		list = append(list, []any{s.Name, s.Keys})
	}
	var w pyWritten
	oracle.call(t, map[string]any{"op": "write", "sections": list, "escape": escape}, &w)
	if w.Error != nil {
		t.Fatalf("python write: %s: %s", w.Error.Type, w.Error.Message)
	}
	return w.Data
}

// pyKinds maps configparser's exceptions to this package's error kinds.
var pyKinds = map[string]ErrorKind{
	"ParsingError":              BadLine,
	"MissingSectionHeaderError": NoSection,
	"DuplicateSectionError":     DuplicateSection,
	"DuplicateOptionError":      DuplicateKey,
	"UnicodeDecodeError":        BadEncoding,
}

// parseErrors flattens a Parse error into its *ParseErrors.
func parseErrors(err error) []*ParseError {
	var pe *ParseError
	if errors.As(err, &pe) && pe == err {
		return []*ParseError{pe}
	}
	var out []*ParseError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, parseErrors(e)...)
		}
	}
	return out
}

// stripComments drops every comment, leaving what configparser keeps.
func stripComments(f *File) {
	for _, s := range f.ordered() {
		s.comments = nil
		for _, e := range s.entries {
			e.comments = nil
		}
	}
	f.trailer = nil
}

// agreeWithPython checks that Parse reads data exactly as Python's
// configparser reads it: the same error (kind and lines), or the same
// sections, keys, raw and interpolated values, booleans, items(), and the
// same bytes written back (comments aside). It returns Go's File, or nil.
func agreeWithPython(t testing.TB, data []byte) *File {
	t.Helper()
	f, err := Parse(data, "fixture")
	pyData := data
	if len(data) >= 3 && string(data[:3]) == "\uFEFF" {
		pyData = data[3:] // Go ignores a byte-order mark, Python fails on it
	}
	py := pyRead(t, pyData)
	if !utf8.Valid(pyData) {
		// Python decodes as it reads, so a line it reads before the bad bytes
		// may fail first; either way both refuse the file.
		if py.Error == nil || err == nil || parseErrors(err)[0].Kind != BadEncoding {
			t.Fatalf("for %q (not UTF-8) Python says %+v, Go %v", data, py.Error, err)
		}
		return nil
	}
	if py.Error != nil {
		if err == nil {
			t.Fatalf("Python refuses %q (%s: %s), Go reads it", data, py.Error.Type, py.Error.Message)
		}
		want, known := pyKinds[py.Error.Type]
		if !known {
			t.Fatalf("Python error %s not mapped", py.Error.Type)
		}
		pes := parseErrors(err)
		if len(pes) == 0 || pes[0].Kind != want {
			t.Fatalf("for %q Python says %s %v, Go says %v", data, py.Error.Type, py.Error.Lines, err)
		}
		if want != BadEncoding {
			var lines []int
			for _, pe := range pes {
				lines = append(lines, pe.Line)
			}
			if !slices.Equal(lines, py.Error.Lines) {
				t.Fatalf("for %q Python flags lines %v (%s), Go %v (%v)", data, py.Error.Lines, py.Error.Message, lines, err)
			}
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Go refuses %q: %v; Python reads it", data, err)
	}

	var goDefaults [][2]string
	if f.defaults != nil {
		for _, e := range f.defaults.entries {
			goDefaults = append(goDefaults, kv{e.key, e.raw})
		}
	}
	if !slices.Equal(goDefaults, py.Defaults) {
		t.Fatalf("for %q [DEFAULT]: Go %q, Python %q", data, goDefaults, py.Defaults)
	}
	if len(f.sections) != len(py.Sections) {
		t.Fatalf("for %q Go has %d sections, Python %d", data, len(f.sections), len(py.Sections))
	}
	checkKeys := func(sec string, keys []pyKey) {
		for _, k := range keys {
			raw, ok := f.Raw(sec, k.Key)
			if !ok || raw != k.Raw {
				t.Fatalf("for %q [%s] %q raw: Go %q %v, Python %q", data, sec, k.Key, raw, ok, k.Raw)
			}
			v, _, lerr := f.Lookup(sec, k.Key)
			if k.InterpError != nil {
				if lerr == nil {
					t.Fatalf("for %q [%s] %q: Python %s, Go Lookup gives %q", data, sec, k.Key, *k.InterpError, v)
				}
				continue
			}
			if lerr != nil || v != *k.Value {
				t.Fatalf("for %q [%s] %q: Go %q (%v), Python %q", data, sec, k.Key, v, lerr, *k.Value)
			}
			if g, _ := f.Get(sec, k.Key); g != v {
				t.Fatalf("for %q [%s] %q: Get %q, Lookup %q", data, sec, k.Key, g, v)
			}
			b, berr := f.Bool(sec, k.Key, false)
			if (k.Bool == nil) != (berr != nil) || (k.Bool != nil && *k.Bool != b) {
				t.Fatalf("for %q [%s] %q as bool: Go %v (%v), Python %v", data, sec, k.Key, b, berr, k.Bool)
			}
		}
	}
	checkKeys(SectionDefault, py.DefaultKeys)
	goSecs := f.Sections()
	for i, ps := range py.Sections {
		s := f.sections[i]
		if s.name != ps.Name || len(s.entries) != len(ps.Keys) {
			t.Fatalf("for %q section %d: Go [%s] with %d keys, Python [%s] with %d", data, i, s.name, len(s.entries), ps.Name, len(ps.Keys))
		}
		for j, e := range s.entries {
			if e.key != ps.Keys[j].Key {
				t.Fatalf("for %q [%s] key %d: Go %q, Python %q", data, s.name, j, e.key, ps.Keys[j].Key)
			}
		}
		checkKeys(s.name, ps.Keys)
		if ps.Items != nil {
			var got [][2]string
			for _, k := range goSecs[i].Keys {
				got = append(got, kv{k.Key, k.Value})
			}
			if !slices.Equal(got, ps.Items) {
				t.Fatalf("for %q items of [%s]: Go %q, Python %q", data, s.name, got, ps.Items)
			}
		}
	}

	// Written back, Go's file (comments aside) is byte for byte Python's.
	out, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(out, "rewritten")
	if err != nil {
		t.Fatalf("Go cannot read its own output %q: %v", out, err)
	}
	stripComments(g)
	plain, _ := g.Bytes()
	if string(plain) != string(py.Rewrite) {
		t.Fatalf("for %q written back:\nGo     %q\nPython %q", data, plain, py.Rewrite)
	}
	// And Python reads Go's output, comments and all, as it read the input.
	if back := pyRead(t, out); back.Error != nil || string(back.Rewrite) != string(py.Rewrite) {
		t.Fatalf("for %q Python reads Go's output %q differently: %+v", data, out, back.Error)
	}
	return f
}
