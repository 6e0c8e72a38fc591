package photos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// DefaultReserve is the free space a copy always leaves on the Pi (10 MiB).
const DefaultReserve = 10 << 20

// ErrCopyRunning: another copy holds the copy lock.
var ErrCopyRunning = errors.New("a copy from the camera is already running")

// ErrOutOfSpace: the next photo would leave less than the reserve free.
var ErrOutOfSpace = errors.New("out of drive space")

// PreparingMessage is the first progress status of a copy.
const PreparingMessage = "Preparing to copy images"

// CopyingMessage is the progress status while photo i of n is copied (1-based).
func CopyingMessage(i, n int) string { return fmt.Sprintf("Copying image %d of %d", i, n) }

// CopyOptions are the INI's [Copy] settings and the knobs tests need.
type CopyOptions struct {
	DeleteAfterCopy bool   // Copy/deleteAfterCopy
	RenameOnCopy    bool   // Copy/renameOnCopy
	RenameTemplate  string // Copy/renameString, "%%" already unescaped; empty disables renaming
	// Reserve is the free space always kept; 0 means DefaultReserve.
	Reserve uint64
	// FreeSpace reports the free bytes of the filesystem holding dir; nil
	// means FreeBytes (statfs).
	FreeSpace func(dir string) (uint64, error)
	Logger    *slog.Logger // nil: slog.Default()
	// Bytes, when set, is called before each photo with the bytes copied so
	// far and the bytes to copy in all (the camera's sizes), just before
	// the progress callback.
	Bytes func(done, total int64)
}

// CopiedFile is one photo now on the Pi.
type CopiedFile struct {
	Camera string // camera path, "/store_00020001/DCIM/100CANON/IMG_1.JPG"
	Rel    string // name below ~/photos/DCIM after any rename
}

// CopyResult is what a copy did, and the status the pages show for it.
type CopyResult struct {
	Copied     int          // photos copied to the Pi in this run
	Skipped    int          // already copied before (archive, or found complete on the Pi)
	Failed     int          // photos that could not be copied (each has an entry in Errors)
	Deleted    int          // photos deleted from the camera after their copy
	OutOfSpace bool         // the copy stopped to keep the reserve free
	Files      []CopiedFile // the photos copied in this run, in order
	Errors     []error      // one per problem; a bad file never stops the others
	Message    string       // e.g. "Copied 3 images OK"
	Colour     status.Colour
}

// CameraUnavailableResult is the status when the camera could not be opened
// (asleep, or another process holds its USB interface) after some attempts.
func CameraUnavailableResult(attempts int, err error) CopyResult {
	r := CopyResult{
		Message: fmt.Sprintf("Could not claim the camera's USB device after %d attempts", attempts),
		Colour:  status.Red,
	}
	if err != nil {
		r.Errors = []error{err}
	}
	return r
}

func (r *CopyResult) finish() {
	images := "images"
	if r.Copied == 1 {
		images = "image"
	}
	switch {
	case r.OutOfSpace:
		r.Message, r.Colour = "Out of drive space", status.Red
	case len(r.Errors) > 0:
		r.Message, r.Colour = fmt.Sprintf("Errors reported. Copied %d %s OK", r.Copied, images), status.Orange
	case r.Copied == 0:
		r.Message, r.Colour = "There were no new images to copy", status.White
	default:
		r.Message, r.Colour = fmt.Sprintf("Copied %d %s OK", r.Copied, images), status.White
	}
}

// crashHook, when set (by the fault-injection test only), is called between
// the steps of each photo's copy so a test can kill the process there.
var crashHook func(stage string, index int)

func hook(stage string, i int) {
	if crashHook != nil {
		crashHook(stage, i)
	}
}

// journal is the photo in flight, written before its download starts.
type journal struct {
	Camera string // camera folder + "/" + name
	Key    string // path below DCIM on the camera
	Rel    string // chosen name below ~/photos/DCIM
	Size   int64
}

func (j journal) encode() []byte {
	return []byte(j.Camera + "\n" + j.Key + "\n" + j.Rel + "\n" + strconv.FormatInt(j.Size, 10) + "\n")
}

