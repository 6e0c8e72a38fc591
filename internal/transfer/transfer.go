// Package transfer uploads the Pi's photos to a remote server (FTP, SFTP,
// Dropbox or rsync), keeps the upload ledger (~/photos/uploadedOK.txt) and
// writes piTransfer.log with the STATUS lines the Home page shows. It ports
// piTransfer.py's behaviour; Google Drive, retired by the original, is not here.
//
// The rule that keeps photos safe: a photo is recorded in the ledger only
// after the server has confirmed the whole file, and deleted locally
// (deleteaftertransfer) only after that record is on disk.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

// Methods, spelled as the INI's tfrmethod spells them.
const (
	MethodOff     = "Off"
	MethodFTP     = "FTP"
	MethodSFTP    = "SFTP"
	MethodDropbox = "Dropbox"
	MethodRsync   = "rsync"
)

// Settings are what a run needs: the INI's [Transfer] (FromINI), in the
// shape the Transfer page saves, and the run's own seams.
type Settings struct {
	config.TransferSettings

	Dropbox DropboxAPI // zero: the real Dropbox

	// Timeout bounds connecting and any silence from the server; zero means 30 s.
	Timeout time.Duration
}

func (s Settings) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 30 * time.Second
}

// method returns the canonical spelling of s.Method, or "" if unknown.
func (s Settings) method() string {
	for _, m := range []string{MethodOff, MethodFTP, MethodSFTP, MethodDropbox, MethodRsync} {
		if strings.EqualFold(strings.TrimSpace(s.Method), m) {
			return m
		}
	}
	if strings.TrimSpace(s.Method) == "" {
		return MethodOff
	}
	return ""
}

// Result is what a run did.
type Result struct {
	Method   string
	New      int    // photos found waiting
	Uploaded int    // confirmed by the server and recorded
	Failed   int    // tried and not confirmed
	Deleted  int    // photos removed locally (deleteaftertransfer)
	Status   string // the run's last STATUS text (what Home shows)
	Colour   status.Colour
}

// Uploader sends single files to one kind of server. Connect may be called
// again after Close (or after an error marked ErrConnLost) to reconnect.
type Uploader interface {
	Connect(ctx context.Context) error
	Upload(ctx context.Context, localPath, remotePath string, mtime time.Time) error
	Close() error
}

// Failure is an error that carries the STATUS text the user is shown.
type Failure struct {
	Status string
	Fatal  bool // further files cannot succeed either (e.g. the account is full)
	Err    error
}

func (f *Failure) Error() string {
	if f.Err == nil {
		return f.Status
	}
	return f.Status + ": " + f.Err.Error()
}

func (f *Failure) Unwrap() error { return f.Err }

// keptError is an upload the server answered as complete while it keeps
// fewer (or more) bytes than were sent.
type keptError struct {
	remote     string
	kept, sent int64
}

func (e *keptError) Error() string { return e.remote + ": " + e.reason() }
func (e *keptError) reason() string {
	return fmt.Sprintf("the server kept %d of %d bytes", e.kept, e.sent)
}

// contentError is an upload whose copy on the server differs from the
// photo, as a content hash or checksum shows.
type contentError struct{ remote, how, detail string }

func (e *contentError) Error() string {
	if e.detail == "" {
		return e.remote + ": " + e.reason()
	}
	return e.remote + ": " + e.reason() + ": " + e.detail
}
func (e *contentError) reason() string {
	return "the server's copy differs from the photo (" + e.how + ")"
}

// errUnconfirmed: the server took the file but cannot say what it holds
// (an FTP server without SIZE, MLST or a listing). The photo is recorded on
// the server's word and kept on the Pi whatever deleteaftertransfer says.
var errUnconfirmed = errors.New("the server could not confirm the size it holds")

// unconfirmedNote ends the STATUS of a run whose uploads could not be confirmed.
const unconfirmedNote = "the server could not confirm them: kept on the Pi"

// reasonOf is the short why of a failed upload, for the STATUS line.
func reasonOf(err error) string {
	var f *Failure
	var r interface{ reason() string }
	switch {
	case errors.As(err, &r):
		return r.reason()
	case errors.As(err, &f):
		return f.Status
	}
	return oneLine(err.Error())
}

