package photos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"image"
	"image/color"
	_ "image/gif" // other formats a user may drop into the store
	"image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"os"
	"path"
	"sort"

	"golang.org/x/image/draw"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging"
)

// Thumbnail task statuses.
const (
	CommencingMessage = "Commencing thumbnail creation"
	SkippedMessage    = "Creation of thumbnail images skipped"
)

// CreatingMessage is the status before thumbnail i of n (1-based).
func CreatingMessage(i, n int) string { return fmt.Sprintf("Creating thumbnail %d of %d", i, n) }

// CreatedMessage is the status after the i-th thumbnail of n is made.
func CreatedMessage(i, n int) string { return fmt.Sprintf("Created thumbnail %d of %d", i, n) }

// ThumbOptions are the INI's settings for thumbnails.
type ThumbOptions struct {
	// Count is Global/thumbsCount. 0 is silent mode: only the newest photo
	// gets its thumbnail (for the Home page) and no progress is reported.
	// Otherwise every photo still lacking a thumbnail gets one, newest first,
	// so raising the count later finds them ready.
	Count  int
	Logger *slog.Logger
}

// ThumbResult is what a thumbnail run did and the status the pages show.
type ThumbResult struct {
	ToCreate int     // photos that needed a thumbnail or a summary line
	Created  int     // thumbnails written
	Failed   int     // photos whose thumbnail could not be made (each in Errors)
	Silent   bool    // Count was 0
	Errors   []error // one per bad photo; the others carry on
	Message  string  // contains "thumbnail images OK" unless silent
	Colour   status.Colour
}

// MakeThumbs brings thumbnails, RAW previews and summary lines up to date
// for the photos in the store. progress (may be nil) receives each status.
//
// A RAW and its JPEG twin share one thumbnail, made from the RAW (the RAW
// wins, as in the original); the twin gets no summary line of its own.
// Files are written atomically and the summary lines appended with fsync, so
// a power cut loses at most the photo in hand, which the next run redoes.
func MakeThumbs(ctx context.Context, p paths.Paths, opts ThumbOptions, progress func(status string)) (ThumbResult, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	res := ThumbResult{Silent: opts.Count == 0}
	report := func(s string) {
		if progress != nil && !res.Silent {
			progress(s)
		}
	}
	report(CommencingMessage)

	lock, err := fileutil.LockExclusive(p.ThumbsLock())
	if err != nil {
		return res, err
	}
	defer lock.Unlock()

	all, err := List(p)
	if err != nil {
		return res, err
	}
	info, err := LoadInfo(p.ThumbsInfo())
	if err != nil {
		return res, err
	}
	list := all
	if res.Silent {
		list = Newest(all, 1)
	}
	raws := map[string]bool{}
	named := map[string]int{} // photos per bare name
	for _, ph := range all {
		if IsRaw(ph.Rel) {
			raws[stem(ph.Rel)] = true
		}
		named[path.Base(ph.Rel)]++
	}
	var todo []Photo
	needLine := map[string]bool{}
	for _, ph := range list {
		if isJPEGName(ph.Rel) && raws[stem(ph.Rel)] {
			continue // its RAW twin provides the thumbnail
		}
		needLine[ph.Rel] = !info.HasOwn(ph.Rel, named[path.Base(ph.Rel)] == 1)
		if !fileExists(ThumbPath(p, ph.Rel)) || needLine[ph.Rel] {
			todo = append(todo, ph)
		}
	}
	res.ToCreate = len(todo)
	for i, ph := range todo {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		report(CreatingMessage(i+1, len(todo)))
		made, err := derive(p, ph, info, needLine[ph.Rel])
		if made {
			res.Created++
			report(CreatedMessage(res.Created, len(todo)))
		}
		if err != nil {
			log.Warn("thumbnail not made", "photo", ph.Rel, "err", err)
			res.Failed++
			res.Errors = append(res.Errors, err)
		}
	}
	if err := info.Compact(); err != nil {
		res.Errors = append(res.Errors, err)
	}
	switch {
	case res.Silent:
		res.Message, res.Colour = SkippedMessage, status.White
	case len(res.Errors) > 0:
		res.Message = fmt.Sprintf("Created %d thumbnail images OK; %d could not be made", res.Created, res.Failed)
		res.Colour = status.Orange
	default:
		res.Message, res.Colour = fmt.Sprintf("Created %d thumbnail images OK", res.Created), status.White
	}
	return res, nil
}

