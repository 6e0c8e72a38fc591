//go:build !cgo || nogphoto2

package gphoto2

import (
	"errors"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// ErrNotBuilt: this binary was built without libgphoto2.
var ErrNotBuilt = errors.New("this binary was built without libgphoto2 (nogphoto2 tag or CGO_ENABLED=0); use --camera sim or rebuild with cgo and libgphoto2-dev")

// Built reports whether the libgphoto2 backend is compiled in.
const Built = false

func init() {
	camera.RegisterDriver("gphoto2", func(string, paths.Paths) (camera.Driver, error) {
		return nil, ErrNotBuilt
	})
}

// New fails: there is no libgphoto2 in this build.
func New(Options) (camera.Driver, error) { return nil, ErrNotBuilt }

// LibraryVersion is empty without libgphoto2.
func LibraryVersion() string { return "" }
