package view

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

func TestRedactValue(t *testing.T) {
	for _, c := range []struct {
		key, in, want string
		red           bool
	}{
		{"ftppassword", "", "", false},
		{"ftppassword", "x", RedactedText, true},
		{"dbx_app_key", "x", RedactedText, true},
		{"apitoken", "x", RedactedText, true},
		{"heartbeaturl", "https://example.com", "https://example.com", false},
		{"heartbeaturl", "https://user:pw@example.com/", "https://example.com/… " + RedactedText, true},
		{"heartbeaturl", "https://example.com/?token=abc", "https://example.com/… " + RedactedText, true},
		{"heartbeaturl", "https://hc-ping.com/0f1e2d3c", "https://hc-ping.com/… " + RedactedText, true},
		{"locationname", "Site 4", "Site 4", false},
		{"ftpserver", "ftp://ftp.example.com/a", "ftp://ftp.example.com/a", false},
	} {
		got, red := RedactValue(c.key, c.in)
		if got != c.want || red != c.red {
			t.Errorf("%s=%q: got %q %v", c.key, c.in, got, red)
		}
	}
}

// The sections in file order, secrets hidden; no file yet is said.
func TestBuildINI(t *testing.T) {
	fp := filepath.Join(t.TempDir(), "intvlm8r.ini")
	if err := os.WriteFile(fp, []byte("[Global]\nlocationname = Hut 7\n\n[Transfer]\nftppassword = hunter2\nftpuser = pi\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	f, err := config.NewStore(fp).Load()
	if err != nil {
		t.Fatal(err)
	}
	v := BuildINI(fp, f)
	if v.Path != fp || v.Missing || len(v.Sections) < 2 || v.Sections[0].Name != "Global" || v.Sections[1].Name != "Transfer" {
		t.Fatalf("%+v", v)
	}
	keys := map[string]INIKey{}
	for _, k := range v.Sections[1].Keys {
		keys[k.Key] = k
	}
	if k := keys["ftppassword"]; k.Value != RedactedText || !k.Redacted {
		t.Errorf("password: %+v", k)
	}
	if k := keys["ftpuser"]; k.Value != "pi" || k.Redacted {
		t.Errorf("user: %+v", k)
	}
	missing, err := config.NewStore(filepath.Join(t.TempDir(), "none.ini")).Load()
	if err != nil {
		t.Fatal(err)
	}
	if v := BuildINI("none.ini", missing); !v.Missing {
		t.Errorf("no file: %+v", v)
	}
}
