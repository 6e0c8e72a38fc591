package photos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

type exifToolValues struct {
	ExposureTime     float64
	FNumber          float64
	ISO              float64
	DateTimeOriginal string
}

func exiftoolValues(t *testing.T, fp string) exifToolValues {
	out := exiftool(t, "-n", "-j", "-ExposureTime", "-FNumber", "-ISO", "-DateTimeOriginal", fp)
	var v []exifToolValues
	if err := json.Unmarshal(out, &v); err != nil || len(v) != 1 {
		t.Fatalf("exiftool JSON: %v\n%s", err, out)
	}
	return v[0]
}

// parseShown reads back an exposure as the line shows it ("1/250", "0.5", "6").
func parseShown(t *testing.T, s string) float64 {
	if r, ok := new(big.Rat).SetString(s); ok {
		f, _ := r.Float64()
		return f
	}
	t.Fatalf("unreadable value %q", s)
	return 0
}

func TestSummaryLineMatchesExiftool(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		exposure, fnumber, iso, date string
		wantExp, wantF               string // as the original prints them
	}{
		{"1/250", "2.8", "400", "2024:01:02 03:04:05", "1/250", "2.8"},
		{"0.3", "8", "100", "2023:12:31 23:59:59", "3/10", "8"},
		{"6", "5.6", "3200", "2022:06:15 12:00:00", "6", "5.6"},
		{"0.5", "11", "200", "2021:01:01 09:00:00", "0.5", "11"},
		{"2.5", "1.4", "6400", "2020:02:29 00:00:01", "2.5", "1.4"},
		{"1/3", "22", "25600", "2019:07:04 18:30:00", "1/3", "22"},
		{"1.3", "4", "50", "2018:03:03 03:03:03", "13/10", "4"},
		{"30", "16", "800", "2017:11:11 11:11:11", "30", "16"},
	}
	for i, c := range cases {
		name := fmt.Sprintf("IMG_%04d.JPG", i)
		fp := filepath.Join(dir, name)
		cameraJPEG(t, fp, 64, 48, nil, "-ExposureTime="+c.exposure, "-FNumber="+c.fnumber, "-ISO="+c.iso, "-DateTimeOriginal="+c.date)
		_, meta, err := Thumbnail(fp, "", false)
		if err != nil {
			t.Fatal(err)
		}
		line := "100CANON/" + name + " = " + SummaryValue("100CANON/"+name, meta)
		d := strings.ReplaceAll(c.date[:10], ":", "/") + " " + c.date[11:]
		want := fmt.Sprintf("100CANON/%s = %s|JPG &bull; %ss &bull; F%s &bull; ISO%s", name, d, c.wantExp, c.wantF, c.iso)
		if line != want {
			t.Errorf("line\n got %s\nwant %s", line, want)
		}
		// And the values are exiftool's, whatever the spelling.
		et := exiftoolValues(t, fp)
		ts, info := SplitSummary(SummaryValue(name, meta))
		if ts != strings.ReplaceAll(et.DateTimeOriginal[:10], ":", "/")+et.DateTimeOriginal[10:] {
			t.Errorf("%s: timestamp %q, exiftool %q", name, ts, et.DateTimeOriginal)
		}
		parts := strings.Split(info, " &bull; ")
		if len(parts) != 4 {
			t.Fatalf("info %q", info)
		}
		if got := parseShown(t, strings.TrimSuffix(parts[1], "s")); math.Abs(got-et.ExposureTime) > 1e-9*et.ExposureTime {
			t.Errorf("%s: exposure %v, exiftool %v", name, got, et.ExposureTime)
		}
		if got := parseShown(t, strings.TrimPrefix(parts[2], "F")); math.Abs(got-et.FNumber) > 1e-9 {
			t.Errorf("%s: f-number %v, exiftool %v", name, got, et.FNumber)
		}
		if got, _ := strconv.ParseFloat(strings.TrimPrefix(parts[3], "ISO"), 64); got != et.ISO {
			t.Errorf("%s: ISO %v, exiftool %v", name, got, et.ISO)
		}
	}
}

