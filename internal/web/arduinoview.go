package web

import (
	"context"
	"fmt"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
)

// arduinoTimeout bounds a page's Arduino reads all together.
const arduinoTimeout = 3 * time.Second

// arduinoReader reads the Arduino for one page: live while it answers, then
// from the cache, so a page waits on a silent Arduino once at most. It keeps
// the oldest cached value it had to show, so the page can say how old.
type arduinoReader struct {
	c      *arduino.Client
	ctx    context.Context
	down   bool
	oldest time.Time
}

func newArduinoReader(ctx context.Context, c *arduino.Client) (*arduinoReader, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, arduinoTimeout)
	return &arduinoReader{c: c, ctx: ctx}, cancel
}

// read returns q's value, and false when neither the Arduino nor the cache
// has one (the page then shows "Unknown").
func read[T any](r *arduinoReader, q arduino.Query[T]) (T, bool) {
	var zero T
	if r.c == nil {
		return zero, false
	}
	mode := arduino.LiveOrCache
	if r.down {
		mode = arduino.CacheOnly
	}
	v, err := arduino.Get(r.ctx, r.c, q, mode)
	if err != nil {
		r.down = true
		return zero, false
	}
	if !v.Live {
		r.down = true
		if r.oldest.IsZero() || v.At.Before(r.oldest) {
			r.oldest = v.At
		}
	}
	return v.Value, true
}

// staleNote says, when the Arduino did not answer, how old the values shown are.
func (r *arduinoReader) staleNote() string {
	if !r.down {
		return ""
	}
	if r.oldest.IsZero() {
		return "The Arduino is not answering: its values are Unknown."
	}
	return fmt.Sprintf("The Arduino is not answering: values shown are from its last answer, %s ago.", time.Since(r.oldest).Round(time.Second))
}
