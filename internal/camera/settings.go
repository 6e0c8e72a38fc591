package camera

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// NotAvailable is what the pages show for a widget the camera does not have
// (the original's wording, which its colour rules compare against).
const NotAvailable = "Not available"

// Unknown is shown for a value that could not be read.
const Unknown = "Unknown"

// LimitedSupportModel is the model libgphoto2 reports for a camera it drives
// only through generic PTP; the Camera page flags it.
const LimitedSupportModel = "USB PTP Class Camera"

// Tree is one reading of the camera's config tree, so a page reads the camera
// once and derives everything from it.
type Tree []Widget

// ReadTree reads the whole config tree.
func ReadTree(ctx context.Context, c Camera) (Tree, error) {
	ws, err := c.Config(ctx)
	if err != nil {
		return nil, fmt.Errorf("read camera config: %w", err)
	}
	return Tree(ws), nil
}

// Find returns the first widget called name.
func (t Tree) Find(name string) (Widget, bool) {
	for _, w := range t {
		if w.Name == name {
			return w, true
		}
	}
	return Widget{}, false
}

// Value is the widget's value, or NotAvailable when the camera lacks it.
func (t Tree) Value(name string) string {
	if w, ok := t.Find(name); ok {
		return w.Value
	}
	return NotAvailable
}

// Maker is the camera's manufacturer as far as the pages care: Canon and Nikon
// name their widgets differently.
type Maker string

const (
	MakerCanon   Maker = "Canon"
	MakerNikon   Maker = "Nikon"
	MakerUnknown Maker = "Unknown"
)

// Maker reads status/manufacturer ("Canon Inc.", "Nikon Corporation").
func (t Tree) Maker() Maker {
	m := t.Value("manufacturer")
	switch {
	case strings.Contains(m, "Nikon"):
		return MakerNikon
	case strings.Contains(m, "Canon"):
		return MakerCanon
	}
	return MakerUnknown
}

// SettingKey names a Camera page select; the values are the form field names.
type SettingKey string

const (
	SettingImage        SettingKey = "img"
	SettingWhiteBalance SettingKey = "wb"
	SettingISO          SettingKey = "iso"
	SettingAperture     SettingKey = "aperture"
	SettingShutter      SettingKey = "shutter"
	SettingExposureComp SettingKey = "exp"
)

// SettingKeys is the Camera page's order.
var SettingKeys = []SettingKey{SettingImage, SettingWhiteBalance, SettingISO, SettingAperture, SettingShutter, SettingExposureComp}

// SettingWidget is the config widget behind a setting for a maker. Nikon has
// imagequality and f-number; everyone else is read with Canon's imageformat
// and aperture.
func SettingWidget(m Maker, k SettingKey) string {
	switch k {
	case SettingImage:
		if m == MakerNikon {
			return "imagequality"
		}
		return "imageformat"
	case SettingAperture:
		if m == MakerNikon {
			return "f-number"
		}
		return "aperture"
	case SettingWhiteBalance:
		return "whitebalance"
	case SettingISO:
		return "iso"
	case SettingShutter:
		return "shutterspeed"
	case SettingExposureComp:
		return "exposurecompensation"
	}
	return ""
}

// Setting is one select on the Camera page.
type Setting struct {
	Key      SettingKey
	Widget   string
	Found    bool
	Current  string   // Unknown when the camera lacks the widget
	Choices  []string // empty for text widgets
	ReadOnly bool
}

// Setting reads one setting for maker m.
func (t Tree) Setting(m Maker, k SettingKey) Setting {
	s := Setting{Key: k, Widget: SettingWidget(m, k), Current: Unknown}
	w, ok := t.Find(s.Widget)
	if !ok {
		return s
	}
	s.Found, s.Current, s.ReadOnly = true, w.Value, w.ReadOnly
	if w.Type == WidgetRadio || w.Type == WidgetMenu {
		s.Choices = append([]string(nil), w.Choices...)
	}
	return s
}

// ExposureMode is autoexposuremode (Canon's dial), else expprogram (Nikon).
func (t Tree) ExposureMode() string {
	if v := t.Value("autoexposuremode"); v != NotAvailable {
		return v
	}
	return t.Value("expprogram")
}

// ImageFormat is the current image format or quality for maker m.
func (t Tree) ImageFormat(m Maker) string {
	return t.Value(SettingWidget(m, SettingImage))
}

