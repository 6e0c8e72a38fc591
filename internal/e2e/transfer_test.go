package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// files maps each file below dir to its hash.
func ftpFiles(t *testing.T, s *testutil.FTP, sub string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	dir := filepath.Join(s.Root, sub)
	filepath.WalkDir(dir, func(fp string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, fp)
		data, _ := os.ReadFile(fp)
		out[filepath.ToSlash(rel)] = sha256.Sum256(data)
		return nil
	})
	return out
}

// transferINI configures FTP uploads to s, with the given schedule lines.
func transferINI(s *testutil.FTP, method, schedule string) string {
	return "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\nwakepihour = 25\n\n" +
		"[Transfer]\ntfrmethod = " + method + "\nftpserver = " + s.Addr + "\nftpuser = " + s.User + "\nftppassword = " + strings.ReplaceAll(s.Password, "%", "%%") +
		"\nftpremotefolder = /site1/\ndeleteaftertransfer = Off\n" + schedule + "\n" +
		"[Copy]\ncopyday = Off\ncopyhour = 14\ndeleteaftercopy = Off\n"
}

// piPhotos writes n photos into ~/photos/DCIM/100CANON and returns their hashes.
func piPhotos(t *testing.T, p paths.Paths, first, n int) map[string][32]byte {
	t.Helper()
	dir := filepath.Join(p.PhotosDCIM(), "100CANON")
	os.MkdirAll(dir, 0o755)
	out := map[string][32]byte{}
	for i := first; i < first+n; i++ {
		name := fmt.Sprintf("IMG_%04d.JPG", i)
		data := []byte(strings.Repeat(fmt.Sprintf("photo %d ", i), 2000+i))
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		out["DCIM/100CANON/"+name] = sha256.Sum256(data)
	}
	return out
}

func (b *Box) piTransfer(args ...string) (int, string) { return b.RunOneshot("pitransfer", args...) }

