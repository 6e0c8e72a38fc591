package transfer

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
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

// Len is the number of distinct paths recorded.
func (l *Ledger) Len() int { return len(l.seen) }

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

// skipName reports files the original never uploads (.txt, .db, .directory)
// and hidden files, which are half-written temporaries of a copy in progress.
func skipName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".db":
		return true
	}
	return false
}

// NewPhotos lists the photos under ~/photos/DCIM that the ledger does not
// hold, sorted by path. Only DCIM is walked: the remote layout is
// <folder>/DCIM/<sub>/<file>, and the original sent anything else to odd places.
func NewPhotos(p paths.Paths, l *Ledger) ([]Photo, error) {
	photosRoot, err := filepath.Abs(p.Photos())
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
	}
	root := filepath.Join(photosRoot, "DCIM")
	var out []Photo
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && os.IsNotExist(err) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") { // .thumbs and friends
				return fs.SkipDir
			}
			return nil
		}
		if skipName(d.Name()) || l.Has(path) {
			return nil
		}
		info, err := os.Stat(path) // follows a symlinked photo
		if err != nil {
			if os.IsNotExist(err) {
				return nil // gone since the walk saw it
			}
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(photosRoot, path)
		if err != nil {
			return err
		}
		out = append(out, Photo{Path: path, Rel: filepath.ToSlash(rel), Size: info.Size(), MTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list photos: %w", err)
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
