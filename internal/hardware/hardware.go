// Package hardware parses the --arduino and --camera flags that web, worker
// and the oneshots share, and says which devices are simulated.
package hardware

import (
	"fmt"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
)

// Flags are the two device choices.
type Flags struct {
	Arduino string // sim | i2c:/dev/i2c-1@0x04 | serial:/dev/ttyUSB0
	Camera  string // sim | gphoto2
}

// Register adds --arduino and --camera to fs.
func (f *Flags) Register(fs *cli.FlagSet) {
	fs.String(&f.Arduino, "arduino", "INTVLM8R_ARDUINO", "i2c:/dev/i2c-1@0x04", "Arduino link: sim, i2c:/dev/i2c-1@0x04 or serial:/dev/ttyUSB0")
	fs.String(&f.Camera, "camera", "INTVLM8R_CAMERA", "gphoto2", "camera: sim or gphoto2")
}

// Validate checks the --arduino flag's form (camera.Open checks --camera).
func (f Flags) Validate() error {
	a := f.Arduino
	if a != "sim" && !strings.HasPrefix(a, "i2c:") && !strings.HasPrefix(a, "serial:") {
		return fmt.Errorf("--arduino %q: want sim, i2c:/dev/i2c-1@0x04 or serial:/dev/ttyUSB0", a)
	}
	return nil
}

// Simulated names the devices that are simulators, for the pages' notice.
func (f Flags) Simulated() []string {
	var s []string
	if f.Arduino == "sim" {
		s = append(s, "Arduino (simulator)")
	}
	if f.Camera == "sim" || strings.HasPrefix(f.Camera, "sim:") {
		s = append(s, "camera (simulator)")
	}
	return s
}
