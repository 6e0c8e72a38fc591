//go:build gphoto2probe

// Command gphoto2probe proves a cross build can link and run against the
// target's libgphoto2: scripts/dist.sh builds it beside the release
// binaries, and scripts/dist-smoke.sh runs it under qemu. It prints the
// library's version. (The build tag keeps it out of `go build ./...`.)
package main

/*
#cgo pkg-config: libgphoto2
#include <gphoto2/gphoto2-version.h>
static const char *gp_short_version(void) { return gp_library_version(GP_VERSION_SHORT)[0]; }
*/
import "C"

import "fmt"

func main() { fmt.Println("libgphoto2", C.GoString(C.gp_short_version())) }
