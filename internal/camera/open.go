package camera

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// ErrNotSupported: the camera (or its libgphoto2 driver) cannot do this, e.g.
// a live preview on the Directory Browse driver.
var ErrNotSupported = errors.New("not supported by the camera")

// Factory builds a Driver from the part of the --camera flag after the first
// colon ("" when there is none), e.g. "nikon" for "sim:nikon" or
// "disk:/srv/card" for "gphoto2:disk:/srv/card".
type Factory func(arg string, p paths.Paths) (Driver, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// RegisterDriver makes a backend available to Open under name. The backends
// register themselves from init; import internal/camera/drivers to link them
// all. (The backends import this package, so it cannot import them.)
func RegisterDriver(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = f
}

// Drivers lists the registered backend names, sorted.
func Drivers() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open parses the --camera flag ("sim", "sim:nikon", "gphoto2",
// "gphoto2:disk:/folder", "gphoto2:usb:001,004") and returns its Driver.
func Open(spec string, p paths.Paths) (Driver, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("camera: empty --camera value (want one of %s)", strings.Join(Drivers(), ", "))
	}
	name, arg, _ := strings.Cut(spec, ":")
	registryMu.RLock()
	f, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		known := Drivers()
		if len(known) == 0 {
			return nil, fmt.Errorf("camera: unknown driver %q: no camera drivers are linked into this binary (import internal/camera/drivers)", name)
		}
		return nil, fmt.Errorf("camera: unknown driver %q in --camera %q (want one of %s)", name, spec, strings.Join(known, ", "))
	}
	d, err := f(arg, p)
	if err != nil {
		return nil, fmt.Errorf("camera: --camera %q: %w", spec, err)
	}
	return d, nil
}
