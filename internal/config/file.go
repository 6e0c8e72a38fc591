package config

import (
	"errors"
	"fmt"
	"strings"
)

// SectionDefault is configparser's special section: its keys show through in
// every other section that lacks them.
const SectionDefault = "DEFAULT"

// File is one INI file in memory: its sections and keys in file order, each
// value kept as written on disk (with "%%" for "%"), and every comment line.
// A File is not safe for concurrent use.
type File struct {
	exists   bool
	defaults *section   // [DEFAULT], nil when the file has none
	sections []*section // the other sections, in file order
	trailer  []string   // comment lines after the last key
	err      error      // first bad name given to Set
}

type section struct {
	name     string
	comments []string // comment lines just above the header
	entries  []*entry
}

type entry struct {
	key      string // lower-cased, as configparser stores it
	raw      string // the value as on disk: "%%" for "%", "\n" between lines
	comments []string
}

func (s *section) find(key string) *entry {
	for _, e := range s.entries {
		if e.key == key {
			return e
		}
	}
	return nil
}

func (s *section) set(key, raw string) *entry {
	if e := s.find(key); e != nil {
		e.raw = raw
		return e
	}
	e := &entry{key: key, raw: raw}
	s.entries = append(s.entries, e)
	return e
}

// Exists reports whether the file was read from disk (false for the
// first-creation content Load returns when there is no file yet).
func (f *File) Exists() bool { return f.exists }

// Err is the first invalid section or key name given to Set or Delete, which
// Store.Update refuses to write.
func (f *File) Err() error { return f.err }

func (f *File) section(name string) *section {
	if name == SectionDefault {
		return f.defaults
	}
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	return nil
}

// HasSection reports whether the file has the section (names are
// case-sensitive, as in configparser).
func (f *File) HasSection(name string) bool { return f.section(name) != nil }

// lookup finds key in the section or, failing that, in [DEFAULT], as
// configparser's get does. The key is matched case-insensitively.
func (f *File) lookup(sec, key string) (s *section, e *entry) {
	s = f.section(sec)
	if s == nil {
		return nil, nil
	}
	key = pyLower(key)
	if e = s.find(key); e == nil && f.defaults != nil {
		e = f.defaults.find(key)
	}
	return s, e
}

// Raw returns the value exactly as stored on disk, "%%" and all.
func (f *File) Raw(section, key string) (string, bool) {
	_, e := f.lookup(section, key)
	if e == nil {
		return "", false
	}
	return e.raw, true
}

// Get returns the value as configparser's get returns it: "%%" read as "%"
// and "%(name)s" replaced by the value of name. Where configparser would
// raise an interpolation error (a stray "%", an unknown or too deeply nested
// reference) Get keeps those characters as written instead of failing;
// Lookup reports such errors.
func (f *File) Get(section, key string) (string, bool) {
	s, e := f.lookup(section, key)
	if e == nil {
		return "", false
	}
	v, _ := f.interpolate(s, e.key, e.raw, false)
	return v, true
}

// Lookup is Get with configparser's strictness: a value configparser's get
// would refuse gives an error naming the section, key and problem.
func (f *File) Lookup(section, key string) (value string, ok bool, err error) {
	s, e := f.lookup(section, key)
	if e == nil {
		return "", false, nil
	}
	v, err := f.interpolate(s, e.key, e.raw, true)
	if err != nil {
		return v, true, fmt.Errorf("config [%s] %s: %w", section, e.key, err)
	}
	return v, true, nil
}

// String returns the value of key, or def when it is missing.
func (f *File) String(section, key, def string) string {
	if v, ok := f.Get(section, key); ok {
		return v
	}
	return def
}

// Bool returns the value of key read as configparser's getboolean reads it
// (1/yes/true/on, 0/no/false/off, any case), or def when it is missing.
func (f *File) Bool(section, key string, def bool) (bool, error) {
	v, ok := f.Get(section, key)
	if !ok {
		return def, nil
	}
	b, err := ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("config [%s] %s: %w", section, pyLower(key), err)
	}
	return b, nil
}

// Int returns the value of key read as Python's int() reads it, or def when
// it is missing.
func (f *File) Int(section, key string, def int) (int, error) {
	v, ok := f.Get(section, key)
	if !ok {
		return def, nil
	}
	n, err := ParseInt(v)
	if err != nil {
		return def, fmt.Errorf("config [%s] %s: %w", section, pyLower(key), err)
	}
	return n, nil
}

