//go:build cgo && !nolibjpeg && !nogphoto2

package imaging

import (
	"bytes"
	"fmt"
	"image"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

// libjpeg's reduced decode, at each scale it is asked for, shows the
// picture the full decode shows.
func TestLibjpegReducedMatchesFullDecode(t *testing.T) {
	dir := t.TempDir()
	pic := imagingtest.Scene(603, 405, 13)
	files := map[string]string{}
	add := func(name string) string { fp := filepath.Join(dir, name); files[name] = fp; return fp }
	imagingtest.WriteFile(t, add("go-420.jpg"), imagingtest.EncJPEG(t, pic, 90))
	imagingtest.PILJPEG(t, add("pil-444.jpg"), pic, "RGB", 0, false)
	imagingtest.PILJPEG(t, add("pil-444-progressive.jpg"), pic, "RGB", 0, true)
	imagingtest.PILJPEG(t, add("pil-gray.jpg"), pic, "L", 0, false)
	imagingtest.PILJPEG(t, add("pil-cmyk.jpg"), pic, "CMYK", 0, false)
	for name, fp := range files {
		data, w, h := readJPEG(t, fp)
		full, err := DecodeFull(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", name, err)
		}
		// Boxes that call for 1/8, 1/4, 1/2 and full scale.
		for _, f := range []int{8, 4, 2, 1} {
			tw, th := (w+f-1)/f, (h+f-1)/f
			img, err := DecodeReduced(bytes.NewReader(data), int64(len(data)), w, h, tw, th)
			if err != nil {
				t.Fatalf("%s at 1/%d: %v", name, f, err)
			}
			if _, ok := img.(*image.RGBA); !ok {
				t.Fatalf("%s: libjpeg gave a %T", name, img)
			}
			// A pixel is its block's mean to within the fast IDCT's error.
			compareSmall(t, fmt.Sprintf("%s libjpeg 1/%d", name, f), img, full, f, 12, 1.5)
		}
	}
}
