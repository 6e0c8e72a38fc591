package e2e

import (
	"crypto/sha256"
	"io/fs"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func copyINI(extra string) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\n\n" +
		"[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\n\n" +
		"[Copy]\ncopyday = Off\ncopyhour = 14\n" + extra + "\n"
}

// cardFiles maps each photo on the simulated camera's card (name below its
// DCIM folder) to the hash of its bytes.
func cardFiles(t testing.TB, p paths.Paths) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	filepath.WalkDir(p.SimCard(), func(fp string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		i := strings.Index(fp, "/DCIM/")
		if i < 0 {
			return nil
		}
		data, err := os.ReadFile(fp)
		if err == nil {
			out[fp[i+len("/DCIM/"):]] = sha256.Sum256(data)
		}
		return nil
	})
	return out
}

// piFiles does the same for the Pi's ~/photos/DCIM, skipping hidden files.
func piFiles(t testing.TB, p paths.Paths) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	filepath.WalkDir(p.PhotosDCIM(), func(fp string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(p.PhotosDCIM(), fp)
		data, err := os.ReadFile(fp)
		if err == nil {
			out[filepath.ToSlash(rel)] = sha256.Sum256(data)
		}
		return nil
	})
	return out
}

func (b *Box) cameraTransfer(args ...string) (int, string) {
	return b.RunOneshot("cameratransfer", args...)
}

func TestCopyFromCameraChain(t *testing.T) {
	b := StartBox(t, copyINI(""))
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, 12, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}
	card := cardFiles(t, p)
	if len(card) != 12 {
		t.Fatalf("seeded card has %d files", len(card))
	}

	// Not due by the clock (copyday Off), no boot flag: nothing happens.
	if code, out := b.cameraTransfer(); code != 0 {
		t.Fatalf("not-due run: %d %s", code, out)
	}
	if n := len(piFiles(t, p)); n != 0 {
		t.Fatalf("a not-due run copied %d photos", n)
	}

	// copyNow: the camera is asleep; the copy wakes it through the simulated
	// Arduino, copies, then makes thumbnails. --wait returns at the end.
	code, out := b.cameraTransfer("--wait", "2m", "copyNow")
	if code != 0 {
		t.Fatalf("copyNow: %d %s\n%s\n%s", code, out, b.ReadFile("cameraTransfer.log"), b.Log("worker"))
	}
	log := b.ReadFile("cameraTransfer.log")
	if !strings.Contains(log, "thumbnail images OK") {
		t.Fatalf("the chain did not end with the thumbnails:\n%s", log)
	}
	got := piFiles(t, p)
	if len(got) != len(card) {
		t.Fatalf("Pi has %d photos, camera %d", len(got), len(card))
	}
	for name, sum := range card {
		if got[name] != sum {
			t.Errorf("%s differs on the Pi", name)
		}
	}
	thumbs, _ := filepath.Glob(filepath.Join(b.Home, "thumbs", "DCIM", "*", "*-thumb.JPG"))
	if len(thumbs) != 12 {
		t.Errorf("%d thumbnails, want 12", len(thumbs))
	}
	if info := b.ReadFile("thumbs/piThumbsInfo.txt"); strings.Count(info, "\n") < 12 || !strings.Contains(info, "&bull;") {
		t.Errorf("piThumbsInfo.txt:\n%s", info)
	}
	if arch := b.ReadFile("photos/piPhotoRename.txt"); strings.Count(arch, "\n") != 12 {
		t.Errorf("rename archive:\n%s", arch)
	}

	// A second copy copies nothing.
	if code, out := b.cameraTransfer("--wait", "2m", "copyNow"); code != 0 {
		t.Fatalf("second copyNow: %d %s", code, out)
	}
	if log := b.ReadFile("cameraTransfer.log"); !strings.Contains(log, "no new images") {
		t.Fatalf("second copy:\n%s", log)
	}

	// Camera USB off: the oneshot does nothing, the endpoint refuses.
	b.WriteINI(strings.Replace(copyINI(""), "enablecamerausb = True", "enablecamerausb = False", 1))
	if code, _ := b.cameraTransfer("copyNow"); code != 0 {
		t.Fatal("USB off should be a quiet no-op")
	}
	if log := b.ReadFile("cameraTransfer.log"); !strings.Contains(log, "camera USB is switched off") {
		t.Fatalf("log:\n%s", log)
	}
}

