package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// loggedIn starts the UI on a real Redis and returns a client logged in.
func loggedIn(t *testing.T, home string) (*httptest.Server, *http.Client) {
	t.Helper()
	return loggedInWith(t, home, nil)
}

// loggedInWith is loggedIn with Deps changed by with (the test seams).
func loggedInWith(t *testing.T, home string, with func(*Deps)) (*httptest.Server, *http.Client) {
	t.Helper()
	r := testutil.StartRedis(t)
	p := paths.New(home)
	os.MkdirAll(p.WWW(), 0o755)
	if err := auth.SetPassword(p.Credentials(), "admin", "pw-for-tests"); err != nil {
		t.Fatal(err)
	}
	tc := tasks.NewClient(r.Addr)
	t.Cleanup(func() { tc.Close() })
	d := Deps{Paths: p, Config: config.NewStore(p.INI()), Tasks: tc, RedisAddr: r.Addr,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if with != nil {
		with(&d)
	}
	srv, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Public())
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	body := get(t, cl, ts.URL+"/login")
	m := regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", body)
	}
	resp, err := cl.PostForm(ts.URL+"/login", url.Values{"_csrf": {m[1]}, "username": {"admin"}, "password": {"pw-for-tests"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return ts, cl
}

func get(t *testing.T, cl *http.Client, u string) string {
	t.Helper()
	resp, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

func TestINIViewRedactsSecrets(t *testing.T) {
	home := t.TempDir()
	ini := "[Global]\nlocationname = Hut <b>7</b>\nthumbscount = 24\n\n" +
		"[Transfer]\ntfrmethod = SFTP\nftpserver = ftp.example.com\nftppassword = hunter2\nsftppassword = s3cr3t%%x\ndbx_app_key = appkey123\n" +
		"sftpuser = pi\n\n[Copy]\nrenamestring = %%Y%%m%%d-%%H\n\n" +
		"[Monitoring]\nheartbeatfrequency = 15\nheartbeaturl = https://hc-ping.com/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9\n"
	os.MkdirAll(filepath.Join(home, "www"), 0o755)
	os.WriteFile(filepath.Join(home, "www", "intvlm8r.ini"), []byte(ini), 0o640)
	ts, cl := loggedIn(t, home)
	body := get(t, cl, ts.URL+"/iniview")
	for _, secret := range []string{"hunter2", "s3cr3t", "appkey123", "0f1e2d3c"} {
		if strings.Contains(body, secret) {
			t.Errorf("secret %q shown", secret)
		}
	}
	for _, want := range []string{
		"<th colspan=\"2\">Global</th>", "<th colspan=\"2\">Transfer</th>", "<th colspan=\"2\">Monitoring</th>",
		"ftp.example.com", "%Y%m%d-%H", // %% shown as %, as configparser reads it
		"Hut &lt;b&gt;7&lt;/b&gt;", // escaped
		"https://hc-ping.com/… (hidden)", ">sftpuser<", ">pi<", ">ftppassword<",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Count(body, "(hidden)") != 4 {
		t.Errorf("want 4 hidden values:\n%s", body)
	}

	// A file configparser refuses: a red flash and no table rows.
	os.WriteFile(filepath.Join(home, "www", "intvlm8r.ini"), []byte("no section header\n"), 0o640)
	body = get(t, cl, ts.URL+"/iniview")
	if !strings.Contains(body, `class="red"`) || !strings.Contains(body, "could not be read") || strings.Contains(body, "ftp.example.com") {
		t.Errorf("bad INI:\n%s", body)
	}
}

func TestINIViewNeedsLogin(t *testing.T) {
	ts, _ := loggedIn(t, t.TempDir())
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/iniview", "/network"} {
		resp, err := cl.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("%s anonymous: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// The Network page on this machine's interfaces, with the Wi-Fi tools'
// output coming from the captured samples (this box has no Wi-Fi).
func TestNetworkPage(t *testing.T) {
	iwScan, err := os.ReadFile("../system/testdata/iw-scan.txt")
	if err != nil {
		t.Fatal(err)
	}
	// net.Interfaces reads the live kernel, so the interfaces are this box's;
	// the scan tools answer with the sample.
	networkHost := system.Host{Root: "/", Run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
		if strings.HasSuffix(name, "iw") {
			return iwScan, nil
		}
		return nil, errors.New(name + ": not here")
	}}
	ts, cl := loggedInWith(t, t.TempDir(), func(d *Deps) { d.NetworkHost = networkHost })
	body := get(t, cl, ts.URL+"/network")
	if !strings.Contains(body, "Network interfaces") || strings.Contains(body, `id="if-lo"`) {
		t.Fatalf("interfaces table:\n%s", body)
	}
	ifs, _ := networkHost.Interfaces(context.Background())
	for _, it := range ifs {
		if !strings.Contains(body, `id="if-`+it.Name+`"`) {
			t.Errorf("interface %s missing", it.Name)
		}
	}

	// The scan table, rendered for a Wi-Fi interface.
	sc, err := networkHost.WiFiScan(context.Background(), "wlan0")
	if err != nil {
		t.Fatal(err)
	}
	d := view.NetworkView{Scans: []view.NetworkScan{{Scan: sc}, {Scan: system.Scan{Interface: "wlan1"}}, {Scan: system.Scan{Interface: "wlan2"}, Err: "The scan failed: boom"}}}
	srv := &Server{}
	if err := srv.parseTemplates(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := srv.pages["network"].ExecuteTemplate(&b, "layout", layout{Data: d}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		"<summary>FieldSite (connected)</summary>", "<summary>(hidden network)</summary>", "Cafe ☕ Guest",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "-64 dBm", "46/70", `<meter min="0" max="70"`, "WPA2",
		`id="scan-wlan1"`, "none found", "The scan failed: boom",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("scan table lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("an SSID was not escaped")
	}
}
