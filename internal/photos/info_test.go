package photos

import (
	"os"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func TestInfoFileLegacyAndTornTail(t *testing.T) {
	p := paths.New(t.TempDir())
	// The original's seed line (CRLF), an LF line from its dedupe, a
	// duplicate, a bad line, and a line torn by a power cut.
	writeFile(t, p.ThumbsInfo(), []byte("default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\r\n"+
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
		writeFile(t, PhotoPath(p, rel), []byte("photo"))
		writeFile(t, ThumbPath(p, rel), []byte("thumb"))
	}
	writeFile(t, PreviewPath(p, "100CANON/A.CR2"), []byte("preview"))
	writeFile(t, p.ThumbsInfo(), []byte("B.JPG = legacy|x\r\nC.JPG = legacy|c\r\n100CANON/A.CR2 = a|x\r\n100CANON/B.JPG = b|x\r\n101CANON/B.JPG = b1|x\r\n100CANON/C.JPG = c|x\r\n"))

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
