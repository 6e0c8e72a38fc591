package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Minimal local helpers for deleteaftertransfer. They follow the layout the
// photos package writes: ~/thumbs/DCIM/<sub>/<stem>-thumb.JPG,
// ~/preview/DCIM/<sub>/<stem>-preview.JPG and a "<name> = ..." line in
// ~/thumbs/piThumbsInfo.txt.

// derivedFiles returns the thumbnail and RAW-preview paths of a photo.
func derivedFiles(p paths.Paths, ph Photo) (thumb, preview string) {
	relDir := filepath.Dir(filepath.FromSlash(ph.Rel)) // DCIM/<sub>
	stem := strings.TrimSuffix(filepath.Base(ph.Path), filepath.Ext(ph.Path))
	thumb = filepath.Join(p.Thumbs(), relDir, stem+"-thumb.JPG")
	preview = filepath.Join(p.Preview(), relDir, stem+"-preview.JPG")
	return thumb, preview
}

// hasSibling reports whether another photo with the same stem (a RAW+JPG
// pair) is still in the folder: the pair shares one thumbnail and preview,
// so those stay until the last of the pair goes.
func hasSibling(photoPath string) bool {
	dir := filepath.Dir(photoPath)
	base := filepath.Base(photoPath)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		n := e.Name()
		if n == base || e.IsDir() || skipName(n) {
			continue
		}
		if strings.TrimSuffix(n, filepath.Ext(n)) == stem {
			return true
		}
	}
	return false
}

// deleteLocal removes an uploaded photo and, unless a RAW/JPG twin remains,
// its thumbnail and preview. It reports what it removed.
func deleteLocal(p paths.Paths, ph Photo) (removed []string, err error) {
	if err := os.Remove(ph.Path); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("delete %s: %w", ph.Path, err)
	}
	removed = append(removed, ph.Path)
	if hasSibling(ph.Path) {
		return removed, nil
	}
	thumb, preview := derivedFiles(p, ph)
	for _, f := range []string{thumb, preview} {
		if err := os.Remove(f); err == nil {
			removed = append(removed, f)
		} else if !os.IsNotExist(err) {
			return removed, fmt.Errorf("delete %s: %w", f, err)
		}
	}
	fileutil.SyncDir(filepath.Dir(ph.Path))
	return removed, nil
}

// removeThumbsInfo drops the piThumbsInfo.txt lines keyed by any of names
// (bare file names). The key is the text before " = "; the original matched
// the name anywhere in the line, which also removed other photos' lines.
// The rewrite is atomic and holds the thumbs-info lock so a concurrent
// append by the thumbnail task (which takes the same lock) is not lost.
func removeThumbsInfo(p paths.Paths, names map[string]bool) (int, error) {
	if len(names) == 0 {
		return 0, nil
	}
	lock, err := fileutil.LockExclusive(p.ThumbsInfoLock())
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	path := p.ThumbsInfo()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("thumbs info: %w", err)
	}
	var keep strings.Builder
	dropped := 0
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		key, _, found := strings.Cut(line, " = ")
		if found && names[strings.TrimSpace(key)] {
			dropped++
			continue
		}
		keep.WriteString(line)
	}
	if dropped == 0 {
		return 0, nil
	}
	info, err := os.Stat(path)
	perm := os.FileMode(0o644)
	if err == nil {
		perm = info.Mode().Perm()
	}
	if err := fileutil.WriteAtomic(path, []byte(keep.String()), perm); err != nil {
		return 0, fmt.Errorf("thumbs info: %w", err)
	}
	return dropped, nil
}