// ErrBusy is returned when another transfer holds the transfer lock.
var ErrBusy = errors.New("another transfer is running")

// ProgressMessage is the progress text for photo i of n.
func ProgressMessage(i, n int) string { return fmt.Sprintf("Uploading %d of %d", i, n) }

// NewUploader returns the per-file uploader for s.Method (FTP, SFTP or
// Dropbox); logf receives the detail lines (nil: slog). rsync syncs a whole
// tree and is run by Run only.
func NewUploader(p paths.Paths, s Settings, logf func(string, ...any)) (Uploader, error) {
	if logf == nil {
		logf = func(f string, a ...any) { slog.Info(fmt.Sprintf(f, a...)) }
	}
	switch s.method() {
	case MethodFTP:
		return &ftpUploader{s: s, logf: logf}, nil
	case MethodSFTP:
		return &sftpUploader{p: p, s: s, logf: logf}, nil
	case MethodDropbox:
		return &dropboxUploader{p: p, s: s, logf: logf}, nil
	}
	return nil, fmt.Errorf("no per-file uploader for method %q", s.Method)
}

// run holds one transfer's state.
type run struct {
	ctx         context.Context
	p           paths.Paths
	s           Settings
	log         *tlog
	ledger      *Ledger
	progress    func(i, n int)
	bytes       func(done, total int64)
	res         Result
	derivedGone []string // photos (below DCIM) deleted after upload: their thumbs, previews and info lines go
	firstFail   string   // "<file>: <reason>" of the run's first failed photo
	unconfirmed int      // recorded on the server's word, kept on the Pi

	journalUsed bool
	maybeSent   map[string]bool // photos an interrupted run was sending or had sent
}

func (r *run) status(text string, colour status.Colour) {
	r.log.Status(text)
	r.res.Status, r.res.Colour = text, colour
}

// Run performs one upload with settings s; progress (may be nil) is called
// with (i, n) before photo i of n. Remote trouble is reported in the Result
// (and the log); the error is for local trouble (the ledger cannot be
// written, the log cannot be opened), cancellation, or ErrBusy.
func Run(ctx context.Context, p paths.Paths, s Settings, progress func(i, n int)) (Result, error) {
	return RunCounting(ctx, p, s, progress, nil)
}

// RunCounting is Run that also reports bytes: before each photo (FTP, SFTP,
// Dropbox), just before progress, bytes (may be nil) is called with the
// bytes sent so far and the bytes to send in all.
func RunCounting(ctx context.Context, p paths.Paths, s Settings, progress func(i, n int), bytes func(done, total int64)) (Result, error) {
	lock, ok, err := fileutil.TryLockExclusive(p.TransferLock())
	if err != nil {
		return Result{}, fmt.Errorf("transfer: %w", err)
	}
	if !ok {
		return Result{}, ErrBusy
	}
	defer lock.Unlock()

	l, err := openLog(p.TransferLog(), nil)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	r := &run{ctx: ctx, p: p, s: s, log: l, progress: progress, bytes: bytes}
	l.line("") // the original's separator between runs
	m := s.method()
	r.res.Method = m
	switch m {
	case "":
		r.status("Upload aborted. tfrMethod="+oneLine(s.Method), status.Orange)
		return r.res, nil
	case MethodOff:
		r.status("Upload aborted. tfrMethod=Off", status.Orange)
		return r.res, nil
	}
	r.status("Commencing upload using "+m, status.White)
	r.logSettings(m)

	r.ledger, err = OpenLedger(p)
	if err != nil {
		l.Printf("Upload aborted: %v", err)
		r.status("Upload aborted. "+err.Error(), status.Red)
		return r.res, err
	}
	// The journal goes last: a run cut off before its derived files are
	// flushed leaves the journal, and the next run flushes them.
	defer r.clearJournal()
	defer r.flushDerived()
	r.replayDeletions()

	if m == MethodRsync {
		err = r.runRsync()
	} else {
		u, _ := NewUploader(p, s, l.Printf)
		err = r.runFiles(u, m)
	}
	return r.res, err
}

