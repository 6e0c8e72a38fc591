package fileutil

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// leftovers lists the files of dir other than want: a temp file left behind
// by a write would show here.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range ents {
		if !slices.Contains(want, e.Name()) {
			extra = append(extra, e.Name())
		}
	}
	return extra
}

func TestWriteAtomicReplacesWithModeAndLeavesNoTemp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "folder")
	path := filepath.Join(dir, "settings.ini")
	if err := WriteAtomic(path, []byte("first\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("second\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "second\n" {
		t.Fatalf("content %q, %v; want the second write", data, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	if extra := leftovers(t, dir, "settings.ini"); len(extra) != 0 {
		t.Fatalf("left behind: %v", extra)
	}
	if err := WriteAtomic(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Fatalf("empty write left %q", data)
	}
}

func TestWriteAtomicFailuresKeepTheOldFile(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty folder: the rename fails, and no temp file stays.
	busy := filepath.Join(dir, "busy")
	os.MkdirAll(filepath.Join(busy, "inside"), 0o755)
	err := WriteAtomic(busy, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), busy) {
		t.Fatalf("write over a folder: %v", err)
	}
	if extra := leftovers(t, dir, "busy"); len(extra) != 0 {
		t.Fatalf("left behind: %v", extra)
	}
	// A parent that is a file: neither the folder nor the temp file can be made.
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("keep"), 0o644)
	if err := WriteAtomic(filepath.Join(file, "x"), []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("write under a file: %v", err)
	}
	if err := WriteAtomic(filepath.Join(file, "sub", "x"), []byte("x"), 0o644); err == nil {
		t.Fatal("write under a file's subfolder succeeded")
	}
	if data, _ := os.ReadFile(file); string(data) != "keep" {
		t.Fatalf("the file became %q", data)
	}
}

func TestAppendLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "ledger")
	for _, l := range []string{"one\n", "two\n"} {
		if err := AppendLine(path, l); err != nil {
			t.Fatal(err)
		}
	}
	if data, _ := os.ReadFile(path); string(data) != "one\ntwo\n" {
		t.Fatalf("ledger %q", data)
	}
	dir := t.TempDir()
	if err := AppendLine(dir, "x\n"); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("append to a folder: %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := AppendLine(filepath.Join(file, "sub", "x"), "x\n"); err == nil {
		t.Fatal("append under a file succeeded")
	}
}

func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("sync of a missing folder succeeded")
	}
}

func TestLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locks", "copy.lock")
	l, err := LockExclusive(path)
	if err != nil {
		t.Fatal(err)
	}
	if other, ok, err := TryLockExclusive(path); ok || err != nil || other != nil {
		t.Fatalf("TryLock while held: %v %v %v", other, ok, err)
	}
	got := make(chan *Lock)
	go func() {
		l2, err := LockExclusive(path)
		if err != nil {
			t.Error(err)
		}
		got <- l2
	}()
	select {
	case <-got:
		t.Fatal("LockExclusive did not wait for the holder")
	case <-time.After(100 * time.Millisecond):
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil { // twice is harmless
		t.Fatal(err)
	}
	l2 := <-got
	if l2 == nil {
		t.Fatal("the waiter got no lock")
	}
	l2.Unlock()
	l3, ok, err := TryLockExclusive(path)
	if !ok || err != nil || l3 == nil {
		t.Fatalf("TryLock when free: %v %v", ok, err)
	}
	l3.Unlock()
	var none *Lock
	if err := none.Unlock(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := LockExclusive(filepath.Join(file, "x.lock")); err == nil {
		t.Fatal("lock under a file succeeded")
	}
	if _, _, err := TryLockExclusive(filepath.Join(file, "x.lock")); err == nil {
		t.Fatal("trylock under a file succeeded")
	}
	if _, err := LockExclusive(filepath.Dir(path)); err == nil {
		t.Fatal("lock of a folder succeeded")
	}
}
