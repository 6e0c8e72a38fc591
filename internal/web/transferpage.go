package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The Transfer page: copy scheduling (camera to Pi), the upload method and
// its settings, upload scheduling, the log, Dropbox authorisation and the
// Pi's SSH key. See pages.md §10; its listed defects are fixed here.

var (
	copyDays     = []string{"Off", "Daily", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	transferDays = []string{"afterCopy", "Daily", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// option is one <option> of a select.
type option struct {
	Value, Label, Title string
	Selected, Disabled  bool
}

type transferPageData struct {
	USBOff bool

	Methods []option
	Method  string

	FTPServer, FTPUser, FTPRemoteFolder string
	FTPPasswordSet                      bool
	FTPActive, FTPTLS, FTPTLSInsecure   bool

	SFTPServer, SFTPUser, SFTPRemoteFolder string
	SFTPPasswordSet                        bool
	SFTPPasswordNeeded                     bool // no stored password and no key: one must be typed

	DropboxAppKey   string
	DropboxToken    bool   // Dropbox_token.txt holds a token
	DropboxAuthURL  string // set while an authorisation started here awaits its code
	DropboxKeySaved bool   // an app key is saved, so authorisation can start

	RsyncHost, RsyncUser, RsyncRemoteFolder string

	PublicKey string // the Pi's public key, "" when it has none

	TransferDays   []option
	TransferHours  []option
	TransferDay    string
	TransferOnBoot bool

	DeleteAfterTransfer bool // set in the INI only; the page says what it means

	CopyDays     []option
	CopyHours    []option
	CopyDay      string
	CopyOnBoot   bool
	RenameOnCopy bool
	RenameString string

	WakePiTime string // "25" when the Pi is always on, else its wake hour "07"

	Shown string // the form's record of the values shown (formedit.go)
}

func hourOptions(stored string) []option {
	sel, err := strconv.Atoi(strings.TrimSpace(stored))
	if err != nil || sel < 0 || sel > 23 {
		sel = -1
	}
	out := make([]option, 24)
	for h := range out {
		v := fmt.Sprintf("%02d", h)
		out[h] = option{Value: v, Label: v, Selected: h == sel}
	}
	if sel < 0 {
		// Not set (or hand-edited to junk): say so, as for the days, rather
		// than show 00 while the INI holds something else.
		label := "(not set)"
		if strings.TrimSpace(stored) != "" {
			label = stored + " (not an hour)"
		}
		out = append([]option{{Value: "", Label: label, Selected: true, Disabled: true}}, out...)
	}
	return out
}

// selectedValue is what a browser sends for a select: the selected option's
// value, or nothing ("") when that option is disabled.
func selectedValue(opts []option) string {
	for _, o := range opts {
		if o.Selected && !o.Disabled {
			return o.Value
		}
	}
	return ""
}

func checkboxValue(on bool) string {
	if on {
		return "on"
	}
	return ""
}

func dayOptions(days []string, stored string) []option {
	var out []option
	found := false
	for _, d := range days {
		o := option{Value: d, Label: d, Selected: d == stored}
		if d == "afterCopy" {
			o.Label = "after Copy completes"
		}
		found = found || o.Selected
		out = append(out, o)
	}
	if !found {
		// Not set (or hand-edited to junk): say so rather than pretend a day.
		label := "(not set)"
		if stored != "" {
			label = stored + " (not a choice)"
		}
		out = append([]option{{Value: "", Label: label, Selected: true, Disabled: true}}, out...)
	}
	return out
}

// wakePiHour is the Pi's wake hour as the Arduino says (cached reply first,
// as the original), else the INI's copy of it; "25" means always on.
func (s *Server) wakePiHour(ctx context.Context, set config.Settings) (hour string, fromArduino bool) {
	if s.Arduino != nil {
		ctx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
		defer cancel()
		if v, err := arduino.Get(ctx, s.Arduino, arduino.QWakeWindow, arduino.CacheFirst); err == nil {
			return fmt.Sprintf("%02d", v.Value.Hour), true
		} else {
			s.Log.Warn("wake window unknown; using the INI's wakepihour", "err", err)
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(set.Global.WakePiHour)); err == nil && (n >= 0 && n <= 23 || n == 25) {
		return fmt.Sprintf("%02d", n), false
	}
	return "25", false
}

// publicKey returns the Pi's public key line, ours or the id_rsa the
// original's instructions made.
func (s *Server) publicKey() string {
	for _, k := range []string{s.Paths.SSHKey(), s.Paths.SSHKeyRSA()} {
		if b, err := os.ReadFile(k + ".pub"); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	return ""
}

func (s *Server) hasPrivateKey() bool {
	for _, k := range []string{s.Paths.SSHKey(), s.Paths.SSHKeyRSA()} {
		if _, err := os.Stat(k); err == nil {
			return true
		}
	}
	return false
}

func (s *Server) dropboxTokenStored() bool {
	b, err := os.ReadFile(s.Paths.DropboxToken())
	return err == nil && strings.TrimSpace(string(b)) != ""
}

func (s *Server) transferPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		s.Log.Error("read INI", "err", err)
		flash(c, "red", "The settings file could not be read: "+err.Error())
	}
	if !set.Global.EnableCameraUSB {
		return s.render(c, http.StatusOK, "transfer", transferPageData{USBOff: true})
	}
	f, _ := s.Config.Load()
	d := transferFormData(f, set)
	if d.Method == "" {
		flash(c, "orange", fmt.Sprintf("The saved upload method %q is not one of the choices; pick one and Apply.", set.Transfer.Method))
	} else if ok, why := transfer.MethodUsable(d.Method); !ok {
		flash(c, "orange", "Uploads by "+d.Method+" cannot run: "+why+".")
	}
	d.SFTPPasswordNeeded = !d.SFTPPasswordSet && !s.hasPrivateKey()
	d.DropboxToken = s.dropboxTokenStored()
	if pend, ok := dropboxPending(c); ok && pend.key == strings.TrimSpace(set.Transfer.DropboxAppKey) {
		d.DropboxAuthURL = pend.url
	}
	d.PublicKey = s.publicKey()
	d.WakePiTime, _ = s.wakePiHour(c.Request().Context(), set)
	d.Shown = shownValues(d.formValues())
	return s.render(c, http.StatusOK, "transfer", d)
}

// transferFormData is the form's part of the page, from the INI alone: what
// the page shows, and what a submit is compared with.
func transferFormData(f *config.File, set config.Settings) transferPageData {
	t, cp := set.Transfer, set.Copy
	d := transferPageData{Method: transfer.Canonical(t.Method)}
	for _, m := range transfer.Methods {
		o := option{Value: m, Label: m, Selected: m == d.Method}
		if ok, why := transfer.MethodUsable(m); !ok {
			o.Title = why
			o.Label = m + " (" + why + ")"
			// The saved method stays selectable, so saving other fields
			// cannot lose it (the original saved "None").
			o.Disabled = !o.Selected
		}
		d.Methods = append(d.Methods, o)
	}
	if d.Method == "" {
		d.Methods = append([]option{{Value: "", Label: t.Method + " (not a choice)", Selected: true, Disabled: true}}, d.Methods...)
	}
	d.FTPServer, d.FTPUser, d.FTPRemoteFolder, d.FTPPasswordSet = t.FTPServer, t.FTPUser, t.FTPRemoteFolder, t.FTPPassword != ""
	if f != nil {
		d.FTPActive, _ = f.Bool(config.SectionTransfer, transfer.KeyFTPActive, transfer.DefaultFTPActive)
		d.FTPTLS, _ = f.Bool(config.SectionTransfer, transfer.KeyFTPTLS, false)
		d.FTPTLSInsecure, _ = f.Bool(config.SectionTransfer, transfer.KeyFTPTLSInsecure, false)
	}
	d.SFTPServer, d.SFTPUser, d.SFTPRemoteFolder, d.SFTPPasswordSet = t.SFTPServer, t.SFTPUser, t.SFTPRemoteFolder, t.SFTPPassword != ""
	d.DropboxAppKey, d.DropboxKeySaved = t.DropboxAppKey, strings.TrimSpace(t.DropboxAppKey) != ""
	d.RsyncHost, d.RsyncUser, d.RsyncRemoteFolder = t.RsyncHost, t.RsyncUsername, t.RsyncRemoteFolder
	d.TransferDay, d.TransferOnBoot = t.TransferDay, t.TransferOnBootup
	d.DeleteAfterTransfer = t.DeleteAfterTransfer
	d.TransferDays, d.TransferHours = dayOptions(transferDays, t.TransferDay), hourOptions(t.TransferHour)
	d.CopyDay, d.CopyOnBoot, d.RenameOnCopy, d.RenameString = cp.CopyDay, cp.CopyOnBootup, cp.RenameOnCopy, cp.RenameString
	d.CopyDays, d.CopyHours = dayOptions(copyDays, cp.CopyDay), hourOptions(cp.CopyHour)
	return d
}

// formValues are the form's fields as a browser sends them back untouched
// (passwords are never shown, so never among them).
func (d *transferPageData) formValues() map[string]string {
	return map[string]string{
		"tfrMethod": selectedValue(d.Methods),
		"ftpServer": inputValue(d.FTPServer), "ftpUser": inputValue(d.FTPUser), "ftpRemoteFolder": inputValue(d.FTPRemoteFolder),
		"ftpActive": checkboxValue(d.FTPActive), "ftpTls": checkboxValue(d.FTPTLS), "ftpTlsInsecure": checkboxValue(d.FTPTLSInsecure),
		"sftpServer": inputValue(d.SFTPServer), "sftpUser": inputValue(d.SFTPUser), "sftpRemoteFolder": inputValue(d.SFTPRemoteFolder),
		"dbx_app_key": inputValue(d.DropboxAppKey),
		"rsyncHost":   inputValue(d.RsyncHost), "rsyncUsername": inputValue(d.RsyncUser), "rsyncRemoteFolder": inputValue(d.RsyncRemoteFolder),
		"transferDay": selectedValue(d.TransferDays), "transferHour": selectedValue(d.TransferHours),
		"transferOnBootup": checkboxValue(d.TransferOnBoot),
		"copyDay":          selectedValue(d.CopyDays), "copyHour": selectedValue(d.CopyHours),
		"copyOnBootup": checkboxValue(d.CopyOnBoot), "renameOnCopy": checkboxValue(d.RenameOnCopy),
		"renameString": inputValue(d.RenameString),
	}
}

func (s *Server) transferSubmit(c echo.Context) error {
	switch {
	case c.FormValue("tfrClear") != "":
		if err := transfer.ClearLog(s.Paths); err != nil {
			s.Log.Error("clear transfer log", "err", err)
			flash(c, "red", "The log could not be cleared: "+err.Error())
		} else {
			flash(c, "white", "piTransfer.log cleared.")
		}
	case c.FormValue("sshKeyGen") != "":
		s.generateKey(c)
	case c.FormValue("dbxStart") != "":
		s.dropboxStart(c)
	case c.FormValue("dbxFinish") != "":
		s.dropboxFinish(c)
	case c.FormValue("tfrApply") != "":
		s.transferApply(c)
	}
	return s.redirect(c, "/transfer")
}

func (s *Server) generateKey(c echo.Context) {
	host, _ := os.Hostname()
	if host == "" {
		host = "intvlm8r"
	}
	_, created, err := transfer.GenerateSSHKey(s.Paths, "intvlm8r@"+host)
	switch {
	case err != nil:
		s.Log.Error("generate SSH key", "err", err)
		flash(c, "red", "The key pair could not be made: "+err.Error())
	case created:
		flash(c, "white", "Key pair created. Add the public key below to ~/.ssh/authorized_keys on the server.")
	default:
		flash(c, "white", "This Pi already has a key pair; its public key is below.")
	}
}

// The Dropbox authorisation in progress lives in the (encrypted, signed)
// session cookie of the browser that started it, so no other browser can
// finish it, and it lapses.
const dropboxAuthTTL = 30 * time.Minute

type dropboxAuth struct{ key, verifier, url string }

func dropboxPending(c echo.Context) (dropboxAuth, bool) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return dropboxAuth{}, false
	}
	a := dropboxAuth{}
	a.key, _ = sess.Values["dbxKey"].(string)
	a.verifier, _ = sess.Values["dbxVerifier"].(string)
	a.url, _ = sess.Values["dbxURL"].(string)
	at, _ := sess.Values["dbxAt"].(int64)
	if a.verifier == "" || time.Since(time.Unix(at, 0)) > dropboxAuthTTL {
		return dropboxAuth{}, false
	}
	return a, true
}

func setDropboxPending(c echo.Context, a *dropboxAuth) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return
	}
	if a == nil {
		for _, k := range []string{"dbxKey", "dbxVerifier", "dbxURL", "dbxAt"} {
			delete(sess.Values, k)
		}
	} else {
		sess.Values["dbxKey"], sess.Values["dbxVerifier"], sess.Values["dbxURL"] = a.key, a.verifier, a.url
		sess.Values["dbxAt"] = time.Now().Unix()
	}
	saveSession(c, sess)
}

