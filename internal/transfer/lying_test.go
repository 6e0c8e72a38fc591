package transfer

import (
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Servers that answer every upload with success but keep the wrong bytes.
// After a run against one, each photo is reported failed with the reason
// (piTransfer.log and the run's status), none is in the ledger, all are
// still on the Pi; the next run against an honest server uploads them.

// checkLiedTo asserts what a run against a lying server must leave.
func checkLiedTo(t *testing.T, p paths.Paths, res Result, locals []string, reason string) {
	t.Helper()
	log := readLog(t, p)
	if res.Uploaded != 0 || res.Failed != len(locals) || res.Deleted != 0 || res.Colour != status.Red {
		t.Fatalf("lied to: %+v\n%s", res, log)
	}
	if !strings.Contains(res.Status, reason) {
		t.Fatalf("status %q does not give the reason %q", res.Status, reason)
	}
	for _, l := range locals {
		found := false
		for _, line := range strings.Split(log, "\n") {
			if strings.Contains(line, l) && strings.Contains(line, reason) {
				found = true
			}
		}
		if !found {
			t.Fatalf("no log line gives %q for %s:\n%s", reason, l, log)
		}
		if _, err := os.Stat(l); err != nil {
			t.Fatalf("%s deleted after a lie: %v", l, err)
		}
	}
	if got := ledgerLines(t, p); len(got) != 0 {
		t.Fatalf("ledger after a lie: %v", got)
	}
}

// checkHonestAfterLie runs again (the server now honest): all uploaded,
// recorded, deleted, and the remote copies complete.
func checkHonestAfterLie(t *testing.T, p paths.Paths, s Settings, locals []string, remote func(rel string) ([]byte, bool)) {
	t.Helper()
	sums := map[string]string{}
	for _, l := range locals {
		sums[l] = sumFile(t, l)
	}
	res := mustRun(t, p, s)
	if res.Uploaded != len(locals) || res.Failed != 0 || res.Deleted != len(locals) || res.Colour != status.White {
		t.Fatalf("honest run: %+v\n%s", res, readLog(t, p))
	}
	for _, l := range locals {
		rel, _ := filepath.Rel(p.Photos(), l)
		data, ok := remote(rel)
		if !ok || sha(data) != sums[l] {
			t.Fatalf("%s not complete on the honest server", rel)
		}
	}
	if got, want := sortedCopy(ledgerLines(t, p)), sortedCopy(locals); !slices.Equal(got, want) {
		t.Fatalf("ledger %v, want %v", got, want)
	}
}

const keptHalf = "the server kept "

func TestLyingFTP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		without []string
		active  bool
	}{
		{"half", nil, false},
		{"half-active", nil, true},
		{"noSIZE-MLST", []string{"SIZE"}, false},
		{"noSIZE-MLST-active", []string{"SIZE"}, true},
		{"noSIZE-noMLST-LIST", []string{"SIZE", "MLST", "MLSD"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startFTP(t, ftpOpts{lie: "half", without: tc.without})
			p := newHome(t)
			locals := makePhotos(t, p, "100CANON", 1, 2, 70_000)
			s := ftpSettings(srv, "lied")
			s.FTPActive, s.DeleteAfterTransfer = tc.active, true
			checkLiedTo(t, p, mustRun(t, p, s), locals, keptHalf+"35000 of 70000 bytes")
			srv.honest(t)
			checkHonestAfterLie(t, p, s, locals, fileOf(filepath.Join(srv.Root, "lied")))
		})
	}
}

