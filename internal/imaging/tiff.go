package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A small TIFF/EXIF reader: just what the EXIF summary line, the embedded
// thumbnails and the RAW previews need. CR2 and NEF files are TIFF files, and
// a JPEG's APP1 "Exif" segment holds one, so the same walker serves both.
// Every offset and count is bounds-checked: camera files can be anything.

// The TIFF and EXIF tags the walker reads.
const (
	TagCompression     = 0x0103
	TagStripOffsets    = 0x0111
	TagStripByteCounts = 0x0117
	TagDateTime        = 0x0132
	TagSubIFDs         = 0x014A
	TagJPEGOffset      = 0x0201
	TagJPEGLength      = 0x0202
	TagExposureTime    = 0x829A
	TagFNumber         = 0x829D
	TagExifIFD         = 0x8769
	TagISO             = 0x8827
	TagDateTimeOrig    = 0x9003
)

var errNotTIFF = errors.New("not a TIFF structure")

type Rational struct{ Num, Den uint32 }

// Meta is what the walk found.
type Meta struct {
	DateTimeOriginal string
	DateTime         string
	Exposure         *Rational
	FNumber          *Rational
	ISO              *uint32
	// JPEGs are the embedded JPEG streams (absolute offsets in the file):
	// thumbnails, previews, and (in a CR2) the lossless raw data, which
	// callers reject by its SOF marker.
	JPEGs []Span
}

type Span struct{ Off, Len int64 }

type tiffWalker struct {
	r     io.ReaderAt
	size  int64 // bytes available from base
	base  int64 // file offset of the TIFF header
	bo    binary.ByteOrder
	seen  map[int64]bool
	meta  Meta
	nIFDs int
}

// ReadTIFF walks the TIFF structure that starts at base in r (size bytes
// from base): IFD0 and its chain, SubIFDs, and the EXIF IFD.
func ReadTIFF(r io.ReaderAt, base, size int64) (Meta, error) {
	var hdr [8]byte
	if size < 8 {
		return Meta{}, errNotTIFF
	}
	if _, err := r.ReadAt(hdr[:], base); err != nil {
		return Meta{}, fmt.Errorf("read TIFF header: %w", err)
	}
	w := &tiffWalker{r: r, base: base, size: size, seen: map[int64]bool{}}
	switch string(hdr[:2]) {
	case "II":
		w.bo = binary.LittleEndian
	case "MM":
		w.bo = binary.BigEndian
	default:
		return Meta{}, errNotTIFF
	}
	if w.bo.Uint16(hdr[2:]) != 42 {
		return Meta{}, errNotTIFF
	}
	if err := w.walk(int64(w.bo.Uint32(hdr[4:])), true, 0); err != nil {
		return w.meta, err
	}
	return w.meta, nil
}

type ifdEntry struct {
	tag, typ uint16
	count    uint32
	raw      [4]byte
}

var typeSize = map[uint16]int64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// data is the entry's value bytes, inline or at its offset.
func (w *tiffWalker) data(e ifdEntry) ([]byte, error) {
	sz, ok := typeSize[e.typ]
	if !ok {
		return nil, fmt.Errorf("tag %#04x: unknown type %d", e.tag, e.typ)
	}
	n := sz * int64(e.count)
	if n <= 4 {
		return e.raw[:n], nil
	}
	off := int64(w.bo.Uint32(e.raw[:]))
	if n > 1<<20 || off+n > w.size {
		return nil, fmt.Errorf("tag %#04x: value outside the file", e.tag)
	}
	b := make([]byte, n)
	if _, err := w.r.ReadAt(b, w.base+off); err != nil {
		return nil, fmt.Errorf("tag %#04x: %w", e.tag, err)
	}
	return b, nil
}

func (w *tiffWalker) uints(e ifdEntry) ([]uint32, error) {
	b, err := w.data(e)
	if err != nil {
		return nil, err
	}
	var out []uint32
	switch e.typ {
	case 1, 7:
		for _, x := range b {
			out = append(out, uint32(x))
		}
	case 3:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, uint32(w.bo.Uint16(b[i:])))
		}
	case 4, 13:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, w.bo.Uint32(b[i:]))
		}
	default:
		return nil, fmt.Errorf("tag %#04x: not an integer (type %d)", e.tag, e.typ)
	}
	return out, nil
}

