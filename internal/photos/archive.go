package photos

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// Archive is piPhotoRename.txt: every photo ever copied from the camera, so a
// photo deleted from the Pi (after an upload, say) is never copied again.
//
// Each line is "<path below DCIM> <name on the Pi below DCIM>" ending in CRLF,
// e.g. "100CANON/IMG_1.JPG 100CANON/Site-20240101.JPG"; the second token is
// the same path when the photo was not renamed. Older releases wrote bare file
// names as the first token; those still count (by bare name), as they did.
//
// Names with white space: the original split on the first space, so a rename
// template with a space ("My Site %Y") wrote lines it could not read back
// whole. Here a line whose names contain a space or tab is written with a
// single TAB between them instead; a reader takes the first TAB when there is
// one, else the first space. Every line without white space in its names is
// byte-for-byte what the original wrote, and every old line reads as before.
//
// Every copy is recorded here, with deleteAfterCopy on or off (the original
// recorded only when it was off): the record is what allows the deletion.
type Archive struct {
	path  string
	keys  map[string]string // first token → second token
	bare  map[string]bool   // first tokens without a folder (legacy lines)
	order []string
}

// LoadArchive reads the archive; a missing file is an empty archive.
func LoadArchive(path string) (*Archive, error) {
	a := &Archive{path: path, keys: map[string]string{}, bare: map[string]bool{}}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return a, nil
		}
		return nil, fmt.Errorf("read rename archive: %w", err)
	}
	for _, line := range splitLines(data) {
		key, val, ok := parseArchiveLine(line)
		if !ok {
			continue
		}
		a.add(key, val)
	}
	return a, nil
}

// splitLines splits on LF, dropping a CR before it; a last line without its
// newline is kept (callers decide whether a torn line is usable).
func splitLines(data []byte) []string {
	var out []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		out = append(out, strings.TrimSuffix(string(line), "\r"))
	}
	return out
}

// parseArchiveLine needs a separator: it follows the first token, so a line
// torn by a power cut still names its photo whole if it has one, and a
// fragment without one is ignored (as the original ignored it).
func parseArchiveLine(line string) (key, val string, ok bool) {
	if i := strings.IndexByte(line, '\t'); i >= 0 {
		key, val = line[:i], line[i+1:]
	} else if i := strings.IndexByte(line, ' '); i >= 0 {
		key, val = line[:i], line[i+1:]
	} else {
		return "", "", false
	}
	if key == "" {
		return "", "", false
	}
	return key, val, true
}

func (a *Archive) add(key, val string) {
	if _, seen := a.keys[key]; !seen {
		a.order = append(a.order, key)
	}
	a.keys[key] = val
	if !strings.Contains(key, "/") {
		a.bare[key] = true
	}
}

// Has reports whether the photo at rel (below DCIM) was copied before, by its
// path or, for legacy lines, by its bare name.
func (a *Archive) Has(rel string) bool {
	if _, ok := a.keys[rel]; ok {
		return true
	}
	return a.bare[filepath.Base(rel)]
}

// NewName is the name on the Pi recorded for rel, if any.
func (a *Archive) NewName(rel string) (string, bool) {
	v, ok := a.keys[rel]
	return v, ok
}

// Record appends "rel newRel" and fsyncs before returning: only then may the
// camera's copy be deleted.
func (a *Archive) Record(rel, newRel string) error {
	sep := " "
	if strings.ContainsAny(rel, " \t") || strings.ContainsAny(newRel, " \t") {
		sep = "\t"
	}
	if err := appendLine(a.path, rel+sep+newRel+"\r\n"); err != nil {
		return fmt.Errorf("record %s in the rename archive: %w", rel, err)
	}
	a.add(rel, newRel)
	return nil
}

// appendLine appends line and fsyncs. If a power cut tore the previous last
// line, a line break goes first, so the new line never fuses with the fragment.
func appendLine(path, line string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil && err != io.EOF {
			return err
		}
		if last[0] != '\n' {
			line = "\r\n" + line
		}
	}
	if _, err := f.WriteString(line); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if st.Size() == 0 { // a new file: make its name durable too
		return fileutil.SyncDir(filepath.Dir(path))
	}
	return nil
}
