package transfer

import (
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

func TestLedgerFile(t *testing.T) {
	p := newHome(t)
	l, err := OpenLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := filepath.Abs(p.DefaultImage())
	if b, _ := os.ReadFile(p.UploadedOK()); string(b) != def+"\n" {
		t.Fatalf("new ledger %q", b)
	}
	if err := l.Record("/a/b.JPG"); err != nil {
		t.Fatal(err)
	}
	l.Record("/a/b.JPG") // twice: one line
	if err := l.Record("/bad\nname"); err == nil {
		t.Fatal("a path with a newline was accepted")
	}
	// A torn last line (power cut mid-append) is not trusted, and the next
	// record starts on its own line.
	f, _ := os.OpenFile(p.UploadedOK(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("/a/torn.JP")
	f.Close()
	l, err = OpenLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	if l.Has("/a/torn.JP") || !l.Has("/a/b.JPG") || !l.Has(def) {
		t.Fatalf("ledger contents wrong: %v", l.seen)
	}
	l.Record("/a/c.JPG")
	b, _ := os.ReadFile(p.UploadedOK())
	if want := def + "\n/a/b.JPG\n/a/torn.JP\n/a/c.JPG\n"; string(b) != want {
		t.Fatalf("ledger file %q, want %q", b, want)
	}
	// CRLF lines (hand-edited on Windows) still match.
	os.WriteFile(p.UploadedOK(), []byte(def+"\r\n/x/y.JPG\r\n"), 0o644)
	l, _ = OpenLedger(p)
	if !l.Has("/x/y.JPG") {
		t.Fatal("CRLF line not matched")
	}
}

func TestNewPhotosFilters(t *testing.T) {
	p := newHome(t)
	keep := makePhotos(t, p, "100CANON", 1, 2, 10)
	dcim := p.PhotosDCIM()
	for _, junk := range []string{"100CANON/notes.txt", "100CANON/Thumbs.db", "100CANON/.directory",
		"100CANON/.IMG_0009.JPG.tmp123", ".thumbs/x.JPG", "100CANON/.hidden/y.JPG"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dcim, junk)), 0o755)
		os.WriteFile(filepath.Join(dcim, junk), []byte("x"), 0o644)
	}
	os.WriteFile(filepath.Join(p.Photos(), "outside.JPG"), []byte("x"), 0o644)
	cr2 := filepath.Join(dcim, "100CANON", "IMG_0001.CR2")
	os.WriteFile(cr2, []byte("raw"), 0o644)
	l, _ := OpenLedger(p)
	l.Record(keep[1])
	ph, err := NewPhotos(p, l)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ph {
		got = append(got, x.Rel)
	}
	if strings.Join(got, ",") != "DCIM/100CANON/IMG_0001.CR2,DCIM/100CANON/IMG_0001.JPG" {
		t.Fatalf("new photos %v", got)
	}
	if ph[1].Size != 10 || ph[1].Path != keep[0] || !ph[1].MTime.Equal(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("photo %+v", ph[1])
	}
	// No DCIM folder at all is simply nothing to do.
	empty := paths.New(t.TempDir())
	l2, _ := OpenLedger(empty)
	if ph, err := NewPhotos(empty, l2); err != nil || len(ph) != 0 {
		t.Fatalf("%v %v", ph, err)
	}
}

