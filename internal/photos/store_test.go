package photos

import (
	"context"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

func TestListAndSummary(t *testing.T) {
	p := paths.New(t.TempDir())
	s, err := Summarise(p)
	if err != nil || s.Count != 0 || s.Newest != nil || s.Last.URLPath() != "" || s.Largest != MinLargestImage {
		t.Fatalf("empty store: %+v %v", s, err)
	}
	imagingtest.WriteFile(t, p.DefaultImage(), []byte("placeholder"))
	for rel, size := range map[string]int{
		"100CANON/IMG_1.JPG": 10, "100CANON/IMG_2.CR2": 250000, "101CANON/IMG_3.jpg": 20,
		"100CANON/notes.txt": 5, "100CANON/Thumbs.db": 5, "100CANON/.directory": 1,
		"100CANON/.thumbs/x.JPG": 1, "100CANON/" + partPrefix + "IMG_4.JPG": 3, "default_image.JPG": 1,
	} {
		imagingtest.WriteFile(t, PhotoPath(p, rel), make([]byte, size))
	}
	setMTime(t, PhotoPath(p, "100CANON/IMG_1.JPG"), 1)
	setMTime(t, PhotoPath(p, "100CANON/IMG_2.CR2"), 3)
	setMTime(t, PhotoPath(p, "101CANON/IMG_3.jpg"), 2)
	ph, err := List(p)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, x := range ph {
		rels = append(rels, x.Rel)
	}
	if got := strings.Join(rels, " "); got != "100CANON/IMG_2.CR2 101CANON/IMG_3.jpg 100CANON/IMG_1.JPG" {
		t.Fatalf("listing (newest first): %s", got)
	}
	s, err = Summarise(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != 3 || s.Newest.Rel != "100CANON/IMG_2.CR2" || s.Largest != 250000 || !s.FreeOK || s.FreeBytes == 0 {
		t.Fatalf("summary %+v", s)
	}
	// The newest is a RAW: thumb, then JPG twin, then preview win in turn.
	if got := s.Last.URLPath(); got != "thumbs/DCIM/100CANON/IMG_2-thumb.JPG" {
		t.Fatalf("last image %s", got)
	}
	imagingtest.WriteFile(t, PhotoPath(p, "100CANON/IMG_2.JPG"), []byte("x"))
	setMTime(t, PhotoPath(p, "100CANON/IMG_2.JPG"), 3)
	if got := ChooseLastImage(p, *s.Newest).URLPath(); got != "photos/DCIM/100CANON/IMG_2.JPG" {
		t.Fatalf("last image %s", got)
	}
	imagingtest.WriteFile(t, PreviewPath(p, "100CANON/IMG_2.CR2"), []byte("x"))
	if got := ChooseLastImage(p, *s.Newest).URLPath(); got != "preview/DCIM/100CANON/IMG_2-preview.JPG" {
		t.Fatalf("last image %s", got)
	}
	if got := ChooseLastImage(p, ph[1]).URLPath(); got != "photos/DCIM/101CANON/IMG_3.jpg" {
		t.Fatalf("a JPEG is shown as itself: %s", got)
	}
	if got := GalleryTarget(p, "101CANON/IMG_3.jpg").URLPath(); got != "photos/DCIM/101CANON/IMG_3.jpg" {
		t.Fatalf("gallery target %s", got)
	}
	if got := ThumbRel("101CANON/IMG_3.jpg"); got != "101CANON/IMG_3-thumb.JPG" {
		t.Fatalf("thumb rel %s", got)
	}
	if !IsRaw("a.cr2") || !IsRaw("B.NEF") || IsRaw("c.JPG") {
		t.Fatal("IsRaw")
	}
	if got := Newest(ph, 2); len(got) != 2 || got[0].Rel != ph[0].Rel {
		t.Fatal("Newest")
	}
}

func TestDaysFree(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want int64
	}{{3, 2}, {4, 4}, {3.2, 3}, {0.4, 0}, {0.5, 0}, {1, 0}, {2, 2}, {10.99, 10}, {7.5, 7}} {
		if got := DaysFloor(c.v); got != c.want {
			t.Errorf("DaysFloor(%v) = %d, want %d (Python round(v-0.5))", c.v, got, c.want)
		}
	}
	// 10 GiB / 5 MiB = 2048 shots; 2048/120 = 17.07; round(16.57) = 17
	if d, ok := PiDaysFree(10<<30, 5<<20, 120); !ok || d != 17 {
		t.Errorf("PiDaysFree = %d %v", d, ok)
	}
	if _, ok := PiDaysFree(1<<30, MinLargestImage, 0); ok {
		t.Error("no shots per day must be unknown")
	}
	if d, ok := CameraDaysFree(999, 120); !ok || d != 8 { // 8.33 → round(7.83)
		t.Errorf("CameraDaysFree = %d %v", d, ok)
	}
}

func TestRenderName(t *testing.T) {
	at := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC) // a Saturday
	for _, c := range []struct{ tpl, want string }{
		{"Site-%F-%Y%m%d-%H%M%S", "Site-IMG_0001-20240203-040506.JPG"},
		{"%a %d %b %Y", "Sat 03 Feb 2024.JPG"},
		{"a/b%F", "a_bIMG_0001.JPG"},
		{"", "IMG_0001.JPG"},
		{"   ", "IMG_0001.JPG"},
		{"%F", "IMG_0001.JPG"},
	} {
		if got := RenderName(c.tpl, "IMG_0001.JPG", at); got != c.want {
			t.Errorf("RenderName(%q) = %q want %q", c.tpl, got, c.want)
		}
	}
}

