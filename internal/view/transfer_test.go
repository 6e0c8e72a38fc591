package view

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

func allUsable(string) (bool, string) { return true, "" }

func settingsOf(t *testing.T, ini string) config.Settings {
	t.Helper()
	f, err := config.Parse([]byte(ini), "ini")
	if err != nil {
		t.Fatal(err)
	}
	set, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func theSelected(t *testing.T, opts []Option) Option {
	t.Helper()
	var got []Option
	for _, o := range opts {
		if o.Selected {
			got = append(got, o)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d options selected in %+v", len(got), opts)
	}
	return got[0]
}

// A first setup: the INI this port creates has no upload schedule. Every
// select shows a valid choice (the original's first), none "(not set)",
// and the record of the form says the file lacks them, so that an Apply
// saves the defaults shown.
func TestTransferFormFirstSetupDefaultsAreValid(t *testing.T) {
	f := config.NewFile("hut", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	set, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	v := TransferForm(set, allUsable)
	for name, opts := range map[string][]Option{"transfer day": v.TransferDays, "transfer hour": v.TransferHours, "copy day": v.CopyDays, "copy hour": v.CopyHours, "method": v.Methods} {
		o := theSelected(t, opts)
		if o.Disabled || o.Value == "" || strings.Contains(o.Label, "not") {
			t.Errorf("%s: the default shown is %+v, not a valid choice", name, o)
		}
	}
	if o := theSelected(t, v.TransferDays); o.Value != "afterCopy" || o.Label != "after Copy completes" {
		t.Errorf("transfer day default %+v, want the original's first choice, afterCopy", o)
	}
	if o := theSelected(t, v.TransferHours); o.Value != "00" {
		t.Errorf("transfer hour default %+v, want 00", o)
	}
	if o := theSelected(t, v.CopyDays); o.Value != "Daily" {
		t.Errorf("copy day %+v, want the file's Daily", o)
	}
	fv := v.FormValues()
	if fv["transferDay"] != "" || fv["transferHour"] != "" || fv["copyDay"] != "Daily" || fv["copyHour"] != "14" || fv["tfrMethod"] != "Off" {
		t.Errorf("form record %v: unset keys must be recorded as unset, set ones as sent", fv)
	}
	shown, err := url.ParseQuery(v.Shown)
	if err != nil || shown.Get("copyHour") != "14" || !shown.Has("transferDay") {
		t.Errorf("Shown %q does not carry the form record", v.Shown)
	}
}

// A value hand-edited to something that is not a choice is shown as such,
// and is sent as nothing, so saving other fields leaves it alone.
func TestTransferFormHandEditedValues(t *testing.T) {
	set := settingsOf(t, "[Global]\nenablecamerausb = True\n[Transfer]\ntfrmethod = Gopher\ntransferday = Someday\ntransferhour = 7pm\n[Copy]\ncopyday = Daily\ncopyhour = 14\n")
	v := TransferForm(set, allUsable)
	for name, c := range map[string]struct {
		opts  []Option
		label string
	}{"day": {v.TransferDays, "Someday (not a choice)"}, "hour": {v.TransferHours, "7pm (not an hour)"}, "method": {v.Methods, "Gopher (not a choice)"}} {
		o := theSelected(t, c.opts)
		if !o.Disabled || o.Label != c.label || o.Value != "" {
			t.Errorf("%s: %+v, want a disabled %q", name, o, c.label)
		}
	}
	fv := v.FormValues()
	if fv["transferDay"] != "" || fv["transferHour"] != "" || fv["tfrMethod"] != "" {
		t.Errorf("hand-edited values recorded as %v, want sent as nothing", fv)
	}
	b := BuildTransfer(context.Background(), TransferSources{Settings: set, Paths: paths.New(t.TempDir()), MethodUsable: allUsable})
	if b.Colour != status.Orange || !strings.Contains(b.Notice, `"Gopher" is not one of the choices`) {
		t.Errorf("notice %q (%s)", b.Notice, b.Colour)
	}
}

// Passwords never reach the page; the view says only whether one is stored.
func TestTransferFormNeverHoldsPasswords(t *testing.T) {
	set := settingsOf(t, "[Transfer]\ntfrmethod = FTP\nftppassword = hunter2\nsftppassword = s3cr3t\n")
	v := TransferForm(set, allUsable)
	if v.FTPPassword != "" || v.SFTPPassword != "" || !v.FTPPasswordSet || !v.SFTPPasswordSet {
		t.Fatalf("passwords in the view: %q %q set=%v/%v", v.FTPPassword, v.SFTPPassword, v.FTPPasswordSet, v.SFTPPasswordSet)
	}
	if strings.Contains(v.Shown, "hunter2") || strings.Contains(v.Shown, "s3cr3t") {
		t.Fatalf("a password is in the form record: %s", v.Shown)
	}
}

// A method this Pi cannot use is greyed out with the reason, unless it is
// the saved one (saving other fields must not lose it), and the page says
// uploads cannot run.
func TestTransferMethodUnusable(t *testing.T) {
	noRsync := func(m string) (bool, string) {
		if m == "rsync" {
			return false, "rsync is not installed on this Pi"
		}
		return true, ""
	}
	for _, saved := range []string{"FTP", "rsync"} {
		set := settingsOf(t, "[Transfer]\ntfrmethod = "+saved+"\n")
		v := BuildTransfer(context.Background(), TransferSources{Settings: set, Paths: paths.New(t.TempDir()), MethodUsable: noRsync})
		var rs Option
		for _, o := range v.Methods {
			if o.Value == "rsync" {
				rs = o
			}
		}
		if rs.Title != "rsync is not installed on this Pi" || rs.Disabled != (saved != "rsync") {
			t.Errorf("saved %s: rsync option %+v", saved, rs)
		}
		if (v.Notice != "") != (saved == "rsync") {
			t.Errorf("saved %s: notice %q", saved, v.Notice)
		}
	}
}

func TestBuildTransferUSBOff(t *testing.T) {
	set := settingsOf(t, "[Global]\nenablecamerausb = False\n[Transfer]\ntfrmethod = FTP\nftpserver = x\n")
	v := BuildTransfer(context.Background(), TransferSources{Settings: set})
	if !v.USBOff || v.FTPServer != "" || v.Methods != nil {
		t.Fatalf("USB off: %+v", v)
	}
}

// The Pi's keys, the Dropbox token and a pending authorisation, from files.
func TestBuildTransferKeysAndDropbox(t *testing.T) {
	p := paths.New(t.TempDir())
	set := settingsOf(t, "[Transfer]\ntfrmethod = SFTP\ndbx_app_key = appkey1\n")
	src := TransferSources{Settings: set, Paths: p, MethodUsable: allUsable, DropboxAuthURL: "https://dbx/auth", DropboxAuthKey: "otherkey"}
	v := BuildTransfer(context.Background(), src)
	if v.PublicKey != "" || !v.SFTPPasswordNeeded || v.DropboxToken || v.DropboxAuthURL != "" || !v.DropboxKeySaved {
		t.Fatalf("no keys, no token, an authorisation for another key: %+v", v)
	}
	write := func(path, body string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(p.SSHKeyRSA(), "private")
	write(p.SSHKeyRSA()+".pub", "ssh-rsa AAAA pi@hut\n")
	write(p.DropboxToken(), "tok\n")
	src.DropboxAuthKey = "appkey1"
	v = BuildTransfer(context.Background(), src)
	if v.PublicKey != "ssh-rsa AAAA pi@hut" || v.SFTPPasswordNeeded || !v.DropboxToken || v.DropboxAuthURL != "https://dbx/auth" {
		t.Fatalf("with keys and token: %+v", v)
	}
}

// The wake hour: the Arduino's, else the INI's, else always on.
func TestWakePiHour(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := paths.New(t.TempDir())
	ard, err := arduino.Open("sim", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ard.Close()
	if err := ard.SetWakeWindow(t.Context(), 6, 30); err != nil {
		t.Fatal(err)
	}
	set := settingsOf(t, "[Global]\nwakepihour = 07\n")
	if h, live := WakePiHour(t.Context(), ard, set, quiet); h != "06" || !live {
		t.Errorf("from the Arduino: %s %v", h, live)
	}
	silent := arduino.NewClient(silentTransport{}, arduino.Options{LockPath: filepath.Join(t.TempDir(), "lock"), Log: quiet})
	if h, live := WakePiHour(t.Context(), silent, set, quiet); h != "07" || live {
		t.Errorf("a failing Arduino: %s %v, want the INI's 07", h, live)
	}
	for ini, want := range map[string]string{"wakepihour = 25": "25", "wakepihour = 5": "05", "wakepihour = 24": "25", "wakepihour = x": "25", "": "25"} {
		if h, _ := WakePiHour(t.Context(), nil, settingsOf(t, "[Global]\n"+ini+"\n"), nil); h != want {
			t.Errorf("%q: %s, want %s", ini, h, want)
		}
	}
}
