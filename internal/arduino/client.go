package arduino

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// Transport is one way to reach the firmware. Query writes the query byte and
// reads the 32-byte reply as one transaction; Command writes register 0
// followed by the command text. Neither retries nor locks: Client does.
type Transport interface {
	Query(ctx context.Context, code byte) (Reply, error)
	Command(ctx context.Context, text []byte) error
	Close() error
}

// Tries is how many times a transaction is attempted, as in the original.
const Tries = 2

// RetryDelay is the pause after a failed try, as in the original.
const RetryDelay = time.Second

// DefaultTimeout bounds a transaction (both tries) when the caller's
// context has no deadline: a wedged bus must not hang a page.
const DefaultTimeout = 10 * time.Second

// CacheTimeout bounds each cache operation: the cache is a help, and a
// stuck Redis must not hold up a reading of the Arduino.
const CacheTimeout = time.Second

// Options tune a Client.
type Options struct {
	// LockPath is the bus lock file (paths.ArduinoLock()); empty means no
	// cross-process lock (tests of a single process only).
	LockPath string
	// Cache, if not nil, keeps every good reply (see Cache).
	Cache *Cache
	// RetryDelay overrides RetryDelay (0 keeps it).
	RetryDelay time.Duration
	// Sleep waits for a duration or the context; nil means a real timer.
	// Tests of the simulator on a virtual clock advance the clock here.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for cache timestamps; nil means time.Now.
	Now func() time.Time
	// Log gets the retries; nil means slog.Default().
	Log *slog.Logger
}

// Client is the firmware's protocol over a Transport, safe for concurrent
// use by goroutines and processes alike (the bus lock serialises them).
//
// Readers of the same query share one bus transaction (see Get), and the
// goroutines of one process queue for the bus in arrival order before they
// contend with other processes for the lock file.
type Client struct {
	t    Transport
	opts Options

	// bus is this process's turn on the bus, taken before the lock file:
	// a channel, so that a wait ends with its context and waiters queue.
	bus    chan struct{}
	flight singleflight.Group

	mu     sync.Mutex
	failed map[byte]error // a shared read's latest failed try, while it runs

	// heldSince is when this process's current bus holder took the bus
	// (unix ns; 0 when free): a holder far past any transaction's length
	// means the Arduino is not answering, not that the bus is busy.
	heldSince atomic.Int64

	joined func(code byte) // test hook: a caller has joined (or started) a read

	lastSent map[string]time.Time // SendShared: when each command was last sent
}

