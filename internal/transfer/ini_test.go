package transfer

import (
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// The FTP mode: an INI without the key (the original's) means active mode, as
// the original always uploaded; one this port creates says passive.
func TestFromINIFTPMode(t *testing.T) {
	for _, c := range []struct {
		ini    string
		active bool
	}{
		{"[Transfer]\ntfrmethod = FTP\nftpserver = h\n", true},
		{"[Transfer]\ntfrmethod = FTP\nftpactive = Off\n", false},
		{"[Transfer]\ntfrmethod = FTP\nftpactive = on\n", true},
		{"[Transfer]\ntfrmethod = FTP\nftpactive = sometimes\n", true}, // malformed: the original's mode, with a warning
		{"", true},
	} {
		f, err := config.Parse([]byte(c.ini), "t.ini")
		if err != nil {
			t.Fatal(err)
		}
		s, _ := FromINI(f)
		if s.FTPActive != c.active || s.FTPTLS || s.FTPTLSInsecure {
			t.Errorf("%q: active=%v tls=%v insecure=%v, want active=%v and no TLS", c.ini, s.FTPActive, s.FTPTLS, s.FTPTLSInsecure, c.active)
		}
	}
	// A new install's INI, as created and as written to disk.
	f := config.NewFile("pi", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*config.File{f, mustParse(t, data)} {
		if s, _ := FromINI(f); s.FTPActive {
			t.Fatalf("a new install's INI means active mode:\n%s", data)
		}
	}
}

func mustParse(t *testing.T, data []byte) *config.File {
	t.Helper()
	f, err := config.Parse(data, "t.ini")
	if err != nil {
		t.Fatal(err)
	}
	return f
}
