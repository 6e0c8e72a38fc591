package photos

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// RelOf turns an absolute path in ~/photos/DCIM (as the upload ledger holds
// them) into the photo's key below DCIM.
func RelOf(p paths.Paths, abs string) (string, error) {
	rel, err := filepath.Rel(p.PhotosDCIM(), filepath.Clean(abs))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is not a photo under %s", abs, p.PhotosDCIM())
	}
	return filepath.ToSlash(rel), nil
}

// RemoveDerivatives removes what was made from these photos (keys below
// DCIM): thumbnail, RAW preview and summary line, after the photos
// themselves were deleted (an upload with deleteAfterTransfer). What a photo
// still in the store shares is kept: a RAW and its JPEG twin share one
// thumbnail, and a line from the original keyed by a bare name may describe
// a same-named photo in another folder. One atomic rewrite of
// piThumbsInfo.txt for the whole batch. Missing files are not errors.
func RemoveDerivatives(p paths.Paths, rels ...string) error {
	if len(rels) == 0 {
		return nil
	}
	lock, err := fileutil.LockExclusive(p.ThumbsLock())
	if err != nil {
		return err
	}
	defer lock.Unlock()

	gone := map[string]bool{}
	for _, r := range rels {
		gone[r] = true
	}
	all, err := List(p)
	if err != nil {
		return err
	}
	keepThumb, keepPreview, keepBare := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, ph := range all {
		if gone[ph.Rel] {
			continue
		}
		keepThumb[ThumbRel(ph.Rel)] = true
		keepPreview[PreviewRel(ph.Rel)] = true
		keepBare[path.Base(ph.Rel)] = true
	}
	info, err := LoadInfo(p.ThumbsInfo())
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rels {
		if !keepThumb[ThumbRel(r)] {
			errs = append(errs, removeIfExists(ThumbPath(p, r)))
		}
		if !keepPreview[PreviewRel(r)] {
			errs = append(errs, removeIfExists(PreviewPath(p, r)))
		}
		info.Remove(r)
		if b := path.Base(r); !keepBare[b] {
			info.Remove(b)
		}
	}
	errs = append(errs, info.Compact())
	return errors.Join(errs...)
}

func removeIfExists(fp string) error {
	err := os.Remove(fp)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("remove %s: %w", fp, err)
}
