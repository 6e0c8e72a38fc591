package powercut

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil/lazyfs"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// world is one run's machine: the Pi's --home on its disk (mounted through
// lazyfs at Home while a job runs), the camera's card, the FTP server's
// folder for this run.
type world struct {
	Disk   string // the Pi's disk: lazyfs's backing folder
	Home   string // the mount point, the Pi's --home
	Cam    string // the simulated camera's state (its own device: not cut)
	Remote string // folder name below the FTP root
}

func (w *world) pi() paths.Paths { return paths.New(w.Home) }

// job is one of the three jobs the power is cut in.
type job struct {
	name string
	// prepare fills a template world once (camera card, photos, INI...).
	prepare func(t *testing.T, w *world)
	// run is the job; its error (or a result with errors) fails a clean run.
	run func(ctx context.Context, w *world) error
	// check tests the invariants on the disk as the cut left it (final:
	// after the clean rerun, when the job must be done).
	check func(t *testing.T, w *world, final bool)
}

// TestPowerCut cuts the power at every fsync and rename point of each job,
// one cut per run, then runs the job again, and checks nothing was lost.
func TestPowerCut(t *testing.T) {
	if !lazyfs.Private(t) {
		return
	}
	ftp := testutil.StartFTP(t)
	for _, j := range []job{copyJob(), uploadJob(ftp), settingsJob()} {
		t.Run(j.name, func(t *testing.T) {
			t.Parallel()
			cutEverywhere(t, j)
		})
	}
}

func cutEverywhere(t *testing.T, j job) {
	tmpl := &world{Disk: filepath.Join(t.TempDir(), "disk"), Cam: filepath.Join(t.TempDir(), "cam")}
	for _, d := range []string{tmpl.Disk, tmpl.Cam} {
		os.MkdirAll(d, 0o755)
	}
	// The template is prepared on the plain disk, no cut.
	j.prepare(t, tmpl)

	// The dry run: its points are the cut points.
	dry := newWorld(t, tmpl, "dry")
	m := mount(t, dry, 0, lazyfs.Drop)
	if err := runJob(j, dry, m); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	points := m.Points()
	if err := m.Unmount(); err != nil {
		t.Fatal(err)
	}
	j.check(t, dry, true)
	t.Logf("%s: %d cut points", j.name, len(points))
	for _, p := range points {
		t.Logf("  %s", p)
	}
	// Each point, and once after the last (the job done, nothing more
	// synced); each cut in the three modes: unsynced data dropped, torn, or
	// dropped with the name changes since the last fsync.
	for k := 1; k <= len(points)+1; k++ {
		for _, mode := range []lazyfs.Mode{lazyfs.Drop, lazyfs.Tear, lazyfs.Names} {
			name := fmt.Sprintf("%s%02d", modeName[mode], k)
			if k > len(points) {
				name = modeName[mode] + "-after-end"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t, tmpl, fmt.Sprintf("%s-%s", j.name, name))
				m := mount(t, w, k, mode)
				err := runJob(j, w, m)
				if k <= len(points) {
					got := m.Points()
					if len(got) < k || same(got[k-1]) != same(points[k-1]) {
						t.Fatalf("the job is not deterministic: its point %d is not the dry run's %s (it made %d: %v)", k, points[k-1], len(got), got)
					}
					if !m.IsCut() {
						t.Fatalf("the cut at %s did not happen (job: %v)", points[k-1], err)
					}
					t.Logf("cut at %s; the job said: %v", points[k-1], err)
				} else if err != nil {
					t.Fatalf("the uncut run failed: %v", err)
				}
				if err := m.Unmount(); err != nil {
					t.Fatal(err)
				}
				j.check(t, w, false)

				// Power back: run the job again to its end.
				m = mount(t, w, 0, mode)
				if err := runJob(j, w, m); err != nil {
					t.Fatalf("the run after the cut failed: %v", err)
				}
				if err := m.Unmount(); err != nil {
					t.Fatal(err)
				}
				j.check(t, w, true)
			})
		}
	}
}

var modeName = map[lazyfs.Mode]string{lazyfs.Drop: "cut", lazyfs.Tear: "tear", lazyfs.Names: "names"}

var tempSuffix = regexp.MustCompile(`\.tmp[0-9]+`)

// same is a point without its temporary file's random suffix.
func same(p lazyfs.Point) string { return tempSuffix.ReplaceAllString(p.String(), ".tmp*") }