// Set stores value under key (lower-cased) in section, creating the section
// at the end of the file if needed; an existing key keeps its place and its
// comments. The value is stored so that configparser reads back exactly
// NormalizeValue(value): "%" doubled, line breaks turned to spaces, outer
// white space trimmed. A name that cannot be written so configparser reads it
// back (see Err) is not stored.
func (f *File) Set(sec, key, value string) {
	k, err := checkNames(sec, key)
	if err != nil {
		if f.err == nil {
			f.err = err
		}
		return
	}
	s := f.section(sec)
	if s == nil {
		s = &section{name: sec}
		if sec == SectionDefault {
			f.defaults = s
		} else {
			f.sections = append(f.sections, s)
		}
	}
	s.set(k, Escape(NormalizeValue(value)))
}

// SetDefault sets key to value only when the section itself lacks the key,
// as the original's getIni does on first reading a key; it reports whether it
// changed the file.
func (f *File) SetDefault(section, key, value string) bool {
	if s := f.section(section); s != nil && s.find(pyLower(pyStrip(key))) != nil {
		return false
	}
	f.Set(section, key, value)
	return f.err == nil
}

// Delete removes key from section (not from [DEFAULT] when only there).
func (f *File) Delete(section, key string) {
	s := f.section(section)
	if s == nil {
		return
	}
	k := pyLower(pyStrip(key))
	for i, e := range s.entries {
		if e.key == k {
			// Comments above a deleted key stay, above the next one.
			if i+1 < len(s.entries) {
				n := s.entries[i+1]
				n.comments = append(append([]string(nil), e.comments...), n.comments...)
			} else {
				f.orphan(s, e.comments)
			}
			s.entries = append(s.entries[:i], s.entries[i+1:]...)
			return
		}
	}
}

// orphan keeps comments that lost their key at the end of a section: above
// the next section's header, or at the end of the file.
func (f *File) orphan(s *section, comments []string) {
	if len(comments) == 0 {
		return
	}
	order := f.ordered()
	for i, o := range order {
		if o == s && i+1 < len(order) {
			n := order[i+1]
			n.comments = append(append([]string(nil), comments...), n.comments...)
			return
		}
	}
	f.trailer = append(append([]string(nil), comments...), f.trailer...)
}

// Section is one section with its keys, for display.
type Section struct {
	Name string
	Keys []KV
}

// KV is one key and its value as Get returns it.
type KV struct{ Key, Value string }

// Sections lists every section but [DEFAULT], in file order, each with its
// keys as configparser's items() gives them: keys from [DEFAULT] first (with
// the section's own value where it has one), then the section's own keys in
// file order. Without a [DEFAULT] section that is simply the file's order.
func (f *File) Sections() []Section {
	out := make([]Section, 0, len(f.sections))
	for _, s := range f.sections {
		sec := Section{Name: s.name}
		seen := map[string]bool{}
		if f.defaults != nil {
			for _, d := range f.defaults.entries {
				e := d
				if own := s.find(d.key); own != nil {
					e = own
				}
				v, _ := f.interpolate(s, e.key, e.raw, false)
				sec.Keys = append(sec.Keys, KV{Key: e.key, Value: v})
				seen[e.key] = true
			}
		}
		for _, e := range s.entries {
			if seen[e.key] {
				continue
			}
			v, _ := f.interpolate(s, e.key, e.raw, false)
			sec.Keys = append(sec.Keys, KV{Key: e.key, Value: v})
		}
		out = append(out, sec)
	}
	return out
}

// ordered is the sections in the order they are written: [DEFAULT] first,
// as configparser writes it.
func (f *File) ordered() []*section {
	out := make([]*section, 0, len(f.sections)+1)
	if f.defaults != nil {
		out = append(out, f.defaults)
	}
	return append(out, f.sections...)
}

// Bytes renders the file in configparser's layout: "[name]", one
// "key = value" line per key (later lines of a value indented by a tab), and
// a blank line after each section, with [DEFAULT] first and only when it has
// keys. Comment lines are kept where they were: above the header or key they
// preceded. A file without comments comes out byte for byte as configparser's
// write() would write it.
func (f *File) Bytes() ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	var b strings.Builder
	for _, s := range f.ordered() {
		writeComments(&b, s.comments)
		if s == f.defaults && len(s.entries) == 0 {
			continue
		}
		b.WriteString("[" + s.name + "]\n")
		for _, e := range s.entries {
			writeComments(&b, e.comments)
			b.WriteString(e.key + " = " + strings.ReplaceAll(e.raw, "\n", "\n\t") + "\n")
		}
		b.WriteString("\n")
	}
	writeComments(&b, f.trailer)
	return []byte(b.String()), nil
}

