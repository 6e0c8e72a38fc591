package web

import (
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// A server field takes a host name, an IPv4 or IPv6 address (in brackets
// to add a port) and a port from 1 to 65535; nothing else.
func TestCheckHostPort(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61) // 253
	for _, ok := range []string{
		"ftp.example.com", "ftp.example.com:21", "ftp:1", "ftp:65535", "192.0.2.7", "192.0.2.7:2121",
		"[2001:db8::1]:22", "[2001:db8::1]", "2001:db8::1", "::1", long, "host.",
	} {
		if err := checkHostPort(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for v, why := range map[string]string{
		"ftp:":                "the port after ':' is missing",
		"ftp:0":               "the port must be a number from 1 to 65535",
		"ftp:65536":           "the port must be a number from 1 to 65535",
		"ftp:x":               "the port must be a number from 1 to 65535",
		"[2001:db8::1":        "not host[:port]",
		"[ftp.example.com]":   "not an IP address in the brackets",
		"[2001:db8::1]:70000": "the port must be a number from 1 to 65535",
		"2001:db8::zz":        "not an IPv6 address (put it in [brackets] to add a port)",
		"bad host":            "not a host name or IP address",
		"-ftp.example.com":    "not a host name or IP address",
		long + "e":            "not a host name or IP address",
	} {
		if err := checkHostPort(v); err == nil || err.Error() != why {
			t.Errorf("%q: %v, want %q", v, err, why)
		}
	}
}

// The rename pattern takes the original's tokens and nothing a file name
// cannot hold; 100 characters at most.
func TestCheckRename(t *testing.T) {
	for _, ok := range []string{"Site-%Y%m%d-%H%M%S-%F", "%a%b", strings.Repeat("x", 100), ".x", "..."} {
		if err := checkRename(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for v, why := range map[string]string{
		"":                       "is blank",
		strings.Repeat("x", 101): "is longer than 100 characters",
		"a\tb":                   "holds a control character",
		"a b":                    "cannot hold spaces or commas",
		"a/b":                    `cannot hold any of / \ : * ? " < > |`,
		".":                      "is not a file name",
		"..":                     "is not a file name",
		"Site-%":                 "ends with a lone %",
		"%Y%q":                   "uses %q, which is not one of %Y %m %b %d %a %H %M %S %F",
		"%%%":                    "uses %%, which is not one of %Y %m %b %d %a %H %M %S %F",
	} {
		if err := checkRename(v); err == nil || err.Error() != why {
			t.Errorf("%q: %v, want %q", v, err, why)
		}
	}
}

// /trnTrNow?wait answers 502 for an upload that failed or left photos
// unsent (a red STATUS), so the upload oneshot exits non-zero; 200 otherwise.
func TestUploadVerdict(t *testing.T) {
	for _, c := range []struct {
		v    tasks.View
		code int
		body string
	}{
		{tasks.View{State: tasks.StateFailure, Status: "server refused"}, http.StatusBadGateway, "FAILED server refused"},
		{tasks.View{Colour: status.Red, Status: "1 of 2 uploaded"}, http.StatusBadGateway, "FAILED 1 of 2 uploaded"},
		{tasks.View{Colour: status.Orange, Status: "nothing to upload"}, http.StatusOK, "OK nothing to upload"},
		{tasks.View{Colour: status.Green, Status: "2 of 2 uploaded"}, http.StatusOK, "OK 2 of 2 uploaded"},
	} {
		if code, body := uploadVerdict([]tasks.View{c.v}); code != c.code || body != c.body {
			t.Errorf("%+v: %d %q, want %d %q", c.v, code, body, c.code, c.body)
		}
	}
}

// The self-signed certificate choice is stored on only with encryption on,
// and switched off with encryption.
func TestTransferFTPTLSInsecureFollowsTLS(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	step := func(what, tls, insecure, wantTLS, wantInsecure string) {
		t.Helper()
		v := u.form("/transfer", "transferForm")
		v.Set("ftpTls", tls)
		v.Set("ftpTlsInsecure", insecure)
		if page := u.submit("/transfer", "tfrApply", v); !strings.Contains(page, "Transfer settings saved") {
			t.Fatalf("%s: not saved:\n%s", what, page)
		}
		if got, gotIns := u.get("Transfer", "ftptls"), u.get("Transfer", "ftptlsinsecure"); got != wantTLS || gotIns != wantInsecure {
			t.Fatalf("%s: ftptls %q, ftptlsinsecure %q; want %q %q", what, got, gotIns, wantTLS, wantInsecure)
		}
	}
	step("insecure without encryption", "", "on", "", "Off") // ftptls unchanged: not written
	step("encryption, self-signed", "on", "on", "on", "on")
	step("encryption off", "", "on", "Off", "Off")
}

// A log longer than the view shows its end: the newest line first, the
// line the cut landed in left out, and a note that it is cut.
func TestTransferLogPageShowsTheEndOfALongLog(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	var b strings.Builder
	b.WriteString("the first line, beyond the cut\n")
	for b.Len() < transferLogMax+1000 {
		b.WriteString("STATUS: an old upload, long ago, of many photos\n")
	}
	b.WriteString("STATUS: the newest upload\n")
	os.MkdirAll(filepath.Dir(u.p.TransferLog()), 0o755)
	if err := os.WriteFile(u.p.TransferLog(), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	page := u.page("/transferlog")
	first := strings.Index(page, "STATUS: ")
	if first < 0 || !strings.HasPrefix(page[first:], "STATUS: the newest upload") || strings.Contains(page, "the first line") {
		t.Fatalf("the log page does not open with the newest line, or shows what was cut")
	}
	if !strings.Contains(page, "Only the end of a long log is shown.") {
		t.Error("the log page does not say it is cut")
	}
}

// Pages whose settings file cannot be read say so, and still show.
func TestPagesSayTheSettingsFileIsUnreadable(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	os.Remove(u.p.INI())
	os.Mkdir(u.p.INI(), 0o755) // a read fails
	for _, path := range []string{"/thumbnails", "/camera", "/transfer"} {
		if page := html.UnescapeString(u.page(path)); !strings.Contains(page, "The settings file could not be read: ") {
			t.Errorf("%s does not say the settings file is unreadable", path)
		}
	}
}
