package view

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// photoStore writes n photos, IMG_1 the oldest, and the thumbnail info of
// IMG_2 only (with the entity the original's file holds).
func photoStore(t *testing.T, n int) paths.Paths {
	t.Helper()
	p := paths.New(t.TempDir())
	dir := filepath.Join(p.PhotosDCIM(), "100CANON")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		fp := filepath.Join(dir, "IMG_"+string(rune('0'+i))+".JPG")
		if err := os.WriteFile(fp, []byte("jpeg"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(fp, base.Add(time.Duration(i)*time.Hour), base.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Dir(p.ThumbsInfo()), 0o755)
	if err := os.WriteFile(p.ThumbsInfo(), []byte("100CANON/IMG_2.JPG = 2026-01-01 12:00|1/100 &bull; f/8 <b>\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildThumbnails(t *testing.T) {
	p := photoStore(t, 3)
	set := config.Defaults()
	set.Global.ThumbsCount = 2
	v, errs := BuildThumbnails(p, set)
	if len(errs) != 0 || len(v.Notes) != 0 || len(v.Tiles) != 2 {
		t.Fatalf("%+v %v", v, errs)
	}
	newest, second := v.Tiles[0], v.Tiles[1]
	if newest.Name != "100CANON/IMG_3.JPG" || newest.Time != Unknown || newest.Info != Unknown {
		t.Errorf("newest tile %+v", newest)
	}
	// Entities decoded to text; the template escapes it, markup and all.
	if second.Name != "100CANON/IMG_2.JPG" || second.Time != "2026-01-01 12:00" || second.Info != "1/100 • f/8 <b>" {
		t.Errorf("second tile %+v", second)
	}
	if newest.Thumb == "" || newest.Thumb[0] != '/' || newest.Link == "" || newest.Link[0] != '/' {
		t.Errorf("links %q %q", newest.Thumb, newest.Link)
	}

	set.Transfer.DeleteAfterTransfer = true
	if v, _ := BuildThumbnails(p, set); len(v.Notes) != 1 || v.Notes[0].Colour != status.Orange {
		t.Errorf("delete after transfer: %+v", v.Notes)
	}
	set.Global.ThumbsCount = 0
	if v, _ := BuildThumbnails(p, set); len(v.Tiles) != 0 || len(v.Notes) != 1 || v.Notes[0].Colour != status.White {
		t.Errorf("thumbnails off: %+v", v)
	}
}

func TestBuildThumbnailsEmptyStore(t *testing.T) {
	v, errs := BuildThumbnails(paths.New(t.TempDir()), config.Defaults())
	if len(errs) != 0 || len(v.Tiles) != 0 || len(v.Notes) != 1 || v.Notes[0].Colour != status.White {
		t.Errorf("%+v %v", v, errs)
	}
}
