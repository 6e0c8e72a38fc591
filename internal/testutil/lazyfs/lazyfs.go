// Package lazyfs is a FUSE file system for power-cut tests, after the model
// of Jepsen's LazyFS: it passes every operation through to a backing folder
// (the "disk") at once, except a file's data, which it keeps in memory until
// that file is fsynced. Creates, renames, unlinks, mkdirs, chmods and mtimes
// are durable when they return; written bytes and truncations are durable
// only after an fsync of their file.
//
// A cut (the power going) drops every unsynced byte: unmount the file
// system, and the backing folder holds exactly what a disk would hold after
// the power went at that instant. A file created and written but never
// synced is then present and empty; a synced file keeps its last-synced
// contents. Two harsher modes: Tear leaves the last line written torn in
// half, and Names also takes back every change of names whose folder was
// not fsynced after it (POSIX's rule, stricter than LazyFS).
//
// Every fsync (of a file or a folder) and every rename is a cut point,
// numbered from 1 in the order the file system sees them and logged with its
// path, so a test can first run a job to list its points, then run it once per
// point with the cut made there: at that point the operation fails with EIO,
// and from then on every change fails with EIO too (the machine is dead),
// until the test unmounts.
//
// It needs root (it mounts with mount(2), no fusermount) and /dev/fuse, and
// is for tests only. Mount it in a private mount namespace.
package lazyfs

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// Point is one cut point: an fsync, a folder fsync, or a rename.
type Point struct {
	N    int    // 1-based, in the order the file system saw them
	Op   string // "fsync", "fsyncdir" or "rename"
	Path string // relative to the mount; for a rename, the old name
	To   string // for a rename, the new name
}

func (p Point) String() string {
	if p.Op == "rename" {
		return fmt.Sprintf("#%d rename %s -> %s", p.N, p.Path, p.To)
	}
	return fmt.Sprintf("#%d %s %s", p.N, p.Op, p.Path)
}

// Mode is what a cut does to the data not yet synced.
type Mode int

const (
	// Drop loses all of it: each file keeps its last-synced content.
	Drop Mode = iota
	// Tear writes part of it, as if its pages reached the disk in order until
	// the power went in the middle of the last line written: each file not
	// synced since its last change keeps its unchanged beginning, the whole
	// lines changed after it but the last, and the first half of the last
	// (a change without line breaks is cut in half). An append leaves its
	// last line torn; a rewrite in place, a torn file.
	Tear
	// Names drops the unsynced data as Drop does, and also undoes every
	// change of names (create, mkdir, rename, unlink, rmdir) not followed by
	// an fsync of its folder (of both folders, for a rename between two):
	// POSIX makes a name durable only so (ext4 often keeps more). A folder
	// whose own creation is undone takes what is in it along. It finds a
	// rename, a create or an unlink whose folder was not synced before
	// something else relied on it.
	Names
)

// Mount is one mounted instance. Its in-memory data dies with it.
type Mount struct {
	Dir     string // where it is mounted
	Backing string // the "disk"

	server *fuse.Server
	mode   Mode
	mu     sync.Mutex // serialises every change, the log and the freeze
	dirty  map[*node]bool
	undo   []*undo // Names: how to take back the name changes not yet synced
	stash  string  // Names: where unlinked or replaced files wait, on the backing's file system
	nstash int
	cutAt  int
	frozen bool
	cut    chan struct{}
	points []Point
	gone   bool // unmounted
}

