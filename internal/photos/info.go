package photos

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging"
)

// The EXIF summary line, as the Thumbnails page shows it:
//
//	<key> = YYYY/MM/DD HH:MM:SS|<EXT> &bull; <exposure>s &bull; F<n> &bull; ISO<n>
//
// The original keyed lines by bare file name, so 100CANON/IMG_1.JPG and
// 101CANON/IMG_1.JPG shared (and fought over) one line. Lines written here
// are keyed by the path below DCIM ("100CANON/IMG_1.JPG = …"). A photo whose
// name is unique in the store and has the original's line gets no second
// line; same-named photos get their own, and a lookup then shows whichever
// of the two lines knows more, so known facts are never hidden by "?". A field the photo does not carry is
// "?" as in the original; a photo without DateTimeOriginal gets an empty
// timestamp, as it did.

// SummaryValue is the part of a photo's line after " = ".
func SummaryValue(rel string, m imaging.Meta) string {
	date, clock := "", ""
	if d, t, ok := strings.Cut(m.DateTimeOriginal, " "); ok {
		date, clock = strings.ReplaceAll(d, ":", "/"), t
	} else if m.DateTimeOriginal != "" {
		date = strings.ReplaceAll(m.DateTimeOriginal, ":", "/")
	}
	ext := strings.ToUpper(strings.TrimPrefix(path.Ext(rel), "."))
	if ext == "" {
		ext = "?"
	}
	iso := "?"
	if m.ISO != nil {
		iso = strconv.FormatUint(uint64(*m.ISO), 10)
	}
	return fmt.Sprintf("%s %s|%s &bull; %ss &bull; F%s &bull; ISO%s",
		date, clock, ext, formatExposure(m.Exposure), formatFNumber(m.FNumber), iso)
}

// formatExposure prints an exposure time as the original does: whole
// seconds bare ("6"), exact halves as a decimal ("0.5", "2.5"), anything
// else as the reduced fraction ("1/250", "3/10").
func formatExposure(r *imaging.Rational) string {
	if r == nil || r.Den == 0 {
		return "?"
	}
	v := float64(r.Num) / float64(r.Den)
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if f := v - math.Trunc(v); f == 0.5 {
		return PyFloatStr(v)
	}
	q := new(big.Rat).SetFrac64(int64(r.Num), int64(r.Den))
	return q.String()
}

// formatFNumber prints the f-number as a decimal without a trailing ".0"
// ("8", "2.8"). (The original removed every ".0" in the text; only the
// trailing one is meant.)
func formatFNumber(r *imaging.Rational) string {
	if r == nil || r.Den == 0 {
		return "?"
	}
	return strings.TrimSuffix(PyFloatStr(float64(r.Num)/float64(r.Den)), ".0")
}

// SplitSummary splits a value into its timestamp and its info text.
func SplitSummary(value string) (timestamp, info string) {
	timestamp, info, _ = strings.Cut(value, "|")
	return timestamp, info
}

// InfoFile is piThumbsInfo.txt in memory. Lines end in CRLF when written
// here; LF lines (the original's dedupe rewrote them so) read the same.
type InfoFile struct {
	path    string
	vals    map[string]string
	order   []string
	lines   int // parsed lines, duplicates included
	bad     int // lines that are not "key = value"
	changed bool
}

// LoadInfo reads the file; a missing one is empty.
func LoadInfo(fp string) (*InfoFile, error) {
	f := &InfoFile{path: fp, vals: map[string]string{}}
	data, err := os.ReadFile(fp)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", fp, err)
	}
	for _, line := range splitLines(data) {
		if line == "" {
			continue
		}
		// The key is a file name and may in principle hold " = "; the value
		// never does, so the last one separates them.
		i := strings.LastIndex(line, " = ")
		if i <= 0 {
			f.bad++
			continue
		}
		f.lines++
		f.set(line[:i], line[i+3:])
	}
	return f, nil
}

func (f *InfoFile) set(key, val string) {
	if _, ok := f.vals[key]; !ok {
		f.order = append(f.order, key)
	}
	f.vals[key] = val
}

// Lookup finds a photo's line by its path below DCIM or (a line from the
// original) by its bare file name. When both exist, the one that knows more
// fields wins, the path's on a tie: a line this port wrote from a photo whose
// EXIF it could not read never hides the original's line with the facts.
func (f *InfoFile) Lookup(rel string) (string, bool) {
	v, ok := f.vals[rel]
	if b, bok := f.vals[path.Base(rel)]; bok && (!ok || knownFields(b) > knownFields(v)) {
		return b, true
	}
	return v, ok
}

// knownFields counts what a line knows of the five it has: the timestamp,
// the extension, exposure, f-number and ISO ("?" when unknown).
func knownFields(value string) int {
	ts, info := SplitSummary(value)
	n := 0
	if strings.TrimSpace(ts) != "" {
		n++
	}
	for _, field := range strings.Split(info, "&bull;") {
		if field = strings.TrimSpace(field); field != "" && !strings.Contains(field, "?") {
			n++
		}
	}
	return n
}

// HasOwn reports whether rel has a line of its own: keyed by its path, or by
// its bare name when unique is true, i.e. no other photo in the store has
// that name, so the original's line can only describe this photo.
func (f *InfoFile) HasOwn(rel string, unique bool) bool {
	return f.Has(rel) || unique && f.Has(path.Base(rel))
}

// Has reports whether a line keyed by exactly this path exists.
func (f *InfoFile) Has(rel string) bool {
	_, ok := f.vals[rel]
	return ok
}

// Len is the number of distinct keys.
func (f *InfoFile) Len() int { return len(f.vals) }

// Append adds (or supersedes) a photo's line with one fsynced append.
func (f *InfoFile) Append(rel, value string) error {
	if strings.ContainsAny(rel, "\r\n") || strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("thumbs info for %q: line breaks are not allowed", rel)
	}
	if err := appendLine(f.path, rel+" = "+value+"\r\n"); err != nil {
		return fmt.Errorf("append to %s: %w", f.path, err)
	}
	f.lines++
	f.set(rel, value)
	return nil
}

// Remove drops the lines for these keys (exact keys; see RemoveDerivatives
// for legacy bare names); Compact writes the result.
func (f *InfoFile) Remove(keys ...string) {
	for _, k := range keys {
		if _, ok := f.vals[k]; ok {
			delete(f.vals, k)
			f.changed = true
		}
	}
}

// Compact rewrites the file atomically when it holds duplicates, bad lines
// or removals, one line per key in first-seen order with its latest value.
func (f *InfoFile) Compact() error {
	if !f.changed && f.bad == 0 && f.lines == len(f.vals) {
		return nil
	}
	var b strings.Builder
	order := f.order[:0:0]
	done := map[string]bool{}
	for _, k := range f.order {
		if v, ok := f.vals[k]; ok && !done[k] {
			done[k] = true
			b.WriteString(k + " = " + v + "\r\n")
			order = append(order, k)
		}
	}
	if err := fileutil.WriteAtomic(f.path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	f.order, f.lines, f.bad, f.changed = order, len(order), 0, false
	return nil
}
