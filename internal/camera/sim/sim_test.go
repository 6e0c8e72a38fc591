package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

var ctx = context.Background()

// clock is a movable Now for the simulator.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

func newSim(t *testing.T, profile string) (paths.Paths, *sim.Driver, *clock) {
	t.Helper()
	p := paths.New(t.TempDir())
	clk := &clock{}
	d, err := sim.New(p, sim.Options{Profile: profile, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return p, d, clk
}

func openAwake(t *testing.T, p paths.Paths, d *sim.Driver) camera.Camera {
	t.Helper()
	if err := sim.Wake(p, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSleepAndWake(t *testing.T) {
	p, d, clk := newSim(t, "")
	if _, err := d.Open(ctx); !errors.Is(err, camera.ErrNoCamera) {
		t.Fatalf("Open before any wake: %v, want ErrNoCamera", err)
	}
	if err := sim.Wake(p, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(ctx)
	if err != nil {
		t.Fatalf("Open after a wake: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// The wake file carries the wake time as RFC3339, mtime the same.
	b, _ := os.ReadFile(p.SimCameraWake())
	if _, err := time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err != nil {
		t.Errorf("wake file content %q: %v", b, err)
	}

	clk.advance(59 * time.Second) // the 600D's default auto power-off is 60 s
	if c, err = d.Open(ctx); err != nil {
		t.Fatalf("Open 59 s after use: %v", err)
	}
	c.Close()
	clk.advance(61 * time.Second)
	if _, err := d.Open(ctx); !errors.Is(err, camera.ErrNoCamera) {
		t.Fatalf("Open past auto power-off: %v, want ErrNoCamera", err)
	}

	// A shot half-presses the shutter, which wakes the camera too.
	clk.off.Store(0)
	os.Remove(p.SimCameraWake())
	os.Remove(filepath.Join(p.Sim(), "camera.active"))
	if _, err := d.Open(ctx); !errors.Is(err, camera.ErrNoCamera) {
		t.Fatalf("Open with nothing awake: %v", err)
	}
	if err := sim.Fire(p, time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, err = d.Open(ctx); err != nil {
		t.Fatalf("Open right after a shot: %v", err)
	}
	// Auto power-off 0 = never: the camera stays up however long.
	if err := c.SetConfig(ctx, map[string]string{"autopoweroff": "0"}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	clk.advance(24 * time.Hour)
	if c, err = d.Open(ctx); err != nil {
		t.Fatalf("Open with auto power-off disabled: %v", err)
	}
	c.Close()

	always, _ := sim.New(paths.New(t.TempDir()), sim.Options{AlwaysAwake: true})
	if c, err := always.Open(ctx); err != nil {
		t.Fatalf("AlwaysAwake: %v", err)
	} else {
		c.Close()
	}
}

func TestOneSessionAtATime(t *testing.T) {
	p, d, _ := newSim(t, "")
	c := openAwake(t, p, d)
	d2, _ := sim.New(p, sim.Options{})
	if _, err := d2.Open(ctx); !errors.Is(err, camera.ErrBusy) {
		t.Fatalf("second Open while the first is open: %v, want ErrBusy", err)
	}
	c.Close()
	c2, err := d2.Open(ctx)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	c2.Close()
	if _, err := c.Config(ctx); err == nil {
		t.Error("Config on a closed session succeeded")
	}
}

func widgetMap(t *testing.T, c camera.Camera) map[string]camera.Widget {
	t.Helper()
	ws, err := c.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]camera.Widget{}
	for _, w := range ws {
		m[w.Name] = w
	}
	return m
}

func TestProfiles(t *testing.T) {
	type want struct{ name, group, value string }
	cases := map[string][]want{
		"canon": {{"imageformat", "imgsettings", "Large Fine JPEG"}, {"aperture", "capturesettings", "8"}, {"autoexposuremode", "capturesettings", "Manual"},
			{"capturetarget", "settings", camera.InternalRAM}, {"manufacturer", "status", "Canon Inc."}, {"batterylevel", "status", "100%"},
			{"lensname", "status", "EF-S18-55mm f/3.5-5.6 IS II"}, {"autopoweroff", "settings", "60"}, {"whitebalance", "imgsettings", "Daylight"},
			{"iso", "imgsettings", "100"}, {"shutterspeed", "capturesettings", "1/125"}, {"exposurecompensation", "capturesettings", "0"}, {"focusmode", "capturesettings", "Manual"}},
		"nikon": {{"imagequality", "capturesettings", "JPEG Fine"}, {"f-number", "capturesettings", "f/8"}, {"expprogram", "capturesettings", "M"},
			{"manufacturer", "status", "Nikon Corporation"}, {"minfocallength", "status", "18 mm"}},
		"ptp": {{"manufacturer", "status", "Generic Imaging Co."}},
	}
	for prof, ws := range cases {
		p, d, _ := newSim(t, prof)
		c := openAwake(t, p, d)
		m := widgetMap(t, c)
		for _, w := range ws {
			got, ok := m[w.name]
			if !ok || got.Group != w.group || got.Value != w.value {
				t.Errorf("%s: widget %s = %+v (found %v), want group %s value %q", prof, w.name, got, ok, w.group, w.value)
			}
		}
		if n, ok := m["availableshots"]; prof != "ptp" && (!ok || n.Value == "" || n.Value == "0") {
			t.Errorf("%s: availableshots = %+v", prof, n)
		}
		if prof == "canon" && len(m["aperture"].Choices) == 0 {
			t.Error("canon aperture has no choices")
		}
		ab, _ := c.Abilities(ctx)
		if ab.Model == "" || !ab.CanPreview {
			t.Errorf("%s: abilities %+v", prof, ab)
		}
	}
}

func TestSettingsPersistAndValidate(t *testing.T) {
	p, d, _ := newSim(t, "")
	c := openAwake(t, p, d)
	if err := c.SetConfig(ctx, map[string]string{"imageformat": "RAW", "iso": "400"}); err != nil {
		t.Fatal(err)
	}
	for values, want := range map[*map[string]string]error{
		{"iso": "123"}:                      camera.ErrBadValue,
		{"iso": "800", "lensname": "other"}: camera.ErrReadOnly,
		{"nosuchwidget": "1"}:               camera.ErrNotFound,
		{"syncdatetime": "yes"}:             camera.ErrBadValue,
		{"autopoweroff": "soon"}:            camera.ErrBadValue,
	} {
		if err := c.SetConfig(ctx, *values); !errors.Is(err, want) {
			t.Errorf("SetConfig(%v) = %v, want %v", *values, err, want)
		}
	}
	c.Close()
	d2, _ := sim.New(p, sim.Options{})
	c2, err := d2.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	m := widgetMap(t, c2)
	if m["imageformat"].Value != "RAW" || m["iso"].Value != "400" {
		t.Errorf("after reopen: imageformat %q iso %q; a refused write must change nothing", m["imageformat"].Value, m["iso"].Value)
	}
	var st map[string]any
	b, err := os.ReadFile(filepath.Join(p.Sim(), "camera.json"))
	if err != nil || json.Unmarshal(b, &st) != nil {
		t.Fatalf("state file: %v", err)
	}
	// Hardware changes bypass read-only: the mode dial.
	if err := sim.SetHardware(p, "autoexposuremode", "AV"); err != nil {
		t.Fatal(err)
	}
	if v := widgetMap(t, c2)["autoexposuremode"].Value; v != "AV" {
		t.Errorf("dial set to AV reads %q", v)
	}
	if err := sim.SetHardware(p, "autoexposuremode", "Q"); !errors.Is(err, camera.ErrBadValue) {
		t.Errorf("dial to a bad value: %v", err)
	}
}

func TestCardGrowsFromShutterLog(t *testing.T) {
	p, d, _ := newSim(t, "")
	zone := time.FixedZone("AEST", 10*3600)
	t0 := time.Date(2024, 6, 1, 9, 0, 0, 0, zone)
	for i := 0; i < 3; i++ {
		if err := sim.Fire(p, t0.Add(time.Duration(i)*10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// A line not RFC3339 is skipped; a line without its newline is still being written.
	fileutil.AppendLine(p.SimShutterLog(), "garbage\n")
	f, _ := os.OpenFile(p.SimShutterLog(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(t0.Add(time.Hour).Format(time.RFC3339))
	f.Close()

	c := openAwake(t, p, d)
	files, err := c.ListFiles(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d files on the card, want 3: %+v", len(files), files)
	}
	for i, f := range files {
		want := t0.Add(time.Duration(i) * 10 * time.Minute)
		if f.Folder != "/store_00020001/DCIM/100CANON" || f.Name != []string{"IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG"}[i] || !f.MTime.Equal(want) {
			t.Errorf("file %d = %+v, want IMG_000%d.JPG at %v", i, f, i+1, want)
		}
	}
	// Finish the torn line: it becomes the fourth photo, once.
	fileutil.AppendLine(p.SimShutterLog(), "\n")
	for i := 0; i < 2; i++ {
		if files, _ = c.ListFiles(ctx, "/"); len(files) != 4 {
			t.Fatalf("after the line completed: %d files, want 4", len(files))
		}
	}
	c.Close()

	// RAW + JPEG makes both files with one number.
	c = openAwake(t, p, d)
	if err := c.SetConfig(ctx, map[string]string{"imageformat": "RAW + Large Fine JPEG"}); err != nil {
		t.Fatal(err)
	}
	sim.Fire(p, t0.Add(2*time.Hour))
	files, _ = c.ListFiles(ctx, "/store_00020001/DCIM/100CANON")
	if len(files) != 6 || files[4].Name != "IMG_0005.CR2" || files[5].Name != "IMG_0005.JPG" {
		t.Fatalf("after a RAW+JPEG shot: %+v", files)
	}

	// A replaced (rotated) log is read from the start again.
	os.WriteFile(p.SimShutterLog(), []byte(t0.Add(3*time.Hour).Format(time.RFC3339)+"\n"), 0o644)
	if files, _ = c.ListFiles(ctx, "/"); len(files) != 8 {
		t.Fatalf("after the log was replaced: %d files, want 8", len(files))
	}
}

func TestFolderRollAndSeed(t *testing.T) {
	p, d, _ := newSim(t, "nikon")
	c := openAwake(t, p, d) // creates the nikon state
	c.Close()
	if err := sim.SetFolderSize(p, 2); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := sim.SeedCard(p, 5, start, time.Minute); err != nil {
		t.Fatal(err)
	}
	c = openAwake(t, p, d)
	files, err := c.ListFiles(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Folder+"/"+f.Name)
	}
	want := "/store_00010001/DCIM/100NIKON/DSC_0001.JPG /store_00010001/DCIM/100NIKON/DSC_0002.JPG /store_00010001/DCIM/101NIKON/DSC_0003.JPG /store_00010001/DCIM/101NIKON/DSC_0004.JPG /store_00010001/DCIM/102NIKON/DSC_0005.JPG"
	if strings.Join(got, " ") != want {
		t.Fatalf("card = %v\nwant  %v", got, want)
	}
	if !files[4].MTime.Equal(start.Add(4 * time.Minute)) {
		t.Errorf("seeded mtime %v", files[4].MTime)
	}
}

func TestDownloadDeleteStorage(t *testing.T) {
	p, d, _ := newSim(t, "")
	sim.SeedCard(p, 2, time.Now().Add(-time.Hour), time.Minute)
	c := openAwake(t, p, d)
	files, _ := c.ListFiles(ctx, "/")
	f := files[0]
	var buf bytes.Buffer
	n, err := c.Download(ctx, f.Folder, f.Name, &buf)
	if err != nil || n != f.Size {
		t.Fatalf("download: %d of %d, %v", n, f.Size, err)
	}
	onDisk, _ := os.ReadFile(filepath.Join(p.SimCard(), f.Folder, f.Name))
	if !bytes.Equal(buf.Bytes(), onDisk) {
		t.Fatal("download differs from the card")
	}
	if img, err := jpeg.Decode(bytes.NewReader(buf.Bytes())); err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("downloaded JPEG: %v", err)
	}
	info, err := c.FileInfo(ctx, f.Folder, f.Name)
	if err != nil || info.Size != f.Size || !info.MTime.Equal(f.MTime) {
		t.Fatalf("FileInfo = %+v, %v; listed %+v", info, err, f)
	}
	for _, bad := range [][2]string{{"/../../..", "etc"}, {f.Folder, "../../../camera.json"}, {f.Folder, ".hidden"}, {f.Folder, "NOPE.JPG"}} {
		if _, err := c.Download(ctx, bad[0], bad[1], &buf); !errors.Is(err, camera.ErrNotFound) {
			t.Errorf("Download(%q, %q) = %v, want ErrNotFound", bad[0], bad[1], err)
		}
	}
	if _, err := c.ListFiles(ctx, "/store_00020001/DCIM/999NONE"); !errors.Is(err, camera.ErrNotFound) {
		t.Errorf("listing a missing folder: %v", err)
	}
	st, err := c.StorageInfo(ctx)
	if err != nil || len(st) != 1 || st[0].FreeImages <= 0 || st[0].FreeKB >= st[0].CapacityKB {
		t.Fatalf("storage = %+v, %v", st, err)
	}
	if err := c.Delete(ctx, f.Folder, f.Name); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, f.Folder, f.Name); !errors.Is(err, camera.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if files, _ = c.ListFiles(ctx, "/"); len(files) != 1 {
		t.Errorf("after delete: %d files", len(files))
	}
	st2, _ := c.StorageInfo(ctx)
	if st2[0].FreeKB <= st[0].FreeKB {
		t.Errorf("free space did not grow after a delete: %d → %d KB", st[0].FreeKB, st2[0].FreeKB)
	}
	// No card: no storage, no files, no shots.
	sim.SetCardPresent(p, false)
	if st, _ = c.StorageInfo(ctx); len(st) != 0 {
		t.Errorf("card out: storage %+v", st)
	}
	if files, _ = c.ListFiles(ctx, "/"); len(files) != 0 {
		t.Errorf("card out: %d files", len(files))
	}
	sim.SetCardPresent(p, true)
	pv, err := c.CapturePreview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jpeg.Decode(bytes.NewReader(pv)); err != nil {
		t.Fatalf("preview is not a JPEG: %v", err)
	}
	cc, cancel := context.WithCancel(ctx)
	cancel()
	files, _ = c.ListFiles(ctx, "/")
	if _, err := c.Download(cc, files[0].Folder, files[0].Name, &buf); !errors.Is(err, context.Canceled) {
		t.Errorf("download with a cancelled context: %v", err)
	}
}

func exiftool(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command("exiftool", args...).Output()
	if err != nil {
		t.Fatalf("exiftool %v: %v (needs apt package libimage-exiftool-perl)", args, err)
	}
	return out
}

func TestEXIFReadByExiftool(t *testing.T) {
	p, d, _ := newSim(t, "")
	c := openAwake(t, p, d)
	if err := c.SetConfig(ctx, map[string]string{"shutterspeed": "1/250", "aperture": "5.6", "iso": "200", "exposurecompensation": "-0.666", "imageformat": "RAW + Large Fine JPEG"}); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 7, 8, 17, 30, 45, 0, time.FixedZone("", -4*3600))
	sim.Fire(p, when)
	files, err := c.ListFiles(ctx, "/")
	if err != nil || len(files) != 2 {
		t.Fatalf("files %+v %v", files, err)
	}
	dir := t.TempDir()
	for _, f := range files {
		out, _ := os.Create(filepath.Join(dir, f.Name))
		if _, err := c.Download(ctx, f.Folder, f.Name, out); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	for _, name := range []string{"IMG_0001.JPG", "IMG_0001.CR2"} {
		var got []map[string]any
		if err := json.Unmarshal(exiftool(t, "-j", "-n", "-Make", "-Model", "-DateTimeOriginal", "-ExposureTime", "-FNumber", "-ISO", "-ExposureCompensation", "-OffsetTimeOriginal", "-LensModel", "-Warning", filepath.Join(dir, name)), &got); err != nil {
			t.Fatal(err)
		}
		g := got[0]
		want := map[string]any{"Make": "Canon", "Model": "Canon EOS 600D", "DateTimeOriginal": "2024:07:08 17:30:45", "ExposureTime": 0.004, "FNumber": 5.6, "ISO": 200.0,
			"ExposureCompensation": -0.666666666666667, "OffsetTimeOriginal": "-04:00", "LensModel": "EF-S18-55mm f/3.5-5.6 IS II"}
		for k, v := range want {
			if f, ok := v.(float64); ok {
				if gf, ok := g[k].(float64); !ok || gf-f > 1e-6 || f-gf > 1e-6 {
					t.Errorf("%s %s = %v, want %v", name, k, g[k], v)
				}
			} else if g[k] != v {
				t.Errorf("%s %s = %v, want %v", name, k, g[k], v)
			}
		}
		if w, ok := g["Warning"]; ok {
			t.Errorf("%s: exiftool warns: %v", name, w)
		}
	}
	// The EXIF thumbnail is a real 160x... JPEG.
	th, err := jpeg.Decode(bytes.NewReader(exiftool(t, "-b", "-ThumbnailImage", filepath.Join(dir, "IMG_0001.JPG"))))
	if err != nil || th.Bounds().Dx() != 160 {
		t.Fatalf("thumbnail: %v %v", th, err)
	}
	// The RAW's embedded preview is the full-size JPEG.
	pv, err := jpeg.Decode(bytes.NewReader(exiftool(t, "-b", "-PreviewImage", filepath.Join(dir, "IMG_0001.CR2"))))
	if err != nil || pv.Bounds().Dx() != 1200 || pv.Bounds().Dy() != 800 {
		t.Fatalf("CR2 preview: %v %v", pv, err)
	}
	if ft := strings.TrimSpace(string(exiftool(t, "-s3", "-FileType", filepath.Join(dir, "IMG_0001.CR2")))); ft != "CR2" {
		t.Errorf("exiftool sees the RAW as %q, want CR2", ft)
	}
}

func TestOpenSpec(t *testing.T) {
	p := paths.New(t.TempDir())
	d, err := camera.Open("sim:nikon,awake", p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := c.Abilities(ctx)
	c.Close()
	if d.Name() != "sim" || ab.Model != "Nikon DSC D7200" {
		t.Errorf("sim:nikon gave %s / %s", d.Name(), ab.Model)
	}
	for _, bad := range []string{"sim:leica", "", "polaroid"} {
		if _, err := camera.Open(bad, p); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}

func TestCorruptState(t *testing.T) {
	p, d, _ := newSim(t, "")
	os.MkdirAll(p.Sim(), 0o755)
	os.WriteFile(filepath.Join(p.Sim(), "camera.json"), []byte("{not json"), 0o644)
	sim.Wake(p, time.Now())
	if _, err := d.Open(ctx); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("Open with a corrupt state file: %v", err)
	}
}

func TestParseOptionsSlow(t *testing.T) {
	o, err := sim.ParseOptions("canon,awake,slow=300ms")
	if err != nil || o.DownloadDelay != 300*time.Millisecond || !o.AlwaysAwake || o.Profile != "canon" {
		t.Fatalf("ParseOptions: %+v, %v", o, err)
	}
	for _, bad := range []string{"slow=", "slow=fast", "slow=-1s"} {
		if _, err := sim.ParseOptions(bad); err == nil {
			t.Errorf("ParseOptions(%q) accepted", bad)
		}
	}
}
