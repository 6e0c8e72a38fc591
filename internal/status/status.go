// Package status holds the one colour scale every page, task result and
// health check uses, so "red" means the same thing everywhere.
package status

// Colour is how a status line or a table value is coloured; the pages use
// it as a CSS class. The zero value is no colour.
type Colour string

const (
	None   Colour = ""
	White  Colour = "white"  // informational: a task running, a note
	Green  Colour = "green"  // confirmed good
	Orange Colour = "orange" // a warning: look soon
	Red    Colour = "red"    // failed or critical
)

// ForDays colours a days-left figure: red below alarm, orange below warn,
// none otherwise or when the figure is unknown.
func ForDays(days int64, ok bool, warn, alarm int) Colour {
	switch {
	case !ok:
		return None
	case days < int64(alarm):
		return Red
	case days < int64(warn):
		return Orange
	}
	return None
}
