package photos

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Tests that pin the copy's guards that mutation testing found unguarded
// (docs/mutants.md). Named TestCopy* so the mutants plan
// (scripts/mutants.plan) selects them.

// An empty file on the card is never a photo to copy: it is reported, left
// on the camera, and not recorded, even when the Pi holds an empty file of
// the same name (which would otherwise pass for a complete copy).
func TestCopyEmptyCameraFileIsLeftAlone(t *testing.T) {
	cam := t.TempDir()
	dir := filepath.Join(cam, "store_00020001", "DCIM", "100CANON")
	os.MkdirAll(dir, 0o755)
	for _, n := range []string{"EMPTY_1.JPG", "EMPTY_2.JPG"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := paths.New(t.TempDir())
	onPi := filepath.Join(p.PhotosDCIM(), "100CANON", "EMPTY_2.JPG")
	os.MkdirAll(filepath.Dir(onPi), 0o755)
	os.WriteFile(onPi, nil, 0o644)

	res, err := Copy(context.Background(), &folderCam{root: cam}, p, CopyOptions{DeleteAfterCopy: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Skipped != 0 || res.Deleted != 0 || res.Failed != 2 || len(res.Errors) != 2 {
		t.Fatalf("result %+v", res)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.Error(), "the camera reports an empty file") {
			t.Fatalf("error %v", e)
		}
	}
	for _, n := range []string{"EMPTY_1.JPG", "EMPTY_2.JPG"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Fatalf("%s deleted from the camera: %v", n, err)
		}
	}
	arch, err := LoadArchive(p.RenameArchive())
	if err != nil {
		t.Fatal(err)
	}
	if arch.Has("100CANON/EMPTY_1.JPG") || arch.Has("100CANON/EMPTY_2.JPG") {
		t.Fatal("an empty camera file was recorded as copied")
	}
	if _, err := os.Stat(filepath.Join(p.PhotosDCIM(), "100CANON", "EMPTY_1.JPG")); err == nil {
		t.Fatal("an empty camera file was copied")
	}
}

// The reserve is kept exactly: a photo that leaves just the reserve free is
// copied; one byte less and the copy stops.
func TestCopyReserveBoundary(t *testing.T) {
	for _, c := range []struct {
		spare   int64 // free bytes beyond the photo and the reserve
		reserve uint64
		copied  bool
	}{
		{0, 0, true}, {-1, 0, false}, {0, 5000, true}, {-1, 5000, false},
	} {
		fx := makeCard(t, 1)
		key := "100CANON/IMG_0000.JPG"
		size := int64(len(fx.want[key]))
		reserve := c.reserve
		if reserve == 0 {
			reserve = DefaultReserve
		}
		free := uint64(size + int64(reserve) + c.spare)
		p := paths.New(t.TempDir())
		opts := CopyOptions{Reserve: c.reserve, FreeSpace: func(string) (uint64, error) { return free, nil }}
		res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Copied == 1 && !res.OutOfSpace; got != c.copied {
			t.Fatalf("%+v: result %+v", c, res)
		}
	}
}

// A rename whose suffixes are all taken falls back to the camera's name;
// a name whose suffixes are all taken is an error, and the photo stays on
// the camera.
func TestCopyRenameSuffixesRunOut(t *testing.T) {
	fx := makeCard(t, 1)
	key := "100CANON/IMG_0000.JPG"
	p := paths.New(t.TempDir())
	dir := filepath.Join(p.PhotosDCIM(), "100CANON")
	os.MkdirAll(dir, 0o755)
	for n := 0; n < MaxRenameSuffix; n++ {
		if err := os.WriteFile(filepath.Join(dir, withSuffix("Site.JPG", n)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := freeName(dir, "Site.JPG"); err == nil || !strings.Contains(err.Error(), "suffixes up to -999 are taken") {
		t.Fatalf("freeName with every suffix taken: %v", err)
	}
	os.Remove(filepath.Join(dir, "Site-999.JPG"))
	if got, err := freeName(dir, "Site.JPG"); err != nil || got != "Site-999.JPG" {
		t.Fatalf("freeName with the last suffix free: %q %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, "Site-999.JPG"), []byte("x"), 0o644)

	opts := CopyOptions{DeleteAfterCopy: true, RenameOnCopy: true, RenameTemplate: "Site"}
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 1 || len(res.Files) != 1 || res.Files[0].Rel != key {
		t.Fatalf("result %+v", res)
	}
	if got, _ := os.ReadFile(PhotoPath(p, key)); string(got) != string(fx.want[key]) {
		t.Fatal("the photo is not on the Pi under the camera's name")
	}

	// Now the camera's own name has no free suffix either.
	fx = makeCard(t, 1)
	p = paths.New(t.TempDir())
	dir = filepath.Join(p.PhotosDCIM(), "100CANON")
	os.MkdirAll(dir, 0o755)
	for n := 0; n < MaxRenameSuffix; n++ {
		os.WriteFile(filepath.Join(dir, withSuffix("IMG_0000.JPG", n)), []byte("x"), 0o644)
	}
	res, err = Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{DeleteAfterCopy: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Failed != 1 || res.Deleted != 0 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "no free name") {
		t.Fatalf("result %+v", res)
	}
	if _, err := os.Stat(fx.camAbs[key]); err != nil {
		t.Fatalf("the photo left the camera without a copy: %v", err)
	}
}

// Only files below a DCIM folder are photos, named by their path below it;
// a name or folder that could escape the store is refused.
func TestCopyCameraPathsBelowDCIM(t *testing.T) {
	for _, c := range []struct{ folder, name, key string }{
		{"/store_00020001/DCIM/100CANON", "IMG_1.JPG", "100CANON/IMG_1.JPG"},
		{"/DCIM/100CANON", "IMG_1.JPG", "100CANON/IMG_1.JPG"},
		{"/store_00020001/DCIM", "IMG_1.JPG", "IMG_1.JPG"},
		{"/store_00020001/DCIM/", "IMG_1.JPG", "IMG_1.JPG"},
		{"/store_00020001/DCIM/100CANON/", "IMG_1.JPG", "100CANON/IMG_1.JPG"},
		{"/store_00020001/DCIM/100CANON/SUB", "IMG_1.JPG", "100CANON/SUB/IMG_1.JPG"},
		{"/store_00020001/MISC", "AUTPRINT.MRK", ""},
		{"/store_00020001/DCIMX/100CANON", "IMG_1.JPG", ""},
		{"/store_00020001/DCIM/100CANON", "", ""},
		{"/store_00020001/DCIM/100CANON", ".", ""},
		{"/store_00020001/DCIM/100CANON", "..", ""},
		{"/store_00020001/DCIM/100CANON", "a/b.JPG", ""},
		{"/store_00020001/DCIM/100CANON", "a\x00.JPG", ""},
		{"/store_00020001/DCIM/100CANON", partPrefix + "IMG_1.JPG", ""},
		{"/store_00020001/DCIM/100CANON/..", "IMG_1.JPG", ""},
		{"/store_00020001/DCIM/../etc", "IMG_1.JPG", ""},
		{"/store_00020001/DCIM/./100CANON", "IMG_1.JPG", ""},
		{"/store_00020001/DCIM/100//CANON", "IMG_1.JPG", ""},
	} {
		key, ok := dcimKey(c.folder, c.name)
		if key != c.key || ok != (c.key != "") {
			t.Errorf("dcimKey(%q, %q) = %q %v, want %q", c.folder, c.name, key, ok, c.key)
		}
	}
}

// Settling a journal whose photo the archive already records adds no second
// archive line; settling one whose photo was renamed into place but not yet
// recorded records it once, and the photo is not copied again.
func TestCopySettledJournalRecordsOnce(t *testing.T) {
	fx := makeCard(t, 2)
	p := paths.New(t.TempDir())
	key := "100CANON/IMG_0000.JPG"
	pendingDelete(t, fx, p, key)
	before, _ := os.ReadFile(p.RenameArchive())
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{}, nil)
	if err != nil || res.Copied != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if after, _ := os.ReadFile(p.RenameArchive()); string(after) != string(before) {
		t.Fatalf("archive changed by settling a recorded photo:\n%q\nwas\n%q", after, before)
	}

	// Renamed into place, the archive line not written: recorded, not copied again.
	fx = makeCard(t, 2)
	p = paths.New(t.TempDir())
	dest := PhotoPath(p, key)
	os.MkdirAll(filepath.Dir(dest), 0o755)
	os.WriteFile(dest, fx.want[key], 0o644)
	j := journal{Camera: "/store_00020001/DCIM/" + key, Key: key, Rel: key, Size: int64(len(fx.want[key]))}
	os.WriteFile(p.CopyJournal(), j.encode(), 0o644)
	res, err = Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{DeleteAfterCopy: true}, nil)
	if err != nil || res.Copied != 1 || res.Skipped != 1 || res.Deleted != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	data, _ := os.ReadFile(p.RenameArchive())
	if n := strings.Count(string(data), key+" "+key); n != 1 {
		t.Fatalf("archive names %s %d times:\n%s", key, n, data)
	}
	if _, err := os.Stat(PhotoPath(p, "100CANON/IMG_0000-1.JPG")); err == nil {
		t.Fatal("the settled photo was copied again")
	}
}

// A photo an older release copied without recording it (same name and size
// on the Pi) is recorded, not copied again, and with deleteAfterCopy it is
// deleted from the camera and counted.
func TestCopyLegacyCopyIsClaimedAndDeleted(t *testing.T) {
	fx := makeCard(t, 2)
	p := paths.New(t.TempDir())
	key := "100CANON/IMG_0000.JPG"
	dest := PhotoPath(p, key)
	os.MkdirAll(filepath.Dir(dest), 0o755)
	os.WriteFile(dest, fx.want[key], 0o644)
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{DeleteAfterCopy: true}, nil)
	if err != nil || res.Copied != 1 || res.Skipped != 1 || res.Deleted != 2 || len(res.Errors) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := os.Stat(fx.camAbs[key]); !os.IsNotExist(err) {
		t.Fatalf("the claimed photo is still on the camera: %v", err)
	}
	arch, _ := LoadArchive(p.RenameArchive())
	if n, ok := arch.NewName(key); !ok || n != key {
		t.Fatalf("the claimed photo recorded as %q %v", n, ok)
	}
}