// NewClient wraps a transport.
func NewClient(t Transport, opts Options) *Client {
	if opts.RetryDelay == 0 {
		opts.RetryDelay = RetryDelay
	}
	if opts.Sleep == nil {
		opts.Sleep = ctxutil.Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Client{t: t, opts: opts, bus: make(chan struct{}, 1), failed: map[byte]error{}, lastSent: map[string]time.Time{}}
}

// Close closes the transport.
func (c *Client) Close() error { return c.t.Close() }

// Cache is the client's reply cache (may be nil).
func (c *Client) Cache() *Cache { return c.opts.Cache }

// ErrBusy is wrapped when a context ended while waiting for the bus (other
// readers or another process held it): the Arduino was never asked, so it
// says nothing about whether the Arduino answers.
var ErrBusy = errors.New("the Arduino's bus is busy")

// SlowHolder is how long a transaction may hold the bus before a waiter
// takes the Arduino for silent: the longest is a query plus a 450 ms
// settle, at 40 kHz a few tens of ms more.
const SlowHolder = 1500 * time.Millisecond

// errWaiting is the error of a wait for the bus that ended with ctxErr: the
// bus was busy, unless its holder has been at it for longer than any
// answer takes, when the Arduino is not answering.
func (c *Client) errWaiting(ctxErr error) error {
	if since := c.heldSince.Load(); since != 0 {
		if held := time.Since(time.Unix(0, since)); held > SlowHolder {
			return fmt.Errorf("the Arduino has not answered in %s: %w", held.Round(100*time.Millisecond), ctxErr)
		}
	}
	return fmt.Errorf("%w: %w", ErrBusy, ctxErr)
}

// lock takes this process's turn, then the bus lock file, polling so that
// the context can end the wait (flock itself cannot be interrupted). The
// returned func releases both.
func (c *Client) lock(ctx context.Context) (func(), error) {
	start := time.Now()
	busy := func(err error) error {
		return fmt.Errorf("waited %s for the bus: %w", time.Since(start).Round(time.Millisecond), c.errWaiting(err))
	}
	select {
	case c.bus <- struct{}{}:
	case <-ctx.Done():
		return nil, busy(ctx.Err())
	}
	c.heldSince.Store(time.Now().UnixNano())
	release := func() { c.heldSince.Store(0); <-c.bus }
	if c.opts.LockPath == "" {
		return release, nil
	}
	wait := 200 * time.Microsecond
	for {
		l, ok, err := fileutil.TryLockExclusive(c.opts.LockPath)
		if err != nil {
			release()
			return nil, fmt.Errorf("arduino bus lock: %w", err)
		}
		if ok {
			return func() { l.Unlock(); release() }, nil
		}
		if err := ctxutil.Sleep(ctx, wait); err != nil {
			release()
			return nil, busy(err)
		}
		if wait < 5*time.Millisecond {
			wait *= 2
		}
	}
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

// transact runs one transaction under the bus lock, twice at most. A try
// that fails is reported to onFail (may be nil) before the retry.
func (c *Client) transact(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	return c.transactNoting(ctx, what, fn, nil)
}

func (c *Client) transactNoting(ctx context.Context, what string, fn func(ctx context.Context) error, onFail func(error)) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var err error
	for try := 1; try <= Tries; try++ {
		unlock, lerr := c.lock(ctx)
		if lerr != nil {
			if err != nil { // the Arduino failed the try before: say so
				return fmt.Errorf("arduino %s: %w", what, err)
			}
			return fmt.Errorf("arduino %s: %w", what, lerr)
		}
		err = fn(ctx)
		unlock()
		if err == nil {
			return nil
		}
		if onFail != nil {
			onFail(err)
		}
		if ctx.Err() != nil || try == Tries {
			break
		}
		c.opts.Log.Debug("arduino: retrying", "what", what, "err", err)
		if serr := c.opts.Sleep(ctx, c.opts.RetryDelay); serr != nil {
			break
		}
	}
	return fmt.Errorf("arduino %s: %w", what, err)
}

// sharedRead reads query code live: concurrent callers share one
// transaction (and one cache write). The transaction is not cut short when
// a caller gives up: it runs to its own end (DefaultTimeout at most) and
// its reply serves whoever is still waiting, and the cache. A caller whose
// context ends first gets ErrBusy, unless the Arduino already failed a try
// of this read, which is then the error.
func (c *Client) sharedRead(ctx context.Context, code byte, name string, parse func(Reply) error) (Reply, time.Time, error) {
	type result struct {
		raw Reply
		at  time.Time
	}
	key := string(rune(code))
	ch := c.flight.DoChan(key, func() (any, error) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultTimeout)
		defer cancel()
		defer func() {
			c.mu.Lock()
			delete(c.failed, code)
			c.mu.Unlock()
		}()
		var raw Reply
		err := c.transactNoting(sctx, name, func(ctx context.Context) error {
			var err error
			if raw, err = c.t.Query(ctx, code); err != nil {
				return err
			}
			return parse(raw)
		}, func(err error) {
			c.mu.Lock()
			c.failed[code] = err
			c.mu.Unlock()
		})
		if err != nil {
			return nil, err
		}
		at := c.opts.Now()
		if c.opts.Cache != nil {
			cctx, cancel := context.WithTimeout(sctx, CacheTimeout)
			cerr := c.opts.Cache.Put(cctx, code, raw, at)
			cancel()
			if cerr != nil {
				c.opts.Log.Warn("arduino: cache write failed", "query", key, "err", cerr)
			}
		}
		return result{raw, at}, nil
	})
	if c.joined != nil {
		c.joined(code)
	}
	select {
	case res := <-ch:
		if res.Err != nil {
			return Reply{}, time.Time{}, res.Err
		}
		r := res.Val.(result)
		return r.raw, r.at, nil
	case <-ctx.Done():
		c.mu.Lock()
		failed := c.failed[code]
		c.mu.Unlock()
		if failed != nil {
			return Reply{}, time.Time{}, fmt.Errorf("arduino %s: %w (and no answer yet from the retry: %w)", name, failed, ctx.Err())
		}
		return Reply{}, time.Time{}, fmt.Errorf("arduino %s (waiting for the read under way): %w", name, c.errWaiting(ctx.Err()))
	}
}

