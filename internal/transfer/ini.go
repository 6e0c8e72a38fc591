package transfer

import (
	"errors"
	"os/exec"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// INI keys this port adds to [Transfer] for FTP (the original knew only
// active, plain FTP). Absent keys mean what the original did: active mode
// (DefaultFTPActive), without TLS. An INI this port creates says
// ftpactive = Off (config.NewFile): passive, for new installs.
const (
	KeyFTPActive      = config.KeyFTPActive // on: active mode (PORT/EPRT)
	KeyFTPTLS         = "ftptls"            // on: explicit FTPS (AUTH TLS)
	KeyFTPTLSInsecure = "ftptlsinsecure"    // on: accept a self-signed certificate
)

// DefaultFTPActive is the mode of an INI without the ftpactive key: one the
// original wrote, which always uploaded in active mode (set_pasv(False)).
const DefaultFTPActive = true

// Methods lists the upload methods in the Transfer page's order.
var Methods = []string{MethodOff, MethodFTP, MethodSFTP, MethodDropbox, MethodRsync}

// FromINI reads [Transfer] into the Settings a run needs. A malformed
// on/off value takes its default and is named in the error, which is a
// warning: the Settings are usable.
func FromINI(f *config.File) (Settings, error) {
	set, err := f.Settings()
	t := set.Transfer
	s := Settings{
		Method:              t.Method,
		FTPServer:           t.FTPServer,
		FTPUser:             t.FTPUser,
		FTPPassword:         t.FTPPassword,
		FTPRemoteFolder:     t.FTPRemoteFolder,
		SFTPServer:          t.SFTPServer,
		SFTPUser:            t.SFTPUser,
		SFTPPassword:        t.SFTPPassword,
		SFTPRemoteFolder:    t.SFTPRemoteFolder,
		DropboxAppKey:       t.DropboxAppKey,
		RsyncUser:           t.RsyncUsername,
		RsyncHost:           t.RsyncHost,
		RsyncRemoteFolder:   t.RsyncRemoteFolder,
		DeleteAfterTransfer: t.DeleteAfterTransfer,
	}
	errs := []error{err}
	for key, b := range map[string]struct {
		dst *bool
		def bool
	}{KeyFTPActive: {&s.FTPActive, DefaultFTPActive}, KeyFTPTLS: {&s.FTPTLS, false}, KeyFTPTLSInsecure: {&s.FTPTLSInsecure, false}} {
		v, err := f.Bool(config.SectionTransfer, key, b.def)
		errs = append(errs, err)
		*b.dst = v
	}
	return s, errors.Join(errs...)
}

// Canonical returns the method's canonical spelling ("ftp" gives "FTP"), ""
// for an unknown one; an empty method is Off, as piTransfer.py defaulted it.
func Canonical(method string) string { return Settings{Method: method}.method() }

// MethodUsable reports whether this Pi can upload by method, and if not,
// why in a few words. FTP, SFTP and Dropbox are built in; rsync needs the
// system's rsync and ssh.
func MethodUsable(method string) (bool, string) {
	switch Canonical(method) {
	case "":
		return false, "unknown upload method"
	case MethodRsync:
		for _, b := range []string{"rsync", "ssh"} {
			if _, err := exec.LookPath(b); err != nil {
				return false, b + " is not installed on this Pi"
			}
		}
	}
	return true, ""
}
