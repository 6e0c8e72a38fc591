// Package sim is the simulated camera: a Canon EOS 600D (or a Nikon D7200,
// an EOS R6, or a generic PTP camera) whose settings and memory card live
// under paths.Sim(), shared by every process, as a real camera is.
//
// It sleeps as a DSLR does: Open finds it only within its auto-power-off time
// of the last wake (the simulated Arduino's WC writes paths.SimCameraWake),
// of the last shot (a shot half-presses the shutter) or of the last use.
// Each line the simulated Arduino appends to paths.SimShutterLog becomes a
// photo on the card: a real JPEG with real EXIF and an EXIF thumbnail, and in
// RAW modes a TIFF-structured RAW holding a full-size JPEG preview.
package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	arduinosim "github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func init() {
	camera.RegisterDriver("sim", func(arg string, p paths.Paths) (camera.Driver, error) {
		o, err := ParseOptions(arg)
		if err != nil {
			return nil, err
		}
		// The simulated Arduino reckons its shots lazily: bring its shutter
		// log up to date before the card is read, when it is in use here.
		o.BeforeOpen = func() error {
			if _, err := os.Stat(p.SimArduinoState()); err != nil {
				return nil
			}
			return arduinosim.NewBus(p, arduinosim.Options{}).Sync()
		}
		return New(p, o)
	})
}

// Options choose the simulated model and its behaviour.
type Options struct {
	// Profile is one of Profiles(); "" is DefaultProfile (Canon EOS 600D).
	Profile string
	// AlwaysAwake makes the camera answer without a wake (handy for make run).
	AlwaysAwake bool
	// Now is the clock (tests move it); nil is time.Now.
	Now func() time.Time
	// BeforeOpen, when set, runs before each Open (the simulated Arduino's
	// catch-up of the shots it fired).
	BeforeOpen func() error
	// DownloadDelay slows each download by this much, as a real camera's
	// USB link is slow, so a copy's progress can be watched ("slow=300ms").
	DownloadDelay time.Duration
}

// ParseOptions reads the part of --camera after "sim:": a profile name and
// flags, comma-separated, e.g. "nikon", "canon,awake", "awake",
// "canon,slow=300ms" (each download takes 300 ms longer).
func ParseOptions(arg string) (Options, error) {
	var o Options
	for _, tok := range strings.Split(arg, ",") {
		tok = strings.ToLower(strings.TrimSpace(tok))
		switch {
		case tok == "":
		case tok == "awake":
			o.AlwaysAwake = true
		case strings.HasPrefix(tok, "slow="):
			d, err := time.ParseDuration(strings.TrimPrefix(tok, "slow="))
			if err != nil || d < 0 {
				return o, fmt.Errorf("sim camera: %q: want slow=DURATION, e.g. slow=300ms", tok)
			}
			o.DownloadDelay = d
		default:
			if _, err := lookupProfile(tok); err != nil {
				return o, err
			}
			o.Profile = tok
		}
	}
	return o, nil
}

// Driver is the simulated camera's camera.Driver.
type Driver struct {
	f    files
	prof *Profile
	opt  Options
}

// New returns the simulated camera over p's sim state.
func New(p paths.Paths, o Options) (*Driver, error) {
	prof, err := lookupProfile(o.Profile)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Driver{f: simFiles(p), prof: prof, opt: o}, nil
}

func (d *Driver) Name() string { return "sim" }

func (d *Driver) LibraryVersion() string { return "simulated camera (" + d.prof.Model + ")" }

// Profile is the simulated model.
func (d *Driver) Profile() *Profile { return d.prof }

// lastAlive is the latest sign of life: a wake, a shot, or use.
func (d *Driver) lastAlive() time.Time {
	var t time.Time
	for _, p := range []string{d.f.wake, d.f.shutter, d.f.active} {
		if c := changeTime(p); c.After(t) {
			t = c
		}
	}
	return t
}

// Awake says whether the camera would answer now.
func (d *Driver) Awake() (bool, error) {
	s, _, err := loadState(d.f, d.prof)
	if err != nil {
		return false, err
	}
	return d.awake(s), nil
}

func (d *Driver) awake(s settings) bool {
	if d.opt.AlwaysAwake {
		return true
	}
	last := d.lastAlive()
	if last.IsZero() {
		return false
	}
	apo := autoPowerOff(d.prof, s)
	return apo == 0 || d.opt.Now().Sub(last) < apo
}