// Raw sends query code and returns the reply as it came. Nothing is cached.
func (c *Client) Raw(ctx context.Context, code byte) (Reply, error) {
	var r Reply
	err := c.transact(ctx, fmt.Sprintf("query %q", code), func(ctx context.Context) error {
		var err error
		r, err = c.t.Query(ctx, code)
		return err
	})
	return r, err
}

// Send writes a command (checked by CheckCommand), waits its settle time,
// and drops the cached replies it makes stale.
func (c *Client) Send(ctx context.Context, cmd Command) error {
	if err := CheckCommand(cmd.Text); err != nil {
		return err
	}
	err := c.transact(ctx, fmt.Sprintf("command %q", printable(cmd.Text)), func(ctx context.Context) error {
		return c.t.Command(ctx, cmd.Text)
	})
	if err != nil {
		return err
	}
	// A read that started before the command must not answer later readers.
	for _, code := range cmd.Invalidates {
		c.flight.Forget(string(rune(code)))
	}
	serr := c.opts.Sleep(ctx, cmd.Settle)
	// Drop stale replies only once the firmware has acted: a read by another
	// process during the wait may have cached the old state.
	if c.opts.Cache != nil && len(cmd.Invalidates) > 0 {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CacheTimeout)
		if err := c.opts.Cache.Delete(dctx, cmd.Invalidates...); err != nil {
			c.opts.Log.Warn("arduino: cache invalidation failed", "command", cmd.String(), "err", err)
		}
		cancel()
	}
	if serr != nil {
		return fmt.Errorf("arduino command %q sent, wait cut short: %w", printable(cmd.Text), serr)
	}
	return nil
}

// SendShared sends an idempotent refresh (GT) for readers that want a
// recent one: when the same command was sent less than fresh ago it is not
// sent again, and callers that arrive while it is being sent share that one
// send. It does not wait for the settle time: it returns when the firmware
// will have acted (the send's time plus cmd.Settle), for the caller to wait
// on while it reads other values.
func (c *Client) SendShared(ctx context.Context, cmd Command, fresh time.Duration) (ready time.Time, err error) {
	key := "cmd:" + string(cmd.Text)
	c.mu.Lock()
	last, ok := c.lastSent[key]
	c.mu.Unlock()
	if ok && c.opts.Now().Sub(last) < fresh {
		return last.Add(cmd.Settle), nil
	}
	ch := c.flight.DoChan(key, func() (any, error) {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultTimeout)
		defer cancel()
		now := cmd
		now.Settle = 0
		if err := c.Send(sctx, now); err != nil {
			return nil, err
		}
		at := c.opts.Now()
		c.mu.Lock()
		c.lastSent[key] = at
		c.mu.Unlock()
		return at, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return time.Time{}, res.Err
		}
		return res.Val.(time.Time).Add(cmd.Settle), nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("arduino command %q: %w", printable(cmd.Text), c.errWaiting(ctx.Err()))
	}
}

// Query describes one query: its byte and its parser.
type Query[T any] struct {
	Code  byte
	Name  string
	Parse func(Reply) (T, error)
}

// The queries.
var (
	QDate           = Query[Date]{QueryDate, "date", ParseDate}
	QTime           = Query[Clock]{QueryTime, "time", ParseTime}
	QShots          = Query[Shots]{QueryShots, "shots", ParseShots}
	QSchedule       = Query[Schedule]{QuerySchedule, "schedule", ParseSchedule}
	QTemperatures   = Query[Temperatures]{QueryTemperatures, "temperatures", ParseTemperatures}
	QWakeWindow     = Query[WakeWindow]{QueryWakeWindow, "wake window", ParseWakeWindow}
	QVersion        = Query[Version]{QueryVersion, "version", ParseVersionReply}
	QHourlyTemps    = Query[HourlyTemps]{QueryHourlyTemps, "hourly temperatures", ParseHourlyTemps}
	QHourlyVoltages = Query[HourlyVoltages]{QueryHourlyVoltages, "hourly voltages", ParseHourlyVoltages}
	QShutdownMinute = Query[ShutdownMinute]{QueryShutdownMinute, "shutdown minute", ParseShutdownMinute}
)

