package photos

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Tests of the decoders a JPEG without an embedded thumbnail goes through:
// the DC-only decoder, libjpeg's reduced decode (cgo builds) and image/jpeg.
// Test JPEGs come from image/jpeg, PIL (python3-pil) and libjpeg-turbo's own
// tools (libjpeg-turbo-progs: cjpeg, jpegtran).

// scene is a photo-like picture: gradients, a colour per quadrant, noise.
func scene(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r := 40 + 160*x/w + rng.IntN(10)
			g := 30 + 150*y/h + rng.IntN(10)
			b := 200 - 120*x/w
			if x < w/2 != (y < h/2) {
				b = 60
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(r), uint8(g), uint8(b), 255
		}
	}
	return img
}

// pilJPEG has PIL write img as a JPEG at fp: mode "RGB", "L" or "CMYK",
// subsampling 0 (4:4:4), 1 (4:2:2) or 2 (4:2:0), optionally progressive.
func pilJPEG(t *testing.T, fp string, img image.Image, mode string, subsampling int, progressive bool) {
	t.Helper()
	src := fp + ".png"
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	writeFile(t, src, buf.Bytes())
	defer os.Remove(src)
	prog := "False"
	if progressive {
		prog = "True"
	}
	script := fmt.Sprintf(`from PIL import Image
im = Image.open(%q).convert(%q)
im.save(%q, "JPEG", quality=90, subsampling=%d, progressive=%s)`, src, mode, fp, subsampling, prog)
	if out, err := exec.Command(pilPython(t), "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("PIL: %v\n%s", err, out)
	}
}

// run runs a libjpeg-turbo tool (libjpeg-turbo-progs).
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s (apt-get install libjpeg-turbo-progs)", name, args, err, out)
	}
}

func readJPEG(t *testing.T, fp string) (data []byte, w, h int) {
	t.Helper()
	data, err := os.ReadFile(fp)
	if err != nil {
		t.Fatal(err)
	}
	hd, err := scanJPEG(bytes.NewReader(data), 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return data, hd.W, hd.H
}

// blockMeans averages img (the full decode) over f×f blocks, in RGB.
func blockMeans(img image.Image, f int) [][3]float64 {
	b := img.Bounds()
	bw, bh := (b.Dx()+f-1)/f, (b.Dy()+f-1)/f
	out := make([][3]float64, bw*bh)
	n := make([]float64, bw*bh)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			i := (y-b.Min.Y)/f*bw + (x-b.Min.X)/f
			out[i][0] += float64(r >> 8)
			out[i][1] += float64(g >> 8)
			out[i][2] += float64(bl >> 8)
			n[i]++
		}
	}
	for i := range out {
		for c := range 3 {
			out[i][c] /= n[i]
		}
	}
	return out
}

// compareSmall checks that small (a decode at 1/f scale) shows what full
// (the full-size decode of the same JPEG) shows: the same size, and each
// pixel near the mean of its f×f block in RGB: within worst everywhere,
// within mean on average (chroma subsampling makes edges differ more).
func compareSmall(t *testing.T, what string, small, full image.Image, f int, worst, mean float64) {
	t.Helper()
	fb, sb := full.Bounds(), small.Bounds()
	if sb.Dx() != (fb.Dx()+f-1)/f || sb.Dy() != (fb.Dy()+f-1)/f {
		t.Fatalf("%s: decoded %v, want 1/%d of %v", what, sb, f, fb)
	}
	means := blockMeans(full, f)
	var w, sum float64
	for y := 0; y < sb.Dy(); y++ {
		for x := 0; x < sb.Dx(); x++ {
			r, g, b, _ := small.At(sb.Min.X+x, sb.Min.Y+y).RGBA()
			m := means[y*sb.Dx()+x]
			for c, v := range []uint32{r >> 8, g >> 8, b >> 8} {
				d := math.Abs(float64(v) - m[c])
				w = max(w, d)
				sum += d
			}
		}
	}
	avg := sum / float64(3*sb.Dx()*sb.Dy())
	t.Logf("%s: %v, worst difference %.1f, mean %.2f", what, sb, w, avg)
	if w > worst || avg > mean {
		t.Errorf("%s: differs from the full decode: worst %.1f, mean %.2f (tolerances %.0f, %.1f)", what, w, avg, worst, mean)
	}
}

