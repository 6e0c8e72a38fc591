package photos

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"

	"github.com/intvlm8r/intvlm8r-go/internal/imaging/imagingtest"
)

func TestInfoFileLegacyAndTornTail(t *testing.T) {
	p := paths.New(t.TempDir())
	// The original's seed line (CRLF), an LF line from its dedupe, a
	// duplicate, a bad line, and a line torn by a power cut.
	imagingtest.WriteFile(t, p.ThumbsInfo(), []byte("default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\r\n"+
		"IMG_8.JPG = 2022/02/02 02:02:02|JPG &bull; 1s &bull; F8 &bull; ISO100\n"+
		"garbage\n"+
		"IMG_8.JPG = 2023/03/03 03:03:03|JPG &bull; 2s &bull; F8 &bull; ISO100\r\n"+
		"IMG_7.JP"))
	f, err := LoadInfo(p.ThumbsInfo())
	if err != nil {
		t.Fatal(err)
	}
	v, ok := f.Lookup("100CANON/IMG_8.JPG") // found by bare name
	if ts, info := SplitSummary(v); !ok || ts != "2023/03/03 03:03:03" || info != "JPG &bull; 2s &bull; F8 &bull; ISO100" {
		t.Fatalf("legacy lookup %q %v", v, ok)
	}
	if err := f.Append("100CANON/IMG_8.JPG", "2024/04/04 04:04:04|JPG &bull; 1/8s &bull; F2 &bull; ISO400"); err != nil {
		t.Fatal(err)
	}
	if err := f.Append("101CANON/IMG_8.JPG", "2025/05/05 05:05:05|JPG &bull; 1/8s &bull; F2 &bull; ISO400"); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p.ThumbsInfo())
	if !strings.Contains(string(raw), "IMG_7.JP\r\n100CANON/IMG_8.JPG = 2024") {
		t.Fatalf("append after a torn line must start a new line:\n%q", raw)
	}
	if err := f.Append("x\ny", "z"); err == nil {
		t.Fatal("a key with a line break was accepted")
	}
	if err := f.Compact(); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(p.ThumbsInfo())
	want := "default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\r\n" +
		"IMG_8.JPG = 2023/03/03 03:03:03|JPG &bull; 2s &bull; F8 &bull; ISO100\r\n" +
		"100CANON/IMG_8.JPG = 2024/04/04 04:04:04|JPG &bull; 1/8s &bull; F2 &bull; ISO400\r\n" +
		"101CANON/IMG_8.JPG = 2025/05/05 05:05:05|JPG &bull; 1/8s &bull; F2 &bull; ISO400\r\n"
	if string(raw) != want {
		t.Fatalf("compacted:\n%s\nwant:\n%s", raw, want)
	}
	g, _ := LoadInfo(p.ThumbsInfo())
	for rel, ts := range map[string]string{"100CANON/IMG_8.JPG": "2024", "101CANON/IMG_8.JPG": "2025", "102CANON/IMG_8.JPG": "2023"} {
		if v, _ := g.Lookup(rel); !strings.HasPrefix(v, ts) {
			t.Errorf("%s → %q", rel, v)
		}
	}
}

func TestRemoveDerivatives(t *testing.T) {
	p := paths.New(t.TempDir())
	for _, rel := range []string{"100CANON/A.CR2", "100CANON/A.JPG", "100CANON/B.JPG", "101CANON/B.JPG", "100CANON/C.JPG"} {
		imagingtest.WriteFile(t, PhotoPath(p, rel), []byte("photo"))
		imagingtest.WriteFile(t, ThumbPath(p, rel), []byte("thumb"))
	}
	imagingtest.WriteFile(t, PreviewPath(p, "100CANON/A.CR2"), []byte("preview"))
	imagingtest.WriteFile(t, p.ThumbsInfo(), []byte("B.JPG = legacy|x\r\nC.JPG = legacy|c\r\n100CANON/A.CR2 = a|x\r\n100CANON/B.JPG = b|x\r\n101CANON/B.JPG = b1|x\r\n100CANON/C.JPG = c|x\r\n"))

	// The JPEG twin goes: the RAW still needs the shared thumbnail.
	os.Remove(PhotoPath(p, "100CANON/A.JPG"))
	if err := RemoveDerivatives(p, "100CANON/A.JPG"); err != nil {
		t.Fatal(err)
	}
	if !fileExists(ThumbPath(p, "100CANON/A.CR2")) || !fileExists(PreviewPath(p, "100CANON/A.CR2")) {
		t.Fatal("removed what the RAW twin still uses")
	}
	// Then the RAW, one B and C (uploaded, deleted) in one batch.
	abs := PhotoPath(p, "100CANON/B.JPG")
	rel, err := RelOf(p, abs)
	if err != nil || rel != "100CANON/B.JPG" {
		t.Fatalf("RelOf %q %v", rel, err)
	}
	if _, err := RelOf(p, "/etc/passwd"); err == nil {
		t.Fatal("RelOf accepted a path outside the store")
	}
	for _, r := range []string{"100CANON/A.CR2", "100CANON/B.JPG", "100CANON/C.JPG"} {
		os.Remove(PhotoPath(p, r))
	}
	if err := RemoveDerivatives(p, "100CANON/A.CR2", "100CANON/B.JPG", "100CANON/C.JPG"); err != nil {
		t.Fatal(err)
	}
	for _, fp := range []string{ThumbPath(p, "100CANON/A.CR2"), PreviewPath(p, "100CANON/A.CR2"), ThumbPath(p, "100CANON/B.JPG"), ThumbPath(p, "100CANON/C.JPG")} {
		if fileExists(fp) {
			t.Errorf("%s still there", fp)
		}
	}
	if !fileExists(ThumbPath(p, "101CANON/B.JPG")) {
		t.Error("the other folder's B lost its thumbnail")
	}
	raw, _ := os.ReadFile(p.ThumbsInfo())
	// The legacy "B.JPG" line may be 101CANON/B.JPG's, so it stays; "C.JPG" goes.
	if want := "B.JPG = legacy|x\r\n101CANON/B.JPG = b1|x\r\n"; string(raw) != want {
		t.Fatalf("info after removal:\n%q\nwant\n%q", raw, want)
	}
}

