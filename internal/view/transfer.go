package view

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The Transfer page: copy scheduling (camera to Pi), the upload method and
// its settings, upload scheduling, Dropbox authorisation and the Pi's SSH
// key. See pages.md §10.

// The days each schedule offers, in the page's order.
var (
	CopyDays     = []string{"Off", "Daily", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	TransferDays = []string{"afterCopy", "Daily", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// What the form shows for a schedule key the settings file does not have:
// the first choice of the original's selects, which its Apply then saved.
// Every default is a valid choice, so a first setup can be applied as shown.
const (
	DefaultTransferDay = "afterCopy"
	DefaultHour        = "00"
)

// TransferSources is what the Transfer page is built from.
type TransferSources struct {
	Settings config.Settings
	Paths    paths.Paths     // the Pi's SSH key and Dropbox token
	Arduino  *arduino.Client // nil: no link; the wake hour comes from the INI
	Log      *slog.Logger
	// DropboxAuthURL is the Dropbox authorisation this browser started for
	// DropboxAuthKey, "" when none awaits its code.
	DropboxAuthURL, DropboxAuthKey string
	// MethodUsable tells whether this Pi can upload by a method (nil:
	// transfer.MethodUsable).
	MethodUsable func(method string) (bool, string)
}

// TransferView is what the Transfer page shows. Its settings are the
// INI's, without the passwords (never sent to a browser).
type TransferView struct {
	USBOff bool
	Notice string        // about the saved upload method, "" when fine
	Colour status.Colour // the notice's

	config.TransferSettings
	config.CopySettings

	Methods                         []Option
	FTPPasswordSet, SFTPPasswordSet bool
	SFTPPasswordNeeded              bool // no stored password and no key: one must be typed

	DropboxToken    bool   // Dropbox_token.txt holds a token
	DropboxAuthURL  string // set while an authorisation started here awaits its code
	DropboxKeySaved bool   // an app key is saved, so authorisation can start

	PublicKey string // the Pi's public key, "" when it has none

	TransferDays, TransferHours, CopyDays, CopyHours []Option

	WakePiTime string // "25" when the Pi is always on, else its wake hour "07"

	Shown string // the form's record of the values shown (web/formedit.go)
}

// BuildTransfer builds the Transfer page.
func BuildTransfer(ctx context.Context, src TransferSources) TransferView {
	set := src.Settings
	if !set.Global.EnableCameraUSB {
		return TransferView{USBOff: true}
	}
	usable := src.MethodUsable
	if usable == nil {
		usable = transfer.MethodUsable
	}
	v := TransferForm(set, usable)
	if v.Method == "" {
		v.Notice, v.Colour = fmt.Sprintf("The saved upload method %q is not one of the choices; pick one and Apply.", set.Transfer.Method), status.Orange
	} else if ok, why := usable(v.Method); !ok {
		v.Notice, v.Colour = "Uploads by "+v.Method+" cannot run: "+why+".", status.Orange
	}
	v.SFTPPasswordNeeded = !v.SFTPPasswordSet && !HasPrivateKey(src.Paths)
	v.DropboxToken = dropboxTokenStored(src.Paths)
	if src.DropboxAuthURL != "" && src.DropboxAuthKey == strings.TrimSpace(set.Transfer.DropboxAppKey) {
		v.DropboxAuthURL = src.DropboxAuthURL
	}
	v.PublicKey = PublicKey(src.Paths)
	v.WakePiTime, _ = WakePiHour(ctx, src.Arduino, set, src.Log)
	return v
}

// TransferForm is the form's part of the page, from the settings alone:
// what the page shows, and what a submit is compared with (FormValues).
func TransferForm(set config.Settings, usable func(string) (bool, string)) TransferView {
	v := TransferView{TransferSettings: set.Transfer, CopySettings: set.Copy}
	v.FTPPasswordSet, v.SFTPPasswordSet = v.FTPPassword != "", v.SFTPPassword != ""
	v.FTPPassword, v.SFTPPassword = "", ""
	v.Method = transfer.Canonical(set.Transfer.Method)
	v.Methods = methodOptions(set.Transfer.Method, v.Method, usable)
	v.DropboxKeySaved = strings.TrimSpace(v.DropboxAppKey) != ""
	v.TransferDays = dayOptions(TransferDays, v.TransferDay, DefaultTransferDay)
	v.TransferHours = hourOptions(v.TransferHour)
	v.CopyDays = dayOptions(CopyDays, v.CopyDay, CopyDays[0])
	v.CopyHours = hourOptions(v.CopyHour)
	v.Shown = EncodeShown(v.FormValues())
	return v
}

func methodOptions(stored, method string, usable func(string) (bool, string)) []Option {
	var out []Option
	for _, m := range transfer.Methods {
		o := Option{Value: m, Label: m, Selected: m == method}
		if ok, why := usable(m); !ok {
			o.Title = why
			o.Label = m + " (" + why + ")"
			// The saved method stays selectable, so saving other fields
			// cannot lose it (the original saved "None").
			o.Disabled = !o.Selected
		}
		out = append(out, o)
	}
	if method == "" {
		out = append([]Option{{Value: "", Label: stored + " (not a choice)", Selected: true, Disabled: true}}, out...)
	}
	return out
}

// dayOptions offers days with stored selected; unset shows def, a value
// that is not a choice (hand-edited) says so and is sent as nothing.
func dayOptions(days []string, stored, def string) []Option {
	if strings.TrimSpace(stored) == "" {
		stored = def
	}
	var out []Option
	found := false
	for _, d := range days {
		o := Option{Value: d, Label: d, Selected: d == stored}
		if d == "afterCopy" {
			o.Label = "after Copy completes"
		}
		found = found || o.Selected
		out = append(out, o)
	}
	if !found {
		out = append([]Option{{Value: "", Label: stored + " (not a choice)", Selected: true, Disabled: true}}, out...)
	}
	return out
}

// hourOptions offers 00 to 23 with stored selected; unset shows
// DefaultHour, a value that is not an hour says so and is sent as nothing.
func hourOptions(stored string) []Option {
	t := strings.TrimSpace(stored)
	if t == "" {
		t = DefaultHour
	}
	sel, err := strconv.Atoi(t)
	if err != nil || sel < 0 || sel > 23 {
		sel = -1
	}
	out := make([]Option, 24)
	for h := range out {
		v := fmt.Sprintf("%02d", h)
		out[h] = Option{Value: v, Label: v, Selected: h == sel}
	}
	if sel < 0 {
		out = append([]Option{{Value: "", Label: stored + " (not an hour)", Selected: true, Disabled: true}}, out...)
	}
	return out
}

// sentValue is what a browser sends for a select: the selected option's
// value, or nothing ("") when that option is disabled.
func sentValue(opts []Option) string {
	for _, o := range opts {
		if o.Selected && !o.Disabled {
			return o.Value
		}
	}
	return ""
}

// CheckboxValue is what a browser sends for a checkbox: "on" when ticked.
func CheckboxValue(on bool) string {
	if on {
		return "on"
	}
	return ""
}

// InputValue is what a browser sends back for a text input holding v: it
// drops line breaks from the value.
func InputValue(v string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(v)
}

// FormValues are the form's fields as the settings file holds them: what
// the browser sends back for a field left alone. A schedule key the file
// lacks is "" here though the page shows its default, so that Apply saves
// the default shown. Passwords are never shown, so never among them.
func (v *TransferView) FormValues() map[string]string {
	return map[string]string{
		"tfrMethod": sentValue(v.Methods),
		"ftpServer": InputValue(v.FTPServer), "ftpUser": InputValue(v.FTPUser), "ftpRemoteFolder": InputValue(v.FTPRemoteFolder),
		"ftpActive": CheckboxValue(v.FTPActive), "ftpTls": CheckboxValue(v.FTPTLS), "ftpTlsInsecure": CheckboxValue(v.FTPTLSInsecure),
		"sftpServer": InputValue(v.SFTPServer), "sftpUser": InputValue(v.SFTPUser), "sftpRemoteFolder": InputValue(v.SFTPRemoteFolder),
		"dbx_app_key": InputValue(v.DropboxAppKey),
		"rsyncHost":   InputValue(v.RsyncHost), "rsyncUsername": InputValue(v.RsyncUsername), "rsyncRemoteFolder": InputValue(v.RsyncRemoteFolder),
		"transferDay": storedSent(v.TransferDay, v.TransferDays), "transferHour": storedSent(v.TransferHour, v.TransferHours),
		"transferOnBootup": CheckboxValue(v.TransferOnBootup),
		"copyDay":          storedSent(v.CopyDay, v.CopyDays), "copyHour": storedSent(v.CopyHour, v.CopyHours),
		"copyOnBootup": CheckboxValue(v.CopyOnBootup), "renameOnCopy": CheckboxValue(v.RenameOnCopy),
		"renameString": InputValue(v.RenameString),
	}
}

// storedSent is a select's value as stored: "" when the file lacks it (the
// default shown then counts as a change), else what the browser sends.
func storedSent(stored string, opts []Option) string {
	if strings.TrimSpace(stored) == "" {
		return ""
	}
	return sentValue(opts)
}

// EncodeShown is a form's record of the values shown, for its hidden field.
func EncodeShown(v map[string]string) string {
	q := url.Values{}
	for k, s := range v {
		q.Set(k, s)
	}
	return q.Encode()
}

// WakePiHour is the Pi's wake hour as the Arduino says (cached reply first,
// as the original), else the INI's copy of it; "25" means always on.
func WakePiHour(ctx context.Context, ard *arduino.Client, set config.Settings, log *slog.Logger) (hour string, fromArduino bool) {
	if ard != nil {
		ctx, cancel := context.WithTimeout(ctx, ArduinoBudget)
		defer cancel()
		v, err := arduino.Get(ctx, ard, arduino.QWakeWindow, arduino.CacheFirst)
		if err == nil {
			return fmt.Sprintf("%02d", v.Value.Hour), true
		}
		if log != nil {
			log.Warn("wake window unknown; using the INI's wakepihour", "err", err)
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(set.Global.WakePiHour)); err == nil && (n >= 0 && n <= 23 || n == 25) {
		return fmt.Sprintf("%02d", n), false
	}
	return "25", false
}

// PublicKey is the Pi's public key line, ours or the id_rsa the original's
// instructions made; "" when it has none.
func PublicKey(p paths.Paths) string {
	for _, k := range []string{p.SSHKey(), p.SSHKeyRSA()} {
		if b, err := os.ReadFile(k + ".pub"); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

// HasPrivateKey tells whether the Pi has a private key SFTP and rsync can use.
func HasPrivateKey(p paths.Paths) bool {
	for _, k := range []string{p.SSHKey(), p.SSHKeyRSA()} {
		if _, err := os.Stat(k); err == nil {
			return true
		}
	}
	return false
}

func dropboxTokenStored(p paths.Paths) bool {
	b, err := os.ReadFile(p.DropboxToken())
	return err == nil && strings.TrimSpace(string(b)) != ""
}