func TestArchiveFormats(t *testing.T) {
	fp := filepath.Join(t.TempDir(), "piPhotoRename.txt")
	// Lines from the original (CRLF, a legacy bare name), a hand-edited LF
	// line, a torn last line.
	imagingtest.WriteFile(t, fp, []byte("100CANON/IMG_1.JPG 100CANON/Site-1.JPG\r\nIMG_7.JPG IMG_7.JPG\r\n101CANON/IMG_2.JPG 101CANON/IMG_2.JPG\n100CANON/IMG_3.JPG 100CANON/Si"))
	a, err := LoadArchive(fp)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"100CANON/IMG_1.JPG", "101CANON/IMG_2.JPG", "100CANON/IMG_3.JPG", "105CANON/IMG_7.JPG"} {
		if !a.Has(k) {
			t.Errorf("%s not found", k)
		}
	}
	if a.Has("100CANON/IMG_9.JPG") {
		t.Error("IMG_9 found")
	}
	// A name with spaces (a rename template with spaces) survives a round trip.
	if err := a.Record("100CANON/IMG_4.JPG", "100CANON/My Site 4.JPG"); err != nil {
		t.Fatal(err)
	}
	if err := a.Record("100CANON/IMG_5.JPG", "100CANON/IMG_5.JPG"); err != nil {
		t.Fatal(err)
	}
	b, err := LoadArchive(fp)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := b.NewName("100CANON/IMG_4.JPG"); n != "100CANON/My Site 4.JPG" {
		t.Fatalf("name with spaces read back as %q", n)
	}
	if n, _ := b.NewName("100CANON/IMG_3.JPG"); n != "100CANON/Si" {
		t.Fatalf("torn line %q", n)
	}
	raw, _ := os.ReadFile(fp)
	if !strings.HasSuffix(string(raw), "100CANON/Si\r\n100CANON/IMG_4.JPG\t100CANON/My Site 4.JPG\r\n100CANON/IMG_5.JPG 100CANON/IMG_5.JPG\r\n") {
		t.Fatalf("archive tail:\n%q", raw)
	}
}

