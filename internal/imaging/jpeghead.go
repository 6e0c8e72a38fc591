package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// JPEGHead is what the markers before the image data say.
type JPEGHead struct {
	W, H    int
	SOF     byte  // 0xC0 baseline, 0xC1, 0xC2 progressive, 0xC3 lossless…
	Exif    *Meta // nil without an APP1 Exif segment
	ExifErr error // a damaged Exif segment (the image may still be fine)
}

// ScanJPEG reads the marker segments of the JPEG stream at off (n bytes)
// up to its frame header.
func ScanJPEG(r io.ReaderAt, off, n int64) (JPEGHead, error) {
	var h JPEGHead
	var b [4]byte
	if n < 4 {
		return h, errors.New("not a JPEG: too short")
	}
	if _, err := r.ReadAt(b[:2], off); err != nil {
		return h, fmt.Errorf("read JPEG: %w", err)
	}
	if b[0] != 0xFF || b[1] != 0xD8 {
		return h, errors.New("not a JPEG: no start-of-image marker")
	}
	pos := off + 2
	end := off + n
	for i := 0; i < 1000; i++ {
		if pos+4 > end {
			return h, errors.New("JPEG truncated before its frame header")
		}
		if _, err := r.ReadAt(b[:], pos); err != nil {
			return h, fmt.Errorf("read JPEG: %w", err)
		}
		if b[0] != 0xFF {
			return h, fmt.Errorf("JPEG: bad marker at byte %d", pos-off)
		}
		m := b[1]
		if m == 0xFF { // fill byte
			pos++
			continue
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			pos += 2
			continue
		}
		segLen := int64(binary.BigEndian.Uint16(b[2:]))
		if segLen < 2 || pos+2+segLen > end {
			return h, errors.New("JPEG truncated in a marker segment")
		}
		body := pos + 4
		bodyLen := segLen - 2
		switch {
		case m == 0xE1 && h.Exif == nil && h.ExifErr == nil && bodyLen > 14:
			var id [6]byte
			if _, err := r.ReadAt(id[:], body); err == nil && string(id[:]) == "Exif\x00\x00" {
				meta, err := ReadTIFF(r, body+6, bodyLen-6)
				if err != nil && len(meta.JPEGs) == 0 && meta.DateTimeOriginal == "" {
					h.ExifErr = err
				} else {
					h.Exif = &meta
				}
			}
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			var f [5]byte
			if bodyLen < 6 {
				return h, errors.New("JPEG: short frame header")
			}
			if _, err := r.ReadAt(f[:], body); err != nil {
				return h, fmt.Errorf("read JPEG: %w", err)
			}
			h.SOF = m
			h.H = int(binary.BigEndian.Uint16(f[1:]))
			h.W = int(binary.BigEndian.Uint16(f[3:]))
			if h.W == 0 || h.H == 0 {
				return h, errors.New("JPEG: zero image size")
			}
			return h, nil
		case m == 0xDA || m == 0xD9:
			return h, errors.New("JPEG: no frame header")
		}
		pos += 2 + segLen
	}
	return h, errors.New("JPEG: too many marker segments")
}

// HasEOI reports whether the stream at off (n bytes) ends with an
// end-of-image marker, allowing the padding some cameras add after it: a
// cheap check that the file was not cut short.
func HasEOI(r io.ReaderAt, off, n int64) bool {
	tail := int64(64 << 10)
	if tail > n {
		tail = n
	}
	b := make([]byte, tail)
	if _, err := r.ReadAt(b, off+n-tail); err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	i := bytes.LastIndex(b, []byte{0xFF, 0xD9})
	if i < 0 {
		return false
	}
	for _, c := range b[i+2:] { // only padding may follow
		if c != 0 && c != 0xFF {
			return false
		}
	}
	return true
}