func TestSummaryWithoutExif(t *testing.T) {
	fp := filepath.Join(t.TempDir(), "plain.jpg")
	imagingtest.WriteFile(t, fp, imagingtest.EncJPEG(t, pattern(40, 30, color.RGBA{A: 255}), 80))
	_, meta, err := Thumbnail(fp, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := SummaryValue("100CANON/plain.jpg", meta), " |JPG &bull; ?s &bull; F? &bull; ISO?"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestFitBoxMatchesPIL(t *testing.T) {
	sizes := [][2]int{{6000, 4000}, {4000, 6000}, {5184, 3456}, {161, 100}, {100, 100}, {1000, 999}, {3, 1000}, {1000, 3}, {4608, 3456}, {7, 160}, {333, 222}, {5, 320}, {7, 320}, {9, 320}, {320, 5}}
	var script strings.Builder
	script.WriteString("from PIL import Image\n")
	for _, s := range sizes {
		fmt.Fprintf(&script, "im = Image.new('L', (%d, %d)); im.thumbnail((160, 160)); print(im.size[0], im.size[1])\n", s[0], s[1])
	}
	out, err := exec.Command(imagingtest.PILPython(t), "-c", script.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, s := range sizes {
		w, h := fitBox(s[0], s[1], ThumbSize)
		if got := fmt.Sprintf("%d %d", w, h); got != lines[i] {
			t.Errorf("%v: got %s, PIL %s", s, got, lines[i])
		}
	}
}

func decodeThumb(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("thumbnail is not a JPEG: %v", err)
	}
	return img
}

func near(c color.Color, r, g, b uint8, tol int) bool {
	cr, cg, cb, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { return math.Abs(float64(int(a>>8)-int(b))) <= float64(tol) }
	return d(cr, r) && d(cg, g) && d(cb, b)
}

func TestThumbnailPaths(t *testing.T) {
	dir := t.TempDir()
	// The EXIF thumbnail is drawn in another base colour than the photo, so
	// the result shows which one it came from; it is letter-boxed to 4:3.
	small := image.NewRGBA(image.Rect(0, 0, 160, 107))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), pattern(1200, 800, color.RGBA{R: 40, A: 255}), image.Rect(0, 0, 1200, 800), draw.Src, nil)
	embedded := imagingtest.EncJPEG(t, letterbox(small, 160, 120), 95)

	withThumb := filepath.Join(dir, "with.JPG")
	cameraJPEG(t, withThumb, 1200, 800, embedded, "-ISO=100")
	without := filepath.Join(dir, "without.JPG")
	cameraJPEG(t, without, 1200, 800, nil)

	for _, tc := range []struct {
		fp    string
		baseR uint8
	}{{withThumb, 40}, {without, 180}} {
		b, _, err := Thumbnail(tc.fp, "", true)
		if err != nil {
			t.Fatal(err)
		}
		img := decodeThumb(t, b)
		if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 107 {
			t.Fatalf("%s: thumbnail %v, want 160x107", tc.fp, img.Bounds())
		}
		// Quadrants of pattern(): top-left has G and B set, bottom-right neither.
		// No black bars: the top and bottom rows show the picture.
		if c := img.At(20, 1); !near(c, tc.baseR, 200, 220, 30) {
			t.Errorf("%s: top-left %v", filepath.Base(tc.fp), c)
		}
		if c := img.At(140, 105); !near(c, tc.baseR, 0, 0, 30) {
			t.Errorf("%s: bottom-right %v", filepath.Base(tc.fp), c)
		}
	}

	// Portrait, small, and non-JPEG photos.
	tall := filepath.Join(dir, "tall.jpg")
	imagingtest.WriteFile(t, tall, imagingtest.EncJPEG(t, pattern(300, 900, color.RGBA{R: 90, A: 255}), 90))
	b, _, err := Thumbnail(tall, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeThumb(t, b).Bounds(); got.Dx() != 53 || got.Dy() != 160 {
		t.Fatalf("portrait thumbnail %v", got)
	}
	tiny := filepath.Join(dir, "tiny.JPG")
	imagingtest.WriteFile(t, tiny, imagingtest.EncJPEG(t, pattern(100, 60, color.RGBA{A: 255}), 90))
	b, _, err = Thumbnail(tiny, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeThumb(t, b).Bounds(); got.Dx() != 100 || got.Dy() != 60 {
		t.Fatalf("a small photo is not enlarged: %v", got)
	}
}

func TestRawPreviewAndThumb(t *testing.T) {
	dir := t.TempDir()
	preview := imagingtest.EncJPEG(t, pattern(900, 600, color.RGBA{R: 120, A: 255}), 85)
	small := image.NewRGBA(image.Rect(0, 0, 160, 107))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), pattern(900, 600, color.RGBA{R: 10, A: 255}), image.Rect(0, 0, 900, 600), draw.Src, nil)
	thumb := imagingtest.EncJPEG(t, letterbox(small, 160, 120), 90)
	exif := exifEntries("2024:05:06 07:08:09", 1, 125, 56, 10, 1600)

	for _, tc := range []struct {
		name, exiftoolTag string
		data              []byte
		baseR             uint8 // where the thumbnail must come from
	}{
		{"IMG_0001.CR2", "-PreviewImage", fakeCR2(rawParts{preview: preview, thumb: thumb, exif: exif}), 10},
		{"DSC_0001.nef", "-JpgFromRaw", fakeNEF(rawParts{preview: preview, exif: exif}), 120},
	} {
		fp := filepath.Join(dir, tc.name)
		imagingtest.WriteFile(t, fp, tc.data)
		pv := filepath.Join(dir, "out", tc.name+"-preview.JPG")
		b, meta, err := Thumbnail(fp, pv, true)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := os.ReadFile(pv)
		if err != nil || !bytes.Equal(got, preview) {
			t.Fatalf("%s: preview is not the embedded JPEG (%v)", tc.name, err)
		}
		// exiftool, reading the same file, finds the same preview and values.
		if et := exiftool(t, "-b", tc.exiftoolTag, fp); !bytes.Equal(et, preview) {
			t.Fatalf("%s: exiftool's %s (%d bytes) differs from ours", tc.name, tc.exiftoolTag, len(et))
		}
		if v := exiftoolValues(t, fp); v.ISO != 1600 || v.DateTimeOriginal != "2024:05:06 07:08:09" || v.FNumber != 5.6 {
			t.Fatalf("%s: exiftool reads %+v", tc.name, v)
		}
		ext := strings.ToUpper(strings.TrimPrefix(filepath.Ext(tc.name), "."))
		if got, want := SummaryValue(tc.name, meta), "2024/05/06 07:08:09|"+ext+" &bull; 1/125s &bull; F5.6 &bull; ISO1600"; got != want {
			t.Fatalf("%s: summary %q want %q", tc.name, got, want)
		}
		img := decodeThumb(t, b)
		if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 107 {
			t.Fatalf("%s: thumbnail %v", tc.name, img.Bounds())
		}
		if c := img.At(140, 104); !near(c, tc.baseR, 0, 0, 30) {
			t.Fatalf("%s: thumbnail from the wrong source or with bars: %v", tc.name, c)
		}
	}
}

