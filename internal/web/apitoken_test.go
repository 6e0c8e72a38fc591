package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

var apiTokenValue = regexp.MustCompile(`<code id="apiTokenValue">([^<]+)</code>`)

// The status API: never without the token or a login; the token made on the
// System page lets a script in until it is revoked; a logged-in browser gets
// it without one. Only the token's hash is on disk.
func TestStatusAPIToken(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	status := func(cl *http.Client, bearer string) (int, string) {
		t.Helper()
		h := http.Header{}
		if bearer != "" {
			h.Set("Authorization", "Bearer "+bearer)
		}
		return do(t, cl, http.MethodGet, u.ts.URL+"/api/v1/status", h, "")
	}
	isState := func(code int, body string) {
		t.Helper()
		var st struct {
			Location *string `json:"location"`
			Arduino  string  `json:"arduino"`
			Pi       struct {
				FreeBytes *uint64 `json:"free_bytes"`
			} `json:"pi"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil || st.Location == nil || st.Arduino == "" || st.Pi.FreeBytes == nil {
			t.Fatalf("want 200 with the state: %d %s", code, body)
		}
	}

	if code, body := status(u.anon, ""); code != http.StatusUnauthorized || strings.Contains(body, "free_bytes") {
		t.Fatalf("no token, no login: %d %s", code, body)
	}
	if code, _ := status(u.anon, "iv8_not-the-token"); code != http.StatusUnauthorized {
		t.Fatalf("a token before any was made: %d", code)
	}
	isState(status(u.cl, "")) // the logged-in browser

	// The System page shows the token part and creates one (CSRF: the table
	// test in guards_test.go covers these POSTs).
	sys := u.page("/system")
	if !strings.Contains(sys, `id="apiTokenState">none<`) {
		t.Fatalf("the System page does not say there is no token:\n%s", sys)
	}
	resp, err := u.cl.PostForm(u.ts.URL+"/system/apitoken", url.Values{"_csrf": {u.csrf(sys)}})
	if err != nil {
		t.Fatal(err)
	}
	shown := readBody(resp)
	m := apiTokenValue.FindStringSubmatch(shown)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create: %d\n%s", resp.StatusCode, shown)
	}
	token := m[1]
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page showing the token may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	onDisk, err := os.ReadFile(apiTokenPath(u.p))
	if err != nil || strings.Contains(string(onDisk), token) || !strings.Contains(string(onDisk), hashToken(token)) {
		t.Fatalf("token file %q (err %v): want the hash, not the token", onDisk, err)
	}
	if fi, _ := os.Stat(apiTokenPath(u.p)); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode().Perm())
	}
	if sys := u.page("/system"); !strings.Contains(sys, `id="apiTokenState">set `) || strings.Contains(sys, token) {
		t.Fatalf("after creating: the System page must say a token is set and never show it again")
	}

	isState(status(u.anon, token))
	if code, _ := status(u.anon, token+"x"); code != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d", code)
	}
	if code, _ := status(u.anon, ""); code != http.StatusUnauthorized {
		t.Fatalf("no token once one exists: %d", code)
	}

	resp, err = u.cl.PostForm(u.ts.URL+"/system/apitoken/revoke", url.Values{"_csrf": {u.csrf(u.page("/system"))}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if code, _ := status(u.anon, token); code != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d, want 401", code)
	}
	if _, err := os.Stat(apiTokenPath(u.p)); !os.IsNotExist(err) {
		t.Fatalf("token file after revoking: %v", err)
	}
	if sys := u.page("/system"); !strings.Contains(sys, "API token revoked") || !strings.Contains(sys, `id="apiTokenState">none<`) {
		t.Fatalf("after revoking, the System page:\n%s", sys)
	}
	isState(status(u.cl, "")) // the browser still gets in
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
