package arduino

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultCachePrefix starts every cache key; the query character follows,
// e.g. "intvlm8r:arduino:3".
const DefaultCachePrefix = "intvlm8r:arduino:"

// Cache keeps the latest good reply to each query in Redis, with no expiry,
// as the original does (it caches every reply under the bare query
// character). Each key is a hash: "reply" holds the 32 raw bytes and "at"
// the Unix time in nanoseconds at which they were read, so a page can say
// how old a value is when the Arduino does not answer.
//
// Who reads it, as in the original: the intervalometer page and the
// shots-per-day figure read '3' cache-first, the transfer page reads '5'
// cache-first; every other read goes to the wire and refreshes the cache.
// Commands drop what they make stale: SI= drops '3' and '2'; SP= drops '5'
// and '9'; ST= drops '0', '1', '2' and '9'; GT, RN and RX drop '4'; EX drops
// '9'; RA (a firmware reset) drops everything.
type Cache struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewCache uses rdb with keys under prefix ("" means DefaultCachePrefix).
func NewCache(rdb redis.UniversalClient, prefix string) *Cache {
	if prefix == "" {
		prefix = DefaultCachePrefix
	}
	return &Cache{rdb: rdb, prefix: prefix}
}

// Key is the Redis key of query code.
func (c *Cache) Key(code byte) string { return c.prefix + string(rune(code)) }

// Put stores a reply read at at.
func (c *Cache) Put(ctx context.Context, code byte, r Reply, at time.Time) error {
	err := c.rdb.HSet(ctx, c.Key(code), "reply", r[:], "at", strconv.FormatInt(at.UnixNano(), 10)).Err()
	if err != nil {
		return fmt.Errorf("arduino cache put %q: %w", code, err)
	}
	return nil
}

// Get returns the cached reply to code and when it was read; ok is false
// when there is none (or the entry is not one this package wrote).
func (c *Cache) Get(ctx context.Context, code byte) (r Reply, at time.Time, ok bool, err error) {
	vals, err := c.rdb.HMGet(ctx, c.Key(code), "reply", "at").Result()
	if errors.Is(err, redis.Nil) {
		return r, at, false, nil
	}
	if err != nil {
		return r, at, false, fmt.Errorf("arduino cache get %q: %w", code, err)
	}
	raw, ok1 := vals[0].(string)
	ts, ok2 := vals[1].(string)
	if !ok1 || !ok2 || len(raw) != ReplyLen {
		return r, at, false, nil
	}
	ns, perr := strconv.ParseInt(ts, 10, 64)
	if perr != nil {
		return r, at, false, nil
	}
	copy(r[:], raw)
	return r, time.Unix(0, ns), true, nil
}

// Delete drops the cached replies to codes.
func (c *Cache) Delete(ctx context.Context, codes ...byte) error {
	if len(codes) == 0 {
		return nil
	}
	keys := make([]string, len(codes))
	for i, code := range codes {
		keys[i] = c.Key(code)
	}
	if err := c.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("arduino cache delete: %w", err)
	}
	return nil
}