func TestBadFilesGiveErrors(t *testing.T) {
	dir := t.TempDir()
	good := imagingtest.EncJPEG(t, pattern(400, 300, color.RGBA{A: 255}), 90)
	for name, data := range map[string][]byte{
		"zero.JPG":    nil,
		"trunc.JPG":   good[:len(good)/2],
		"garbage.CR2": bytes.Repeat([]byte("not a raw "), 500),
		"noprev.CR2":  fakeNEF(rawParts{preview: []byte{1, 2, 3}}),
		"text.JPG":    []byte("hello"),
	} {
		fp := filepath.Join(dir, name)
		imagingtest.WriteFile(t, fp, data)
		_, _, err := Thumbnail(fp, filepath.Join(dir, name+"-preview.JPG"), true)
		if err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func setMTime(t *testing.T, fp string, sec int) {
	mt := time.Date(2024, 1, 1, 0, 0, sec, 0, time.UTC)
	if err := os.Chtimes(fp, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func TestMakeThumbs(t *testing.T) {
	p := paths.New(t.TempDir())
	small := imagingtest.EncJPEG(t, letterbox(pattern(160, 107, color.RGBA{A: 255}), 160, 120), 90)
	put := func(rel string, sec int, data []byte) {
		fp := PhotoPath(p, rel)
		imagingtest.WriteFile(t, fp, data)
		setMTime(t, fp, sec)
	}
	jp := func(rel string, sec int) {
		fp := PhotoPath(p, rel)
		os.MkdirAll(filepath.Dir(fp), 0o755)
		cameraJPEG(t, fp, 600, 400, small, "-DateTimeOriginal=2024:01:01 00:00:"+fmt.Sprintf("%02d", sec), "-ExposureTime=1/60", "-FNumber=8", "-ISO=100")
		setMTime(t, fp, sec)
	}
	jp("100CANON/IMG_0001.JPG", 1)
	jp("101CANON/IMG_0001.JPG", 2) // same bare name, another folder
	put("100CANON/IMG_0002.CR2", 3, fakeCR2(rawParts{
		preview: imagingtest.EncJPEG(t, pattern(600, 400, color.RGBA{R: 99, A: 255}), 85), thumb: small,
		exif: exifEntries("2024:01:01 00:00:03", 1, 30, 4, 1, 200)}))
	jp("100CANON/IMG_0002.JPG", 3) // its twin
	put("100CANON/ZERO.JPG", 4, nil)
	full := imagingtest.EncJPEG(t, pattern(300, 200, color.RGBA{A: 255}), 90)
	put("100CANON/TRUNC.JPG", 5, full[:len(full)-600])
	put("100CANON/JUNK.CR2", 6, bytes.Repeat([]byte{0xAB}, 3000))

	var statuses []string
	res, err := MakeThumbs(context.Background(), p, ThumbOptions{Count: 24}, func(s string) { statuses = append(statuses, s) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Failed != 3 || res.ToCreate != 6 || len(res.Errors) != 3 {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Message, "thumbnail images OK") || res.Colour != status.Orange {
		t.Fatalf("message %q colour %s", res.Message, res.Colour)
	}
	if statuses[0] != CommencingMessage || statuses[1] != "Creating thumbnail 1 of 6" {
		t.Fatalf("statuses %q", statuses)
	}
	for _, rel := range []string{"100CANON/IMG_0001.JPG", "101CANON/IMG_0001.JPG", "100CANON/IMG_0002.CR2"} {
		if !fileExists(ThumbPath(p, rel)) {
			t.Errorf("no thumbnail for %s", rel)
		}
	}
	if !fileExists(PreviewPath(p, "100CANON/IMG_0002.CR2")) {
		t.Error("no preview for the CR2")
	}
	info, err := LoadInfo(p.ThumbsInfo())
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := info.Lookup("100CANON/IMG_0001.JPG")
	v2, _ := info.Lookup("101CANON/IMG_0001.JPG")
	if !strings.HasPrefix(v1, "2024/01/01 00:00:01|JPG") || !strings.HasPrefix(v2, "2024/01/01 00:00:02|JPG") {
		t.Fatalf("same-named photos in two folders: %q, %q", v1, v2)
	}
	if v, _ := info.Lookup("100CANON/IMG_0002.CR2"); v != "2024/01/01 00:00:03|CR2 &bull; 1/30s &bull; F4 &bull; ISO200" {
		t.Fatalf("CR2 line %q", v)
	}
	if info.Has("100CANON/IMG_0002.JPG") {
		t.Fatal("the JPEG twin of a RAW got its own line")
	}
	if v, _ := info.Lookup("100CANON/ZERO.JPG"); v != " |JPG &bull; ?s &bull; F? &bull; ISO?" {
		t.Fatalf("bad photo's line %q", v)
	}
	raw, _ := os.ReadFile(p.ThumbsInfo())
	if n := strings.Count(string(raw), "\r\n"); n != 6 {
		t.Fatalf("info file has %d CRLF lines:\n%s", n, raw)
	}

	// A second run redoes only what failed.
	res, err = MakeThumbs(context.Background(), p, ThumbOptions{Count: 24}, nil)
	if err != nil || res.Created != 0 || res.ToCreate != 3 || res.Failed != 3 {
		t.Fatalf("second run %+v %v", res, err)
	}
	// A lost summary line is remade without remaking the thumbnail.
	os.Remove(p.ThumbsInfo())
	os.Remove(PhotoPath(p, "100CANON/ZERO.JPG"))
	os.Remove(PhotoPath(p, "100CANON/TRUNC.JPG"))
	os.Remove(PhotoPath(p, "100CANON/JUNK.CR2"))
	res, err = MakeThumbs(context.Background(), p, ThumbOptions{Count: 24}, nil)
	if err != nil || res.Created != 0 || res.ToCreate != 3 || res.Failed != 0 || res.Message != "Created 0 thumbnail images OK" || res.Colour != status.White {
		t.Fatalf("third run %+v %v", res, err)
	}
	if info, _ := LoadInfo(p.ThumbsInfo()); info.Len() != 3 {
		t.Fatalf("info has %d lines after the third run", info.Len())
	}
}

func TestMakeThumbsSilent(t *testing.T) {
	p := paths.New(t.TempDir())
	for i, rel := range []string{"100CANON/A.JPG", "100CANON/B.JPG", "100CANON/C.JPG"} {
		fp := PhotoPath(p, rel)
		imagingtest.WriteFile(t, fp, imagingtest.EncJPEG(t, pattern(320, 240, color.RGBA{A: 255}), 80))
		setMTime(t, fp, 10-i) // A is the newest
	}
	called := false
	res, err := MakeThumbs(context.Background(), p, ThumbOptions{Count: 0}, func(string) { called = true })
	if err != nil {
		t.Fatal(err)
	}
	if called || !res.Silent || res.Created != 1 || res.Message != SkippedMessage || res.Colour != status.White {
		t.Fatalf("silent run: %+v, progress called %v", res, called)
	}
	if !fileExists(ThumbPath(p, "100CANON/A.JPG")) || fileExists(ThumbPath(p, "100CANON/B.JPG")) {
		t.Fatal("silent mode must make only the newest photo's thumbnail")
	}
}
