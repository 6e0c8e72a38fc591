package testutil

import (
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// FTP is Debian's pyftpdlib serving one user (u, password "pw%1") with
// write access to Root, on a free loopback port, stopped when the test ends.
type FTP struct {
	Addr, Root, User, Password string
}

// StartFTP starts the FTP server. It fails the test if python3-pyftpdlib is
// not installed: .ci/run installs it.
func StartFTP(t testing.TB) *FTP {
	t.Helper()
	if out, err := exec.Command("/usr/bin/python3", "-c", "import pyftpdlib").CombinedOutput(); err != nil {
		t.Fatalf("python3-pyftpdlib is needed (apt-get install python3-pyftpdlib): %v %s", err, out)
	}
	s := &FTP{Root: t.TempDir(), User: "u", Password: "pw%1"}
	port := FreePort(t)
	cmd := exec.Command("/usr/bin/python3", "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-w", "-d", s.Root, "-u", s.User, "-P", s.Password)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pyftpdlib: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s.Addr = "127.0.0.1:" + strconv.Itoa(port)
	if err := WaitTCP(s.Addr, 15*time.Second); err != nil {
		t.Fatalf("pyftpdlib did not start: %v", err)
	}
	return s
}
