package transfer

import (
	"context"
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// Tests that pin the small rules of a run that mutation testing found
// unguarded (docs/mutants.md). Named TestRun*/TestUpload* so the mutants
// plan (scripts/mutants.plan) selects them.

func TestRunSettingsDefaults(t *testing.T) {
	if got := (Settings{}).timeout(); got != 30*time.Second {
		t.Errorf("no timeout set: %v, want 30s", got)
	}
	if got := (Settings{Timeout: 5 * time.Second}).timeout(); got != 5*time.Second {
		t.Errorf("timeout 5s: %v", got)
	}
	for in, want := range map[string]string{
		"FTP": MethodFTP, " ftp ": MethodFTP, "sftp": MethodSFTP, "DROPBOX": MethodDropbox, "Rsync": MethodRsync,
		"off": MethodOff, "": MethodOff, "  ": MethodOff, "Google Drive": "",
	} {
		if got := (Settings{TransferSettings: config.TransferSettings{Method: in}}).method(); got != want {
			t.Errorf("method %q: %q, want %q", in, got, want)
		}
	}
}

func TestRunStatusText(t *testing.T) {
	for _, c := range []struct {
		uploaded, failed, unconfirmed, n int
		first                            string
		why                              string
		colour                           status.Colour
	}{
		{2, 0, 0, 2, "", "", status.White},
		{0, 2, 0, 2, "a.JPG: x", ". a.JPG: x (and 1 more)", status.Red},
		{1, 1, 0, 2, "a.JPG: x", ". a.JPG: x", status.Orange},
		{0, 3, 0, 3, "a.JPG: x", ". a.JPG: x (and 2 more)", status.Red},
		{2, 0, 2, 2, "", ". 2 " + unconfirmedNote, status.Orange},
		{1, 1, 1, 2, "a.JPG: x", ". a.JPG: x. 1 " + unconfirmedNote, status.Orange},
	} {
		r := &run{firstFail: c.first, unconfirmed: c.unconfirmed}
		r.res.Uploaded, r.res.Failed = c.uploaded, c.failed
		if got := r.why(); got != c.why {
			t.Errorf("%+v: why %q, want %q", c, got, c.why)
		}
		if got := r.colour(c.n); got != c.colour {
			t.Errorf("%+v: colour %v, want %v", c, got, c.colour)
		}
	}
	// The first failure's reason is kept; a lost connection says so.
	r := &run{}
	r.failed(Photo{Path: "/p/DCIM/1/a.JPG"}, nil)
	r.failed(Photo{Path: "/p/DCIM/1/b.JPG"}, errors.New("second"))
	if r.firstFail != "a.JPG: connection lost" || r.res.Failed != 2 {
		t.Errorf("first failure %q, failed %d", r.firstFail, r.res.Failed)
	}
	r = &run{}
	r.failed(Photo{Path: "/p/DCIM/1/a.JPG"}, &keptError{remote: "/r/a.JPG", kept: 5, sent: 10})
	if r.firstFail != "a.JPG: the server kept 5 of 10 bytes" {
		t.Errorf("first failure %q", r.firstFail)
	}
	if got := noFilesText(MethodFTP) + "|" + noFilesText(MethodDropbox) + "|" + noFilesText(MethodSFTP) + "|" + noFilesText(MethodRsync); got != "No new files to upload|No new files to upload|No files to upload|No files to upload" {
		t.Errorf("no files texts %q", got)
	}
	if got := (&Failure{Status: "Dropbox is full"}).Error(); got != "Dropbox is full" {
		t.Errorf("failure without an error: %q", got)
	}
	if got := (&Failure{Status: "Dropbox is full", Err: errors.New("507")}).Error(); got != "Dropbox is full: 507" {
		t.Errorf("failure with an error: %q", got)
	}
	if got := (&contentError{remote: "/r", how: "h"}).Error(); got != "/r: the server's copy differs from the photo (h)" {
		t.Errorf("content error %q", got)
	}
	if got := (&contentError{remote: "/r", how: "h", detail: "d"}).Error(); got != "/r: the server's copy differs from the photo (h): d" {
		t.Errorf("content error %q", got)
	}
}

// A photo the server refuses is tried twice, never a third time; the next
// photo is tried once and goes.
func TestUploadTwoTriesPerPhoto(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	locals := makePhotos(t, p, "100CANON", 1, 2, 1000)
	fake.malformed = "/DCIM/100CANON/IMG_0001.JPG"
	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k", DeleteAfterTransfer: true}, Dropbox: fake.api()}
	res := mustRun(t, p, s)
	if res.Uploaded != 1 || res.Failed != 1 || res.Deleted != 1 {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	log := readLog(t, p)
	if n := strings.Count(log, "Uploading "+locals[0]+"\n"); n != 2 {
		t.Fatalf("the refused photo was tried %d times, want 2:\n%s", n, log)
	}
	if n := strings.Count(log, "Uploading "+locals[1]+"\n"); n != 1 {
		t.Fatalf("the accepted photo was sent %d times, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, "Error on  first attempt uploading "+locals[0]) || !strings.Contains(log, "Error on second attempt uploading "+locals[0]) {
		t.Fatalf("the two attempts are not logged:\n%s", log)
	}
	if _, err := os.Stat(locals[0]); err != nil {
		t.Fatalf("the refused photo was deleted: %v", err)
	}
	// The run's delete journal is gone, and its removal reported no trouble.
	if _, err := os.Stat(p.DeleteJournal()); !os.IsNotExist(err) {
		t.Fatalf("delete journal left after a finished run: %v", err)
	}
	if strings.Contains(log, "delete journal:") {
		t.Fatalf("delete journal trouble logged:\n%s", log)
	}
	if got := ledgerLines(t, p); len(got) != 1 || got[0] != locals[1] {
		t.Fatalf("ledger %v", got)
	}
}

// A run cancelled before its first photo is sent records nothing and
// deletes nothing: a photo is recorded only on the server's answer.
func TestUploadCancelledBeforeTheFirstPhotoRecordsNothing(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	locals := makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k", DeleteAfterTransfer: true}, Dropbox: fake.api()}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	res, err := Run(ctx, p, s, func(i, n int) { cancel() })
	if !errors.Is(err, context.Canceled) || res.Uploaded != 0 || res.Deleted != 0 || !strings.HasPrefix(res.Status, "Upload cancelled. 0 of 2") {
		t.Fatalf("%+v %v\n%s", res, err, readLog(t, p))
	}
	if got := ledgerLines(t, p); len(got) != 0 {
		t.Fatalf("ledger after a cancelled run: %v", got)
	}
	for _, l := range locals {
		if _, err := os.Stat(l); err != nil {
			t.Fatalf("%s deleted by a cancelled run: %v", l, err)
		}
	}
}
