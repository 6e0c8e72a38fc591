package arduino

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// failing is a transport whose Arduino has stopped answering.
type failing struct{ Transport }

var errDead = errors.New("remote I/O error")

func (failing) Query(ctx context.Context, code byte) (Reply, error) { return Reply{}, errDead }
func (failing) Command(ctx context.Context, text []byte) error      { return errDead }

func TestCache(t *testing.T) {
	srv := testutil.StartRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	cache := NewCache(rdb, "")
	ctx := context.Background()

	p := testPaths(t)
	clk := &fakeClock{now: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	bus := sim.NewBus(p, sim.Options{Now: clk.Now})
	c := NewClient(bus, Options{LockPath: p.ArduinoLock(), Cache: cache, Sleep: clk.Sleep, Now: clk.Now})

	// A live read fills the cache under the prefixed key, with its time.
	s, err := Get(ctx, c, QSchedule, Live)
	if err != nil || !s.Live || !s.At.Equal(clk.Now()) {
		t.Fatalf("live schedule %+v %v", s, err)
	}
	if n, _ := rdb.Exists(ctx, "intvlm8r:arduino:3").Result(); n != 1 {
		t.Fatal("no key intvlm8r:arduino:3")
	}
	if ttl, _ := rdb.TTL(ctx, "intvlm8r:arduino:3").Result(); ttl != -1 {
		t.Errorf("cache entry expires: ttl %v", ttl)
	}
	readAt := clk.Now()
	clk.Sleep(ctx, 90*time.Second)

	// Cache-first takes it from Redis without touching the bus.
	before, _ := bus.Stats()
	s2, err := Get(ctx, c, QSchedule, CacheFirst)
	if err != nil || s2.Live || !s2.At.Equal(readAt) || s2.Value != s.Value || s2.Age(clk.Now()) != 90*time.Second {
		t.Fatalf("cache-first %+v %v", s2, err)
	}
	if after, _ := bus.Stats(); after.Queries != before.Queries {
		t.Error("cache-first asked the Arduino")
	}

	// SI= drops '3' (and '2'); the next cache-first read goes to the wire.
	c.Shots(ctx)
	sched := Schedule{Days: EveryDay, StartHour: 6, EndHour: 20, Interval: 70}
	if err := c.SetSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"intvlm8r:arduino:3", "intvlm8r:arduino:2"} {
		if n, _ := rdb.Exists(ctx, k).Result(); n != 0 {
			t.Errorf("%s survived SI=", k)
		}
	}
	s3, err := Get(ctx, c, QSchedule, CacheFirst)
	if err != nil || !s3.Live || s3.Value != sched {
		t.Fatalf("after SI: %+v %v", s3, err)
	}

	// SP= drops '5' and '9'.
	c.WakeWindow(ctx)
	c.ShutdownMinute(ctx)
	if err := c.SetWakeWindow(ctx, 18, 30); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"intvlm8r:arduino:5", "intvlm8r:arduino:9"} {
		if n, _ := rdb.Exists(ctx, k).Result(); n != 0 {
			t.Errorf("%s survived SP=", k)
		}
	}
	w, _ := Get(ctx, c, QWakeWindow, CacheFirst)
	if w.Value != (WakeWindow{18, 30}) {
		t.Errorf("wake window after SP %+v", w)
	}

	// The Arduino stops answering: LiveOrCache gives the last good value
	// and its age; Live gives the error.
	dead := NewClient(failing{}, Options{Cache: cache, Sleep: clk.Sleep, Now: clk.Now})
	clk.Sleep(ctx, time.Hour)
	got, err := Get(ctx, dead, QWakeWindow, LiveOrCache)
	if err != nil || got.Live || got.Value != (WakeWindow{18, 30}) || got.Age(clk.Now()) < time.Hour {
		t.Fatalf("fallback %+v %v", got, err)
	}
	if _, err := dead.WakeWindow(ctx); !errors.Is(err, errDead) {
		t.Fatalf("live read of a dead Arduino: %v", err)
	}
	if _, err := Get(ctx, dead, QHourlyVoltages, LiveOrCache); !errors.Is(err, ErrNoValue) || !errors.Is(err, errDead) {
		t.Fatalf("no value anywhere: %v", err)
	}

	// RA drops everything; GT drops '4'.
	c.Temperatures(ctx)
	c.RefreshTemperatures(ctx)
	if n, _ := rdb.Exists(ctx, "intvlm8r:arduino:4").Result(); n != 0 {
		t.Error("'4' survived GT")
	}
	for _, code := range []byte("0123456789") {
		c.Raw(ctx, code)
		cache.Put(ctx, code, Reply{}, clk.Now())
	}
	if err := c.RebootArduino(ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := rdb.Keys(ctx, "intvlm8r:arduino:*").Result(); len(keys) != 0 {
		t.Errorf("keys after RA: %v", keys)
	}

	// A malformed or foreign entry reads as absent, and is not a panic.
	rdb.HSet(ctx, "intvlm8r:arduino:3", "reply", "short", "at", "x")
	if _, _, ok, err := cache.Get(ctx, '3'); ok || err != nil {
		t.Errorf("foreign entry read as ok=%v err=%v", ok, err)
	}
	rdb.Set(ctx, "intvlm8r:arduino:6", "5.0.1", 0)
	if _, _, ok, err := cache.Get(ctx, '6'); ok || err == nil {
		t.Errorf("wrong-type entry: ok=%v err=%v", ok, err)
	}
	var bad Reply
	copy(bad[:], "garbage")
	cache.Put(ctx, '5', bad, clk.Now())
	if got, err := Get(ctx, dead, QWakeWindow, LiveOrCache); err == nil {
		t.Errorf("unparsable cached reply served: %+v", got)
	}

	// Redis gone: reads still work live, the cache failure is only logged.
	srv.Stop()
	if v, err := Get(ctx, c, QVersion, CacheFirst); err != nil || !v.Live {
		t.Fatalf("without Redis: %+v %v", v, err)
	}
}
