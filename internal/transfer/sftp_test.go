package transfer

import (
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func goSFTPSettings(s *goSFTP, folder string) Settings {
	return Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: "sftp://" + s.Addr, SFTPUser: s.User, SFTPPassword: s.Pass, SFTPRemoteFolder: folder}}
}

func TestSFTPPasswordGoServer(t *testing.T) {
	srv := startGoSFTP(t)
	p := newHome(t)
	remote := t.TempDir()
	runCycle(t, p, goSFTPSettings(srv, remote+`\\pi\\`), filepath.Join(remote, "pi"), "No files to upload")
	kh, err := os.ReadFile(p.KnownHosts())
	if err != nil || !strings.Contains(string(kh), srv.Addr[strings.LastIndex(srv.Addr, ":")+1:]) {
		t.Fatalf("host key not recorded on first use: %v %q", err, kh)
	}
	// Remote mtimes follow the photos'.
	fi, err := os.Stat(filepath.Join(remote, "pi", "DCIM", "100CANON", "IMG_0001.JPG"))
	if err != nil || !fi.ModTime().Equal(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("remote mtime %v %v", fi.ModTime(), err)
	}
}

func TestSFTPWrongPassword(t *testing.T) {
	srv := startGoSFTP(t)
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := goSFTPSettings(srv, t.TempDir())
	s.SFTPPassword = "guess"
	res := mustRun(t, p, s)
	if res.Status != "SFTP Authentication failed" || res.Colour != status.Red || len(ledgerLines(t, p)) != 0 {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	checkNoPasswords(t, p, "guess", srv.Pass)
}

func TestSFTPChangedHostKey(t *testing.T) {
	srv := startGoSFTP(t)
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := goSFTPSettings(srv, t.TempDir())
	if res := mustRun(t, p, s); res.Uploaded != 2 {
		t.Fatalf("%+v", res)
	}
	srv.newHostKey(t) // the server is "rebuilt", or someone sits in the middle
	makePhotos(t, p, "100CANON", 10, 2, 1000)
	res := mustRun(t, p, s)
	if res.Status != "SFTP Unable to verify server's host key" || res.Colour != status.Red {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	if len(ledgerLines(t, p)) != 2 {
		t.Fatal("files recorded over a refused host key")
	}
}

func TestSFTPPermissionDenied(t *testing.T) {
	srv := startGoSFTP(t)
	srv.readOnly.Store(true)
	p := newHome(t)
	locals := makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := goSFTPSettings(srv, t.TempDir())
	s.DeleteAfterTransfer = true
	res := mustRun(t, p, s)
	if !strings.HasPrefix(res.Status, "0 of 2 files uploaded OK. IMG_0001.JPG: mkdir ") || !strings.HasSuffix(res.Status, ": permission denied (and 1 more)") || res.Failed != 2 || len(ledgerLines(t, p)) != 0 {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	if !strings.Contains(readLog(t, p), "Error on second attempt") {
		t.Fatal("no retry")
	}
	for _, l := range locals {
		if _, err := os.Stat(l); err != nil {
			t.Fatal("photo deleted although not uploaded")
		}
	}
}

func TestSFTPDroppedMidFile(t *testing.T) {
	srv := startGoSFTP(t)
	p := newHome(t)
	locals := makePhotos(t, p, "100CANON", 1, 3, 600_000)
	remote := t.TempDir()
	srv.dropAfter.Store(900_000) // the first session dies inside the second photo
	res := mustRun(t, p, goSFTPSettings(srv, remote))
	if res.Status != "3 of 3 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	if !strings.Contains(readLog(t, p), "Error on  first attempt uploading "+locals[1]) {
		t.Fatalf("the cut was not seen:\n%s", readLog(t, p))
	}
	checkRemote(t, p, remote, locals)
}

func TestSFTPUnreachableAndSilent(t *testing.T) {
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	port := testutil.FreePort(t)
	res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: "127.0.0.1:" + itoa(port), SFTPUser: "u", SFTPPassword: "p"}})
	if res.Status != "SFTP Unable to establish SSH connection" {
		t.Fatalf("refused: %+v", res)
	}
	// A server that accepts and then says nothing must not hang the run.
	res = mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: testutil.SilentServer(t), SFTPUser: "u", SFTPPassword: "p"}, Timeout: time.Second})
	if res.Status != "SFTP timed out connecting to 127.0.0.1" {
		t.Fatalf("silent: %+v\n%s", res, readLog(t, p))
	}
	if len(ledgerLines(t, p)) != 0 {
		t.Fatal("recorded without a server")
	}
}

// sshdHome makes a home whose generated key the real sshd accepts.
func sshdHome(t *testing.T, srv *sshdServer) paths.Paths {
	t.Helper()
	p := newHome(t)
	pub, created, err := GenerateSSHKey(p, "intvlm8r-test")
	if err != nil || !created {
		t.Fatalf("GenerateSSHKey: %v created=%v", err, created)
	}
	srv.authorize(t, pub)
	return p
}

func TestSFTPKeyRealSSHD(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	s := Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: srv.Addr, SFTPUser: srv.User, SFTPRemoteFolder: remote}}
	runCycle(t, p, s, remote, "No files to upload")

	// Remote permission denied: the kernel refuses folders under /sys even to root.
	makePhotos(t, p, "102CANON", 1, 1, 1000)
	s2 := s
	s2.SFTPRemoteFolder = "/sys/intvlm8r-test"
	res := mustRun(t, p, s2)
	if res.Status != "0 of 1 files uploaded OK. IMG_0001.JPG: mkdir /sys/intvlm8r-test: permission denied" || res.Failed != 1 {
		t.Fatalf("denied: %+v\n%s", res, readLog(t, p))
	}

	// A changed host key is refused.
	srv.newHostKey(t)
	srv.restart(t)
	res = mustRun(t, p, s)
	if res.Status != "SFTP Unable to verify server's host key" {
		t.Fatalf("changed key: %+v\n%s", res, readLog(t, p))
	}
	if n := len(ledgerLines(t, p)); n != 10 {
		t.Fatalf("ledger %d entries, want 10", n)
	}
}

func TestSFTPKeyNotAuthorised(t *testing.T) {
	srv := startSSHD(t)
	p := newHome(t)
	if _, _, err := GenerateSSHKey(p, ""); err != nil {
		t.Fatal(err)
	}
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: srv.Addr, SFTPUser: srv.User, SFTPRemoteFolder: t.TempDir()}})
	if res.Status != "SFTP Authentication failed" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
}
