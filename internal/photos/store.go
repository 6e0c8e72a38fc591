// Package photos is the Pi's photo store: the mirror of the camera's DCIM tree
// under ~/photos, the copy from the camera, the rename archive
// (piPhotoRename.txt), thumbnails and RAW previews, and the EXIF summary lines
// (piThumbsInfo.txt).
//
// Photos are named by their path below the DCIM folder, slash-separated
// ("100CANON/IMG_0001.JPG"); that is the key used in both text files and
// the link between a photo, its thumbnail and its preview.
package photos

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// Photo is one image in the Pi's store.
type Photo struct {
	Rel   string    // path below ~/photos/DCIM, slash-separated: "100CANON/IMG_1.JPG"
	Path  string    // absolute path
	Size  int64     // bytes
	MTime time.Time // file mtime (set from the camera on copy)
}

// MinLargestImage is the floor of LargestImage, as the original keeps it, so
// that days-free never divides by a tiny first image.
const MinLargestImage = 100000

// partPrefix starts the name of a download in progress; such files are never
// listed and are removed by the next copy.
const partPrefix = ".intvlm8r-part-"

// rawExts are the RAW formats whose embedded JPEG is extracted as a preview.
var rawExts = []string{".CR2", ".NEF"}

// IsRaw reports whether name is a RAW photo (.CR2, .NEF, any case).
func IsRaw(name string) bool {
	ext := strings.ToUpper(path.Ext(name))
	for _, r := range rawExts {
		if ext == r {
			return true
		}
	}
	return false
}

// isJPEGName reports whether name has a JPEG extension (any case).
func isJPEGName(name string) bool {
	switch strings.ToUpper(path.Ext(name)) {
	case ".JPG", ".JPEG":
		return true
	}
	return false
}

// stem is rel without its extension.
func stem(rel string) string { return strings.TrimSuffix(rel, path.Ext(rel)) }

// skipName reports the files the listing leaves out, as the original does
// (ledgers, desktop metadata), plus our own downloads in progress.
func skipName(name string) bool {
	// Hidden files are never photos: .directory, and the half-written
	// temporaries of a copy (partPrefix) or of any crash-safe write.
	if name == "default_image.JPG" || strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".db":
		return true
	}
	return false
}

// List returns every photo under ~/photos/DCIM, newest first (ties by path).
// A missing DCIM folder is an empty store, not an error.
func List(p paths.Paths) ([]Photo, error) {
	return listTree(p.PhotosDCIM())
}

