package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// FuzzDCDecode: the DC-only decoder reads untrusted camera files; whatever
// the bytes, it returns an image or an error, never a panic, and an image it
// returns has the size the header promised at 1/8 scale.
func FuzzDCDecode(f *testing.F) {
	for _, size := range [][2]int{{64, 48}, {33, 17}, {8, 8}} {
		img := image.NewYCbCr(image.Rect(0, 0, size[0], size[1]), image.YCbCrSubsampleRatio420)
		for i := range img.Y {
			img.Y[i] = byte(i * 7)
		}
		var buf bytes.Buffer
		jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
		f.Add(buf.Bytes())
		gray := image.NewGray(image.Rect(0, 0, size[0], size[1]))
		for i := range gray.Pix {
			gray.Pix[i] = byte(i)
		}
		gray.Set(0, 0, color.Gray{Y: 255})
		buf.Reset()
		jpeg.Encode(&buf, gray, nil)
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0xff, 0xd8, 0xff, 0xd9})
	f.Add([]byte("not a jpeg"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := DCDecode(data)
		if err != nil {
			return
		}
		cfg, cerr := jpeg.DecodeConfig(bytes.NewReader(data))
		if cerr != nil {
			return // our reader took a file the standard one refuses: fine, as long as it did not panic
		}
		b := img.Bounds()
		if b.Dx() != (cfg.Width+7)/8 || b.Dy() != (cfg.Height+7)/8 {
			t.Fatalf("%dx%d file gave a %dx%d image, want 1/8 scale", cfg.Width, cfg.Height, b.Dx(), b.Dy())
		}
	})
}

// FuzzDecodeReduced: the reduced decoder (libjpeg in cgo builds) on any
// bytes whose header parses: an image or an error, never a crash.
func FuzzDecodeReduced(f *testing.F) {
	img := image.NewYCbCr(image.Rect(0, 0, 400, 300), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = byte(i * 3)
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70})
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > 4<<20 {
			return
		}
		DecodeReduced(bytes.NewReader(data), int64(len(data)), cfg.Width, cfg.Height, 160, 160) // the thumbnail box
	})
}
