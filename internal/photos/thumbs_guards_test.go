package photos

import (
	"bytes"
	"context"
	"crypto/sha256"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// A square photo (a camera's 1:1 mode) whose 4:3 EXIF thumbnail has bars left
// and right: the thumbnail comes from the embedded picture, without the bars.
func TestThumbnailCropsSideBars(t *testing.T) {
	fp := filepath.Join(t.TempDir(), "square.JPG")
	pic := image.NewRGBA(image.Rect(0, 0, 240, 240))
	draw.ApproxBiLinear.Scale(pic, pic.Bounds(), pattern(1200, 1200, color.RGBA{R: 40, A: 255}), image.Rect(0, 0, 1200, 1200), draw.Src, nil)
	cameraJPEG(t, fp, 1200, 1200, imagingtest.EncJPEG(t, letterbox(pic, 320, 240), 95))
	b, _, err := Thumbnail(fp, "", true)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeThumb(t, b)
	if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 160 {
		t.Fatalf("thumbnail %v, want 160x160", img.Bounds())
	}
	// R 40 is the embedded picture's (the photo's is 180); the outer columns
	// show the picture, not black bars.
	if c := img.At(1, 20); !near(c, 40, 200, 220, 30) {
		t.Errorf("left edge %v", c)
	}
	if c := img.At(158, 140); !near(c, 40, 0, 0, 30) {
		t.Errorf("right edge %v", c)
	}
}

// The crop of an embedded picture to the photo's aspect, rounded to the
// nearest pixel.
func TestCropSizeRounding(t *testing.T) {
	for _, c := range []struct{ w, h, mw, mh, cw, ch int }{
		{160, 120, 4000, 3000, 160, 120}, // same aspect: all of it
		{160, 120, 3000, 2000, 160, 107}, // bars top and bottom: 106.67
		{160, 120, 1200, 1200, 120, 120}, // bars left and right
		{200, 101, 7, 4, 177, 101},       // 176.75
		{200, 100, 5, 4, 125, 100},
		{100, 200, 4, 5, 100, 125},
		{90, 200, 3, 5, 90, 150},
		{91, 200, 4, 3, 91, 68}, // 68.25
	} {
		if cw, ch := cropSize(c.w, c.h, c.mw, c.mh); cw != c.cw || ch != c.ch {
			t.Errorf("cropSize(%d×%d for %d:%d) = %d×%d, want %d×%d", c.w, c.h, c.mw, c.mh, cw, ch, c.cw, c.ch)
		}
	}
}

// Other pictures a user drops into the store (PNG, GIF) get thumbnails
// too; a file that is no picture gives an error, and asking only for its
// summary fields reads nothing.
func TestThumbnailOfOtherFormats(t *testing.T) {
	dir := t.TempDir()
	pic := pattern(640, 480, color.RGBA{R: 60, A: 255})
	var pb, gb bytes.Buffer
	if err := png.Encode(&pb, pic); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gb, pic, nil); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"a.png": pb.Bytes(), "b.GIF": gb.Bytes()} {
		fp := filepath.Join(dir, name)
		imagingtest.WriteFile(t, fp, data)
		b, _, err := Thumbnail(fp, "", true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img := decodeThumb(t, b)
		if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 120 {
			t.Fatalf("%s: thumbnail %v, want 160x120", name, img.Bounds())
		}
		if c := img.At(20, 20); !near(c, 60, 200, 220, 40) {
			t.Errorf("%s: top-left %v", name, c)
		}
		if c := img.At(140, 100); !near(c, 60, 0, 0, 40) {
			t.Errorf("%s: bottom-right %v", name, c)
		}
	}
	junk := filepath.Join(dir, "junk.png")
	imagingtest.WriteFile(t, junk, []byte("not a picture at all"))
	if _, _, err := Thumbnail(junk, "", true); err == nil || !strings.Contains(err.Error(), "not a picture") {
		t.Fatalf("junk.png: %v", err)
	}
	if b, _, err := Thumbnail(junk, "", false); err != nil || b != nil {
		t.Fatalf("junk.png without a thumbnail: %d bytes, %v", len(b), err)
	}
}