func TestRemotePaths(t *testing.T) {
	for in, want := range map[string]string{
		``: "", `photos`: "photos", `\\nas\\share\\`: "/nas/share/", `a//b///c`: "a/b/c", ` x\y `: "x/y",
	} {
		if got := NormaliseRemoteFolder(in); got != want {
			t.Errorf("NormaliseRemoteFolder(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range [][3]string{
		{"", "DCIM/100CANON/IMG_1.JPG", "/DCIM/100CANON/IMG_1.JPG"},
		{`photos\site`, "DCIM/1/a.JPG", "/photos/site/DCIM/1/a.JPG"},
		{"/srv//pi/", "DCIM/1/a b.JPG", "/srv/pi/DCIM/1/a b.JPG"},
	} {
		if got := RemotePath(c[0], c[1]); got != c[2] {
			t.Errorf("RemotePath(%q,%q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"nas.local": "nas.local 21", "ftp://nas.local:2121/": "nas.local 2121", "10.0.0.5:990": "10.0.0.5 990",
		"[::1]:2222": "::1 2222", "fe80::1": "fe80::1 21", "[::1]": "::1 21",
	} {
		h, port, err := splitHostPort(in, 21)
		if err != nil || h+" "+itoa(port) != want {
			t.Errorf("splitHostPort(%q) = %q %d %v, want %q", in, h, port, err, want)
		}
	}
	for _, bad := range []string{"", "host:0", "host:x", "host:70000", "a b", "user@host"} {
		if _, _, err := splitHostPort(bad, 21); err == nil {
			t.Errorf("splitHostPort(%q) accepted", bad)
		}
	}
}

func TestLogFormatAndStatus(t *testing.T) {
	p := newHome(t)
	if _, _, ok, err := LastStatus(p); ok || err != nil {
		t.Fatalf("no log: ok=%v err=%v", ok, err)
	}
	os.WriteFile(p.TransferLog(), []byte("This the empty log, direct from the repo.\n"), 0o644)
	LogLine(p, "two\nlines")
	LogStatus(p, "Upload aborted. I've lost the INI file")
	b, _ := os.ReadFile(p.TransferLog())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("lines %q", lines)
	}
	for _, l := range lines[1:] {
		if _, err := time.ParseInLocation(TimeLayout, l[:19], time.Local); err != nil || l[19] != ' ' {
			t.Fatalf("line %q lacks the timestamp", l)
		}
	}
	// The Home page's own slicing: [0:19] is the time, [28:] the text.
	last := lines[3]
	if last[20:28] != "STATUS: " || last[28:] != "Upload aborted. I've lost the INI file" {
		t.Fatalf("STATUS line %q", last)
	}
	if err := ClearLog(p); err != nil {
		t.Fatal(err)
	}
	if st := lastStatus(t, p); st != "piTransfer.log cleared" {
		t.Fatalf("after clear: %q", st)
	}
	LogStatus(p, "multi\nline status")
	if st := lastStatus(t, p); st != "multi line status" {
		t.Fatalf("%q", st)
	}
}

func TestRunOffAndUnknownMethod(t *testing.T) {
	p := newHome(t)
	for m, want := range map[string]string{"Off": "Upload aborted. tfrMethod=Off", "": "Upload aborted. tfrMethod=Off",
		"Google Drive": "Upload aborted. tfrMethod=Google Drive"} {
		res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: m}})
		if res.Status != want || res.Colour != status.Orange {
			t.Fatalf("method %q: %+v", m, res)
		}
	}
	if _, err := os.Stat(p.UploadedOK()); err == nil {
		t.Fatal("ledger created for a run that did nothing")
	}
}

func TestRunBusy(t *testing.T) {
	p := newHome(t)
	l, ok, err := fileutil.TryLockExclusive(p.TransferLock()) // another run holds it
	if err != nil || !ok {
		t.Fatal(err)
	}
	defer l.Unlock()
	if _, err := Run(t.Context(), p, Settings{TransferSettings: config.TransferSettings{Method: "FTP"}}, nil); err != ErrBusy {
		t.Fatalf("Run with the lock held: %v", err)
	}
}

func TestDeleteAfterTransferDerived(t *testing.T) {
	srv := startFTP(t, ftpOpts{readonly: []string{"up/DCIM/101CANON"}})
	p := newHome(t)
	a := makePhotos(t, p, "100CANON", 1, 3, 5000)                        // uploaded and deleted
	b := makePhotos(t, p, "101CANON", 1, 1, 5000)                        // refused by the server: kept
	twinRaw := filepath.Join(p.PhotosDCIM(), "100CANON", "IMG_0003.CR2") // RAW twin of a[2]
	os.WriteFile(twinRaw, []byte("raw bytes"), 0o644)
	thumb := func(sub, stem string) string {
		return filepath.Join(p.Thumbs(), "DCIM", sub, stem+"-thumb.JPG")
	}
	prev := func(sub, stem string) string {
		return filepath.Join(p.Preview(), "DCIM", sub, stem+"-preview.JPG")
	}
	for _, f := range []string{thumb("100CANON", "IMG_0001"), prev("100CANON", "IMG_0001"), thumb("100CANON", "IMG_0002"),
		thumb("100CANON", "IMG_0003"), prev("100CANON", "IMG_0003"), thumb("101CANON", "IMG_0001")} {
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, []byte("t"), 0o644)
	}
	info := "default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\r\n" +
		"IMG_0001.JPG = 2024/03/01 09:00:00|JPG &bull; 1/100s &bull; F8 &bull; ISO100\r\n" +
		"IMG_0002.JPG = 2024/03/01 09:00:01|JPG &bull; 1/100s &bull; F8 &bull; ISO100\n" +
		"XIMG_0002.JPG = 2024/03/01 09:00:01|JPG &bull; 1/100s &bull; F8 &bull; ISO100\n"
	os.WriteFile(p.ThumbsInfo(), []byte(info), 0o644)

	s := ftpSettings(srv, "up")
	s.DeleteAfterTransfer = true
	res := mustRun(t, p, s)
	// 100CANON: IMG_0001.JPG, IMG_0002.JPG, IMG_0003.CR2, IMG_0003.JPG go; 101CANON/IMG_0001.JPG is refused.
	if res.Uploaded != 4 || res.Failed != 1 || res.Deleted != 4 || res.Status != `4 of 5 files uploaded OK. IMG_0001.JPG: STOR /up/DCIM/101CANON/IMG_0001.JPG: 550 "Not enough privileges."` || res.Colour != status.Orange {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	gone := []string{a[0], a[1], a[2], twinRaw, thumb("100CANON", "IMG_0001"), prev("100CANON", "IMG_0001"),
		thumb("100CANON", "IMG_0002"), thumb("100CANON", "IMG_0003"), prev("100CANON", "IMG_0003")}
	for _, f := range gone {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s should be gone", f)
		}
	}
	for _, f := range []string{b[0], thumb("101CANON", "IMG_0001")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s should remain: %v", f, err)
		}
	}
	got, _ := os.ReadFile(p.ThumbsInfo())
	// The bare-name line IMG_0001.JPG stays: from the original's files it may
	// describe 101CANON/IMG_0001.JPG, which is still on the Pi. Exact keys
	// only: XIMG_0002.JPG is another photo's line.
	want := "default_image.JPG = 2021/01/01 09:00:00|JPG &bull; 1/10s &bull; F5.6 &bull; ISO200\r\n" +
		"IMG_0001.JPG = 2024/03/01 09:00:00|JPG &bull; 1/100s &bull; F8 &bull; ISO100\r\n" +
		"XIMG_0002.JPG = 2024/03/01 09:00:01|JPG &bull; 1/100s &bull; F8 &bull; ISO100\r\n"
	if string(got) != want {
		t.Fatalf("piThumbsInfo.txt:\n%q\nwant\n%q", got, want)
	}
	if n := len(ledgerLines(t, p)); n != 4 {
		t.Fatalf("ledger %d", n)
	}
}

