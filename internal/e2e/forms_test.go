package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

const formsINI = "[Global]\nfile created = 01 Dec 2026\nlocationname = Test Site\nthumbscount = 24\nenablecamerausb = True\n\n" +
	"[Transfer]\ntfrmethod = FTP\nftpserver = ftp.example.com\nftpuser = pi\nftppassword = old-pw\nftpremotefolder = /cam/\n" +
	"ftptls = on\nftptlsinsecure = Off\ntransferday = Daily\ntransferhour = 09\ntransferonbootup = Off\ndeleteaftertransfer = Off\n\n" +
	"[Copy]\ncopyday = Daily\ncopyhour = 14\ncopyonbootup = on\nrenameoncopy = on\nrenamestring = Site-%%F\ndeleteaftercopy = Off\n\n" +
	"[Monitoring]\nheartbeatfrequency = Off\nheartbeaturl = \n"

// loggedInClients logs in once and gives n clients holding that session,
// each with a cookie jar of its own (the login limit would refuse n logins).
func loggedInClients(t testing.TB, b *Box, n int) []*http.Client {
	t.Helper()
	first := b.Client()
	b.Login(first)
	u, _ := url.Parse("http://" + b.UIAddr + "/")
	out := make([]*http.Client, n)
	for i := range out {
		out[i] = b.Client()
		out[i].Jar.SetCookies(u, first.Jar.Cookies(u))
	}
	return out
}

// pageForm is what a browser would post, untouched, for form id on the page
// at path.
func pageForm(t *testing.T, c *http.Client, base, path, id string) url.Values {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := testutil.FormValues(readAll(resp), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Issue 14 finding 6: sixteen browsers that loaded the pages each change one
// field and post at the same moment. Every post says saved, and every
// change is in the INI (each post writes only what its user changed).
func TestParallelSettingsPostsAllLand(t *testing.T) {
	b := StartBox(t, formsINI)
	base := "http://" + b.UIAddr
	type change struct {
		path, form, button string
		field, value       string // value "" unticks a box
		section, key, want string
	}
	tp := func(field, value, section, key, want string) change {
		return change{"/transfer", "transferForm", "tfrApply", field, value, section, key, want}
	}
	changes := []change{
		tp("copyDay", "Monday", "Copy", "copyday", "Monday"),
		tp("copyHour", "03", "Copy", "copyhour", "03"),
		tp("copyOnBootup", "", "Copy", "copyonbootup", "Off"),
		tp("renameOnCopy", "", "Copy", "renameoncopy", "Off"),
		tp("renameString", "New-%Y-%F", "Copy", "renamestring", "New-%Y-%F"),
		tp("ftpServer", "ftp2.example.com:2121", "Transfer", "ftpserver", "ftp2.example.com:2121"),
		tp("ftpUser", "pi2", "Transfer", "ftpuser", "pi2"),
		tp("ftpRemoteFolder", "/new/", "Transfer", "ftpremotefolder", "/new/"),
		tp("ftpActive", "", "Transfer", "ftpactive", "Off"), // shown ticked: no key reads as active
		tp("ftpTlsInsecure", "on", "Transfer", "ftptlsinsecure", "on"),
		tp("ftpPassword", "new-pw", "Transfer", "ftppassword", "new-pw"),
		tp("transferDay", "Friday", "Transfer", "transferday", "Friday"),
		tp("transferHour", "22", "Transfer", "transferhour", "22"),
		tp("transferOnBootup", "on", "Transfer", "transferonbootup", "on"),
		{"/system", "setLocation", "submitLocation", "newName", "Ridge Top", "Global", "locationname", "Ridge Top"},
		{"/monitoring", "monitoringForm", "monApply", "hbUrl", "https://hc.example.com/ping", "Monitoring", "heartbeaturl", "https://hc.example.com/ping"},
	}
	clients := loggedInClients(t, b, len(changes))
	forms := make([]url.Values, len(changes))
	for i, ch := range changes {
		forms[i] = pageForm(t, clients[i], base, ch.path, ch.form)
		if ch.value == "" {
			forms[i].Del(ch.field)
		} else {
			forms[i].Set(ch.field, ch.value)
		}
		forms[i].Set(ch.button, ch.button)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	pages := make([]string, len(changes))
	for i, ch := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := clients[i].PostForm(base+ch.path, forms[i])
			if err != nil {
				t.Error(err)
				return
			}
			readAll(resp)
			if resp, err = clients[i].Get(base + ch.path); err == nil {
				pages[i] = readAll(resp)
			}
		}()
	}
	close(start)
	wg.Wait()
	f, err := config.Parse([]byte(b.ReadFile("www/intvlm8r.ini")), "ini")
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range changes {
		if !strings.Contains(pages[i], "saved.") || strings.Contains(pages[i], `class="red"><td class="centred">Not saved`) {
			t.Errorf("%s: the post did not say saved", ch.field)
		}
		if got, _ := f.Get(ch.section, ch.key); got != ch.want {
			t.Errorf("%s: [%s] %s = %q, want %q: a lost update", ch.field, ch.section, ch.key, got, ch.want)
		}
	}
}

// Issue 14 finding 7: fifty clients render the Arduino pages at once, with
// the simulated Arduino at the Pi's I2C bus timing. Readers of one value
// share a transaction, and a busy bus is not a silent Arduino: no page says
// "not answering".
func TestArduinoPagesUnderLoadNeverSaySilent(t *testing.T) {
	b := StartBox(t, monitoringINI("Off", ""))
	restartWeb(t, b, nil, "--arduino", "sim:i2c-timing")
	base := "http://" + b.UIAddr
	const n = 50
	clients := loggedInClients(t, b, n)
	pages := []string{"/", "/intervalometer", "/thermal", "/system"}
	var mu sync.Mutex
	silent, busy, failed := 0, 0, 0
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for round := range 3 {
				path := pages[(i+round)%len(pages)]
				resp, err := c.Get(base + path)
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
					t.Errorf("GET %s: %v", path, err)
					continue
				}
				body := readAll(resp)
				mu.Lock()
				switch {
				case resp.StatusCode != http.StatusOK:
					failed++
					t.Errorf("GET %s: %d", path, resp.StatusCode)
				case strings.Contains(body, "not answering"):
					silent++
				case strings.Contains(body, "bus was busy"):
					busy++
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("%d renders: %d said not answering, %d said the bus was busy, %d failed", n*3, silent, busy, failed)
	if silent > 0 {
		t.Fatalf("%d of %d renders said the healthy Arduino is not answering\n%s", silent, n*3, b.Log("web"))
	}
}