func readJournal(fp string) (journal, bool, error) {
	data, err := os.ReadFile(fp)
	if errors.Is(err, fs.ErrNotExist) {
		return journal{}, false, nil
	}
	if err != nil {
		return journal{}, false, fmt.Errorf("read copy journal: %w", err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 {
		return journal{}, false, nil // written atomically, so this is not ours: ignore it
	}
	size, err := strconv.ParseInt(lines[3], 10, 64)
	if err != nil {
		return journal{}, false, nil
	}
	return journal{Camera: lines[0], Key: lines[1], Rel: lines[2], Size: size}, true, nil
}

// Copy copies every new photo from the camera's DCIM tree into the Pi's
// mirror of it, in camera-path order, and returns the outcome with its page
// status. progress (may be nil) is called with i of n before each photo.
//
// The order of steps for one photo is what makes a power cut at any instant
// safe; the journal names the photo in flight:
//
//  1. journal ← (camera path, key, chosen name, size), written atomically;
//  2. download to a hidden part file in the destination folder, size checked
//     against the camera's, mtime set, fsync;
//  3. rename to the chosen name, fsync of the folder;
//  4. archive line appended and fsynced;
//  5. only now, with deleteAfterCopy, the camera's file is deleted.
//
// A new run first settles the journal: a photo that reached step 3 is
// recorded (step 4), and one that reached step 4 is deleted from the camera
// (step 5) when deleteAfterCopy is on; part files are removed. So every photo
// ends up on the Pi once, and none leaves the camera without a complete,
// recorded copy.
//
// A photo is skipped when its path below DCIM is in the archive (unless the
// journal names it with another size: the card was formatted and the name
// reused, so it is copied), or a file of the same name and size is already
// in its folder on the Pi (then it is recorded). A file of the same name but
// another size is kept, and the camera's copied beside it under a "-1"
// suffix. Files outside a DCIM folder are not photos and are left alone.
//
// The returned error is for what stops the whole copy (the lock, the camera
// listing, the archive or journal, ctx); per-photo problems go in
// CopyResult.Errors and the rest carry on.
func Copy(ctx context.Context, cam camera.Camera, p paths.Paths, opts CopyOptions, progress func(i, n int)) (CopyResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.Reserve == 0 {
		opts.Reserve = DefaultReserve
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = system.FreeBytes
	}
	var res CopyResult
	fail := func(err error) (CopyResult, error) {
		res.Errors = append(res.Errors, err)
		res.finish()
		if res.Copied == 0 { // nothing done: say why, in red
			res.Message, res.Colour = "Copy failed: "+err.Error(), status.Red
		}
		return res, err
	}

	lock, ok, err := fileutil.TryLockExclusive(p.CopyLock())
	if err != nil {
		return fail(err)
	}
	if !ok {
		return fail(ErrCopyRunning)
	}
	defer lock.Unlock()

	dcim := p.PhotosDCIM()
	if err := fileutil.MkdirAll(dcim, 0o755); err != nil {
		return fail(fmt.Errorf("create %s: %w", dcim, err))
	}
	if err := fileutil.SyncDir(p.Photos()); err != nil {
		return fail(err)
	}
	arch, err := LoadArchive(p.RenameArchive())
	if err != nil {
		return fail(err)
	}
	if err := removeParts(dcim); err != nil {
		return fail(err)
	}
	pending, err := settleJournal(p, arch, log)
	if err != nil {
		return fail(err)
	}

	files, err := cam.ListFiles(ctx, "/")
	if err != nil {
		return fail(fmt.Errorf("list the camera's files: %w", err))
	}
	sort.Slice(files, func(i, j int) bool {
		return files[i].Folder+"/"+files[i].Name < files[j].Folder+"/"+files[j].Name
	})

	type job struct {
		f   camera.File
		key string
	}
	var todo []job
	for _, f := range files {
		key, ok := dcimKey(f.Folder, f.Name)
		if !ok {
			log.Debug("copy: not under DCIM, left alone", "folder", f.Folder, "name", f.Name)
			continue
		}
		camPath := f.Folder + "/" + f.Name
		if arch.Has(key) {
			if pending != nil && pending.Camera == camPath && f.Size != pending.Size {
				// The last run recorded a photo of this name and another size:
				// the card was formatted since and the name reused. This one
				// is new to the Pi: copied beside the old one, never deleted uncopied.
				log.Info("copy: a recorded name now holds another photo", "file", camPath, "size", f.Size, "recordedSize", pending.Size)
				todo = append(todo, job{f, key})
				continue
			}
			if pending != nil && pending.Camera == camPath && opts.DeleteAfterCopy {
				// The last run recorded this photo and died before deleting it.
				if err := cam.Delete(ctx, f.Folder, f.Name); err != nil {
					res.Errors = append(res.Errors, fmt.Errorf("delete %s from the camera: %w", camPath, err))
				} else {
					res.Deleted++
					log.Info("copy: deleted from the camera (finishing the last run)", "file", camPath)
				}
			}
			res.Skipped++
			continue
		}
		if st, err := os.Stat(filepath.Join(dcim, filepath.FromSlash(key))); err == nil && st.Mode().IsRegular() && st.Size() == f.Size && f.Size > 0 {
			// Complete on the Pi already (an older release copied it without
			// recording it): record it, and it counts as copied for deletion.
			if err := arch.Record(key, key); err != nil {
				return fail(err)
			}
			res.Skipped++
			if opts.DeleteAfterCopy {
				if err := cam.Delete(ctx, f.Folder, f.Name); err != nil {
					res.Errors = append(res.Errors, fmt.Errorf("delete %s from the camera: %w", camPath, err))
				} else {
					res.Deleted++
				}
			}
			continue
		}
		todo = append(todo, job{f, key})
	}
	// The journal's photo is settled; a stale journal must not be applied again.
	if err := removeFile(p.CopyJournal()); err != nil {
		return fail(err)
	}

	rename := opts.RenameOnCopy && opts.RenameTemplate != ""
	var totalBytes, doneBytes int64
	for _, jb := range todo {
		totalBytes += jb.f.Size
	}
	for i, jb := range todo {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		if opts.Bytes != nil {
			opts.Bytes(doneBytes, totalBytes)
		}
		doneBytes += jb.f.Size
		if progress != nil {
			progress(i+1, len(todo))
		}
		rel, err := copyOne(ctx, cam, p, arch, opts, rename, jb.f, jb.key, i)
		if errors.Is(err, ErrOutOfSpace) {
			log.Warn("copy: out of drive space", "file", jb.f.Folder+"/"+jb.f.Name)
			res.OutOfSpace = true
			res.Errors = append(res.Errors, err)
			break
		}
		var del *deleteError
		if err != nil && !errors.As(err, &del) {
			log.Warn("copy: photo not copied", "file", jb.f.Folder+"/"+jb.f.Name, "err", err)
			res.Failed++
			res.Errors = append(res.Errors, err)
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			continue
		}
		res.Copied++
		res.Files = append(res.Files, CopiedFile{Camera: jb.f.Folder + "/" + jb.f.Name, Rel: rel})
		if del != nil {
			res.Errors = append(res.Errors, del)
		} else if opts.DeleteAfterCopy {
			res.Deleted++
		}
	}
	if err := removeFile(p.CopyJournal()); err != nil {
		res.Errors = append(res.Errors, err)
	}
	res.finish()
	return res, nil
}

// deleteError: the photo is safely on the Pi, but the camera would not delete it.
type deleteError struct{ err error }

func (e *deleteError) Error() string { return e.err.Error() }
func (e *deleteError) Unwrap() error { return e.err }

// copyOne performs steps 1–5 for one photo and returns its name below DCIM.
func copyOne(ctx context.Context, cam camera.Camera, p paths.Paths, arch *Archive, opts CopyOptions, rename bool, f camera.File, key string, index int) (string, error) {
	camPath := f.Folder + "/" + f.Name
	if f.Size <= 0 {
		return "", fmt.Errorf("%s: the camera reports an empty file", camPath)
	}
	subdir := path.Dir(key)
	destDir := filepath.Join(p.PhotosDCIM(), filepath.FromSlash(subdir))
	if err := fileutil.MkdirAll(destDir, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	free, err := opts.FreeSpace(destDir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	if free < uint64(f.Size) || free-uint64(f.Size) < opts.Reserve {
		return "", fmt.Errorf("%s needs %d bytes, %d free, %d kept in reserve: %w", camPath, f.Size, free, opts.Reserve, ErrOutOfSpace)
	}

	// The camera's clock is taken as wall time and stamped on the Pi in its
	// own zone, as the original does, so the Pi's listing shows the camera's times.
	var wall, mtime time.Time
	if !f.MTime.IsZero() {
		u := f.MTime.UTC()
		wall = u
		mtime = time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.Local)
	} else {
		wall = time.Now()
	}
	name := f.Name
	if rename {
		name = RenderName(opts.RenameTemplate, f.Name, wall)
	}
	final, err := freeName(destDir, name)
	if err != nil && name != f.Name {
		final, err = freeName(destDir, f.Name) // the suffixes ran out: keep the camera's name
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	rel := final
	if subdir != "." {
		rel = subdir + "/" + final
	}

	// 1. journal
	j := journal{Camera: camPath, Key: key, Rel: rel, Size: f.Size}
	if err := fileutil.WriteAtomic(p.CopyJournal(), j.encode(), 0o644); err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	hook("journal", index)

	// 2. download
	part := filepath.Join(destDir, partPrefix+final)
	if err := download(ctx, cam, f, part, mtime, index); err != nil {
		os.Remove(part)
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	hook("downloaded", index)

	// 3. rename
	dest := filepath.Join(destDir, final)
	if err := os.Rename(part, dest); err != nil {
		os.Remove(part)
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	if err := fileutil.SyncDir(destDir); err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	hook("renamed", index)

	// 4. archive
	if err := arch.Record(key, rel); err != nil {
		return "", fmt.Errorf("%s: %w", camPath, err)
	}
	hook("recorded", index)

	// 5. delete
	if opts.DeleteAfterCopy {
		if err := cam.Delete(ctx, f.Folder, f.Name); err != nil {
			return rel, &deleteError{fmt.Errorf("delete %s from the camera: %w", camPath, err)}
		}
		hook("deleted", index)
	}
	return rel, nil
}

func download(ctx context.Context, cam camera.Camera, f camera.File, part string, mtime time.Time, index int) error {
	out, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriterSize(&hookWriter{w: out, index: index, half: f.Size / 2}, 256<<10)
	n, err := cam.Download(ctx, f.Folder, f.Name, w)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if n != f.Size {
		return fmt.Errorf("download incomplete: %d of %d bytes", n, f.Size)
	}
	st, err := out.Stat()
	if err != nil {
		return err
	}
	if st.Size() != f.Size {
		return fmt.Errorf("download incomplete on disk: %d of %d bytes", st.Size(), f.Size)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(part, mtime, mtime); err != nil {
			return err
		}
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}

// hookWriter lets the fault-injection test die half-way through a download.
type hookWriter struct {
	w       *os.File
	index   int
	half    int64
	written int64
	fired   bool
}

func (h *hookWriter) Write(b []byte) (int, error) {
	n, err := h.w.Write(b)
	h.written += int64(n)
	if !h.fired && crashHook != nil && h.written >= h.half {
		h.fired = true
		hook("downloading", h.index)
	}
	return n, err
}

// freeName is name, or name with the first "-n" suffix not yet taken in dir.
func freeName(dir, name string) (string, error) {
	for n := 0; n < MaxRenameSuffix; n++ {
		cand := withSuffix(name, n)
		if _, err := os.Lstat(filepath.Join(dir, cand)); errors.Is(err, fs.ErrNotExist) {
			return cand, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free name for %s: suffixes up to -%d are taken", name, MaxRenameSuffix-1)
}

// dcimKey is the path below the camera's DCIM folder; ok is false for files
// outside one, or names that could escape the store.
func dcimKey(folder, name string) (string, bool) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, partPrefix) {
		return "", false
	}
	full := strings.TrimSuffix(folder, "/") + "/"
	i := strings.Index(full, "/DCIM/")
	if i < 0 {
		return "", false
	}
	sub := strings.Trim(full[i+len("/DCIM/"):], "/")
	if sub == "" {
		return name, true
	}
	for _, part := range strings.Split(sub, "/") {
		if part == "" || part == "." || part == ".." {
			return "", false
		}
	}
	return sub + "/" + name, true
}

// settleJournal finishes step 4 for the photo the last run had in flight, and
// returns that photo when it is recorded (so step 5 can be finished).
func settleJournal(p paths.Paths, arch *Archive, log *slog.Logger) (*journal, error) {
	j, ok, err := readJournal(p.CopyJournal())
	if err != nil || !ok {
		return nil, err
	}
	dest := filepath.Join(p.PhotosDCIM(), filepath.FromSlash(j.Rel))
	if st, err := os.Stat(dest); err == nil && st.Mode().IsRegular() && st.Size() == j.Size {
		if got, ok := arch.NewName(j.Key); !ok || got != j.Rel {
			if err := arch.Record(j.Key, j.Rel); err != nil {
				return nil, err
			}
			log.Info("copy: recorded the photo the last run had finished", "file", j.Camera, "rel", j.Rel)
		}
	}
	if got, ok := arch.NewName(j.Key); ok && got == j.Rel {
		return &j, nil
	}
	return nil, nil
}

// removeParts deletes every download the last run left unfinished.
func removeParts(root string) error {
	err := filepath.WalkDir(root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), partPrefix) {
			if err := os.Remove(fp); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove unfinished downloads: %w", err)
	}
	return nil
}

func removeFile(fp string) error {
	err := os.Remove(fp)
	if err == nil {
		return fileutil.SyncDir(filepath.Dir(fp))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
