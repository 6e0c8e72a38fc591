package testutil

import (
	"fmt"
	"os/exec"
	"path/filepath"
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