func (s *Server) dropboxStart(c echo.Context) {
	set, err := s.settings()
	if err != nil {
		flash(c, "red", "The settings file could not be read: "+err.Error())
		return
	}
	key := strings.TrimSpace(set.Transfer.DropboxAppKey)
	if key == "" {
		flash(c, "red", "Save the Dropbox app key (Apply) before authorising.")
		return
	}
	link, verifier := s.Dropbox.AuthURL(key)
	setDropboxPending(c, &dropboxAuth{key: key, verifier: verifier, url: link})
	flash(c, "white", "Open the Dropbox link below, allow the app, then paste the code Dropbox shows and press Finish.")
}

func (s *Server) dropboxFinish(c echo.Context) {
	a, ok := dropboxPending(c)
	if !ok {
		flash(c, "red", "No Dropbox authorisation is waiting (it lapses after 30 minutes): press Authorise again.")
		return
	}
	code := strings.TrimSpace(c.FormValue("dbxCode"))
	if code == "" || len(code) > 200 || strings.ContainsFunc(code, unicode.IsSpace) {
		flash(c, "red", "Paste the code Dropbox showed (one word, no spaces).")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Minute)
	defer cancel()
	if _, err := s.Dropbox.ExchangeCode(ctx, s.Paths, a.key, a.verifier, code); err != nil {
		s.Log.Warn("dropbox authorisation failed", "err", err)
		flash(c, "red", "Dropbox did not accept that code: "+err.Error())
		return
	}
	setDropboxPending(c, nil) // a code works once
	flash(c, "white", "Dropbox authorised: the token is stored on the Pi.")
}

