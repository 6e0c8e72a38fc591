package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

const childEnv = "INTVLM8R_TRANSFER_CRASH_CHILD"

type childJob struct {
	Home     string
	Settings Settings
	Stage    string // kill the child (SIGKILL) at this stage of photo Index
	Index    int
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
	if job.Stage != "" {
		crashHook = func(stage string, i int) {
			if stage == job.Stage && i == job.Index {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
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
	if res.Colour != status.White || res.Failed != 0 {
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
	s := Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: srv.Addr, SFTPUser: srv.User, SFTPRemoteFolder: remote, DeleteAfterTransfer: true}}
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
	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()}
	crashCycle(t, p, s, fake.file, 4)
}

// TestCrashStages kills the upload (SIGKILL of a real process, which kills
// itself at the stage) exactly after each step of a photo: the remote write,
// the delete journal, the ledger, the local delete and the derived-file
// flush. After every run: no photo is lost (each is on the Pi, or recorded
// and whole on the server), the ledger names nothing the server lacks, and
// nothing the server already held whole was sent again.
func TestCrashStages(t *testing.T) {
	type remote struct {
		s     Settings
		read  func(rel string) ([]byte, bool)
		stamp func(rel string) string // changes when the server's copy is written again
	}
	fileStamp := func(root string) func(string) string {
		return func(rel string) string {
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(root, rel), &st); err != nil {
				return "missing"
			}
			return fmt.Sprint(st.Ino, st.Ctim.Nano())
		}
	}
	for _, m := range []string{MethodFTP, MethodSFTP, MethodDropbox, MethodRsync} {
		t.Run(m, func(t *testing.T) {
			t.Parallel()
			var p paths.Paths
			var r remote
			switch m {
			case MethodFTP:
				srv := startFTP(t, ftpOpts{})
				p = newHome(t)
				root := filepath.Join(srv.Root, "crash")
				r = remote{ftpSettings(srv, "crash"), fileOf(root), fileStamp(root)}
			case MethodSFTP:
				srv := startGoSFTP(t)
				p = newHome(t)
				root := t.TempDir()
				r = remote{goSFTPSettings(srv, root), fileOf(root), fileStamp(root)}
			case MethodDropbox:
				fake := startFakeDropbox(t, "k")
				p = dropboxHome(t, "rt-valid")
				r = remote{Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()}, fake.file,
					func(rel string) string {
						fake.mu.Lock()
						defer fake.mu.Unlock()
						return fmt.Sprint(fake.puts["/"+rel])
					}}
			case MethodRsync:
				srv := startSSHD(t)
				p = sshdHome(t, srv)
				root := t.TempDir()
				r = remote{rsyncSettings(srv, srv.Addr, root), fileOf(root), fileStamp(root)}
			}
			r.s.DeleteAfterTransfer = true
			locals := makePhotos(t, p, "100CANON", 1, 8, 20_000)
			sums := map[string]string{}
			var derived []string
			for _, l := range locals {
				sums[l] = sumFile(t, l)
				rel, _ := photos.RelOf(p, l)
				for _, d := range []string{photos.ThumbPath(p, rel), photos.PreviewPath(p, rel)} {
					os.MkdirAll(filepath.Dir(d), 0o755)
					os.WriteFile(d, []byte("derived"), 0o644)
					derived = append(derived, d)
				}
			}
			relOf := func(l string) string { rel, _ := filepath.Rel(p.Photos(), l); return rel }
			whole := func(l string) bool {
				data, ok := r.read(relOf(l))
				return ok && sha(data) == sums[l]
			}
			held := func() map[string]string {
				out := map[string]string{}
				for _, l := range locals {
					if whole(l) {
						out[l] = r.stamp(relOf(l))
					}
				}
				return out
			}
			check := func(when string, before map[string]string) {
				t.Helper()
				inLedger := map[string]bool{}
				for _, l := range ledgerLines(t, p) {
					inLedger[l] = true
					if !whole(l) {
						t.Fatalf("%s: the ledger names %s, which the server lacks whole", when, l)
					}
				}
				for _, l := range locals {
					if _, err := os.Stat(l); err == nil {
						if sumFile(t, l) != sums[l] {
							t.Fatalf("%s: %s changed on the Pi", when, l)
						}
					} else if !inLedger[l] || !whole(l) {
						t.Fatalf("%s: %s is gone from the Pi, recorded=%v, whole on the server=%v", when, l, inLedger[l], whole(l))
					}
				}
				for l, st := range before {
					if now := r.stamp(relOf(l)); now != st {
						t.Fatalf("%s: %s, already whole on the server, was sent again", when, l)
					}
				}
			}
			job := func(stage string, index int) []byte {
				b, _ := json.Marshal(childJob{Home: p.Home, Settings: r.s, Stage: stage, Index: index})
				return b
			}
			for _, st := range []struct {
				stage string
				index int
			}{{"sent", 1}, {"journal", 1}, {"recorded", 1}, {"deleted", 1}, {"flushed", 0}} {
				before := held()
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), childEnv+"="+string(job(st.stage, st.index)))
				out, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("child was not killed at %s@%d: %v\n%s\n%s", st.stage, st.index, err, out, readLogOr(p))
				}
				check("after the kill at "+st.stage, before)
			}
			before := held()
			res := mustRun(t, p, r.s)
			if res.Colour != status.White || res.Failed != 0 {
				t.Fatalf("clean run: %+v\n%s", res, readLog(t, p))
			}
			check("after the clean run", before)
			if got := sortedCopy(ledgerLines(t, p)); !slices.Equal(got, sortedCopy(locals)) {
				t.Fatalf("ledger %v", got)
			}
			for _, f := range append(append([]string(nil), locals...), derived...) {
				if _, err := os.Stat(f); !os.IsNotExist(err) {
					t.Fatalf("%s left on the Pi after the clean run (%v)", f, err)
				}
			}
			if _, err := os.Stat(p.DeleteJournal()); !os.IsNotExist(err) {
				t.Fatalf("journal left after a clean run: %v", err)
			}
		})
	}
}