// newWorld copies the template's disk and camera into a world of its own.
func newWorld(t *testing.T, tmpl *world, remote string) *world {
	t.Helper()
	w := &world{Disk: filepath.Join(t.TempDir(), "disk"), Home: t.TempDir(), Cam: filepath.Join(t.TempDir(), "cam"), Remote: remote}
	// Each world mounts at a path of its own: the template holds no
	// absolute path (the upload ledger, which has them, is not made yet).
	for _, d := range [][2]string{{tmpl.Disk, w.Disk}, {tmpl.Cam, w.Cam}} {
		if out, err := exec.Command("cp", "-a", d[0], d[1]).CombinedOutput(); err != nil {
			t.Fatalf("copy the template: %v %s", err, out)
		}
	}
	return w
}

func mount(t *testing.T, w *world, cutAt int, mode lazyfs.Mode) *lazyfs.Mount {
	t.Helper()
	m, err := lazyfs.New(w.Home, w.Disk, cutAt, mode)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Unmount() })
	return m
}

// runJob runs j on m; at the cut the job's context is cancelled, as the
// machine's death stops it.
func runJob(j job, w *world, m *lazyfs.Mount) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- j.run(ctx, w) }()
	select {
	case err := <-done:
		return err
	case <-m.Cut():
		cancel()
	}
	select {
	case err := <-done:
		return err
	case <-time.After(2 * time.Minute):
		return errors.New("the job did not stop after the cut")
	}
}

// files maps each regular file below root (slash paths) to its content.
func files(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(fp)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, fp)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ---- the copy from the camera, delete after copy, then the thumbnails ----

// onCard is the template card's photos, read once.
type cardPhotos map[string][]byte // path below the card folder → content

func copyJob() job {
	var card cardPhotos
	return job{
		name: "copy",
		prepare: func(t *testing.T, w *world) {
			cp := paths.New(w.Cam)
			start := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			// Two photos: the first makes the folder and the archive, the
			// second finds them; a third adds points of no new kind.
			if err := sim.SeedCard(cp, 2, start, time.Minute); err != nil {
				t.Fatal(err)
			}
			card = files(t, cp.SimCard())
			if len(card) != 2 {
				t.Fatalf("the card holds %d files, want 2: %v", len(card), card)
			}
		},
		run: func(ctx context.Context, w *world) error {
			drv, err := sim.New(paths.New(w.Cam), sim.Options{AlwaysAwake: true})
			if err != nil {
				return err
			}
			// As the copy task does, try again while the camera is busy: a
			// parallel test's fork may hold the last run's USB lock an instant.
			cam, err := drv.Open(ctx)
			for i := 0; i < 100 && errors.Is(err, camera.ErrBusy); i++ {
				time.Sleep(20 * time.Millisecond)
				cam, err = drv.Open(ctx)
			}
			if err != nil {
				return err
			}
			defer cam.Close()
			p := w.pi()
			res, err := photos.Copy(ctx, cam, p, photos.CopyOptions{
				DeleteAfterCopy: true,
				FreeSpace:       func(string) (uint64, error) { return 1 << 40, nil },
			}, nil)
			if err != nil {
				return err
			}
			if len(res.Errors) > 0 {
				return fmt.Errorf("copy: %s: %w", res.Message, errors.Join(res.Errors...))
			}
			tr, err := photos.MakeThumbs(ctx, p, photos.ThumbOptions{Count: 24}, nil)
			if err != nil {
				return err
			}
			if len(tr.Errors) > 0 {
				return fmt.Errorf("thumbnails: %s: %w", tr.Message, errors.Join(tr.Errors...))
			}
			return nil
		},
		check: func(t *testing.T, w *world, final bool) {
			left := files(t, paths.New(w.Cam).SimCard())
			pi := paths.New(w.Disk)
			onPi := map[[32]byte]int{}
			for _, b := range files(t, pi.PhotosDCIM()) {
				onPi[sha256.Sum256(b)]++
			}
			for name, want := range card {
				h := sha256.Sum256(want)
				if _, still := left[name]; !still && onPi[h] != 1 {
					t.Errorf("%s is gone from the camera, and on the Pi complete %d times (want 1)", name, onPi[h])
				}
				if final && (onPi[h] != 1 || left[name] != nil) {
					t.Errorf("after the clean run %s: on the Pi %d times, still on the camera %v", name, onPi[h], left[name] != nil)
				}
			}
			arch, err := photos.LoadArchive(pi.RenameArchive())
			if err != nil {
				t.Fatalf("the copy's archive: %v", err)
			}
			for name, want := range card {
				key := strings.TrimPrefix(name[strings.Index(name, "DCIM/"):], "DCIM/")
				// A torn last line may name its photo whole and its new name
				// torn: it counts as copied (the archive's contract), and the
				// next copy records the name again from its journal.
				if arch.Has(key) && onPi[sha256.Sum256(want)] != 1 {
					t.Errorf("the archive records %s as copied, and it is on the Pi complete %d times (want 1)", key, onPi[sha256.Sum256(want)])
				}
				if !final {
					continue
				}
				if nn, ok := arch.NewName(key); ok {
					if got, err := os.ReadFile(photos.PhotoPath(pi, nn)); err != nil || !bytes.Equal(got, want) {
						t.Errorf("the archive records %s as copied to %s, which is not its complete copy (%d of %d bytes, %v)", key, nn, len(got), len(want), err)
					}
				} else {
					t.Errorf("after the clean run %s is not in the archive", key)
				}
			}
			if final {
				all, err := photos.List(pi)
				if err != nil {
					t.Fatal(err)
				}
				info, err := photos.LoadInfo(pi.ThumbsInfo())
				if err != nil {
					t.Fatalf("thumbnail summary: %v", err)
				}
				for _, ph := range all {
					if st, err := os.Stat(photos.ThumbPath(pi, ph.Rel)); err != nil || st.Size() == 0 || !info.Has(ph.Rel) {
						t.Errorf("after the clean run %s has no thumbnail (%v) or summary line (%v)", ph.Rel, err, info.Has(ph.Rel))
					}
				}
			}
		},
	}
}