var (
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$`)
	appKeyRE   = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

func hasControl(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == '\uFFFD' })
}

// checkServer checks a changed host[:port] (an IPv6 address in brackets
// when it has a port), with scheme:// removed as the original did, and
// returns it clean.
func (e *formEdit) checkServer(v, label, scheme string) string {
	if len(v) >= len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
		v = v[len(scheme):]
	}
	v = strings.TrimRight(v, "/")
	if v == "" {
		e.bad("%s is blank.", label)
		return ""
	}
	if err := checkHostPort(v); err != nil {
		e.bad("%s %q: %v.", label, v, err)
		return ""
	}
	return v
}

func checkHostPort(v string) error {
	host, port := v, ""
	switch {
	case strings.HasPrefix(v, "["):
		h, p, err := net.SplitHostPort(v)
		if err != nil {
			if h2, ok := strings.CutSuffix(strings.TrimPrefix(v, "["), "]"); ok {
				h, p, err = h2, "", nil
			} else {
				return errors.New("not host[:port]")
			}
		}
		if net.ParseIP(h) == nil {
			return errors.New("not an IP address in the brackets")
		}
		host, port = "", p
	case strings.Count(v, ":") == 1:
		var err error
		if host, port, err = net.SplitHostPort(v); err != nil {
			return errors.New("not host[:port]")
		}
		if port == "" {
			return errors.New("the port after ':' is missing")
		}
	case strings.Count(v, ":") > 1:
		if net.ParseIP(v) == nil {
			return errors.New("not an IPv6 address (put it in [brackets] to add a port)")
		}
		host = ""
	}
	if host != "" && (len(host) > 253 || !hostnameRE.MatchString(host)) && net.ParseIP(host) == nil {
		return errors.New("not a host name or IP address")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return errors.New("the port must be a number from 1 to 65535")
		}
	}
	return nil
}

// checkText checks a changed one-line value.
func (e *formEdit) checkText(v, label string, required bool, max int) string {
	switch {
	case v == "" && required:
		e.bad("%s is blank.", label)
	case hasControl(v):
		e.bad("%s holds a control character or line break.", label)
	case len(v) > max:
		e.bad("%s is longer than %d characters.", label, max)
	default:
		return v
	}
	return ""
}

// password reads a password field (never shown, so typed means changed):
// the new password, whether to store it, and whether the result is a
// stored password (kept, new, or cleared to none). A password keeps its
// spaces only inside: the INI would drop outer ones, so they are refused.
func (e *formEdit) password(name, label string, stored bool) (value string, change, present bool) {
	v := e.post.Get(name)
	clear := e.post.Get(name+"Clear") == "on"
	switch {
	case v != "" && clear:
		e.bad("%s: type a new password or tick Clear, not both.", label)
	case v != "" && strings.TrimSpace(v) != v:
		e.bad("%s cannot start or end with a space (the settings file would lose it).", label)
	case hasControl(v):
		e.bad("%s holds a control character or line break.", label)
	case len(v) > 256:
		e.bad("%s is longer than 256 characters.", label)
	case v != "":
		e.changed++
		return v, true, true
	case clear:
		e.changed++
		return "", true, false
	}
	return "", false, stored
}

func (e *formEdit) checkChoice(v, label string, choices []string) string {
	for _, c := range choices {
		if v == c {
			return v
		}
	}
	if v == "" {
		e.bad("Choose a %s.", label)
	} else {
		e.bad("%q is not a %s.", v, label)
	}
	return ""
}

// checkHour parses an hour strictly (one or two digits, 0 to 23) and
// returns it as the INI keeps it, two digits.
func (e *formEdit) checkHour(v, label string) string {
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 23 && len(v) <= 2 && strings.Trim(v, "0123456789") == "" {
		return fmt.Sprintf("%02d", n)
	}
	e.bad("%s %q is not an hour from 00 to 23.", label, v)
	return ""
}

// renameTokens are the letters allowed after '%' in the rename pattern.
const renameTokens = "YmbdaHMSF"

// checkRename validates a rename pattern: known tokens only, and nothing a
// file name cannot hold here or on the servers photos go to.
func checkRename(v string) error {
	switch {
	case v == "":
		return errors.New("is blank")
	case len(v) > 100:
		return errors.New("is longer than 100 characters")
	case hasControl(v):
		return errors.New("holds a control character")
	case strings.ContainsAny(v, " ,"):
		return errors.New("cannot hold spaces or commas")
	case strings.ContainsAny(v, `/\:*?"<>|`):
		return errors.New(`cannot hold any of / \ : * ? " < > |`)
	case v == "." || v == "..":
		return errors.New("is not a file name")
	}
	rs := []rune(v)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		if i+1 == len(rs) {
			return errors.New("ends with a lone %")
		}
		if !strings.ContainsRune(renameTokens, rs[i+1]) {
			return fmt.Errorf("uses %%%c, which is not one of %%Y %%m %%b %%d %%a %%H %%M %%S %%F", rs[i+1])
		}
		i++
	}
	return nil
}

