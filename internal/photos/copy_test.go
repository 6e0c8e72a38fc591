package photos

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

const childEnv = "INTVLM8R_PHOTOS_COPY_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(copyChild())
	}
	os.Exit(m.Run())
}

// copyChild is the re-executed test binary: one copy run, which kills itself
// with SIGKILL at the step named in the environment (or is killed from outside).
func copyChild() int {
	home, camDir := os.Getenv("CHILD_HOME"), os.Getenv("CHILD_CAM")
	stage := os.Getenv("CHILD_STAGE")
	index, _ := strconv.Atoi(os.Getenv("CHILD_INDEX"))
	if stage != "" {
		crashHook = func(s string, i int) {
			if s == stage && i == index {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}
	}
	opts := CopyOptions{
		DeleteAfterCopy: os.Getenv("CHILD_DELETE") == "1",
		RenameOnCopy:    os.Getenv("CHILD_RENAME") != "",
		RenameTemplate:  os.Getenv("CHILD_RENAME"),
	}
	res, err := Copy(context.Background(), &folderCam{root: camDir}, paths.New(home), opts, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "copy:", err)
		return 2
	}
	fmt.Println(res.Message)
	return 0
}

type fixture struct {
	cam    string
	want   map[string][]byte // key below DCIM → content
	camAbs map[string]string // key → file on the fake card
	mtime  map[string]time.Time
}

// makeCard fills a fake card with n small photos in two DCIM folders, mtimes
// shared in groups of five (so a time-only rename template collides), plus a
// file outside DCIM that must be left alone.
func makeCard(t *testing.T, n int) fixture {
	t.Helper()
	fx := fixture{cam: t.TempDir(), want: map[string][]byte{}, camAbs: map[string]string{}, mtime: map[string]time.Time{}}
	base := time.Date(2024, 3, 9, 14, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		folder := "100CANON"
		if i%3 == 2 {
			folder = "101CANON"
		}
		ext := ".JPG"
		if i%4 == 1 {
			ext = ".CR2"
		}
		key := fmt.Sprintf("%s/IMG_%04d%s", folder, i, ext)
		data := make([]byte, 1000+rng.IntN(7000))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		copy(data, key) // the content names its photo
		fp := filepath.Join(fx.cam, "store_00020001", "DCIM", filepath.FromSlash(key))
		os.MkdirAll(filepath.Dir(fp), 0o755)
		if err := os.WriteFile(fp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i/5) * time.Second)
		os.Chtimes(fp, mt, mt)
		fx.want[key] = data
		fx.camAbs[key] = fp
		fx.mtime[key] = mt
	}
	misc := filepath.Join(fx.cam, "store_00020001", "MISC", "AUTPRINT.MRK")
	os.MkdirAll(filepath.Dir(misc), 0o755)
	os.WriteFile(misc, []byte("dpof"), 0o644)
	return fx
}

// piContents maps each photo's content hash on the Pi to the files holding it.
func piContents(t *testing.T, p paths.Paths) map[[32]byte][]string {
	t.Helper()
	out := map[[32]byte][]string{}
	filepath.WalkDir(p.PhotosDCIM(), func(fp string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(fp)
		out[sha256.Sum256(data)] = append(out[sha256.Sum256(data)], fp)
		return nil
	})
	return out
}

// checkInvariants: nothing leaves the camera without a complete recorded copy,
// no photo is on the Pi twice, every archive line names a complete copy.
func checkInvariants(t *testing.T, fx fixture, p paths.Paths, final bool) {
	t.Helper()
	pi := piContents(t, p)
	arch, err := LoadArchive(p.RenameArchive())
	if err != nil {
		t.Fatal(err)
	}
	for h, files := range pi {
		if len(files) > 1 {
			t.Fatalf("same photo on the Pi %d times: %v (hash %x)", len(files), files, h[:4])
		}
	}
	for key, data := range fx.want {
		h := sha256.Sum256(data)
		onPi := len(pi[h]) == 1
		_, onCam := os.Stat(fx.camAbs[key])
		if errors.Is(onCam, fs.ErrNotExist) {
			if !onPi {
				t.Fatalf("%s deleted from the camera without its complete copy on the Pi", key)
			}
			if !arch.Has(key) {
				t.Fatalf("%s deleted from the camera but not in the archive", key)
			}
		}
		if nn, ok := arch.NewName(key); ok {
			got, err := os.ReadFile(PhotoPath(p, nn))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("archive says %s is %s, but that file is not its complete copy (%v)", key, nn, err)
			}
		}
		if final && (!onPi || !arch.Has(key)) {
			t.Fatalf("after the clean run %s is not on the Pi (%v) or not recorded (%v)", key, onPi, arch.Has(key))
		}
	}
	for _, files := range pi {
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), partPrefix) && final {
				t.Fatalf("part file left behind: %s", f)
			}
		}
	}
}