func (r *run) logSettings(m string) {
	s := r.s
	switch m {
	case MethodFTP:
		r.log.Printf("ftpServer=%s, ftpUser=%s, ftpPassword=<redacted>, ftpRemoteFolder=%s, mode=%s, tls=%v",
			s.FTPServer, s.FTPUser, NormaliseRemoteFolder(s.FTPRemoteFolder), map[bool]string{false: "passive", true: "active"}[s.FTPActive], s.FTPTLS)
	case MethodSFTP:
		r.log.Printf("sftpServer=%s, sftpUser=%s, sftpPassword=<redacted>, sftpRemoteFolder=%s",
			s.SFTPServer, s.SFTPUser, NormaliseRemoteFolder(s.SFTPRemoteFolder))
	case MethodDropbox:
		r.log.Printf("dbx_app_key=%s", s.DropboxAppKey)
	case MethodRsync:
		r.log.Printf("rsyncUsername=%s, rsyncHost=%s, rsyncRemoteFolder=%s",
			s.RsyncUsername, s.RsyncHost, NormaliseRemoteFolder(s.RsyncRemoteFolder))
	}
}

func (r *run) remoteFor(m string, ph Photo) string {
	switch m {
	case MethodFTP:
		return RemotePath(r.s.FTPRemoteFolder, ph.Rel)
	case MethodSFTP:
		return RemotePath(r.s.SFTPRemoteFolder, ph.Rel)
	}
	return RemotePath("", ph.Rel) // Dropbox: /DCIM/... inside the app folder
}

func noFilesText(m string) string {
	if m == MethodFTP || m == MethodDropbox {
		return "No new files to upload"
	}
	return "No files to upload"
}

func countColour(ok, n int) status.Colour {
	switch {
	case ok == n:
		return status.White
	case ok == 0:
		return status.Red
	}
	return status.Orange
}

// runFiles is the FTP/SFTP/Dropbox loop: connect, list, two tries per photo.
func (r *run) runFiles(u Uploader, m string) error {
	ctx := r.ctx
	if err := u.Connect(ctx); err != nil {
		if ctx.Err() != nil {
			r.status(m+" upload cancelled", status.Orange)
			return ctx.Err()
		}
		var f *Failure
		if errors.As(err, &f) {
			r.status(f.Status, status.Red)
		} else {
			r.log.Printf("%s connect error: %v", m, err)
			r.status(m+" connection failed", status.Red)
		}
		return nil
	}
	defer u.Close()

	photos, err := r.newPhotos()
	if err != nil {
		return err
	}
	n := len(photos)
	if n == 0 {
		r.status(noFilesText(m), status.White)
		return nil
	}
	var fatal *Failure
	lost := false
	var totalBytes, doneBytes int64
	for _, ph := range photos {
		totalBytes += ph.Size
	}
	for i, ph := range photos {
		if r.bytes != nil {
			r.bytes(doneBytes, totalBytes)
		}
		doneBytes += ph.Size
		if r.progress != nil {
			r.progress(i+1, n)
		}
		remote := r.remoteFor(m, ph)
		var uerr error
		held := r.alreadyHeld(u, ph, remote)
		if !held {
			r.noteSending(ph)
		}
		for attempt := 0; attempt < 2 && !held; attempt++ {
			if attempt > 0 {
				if err := ctxutil.Sleep(ctx, time.Second); err != nil {
					break
				}
				if errors.Is(uerr, ErrConnLost) {
					u.Close()
					if cerr := u.Connect(ctx); cerr != nil {
						r.log.Printf("Reconnecting to the %s server failed: %v", m, cerr)
						lost = true
						break
					}
				}
			}
			r.log.Printf("Uploading %s", ph.Path)
			uerr = u.Upload(ctx, ph.Path, remote, ph.MTime)
			if uerr == nil || errors.Is(uerr, errUnconfirmed) {
				break
			}
			which := map[int]string{0: " first", 1: "second"}[attempt]
			r.log.Printf("Error on %s attempt uploading %s via %s: %v", which, ph.Path, m, uerr)
			var f *Failure
			if errors.As(uerr, &f) {
				if f.Fatal {
					fatal = f
					break
				}
				r.log.Status(f.Status)
			}
			if ctx.Err() != nil {
				break
			}
		}
		keep := errors.Is(uerr, errUnconfirmed)
		if keep {
			uerr = nil
			r.unconfirmed++
		}
		if uerr == nil && !lost {
			hook("sent", i)
		}
		if uerr != nil || lost {
			r.failed(ph, uerr)
		} else if err := r.uploaded(ph, i, keep); err != nil {
			r.log.Printf("Upload aborted: %v", err)
			r.status(fmt.Sprintf("Upload aborted. %d of %d files uploaded OK", r.res.Uploaded, n), status.Red)
			return err
		}
		if ctx.Err() != nil {
			r.status(fmt.Sprintf("Upload cancelled. %d of %d files uploaded OK", r.res.Uploaded, n), status.Orange)
			return ctx.Err()
		}
		if fatal != nil || lost {
			break
		}
	}
	if fatal != nil {
		r.status(fatal.Status, status.Red)
		return nil
	}
	if lost {
		r.log.Printf("Lost the connection to the %s server; the rest wait for the next run", m)
	}
	r.status(fmt.Sprintf("%d of %d files uploaded OK", r.res.Uploaded, n)+r.why(), r.colour(n))
	return nil
}