// The original's piThumbsInfo.txt: its seed line as shipped (LF), then the
// lines its getExifData appended (CRLF), keyed by bare file name.
const originalThumbsInfo = "default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\n" +
	"IMG_0001.JPG = 2024/01/01 00:00:01|JPG &bull; 1/60s &bull; F8 &bull; ISO100\r\n" +
	"IMG_0002.JPG = 2024/01/01 00:00:02|JPG &bull; 1/125s &bull; F5.6 &bull; ISO200\r\n" +
	"IMG_0003.JPG = 2024/01/01 00:00:03|JPG &bull; 2.5s &bull; F11 &bull; ISO400\r\n" +
	"IMG_0004.JPG = 2024/01/01 00:00:04|JPG &bull; 1/250s &bull; F4 &bull; ISO800\r\n"

// After an upgrade, the first thumbnail run keeps the original's lines: a
// photo that has one (and is the only photo of that name) gets no second
// line, and where same-named photos each get their own, a line that knows
// less never hides the original's.
func TestMakeThumbsKeepsTheOriginalsLines(t *testing.T) {
	p := paths.New(t.TempDir())
	imagingtest.WriteFile(t, p.ThumbsInfo(), []byte(originalThumbsInfo))
	noExif := imagingtest.EncJPEG(t, pattern(320, 240, color.RGBA{B: 90, A: 255}), 85) // nothing this port can read but the picture
	plain := func(rel string, sec int, withThumb bool) {
		imagingtest.WriteFile(t, PhotoPath(p, rel), noExif)
		setMTime(t, PhotoPath(p, rel), sec)
		if withThumb { // made by the original
			imagingtest.WriteFile(t, ThumbPath(p, rel), imagingtest.EncJPEG(t, pattern(160, 120, color.RGBA{A: 255}), 80))
		}
	}
	plain("100CANON/IMG_0001.JPG", 1, true)  // the original made everything
	plain("100CANON/IMG_0004.JPG", 4, false) // its thumbnail went missing
	plain("100CANON/IMG_0002.JPG", 2, true)  // two of one name, EXIF unreadable here
	plain("101CANON/IMG_0002.JPG", 12, false)
	for i, rel := range []string{"100CANON/IMG_0003.JPG", "101CANON/IMG_0003.JPG"} { // two of one name, EXIF readable
		fp := PhotoPath(p, rel)
		os.MkdirAll(filepath.Dir(fp), 0o755)
		cameraJPEG(t, fp, 600, 400, nil, fmt.Sprintf("-DateTimeOriginal=2025:06:0%d 10:00:00", i+1), "-ExposureTime=1/30", "-FNumber=2.8", "-ISO=1600")
		setMTime(t, fp, 3+10*i)
	}

	res, err := MakeThumbs(t.Context(), p, ThumbOptions{Count: 24}, nil)
	if err != nil || res.Failed != 0 || res.ToCreate != 5 || res.Created != 4 {
		t.Fatalf("first run %+v %v", res, err)
	}
	raw, _ := os.ReadFile(p.ThumbsInfo())
	if !strings.HasPrefix(string(raw), originalThumbsInfo) {
		t.Fatalf("the original's lines changed:\n%q", raw)
	}
	info, _ := LoadInfo(p.ThumbsInfo())
	for _, rel := range []string{"100CANON/IMG_0001.JPG", "100CANON/IMG_0004.JPG"} {
		if info.Has(rel) {
			t.Errorf("%s got a second line beside the original's", rel)
		}
	}
	for rel, want := range map[string]string{
		"100CANON/IMG_0001.JPG": "2024/01/01 00:00:01|JPG &bull; 1/60s &bull; F8 &bull; ISO100",
		"100CANON/IMG_0004.JPG": "2024/01/01 00:00:04|JPG &bull; 1/250s &bull; F4 &bull; ISO800",
		// Their own lines say " |JPG &bull; ?s &bull; F? &bull; ISO?": the original's knows more.
		"100CANON/IMG_0002.JPG": "2024/01/01 00:00:02|JPG &bull; 1/125s &bull; F5.6 &bull; ISO200",
		"101CANON/IMG_0002.JPG": "2024/01/01 00:00:02|JPG &bull; 1/125s &bull; F5.6 &bull; ISO200",
		// Their own lines know as much: each photo's own facts win.
		"100CANON/IMG_0003.JPG": "2025/06/01 10:00:00|JPG &bull; 1/30s &bull; F2.8 &bull; ISO1600",
		"101CANON/IMG_0003.JPG": "2025/06/02 10:00:00|JPG &bull; 1/30s &bull; F2.8 &bull; ISO1600",
	} {
		if got, ok := info.Lookup(rel); !ok || got != want {
			t.Errorf("%s shows %q, want %q", rel, got, want)
		}
	}
	if !info.Has("100CANON/IMG_0002.JPG") || !info.Has("101CANON/IMG_0002.JPG") {
		t.Error("same-named photos got no lines of their own")
	}

	// Nothing is read again on the next run.
	if res, err := MakeThumbs(t.Context(), p, ThumbOptions{Count: 24}, nil); err != nil || res.ToCreate != 0 {
		t.Fatalf("second run %+v %v", res, err)
	}
	// A same-named photo arriving later makes the original's line ambiguous:
	// the older photo then gets its own line too, and still shows the
	// original's facts, which its own (unreadable) EXIF cannot beat.
	plain("102CANON/IMG_0001.JPG", 20, false)
	if res, err := MakeThumbs(t.Context(), p, ThumbOptions{Count: 24}, nil); err != nil || res.ToCreate != 2 {
		t.Fatalf("third run %+v %v", res, err)
	}
	info, _ = LoadInfo(p.ThumbsInfo())
	if v, _ := info.Lookup("100CANON/IMG_0001.JPG"); v != "2024/01/01 00:00:01|JPG &bull; 1/60s &bull; F8 &bull; ISO100" || !info.Has("100CANON/IMG_0001.JPG") {
		t.Errorf("after a namesake arrived: %q", v)
	}
}

