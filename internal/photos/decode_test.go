package photos

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging"
	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

// Thumbnails through the decoders of internal/imaging, and those decoders
// on damaged files. Test JPEGs come from image/jpeg, PIL (python3-pil) and
// libjpeg-turbo's own tools (libjpeg-turbo-progs: cjpeg, jpegtran).

// Thumbnails of JPEGs without an EXIF thumbnail, of every kind and by
// every path, look like the thumbnail from image/jpeg's full decode.
func TestThumbnailWithoutExifThumb(t *testing.T) {
	dir := t.TempDir()
	big := imagingtest.Scene(1600, 1280, 3) // 1/8 is enough: the DC-only decoder
	mid := imagingtest.Scene(700, 1000, 4)  // portrait; 1/4 scale (libjpeg with cgo)
	wide := imagingtest.Scene(2000, 400, 5) // a panorama
	files := map[string]string{}            // name → path
	add := func(name string) string { fp := filepath.Join(dir, name); files[name] = fp; return fp }
	imagingtest.WriteFile(t, add("big.JPG"), imagingtest.EncJPEG(t, big, 90))
	imagingtest.WriteFile(t, add("mid.JPG"), imagingtest.EncJPEG(t, mid, 90))
	imagingtest.WriteFile(t, add("wide.JPG"), imagingtest.EncJPEG(t, wide, 90))
	imagingtest.PILJPEG(t, add("big-progressive.JPG"), big, "RGB", 2, true)
	imagingtest.Tool(t, "cjpeg", "-progressive", "-quality", "85", "-outfile", add("mid-cjpeg-progressive.JPG"), pngFile(t, dir, mid))
	imagingtest.PILJPEG(t, add("big-gray.JPG"), big, "L", 0, false)
	imagingtest.PILJPEG(t, add("mid-cmyk.JPG"), mid, "CMYK", 0, false)
	imagingtest.PILJPEG(t, add("big-cmyk.JPG"), big, "CMYK", 0, false)
	imagingtest.Tool(t, "jpegtran", "-restart", "1", "-outfile", add("big-restart.JPG"), files["big.JPG"])

	for name, fp := range files {
		got, _, err := Thumbnail(fp, "", true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := thumbBy(fp, decodeFullAt)
		if err != nil {
			t.Fatalf("%s: full decode: %v", name, err)
		}
		g, w := decodeThumb(t, got), decodeThumb(t, want)
		if g.Bounds() != w.Bounds() {
			t.Fatalf("%s: thumbnail %v, full decode's %v", name, g.Bounds(), w.Bounds())
		}
		if b := g.Bounds(); max(b.Dx(), b.Dy()) != ThumbSize {
			t.Fatalf("%s: thumbnail %v is not %d on its long side", name, b, ThumbSize)
		}
		// The two agree region by region (4×4 regions), and the picture is
		// not flat: its quadrants differ.
		gm, wm := regionMeans(g, 4), regionMeans(w, 4)
		for i := range gm {
			for c := range 3 {
				if d := gm[i][c] - wm[i][c]; d > 6 || d < -6 {
					t.Errorf("%s: region %d channel %d: %.1f, full decode %.1f", name, i, c, gm[i][c], wm[i][c])
				}
			}
		}
		if spread(gm) < 40 {
			t.Errorf("%s: thumbnail is nearly flat (spread %.1f)", name, spread(gm))
		}
	}
}

func pngFile(t *testing.T, dir string, img image.Image) string {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	fp := filepath.Join(dir, fmt.Sprintf("src-%d.png", img.Bounds().Dx()))
	imagingtest.WriteFile(t, fp, buf.Bytes())
	// cjpeg reads PPM/BMP/TGA/GIF (and PNG from 3.0 on): give it a PPM.
	ppm := fp + ".ppm"
	b := img.Bounds()
	var p bytes.Buffer
	fmt.Fprintf(&p, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			p.Write([]byte{c.R, c.G, c.B})
		}
	}
	imagingtest.WriteFile(t, ppm, p.Bytes())
	return ppm
}

// regionMeans are the mean RGB of n×n regions of img.
func regionMeans(img image.Image, n int) [][3]float64 {
	b := img.Bounds()
	out := make([][3]float64, n*n)
	cnt := make([]float64, n*n)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			i := (y-b.Min.Y)*n/b.Dy()*n + (x-b.Min.X)*n/b.Dx()
			out[i][0] += float64(r >> 8)
			out[i][1] += float64(g >> 8)
			out[i][2] += float64(bl >> 8)
			cnt[i]++
		}
	}
	for i := range out {
		for c := range 3 {
			out[i][c] /= cnt[i]
		}
	}
	return out
}

func spread(m [][3]float64) float64 {
	lo, hi := 255.0, 0.0
	for _, v := range m {
		s := (v[0] + v[1] + v[2]) / 3
		lo, hi = min(lo, s), max(hi, s)
	}
	return hi - lo
}

