package photos

import (
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging"
	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

var (
	benchOnce  sync.Once
	benchFiles struct{ withThumb, without string }
)

// bench24MP makes a 6000×4000 camera-like JPEG (smooth scene plus sensor
// noise, quality 90) twice: with the 160×120 EXIF thumbnail a camera embeds,
// tagged by exiftool, and without one.
func bench24MP(b *testing.B) (withThumb, without string) {
	benchOnce.Do(func() {
		dir, err := filepath.Abs(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		dir = filepath.Join(filepath.Dir(dir), "bench24mp")
		const w, h = 6000, 4000
		img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		rng := rand.New(rand.NewPCG(3, 4))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := 60 + 120*x/w + 40*y/h + rng.IntN(12)
				img.Y[y*img.YStride+x] = uint8(v)
			}
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = uint8(110+rng.IntN(6)), uint8(140+rng.IntN(6))
		}
		without = filepath.Join(dir, "plain.JPG")
		imagingtest.WriteFile(b, without, imagingtest.EncJPEG(b, img, 90))
		small := image.NewRGBA(image.Rect(0, 0, 160, 107))
		draw.ApproxBiLinear.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
		withThumb = filepath.Join(dir, "camera.JPG")
		imagingtest.WriteFile(b, withThumb, imagingtest.EncJPEG(b, img, 90))
		imagingtest.WriteFile(b, withThumb+".t", imagingtest.EncJPEG(b, letterbox(small, 160, 120), 90))
		exiftool(b, "-q", "-overwrite_original", "-ThumbnailImage<="+withThumb+".t", "-ISO=100", withThumb)
		benchFiles.withThumb, benchFiles.without = withThumb, without
	})
	return benchFiles.withThumb, benchFiles.without
}

// BenchmarkThumbnail24MP compares, on the same 24-megapixel files, this
// package's thumbnail paths with the original's PIL Image.thumbnail (run by
// testdata/bench_pil.py through the system python3, python3-pil):
//
//	exif-thumb        camera JPEG: its EXIF thumbnail is scaled
//	no-exif-thumb     JPEG without one: what Thumbnail does (DC-only decode)
//	libjpeg-reduced   the same file by libjpeg at 1/8 DCT scale (cgo builds)
//	go-full-decode    the same file by image/jpeg's full decode
//	pil-camera-file, pil-plain-file
//
// and prints a table of milliseconds per photo (wall and CPU) and how many
// times faster than PIL each is, by CPU time on the same kind of file.
func BenchmarkThumbnail24MP(b *testing.B) {
	withThumb, without := bench24MP(b)
	type figure struct{ wall, cpu float64 }
	got := map[string]figure{}
	var order []string
	record := func(name string, wall, cpu float64) {
		if _, ok := got[name]; !ok {
			order = append(order, name)
		}
		got[name] = figure{wall, cpu}
	}
	goCases := []struct {
		name, file string
		thumb      func(string) ([]byte, error)
	}{
		{"exif-thumb", withThumb, thumbnailOnly},
		{"no-exif-thumb", without, thumbnailOnly},
		{"go-full-decode", without, func(fp string) ([]byte, error) { return thumbBy(fp, decodeFullAt) }},
	}
	if imaging.ReducedDecoder != "go-full-decode" {
		goCases = append(goCases[:2:2], append([]struct {
			name, file string
			thumb      func(string) ([]byte, error)
		}{{imaging.ReducedDecoder, without, func(fp string) ([]byte, error) { return thumbBy(fp, imaging.DecodeReduced) }}}, goCases[2:]...)...)
	}
	for _, c := range goCases {
		b.Run(c.name, func(b *testing.B) {
			cpu0, t0 := cpuNanos(), time.Now()
			for i := 0; i < b.N; i++ {
				t, err := c.thumb(c.file)
				if err != nil || len(t) == 0 {
					b.Fatal(err)
				}
			}
			cpu := float64(cpuNanos()-cpu0) / float64(b.N)
			b.ReportMetric(cpu, "cpu-ns/op")
			record(c.name, float64(time.Since(t0).Nanoseconds())/float64(b.N), cpu)
		})
	}
	for _, c := range []struct{ name, file string }{{"pil-camera-file", withThumb}, {"pil-plain-file", without}} {
		b.Run(c.name, func(b *testing.B) {
			out, err := exec.Command(imagingtest.PILPython(b), "testdata/bench_pil.py", c.file, strconv.Itoa(b.N)).CombinedOutput()
			if err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			f := strings.Fields(string(out))
			if len(f) != 2 {
				b.Fatalf("bench_pil.py said %q", out)
			}
			wall, err1 := strconv.ParseFloat(f[0], 64)
			cpu, err2 := strconv.ParseFloat(f[1], 64)
			if err1 != nil || err2 != nil {
				b.Fatalf("bench_pil.py said %q", out)
			}
			// PIL's own per-photo times, without python's start-up.
			b.ReportMetric(wall, "ns/op")
			b.ReportMetric(cpu, "cpu-ns/op")
			record(c.name, wall, cpu)
		})
	}
	var tbl strings.Builder
	fmt.Fprintf(&tbl, "24-MP photo to a 160-px thumbnail (ms per photo):\n%-34s %8s %8s %10s\n", "", "wall", "CPU", "vs PIL")
	for _, name := range order {
		f := got[name]
		pil := got["pil-plain-file"]
		if name == "exif-thumb" || name == "pil-camera-file" {
			pil = got["pil-camera-file"]
		}
		vs := "-"
		if pil.cpu > 0 && f.cpu > 0 {
			vs = fmt.Sprintf("%.1fx", pil.cpu/f.cpu)
		}
		fmt.Fprintf(&tbl, "%-34s %8.1f %8.1f %10s\n", name, f.wall/1e6, f.cpu/1e6, vs)
	}
	// On stdout: a parent benchmark's b.Log is not shown without -v.
	fmt.Print(tbl.String())
}

func thumbnailOnly(fp string) ([]byte, error) {
	t, _, err := Thumbnail(fp, "", true)
	return t, err
}

func decodeFullAt(r io.ReaderAt, size int64, _, _, _, _ int) (image.Image, error) {
	return imaging.DecodeFull(r, size)
}

// thumbBy is the thumbnail of the JPEG at fp by one decoder alone (no EXIF
// thumbnail, no DC-only decode).
func thumbBy(fp string, decode func(r io.ReaderAt, size int64, w, h, tw, th int) (image.Image, error)) ([]byte, error) {
	f, err := os.Open(fp)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	hd, err := imaging.ScanJPEG(f, 0, st.Size())
	if err != nil {
		return nil, err
	}
	tw, th := fitBox(hd.W, hd.H, ThumbSize)
	img, err := decode(f, st.Size(), hd.W, hd.H, tw, th)
	if err != nil {
		return nil, err
	}
	return encodeThumb(scaleTo(img, tw, th))
}

// cpuNanos is this process's user+system CPU time: on a shared, busy
// machine it compares methods more fairly than wall time.
func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