// Cached is a value with the time its reply was read from the Arduino.
// Live is true when it was read just now rather than taken from the cache.
type Cached[T any] struct {
	Value T
	At    time.Time
	Live  bool
	// Err is why the live read failed when a LiveOrCache read answered from
	// the cache (errors.Is(Err, ErrBusy) when the bus was only busy).
	Err error
}

// Age is how old the value is at now.
func (c Cached[T]) Age(now time.Time) time.Duration { return now.Sub(c.At) }

// Mode says where Get may take a value from.
type Mode int

const (
	// Live asks the Arduino, and caches a good reply.
	Live Mode = iota
	// CacheFirst returns the cached reply when there is one, as the
	// original's cached reads do (intervalometer '3', transfer '5'), and
	// asks the Arduino otherwise.
	CacheFirst
	// LiveOrCache asks the Arduino and, when it does not answer, returns
	// the last good cached reply (its At tells how old).
	LiveOrCache
	// CacheOnly never touches the bus: the last good reply, or ErrNoValue.
	// A page uses it once the Arduino has failed to answer, so it waits on a
	// silent Arduino once, not once per value.
	CacheOnly
)

// ErrNoValue is wrapped when neither the Arduino nor the cache had a value.
var ErrNoValue = errors.New("no value from the Arduino or its cache")

// Get runs query q in the given mode. A malformed reply is retried like a
// failed transfer (a glitch on the bus reads as garbage) and is never cached.
func Get[T any](ctx context.Context, c *Client, q Query[T], mode Mode) (Cached[T], error) {
	var zero Cached[T]
	fromCache := func() (Cached[T], bool) {
		if c.opts.Cache == nil {
			return zero, false
		}
		cctx, cancel := context.WithTimeout(ctx, CacheTimeout)
		defer cancel()
		raw, at, ok, err := c.opts.Cache.Get(cctx, q.Code)
		if err != nil {
			c.opts.Log.Warn("arduino: cache read failed", "query", string(q.Code), "err", err)
			return zero, false
		}
		if !ok {
			return zero, false
		}
		v, err := q.Parse(raw)
		if err != nil {
			c.opts.Log.Warn("arduino: cached reply unreadable", "query", string(q.Code), "err", err)
			return zero, false
		}
		return Cached[T]{Value: v, At: at}, true
	}
	if mode == CacheFirst || mode == CacheOnly {
		if v, ok := fromCache(); ok {
			return v, nil
		}
		if mode == CacheOnly {
			return zero, fmt.Errorf("%s: %w", q.Name, ErrNoValue)
		}
	}
	raw, at, err := c.sharedRead(ctx, q.Code, q.Name, func(r Reply) error {
		_, err := q.Parse(r)
		return err
	})
	if err == nil {
		var v T
		if v, err = q.Parse(raw); err == nil {
			return Cached[T]{Value: v, At: at, Live: true}, nil
		}
	}
	if mode == LiveOrCache {
		if cv, ok := fromCache(); ok {
			c.opts.Log.Info("arduino: no live reply, using the cached one", "query", string(q.Code), "age", c.opts.Now().Sub(cv.At).Round(time.Second), "err", err)
			cv.Err = err
			return cv, nil
		}
		return zero, fmt.Errorf("%w: %w", ErrNoValue, err)
	}
	return zero, err
}

func live[T any](ctx context.Context, c *Client, q Query[T]) (T, error) {
	v, err := Get(ctx, c, q, Live)
	return v.Value, err
}

// Date asks query '0'. It also refreshes the firmware's clock snapshot that
// Time reads.
func (c *Client) Date(ctx context.Context) (Date, error) { return live(ctx, c, QDate) }

