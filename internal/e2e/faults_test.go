package e2e

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The fault suite: Redis restarted (with and without persistence) and
// frozen, web and worker killed (kill -9) at random points, the disk full.
// After each fault the pages render, no photo is lost, and the heartbeat
// tells the truth: a call that says OK sent exactly one beat that reached
// the receiver, and no beat is claimed that did not.

// faultINI sets heartbeats to rcv and the copy from the camera.
func faultINI(rcv *Receiver, copyExtra string) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\n\n" +
		"[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\n\n" +
		"[Copy]\ncopyday = Off\ncopyhour = 14\n" + copyExtra + "\n" +
		"[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = " + rcv.URL + "/ping\n\n"
}

// beat runs the heartbeat oneshot and checks that it told the truth: exit 0
// exactly when one beat reached the receiver during the call (the receiver
// answers 200 throughout these tests), never more than one beat. It
// returns whether the oneshot said OK, and heartbeat.log.
func beat(t *testing.T, b *Box, rcv *Receiver) (bool, string) {
	t.Helper()
	before := rcv.Count()
	code, out := b.Oneshot("--boot")
	n := rcv.Count() - before
	log := b.ReadFile("heartbeat.log")
	if code == 0 && (n != 1 || !strings.Contains(log, "Status code = 200")) {
		t.Fatalf("heartbeat said OK with %d beats at the receiver:\n%s\n%s", n, out, log)
	}
	if n > 1 {
		t.Fatalf("one heartbeat call sent %d beats:\n%s", n, log)
	}
	return code == 0, log
}

// beatOK is beat that must succeed.
func beatOK(t *testing.T, b *Box, rcv *Receiver) {
	t.Helper()
	if ok, log := beat(t, b, rcv); !ok {
		t.Fatalf("heartbeat failed:\n%s\nweb:\n%s\nworker:\n%s", log, b.Log("web"), b.Log("worker"))
	}
}

