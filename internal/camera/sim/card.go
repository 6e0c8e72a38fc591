package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

const (
	// cardCapacity is a 16 GB card.
	cardCapacity = int64(15_931_539_456)
	// byteScale: each byte of our small synthetic files counts this many
	// times, so the card fills at about a real camera's pace.
	byteScale = 32
	// saveEvery bounds the work redone after a crash in a long backlog.
	saveEvery = 20
)

// formatOf is the profile's current image format.
func formatOf(prof *Profile, s settings) (string, format) {
	name := s.Values[prof.formatWidget]
	f, ok := prof.formats[name]
	if !ok {
		for n, ff := range prof.formats {
			name, f = n, ff
			break
		}
	}
	return name, f
}

func shotFor(prof *Profile, s settings, when time.Time) (Shot, format) {
	_, f := formatOf(prof, s)
	ap := s.Values["aperture"]
	if v, ok := s.Values["f-number"]; ok {
		ap = v
	}
	return Shot{
		Time:         when,
		Make:         prof.EXIF,
		Model:        prof.EXIFModel,
		Lens:         s.Values["lensname"],
		ExposureTime: s.Values["shutterspeed"],
		FNumber:      ap,
		ISO:          s.Values["iso"],
		ExposureBias: s.Values["exposurecompensation"],
		WhiteBalance: s.Values["whitebalance"],
		Width:        f.width,
		Height:       f.height,
		Quality:      f.quality,
	}, f
}

// takePhoto writes one shot to the card under the current counters and
// advances them. The names come from the counters alone, so a shot redone
// after a crash overwrites its own half-finished files.
func takePhoto(f files, prof *Profile, s settings, c *cardState, when time.Time) error {
	if c.Folder > 999 {
		return fmt.Errorf("sim camera: card folders exhausted (999)")
	}
	shot, fm := shotFor(prof, s, when)
	ph, err := MakePhoto(shot, fm.jpeg, fm.raw)
	if err != nil {
		return err
	}
	dir := filepath.Join(f.card, prof.Store, "DCIM", fmt.Sprintf("%03d%s", c.Folder, prof.FolderSuffix))
	base := fmt.Sprintf("%s%04d", prof.FilePrefix, c.Next)
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, name)
		if err := fileutil.WriteAtomic(p, data, 0o644); err != nil {
			return err
		}
		return os.Chtimes(p, when, when)
	}
	if ph.RAW != nil {
		raw := ph.RAW
		if prof.RAWExt != ".CR2" {
			raw = nonCR2(raw)
		}
		if err := write(base+prof.RAWExt, raw); err != nil {
			return err
		}
	}
	if ph.JPEG != nil {
		if err := write(base+".JPG", ph.JPEG); err != nil {
			return err
		}
	}
	c.Next++
	c.InFolder++
	if c.Next > 9999 {
		c.Next, c.Folder, c.InFolder = 1, c.Folder+1, 0
	} else if c.InFolder >= c.FolderSize {
		c.Folder, c.InFolder = c.Folder+1, 0
	}
	return nil
}

// nonCR2 turns the CR2 header into a plain TIFF one (for NEF and others): the
// IFDs are the same.
func nonCR2(b []byte) []byte {
	out := bytes.Clone(b)
	copy(out[8:16], make([]byte, 8))
	return out
}