// New mounts a lazy file system at dir over backing. With cutAt > 0 the
// cutAt-th point fails, and everything after it; 0 never cuts. mode is what
// the cut (or the unmount) does to unsynced data.
func New(dir, backing string, cutAt int, mode Mode) (*Mount, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(backing, &st); err != nil {
		return nil, fmt.Errorf("lazyfs: %w", err)
	}
	m := &Mount{Dir: dir, Backing: backing, mode: mode, cutAt: cutAt, cut: make(chan struct{}), dirty: map[*node]bool{}}
	if mode == Names {
		// Beside the backing folder, so hard links reach it.
		stash, err := os.MkdirTemp(filepath.Dir(backing), ".lazyfs-stash-")
		if err != nil {
			return nil, fmt.Errorf("lazyfs: %w", err)
		}
		m.stash = stash
	}
	root := &fs.LoopbackRoot{Path: backing, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{LoopbackNode: fs.LoopbackNode{RootData: r}, m: m}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)
	zero := time.Duration(0)
	srv, err := fs.Mount(dir, root.RootNode, &fs.Options{
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			AllowOther:        true,
			FsName:            "lazyfs",
			Name:              "lazyfs",
			DirectMountStrict: true,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("lazyfs: mount %s: %w", dir, err)
	}
	m.server = srv
	return m, nil
}

// Points is the log of cut points so far.
func (m *Mount) Points() []Point {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Point(nil), m.points...)
}

// Cut is closed when the cut has happened.
func (m *Mount) Cut() <-chan struct{} { return m.cut }

// IsCut reports whether the cut has happened.
func (m *Mount) IsCut() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.frozen
}

// PowerOff freezes the file system now, as a cut would (for a cut after a
// job's last point).
func (m *Mount) PowerOff() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.freeze()
}

func (m *Mount) freeze() {
	if !m.frozen {
		m.frozen = true
		close(m.cut)
	}
}

// Unmount cuts the power (if the cut has not happened yet), leaves on the
// disk what the mode says of the unsynced data, and unmounts. Files still
// open in the mount make a plain unmount fail; the mount is then detached
// (its frozen server keeps answering EIO to them).
func (m *Mount) Unmount() error {
	m.mu.Lock()
	if m.gone {
		m.mu.Unlock()
		return nil // a later mount may sit at Dir now: leave it be
	}
	m.gone = true
	m.freeze()
	var err error
	switch m.mode {
	case Tear:
		err = m.tear()
	case Names:
		err = m.undoNames()
	}
	m.dirty = map[*node]bool{}
	m.mu.Unlock()
	if err != nil {
		return err
	}
	if err := m.server.Unmount(); err != nil {
		if derr := syscall.Unmount(m.Dir, syscall.MNT_DETACH); derr != nil {
			return fmt.Errorf("lazyfs: unmount %s: %v; detach: %w", m.Dir, err, derr)
		}
	}
	return nil
}

// tear writes half of each dirty file's changes to the disk. Caller holds m.mu.
func (m *Mount) tear() error {
	for n := range m.dirty {
		if !n.dirty {
			continue
		}
		p := n.backingPath()
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil || st.Ino != n.StableAttr().Ino {
			continue // unlinked: nothing of it is left to tear
		}
		old, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("lazyfs: tear %s: %w", p, err)
		}
		// The file becomes data[:keep]: its unchanged start, then half the rest.
		same := 0
		for same < len(old) && same < len(n.data) && old[same] == n.data[same] {
			same++
		}
		// Lines before the last one written reached the disk; the last
		// line (or, without line breaks, the whole change) is cut in half.
		from := same
		if i := bytes.LastIndexByte(n.data[same:max(same, len(n.data)-1)], '\n'); i >= 0 {
			from = same + i + 1
		}
		keep := from + (len(n.data)-from)/2
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("lazyfs: tear %s: %w", p, err)
		}
		_, err = f.WriteAt(n.data[same:keep], int64(same))
		if err == nil {
			err = f.Truncate(int64(keep))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("lazyfs: tear %s: %w", p, err)
		}
	}
	return nil
}

// point logs a cut point and answers EIO if it is the cut (or after it).
// The caller holds m.mu.
func (m *Mount) point(op, path, to string) syscall.Errno {
	if m.frozen {
		return syscall.EIO
	}
	p := Point{N: len(m.points) + 1, Op: op, Path: path, To: to}
	m.points = append(m.points, p)
	if p.N == m.cutAt {
		m.freeze()
		return syscall.EIO
	}
	if op == "fsyncdir" {
		// The folder's name changes so far are durable.
		dir := filepath.Join(m.Backing, path)
		kept := m.undo[:0]
		for _, u := range m.undo {
			delete(u.dirs, dir)
			if len(u.dirs) > 0 {
				kept = append(kept, u)
			}
		}
		m.undo = kept
	}
	return 0
}

