package lazyfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mount(t *testing.T, backing string, cutAt int, mode ...Mode) *Mount {
	t.Helper()
	dir := t.TempDir()
	md := Drop
	if len(mode) > 0 {
		md = mode[0]
	}
	m, err := New(dir, backing, cutAt, md)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Unmount() })
	return m
}

func write(t *testing.T, path, data string, flag int, sync bool) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLazyFS pins the model the power-cut tests rely on: data is durable
// only once fsynced, names at once; the cut point fails and freezes all.
func TestLazyFS(t *testing.T) {
	if !Private(t) {
		return
	}
	t.Run("model", func(t *testing.T) {
		backing := t.TempDir()
		m := mount(t, backing, 0)
		d := m.Dir
		write(t, filepath.Join(d, "synced"), "one", 0, true)
		write(t, filepath.Join(d, "synced"), "two!", os.O_TRUNC, false) // not synced: lost
		write(t, filepath.Join(d, "new"), "never synced", 0, false)
		write(t, filepath.Join(d, "log"), "a\n", os.O_APPEND, true)
		write(t, filepath.Join(d, "log"), "b\n", os.O_APPEND, false)
		write(t, filepath.Join(d, "tmp"), "renamed", 0, true)
		if err := os.Rename(filepath.Join(d, "tmp"), filepath.Join(d, "final")); err != nil {
			t.Fatal(err)
		}
		os.Mkdir(filepath.Join(d, "sub"), 0o755)
		write(t, filepath.Join(d, "sub", "gone"), "x", 0, true)
		os.Remove(filepath.Join(d, "sub", "gone"))
		write(t, filepath.Join(d, "grow"), "abc", 0, true)
		if err := os.Truncate(filepath.Join(d, "grow"), 1); err != nil {
			t.Fatal(err)
		}

		// Through the mount, everything written reads back.
		for name, want := range map[string]string{"synced": "two!", "new": "never synced", "log": "a\nb\n", "final": "renamed", "grow": "a"} {
			if got := read(t, filepath.Join(d, name)); got != want {
				t.Errorf("before the cut, %s = %q, want %q", name, got, want)
			}
			if st, err := os.Stat(filepath.Join(d, name)); err != nil || st.Size() != int64(len(want)) {
				t.Errorf("before the cut, %s size %v (%v), want %d", name, st.Size(), err, len(want))
			}
		}
		if err := m.Unmount(); err != nil {
			t.Fatal(err)
		}
		// On the disk, only what was synced.
		for name, want := range map[string]string{"synced": "one", "new": "", "log": "a\n", "final": "renamed", "grow": "abc"} {
			if got := read(t, filepath.Join(backing, name)); got != want {
				t.Errorf("after the cut, %s = %q, want %q", name, got, want)
			}
		}
		if _, err := os.Stat(filepath.Join(backing, "sub", "gone")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("an unlink did not pass through: %v", err)
		}
		want := []string{"#1 fsync synced", "#2 fsync log", "#3 fsync tmp", "#4 rename tmp -> final", "#5 fsync sub/gone", "#6 fsync grow"}
		pts := m.Points()
		if len(pts) != len(want) {
			t.Fatalf("points %v, want %v", pts, want)
		}
		for i := range want {
			if pts[i].String() != want[i] {
				t.Errorf("point %d = %s, want %s", i+1, pts[i], want[i])
			}
		}
	})
	t.Run("cut", func(t *testing.T) {
		backing := t.TempDir()
		m := mount(t, backing, 3)
		d := m.Dir
		write(t, filepath.Join(d, "a"), "a", 0, true) // #1
		dir, err := os.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := dir.Sync(); err != nil { // #2
			t.Fatal(err)
		}
		dir.Close()
		f, err := os.Create(filepath.Join(d, "b"))
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("b")
		if err := f.Sync(); !errors.Is(err, syscall.EIO) { // #3: the cut
			t.Fatalf("fsync at the cut point: %v, want EIO", err)
		}
		f.Close()
		select {
		case <-m.Cut():
		default:
			t.Fatal("Cut not closed")
		}
		if err := os.WriteFile(filepath.Join(d, "c"), []byte("c"), 0o644); err == nil {
			t.Fatal("a create after the cut succeeded")
		}
		if err := os.Rename(filepath.Join(d, "a"), filepath.Join(d, "z")); !errors.Is(err, syscall.EIO) {
			t.Fatalf("rename after the cut: %v, want EIO", err)
		}
		m.Unmount()
		if got := read(t, filepath.Join(backing, "a")); got != "a" {
			t.Fatalf("a = %q", got)
		}
		if got := read(t, filepath.Join(backing, "b")); got != "" {
			t.Fatalf("b = %q, want empty (its fsync was the cut)", got)
		}
		if _, err := os.Stat(filepath.Join(backing, "c")); err == nil {
			t.Fatal("c reached the disk after the cut")
		}
		if len(m.Points()) != 3 || m.Points()[1].Op != "fsyncdir" {
			t.Fatalf("points %v", m.Points())
		}
	})
	t.Run("tear", func(t *testing.T) {
		backing := t.TempDir()
		m := mount(t, backing, 0, Tear)
		d := m.Dir
		write(t, filepath.Join(d, "log"), "line 1\n", os.O_APPEND, true)
		write(t, filepath.Join(d, "log"), "line 2\n", os.O_APPEND, false)
		write(t, filepath.Join(d, "new"), "12345678", 0, false)
		write(t, filepath.Join(d, "lines"), "a\n", 0, true)
		write(t, filepath.Join(d, "lines"), "b\ncccc\n", os.O_APPEND, false)
		write(t, filepath.Join(d, "ini"), "old content", 0, true)
		write(t, filepath.Join(d, "ini"), "new content!", os.O_TRUNC, false)
		write(t, filepath.Join(d, "gone"), "abcd", 0, false)
		os.Remove(filepath.Join(d, "gone"))
		if err := m.Unmount(); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"log": "line 1\nlin", "new": "1234", "lines": "a\nb\ncc", "ini": "new co"} {
			if got := read(t, filepath.Join(backing, name)); got != want {
				t.Errorf("after the torn cut, %s = %q, want %q", name, got, want)
			}
		}
	})
	t.Run("names", func(t *testing.T) {
		backing := t.TempDir()
		os.WriteFile(filepath.Join(backing, "old"), []byte("old"), 0o644)
		os.WriteFile(filepath.Join(backing, "gone"), []byte("gone"), 0o644)
		os.WriteFile(filepath.Join(backing, "kept"), []byte("kept"), 0o644)
		m := mount(t, backing, 0, Names)
		d := m.Dir
		syncDir := func(dir string) {
			f, err := os.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		os.Remove(filepath.Join(d, "kept"))
		write(t, filepath.Join(d, "synced"), "synced", 0, true)
		os.Mkdir(filepath.Join(d, "sub"), 0o755)
		syncDir(d)                                           // makes the unlink of kept, synced's and sub's names durable
		write(t, filepath.Join(d, "sub", "f"), "f", 0, true) // its folder never synced
		write(t, filepath.Join(d, "tmp"), "new", 0, true)
		os.Rename(filepath.Join(d, "tmp"), filepath.Join(d, "old")) // replaces old; folder not synced
		os.Remove(filepath.Join(d, "gone"))
		os.Mkdir(filepath.Join(d, "dir"), 0o755)
		write(t, filepath.Join(d, "dir", "f"), "f", 0, true)
		syncDir(filepath.Join(d, "dir")) // durable in dir, but dir itself is not
		if err := m.Unmount(); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for name := range files(t, backing) {
			got[name] = read(t, filepath.Join(backing, name))
		}
		want := map[string]string{"synced": "synced", "old": "old", "gone": "gone"} // tmp: its create undone too
		if len(got) != len(want) {
			t.Fatalf("after the cut the disk holds %v, want %v", got, want)
		}
		for name, w := range want {
			if got[name] != w {
				t.Errorf("after the cut %s = %q, want %q", name, got[name], w)
			}
		}
		if _, err := os.Stat(filepath.Join(backing, "dir")); err == nil {
			t.Error("the unsynced mkdir survived the cut")
		}
		if len(files(t, filepath.Join(backing, "sub"))) != 0 {
			t.Error("a file created in a folder never synced survived the cut")
		}
	})
}

func files(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range ents {
		if e.Type().IsRegular() {
			out[e.Name()] = true
		}
	}
	return out
}
