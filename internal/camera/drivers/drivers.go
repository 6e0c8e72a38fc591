// Package drivers links every camera backend into a binary, so that
// camera.Open understands --camera sim and --camera gphoto2. The gphoto2
// backend is the real one unless the binary is built with the nogphoto2 tag
// (or without cgo); then --camera gphoto2 reports that it is not built in.
package drivers

import (
	_ "github.com/intvlm8r/intvlm8r-go/internal/camera/gphoto2"
	_ "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
)
