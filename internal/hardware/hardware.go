// Package hardware opens the devices that web, worker and the oneshots share,
// from the --arduino and --camera flags, and says which are simulated.
package hardware

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	_ "github.com/intvlm8r/intvlm8r-go/internal/camera/drivers" // links --camera sim and gphoto2
	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Flags are the two device choices.
type Flags struct {
	Arduino string // sim | i2c:/dev/i2c-1@0x04 | serial:/dev/ttyUSB0
	Camera  string // sim | gphoto2
}

// Register adds --arduino and --camera to fs.
func (f *Flags) Register(fs *cli.FlagSet) {
	fs.String(&f.Arduino, "arduino", "INTVLM8R_ARDUINO", "i2c:/dev/i2c-1@0x04", "Arduino link: sim, i2c:/dev/i2c-1@0x04 or serial:/dev/ttyUSB0")
	fs.String(&f.Camera, "camera", "INTVLM8R_CAMERA", "gphoto2", "camera: sim (sim:nikon, …) or gphoto2 (gphoto2:usb:001,004, …)")
}

// Simulated names the devices that are simulators, for the pages' notice.
func (f Flags) Simulated() []string {
	var s []string
	if f.Arduino == "sim" || strings.HasPrefix(f.Arduino, "sim:") {
		s = append(s, "Arduino (simulator)")
	}
	if f.Camera == "sim" || strings.HasPrefix(f.Camera, "sim:") {
		s = append(s, "camera (simulator)")
	}
	return s
}

// Devices are the opened devices.
type Devices struct {
	Arduino *arduino.Client
	Camera  camera.Driver
	redis   *redis.Client
}

// Open opens both devices; the Arduino's replies are cached in Redis at
// redisAddr, as the original caches them.
func (f Flags) Open(p paths.Paths, redisAddr string) (*Devices, error) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: 1})
	ard, err := arduino.Open(f.Arduino, p, arduino.NewCache(rdb, ""))
	if err != nil {
		rdb.Close()
		return nil, fmt.Errorf("--arduino %s: %w", f.Arduino, err)
	}
	cam, err := camera.Open(f.Camera, p)
	if err != nil {
		ard.Close()
		rdb.Close()
		return nil, fmt.Errorf("--camera %s: %w", f.Camera, err)
	}
	return &Devices{Arduino: ard, Camera: cam, redis: rdb}, nil
}

// Close closes the Arduino link and the cache connection.
func (d *Devices) Close() error {
	return errors.Join(d.Arduino.Close(), d.redis.Close())
}
