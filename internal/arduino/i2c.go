package arduino

import (
	"context"
	"fmt"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/host/v3/sysfs"
)

// DefaultI2CDevice and DefaultI2CAddr are the Pi's bus and the firmware's
// slave address.
const (
	DefaultI2CDevice        = "/dev/i2c-1"
	DefaultI2CAddr   uint16 = 0x04
)

// I2C is the firmware's own transport, through periph.io. It puts on the
// bus exactly what the original's smbus2 calls did:
//
//   - a query is read_i2c_block_data(addr, code, 32): one combined
//     transaction, a write of the query byte, a repeated start and a 32-byte
//     read (Tx with w=[code], r=32 bytes; i2c-dev's I2C_RDWR keeps it atomic);
//   - a command is write_i2c_block_data(addr, 0, text): one write of the
//     register byte 0 followed by the ASCII text (Tx with w=[0, text...]).
type I2C struct {
	bus    i2c.Bus
	closer interface{ Close() error }
	addr   uint16
}

// NewI2C speaks to the firmware at addr on an already open bus (a periph
// bus, or a test double such as i2ctest.Playback).
func NewI2C(bus i2c.Bus, addr uint16) *I2C { return &I2C{bus: bus, addr: addr} }

// OpenI2C opens /dev/i2c-N through i2c-dev. The adapter must support plain
// I2C messages (I2C_FUNC_I2C), as the Pi's does.
func OpenI2C(dev string, addr uint16) (*I2C, error) {
	n, err := checkI2C(dev, addr)
	if err != nil {
		return nil, err
	}
	bus, err := sysfs.NewI2C(n)
	if err != nil {
		return nil, fmt.Errorf("arduino i2c: open %s: %w", dev, err)
	}
	return &I2C{bus: bus, closer: bus, addr: addr}, nil
}

// checkI2C validates a bus device name and address, returning the bus number.
func checkI2C(dev string, addr uint16) (int, error) {
	var n int
	if _, err := fmt.Sscanf(dev, "/dev/i2c-%d", &n); err != nil || fmt.Sprintf("/dev/i2c-%d", n) != dev {
		return 0, fmt.Errorf("arduino i2c: device %q is not /dev/i2c-N", dev)
	}
	if addr > 0x7F {
		return 0, fmt.Errorf("arduino i2c: address %#x is not a 7-bit address", addr)
	}
	return n, nil
}

func (t *I2C) String() string { return fmt.Sprintf("i2c:%s@%#02x", t.bus, t.addr) }

// Query implements Transport.
func (t *I2C) Query(ctx context.Context, code byte) (Reply, error) {
	var r Reply
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if err := t.bus.Tx(t.addr, []byte{code}, r[:]); err != nil {
		return Reply{}, fmt.Errorf("i2c query %q: %w", code, err)
	}
	return r, nil
}

// Command implements Transport.
func (t *I2C) Command(ctx context.Context, text []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckCommand(text); err != nil {
		return err
	}
	w := append([]byte{0}, text...)
	if err := t.bus.Tx(t.addr, w, nil); err != nil {
		return fmt.Errorf("i2c command %q: %w", printable(text), err)
	}
	return nil
}

// Close implements Transport.
func (t *I2C) Close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}