// Time asks query '1' (the snapshot taken by the latest Date).
func (c *Client) Time(ctx context.Context) (Clock, error) { return live(ctx, c, QTime) }

// DateTime asks '0' then '1' and combines them (wall time, in loc).
func (c *Client) DateTime(ctx context.Context, loc *time.Location) (time.Time, error) {
	d, err := c.Date(ctx)
	if err != nil {
		return time.Time{}, err
	}
	t, err := c.Time(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year, d.Month, d.Day, t.Hour, t.Minute, t.Second, 0, loc), nil
}

// Shots asks query '2'.
func (c *Client) Shots(ctx context.Context) (Shots, error) { return live(ctx, c, QShots) }

// Schedule asks query '3'.
func (c *Client) Schedule(ctx context.Context) (Schedule, error) { return live(ctx, c, QSchedule) }

// Temperatures asks query '4'. The firmware only refreshes it on GT (and
// hourly): call RefreshTemperatures first for a current value.
func (c *Client) Temperatures(ctx context.Context) (Temperatures, error) {
	return live(ctx, c, QTemperatures)
}

// WakeWindow asks query '5'.
func (c *Client) WakeWindow(ctx context.Context) (WakeWindow, error) {
	return live(ctx, c, QWakeWindow)
}

// Version asks query '6'. Text that is not a version gives the zero
// Version without error, as the original counts it as 0.
func (c *Client) Version(ctx context.Context) (Version, error) { return live(ctx, c, QVersion) }

// HourlyTemperatures asks query '7' (firmware 4.5.0 and later).
func (c *Client) HourlyTemperatures(ctx context.Context) (HourlyTemps, error) {
	return live(ctx, c, QHourlyTemps)
}

// HourlyVoltages asks query '8' (firmware 4.5.4 and later).
func (c *Client) HourlyVoltages(ctx context.Context) (HourlyVoltages, error) {
	return live(ctx, c, QHourlyVoltages)
}

// ShutdownMinute asks query '9' (firmware 4.5.5 and later).
func (c *Client) ShutdownMinute(ctx context.Context) (ShutdownMinute, error) {
	return live(ctx, c, QShutdownMinute)
}

// WakeCamera sends WC: a 400 ms half-press on the camera.
func (c *Client) WakeCamera(ctx context.Context) error { return c.Send(ctx, CmdWakeCamera) }

// SetTime sends ST= with t's wall clock in t's location.
func (c *Client) SetTime(ctx context.Context, t time.Time) error {
	cmd, err := EncodeSetTime(t)
	if err != nil {
		return err
	}
	return c.Send(ctx, cmd)
}

// SetSchedule sends SI= after Schedule.Validate.
func (c *Client) SetSchedule(ctx context.Context, s Schedule) error {
	cmd, err := EncodeSetSchedule(s)
	if err != nil {
		return err
	}
	return c.Send(ctx, cmd)
}

// SetWakeWindow sends SP=: wake the Pi at hour (0..23, or AlwaysOn) for
// minutes (5..60).
func (c *Client) SetWakeWindow(ctx context.Context, hour, minutes int) error {
	cmd, err := EncodeSetWakeWindow(hour, minutes)
	if err != nil {
		return err
	}
	return c.Send(ctx, cmd)
}

// RebootArduino sends RA: the Arduino asks the Pi to shut down, resets once
// the Pi has halted, then powers the Pi up again.
func (c *Client) RebootArduino(ctx context.Context) error { return c.Send(ctx, CmdReboot) }

// RefreshTemperatures sends GT: a fresh reading for query '4'.
func (c *Client) RefreshTemperatures(ctx context.Context) error {
	return c.Send(ctx, CmdRefreshTemps)
}

// ResetMin sends RN: the stored minimum becomes the current temperature.
func (c *Client) ResetMin(ctx context.Context) error { return c.Send(ctx, CmdResetMin) }

// ResetMax sends RX: the stored maximum becomes the current temperature.
func (c *Client) ResetMax(ctx context.Context) error { return c.Send(ctx, CmdResetMax) }

// ExtendPi sends EX: the Pi's on-time countdown restarts from now.
func (c *Client) ExtendPi(ctx context.Context) error { return c.Send(ctx, CmdExtendPi) }
