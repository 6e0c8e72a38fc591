package sim

import (
	"encoding/binary"
	"math"
)

// A small little-endian TIFF writer, enough for an EXIF APP1 block and a
// CR2-shaped RAW file: IFDs with values, pointers to sub-IFDs and pointers to
// data blobs (JPEG strips and thumbnails), laid out in one pass.

const (
	tByte      = 1
	tASCII     = 2
	tShort     = 3
	tLong      = 4
	tRational  = 5
	tUndefined = 7
	tSRational = 10
)

type entry struct {
	tag   uint16
	typ   uint16
	count uint32
	val   []byte // the value's bytes, little-endian
	sub   *ifd   // when set: a LONG offset to this IFD
	blob  []byte // when set: a LONG offset to these bytes
}

type ifd struct {
	entries []entry
	next    *ifd
	off     uint32
}

func (d *ifd) add(e entry) *ifd { d.entries = append(d.entries, e); return d }

func ascii(tag uint16, s string) entry {
	b := append([]byte(s), 0)
	return entry{tag: tag, typ: tASCII, count: uint32(len(b)), val: b}
}

func short(tag uint16, v ...uint16) entry {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return entry{tag: tag, typ: tShort, count: uint32(len(v)), val: b}
}

func long(tag uint16, v ...uint32) entry {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return entry{tag: tag, typ: tLong, count: uint32(len(v)), val: b}
}

func rational(tag uint16, num, den uint32) entry {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, num)
	binary.LittleEndian.PutUint32(b[4:], den)
	return entry{tag: tag, typ: tRational, count: 1, val: b}
}

func srational(tag uint16, num, den int32) entry {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, uint32(num))
	binary.LittleEndian.PutUint32(b[4:], uint32(den))
	return entry{tag: tag, typ: tSRational, count: 1, val: b}
}

func undefined(tag uint16, b []byte) entry {
	return entry{tag: tag, typ: tUndefined, count: uint32(len(b)), val: b}
}

func subIFD(tag uint16, d *ifd) entry { return entry{tag: tag, typ: tLong, count: 1, sub: d} }

func blobPtr(tag uint16, b []byte) entry { return entry{tag: tag, typ: tLong, count: 1, blob: b} }

// ratFloat approximates f as a rational with a power-of-ten denominator.
func ratFloat(f float64) (uint32, uint32) {
	den := uint32(1)
	for den < 1000 && math.Abs(f*float64(den)-math.Round(f*float64(den))) > 1e-9 {
		den *= 10
	}
	return uint32(math.Round(f * float64(den))), den
}

type tiffWriter struct {
	size  uint32
	blobs map[*byte]uint32
	order []*ifd
}

func pad2(n uint32) uint32 { return (n + 1) &^ 1 }

// place assigns offsets to d, its out-of-line values, its sub-IFDs, blobs and
// the IFDs after it.
func (w *tiffWriter) place(d *ifd) {
	for ; d != nil; d = d.next {
		d.off = w.size
		w.order = append(w.order, d)
		w.size += 2 + 12*uint32(len(d.entries)) + 4
		for _, e := range d.entries {
			if e.sub == nil && e.blob == nil && len(e.val) > 4 {
				w.size = pad2(w.size + uint32(len(e.val)))
			}
		}
		for _, e := range d.entries {
			if e.sub != nil {
				w.place(e.sub)
			}
			if e.blob != nil {
				if _, ok := w.blobs[&e.blob[0]]; !ok {
					w.blobs[&e.blob[0]] = w.size
					w.size = pad2(w.size + uint32(len(e.blob)))
				}
			}
		}
	}
}

// buildTIFF lays root out after a header of hdrLen bytes (8 for plain TIFF,
// 16 for CR2) and returns the whole file; hdr writes the header into out.
func buildTIFF(root *ifd, hdrLen uint32, hdr func(out []byte, rootOff uint32)) []byte {
	w := &tiffWriter{size: hdrLen, blobs: map[*byte]uint32{}}
	w.place(root)
	out := make([]byte, w.size)
	hdr(out, root.off)
	le := binary.LittleEndian
	for _, d := range w.order {
		p := d.off
		le.PutUint16(out[p:], uint16(len(d.entries)))
		p += 2
		extra := d.off + 2 + 12*uint32(len(d.entries)) + 4
		for _, e := range d.entries {
			le.PutUint16(out[p:], e.tag)
			le.PutUint16(out[p+2:], e.typ)
			le.PutUint32(out[p+4:], e.count)
			switch {
			case e.sub != nil:
				le.PutUint32(out[p+8:], e.sub.off)
			case e.blob != nil:
				off := w.blobs[&e.blob[0]]
				le.PutUint32(out[p+8:], off)
				copy(out[off:], e.blob)
			case len(e.val) > 4:
				le.PutUint32(out[p+8:], extra)
				copy(out[extra:], e.val)
				extra = pad2(extra + uint32(len(e.val)))
			default:
				copy(out[p+8:p+12], e.val)
			}
			p += 12
		}
		if d.next != nil {
			le.PutUint32(out[p:], d.next.off)
		}
	}
	return out
}

// plainTIFF is a classic "II*\0" TIFF (the body of an EXIF APP1 segment).
func plainTIFF(root *ifd) []byte {
	return buildTIFF(root, 8, func(out []byte, rootOff uint32) {
		copy(out, "II")
		binary.LittleEndian.PutUint16(out[2:], 42)
		binary.LittleEndian.PutUint32(out[4:], rootOff)
	})
}
