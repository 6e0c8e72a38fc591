package transfer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

// Ledger is uploadedOK.txt: one absolute photo path per line, the first line
// the default image. A path is appended (and fsynced) only once its upload has
// been confirmed, so whatever the file says was uploaded, was.
type Ledger struct {
	path string
	seen map[string]struct{}
}

// OpenLedger reads the ledger, creating it (default image first) if it is
// missing. A last line without its newline (a write torn by a power cut) is
// not trusted; it is terminated so the next append starts on a line of its own.
func OpenLedger(p paths.Paths) (*Ledger, error) {
	path := p.UploadedOK()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		def, aerr := filepath.Abs(p.DefaultImage())
		if aerr != nil {
			return nil, fmt.Errorf("ledger: %w", aerr)
		}
		data = []byte(def + "\n")
		if err := fileutil.WriteAtomic(path, data, 0o644); err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	l := &Ledger{path: path, seen: make(map[string]struct{})}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		if err := fileutil.AppendLine(path, "\n"); err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		data = data[:bytes.LastIndexByte(data, '\n')+1]
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" {
			l.seen[line] = struct{}{}
		}
	}
	return l, nil
}

// Has reports whether path is recorded as uploaded.
func (l *Ledger) Has(path string) bool {
	_, ok := l.seen[path]
	return ok
}

// Record appends path and fsyncs before returning: only then may the caller
// delete the photo.
func (l *Ledger) Record(path string) error {
	if l.Has(path) {
		return nil
	}
	if strings.ContainsAny(path, "\r\n") {
		return fmt.Errorf("ledger: refusing a path with a line break: %q", path)
	}
	if err := fileutil.AppendLine(l.path, path+"\n"); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	l.seen[path] = struct{}{}
	return nil
}

// Photo is one file waiting to be uploaded.
type Photo struct {
	Path  string    // absolute local path, as the ledger records it
	Rel   string    // slash path below ~/photos, starting "DCIM/"
	Size  int64     //
	MTime time.Time //
}

// NewPhotos lists the photos under ~/photos/DCIM (photos.List: the store's
// one rule of what is a photo) that the ledger does not hold, sorted by
// path. Only DCIM is walked: the remote layout is <folder>/DCIM/<sub>/<file>.
func NewPhotos(p paths.Paths, l *Ledger) ([]Photo, error) {
	all, err := photos.List(p)
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	var out []Photo
	for _, ph := range all {
		abs, err := filepath.Abs(ph.Path)
		if err != nil {
			return nil, fmt.Errorf("list photos: %w", err)
		}
		if l.Has(abs) {
			continue
		}
		out = append(out, Photo{Path: abs, Rel: "DCIM/" + ph.Rel, Size: ph.Size, MTime: ph.MTime})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// NormaliseRemoteFolder turns backslashes into slashes and collapses runs of
// slashes, as the Transfer page promises.
func NormaliseRemoteFolder(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, `\`, "/"))
	for strings.Contains(s, "//") {
		s = strings.ReplaceAll(s, "//", "/")
	}
	return s
}

// RemotePath is where a photo goes: <folder>/DCIM/<sub>/<file>. The folder is
// taken from the server's root, as the original's FTP and SFTP code did.
func RemotePath(folder, rel string) string {
	folder = strings.Trim(NormaliseRemoteFolder(folder), "/")
	if folder == "" {
		return "/" + rel
	}
	return "/" + folder + "/" + rel
}

func statRegular(path string) (os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return fi, nil
}