// Open connects to the camera: ErrNoCamera while it sleeps, ErrBusy while
// another session (in this process or another) has its USB claimed.
func (d *Driver) Open(ctx context.Context) (camera.Camera, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.opt.BeforeOpen != nil {
		if err := d.opt.BeforeOpen(); err != nil {
			return nil, fmt.Errorf("simulated Arduino: %w", err)
		}
	}
	var awake bool
	err := withState(d.f, d.prof, func(s *settings, c *cardState) error {
		awake = d.awake(*s)
		if !awake {
			return nil
		}
		return materialise(d.f, d.prof, s, c)
	})
	if err != nil {
		return nil, err
	}
	if !awake {
		return nil, fmt.Errorf("%w (sim %s: asleep; wake it with WC)", camera.ErrNoCamera, d.prof.Model)
	}
	usb, ok, err := fileutil.TryLockExclusive(d.f.usb)
	if err != nil {
		return nil, fmt.Errorf("sim camera: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("%w: could not claim the USB device (sim %s is in use)", camera.ErrBusy, d.prof.Model)
	}
	c := &Camera{d: d, usb: usb}
	if err := c.touch(true); err != nil {
		usb.Unlock()
		return nil, err
	}
	return c, nil
}

// Camera is an open session with the simulated camera.
type Camera struct {
	d         *Driver
	mu        sync.Mutex
	usb       *fileutil.Lock
	lastTouch time.Time
}

var errClosed = errors.New("sim camera: session is closed")

// begin guards every call: one at a time, not after Close, and each use
// keeps the camera awake.
func (c *Camera) begin(ctx context.Context) (func(), error) {
	c.mu.Lock()
	if c.usb == nil {
		c.mu.Unlock()
		return nil, errClosed
	}
	if err := ctx.Err(); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	if err := c.touch(false); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	return c.mu.Unlock, nil
}

// touch marks the camera in use (at most once a second unless forced).
func (c *Camera) touch(force bool) error {
	now := time.Now()
	if !force && now.Sub(c.lastTouch) < time.Second {
		return nil
	}
	c.lastTouch = now
	if err := os.Chtimes(c.d.f.active, now, now); err == nil {
		return nil
	}
	return fileutil.WriteAtomic(c.d.f.active, []byte("in use\n"), 0o644)
}

func (c *Camera) Abilities(ctx context.Context) (camera.Abilities, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return camera.Abilities{}, err
	}
	defer done()
	return camera.Abilities{Model: c.d.prof.Model, CanPreview: true, CanDelete: true, CanCaptureRaw: true}, nil
}

func (c *Camera) state() (settings, error) {
	s, _, err := loadState(c.d.f, c.d.prof)
	return s, err
}

// widgets builds the config tree from the profile and the saved state.
func (c *Camera) widgets(s settings) []camera.Widget {
	now := c.d.opt.Now().Add(time.Duration(s.ClockOffset) * time.Second)
	var used int64 = -1
	out := make([]camera.Widget, 0, len(c.d.prof.defs))
	for _, d := range c.d.prof.defs {
		w := camera.Widget{Name: d.name, Label: d.label, Group: d.group, Type: d.typ, ReadOnly: d.ro, Value: s.Values[d.name]}
		if d.typ == camera.WidgetRadio || d.typ == camera.WidgetMenu {
			w.Choices = append([]string(nil), d.choices...)
		}
		switch d.name {
		case "datetime", "datetimeutc":
			w.Value = strconv.FormatInt(now.Unix(), 10)
		case "d034":
			w.Value = strconv.FormatInt(now.Unix(), 10)
		case "syncdatetime", "syncdatetimeutc":
			w.Value = "0" // an action: it always reads back as not pressed
		case "availableshots":
			if used < 0 {
				used = cardUsed(c.d.f)
			}
			if s.CardOut {
				w.Value = "0"
			} else {
				w.Value = strconv.Itoa(shotsLeft(c.d.prof, s, used))
			}
		}
		out = append(out, w)
	}
	return out
}

func (c *Camera) Config(ctx context.Context) ([]camera.Widget, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	s, err := c.state()
	if err != nil {
		return nil, err
	}
	return c.widgets(s), nil
}

func (c *Camera) Widget(ctx context.Context, name string) (camera.Widget, error) {
	ws, err := c.Config(ctx)
	if err != nil {
		return camera.Widget{}, err
	}
	for _, w := range ws {
		if w.Name == name {
			return w, nil
		}
	}
	return camera.Widget{}, fmt.Errorf("widget %q: %w", name, camera.ErrNotFound)
}

// SetConfig checks every value first and then applies them all, or none.
func (c *Camera) SetConfig(ctx context.Context, values map[string]string) error {
	done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	for name, v := range values {
		d, ok := c.d.prof.def(name)
		if !ok {
			return fmt.Errorf("widget %q: %w", name, camera.ErrNotFound)
		}
		if d.ro {
			return fmt.Errorf("widget %q: %w", name, camera.ErrReadOnly)
		}
		if err := checkValue(d, v); err != nil {
			return err
		}
	}
	now := c.d.opt.Now()
	return withState(c.d.f, c.d.prof, func(s *settings, _ *cardState) error {
		for name, v := range values {
			switch name {
			case "datetime", "datetimeutc", "d034":
				sec, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return fmt.Errorf("widget %q: %q: %w", name, v, camera.ErrBadValue)
				}
				s.ClockOffset = sec - now.Unix()
			case "syncdatetime", "syncdatetimeutc":
				if v == "1" {
					s.ClockOffset = 0
				}
			default:
				s.Values[name] = v
			}
		}
		return nil
	})
}

