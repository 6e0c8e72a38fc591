package transfer

import (
	"bytes"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

func TestFromINI(t *testing.T) {
	f, err := config.Parse([]byte("[Transfer]\ntfrmethod = ftp\nftpserver = ftp://h:21\nftpuser = u\nftppassword = a%%b\nftpremotefolder = \\x\n"+
		"ftpactive = on\nftptls = yes\nftptlsinsecure = maybe\nsftpserver = s\nsftpuser = su\nsftppassword = sp\nsftpremotefolder = sf\n"+
		"dbx_app_key = k\nrsyncusername = ru\nrsynchost = rh\nrsyncremotefolder = rf\ndeleteaftertransfer = On\n"), "t.ini")
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromINI(f)
	if err == nil || !strings.Contains(err.Error(), "ftptlsinsecure") {
		t.Fatalf("malformed ftptlsinsecure not reported: %v", err)
	}
	want := Settings{TransferSettings: config.TransferSettings{Method: "ftp", FTPServer: "ftp://h:21", FTPUser: "u", FTPPassword: "a%b", FTPRemoteFolder: `\x`, FTPActive: true, FTPTLS: true, SFTPServer: "s", SFTPUser: "su", SFTPPassword: "sp", SFTPRemoteFolder: "sf", DropboxAppKey: "k", RsyncUsername: "ru", RsyncHost: "rh", RsyncRemoteFolder: "rf", DeleteAfterTransfer: true}}
	if s != want {
		t.Fatalf("got %+v\nwant %+v", s, want)
	}
	if Canonical("ftp") != MethodFTP || Canonical("") != MethodOff || Canonical("RSYNC") != MethodRsync || Canonical("Google Drive") != "" {
		t.Fatal("Canonical")
	}
}

func TestMethodUsable(t *testing.T) {
	for _, m := range []string{"Off", "FTP", "SFTP", "Dropbox"} {
		if ok, why := MethodUsable(m); !ok {
			t.Errorf("%s unusable: %s", m, why)
		}
	}
	if ok, _ := MethodUsable("Google Drive"); ok {
		t.Error("unknown method usable")
	}
	if _, err := exec.LookPath("rsync"); err != nil {
		t.Fatal("rsync is needed for these tests (apt-get install rsync openssh-client)")
	}
	if ok, why := MethodUsable("rsync"); !ok {
		t.Fatalf("rsync installed but unusable: %s", why)
	}
	t.Setenv("PATH", t.TempDir())
	if ok, why := MethodUsable("rsync"); ok || why != "rsync is not installed on this Pi" {
		t.Fatalf("no rsync: %v %q", ok, why)
	}
}

func TestReauthDropboxFromTheTerminal(t *testing.T) {
	fake := startFakeDropbox(t, "appkey9")
	p := newHome(t)
	os.MkdirAll(filepath.Dir(p.INI()), 0o755)
	ini := config.NewStore(p.INI())

	// No app key: told what to do, nothing stored.
	os.WriteFile(p.INI(), []byte("[Transfer]\ntfrmethod = Dropbox\n"), 0o640)
	var out bytes.Buffer
	if _, err := (&Reauth{Paths: p, INI: ini, In: strings.NewReader(""), Out: &out, API: fake.api()}).Run(t.Context()); err == nil || !strings.Contains(out.String(), "Transfer page") {
		t.Fatalf("blank key: %v\n%s", err, out.String())
	}

	os.WriteFile(p.INI(), []byte("[Transfer]\ntfrmethod = Dropbox\ndbx_app_key = appkey9\n"), 0o640)
	// The user reads the link, "approves" (the fake learns the challenge), pastes the code.
	pr, pw := io.Pipe()
	out.Reset()
	done := make(chan error, 1)
	var upload bool
	outW := &lineWatcher{w: &out, onLink: func(link string) {
		u, _ := url.Parse(link)
		fake.mu.Lock()
		fake.challenges["code-42"] = u.Query().Get("code_challenge")
		fake.mu.Unlock()
		go func() { io.WriteString(pw, "code-42\n\n"); pw.Close() }()
	}}
	go func() {
		var err error
		upload, err = (&Reauth{Paths: p, INI: ini, In: pr, Out: outW, API: fake.api()}).Run(t.Context())
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("reauth: %v\n%s", err, out.String())
	}
	if !upload {
		t.Fatal("an empty answer to [Y/n] should mean yes")
	}
	if b, _ := os.ReadFile(p.DropboxToken()); string(b) != "rt-fresh" {
		t.Fatalf("token %q", b)
	}
	if !strings.Contains(out.String(), "[Y/n]") {
		t.Fatalf("no test-upload question:\n%s", out.String())
	}

	// A wrong code: an error, the STATUS line, the old token kept.
	out.Reset()
	_, err := (&Reauth{Paths: p, INI: ini, In: strings.NewReader("bad\n"), Out: &out, API: fake.api()}).Run(t.Context())
	if err == nil || lastStatus(t, p) != "Error in Dropbox re-auth" {
		t.Fatalf("wrong code: %v %q", err, lastStatus(t, p))
	}
	if b, _ := os.ReadFile(p.DropboxToken()); string(b) != "rt-fresh" {
		t.Fatalf("token after a failed re-auth %q", b)
	}
	// "n" declines the test upload.
	out.Reset()
	pr, pw = io.Pipe()
	outW = &lineWatcher{w: &out, onLink: func(link string) {
		u, _ := url.Parse(link)
		fake.mu.Lock()
		fake.challenges["code-43"] = u.Query().Get("code_challenge")
		fake.mu.Unlock()
		go func() { io.WriteString(pw, "code-43\nn\n"); pw.Close() }()
	}}
	upload, err = (&Reauth{Paths: p, INI: ini, In: pr, Out: outW, API: fake.api()}).Run(t.Context())
	if err != nil || upload {
		t.Fatalf("declined: %v %v", upload, err)
	}
}

// lineWatcher passes output through and calls onLink with the first
// authorise link printed.
type lineWatcher struct {
	w      io.Writer
	onLink func(string)
	buf    bytes.Buffer
	seen   bool
}

var linkRE = regexp.MustCompile(`(?m)^(http\S+/oauth2/authorize\?\S+)\n`)

func (l *lineWatcher) Write(b []byte) (int, error) {
	l.buf.Write(b)
	if !l.seen {
		if m := linkRE.FindStringSubmatch(l.buf.String()); m != nil {
			l.seen = true
			l.onLink(m[1])
		}
	}
	return l.w.Write(b)
}
