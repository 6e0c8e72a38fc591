// Package gphoto2 is the real camera: a cgo binding to libgphoto2
// (pkg-config libgphoto2, Debian package libgphoto2-dev).
//
// It is built by default whenever cgo is on. Build with -tags nogphoto2 (or
// CGO_ENABLED=0) to leave libgphoto2 out: the package then still registers
// the "gphoto2" driver name, and opening it says the binary was built
// without libgphoto2, so the rest of the project builds and runs on the sim.
//
// Driver selection (camera.Open): "gphoto2" takes the first camera
// libgphoto2 detects; "gphoto2:<port>" a given port, e.g. "gphoto2:usb:001,004"
// or "gphoto2:disk:/srv/card", which drives libgphoto2's own Directory Browse
// camera driver over a folder (what the tests use).
package gphoto2

// Options select the camera to connect to.
type Options struct {
	// Port is a libgphoto2 port path ("usb:001,004", "disk:/path"); empty
	// means autodetect the first camera.
	Port string
	// Model is the libgphoto2 model name to use on Port; empty means detect
	// it, except that a "disk:" port defaults to "Directory Browse".
	Model string
}
