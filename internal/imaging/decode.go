package imaging

import (
	"errors"
	"image"
	"image/jpeg"
	"io"
	"sync"
)

// maxDCBytes bounds the JPEGs read whole into memory for the DC-only decoder.
const maxDCBytes = 256 << 20

// dcBufs keeps the buffers photos are read into for the DC-only decoder:
// a thumbnail run reads one camera JPEG after another, all much the same size.
var dcBufs sync.Pool

// DecodeSmall decodes the JPEG in r (size bytes, w×h pixels) to a
// picture at least tw×th, as cheaply as it can: when 1/8 scale is big
// enough, by the DC-only decoder here; otherwise, and for any JPEG that one
// does not read (progressive, CMYK, damaged…), by DecodeReduced (libjpeg at
// a reduced scale, or image/jpeg without cgo), which also gives the error.
func DecodeSmall(r io.ReaderAt, size int64, w, h, tw, th int) (image.Image, error) {
	if (w+7)/8 >= tw && (h+7)/8 >= th && size > 0 && size <= maxDCBytes {
		bp, _ := dcBufs.Get().(*[]byte)
		if bp == nil || int64(cap(*bp)) < size+256 {
			b := make([]byte, 0, size+size/4+256)
			bp = &b
		}
		data := (*bp)[:size]
		_, err := r.ReadAt(data, 0)
		var img image.Image
		if err == nil || errors.Is(err, io.EOF) {
			img, err = DCDecode(data)
		}
		dcBufs.Put(bp) // the picture's planes are its own, not in data
		if err == nil {
			return img, nil
		}
	}
	return DecodeReduced(r, size, w, h, tw, th)
}

// DecodeFull is image/jpeg's decode of the whole picture.
func DecodeFull(r io.ReaderAt, size int64) (image.Image, error) {
	return jpeg.Decode(io.NewSectionReader(r, 0, size))
}