// materialise turns shutter.log lines not yet seen into photos. A log that
// shrank or changed under us was replaced: it is read again from the start.
func materialise(f files, prof *Profile, s *settings, c *cardState) error {
	lf, err := os.Open(f.shutter)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim camera: %w", err)
	}
	defer lf.Close()
	fi, err := lf.Stat()
	if err != nil {
		return fmt.Errorf("sim camera: %w", err)
	}
	if fi.Size() < c.LogOffset || !tailMatches(lf, c) {
		slog.Info("sim camera: shutter log was replaced; reading it from the start", "path", f.shutter)
		c.LogOffset, c.LogTail = 0, ""
	}
	if fi.Size() == c.LogOffset {
		return nil
	}
	if s.CardOut {
		return nil // no card, no photos; the shots wait in the log
	}
	if _, err := lf.Seek(c.LogOffset, io.SeekStart); err != nil {
		return fmt.Errorf("sim camera: %w", err)
	}
	r := bufio.NewReader(lf)
	n := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break // EOF, or a last line still being written: wait for its newline
		}
		c.LogOffset += int64(len(line))
		text := strings.TrimSpace(line)
		c.LogTail = text
		if text == "" {
			continue
		}
		when, perr := time.Parse(time.RFC3339, text)
		if perr != nil {
			slog.Warn("sim camera: ignoring a shutter.log line that is not RFC3339", "line", text)
			continue
		}
		if err := takePhoto(f, prof, *s, c, when); err != nil {
			return err
		}
		if n++; n%saveEvery == 0 {
			if err := writeJSON(f.cardState, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// tailMatches checks that the line before the offset is the one we used last.
func tailMatches(lf *os.File, c *cardState) bool {
	if c.LogOffset == 0 {
		return true
	}
	n := int64(len(c.LogTail) + 1)
	if n > c.LogOffset {
		return false
	}
	buf := make([]byte, n)
	if _, err := lf.ReadAt(buf, c.LogOffset-n); err != nil {
		return false
	}
	return strings.TrimSpace(string(buf)) == c.LogTail && buf[n-1] == '\n'
}

// SeedCard puts n photos on the simulated card, taken every `every` from
// start, in the camera's current image format (RAW+JPEG makes both). For
// tests and `make run`.
func SeedCard(p paths.Paths, n int, start time.Time, every time.Duration) error {
	if n < 0 {
		return fmt.Errorf("sim camera: cannot seed %d photos", n)
	}
	f := simFiles(p)
	return withState(f, nil, func(s *settings, c *cardState) error {
		prof, err := lookupProfile(s.Profile)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := takePhoto(f, prof, *s, c, start.Add(time.Duration(i)*every)); err != nil {
				return err
			}
			if (i+1)%saveEvery == 0 {
				if err := writeJSON(f.cardState, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SetFolderSize makes the camera start a new folder after n files (cameras
// do at 9999; tests want it sooner).
func SetFolderSize(p paths.Paths, n int) error {
	if n < 1 || n > 9999 {
		return fmt.Errorf("sim camera: folder size %d out of 1..9999", n)
	}
	return withState(simFiles(p), nil, func(_ *settings, c *cardState) error {
		c.FolderSize = n
		return nil
	})
}

// cardPath maps a camera folder ("/store_00020001/DCIM/100CANON") and
// optional name to the card on disk, refusing anything that climbs out.
func cardPath(f files, folder, name string) (string, error) {
	for _, el := range strings.Split(folder, "/") {
		if el == ".." {
			return "", fmt.Errorf("camera folder %q: %w", folder, camera.ErrNotFound)
		}
	}
	clean := path.Clean("/" + folder)
	if name != "" && (strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." || strings.HasPrefix(name, ".")) {
		return "", fmt.Errorf("camera file %q: %w", name, camera.ErrNotFound)
	}
	return filepath.Join(f.card, filepath.FromSlash(clean), name), nil
}

// listCard lists files then sub-folders, each in name order, as the
// camera's filesystem does; hidden files (WriteAtomic's temps) are skipped.
func listCard(dir, folder string, out *[]camera.File) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var subs []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() {
			subs = append(subs, e.Name())
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // deleted under us
		}
		*out = append(*out, camera.File{Folder: folder, Name: e.Name(), Size: info.Size(), MTime: info.ModTime()})
	}
	for _, s := range subs {
		if err := listCard(filepath.Join(dir, s), path.Join(folder, s), out); err != nil {
			return err
		}
	}
	return nil
}

// cardUsed is the card's used space, as the camera counts it.
func cardUsed(f files) int64 {
	var n int64
	filepath.WalkDir(f.card, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n * byteScale
}

func shotsLeft(prof *Profile, s settings, used int64) int {
	_, fm := formatOf(prof, s)
	free := cardCapacity - used
	if free <= 0 || fm.nominalBytes <= 0 {
		return 0
	}
	return int(free / fm.nominalBytes)
}
