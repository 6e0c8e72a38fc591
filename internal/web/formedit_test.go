package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// form returns what a browser would post, untouched, for form id on the page
// at path.
func (u *tpUI) form(path, id string) url.Values {
	u.t.Helper()
	v, err := testutil.FormValues(u.page(path), id)
	if err != nil {
		u.t.Fatal(err)
	}
	return v
}

// submit posts v to path (with the button pressed) and returns the page
// shown after.
func (u *tpUI) submit(path, button string, v url.Values) string {
	u.t.Helper()
	w := url.Values{}
	for k, vs := range v {
		w[k] = append([]string(nil), vs...)
	}
	w.Set(button, button)
	resp, err := u.cl.PostForm(u.ts.URL+path, w)
	if err != nil {
		u.t.Fatal(err)
	}
	return u.shownAfter(resp, path)
}

// shownAfter is the page a browser shows after a form's POST: the page
// it is sent back to, or the refused form drawn again (422), which must
// open with its summary.
func (u *tpUI) shownAfter(resp *http.Response, path string) string {
	u.t.Helper()
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusSeeOther:
		if loc := resp.Header.Get("Location"); loc != path {
			u.t.Fatalf("POST %s: sent to %q", path, loc)
		}
		return u.page(path)
	case http.StatusUnprocessableEntity:
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), "Nothing was saved") {
			u.t.Fatalf("POST %s: 422 without its summary:\n%s", path, b)
		}
		return string(b)
	}
	u.t.Fatalf("POST %s: %d", path, resp.StatusCode)
	return ""
}

func (u *tpUI) get(section, key string) string {
	u.t.Helper()
	f, err := config.Parse([]byte(u.ini()), "ini")
	if err != nil {
		u.t.Fatal(err)
	}
	v, _ := f.Get(section, key)
	return v
}

// Sixteen browsers that loaded the same pages each change one field and
// post at once: every change lands (each post writes only its own field).
func TestFormsParallelPostsAllLand(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	tfr, loc, mon := u.form("/transfer", "transferForm"), u.form("/system", "setLocation"), u.form("/monitoring", "monitoringForm")
	type change struct {
		path, button string
		base         url.Values
		field, value string
		section, key string
		want         string
	}
	changes := []change{
		{field: "copyDay", value: "Monday", section: "Copy", key: "copyday", want: "Monday"},
		{field: "copyHour", value: "03", section: "Copy", key: "copyhour", want: "03"},
		{field: "copyOnBootup", value: "", section: "Copy", key: "copyonbootup", want: "Off"},
		{field: "renameOnCopy", value: "", section: "Copy", key: "renameoncopy", want: "Off"},
		{field: "renameString", value: "New-%F", section: "Copy", key: "renamestring", want: "New-%F"},
		{field: "ftpServer", value: "ftp2.example.com", section: "Transfer", key: "ftpserver", want: "ftp2.example.com"},
		{field: "ftpUser", value: "pi2", section: "Transfer", key: "ftpuser", want: "pi2"},
		{field: "ftpRemoteFolder", value: "/new/", section: "Transfer", key: "ftpremotefolder", want: "/new/"},
		{field: "ftpActive", value: "", section: "Transfer", key: "ftpactive", want: "Off"}, // shown ticked: no key reads as active
		{field: "ftpTls", value: "on", section: "Transfer", key: "ftptls", want: "on"},
		{field: "ftpPassword", value: "fresh-pw", section: "Transfer", key: "ftppassword", want: "fresh-pw"},
		{field: "transferDay", value: "Friday", section: "Transfer", key: "transferday", want: "Friday"},
		{field: "transferHour", value: "22", section: "Transfer", key: "transferhour", want: "22"},
		{field: "transferOnBootup", value: "on", section: "Transfer", key: "transferonbootup", want: "on"},
		{path: "/system", button: "submitLocation", base: loc, field: "newName", value: "Ridge", section: "Global", key: "locationname", want: "Ridge"},
		{path: "/monitoring", button: "monApply", base: mon, field: "hbUrl", value: "https://hc.example.com/x", section: "Monitoring", key: "heartbeaturl", want: "https://hc.example.com/x"},
	}
	var wg sync.WaitGroup
	for _, ch := range changes {
		if ch.path == "" {
			ch.path, ch.button, ch.base = "/transfer", "tfrApply", tfr
		}
		v := url.Values{}
		for k, vs := range ch.base {
			v[k] = vs
		}
		if ch.value == "" {
			v.Del(ch.field) // an unticked box is not sent
		} else {
			v.Set(ch.field, ch.value)
		}
		v.Set(ch.button, ch.button)
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := u.cl.PostForm(u.ts.URL+ch.path, v)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	for _, ch := range changes {
		if got := u.get(ch.section, ch.key); got != ch.want {
			t.Errorf("%s: [%s] %s = %q, want %q (a lost update)", ch.field, ch.section, ch.key, got, ch.want)
		}
	}
}

// Two browsers change the same field to different values: the second is
// refused, saying why, and the first one's value stays.
func TestFormsConflictRefused(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	a, b := u.form("/transfer", "transferForm"), u.form("/transfer", "transferForm")
	a.Set("copyHour", "03")
	b.Set("copyHour", "05")
	if page := u.submit("/transfer", "tfrApply", a); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("first post not saved:\n%s", page)
	}
	page := u.submit("/transfer", "tfrApply", b)
	if !strings.Contains(page, "copy hour changed elsewhere") || !strings.Contains(page, "Reload the page") {
		t.Fatalf("no conflict message:\n%s", page)
	}
	if got := u.get("Copy", "copyhour"); got != "03" {
		t.Fatalf("copyhour = %q after the refused post, want 03", got)
	}
	// The same change made twice is no conflict.
	c, d := u.form("/transfer", "transferForm"), u.form("/transfer", "transferForm")
	c.Set("copyHour", "06")
	d.Set("copyHour", "06")
	u.submit("/transfer", "tfrApply", c)
	if page := u.submit("/transfer", "tfrApply", d); strings.Contains(page, "elsewhere") {
		t.Fatalf("an identical change was called a conflict:\n%s", page)
	}
}

