package sim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Shot is what the camera knew when it took a photo; it goes into the EXIF.
type Shot struct {
	Time         time.Time // wall time in the camera's zone; DateTimeOriginal
	Make         string
	Model        string
	Lens         string
	ExposureTime string // the shutterspeed setting, "1/125", "30", "auto"
	FNumber      string // the aperture setting, "5.6", "f/5.6"
	ISO          string // "100", "Auto"
	ExposureBias string // "-0.333", "0"
	WhiteBalance string
	Width        int
	Height       int
	Quality      int
}

// parseExposure turns a shutter speed choice into a rational.
func parseExposure(s string) (uint32, uint32) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "s")
	if n, d, ok := strings.Cut(s, "/"); ok {
		a, e1 := strconv.ParseUint(n, 10, 32)
		b, e2 := strconv.ParseUint(d, 10, 32)
		if e1 == nil && e2 == nil && a > 0 && b > 0 {
			return uint32(a), uint32(b)
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return ratFloat(f)
	}
	return 1, 60 // auto or bulb: what the light meter might pick
}

func parseFNumber(s string) (uint32, uint32) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "f/")
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return ratFloat(f)
	}
	return 56, 10
}

func parseISO(s string) uint16 {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 && n < 65536 {
		return uint16(n)
	}
	return 400
}

func parseBias(s string) (int32, int32) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, 1
	}
	// Thirds of a stop, as cameras store them.
	return int32(f*3 + copysignHalf(f)), 3
}

func copysignHalf(f float64) float64 {
	if f < 0 {
		return -0.5
	}
	return 0.5
}

const exifTimeLayout = "2006:01:02 15:04:05"

// exifIFDs builds IFD0 (with the EXIF sub-IFD) and, when thumb is given, IFD1
// pointing at the thumbnail, as a camera writes them.
func exifIFDs(s Shot, thumb []byte) *ifd {
	when := s.Time.Format(exifTimeLayout)
	_, off := s.Time.Zone()
	zone := fmt.Sprintf("%+03d:%02d", off/3600, abs(off%3600)/60)
	en, ed := parseExposure(s.ExposureTime)
	fn, fd := parseFNumber(s.FNumber)
	bn, bd := parseBias(s.ExposureBias)
	wb := uint16(1)
	if strings.HasPrefix(strings.ToLower(s.WhiteBalance), "auto") {
		wb = 0
	}
	ex := &ifd{entries: []entry{
		rational(0x829a, en, ed),          // ExposureTime
		rational(0x829d, fn, fd),          // FNumber
		short(0x8822, 1),                  // ExposureProgram: manual
		short(0x8827, parseISO(s.ISO)),    // ISOSpeedRatings
		undefined(0x9000, []byte("0231")), // ExifVersion
		ascii(0x9003, when),               // DateTimeOriginal
		ascii(0x9004, when),               // CreateDate
		ascii(0x9011, zone),               // OffsetTimeOriginal
		srational(0x9204, bn, bd),         // ExposureBiasValue
		long(0xa002, uint32(s.Width)),     // ExifImageWidth
		long(0xa003, uint32(s.Height)),    // ExifImageHeight
		short(0xa403, wb),                 // WhiteBalance
	}}
	if s.Lens != "" {
		ex.add(ascii(0xa434, s.Lens)) // LensModel
	}
	root := &ifd{entries: []entry{
		ascii(0x010f, s.Make),
		ascii(0x0110, s.Model),
		short(0x0112, 1), // Orientation
		ascii(0x0132, when),
		subIFD(0x8769, ex),
	}}
	if len(thumb) > 0 {
		root.next = &ifd{entries: []entry{
			short(0x0103, 6),                 // Compression: JPEG
			blobPtr(0x0201, thumb),           // JPEGInterchangeFormat
			long(0x0202, uint32(len(thumb))), // JPEGInterchangeFormatLength
		}}
	}
	return root
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Render draws the synthetic frame: a gradient that shifts with the time of
// day, and the time itself written in big blocks so a thumbnail shows it.
func Render(w, h int, t time.Time) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	day := float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400
	b := uint8(40 + 180*day)
	for y := 0; y < h; y++ {
		g := uint8(255 * y / max(h-1, 1))
		row := img.Pix[y*img.Stride:]
		for x := 0; x < w; x++ {
			i := 4 * x
			row[i] = uint8(255 * x / max(w-1, 1))
			row[i+1] = g
			row[i+2] = b
			row[i+3] = 255
		}
	}
	drawText(img, t.Format("2006-01-02"), h/10, h/6)
	drawText(img, t.Format("15:04:05"), h/10, h/6+h/3)
	return img
}

// 3x5 block glyphs for the characters a timestamp needs.
var glyphs = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", "###", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", "..#", "..#", "..#"},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	':': {"...", ".#.", "...", ".#.", "..."},
	'-': {"...", "...", "###", "...", "..."},
}

