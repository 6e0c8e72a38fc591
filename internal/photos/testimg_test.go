package photos

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"os"
	"os/exec"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging"
	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

// Test pictures: real JPEGs made with image/jpeg, tagged by exiftool (a real
// tool a user has), and RAW-shaped TIFF files built here byte by byte.

// pattern is a picture with a colour per quadrant, so crops and bars show.
func pattern(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px := c
			if x < w/2 {
				px.G = 200
			}
			if y < h/2 {
				px.B = 220
			}
			img.SetRGBA(x, y, px)
		}
	}
	return img
}

// letterbox draws pic into a w×h black frame, centred, as cameras do when
// their 4:3 EXIF thumbnail shows a 3:2 photo.
func letterbox(pic image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range dst.Pix {
		if i%4 == 3 {
			dst.Pix[i] = 255
		}
	}
	b := pic.Bounds()
	x0, y0 := (w-b.Dx())/2, (h-b.Dy())/2
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			dst.Set(x0+x, y0+y, pic.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// exiftool runs the real exiftool with args and fails the test on error.
func exiftool(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("exiftool", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool %v: %v\n%s", args, err, out)
	}
	return out
}

// cameraJPEG writes a w×h JPEG at fp with EXIF tags set by exiftool and,
// when thumb is not nil, that JPEG embedded as its EXIF thumbnail.
func cameraJPEG(t testing.TB, fp string, w, h int, thumb []byte, tags ...string) {
	t.Helper()
	imagingtest.WriteFile(t, fp, imagingtest.EncJPEG(t, pattern(w, h, color.RGBA{R: 180, A: 255}), 90))
	args := append([]string{"-q", "-overwrite_original"}, tags...)
	if thumb != nil {
		tp := fp + ".thumb"
		imagingtest.WriteFile(t, tp, thumb)
		defer os.Remove(tp)
		args = append(args, "-ThumbnailImage<="+tp)
	}
	if len(args) > 2 {
		exiftool(t, append(args, fp)...)
	}
}

// tiffBuilder lays out a little-endian TIFF: blobs first, then IFDs.
type tiffBuilder struct{ b bytes.Buffer }

type tEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte // value bytes; placed inline when ≤ 4
}

func newTIFF(magic []byte) *tiffBuilder {
	tb := &tiffBuilder{}
	tb.b.Write([]byte{'I', 'I', 42, 0, 0, 0, 0, 0}) // IFD0 offset patched by finish
	tb.b.Write(magic)
	return tb
}

func (tb *tiffBuilder) blob(data []byte) uint32 {
	if tb.b.Len()%2 == 1 {
		tb.b.WriteByte(0)
	}
	off := uint32(tb.b.Len())
	tb.b.Write(data)
	return off
}

func u32(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}
func u16(v uint16) []byte    { return binary.LittleEndian.AppendUint16(nil, v) }
func ascii(s string) []byte  { return append([]byte(s), 0) }
func rat(n, d uint32) []byte { return u32(n, d) }

func long(tag uint16, v ...uint32) tEntry {
	return tEntry{tag: tag, typ: 4, count: uint32(len(v)), val: u32(v...)}
}

// ifd writes one IFD whose next-IFD pointer is next, and returns its offset.
func (tb *tiffBuilder) ifd(next uint32, entries ...tEntry) uint32 {
	vals := map[int]uint32{}
	for i, e := range entries { // out-of-line values first
		if len(e.val) > 4 {
			vals[i] = tb.blob(e.val)
		}
	}
	off := tb.blob(nil)
	tb.b.Write(u16(uint16(len(entries))))
	for i, e := range entries {
		tb.b.Write(u16(e.tag))
		tb.b.Write(u16(e.typ))
		tb.b.Write(u32(e.count))
		if len(e.val) > 4 {
			tb.b.Write(u32(vals[i]))
		} else {
			v := make([]byte, 4)
			copy(v, e.val)
			tb.b.Write(v)
		}
	}
	tb.b.Write(u32(next))
	return off
}

func (tb *tiffBuilder) finish(ifd0 uint32) []byte {
	out := tb.b.Bytes()
	binary.LittleEndian.PutUint32(out[4:], ifd0)
	return out
}

type rawParts struct {
	preview, thumb []byte // embedded JPEGs
	exif           []tEntry
}

func exifEntries(date string, expN, expD, fN, fD uint32, iso uint16) []tEntry {
	return []tEntry{
		{tag: imaging.TagExposureTime, typ: 5, count: 1, val: rat(expN, expD)},
		{tag: imaging.TagFNumber, typ: 5, count: 1, val: rat(fN, fD)},
		{tag: imaging.TagISO, typ: 3, count: 1, val: u16(iso)},
		{tag: imaging.TagDateTimeOrig, typ: 2, count: uint32(len(date) + 1), val: ascii(date)},
	}
}

// fakeCR2 is shaped like a Canon CR2: IFD0 holds the large JPEG as its one
// strip and points to the EXIF IFD; IFD1 the small JPEG thumbnail; IFD3 the
// raw data as a lossless JPEG (SOF3), which must never be taken for a picture:
// as in a real CR2, it is bigger (3000×2000) than any embedded JPEG.
func fakeCR2(r rawParts) []byte {
	tb := newTIFF([]byte{'C', 'R', 2, 0, 0, 0, 0, 0})
	pv := tb.blob(r.preview)
	th := tb.blob(r.thumb)
	lossless := append([]byte{0xFF, 0xD8, 0xFF, 0xC3, 0, 11, 14, 0x07, 0xD0, 0x0B, 0xB8, 1, 1, 0x11, 0}, bytes.Repeat([]byte{0x55}, 4000)...)
	lossless = append(lossless, 0xFF, 0xD9)
	rw := tb.blob(lossless)
	exif := tb.ifd(0, r.exif...)
	ifd3 := tb.ifd(0, tEntry{tag: imaging.TagCompression, typ: 3, count: 1, val: u16(6)}, long(imaging.TagStripOffsets, rw), long(imaging.TagStripByteCounts, uint32(len(lossless))))
	ifd2 := tb.ifd(ifd3, long(256, 8), long(257, 8)) // a tiny uncompressed image, as CR2s have
	ifd1 := tb.ifd(ifd2, long(imaging.TagJPEGOffset, th), long(imaging.TagJPEGLength, uint32(len(r.thumb))))
	ifd0 := tb.ifd(ifd1,
		tEntry{tag: imaging.TagCompression, typ: 3, count: 1, val: u16(6)},
		long(imaging.TagStripOffsets, pv), long(imaging.TagStripByteCounts, uint32(len(r.preview))),
		tEntry{tag: imaging.TagDateTime, typ: 2, count: 20, val: ascii("2020:02:02 02:02:02")},
		long(imaging.TagExifIFD, exif))
	return tb.finish(ifd0)
}

// fakeNEF is shaped like a Nikon NEF: IFD0 has the EXIF pointer and
// SubIFDs; the first SubIFD holds the full-size JPEG (JpgFromRaw), the second
// the raw strips.
func fakeNEF(r rawParts) []byte {
	tb := newTIFF(nil)
	pv := tb.blob(r.preview)
	rawData := tb.blob(bytes.Repeat([]byte{0x12, 0x34}, 3000))
	exif := tb.ifd(0, r.exif...)
	sub1 := tb.ifd(0, long(imaging.TagJPEGOffset, pv), long(imaging.TagJPEGLength, uint32(len(r.preview))))
	sub2 := tb.ifd(0, tEntry{tag: imaging.TagCompression, typ: 3, count: 1, val: u16(34713)},
		long(imaging.TagStripOffsets, rawData, rawData+3000), long(imaging.TagStripByteCounts, 3000, 3000))
	ifd0 := tb.ifd(0, long(imaging.TagSubIFDs, sub1, sub2), long(imaging.TagExifIFD, exif))
	return tb.finish(ifd0)
}
