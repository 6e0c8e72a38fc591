package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// defaultMode is the mode of a newly created INI: it holds passwords.
const defaultMode fs.FileMode = 0o640

// Store is the INI file at one path, shared by every process of the
// software. Loads need no lock (a file is only ever replaced whole, by
// rename); updates are serialised by a lock file beside it.
type Store struct {
	path string

	// Hostname names the location in a newly created file; nil means
	// os.Hostname.
	Hostname func() (string, error)
	// Now dates a newly created file; nil means time.Now.
	Now func() time.Time
}

// NewStore returns the store for the INI file at path.
func NewStore(path string) *Store { return &Store{path: path} }

// Path is the INI file's path.
func (s *Store) Path() string { return s.path }

func (s *Store) fresh() *File {
	host := ""
	hostname := s.Hostname
	if hostname == nil {
		hostname = os.Hostname
	}
	if h, err := hostname(); err == nil {
		host = h
	} else {
		slog.Warn("config: no hostname for the location name", "err", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return NewFile(host, now())
}

// Load reads the file. A missing file gives the first-creation content (not
// written; Exists is false) and no error. A file that cannot be read, or that
// configparser would refuse, gives an error naming the path (and line).
func (s *Store) Load() (*File, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return s.fresh(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, s.path)
}

// Settings loads the file and reads its typed settings: the one way every
// caller reads them. err is set only when the file cannot be read or parsed,
// and set is then Defaults(). warning lists the malformed values whose
// default was used instead (File.Settings); the settings are usable, and a
// caller says so in its log. A missing file gives the first-creation
// content's settings.
func (s *Store) Settings() (set Settings, warning, err error) {
	f, err := s.Load()
	if err != nil {
		return Defaults(), nil, err
	}
	set, warning = f.Settings()
	return set, warning, nil
}

// Update changes the file under an exclusive lock (path + ".lock"), so
// concurrent updates from any number of processes all land: it re-reads the
// file (starting from the first-creation content when there is none), calls
// fn, and, if fn returned nil and the content changed (or the file is new),
// replaces the file crash-safely, keeping its mode (0640 when new) and, when
// run as root, its owner. fn's error is returned as is, and nothing is written.
func (s *Store) Update(fn func(f *File) error) error {
	lock, err := fileutil.LockExclusive(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer lock.Unlock()

	target := s.path
	if t, err := filepath.EvalSymlinks(s.path); err == nil {
		target = t // replace the file a symlink points to, not the link
	}
	removeStaleTemps(target)

	data, err := os.ReadFile(target)
	exists := err == nil
	var f *File
	var before []byte
	switch {
	case exists:
		if f, err = Parse(data, s.path); err != nil {
			return err
		}
		if before, err = f.Bytes(); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
		f = s.fresh()
	default:
		return fmt.Errorf("config: %w", err)
	}

	if err := fn(f); err != nil {
		return err
	}
	after, err := f.Bytes()
	if err != nil {
		return err
	}
	if exists && bytes.Equal(before, after) {
		return nil
	}

	mode, owner := defaultMode, ownerOf(filepath.Dir(target))
	if fi, err := os.Stat(target); err == nil {
		mode, owner = fi.Mode().Perm(), ownerOf(target)
	}
	if err := fileutil.WriteAtomic(target, after, mode); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := keepOwner(target, owner); err != nil {
		return err
	}
	keepOwner(s.path+".lock", owner) // so the owner can lock it after root did
	return nil
}

type uidGid struct {
	ok       bool
	uid, gid int
}

func ownerOf(path string) uidGid {
	fi, err := os.Stat(path)
	if err != nil {
		return uidGid{}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return uidGid{}
	}
	return uidGid{ok: true, uid: int(st.Uid), gid: int(st.Gid)}
}

// keepOwner gives a file written by root back to the user who owned it (or
// its folder), so the web app running as that user can still read it.
func keepOwner(path string, o uidGid) error {
	if !o.ok || os.Geteuid() != 0 {
		return nil
	}
	if now := ownerOf(path); now.ok && now.uid == o.uid && now.gid == o.gid {
		return nil
	}
	if err := os.Chown(path, o.uid, o.gid); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// removeStaleTemps deletes temp files that a writer killed mid-write left
// behind. Only lock holders write the file, so under the lock any temp file
// is stale.
func removeStaleTemps(target string) {
	dir, base := filepath.Split(target)
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".tmp*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() {
			os.Remove(m)
		}
	}
}

func globEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}