// planeMeans checks that every sample of the small plane (sw×sh) is the
// mean of its 8×8 block of the full plane (fw×fh), to within tol.
func planeMeans(t *testing.T, what string, small []byte, sStride, sw, sh int, full []byte, fStride, fw, fh int, tol float64) {
	t.Helper()
	if sw != (fw+7)/8 || sh != (fh+7)/8 {
		t.Fatalf("%s: plane %dx%d for a full plane of %dx%d", what, sw, sh, fw, fh)
	}
	var worst float64
	for by := 0; by < sh; by++ {
		for bx := 0; bx < sw; bx++ {
			var sum, n float64
			for y := by * 8; y < min(by*8+8, fh); y++ {
				for x := bx * 8; x < min(bx*8+8, fw); x++ {
					sum += float64(full[y*fStride+x])
					n++
				}
			}
			worst = max(worst, math.Abs(float64(small[by*sStride+bx])-sum/n))
		}
	}
	if worst > tol {
		t.Errorf("%s: a sample differs from its block's mean by %.1f", what, worst)
	}
}

func TestDCDecodeMatchesFullDecode(t *testing.T) {
	dir := t.TempDir()
	pic := scene(803, 605, 1) // not a multiple of the MCU, to test the edges
	files := map[string]string{}
	add := func(name string) string { fp := filepath.Join(dir, name); files[name] = fp; return fp }

	writeFile(t, add("go-420.jpg"), encJPEG(t, pic, 90))
	gray := image.NewGray(pic.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = pic.Pix[4*i+1]
	}
	writeFile(t, add("go-gray.jpg"), encJPEG(t, gray, 90))
	pilJPEG(t, add("pil-444.jpg"), pic, "RGB", 0, false)
	pilJPEG(t, add("pil-422.jpg"), pic, "RGB", 1, false)
	pilJPEG(t, add("pil-gray.jpg"), pic, "L", 0, false)
	// Restart markers every 2 MCU rows, and every 5 MCUs (not a row).
	run(t, "jpegtran", "-restart", "2", "-outfile", add("restart-rows.jpg"), files["go-420.jpg"])
	run(t, "jpegtran", "-restart", "5B", "-outfile", add("restart-blocks.jpg"), files["pil-444.jpg"])
	// Optimised Huffman tables have long codes (the slow path).
	run(t, "jpegtran", "-optimize", "-outfile", add("optimized.jpg"), files["pil-422.jpg"])

	for name, fp := range files {
		data, _, _ := readJPEG(t, fp)
		full, err := decodeFull(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", name, err)
		}
		small, err := dcDecode(append([]byte(nil), data...))
		if err != nil {
			t.Fatalf("%s: DC-only decode: %v", name, err)
		}
		// Each plane's samples are its blocks' means, to within the
		// JPEG's rounding (the full decode's IDCT rounds each pixel).
		switch f := full.(type) {
		case *image.Gray:
			g, ok := small.(*image.Gray)
			if !ok {
				t.Fatalf("%s: DC-only decode is a %T for a grey JPEG", name, small)
			}
			b := g.Bounds()
			planeMeans(t, name+" grey", g.Pix, g.Stride, b.Dx(), b.Dy(), f.Pix, f.Stride, f.Rect.Dx(), f.Rect.Dy(), 2.5)
		case *image.YCbCr:
			y, ok := small.(*image.YCbCr)
			if !ok || y.SubsampleRatio != f.SubsampleRatio {
				t.Fatalf("%s: DC-only decode is %T, full decode %v", name, small, f.SubsampleRatio)
			}
			b := y.Bounds()
			planeMeans(t, name+" Y", y.Y, y.YStride, b.Dx(), b.Dy(), f.Y, f.YStride, f.Rect.Dx(), f.Rect.Dy(), 2.5)
			cw, ch := chromaSize(f)
			scw, sch := chromaSize(y)
			planeMeans(t, name+" Cb", y.Cb, y.CStride, scw, sch, f.Cb, f.CStride, cw, ch, 2.5)
			planeMeans(t, name+" Cr", y.Cr, y.CStride, scw, sch, f.Cr, f.CStride, cw, ch, 2.5)
		default:
			t.Fatalf("%s: full decode is a %T", name, full)
		}
		// And in RGB, pixel by pixel (chroma subsampling shows at edges).
		compareSmall(t, name+" DC-only", small, full, 8, 40, 1.5)
	}
}

// chromaSize is the size of a YCbCr image's chroma planes.
func chromaSize(m *image.YCbCr) (int, int) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

func TestDCDecodeDeclines(t *testing.T) {
	dir := t.TempDir()
	pic := scene(400, 300, 2)
	prog := filepath.Join(dir, "prog.jpg")
	pilJPEG(t, prog, pic, "RGB", 2, true)
	cmyk := filepath.Join(dir, "cmyk.jpg")
	pilJPEG(t, cmyk, pic, "CMYK", 0, false)
	arith := filepath.Join(dir, "arith.jpg")
	run(t, "jpegtran", "-arithmetic", "-outfile", arith, prog)
	for _, fp := range []string{prog, cmyk, arith} {
		data, _, _ := readJPEG(t, fp)
		if _, err := dcDecode(data); !errors.Is(err, errDCUnsupported) {
			t.Errorf("%s: DC-only decoder says %v, want errDCUnsupported", filepath.Base(fp), err)
		}
	}
}