// undo takes back one change of names on the backing folder.
type undo struct {
	op       string // "create", "mkdir", "unlink", "rmdir", "rename"
	path, to string // backing paths; to: a rename's new name
	stash    string // the file an unlink or a rename replaced, kept aside
	dirs     map[string]bool
}

// keep records how to take back a name change (Names mode). stashOf, if
// not empty, is a file about to be unlinked or replaced: it is kept aside by
// a hard link. Caller holds m.mu.
func (m *Mount) keep(u undo, stashOf string) syscall.Errno {
	if m.mode != Names {
		return 0
	}
	u.dirs = map[string]bool{filepath.Dir(u.path): true}
	if u.to != "" {
		u.dirs[filepath.Dir(u.to)] = true
	}
	if stashOf != "" {
		var st syscall.Stat_t
		if err := syscall.Lstat(stashOf, &st); err == nil && st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
			m.nstash++
			u.stash = filepath.Join(m.stash, fmt.Sprint(m.nstash))
			if err := os.Link(stashOf, u.stash); err != nil {
				return fs.ToErrno(err)
			}
		}
	}
	m.undo = append(m.undo, &u)
	return 0
}

// undoNames takes back the name changes not made durable, newest first.
// Caller holds m.mu.
func (m *Mount) undoNames() error {
	var errs []error
	for i := len(m.undo) - 1; i >= 0; i-- {
		u := m.undo[i]
		var err error
		switch u.op {
		case "create":
			err = os.Remove(u.path)
		case "mkdir":
			err = os.RemoveAll(u.path) // what was made in it goes too
		case "rmdir":
			err = os.Mkdir(u.path, 0o755)
		case "unlink":
			if u.stash != "" {
				err = os.Rename(u.stash, u.path)
			}
		case "rename":
			err = os.Rename(u.to, u.path)
			if err == nil && u.stash != "" {
				err = os.Rename(u.stash, u.to)
			}
		}
		if err != nil && !errors.Is(err, iofs.ErrNotExist) { // gone with its folder
			errs = append(errs, fmt.Errorf("undo %s %s: %w", u.op, u.path, err))
		}
	}
	m.undo = nil
	if len(errs) > 0 {
		return fmt.Errorf("lazyfs: %w", errors.Join(errs...))
	}
	return nil
}

// node is a loopback node whose file data may be held in memory.
type node struct {
	fs.LoopbackNode
	m *Mount

	// Guarded by m.mu. dirty: data is the file's content, newer than the disk's.
	dirty bool
	data  []byte
}

func (n *node) rel() string { return n.Path(n.Root()) }

func (n *node) backingPath() string { return filepath.Join(n.m.Backing, n.rel()) }

// load makes the in-memory copy from the disk's. Caller holds m.mu.
func (n *node) load(f fs.FileHandle) syscall.Errno {
	if n.dirty {
		return 0
	}
	fd, closeFd, errno := n.fd(f, syscall.O_RDONLY)
	if errno != 0 {
		return errno
	}
	defer closeFd()
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fs.ToErrno(err)
	}
	buf := make([]byte, st.Size)
	for off := 0; off < len(buf); {
		k, err := syscall.Pread(fd, buf[off:], int64(off))
		if err != nil {
			return fs.ToErrno(err)
		}
		if k == 0 {
			buf = buf[:off]
			break
		}
		off += k
	}
	n.setDirty(buf)
	return 0
}

// setDirty makes data the file's in-memory content. Caller holds m.mu.
func (n *node) setDirty(data []byte) {
	n.data, n.dirty = data, true
	n.m.dirty[n] = true
}

func (n *node) patch(a *fuse.Attr) {
	if n.dirty {
		a.Size = uint64(len(n.data))
		a.Blocks = (a.Size + 511) / 512
	}
}