func runChild(t *testing.T, home string, fx fixture, env []string, killAfter time.Duration) (killed bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_HOME="+home, "CHILD_CAM="+fx.cam)
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() { cmd.Process.Kill() })
		defer timer.Stop()
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		t.Fatalf("child failed: %v\n%s", err, out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

func TestCopySurvivesKillAnywhere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   []string
		kills int
	}{
		{"rename+delete", []string{"CHILD_DELETE=1", "CHILD_RENAME=Site-%Y%m%d-%H%M%S"}, 20},
		{"plain", nil, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := makeCard(t, 200)
			home := t.TempDir()
			p := paths.New(home)
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.env))))
			stages := []string{"journal", "downloading", "downloaded", "renamed", "recorded", "deleted"}
			killed := 0
			for i := 0; i < tc.kills; i++ {
				var env []string
				var after time.Duration
				if i%2 == 0 { // die exactly between two steps
					env = append(env, "CHILD_STAGE="+stages[(i/2)%len(stages)], "CHILD_INDEX="+strconv.Itoa(rng.IntN(8)))
				} else { // or at a random instant
					after = time.Duration(1+rng.IntN(40)) * time.Millisecond
				}
				wasKilled := runChild(t, home, fx, append(env, tc.env...), after)
				if wasKilled {
					killed++
				}
				checkInvariants(t, fx, p, false)
				onPi, _ := List(p)
				t.Logf("run %d %v after=%v killed=%v: %d photos on the Pi", i, env, after, wasKilled, len(onPi))
			}
			if killed < tc.kills/2 {
				t.Fatalf("only %d of %d runs were killed: the fault injection is not biting", killed, tc.kills)
			}
			if runChild(t, home, fx, tc.env, 0) {
				t.Fatal("clean run killed")
			}
			checkInvariants(t, fx, p, true)
			if _, err := os.Stat(p.CopyJournal()); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("journal left after a clean run: %v", err)
			}
			ph, err := List(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(ph) != len(fx.want) {
				t.Fatalf("%d photos on the Pi, want %d", len(ph), len(fx.want))
			}
			if _, err := os.Stat(filepath.Join(fx.cam, "store_00020001", "MISC", "AUTPRINT.MRK")); err != nil {
				t.Fatalf("file outside DCIM touched: %v", err)
			}
			// And a run after that has nothing to do.
			res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{}, nil)
			if err != nil || res.Copied != 0 || res.Message != "There were no new images to copy" || res.Colour != status.White {
				t.Fatalf("second clean run: %+v, %v", res, err)
			}
		})
	}
}

// Before each photo the copy reports the bytes already copied, out of all it
// will copy, with its item number.
func TestCopyReportsBytes(t *testing.T) {
	fx := makeCard(t, 4)
	var total int64
	for _, b := range fx.want {
		total += int64(len(b))
	}
	type call struct {
		done, total int64
		item        int
	}
	var calls []call
	var last call
	opts := CopyOptions{Bytes: func(done, all int64) { last = call{done: done, total: all} }}
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, paths.New(t.TempDir()), opts, func(i, n int) {
		last.item = i
		calls = append(calls, last)
	})
	if err != nil || res.Copied != 4 {
		t.Fatalf("copy: %+v %v", res, err)
	}
	var prev int64 = -1
	for i, c := range calls {
		if c.item != i+1 || c.total != total || c.done <= prev || c.done >= total {
			t.Fatalf("call %d: %+v (total %d), calls %+v", i, c, total, calls)
		}
		prev = c.done
	}
	if len(calls) != 4 || calls[0].done != 0 {
		t.Fatalf("calls %+v", calls)
	}
}
