package imaging

// Tests of the decoders a JPEG without an embedded thumbnail goes through:
// the DC-only decoder, libjpeg's reduced decode (cgo builds) and image/jpeg.
// Test JPEGs come from image/jpeg, PIL (python3-pil) and libjpeg-turbo's own
// tools (libjpeg-turbo-progs: cjpeg, jpegtran).

import (
	"bytes"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

func readJPEG(t *testing.T, fp string) (data []byte, w, h int) {
	t.Helper()
	data, err := os.ReadFile(fp)
	if err != nil {
		t.Fatal(err)
	}
	hd, err := ScanJPEG(bytes.NewReader(data), 0, int64(len(data)))
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
	pic := imagingtest.Scene(803, 605, 1) // not a multiple of the MCU, to test the edges
	files := map[string]string{}
	add := func(name string) string { fp := filepath.Join(dir, name); files[name] = fp; return fp }

	imagingtest.WriteFile(t, add("go-420.jpg"), imagingtest.EncJPEG(t, pic, 90))
	gray := image.NewGray(pic.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = pic.Pix[4*i+1]
	}
	imagingtest.WriteFile(t, add("go-gray.jpg"), imagingtest.EncJPEG(t, gray, 90))
	imagingtest.PILJPEG(t, add("pil-444.jpg"), pic, "RGB", 0, false)
	imagingtest.PILJPEG(t, add("pil-422.jpg"), pic, "RGB", 1, false)
	imagingtest.PILJPEG(t, add("pil-gray.jpg"), pic, "L", 0, false)
	// Restart markers every 2 MCU rows, and every 5 MCUs (not a row).
	imagingtest.Tool(t, "jpegtran", "-restart", "2", "-outfile", add("restart-rows.jpg"), files["go-420.jpg"])
	imagingtest.Tool(t, "jpegtran", "-restart", "5B", "-outfile", add("restart-blocks.jpg"), files["pil-444.jpg"])
	// Optimised Huffman tables have long codes (the slow path).
	imagingtest.Tool(t, "jpegtran", "-optimize", "-outfile", add("optimized.jpg"), files["pil-422.jpg"])

	for name, fp := range files {
		data, _, _ := readJPEG(t, fp)
		full, err := DecodeFull(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: image/jpeg: %v", name, err)
		}
		small, err := DCDecode(append([]byte(nil), data...))
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
	pic := imagingtest.Scene(400, 300, 2)
	prog := filepath.Join(dir, "prog.jpg")
	imagingtest.PILJPEG(t, prog, pic, "RGB", 2, true)
	cmyk := filepath.Join(dir, "cmyk.jpg")
	imagingtest.PILJPEG(t, cmyk, pic, "CMYK", 0, false)
	arith := filepath.Join(dir, "arith.jpg")
	imagingtest.Tool(t, "jpegtran", "-arithmetic", "-outfile", arith, prog)
	for _, fp := range []string{prog, cmyk, arith} {
		data, _, _ := readJPEG(t, fp)
		if _, err := DCDecode(data); !errors.Is(err, ErrDCUnsupported) {
			t.Errorf("%s: DC-only decoder says %v, want ErrDCUnsupported", filepath.Base(fp), err)
		}
	}
}