// failed counts a photo that was not confirmed, keeping the first reason.
func (r *run) failed(ph Photo, err error) {
	r.res.Failed++
	if r.firstFail == "" {
		why := "connection lost"
		if err != nil {
			why = reasonOf(err)
		}
		r.firstFail = filepath.Base(ph.Path) + ": " + why
	}
}

// why ends a run's STATUS: the first failure's reason, and a note when
// uploads could not be confirmed.
func (r *run) why() string {
	s := ""
	if r.res.Failed > 0 {
		s += ". " + r.firstFail
		if r.res.Failed > 1 {
			s += fmt.Sprintf(" (and %d more)", r.res.Failed-1)
		}
	}
	if r.unconfirmed > 0 {
		s += fmt.Sprintf(". %d %s", r.unconfirmed, unconfirmedNote)
	}
	return s
}

func (r *run) colour(n int) status.Colour {
	c := countColour(r.res.Uploaded, n)
	if c == status.White && r.unconfirmed > 0 {
		return status.Orange
	}
	return c
}

// uploaded records a confirmed photo and, if asked, then deletes it. With
// deletion on, the photo first goes into the delete journal: a power cut
// after the ledger record but before the deletion is finished next run.
func (r *run) uploaded(ph Photo, i int, keep bool) error {
	del := r.s.DeleteAfterTransfer && !keep
	if del {
		if err := fileutil.AppendLine(r.p.DeleteJournal(), ph.Path+"\n"); err != nil {
			return fmt.Errorf("delete journal: %w", err)
		}
		r.journalUsed = true
		hook("journal", i)
	}
	if err := r.ledger.Record(ph.Path); err != nil {
		return err
	}
	hook("recorded", i)
	r.res.Uploaded++
	r.log.Printf(" Uploaded %s", ph.Path)
	if !del {
		return nil
	}
	r.deleteUploaded(ph)
	hook("deleted", i)
	return nil
}

// crashHook, when set (by the crash tests only), is called at each stage of
// a photo's upload, so a test can kill the process exactly there.
var crashHook func(stage string, index int)

func hook(stage string, i int) {
	if crashHook != nil {
		crashHook(stage, i)
	}
}

// The delete journal also names each photo before its upload starts
// ("sending <path>"): a run killed after the server has the photo, but
// before the ledger says so, then tells the next run to ask the server
// before sending it again. The line is not fsynced: lost in a power cut, it
// costs one upload sent twice, never a photo.
const sendingPrefix = "sending "

func (r *run) noteSending(ph Photo) {
	// The file's name, unlike its lines, must survive a cut: the delete
	// lines appended to it later are fsynced with the file, and they are
	// what finishes a deletion that a cut undid. So a journal made here has
	// its folder synced once.
	created := true
	f, err := os.OpenFile(r.p.DeleteJournal(), os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		created = false
		f, err = os.OpenFile(r.p.DeleteJournal(), os.O_WRONLY|os.O_APPEND, 0o644)
	}
	if err != nil {
		r.log.Printf("delete journal: %v", err)
		return
	}
	r.journalUsed = true
	if _, err := f.WriteString(sendingPrefix + ph.Path + "\n"); err != nil {
		r.log.Printf("delete journal: %v", err)
	}
	f.Close()
	if created {
		if err := fileutil.SyncDir(filepath.Dir(r.p.DeleteJournal())); err != nil {
			r.log.Printf("delete journal: %v", err)
		}
	}
}