func writeComments(b *strings.Builder, lines []string) {
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
}

// checkNames vets a section and key for Set and returns the key as stored.
// configparser would write some names it cannot read back (a key holding
// "=", a section name holding a line break); those are refused here.
func checkNames(section, key string) (string, error) {
	if section == "" || strings.ContainsAny(section, "\r\n") || !validUTF8(section) {
		return "", fmt.Errorf("config: invalid section name %q", section)
	}
	if !validUTF8(key) {
		return "", fmt.Errorf("config: invalid key name %q in [%s]", key, section)
	}
	k := pyLower(pyStrip(key))
	switch {
	case k == "", strings.ContainsAny(k, "=:\r\n"),
		strings.HasPrefix(k, "#"), strings.HasPrefix(k, ";"), strings.HasPrefix(k, "["):
		return "", fmt.Errorf("config: invalid key name %q in [%s]", key, section)
	}
	return k, nil
}

// NormalizeValue is the value configparser reads back when value is written
// to an INI file: configparser cannot hold line breaks in a one-line value
// (they become spaces here), trims white space at both ends, and Python
// rejects a file that is not UTF-8 (bad bytes become U+FFFD). Every value
// already in that form round-trips unchanged.
func NormalizeValue(value string) string {
	if !validUTF8(value) {
		value = strings.ToValidUTF8(value, "\uFFFD")
	}
	if strings.ContainsAny(value, "\r\n") {
		value = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(value)
	}
	return pyStrip(value)
}

// Escape doubles every "%", so configparser's interpolation reads value back.
func Escape(value string) string { return strings.ReplaceAll(value, "%", "%%") }

// maxDepth is configparser's MAX_INTERPOLATION_DEPTH.
const maxDepth = 10

var errDepth = errors.New("interpolation nested too deeply (more than 10 references)")

// interpolate expands raw as configparser's BasicInterpolation does. Strict
// gives configparser's errors; otherwise each offending "%" or reference is
// kept as written and interpolation goes on.
func (f *File) interpolate(s *section, key, raw string, strict bool) (string, error) {
	if !strings.Contains(raw, "%") {
		return raw, nil
	}
	var b strings.Builder
	err := f.expand(&b, s, raw, 1, strict)
	return b.String(), err
}

func (f *File) expand(b *strings.Builder, s *section, rest string, depth int, strict bool) error {
	for rest != "" {
		p := strings.IndexByte(rest, '%')
		if p < 0 {
			b.WriteString(rest)
			return nil
		}
		b.WriteString(rest[:p])
		rest = rest[p:]
		switch {
		case strings.HasPrefix(rest, "%%"):
			b.WriteByte('%')
			rest = rest[2:]
		case strings.HasPrefix(rest, "%("):
			// configparser's reference syntax: %(name)s, name without ")".
			end := strings.IndexByte(rest, ')')
			if end < 3 || !strings.HasPrefix(rest[end:], ")s") {
				if strict {
					return fmt.Errorf("bad interpolation variable reference %q", rest)
				}
				b.WriteByte('%')
				rest = rest[1:]
				continue
			}
			ref, name := rest[:end+2], pyLower(rest[2:end])
			rest = rest[end+2:]
			e := s.find(name)
			if e == nil && f.defaults != nil {
				e = f.defaults.find(name)
			}
			switch {
			case e == nil:
				if strict {
					return fmt.Errorf("bad interpolation: no key %q for %s", name, ref)
				}
				b.WriteString(ref)
			case !strings.Contains(e.raw, "%"):
				b.WriteString(e.raw)
			case depth+1 > maxDepth:
				if strict {
					return errDepth
				}
				b.WriteString(ref)
			default:
				var sub strings.Builder
				if err := f.expand(&sub, s, e.raw, depth+1, strict); err != nil {
					return err
				}
				b.WriteString(sub.String())
			}
		default:
			if strict {
				return fmt.Errorf("'%%' must be followed by '%%' or '(', found: %q", rest)
			}
			b.WriteByte('%')
			rest = rest[1:]
		}
	}
	return nil
}
