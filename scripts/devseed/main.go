// Command devseed puts photos on the simulated camera's card for `make run`
// (only when the card is empty), so a development box has something to copy.
// It is a development tool: nothing installs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func main() {
	home := flag.String("home", "", "the development home folder")
	n := flag.Int("photos", 12, "photos to put on an empty card")
	flag.Parse()
	if *home == "" {
		fmt.Fprintln(os.Stderr, "usage: devseed --home DIR [--photos N]")
		os.Exit(2)
	}
	p := paths.New(*home)
	if entries, err := os.ReadDir(p.SimCard()); err == nil && len(entries) > 0 {
		return // a card that has been used stays as it is
	}
	every := 10 * time.Minute
	if err := camsim.SeedCard(p, *n, time.Now().Add(-time.Duration(*n)*every), every); err != nil {
		fmt.Fprintln(os.Stderr, "devseed:", err)
		os.Exit(1)
	}
	fmt.Printf("devseed: %d photos on the simulated camera's card\n", *n)
}