func (c *Camera) StorageInfo(ctx context.Context) ([]camera.Storage, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	var out []camera.Storage
	err = withState(c.d.f, c.d.prof, func(s *settings, cs *cardState) error {
		if s.CardOut {
			return nil
		}
		if err := materialise(c.d.f, c.d.prof, s, cs); err != nil {
			return err
		}
		used := cardUsed(c.d.f)
		free := max(cardCapacity-used, 0)
		out = []camera.Storage{{
			Description: "SD",
			CapacityKB:  uint64(cardCapacity / 1024),
			FreeKB:      uint64(free / 1024),
			FreeImages:  shotsLeft(c.d.prof, *s, used),
		}}
		return nil
	})
	return out, err
}

func (c *Camera) ListFiles(ctx context.Context, folder string) ([]camera.File, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	dir, err := cardPath(c.d.f, folder, "")
	if err != nil {
		return nil, err
	}
	cardOut := false
	err = withState(c.d.f, c.d.prof, func(s *settings, cs *cardState) error {
		cardOut = s.CardOut
		return materialise(c.d.f, c.d.prof, s, cs)
	})
	if err != nil {
		return nil, err
	}
	if cardOut {
		return nil, nil
	}
	var out []camera.File
	clean := "/" + strings.Trim(filepath.ToSlash(strings.TrimPrefix(dir, c.d.f.card)), "/")
	if err := listCard(dir, clean, &out); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if clean == "/" {
				return nil, nil // a fresh, empty card
			}
			return nil, fmt.Errorf("camera folder %q: %w", folder, camera.ErrNotFound)
		}
		return nil, fmt.Errorf("sim camera: list %s: %w", folder, err)
	}
	return out, nil
}

func (c *Camera) file(folder, name string) (string, error) {
	s, err := c.state()
	if err != nil {
		return "", err
	}
	if s.CardOut {
		return "", fmt.Errorf("%s/%s: no card: %w", folder, name, camera.ErrNotFound)
	}
	p, err := cardPath(c.d.f, folder, name)
	if err != nil {
		return "", err
	}
	return p, nil
}

func (c *Camera) FileInfo(ctx context.Context, folder, name string) (camera.File, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return camera.File{}, err
	}
	defer done()
	p, err := c.file(folder, name)
	if err != nil {
		return camera.File{}, err
	}
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return camera.File{}, fmt.Errorf("%s/%s: %w", folder, name, camera.ErrNotFound)
	}
	return camera.File{Folder: "/" + strings.Trim(folderOf(folder), "/"), Name: name, Size: fi.Size(), MTime: fi.ModTime()}, nil
}

func folderOf(f string) string { return filepath.ToSlash(filepath.Clean("/" + f)) }

// ctxWriter stops a download when the context ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(b []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(b)
}

func (c *Camera) Download(ctx context.Context, folder, name string, w io.Writer) (int64, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	p, err := c.file(folder, name)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		return 0, fmt.Errorf("%s/%s: %w", folder, name, camera.ErrNotFound)
	}
	defer f.Close()
	if d := c.d.opt.DownloadDelay; d > 0 {
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("download %s/%s: %w", folder, name, ctx.Err())
		case <-time.After(d):
		}
	}
	n, err := io.CopyBuffer(ctxWriter{ctx, w}, f, make([]byte, 64*1024))
	if err != nil {
		return n, fmt.Errorf("download %s/%s: %w", folder, name, err)
	}
	return n, nil
}

func (c *Camera) Delete(ctx context.Context, folder, name string) error {
	done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	p, err := c.file(folder, name)
	if err != nil {
		return err
	}
	return withState(c.d.f, c.d.prof, func(*settings, *cardState) error {
		if err := os.Remove(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s/%s: %w", folder, name, camera.ErrNotFound)
			}
			return fmt.Errorf("delete %s/%s: %w", folder, name, err)
		}
		return fileutil.SyncDir(filepath.Dir(p))
	})
}

// CapturePreview renders a live-view frame showing the camera's clock.
func (c *Camera) CapturePreview(ctx context.Context) ([]byte, error) {
	done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	s, err := c.state()
	if err != nil {
		return nil, err
	}
	now := c.d.opt.Now().Add(time.Duration(s.ClockOffset) * time.Second)
	return encodeJPEG(Render(640, 424, now), 80)
}

// Close ends the session and releases the USB claim. It is safe to call twice.
func (c *Camera) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.usb == nil {
		return nil
	}
	c.touch(true)
	err := c.usb.Unlock()
	c.usb = nil
	return err
}