// derive makes what one photo lacks: the RAW preview, the thumbnail, the
// summary line (when needLine). made is true when a thumbnail was written.
// The summary line is written even when the picture is unreadable, with "?"
// for what is unknown, as the original did.
func derive(p paths.Paths, ph Photo, info *InfoFile, needLine bool) (made bool, err error) {
	thumbPath := ThumbPath(p, ph.Rel)
	needThumb := !fileExists(thumbPath)
	var previewPath string
	if IsRaw(ph.Rel) && !fileExists(PreviewPath(p, ph.Rel)) {
		previewPath = PreviewPath(p, ph.Rel)
	}
	thumb, meta, err := Thumbnail(ph.Path, previewPath, needThumb)
	if err == nil && needThumb {
		if err = fileutil.WriteAtomic(thumbPath, thumb, 0o644); err == nil {
			made = true
		}
	}
	if needLine {
		if aerr := info.Append(ph.Rel, SummaryValue(ph.Rel, meta)); aerr != nil && err == nil {
			err = aerr
		}
	}
	if err != nil {
		return made, fmt.Errorf("%s: %w", ph.Rel, err)
	}
	return made, nil
}

// Thumbnail reads a photo and returns its thumbnail as a JPEG (when
// wantThumb) and its EXIF fields. For a RAW, when previewPath is not
// empty, the largest embedded JPEG is written there as the preview.
//
// The fast way is taken when it is honest: a camera JPEG carries a small
// thumbnail in its EXIF block, and a RAW several JPEGs, so the smallest
// embedded JPEG at least as big as the 160-pixel box is scaled (after
// cropping any letter-box bars a camera adds to fit its thumbnail to 4:3).
// Without one, the photo itself is decoded small: its blocks' DC
// coefficients alone when 1/8 scale is enough (a camera JPEG), else with
// libjpeg at a reduced DCT scale (as PIL's draft mode does), or in pure Go
// at full size when built without libjpeg; then scaled to the box.
func Thumbnail(photoPath, previewPath string, wantThumb bool) (thumb []byte, meta imaging.Meta, err error) {
	f, err := os.Open(photoPath)
	if err != nil {
		return nil, meta, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, meta, err
	}
	size := st.Size()
	if size == 0 {
		return nil, meta, errors.New("empty file")
	}
	switch {
	case IsRaw(photoPath):
		return rawThumb(f, size, previewPath, wantThumb)
	case isJPEGName(photoPath):
		return jpegThumb(f, size, wantThumb)
	}
	if !wantThumb {
		return nil, meta, nil
	}
	img, _, err := image.Decode(io.NewSectionReader(f, 0, size))
	if err != nil {
		return nil, meta, fmt.Errorf("not a picture this can read: %w", err)
	}
	b := img.Bounds()
	tw, th := fitBox(b.Dx(), b.Dy(), ThumbSize)
	thumb, err = encodeThumb(scaleTo(img, tw, th))
	return thumb, meta, err
}

type embedded struct {
	imaging.Span
	W, H int
}

// candidates are the embedded JPEGs a decoder here can read (baseline or
// progressive, not the lossless raw data), smallest first.
func candidates(r io.ReaderAt, spans []imaging.Span) []embedded {
	var out []embedded
	for _, s := range spans {
		h, err := imaging.ScanJPEG(r, s.Off, s.Len)
		if err != nil || (h.SOF != 0xC0 && h.SOF != 0xC1 && h.SOF != 0xC2) {
			continue
		}
		out = append(out, embedded{Span: s, W: h.W, H: h.H})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].W*out[i].H < out[j].W*out[j].H })
	return out
}

func rawThumb(f *os.File, size int64, previewPath string, wantThumb bool) ([]byte, imaging.Meta, error) {
	meta, err := imaging.ReadTIFF(f, 0, size)
	if err != nil && len(meta.JPEGs) == 0 {
		return nil, meta, fmt.Errorf("not a readable RAW file: %w", err)
	}
	cands := candidates(f, meta.JPEGs)
	if len(cands) == 0 {
		return nil, meta, errors.New("RAW file has no embedded JPEG preview")
	}
	largest := cands[len(cands)-1]
	if previewPath != "" {
		data := make([]byte, largest.Len)
		if _, err := f.ReadAt(data, largest.Off); err != nil {
			return nil, meta, fmt.Errorf("read the RAW's preview: %w", err)
		}
		if !imaging.HasEOI(bytes.NewReader(data), 0, int64(len(data))) {
			return nil, meta, errors.New("the RAW's preview JPEG is truncated")
		}
		if err := fileutil.WriteAtomic(previewPath, data, 0o644); err != nil {
			return nil, meta, err
		}
	}
	if !wantThumb {
		return nil, meta, nil
	}
	tw, th := fitBox(largest.W, largest.H, ThumbSize)
	for _, c := range cands {
		if cw, ch := cropSize(c.W, c.H, largest.W, largest.H); cw >= tw && ch >= th {
			t, err := thumbFromEmbedded(f, c, largest.W, largest.H, tw, th)
			if err == nil {
				return t, meta, nil
			}
		}
	}
	return nil, meta, errors.New("no embedded JPEG of the RAW could be decoded")
}

