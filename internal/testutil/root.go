package testutil

import (
	"os"
	"testing"
)

// Unmet ends a test whose need (root, /dev/fuse, …) this machine does not
// meet: a skip on a developer's machine, a failure in CI (CI=true), which
// has everything the tests need and must not skip them silently.
func Unmet(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI must have it)", why)
	}
	t.Skip(why)
}

// NeedRoot ends the test through Unmet unless it runs as root.
func NeedRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unmet(t, why)
	}
}