// Thumbnails of JPEGs without an EXIF thumbnail, of every kind and by
// every path, look like the thumbnail from image/jpeg's full decode.
func TestThumbnailWithoutExifThumb(t *testing.T) {
	dir := t.TempDir()
	big := scene(1600, 1280, 3)  // 1/8 is enough: the DC-only decoder
	mid := scene(700, 1000, 4)   // portrait; 1/4 scale (libjpeg with cgo)
	wide := scene(2000, 400, 5)  // a panorama
	files := map[string]string{} // name → path
	add := func(name string) string { fp := filepath.Join(dir, name); files[name] = fp; return fp }
	writeFile(t, add("big.JPG"), encJPEG(t, big, 90))
	writeFile(t, add("mid.JPG"), encJPEG(t, mid, 90))
	writeFile(t, add("wide.JPG"), encJPEG(t, wide, 90))
	pilJPEG(t, add("big-progressive.JPG"), big, "RGB", 2, true)
	run(t, "cjpeg", "-progressive", "-quality", "85", "-outfile", add("mid-cjpeg-progressive.JPG"), pngFile(t, dir, mid))
	pilJPEG(t, add("big-gray.JPG"), big, "L", 0, false)
	pilJPEG(t, add("mid-cmyk.JPG"), mid, "CMYK", 0, false)
	pilJPEG(t, add("big-cmyk.JPG"), big, "CMYK", 0, false)
	run(t, "jpegtran", "-restart", "1", "-outfile", add("big-restart.JPG"), files["big.JPG"])

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
	writeFile(t, fp, buf.Bytes())
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
	writeFile(t, ppm, p.Bytes())
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
		good := encJPEG(t, scene(sz[0], sz[1], 6), 90)
		hd, err := scanJPEG(bytes.NewReader(good), 0, int64(len(good)))
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
			writeFile(t, fp, data)
			_, _, err := Thumbnail(fp, "", true)
			if err == nil {
				t.Errorf("%dx%d %s: no error", sz[0], sz[1], name)
				continue
			}
			t.Logf("%dx%d %s: %v", sz[0], sz[1], name, err)
			tw, th := fitBox(hd.W, hd.H, ThumbSize)
			if _, err := decodeReduced(bytes.NewReader(data), int64(len(data)), hd.W, hd.H, tw, th); err == nil {
				t.Errorf("%dx%d %s: %s gave no error", sz[0], sz[1], name, reducedDecoder)
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
		if _, err := dcDecode(append([]byte(nil), data...)); err == nil {
			t.Errorf("%s: DC-only decoder gave no error", name)
		}
		if _, err := decodeReduced(bytes.NewReader(data), int64(len(data)), 1600, 1200, 160, 120); err == nil {
			t.Errorf("%s: %s gave no error", name, reducedDecoder)
		} else {
			t.Logf("%s: %s: %v", name, reducedDecoder, err)
		}
	}
}

// Random damage anywhere in real JPEGs: each decoder gives an error or a
// picture, and never crashes (out-of-range reads, libjpeg's error exit).
func TestDecodersSurviveRandomDamage(t *testing.T) {
	dir := t.TempDir()
	pic := scene(1300, 900, 8)
	base := map[string][]byte{"go": encJPEG(t, pic, 85)}
	pilJPEG(t, filepath.Join(dir, "p.jpg"), pic, "RGB", 2, true)
	run(t, "jpegtran", "-restart", "1", "-optimize", "-outfile", filepath.Join(dir, "r.jpg"), filepath.Join(dir, "p.jpg"))
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
			if _, err := dcDecode(append([]byte(nil), data...)); err != nil {
				errs++
			} else {
				ok++
			}
			for _, scale := range [][2]int{{160, 111}, {320, 222}} { // 1/8 and 1/4
				if _, err := decodeReduced(bytes.NewReader(data), int64(len(data)), 1300, 900, scale[0], scale[1]); err != nil {
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
		writeFile(t, fp, encJPEG(t, scene(w, h, uint64(20+i)), 88))
		b, _, err := Thumbnail(fp, "", true)
		if err != nil {
			t.Fatal(err)
		}
		files, want = append(files, fp), append(want, b)
	}
	bad := filepath.Join(dir, "bad.JPG")
	good := encJPEG(t, scene(1600, 1200, 30), 88)
	writeFile(t, bad, append(good[:len(good)/3:len(good)/3], 0xFF, 0xD9))
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
