package web

import (
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// The Transfer page's Apply: every changed field checked, each refusal
// beside its field, all saved in one update or nothing (formedit.go).

var (
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$`)
	appKeyRE   = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

func hasControl(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || r == '\uFFFD' })
}

// checkServer checks the changed host[:port] of field name (an IPv6
// address in brackets when it has a port), with scheme:// removed as the
// original did, and returns it clean.
func (e *formEdit) checkServer(v, name, label, scheme string) string {
	if len(v) >= len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
		v = v[len(scheme):]
	}
	v = strings.TrimRight(v, "/")
	if v == "" {
		e.badField(name, "%s is blank.", label)
		return ""
	}
	if err := checkHostPort(v); err != nil {
		e.badField(name, "%s %q: %v.", label, v, err)
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

// checkText checks the changed one-line value of field name.
func (e *formEdit) checkText(v, name, label string, required bool, max int) string {
	switch {
	case v == "" && required:
		e.badField(name, "%s is blank.", label)
	case hasControl(v):
		e.badField(name, "%s holds a control character or line break.", label)
	case len(v) > max:
		e.badField(name, "%s is longer than %d characters.", label, max)
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
	e.secret(name)
	v := e.post.Get(name)
	clear := e.post.Get(name+"Clear") == "on"
	switch {
	case v != "" && clear:
		e.badField(name, "%s: type a new password or tick Clear, not both.", label)
	case v != "" && strings.TrimSpace(v) != v:
		e.badField(name, "%s cannot start or end with a space (the settings file would lose it).", label)
	case hasControl(v):
		e.badField(name, "%s holds a control character or line break.", label)
	case len(v) > 256:
		e.badField(name, "%s is longer than 256 characters.", label)
	case v != "":
		e.changed++
		return v, true, true
	case clear:
		e.changed++
		return "", true, false
	}
	return "", false, stored
}

func (e *formEdit) checkChoice(v, name, label string, choices []string) string {
	for _, c := range choices {
		if v == c {
			return v
		}
	}
	if v == "" {
		e.badField(name, "Choose a %s.", label)
	} else {
		e.badField(name, "%q is not a %s.", v, label)
	}
	return ""
}

// checkHour parses an hour strictly (one or two digits, 0 to 23) and
// returns it as the INI keeps it, two digits.
func (e *formEdit) checkHour(v, name, label string) string {
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 23 && len(v) <= 2 && strings.Trim(v, "0123456789") == "" {
		return fmt.Sprintf("%02d", n)
	}
	e.badField(name, "%s %q is not an hour from 00 to 23.", label, v)
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

// transferApply saves the fields the user changed, each checked, in one
// update, or nothing.
func (s *Server) transferApply(c echo.Context) {
	set, err := s.settings()
	if err != nil {
		flash(c, status.Red, "Not saved: the settings file could not be read: "+err.Error())
		return
	}
	hasKey := view.HasPrivateKey(s.Paths)
	// The Arduino's wake hour is mirrored into the INI for the hourly
	// helpers, on Apply only (the original wrote it on every page load).
	wake, fromArduino := view.WakePiHour(c.Request().Context(), s.Arduino, set, s.Log)
	form := func(f *config.File) view.TransferView {
		now, err := f.Settings()
		if err != nil {
			s.Log.Warn("INI has malformed values", "err", err)
		}
		return view.TransferForm(now, transfer.MethodUsable)
	}
	current := func(f *config.File) map[string]string { d := form(f); return d.FormValues() }
	s.saveForm(c, "Transfer settings", current, func(e *formEdit, f *config.File) {
		t := transferEdit{formEdit: e, f: f, d: form(f), hasKey: hasKey}
		t.apply()
		if fromArduino && e.changed > 0 {
			f.Set(config.SectionGlobal, config.KeyWakePiHour, wake)
		}
	})
}

// transferEdit checks one Apply of the Transfer page against the INI's
// form d, setting the changed fields in f.
type transferEdit struct {
	*formEdit
	f             *config.File
	d             view.TransferView
	hasKey        bool
	method        string // the method after this Apply ("" when unknown)
	methodChanged bool
}

func (t *transferEdit) tr(key, v string) { t.f.Set(config.SectionTransfer, key, v) }
func (t *transferEdit) cp(key, v string) { t.f.Set(config.SectionCopy, key, v) }

func (t *transferEdit) apply() {
	t.applyMethod()
	switch t.method {
	case transfer.MethodFTP:
		t.applyFTP()
	case transfer.MethodSFTP:
		t.applySFTP()
	case transfer.MethodDropbox:
		t.text("dbx_app_key", "Dropbox app key", config.KeyDropboxAppKey, true, func(v string) string {
			v = t.checkText(v, "dbx_app_key", "Dropbox app key", true, 64)
			if v != "" && !appKeyRE.MatchString(v) {
				t.badField("dbx_app_key", "The Dropbox app key %q should be letters and digits only.", v)
			}
			return v
		})
	case transfer.MethodRsync:
		t.applyRsync()
	}
	t.applyUploadSchedule()
	t.applyCopy()
}

func (t *transferEdit) applyMethod() {
	method, changed := t.field("tfrMethod", "upload method", fieldChoice)
	t.methodChanged = changed
	if !changed {
		t.method = t.d.Method // "" for a saved method that is not a choice: left alone
		return
	}
	m := transfer.Canonical(method)
	switch {
	case method == "":
		t.badField("tfrMethod", "Choose an upload method.")
	case m == "":
		t.badField("tfrMethod", "%q is not an upload method.", method)
	default:
		if ok, why := transfer.MethodUsable(m); !ok {
			t.badField("tfrMethod", "%s cannot be chosen: %s.", m, why)
		}
		t.tr(config.KeyTfrMethod, m)
	}
	t.method = m
}

// text reads a method's text field: checked when changed, and required
// (not blank) too when the method has just been chosen.
func (t *transferEdit) text(name, label, key string, required bool, check func(v string) string) {
	v, changed := t.field(name, label, fieldText)
	switch {
	case changed:
		if v == "" && required {
			t.badField(name, "%s is blank.", label)
			return
		}
		if v = check(v); t.Error(name) == "" {
			t.tr(key, v)
		}
	case t.methodChanged && required && strings.TrimSpace(v) == "":
		t.badField(name, "%s is blank.", label)
	}
}

func (t *transferEdit) server(name, label, scheme string) func(string) string {
	return func(v string) string { return t.checkServer(v, name, label, scheme) }
}

func (t *transferEdit) plain(name, label string, required bool, max int) func(string) string {
	return func(v string) string { return t.checkText(v, name, label, required, max) }
}

func (t *transferEdit) folder(name, label string) func(string) string {
	return func(v string) string { return transfer.NormaliseRemoteFolder(t.checkText(v, name, label, false, 255)) }
}

func (t *transferEdit) checkboxKey(name, label, key string) (on, changed bool) {
	v, changed := t.field(name, label, fieldCheckbox)
	if changed {
		t.tr(key, config.FormatCheckbox(v == "on"))
	}
	return v == "on", changed
}

func (t *transferEdit) applyFTP() {
	t.text("ftpServer", "FTP server", config.KeyFTPServer, true, t.server("ftpServer", "FTP server", "ftp://"))
	t.text("ftpUser", "FTP user name", config.KeyFTPUser, true, t.plain("ftpUser", "FTP user name", true, 128))
	t.text("ftpRemoteFolder", "FTP remote folder", config.KeyFTPRemoteFolder, false, t.folder("ftpRemoteFolder", "FTP remote folder"))
	t.checkboxKey("ftpActive", "FTP active mode", config.KeyFTPActive)
	tls, tlsChanged := t.checkboxKey("ftpTls", "FTP encryption", config.KeyFTPTLS)
	insecure, insecureChanged := t.field("ftpTlsInsecure", "self-signed certificate choice", fieldCheckbox)
	if insecureChanged || (tlsChanged && !tls && t.d.FTPTLSInsecure) {
		t.tr(config.KeyFTPTLSInsecure, config.FormatCheckbox(tls && insecure == "on"))
	}
	if pw, change, _ := t.password("ftpPassword", "FTP password", t.d.FTPPasswordSet); change {
		t.tr(config.KeyFTPPassword, pw)
	}
}

func (t *transferEdit) applySFTP() {
	t.text("sftpServer", "SFTP server", config.KeySFTPServer, true, t.server("sftpServer", "SFTP server", "sftp://"))
	t.text("sftpUser", "SFTP user name", config.KeySFTPUser, true, t.plain("sftpUser", "SFTP user name", true, 128))
	t.text("sftpRemoteFolder", "SFTP remote folder", config.KeySFTPRemoteFolder, false, t.folder("sftpRemoteFolder", "SFTP remote folder"))
	pw, change, present := t.password("sftpPassword", "SFTP password", t.d.SFTPPasswordSet)
	if change {
		t.tr(config.KeySFTPPassword, pw)
	}
	if (change || t.methodChanged) && !present && !t.hasKey && len(t.errs) == 0 {
		t.badField("sftpPassword", "SFTP needs a password, or the Pi's key pair (create it below and put its public key on the server).")
	}
}

func (t *transferEdit) applyRsync() {
	t.text("rsyncUsername", "rsync user name", config.KeyRsyncUsername, true, func(v string) string {
		v = t.checkText(v, "rsyncUsername", "rsync user name", true, 64)
		if strings.ContainsAny(v, " @:/") {
			t.badField("rsyncUsername", "The rsync user name cannot hold spaces or any of @ : /.")
		}
		return v
	})
	t.text("rsyncHost", "rsync host", config.KeyRsyncHost, true, t.server("rsyncHost", "rsync host", "rsync://"))
	t.text("rsyncRemoteFolder", "rsync remote folder", config.KeyRsyncRemoteFolder, false, t.folder("rsyncRemoteFolder", "rsync remote folder"))
}

func (t *transferEdit) applyUploadSchedule() {
	if t.method != "" && t.method != transfer.MethodOff {
		if v, changed := t.field("transferDay", "transfer day", fieldChoice); changed {
			t.tr(config.KeyTransferDay, t.checkChoice(v, "transferDay", "transfer day", view.TransferDays))
		} else if t.methodChanged && v == "" {
			t.badField("transferDay", "Choose a transfer day.")
		}
		if v, changed := t.field("transferHour", "transfer hour", fieldChoice); changed {
			t.tr(config.KeyTransferHour, t.checkHour(v, "transferHour", "Transfer hour"))
		}
	}
	t.checkboxKey("transferOnBootup", "transfer at start-up", config.KeyTransferOnBootup)
}

func (t *transferEdit) applyCopy() {
	if v, changed := t.field("copyDay", "copy day", fieldChoice); changed {
		t.cp(config.KeyCopyDay, t.checkChoice(v, "copyDay", "copy day", view.CopyDays))
	}
	if v, changed := t.field("copyHour", "copy hour", fieldChoice); changed {
		t.cp(config.KeyCopyHour, t.checkHour(v, "copyHour", "Copy hour"))
	}
	if v, changed := t.field("copyOnBootup", "copy at start-up", fieldCheckbox); changed {
		t.cp(config.KeyCopyOnBootup, config.FormatCheckbox(v == "on"))
	}
	rename, renameChanged := t.field("renameOnCopy", "rename on copy", fieldCheckbox)
	if renameChanged {
		t.cp(config.KeyRenameOnCopy, config.FormatCheckbox(rename == "on"))
	}
	pattern, patternChanged := t.field("renameString", "rename pattern", fieldText)
	switch {
	case patternChanged && (pattern != "" || rename == "on"):
		if err := checkRename(pattern); err != nil {
			t.badField("renameString", "The rename pattern %s.", err)
		} else {
			t.cp(config.KeyRenameString, pattern)
		}
	case patternChanged:
		t.cp(config.KeyRenameString, "") // cleared while renaming is off
	case renameChanged && rename == "on" && strings.TrimSpace(pattern) == "":
		t.badField("renameString", "The rename pattern is blank.")
	}
}
