//go:build cgo && !nolibjpeg && !nogphoto2

package imaging

/*
#cgo pkg-config: libjpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// libjpeg reports a fatal error by calling error_exit, which must not
// return; the default one exits the process. Here it longjmps back to the
// entry point below that called into libjpeg, which turns it into a return
// code. Every entry point sets its own jump target, and no Go frame is ever
// between the setjmp and the longjmp.
typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
} thumb_err;

typedef struct {
	struct jpeg_decompress_struct d;
	thumb_err e;
	int created;
} thumb_dec;

static void thumb_error_exit(j_common_ptr c) {
	thumb_err *e = (thumb_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

// Warnings: missing data (a cut file, a segment ended early) would give a
// picture part grey, so those are errors; the rest libjpeg mends quietly.
static void thumb_emit_message(j_common_ptr c, int level) {
	if (level < 0) {
		c->err->num_warnings++;
		if (c->err->msg_code == JWRN_JPEG_EOF || c->err->msg_code == JWRN_HIT_MARKER)
			thumb_error_exit(c);
	}
}

static thumb_dec *thumb_new(void) {
	thumb_dec *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->d.err = jpeg_std_error(&t->e.pub);
	t->e.pub.error_exit = thumb_error_exit;
	t->e.pub.emit_message = thumb_emit_message;
	return t;
}

static void thumb_free(thumb_dec *t) {
	if (t->created)
		jpeg_destroy_decompress(&t->d);
	free(t);
}

// thumb_open reads the header of the JPEG in buf and sets the decoder to
// scale it by num/8 in the DCT, as PIL's draft mode does, with the fast
// integer IDCT and plain (not fancy) chroma upsampling. It returns 0 and the
// output size and colour model (1 RGBA, 2 inverted CMYK, 3 CMYK), or -1 with t->e.msg set.
static int thumb_open(thumb_dec *t, const unsigned char *buf, unsigned long len, int num,
		int *w, int *h, int *model) {
	if (setjmp(t->e.jump))
		return -1;
	jpeg_create_decompress(&t->d);
	t->created = 1;
	jpeg_mem_src(&t->d, buf, len);
	jpeg_read_header(&t->d, TRUE);
	t->d.scale_num = num;
	t->d.scale_denom = 8;
	t->d.dct_method = JDCT_IFAST;
	t->d.do_fancy_upsampling = FALSE;
	switch (t->d.jpeg_color_space) {
	case JCS_CMYK:
	case JCS_YCCK:
		t->d.out_color_space = JCS_CMYK;
		// Adobe's files (most CMYK JPEGs) store ink inverted.
		*model = t->d.saw_Adobe_marker ? 2 : 3;
		break;
	default:
		// Grey, YCbCr and RGB all come out as RGBA, Go's image.RGBA layout.
		t->d.out_color_space = JCS_EXT_RGBA;
		*model = 1;
	}
	jpeg_calc_output_dimensions(&t->d);
	*w = (int)t->d.output_width;
	*h = (int)t->d.output_height;
	if (t->d.output_components != 4) {
		strcpy(t->e.msg, "unexpected number of output components");
		return -1;
	}
	return 0;
}

// thumb_read decodes the picture into pix, whose rows are stride bytes
// apart and which holds the size thumb_open returned.
static int thumb_read(thumb_dec *t, unsigned char *pix, int stride, int w, int h) {
	if (setjmp(t->e.jump))
		return -1;
	jpeg_start_decompress(&t->d);
	if ((int)t->d.output_width != w || (int)t->d.output_height != h || t->d.output_components != 4) {
		strcpy(t->e.msg, "output size changed after the header was read");
		return -1;
	}
	while (t->d.output_scanline < t->d.output_height) {
		JSAMPROW rows[8];
		int n = 0;
		for (; n < 8 && (int)t->d.output_scanline + n < h; n++)
			rows[n] = pix + (size_t)(t->d.output_scanline + n) * stride;
		if (jpeg_read_scanlines(&t->d, rows, n) == 0) {
			strcpy(t->e.msg, "decoder made no progress");
			return -1;
		}
	}
	jpeg_finish_decompress(&t->d);
	return 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"io"
	"unsafe"
)

// ReducedDecoder names the decoder jpegThumb uses when a JPEG has no
// embedded thumbnail big enough.
const ReducedDecoder = "libjpeg-reduced"

// maxJPEGBytes bounds the C buffer a JPEG is read into.
const maxJPEGBytes = 1 << 30

// DecodeReduced decodes the JPEG in r (size bytes) with libjpeg at the
// smallest DCT scale (1/8 to 8/8) whose picture still covers tw×th, so a
// 24-megapixel photo is decoded at 750×500 from its DC coefficients alone.
// Each call has its own decoder: safe from any number of goroutines.
func DecodeReduced(r io.ReaderAt, size int64, w, h, tw, th int) (image.Image, error) {
	if size <= 0 || size > maxJPEGBytes {
		return nil, fmt.Errorf("JPEG of %d bytes is out of range", size)
	}
	num := 8
	for m := 1; m <= 8; m++ {
		if (w*m+7)/8 >= tw && (h*m+7)/8 >= th {
			num = m
			break
		}
	}
	// The file goes into C memory, which the decoder may keep pointers to
	// between calls (Go memory it may not).
	buf := C.malloc(C.size_t(size))
	if buf == nil {
		return nil, errors.New("out of memory for the JPEG")
	}
	defer C.free(buf)
	if _, err := r.ReadAt(unsafe.Slice((*byte)(buf), size), 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read JPEG: %w", err)
	}
	t := C.thumb_new()
	if t == nil {
		return nil, errors.New("out of memory for the JPEG decoder")
	}
	defer C.thumb_free(t)
	var cw, ch, model C.int
	if C.thumb_open(t, (*C.uchar)(buf), C.ulong(size), C.int(num), &cw, &ch, &model) != 0 {
		return nil, fmt.Errorf("libjpeg: %s", C.GoString(&t.e.msg[0]))
	}
	ow, oh := int(cw), int(ch)
	if ow <= 0 || oh <= 0 || ow > 1<<16 || oh > 1<<16 {
		return nil, fmt.Errorf("libjpeg: output size %d×%d out of range", ow, oh)
	}
	img := image.NewRGBA(image.Rect(0, 0, ow, oh))
	// pix is Go memory but only used during this call, as cgo allows.
	if C.thumb_read(t, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(img.Stride), cw, ch) != 0 {
		return nil, fmt.Errorf("libjpeg: %s", C.GoString(&t.e.msg[0]))
	}
	if model != 1 {
		cmykToRGBA(img.Pix, model == 2)
	}
	return img, nil
}

// cmykToRGBA converts, in place, the CMYK pixels libjpeg wrote; inverted is
// Adobe's convention of 255 for no ink.
func cmykToRGBA(pix []byte, inverted bool) {
	for i := 0; i+3 < len(pix); i += 4 {
		c, m, y, k := uint32(pix[i]), uint32(pix[i+1]), uint32(pix[i+2]), uint32(pix[i+3])
		if !inverted {
			c, m, y, k = 255-c, 255-m, 255-y, 255-k
		}
		pix[i], pix[i+1], pix[i+2], pix[i+3] = uint8((c*k+127)/255), uint8((m*k+127)/255), uint8((y*k+127)/255), 255
	}
}