func TestLookupPrefersTheLineThatKnowsMore(t *testing.T) {
	p := paths.New(t.TempDir())
	imagingtest.WriteFile(t, p.ThumbsInfo(), []byte("A.JPG = 2024/01/01 00:00:01|JPG &bull; 1/60s &bull; F8 &bull; ISO100\r\n"+
		"100CANON/A.JPG = 2024/01/01 00:00:01|JPG &bull; ?s &bull; F8 &bull; ISO100\r\n"+
		"B.JPG =  |JPG &bull; ?s &bull; F? &bull; ISO?\r\n"+
		"100CANON/B.JPG = 2024/02/02 00:00:00|JPG &bull; ?s &bull; F? &bull; ISO?\r\n"+
		"C.JPG = 2024/03/03 00:00:00|JPG &bull; 1s &bull; F2 &bull; ISO100\r\n"+
		"100CANON/C.JPG = 2024/03/04 00:00:00|JPG &bull; 2s &bull; F4 &bull; ISO200\r\n"))
	f, err := LoadInfo(p.ThumbsInfo())
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		"100CANON/A.JPG": "2024/01/01 00:00:01|JPG &bull; 1/60s &bull; F8 &bull; ISO100", // one field fewer: the original's
		"100CANON/B.JPG": "2024/02/02 00:00:00|JPG &bull; ?s &bull; F? &bull; ISO?",      // more than the original's
		"100CANON/C.JPG": "2024/03/04 00:00:00|JPG &bull; 2s &bull; F4 &bull; ISO200",    // a tie: the photo's own
		"101CANON/C.JPG": "2024/03/03 00:00:00|JPG &bull; 1s &bull; F2 &bull; ISO100",    // only the original's
	} {
		if got, _ := f.Lookup(rel); got != want {
			t.Errorf("%s: %q, want %q", rel, got, want)
		}
	}
	if _, ok := f.Lookup("100CANON/D.JPG"); ok {
		t.Error("a photo without any line found one")
	}
}