// Values the original accepted and wrote (no limits, no checks) are kept
// while other fields are saved; only an edit of them is checked.
func TestFormsKeepWhatTheOriginalAccepted(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("Top Paddock North ", 6)) // 107 characters: the original had no limit
	ini := strings.Replace(tpINI, "locationname = Hut", "locationname = "+long, 1)
	ini = strings.Replace(ini, "ftpserver = ftp.example.com", "ftpserver = ftp.example.com/incoming", 1)
	ini = strings.Replace(ini, "renamestring = Hut-%%Y%%m%%d-%%F", "renamestring = IMG-%%D-%%F", 1) // the original's own placeholder token
	ini = strings.Replace(ini, "transferhour = 09", "transferhour = 7", 1)
	ini += "\n[Monitoring]\nheartbeatfrequency = 10\nheartbeaturl = //hc.example.com/ping\n"
	u := startTransferUI(t, ini, transfer.DropboxAPI{})
	before := u.ini()

	loc := u.form("/system", "setLocation")
	if loc.Get("newName") != strings.TrimSpace(long) {
		t.Fatalf("the location field shows %q", loc.Get("newName"))
	}
	th := u.form("/system", "setThumbsCount")
	th.Set("thumbsCount", "48")
	if page := u.submit("/system", "submitThumbsCount", th); !strings.Contains(page, "Thumbnail count saved") {
		t.Fatalf("thumbnail count not saved:\n%s", page)
	}
	if page := u.submit("/system", "submitLocation", loc); !strings.Contains(page, "Nothing to save") {
		t.Fatalf("an unchanged long name was not taken as unchanged:\n%s", page)
	}

	tfr := u.form("/transfer", "transferForm")
	tfr.Set("copyHour", "03")
	if page := u.submit("/transfer", "tfrApply", tfr); !strings.Contains(page, "Transfer settings saved") {
		t.Fatalf("transfer page with the original's values not saved:\n%s", page)
	}
	mon := u.form("/monitoring", "monitoringForm")
	mon.Set("hbFreq", "15")
	if page := u.submit("/monitoring", "monApply", mon); !strings.Contains(page, "Heartbeat settings saved") {
		t.Fatalf("monitoring page with the original's URL not saved:\n%s", page)
	}
	want := strings.NewReplacer("thumbscount = 24", "thumbscount = 48", "copyhour = 14", "copyhour = 03",
		"heartbeatfrequency = 10", "heartbeatfrequency = 15").Replace(before)
	noBlank := strings.NewReplacer("\n\n", "\n")
	if got := u.ini(); noBlank.Replace(got) != noBlank.Replace(want) {
		t.Fatalf("INI after saving other fields:\n%s\nwant:\n%s", got, want)
	}

	// Edited, each is checked.
	tfr = u.form("/transfer", "transferForm")
	tfr.Set("ftpServer", "ftp.example.com/other")
	if page := u.submit("/transfer", "tfrApply", tfr); !strings.Contains(page, "Nothing was saved") {
		t.Fatalf("an edited bad server was saved:\n%s", page)
	}
	loc.Set("newName", long+"x")
	if page := u.submit("/system", "submitLocation", loc); !strings.Contains(page, "longer than 64") {
		t.Fatalf("an edited over-long name was saved:\n%s", page)
	}
	// Switching heartbeats on checks the saved URL they would use.
	mon = u.form("/monitoring", "monitoringForm")
	mon.Set("hbFreq", "Off")
	u.submit("/monitoring", "monApply", mon)
	mon = u.form("/monitoring", "monitoringForm")
	mon.Set("hbFreq", "10")
	if page := u.submit("/monitoring", "monApply", mon); !strings.Contains(page, "cannot be switched on") {
		t.Fatalf("heartbeats switched on with an unusable URL:\n%s", page)
	}
}

