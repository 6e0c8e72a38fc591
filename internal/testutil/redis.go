// Package testutil starts the real servers that integration tests need.
package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Redis is a private redis-server on loopback, stopped when the test ends.
type Redis struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	port int
	// persist: RDB snapshots as Debian's redis-server package runs it (the
	// built-in save points, no AOF), saved in dir on a clean shutdown.
	persist bool
}

// DebianSave is the save points Debian's redis.conf leaves in force.
const DebianSave = "3600 1 300 100 60 10000"

// StartRedis starts redis-server on a free loopback port with no persistence.
// It fails the test if redis-server is not installed: .ci/run installs it.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not installed (apt-get install redis-server): %v", err)
	}
	r := &Redis{dir: t.TempDir(), port: FreePort(t)}
	r.Addr = "127.0.0.1:" + strconv.Itoa(r.port)
	r.start(t, bin)
	t.Cleanup(r.Stop)
	return r
}

// StartRedisPersistent starts redis-server with persistence as installed on
// the box: RDB snapshots at Debian's save points, written on a clean
// shutdown and read back on start.
func StartRedisPersistent(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not installed (apt-get install redis-server): %v", err)
	}
	r := &Redis{dir: t.TempDir(), port: FreePort(t), persist: true}
	r.Addr = "127.0.0.1:" + strconv.Itoa(r.port)
	r.start(t, bin)
	t.Cleanup(r.Stop)
	return r
}

func (r *Redis) start(t testing.TB, bin string) {
	t.Helper()
	save := ""
	if r.persist {
		save = DebianSave
	}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", save, "--appendonly", "no", "--dir", r.dir, "--logfile", filepath.Join(r.dir, "redis.log"))
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	if err := WaitTCP(r.Addr, 10*time.Second); err != nil {
		r.Stop()
		log, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
		t.Fatalf("redis-server did not start: %v\n%s", err, log)
	}
}

// Stop kills the server; a stopped Redis is what some tests need.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGCONT) // a frozen server dies as well
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// Restart starts a stopped server again on the same port (after killing
// it, if it runs: a crash).
func (r *Redis) Restart(t testing.TB) {
	t.Helper()
	r.Stop()
	bin, _ := exec.LookPath("redis-server")
	r.start(t, bin)
}

// RestartClean restarts the server as systemctl restart does: SIGTERM, which
// saves a snapshot first when persistence is on, then a fresh start.
func (r *Redis) RestartClean(t testing.TB) {
	t.Helper()
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGTERM)
		r.cmd.Wait()
		r.cmd = nil
	}
	bin, _ := exec.LookPath("redis-server")
	r.start(t, bin)
}

// Freeze stops the server dead (SIGSTOP): connections open, no answers.
func (r *Redis) Freeze() { r.cmd.Process.Signal(syscall.SIGSTOP) }

// Thaw lets a frozen server go on (SIGCONT).
func (r *Redis) Thaw() { r.cmd.Process.Signal(syscall.SIGCONT) }

// WaitTCP waits until addr accepts connections.
func WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not reachable after %s: %w", addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