// holder is an uploader that can tell whether the server already holds a
// whole copy of a photo (same size and time, or same content hash).
type holder interface {
	Holds(ctx context.Context, localPath, remotePath string, mtime time.Time) (bool, error)
}

// alreadyHeld reports a photo that an interrupted run sent and the server
// holds whole: it is recorded without being sent again.
func (r *run) alreadyHeld(u Uploader, ph Photo, remote string) bool {
	h, ok := u.(holder)
	if !ok || !r.maybeSent[ph.Path] {
		return false
	}
	held, err := h.Holds(r.ctx, ph.Path, remote, ph.MTime)
	switch {
	case err != nil:
		r.log.Printf("Could not ask the server whether it holds %s (%v): sending it again", remote, err)
	case held:
		r.log.Printf("The server already holds %s whole (sent by an interrupted run): not sent again", remote)
	}
	return held
}

// deleteUploaded removes a recorded photo; its derived files go at the end
// of the run, in one batch (flushDerived).
func (r *run) deleteUploaded(ph Photo) {
	if err := os.Remove(ph.Path); err != nil && !os.IsNotExist(err) {
		r.log.Printf("Error deleting after transfer: %v", err)
		return
	}
	fileutil.SyncDir(filepath.Dir(ph.Path))
	r.log.Printf("  Deleted %s", ph.Path)
	r.res.Deleted++
	if rel, err := photos.RelOf(r.p, ph.Path); err == nil {
		r.derivedGone = append(r.derivedGone, rel)
	}
}

// replayDeletions finishes deletions a previous run was cut off in: a
// journal entry that made it into the ledger is deleted now; one that did
// not was never recorded, so the photo waits for its upload, and the server
// is asked first whether it already holds it (maybeSent). A photo deleted
// before the cut may have left its thumbnail: that goes in this run's flush.
func (r *run) replayDeletions() {
	data, err := os.ReadFile(r.p.DeleteJournal())
	if err != nil {
		return
	}
	r.journalUsed = true
	r.maybeSent = map[string]bool{}
	photosDir, _ := filepath.Abs(r.p.Photos())
	for _, line := range strings.Split(string(data), "\n") {
		path := strings.TrimSpace(line)
		sending := strings.HasPrefix(path, sendingPrefix)
		path = strings.TrimPrefix(path, sendingPrefix)
		if path == "" {
			continue
		}
		if !r.ledger.Has(path) {
			r.maybeSent[path] = true
			continue
		}
		rel, err := filepath.Rel(photosDir, path)
		if sending || err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		if _, err := os.Stat(path); os.IsNotExist(err) {
			if drel, err := photos.RelOf(r.p, path); err == nil {
				r.derivedGone = append(r.derivedGone, drel)
			}
			continue
		} else if err != nil {
			continue
		}
		r.log.Printf("Finishing the deletion of %s, uploaded by an interrupted run", path)
		r.deleteUploaded(Photo{Path: path, Rel: filepath.ToSlash(rel)})
	}
}

func (r *run) clearJournal() {
	if !r.journalUsed {
		return
	}
	if err := os.Remove(r.p.DeleteJournal()); err != nil && !os.IsNotExist(err) {
		r.log.Printf("delete journal: %v", err)
		return
	}
	fileutil.SyncDir(filepath.Dir(r.p.DeleteJournal()))
}

// flushDerived removes the thumbnails, previews and piThumbsInfo.txt lines
// of the photos deleted in this run (keeping what a remaining RAW/JPG twin shares).
func (r *run) flushDerived() {
	if len(r.derivedGone) == 0 {
		return
	}
	if err := photos.RemoveDerivatives(r.p, r.derivedGone...); err != nil {
		r.log.Printf("Exception deleting thumbnails, previews or lines of %s: %v", r.p.ThumbsInfo(), err)
		return
	}
	r.log.Printf("  Deleted the thumbnails, previews and %s lines of %d photo(s)", filepath.Base(r.p.ThumbsInfo()), len(r.derivedGone))
	hook("flushed", 0)
}

