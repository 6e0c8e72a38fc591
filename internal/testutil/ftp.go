package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// FTP is Debian's pyftpdlib serving one user (with a space and a "%" in the
// password, as INI files must escape) with write access to Root, on a free
// loopback port, stopped when the test ends.
type FTP struct {
	Addr, Root, User, Password string
}

// ftpServerPy runs pyftpdlib for one user, receiving at most limit bytes/s
// per transfer when limit > 0 (a slow link, so progress can be watched).
const ftpServerPy = `
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.servers import FTPServer
port, root, user, pw, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
auth = DummyAuthorizer()
auth.add_user(user, pw, root, perm="elradfmwMT")
handler = FTPHandler
handler.authorizer = auth
if limit > 0:
    ThrottledDTPHandler.read_limit = limit
    handler.dtp_handler = ThrottledDTPHandler
FTPServer(("127.0.0.1", port), handler).serve_forever()
`

// StartFTP starts the FTP server. It fails the test if python3-pyftpdlib is
// not installed: .ci/run installs it.
func StartFTP(t testing.TB) *FTP { return StartFTPLimited(t, 0) }

// StartFTPLimited is StartFTP with uploads slowed to limit bytes/s per
// transfer (0: no limit). The server's log is shown when the test fails.
func StartFTPLimited(t testing.TB, limit int) *FTP {
	t.Helper()
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import pyftpdlib").CombinedOutput(); err != nil {
		t.Fatalf("python3-pyftpdlib is needed (apt-get install python3-pyftpdlib): %v %s", err, out)
	}
	s := &FTP{Root: filepath.Join(t.TempDir(), "ftproot"), User: "camuser", Password: "p%ss w0rd"}
	if err := os.MkdirAll(s.Root, 0o755); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	s.Addr = "127.0.0.1:" + strconv.Itoa(port)
	logPath := filepath.Join(t.TempDir(), "ftpd.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", ftpServerPy, strconv.Itoa(port), s.Root, s.User, s.Password, strconv.Itoa(limit))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start pyftpdlib: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("ftp server log:\n%s", b)
		}
	})
	if err := WaitTCP(s.Addr, 15*time.Second); err != nil {
		b, _ := os.ReadFile(logPath)
		t.Fatalf("pyftpdlib did not start: %v\n%s", err, b)
	}
	return s
}
