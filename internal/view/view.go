// Package view builds what each page shows, outside HTTP: from an Arduino
// reader, a camera session, system.Host, config.Store and the clock, all
// injected, so the page logic is unit-tested with fakes and no Redis,
// binaries or browser. The web package binds a request, calls a builder and
// renders its result.
package view

import "github.com/intvlm8r/intvlm8r-go/internal/status"

// Row is one label/value line of a page table, with its colour.
type Row struct {
	Label, Value string
	Colour       status.Colour
	ID           string
}

// Option is one choice of a <select>. A disabled one is shown but never
// sent; Title is its tooltip.
type Option struct {
	Value, Label string
	Selected     bool
	Disabled     bool
	Title        string
}