func TestPhotoPagesAndFiles(t *testing.T) {
	b := StartBox(t, copyINI(""))
	p := paths.New(b.Home)
	camsim.SeedCard(p, 3, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute)
	if code, out := b.cameraTransfer("--wait", "2m", "copyNow"); code != 0 {
		t.Fatalf("copy: %d %s", code, out)
	}
	base := "http://" + b.UIAddr
	anon := b.Client()
	c := b.Client()
	b.Login(c)

	// Home: the Arduino, camera and Pi blocks, the newest image.
	resp, _ := c.Get(base + "/")
	home := readAll(resp)
	for _, want := range []string{`id="dateTime"`, `id="piImages">3<`, `id="lastImage"`, "/thumbs/DCIM/100CANON/"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if !strings.Contains(home, `id="cameraImages">3<`) && !strings.Contains(home, `id="cameraDown"`) {
		t.Errorf("home page has neither camera figures nor a camera notice")
	}

	// Thumbnails: three tiles, their captions, their files.
	resp, _ = c.Get(base + "/thumbnails")
	page := readAll(resp)
	if n := strings.Count(page, `class="tile"`); n != 3 {
		t.Fatalf("%d tiles", n)
	}
	if !strings.Contains(page, "•") || strings.Contains(page, "&amp;bull;") {
		t.Errorf("captions not decoded:\n%s", page)
	}
	thumbs, _ := filepath.Glob(filepath.Join(b.Home, "thumbs", "DCIM", "100CANON", "*-thumb.JPG"))
	if len(thumbs) == 0 {
		t.Fatal("no thumbnails")
	}
	thumbURL := base + "/thumbs/DCIM/100CANON/" + filepath.Base(thumbs[0])
	resp, _ = c.Get(thumbURL)
	body := readAll(resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "\xff\xd8") {
		t.Fatalf("thumbnail: %d", resp.StatusCode)
	}
	// Logged out: no photo, thumbnail or preview.
	for _, u := range []string{thumbURL, base + "/photos/DCIM/100CANON/IMG_0001.JPG", base + "/preview/intvlm8r-preview.jpg"} {
		resp, _ = anon.Get(u)
		readAll(resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("logged out GET %s: %d", u, resp.StatusCode)
		}
	}
	// No way out of the folders: "..", encoded or not, and symlinks.
	os.Symlink(filepath.Join(b.Home, "www"), filepath.Join(b.Home, "photos", "escape"))
	for _, u := range []string{"/photos/../www/intvlm8r.ini", "/photos/%2e%2e/www/intvlm8r.ini", "/photos/escape/intvlm8r.ini", "/thumbs/..%2f..%2fwww/intvlm8r.users"} {
		req, _ := http.NewRequest(http.MethodGet, base+u, nil)
		req.URL.RawPath = u
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		if resp.StatusCode == 200 || strings.Contains(body, "[Global]") || strings.Contains(body, "$2") {
			t.Errorf("GET %s escaped its folder: %d", u, resp.StatusCode)
		}
	}

	// The camera page: settings of the simulated Canon, and Apply changes one.
	resp, _ = c.Get(base + "/camera")
	cam := readAll(resp)
	tok := csrfField.FindStringSubmatch(cam)
	if tok == nil || !strings.Contains(cam, `name="iso"`) {
		t.Fatalf("camera page:\n%s", cam)
	}
	resp, _ = c.PostForm(base+"/camera", url.Values{"_csrf": {tok[1]}, "enableCameraUsb": {"on"}, "cameraUsbToggled": {"false"},
		"cameraMfr": {"Canon"}, "camApply": {"apply"}, "iso": {"800"}})
	readAll(resp)
	resp, _ = c.Get(base + "/camera")
	cam = readAll(resp)
	if !strings.Contains(cam, `<option value="800" selected>`) {
		t.Errorf("ISO 800 not applied:\n%s", cam)
	}

	// A busy camera: the page says so at once instead of waiting.
	lock, err := fileutil.LockExclusive(p.CameraLock())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, _ = c.Get(base + "/")
	home = readAll(resp)
	lock.Unlock()
	if !strings.Contains(home, "Camera busy") {
		t.Errorf("busy camera not reported:\n%s", home)
	}
	if time.Since(start) > 5*time.Second {
		t.Logf("home page with a busy camera took %s", time.Since(start))
	}
}

// Kill the worker at random moments of a copy of 200 photos with
// deleteaftercopy on, restart it and copy again, 20 times: every photo ends
// up on the Pi exactly once and intact, none leaves the camera without it.
func TestCopySurvivesKilledWorker(t *testing.T) {
	b := StartBox(t, copyINI("deleteaftercopy = On\n"))
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, 200, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	original := cardFiles(t, p)
	if len(original) != 200 {
		t.Fatalf("seeded %d", len(original))
	}
	check := func(round int) {
		t.Helper()
		onCard, onPi := cardFiles(t, p), piFiles(t, p)
		t.Logf("round %d: %d on the camera, %d on the Pi", round, len(onCard), len(onPi))
		for name, sum := range original {
			inPi, okPi := onPi[name]
			_, okCard := onCard[name]
			if !okCard && !okPi {
				t.Fatalf("round %d: %s lost: neither on the camera nor on the Pi", round, name)
			}
			if okPi && inPi != sum && !okCard {
				t.Fatalf("round %d: %s deleted from the camera but its Pi copy is damaged", round, name)
			}
		}
		for name := range onPi {
			if _, ok := original[name]; !ok {
				t.Fatalf("round %d: unexpected %s on the Pi (a duplicate?)", round, name)
			}
		}
	}
	rng := rand.New(rand.NewSource(42))
	for round := 1; round <= 20; round++ {
		// Start the copy (retrying while the killed worker's entry expires).
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(b.LocalURL + "/copyNow")
			if err == nil {
				body := readAll(resp)
				if resp.StatusCode == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("round %d: /copyNow %d %s", round, resp.StatusCode, body)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		// Kill once a few more photos have landed, plus a random instant, so
		// the kills fall at every step of a photo's copy.
		target := min(len(piFiles(t, p))+1+rng.Intn(12), 199)
		killBy := time.Now().Add(20 * time.Second)
		for countPhotos(p) < target && time.Now().Before(killBy) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.Intn(4000)) * time.Microsecond)
		b.worker.Process.Signal(syscall.SIGKILL)
		b.worker.Wait()
		check(round)
		b.StartWorker()
		b.WaitWorker(true)
	}
	// A clean run finishes the job.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(b.LocalURL + "/copyNow?wait=120")
		if err == nil {
			body := readAll(resp)
			if resp.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("clean run: %d %s", resp.StatusCode, body)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	check(99)
	onPi, onCard := piFiles(t, p), cardFiles(t, p)
	if len(onPi) != 200 || len(onCard) != 0 {
		t.Fatalf("after the clean run: %d on the Pi, %d left on the camera", len(onPi), len(onCard))
	}
	for name, sum := range original {
		if onPi[name] != sum {
			t.Fatalf("%s damaged", name)
		}
	}
	arch := b.ReadFile("photos/piPhotoRename.txt")
	if n := strings.Count(arch, "\n"); n != 200 {
		t.Fatalf("archive has %d lines, want 200", n)
	}
}

// countPhotos counts the finished photos on the Pi, cheaply (no hashing).
func countPhotos(p paths.Paths) int {
	n := 0
	subs, _ := os.ReadDir(p.PhotosDCIM())
	for _, sub := range subs {
		files, _ := os.ReadDir(filepath.Join(p.PhotosDCIM(), sub.Name()))
		for _, f := range files {
			if !strings.HasPrefix(f.Name(), ".") {
				n++
			}
		}
	}
	return n
}

// The pages with the camera asleep, absent, and as a Nikon.
func TestCameraStates(t *testing.T) {
	get := func(b *Box, c *http.Client, path string) string {
		t.Helper()
		resp, err := c.Get("http://" + b.UIAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return body
	}
	t.Run("asleep, then woken", func(t *testing.T) {
		b := StartBox(t, copyINI(""))
		c := b.Client()
		b.Login(c)
		start := time.Now()
		home := get(b, c, "/")
		if !strings.Contains(home, "Camera asleep or not connected") || !strings.Contains(home, `name="wakeCamera"`) {
			t.Fatalf("asleep camera:\n%s", home)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the page waited %s for a sleeping camera", d)
		}
		// The page sent a wake: the next load finds the camera.
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(home, `id="cameraImages"`) && time.Now().Before(deadline) {
			time.Sleep(300 * time.Millisecond)
			home = get(b, c, "/")
		}
		if !strings.Contains(home, `id="cameraImages"`) {
			t.Fatalf("camera never woke:\n%s", home)
		}
	})
	t.Run("absent (libgphoto2, no camera)", func(t *testing.T) {
		b := StartBox(t, copyINI(""), "INTVLM8R_CAMERA=gphoto2:usb:")
		c := b.Client()
		b.Login(c)
		for _, page := range []string{"/", "/camera"} {
			body := get(b, c, page)
			if !strings.Contains(body, "asleep or not connected") || !strings.Contains(body, `name="wakeCamera"`) {
				t.Errorf("%s with no camera:\n%s", page, body)
			}
		}
	})
	t.Run("Nikon profile", func(t *testing.T) {
		b := StartBox(t, copyINI(""), "INTVLM8R_CAMERA=sim:nikon,awake")
		c := b.Client()
		b.Login(c)
		cam := get(b, c, "/camera")
		for _, want := range []string{`name="cameraMfr" value="Nikon"`, `name="img"`, `name="aperture"`, "D7200"} {
			if !strings.Contains(cam, want) {
				t.Errorf("Nikon camera page lacks %s", want)
			}
		}
	})
	t.Run("USB off", func(t *testing.T) {
		b := StartBox(t, strings.Replace(copyINI(""), "enablecamerausb = True", "enablecamerausb = False", 1))
		c := b.Client()
		b.Login(c)
		if home := get(b, c, "/"); !strings.Contains(home, `id="usbOff"`) {
			t.Errorf("home with USB off:\n%s", home)
		}
		if cam := get(b, c, "/camera"); strings.Contains(cam, `id="cameraInfo"`) || !strings.Contains(cam, `id="enableCameraUsb"`) {
			t.Errorf("camera page with USB off:\n%s", cam)
		}
	})
}

// A USB Arduino unplugged at boot: everything starts, pages say Unknown.
func TestArduinoUnplugged(t *testing.T) {
	b := StartBox(t, copyINI(""), "INTVLM8R_ARDUINO=serial:/dev/ttyUSB-not-there")
	c := b.Client()
	b.Login(c)
	for _, page := range []string{"/", "/intervalometer", "/thermal", "/system"} {
		resp, err := c.Get("http://" + b.UIAddr + page)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "Unknown") || !strings.Contains(body, "not answering") {
			t.Errorf("%s with no Arduino: %d\n%s", page, resp.StatusCode, body)
		}
	}
}
