package transfer

import (
	"os/exec"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// INI keys this port adds to [Transfer] for FTP (the original knew only
// active, plain FTP). Absent keys mean what the original did: active mode
// (config.DefaultFTPActive), without TLS. An INI this port creates says
// ftpactive = Off (config.NewFile): passive, for new installs.
const (
	KeyFTPActive      = config.KeyFTPActive
	KeyFTPTLS         = config.KeyFTPTLS
	KeyFTPTLSInsecure = config.KeyFTPTLSInsecure
)

// Methods lists the upload methods in the Transfer page's order.
var Methods = []string{MethodOff, MethodFTP, MethodSFTP, MethodDropbox, MethodRsync}

// FromINI reads [Transfer] into the Settings a run needs. A malformed
// value takes its default and is named in the error, which is a warning:
// the Settings are usable.
func FromINI(f *config.File) (Settings, error) {
	set, err := f.Settings()
	return Settings{TransferSettings: set.Transfer}, err
}

// Canonical returns the method's canonical spelling ("ftp" gives "FTP"), ""
// for an unknown one; an empty method is Off, as piTransfer.py defaulted it.
func Canonical(method string) string {
	return Settings{TransferSettings: config.TransferSettings{Method: method}}.method()
}

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