func nodeOf(in *fs.Inode) *node {
	if in == nil {
		return nil
	}
	nn, _ := in.Operations().(*node)
	return nn
}

func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	ch, errno := n.LoopbackNode.Lookup(ctx, name, out)
	if errno == 0 {
		if c := nodeOf(ch); c != nil {
			n.m.mu.Lock()
			c.patch(&out.Attr)
			n.m.mu.Unlock()
		}
	}
	return ch, errno
}

func unwrap(f fs.FileHandle) fs.FileHandle {
	if lf, ok := f.(*file); ok {
		return lf.lf
	}
	return f
}

func (n *node) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	errno := n.LoopbackNode.Getattr(ctx, unwrap(f), out)
	if errno == 0 {
		n.m.mu.Lock()
		n.patch(&out.Attr)
		n.m.mu.Unlock()
	}
	return errno
}

func (n *node) Setattr(ctx context.Context, f fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if n.m.frozen {
		return syscall.EIO
	}
	if sz, ok := in.GetSize(); ok {
		// A truncation is a data change: in memory until the fsync.
		if errno := n.load(f); errno != 0 {
			return errno
		}
		if int(sz) <= len(n.data) {
			n.data = n.data[:sz]
		} else {
			n.data = append(n.data, make([]byte, int(sz)-len(n.data))...)
		}
		in.Valid &^= fuse.FATTR_SIZE
	}
	errno := n.LoopbackNode.Setattr(ctx, unwrap(f), in, out)
	if errno == 0 {
		n.patch(&out.Attr)
	}
	return errno
}

// fd is a descriptor of the file on disk opened with mode (O_RDONLY or
// O_WRONLY): opened now by its path, or, when the file has no path any more
// (unlinked while open), the handle's own.
func (n *node) fd(f fs.FileHandle, mode int) (int, func(), syscall.Errno) {
	fd, err := syscall.Open(n.backingPath(), mode|syscall.O_CLOEXEC, 0)
	if err == nil {
		return fd, func() { syscall.Close(fd) }, 0
	}
	if lf, ok := f.(*file); ok {
		if fd, ok := lf.lf.PassthroughFd(); ok {
			return fd, func() {}, 0
		}
	}
	return -1, nil, fs.ToErrno(err)
}

func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	trunc := flags&syscall.O_TRUNC != 0
	if trunc && n.m.frozen {
		return nil, 0, syscall.EIO
	}
	fh, ff, errno := n.LoopbackNode.Open(ctx, flags&^syscall.O_TRUNC)
	if errno != 0 {
		return nil, 0, errno
	}
	lf, ok := fh.(*fs.LoopbackFile)
	if !ok {
		return fh, ff, 0
	}
	if trunc {
		n.setDirty(nil)
	}
	return &file{n: n, lf: lf, app: flags&syscall.O_APPEND != 0}, ff, 0
}

func (n *node) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if n.m.frozen {
		return nil, nil, 0, syscall.EIO
	}
	var st syscall.Stat_t
	bp := filepath.Join(n.backingPath(), name)
	existed := syscall.Lstat(bp, &st) == nil
	ch, fh, ff, errno := n.LoopbackNode.Create(ctx, name, flags&^syscall.O_TRUNC, mode, out)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	if !existed {
		n.m.keep(undo{op: "create", path: bp}, "")
	}
	c := nodeOf(ch)
	lf, ok := fh.(*fs.LoopbackFile)
	if c == nil || !ok {
		return ch, fh, ff, 0
	}
	switch {
	case !existed:
		c.data, c.dirty = nil, false // a new file: durable, and empty
	case flags&syscall.O_TRUNC != 0:
		c.setDirty(nil)
	}
	c.patch(&out.Attr)
	return ch, &file{n: c, lf: lf, app: flags&syscall.O_APPEND != 0}, ff, 0
}

