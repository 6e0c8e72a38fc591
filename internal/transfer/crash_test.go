package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

const childEnv = "INTVLM8R_TRANSFER_CRASH_CHILD"

type childJob struct {
	Home     string
	Settings Settings
}

// TestCrashChild is the body of the child process the kill -9 test starts;
// run directly it does nothing.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return
	}
	var job childJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatal(err)
	}
	Run(t.Context(), paths.New(job.Home), job.Settings, nil)
}

// crashCycle kills a child uploading photos with SIGKILL a few times, at
// random points inside the upload, then runs cleanly and checks that every
// photo is on the server intact, the ledger is consistent and no photo was
// lost locally.
func crashCycle(t *testing.T, p paths.Paths, s Settings, remoteOf func(rel string) ([]byte, bool), kills int) {
	t.Helper()
	locals := makePhotos(t, p, "100CANON", 1, 100, 96_000)
	sums := map[string]string{}
	for _, l := range locals {
		sums[l] = sumFile(t, l)
	}
	job, _ := json.Marshal(childJob{Home: p.Home, Settings: s})
	killed := 0
	for k := 0; k < kills; k++ {
		startLog := readLogOr(p)
		before := strings.Count(startLog, "Uploading ")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+string(job))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		target := before + 1 + rand.IntN(8)
		deadline := time.Now().Add(20 * time.Second)
	wait:
		for time.Now().Before(deadline) {
			select {
			case <-done:
				break wait
			case <-time.After(3 * time.Millisecond):
			}
			log := readLogOr(p)
			if s.Method == MethodRsync {
				// rsync reports nothing per file to our log; kill somewhere in its run.
				if strings.Contains(log[min(len(log), len(startLog)):], "rsync attempt") {
					time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond)
					break
				}
			} else if strings.Count(log, "Uploading ") >= target {
				time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
				break
			}
		}
		select {
		case <-done:
		default:
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
		}
	}
	if killed == 0 {
		t.Fatal("no child was killed mid-run")
	}
	res := mustRun(t, p, s)
	if res.Colour != White || res.Failed != 0 {
		t.Fatalf("clean run after %d kills: %+v\n%s", killed, res, readLog(t, p))
	}
	// Every photo is on the server, intact.
	for _, l := range locals {
		rel, _ := filepath.Rel(p.Photos(), l)
		data, ok := remoteOf(rel)
		if !ok || sha(data) != sums[l] {
			t.Fatalf("%s missing or damaged on the server after %d kills", rel, killed)
		}
	}
	// The ledger names each photo exactly once.
	lines := ledgerLines(t, p)
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Fatalf("ledger lists %s twice", l)
		}
		seen[l] = true
		if _, ok := sums[l]; !ok {
			t.Fatalf("ledger names an unknown file %q", l)
		}
	}
	if len(seen) != len(locals) {
		t.Fatalf("ledger has %d photos, want %d", len(seen), len(locals))
	}
	// Locally: kept, or deleted only because recorded (and on the server, above).
	for _, l := range locals {
		_, err := os.Stat(l)
		if s.DeleteAfterTransfer != os.IsNotExist(err) {
			t.Fatalf("%s: exists=%v with deleteAfterTransfer=%v", l, err == nil, s.DeleteAfterTransfer)
		}
	}
	t.Logf("%s: %d kills, then %+v", s.Method, killed, res)
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func readLogOr(p paths.Paths) string {
	b, _ := os.ReadFile(p.TransferLog())
	return string(b)
}

func fileOf(root string) func(string) ([]byte, bool) {
	return func(rel string) ([]byte, bool) {
		b, err := os.ReadFile(filepath.Join(root, rel))
		return b, err == nil
	}
}

func TestCrashKill9FTP(t *testing.T) {
	srv := startFTP(t, ftpOpts{})
	p := newHome(t)
	crashCycle(t, p, ftpSettings(srv, "crash"), fileOf(filepath.Join(srv.Root, "crash")), 4)
}

func TestCrashKill9SFTPDelete(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	s := Settings{Method: "SFTP", SFTPServer: srv.Addr, SFTPUser: srv.User, SFTPRemoteFolder: remote, DeleteAfterTransfer: true}
	crashCycle(t, p, s, fileOf(remote), 4)
}

func TestCrashKill9RsyncDelete(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	s := rsyncSettings(srv, srv.Addr, remote)
	s.DeleteAfterTransfer = true
	crashCycle(t, p, s, fileOf(remote), 3)
}

func TestCrashKill9Dropbox(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	s := Settings{Method: "Dropbox", DropboxAppKey: "k", Dropbox: fake.api()}
	crashCycle(t, p, s, func(rel string) ([]byte, bool) {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		f, ok := fake.files["/"+rel]
		return f.data, ok
	}, 4)
}