func lastTransferStatus(t *testing.T, b *Box) string {
	t.Helper()
	_, text, _, err := transfer.LastStatus(paths.New(b.Home))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

type statusView struct {
	State  string `json:"state"`
	Status string `json:"status"`
	Colour string `json:"statusColour"`
	Next   string `json:"next"`
}

// follow polls /backgroundStatus like the page script until the task ends.
func follow(t *testing.T, c *http.Client, base, location string) statusView {
	t.Helper()
	v, _ := followSeeing(t, c, base, location)
	return v
}

// followSeeing polls a task to its end and also returns every status it showed.
func followSeeing(t *testing.T, c *http.Client, base, location string) (statusView, map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	seen := map[string]bool{}
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, base+location, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v statusView
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		seen[v.Status] = true
		if v.State != "PENDING" && v.State != "PROGRESS" {
			return v, seen
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("task %s did not finish; saw %v", location, seen)
	return statusView{}, seen
}

// Over a slow link the page's status line counts the uploads.
func TestTransferProgress(t *testing.T) {
	ftp := testutil.StartFTPLimited(t, 64<<10) // 64 KB/s: about two seconds a photo
	b := StartBox(t, transferINI(ftp, "FTP", "transferday = Daily\ntransferhour = 03\n"))
	// The server throttles between reads: photos of many reads' size.
	dir := filepath.Join(paths.New(b.Home).PhotosDCIM(), "100CANON")
	os.MkdirAll(dir, 0o755)
	for i := 1; i <= 3; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IMG_%04d.JPG", i)), bytes.Repeat([]byte{byte(i)}, 128<<10), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := "http://" + b.UIAddr
	c := b.Client()
	b.Login(c)
	resp, _ := b.PostTask(c, "/trnTrNow")
	v, seen := followSeeing(t, c, base, resp.Header.Get("Location"))
	if v.Status != "3 of 3 files uploaded OK" {
		t.Fatalf("final status %+v", v)
	}
	// Polling catches what it catches (the last photo may go between two
	// polls): at least the first upload's count, and only counts of 3.
	progress := 0
	for st := range seen {
		var i, n int
		if _, err := fmt.Sscanf(st, "Uploading %d of %d", &i, &n); err == nil {
			if n != 3 || i < 1 || i > 3 {
				t.Errorf("bad progress %q", st)
			}
			progress++
		}
	}
	if !seen["Uploading 1 of 3"] || progress == 0 {
		t.Errorf("the status line never counted the uploads (saw %v)", seen)
	}
}

func TestTransferNowUploadsToFTP(t *testing.T) {
	ftp := testutil.StartFTP(t)
	b := StartBox(t, transferINI(ftp, "FTP", "transferday = Daily\ntransferhour = 03\n"))
	p := paths.New(b.Home)
	want := piPhotos(t, p, 1, 8)
	base := "http://" + b.UIAddr
	c := b.Client()
	b.Login(c)

	// The page shows the settings but never the password.
	resp, _ := c.Get(base + "/transfer")
	page := readAll(resp)
	if !strings.Contains(page, `value="`+ftp.Addr+`"`) || !strings.Contains(page, "stored: leave empty to keep it") {
		t.Fatalf("transfer page:\n%s", page)
	}
	if strings.Contains(page, "w0rd") {
		t.Fatal("the FTP password is in the page")
	}
	post := func() *http.Response {
		resp, _ := b.PostTask(c, "/trnTrNow")
		return resp
	}
	resp = post()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(loc, "/backgroundStatus/") {
		t.Fatalf("Transfer now: %d %q", resp.StatusCode, loc)
	}
	v := follow(t, c, base, loc)
	if v.State != "SUCCESS" || v.Status != "8 of 8 files uploaded OK" || v.Colour != "white" {
		t.Fatalf("final status %+v\n%s", v, b.ReadFile("www/static/piTransfer.log"))
	}
	if got := lastTransferStatus(t, b); got != v.Status {
		t.Fatalf("log's last STATUS %q, task %q", got, v.Status)
	}
	got := ftpFiles(t, ftp, "site1")
	if len(got) != len(want) {
		t.Fatalf("server has %v", got)
	}
	for name, sum := range want {
		if got[name] != sum {
			t.Errorf("%s differs or is missing on the server", name)
		}
	}
	// Home shows the last transfer.
	resp, _ = c.Get(base + "/")
	if home := readAll(resp); !strings.Contains(home, "8 of 8 files uploaded OK") {
		t.Errorf("home lacks the last transfer")
	}
	// A second run sends nothing; a new photo goes next time.
	if v := follow(t, c, base, post().Header.Get("Location")); v.Status != "No new files to upload" {
		t.Fatalf("second run: %+v", v)
	}
	piPhotos(t, p, 9, 1)
	if v := follow(t, c, base, post().Header.Get("Location")); v.Status != "1 of 1 files uploaded OK" {
		t.Fatalf("third run: %+v", v)
	}
	// The log view: logged in only.
	resp, _ = c.Get(base + "/transferlog")
	if log := readAll(resp); resp.StatusCode != 200 || !strings.Contains(log, "STATUS: 1 of 1 files uploaded OK") || strings.Contains(log, "w0rd") {
		t.Fatalf("log view %d:\n%s", resp.StatusCode, log)
	}
	resp, _ = b.Client().Get(base + "/transferlog")
	if body := readAll(resp); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "uploaded OK") {
		t.Fatalf("anonymous log view: %d", resp.StatusCode)
	}
}

func TestTransferAfterCopyChain(t *testing.T) {
	ftp := testutil.StartFTP(t)
	b := StartBox(t, transferINI(ftp, "FTP", "transferday = afterCopy\ntransferhour = 00\n"))
	p := paths.New(b.Home)
	if err := camsim.SeedCard(p, 6, time.Date(2026, 11, 30, 9, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}
	card := cardFiles(t, p)
	code, out := b.cameraTransfer("--wait", "2m", "copyNow")
	if code != 0 {
		t.Fatalf("copyNow: %d %s\n%s\n%s", code, out, b.ReadFile("cameraTransfer.log"), b.Log("worker"))
	}
	log := b.ReadFile("cameraTransfer.log")
	iCopy, iUp, iThumb := strings.Index(log, "Copied 6 images OK"), strings.Index(log, "6 of 6 files uploaded OK"), strings.Index(log, "thumbnail images OK")
	if iCopy < 0 || iUp < 0 || iThumb < 0 || !(iCopy < iUp && iUp < iThumb) {
		t.Fatalf("want copy, upload, thumbnails in that order:\n%s\n%s", log, b.ReadFile("www/static/piTransfer.log"))
	}
	got := ftpFiles(t, ftp, "site1/DCIM")
	if len(got) != len(card) {
		t.Fatalf("server has %d files, camera %d", len(got), len(card))
	}
	for name, sum := range card {
		if got[name] != sum {
			t.Errorf("%s differs on the server", name)
		}
	}
	thumbs, _ := filepath.Glob(filepath.Join(b.Home, "thumbs", "DCIM", "*", "*-thumb.JPG"))
	if len(thumbs) != 6 {
		t.Errorf("%d thumbnails, want 6", len(thumbs))
	}

	// The page's Copy now honours afterCopy too (the original's did not).
	if err := camsim.SeedCard(p, 2, time.Date(2026, 11, 30, 10, 0, 0, 0, time.Local), time.Minute); err != nil {
		t.Fatal(err)
	}
	base := "http://" + b.UIAddr
	c := b.Client()
	b.Login(c)
	resp, _ := b.PostTask(c, "/trnCopyNow")
	loc := resp.Header.Get("Location")
	var statuses []string
	for loc != "" {
		v := follow(t, c, base, loc)
		statuses = append(statuses, v.Status)
		loc = ""
		if v.Next != "" {
			loc = "/backgroundStatus/" + v.Next
		}
	}
	if len(statuses) != 3 || statuses[1] != "2 of 2 files uploaded OK" || !strings.Contains(statuses[2], "thumbnail images OK") {
		t.Fatalf("Copy now chain: %q", statuses)
	}
	if n := len(ftpFiles(t, ftp, "site1/DCIM")); n != 8 {
		t.Fatalf("%d on the server, want 8", n)
	}
}

func TestPiTransferDecisions(t *testing.T) {
	ftp := testutil.StartFTP(t)
	now := time.Now()
	otherDay := now.AddDate(0, 0, 3).Weekday().String()
	b := StartBox(t, transferINI(ftp, "FTP", "transferday = "+otherDay+"\ntransferhour = 00\ntransferonbootup = Off\n"))
	p := paths.New(b.Home)
	piPhotos(t, p, 1, 3)
	logFile := "www/static/piTransfer.log"

	// Not due by the clock: nothing sent, exit 0.
	if code, out := b.piTransfer(); code != 0 {
		t.Fatalf("not due: %d %s", code, out)
	}
	if log := b.ReadFile(logFile); !strings.Contains(log, "Not OK to transfer") || strings.Contains(log, "Commencing") {
		t.Fatalf("not-due log:\n%s", log)
	}
	// Boot without the boot flag: nothing.
	if code, out := b.piTransfer("bootup"); code != 0 || len(ftpFiles(t, ftp, "")) != 0 {
		t.Fatalf("bootup without flag: %d %s", code, out)
	}
	// Boot with the flag: uploads, and waits for the end.
	b.WriteINI(transferINI(ftp, "FTP", "transferday = "+otherDay+"\ntransferhour = 00\ntransferonbootup = on\n"))
	if code, out := b.piTransfer("bootup"); code != 0 {
		t.Fatalf("bootup: %d %s\n%s", code, out, b.ReadFile(logFile))
	}
	if st := lastTransferStatus(t, b); st != "3 of 3 files uploaded OK" || len(ftpFiles(t, ftp, "site1")) != 3 {
		t.Fatalf("after bootup: %q, %d on the server", st, len(ftpFiles(t, ftp, "site1")))
	}
	// afterCopy never runs by the clock, even at the wake hour.
	b.WriteINI(transferINI(ftp, "FTP", "transferday = afterCopy\ntransferhour = "+now.Format("15")+"\n"))
	piPhotos(t, p, 4, 1)
	if code, _ := b.piTransfer(); code != 0 || len(ftpFiles(t, ftp, "site1")) != 3 {
		t.Fatalf("afterCopy ran by the clock")
	}
	// Due by the clock: Daily at this hour (or the next, should the hour turn meanwhile).
	next := now.Add(time.Hour).Format("15")
	b.WriteINI(strings.Replace(transferINI(ftp, "FTP", "transferday = Daily\ntransferhour = "+now.Format("15")+"\n"), "wakepihour = 25", "wakepihour = "+next, 1))
	if code, out := b.piTransfer(); code != 0 || lastTransferStatus(t, b) != "1 of 1 files uploaded OK" {
		t.Fatalf("due by the clock: %d %s\n%s", code, out, b.ReadFile(logFile))
	}
	// copyNow: whatever the schedule.
	b.WriteINI(transferINI(ftp, "FTP", "transferday = "+otherDay+"\ntransferhour = 00\n"))
	piPhotos(t, p, 5, 2)
	if code, out := b.piTransfer("copyNow"); code != 0 || lastTransferStatus(t, b) != "2 of 2 files uploaded OK" {
		t.Fatalf("copyNow: %d %s", code, out)
	}
	if n := len(ftpFiles(t, ftp, "site1")); n != 6 {
		t.Fatalf("%d on the server, want 6", n)
	}
	// Method Off: the original's STATUS line, not a failure.
	b.WriteINI(transferINI(ftp, "Off", "transferday = Daily\ntransferhour = 00\n"))
	if code, _ := b.piTransfer("copyNow"); code != 0 || lastTransferStatus(t, b) != "Upload aborted. tfrMethod=Off" {
		t.Fatalf("method Off: %d %q", code, lastTransferStatus(t, b))
	}
	// A wrong password: the upload's STATUS, and a failed exit.
	b.WriteINI(strings.Replace(transferINI(ftp, "FTP", ""), "ftppassword = ", "ftppassword = wrong", 1))
	piPhotos(t, p, 7, 1)
	if code, out := b.piTransfer("copyNow"); code == 0 || lastTransferStatus(t, b) != "FTP login failed" {
		t.Fatalf("wrong password: %d %s %q", code, out, lastTransferStatus(t, b))
	}
	// No INI at all.
	os.Remove(filepath.Join(b.Home, "www", "intvlm8r.ini"))
	if code, _ := b.piTransfer("copyNow"); code == 0 || lastTransferStatus(t, b) != "Upload aborted. I've lost the INI file" {
		t.Fatalf("lost INI: %d %q", code, lastTransferStatus(t, b))
	}
	// The web server down: a failed exit, said in the log.
	b.WriteINI(transferINI(ftp, "FTP", ""))
	b.StopWeb()
	if code, _ := b.piTransfer("copyNow"); code == 0 || !strings.Contains(lastTransferStatus(t, b), "did not answer") {
		t.Fatalf("web down: %d %q", code, lastTransferStatus(t, b))
	}
}

func TestTransferPageSaveRefuseAndBrowser(t *testing.T) {
	ftp := testutil.StartFTP(t)
	b := StartBox(t, strings.Replace(transferINI(ftp, "FTP", "transferday = Daily\ntransferhour = 03\n"), "copyday = Off", "copyday = Daily", 1))
	base := "http://" + b.UIAddr
	c := b.Client()
	tok := b.Login(c)
	resp, _ := c.Get(base + "/transfer")
	page := readAll(resp)
	tok = csrfField.FindStringSubmatch(page)[1]
	before := b.ReadFile("www/intvlm8r.ini")
	// A bad value: refused, nothing saved.
	form := url.Values{"_csrf": {tok}, "tfrApply": {"apply"}, "tfrMethod": {"FTP"}, "ftpServer": {"bad host name"}, "ftpUser": {"u"},
		"transferDay": {"Daily"}, "transferHour": {"03"}, "copyDay": {"Daily"}, "copyHour": {"14"}}
	resp, _ = c.PostForm(base+"/transfer", form)
	if page := readAll(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Nothing was saved") ||
		!strings.Contains(page, `value="bad host name"`) || b.ReadFile("www/intvlm8r.ini") != before {
		t.Fatalf("bad host accepted, or not drawn again as typed (%d)", resp.StatusCode)
	}

	ctx := Browser(t)
	browserLogin(t, ctx, b)
	visible := func(id string) bool {
		var hidden bool
		if err := chromedp.Run(ctx, chromedp.Evaluate(`(()=>{const e=document.getElementById('`+id+`');return !e||e.offsetParent===null})()`, &hidden)); err != nil {
			t.Fatal(err)
		}
		return !hidden
	}
	choose := func(id, value string) {
		if err := chromedp.Run(ctx,
			chromedp.SetValue("#"+id, value, chromedp.ByID),
			chromedp.Evaluate(`document.getElementById('`+id+`').dispatchEvent(new Event('change'))`, nil),
		); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/transfer"), chromedp.WaitVisible("#transferForm", chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	// FTP saved: its table and the transfer block show; the others do not.
	for id, want := range map[string]bool{"ftp": true, "sftp": false, "dropbox": false, "rsync": false, "sshkey": false, "transfer": true,
		"tfrTrNow": true, "showHideCopyHour": true, "showHideTrnHour": true, "showHideTrnWarning": false, "showHideFtpInsecure": false} {
		if visible(id) != want {
			t.Errorf("FTP: #%s visible=%v", id, !want)
		}
	}
	choose("tfrMethod", "rsync")
	for id, want := range map[string]bool{"ftp": false, "rsync": true, "sshkey": true, "transfer": true} {
		if visible(id) != want {
			t.Errorf("rsync: #%s visible=%v", id, !want)
		}
	}
	var applyDisabled, trNowDisabled bool
	chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById('tfrTrNow').disabled`, &trNowDisabled))
	if !trNowDisabled {
		t.Error("Transfer now enabled with an unsaved method change")
	}
	choose("tfrMethod", "Dropbox")
	if !visible("dropbox") || visible("rsync") || visible("sshkey") {
		t.Error("Dropbox: wrong tables shown")
	}
	choose("tfrMethod", "Off")
	if visible("transfer") || visible("tfrTrNow") || visible("ftp") {
		t.Error("Off: the transfer block still shows")
	}
	choose("transferDay", "afterCopy")
	choose("tfrMethod", "FTP")
	if visible("showHideTrnHour") || !visible("showHideTrnHrMsg") {
		t.Error("afterCopy: the hour row shows")
	}
	choose("copyDay", "Off")
	if !visible("showHideTrnWarning") || visible("showHideTrnMethod") || visible("ftp") || visible("showHideCopyHour") {
		t.Error("copy day Off: wrong rows shown")
	}
	choose("copyDay", "Daily")
	// A blank mandatory field: red border, Apply off.
	var cls string
	chromedp.Run(ctx,
		chromedp.Evaluate(`(()=>{const e=document.getElementById('ftpUser');e.value='';e.dispatchEvent(new Event('input'))})()`, nil),
		chromedp.Evaluate(`document.getElementById('apply').disabled`, &applyDisabled),
		chromedp.Evaluate(`document.getElementById('ftpUser').className`, &cls))
	if !applyDisabled || !strings.Contains(cls, "redborder") {
		t.Errorf("blank user: apply disabled %v, class %q", applyDisabled, cls)
	}
	// The rename example follows the pattern; spaces and commas go.
	var example string
	chromedp.Run(ctx,
		chromedp.Click("#renameOnCopy", chromedp.ByID),
		chromedp.SendKeys("#renameString", "Hut 7,-%F", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById('exampleString').textContent`, &example))
	if example != "Hut7-IMG_001.JPG" {
		t.Errorf("rename example %q", example)
	}
	// Enter in a text field applies; it never clears the log.
	transfer.LogStatus(paths.New(b.Home), "before the Enter")
	if err := chromedp.Run(ctx,
		chromedp.SendKeys("#ftpUser", "newuser\r", chromedp.ByID),
		chromedp.WaitVisible(`//td[contains(., "Transfer settings saved")]`),
	); err != nil {
		t.Fatalf("Enter did not apply: %v\n%s", err, b.ReadFile("www/intvlm8r.ini"))
	}
	if st := lastTransferStatus(t, b); st != "before the Enter" {
		t.Fatalf("Enter touched the log: %q", st)
	}
	ini := b.ReadFile("www/intvlm8r.ini")
	for _, want := range []string{"ftpuser = newuser", "transferday = afterCopy", "renamestring = Hut7-%%F", "renameoncopy = on", "ftppassword = p%%ss w0rd"} {
		if !strings.Contains(ini, want) {
			t.Errorf("INI lacks %q:\n%s", want, ini)
		}
	}
	// The INI had no ftpactive key (as the original's): the page showed the
	// box ticked (active mode) and, untouched, it is not written: a missing
	// key still reads as active.
	if strings.Contains(ini, "ftpactive") {
		t.Errorf("the untouched FTP mode box wrote ftpactive:\n%s", ini)
	}
	// Clear log, with its own button.
	if err := chromedp.Run(ctx,
		chromedp.Click("#tfrClear", chromedp.ByID),
		chromedp.WaitVisible(`//td[contains(., "piTransfer.log cleared")]`),
	); err != nil {
		t.Fatal(err)
	}
	if st := lastTransferStatus(t, b); st != "piTransfer.log cleared" {
		t.Fatalf("after Clear log: %q", st)
	}
}
