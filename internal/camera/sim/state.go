package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// files is where the simulated camera keeps itself under paths.Sim().
type files struct {
	dir, settings, card, cardState, lock, usb, active, wake, shutter string
}

func simFiles(p paths.Paths) files {
	d := p.Sim()
	return files{
		dir:       d,
		settings:  filepath.Join(d, "camera.json"),
		card:      p.SimCard(),
		cardState: filepath.Join(d, "card.json"),
		lock:      filepath.Join(d, "camera.state.lock"),
		usb:       filepath.Join(d, "camera.usb.lock"),
		active:    filepath.Join(d, "camera.active"),
		wake:      p.SimCameraWake(),
		shutter:   p.SimShutterLog(),
	}
}

// settings is the camera's persistent state: what survives its batteries
// being swapped, as far as the Pi can tell.
type settings struct {
	Profile string            `json:"profile"`
	Values  map[string]string `json:"values"`
	// ClockOffset is the camera's clock minus the host's, in seconds.
	ClockOffset int64 `json:"clock_offset_seconds"`
	CardOut     bool  `json:"card_out,omitempty"`
}

// cardState is the card's bookkeeping: how far shutter.log has been turned
// into photos, and the camera's file and folder counters.
type cardState struct {
	LogOffset  int64  `json:"log_offset"`
	LogTail    string `json:"log_tail"` // the last line used, to notice a replaced log
	Next       int    `json:"next_number"`
	Folder     int    `json:"folder"`
	InFolder   int    `json:"in_folder"`
	FolderSize int    `json:"folder_size"`
}

func readJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sim camera: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("sim camera: %s is corrupt: %w", path, err)
	}
	return true, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("sim camera: %w", err)
	}
	return fileutil.WriteAtomic(path, append(b, '\n'), 0o644)
}

// withState runs fn with the settings and card state loaded under the sim's
// cross-process lock, and saves whichever fn changed.
func withState(f files, prof *Profile, fn func(s *settings, c *cardState) error) error {
	l, err := fileutil.LockExclusive(f.lock)
	if err != nil {
		return fmt.Errorf("sim camera: %w", err)
	}
	defer l.Unlock()
	s, c, fresh, err := loadStateFresh(f, prof)
	if err != nil {
		return err
	}
	s0, c0 := mustJSON(s), mustJSON(c)
	if fresh {
		s0 = "" // a new camera, or a new model: save who it is
	}
	if err := fn(&s, &c); err != nil {
		return err
	}
	if mustJSON(s) != s0 {
		if err := writeJSON(f.settings, s); err != nil {
			return err
		}
	}
	if mustJSON(c) != c0 {
		if err := writeJSON(f.cardState, c); err != nil {
			return err
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// loadState reads the state; a missing file is a camera fresh from the
// factory, and a profile change resets the settings to that model's.
func loadState(f files, prof *Profile) (settings, cardState, error) {
	s, c, _, err := loadStateFresh(f, prof)
	return s, c, err
}

func loadStateFresh(f files, prof *Profile) (s settings, c cardState, fresh bool, err error) {
	ok, err := readJSON(f.settings, &s)
	if err != nil {
		return s, c, false, err
	}
	if prof == nil {
		if prof, err = lookupProfile(s.Profile); err != nil {
			return s, c, false, err
		}
	}
	if !ok || s.Profile != prof.Name {
		s = settings{Profile: prof.Name, ClockOffset: s.ClockOffset}
		fresh = true
	}
	if s.Values == nil {
		s.Values = map[string]string{}
	}
	for _, d := range prof.defs {
		if _, ok := s.Values[d.name]; !ok && d.value != "" {
			s.Values[d.name] = d.value
		}
	}
	if _, err := readJSON(f.cardState, &c); err != nil {
		return s, c, false, err
	}
	if c.Next < 1 || c.Next > 9999 {
		c.Next = 1
	}
	if c.Folder < 100 || c.Folder > 999 {
		c.Folder = 100
	}
	if c.FolderSize <= 0 || c.FolderSize > 9999 {
		c.FolderSize = 9999
	}
	return s, c, fresh, nil
}

// changeTime is when a file was last written, by the kernel's clock: the
// simulated Arduino's own clock (which reads 2018 after a reset) cannot
// make the camera sleep or wake.
func changeTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)) // int32 on 32-bit ARM
	}
	return fi.ModTime()
}

// autoPowerOff is the camera's auto power-off delay; 0 means never.
func autoPowerOff(prof *Profile, s settings) time.Duration {
	if _, ok := prof.def("autopoweroff"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s.Values["autopoweroff"]))
		if err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	if prof.defaultAPO > 0 {
		return time.Duration(prof.defaultAPO) * time.Second
	}
	return time.Minute
}

// Wake is what the simulated Arduino's WC does to the camera: write the wake
// file (content and mtime: the wake time).
func Wake(p paths.Paths, at time.Time) error {
	f := simFiles(p)
	if err := fileutil.WriteAtomic(f.wake, []byte(at.Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Chtimes(f.wake, at, at)
}

// Fire is what the simulated Arduino's shot does: one RFC3339 line in
// shutter.log. The camera turns it into a photo the next time it is used.
func Fire(p paths.Paths, at time.Time) error {
	return fileutil.AppendLine(simFiles(p).shutter, at.Format(time.RFC3339)+"\n")
}

// SetHardware sets a widget the way the camera's own dials and switches do,
// read-only or not (the mode dial, the lens's AF/MF switch, the battery).
func SetHardware(p paths.Paths, name, value string) error {
	f := simFiles(p)
	return withState(f, nil, func(s *settings, _ *cardState) error {
		prof, err := lookupProfile(s.Profile)
		if err != nil {
			return err
		}
		d, ok := prof.def(name)
		if !ok {
			return fmt.Errorf("sim camera %s has no widget %q: %w", prof.Name, name, camera.ErrNotFound)
		}
		if err := checkValue(d, value); err != nil {
			return err
		}
		s.Values[name] = value
		return nil
	})
}

// SetCardPresent takes the memory card out (false) or puts it back.
func SetCardPresent(p paths.Paths, present bool) error {
	return withState(simFiles(p), nil, func(s *settings, _ *cardState) error {
		s.CardOut = !present
		return nil
	})
}

// checkValue validates a value for a widget as libgphoto2 and the camera would.
func checkValue(d def, v string) error {
	switch d.typ {
	case camera.WidgetRadio, camera.WidgetMenu:
		for _, c := range d.choices {
			if c == v {
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not one of its %d choices: %w", d.name, v, len(d.choices), camera.ErrBadValue)
	case camera.WidgetToggle:
		if v != "0" && v != "1" {
			return fmt.Errorf("%s: toggle wants 0 or 1, not %q: %w", d.name, v, camera.ErrBadValue)
		}
	case camera.WidgetDate:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("%s: want Unix seconds, not %q: %w", d.name, v, camera.ErrBadValue)
		}
	case camera.WidgetButton:
		return fmt.Errorf("%s is a button: %w", d.name, camera.ErrReadOnly)
	}
	if d.name == "autopoweroff" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("autopoweroff wants seconds, not %q: %w", v, camera.ErrBadValue)
		}
	}
	return nil
}