func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if n.IsDir() {
		return n.m.point("fsyncdir", n.rel(), "")
	}
	if errno := n.m.point("fsync", n.rel(), ""); errno != 0 {
		return errno
	}
	if !n.dirty {
		return 0
	}
	fd, closeFd, errno := n.fd(f, syscall.O_WRONLY)
	if errno != 0 {
		return errno
	}
	defer closeFd()
	for off := 0; off < len(n.data); {
		k, err := syscall.Pwrite(fd, n.data[off:], int64(off))
		if err != nil {
			return fs.ToErrno(err)
		}
		off += k
	}
	if err := syscall.Ftruncate(fd, int64(len(n.data))); err != nil {
		return fs.ToErrno(err)
	}
	n.data, n.dirty = nil, false
	delete(n.m.dirty, n)
	return 0
}

func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	to := filepath.Join(newParent.EmbeddedInode().Path(n.Root()), newName)
	if errno := n.m.point("rename", filepath.Join(n.rel(), name), to); errno != 0 {
		return errno
	}
	from, bto := filepath.Join(n.backingPath(), name), filepath.Join(n.m.Backing, to)
	if errno := n.m.keep(undo{op: "rename", path: from, to: bto}, bto); errno != 0 {
		return errno
	}
	errno := n.LoopbackNode.Rename(ctx, name, newParent, newName, flags)
	if errno != 0 && n.m.mode == Names {
		n.m.undo = n.m.undo[:len(n.m.undo)-1]
	}
	return errno
}

// The other changes pass through at once, unless the power is off.

func (n *node) frozen() syscall.Errno {
	if n.m.frozen {
		return syscall.EIO
	}
	return 0
}

func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return nil, errno
	}
	ch, errno := n.LoopbackNode.Mkdir(ctx, name, mode, out)
	if errno == 0 {
		n.m.keep(undo{op: "mkdir", path: filepath.Join(n.backingPath(), name)}, "")
	}
	return ch, errno
}

func (n *node) Mknod(ctx context.Context, name string, mode, rdev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Mknod(ctx, name, mode, rdev, out)
}

func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return errno
	}
	errno := n.LoopbackNode.Rmdir(ctx, name)
	if errno == 0 {
		n.m.keep(undo{op: "rmdir", path: filepath.Join(n.backingPath(), name)}, "")
	}
	return errno
}

func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return errno
	}
	bp := filepath.Join(n.backingPath(), name)
	if errno := n.m.keep(undo{op: "unlink", path: bp}, bp); errno != 0 {
		return errno
	}
	errno := n.LoopbackNode.Unlink(ctx, name)
	if errno != 0 && n.m.mode == Names {
		n.m.undo = n.m.undo[:len(n.m.undo)-1]
	}
	return errno
}

func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Symlink(ctx, target, name, out)
}

func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return nil, errno
	}
	return n.LoopbackNode.Link(ctx, target, name, out)
}

func (n *node) Setxattr(ctx context.Context, attr string, data []byte, flags uint32) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Setxattr(ctx, attr, data, flags)
}

func (n *node) Removexattr(ctx context.Context, attr string) syscall.Errno {
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if errno := n.frozen(); errno != 0 {
		return errno
	}
	return n.LoopbackNode.Removexattr(ctx, attr)
}

// CopyFileRange would copy on the disk behind the in-memory data's back; the
// kernel falls back to reads and writes.
func (n *node) CopyFileRange(ctx context.Context, fhIn fs.FileHandle, offIn uint64, out *fs.Inode, fhOut fs.FileHandle, offOut uint64, length uint64, flags uint64) (uint32, syscall.Errno) {
	return 0, syscall.ENOSYS
}

func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	fh, ff, errno := n.LoopbackNode.OpendirHandle(ctx, flags)
	if errno != 0 {
		return nil, 0, errno
	}
	return &dir{n: n, ds: fh}, ff, 0
}

// dir is a folder handle whose fsync is a logged cut point (the folder's
// entries are already durable: they passed through).
type dir struct {
	n  *node
	ds fs.FileHandle
}

func (d *dir) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	return d.ds.(fs.FileReaddirenter).Readdirent(ctx)
}

