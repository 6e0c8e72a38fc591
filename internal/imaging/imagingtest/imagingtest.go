// Package imagingtest makes the test pictures the imaging and photos tests
// share: a photo-like scene, JPEGs written by image/jpeg, PIL (python3-pil)
// and libjpeg-turbo's tools (libjpeg-turbo-progs).
package imagingtest

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Scene is a photo-like picture: gradients, a colour per quadrant, noise.
func Scene(w, h int, seed uint64) *image.RGBA {
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

// PILJPEG has PIL write img as a JPEG at fp: mode "RGB", "L" or "CMYK",
// subsampling 0 (4:4:4), 1 (4:2:2) or 2 (4:2:0), optionally progressive.
func PILJPEG(t testing.TB, fp string, img image.Image, mode string, subsampling int, progressive bool) {
	t.Helper()
	src := fp + ".png"
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	WriteFile(t, src, buf.Bytes())
	defer os.Remove(src)
	prog := "False"
	if progressive {
		prog = "True"
	}
	script := fmt.Sprintf(`from PIL import Image
im = Image.open(%q).convert(%q)
im.save(%q, "JPEG", quality=90, subsampling=%d, progressive=%s)`, src, mode, fp, subsampling, prog)
	if out, err := exec.Command(PILPython(t), "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("PIL: %v\n%s", err, out)
	}
}

// Tool runs a libjpeg-turbo tool (libjpeg-turbo-progs).
func Tool(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s (apt-get install libjpeg-turbo-progs)", name, args, err, out)
	}
}

// EncJPEG is img as an image/jpeg JPEG at quality q.
func EncJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteFile writes data at fp, making its folder.
func WriteFile(t testing.TB, fp string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(fp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fp, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// PILPython is the system interpreter, which has python3-pil (a pyenv shim
// earlier on PATH may not).
func PILPython(t testing.TB) string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import PIL").Run() == nil {
			return py
		}
	}
	t.Fatal("no python3 with PIL (apt-get install python3-pil)")
	return ""
}
