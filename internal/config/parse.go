package config

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrorKind says which rule of configparser a file broke.
type ErrorKind int

const (
	// BadLine is a line that is not a [section] header, a key/value line, a
	// comment or a continuation (configparser's ParsingError), or a key line
	// with an empty key.
	BadLine ErrorKind = iota + 1
	// NoSection is a key line before the first [section] header
	// (MissingSectionHeaderError).
	NoSection
	// DuplicateSection is a second header for a section (DuplicateSectionError).
	DuplicateSection
	// DuplicateKey is a key set twice in one section (DuplicateOptionError).
	DuplicateKey
	// BadEncoding is a file that is not UTF-8 (Python's UnicodeDecodeError).
	BadEncoding
)

func (k ErrorKind) String() string {
	switch k {
	case BadLine:
		return "not a [section], key = value or comment line"
	case NoSection:
		return "key before the first [section] header"
	case DuplicateSection:
		return "duplicate section"
	case DuplicateKey:
		return "duplicate key"
	case BadEncoding:
		return "not valid UTF-8"
	}
	return "unknown error"
}

// ParseError is a file that configparser would refuse, with where and why.
type ParseError struct {
	Path string // file name as given to Parse
	Line int    // 1-based line number
	Kind ErrorKind
	Text string // the offending line, or the duplicated name
}

func (e *ParseError) Error() string {
	switch e.Kind {
	case DuplicateSection:
		return fmt.Sprintf("%s:%d: %s [%s]", e.Path, e.Line, e.Kind, e.Text)
	case DuplicateKey:
		return fmt.Sprintf("%s:%d: %s %s", e.Path, e.Line, e.Kind, e.Text)
	case BadEncoding:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Kind)
	}
	return fmt.Sprintf("%s:%d: %s: %q", e.Path, e.Line, e.Kind, e.Text)
}

// Parse reads an INI file's bytes the way Python's configparser (default
// options) reads the file: name is used in errors only. A file configparser
// would refuse gives a *ParseError (several, joined, for several bad lines).
//
// One deliberate difference: a leading UTF-8 byte-order mark, which Python
// would choke on, is ignored.
func Parse(data []byte, name string) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, &ParseError{Path: name, Line: badUTF8Line(data), Kind: BadEncoding}
	}
	p := parser{f: &File{exists: true}, name: name}
	for i, line := range splitLines(string(data)) {
		if err := p.line(i+1, line); err != nil {
			return nil, err
		}
	}
	p.finish()
	switch len(p.bad) {
	case 0:
		return p.f, nil
	case 1:
		return nil, p.bad[0]
	}
	errs := make([]error, len(p.bad))
	for i, e := range p.bad {
		errs[i] = e
	}
	return nil, errors.Join(errs...)
}

// splitLines splits as Python's text files do (universal newlines): at
// "\n", "\r\n" and a lone "\r".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func badUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' || (r == '\r' && (len(data) == 1 || data[1] != '\n')) {
			line++
		}
		data = data[n:]
	}
	return line
}

// parser follows configparser's RawConfigParser._read line for line, so
// continuation lines, blank lines and errors come out the same.
type parser struct {
	f    *File
	name string

	cur      *section // nil before the first header
	curName  string
	key      *entry   // the key that continuation lines extend; nil when none
	lines    []string // value lines of key, joined at the end
	indent   int      // indent of the last header or key line
	seenSec  map[string]bool
	seenKey  map[[2]string]bool
	comments []string // comment lines waiting for the next header or key
	bad      []*ParseError
}

func (p *parser) line(n int, line string) error {
	stripped := pyStrip(line)
	if strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";") {
		p.comments = append(p.comments, stripped)
		return nil
	}
	if stripped == "" {
		if p.key != nil {
			p.lines = append(p.lines, "") // blank lines belong to a value
		}
		return nil
	}
	ind := pyIndent(line)
	if p.cur != nil && p.key != nil && ind > p.indent {
		p.lines = append(p.lines, stripped)
		return nil
	}
	p.indent = ind
	if name, ok := sectionHeader(stripped); ok {
		return p.header(n, name)
	}
	if p.cur == nil {
		return &ParseError{Path: p.name, Line: n, Kind: NoSection, Text: line}
	}
	d := strings.IndexAny(stripped, "=:")
	if d < 0 {
		// configparser notes the line and goes on; the key being read (if
		// any) still takes continuation lines.
		p.bad = append(p.bad, &ParseError{Path: p.name, Line: n, Kind: BadLine, Text: line})
		return nil
	}
	key := pyLower(pyRstrip(stripped[:d]))
	if key == "" {
		p.bad = append(p.bad, &ParseError{Path: p.name, Line: n, Kind: BadLine, Text: line})
	}
	if p.seenKey[[2]string{p.curName, key}] {
		return &ParseError{Path: p.name, Line: n, Kind: DuplicateKey, Text: key}
	}
	p.seenKey[[2]string{p.curName, key}] = true
	p.flush()
	e := p.cur.set(key, "")
	e.comments = append(e.comments, p.comments...)
	p.comments = nil
	// An empty key is an error already; like configparser, it takes no
	// continuation lines.
	if key != "" {
		p.key = e
		p.lines = []string{pyStrip(stripped[d+1:])}
	}
	return nil
}

// sectionHeader matches configparser's SECTCRE, `\[(?P<header>.+)\]`, which
// needs a "[" first and takes everything up to the last "]" (at least one
// character), ignoring whatever follows it.
func sectionHeader(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	j := strings.LastIndexByte(s, ']')
	if j < 2 {
		return "", false
	}
	return s[1:j], true
}

func (p *parser) header(n int, name string) error {
	if p.seenSec == nil {
		p.seenSec = map[string]bool{}
		p.seenKey = map[[2]string]bool{}
	}
	p.flush()
	p.key = nil
	if name == SectionDefault {
		if p.f.defaults == nil {
			p.f.defaults = &section{name: name}
		}
		p.cur = p.f.defaults
	} else {
		if p.seenSec[name] {
			return &ParseError{Path: p.name, Line: n, Kind: DuplicateSection, Text: name}
		}
		p.seenSec[name] = true
		p.cur = &section{name: name}
		p.f.sections = append(p.f.sections, p.cur)
	}
	p.curName = name
	p.cur.comments = append(p.cur.comments, p.comments...)
	p.comments = nil
	return nil
}

// flush stores the value being read: its lines joined by "\n", trailing
// white space (and so trailing blank lines) removed.
func (p *parser) flush() {
	if p.key != nil {
		p.key.raw = pyRstrip(strings.Join(p.lines, "\n"))
	}
	p.key, p.lines = nil, nil
}

func (p *parser) finish() {
	p.flush()
	p.f.trailer = p.comments
}
