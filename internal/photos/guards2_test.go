package photos

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// Tests for the mutants that lived in the re-run of the guard files
// (docs/mutants.md, "Re-run of the guard files"). Named TestCopy* so the
// mutants plan (scripts/mutants.plan) selects them.

// An archive with blank lines (an LF-only line, from a hand edit) still
// names every photo on the lines after them, so none is copied again.
func TestArchiveFormatsBlankLines(t *testing.T) {
	fp := filepath.Join(t.TempDir(), "piPhotoRename.txt")
	data := "100CANON/IMG_1.JPG 100CANON/IMG_1.JPG\r\n\n100CANON/IMG_2.JPG 100CANON/Site-2.JPG\r\n\n\nIMG_3.JPG IMG_3.JPG\n"
	if err := os.WriteFile(fp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := LoadArchive(fp)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"100CANON/IMG_1.JPG", "100CANON/IMG_2.JPG", "101CANON/IMG_3.JPG"} {
		if !a.Has(rel) {
			t.Errorf("%s not in the archive %q", rel, a.order)
		}
	}
	if n, ok := a.NewName("100CANON/IMG_2.JPG"); !ok || n != "100CANON/Site-2.JPG" {
		t.Errorf("100CANON/IMG_2.JPG recorded as %q %v", n, ok)
	}
}

// The fault injection of TestCopySurvivesKillAnywhere dies "downloading"
// half-way through a photo: the hook fires once per photo, when the part
// file holds half of it and not yet all of it. Copy writes to the part file
// in 256 KiB blocks, so a 512 KiB photo reaches its half exactly at the
// first block.
func TestCopyDownloadingHookFiresHalfWay(t *testing.T) {
	cam := t.TempDir()
	dir := filepath.Join(cam, "store_00020001", "DCIM", "100CANON")
	os.MkdirAll(dir, 0o755)
	const size = 512 << 10
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(dir, "IMG_0001.JPG"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	p := paths.New(t.TempDir())
	part := filepath.Join(p.PhotosDCIM(), "100CANON", partPrefix+"IMG_0001.JPG")
	var fired []int64
	crashHook = func(stage string, i int) {
		if stage != "downloading" {
			return
		}
		st, err := os.Stat(part)
		if err != nil {
			t.Errorf("no part file when the hook fired: %v", err)
			return
		}
		fired = append(fired, st.Size())
	}
	t.Cleanup(func() { crashHook = nil })
	res, err := Copy(context.Background(), &folderCam{root: cam}, p, CopyOptions{FreeSpace: func(string) (uint64, error) { return 1 << 40, nil }}, nil)
	if err != nil || res.Copied != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(fired) != 1 || fired[0] != size/2 {
		t.Fatalf("the downloading hook fired with the part file at %v bytes, want once at %d", fired, size/2)
	}
}

// When the camera cannot be claimed, the result says so in red and keeps
// the reason; without a reason there is no error entry.
func TestCopyCameraUnavailableResultKeepsTheReason(t *testing.T) {
	why := errors.New("usb: device busy")
	r := CameraUnavailableResult(3, why)
	if r.Colour != status.Red || r.Message != "Could not claim the camera's USB device after 3 attempts" || len(r.Errors) != 1 || r.Errors[0] != why {
		t.Fatalf("%+v", r)
	}
	if r := CameraUnavailableResult(1, nil); len(r.Errors) != 0 || r.Colour != status.Red {
		t.Fatalf("without a reason: %+v", r)
	}
}
