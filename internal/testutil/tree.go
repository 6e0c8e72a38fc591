package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteTree writes files (path below root → content) under root, making
// their folders: a fake /proc, /sys or /etc for system.Host{Root: root}.
func WriteTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FakePi is a root with a Pi's model (with the firmware's trailing NUL),
// OS name, uptime (/proc/uptime's text) and host name, for
// system.Host{Root: FakePi(...)}.
func FakePi(t testing.TB, model, osName, uptime, hostname string) string {
	t.Helper()
	root := t.TempDir()
	WriteTree(t, root, map[string]string{
		"proc/device-tree/model":   model + "\x00",
		"etc/os-release":           "PRETTY_NAME=\"" + osName + "\"\n",
		"proc/uptime":              uptime + "\n",
		"proc/sys/kernel/hostname": hostname + "\n",
	})
	return root
}
