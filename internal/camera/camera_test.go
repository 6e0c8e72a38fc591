package camera_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

var ctx = context.Background()

func simCam(t *testing.T, profile string) (paths.Paths, camera.Camera) {
	t.Helper()
	p := paths.New(t.TempDir())
	d, err := sim.New(p, sim.Options{Profile: profile, AlwaysAwake: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return p, c
}

func TestDetailsCanon(t *testing.T) {
	_, c := simCam(t, "canon")
	d, err := camera.ReadDetails(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if d.Model != "Canon EOS 600D" || d.Maker != camera.MakerCanon || d.LimitedSupport || d.Lens != "EF-S18-55mm f/3.5-5.6 IS II" {
		t.Errorf("details = %+v", d)
	}
	if d.FocusMode != "Manual" || d.ExposureMode != "Manual" || d.AutoPowerOff != "60" || d.RAW || d.ImageFormat != "Large Fine JPEG" {
		t.Errorf("modes = %q %q %q raw=%v fmt=%q", d.FocusMode, d.ExposureMode, d.AutoPowerOff, d.RAW, d.ImageFormat)
	}
	img := d.Setting(camera.SettingImage)
	if img.Widget != "imageformat" || img.Current != "Large Fine JPEG" || len(img.Choices) != 10 {
		t.Errorf("img setting = %+v", img)
	}
	if ap := d.Setting(camera.SettingAperture); ap.Widget != "aperture" || ap.Choices[0] != "implicit auto" {
		t.Errorf("aperture = %+v", ap)
	}
	if d.TimeModes != camera.TimeModes(camera.TimeSync|camera.TimeSet) || d.Date == camera.Unknown {
		t.Errorf("time modes %d date %q", d.TimeModes, d.Date)
	}
	if _, err := time.ParseInLocation("2006 Jan 02 15:04:05", d.Date, time.Local); err != nil {
		t.Errorf("date display %q: %v", d.Date, err)
	}
}

func TestDetailsNikonAndPTP(t *testing.T) {
	_, c := simCam(t, "nikon")
	d, err := camera.ReadDetails(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if d.Maker != camera.MakerNikon || d.ExposureMode != "M" || d.AutoPowerOff != camera.NotAvailable {
		t.Errorf("nikon: %+v", d)
	}
	if s := d.Setting(camera.SettingImage); s.Widget != "imagequality" || s.Current != "JPEG Fine" {
		t.Errorf("nikon img = %+v", s)
	}
	if s := d.Setting(camera.SettingAperture); s.Widget != "f-number" || s.Current != "f/8" {
		t.Errorf("nikon aperture = %+v", s)
	}

	_, c = simCam(t, "ptp")
	d, err = camera.ReadDetails(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// No lens name: the focal range stands in (min == max: one value).
	if !d.LimitedSupport || d.Maker != camera.MakerUnknown || d.Lens != "24 mm" || d.TimeModes != 0 {
		t.Errorf("ptp: %+v", d)
	}
	if s := d.Setting(camera.SettingAperture); s.Found || s.Current != camera.Unknown {
		t.Errorf("ptp aperture = %+v", s)
	}
	// Its clock is the text widget d034 (epoch seconds).
	ct, err := camera.ReadCameraTime(ctx, c, time.UTC)
	if err != nil || ct.Widget != "d034" || ct.Type != camera.WidgetText || time.Since(ct.Time).Abs() > time.Minute {
		t.Errorf("ptp clock = %+v, %v", ct, err)
	}
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSet, Wall: "20240101120000"}); !errors.Is(err, camera.ErrNotFound) {
		t.Errorf("setting a mode the camera lacks: %v", err)
	}
}

func TestLensFromFocalRange(t *testing.T) {
	tr := camera.Tree{{Name: "lensname", Value: "Unknown"}, {Name: "minfocallength", Value: "18 mm"}, {Name: "maxfocallength", Value: "55 mm"}}
	if l := tr.Lens(); l != "18-55 mm" {
		t.Errorf("lens = %q", l)
	}
	if l := (camera.Tree{}).Lens(); l != camera.Unknown {
		t.Errorf("no lens info: %q", l)
	}
}

func TestApplySettings(t *testing.T) {
	_, c := simCam(t, "canon")
	wrote, err := camera.ApplySettings(ctx, c, camera.MakerCanon, map[camera.SettingKey]string{
		camera.SettingImage: "RAW", camera.SettingAperture: "11", camera.SettingISO: "800",
		camera.SettingWhiteBalance: "n/a", camera.SettingShutter: "", camera.SettingExposureComp: "1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(wrote) != 4 || wrote["imageformat"] != "RAW" || wrote["aperture"] != "11" {
		t.Errorf("wrote %v", wrote)
	}
	tr, _ := camera.ReadTree(ctx, c)
	if tr.Value("imageformat") != "RAW" || tr.Value("iso") != "800" || tr.Value("whitebalance") != "Daylight" || tr.Value("exposurecompensation") != "1" {
		t.Errorf("after apply: %v %v %v", tr.Value("imageformat"), tr.Value("iso"), tr.Value("whitebalance"))
	}
	if _, err := camera.Preview(ctx, c); !errors.Is(err, camera.ErrPreviewRAW) {
		t.Errorf("preview while shooting RAW: %v", err)
	}
	// One bad value: nothing is written.
	if _, err := camera.ApplySettings(ctx, c, camera.MakerCanon, map[camera.SettingKey]string{camera.SettingISO: "100", camera.SettingImage: "Huge JPEG"}); !errors.Is(err, camera.ErrBadValue) {
		t.Errorf("bad value: %v", err)
	}
	if tr, _ = camera.ReadTree(ctx, c); tr.Value("iso") != "800" {
		t.Errorf("a refused apply changed iso to %s", tr.Value("iso"))
	}
	// Unknown makers get neither image format nor aperture.
	wrote, err = camera.ApplySettings(ctx, c, camera.MakerUnknown, map[camera.SettingKey]string{camera.SettingImage: "Large Fine JPEG", camera.SettingISO: "200"})
	if err != nil || len(wrote) != 1 || wrote["iso"] != "200" {
		t.Errorf("unknown maker wrote %v, %v", wrote, err)
	}
	camera.ApplySettings(ctx, c, camera.MakerCanon, map[camera.SettingKey]string{camera.SettingImage: "Large Fine JPEG"})
	b, err := camera.Preview(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("preview: %v", err)
	}
	if !camera.IsRAW("NEF+Fine") || !camera.IsRAW("RAW + Large Fine JPEG") || camera.IsRAW("JPEG Fine") {
		t.Error("IsRAW")
	}
}

func TestCardSummaryFixesCaptureTarget(t *testing.T) {
	p, c := simCam(t, "canon")
	start := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	if err := sim.SeedCard(p, 3, start, time.Hour); err != nil {
		t.Fatal(err)
	}
	s, err := camera.ReadCardSummary(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.FileCount != 3 || s.LastFile == nil || s.LastFile.Name != "IMG_0003.JPG" || !s.Newest.MTime.Equal(start.Add(2*time.Hour)) {
		t.Errorf("summary %+v", s)
	}
	if !s.CaptureTargetFixed || s.NoStorage || s.Battery != "100%" || camera.BatteryLow(s.Battery) {
		t.Errorf("summary %+v", s)
	}
	if n, err := strconv.Atoi(s.AvailableShots); err != nil || n < 1000 {
		t.Errorf("available shots %q", s.AvailableShots)
	}
	w, _ := c.Widget(ctx, "capturetarget")
	if w.Value != "Memory card" {
		t.Errorf("capture target %q", w.Value)
	}
	if fixed, err := camera.FixCaptureTarget(ctx, c); fixed || err != nil {
		t.Errorf("second fix: %v %v", fixed, err)
	}
	sim.SetCardPresent(p, false)
	if s, err = camera.ReadCardSummary(ctx, c); err != nil || !s.NoStorage || s.FileCount != 0 || s.AvailableShots != "0" {
		t.Errorf("no card: %+v %v", s, err)
	}
	sim.SetHardware(p, "batterylevel", "Low")
	tr, _ := camera.ReadTree(ctx, c)
	if !camera.BatteryLow(tr.Battery()) {
		t.Error("battery Low not flagged")
	}
}

func TestCameraTimeModes(t *testing.T) {
	_, c := simCam(t, "canon-r")
	tr, _ := camera.ReadTree(ctx, c)
	modes := tr.TimeModes()
	if modes != 15 || len(modes.List()) != 4 {
		t.Fatalf("canon-r modes = %d", modes)
	}
	loc := time.FixedZone("X", 5*3600+1800)
	// datetime: the wall time the user picked, read in the Pi's zone.
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSet, Wall: "20190613235900", Loc: loc}); err != nil {
		t.Fatal(err)
	}
	ct, err := camera.ReadCameraTime(ctx, c, loc)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2019, 6, 13, 23, 59, 0, 0, loc)
	if ct.Widget != "datetime" || ct.Time.Sub(want).Abs() > 5*time.Second || ct.Display[:17] != "2019 Jun 13 23:59" {
		t.Errorf("after TimeSet: %+v", ct)
	}
	// syncdatetime: back to the host's clock.
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSync}); err != nil {
		t.Fatal(err)
	}
	if ct, _ = camera.ReadCameraTime(ctx, c, nil); time.Since(ct.Time).Abs() > 5*time.Second {
		t.Errorf("after sync: %v", ct.Time)
	}
	// datetimeutc: the instant given.
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSetUTC, Now: at}); err != nil {
		t.Fatal(err)
	}
	if ct, _ = camera.ReadCameraTime(ctx, c, nil); ct.Time.Sub(at).Abs() > 5*time.Second {
		t.Errorf("after datetimeutc: %v", ct.Time)
	}
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSyncUTC}); err != nil {
		t.Fatal(err)
	}
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: camera.TimeSet, Wall: "2019-06-13"}); !errors.Is(err, camera.ErrBadValue) {
		t.Errorf("bad wall time: %v", err)
	}
	if err := camera.SetCameraTime(ctx, c, camera.SetTimeRequest{Mode: 3}); !errors.Is(err, camera.ErrBadValue) {
		t.Errorf("bad mode: %v", err)
	}
	if _, err := camera.ParseTimeMode("None"); err == nil {
		t.Error("ParseTimeMode(None) succeeded")
	}
	if m, err := camera.ParseTimeMode("8"); err != nil || m != camera.TimeSetUTC {
		t.Errorf("ParseTimeMode(8) = %v %v", m, err)
	}
	// Only datetime on offer: the sync modes must read as unavailable (the
	// original's subtraction got this wrong).
	only := camera.TimeModes(camera.TimeSet)
	if only.Has(camera.TimeSync) || only.Has(camera.TimeSyncUTC) || !only.Has(camera.TimeSet) {
		t.Error("TimeModes.Has is not a bit test")
	}
}