// transferApply saves the fields the user changed (formedit.go), each
// checked, in one update, or nothing.
func (s *Server) transferApply(c echo.Context) {
	set, err := s.settings()
	if err != nil {
		flash(c, "red", "Not saved: the settings file could not be read: "+err.Error())
		return
	}
	hasKey := s.hasPrivateKey()
	// The Arduino's wake hour is mirrored into the INI for the hourly
	// helpers, on Apply only (the original wrote it on every page load).
	wake, fromArduino := s.wakePiHour(c.Request().Context(), set)
	current := func(f *config.File) map[string]string {
		now, _ := f.Settings()
		d := transferFormData(f, now)
		return d.formValues()
	}
	s.saveForm(c, "Transfer settings", current, func(e *formEdit, f *config.File) {
		now, err := f.Settings()
		if err != nil {
			s.Log.Warn("INI has malformed values", "err", err)
		}
		e.applyTransfer(f, transferFormData(f, now), hasKey)
		if fromArduino && e.changed > 0 {
			f.Set(config.SectionGlobal, config.KeyWakePiHour, wake)
		}
	})
}

// applyTransfer checks the changed fields and sets them in f; verdict then
// tells whether they may be written.
func (e *formEdit) applyTransfer(f *config.File, d transferPageData, hasKey bool) {
	tr := func(key, v string) { f.Set(config.SectionTransfer, key, v) }
	cp := func(key, v string) { f.Set(config.SectionCopy, key, v) }

	method, methodChanged := e.field("tfrMethod", "upload method", fieldChoice)
	if methodChanged {
		m := transfer.Canonical(method)
		switch {
		case method == "":
			e.bad("Choose an upload method.")
		case m == "":
			e.bad("%q is not an upload method.", method)
		default:
			if ok, why := transfer.MethodUsable(m); !ok {
				e.bad("%s cannot be chosen: %s.", m, why)
			}
			tr(config.KeyTfrMethod, m)
		}
		method = m
	} else {
		method = d.Method // "" for a saved method that is not a choice: left alone
	}

	// text reads a method's text field: checked when changed, and required
	// (not blank) too when the method has just been chosen.
	text := func(name, label, key string, required bool, check func(v string) string) {
		v, changed := e.field(name, label, fieldText)
		switch {
		case changed:
			if v == "" && required {
				e.bad("%s is blank.", label)
				return
			}
			if v = check(v); len(e.errs) == 0 {
				tr(key, v)
			}
		case methodChanged && required && strings.TrimSpace(v) == "":
			e.bad("%s is blank.", label)
		}
	}
	server := func(label, scheme string) func(string) string {
		return func(v string) string { return e.checkServer(v, label, scheme) }
	}
	plain := func(label string, required bool, max int) func(string) string {
		return func(v string) string { return e.checkText(v, label, required, max) }
	}
	folder := func(label string) func(string) string {
		return func(v string) string { return transfer.NormaliseRemoteFolder(e.checkText(v, label, false, 255)) }
	}
	switch method {
	case transfer.MethodFTP:
		text("ftpServer", "FTP server", config.KeyFTPServer, true, server("FTP server", "ftp://"))
		text("ftpUser", "FTP user name", config.KeyFTPUser, true, plain("FTP user name", true, 128))
		text("ftpRemoteFolder", "FTP remote folder", config.KeyFTPRemoteFolder, false, folder("FTP remote folder"))
		active, activeChanged := e.field("ftpActive", "FTP active mode", fieldCheckbox)
		if activeChanged {
			tr(transfer.KeyFTPActive, config.FormatCheckbox(active == "on"))
		}
		tls, tlsChanged := e.field("ftpTls", "FTP encryption", fieldCheckbox)
		if tlsChanged {
			tr(transfer.KeyFTPTLS, config.FormatCheckbox(tls == "on"))
		}
		insecure, insecureChanged := e.field("ftpTlsInsecure", "self-signed certificate choice", fieldCheckbox)
		if insecureChanged || (tlsChanged && tls != "on" && d.FTPTLSInsecure) {
			tr(transfer.KeyFTPTLSInsecure, config.FormatCheckbox(tls == "on" && insecure == "on"))
		}
		if pw, change, _ := e.password("ftpPassword", "FTP password", d.FTPPasswordSet); change {
			tr(config.KeyFTPPassword, pw)
		}
	case transfer.MethodSFTP:
		text("sftpServer", "SFTP server", config.KeySFTPServer, true, server("SFTP server", "sftp://"))
		text("sftpUser", "SFTP user name", config.KeySFTPUser, true, plain("SFTP user name", true, 128))
		text("sftpRemoteFolder", "SFTP remote folder", config.KeySFTPRemoteFolder, false, folder("SFTP remote folder"))
		pw, change, present := e.password("sftpPassword", "SFTP password", d.SFTPPasswordSet)
		if change {
			tr(config.KeySFTPPassword, pw)
		}
		if (change || methodChanged) && !present && !hasKey && len(e.errs) == 0 {
			e.bad("SFTP needs a password, or the Pi's key pair (create it below and put its public key on the server).")
		}
	case transfer.MethodDropbox:
		text("dbx_app_key", "Dropbox app key", config.KeyDropboxAppKey, true, func(v string) string {
			v = e.checkText(v, "Dropbox app key", true, 64)
			if v != "" && !appKeyRE.MatchString(v) {
				e.bad("The Dropbox app key %q should be letters and digits only.", v)
			}
			return v
		})
	case transfer.MethodRsync:
		text("rsyncUsername", "rsync user name", config.KeyRsyncUsername, true, func(v string) string {
			v = e.checkText(v, "rsync user name", true, 64)
			if strings.ContainsAny(v, " @:/") {
				e.bad("The rsync user name cannot hold spaces or any of @ : /.")
			}
			return v
		})
		text("rsyncHost", "rsync host", config.KeyRsyncHost, true, server("rsync host", "rsync://"))
		text("rsyncRemoteFolder", "rsync remote folder", config.KeyRsyncRemoteFolder, false, folder("rsync remote folder"))
	}
	if method != "" && method != transfer.MethodOff {
		if v, changed := e.field("transferDay", "transfer day", fieldChoice); changed {
			tr(config.KeyTransferDay, e.checkChoice(v, "transfer day", transferDays))
		} else if methodChanged && selectedValue(d.TransferDays) == "" {
			e.bad("Choose a transfer day.")
		}
		if v, changed := e.field("transferHour", "transfer hour", fieldChoice); changed {
			tr(config.KeyTransferHour, e.checkHour(v, "Transfer hour"))
		}
	}
	if v, changed := e.field("transferOnBootup", "transfer at start-up", fieldCheckbox); changed {
		tr(config.KeyTransferOnBootup, config.FormatCheckbox(v == "on"))
	}

	if v, changed := e.field("copyDay", "copy day", fieldChoice); changed {
		cp(config.KeyCopyDay, e.checkChoice(v, "copy day", copyDays))
	}
	if v, changed := e.field("copyHour", "copy hour", fieldChoice); changed {
		cp(config.KeyCopyHour, e.checkHour(v, "Copy hour"))
	}
	if v, changed := e.field("copyOnBootup", "copy at start-up", fieldCheckbox); changed {
		cp(config.KeyCopyOnBootup, config.FormatCheckbox(v == "on"))
	}
	rename, renameChanged := e.field("renameOnCopy", "rename on copy", fieldCheckbox)
	if renameChanged {
		cp(config.KeyRenameOnCopy, config.FormatCheckbox(rename == "on"))
	}
	pattern, patternChanged := e.field("renameString", "rename pattern", fieldText)
	switch {
	case patternChanged && (pattern != "" || rename == "on"):
		if err := checkRename(pattern); err != nil {
			e.bad("The rename pattern %s.", err)
		} else {
			cp(config.KeyRenameString, pattern)
		}
	case patternChanged:
		cp(config.KeyRenameString, "") // cleared while renaming is off
	case renameChanged && rename == "on" && strings.TrimSpace(pattern) == "":
		e.bad("The rename pattern is blank.")
	}
}

