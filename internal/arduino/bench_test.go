package arduino

import (
	"context"
	"testing"
)

// BenchmarkQueryRoundTrip is one query (lock, write, read, parse) against
// the simulator with and without the Pi's 40 kHz bus timing, and over the
// serial framing on a pty.
func BenchmarkQueryRoundTrip(b *testing.B) {
	for _, spec := range []string{"sim", "sim:i2c-timing"} {
		b.Run(spec, func(b *testing.B) {
			c, err := Open(spec, testPaths(b), nil)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			c.Version(ctx)
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Version(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("serial-pty", func(b *testing.B) {
		p := testPaths(b)
		dev, _ := servePTYB(b, p)
		c, err := Open("serial:"+dev, p, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		ctx := context.Background()
		for b.Loop() {
			if _, err := c.Version(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
