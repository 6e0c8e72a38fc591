package photos

import (
	"context"
	"crypto/sha256"
	"os"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// pendingDelete leaves the state of a run that recorded key and died before
// deleting it from the camera: photo on the Pi, archive line, journal.
func pendingDelete(t *testing.T, fx fixture, p paths.Paths, key string) {
	t.Helper()
	if _, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	j := journal{Camera: "/store_00020001/DCIM/" + key, Key: key, Rel: key, Size: int64(len(fx.want[key]))}
	if err := fileutil.WriteAtomic(p.CopyJournal(), j.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The last run recorded IMG_0000 and died before deleting it; since then the
// card was formatted and a new photo took the same name, with another size.
// It is a photo the Pi has never seen: copied, and the old copy kept.
func TestPendingDeleteOfAReusedNameCopiesTheNewPhoto(t *testing.T) {
	for _, del := range []bool{true, false} {
		fx := makeCard(t, 2)
		p := paths.New(t.TempDir())
		key := "100CANON/IMG_0000.JPG"
		pendingDelete(t, fx, p, key)
		fresh := append([]byte("a new photo, same name, "), make([]byte, len(fx.want[key])+100)...)
		if err := os.WriteFile(fx.camAbs[key], fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{DeleteAfterCopy: del}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pi := piContents(t, p)
		if len(pi[sha256.Sum256(fresh)]) != 1 || res.Copied != 1 {
			t.Fatalf("delete %v: the new photo is not on the Pi once (%v), result %+v", del, pi[sha256.Sum256(fresh)], res)
		}
		if got, _ := os.ReadFile(PhotoPath(p, key)); string(got) != string(fx.want[key]) {
			t.Fatalf("delete %v: the old copy on the Pi changed", del)
		}
		a, _ := LoadArchive(p.RenameArchive())
		if rel, _ := a.NewName(key); rel == key || len(pi[sha256.Sum256(fresh)]) == 0 || PhotoPath(p, rel) != pi[sha256.Sum256(fresh)][0] {
			t.Fatalf("delete %v: the archive names %q for %s, want the new copy %v", del, rel, key, pi[sha256.Sum256(fresh)])
		}
		if _, err := os.Stat(fx.camAbs[key]); (err == nil) == del {
			t.Fatalf("delete %v: on the camera afterwards: %v", del, err == nil)
		}
		if _, err := os.Stat(fx.camAbs["100CANON/IMG_0001.CR2"]); err != nil {
			t.Fatalf("delete %v: a photo not in the journal was deleted", del)
		}
	}
}

// The same with the size unchanged: it is the photo the last run recorded,
// and the run finishes by deleting it, without a second copy.
func TestPendingDeleteOfTheSamePhotoDeletesIt(t *testing.T) {
	fx := makeCard(t, 2)
	p := paths.New(t.TempDir())
	key := "100CANON/IMG_0000.JPG"
	pendingDelete(t, fx, p, key)
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{DeleteAfterCopy: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Deleted != 1 || res.Skipped != 2 {
		t.Fatalf("result %+v", res)
	}
	if _, err := os.Stat(fx.camAbs[key]); err == nil {
		t.Fatal("the recorded photo is still on the camera")
	}
	if _, err := os.Stat(fx.camAbs["100CANON/IMG_0001.CR2"]); err != nil {
		t.Fatal("a photo not in the journal was deleted")
	}
	if _, err := os.Stat(p.CopyJournal()); err == nil {
		t.Fatal("journal left after the run")
	}
}