// startUpload queues an upload after the checks both triggers share.
func (s *Server) startUpload(c echo.Context) (string, error) {
	set, err := s.settings()
	if err != nil {
		return "", echo.NewHTTPError(http.StatusInternalServerError, "The settings file could not be read: "+err.Error())
	}
	switch transfer.Canonical(set.Transfer.Method) {
	case transfer.MethodOff:
		return "", echo.NewHTTPError(http.StatusConflict, "No upload started: the upload method is Off. Choose one on the Transfer page and Apply.")
	case "":
		return "", echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("No upload started: the saved upload method %q is not one of the choices.", set.Transfer.Method))
	}
	return s.startChain(c, "No upload started", "An upload is already queued or running: it sends what this one would.", tasks.TypeUpload)
}

// transferNowButton is the Transfer page's "Transfer now".
func (s *Server) transferNowButton(c echo.Context) error {
	id, err := s.startUpload(c)
	if err != nil {
		return err
	}
	return accepted(c, id)
}

// localTransferNow is GET /trnTrNow on the loopback listener, for the
// upload oneshot. With ?wait=SECONDS it answers when the upload has ended:
// 200 "OK <status>", or 502 "FAILED <status>" when the upload failed (its
// STATUS line is then in piTransfer.log).
func (s *Server) localTransferNow(c echo.Context) error {
	id, err := s.startUpload(c)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return c.String(he.Code, fmt.Sprint(he.Message)+"\n")
		}
		return err
	}
	wait, _ := strconv.Atoi(c.QueryParam("wait"))
	if wait <= 0 {
		return c.String(http.StatusOK, "OK "+id+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Duration(wait)*time.Second)
	defer cancel()
	views, err := s.Tasks.WaitChain(ctx, id)
	if err != nil {
		return s.waitFailed(c, "Upload", wait, id, err)
	}
	v := views[0]
	if v.State == tasks.StateFailure || v.Colour == status.Red {
		return c.String(http.StatusBadGateway, "FAILED "+v.Status+"\n")
	}
	return c.String(http.StatusOK, "OK "+v.Status+"\n")
}

