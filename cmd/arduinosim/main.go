// Command arduinosim serves the simulated Arduino (the board kept under
// <home>/.intvlm8r/sim, the same one the web, worker and oneshots use with
// --arduino sim) on a pseudo-terminal, in the serial framing of package
// framing, so the serial transport can be tried by hand:
//
//	arduinosim --home /tmp/h          # prints e.g. /dev/pts/7
//	web --home /tmp/h --arduino serial:/dev/pts/7
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/term"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/framing"
	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/cli"
)

func main() {
	fs := cli.New("intvlm8r-arduinosim", "Serves the simulated Arduino (firmware 5.0.1) on a pseudo-terminal and prints its path.\nConnect with --arduino serial:<path>.")
	var home, timing string
	fs.Home(&home)
	fs.String(&timing, "timing", "INTVLM8R_SIM_TIMING", "none", "bus timing to model: none, or i2c (40 kHz, about 8 ms a query)")
	fs.Parse(os.Args[1:])
	log := cli.SetupLogging("arduinosim")
	if err := run(home, timing, log); err != nil {
		log.Error("arduinosim", "err", err)
		os.Exit(1)
	}
}

func run(home, timing string, log *slog.Logger) error {
	opts := sim.Options{Log: log}
	switch timing {
	case "none", "":
	case "i2c":
		opts.BusTiming = true
	default:
		return fmt.Errorf("--timing %q: want none or i2c", timing)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		return fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	// Raw, so a client that does not set the line up itself (cat, a
	// terminal program) sees the frames as they are.
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		return fmt.Errorf("raw mode on %s: %w", tty.Name(), err)
	}
	bus := sim.NewBus(cli.Paths(home), opts)
	if err := bus.Sync(); err != nil {
		return err
	}
	fmt.Println(tty.Name())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- framing.Serve(ctx, ptmx, bus) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return fmt.Errorf("serving %s: %w", tty.Name(), err)
	}
}
