package arduino

import (
	"context"
	"fmt"
	"sync"
)

// lazy opens a hardware transport on first use and again after it failed,
// so a process starts (and its pages say "Unknown") while the bus device is
// missing — I2C not yet enabled, a USB Arduino unplugged — and picks the
// Arduino up when it appears, without a restart.
type lazy struct {
	open func() (Transport, error)

	mu sync.Mutex
	t  Transport
}

func (l *lazy) get() (Transport, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t != nil {
		return l.t, nil
	}
	t, err := l.open()
	if err != nil {
		return nil, err
	}
	l.t = t
	return t, nil
}

// drop closes a transport whose device went away, to be reopened next time.
func (l *lazy) drop(t Transport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t == t {
		l.t.Close()
		l.t = nil
	}
}

func (l *lazy) Query(ctx context.Context, code byte) (Reply, error) {
	t, err := l.get()
	if err != nil {
		return Reply{}, fmt.Errorf("open the Arduino link: %w", err)
	}
	r, err := t.Query(ctx, code)
	if err != nil && ctx.Err() == nil {
		l.drop(t)
	}
	return r, err
}

func (l *lazy) Command(ctx context.Context, text []byte) error {
	t, err := l.get()
	if err != nil {
		return fmt.Errorf("open the Arduino link: %w", err)
	}
	err = t.Command(ctx, text)
	if err != nil && ctx.Err() == nil {
		l.drop(t)
	}
	return err
}

func (l *lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t == nil {
		return nil
	}
	err := l.t.Close()
	l.t = nil
	return err
}
