package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildCommands builds command packages for a TestMain that runs binaries:
// each pkg (as go build takes it: "." or "../worker") becomes
// dir/intvlm8r-<name>, name being its folder's base name. flags go to
// go build before the package (e.g. -cover). The error carries go build's
// output.
func BuildCommands(dir string, flags []string, pkgs ...string) error {
	for _, pkg := range pkgs {
		abs, err := filepath.Abs(pkg)
		if err != nil {
			return err
		}
		args := append([]string{"build", "-o", filepath.Join(dir, "intvlm8r-"+filepath.Base(abs))}, flags...)
		if out, err := exec.Command("go", append(args, pkg)...).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return nil
}

// MainWithCommands is a TestMain that runs binaries: it uses the folder
// `make test` built them in (INTVLM8R_BIN) when it holds every one of pkgs,
// else builds them (as BuildCommands) into a temporary folder. It sets
// *binDir, runs the tests and exits.
func MainWithCommands(m *testing.M, binDir *string, pkgs ...string) {
	dir := os.Getenv("INTVLM8R_BIN")
	cleanup := func() {}
	if dir == "" || !holdsCommands(dir, pkgs) {
		tmp, err := os.MkdirTemp("", "intvlm8r-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if err := BuildCommands(tmp, nil, pkgs...); err != nil {
			cleanup()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		dir = tmp
	}
	*binDir = dir
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func holdsCommands(dir string, pkgs []string) bool {
	for _, pkg := range pkgs {
		abs, err := filepath.Abs(pkg)
		if err != nil {
			return false
		}
		if _, err := os.Stat(filepath.Join(dir, "intvlm8r-"+filepath.Base(abs))); err != nil {
			return false
		}
	}
	return true
}