// ---- the upload by FTP, delete after transfer ----

func uploadJob(ftp *testutil.FTP) job {
	var orig map[string][]byte // below ~/photos/DCIM → content
	return job{
		name: "upload",
		prepare: func(t *testing.T, w *world) {
			// The Pi holds what a copy brought: photos, thumbnails, previews.
			cj := copyJob()
			cj.prepare(t, w)
			pw := &world{Disk: w.Disk, Home: w.Disk, Cam: w.Cam}
			if err := cj.run(context.Background(), pw); err != nil {
				t.Fatal(err)
			}
			orig = files(t, paths.New(w.Disk).PhotosDCIM())
			if len(orig) != 2 {
				t.Fatalf("%d photos on the Pi, want 2", len(orig))
			}
		},
		run: func(ctx context.Context, w *world) error {
			res, err := transfer.Run(ctx, w.pi(), transfer.Settings{TransferSettings: config.TransferSettings{Method: transfer.MethodFTP, FTPServer: ftp.Addr, FTPUser: ftp.User, FTPPassword: ftp.Password, FTPRemoteFolder: w.Remote, DeleteAfterTransfer: true}, Timeout: 20 * time.Second}, nil)
			if err != nil {
				return err
			}
			if res.Failed > 0 || res.Uploaded != res.New {
				return fmt.Errorf("upload: %s", res.Status)
			}
			return nil
		},
		check: func(t *testing.T, w *world, final bool) {
			pi := paths.New(w.Disk)
			remote := filepath.Join(ftp.Root, w.Remote)
			left := files(t, pi.PhotosDCIM())
			for rel, want := range orig {
				got, err := os.ReadFile(filepath.Join(remote, "DCIM", filepath.FromSlash(rel)))
				complete := err == nil && bytes.Equal(got, want)
				if _, still := left[rel]; !still && !complete {
					t.Errorf("%s is gone from the Pi, and not complete on the remote (%d of %d bytes, %v)", rel, len(got), len(want), err)
				}
				if final && (!complete || left[rel] != nil) {
					t.Errorf("after the clean run %s: complete on the remote %v, still on the Pi %v", rel, complete, left[rel] != nil)
				}
			}
			// The Home page's "Last transfer" is a status written in full.
			if _, text, ok, err := transfer.LastStatus(pi); err != nil {
				t.Errorf("last transfer status: %v", err)
			} else if log, _ := os.ReadFile(pi.TransferLog()); ok && !bytes.Contains(log, []byte("STATUS: "+text+"\n")) {
				t.Errorf("the Home page would show a torn status: %q", text)
			}
			ledger, err := os.ReadFile(pi.UploadedOK())
			if errors.Is(err, fs.ErrNotExist) && !final {
				return
			}
			if err != nil {
				t.Fatalf("ledger: %v", err)
			}
			if i := bytes.LastIndexByte(ledger, '\n'); i+1 < len(ledger) {
				ledger = ledger[:i+1] // a torn last line is not trusted (OpenLedger)
			}
			named := 0
			for _, line := range strings.Split(string(ledger), "\n") {
				rel, ok := strings.CutPrefix(line, w.pi().PhotosDCIM()+"/")
				if !ok {
					continue // the default image's line, or a torn last line
				}
				named++
				got, err := os.ReadFile(filepath.Join(remote, "DCIM", filepath.FromSlash(rel)))
				if err != nil || !bytes.Equal(got, orig[rel]) {
					t.Errorf("the ledger names %s, which the remote lacks or holds torn (%d of %d bytes, %v)", rel, len(got), len(orig[rel]), err)
				}
			}
			if final && named != len(orig) {
				t.Errorf("after the clean run the ledger names %d photos, want %d:\n%s", named, len(orig), ledger)
			}
		},
	}
}