// transferLogMax is how much of piTransfer.log the log view shows: its end.
const transferLogMax = 2 << 20

// transferLog shows piTransfer.log to a logged-in user, as plain text.
func (s *Server) transferLog(c echo.Context) error {
	f, err := os.Open(s.Paths.TransferLog())
	if errors.Is(err, os.ErrNotExist) {
		return s.render(c, http.StatusOK, "transferlog", transferLogView{})
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusInternalServerError, "The transfer log could not be read.")
	}
	defer f.Close()
	cut := false
	if st, err := f.Stat(); err == nil && st.Size() > transferLogMax {
		f.Seek(st.Size()-transferLogMax, io.SeekStart)
		cut = true
	}
	data, err := io.ReadAll(io.LimitReader(f, transferLogMax))
	if err != nil {
		return echo.NewHTTPError(http.StatusInternalServerError, "The transfer log could not be read.")
	}
	return s.render(c, http.StatusOK, "transferlog", newTransferLogView(string(data), cut))
}

// transferLogView is the log page: its lines newest first, so a phone shows
// the last upload's outcome without scrolling.
type transferLogView struct {
	Lines []string
	Cut   bool // only the end of a long log is shown
}

func newTransferLogView(data string, cut bool) transferLogView {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	if cut && len(lines) > 1 {
		lines = lines[1:] // the seek landed inside this one
	}
	v := transferLogView{Cut: cut}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimRight(lines[i], "\r"); l != "" {
			v.Lines = append(v.Lines, l)
		}
	}
	return v
}