func listTree(root string) ([]Photo, error) {
	var out []Photo
	err := filepath.WalkDir(root, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			if fp == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if fp != root && strings.HasPrefix(d.Name(), ".") { // .thumbs and other hidden folders
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || skipName(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // removed under us (an upload deleting it)
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(root, fp)
		if err != nil {
			return err
		}
		out = append(out, Photo{Rel: filepath.ToSlash(rel), Path: fp, Size: info.Size(), MTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list photos under %s: %w", root, err)
	}
	SortNewestFirst(out)
	return out, nil
}

// SortNewestFirst orders photos by mtime, newest first, ties by path.
func SortNewestFirst(ph []Photo) {
	sort.Slice(ph, func(i, j int) bool {
		if !ph[i].MTime.Equal(ph[j].MTime) {
			return ph[i].MTime.After(ph[j].MTime)
		}
		return ph[i].Rel < ph[j].Rel
	})
}

// Newest returns the first min(n, len) photos of a newest-first list.
func Newest(ph []Photo, n int) []Photo {
	if n < 0 {
		n = 0
	}
	if n > len(ph) {
		n = len(ph)
	}
	return ph[:n]
}

// Summary is what the Home page shows about the Pi's store.
type Summary struct {
	Count     int       // images on the Pi (the placeholder never counts)
	Newest    *Photo    // nil when there are none
	Largest   int64     // largest photo in bytes, at least MinLargestImage
	FreeBytes uint64    // free space of the photo filesystem
	FreeOK    bool      // false when the free space could not be read
	Last      LastImage // the image to show; zero when there are none
}

// Summarise lists the store once and derives the Home page's figures.
func Summarise(p paths.Paths) (Summary, error) {
	ph, err := List(p)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Count: len(ph), Largest: LargestImage(ph)}
	if len(ph) > 0 {
		n := ph[0]
		s.Newest = &n
		s.Last = ChooseLastImage(p, n)
	}
	if free, err := system.FreeBytes(p.Photos()); err == nil {
		s.FreeBytes, s.FreeOK = free, true
	}
	return s, nil
}

// LargestImage is the largest photo's size, never less than MinLargestImage.
func LargestImage(ph []Photo) int64 {
	max := int64(MinLargestImage)
	for _, x := range ph {
		if x.Size > max {
			max = x.Size
		}
	}
	return max
}

// Tree names the folder a LastImage lives in, as served under /static/.
type Tree string

const (
	TreePhotos  Tree = "photos"
	TreePreview Tree = "preview"
	TreeThumbs  Tree = "thumbs"
)

// LastImage is the Home page's picture: a file in one of the three trees.
type LastImage struct {
	Tree Tree   // photos, preview or thumbs; "" when there is no image
	Rel  string // slash path relative to that tree, e.g. "DCIM/100CANON/IMG_1.JPG"
}

// URLPath is "<tree>/<rel>" as a URL path, each segment escaped (a camera
// can name a file "cam#2026.JPG"); "" when there is none.
func (l LastImage) URLPath() string {
	if l.Tree == "" {
		return ""
	}
	return (&url.URL{Path: string(l.Tree) + "/" + l.Rel}).EscapedPath()
}

// ThumbURLPath is the URL path of rel's thumbnail, escaped as URLPath is.
func ThumbURLPath(rel string) string {
	return LastImage{Tree: TreeThumbs, Rel: "DCIM/" + ThumbRel(rel)}.URLPath()
}

// ChooseLastImage picks what to show for the newest photo. A RAW cannot be
// shown by a browser, so in order: its extracted preview, its JPEG twin (a
// RAW+JPG shooting mode), its thumbnail. Anything else is shown as it is.
func ChooseLastImage(p paths.Paths, newest Photo) LastImage {
	if !IsRaw(newest.Rel) {
		return LastImage{Tree: TreePhotos, Rel: "DCIM/" + newest.Rel}
	}
	if fileExists(PreviewPath(p, newest.Rel)) {
		return LastImage{Tree: TreePreview, Rel: "DCIM/" + PreviewRel(newest.Rel)}
	}
	if twin, ok := jpegTwin(p, newest.Rel); ok {
		return LastImage{Tree: TreePhotos, Rel: "DCIM/" + twin}
	}
	return LastImage{Tree: TreeThumbs, Rel: "DCIM/" + ThumbRel(newest.Rel)}
}

// jpegTwin finds the JPEG shot alongside a RAW (same folder and stem).
func jpegTwin(p paths.Paths, rawRel string) (string, bool) {
	s := stem(rawRel)
	for _, ext := range []string{".JPG", ".jpg", ".JPEG", ".jpeg"} {
		if fileExists(filepath.Join(p.PhotosDCIM(), filepath.FromSlash(s+ext))) {
			return s + ext, true
		}
	}
	return "", false
}

// ThumbRel is a photo's thumbnail path below ~/thumbs/DCIM: the extension is
// always replaced by an upper-case "-thumb.JPG", so a RAW and its JPG twin share one.
func ThumbRel(rel string) string { return stem(rel) + "-thumb.JPG" }

// PreviewRel is a RAW's preview path below ~/preview/DCIM.
func PreviewRel(rel string) string { return stem(rel) + "-preview.JPG" }

// ThumbPath is the absolute path of a photo's thumbnail.
func ThumbPath(p paths.Paths, rel string) string {
	return filepath.Join(p.Thumbs(), "DCIM", filepath.FromSlash(ThumbRel(rel)))
}

// PreviewPath is the absolute path of a RAW's extracted preview.
func PreviewPath(p paths.Paths, rel string) string {
	return filepath.Join(p.Preview(), "DCIM", filepath.FromSlash(PreviewRel(rel)))
}

// PhotoPath is the absolute path of a photo in the store.
func PhotoPath(p paths.Paths, rel string) string {
	return filepath.Join(p.PhotosDCIM(), filepath.FromSlash(rel))
}

func fileExists(fp string) bool {
	st, err := os.Stat(fp)
	return err == nil && st.Mode().IsRegular()
}

// GalleryTarget is what a Thumbnails tile links to: a RAW's preview when it
// exists, else its thumbnail; any other photo itself (the original forced a
// ".JPG" extension here, which broke ".jpg" and other files).
func GalleryTarget(p paths.Paths, rel string) LastImage {
	if !IsRaw(rel) {
		return LastImage{Tree: TreePhotos, Rel: "DCIM/" + rel}
	}
	if fileExists(PreviewPath(p, rel)) {
		return LastImage{Tree: TreePreview, Rel: "DCIM/" + PreviewRel(rel)}
	}
	return LastImage{Tree: TreeThumbs, Rel: "DCIM/" + ThumbRel(rel)}
}