// The thumbnail run never changes an original (content, size or mtime),
// and a photo whose summary line cannot be written (a line break in its
// name) gets its thumbnail but is reported as failed.
func TestMakeThumbsLeavesOriginalsAndReportsLineFailures(t *testing.T) {
	p := paths.New(t.TempDir())
	small := imagingtest.EncJPEG(t, letterbox(pattern(160, 107, color.RGBA{A: 255}), 160, 120), 90)
	jp := PhotoPath(p, "100CANON/IMG_0001.JPG")
	os.MkdirAll(filepath.Dir(jp), 0o755)
	cameraJPEG(t, jp, 600, 400, small, "-ISO=100")
	setMTime(t, jp, 1)
	raw := PhotoPath(p, "100CANON/IMG_0002.CR2")
	imagingtest.WriteFile(t, raw, fakeCR2(rawParts{preview: imagingtest.EncJPEG(t, pattern(600, 400, color.RGBA{R: 99, A: 255}), 85), thumb: small}))
	setMTime(t, raw, 2)
	odd := PhotoPath(p, "100CANON/IMG\n3.png")
	var pb bytes.Buffer
	png.Encode(&pb, pattern(320, 240, color.RGBA{A: 255}))
	imagingtest.WriteFile(t, odd, pb.Bytes())
	setMTime(t, odd, 3)

	type state struct {
		sum  [32]byte
		size int64
		mod  int64
	}
	snap := func() map[string]state {
		m := map[string]state{}
		for _, fp := range []string{jp, raw, odd} {
			data, err := os.ReadFile(fp)
			st, serr := os.Stat(fp)
			if err != nil || serr != nil {
				t.Fatalf("%s: %v %v", fp, err, serr)
			}
			m[fp] = state{sha256.Sum256(data), st.Size(), st.ModTime().UnixNano()}
		}
		return m
	}
	before := snap()
	res, err := MakeThumbs(context.Background(), p, ThumbOptions{Count: 24}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Failed != 1 || len(res.Errors) != 1 || res.Colour != status.Orange {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Errors[0].Error(), "line breaks") || !fileExists(ThumbPath(p, "100CANON/IMG\n3.png")) {
		t.Fatalf("the odd name: %v, thumbnail made %v", res.Errors[0], fileExists(ThumbPath(p, "100CANON/IMG\n3.png")))
	}
	after := snap()
	for fp, s := range before {
		if after[fp] != s {
			t.Errorf("%s changed by the thumbnail run", filepath.Base(fp))
		}
	}
}

// A decode that rounds a side up (1/8 of 1283 is 161) is still scaled to
// exactly PIL's box, on both sides.
func TestThumbnailIsExactlyTheBoxAfterARoundedDecode(t *testing.T) {
	dir := t.TempDir()
	for _, sz := range [][2]int{{1283, 1000}, {1280, 1003}, {1000, 1283}} {
		fp := filepath.Join(dir, "odd.JPG")
		imagingtest.WriteFile(t, fp, imagingtest.EncJPEG(t, pattern(sz[0], sz[1], color.RGBA{R: 70, A: 255}), 85))
		b, _, err := Thumbnail(fp, "", true)
		if err != nil {
			t.Fatalf("%v: %v", sz, err)
		}
		tw, th := fitBox(sz[0], sz[1], ThumbSize)
		img := decodeThumb(t, b)
		if img.Bounds().Dx() != tw || img.Bounds().Dy() != th {
			t.Fatalf("%v: thumbnail %v, want %dx%d", sz, img.Bounds(), tw, th)
		}
		if c := img.At(tw-3, th-3); !near(c, 70, 0, 0, 30) {
			t.Errorf("%v: bottom-right %v", sz, c)
		}
	}
}

// The reduced decode of an embedded picture is asked for at least the
// pixels the crop needs: the target is rounded up, never down.
func TestCeilDiv(t *testing.T) {
	for _, c := range [][3]int{{0, 5, 0}, {1, 3, 1}, {7, 2, 4}, {8, 2, 4}, {9, 2, 5}, {160 * 1272, 1271, 161}, {160 * 1280, 1280, 160}} {
		if got := ceilDiv(c[0], c[1]); got != c[2] {
			t.Errorf("ceilDiv(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}
