package transfer

import (
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func ftpSettings(s *ftpServer, folder string) Settings {
	return Settings{TransferSettings: config.TransferSettings{Method: "FTP", FTPServer: "ftp://" + s.Addr, FTPUser: s.User, FTPPassword: s.Pass, FTPRemoteFolder: folder}}
}

// runCycle: a first run uploads everything, a second nothing, new photos go next run.
func runCycle(t *testing.T, p paths.Paths, s Settings, remoteRoot, noneText string) {
	t.Helper()
	first := makePhotos(t, p, "100CANON", 1, 5, 70_000)
	second := makePhotos(t, p, "101CANON", 1, 2, 150_000)
	all := append(first, second...)
	var prog [][2]int
	res, err := Run(t.Context(), p, s, func(i, n int) { prog = append(prog, [2]int{i, n}) })
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, readLog(t, p))
	}
	if res.Uploaded != 7 || res.New != 7 || res.Status != "7 of 7 files uploaded OK" || res.Colour != status.White {
		t.Fatalf("first run: %+v\n%s", res, readLog(t, p))
	}
	if len(prog) != 7 || prog[0] != [2]int{1, 7} || prog[6] != [2]int{7, 7} {
		t.Fatalf("progress calls %v", prog)
	}
	checkRemote(t, p, remoteRoot, all)
	if got := sortedCopy(ledgerLines(t, p)); strings.Join(got, "\n") != strings.Join(sortedCopy(all), "\n") {
		t.Fatalf("ledger %v, want %v", got, all)
	}

	res = mustRun(t, p, s)
	if res.Uploaded != 0 || res.Status != noneText || res.Colour != status.White {
		t.Fatalf("second run: %+v\n%s", res, readLog(t, p))
	}

	newer := makePhotos(t, p, "101CANON", 50, 3, 40_000)
	res = mustRun(t, p, s)
	if res.Uploaded != 3 || res.Status != "3 of 3 files uploaded OK" {
		t.Fatalf("third run: %+v\n%s", res, readLog(t, p))
	}
	checkRemote(t, p, remoteRoot, newer)
	if n := len(ledgerLines(t, p)); n != 10 {
		t.Fatalf("ledger has %d entries, want 10", n)
	}
	checkNoPasswords(t, p, s.FTPPassword, s.SFTPPassword)
}

func TestFTPPassive(t *testing.T) {
	srv := startFTP(t, ftpOpts{})
	p := newHome(t)
	runCycle(t, p, ftpSettings(srv, `photos\\site1`), filepath.Join(srv.Root, "photos", "site1"), "No new files to upload")
	if !strings.Contains(readLog(t, p), "mode=passive") {
		t.Fatal("passive mode not logged")
	}
}

func TestFTPActive(t *testing.T) {
	srv := startFTP(t, ftpOpts{})
	p := newHome(t)
	s := ftpSettings(srv, "/act")
	s.FTPActive = true
	runCycle(t, p, s, filepath.Join(srv.Root, "act"), "No new files to upload")
}

func TestFTPS(t *testing.T) {
	srv := startFTP(t, ftpOpts{tls: true})
	for _, active := range []bool{false, true} {
		p := newHome(t)
		all := makePhotos(t, p, "100CANON", 1, 3, 100_000)
		s := ftpSettings(srv, "tls")
		s.FTPTLS, s.FTPTLSInsecure, s.FTPActive = true, true, active
		res := mustRun(t, p, s)
		if res.Status != "3 of 3 files uploaded OK" {
			t.Fatalf("active=%v: %+v\n%s", active, res, readLog(t, p))
		}
		checkRemote(t, p, filepath.Join(srv.Root, "tls"), all)
	}
	// Without trusting the self-signed certificate the login is refused.
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	s := ftpSettings(srv, "tls")
	s.FTPTLS = true
	res := mustRun(t, p, s)
	if res.Status != "FTP connection failed" || res.Colour != status.Red || len(ledgerLines(t, p)) != 0 {
		t.Fatalf("untrusted certificate: %+v", res)
	}
}

func TestFTPWrongPassword(t *testing.T) {
	srv := startFTP(t, ftpOpts{})
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := ftpSettings(srv, "x")
	s.FTPPassword = "not-the-password"
	res := mustRun(t, p, s)
	if res.Status != "FTP login failed" || res.Colour != status.Red || len(ledgerLines(t, p)) != 0 {
		t.Fatalf("%+v", res)
	}
	checkNoPasswords(t, p, s.FTPPassword)
}

func TestFTPUnreachable(t *testing.T) {
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 2, 1000)
	port := testutil.FreePort(t) // nothing listens there
	s := Settings{TransferSettings: config.TransferSettings{Method: "FTP", FTPServer: "127.0.0.1:" + strconv.Itoa(port), FTPUser: "u", FTPPassword: "p"}}
	res := mustRun(t, p, s)
	if res.Status != "FTP connection failed" || len(ledgerLines(t, p)) != 0 {
		t.Fatalf("%+v", res)
	}
	// A server that accepts but never greets fails after the timeout, not never.
	s.FTPServer, s.Timeout = testutil.SilentServer(t), time.Second
	for _, active := range []bool{false, true} {
		s.FTPActive = active
		if res := mustRun(t, p, s); res.Status != "FTP connection failed" {
			t.Fatalf("silent server, active=%v: %+v", active, res)
		}
	}
}

func TestFTPPermissionDenied(t *testing.T) {
	srv := startFTP(t, ftpOpts{perm: "elr"})
	p := newHome(t)
	locals := makePhotos(t, p, "100CANON", 1, 2, 1000)
	s := ftpSettings(srv, "ro")
	s.DeleteAfterTransfer = true
	res := mustRun(t, p, s)
	if !strings.HasPrefix(res.Status, "0 of 2 files uploaded OK. IMG_0001.JPG: ") || res.Colour != status.Red || res.Failed != 2 {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	log := readLog(t, p)
	if strings.Count(log, "Error on  first attempt") != 2 || strings.Count(log, "Error on second attempt") != 2 {
		t.Fatalf("expected a retry per file:\n%s", log)
	}
	if len(ledgerLines(t, p)) != 0 {
		t.Fatal("a refused upload was recorded")
	}
	for _, l := range locals {
		if _, err := os.Stat(l); err != nil {
			t.Fatalf("photo deleted although not uploaded: %v", err)
		}
	}
}

func TestFTPDroppedMidFile(t *testing.T) {
	srv := startFTP(t, ftpOpts{dropOnce: "IMG_0002.JPG"})
	p := newHome(t)
	locals := makePhotos(t, p, "100CANON", 1, 4, 400_000)
	res := mustRun(t, p, ftpSettings(srv, "drop"))
	if res.Status != "4 of 4 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	log := readLog(t, p)
	if !strings.Contains(log, "Error on  first attempt uploading "+locals[1]) {
		t.Fatalf("the cut was not seen:\n%s", log)
	}
	checkRemote(t, p, filepath.Join(srv.Root, "drop"), locals)
}
