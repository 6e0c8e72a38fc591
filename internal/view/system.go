package view

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// ThumbCounts are the System page's thumbnail counts.
var ThumbCounts = []string{"0", "24", "48", "96", "144"}

// WakeDurations are the minutes the Pi may stay on each day.
var WakeDurations = []string{"05", "10", "15", "20", "30", "60"}

// RebootSafeWord guards the Arduino reboot against a slip of the finger.
const RebootSafeWord = "seeyasoon"

// NoCameraClock is the camera row's note when the camera offers no time mode.
const NoCameraClock = "the camera offers no way to set its clock"

// SystemSources is what the System page is built from.
type SystemSources struct {
	Arduino *ArduinoReader
	// Camera is the page's camera session; CameraOff, when not "", says why
	// the camera is not asked at all (no driver, USB off...).
	Camera    CameraSession
	CameraOff string
	// CameraLibrary and CameraDriver name the camera driver ("" when none).
	CameraLibrary, CameraDriver string
	Host                        system.Host
	Photos                      string // the photo store: its disk's free space is shown
	NTP                         func(context.Context) (settime.NTPState, error)
	Now                         func() time.Time

	// From the settings: the location as saved ("" for none), the
	// thumbnail count and whether camera USB is on.
	LocationName string
	ThumbsCount  int
	CameraUSB    bool
	// The time form's choices the browser remembers: the offset in hours
	// and the camera time mode (0 when none).
	TZOffset float64
	TimeMode int
	Version  string
}

// PiFacts is what the System page shows about the Pi itself.
type PiFacts struct {
	Model, OS, Bits, Hostname, Uptime, Free string
}

// TimeModeOption is one camera time mode of the System page's time form.
type TimeModeOption struct {
	Value    int
	Label    string
	Disabled bool
	Selected bool
}

// SystemView is what the System page shows.
type SystemView struct {
	Notice       string // the Arduino's state, when it did not answer
	LocationName string
	ThumbCounts  []Option

	WakeKnown     bool
	WakeCached    string
	WakeHours     []Option // "25" first (Always On), then 00..23
	WakeDurations []Option
	AlwaysOn      bool
	WakeMinutes   string
	ShutdownIn    string // minutes, Unknown, or "" when the row is not shown

	ArduinoDateTime string
	ArduinoRed      bool
	PiDateTime      string
	PiZone          string
	CameraDateTime  string
	CameraNote      string
	TZOptions       []Option
	SyncValue       string

	PiNTP          bool
	PiNTPKnown     bool
	PiNTPDetail    string
	CameraUSB      bool
	CameraModes    []TimeModeOption
	CameraModesAny bool

	SafeWord string
	Facts    PiFacts

	AppVersion, ArduinoVersion, LibgphotoVersion, CameraDriver string
}

// BuildSystem builds the System page: the camera and the Pi are read while
// the Arduino is asked.
func BuildSystem(ctx context.Context, src SystemSources) SystemView {
	v := SystemView{LocationName: src.LocationName, SafeWord: RebootSafeWord, CameraUSB: src.CameraUSB,
		ArduinoDateTime: Unknown, CameraDateTime: Unknown, ArduinoVersion: Unknown, LibgphotoVersion: Unknown,
		AppVersion: src.Version, ThumbCounts: ThumbCountOptions(strconv.Itoa(src.ThumbsCount))}
	if src.CameraLibrary != "" || src.CameraDriver != "" {
		v.LibgphotoVersion, v.CameraDriver = src.CameraLibrary, src.CameraDriver
	}
	now := src.Now()
	var wg sync.WaitGroup
	var modes camera.TimeModes
	wg.Add(2)
	go func() {
		defer wg.Done()
		v.CameraNote, v.CameraDateTime, modes = readCameraClock(ctx, src, now.Location())
	}()
	go func() {
		defer wg.Done()
		v.Facts = PiFactsOf(src.Host.Facts(src.Photos))
		v.PiNTP, v.PiNTPKnown, v.PiNTPDetail = ntpOf(ctx, src.NTP)
	}()
	v.arduinoRows(src.Arduino)
	v.Notice = src.Arduino.Notice()
	v.PiDateTime = now.Format(settime.DisplayLayout)
	v.PiZone, _ = now.Zone()
	v.TZOptions = TZOptions(src.TZOffset)
	// The page's script replaces this with the browser's clock every second.
	v.SyncValue = now.Add(time.Duration(src.TZOffset * float64(time.Hour))).Format(camera.WallLayout)
	wg.Wait()
	for _, m := range camera.AllTimeModes {
		v.CameraModes = append(v.CameraModes, TimeModeOption{Value: int(m), Label: m.Widget(), Disabled: !modes.Has(m), Selected: int(m) == src.TimeMode && modes.Has(m)})
		v.CameraModesAny = v.CameraModesAny || modes.Has(m)
	}
	if v.CameraNote == "" && !v.CameraModesAny {
		v.CameraNote = NoCameraClock
	}
	return v
}

