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
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// Colours of a result, as the progress banner uses them.
const (
	White  = "white"
	Orange = "orange"
	Red    = "red"
)

// Settings are the [Transfer] keys a run needs; the caller fills them from
// the INI.
type Settings struct {
	Method string // tfrmethod: Off, FTP, SFTP, Dropbox, rsync (case-insensitive)

	FTPServer       string // host[:port], an ftp:// prefix is ignored
	FTPUser         string
	FTPPassword     string
	FTPRemoteFolder string
	FTPActive       bool // active mode (PORT/EPRT), as the original always; else passive
	FTPTLS          bool // explicit FTPS (AUTH TLS), control and data protected
	FTPTLSInsecure  bool // accept any server certificate (self-signed NAS)

	SFTPServer       string // host[:port], an sftp:// prefix is ignored
	SFTPUser         string
	SFTPPassword     string // optional when a key in ~/.ssh is authorised
	SFTPRemoteFolder string

	DropboxAppKey string     // dbx_app_key; the refresh token is in ~/www/Dropbox_token.txt
	Dropbox       DropboxAPI // zero: the real Dropbox

	RsyncUser         string // rsyncusername
	RsyncHost         string // rsynchost, host[:port]
	RsyncRemoteFolder string

	DeleteAfterTransfer bool

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
	Colour   string // White, Orange or Red
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
	res         Result
	derivedGone []string // photos (below DCIM) deleted after upload: their thumbs, previews and info lines go

	journalUsed bool
}

func (r *run) status(text, colour string) {
	r.log.Status(text)
	r.res.Status, r.res.Colour = text, colour
}

// Run performs one upload with settings s; progress (may be nil) is called
// with (i, n) before photo i of n. Remote trouble is reported in the Result
// (and the log); the error is for local trouble (the ledger cannot be
// written, the log cannot be opened), cancellation, or ErrBusy.
func Run(ctx context.Context, p paths.Paths, s Settings, progress func(i, n int)) (Result, error) {
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
	r := &run{ctx: ctx, p: p, s: s, log: l, progress: progress}
	l.line("") // the original's separator between runs
	m := s.method()
	r.res.Method = m
	switch m {
	case "":
		r.status("Upload aborted. tfrMethod="+oneLine(s.Method), Orange)
		return r.res, nil
	case MethodOff:
		r.status("Upload aborted. tfrMethod=Off", Orange)
		return r.res, nil
	}
	r.status("Commencing upload using "+m, White)
	r.logSettings(m)

	r.ledger, err = OpenLedger(p)
	if err != nil {
		l.Printf("Upload aborted: %v", err)
		r.status("Upload aborted. "+err.Error(), Red)
		return r.res, err
	}
	defer r.flushDerived()
	r.replayDeletions()
	defer r.clearJournal()

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
			s.RsyncUser, s.RsyncHost, NormaliseRemoteFolder(s.RsyncRemoteFolder))
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

func countColour(ok, n int) string {
	switch {
	case ok == n:
		return White
	case ok == 0:
		return Red
	}
	return Orange
}

