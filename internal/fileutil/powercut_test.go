package fileutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil/lazyfs"
)

// TestWritesSurviveAPowerCut cuts the power right after each write returns,
// on a file system that keeps only what was fsynced (names too, only once
// their folder is): what the helpers wrote, in folders they made, is there.
func TestWritesSurviveAPowerCut(t *testing.T) {
	if !lazyfs.Private(t) {
		return
	}
	for _, tc := range []struct {
		name  string
		write func(home string) error
		check string // path below home that must hold want
		want  string
	}{
		{"WriteAtomic in new folders", func(h string) error {
			return WriteAtomic(filepath.Join(h, "a", "b", "f.ini"), []byte("x = 1\n"), 0o644)
		}, "a/b/f.ini", "x = 1\n"},
		{"WriteAtomic replacing", func(h string) error {
			if err := WriteAtomic(filepath.Join(h, "f"), []byte("old\n"), 0o644); err != nil {
				return err
			}
			return WriteAtomic(filepath.Join(h, "f"), []byte("new\n"), 0o644)
		}, "f", "new\n"},
		{"AppendLine creating the file and its folder", func(h string) error {
			return AppendLine(filepath.Join(h, "j", "journal"), "line 1\n")
		}, "j/journal", "line 1\n"},
		{"AppendLine appending", func(h string) error {
			if err := AppendLine(filepath.Join(h, "ledger"), "line 1\n"); err != nil {
				return err
			}
			return AppendLine(filepath.Join(h, "ledger"), "line 2\n")
		}, "ledger", "line 1\nline 2\n"},
		{"MkdirAll", func(h string) error {
			if err := MkdirAll(filepath.Join(h, "m", "n"), 0o755); err != nil {
				return err
			}
			return SyncDir(filepath.Join(h, "m", "n")) // durable inside n; n's own name by MkdirAll
		}, "m/n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk, home := t.TempDir(), t.TempDir()
			m, err := lazyfs.New(home, disk, 0, lazyfs.Names)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Unmount()
			if err := tc.write(home); err != nil {
				t.Fatal(err)
			}
			if err := m.Unmount(); err != nil { // the power goes
				t.Fatal(err)
			}
			p := filepath.Join(disk, filepath.FromSlash(tc.check))
			if tc.want == "" {
				if st, err := os.Stat(p); err != nil || !st.IsDir() {
					t.Fatalf("after the cut %s is not a folder: %v", tc.check, err)
				}
				return
			}
			if got, err := os.ReadFile(p); err != nil || string(got) != tc.want {
				t.Fatalf("after the cut %s = %q (%v), want %q", tc.check, got, err, tc.want)
			}
		})
	}
}
