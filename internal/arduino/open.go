package arduino

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Open makes a Client from a --arduino spec, holding the bus lock
// p.ArduinoLock() around each transaction and caching replies in cache
// (nil: no cache). Specs:
//
//	sim                     the simulator, its board kept under p.Sim()
//	sim:i2c-timing          the same, each transaction as slow as on the
//	                        Pi's 40 kHz bus (about 8 ms a query)
//	i2c                     = i2c:/dev/i2c-1@0x04
//	i2c:DEV[@ADDR]          an I2C bus device and 7-bit address (hex with 0x,
//	                        or decimal); i2c:@0x05 keeps the default device
//	serial                  = serial:/dev/ttyUSB0@115200
//	serial:DEV[@BAUD]       a serial device carrying package framing's lines
func Open(spec string, p paths.Paths, cache *Cache) (*Client, error) {
	t, err := OpenTransport(spec, p)
	if err != nil {
		return nil, err
	}
	return NewClient(t, Options{LockPath: p.ArduinoLock(), Cache: cache}), nil
}

// OpenTransport parses a spec (see Open) and makes its transport. A
// hardware device is opened on first use, and again after a failure.
func OpenTransport(spec string, p paths.Paths) (Transport, error) {
	kind, rest, _ := strings.Cut(spec, ":")
	switch kind {
	case "sim":
		switch rest {
		case "":
			return sim.NewBus(p, sim.Options{}), nil
		case "i2c-timing":
			return sim.NewBus(p, sim.Options{BusTiming: true}), nil
		}
		return nil, fmt.Errorf("arduino spec %q: sim takes no option but i2c-timing", spec)
	case "i2c":
		dev, addrText, hasAddr := strings.Cut(rest, "@")
		if dev == "" {
			dev = DefaultI2CDevice
		}
		addr := DefaultI2CAddr
		if hasAddr {
			n, err := strconv.ParseUint(addrText, 0, 7)
			if err != nil || n < 0x03 || n > 0x77 {
				return nil, fmt.Errorf("arduino spec %q: address %q is not a 7-bit slave address (0x03..0x77)", spec, addrText)
			}
			addr = uint16(n)
		}
		if _, err := checkI2C(dev, addr); err != nil {
			return nil, fmt.Errorf("arduino spec %q: %w", spec, err)
		}
		return &lazy{open: func() (Transport, error) { return OpenI2C(dev, addr) }}, nil
	case "serial":
		dev, baudText, hasBaud := strings.Cut(rest, "@")
		if dev == "" {
			dev = DefaultSerialDevice
		}
		baud := DefaultSerialBaud
		if hasBaud {
			n, err := strconv.Atoi(baudText)
			if err != nil || n < 300 || n > 4_000_000 {
				return nil, fmt.Errorf("arduino spec %q: baud rate %q", spec, baudText)
			}
			baud = n
		}
		return &lazy{open: func() (Transport, error) { return OpenSerial(dev, baud) }}, nil
	}
	return nil, fmt.Errorf("arduino spec %q: want sim, i2c[:DEV[@ADDR]] or serial[:DEV[@BAUD]]", spec)
}
