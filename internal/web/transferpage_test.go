package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/auth"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// tpUI is the UI on a real Redis (no worker) with a logged-in client.
type tpUI struct {
	t     *testing.T
	p     paths.Paths
	ts    *httptest.Server
	local *httptest.Server
	cl    *http.Client
	anon  *http.Client
	srv   *Server
	tasks *tasks.Client
	redis string
}

func startTransferUI(t *testing.T, ini string, dbx transfer.DropboxAPI) *tpUI {
	t.Helper()
	return startTransferUIWith(t, ini, dbx, func(paths.Paths) *arduino.Client { return nil })
}

func startTransferUIWith(t *testing.T, ini string, dbx transfer.DropboxAPI, ard func(paths.Paths) *arduino.Client) *tpUI {
	t.Helper()
	home := t.TempDir()
	p := paths.New(home)
	os.MkdirAll(p.WWW(), 0o755)
	if ini != "" {
		if err := os.WriteFile(p.INI(), []byte(ini), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := auth.SetPassword(p.Credentials(), "admin", "pw-for-tests"); err != nil {
		t.Fatal(err)
	}
	r := testutil.StartRedis(t)
	tc := tasks.NewClient(r.Addr)
	t.Cleanup(func() { tc.Close() })
	srv, err := New(Deps{Paths: p, Config: config.NewStore(p.INI()), Tasks: tc, RedisAddr: r.Addr, UploadEnabled: true,
		Dropbox: dbx, Arduino: ard(p), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	u := &tpUI{t: t, p: p, ts: httptest.NewServer(srv.Public()), local: httptest.NewServer(srv.Local()), srv: srv, tasks: tc, redis: r.Addr}
	t.Cleanup(u.ts.Close)
	t.Cleanup(u.local.Close)
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	jar, _ := cookiejar.New(nil)
	u.cl = &http.Client{Jar: jar, CheckRedirect: noFollow}
	ajar, _ := cookiejar.New(nil)
	u.anon = &http.Client{Jar: ajar, CheckRedirect: noFollow}
	tok := u.csrf(u.page("/login"))
	resp, err := u.cl.PostForm(u.ts.URL+"/login", url.Values{"_csrf": {tok}, "username": {"admin"}, "password": {"pw-for-tests"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return u
}

var tpCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func (u *tpUI) csrf(page string) string {
	m := tpCSRF.FindStringSubmatch(page)
	if m == nil {
		u.t.Fatalf("no CSRF token in:\n%s", page)
	}
	return m[1]
}

func (u *tpUI) page(path string) string {
	u.t.Helper()
	resp, err := u.cl.Get(u.ts.URL + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		u.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

// post submits the Transfer page form with values and returns the page shown after.
func (u *tpUI) post(values url.Values) string {
	u.t.Helper()
	values.Set("_csrf", u.csrf(u.page("/transfer")))
	resp, err := u.cl.PostForm(u.ts.URL+"/transfer", values)
	if err != nil {
		u.t.Fatal(err)
	}
	return u.shownAfter(resp, "/transfer")
}

func (u *tpUI) ini() string {
	b, _ := os.ReadFile(u.p.INI())
	return string(b)
}

const tpINI = "[Global]\nfile created = 01 Dec 2026\nlocationname = Hut\nthumbscount = 24\nenablecamerausb = True\nwakepihour = 07\n\n" +
	"[Transfer]\ntfrmethod = FTP\nftpserver = ftp.example.com\nftpuser = pi\nftppassword = hunter2%%x\nftpremotefolder = /cam/\n" +
	"sftpserver = sftp.example.com\nsftpuser = bob\nsftppassword = s3cr3t-sftp\nsftpremotefolder = up\n" +
	"dbx_app_key = appkey123\nrsyncusername = rs\nrsynchost = rs.example.com\nrsyncremotefolder = /r\n" +
	"transferday = Daily\ntransferhour = 09\ntransferonbootup = Off\ndeleteaftertransfer = Off\n\n" +
	"[Copy]\ncopyday = Daily\ncopyhour = 14\ncopyonbootup = on\nrenameoncopy = on\nrenamestring = Hut-%%Y%%m%%d-%%F\ndeleteaftercopy = Off\n"

// applyForm is a hand-made Apply of the page for FTP, changing every
// field (it carries no record of the page, so an absent field would mean
// "unchanged": the unticked box is sent empty).
func applyForm() url.Values {
	return url.Values{
		"tfrApply": {"apply"}, "tfrMethod": {"FTP"},
		"ftpServer": {"ftp://ftp2.example.com:2121/"}, "ftpUser": {"pi2"}, "ftpPassword": {""},
		"ftpRemoteFolder": {`\photos\\site1//`}, "ftpActive": {"on"},
		"transferDay": {"afterCopy"}, "transferHour": {"05"}, "transferOnBootup": {"on"},
		"copyDay": {"Monday"}, "copyHour": {"03"}, "renameOnCopy": {"on"}, "renameString": {"Site-%Y%m%d-%H%M%S-%F"},
		"copyOnBootup": {""},
	}
}

func TestTransferPageRendersEveryFieldWithoutSecrets(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	page := u.page("/transfer")
	for _, id := range []string{"copyDay", "copyHour", "copyHourMsg", "copyOnBootup", "renameOnCopy", "renameString",
		"originalFileName", "exampleString", "copyNow", "tfrMethod", "showHideTrnWarning", "ftpServer", "ftpUser",
		"ftpPassword", "ftpPasswordClear", "ftpRemoteFolder", "ftpActive", "ftpTls", "ftpTlsInsecure", "sftpServer", "sftpUser",
		"sftpPassword", "sftpPasswordClear", "sftpRemoteFolder", "dbx_app_key", "dbxStart", "rsyncHost", "rsyncUsername",
		"rsyncRemoteFolder", "sshKeyGen", "transferDay", "transferHour", "transferHourMsg", "transferOnBootup", "view",
		"tfrClear", "tfrTrNow", "apply", "showHideCopyHour", "showHideTrnHour", "showHideRename", "showHideTrnHrMsg"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("page lacks #%s", id)
		}
	}
	for _, secret := range []string{"hunter2", "s3cr3t-sftp"} {
		if strings.Contains(page, secret) {
			t.Errorf("page holds the password %q", secret)
		}
	}
	for _, want := range []string{
		`value="ftp.example.com"`, `value="Hut-%Y%m%d-%F"`, `data-wake="07"`, "stored: leave empty to keep it",
		`<option value="FTP" selected>`, `<option value="Daily" selected>Daily</option>`, `<option value="09" selected>`,
		`<option value="14" selected>`, `name="copyOnBootup" value="on" data-bit="1048576" checked`,
		`<option value="afterCopy">after Copy completes</option><option disabled>`,
		`href="/transferlog"`, "Dropbox is not authorised yet",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Enter in a text field submits the main form's default button: the
	// only submit button it owns must be Apply.
	main := page[strings.Index(page, `<form method="post" action="/transfer" id="transferForm"`):]
	main = main[:strings.Index(main, "</form>")]
	subs := regexp.MustCompile(`<button type="submit"[^>]*>`).FindAllString(main, -1)
	for _, b := range subs {
		if !strings.Contains(b, `id="apply"`) && !strings.Contains(b, ` form="`) {
			t.Errorf("submit button owned by the main form besides Apply: %s", b)
		}
	}
	if strings.Index(main, `id="tfrClear"`) < 0 || !strings.Contains(main, `form="clearLogForm" id="tfrClear"`) {
		t.Errorf("Clear log is not in its own form")
	}
	// GET has no side effects on the INI.
	if u.ini() != tpINI {
		t.Errorf("GET changed the INI:\n%s", u.ini())
	}
}

// The page says whether photos leave the Pi after their upload, and where
// an FTP server cannot confirm what it holds.
func TestTransferPageDeleteAfterTransferNote(t *testing.T) {
	for _, on := range []string{"Off", "On"} {
		u := startTransferUI(t, strings.Replace(tpINI, "deleteaftertransfer = Off", "deleteaftertransfer = "+on, 1), transfer.DropboxAPI{})
		page := u.page("/transfer")
		row := regexp.MustCompile(`<tr id="deleteAfterTransferNote"><td class="centred">([^<]*)</td></tr>`).FindStringSubmatch(page)
		if row == nil {
			t.Fatalf("%s: no delete-after-transfer note", on)
		}
		if want := "Delete after transfer is " + strings.ToLower(on) + " "; !strings.HasPrefix(row[1], want) {
			t.Errorf("note %q does not start %q", row[1], want)
		}
		if !strings.Contains(row[1], "An FTP server that answers neither SIZE, MLST nor (in passive mode) a listing cannot confirm: its photos stay on the Pi.") {
			t.Errorf("note does not say where FTP cannot confirm: %q", row[1])
		}
	}
}

func TestTransferPageSavesEveryField(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	page := u.post(applyForm())
	if !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("no saved notice:\n%s", page)
	}
	f, err := config.Parse([]byte(u.ini()), "ini")
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{
		{"Transfer", "tfrmethod"}: "FTP", {"Transfer", "ftpserver"}: "ftp2.example.com:2121", {"Transfer", "ftpuser"}: "pi2",
		{"Transfer", "ftppassword"}:     "hunter2%x",                                                                 // empty field: the stored one is kept
		{"Transfer", "ftpremotefolder"}: "/photos/site1/", {"Transfer", "ftpactive"}: "", {"Transfer", "ftptls"}: "", // ftpactive: shown ticked (no key: active) and left so, not written; ftptls not sent, not set
		{"Transfer", "transferday"}: "afterCopy", {"Transfer", "transferhour"}: "05", {"Transfer", "transferonbootup"}: "on",
		{"Transfer", "sftppassword"}: "s3cr3t-sftp", {"Transfer", "sftpserver"}: "sftp.example.com", // other methods untouched
		{"Copy", "copyday"}: "Monday", {"Copy", "copyhour"}: "03", {"Copy", "renameoncopy"}: "on",
		{"Copy", "renamestring"}: "Site-%Y%m%d-%H%M%S-%F", {"Copy", "copyonbootup"}: "Off",
		{"Global", "wakepihour"}: "07", // no Arduino here: the INI's copy is not rewritten
	}
	for k, v := range want {
		if got, _ := f.Get(k[0], k[1]); got != v {
			t.Errorf("[%s] %s = %q, want %q", k[0], k[1], got, v)
		}
	}
	if !strings.Contains(u.ini(), "renamestring = Site-%%Y%%m%%d-%%H%%M%%S-%%F") {
		t.Errorf("%% not escaped on disk:\n%s", u.ini())
	}

	// A new password with % in it round-trips; the page still does not show it.
	v := applyForm()
	v.Set("ftpPassword", "n3w%pass%%")
	page = u.post(v)
	f, _ = config.Parse([]byte(u.ini()), "ini")
	if got, _ := f.Get("Transfer", "ftppassword"); got != "n3w%pass%%" {
		t.Errorf("password stored as %q", got)
	}
	if strings.Contains(page, "n3w%pass") {
		t.Error("the new password came back in the page")
	}
	// Clear: the password goes.
	v = applyForm()
	v.Set("ftpPasswordClear", "on")
	u.post(v)
	f, _ = config.Parse([]byte(u.ini()), "ini")
	if got, ok := f.Get("Transfer", "ftppassword"); got != "" || !ok {
		t.Errorf("cleared password is %q (%v)", got, ok)
	}

	// Each method saves its own fields.
	for _, m := range []struct {
		form url.Values
		want map[string]string
	}{
		{url.Values{"tfrMethod": {"SFTP"}, "sftpServer": {"sftp://[::1]:2222"}, "sftpUser": {"u1"}, "sftpPassword": {"pw 2"}, "sftpRemoteFolder": {"a\\b"}},
			map[string]string{"sftpserver": "[::1]:2222", "sftpuser": "u1", "sftppassword": "pw 2", "sftpremotefolder": "a/b"}},
		{url.Values{"tfrMethod": {"Dropbox"}, "dbx_app_key": {"k3yabc"}}, map[string]string{"dbx_app_key": "k3yabc"}},
		{url.Values{"tfrMethod": {"rsync"}, "rsyncHost": {"10.0.0.5"}, "rsyncUsername": {"backup"}, "rsyncRemoteFolder": {"//x//y"}},
			map[string]string{"rsynchost": "10.0.0.5", "rsyncusername": "backup", "rsyncremotefolder": "/x/y"}},
		{url.Values{"tfrMethod": {"Off"}}, map[string]string{"tfrmethod": "Off", "transferday": "Daily"}},
	} {
		v := url.Values{"tfrApply": {"apply"}, "transferDay": {"Daily"}, "transferHour": {"10"}, "copyDay": {"Daily"}, "copyHour": {"14"}}
		for k, vs := range m.form {
			v[k] = vs
		}
		page := u.post(v)
		if !strings.Contains(page, "Transfer settings saved") {
			t.Fatalf("%v not saved:\n%s", m.form, page)
		}
		f, _ := config.Parse([]byte(u.ini()), "ini")
		for k, want := range m.want {
			if got, _ := f.Get("Transfer", k); got != want {
				t.Errorf("%s: %s = %q, want %q", m.form.Get("tfrMethod"), k, got, want)
			}
		}
	}
}

// The FTP mode box: an INI without ftpactive (the original's, which always
// uploaded in active mode) shows it ticked, so an Apply that does not touch it
// keeps active mode; ftpactive = Off shows it clear.
func TestTransferPageFTPModeDefault(t *testing.T) {
	ticked := regexp.MustCompile(`<input [^>]*id="ftpActive"[^>]*>`)
	for _, c := range []struct {
		ini     string
		checked bool
	}{
		{tpINI, true},
		{strings.Replace(tpINI, "ftpremotefolder = /cam/\n", "ftpremotefolder = /cam/\nftpactive = Off\n", 1), false},
		{strings.Replace(tpINI, "ftpremotefolder = /cam/\n", "ftpremotefolder = /cam/\nftpactive = on\n", 1), true},
	} {
		u := startTransferUI(t, c.ini, transfer.DropboxAPI{})
		box := ticked.FindString(u.page("/transfer"))
		if box == "" || strings.Contains(box, " checked") != c.checked {
			t.Errorf("ftpactive in %q: box %s, want checked=%v", c.ini[strings.Index(c.ini, "ftpremotefolder"):][:40], box, c.checked)
		}
	}
}

func TestTransferPageRefusesBadValues(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	before := u.ini()
	for name, change := range map[string]func(url.Values){
		"method":        func(v url.Values) { v.Set("tfrMethod", "Gopher") },
		"blank server":  func(v url.Values) { v.Set("ftpServer", "  ") },
		"bad server":    func(v url.Values) { v.Set("ftpServer", "ftp.example.com/path") },
		"bad port":      func(v url.Values) { v.Set("ftpServer", "ftp.example.com:99999") },
		"space in host": func(v url.Values) { v.Set("ftpServer", "my host") },
		"blank user":    func(v url.Values) { v.Set("ftpUser", "") },
		"newline user":  func(v url.Values) { v.Set("ftpUser", "pi\nx") },
		"both pw":       func(v url.Values) { v.Set("ftpPassword", "x"); v.Set("ftpPasswordClear", "on") },
		"pw spaces":     func(v url.Values) { v.Set("ftpPassword", " padded ") },
		"day":           func(v url.Values) { v.Set("transferDay", "Someday") },
		"hour":          func(v url.Values) { v.Set("transferHour", "24") },
		"hour sign":     func(v url.Values) { v.Set("copyHour", "+1") },
		"hour 3 digits": func(v url.Values) { v.Set("transferHour", "007") },
		"hour space":    func(v url.Values) { v.Set("copyHour", " 7") },
		"copy day":      func(v url.Values) { v.Set("copyDay", "afterCopy") },
		"rename blank":  func(v url.Values) { v.Set("renameString", "") },
		"rename slash":  func(v url.Values) { v.Set("renameString", "a/%F") },
		"rename token":  func(v url.Values) { v.Set("renameString", "%Y%D-%F") },
		"rename lone %": func(v url.Values) { v.Set("renameString", "x%") },
		"rename space":  func(v url.Values) { v.Set("renameString", "a b-%F") },
		"dbx key": func(v url.Values) {
			v.Set("tfrMethod", "Dropbox")
			v.Set("dbx_app_key", "bad key!")
		},
		"rsync user": func(v url.Values) {
			v.Set("tfrMethod", "rsync")
			v.Set("rsyncHost", "h")
			v.Set("rsyncUsername", "a@b")
		},
	} {
		v := applyForm()
		change(v)
		page := u.post(v)
		if !strings.Contains(page, "Nothing was saved") || !strings.Contains(page, `class="red"`) {
			t.Errorf("%s: no red refusal:\n%s", name, page)
		}
		if u.ini() != before {
			t.Fatalf("%s: the INI changed:\n%s", name, u.ini())
		}
	}
	// The message names the problem.
	v := applyForm()
	v.Set("renameString", "%Y%D-%F")
	if page := u.post(v); !strings.Contains(page, "%D, which is not one of") {
		t.Errorf("token message missing:\n%s", page)
	}
}

func TestTransferPageRsyncGreyedOutWithoutBinary(t *testing.T) {
	// A PATH with redis-server (for the test) but no rsync and no ssh.
	redis, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not installed (apt-get install redis-server)")
	}
	dir := t.TempDir()
	if err := os.Symlink(redis, filepath.Join(dir, "redis-server")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	page := u.page("/transfer")
	if !regexp.MustCompile(`<option value="rsync" disabled title="rsync is not installed on this Pi">`).MatchString(page) {
		t.Fatalf("rsync not greyed out:\n%s", page)
	}
	v := applyForm()
	v.Set("tfrMethod", "rsync")
	v.Set("rsyncHost", "h.example.com")
	v.Set("rsyncUsername", "u")
	if page := u.post(v); !strings.Contains(page, "rsync cannot be chosen: rsync is not installed") {
		t.Fatalf("rsync accepted without rsync:\n%s", page)
	}
	// A saved rsync stays selected (and saving keeps it) rather than turning into "None".
	os.WriteFile(u.p.INI(), []byte(strings.Replace(tpINI, "tfrmethod = FTP", "tfrmethod = rsync", 1)), 0o640)
	page = u.page("/transfer")
	if !strings.Contains(page, `<option value="rsync" selected title=`) || !strings.Contains(page, "Uploads by rsync cannot run") {
		t.Fatalf("saved rsync:\n%s", page)
	}
	if page := u.post(v); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("keeping a saved rsync refused:\n%s", page)
	}
}

func TestTransferLogViewAndClear(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	if err := transfer.LogStatus(u.p, "3 of 3 files uploaded OK"); err != nil {
		t.Fatal(err)
	}
	if err := transfer.LogStatus(u.p, "2 of 2 files uploaded OK"); err != nil {
		t.Fatal(err)
	}
	// Anonymous: sent to the login page, no log.
	resp, err := u.anon.Get(u.ts.URL + "/transferlog")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(string(body), "uploaded OK") {
		t.Fatalf("anonymous log view: %d %s", resp.StatusCode, body)
	}
	resp, err = u.cl.Get(u.ts.URL + "/transferlog")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	// A page (readable on a phone), newest line first.
	newer, older := strings.Index(string(body), "STATUS: 2 of 2 files uploaded OK"), strings.Index(string(body), "STATUS: 3 of 3 files uploaded OK")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `name="viewport"`) ||
		newer < 0 || older < 0 || newer > older {
		t.Fatalf("log view: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	// Clear log: one STATUS line; nothing else saved even if fields came along.
	before := u.ini()
	v := applyForm()
	v.Del("tfrApply")
	v.Set("tfrClear", "tfrClear")
	u.post(v)
	log, _ := os.ReadFile(u.p.TransferLog())
	if strings.Count(string(log), "\n") != 1 || !strings.Contains(string(log), "STATUS: piTransfer.log cleared") {
		t.Fatalf("log after clear:\n%s", log)
	}
	if u.ini() != before {
		t.Fatal("Clear log saved settings")
	}
	if _, text, ok, _ := transfer.LastStatus(u.p); !ok || text != "piTransfer.log cleared" {
		t.Fatalf("last status %q", text)
	}
}

func TestTransferPageKeyPair(t *testing.T) {
	u := startTransferUI(t, strings.Replace(tpINI, "tfrmethod = FTP", "tfrmethod = SFTP", 1), transfer.DropboxAPI{})
	if page := u.page("/transfer"); strings.Contains(page, `id="publicKey"`) {
		t.Fatal("public key shown before there is one")
	}
	page := u.post(url.Values{"sshKeyGen": {"create"}})
	m := regexp.MustCompile(`<textarea id="publicKey" readonly[^>]*>(ssh-ed25519 [^<]+ intvlm8r@[^<]+)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no public key shown:\n%s", page)
	}
	m[1] = html.UnescapeString(m[1])
	pub, _ := os.ReadFile(u.p.SSHKey() + ".pub")
	if strings.TrimSpace(string(pub)) != m[1] {
		t.Fatalf("shown %q, file %q", m[1], pub)
	}
	if fi, err := os.Stat(u.p.SSHKey()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", fi, err)
	}
	priv, _ := os.ReadFile(u.p.SSHKey())
	if strings.Contains(page, strings.TrimSpace(string(priv))[40:80]) {
		t.Fatal("private key in the page")
	}
	// Pressed again: the same key, not a new one.
	page = u.post(url.Values{"sshKeyGen": {"create"}})
	if !strings.Contains(page, "already has a key pair") || !strings.Contains(html.UnescapeString(page), m[1]) {
		t.Fatalf("second press:\n%s", page)
	}
	// With a key, SFTP needs no password.
	v := applyForm()
	v.Set("tfrMethod", "SFTP")
	v.Set("sftpServer", "h.example.com")
	v.Set("sftpUser", "u")
	v.Set("sftpPasswordClear", "on")
	if page := u.post(v); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("SFTP with key and no password refused:\n%s", page)
	}
}

// tokenServer is Dropbox's token endpoint: it checks the PKCE verifier
// against the challenge the authorise link carried.
type tokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	challenge string
}

func startTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		ts.mu.Lock()
		ok := r.URL.Path == "/oauth2/token" && r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code") == "the-code" &&
			r.Form.Get("client_id") == "appkey123" && base64.RawURLEncoding.EncodeToString(sum[:]) == ts.challenge
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant"}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"at","token_type":"bearer","expires_in":14400,"refresh_token":"rt-from-page"}`)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestTransferPageDropboxAuthorisation(t *testing.T) {
	tok := startTokenServer(t)
	api := transfer.DropboxAPI{AuthorizeURL: tok.URL + "/oauth2/authorize", TokenURL: tok.URL + "/oauth2/token", APIURL: tok.URL, ContentURL: tok.URL}
	u := startTransferUI(t, strings.Replace(tpINI, "tfrmethod = FTP", "tfrmethod = Dropbox", 1), api)

	// Finish before start: refused.
	if page := u.post(url.Values{"dbxFinish": {"finish"}, "dbxCode": {"the-code"}}); !strings.Contains(page, "No Dropbox authorisation is waiting") {
		t.Fatalf("finish without start:\n%s", page)
	}
	page := u.post(url.Values{"dbxStart": {"start"}})
	m := regexp.MustCompile(`href="([^"]+)"[^>]*id="dbxAuthLink"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no authorise link:\n%s", page)
	}
	link, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil || link.Query().Get("client_id") != "appkey123" || link.Query().Get("code_challenge_method") != "S256" || link.Query().Get("token_access_type") != "offline" {
		t.Fatalf("link %s: %v", m[1], err)
	}
	if strings.Contains(page, "code_verifier") {
		t.Fatal("the verifier is in the page")
	}
	tok.mu.Lock()
	tok.challenge = link.Query().Get("code_challenge")
	tok.mu.Unlock()
	// A wrong code: refused, no token, still waiting.
	page = u.post(url.Values{"dbxFinish": {"finish"}, "dbxCode": {"wrong"}})
	if !strings.Contains(page, "Dropbox did not accept that code") || !strings.Contains(page, `id="dbxAuthLink"`) {
		t.Fatalf("wrong code:\n%s", page)
	}
	if _, err := os.Stat(u.p.DropboxToken()); err == nil {
		t.Fatal("token stored for a wrong code")
	}
	page = u.post(url.Values{"dbxFinish": {"finish"}, "dbxCode": {" the-code "}})
	if !strings.Contains(page, "Dropbox authorised") || !strings.Contains(page, "Dropbox is authorised: a token is stored") {
		t.Fatalf("finish:\n%s", page)
	}
	if b, _ := os.ReadFile(u.p.DropboxToken()); string(b) != "rt-from-page" {
		t.Fatalf("token file %q", b)
	}
	if strings.Contains(page, "rt-from-page") {
		t.Fatal("token shown in the page")
	}
	if strings.Contains(page, `id="dbxAuthLink"`) {
		t.Fatal("the used link is still offered")
	}
}

func TestTransferNowRefusals(t *testing.T) {
	u := startTransferUI(t, strings.Replace(tpINI, "tfrmethod = FTP", "tfrmethod = Off", 1), transfer.DropboxAPI{})
	tok := u.csrf(u.page("/transfer"))
	post := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, u.ts.URL+"/trnTrNow", nil)
		req.Header.Set("X-CSRF-Token", tok)
		req.Header.Set("Accept", "application/json")
		resp, err := u.cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := post(); code != http.StatusConflict || !strings.Contains(body, "upload method is Off") {
		t.Fatalf("method Off: %d %s", code, body)
	}
	resp, err := http.Get(u.local.URL + "/trnTrNow?wait=5")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "upload method is Off") {
		t.Fatalf("local, method Off: %d %s", resp.StatusCode, b)
	}
	// No worker in these tests: a clear 503.
	os.WriteFile(u.p.INI(), []byte(tpINI), 0o640)
	if code, body := post(); code != http.StatusServiceUnavailable || !strings.Contains(body, "no background worker") {
		t.Fatalf("no worker: %d %s", code, body)
	}
	// Without the CSRF token: refused.
	req, _ := http.NewRequest(http.MethodPost, u.ts.URL+"/trnTrNow", nil)
	resp, err = u.cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode == http.StatusServiceUnavailable {
		t.Fatalf("POST without CSRF: %d", resp.StatusCode)
	}
	// Camera USB off: the page is the notice only.
	os.WriteFile(u.p.INI(), []byte(strings.Replace(tpINI, "enablecamerausb = True", "enablecamerausb = False", 1)), 0o640)
	page := u.page("/transfer")
	if !strings.Contains(page, `id="usbWarning"`) || strings.Contains(page, `id="transferForm"`) {
		t.Fatalf("USB off page:\n%s", page)
	}
}

// The Pi's wake hour comes from the Arduino (query 5) and reaches the INI on
// Apply only, never on a page load.
func TestTransferPageWakeHourFromArduino(t *testing.T) {
	var ard *arduino.Client
	u := startTransferUIWith(t, strings.Replace(tpINI, "wakepihour = 07", "wakepihour = 25", 1), transfer.DropboxAPI{}, func(p paths.Paths) *arduino.Client {
		c, err := arduino.Open("sim", p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetWakeWindow(t.Context(), 6, 30); err != nil {
			t.Fatal(err)
		}
		ard = c
		return c
	})
	defer ard.Close()
	before := u.ini()
	page := u.page("/transfer")
	if !strings.Contains(page, `data-wake="06"`) {
		t.Fatalf("wake hour not from the Arduino:\n%s", page)
	}
	if u.ini() != before {
		t.Fatalf("GET wrote the INI:\n%s", u.ini())
	}
	u.post(applyForm())
	if !strings.Contains(u.ini(), "wakepihour = 06") {
		t.Fatalf("Apply did not mirror the wake hour:\n%s", u.ini())
	}
}

// firstINI is the INI this port writes on a new install (config.NewFile).
const firstINI = "[Global]\nfile created = 01 Dec 2026\nlocationname = Hut\nthumbscount = 24\n\n" +
	"[Transfer]\ntfrmethod = Off\ndeleteaftertransfer = Off\nftpactive = Off\n\n" +
	"[Copy]\ncopyday = Daily\ncopyhour = 14\ndeleteaftercopy = Off\n"

// Issue 12, finding 2: a first FTP setup with a mistake comes back as
// typed (the method still FTP, server, user and folder kept, the password
// never sent back but said to be unsaved), the reason beside its field and
// one summary; fixed, it saves, with the transfer day shown by default.
func TestTransferFirstFTPSetupRefusedComesBackAsTyped(t *testing.T) {
	u := startTransferUI(t, firstINI, transfer.DropboxAPI{})
	before := u.ini()
	v := u.form("/transfer", "transferForm")
	if v.Get("transferDay") != "afterCopy" || v.Get("transferHour") != "00" {
		t.Fatalf("a first setup's schedule is sent as %q %q, want valid defaults", v.Get("transferDay"), v.Get("transferHour"))
	}
	typed := map[string]string{"tfrMethod": "FTP", "ftpServer": "ftp.example.com:99999", "ftpUser": "photos",
		"ftpRemoteFolder": "/site1/", "ftpPassword": "pa55-typed"}
	for k, s := range typed {
		v.Set(k, s)
	}
	page := u.submit("/transfer", "tfrApply", v) // 422, checked by shownAfter
	if u.ini() != before {
		t.Fatalf("a refused form changed the INI:\n%s", u.ini())
	}
	if strings.Contains(page, "pa55-typed") {
		t.Fatal("the typed password was sent back")
	}
	again, err := testutil.FormValues(page, "transferForm")
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range typed {
		if k != "ftpPassword" && again.Get(k) != s {
			t.Errorf("%s comes back as %q, want %q as typed", k, again.Get(k), s)
		}
	}
	if again.Get("ftpPassword") != "" || again.Get("transferDay") != "afterCopy" {
		t.Errorf("password %q, day %q", again.Get("ftpPassword"), again.Get("transferDay"))
	}
	for _, want := range []string{
		`name="ftpServer" value="ftp.example.com:99999"`,
		`aria-invalid="true" aria-describedby="ftpServer-error"`,
		`<span class="fielderror" id="ftpServer-error">FTP server &#34;ftp.example.com:99999&#34;: the port must be a number from 1 to 65535.</span>`,
		`aria-describedby="ftpPassword-error"`,
		`id="ftpPassword-error">` + view.SecretNote,
		`<tr class="red"><td class="centred">Nothing was saved: FTP server`,
		`data-rejected="true"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused page lacks %s", want)
		}
	}
	if n := strings.Count(page, "Nothing was saved"); n != 1 {
		t.Errorf("%d summaries", n)
	}

	// Fixed and the password typed again, the same form saves.
	again.Set("ftpServer", "ftp.example.com:2121")
	again.Set("ftpPassword", "pa55-typed")
	if page := u.submit("/transfer", "tfrApply", again); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("the fixed form was not saved:\n%s", page)
	}
	for key, want := range map[string]string{"tfrmethod": "FTP", "ftpserver": "ftp.example.com:2121", "ftpuser": "photos",
		"ftppassword": "pa55-typed", "ftpremotefolder": "/site1/", "transferday": "afterCopy", "transferhour": "00"} {
		if got := u.get("Transfer", key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

// A transfer day hand-edited to junk is not a choice: choosing a method
// then asks for a day beside the day's field, and keeps the method.
func TestTransferDayNotAChoiceRefusedBesideItsField(t *testing.T) {
	u := startTransferUI(t, strings.Replace(firstINI, "ftpactive = Off\n", "ftpactive = Off\ntransferday = Someday\n", 1), transfer.DropboxAPI{})
	v := u.form("/transfer", "transferForm")
	v.Set("tfrMethod", "FTP")
	v.Set("ftpServer", "ftp.example.com")
	v.Set("ftpUser", "pi")
	page := u.submit("/transfer", "tfrApply", v)
	for _, want := range []string{`id="transferDay-error">Choose a transfer day.</span>`, `aria-describedby="transferDay-error"`,
		`<option value="FTP" selected>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused page lacks %s", want)
		}
	}
	again, _ := testutil.FormValues(page, "transferForm")
	again.Set("transferDay", "Monday")
	if page := u.submit("/transfer", "tfrApply", again); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("not saved with a day chosen:\n%s", page)
	}
	if u.get("Transfer", "transferday") != "Monday" || u.get("Transfer", "tfrmethod") != "FTP" {
		t.Fatalf("INI:\n%s", u.ini())
	}
}

func TestTransferLogViewCut(t *testing.T) {
	// The end of a long log: the first, partial line goes; the rest newest first.
	v := newTransferLogView("ine one\nline two\r\nline three\n", true)
	if !v.Cut || len(v.Lines) != 2 || v.Lines[0] != "line three" || v.Lines[1] != "line two" {
		t.Fatalf("%+v", v)
	}
	if v := newTransferLogView("only\n", false); len(v.Lines) != 1 || v.Lines[0] != "only" {
		t.Fatalf("%+v", v)
	}
}
