package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const helperEnv = "CONFIG_TEST_HELPER"

var created = time.Date(2026, time.December, 1, 9, 30, 0, 0, time.Local)

func testStore(t testing.TB) *Store {
	t.Helper()
	s := NewStore(filepath.Join(t.TempDir(), "www", "intvlm8r.ini"))
	s.Hostname = func() (string, error) { return "testpi", nil }
	s.Now = func() time.Time { return created }
	return s
}

// increment adds one to [Counter] total and records the writer's own count,
// under Update, so lost updates show as a short total.
func increment(s *Store, who string) error {
	return s.Update(func(f *File) error {
		n, err := f.Int("Counter", "total", 0)
		if err != nil {
			return err
		}
		mine, err := f.Int("Counter", who, 0)
		if err != nil {
			return err
		}
		f.Set("Counter", "total", strconv.Itoa(n+1))
		f.Set("Counter", who, strconv.Itoa(mine+1))
		// A value with every awkward character, rewritten each time.
		f.Set("Counter", "payload", fmt.Sprintf("p%%ss #%d ; a = b: 100%% ✓", n))
		return nil
	})
}

// runHelper is the second process of the concurrency tests (this test
// binary run again with helperEnv set).
func runHelper(role string) int {
	s := NewStore(os.Getenv("CONFIG_TEST_INI"))
	who := os.Getenv("CONFIG_TEST_WHO")
	switch role {
	case "increment":
		n, _ := strconv.Atoi(os.Getenv("CONFIG_TEST_N"))
		for i := 0; i < n; i++ {
			if err := increment(s, who); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	case "forever": // until killed
		for {
			if err := increment(s, who); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	fmt.Fprintln(os.Stderr, "unknown helper role", role)
	return 2
}

func helperCmd(t *testing.T, role, ini, who string, n int) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, "CONFIG_TEST_INI="+ini,
		"CONFIG_TEST_WHO="+who, "CONFIG_TEST_N="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	return cmd
}

func TestLoadMissingFile(t *testing.T) {
	s := testStore(t)
	f, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if f.Exists() {
		t.Error("Exists() on a missing file")
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load must not create the file: %v", err)
	}
	st, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if st.Global.FileCreated != "01 Dec 2026" || st.Global.LocationName != "testpi" ||
		st.Global.ThumbsCount != 24 || st.Transfer.Method != "Off" || st.Transfer.DeleteAfterTransfer ||
		st.Copy.CopyDay != "Daily" || st.Copy.CopyHour != "14" || st.Copy.DeleteAfterCopy {
		t.Errorf("first-creation settings: %+v", st)
	}
}

func TestLoadUnreadableAndInvalid(t *testing.T) {
	s := testStore(t)
	// A folder where the file should be cannot be read, even by root.
	if err := os.MkdirAll(s.Path(), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), s.Path()) {
		t.Errorf("Load of a folder: %v", err)
	}
	if err := s.Update(func(*File) error { return nil }); err == nil {
		t.Error("Update of a folder succeeded")
	}

	if os.Geteuid() != 0 { // root reads anything; the folder case covers root
		p := filepath.Join(t.TempDir(), "locked.ini")
		os.WriteFile(p, []byte("[Global]\n"), 0o000)
		if _, err := NewStore(p).Load(); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Load of an unreadable file: %v", err)
		}
	}

	for _, bad := range []string{"[Global]\ngarbage\n", "[Global]\n[Global]\n", "[G]\nk = \xfe\n"} {
		s := testStore(t)
		os.MkdirAll(filepath.Dir(s.Path()), 0o755)
		if err := os.WriteFile(s.Path(), []byte(bad), 0o640); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load()
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Path != s.Path() || pe.Line != 2 {
			t.Errorf("Load %q: %v", bad, err)
		}
		// Update refuses too and leaves the file as it was.
		if err := s.Update(func(f *File) error { f.Set("Global", "x", "y"); return nil }); !errors.As(err, &pe) {
			t.Errorf("Update of %q: %v", bad, err)
		}
		if got, _ := os.ReadFile(s.Path()); string(got) != bad {
			t.Errorf("Update changed an invalid file to %q", got)
		}
	}
}

