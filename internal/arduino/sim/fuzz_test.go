package sim

import (
	"testing"
	"time"
)

// Any write the Pi (or a broken master) can make leaves the firmware
// answering, without a panic or a hang.
func FuzzReceive(f *testing.F) {
	for _, s := range []string{"\x00ST=20240229235930", "\x00SI=\x01002315", "\x00SI=\xFF999999", "\x00SP=2599", "\x00RA", "6", "\x00", "\x00SI=\xFE000000", "\x00ST=99999999999999", "\x00ST=2024-1-1"} {
		f.Add([]byte(s), uint32(90))
	}
	f.Fuzz(func(t *testing.T, data []byte, secs uint32) {
		fw := New(NewState())
		now := hostStart
		fw.PowerOn(now)
		now = now.Add(10 * time.Second)
		fw.Receive(now, data)
		now = now.Add(time.Duration(secs%(3*86400)) * time.Second)
		for _, q := range []byte("0123456789") {
			fw.Ask(now, q)
		}
	})
}

// A healthy boot loads the EEPROM without validation, as the firmware does:
// whatever it holds, the board keeps running and answering.
func FuzzHealthyBootEEPROM(f *testing.F) {
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0, 0, 0x01, 23, 0, 24, 4, 0, 0})
	f.Add([]byte{90, 0, 0x80, 20, 6, 12, 60, 127, 0x80})
	f.Fuzz(func(t *testing.T, eeprom []byte) {
		s := NewState()
		copy(s.EEPROM, eeprom)
		s.A1IE = true
		fw := New(s)
		now := hostStart
		fw.PowerOn(now)
		for range 3 {
			now = now.Add(17 * time.Hour)
			for _, q := range []byte("0123456789") {
				fw.Ask(now, q)
			}
		}
	})
}