func jpegThumb(f *os.File, size int64, wantThumb bool) ([]byte, imaging.Meta, error) {
	var meta imaging.Meta
	h, err := imaging.ScanJPEG(f, 0, size)
	if err != nil {
		return nil, meta, fmt.Errorf("not a readable JPEG: %w", err)
	}
	if h.Exif != nil {
		meta = *h.Exif
	}
	if !imaging.HasEOI(f, 0, size) {
		return nil, meta, errors.New("truncated JPEG (no end-of-image marker)")
	}
	if !wantThumb {
		return nil, meta, nil
	}
	tw, th := fitBox(h.W, h.H, ThumbSize)
	for _, c := range candidates(f, meta.JPEGs) {
		if cw, ch := cropSize(c.W, c.H, h.W, h.H); cw >= tw && ch >= th {
			if t, err := thumbFromEmbedded(f, c, h.W, h.H, tw, th); err == nil {
				return t, meta, nil
			}
		}
	}
	img, err := imaging.DecodeSmall(f, size, h.W, h.H, tw, th)
	if err != nil {
		return nil, meta, fmt.Errorf("decode JPEG: %w", err)
	}
	t, err := encodeThumb(scaleTo(img, tw, th))
	return t, meta, err
}

// cropSize is the part of a w×h embedded picture that shows the main
// image's aspect (mw×mh): the rest is the bars a camera pads it with.
func cropSize(w, h, mw, mh int) (int, int) {
	if w*mh > h*mw { // wider than the photo: bars left and right
		return (h*mw + mh/2) / mh, h
	}
	return w, (w*mh + mw/2) / mw
}

func thumbFromEmbedded(r io.ReaderAt, c embedded, mw, mh, tw, th int) ([]byte, error) {
	// The crop must still cover tw×th after a reduced decode.
	cw, ch := cropSize(c.W, c.H, mw, mh)
	needW, needH := ceilDiv(tw*c.W, cw), ceilDiv(th*c.H, ch)
	img, err := imaging.DecodeSmall(io.NewSectionReader(r, c.Off, c.Len), c.Len, c.W, c.H, needW, needH)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	cw, ch = cropSize(b.Dx(), b.Dy(), mw, mh)
	x0, y0 := b.Min.X+(b.Dx()-cw)/2, b.Min.Y+(b.Dy()-ch)/2
	if si, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		img = si.SubImage(image.Rect(x0, y0, x0+cw, y0+ch))
	}
	return encodeThumb(scaleTo(img, tw, th))
}

// ceilDiv is a/b rounded up (a ≥ 0, b > 0): a decode target is a floor on
// the pixels wanted, never a pixel under it.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// scaleTo resizes img to tw×th: a box average first when it is much bigger
// (cheap, and no aliasing), then Catmull-Rom for the last step.
func scaleTo(img image.Image, tw, th int) image.Image {
	b := img.Bounds()
	if b.Dx() == tw && b.Dy() == th {
		return img
	}
	if yc, ok := img.(*image.YCbCr); ok {
		if f := min(b.Dx()/tw, b.Dy()/th) / 2; f >= 2 {
			img = boxReduce(yc, f)
			b = img.Bounds()
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// boxReduce averages f×f blocks of a YCbCr image straight from its planes.
func boxReduce(src *image.YCbCr, f int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/f, b.Dy()/f
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	hs, vs := 1, 1
	switch src.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 2
	case image.YCbCrSubsampleRatio420:
		hs, vs = 2, 2
	case image.YCbCrSubsampleRatio440:
		vs = 2
	case image.YCbCrSubsampleRatio411:
		hs = 4
	case image.YCbCrSubsampleRatio410:
		hs, vs = 4, 2
	}
	ysum := make([]uint32, w)
	for oy := 0; oy < h; oy++ {
		clear(ysum)
		y0 := b.Min.Y + oy*f
		for dy := 0; dy < f; dy++ {
			row := src.Y[src.YOffset(b.Min.X, y0+dy):]
			for ox := 0; ox < w; ox++ {
				s := uint32(0)
				for _, v := range row[ox*f : ox*f+f] {
					s += uint32(v)
				}
				ysum[ox] += s
			}
		}
		for ox := 0; ox < w; ox++ {
			// Chroma: one sample per chroma cell the block covers.
			x0 := b.Min.X + ox*f
			var cb, cr, n uint32
			for y := y0; y < y0+f; y += vs {
				for x := x0; x < x0+f; x += hs {
					c := src.COffset(x, y)
					cb += uint32(src.Cb[c])
					cr += uint32(src.Cr[c])
					n++
				}
			}
			r, g, bl := color.YCbCrToRGB(uint8(ysum[ox]/uint32(f*f)), uint8(cb/n), uint8(cr/n))
			i := oy*dst.Stride + ox*4
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bl, 255
		}
	}
	return dst
}

// ThumbQuality is the JPEG quality of thumbnails (PIL's default, as the original saved them).
const ThumbQuality = 75

func encodeThumb(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: ThumbQuality}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}
