// Package buildinfo carries the version compiled into every binary.
package buildinfo

// Version is set at link time: -ldflags "-X github.com/intvlm8r/intvlm8r-go/internal/buildinfo.Version=…".
var Version = "dev"

// OriginalVersion is the release of the Python original this port follows.
const OriginalVersion = "5.0.1"