func TestGenerateSSHKey(t *testing.T) {
	p := newHome(t)
	pub, created, err := GenerateSSHKey(p, "pi@intvlm8r")
	if err != nil || !created || !strings.HasPrefix(pub, "ssh-ed25519 ") || !strings.HasSuffix(pub, " pi@intvlm8r") {
		t.Fatalf("%q %v %v", pub, created, err)
	}
	priv, _ := os.ReadFile(p.SSHKey())
	if !strings.HasPrefix(string(priv), "-----BEGIN OPENSSH PRIVATE KEY-----") {
		t.Fatalf("not OpenSSH format:\n%s", priv)
	}
	if fi, _ := os.Stat(p.SSHKey()); fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v", fi.Mode())
	}
	// OpenSSH's own tool derives the same public key.
	out, err := exec.Command("ssh-keygen", "-y", "-f", p.SSHKey()).Output()
	if err != nil || !strings.HasPrefix(pub, strings.TrimSpace(string(out))) {
		t.Fatalf("ssh-keygen -y: %q %v, ours %q", out, err, pub)
	}
	again, created, err := GenerateSSHKey(p, "other")
	if err != nil || created || again != pub {
		t.Fatalf("second call replaced the key: %q %v %v", again, created, err)
	}
	os.Remove(p.SSHKey() + ".pub") // a power cut between the two files
	again, created, err = GenerateSSHKey(p, "pi@intvlm8r")
	if err != nil || created || again != pub {
		t.Fatalf("public half not rebuilt: %q %v", again, err)
	}
}

// A power cut after a photo was recorded but before it was deleted: the next
// run finishes the deletion; a journal entry never recorded deletes nothing.
func TestDeleteJournalReplay(t *testing.T) {
	srv := startFTP(t, ftpOpts{})
	p := newHome(t)
	ph := makePhotos(t, p, "100CANON", 1, 2, 1000)
	th := photos.ThumbPath(p, "100CANON/IMG_0001.JPG")
	os.MkdirAll(filepath.Dir(th), 0o755)
	os.WriteFile(th, []byte("t"), 0o644)
	l, _ := OpenLedger(p)
	l.Record(ph[0])
	fileutil.AppendLine(p.DeleteJournal(), ph[0]+"\n"+ph[1]+"\n") // ph[1] never made the ledger
	s := ftpSettings(srv, "j")
	res := mustRun(t, p, s) // deletion flag since switched off: the recorded intent still stands
	if res.Status != "1 of 1 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	for f, gone := range map[string]bool{ph[0]: true, th: true, ph[1]: false} {
		if _, err := os.Stat(f); os.IsNotExist(err) != gone {
			t.Fatalf("%s gone=%v, want %v", f, os.IsNotExist(err), gone)
		}
	}
	if _, err := os.Stat(p.DeleteJournal()); !os.IsNotExist(err) {
		t.Fatal("journal not cleared")
	}
}
