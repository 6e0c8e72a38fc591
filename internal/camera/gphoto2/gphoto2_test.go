//go:build cgo && !nogphoto2

package gphoto2_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/camera/gphoto2"
	"github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// card lays out a folder as a camera card: real JPEGs (from the simulator's
// renderer) with known mtimes, in two DCIM folders.
func card(t testing.TB) (dir string, want map[string][]byte, mtimes map[string]time.Time) {
	t.Helper()
	dir = t.TempDir()
	want, mtimes = map[string][]byte{}, map[string]time.Time{}
	base := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	for i, rel := range []string{"DCIM/100CANON/IMG_0001.JPG", "DCIM/100CANON/IMG_0002.CR2", "DCIM/101CANON/IMG_0003.JPG"} {
		when := base.Add(time.Duration(i) * time.Minute)
		ph, err := sim.MakePhoto(sim.Shot{Time: when, Make: "Canon", Model: "Canon EOS 600D", Width: 320, Height: 200}, true, strings.HasSuffix(rel, ".CR2"))
		if err != nil {
			t.Fatal(err)
		}
		data := ph.JPEG
		if strings.HasSuffix(rel, ".CR2") {
			data = ph.RAW
		}
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		want["/"+rel], mtimes["/"+rel] = data, when
	}
	return dir, want, mtimes
}

func open(t testing.TB, dir string) camera.Camera {
	t.Helper()
	d, err := gphoto2.New(gphoto2.Options{Port: "disk:" + dir})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(context.Background())
	if err != nil {
		t.Fatalf("open Directory Browse on %s: %v", dir, err)
	}
	return c
}