// arduinoRows fills the Arduino's version, clock and wake window.
func (v *SystemView) arduinoRows(r *ArduinoReader) {
	ver, verOK := Get(r, arduino.QVersion)
	if verOK && ver.Value.Valid() {
		v.ArduinoVersion = ver.Value.String()
	}
	var clock arduino.Cached[arduino.Clock]
	clockOK := false
	if date, ok := Get(r, arduino.QDate); ok {
		clock, clockOK = Get(r, arduino.QTime)
		v.ArduinoDateTime = FormatArduinoDate(date.Value)
		if clockOK {
			v.ArduinoDateTime += " " + clock.Value.String()
		}
		v.ArduinoDateTime += CachedNote(date)
		v.ArduinoRed = date.Value.Year < settime.EarliestPlausible
	}
	wake, wakeOK := Get(r, arduino.QWakeWindow)
	if wakeOK {
		v.WakeKnown, v.WakeCached = true, CachedNote(wake)
		v.AlwaysOn = wake.Value.AlwaysOn()
		v.WakeMinutes = fmt.Sprintf("%02d", wake.Value.Minutes)
		if !v.AlwaysOn && verOK && ver.Value.AtLeast(arduino.MinShutdown) {
			v.ShutdownIn = Unknown
			// A countdown from cached values would be wrong: live ones only.
			if sd, ok := Get(r, arduino.QShutdownMinute); ok && sd.Live && clockOK && clock.Live {
				if n, pending := sd.Value.MinutesLeft(clock.Value.Minute); pending {
					v.ShutdownIn = strconv.Itoa(n)
				}
			}
		}
	}
	wakeHour := func(h int) bool { return wakeOK && wake.Value.Hour == h }
	v.WakeHours = append(v.WakeHours, Option{Value: "25", Label: "Always On", Selected: wakeHour(arduino.AlwaysOn)})
	for h := 0; h <= 23; h++ {
		hh := fmt.Sprintf("%02d", h)
		v.WakeHours = append(v.WakeHours, Option{Value: hh, Label: hh, Selected: wakeHour(h)})
	}
	for _, m := range WakeDurations {
		v.WakeDurations = append(v.WakeDurations, Option{Value: m, Label: m, Selected: wakeOK && m == v.WakeMinutes})
	}
}

// readCameraClock reads the camera's clock and the ways it can be set; note
// says why not, "" when the camera answered.
func readCameraClock(ctx context.Context, src SystemSources, loc *time.Location) (note, shown string, modes camera.TimeModes) {
	shown = Unknown
	if src.CameraOff != "" || src.Camera == nil {
		if src.CameraOff == "" {
			return "no camera driver", shown, modes
		}
		return src.CameraOff, shown, modes
	}
	err := src.Camera(ctx, func(cam camera.Camera) error {
		t, err := camera.ReadTree(ctx, cam)
		if err != nil {
			return err
		}
		modes = t.TimeModes()
		if ct, err := t.CameraTime(loc); err == nil {
			shown = ct.Display
		}
		return nil
	})
	if err != nil {
		note, _ = CameraProblem(err)
	}
	return note, shown, modes
}

// ntpOf asks whether NTP sets the Pi's clock (settime's rule, shared with
// the time helper, so the page and the helper never disagree).
func ntpOf(ctx context.Context, ntp func(context.Context) (settime.NTPState, error)) (active, known bool, detail string) {
	if ntp == nil {
		return false, false, "not asked"
	}
	st, err := ntp(ctx)
	if err != nil {
		return false, false, err.Error()
	}
	return st.Active, true, st.Detail
}

// PiFactsOf shows the Pi's facts as the page does: free space as the
// original printed it, uptime as Python's timedelta, Unknown for what could
// not be read.
func PiFactsOf(f system.Facts) PiFacts {
	p := PiFacts{Model: f.Model, OS: f.OS, Bits: strconv.Itoa(f.Bits), Hostname: f.Hostname, Uptime: Unknown, Free: Unknown}
	if f.UptimeOK {
		p.Uptime = system.FormatUptime(f.Uptime)
	}
	if f.DiskOK {
		p.Free = system.FormatGB(f.Disk.Free)
	}
	return p
}

// ThumbCountOptions are the thumbnail counts with current selected; a
// hand-edited count that is not a choice is shown first, as it is.
func ThumbCountOptions(current string) []Option {
	var out []Option
	if !slices.Contains(ThumbCounts, current) {
		out = append(out, Option{Value: current, Label: current, Selected: true})
	}
	for _, n := range ThumbCounts {
		out = append(out, Option{Value: n, Label: n, Selected: n == current})
	}
	return out
}

// TZOptions are the time form's offsets, -23:30 to +23:30 by half hours,
// with selected chosen.
func TZOptions(selected float64) []Option {
	var out []Option
	for h := -47; h <= 47; h++ {
		v := float64(h) / 2
		sign := "+"
		switch {
		case h < 0:
			sign = "-"
		case h == 0:
			sign = "\u00a0"
		}
		a := max(h, -h)
		out = append(out, Option{Value: camera.FormatTZOffset(v), Label: fmt.Sprintf("%s%d:%02d", sign, a/2, a%2*30), Selected: v == selected})
	}
	return out
}

// NTPMemo keeps the NTP answer for a while: asking systemd means two
// commands, slow on a Pi Zero, and the answer changes only when someone
// switches the clock master.
type NTPMemo struct {
	Ask func(context.Context) (settime.NTPState, error)
	TTL time.Duration
	Now func() time.Time // nil: time.Now

	mu  sync.Mutex
	at  time.Time
	st  settime.NTPState
	err error
}

// Get is the kept answer while it is fresh, else a new one (kept unless
// the request that asked was cut short).
func (m *NTPMemo) Get(ctx context.Context) (settime.NTPState, error) {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.at.IsZero() && now().Sub(m.at) < m.TTL {
		return m.st, m.err
	}
	st, err := m.Ask(ctx)
	if ctx.Err() == nil {
		m.st, m.err, m.at = st, err, now()
	}
	return st, err
}
