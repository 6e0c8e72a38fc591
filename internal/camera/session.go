package camera

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// ErrWaking is returned (wrapped) when the camera was not there, a wake was
// sent, and the caller's bound did not allow waiting for it. It is an
// ErrNoCamera: errors.Is(err, ErrNoCamera) holds.
var ErrWaking = fmt.Errorf("camera asleep, waking: %w", ErrNoCamera)

// Waker wakes a sleeping camera (the Arduino's WC half-press). The Arduino
// client implements it; it must not take the camera lock.
type Waker interface {
	WakeCamera(ctx context.Context) error
}

// WakePolicy bounds the wake-and-retry dance of OpenAwake.
type WakePolicy struct {
	// Attempts is how many times Open is tried in all (at least 1). After a
	// failed attempt a wake is sent; when it was the last attempt the wake is
	// still sent and ErrWaking returned, so a later request finds the camera up.
	Attempts int
	// Settle is the pause after a wake before the next attempt.
	Settle time.Duration
}

var (
	// QuickWake is for pages: one attempt; if the camera is asleep, send a wake
	// and return ErrWaking at once rather than hold the page for seconds.
	QuickWake = WakePolicy{Attempts: 1}
	// PatientWake is for the copy task, which can afford to wait for the camera
	// to come up on the bus (about the original's five one-second retries).
	PatientWake = WakePolicy{Attempts: 6, Settle: 1500 * time.Millisecond}
)

// OpenAwake opens d. When there is no camera it asks w (if not nil) to wake it
// and retries within pol. ErrBusy and other errors are returned at once:
// waking does not help a camera another process has claimed.
func OpenAwake(ctx context.Context, d Driver, w Waker, pol WakePolicy) (Camera, error) {
	attempts := pol.Attempts
	if attempts < 1 {
		attempts = 1
	}
	var lastErr error
	for i := 1; ; i++ {
		c, err := d.Open(ctx)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, ErrNoCamera) || w == nil {
			return nil, err
		}
		lastErr = err
		if werr := w.WakeCamera(ctx); werr != nil {
			// Without a wake, retrying is pointless.
			return nil, fmt.Errorf("%w (and the wake failed: %v)", err, werr)
		}
		if i >= attempts {
			slog.Debug("camera asleep; wake sent", "driver", d.Name(), "attempts", i, "err", lastErr)
			return nil, fmt.Errorf("%w (%v)", ErrWaking, lastErr)
		}
		if pol.Settle > 0 {
			if err := ctxutil.Sleep(ctx, pol.Settle); err != nil {
				return nil, fmt.Errorf("waiting for the camera to wake: %w", err)
			}
		}
	}
}

// SessionOptions tune SessionWith. The zero value takes the lock only if it is
// free at once, and does not wake the camera.
type SessionOptions struct {
	// LockWait bounds how long to wait for another process to release the
	// camera. 0 means do not wait: ErrBusy at once.
	LockWait time.Duration
	// Waker, when set, wakes a sleeping camera under Wake's bounds.
	Waker Waker
	Wake  WakePolicy
}

// lockPoll is how often a waiting session retries the lock.
const lockPoll = 50 * time.Millisecond

// Session holds the cross-process camera lock (paths.CameraLock) for one job:
// it takes the lock without waiting (ErrBusy when another process has it),
// opens d, runs fn, closes the camera and drops the lock.
func Session(ctx context.Context, d Driver, lockPath string, fn func(Camera) error) error {
	return SessionWith(ctx, d, lockPath, SessionOptions{}, fn)
}

// SessionWith is Session with a bounded wait for the lock and an optional wake.
func SessionWith(ctx context.Context, d Driver, lockPath string, o SessionOptions, fn func(Camera) error) (err error) {
	l, err := acquire(ctx, lockPath, o.LockWait)
	if err != nil {
		return err
	}
	defer func() {
		if uerr := l.Unlock(); uerr != nil && err == nil {
			err = fmt.Errorf("camera lock: %w", uerr)
		}
	}()
	c, err := OpenAwake(ctx, d, o.Waker, o.Wake)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close camera: %w", cerr)
		}
	}()
	return fn(c)
}

func acquire(ctx context.Context, lockPath string, wait time.Duration) (*fileutil.Lock, error) {
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("camera lock: %w", err)
		}
		l, ok, err := fileutil.TryLockExclusive(lockPath)
		if err != nil {
			return nil, fmt.Errorf("camera lock: %w", err)
		}
		if ok {
			return l, nil
		}
		if wait <= 0 || !time.Now().Before(deadline) {
			return nil, fmt.Errorf("%w: another process is using the camera (%s)", ErrBusy, lockPath)
		}
		if err := ctxutil.Sleep(ctx, min(lockPoll, time.Until(deadline))); err != nil {
			return nil, fmt.Errorf("camera lock: %w", err)
		}
	}
}
