package main

import (
	"github.com/intvlm8r/intvlm8r-go/internal/doctor"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

var binDir string

func TestMain(m *testing.M) { testutil.MainWithCommands(m, &binDir, "../doctor", "../worker") }

func runDoctor(t *testing.T, home, redisAddr string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "intvlm8r-doctor"), "--home", home, "--redis", redisAddr,
		"--checks", "redis,worker,disk", "--min-free", "1")
	cmd.Env = append(os.Environ(), "INTVLM8R_ARDUINO=sim", "INTVLM8R_CAMERA=sim")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func line(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, prefix) {
			return l
		}
	}
	return ""
}

// The local setup of a Pi: a real redis-server and the real worker binary.
// Healthy, then the worker stopped, then Redis stopped.
func TestDoctorHealthyAndBroken(t *testing.T) {
	home := t.TempDir()
	r := testutil.StartRedis(t)
	worker := exec.Command(filepath.Join(binDir, "intvlm8r-worker"), "--home", home, "--redis", r.Addr, "--arduino", "sim", "--camera", "sim")
	logf, _ := os.Create(filepath.Join(home, "worker.log"))
	worker.Stdout, worker.Stderr = logf, logf
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { worker.Process.Kill(); worker.Wait() })
	tc := tasks.NewClient(r.Addr)
	defer tc.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if ok, _ := tc.WorkersAlive(); ok {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(home, "worker.log"))
			t.Fatalf("worker never registered:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}

	out, code := runDoctor(t, home, r.Addr)
	if code != 0 || !strings.HasPrefix(line(out, "Redis"), "PASS") || !strings.HasPrefix(line(out, "Worker"), "PASS") || !strings.HasPrefix(line(out, "Disk"), "PASS") {
		t.Fatalf("healthy: exit %d\n%s", code, out)
	}

	// A worker stopped cleanly unregisters at once.
	worker.Process.Signal(syscall.SIGTERM)
	worker.Wait()
	out, code = runDoctor(t, home, r.Addr)
	if code != 1 || !strings.HasPrefix(line(out, "Redis"), "PASS") || !strings.HasPrefix(line(out, "Worker"), "FAIL") ||
		!strings.Contains(out, "systemctl restart intvlm8r-worker") {
		t.Fatalf("worker stopped: exit %d\n%s", code, out)
	}

	r.Stop()
	out, code = runDoctor(t, home, r.Addr)
	if code != 1 || !strings.HasPrefix(line(out, "Redis"), "FAIL") || !strings.Contains(line(out, "Redis"), "not reachable") ||
		!strings.HasPrefix(line(out, "Worker"), "FAIL") || strings.Contains(out, "pool.go") {
		t.Fatalf("redis stopped: exit %d\n%s", code, out)
	}
}

func TestDoctorBadFlags(t *testing.T) {
	cmd := exec.Command(filepath.Join(binDir, "intvlm8r-doctor"), "--checks", "redis,bogus")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), `unknown check group "bogus"`) {
		t.Fatalf("%v\n%s", err, out)
	}
	units := filepath.Join(t.TempDir(), "units")
	os.WriteFile(units, []byte("# from install.sh\nintvlm8r-web.service\n\nheartbeat.timer\n"), 0o644)
	got, err := doctor.ReadUnits(units)
	if err != nil || strings.Join(got, ",") != "intvlm8r-web.service,heartbeat.timer" {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := doctor.ReadUnits(filepath.Join(t.TempDir(), "none")); err != nil || len(got) != len(doctor.DefaultUnits) {
		t.Fatalf("%v %v", got, err)
	}
}