func TestTextClocks(t *testing.T) {
	for _, v := range []string{"2024 Feb 03 04:05:06", "2024-02-03 04:05:06", "20240203T040506", "1706933106"} {
		ct, err := camera.Tree{{Name: "datetime", Type: camera.WidgetText, Value: v}}.CameraTime(nil)
		if err != nil || ct.Display != "2024-02-03 04:05:06" {
			t.Errorf("text clock %q → %+v, %v", v, ct, err)
		}
	}
	if _, err := (camera.Tree{{Name: "datetime", Type: camera.WidgetText, Value: "soon"}}).CameraTime(nil); !errors.Is(err, camera.ErrBadValue) {
		t.Errorf("garbage clock: %v", err)
	}
	if _, err := (camera.Tree{}).CameraTime(nil); !errors.Is(err, camera.ErrNotFound) {
		t.Errorf("no clock: %v", err)
	}
}

func TestTZOffset(t *testing.T) {
	for in, want := range map[string]float64{"-0.5": -0.5, "10.0": 10, "5.5": 5.5, "0": 0, "-23.5": -23.5} {
		if got, err := camera.ParseTZOffset(in); err != nil || got != want {
			t.Errorf("ParseTZOffset(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "abc", "5.25", "24", "1e1", "--1", "<script>"} {
		if _, err := camera.ParseTZOffset(bad); err == nil {
			t.Errorf("ParseTZOffset(%q) accepted", bad)
		}
	}
	for h, want := range map[float64]string{0: "0.0", -0.5: "-0.5", 10: "10.0", 5.5: "5.5"} {
		if got := camera.FormatTZOffset(h); got != want {
			t.Errorf("FormatTZOffset(%v) = %q", h, got)
		}
	}
	if got := camera.AdjustedWall(time.Date(2024, 1, 1, 23, 0, 0, 0, time.UTC), 1.5); got != "20240102003000" {
		t.Errorf("AdjustedWall = %s", got)
	}
}

// arduino wakes the simulated camera as the simulated Arduino's WC does.
type arduino struct {
	p     paths.Paths
	wakes atomic.Int32
}

func (a *arduino) WakeCamera(context.Context) error {
	a.wakes.Add(1)
	return sim.Wake(a.p, time.Now())
}

func TestWakeAndRetry(t *testing.T) {
	p := paths.New(t.TempDir())
	d, _ := sim.New(p, sim.Options{})
	a := &arduino{p: p}
	// A page: one try, a wake, and an answer at once.
	if _, err := camera.OpenAwake(ctx, d, a, camera.QuickWake); !errors.Is(err, camera.ErrWaking) || !errors.Is(err, camera.ErrNoCamera) {
		t.Fatalf("quick open of a sleeping camera: %v", err)
	}
	if a.wakes.Load() != 1 {
		t.Errorf("%d wakes", a.wakes.Load())
	}
	// The next request finds it awake.
	c, err := camera.OpenAwake(ctx, d, a, camera.QuickWake)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	// The copy task: wake and retry until it answers.
	p2 := paths.New(t.TempDir())
	d2, _ := sim.New(p2, sim.Options{})
	a2 := &arduino{p: p2}
	c, err = camera.OpenAwake(ctx, d2, a2, camera.WakePolicy{Attempts: 3, Settle: 10 * time.Millisecond})
	if err != nil {
		t.Fatalf("patient open: %v", err)
	}
	c.Close()
	if a2.wakes.Load() != 1 {
		t.Errorf("patient open woke %d times", a2.wakes.Load())
	}
	// Without a waker, no camera is just no camera.
	p3 := paths.New(t.TempDir())
	d3, _ := sim.New(p3, sim.Options{})
	if _, err := camera.OpenAwake(ctx, d3, nil, camera.PatientWake); !errors.Is(err, camera.ErrNoCamera) || errors.Is(err, camera.ErrWaking) {
		t.Errorf("no waker: %v", err)
	}
}

func TestSessionLock(t *testing.T) {
	p := paths.New(t.TempDir())
	d, _ := sim.New(p, sim.Options{AlwaysAwake: true})
	lock := p.CameraLock()
	ran := false
	if err := camera.Session(ctx, d, lock, func(c camera.Camera) error {
		ran = true
		// A second job (another process, in effect: flock is per open file)
		// is turned away at once rather than queued behind this one.
		return camera.Session(ctx, d, lock, func(camera.Camera) error {
			t.Error("nested session ran")
			return nil
		})
	}); !errors.Is(err, camera.ErrBusy) || !ran {
		t.Fatalf("nested session: %v (ran %v)", err, ran)
	}

	held, ok, err := fileutil.TryLockExclusive(lock)
	if err != nil || !ok {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		held.Unlock()
	}()
	files := -1
	err = camera.SessionWith(ctx, d, lock, camera.SessionOptions{LockWait: 5 * time.Second}, func(c camera.Camera) error {
		fs, err := c.ListFiles(ctx, "/")
		files = len(fs)
		return err
	})
	if err != nil || files != 0 {
		t.Fatalf("waiting session: %v, %d files", err, files)
	}

	held2, _, _ := fileutil.TryLockExclusive(lock)
	defer held2.Unlock()
	if err := camera.SessionWith(ctx, d, lock, camera.SessionOptions{LockWait: 30 * time.Millisecond}, func(camera.Camera) error { return nil }); !errors.Is(err, camera.ErrBusy) {
		t.Errorf("bounded wait on a held lock: %v", err)
	}
	cc, cancel := context.WithCancel(ctx)
	cancel()
	if err := camera.SessionWith(cc, d, lock, camera.SessionOptions{LockWait: time.Second}, func(camera.Camera) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
}

func TestSessionErrorsAndClose(t *testing.T) {
	p := paths.New(t.TempDir())
	d, _ := sim.New(p, sim.Options{AlwaysAwake: true})
	boom := errors.New("boom")
	if err := camera.Session(ctx, d, p.CameraLock(), func(camera.Camera) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error: %v", err)
	}
	// The camera was closed and the lock dropped: a new session gets both.
	if err := camera.Session(ctx, d, p.CameraLock(), func(camera.Camera) error { return nil }); err != nil {
		t.Fatalf("after an error: %v", err)
	}
	if _, err := camera.Open("gphoto3", p); err == nil {
		t.Error("unknown driver accepted")
	}
}
