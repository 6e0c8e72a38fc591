package photos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// The listing's order, bounds and floors that the pages and days-free rely on.
func TestListingOrderAndBounds(t *testing.T) {
	p := paths.New(t.TempDir())
	// Same mtime: ordered by path, whatever order they were written in.
	for _, rel := range []string{"101CANON/B.JPG", "100CANON/C.JPG", "100CANON/A.JPG"} {
		imagingtest.WriteFile(t, PhotoPath(p, rel), []byte("x"))
		setMTime(t, PhotoPath(p, rel), 5)
	}
	ph, err := List(p)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, x := range ph {
		rels = append(rels, x.Rel)
	}
	if got := strings.Join(rels, " "); got != "100CANON/A.JPG 100CANON/C.JPG 101CANON/B.JPG" {
		t.Fatalf("ties not by path: %s", got)
	}
	if got := Newest(ph, -1); len(got) != 0 {
		t.Errorf("Newest(-1) = %d photos", len(got))
	}
	if got := Newest(ph, 10); len(got) != 3 {
		t.Errorf("Newest(10) of 3 = %d photos", len(got))
	}

	// Days free never divides by less than the floor, and follows a bigger photo.
	if got := LargestImage(ph); got != MinLargestImage {
		t.Errorf("LargestImage of 1-byte photos = %d, want the floor %d", got, MinLargestImage)
	}
	if got := LargestImage(append(ph, Photo{Size: MinLargestImage + 1}, Photo{Size: 7})); got != MinLargestImage+1 {
		t.Errorf("LargestImage = %d, want %d", got, MinLargestImage+1)
	}

	// A RAW's gallery tile links its preview once there is one, else its thumbnail.
	if got := GalleryTarget(p, "100CANON/IMG_9.CR2").URLPath(); got != "thumbs/DCIM/100CANON/IMG_9-thumb.JPG" {
		t.Errorf("RAW without preview: %s", got)
	}
	imagingtest.WriteFile(t, PreviewPath(p, "100CANON/IMG_9.CR2"), []byte("x"))
	if got := GalleryTarget(p, "100CANON/IMG_9.CR2").URLPath(); got != "preview/DCIM/100CANON/IMG_9-preview.JPG" {
		t.Errorf("RAW with preview: %s", got)
	}
}

// A store that cannot be read is an error the pages show, not an empty store.
func TestListingUnreadableStore(t *testing.T) {
	home := t.TempDir()
	p := paths.New(home)
	if err := os.WriteFile(filepath.Dir(p.PhotosDCIM()), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ph, err := List(p); err == nil {
		t.Fatalf("a photos folder that is a file listed as %d photos, no error", len(ph))
	}
	if _, err := Summarise(p); err == nil {
		t.Fatal("Summarise of an unreadable store gave no error")
	}
}