func TestDirectoryBrowse(t *testing.T) {
	dir, want, mtimes := card(t)
	ctx := context.Background()
	c := open(t, dir)
	defer c.Close()

	ab, err := c.Abilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ab.Model != "Directory Browse" || !ab.CanDelete {
		t.Errorf("abilities = %+v, want the Directory Browse driver with delete", ab)
	}

	files, err := c.ListFiles(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		p := f.Folder + "/" + f.Name
		got = append(got, p)
		if f.Size != int64(len(want[p])) {
			t.Errorf("%s size = %d, want %d", p, f.Size, len(want[p]))
		}
		if !f.MTime.Equal(mtimes[p]) {
			t.Errorf("%s mtime = %v, want %v", p, f.MTime, mtimes[p])
		}
	}
	wantPaths := make([]string, 0, len(want))
	for p := range want {
		wantPaths = append(wantPaths, p)
	}
	sort.Strings(wantPaths)
	if strings.Join(got, ",") != strings.Join(wantPaths, ",") {
		t.Fatalf("listing = %v, want %v (files first, then folders, in order)", got, wantPaths)
	}

	fi, err := c.FileInfo(ctx, "/DCIM/101CANON", "IMG_0003.JPG")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size != int64(len(want["/DCIM/101CANON/IMG_0003.JPG"])) || !fi.MTime.Equal(mtimes["/DCIM/101CANON/IMG_0003.JPG"]) {
		t.Errorf("FileInfo = %+v", fi)
	}
	if _, err := c.FileInfo(ctx, "/DCIM/101CANON", "NOPE.JPG"); !errors.Is(err, camera.ErrNotFound) {
		t.Errorf("FileInfo of a missing file: %v, want ErrNotFound", err)
	}

	for p, data := range want {
		var buf bytes.Buffer
		n, err := c.Download(ctx, filepath.Dir(p), filepath.Base(p), &buf)
		if err != nil {
			t.Fatalf("download %s: %v", p, err)
		}
		if n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("download %s: %d bytes, content equal %v; want %d", p, n, bytes.Equal(buf.Bytes(), data), len(data))
		}
	}

	if err := c.Delete(ctx, "/DCIM/100CANON", "IMG_0001.JPG"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "DCIM/100CANON/IMG_0001.JPG")); !os.IsNotExist(err) {
		t.Errorf("deleted file still on disk: %v", err)
	}
	files, err = c.ListFiles(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("after delete, %d files listed, want 2", len(files))
	}

	st, err := c.StorageInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].CapacityKB == 0 || st[0].AccessReadOnly {
		t.Errorf("storage = %+v, want one read-write store with a capacity", st)
	}

	// The Directory Browse driver has no config and no live view: the
	// errors must say so rather than look like a missing camera.
	if _, err := c.Config(ctx); !errors.Is(err, camera.ErrNotSupported) || !strings.Contains(err.Error(), "nsupported") {
		t.Errorf("Config: %v, want ErrNotSupported with libgphoto2's text", err)
	}
	if err := c.SetConfig(ctx, map[string]string{"iso": "100"}); !errors.Is(err, camera.ErrNotSupported) {
		t.Errorf("SetConfig: %v, want ErrNotSupported", err)
	}
	if _, err := c.CapturePreview(ctx); !errors.Is(err, camera.ErrNotSupported) {
		t.Errorf("CapturePreview: %v, want ErrNotSupported", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.ListFiles(ctx, "/"); err == nil {
		t.Error("ListFiles after Close succeeded")
	}
}

func TestMissingFolder(t *testing.T) {
	c := open(t, t.TempDir())
	defer c.Close()
	if _, err := c.ListFiles(context.Background(), "/DCIM/999NONE"); err == nil {
		t.Fatal("listing a missing folder succeeded")
	}
	if err := c.Delete(context.Background(), "/DCIM", "NOPE.JPG"); err == nil {
		t.Fatal("deleting a missing file succeeded")
	}
}

func TestNoCamera(t *testing.T) {
	// CI has no USB camera: autodetection must say so as ErrNoCamera, the
	// error the wake-and-retry logic keys on.
	d, err := gphoto2.New(gphoto2.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Open(context.Background())
	if err == nil {
		c.Close()
		t.Skip("a real camera is attached to this machine")
	}
	if !errors.Is(err, camera.ErrNoCamera) {
		t.Fatalf("Open with no camera: %v, want ErrNoCamera", err)
	}
	if _, err := gphoto2.New(gphoto2.Options{Port: "nonsense"}); err == nil {
		t.Error("a port without a type was accepted")
	}
	d, _ = gphoto2.New(gphoto2.Options{Port: "disk:/x", Model: "No Such Camera 9000"})
	if _, err := d.Open(context.Background()); err == nil || !strings.Contains(err.Error(), "No Such Camera 9000") {
		t.Errorf("unknown model: %v", err)
	}
}

func TestOpenSpec(t *testing.T) {
	dir, want, _ := card(t)
	d, err := camera.Open("gphoto2:disk:"+dir, paths.New(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "gphoto2" || !strings.HasPrefix(d.LibraryVersion(), "2.") {
		t.Errorf("driver %q version %q", d.Name(), d.LibraryVersion())
	}
	c, err := d.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	files, err := c.ListFiles(context.Background(), "/")
	if err != nil || len(files) != len(want) {
		t.Fatalf("ListFiles = %d files, %v", len(files), err)
	}
}

// cancelWriter cancels the download's context on its first write.
type cancelWriter struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	w.cancel()
	return len(b), nil
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDownloadCancelAndWriteError(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: 16 blocks of the driver's 64 KiB
	if err := os.WriteFile(filepath.Join(dir, "BIG.JPG"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	c := open(t, dir)
	defer c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelWriter{cancel: cancel}
	n, err := c.Download(ctx, "/", "BIG.JPG", w)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled download: %v, want context.Canceled", err)
	}
	if n >= int64(len(big)) || n == 0 {
		t.Errorf("cancelled download wrote %d of %d bytes; want a partial copy", n, len(big))
	}

	if _, err := c.Download(context.Background(), "/", "BIG.JPG", failWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("download into a failing writer: %v", err)
	}
	// The session still works after both.
	var buf bytes.Buffer
	if n, err := c.Download(context.Background(), "/", "BIG.JPG", &buf); err != nil || n != int64(len(big)) {
		t.Fatalf("download after cancel: %d, %v", n, err)
	}
}

func procStat(t testing.TB) (rssKB int64, fds int) {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize()) / 1024, len(ents)
}

// TestNoLeak opens, lists, downloads and closes 200 times; descriptors must
// not grow at all and memory only within a small bound, which a missed
// gp_file_unref or gp_camera_unref (a 1 MiB file or a camera each cycle)
// would blow through.
func TestNoLeak(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte{0xAB}, 1<<20)
	for i := 0; i < 3; i++ {
		if err := os.WriteFile(filepath.Join(dir, "IMG_000"+strconv.Itoa(i)+".JPG"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := gphoto2.New(gphoto2.Options{Port: "disk:" + dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cycle := func() {
		c, err := d.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		files, err := c.ListFiles(ctx, "/")
		if err != nil || len(files) != 3 {
			t.Fatalf("list: %d, %v", len(files), err)
		}
		for _, f := range files {
			if n, err := c.Download(ctx, f.Folder, f.Name, io.Discard); err != nil || n != int64(len(data)) {
				t.Fatalf("download: %d, %v", n, err)
			}
		}
		if _, err := c.StorageInfo(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 20; i++ { // warm up: libltdl, allocator arenas, the race detector's shadow
		cycle()
	}
	runtime.GC()
	rss0, fd0 := procStat(t)
	const cycles = 200
	for i := 0; i < cycles; i++ {
		cycle()
	}
	runtime.GC()
	rss1, fd1 := procStat(t)
	t.Logf("after %d cycles: RSS %d → %d KiB, fds %d → %d", cycles, rss0, rss1, fd0, fd1)
	if fd1 > fd0 {
		t.Errorf("file descriptors grew from %d to %d over %d cycles", fd0, fd1, cycles)
	}
	// 3 MiB downloaded per cycle: a leaked buffer per cycle would add 600 MiB.
	if grow := rss1 - rss0; grow > 24*1024 {
		t.Errorf("RSS grew by %d KiB over %d cycles", grow, cycles)
	}
}