// IsRAW says the camera shoots RAW (alone or with JPEG): it then has no
// live preview. Canon says "RAW", Nikon "NEF (Raw)" or "NEF+Fine".
func IsRAW(format string) bool {
	f := strings.ToUpper(format)
	return strings.Contains(f, "RAW") || strings.Contains(f, "NEF")
}

// Lens is status/lensname, or when that is unknown the focal range built from
// minfocallength and maxfocallength ("18-55 mm"), as the original does.
func (t Tree) Lens() string {
	if v := t.Value("lensname"); v != NotAvailable && v != Unknown && v != "" {
		return v
	}
	lo, hi := t.Value("minfocallength"), t.Value("maxfocallength")
	if lo == NotAvailable || hi == NotAvailable {
		return Unknown
	}
	if lo == hi {
		return lo
	}
	return strings.TrimSuffix(lo, " mm") + "-" + hi
}

// AvailableShots is the camera's own count of shots left on the card.
func (t Tree) AvailableShots() (int, bool) {
	v := t.Value("availableshots")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// Battery is status/batterylevel ("100%", "Low", ...), NotAvailable if absent.
func (t Tree) Battery() string { return t.Value("batterylevel") }

// BatteryLow is the Home page's red rule: the level reads exactly "Low".
func BatteryLow(level string) bool { return level == "Low" }

// Details is everything the Camera page shows about a connected camera.
type Details struct {
	Model          string
	LimitedSupport bool // Model is LimitedSupportModel
	Lens           string
	Maker          Maker
	Date           string // camera date/time for display; Unknown when unreadable
	FocusMode      string
	ExposureMode   string
	AutoPowerOff   string
	Settings       []Setting // in SettingKeys order
	ImageFormat    string
	RAW            bool // shooting RAW: no live preview
	CanPreview     bool
	TimeModes      TimeModes
}

// Setting returns the named setting of d.
func (d Details) Setting(k SettingKey) Setting {
	for _, s := range d.Settings {
		if s.Key == k {
			return s
		}
	}
	return Setting{Key: k, Current: Unknown}
}

// ReadDetails reads the Camera page's values in one config read.
func ReadDetails(ctx context.Context, c Camera) (Details, error) {
	ab, err := c.Abilities(ctx)
	if err != nil {
		return Details{}, fmt.Errorf("camera abilities: %w", err)
	}
	t, err := ReadTree(ctx, c)
	if err != nil {
		return Details{}, err
	}
	m := t.Maker()
	d := Details{
		Model:          ab.Model,
		LimitedSupport: ab.Model == LimitedSupportModel,
		Lens:           t.Lens(),
		Maker:          m,
		Date:           Unknown,
		FocusMode:      t.Value("focusmode"),
		ExposureMode:   t.ExposureMode(),
		AutoPowerOff:   t.Value("autopoweroff"),
		ImageFormat:    t.ImageFormat(m),
		CanPreview:     ab.CanPreview,
		TimeModes:      t.TimeModes(),
	}
	d.RAW = IsRAW(d.ImageFormat)
	if ct, err := t.CameraTime(nil); err == nil {
		d.Date = ct.Display
	}
	for _, k := range SettingKeys {
		d.Settings = append(d.Settings, t.Setting(m, k))
	}
	return d, nil
}

// ApplySettings writes the Camera page's form to the camera in one write.
// form maps a SettingKey to the submitted value; missing, empty and "n/a"
// values are skipped (that is how read-only settings stay untouched), and so
// are the image format and aperture for makers other than Canon and Nikon,
// as in the original. It returns the widget values it wrote.
func ApplySettings(ctx context.Context, c Camera, m Maker, form map[SettingKey]string) (map[string]string, error) {
	values := map[string]string{}
	for _, k := range SettingKeys {
		v, ok := form[k]
		v = strings.TrimSpace(v)
		if !ok || v == "" || v == "n/a" || v == "None" {
			continue
		}
		if (k == SettingImage || k == SettingAperture) && m != MakerCanon && m != MakerNikon {
			continue
		}
		values[SettingWidget(m, k)] = v
	}
	if len(values) == 0 {
		return values, nil
	}
	if err := c.SetConfig(ctx, values); err != nil {
		names := make([]string, 0, len(values))
		for n := range values {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("apply camera settings %s: %w", strings.Join(names, ", "), err)
	}
	return values, nil
}

// memoryCardChoice picks the memory-card choice of a capturetarget widget:
// the first that mentions a card, else choice 1 (the original's fixed index).
func memoryCardChoice(w Widget) (string, bool) {
	for _, ch := range w.Choices {
		if strings.Contains(strings.ToLower(ch), "card") {
			return ch, true
		}
	}
	if len(w.Choices) > 1 {
		return w.Choices[1], true
	}
	return "", false
}

// InternalRAM is the capture target that would keep photos off the card.
const InternalRAM = "Internal RAM"

// FixCaptureTarget switches capturetarget from "Internal RAM" to the memory
// card, so the Arduino's shots land on the card. It reports whether it changed
// anything; a camera without the widget is left alone.
func FixCaptureTarget(ctx context.Context, c Camera) (bool, error) {
	w, err := c.Widget(ctx, "capturetarget")
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read capturetarget: %w", err)
	}
	if w.Value != InternalRAM {
		return false, nil
	}
	card, ok := memoryCardChoice(w)
	if !ok {
		return false, fmt.Errorf("capturetarget is %q and has no memory-card choice: %w", w.Value, ErrBadValue)
	}
	if err := c.SetConfig(ctx, map[string]string{"capturetarget": card}); err != nil {
		return false, fmt.Errorf("set capturetarget to %q: %w", card, err)
	}
	return true, nil
}

// CardSummary is the camera half of the Home page.
type CardSummary struct {
	Storage   []Storage
	NoStorage bool // the camera reports no storage at all (no card, or faulty)
	FileCount int
	// LastFile is the last file in listing order (the original's "last image";
	// see Newest for the newest by time). Nil when the card is empty.
	LastFile *File
	Newest   *File
	// AvailableShots is the camera's count, Unknown when it has none.
	AvailableShots     string
	Battery            string
	CaptureTargetFixed bool
}

// ReadCardSummary reads what the Home page shows, fixing the capture target
// on the way (then re-reading the config, since the shot count depends on it).
func ReadCardSummary(ctx context.Context, c Camera) (CardSummary, error) {
	var s CardSummary
	st, err := c.StorageInfo(ctx)
	if err != nil {
		return s, fmt.Errorf("camera storage info: %w", err)
	}
	s.Storage, s.NoStorage = st, len(st) == 0
	files, err := c.ListFiles(ctx, "/")
	if err != nil {
		return s, fmt.Errorf("list camera files: %w", err)
	}
	s.FileCount = len(files)
	if len(files) > 0 {
		last := files[len(files)-1]
		s.LastFile = &last
		newest := files[0]
		for _, f := range files[1:] {
			if f.MTime.After(newest.MTime) {
				newest = f
			}
		}
		s.Newest = &newest
	}
	fixed, err := FixCaptureTarget(ctx, c)
	if err != nil {
		return s, err
	}
	s.CaptureTargetFixed = fixed
	t, err := ReadTree(ctx, c)
	if err != nil {
		return s, err
	}
	s.Battery = t.Battery()
	s.AvailableShots = Unknown
	if n, ok := t.AvailableShots(); ok {
		s.AvailableShots = strconv.Itoa(n)
	}
	return s, nil
}

// ErrPreviewRAW: the camera shoots RAW, and a live preview is then refused.
var ErrPreviewRAW = errors.New("no live preview while the camera shoots RAW")

// Preview takes a live-view frame the way the Camera page does: refused while
// shooting RAW; capturesizeclass (older Canons need it) set to its third
// choice first.
func Preview(ctx context.Context, c Camera) ([]byte, error) {
	t, err := ReadTree(ctx, c)
	if err != nil {
		return nil, err
	}
	if f := t.ImageFormat(t.Maker()); f != NotAvailable && IsRAW(f) {
		return nil, fmt.Errorf("%w (image format %q)", ErrPreviewRAW, f)
	}
	if w, ok := t.Find("capturesizeclass"); ok && len(w.Choices) > 2 && w.Value != w.Choices[2] {
		if err := c.SetConfig(ctx, map[string]string{"capturesizeclass": w.Choices[2]}); err != nil {
			return nil, fmt.Errorf("set capturesizeclass: %w", err)
		}
	}
	b, err := c.CapturePreview(ctx)
	if err != nil {
		return nil, fmt.Errorf("capture preview: %w", err)
	}
	return b, nil
}
