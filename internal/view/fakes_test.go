package view

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// quietLog keeps the builders' warnings out of the test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// simArduino is a client of the simulated Arduino of home p, without a cache.
func simArduino(t *testing.T, p paths.Paths) *arduino.Client {
	t.Helper()
	return arduino.NewClient(sim.NewBus(p, sim.Options{Log: quietLog}), arduino.Options{LockPath: p.ArduinoLock(), Log: quietLog})
}

// selected is the values of the chosen options.
func selected(opts []Option) []string {
	var out []string
	for _, o := range opts {
		if o.Selected {
			out = append(out, o.Value)
		}
	}
	return out
}

// selectedOne is the chosen options' values joined by commas ("" for none).
func selectedOne(opts []Option) string { return strings.Join(selected(opts), ",") }
