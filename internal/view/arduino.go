package view

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
)

// Unknown is what a page shows for a value it could not get.
const Unknown = "Unknown"

// ArduinoBudget bounds a page's talk with the Arduino: an Arduino that
// does not answer costs the page this much once, not a timeout per value.
const ArduinoBudget = 3 * time.Second

// ArduinoReader reads one page's Arduino values. The first failure marks the
// Arduino down for the rest of the page, whose remaining values then come
// from the cache alone (each read of a silent bus would cost seconds). A bus
// kept busy by other readers past the page's budget is not a silent Arduino:
// the page says the bus was busy.
type ArduinoReader struct {
	ard *arduino.Client
	log *slog.Logger
	ctx context.Context

	mu     sync.Mutex
	down   error
	busy   error     // the budget ran out waiting for the bus
	oldest time.Time // the oldest cached value shown
	missed bool      // some value had no cached copy either
}

// NewArduinoReader reads through ard (nil when no link is configured)
// within ctx, logging failures to log.
func NewArduinoReader(ctx context.Context, ard *arduino.Client, log *slog.Logger) *ArduinoReader {
	if log == nil {
		log = slog.Default()
	}
	r := &ArduinoReader{ard: ard, log: log, ctx: ctx}
	if ard == nil {
		r.down = errors.New("no Arduino link is configured")
	}
	return r
}

func (r *ArduinoReader) Down() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.down
}

func (r *ArduinoReader) noteCached(at time.Time, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !ok {
		r.missed = true
		return
	}
	if r.oldest.IsZero() || at.Before(r.oldest) {
		r.oldest = at
	}
}

// Get gets q live, falling back to its cached copy; ok is false when
// neither had a value.
func Get[T any](r *ArduinoReader, q arduino.Query[T]) (v arduino.Cached[T], ok bool) {
	if r.Down() != nil || r.ctx.Err() != nil {
		v, ok = cachedOnly(r, q)
		r.noteCached(v.At, ok)
		return v, ok
	}
	v, err := arduino.Get(r.ctx, r.ard, q, arduino.LiveOrCache)
	if err == nil && v.Live {
		return v, true
	}
	if err == nil { // no live reply; the cache answered
		r.Failed(q.Name, v.Err)
		r.noteCached(v.At, true)
		return v, true
	}
	r.Failed(q.Name, err)
	// Get's own fallback may have lost its context with the Arduino's
	// timeout; the cache gets a fresh one.
	v, ok = cachedOnly(r, q)
	r.noteCached(v.At, ok)
	return v, ok
}

// Failed records why a live read of q gave nothing: a busy bus, or an
// Arduino that did not answer.
func (r *ArduinoReader) Failed(query string, err error) {
	if err == nil {
		err = errors.New("no answer")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if errors.Is(err, arduino.ErrBusy) {
		r.log.Info("arduino bus busy for the page's budget", "query", query, "err", err)
		if r.busy == nil {
			r.busy = err
		}
		return
	}
	r.log.Warn("arduino read failed", "query", query, "err", err)
	if r.down == nil {
		r.down = fmt.Errorf("query %s: %w", query, err)
	}
}

// cachedOnly is the cached copy of q, if any. It gets a context of its
// own: the page's may have run out waiting for a silent Arduino.
func cachedOnly[T any](r *ArduinoReader, q arduino.Query[T]) (arduino.Cached[T], bool) {
	if r.ard == nil {
		return arduino.Cached[T]{}, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), arduino.CacheTimeout)
	defer cancel()
	v, err := arduino.Get(ctx, r.ard, q, arduino.CacheOnly)
	return v, err == nil
}

// Notice is the page's line about the Arduino, "" when it answered.
func (r *ArduinoReader) Notice() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down == nil && r.busy == nil {
		return ""
	}
	msg := "The Arduino is not answering"
	switch {
	case r.ard == nil:
		msg = "No Arduino link is configured"
	case r.down == nil:
		msg = "The Arduino's bus was busy (many readers at once)"
	}
	switch {
	case !r.oldest.IsZero() && r.missed:
		return msg + ": some values are from the cache (" + AgeText(time.Since(r.oldest)) + " old at most), the rest are Unknown."
	case !r.oldest.IsZero():
		return msg + ": the values shown are from the cache, up to " + AgeText(time.Since(r.oldest)) + " old."
	}
	return msg + ": values it gives are Unknown."
}

// AgeText is a short human age: "40 s", "12 min", "3 h 5 min", "2 days".
func AgeText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// CachedNote is " (cached, 12 min old)" for a value not read just now.
func CachedNote[T any](v arduino.Cached[T]) string {
	if v.Live || v.At.IsZero() {
		return ""
	}
	return " (cached, " + AgeText(time.Since(v.At)) + " old)"
}

// DateLayout is how pages show the Arduino's date ("2019 Mar 08").
const DateLayout = "2006 Jan 02"

// FormatArduinoDate shows a date as the pages do.
func FormatArduinoDate(d arduino.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(DateLayout)
}