// pagesRender checks that every page renders for a logged-in user, and
// returns the Home page.
func pagesRender(t *testing.T, b *Box) string {
	t.Helper()
	c := b.Client()
	b.Login(c)
	var home string
	for _, p := range []string{"/", "/thumbnails", "/camera", "/intervalometer", "/transfer", "/thermal", "/monitoring", "/system", "/iniview", "/network"} {
		resp, err := c.Get("http://" + b.UIAddr + p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		body := readAll(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="taskRow"`) {
			t.Fatalf("%s: %d\n%s", p, resp.StatusCode, body)
		}
		if p == "/" {
			home = body
		}
	}
	return home
}

// copyWaits asks /copyNow?wait= as the boot chain does and checks that its
// 200 means the copy had finished: every photo of the card on the Pi.
func copyWaits(t *testing.T, b *Box) {
	t.Helper()
	p := paths.New(b.Home)
	card := cardFiles(t, p)
	resp, err := http.Get(b.LocalURL + "/copyNow?wait=60")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	onPi := piFiles(t, p)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/copyNow?wait=60: %d %s", resp.StatusCode, body)
	}
	for name, sum := range card {
		if onPi[name] != sum {
			t.Fatalf("/copyNow?wait=60 answered %q before %s was on the Pi", body, name)
		}
	}
}

// A new task's status is known, not "not known", and the button works.
func heartbeatButton(t *testing.T, b *Box, rcv *Receiver) {
	t.Helper()
	c := b.Client()
	b.Login(c)
	before := rcv.Count()
	resp, body := b.PostTask(c, "/monHbNow")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Heartbeat now: %d %s", resp.StatusCode, body)
	}
	v := follow(t, c, "http://"+b.UIAddr, resp.Header.Get("Location"))
	if v.State != "SUCCESS" || !strings.Contains(v.Status, "Heartbeat sent OK") || rcv.Count()-before != 1 {
		t.Fatalf("Heartbeat now: %+v, %d beats", v, rcv.Count()-before)
	}
}

// Redis restarts under the running web server and worker: a crash (kill -9)
// and a clean restart, with no persistence and with Debian's RDB snapshots
// (where the crash brings back the older state of the last snapshot).
func TestFaultRedisRestart(t *testing.T) {
	for _, persist := range []bool{false, true} {
		name := map[bool]string{false: "no persistence", true: "Debian RDB snapshots"}[persist]
		t.Run(name, func(t *testing.T) {
			rcv := NewReceiver(t)
			var r *testutil.Redis
			if persist {
				r = testutil.StartRedisPersistent(t)
			}
			b := StartBoxWith(t, BoxOptions{Redis: r}, faultINI(rcv, "deleteaftercopy = Off\n"))
			p := paths.New(b.Home)
			start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local)
			if err := camsim.SeedCard(p, 4, start, time.Minute); err != nil {
				t.Fatal(err)
			}
			beatOK(t, b, rcv)
			copyWaits(t, b)
			for i, restart := range []struct {
				how string
				do  func(testing.TB)
			}{{"clean restart", b.Redis.RestartClean}, {"crash", b.Redis.Restart}} {
				restart.do(t)
				b.WaitWorker(true)
				beatOK(t, b, rcv)
				heartbeatButton(t, b, rcv)
				if err := camsim.SeedCard(p, 3, start.Add(time.Duration(i+1)*time.Hour), time.Minute); err != nil {
					t.Fatal(err)
				}
				copyWaits(t, b)
				pagesRender(t, b)
				t.Logf("after the %s: heartbeat, button, copy wait and pages right", restart.how)
			}
		})
	}
}

// A frozen Redis (SIGSTOP): the heartbeat says it failed, within the
// oneshot's wait, whether Redis froze before the call or while the beat was
// on its way; it works again once Redis goes on (SIGCONT).
func TestFaultRedisFrozen(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, faultINI(rcv, ""))
	beatOK(t, b, rcv)

	b.Redis.Freeze()
	ok, log := beat(t, b, rcv)
	b.Redis.Thaw()
	if ok || !strings.Contains(log, "Redis (the task queue) is not answering") {
		t.Fatalf("heartbeat with Redis frozen before the call:\n%s", log)
	}
	b.WaitWorker(true)
	beatOK(t, b, rcv)

	// Frozen while the beat is at the receiver: it reached the receiver, but
	// the box cannot learn so from a frozen Redis, and must not claim it.
	freeze := func() { b.Redis.Freeze() }
	rcv.onGet.Store(&freeze)
	ok, log = beat(t, b, rcv)
	rcv.onGet.Store(nil)
	b.Redis.Thaw()
	if ok || !strings.Contains(log, "Redis (the task queue) is not answering") {
		t.Fatalf("heartbeat with Redis frozen during the beat:\n%s", log)
	}
	b.WaitWorker(true)
	before := rcv.Count()
	beatOK(t, b, rcv)
	if rcv.Count() != before+1 {
		t.Fatal("a beat went out late after Redis went on")
	}
	pagesRender(t, b)
}

// With Redis down, the pages and buttons name Redis, not the worker. Logins
// live in Redis, so a logged-in page cannot be checked: it answers 503 and
// says why, rather than sending the owner back to the login page.
func TestFaultRedisDownNamed(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, faultINI(rcv, ""))
	c := b.Client()
	b.Login(c)
	resp, err := c.Get("http://" + b.UIAddr + "/monitoring")
	if err != nil {
		t.Fatal(err)
	}
	token := csrfField.FindStringSubmatch(readAll(resp))
	if token == nil {
		t.Fatal("no CSRF token on the page")
	}
	b.Redis.Stop()
	defer b.Redis.Restart(t)
	if resp, err = c.Get("http://" + b.UIAddr + "/monitoring"); err != nil {
		t.Fatal(err)
	}
	page := readAll(resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "Redis is not answering") ||
		strings.Contains(page, "worker") || strings.Contains(page, `name="password"`) {
		t.Fatalf("page with Redis down: %d\n%s", resp.StatusCode, page)
	}
	for _, path := range []string{"/monHbNow", "/trnCopyNow"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+b.UIAddr+path, nil)
		req.Header.Set("X-CSRF-Token", token[1])
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Redis") || strings.Contains(body, "worker") {
			t.Errorf("%s with Redis down: %d %s", path, resp.StatusCode, body)
		}
	}
}

// killINI: copies delete from the card, the upload follows each copy (FTP
// to ftp), heartbeats go to rcv.
func killINI(ftp *testutil.FTP, rcv *Receiver) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\nwakepihour = 25\n\n" +
		"[Transfer]\ntfrmethod = FTP\nftpserver = " + ftp.Addr + "\nftpuser = " + ftp.User + "\nftppassword = " + strings.ReplaceAll(ftp.Password, "%", "%%") +
		"\nftpremotefolder = /site1/\ndeleteaftertransfer = Off\ntransferday = afterCopy\ntransferhour = 00\n\n" +
		"[Copy]\ncopyday = Off\ncopyhour = 14\ndeleteaftercopy = On\n\n" +
		"[Monitoring]\nheartbeatfrequency = 5\nheartbeaturl = " + rcv.URL + "/ping\n\n"
}

// photosAccounted checks that each photo the camera took (original) is
// still on the card or whole on the Pi, and returns the Pi's photos.
func photosAccounted(t *testing.T, p paths.Paths, original map[string][32]byte, when string) map[string][32]byte {
	t.Helper()
	onCard, onPi := cardFiles(t, p), piFiles(t, p)
	for name, sum := range original {
		if _, ok := onCard[name]; !ok && onPi[name] != sum {
			t.Fatalf("%s: %s lost: deleted from the card, not whole on the Pi", when, name)
		}
	}
	return onPi
}

// envInt reads a tuning knob of the fault suite from the environment.
func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// Web and worker killed (kill -9) at random points of a heartbeat, of a
// copy (with its upload and thumbnails) and of an upload. The seed is
// logged: INTVLM8R_FAULT_SEED=<seed> replays a run, INTVLM8R_FAULT_ROUNDS
// runs more rounds than the default few.
func TestFaultKills(t *testing.T) {
	seed := envInt("INTVLM8R_FAULT_SEED", time.Now().UnixNano())
	rounds := int(envInt("INTVLM8R_FAULT_ROUNDS", 4))
	t.Logf("seed %d, %d rounds (INTVLM8R_FAULT_SEED=%d replays it)", seed, rounds, seed)
	rng := rand.New(rand.NewSource(seed))

	rcv := NewReceiver(t)
	ftp := testutil.StartFTPLimited(t, 256<<10) // about 0.3 s a photo: time to kill an upload midway
	b := StartBox(t, killINI(ftp, rcv))
	p := paths.New(b.Home)
	original := map[string][32]byte{} // every photo ever taken
	shot := time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local)
	takePhotos := func(n int) {
		if err := camsim.SeedCard(p, n, shot, time.Minute); err != nil {
			t.Fatal(err)
		}
		shot = shot.Add(time.Hour)
		for name, sum := range cardFiles(t, p) {
			original[name] = sum
		}
	}
	// accounted: each photo is on the card or whole on the Pi, and nothing
	// else is on the Pi or on the server than those photos.
	accounted := func(when string) {
		t.Helper()
		onPi := photosAccounted(t, p, original, when)
		for name := range onPi {
			if _, ok := original[name]; !ok {
				t.Fatalf("%s: %s on the Pi is no photo the camera took", when, name)
			}
		}
		for name := range ftpFiles(t, ftp, "site1/DCIM") {
			if _, ok := original[name]; !ok {
				t.Fatalf("%s: %s on the server is no photo the camera took", when, name)
			}
		}
	}
	// local calls the local endpoint as the oneshots do, until it stops
	// refusing because the killed worker's task still shows (409/503).
	local := func(path string) (int, string) {
		deadline := time.Now().Add(30 * time.Second)
		refused := ""
		for {
			resp, err := http.Get(b.LocalURL + path)
			if err != nil {
				return 0, refused + err.Error()
			}
			body := readAll(resp)
			if (resp.StatusCode != http.StatusConflict && resp.StatusCode != http.StatusServiceUnavailable) || time.Now().After(deadline) {
				return resp.StatusCode, refused + body
			}
			if refused == "" {
				refused = fmt.Sprintf("(first refused %d %s) ", resp.StatusCode, strings.TrimSpace(body))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	piShot := 0
	takePhotos(4)
	beatOK(t, b, rcv)
	ops := []string{"heartbeat", "copy", "upload"}
	for round := 1; round <= rounds; round++ {
		op, victim := ops[rng.Intn(len(ops))], []string{"web", "worker"}[rng.Intn(2)]
		delay := time.Duration(rng.Intn(map[string]int{"heartbeat": 150, "copy": 1000, "upload": 400}[op])) * time.Millisecond
		when := fmt.Sprintf("round %d (%s killed %s into a %s)", round, victim, delay, op)
		if op == "copy" {
			takePhotos(5)
		}
		if op == "upload" { // new photos on the Pi, for the upload to send
			dir := filepath.Join(p.PhotosDCIM(), "200PI")
			os.MkdirAll(dir, 0o755)
			for i := 0; i < 4; i++ {
				piShot++
				name := fmt.Sprintf("PI_%04d.JPG", piShot)
				data := testJPEG(t, piShot)
				if err := fileutil.WriteAtomic(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
				original["200PI/"+name] = sha256.Sum256(data)
			}
		}
		type outcome struct {
			code  int // the heartbeat oneshot's exit code, else the HTTP status (0: no answer)
			body  string
			beats int
			took  time.Duration
		}
		done := make(chan outcome, 1)
		go func() {
			began := time.Now()
			var o outcome
			switch op {
			case "heartbeat":
				before := rcv.Count()
				code, out := b.Oneshot("--boot")
				o = outcome{code: code, body: b.ReadFile("heartbeat.log") + out, beats: rcv.Count() - before}
			case "copy":
				o.code, o.body = local("/copyNow?wait=8")
			case "upload":
				o.code, o.body = local("/trnTrNow?wait=8")
			}
			o.took = time.Since(began)
			done <- o
		}()
		time.Sleep(delay)
		proc := map[string]*exec.Cmd{"web": b.web, "worker": b.worker}[victim]
		proc.Process.Signal(syscall.SIGKILL)
		proc.Wait()
		o := <-done
		t.Logf("%s: answered %d after %s: %q", when, o.code, o.took.Round(time.Millisecond), strings.ReplaceAll(strings.TrimSpace(o.body), "\n", " | "))
		switch {
		case op == "heartbeat" && o.code == 0 && o.beats != 1:
			t.Fatalf("%s: heartbeat said OK with %d beats at the receiver:\n%s", when, o.beats, o.body)
		case op == "heartbeat" && o.beats > 1:
			t.Fatalf("%s: one heartbeat call sent %d beats", when, o.beats)
		case op == "copy" && o.code == http.StatusOK && len(cardFiles(t, p)) != 0:
			t.Fatalf("%s: /copyNow said the copy was done with photos left on the card: %s", when, o.body)
		case op == "upload" && o.code == http.StatusOK && len(ftpFiles(t, ftp, "site1/DCIM")) != len(piFiles(t, p)):
			t.Fatalf("%s: /trnTrNow said OK with %d of %d photos on the server: %s", when, len(ftpFiles(t, ftp, "site1/DCIM")), len(piFiles(t, p)), o.body)
		}
		accounted(when)
		if victim == "web" {
			b.StartWeb()
		} else {
			b.StartWorker()
			b.WaitWorker(true)
		}
	}

	// After the faults, one clean run of each finishes the job.
	if code, body := local("/copyNow?wait=60"); code != http.StatusOK {
		t.Fatalf("clean copy: %d %s", code, body)
	}
	if code, body := local("/trnTrNow?wait=60"); code != http.StatusOK {
		t.Fatalf("clean upload: %d %s", code, body)
	}
	accounted("after the clean runs")
	onPi, onServer := piFiles(t, p), ftpFiles(t, ftp, "site1/DCIM")
	if len(cardFiles(t, p)) != 0 || len(onPi) != len(original) {
		t.Fatalf("after the clean runs: %d on the card, %d of %d on the Pi", len(cardFiles(t, p)), len(onPi), len(original))
	}
	for name, sum := range onPi {
		if onPi[name] != original[name] || onServer[name] != sum {
			t.Fatalf("after the clean runs: %s differs or is missing on the Pi or the server", name)
		}
	}
	beatOK(t, b, rcv)
	pagesRender(t, b)
}

// testJPEG is a small photo of its own colour, for photos taken on the Pi.
func testJPEG(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{uint8(n * 37), uint8(n * 91), uint8(n * 13), 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// smallDisk mounts a tmpfs of 64 MB on a new empty folder inside a private
// mount namespace (never the host's mounts), held by a sleeping process, and
// another on its simDir: the simulated camera's card, which on a box is in
// the camera, not on the Pi's disk. It
// returns the folder as the namespace sees it, the same folder as the test
// reads it (through /proc/PID/root), the command prefix that runs a program
// in the namespace, and resize, which remounts the tmpfs at a new size.
func smallDisk(t *testing.T, simDir string) (dir, view string, wrap []string, resize func(bytes int64)) {
	t.Helper()
	testutil.NeedRoot(t, "mounting a small file system needs root (make test runs as root)")
	dir = t.TempDir()
	holder := exec.Command("unshare", "--mount", "--propagation", "private", "--",
		"sh", "-c", `mount -t tmpfs -o size=64m,mode=0755 tmpfs "$1" && mkdir -p "$1/$2" && mount -t tmpfs -o size=64m tmpfs "$1/$2" &&
			echo mounted && exec sleep 3600`, "sh", dir, simDir)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	holder.Stderr = os.Stderr
	if err := holder.Start(); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() }) // the namespace and its tmpfs go with it
	line := make([]byte, 8)
	if n, _ := out.Read(line); string(line[:n]) != "mounted\n" {
		t.Fatalf("the tmpfs was not mounted (%q)", line[:n])
	}
	pid := strconv.Itoa(holder.Process.Pid)
	wrap = []string{"nsenter", "--target", pid, "--mount", "--"}
	resize = func(bytes int64) {
		t.Helper()
		args := append(wrap[1:len(wrap):len(wrap)], "mount", "-o", "remount,size="+strconv.FormatInt(bytes, 10), dir)
		if out, err := exec.Command(wrap[0], args...).CombinedOutput(); err != nil {
			t.Fatalf("resize the tmpfs: %v %s", err, out)
		}
	}
	return dir, "/proc/" + pid + "/root" + dir, wrap, resize
}

// The disk fills during a copy that deletes from the card: the copy stops
// short, no photo is lost, the pages render, the heartbeat tells the truth;
// once there is room again the copy finishes.
func TestFaultDiskFull(t *testing.T) {
	dir, view, wrap, resize := smallDisk(t, ".intvlm8r/sim")
	rcv := NewReceiver(t)
	b := StartBoxWith(t, BoxOptions{Home: view, ProcHome: dir, Wrap: wrap}, faultINI(rcv, "deleteaftercopy = On\n"))
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, 12, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}
	original := cardFiles(t, p)
	var st syscall.Statfs_t
	if err := syscall.Statfs(view, &st); err != nil {
		t.Fatal(err)
	}
	if st.Type != 0x01021994 { // TMPFS_MAGIC: the test reads the namespace's tmpfs
		t.Fatalf("%s is not the tmpfs (type %x)", view, st.Type)
	}
	used := int64(st.Blocks-st.Bfree) * st.Bsize
	// Room for the copy's reserve and about three of the twelve photos.
	resize(used + photos.DefaultReserve + 3*80<<10)
	accounted := func(when string) {
		t.Helper()
		onPi := photosAccounted(t, p, original, when)
		t.Logf("%s: %d on the card, %d on the Pi", when, len(cardFiles(t, p)), len(onPi))
	}
	copyStops := func(when string) {
		t.Helper()
		resp, err := http.Get(b.LocalURL + "/copyNow?wait=60")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		t.Logf("copy, %s: %d %s", when, resp.StatusCode, strings.TrimSpace(body))
		if !strings.Contains(body, "Out of drive space") {
			t.Fatalf("copy, %s, does not say the drive is full: %d %s", when, resp.StatusCode, body)
		}
		accounted(when)
		if len(cardFiles(t, p)) == 0 {
			t.Fatalf("copy, %s: all twelve photos fitted", when)
		}
		pagesRender(t, b)
		beat(t, b, rcv)
	}
	copyStops("the disk filling up")

	// Then the disk full to the last byte.
	junk, err := os.Create(filepath.Join(view, "junk"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for err == nil {
		_, err = junk.Write(chunk)
	}
	junk.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: %v", err)
	}
	copyStops("the disk full")
	os.Remove(filepath.Join(view, "junk"))

	resize(64 << 20)
	copyWaits(t, b)
	accounted("room again")
	if n := len(piFiles(t, p)); n != len(original) || len(cardFiles(t, p)) != 0 {
		t.Fatalf("after the copy with room: %d of %d on the Pi", n, len(original))
	}
	beatOK(t, b, rcv)
	pagesRender(t, b)
}