// runFiles is the FTP/SFTP/Dropbox loop: connect, list, two tries per photo.
func (r *run) runFiles(u Uploader, m string) error {
	ctx := r.ctx
	if err := u.Connect(ctx); err != nil {
		if ctx.Err() != nil {
			r.status(m+" upload cancelled", Orange)
			return ctx.Err()
		}
		var f *Failure
		if errors.As(err, &f) {
			r.status(f.Status, Red)
		} else {
			r.log.Printf("%s connect error: %v", m, err)
			r.status(m+" connection failed", Red)
		}
		return nil
	}
	defer u.Close()

	photos, err := NewPhotos(r.p, r.ledger)
	if err != nil {
		r.log.Printf("Upload aborted: %v", err)
		r.status("Upload aborted. Unable to list the photos", Red)
		return err
	}
	n := len(photos)
	r.res.New = n
	if n == 0 {
		r.status(noFilesText(m), White)
		return nil
	}
	var fatal *Failure
	lost := false
	for i, ph := range photos {
		if r.progress != nil {
			r.progress(i+1, n)
		}
		remote := r.remoteFor(m, ph)
		var uerr error
		for attempt := 0; attempt < 2; attempt++ {
			if attempt > 0 {
				if err := sleepCtx(ctx, time.Second); err != nil {
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
			if uerr == nil {
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
		if uerr != nil || lost {
			r.res.Failed++
		} else if err := r.uploaded(ph); err != nil {
			r.log.Printf("Upload aborted: %v", err)
			r.status(fmt.Sprintf("Upload aborted. %d of %d files uploaded OK", r.res.Uploaded, n), Red)
			return err
		}
		if ctx.Err() != nil {
			r.status(fmt.Sprintf("Upload cancelled. %d of %d files uploaded OK", r.res.Uploaded, n), Orange)
			return ctx.Err()
		}
		if fatal != nil || lost {
			break
		}
	}
	if fatal != nil {
		r.status(fatal.Status, Red)
		return nil
	}
	if lost {
		r.log.Printf("Lost the connection to the %s server; the rest wait for the next run", m)
	}
	r.status(fmt.Sprintf("%d of %d files uploaded OK", r.res.Uploaded, n), countColour(r.res.Uploaded, n))
	return nil
}

// uploaded records a confirmed photo and, if asked, then deletes it. With
// deletion on, the photo first goes into the delete journal: a power cut
// after the ledger record but before the deletion is finished next run.
func (r *run) uploaded(ph Photo) error {
	if r.s.DeleteAfterTransfer {
		if err := fileutil.AppendLine(r.p.DeleteJournal(), ph.Path+"\n"); err != nil {
			return fmt.Errorf("delete journal: %w", err)
		}
		r.journalUsed = true
	}
	if err := r.ledger.Record(ph.Path); err != nil {
		return err
	}
	r.res.Uploaded++
	r.log.Printf(" Uploaded %s", ph.Path)
	if !r.s.DeleteAfterTransfer {
		return nil
	}
	r.deleteUploaded(ph)
	return nil
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
// not was never recorded, so the photo simply waits for its upload.
func (r *run) replayDeletions() {
	data, err := os.ReadFile(r.p.DeleteJournal())
	if err != nil {
		return
	}
	r.journalUsed = true
	photosDir, _ := filepath.Abs(r.p.Photos())
	for _, line := range strings.Split(string(data), "\n") {
		path := strings.TrimSpace(line)
		if path == "" || !r.ledger.Has(path) {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			continue
		}
		rel, err := filepath.Rel(photosDir, path)
		if err != nil || strings.HasPrefix(rel, "..") {
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
	photos, err := NewPhotos(r.p, r.ledger)
	if err != nil {
		r.log.Printf("Upload aborted: %v", err)
		r.status("Upload aborted. Unable to list the photos", Red)
		return err
	}
	n := len(photos)
	r.res.New = n
	if n == 0 {
		if err := pruneRsyncLog(r.p, r.ledger); err != nil {
			r.log.Printf("%v", err)
		}
		r.status(noFilesText(MethodRsync), White)
		return nil
	}
	want := make(map[string]int, n)
	for i, ph := range photos {
		want[ph.Rel] = i
	}
	last := ""
	ok, err := rr.syncTree(r.ctx, want, n, r.progress, func(s string) { last = s; r.log.Status(s) })
	if err != nil {
		r.status(fmt.Sprintf("Upload cancelled. 0 of %d files uploaded OK", n), Orange)
		return err
	}
	if !ok {
		r.res.Failed = n
		if last == "" {
			last = "rsync error"
		}
		r.res.Status, r.res.Colour = last, Red
		return nil
	}
	after, err := rsyncCopied(r.p)
	if err != nil {
		r.log.Printf("%v", err)
	}
	r.log.Printf("rsync log names %d file(s) sent", len(after))
	for _, ph := range photos {
		if _, err := statRegular(ph.Path); err != nil {
			continue // vanished during the run
		}
		if err := r.uploaded(ph); err != nil {
			r.log.Printf("Upload aborted: %v", err)
			r.status(fmt.Sprintf("Upload aborted. %d files uploaded OK", r.res.Uploaded), Red)
			return err
		}
	}
	if err := pruneRsyncLog(r.p, r.ledger); err != nil {
		r.log.Printf("%v", err)
	}
	r.status(fmt.Sprintf("%d files uploaded OK", r.res.Uploaded), White)
	return nil
}