func (d *dir) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	if s, ok := d.ds.(fs.FileSeekdirer); ok {
		return s.Seekdir(ctx, off)
	}
	return syscall.ENOTSUP
}

func (d *dir) Releasedir(ctx context.Context, flags uint32) {
	if r, ok := d.ds.(fs.FileReleasedirer); ok {
		r.Releasedir(ctx, flags)
	}
}

func (d *dir) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	d.n.m.mu.Lock()
	defer d.n.m.mu.Unlock()
	return d.n.m.point("fsyncdir", d.n.rel(), "")
}

// file is an open regular file: reads and writes go to the node's
// in-memory data once it is dirty.
type file struct {
	n   *node
	lf  *fs.LoopbackFile
	app bool // O_APPEND: every write goes at the end
}

func (f *file) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	f.n.m.mu.Lock()
	defer f.n.m.mu.Unlock()
	if !f.n.dirty {
		return f.lf.Read(ctx, dest, off)
	}
	if off >= int64(len(f.n.data)) {
		return fuse.ReadResultData(nil), 0
	}
	k := copy(dest, f.n.data[off:])
	return fuse.ReadResultData(dest[:k]), 0
}

func (f *file) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	n := f.n
	n.m.mu.Lock()
	defer n.m.mu.Unlock()
	if n.m.frozen {
		return 0, syscall.EIO
	}
	if errno := n.load(f); errno != 0 {
		return 0, errno
	}
	if f.app {
		off = int64(len(n.data))
	}
	if end := off + int64(len(data)); end > int64(len(n.data)) {
		n.data = append(n.data, make([]byte, end-int64(len(n.data)))...)
	}
	copy(n.data[off:], data)
	return uint32(len(data)), 0
}

func (f *file) Flush(ctx context.Context) syscall.Errno { return f.lf.Flush(ctx) }

func (f *file) Release(ctx context.Context) syscall.Errno { return f.lf.Release(ctx) }

func (f *file) Getattr(ctx context.Context, out *fuse.AttrOut) syscall.Errno {
	return f.n.Getattr(ctx, f, out)
}

// Available reports why lazyfs cannot run here ("" when it can): it needs
// root and /dev/fuse.
func Available() string {
	if os.Geteuid() != 0 {
		return "lazyfs needs root (it mounts)"
	}
	fd, err := syscall.Open("/dev/fuse", syscall.O_RDWR, 0)
	if err != nil {
		return fmt.Sprintf("lazyfs needs /dev/fuse: %v", err)
	}
	syscall.Close(fd)
	return ""
}

const nsEnv = "INTVLM8R_LAZYFS_PARENT_MNTNS"

// Private runs the calling top-level test again in a child process in a
// private mount namespace, so its mounts never reach the machine's: it returns
// true in that child (carry on with the test) and false in the parent, once
// the child's outcome is reported. Where root or /dev/fuse is missing the test
// is skipped, except in CI (CI=true), where it fails.
func Private(t *testing.T) bool {
	t.Helper()
	self, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatalf("lazyfs: mount namespace: %v", err)
	}
	if parent := os.Getenv(nsEnv); parent != "" {
		if parent == self {
			t.Fatalf("lazyfs: the child is still in its parent's mount namespace %s", self)
		}
		return true
	}
	if why := Available(); why != "" {
		testutil.Unmet(t, why)
	}
	run := "^" + regexp.QuoteMeta(t.Name()) + "$"
	if f := flag.Lookup("test.run"); f != nil {
		if _, sub, ok := strings.Cut(f.Value.String(), "/"); ok {
			run += "/" + sub // -run TestX/sub runs only sub in the child too
		}
	}
	args := []string{"-test.run=" + run, "-test.v"}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout="+time.Until(d).Round(time.Second).String())
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), nsEnv+"="+self)
	// Go makes the child's mounts private (MS_REC|MS_PRIVATE on /) after the unshare.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	t.Logf("in a private mount namespace:\n%s", out)
	if err != nil {
		t.Fatalf("the test in its private mount namespace failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the test in its private mount namespace did not pass")
	}
	return false
}
