package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// The built command serves the shared simulated board on a pty: a serial
// client sees the same board as a sim client of the same home.
func TestServesOnPTY(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "arduinosim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "--version").Output(); err != nil || !strings.HasPrefix(string(out), "intvlm8r-arduinosim ") {
		t.Fatalf("--version: %q %v", out, err)
	}
	home := filepath.Join(dir, "home")
	cmd := exec.Command(bin, "--home", home)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no pty path: %v", err)
	}
	dev := strings.TrimSpace(line)
	p := paths.New(home)
	serial, err := arduino.Open("serial:"+dev, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer serial.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := serial.SetWakeWindow(ctx, 9, 45); err != nil {
		t.Fatal(err)
	}
	local, err := arduino.Open("sim", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w, err := local.WakeWindow(ctx); err != nil || w != (arduino.WakeWindow{Hour: 9, Minutes: 45}) {
		t.Fatalf("the sim of the same home reads %+v %v", w, err)
	}
	if v, err := serial.Version(ctx); err != nil || v.String() != "5.0.1" {
		t.Fatalf("version over the pty %v %v", v, err)
	}
}