// ---- a settings save: the INI, then a password in the users file ----

const oldPassword, newPassword = "old-password-1", "new-password-2"

func settingsJob() job {
	var oldINI, newINI, oldUsers []byte
	save := func(s *config.Store) error {
		return s.Update(func(f *config.File) error {
			f.Set(config.SectionTransfer, config.KeyDeleteAfterTransfer, "True")
			f.Set(config.SectionGlobal, config.KeyThumbsCount, "48")
			f.Set(config.SectionTransfer, "ftpremotefolder", "/new/folder")
			return nil
		})
	}
	return job{
		name: "settings",
		prepare: func(t *testing.T, w *world) {
			p := paths.New(w.Disk)
			os.MkdirAll(p.WWW(), 0o755)
			st := config.NewStore(p.INI())
			st.Hostname = func() (string, error) { return "mountain", nil }
			if err := st.Update(func(*config.File) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if err := auth.SetPassword(p.Credentials(), "admin", oldPassword); err != nil {
				t.Fatal(err)
			}
			oldINI, _ = os.ReadFile(p.INI())
			oldUsers, _ = os.ReadFile(p.Credentials())
			// The INI the save must leave, made on a scratch copy.
			scratch := filepath.Join(t.TempDir(), "intvlm8r.ini")
			os.WriteFile(scratch, oldINI, 0o640)
			if err := save(config.NewStore(scratch)); err != nil {
				t.Fatal(err)
			}
			newINI, _ = os.ReadFile(scratch)
			if len(oldINI) == 0 || bytes.Equal(oldINI, newINI) {
				t.Fatalf("the save changes nothing: %q", newINI)
			}
		},
		run: func(ctx context.Context, w *world) error {
			p := w.pi()
			if err := save(config.NewStore(p.INI())); err != nil {
				return err
			}
			return auth.SetPassword(p.Credentials(), "admin", newPassword)
		},
		check: func(t *testing.T, w *world, final bool) {
			p := paths.New(w.Disk)
			ini, err := os.ReadFile(p.INI())
			switch {
			case err != nil:
				t.Errorf("INI: %v", err)
			case final && !bytes.Equal(ini, newINI):
				t.Errorf("after the clean run the INI is not the new one:\n%s", ini)
			case !bytes.Equal(ini, oldINI) && !bytes.Equal(ini, newINI):
				t.Errorf("the INI is neither the old one nor the new one (%d bytes):\n%s", len(ini), ini)
			}
			users, err := os.ReadFile(p.Credentials())
			if err != nil {
				t.Fatalf("users file: %v", err)
			}
			// The old file byte for byte, or one where the new password logs in
			// (its hash is salted afresh: its bytes cannot be foreseen).
			isOld, isNew := bytes.Equal(users, oldUsers), false
			if !isOld {
				if _, isNew, err = auth.Check(p.Credentials(), "admin", newPassword); err != nil {
					t.Fatalf("users file: %v", err)
				}
				header := oldUsers[:bytes.IndexByte(oldUsers, '\n')+1]
				isNew = isNew && bytes.HasPrefix(users, header) && bytes.Count(users, []byte("\n")) == 2 && bytes.HasSuffix(users, []byte("\n"))
			}
			switch {
			case final && !isNew:
				t.Errorf("after the clean run the new password does not log in:\n%s", users)
			case !isOld && !isNew:
				t.Errorf("the users file is neither the old one nor the new one (%d bytes):\n%s", len(users), users)
			}
		},
	}
}
