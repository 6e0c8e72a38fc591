package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
)

// unknown is what a page shows for a value it could not get.
const unknown = "Unknown"

// arduinoPageBudget bounds a page's talk with the Arduino: an Arduino that
// does not answer costs the page this much once, not a timeout per value.
const arduinoPageBudget = 3 * time.Second

// ardReader reads one page's Arduino values. The first failure marks the
// Arduino down for the rest of the page, whose remaining values then come
// from the cache alone (each read of a silent bus would cost seconds). A bus
// kept busy by other readers past the page's budget is not a silent Arduino:
// the page says the bus was busy.
type ardReader struct {
	s   *Server
	ctx context.Context

	mu     sync.Mutex
	down   error
	busy   error     // the budget ran out waiting for the bus
	oldest time.Time // the oldest cached value shown
	missed bool      // some value had no cached copy either
}

func (s *Server) newArdReader(ctx context.Context) *ardReader {
	r := &ardReader{s: s, ctx: ctx}
	if s.Arduino == nil {
		r.down = errors.New("no Arduino link is configured")
	}
	return r
}

func (r *ardReader) isDown() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.down
}

func (r *ardReader) noteCached(at time.Time, ok bool) {
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

// ardGet gets q live, falling back to its cached copy; ok is false when
// neither had a value.
func ardGet[T any](r *ardReader, q arduino.Query[T]) (v arduino.Cached[T], ok bool) {
	if r.isDown() != nil || r.ctx.Err() != nil {
		v, ok = cachedOnly(r, q)
		r.noteCached(v.At, ok)
		return v, ok
	}
	v, err := arduino.Get(r.ctx, r.s.Arduino, q, arduino.LiveOrCache)
	if err == nil && v.Live {
		return v, true
	}
	if err == nil { // no live reply; the cache answered
		r.failed(q.Name, v.Err)
		r.noteCached(v.At, true)
		return v, true
	}
	r.failed(q.Name, err)
	// Get's own fallback may have lost its context with the Arduino's
	// timeout; the cache gets a fresh one.
	v, ok = cachedOnly(r, q)
	r.noteCached(v.At, ok)
	return v, ok
}

// failed records why a live read of q gave nothing: a busy bus, or an
// Arduino that did not answer.
func (r *ardReader) failed(query string, err error) {
	if err == nil {
		err = errors.New("no answer")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if errors.Is(err, arduino.ErrBusy) {
		r.s.Log.Info("arduino bus busy for the page's budget", "query", query, "err", err)
		if r.busy == nil {
			r.busy = err
		}
		return
	}
	r.s.Log.Warn("arduino read failed", "query", query, "err", err)
	if r.down == nil {
		r.down = fmt.Errorf("query %s: %w", query, err)
	}
}

// cachedOnly is the cached copy of q, if any. It gets a context of its
// own: the page's may have run out waiting for a silent Arduino.
func cachedOnly[T any](r *ardReader, q arduino.Query[T]) (arduino.Cached[T], bool) {
	if r.s.Arduino == nil {
		return arduino.Cached[T]{}, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), arduino.CacheTimeout)
	defer cancel()
	v, err := arduino.Get(ctx, r.s.Arduino, q, arduino.CacheOnly)
	return v, err == nil
}

// notice is the page's line about the Arduino, "" when it answered.
func (r *ardReader) notice() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down == nil && r.busy == nil {
		return ""
	}
	msg := "The Arduino is not answering"
	switch {
	case r.s.Arduino == nil:
		msg = "No Arduino link is configured"
	case r.down == nil:
		msg = "The Arduino's bus was busy (many readers at once)"
	}
	switch {
	case !r.oldest.IsZero() && r.missed:
		return msg + ": some values are from the cache (" + ageText(time.Since(r.oldest)) + " old at most), the rest are Unknown."
	case !r.oldest.IsZero():
		return msg + ": the values shown are from the cache, up to " + ageText(time.Since(r.oldest)) + " old."
	}
	return msg + ": values it gives are Unknown."
}

// ageText is a short human age: "40 s", "12 min", "3 h 5 min", "2 days".
func ageText(d time.Duration) string {
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

// cachedNote is " (cached, 12 min old)" for a value not read just now.
func cachedNote[T any](v arduino.Cached[T]) string {
	if v.Live || v.At.IsZero() {
		return ""
	}
	return " (cached, " + ageText(time.Since(v.At)) + " old)"
}

// DateLayout is how pages show the Arduino's date ("2019 Mar 08").
const dateLayout = "2006 Jan 02"

// formatArduinoDate shows a date as the pages do.
func formatArduinoDate(d arduino.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(dateLayout)
}

// getTime is GET /getTime on the loopback listener, for the time helper:
// the Arduino's date and time, read live (a cached clock is no clock), in
// the markup the helper parses.
func (s *Server) getTime(c echo.Context) error {
	if s.Arduino == nil {
		return c.HTML(http.StatusServiceUnavailable, `<div id="dateTime">Unknown</div><p>No Arduino link is configured.</p>`+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*arduinoPageBudget)
	defer cancel()
	d, err := s.Arduino.Date(ctx)
	var t arduino.Clock
	if err == nil {
		t, err = s.Arduino.Time(ctx)
	}
	if err != nil {
		s.Log.Warn("getTime: the Arduino did not answer", "err", err)
		return c.HTML(http.StatusServiceUnavailable, `<div id="dateTime">Unknown</div><p>`+html.EscapeString(err.Error())+"</p>\n")
	}
	return c.HTML(http.StatusOK, `<div id="dateTime">`+formatArduinoDate(d)+" "+t.String()+"</div>\n")
}

// setArduinoDateTime is GET /setArduinoDateTime on the loopback listener:
// the Pi's local time goes to the Arduino (ST=).
func (s *Server) setArduinoDateTime(c echo.Context) error {
	if s.Arduino == nil {
		return c.HTML(http.StatusServiceUnavailable, "<p>No Arduino link is configured.</p>\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*arduinoPageBudget)
	defer cancel()
	now := time.Now()
	if err := s.Arduino.SetTime(ctx, now); err != nil {
		s.Log.Warn("setArduinoDateTime failed", "err", err)
		return c.HTML(http.StatusServiceUnavailable, "<p>The Arduino's clock was not set: "+html.EscapeString(err.Error())+"</p>\n")
	}
	v := now.Format("20060102150405")
	s.Log.Info("Arduino clock set from the Pi", "time", v)
	return c.HTML(http.StatusOK, "<p>Set Arduino datetime to "+v+"</p>\n")
}

// confirmWait bounds the read-back after a command. The firmware acts on a
// command in its next loop pass; when one lands during a shutter or wake
// pulse that pass comes about a second later, so a page that redirected at
// once would show the old value.
const confirmWait = 1500 * time.Millisecond

// confirm re-reads until check holds or confirmWait passes.
func confirm(ctx context.Context, check func(ctx context.Context) bool) bool {
	ctx, cancel := context.WithTimeout(ctx, confirmWait)
	defer cancel()
	for {
		if check(ctx) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// arduinoClockNear tells whether the Arduino's clock reads want, give or
// take a few seconds (it keeps running while it is read).
func (s *Server) arduinoClockNear(ctx context.Context, want time.Time) bool {
	got, err := s.Arduino.DateTime(ctx, want.Location())
	return err == nil && got.Sub(want).Abs() < 5*time.Second
}
