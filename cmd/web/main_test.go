package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
)

// The local listener's endpoints have no login: only loopback may be named.
func TestCheckLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080", "localhost:8080", "127.0.0.2:8080", "[::ffff:127.0.0.1]:8080"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q) = %v, want accepted", addr, err)
		}
	}
	for _, addr := range []string{
		"0.0.0.0:8080", "[::]:8080", ":8080", "192.168.1.20:8080", "10.0.0.5:8080", "[fe80::1]:8080",
		"intvlm8r.local:8080", "localhost.example.com:8080", "mylocalhost:8080", "LOCALHOST.:8080",
		"127.0.0.1", "localhost", "",
	} {
		if err := checkLoopback(addr); err == nil {
			t.Errorf("checkLoopback(%q) accepted, want refused", addr)
		}
	}
}

// run refuses a non-loopback --local-listen before it opens anything.
func TestRunRefusesNonLoopbackLocalListener(t *testing.T) {
	err := run(t.TempDir(), "127.0.0.1:1", "127.0.0.1:0", "0.0.0.0:8080", "", hardware.Flags{})
	if err == nil || !strings.Contains(err.Error(), "must be a loopback address") {
		t.Fatalf("run with --local-listen 0.0.0.0:8080 = %v, want the loopback refusal", err)
	}
}

// The public listener: host:port, or a unix socket for nginx, group-writable,
// replacing the stale socket a killed server left.
func TestListenOn(t *testing.T) {
	l, err := listenOn("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if l.Addr().Network() != "tcp" {
		t.Fatalf("host:port listens on %s", l.Addr().Network())
	}
	l.Close()
	sock := filepath.Join(t.TempDir(), "web.sock")
	if err := os.WriteFile(sock, nil, 0o600); err != nil { // stale
		t.Fatal(err)
	}
	l, err = listenOn(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket %v %v, want a socket with mode 0660", fi.Mode(), err)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := listenOn("127.0.0.1:bad"); err == nil {
		t.Fatal("a bad port was accepted")
	}
	if _, err := listenOn(filepath.Join(t.TempDir(), "missing", "web.sock")); err == nil {
		t.Fatal("a socket in a missing folder was made")
	}
	busy := filepath.Join(t.TempDir(), "busy")
	os.MkdirAll(filepath.Join(busy, "x"), 0o755)
	if _, err := listenOn(busy + "/"); err == nil {
		t.Fatal("a socket over a non-empty folder was made")
	}
}
