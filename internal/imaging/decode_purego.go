//go:build !cgo || nolibjpeg || nogphoto2

package imaging

import (
	"image"
	"io"
)

// ReducedDecoder names the decoder jpegThumb uses when a JPEG has no
// embedded thumbnail big enough. Without libjpeg (no cgo, or the nolibjpeg
// or nogphoto2 tag, as the ARMv6 release is built) it is image/jpeg's full
// decode.
const ReducedDecoder = "go-full-decode"

// DecodeReduced decodes the JPEG in r (size bytes, w×h pixels) to a
// picture at least tw×th; here, at full size.
func DecodeReduced(r io.ReaderAt, size int64, w, h, tw, th int) (image.Image, error) {
	return DecodeFull(r, size)
}
