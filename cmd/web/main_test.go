package main

import (
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
	err := run(t.TempDir(), "127.0.0.1:1", "127.0.0.1:0", "0.0.0.0:8080", hardware.Flags{})
	if err == nil || !strings.Contains(err.Error(), "must be a loopback address") {
		t.Fatalf("run with --local-listen 0.0.0.0:8080 = %v, want the loopback refusal", err)
	}
}