// Damaged JPEGs that pass the cheap checks (they end with an end-of-image
// marker) give an error from the decoders, never a crash or a picture with
// a grey half.
func TestDamagedJPEGsGiveErrors(t *testing.T) {
	dir := t.TempDir()
	for _, sz := range [][2]int{{2400, 1600}, {1000, 700}} { // DC-only and libjpeg-reduced sizes
		good := imagingtest.EncJPEG(t, imagingtest.Scene(sz[0], sz[1], 6), 90)
		hd, err := imaging.ScanJPEG(bytes.NewReader(good), 0, int64(len(good)))
		if err != nil {
			t.Fatal(err)
		}
		sos := bytes.Index(good, []byte{0xFF, 0xDA})
		rng := rand.New(rand.NewPCG(9, 9))
		garbage := make([]byte, 200000)
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
		cases := map[string][]byte{
			"cut in half":          append(append([]byte(nil), good[:len(good)/2]...), 0xFF, 0xD9),
			"cut after the header": append(append([]byte(nil), good[:sos+20]...), 0xFF, 0xD9),
			"random scan data":     append(append(append([]byte(nil), good[:sos+14]...), garbage...), 0xFF, 0xD9),
		}
		for name, data := range cases {
			fp := filepath.Join(dir, fmt.Sprintf("%dx%d %s.JPG", sz[0], sz[1], name))
			imagingtest.WriteFile(t, fp, data)
			_, _, err := Thumbnail(fp, "", true)
			if err == nil {
				t.Errorf("%dx%d %s: no error", sz[0], sz[1], name)
				continue
			}
			t.Logf("%dx%d %s: %v", sz[0], sz[1], name, err)
			tw, th := fitBox(hd.W, hd.H, ThumbSize)
			if _, err := imaging.DecodeReduced(bytes.NewReader(data), int64(len(data)), hd.W, hd.H, tw, th); err == nil {
				t.Errorf("%dx%d %s: %s gave no error", sz[0], sz[1], name, imaging.ReducedDecoder)
			}
		}
	}
	// Not JPEGs at all, straight to the decoders.
	for name, data := range map[string][]byte{
		"SOI only":      {0xFF, 0xD8},
		"SOI and junk":  append([]byte{0xFF, 0xD8}, bytes.Repeat([]byte("junk"), 100)...),
		"text":          []byte("hello, this is not a picture at all"),
		"marker, short": {0xFF, 0xD8, 0xFF, 0xDB, 0x00},
		"PNG":           {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0},
	} {
		if _, err := imaging.DCDecode(append([]byte(nil), data...)); err == nil {
			t.Errorf("%s: DC-only decoder gave no error", name)
		}
		if _, err := imaging.DecodeReduced(bytes.NewReader(data), int64(len(data)), 1600, 1200, 160, 120); err == nil {
			t.Errorf("%s: %s gave no error", name, imaging.ReducedDecoder)
		} else {
			t.Logf("%s: %s: %v", name, imaging.ReducedDecoder, err)
		}
	}
}

// Random damage anywhere in real JPEGs: each decoder gives an error or a
// picture, and never crashes (out-of-range reads, libjpeg's error exit).
func TestDecodersSurviveRandomDamage(t *testing.T) {
	dir := t.TempDir()
	pic := imagingtest.Scene(1300, 900, 8)
	base := map[string][]byte{"go": imagingtest.EncJPEG(t, pic, 85)}
	imagingtest.PILJPEG(t, filepath.Join(dir, "p.jpg"), pic, "RGB", 2, true)
	imagingtest.Tool(t, "jpegtran", "-restart", "1", "-optimize", "-outfile", filepath.Join(dir, "r.jpg"), filepath.Join(dir, "p.jpg"))
	for _, n := range []string{"p.jpg", "r.jpg"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		base[n] = b
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var errs, ok int
	for name, good := range base {
		for i := 0; i < 60; i++ {
			data := append([]byte(nil), good...)
			for j := 0; j < 1+rng.IntN(20); j++ {
				// Mostly in the headers, where the tables are.
				at := rng.IntN(len(data))
				if rng.IntN(2) == 0 {
					at = rng.IntN(min(len(data), 700))
				}
				data[at] = byte(rng.Uint32())
			}
			if rng.IntN(3) == 0 {
				data = data[:rng.IntN(len(data))]
			}
			if _, err := imaging.DCDecode(append([]byte(nil), data...)); err != nil {
				errs++
			} else {
				ok++
			}
			for _, scale := range [][2]int{{160, 111}, {320, 222}} { // 1/8 and 1/4
				if _, err := imaging.DecodeReduced(bytes.NewReader(data), int64(len(data)), 1300, 900, scale[0], scale[1]); err != nil {
					errs++
				} else {
					ok++
				}
			}
			_ = name
		}
	}
	t.Logf("%d decodes gave an error, %d a picture", errs, ok)
}

// Many thumbnails at once, each decode on its own: no shared state.
func TestThumbnailsConcurrently(t *testing.T) {
	dir := t.TempDir()
	var files []string
	var want [][]byte
	for i := range 4 {
		fp := filepath.Join(dir, fmt.Sprintf("p%d.JPG", i))
		w, h := 1700+400*i, 1300
		imagingtest.WriteFile(t, fp, imagingtest.EncJPEG(t, imagingtest.Scene(w, h, uint64(20+i)), 88))
		b, _, err := Thumbnail(fp, "", true)
		if err != nil {
			t.Fatal(err)
		}
		files, want = append(files, fp), append(want, b)
	}
	bad := filepath.Join(dir, "bad.JPG")
	good := imagingtest.EncJPEG(t, imagingtest.Scene(1600, 1200, 30), 88)
	imagingtest.WriteFile(t, bad, append(good[:len(good)/3:len(good)/3], 0xFF, 0xD9))
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 4 {
				i := (g + r) % len(files)
				b, _, err := Thumbnail(files[i], "", true)
				if err != nil || !bytes.Equal(b, want[i]) {
					t.Errorf("goroutine %d: %s: thumbnail differs (%v)", g, files[i], err)
				}
				if _, _, err := Thumbnail(bad, "", true); err == nil {
					t.Errorf("goroutine %d: damaged JPEG gave no error", g)
				}
			}
		}()
	}
	wg.Wait()
}