// A server that answers none of SIZE, MLST or LIST cannot confirm what it
// holds: the photos are recorded on its word and kept on the Pi, and the log
// and the status say so.
func TestLyingFTPCannotTell(t *testing.T) {
	t.Parallel()
	for _, active := range []bool{false, true} {
		srv := startFTP(t, ftpOpts{lie: "half", without: []string{"SIZE", "MLST", "MLSD", "LIST", "NLST", "STAT"}})
		p := newHome(t)
		locals := makePhotos(t, p, "100CANON", 1, 2, 70_000)
		s := ftpSettings(srv, "lied")
		s.FTPActive, s.DeleteAfterTransfer = active, true
		res := mustRun(t, p, s)
		if res.Uploaded != 2 || res.Deleted != 0 || res.Colour != status.Orange || !strings.Contains(res.Status, unconfirmedNote) {
			t.Fatalf("active=%v: %+v\n%s", active, res, readLog(t, p))
		}
		for _, l := range locals {
			if _, err := os.Stat(l); err != nil {
				t.Fatalf("active=%v: an unconfirmed upload was deleted: %v", active, err)
			}
			if !strings.Contains(readLog(t, p), "could not confirm the size of ") {
				t.Fatalf("active=%v: log does not say the size was not confirmed:\n%s", active, readLog(t, p))
			}
		}
	}
}

func TestLyingSFTP(t *testing.T) {
	t.Parallel()
	srv := startGoSFTP(t)
	srv.lieHalf.Store(true)
	p := newHome(t)
	locals := makePhotos(t, p, "100CANON", 1, 2, 70_000)
	remote := t.TempDir()
	s := goSFTPSettings(srv, remote)
	s.DeleteAfterTransfer = true
	checkLiedTo(t, p, mustRun(t, p, s), locals, keptHalf+"35000 of 70000 bytes")
	srv.lieHalf.Store(false)
	checkHonestAfterLie(t, p, s, locals, fileOf(remote))
}

func TestLyingDropbox(t *testing.T) {
	for _, tc := range []struct{ lie, reason string }{
		{"half", keptHalf + "35000 of 70000 bytes"},
		{"other", "other content"},
	} {
		for _, session := range []bool{false, true} {
			t.Run(tc.lie+map[bool]string{false: "", true: "-session"}[session], func(t *testing.T) {
				if session {
					oldT, oldC := dropboxSessionThreshold, dropboxChunk
					dropboxSessionThreshold, dropboxChunk = 50_000, 30_000
					t.Cleanup(func() { dropboxSessionThreshold, dropboxChunk = oldT, oldC })
				}
				fake := startFakeDropbox(t, "k")
				fake.lie = tc.lie
				p := dropboxHome(t, "rt-valid")
				locals := makePhotos(t, p, "100CANON", 1, 2, 70_000)
				s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k", DeleteAfterTransfer: true}, Dropbox: fake.api()}
				checkLiedTo(t, p, mustRun(t, p, s), locals, tc.reason)
				fake.mu.Lock()
				fake.lie = ""
				fake.mu.Unlock()
				checkHonestAfterLie(t, p, s, locals, fake.file)
			})
		}
	}
}

func TestLyingRsync(t *testing.T) {
	srv := startSSHD(t)
	script, _ := filepath.Abs("testdata/lying-rsync.sh")
	for _, lie := range []string{"half", "other"} {
		t.Run(lie, func(t *testing.T) {
			t.Parallel()
			p := newHome(t)
			pub, _, err := GenerateSSHKey(p, "intvlm8r-test")
			if err != nil {
				t.Fatal(err)
			}
			remote := t.TempDir()
			srv.setKey(t, pub, `command="`+script+` `+lie+` `+remote+`" `)
			locals := makePhotos(t, p, "100CANON", 1, 2, 70_000)
			s := rsyncSettings(srv, srv.Addr, remote)
			s.DeleteAfterTransfer = true
			checkLiedTo(t, p, mustRun(t, p, s), locals, "differs from the photo")
			srv.setKey(t, pub, "")
			checkHonestAfterLie(t, p, s, locals, fileOf(remote))
		})
	}
}

// honest restarts the FTP server on the same port and folder without its lies.
func (s *ftpServer) honest(t *testing.T) {
	t.Helper()
	var args []string
	for i := 0; i < len(s.args); i++ {
		if s.args[i] == "--lie" || s.args[i] == "--without" {
			i++
			continue
		}
		args = append(args, s.args[i])
	}
	s.stop()
	s.args = args
	s.start(t, "/usr/bin/python3", filepath.Join(filepath.Dir(s.Root), "ftpd-honest.log"))
}

func (f *fakeDropbox) file(rel string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ff, ok := f.files["/"+rel]
	return ff.data, ok
}
