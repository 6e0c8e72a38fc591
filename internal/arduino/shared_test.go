package arduino

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gateTransport answers the wake window query with 2530 and any other with
// reply, after release is closed;
// entered gets one value per query that reached the transport.
type gateTransport struct {
	reply    Reply
	fail     error // when set, every query fails with it (without waiting)
	release  chan struct{}
	entered  chan byte
	queries  atomic.Int32
	commands atomic.Int32
}

func (g *gateTransport) Query(ctx context.Context, code byte) (Reply, error) {
	g.queries.Add(1)
	g.entered <- code
	if g.fail != nil {
		return Reply{}, g.fail
	}
	select {
	case <-g.release:
		if code == QueryWakeWindow {
			return reply("2530"), nil
		}
		return g.reply, nil
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
}
func (g *gateTransport) Command(ctx context.Context, text []byte) error {
	g.commands.Add(1)
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (g *gateTransport) Close() error { return nil }

func newGate(text string) *gateTransport {
	return &gateTransport{reply: reply(text), release: make(chan struct{}), entered: make(chan byte, 100)}
}

// Fifty readers of the same value while it is being read share that one
// transaction: the bus sees one query, and every reader gets the reply.
func TestReadersShareOneTransaction(t *testing.T) {
	g := newGate("5.0.1")
	c := NewClient(g, Options{LockPath: testPaths(t).ArduinoLock()})
	const n = 50
	var joins sync.WaitGroup
	joins.Add(n)
	c.joined = func(byte) { joins.Done() }

	results := make(chan error, n)
	get := func() {
		v, err := Get(context.Background(), c, QVersion, LiveOrCache)
		if err == nil && (!v.Live || v.Value.String() != "5.0.1") {
			err = errors.New("got " + v.Value.String())
		}
		results <- err
	}
	go get()
	<-g.entered // the first read is on the bus and stays there until released
	for range n - 1 {
		go get()
	}
	joins.Wait() // every reader has joined the read under way
	close(g.release)
	for range n {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if q := g.queries.Load(); q != 1 {
		t.Fatalf("the bus saw %d queries for %d readers of one value, want 1", q, n)
	}
	// Once it has ended, the next reader reads again.
	c.joined = nil
	if _, err := c.Version(context.Background()); err != nil || g.queries.Load() != 2 {
		t.Fatalf("a later read: %v, %d queries", err, g.queries.Load())
	}
}

// A reader whose budget runs out while the bus is held by another query is
// told the bus is busy, not that the Arduino is silent.
func TestBusyBusIsNotASilentArduino(t *testing.T) {
	g := newGate("5.0.1")
	c := NewClient(g, Options{LockPath: testPaths(t).ArduinoLock()})
	done := make(chan error, 1)
	go func() {
		_, err := c.Version(context.Background())
		done <- err
	}()
	<-g.entered // the version read holds the bus

	for q, err := range waitBehind(c) { // another value, and the same one
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("query %q: err %v, want ErrBusy", q, err)
		}
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The wake-window read given up on still runs, and then answers.
	if v, err := Get(context.Background(), c, QWakeWindow, Live); err != nil || !v.Live {
		t.Fatalf("wake window once the bus is free: %v", err)
	}
}

// A reader that joins a read whose first try the Arduino failed is told the
// Arduino's error, not "busy".
func TestJoinedReadOfSilentArduino(t *testing.T) {
	g := newGate("5.0.1")
	g.fail = errors.New("remote I/O error")
	retrying := make(chan struct{})
	c := NewClient(g, Options{
		LockPath: testPaths(t).ArduinoLock(),
		Sleep: func(ctx context.Context, d time.Duration) error { // the retry pause, held open
			close(retrying)
			<-ctx.Done()
			return ctx.Err()
		},
	})
	first := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := c.Version(ctx)
		first <- err
	}()
	<-retrying // the first try failed; the read waits to retry
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Version(ctx)
	if err == nil || errors.Is(err, ErrBusy) || !errors.Is(err, g.fail) {
		t.Fatalf("joined read of a silent Arduino: %v, want its I/O error", err)
	}
	if err := <-first; err == nil || errors.Is(err, ErrBusy) {
		t.Fatalf("first reader: %v, want the Arduino's error", err)
	}
}

// A GT sent a moment ago is not sent again for the next thermal pages; an
// older one is.
func TestSendSharedRefresh(t *testing.T) {
	g := newGate("")
	close(g.release)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var clock sync.Mutex
	c := NewClient(g, Options{LockPath: testPaths(t).ArduinoLock(), Now: func() time.Time {
		clock.Lock()
		defer clock.Unlock()
		return now
	}})
	sent := now
	for i := range 10 {
		ready, err := c.SendShared(context.Background(), CmdRefreshTemps, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !ready.Equal(sent.Add(SettleTemperatures)) {
			t.Fatalf("call %d: ready at %v, want the first send's time plus the settle", i, ready)
		}
		clock.Lock()
		now = now.Add(100 * time.Millisecond)
		clock.Unlock()
	}
	if got := g.commands.Load(); got != 1 {
		t.Fatalf("%d GT sends within 2 s, want 1", got)
	}
	clock.Lock()
	now = now.Add(2 * time.Second)
	clock.Unlock()
	if _, err := c.SendShared(context.Background(), CmdRefreshTemps, 2*time.Second); err != nil || g.commands.Load() != 2 {
		t.Fatalf("a stale GT was not sent again: %v, %d sends", err, g.commands.Load())
	}
}

// A transaction that has held the bus for longer than any answer takes
// (SlowHolder) means a silent Arduino: a reader that gives up waiting behind
// it is told the Arduino is not answering, not that the bus was busy.
func TestWaitBehindASilentArduinoIsNotBusy(t *testing.T) {
	g := newGate("5.0.1")
	c := NewClient(g, Options{LockPath: testPaths(t).ArduinoLock()})
	done := make(chan error, 1)
	go func() {
		_, err := c.Version(context.Background())
		done <- err
	}()
	<-g.entered // the version read holds the bus, and gets no answer
	time.Sleep(SlowHolder + 100*time.Millisecond)
	for q, err := range waitBehind(c) { // waiting for the bus, and joining the read
		if err == nil || errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "has not answered") {
			t.Fatalf("query %q behind a silent Arduino: err %v, want not answering", q, err)
		}
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The wake-window read given up on still runs: wait for it to end.
	if _, err := Get(context.Background(), c, QWakeWindow, Live); err != nil {
		t.Fatal(err)
	}
}

// waitBehind reads, with a 20 ms budget each, another value than the one
// whose read holds the bus (waiting for the bus) and the same one (joining
// that read), and returns each read's error by query.
func waitBehind(c *Client) map[byte]error {
	errs := map[byte]error{}
	for _, q := range []byte{QueryWakeWindow, QueryVersion} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		if q == QueryVersion {
			_, errs[q] = Get(ctx, c, QVersion, Live)
		} else {
			_, errs[q] = Get(ctx, c, QWakeWindow, Live)
		}
		cancel()
	}
	return errs
}
