package transfer

import (
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func rsyncSettings(srv *sshdServer, addr, folder string) Settings {
	return Settings{TransferSettings: config.TransferSettings{Method: "rsync", RsyncUsername: srv.User, RsyncHost: addr, RsyncRemoteFolder: folder}}
}

func TestRsyncCycle(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	s := rsyncSettings(srv, srv.Addr, remote+`\\site`)
	first := makePhotos(t, p, "100CANON", 1, 5, 70_000)
	var prog [][2]int
	res, err := Run(t.Context(), p, s, func(i, n int) { prog = append(prog, [2]int{i, n}) })
	if err != nil || res.Status != "5 files uploaded OK" || res.Uploaded != 5 || res.Colour != status.White {
		t.Fatalf("first: %+v %v\n%s", res, err, readLog(t, p))
	}
	if len(prog) != 5 || prog[4] != [2]int{5, 5} {
		t.Fatalf("progress %v", prog)
	}
	checkRemote(t, p, filepath.Join(remote, "site"), first)
	if got := sortedCopy(ledgerLines(t, p)); strings.Join(got, ",") != strings.Join(first, ",") {
		t.Fatalf("ledger %v", got)
	}
	rl, _ := os.ReadFile(p.RsyncLog())
	if strings.Contains(string(rl), "] Copied ") && strings.Contains(string(rl), ".JPG") {
		t.Fatalf("confirmed Copied lines left in the rsync log:\n%s", rl)
	}
	if res := mustRun(t, p, s); res.Status != "No files to upload" {
		t.Fatalf("second: %+v", res)
	}
	more := makePhotos(t, p, "101CANON", 1, 2, 10_000)
	if res := mustRun(t, p, s); res.Status != "2 files uploaded OK" {
		t.Fatalf("third: %+v\n%s", res, readLog(t, p))
	}
	checkRemote(t, p, filepath.Join(remote, "site"), more)
	if n := len(ledgerLines(t, p)); n != 7 {
		t.Fatalf("ledger %d", n)
	}
}

// A run cut off (both attempts) records nothing, though rsync has already
// logged "Copied" lines; the next clean run confirms and records them.
func TestRsyncCutOffThenRecovered(t *testing.T) {
	srv := startSSHD(t)
	proxy := startCutProxy(t, srv.Addr)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	s := rsyncSettings(srv, proxy.Addr, remote)
	s.DeleteAfterTransfer = true
	locals := makePhotos(t, p, "100CANON", 1, 6, 300_000)
	sums := map[string]string{}
	for _, l := range locals {
		sums[l] = sumFile(t, l)
	}
	proxy.cutBytes.Store(700_000)
	proxy.cutConns.Store(2)
	res := mustRun(t, p, s)
	if res.Uploaded != 0 || res.Colour != status.Red || !strings.HasPrefix(res.Status, "rsync error") {
		t.Fatalf("cut run: %+v\n%s", res, readLog(t, p))
	}
	if proxy.cutsMade.Load() != 2 {
		t.Fatalf("%d cuts", proxy.cutsMade.Load())
	}
	if !strings.Contains(readLog(t, p), "rsync attempt 2") {
		t.Fatal("no second attempt")
	}
	if len(ledgerLines(t, p)) != 0 {
		t.Fatal("a cut-off run recorded photos")
	}
	rl, _ := os.ReadFile(p.RsyncLog())
	if !strings.Contains(string(rl), "] Copied ") {
		t.Fatalf("expected rsync's Copied lines from the cut run:\n%s", rl)
	}
	for _, l := range locals {
		if _, err := os.Stat(l); err != nil {
			t.Fatal("deleted after a cut-off run")
		}
	}
	if res := mustRun(t, p, s); res.Status != "6 files uploaded OK" || res.Deleted != 6 {
		t.Fatalf("recovery: %+v\n%s", res, readLog(t, p))
	}
	for _, l := range locals {
		rel, _ := filepath.Rel(p.Photos(), l)
		if got := sumFile(t, filepath.Join(remote, rel)); got != sums[l] {
			t.Fatalf("%s damaged on the server", rel)
		}
		if _, err := os.Stat(l); !os.IsNotExist(err) {
			t.Fatalf("%s not deleted after its confirmed upload", l)
		}
	}
}

func TestRsyncFailures(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	makePhotos(t, p, "100CANON", 1, 2, 1000)

	port := testutil.FreePort(t)
	res := mustRun(t, p, rsyncSettings(srv, "127.0.0.1:"+itoa(port), t.TempDir()))
	if res.Status != "rsync error: Connection refused" || res.Colour != status.Red {
		t.Fatalf("refused: %+v\n%s", res, readLog(t, p))
	}

	res = mustRun(t, p, rsyncSettings(srv, srv.Addr, "/sys/intvlm8r-test"))
	if !strings.HasPrefix(res.Status, "rsync error: ") || !strings.Contains(res.Status, "(1)") {
		t.Fatalf("mkdir: %+v\n%s", res, readLog(t, p))
	}

	other := newHome(t) // a key the server does not know
	GenerateSSHKey(other, "")
	makePhotos(t, other, "100CANON", 1, 1, 1000)
	res = mustRun(t, other, rsyncSettings(srv, srv.Addr, t.TempDir()))
	if res.Status != "rsync error: permission denied" {
		t.Fatalf("denied: %+v\n%s", res, readLog(t, other))
	}
	if strings.Contains(readLog(t, other), "rsync attempt 2") {
		t.Fatal("retried a refused login")
	}

	// Trust the host, then change its key.
	remote := t.TempDir()
	if res := mustRun(t, p, rsyncSettings(srv, srv.Addr, remote)); res.Status != "2 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	srv.newHostKey(t)
	srv.restart(t)
	makePhotos(t, p, "100CANON", 10, 1, 1000)
	res = mustRun(t, p, rsyncSettings(srv, srv.Addr, remote))
	if res.Status != "rsync host key verification failed" {
		t.Fatalf("changed key: %+v\n%s", res, readLog(t, p))
	}
	if n := len(ledgerLines(t, p)); n != 2 {
		t.Fatalf("ledger %d", n)
	}
}
