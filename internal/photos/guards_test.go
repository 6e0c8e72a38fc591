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