// A field missing from a post means "unchanged", never a reset.
func TestFormsMissingFieldIsUnchanged(t *testing.T) {
	ini := tpINI + "\n[Monitoring]\nheartbeatfrequency = 10\nheartbeaturl = https://hc.example.com/ping\n"
	u := startTransferUI(t, ini, transfer.DropboxAPI{})
	before := u.ini()
	csrf := u.csrf(u.page("/system"))
	for _, p := range []struct{ path, body string }{
		{"/system", "submitLocation=submitLocation"},       // no newName
		{"/system", "submitThumbsCount=submitThumbsCount"}, // no thumbsCount
		{"/monitoring", "monApply=apply"},                  // no hbFreq, no hbUrl
		{"/transfer", "tfrApply=apply"},                    // nothing at all
		{"/camera", "camApply=apply"},                      // no USB box: not switched off
	} {
		resp, err := u.cl.PostForm(u.ts.URL+p.path+"?"+p.body, url.Values{"_csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if u.ini() != before {
			t.Fatalf("POST %s %s changed the INI:\n%s", p.path, p.body, u.ini())
		}
	}
	// One field sent: only that one changes.
	v := url.Values{"_csrf": {csrf}, "monApply": {"apply"}, "hbUrl": {"https://hc.example.com/other"}}
	resp, err := u.cl.PostForm(u.ts.URL+"/monitoring", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := u.get("Monitoring", "heartbeatfrequency"); got != "10" {
		t.Fatalf("a post without hbFreq left the frequency %q, want 10", got)
	}
	if got := u.get("Monitoring", "heartbeaturl"); got != "https://hc.example.com/other" {
		t.Fatalf("heartbeaturl = %q", got)
	}
}

// Hours are parsed strictly and stored as two digits; outer spaces, which
// the INI cannot keep, are removed and the user is told.
func TestFormsCanonicalValuesAndTrimNotice(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	tfr := u.form("/transfer", "transferForm")
	tfr.Set("copyHour", "7")
	u.submit("/transfer", "tfrApply", tfr)
	if got := u.get("Copy", "copyhour"); got != "07" {
		t.Fatalf("copyHour 7 stored as %q, want 07", got)
	}
	for _, bad := range []string{"+1", "-0", "1e1", " 7", "007"} {
		tfr = u.form("/transfer", "transferForm")
		tfr.Set("copyHour", bad)
		if page := u.submit("/transfer", "tfrApply", tfr); !strings.Contains(page, "is not an hour") {
			t.Errorf("copyHour %q not refused", bad)
		}
	}
	loc := u.form("/system", "setLocation")
	loc.Set("newName", "  Ridge Top  ")
	page := u.submit("/system", "submitLocation", loc)
	if !strings.Contains(page, "Spaces at the start or end of the location name were removed") {
		t.Fatalf("no notice of the trim:\n%s", page)
	}
	if got := u.get("Global", "locationname"); got != "Ridge Top" {
		t.Fatalf("location = %q", got)
	}
	tfr = u.form("/transfer", "transferForm")
	tfr.Set("ftpUser", " pi ")
	if page := u.submit("/transfer", "tfrApply", tfr); !strings.Contains(page, "Nothing to save") || strings.Contains(page, "Spaces") {
		t.Fatalf("spaces around an unchanged value:\n%s", page)
	}
}

// The Camera page's USB switch: unticking the box on the page switches USB
// off; a post that does not carry the box leaves it alone.
func TestFormsCameraUSBSwitch(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	v := u.form("/camera", "cameraForm")
	if v.Get("enableCameraUsb") != "on" {
		t.Fatalf("USB box not ticked: %v", v)
	}
	v.Del("enableCameraUsb")
	v.Set("cameraUsbToggled", "true")
	u.cl.PostForm(u.ts.URL+"/camera", v)
	if got := u.get("Global", "enablecamerausb"); got != "False" {
		t.Fatalf("enablecamerausb = %q after unticking, want False", got)
	}
	v = u.form("/camera", "cameraForm")
	v.Set("enableCameraUsb", "on")
	u.cl.PostForm(u.ts.URL+"/camera", v)
	if got := u.get("Global", "enablecamerausb"); got != "True" {
		t.Fatalf("enablecamerausb = %q after ticking, want True", got)
	}
}

// Error names the first refusal of that field only.
func TestFormEditErrorIsPerField(t *testing.T) {
	e := &formEdit{}
	e.badField("server", "The server %q is not a host name.", "ftp example")
	e.badField("port", "The port must be 1 to 65535.")
	e.badField("port", "A second word on the port.")
	for name, want := range map[string]string{
		"server": `The server "ftp example" is not a host name.`,
		"port":   "The port must be 1 to 65535.",
		"user":   "",
	} {
		if got := e.Error(name); got != want {
			t.Errorf("Error(%q) = %q, want %q", name, got, want)
		}
	}
}