func drawText(img *image.RGBA, s string, x0, y0 int) {
	bounds := img.Bounds()
	cell := max(bounds.Dy()/24, 1)
	x := x0
	for _, r := range s {
		g, ok := glyphs[r]
		if !ok {
			x += 4 * cell
			continue
		}
		for gy, line := range g {
			for gx, c := range line {
				if c != '#' {
					continue
				}
				fill(img, image.Rect(x+gx*cell, y0+gy*cell, x+(gx+1)*cell, y0+(gy+1)*cell), color.RGBA{255, 255, 255, 255})
			}
		}
		x += 4 * cell
	}
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func encodeJPEG(img image.Image, q int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	return buf.Bytes(), nil
}

// thumbnail scales img down to fit 160x120 by sampling (fast, and good
// enough for a picture of blocks).
func thumbnail(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	tw, th := 160, 120
	if b.Dx()*th > b.Dy()*tw {
		th = max(b.Dy()*tw/b.Dx(), 1)
	} else {
		tw = max(b.Dx()*th/b.Dy(), 1)
	}
	t := image.NewRGBA(image.Rect(0, 0, tw, th))
	for y := 0; y < th; y++ {
		for x := 0; x < tw; x++ {
			t.SetRGBA(x, y, img.RGBAAt(x*b.Dx()/tw, y*b.Dy()/th))
		}
	}
	return t
}

// withAPP1 inserts an APP1 Exif segment after the JPEG's SOI marker.
func withAPP1(j []byte, tiff []byte) ([]byte, error) {
	if len(j) < 2 || j[0] != 0xFF || j[1] != 0xD8 {
		return nil, fmt.Errorf("not a JPEG stream")
	}
	seg := len(tiff) + 6 + 2
	if seg > 0xFFFF {
		return nil, fmt.Errorf("EXIF block of %d bytes does not fit an APP1 segment", seg)
	}
	out := make([]byte, 0, len(j)+seg+2)
	out = append(out, 0xFF, 0xD8, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(seg))
	out = append(out, "Exif\x00\x00"...)
	out = append(out, tiff...)
	return append(out, j[2:]...), nil
}

// Photo is one shot's files.
type Photo struct {
	JPEG []byte // with EXIF and an EXIF thumbnail
	RAW  []byte // CR2-shaped TIFF with the full-size JPEG preview; nil unless asked
}

// MakePhoto renders a shot as a JPEG with EXIF and, if raw is set, as a
// CR2-shaped RAW whose IFD0 strip is a full-size JPEG preview.
func MakePhoto(s Shot, wantJPEG, wantRAW bool) (Photo, error) {
	if s.Width <= 0 || s.Height <= 0 {
		s.Width, s.Height = 1200, 800
	}
	if s.Quality <= 0 {
		s.Quality = 90
	}
	img := Render(s.Width, s.Height, s.Time)
	main, err := encodeJPEG(img, s.Quality)
	if err != nil {
		return Photo{}, err
	}
	thumb, err := encodeJPEG(thumbnail(img), 75)
	if err != nil {
		return Photo{}, err
	}
	var p Photo
	if wantJPEG {
		p.JPEG, err = withAPP1(main, plainTIFF(exifIFDs(s, thumb)))
		if err != nil {
			return Photo{}, err
		}
	}
	if wantRAW {
		p.RAW = makeCR2(s, main, thumb)
	}
	return p, nil
}

// makeCR2 lays a file out as Canon's CR2 does: IFD0 holds the full-size JPEG
// preview as its strip, plus EXIF; IFD1 the thumbnail; IFD3 the sensor data
// (here a small noise block, marked as lossless JPEG like the real thing).
func makeCR2(s Shot, preview, thumb []byte) []byte {
	root := exifIFDs(s, nil)
	root.entries = append(root.entries,
		long(0x0100, uint32(s.Width)),  // ImageWidth
		long(0x0101, uint32(s.Height)), // ImageLength
		short(0x0103, 6),               // Compression: old-style JPEG
		blobPtr(0x0111, preview),       // StripOffsets
		long(0x0117, uint32(len(preview))),
	)
	sortEntries(root)
	ifd1 := &ifd{}
	ifd1.add(short(0x0103, 6)).add(blobPtr(0x0201, thumb)).add(long(0x0202, uint32(len(thumb))))
	ifd2 := &ifd{}
	ifd2.add(long(0x0100, 1)).add(long(0x0101, 1)).add(short(0x0103, 1))
	noise := make([]byte, 64*1024)
	r := rand.New(rand.NewPCG(uint64(s.Time.Unix()), 0x43523200))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	ifd3 := &ifd{}
	ifd3.add(short(0x0103, 6)).add(blobPtr(0x0111, noise)).add(long(0x0117, uint32(len(noise))))
	root.next, ifd1.next, ifd2.next = ifd1, ifd2, ifd3
	return buildTIFF(root, 16, func(out []byte, rootOff uint32) {
		copy(out, "II")
		binary.LittleEndian.PutUint16(out[2:], 42)
		binary.LittleEndian.PutUint32(out[4:], rootOff)
		copy(out[8:], "CR")
		out[10], out[11] = 2, 0
		binary.LittleEndian.PutUint32(out[12:], ifd3.off)
	})
}

// sortEntries puts an IFD's tags in ascending order, as TIFF requires.
func sortEntries(d *ifd) {
	es := d.entries
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].tag < es[j-1].tag; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
}