func TestCopyOutcomes(t *testing.T) {
	fx := makeCard(t, 6)
	home := t.TempDir()
	p := paths.New(home)
	cam := &folderCam{root: fx.cam, failDownload: map[string]bool{"IMG_0002.JPG": true}, lie: map[string]int64{"IMG_0003.JPG": 0}}
	var prog []string
	res, err := Copy(context.Background(), cam, p, CopyOptions{DeleteAfterCopy: true}, func(i, n int) { prog = append(prog, CopyingMessage(i, n)) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 4 || res.Failed != 2 || res.Deleted != 4 || res.Colour != status.Orange || res.Message != "Errors reported. Copied 4 images OK" {
		t.Fatalf("result %+v", res)
	}
	if len(prog) != 6 || prog[0] != "Copying image 1 of 6" || prog[5] != "Copying image 6 of 6" {
		t.Fatalf("progress %q", prog)
	}
	for key, fp := range fx.camAbs {
		_, camErr := os.Stat(fp)
		bad := strings.HasSuffix(key, "IMG_0002.JPG") || strings.HasSuffix(key, "IMG_0003.JPG")
		if bad != (camErr == nil) {
			t.Errorf("%s: on camera %v", key, camErr == nil)
		}
		if !bad {
			st, err := os.Stat(PhotoPath(p, key))
			if err != nil {
				t.Fatalf("%s not on the Pi", key)
			}
			u := fx.mtime[key].UTC() // camera wall time, stamped in the Pi's zone
			want := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.Local)
			if !st.ModTime().Equal(want) {
				t.Errorf("%s mtime %v, want %v", key, st.ModTime(), want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(p.PhotosDCIM(), "100CANON", partPrefix+"IMG_0002.JPG")); err == nil {
		t.Fatal("failed download left its part file")
	}

	// One image: singular. Then nothing new: white.
	cam.failDownload = nil
	res, _ = Copy(context.Background(), cam, p, CopyOptions{}, nil)
	if res.Copied != 1 || res.Failed != 1 || res.Message != "Errors reported. Copied 1 image OK" {
		t.Fatalf("second run %+v", res)
	}
	cam.lie = nil
	res, _ = Copy(context.Background(), cam, p, CopyOptions{}, nil)
	if res.Message != "Copied 1 image OK" || res.Colour != status.White {
		t.Fatalf("third run %+v", res)
	}
	res, _ = Copy(context.Background(), cam, p, CopyOptions{}, nil)
	if res.Message != "There were no new images to copy" || res.Colour != status.White || res.Skipped != 2 {
		t.Fatalf("fourth run %+v", res)
	}
	// Deleted from the Pi (uploaded), still on the camera: never copied again.
	os.Remove(PhotoPath(p, "101CANON/IMG_0002.JPG"))
	res, _ = Copy(context.Background(), cam, p, CopyOptions{}, nil)
	if res.Copied != 0 || fileExists(PhotoPath(p, "101CANON/IMG_0002.JPG")) {
		t.Fatalf("re-copied a photo in the archive: %+v", res)
	}
}

func TestCopyOutOfSpace(t *testing.T) {
	fx := makeCard(t, 5)
	p := paths.New(t.TempDir())
	free := uint64(DefaultReserve + 9000) // room for one or two small photos
	opts := CopyOptions{DeleteAfterCopy: true, FreeSpace: func(string) (uint64, error) { return free, nil }}
	cam := &folderCam{root: fx.cam}
	var copied int64
	opts.FreeSpace = func(string) (uint64, error) { return free - uint64(copied), nil }
	res, err := Copy(context.Background(), cam, p, opts, func(i, n int) {
		ph, _ := List(p)
		copied = 0
		for _, x := range ph {
			copied += x.Size
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OutOfSpace || res.Message != "Out of drive space" || res.Colour != status.Red || res.Copied >= 5 {
		t.Fatalf("result %+v", res)
	}
	left, _ := cam.ListFiles(context.Background(), "/")
	if len(left) != 5-res.Copied+1 { // +1: the MISC file outside DCIM
		t.Fatalf("%d files left on the camera after copying %d", len(left), res.Copied)
	}
	if u := CameraUnavailableResult(5, nil); u.Colour != status.Red || !strings.Contains(u.Message, "5 attempts") {
		t.Fatalf("camera unavailable result %+v", u)
	}
}

func TestCopyRenameCollisionsAndLegacy(t *testing.T) {
	fx := makeCard(t, 5) // all five share one mtime second
	p := paths.New(t.TempDir())
	// An older release copied IMG_0000 without recording it; IMG_0003 is on
	// the Pi with another size (a different photo or a torn old copy).
	imagingtest.WriteFile(t, PhotoPath(p, "100CANON/IMG_0000.JPG"), fx.want["100CANON/IMG_0000.JPG"])
	imagingtest.WriteFile(t, PhotoPath(p, "100CANON/IMG_0003.JPG"), []byte("other"))
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{RenameOnCopy: true, RenameTemplate: "Site %Y%m%d"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 4 || res.Skipped != 1 {
		t.Fatalf("result %+v", res)
	}
	a, _ := LoadArchive(p.RenameArchive())
	if n, _ := a.NewName("100CANON/IMG_0000.JPG"); n != "100CANON/IMG_0000.JPG" {
		t.Fatalf("legacy copy recorded as %q", n)
	}
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Rel)
	}
	want := "100CANON/Site 20240309.CR2 100CANON/Site 20240309.JPG 100CANON/Site 20240309-1.JPG 101CANON/Site 20240309.JPG"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("renamed to\n%s\nwant\n%s", got, want)
	}
	if got, _ := os.ReadFile(PhotoPath(p, "100CANON/IMG_0003.JPG")); string(got) != "other" {
		t.Fatal("an existing different file was overwritten")
	}
}

func TestCopyLockedAndCameraErrors(t *testing.T) {
	fx := makeCard(t, 2)
	p := paths.New(t.TempDir())
	lock, ok, err := fileutilTryLock(p.CopyLock())
	if err != nil || !ok {
		t.Fatal(err)
	}
	res, err := Copy(context.Background(), &folderCam{root: fx.cam}, p, CopyOptions{}, nil)
	if err != ErrCopyRunning || res.Colour != status.Red || !strings.Contains(res.Message, "already running") {
		t.Fatalf("with the lock held: %+v %v", res, err)
	}
	lock.Unlock()
	res, err = Copy(context.Background(), &folderCam{root: filepath.Join(fx.cam, "nothing-here")}, p, CopyOptions{}, nil)
	if err == nil || res.Colour != status.Red || !strings.HasPrefix(res.Message, "Copy failed: list the camera's files") {
		t.Fatalf("camera listing failure: %+v %v", res, err)
	}
}

func TestURLPathEscapes(t *testing.T) {
	for rel, want := range map[string]string{
		"100CANON/cam#2026.JPG": "photos/DCIM/100CANON/cam%232026.JPG",
		"100CANON/a?b c%.JPG":   "photos/DCIM/100CANON/a%3Fb%20c%25.JPG",
		"100CANON/IMG_1.JPG":    "photos/DCIM/100CANON/IMG_1.JPG",
		"100CANON/été;x=1.jpg":  "photos/DCIM/100CANON/%C3%A9t%C3%A9;x=1.jpg",
	} {
		if got := (LastImage{Tree: TreePhotos, Rel: "DCIM/" + rel}).URLPath(); got != want {
			t.Errorf("URLPath(%q) = %q, want %q", rel, got, want)
		}
	}
	if got := ThumbURLPath("100CANON/cam#1.CR2"); got != "thumbs/DCIM/100CANON/cam%231-thumb.JPG" {
		t.Errorf("ThumbURLPath = %q", got)
	}
}
