package transfer

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// piTransfer.log: the Home page's "Last transfer" survives a very long line,
// every write opens and closes the file, and a write or sync that fails is
// said in the service's own log.
func TestLastStatusPastALongLine(t *testing.T) {
	p := newHome(t)
	LogStatus(p, "2 files uploaded OK")
	LogLine(p, "server said: "+strings.Repeat("x", 200_000))
	LogStatus(p, "3 files uploaded OK")
	LogLine(p, "after: "+strings.Repeat("y", 100_000))
	if _, text, ok, err := LastStatus(p); err != nil || !ok || text != "3 files uploaded OK" {
		t.Fatalf("LastStatus = %q %v %v", text, ok, err)
	}
}

func TestLastStatusLogFileClosedAndFailuresSaid(t *testing.T) {
	p := newHome(t)
	fds := func() int {
		e, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(e)
	}
	before := fds()
	for i := 0; i < 40; i++ {
		LogLine(p, "line")
		LogStatus(p, "status")
	}
	if n := fds(); n > before+5 {
		t.Fatalf("%d files open after 80 writes to piTransfer.log, %d before", n, before)
	}

	var said bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&said, nil)))
	defer slog.SetDefault(prev)
	l, err := openLog(p.TransferLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Printf("fine")
	l.Status("fine")
	if strings.Contains(said.String(), "failed") {
		t.Fatalf("a healthy log said:\n%s", said.String())
	}
	l.f.Close() // the disk goes away under the open log
	l.Printf("lost")
	l.Status("lost too")
	for _, w := range []string{"transfer log write failed", "transfer log sync failed"} {
		if !strings.Contains(said.String(), w) {
			t.Errorf("no %q in:\n%s", w, said.String())
		}
	}
}

// host:port as typed on the Transfer page, at the edges.
func TestSplitHostPortEdges(t *testing.T) {
	for in, want := range map[string]string{
		"://nas.local": "nas.local 22", "nas:65535": "nas 65535", "nas:1": "nas 1",
	} {
		h, port, err := splitHostPort(in, 22)
		if err != nil || h+" "+itoa(port) != want {
			t.Errorf("splitHostPort(%q) = %q %d %v, want %q", in, h, port, err, want)
		}
	}
	for _, bad := range []string{"nas:65536", "[::1]:x", "[::1"} {
		if _, _, err := splitHostPort(bad, 22); err == nil {
			t.Errorf("splitHostPort(%q) accepted", bad)
		}
	}
}

// known_hosts: a new host is recorded on a line of its own (also after a
// hand-edited last line without its newline), a known one passes, a changed
// key is refused.
func TestSFTPKeyKnownHostsTrustOnFirstUse(t *testing.T) {
	file := filepath.Join(t.TempDir(), ".ssh", "known_hosts")
	var logged []string
	check, err := trustOnFirstUse(file, func(f string, a ...any) { logged = append(logged, f) })
	if err != nil {
		t.Fatal(err)
	}
	key := func() ssh.PublicKey {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		k, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k1, k2, k3 := key(), key(), key()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
	if err := check("nas:22", addr, k1); err != nil || len(logged) != 1 || !strings.HasPrefix(logged[0], "Trusted new host key") {
		t.Fatalf("first use: %v %q", err, logged)
	}
	b, _ := os.ReadFile(file)
	os.WriteFile(file, bytes.TrimRight(b, "\n"), 0o644) // hand-edited: no final newline
	check, _ = trustOnFirstUse(file, func(string, ...any) {})
	if err := check("backup:2222", addr, k2); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(file)
	lines := strings.Split(string(b), "\n")
	if len(lines) != 3 || lines[2] != "" || !strings.HasPrefix(lines[0], "nas ") || !strings.HasPrefix(lines[1], "[backup]:2222 ") {
		t.Fatalf("known_hosts:\n%s", b)
	}
	// Read again, as the next run does: both known, a changed key refused.
	check, _ = trustOnFirstUse(file, func(string, ...any) { t.Error("a known host trusted again") })
	if err := check("nas:22", addr, k1); err != nil {
		t.Fatalf("known host: %v", err)
	}
	if err := check("backup:2222", addr, k2); err != nil {
		t.Fatalf("known host after the hand-edited line: %v", err)
	}
	err = check("nas:22", addr, k3)
	var he *HostKeyError
	var ke *knownhosts.KeyError
	if !errors.As(err, &he) || !errors.As(err, &ke) || len(ke.Want) != 1 {
		t.Fatalf("changed key: %v", err)
	}
	// A known_hosts that cannot be read or created is an error.
	if _, err := trustOnFirstUse(t.TempDir(), nil); err == nil {
		t.Fatal("a folder as known_hosts accepted")
	}
	bad := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(bad, []byte("@cert-authority\n"), 0o644)
	if _, err := trustOnFirstUse(bad, nil); err == nil {
		t.Fatal("a malformed known_hosts accepted")
	}
}

// The key pair after a power cut: an empty public half is rebuilt from the
// private key; a damaged private key is an error, never a made-up key.
func TestGenerateSSHKeyRepairs(t *testing.T) {
	p := newHome(t)
	pub, _, err := GenerateSSHKey(p, "pi@intvlm8r")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p.SSHKey()+".pub", []byte("\n"), 0o644)
	if again, created, err := GenerateSSHKey(p, "pi@intvlm8r"); err != nil || created || again != pub {
		t.Fatalf("empty .pub: %q %v %v, want %q", again, created, err, pub)
	}
	if b, _ := os.ReadFile(p.SSHKey() + ".pub"); string(b) != pub+"\n" {
		t.Fatalf(".pub not rewritten: %q", b)
	}
	os.Remove(p.SSHKey() + ".pub")
	os.WriteFile(p.SSHKey(), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\ntorn\n"), 0o600)
	if got, _, err := GenerateSSHKey(p, ""); err == nil || got != "" || !strings.Contains(err.Error(), p.SSHKey()) {
		t.Fatalf("damaged key: %q %v", got, err)
	}
	if _, err := os.Stat(p.SSHKey() + ".pub"); !os.IsNotExist(err) {
		t.Fatal("a public key written for a damaged private key")
	}
}

// The private key is written so that it never replaces one that is there:
// two callers making a key at once keep the first, and each reports its
// public half (GenerateSSHKey's os.ErrExist branch).
func TestGenerateSSHKeyWriteNewNeverReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if err := writeNew(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeNew(path, []byte("second"), 0o600); !errors.Is(err, os.ErrExist) {
		t.Fatalf("writing over an existing key: %v, want os.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("key replaced: %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".id_ed25519.tmp*")); len(left) != 0 {
		t.Fatalf("temporaries left: %q", left)
	}
}