func TestUpdateCreatesFileAsTheOriginalDoes(t *testing.T) {
	s := testStore(t)
	if err := s.Update(func(f *File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// Byte for byte what the original's createConfigFile writes, plus this
	// port's ftpactive = Off: a missing key means the original's active mode,
	// a new install uploads in passive mode.
	var w pyWritten
	oracle.call(t, map[string]any{"op": "create", "hostname": "testpi", "date": "2026-12-01"}, &w)
	want := strings.Replace(string(w.Data), "deleteaftertransfer = Off\n", "deleteaftertransfer = Off\nftpactive = Off\n", 1)
	if w.Error != nil || want == string(w.Data) || string(got) != want {
		t.Fatalf("created file:\n%s\nPython's:\n%s", got, w.Data)
	}
	fi, _ := os.Stat(s.Path())
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("new file mode %v, want 0640", fi.Mode().Perm())
	}
	f, err := s.Load()
	if err != nil || !f.Exists() {
		t.Fatalf("Load after create: %v", err)
	}
}

func TestUpdateSemantics(t *testing.T) {
	s := testStore(t)
	handEdited := "# my notes\n[Global]\nLocationName: Shed\n\n\n[Copy]\ncopyDay=Daily\n"
	os.MkdirAll(filepath.Dir(s.Path()), 0o755)
	if err := os.WriteFile(s.Path(), []byte(handEdited), 0o600); err != nil {
		t.Fatal(err)
	}

	// fn changes nothing: the hand-edited layout stays untouched.
	if err := s.Update(func(f *File) error { f.Set("Global", "locationname", "Shed"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(s.Path()); string(got) != handEdited {
		t.Errorf("no-op Update rewrote the file: %q", got)
	}

	// fn fails: nothing written, its error returned as is.
	boom := errors.New("boom")
	if err := s.Update(func(f *File) error { f.Set("Global", "x", "y"); return boom }); err != boom {
		t.Errorf("Update returned %v, want fn's error", err)
	}
	if got, _ := os.ReadFile(s.Path()); string(got) != handEdited {
		t.Errorf("failed Update wrote: %q", got)
	}

	// An invalid key: refused, nothing written.
	if err := s.Update(func(f *File) error { f.Set("Global", "a=b", "y"); return nil }); err == nil {
		t.Error("Update wrote an invalid key")
	}

	// A real change: rewritten in configparser's layout, comment kept, mode kept.
	if err := s.Update(func(f *File) error {
		f.Set("Transfer", "ftpPassword", "p%ss")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(s.Path())
	want := "# my notes\n[Global]\nlocationname = Shed\n\n[Copy]\ncopyday = Daily\n\n[Transfer]\nftppassword = p%%ss\n\n"
	if string(got) != want {
		t.Errorf("rewritten file %q, want %q", got, want)
	}
	if fi, _ := os.Stat(s.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the file's own 0600", fi.Mode().Perm())
	}
	if py := pyRead(t, got); py.Error != nil || *py.Sections[2].Keys[0].Value != "p%ss" {
		t.Errorf("Python reads %+v", py)
	}
}

func TestUpdateThroughSymlink(t *testing.T) {
	s := testStore(t)
	real := filepath.Join(t.TempDir(), "real.ini")
	os.WriteFile(real, []byte("[Global]\n"), 0o644)
	os.MkdirAll(filepath.Dir(s.Path()), 0o755)
	if err := os.Symlink(real, s.Path()); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(f *File) error { f.Set("Global", "k", "v"); return nil }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(s.Path()); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v", err)
	}
	if got, _ := os.ReadFile(real); string(got) != "[Global]\nk = v\n\n" {
		t.Errorf("target holds %q", got)
	}
}

// Goroutines and other processes updating at once lose nothing.
func TestConcurrentUpdates(t *testing.T) {
	s := testStore(t)
	const perWriter, goroutines, processes = 25, 3, 2
	var wg sync.WaitGroup
	errs := make(chan error, goroutines+processes)
	for i := 0; i < processes; i++ {
		cmd := helperCmd(t, "increment", s.Path(), fmt.Sprintf("proc%d", i), perWriter)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs <- cmd.Wait() }()
	}
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < perWriter; j++ {
				if err := increment(s, fmt.Sprintf("goroutine%d", i)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	total, _ := f.Int("Counter", "total", -1)
	if want := perWriter * (goroutines + processes); total != want {
		t.Fatalf("total %d, want %d: updates were lost", total, want)
	}
	for _, who := range []string{"proc0", "proc1", "goroutine0", "goroutine1", "goroutine2"} {
		if n, _ := f.Int("Counter", who, -1); n != perWriter {
			t.Errorf("%s counted %d, want %d", who, n, perWriter)
		}
	}
	// The first Update created the file with the first-creation content.
	if v, _ := f.Get("Copy", "copyday"); v != "Daily" {
		t.Errorf("copyday %q", v)
	}
}

// A writer killed at any instant leaves the old file or the new one, whole.
func TestKilledWriterNeverTearsTheFile(t *testing.T) {
	s := testStore(t)
	if err := increment(s, "seed"); err != nil {
		t.Fatal(err)
	}
	last := 0
	for round := 0; round < 6; round++ {
		cmd := helperCmd(t, "forever", s.Path(), "victim", 0)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until it has written at least once, then kill it mid-stride.
		deadline := time.Now().Add(30 * time.Second)
		for {
			f, err := s.Load()
			if err != nil {
				cmd.Process.Kill()
				t.Fatalf("torn file while the writer runs: %v", err)
			}
			n, _ := f.Int("Counter", "total", 0)
			if n > last {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("the writer never wrote")
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		f, err := s.Load()
		if err != nil {
			t.Fatalf("round %d: file unreadable after a kill: %v", round, err)
		}
		n, err := f.Int("Counter", "total", 0)
		if err != nil || n <= last {
			t.Fatalf("round %d: total %d (was %d): %v", round, n, last, err)
		}
		last = n
		if v, _ := f.Get("Counter", "payload"); v != fmt.Sprintf("p%%ss #%d ; a = b: 100%% ✓", n-1) {
			t.Fatalf("round %d: payload %q does not match total %d", round, v, n)
		}
	}
	// The next Update clears any temp file a killed writer left behind.
	if err := increment(s, "after"); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Path()), ".intvlm8r.ini.tmp*"))
	if len(left) != 0 {
		t.Errorf("stale temp files: %v", left)
	}
}

// Run as root (a oneshot under systemd, say), Update leaves the file and its
// lock owned by the user who owns the folder, so the web app can still use them.
func TestUpdateAsRootKeepsTheOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		return // only root can hand files to another user; nothing to check
	}
	s := testStore(t)
	dir := filepath.Dir(s.Path())
	os.MkdirAll(dir, 0o755)
	const uid, gid = 65534, 65534
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(f *File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Path(), s.Path() + ".lock"} {
		if o := ownerOf(p); !o.ok || o.uid != uid || o.gid != gid {
			t.Errorf("%s owned by %+v, want %d:%d", p, o, uid, gid)
		}
	}
	// A later rewrite keeps the file's own owner.
	if err := s.Update(func(f *File) error { f.Set("Global", "k", "v"); return nil }); err != nil {
		t.Fatal(err)
	}
	if o := ownerOf(s.Path()); o.uid != uid {
		t.Errorf("rewritten file owned by %+v", o)
	}
}

func TestStoreSettings(t *testing.T) {
	s := testStore(t)

	// No file yet: the first-creation content's settings, no warning.
	set, warn, err := s.Settings()
	if err != nil || warn != nil {
		t.Fatalf("missing file: warn %v, err %v", warn, err)
	}
	if set.Global.LocationName != "testpi" || set.Copy.CopyDay != "Daily" || set.Copy.CopyHour != "14" {
		t.Errorf("missing file: got %+v %+v", set.Global, set.Copy)
	}

	// Malformed values: their defaults, the rest as written, and a warning naming them.
	if err := os.MkdirAll(filepath.Dir(s.Path()), 0o755); err != nil {
		t.Fatal(err)
	}
	ini := "[Global]\nlocationname = Ridge\nthumbscount = lots\n[Thresholds]\ndaysfreewarn = 20\nvoltage_low = x\n"
	if err := os.WriteFile(s.Path(), []byte(ini), 0o640); err != nil {
		t.Fatal(err)
	}
	set, warn, err = s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if set.Global.LocationName != "Ridge" || set.Global.ThumbsCount != 24 || set.Thresholds.DaysFreeWarn != 20 || set.Thresholds.VoltageLow != 9 {
		t.Errorf("malformed: got %+v %+v", set.Global, set.Thresholds)
	}
	if warn == nil || !strings.Contains(warn.Error(), "thumbscount") || !strings.Contains(warn.Error(), "voltage_low") {
		t.Errorf("warning %v does not name both malformed keys", warn)
	}

	// A file configparser refuses: an error, and every default.
	if err := os.WriteFile(s.Path(), []byte("no section header\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	set, warn, err = s.Settings()
	if err == nil || warn != nil {
		t.Fatalf("invalid file: warn %v, err %v", warn, err)
	}
	if set != Defaults() {
		t.Errorf("invalid file: got %+v, want the defaults", set)
	}
}