func (w *tiffWalker) walk(off int64, chain bool, depth int) error {
	for off != 0 {
		if depth > 4 || w.nIFDs > 64 {
			return errors.New("TIFF: too many IFDs")
		}
		if w.seen[off] {
			return nil // a loop in the chain
		}
		w.seen[off] = true
		w.nIFDs++
		if off < 8 || off+2 > w.size {
			return fmt.Errorf("TIFF: IFD offset %d outside the file", off)
		}
		var nb [2]byte
		if _, err := w.r.ReadAt(nb[:], w.base+off); err != nil {
			return fmt.Errorf("TIFF: %w", err)
		}
		n := int64(w.bo.Uint16(nb[:]))
		if off+2+n*12+4 > w.size {
			return fmt.Errorf("TIFF: IFD at %d runs past the end", off)
		}
		buf := make([]byte, n*12+4)
		if _, err := w.r.ReadAt(buf, w.base+off+2); err != nil {
			return fmt.Errorf("TIFF: %w", err)
		}
		entries := make([]ifdEntry, n)
		for i := range entries {
			b := buf[i*12:]
			entries[i] = ifdEntry{tag: w.bo.Uint16(b), typ: w.bo.Uint16(b[2:]), count: w.bo.Uint32(b[4:])}
			copy(entries[i].raw[:], b[8:12])
		}
		if err := w.ifd(entries, depth); err != nil {
			return err
		}
		if !chain {
			return nil
		}
		off = int64(w.bo.Uint32(buf[n*12:]))
	}
	return nil
}

// ifd takes what it needs from one IFD. A bad tag is skipped rather than
// failing the file: the other tags are still good.
func (w *tiffWalker) ifd(entries []ifdEntry, depth int) error {
	var jpegOff, jpegLen, compression int64 = -1, -1, -1
	var strips, counts []uint32
	var subs []uint32
	exifOff := int64(-1)
	for _, e := range entries {
		switch e.tag {
		case TagCompression:
			if v, err := w.uints(e); err == nil && len(v) > 0 {
				compression = int64(v[0])
			}
		case TagStripOffsets:
			strips, _ = w.uints(e)
		case TagStripByteCounts:
			counts, _ = w.uints(e)
		case TagJPEGOffset:
			if v, err := w.uints(e); err == nil && len(v) > 0 {
				jpegOff = int64(v[0])
			}
		case TagJPEGLength:
			if v, err := w.uints(e); err == nil && len(v) > 0 {
				jpegLen = int64(v[0])
			}
		case TagSubIFDs:
			subs, _ = w.uints(e)
		case TagExifIFD:
			if v, err := w.uints(e); err == nil && len(v) > 0 {
				exifOff = int64(v[0])
			}
		case TagDateTime:
			if w.meta.DateTime == "" {
				w.meta.DateTime = w.ascii(e)
			}
		case TagDateTimeOrig:
			if w.meta.DateTimeOriginal == "" {
				w.meta.DateTimeOriginal = w.ascii(e)
			}
		case TagExposureTime:
			if w.meta.Exposure == nil {
				w.meta.Exposure = w.Rational(e)
			}
		case TagFNumber:
			if w.meta.FNumber == nil {
				w.meta.FNumber = w.Rational(e)
			}
		case TagISO:
			if v, err := w.uints(e); err == nil && len(v) > 0 && w.meta.ISO == nil {
				iso := v[0]
				w.meta.ISO = &iso
			}
		}
	}
	w.addJPEG(jpegOff, jpegLen)
	// An IFD whose one strip is JPEG-compressed holds a JPEG (CR2's IFD0
	// preview); several strips are raw sensor data, not a picture.
	if (compression == 6 || compression == 7) && len(strips) == 1 && len(counts) == 1 {
		w.addJPEG(int64(strips[0]), int64(counts[0]))
	}
	if exifOff > 0 {
		if err := w.walk(exifOff, false, depth+1); err != nil {
			return err
		}
	}
	for _, s := range subs {
		if err := w.walk(int64(s), false, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *tiffWalker) addJPEG(off, n int64) {
	if off <= 0 || n <= 2 || off+n > w.size {
		return
	}
	var soi [2]byte
	if _, err := w.r.ReadAt(soi[:], w.base+off); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return
	}
	for _, s := range w.meta.JPEGs {
		if s.Off == w.base+off {
			return
		}
	}
	w.meta.JPEGs = append(w.meta.JPEGs, Span{Off: w.base + off, Len: n})
}

func (w *tiffWalker) ascii(e ifdEntry) string {
	if e.typ != 2 {
		return ""
	}
	b, err := w.data(e)
	if err != nil {
		return ""
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

func (w *tiffWalker) Rational(e ifdEntry) *Rational {
	if (e.typ != 5 && e.typ != 10) || e.count < 1 {
		return nil
	}
	b, err := w.data(ifdEntry{tag: e.tag, typ: e.typ, count: 1, raw: e.raw})
	if err != nil || len(b) < 8 {
		return nil
	}
	return &Rational{Num: w.bo.Uint32(b), Den: w.bo.Uint32(b[4:])}
}