// runRsync syncs the whole DCIM tree and records what the clean run proves.
func (r *run) runRsync() error {
	rr := &rsyncRunner{p: r.p, s: r.s, logf: r.log.Printf}
	r.log.Printf("Commencing rsync to %s", rsyncTarget(r.s))
	copied, err := rsyncCopied(r.p)
	if err != nil {
		r.log.Printf("%v", err)
	}
	pending := 0
	for f := range copied {
		if !r.ledger.Has(f) {
			pending++
		}
	}
	if pending > 0 {
		r.log.Printf("rsync log names %d file(s) from an earlier run not yet confirmed; this run confirms them", pending)
	}
	photos, err := r.newPhotos()
	if err != nil {
		return err
	}
	n := len(photos)
	if n == 0 {
		if err := pruneRsyncLog(r.p, r.ledger); err != nil {
			r.log.Printf("%v", err)
		}
		r.status(noFilesText(MethodRsync), status.White)
		return nil
	}
	want := make(map[string]int, n)
	for i, ph := range photos {
		want[ph.Rel] = i
	}
	last := ""
	ok, err := rr.syncTree(r.ctx, want, n, r.progress, func(s string) { last = s; r.log.Status(s) })
	if err != nil {
		r.status(fmt.Sprintf("Upload cancelled. 0 of %d files uploaded OK", n), status.Orange)
		return err
	}
	if !ok {
		r.res.Failed = n
		if last == "" {
			last = "rsync error"
		}
		r.res.Status, r.res.Colour = last, status.Red
		return nil
	}
	after, err := rsyncCopied(r.p)
	if err != nil {
		r.log.Printf("%v", err)
	}
	r.log.Printf("rsync log names %d file(s) sent", len(after))
	var present []Photo
	var rels []string
	for _, ph := range photos {
		if _, err := statRegular(ph.Path); err == nil { // else vanished during the run
			present = append(present, ph)
			rels = append(rels, ph.Rel)
		}
	}
	bad, err := rr.differing(r.ctx, rels, false)
	if err == nil && len(bad) > 0 {
		r.log.Printf("rsync: %d file(s) differ on the server after a clean run; sending them again by checksum", len(bad))
		var again []string
		for _, rel := range rels {
			if bad[rel] {
				again = append(again, rel)
			}
		}
		bad, err = rr.differing(r.ctx, again, true)
	}
	if r.ctx.Err() != nil {
		r.status(fmt.Sprintf("Upload cancelled. 0 of %d files uploaded OK", n), status.Orange)
		return r.ctx.Err()
	}
	for i, ph := range present {
		var why error
		switch {
		case err != nil:
			why = err
		case bad[ph.Rel]:
			why = &contentError{remote: rsyncTarget(r.s) + "/" + ph.Rel, how: "by rsync's checksum"}
		}
		if why != nil {
			r.log.Printf("Error uploading %s via rsync: %v", ph.Path, why)
			r.failed(ph, why)
			continue
		}
		hook("sent", i)
		if err := r.uploaded(ph, i, false); err != nil {
			r.log.Printf("Upload aborted: %v", err)
			r.status(fmt.Sprintf("Upload aborted. %d files uploaded OK", r.res.Uploaded), status.Red)
			return err
		}
	}
	if err := pruneRsyncLog(r.p, r.ledger); err != nil {
		r.log.Printf("%v", err)
	}
	if r.res.Failed > 0 {
		r.status(fmt.Sprintf("%d of %d files uploaded OK", r.res.Uploaded, len(present))+r.why(), r.colour(len(present)))
		return nil
	}
	r.status(fmt.Sprintf("%d files uploaded OK", r.res.Uploaded), status.White)
	return nil
}

// newPhotos lists the photos not yet uploaded and counts them in the
// result; a store it cannot list aborts the run, saying so.
func (r *run) newPhotos() ([]Photo, error) {
	photos, err := NewPhotos(r.p, r.ledger)
	if err != nil {
		r.log.Printf("Upload aborted: %v", err)
		r.status("Upload aborted. Unable to list the photos", status.Red)
		return nil, err
	}
	r.res.New = len(photos)
	return photos, nil
}
