//go:build !cgo || nolibjpeg || nogphoto2

package photos

import (
	"image"
	"io"
)

// reducedDecoder names the decoder jpegThumb uses when a JPEG has no
// embedded thumbnail big enough. Without libjpeg (no cgo, or the nolibjpeg
// or nogphoto2 tag, as the ARMv6 release is built) it is image/jpeg's full
// decode.
const reducedDecoder = "go-full-decode"

// decodeReduced decodes the JPEG in r (size bytes, w×h pixels) to a
// picture at least tw×th; here, at full size.
func decodeReduced(r io.ReaderAt, size int64, w, h, tw, th int) (image.Image, error) {
	return decodeFull(r, size)
}
