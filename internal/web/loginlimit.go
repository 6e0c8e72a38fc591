package web

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// The login limit. Two things are wanted: nobody may guess passwords
// quickly (each guess also costs the Pi a bcrypt, up to a second on a Pi
// Zero), and nobody may lock the owner out by guessing badly on purpose.
//
//   - Who is asking: the address of the connection, or on the unix socket
//     (only nginx can connect to it) nginx's X-Real-IP, or on TCP the
//     X-Real-IP of a configured proxy (--trusted-proxy). A header from
//     anybody else is ignored, so a made-up X-Real-IP buys nothing.
//   - A browser that has logged in as a name before carries a signed device
//     cookie for that name (a year). Its tries at that name count only
//     against its own bucket: nobody else's failures can slow it down.
//   - Every other try counts against three buckets, all of which must have a
//     token: its client address, the user name (all unknown names share
//     one), and all unknown browsers together (the cap on the Pi's bcrypt
//     work). A stranger can thus exhaust a name only for other unknown
//     browsers; the owner's own browser still logs in.
//
// Every try takes a token, right or wrong, before its password is checked,
// so parallel tries cannot slip past the count. Buckets refill with time.
type loginLimiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
	now     func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	used time.Time
}

// Bucket sizes: burst tries, then one more every interval.
type bucketRule struct {
	burst int
	every time.Duration
}

var (
	perClient  = bucketRule{10, 6 * time.Second}
	perDevice  = bucketRule{10, 6 * time.Second}
	perName    = bucketRule{10, time.Minute}
	unknownCap = bucketRule{30, 2 * time.Second}
)

// maxBuckets bounds the limiter's memory against tries from countless
// addresses; past it, unknown clients are refused until buckets go idle.
const maxBuckets = 20000

// bucketIdle is how long an unused bucket is kept: long enough to be full
// again by then, so forgetting it forgives nothing early.
const bucketIdle = 15 * time.Minute

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{buckets: map[string]*bucket{}, now: time.Now}
}

// attempt takes a token for one try and says whether the try may go on.
// device is the id of a valid device cookie for this name, "" for none;
// knownName says the name is a login (unknown names share one bucket).
func (l *loginLimiter) attempt(client, name, device string, knownName bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	if device != "" {
		return l.take("device\x00"+device, perDevice, now, true)
	}
	if !knownName {
		name = "\x00unknown"
	}
	keys := []struct {
		key  string
		rule bucketRule
	}{{"client\x00" + client, perClient}, {"name\x00" + name, perName}, {"all", unknownCap}}
	// All three must have a token; only then are they taken.
	for _, k := range keys {
		if !l.has(k.key, k.rule, now) {
			return false
		}
	}
	for _, k := range keys {
		l.take(k.key, k.rule, now, false)
	}
	return true
}

func (l *loginLimiter) get(key string, r bucketRule, now time.Time, force bool) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if !force && len(l.buckets) >= maxBuckets {
			return nil
		}
		b = &bucket{lim: rate.NewLimiter(rate.Every(r.every), r.burst)}
		l.buckets[key] = b
	}
	b.used = now
	return b
}

func (l *loginLimiter) has(key string, r bucketRule, now time.Time) bool {
	b := l.get(key, r, now, false)
	return b != nil && b.lim.TokensAt(now) >= 1
}

func (l *loginLimiter) take(key string, r bucketRule, now time.Time, force bool) bool {
	b := l.get(key, r, now, force)
	return b != nil && b.lim.AllowN(now, 1)
}

// sweep forgets buckets unused for bucketIdle, at most once a minute.
func (l *loginLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.used) > bucketIdle {
			delete(l.buckets, k)
		}
	}
}

// The device cookie: which names this browser has logged in as.
const (
	deviceCookie = "intvlm8r_device"
	deviceFor    = 365 * 24 * time.Hour
)

type deviceMark struct {
	ID    string
	Names []string
}

func newDeviceCodec(key []byte) *securecookie.SecureCookie {
	sc := securecookie.New(key[:32], key[32:])
	sc.MaxAge(int(deviceFor.Seconds()))
	return sc
}

// device is this browser's device id when its cookie is valid and names
// name; "" otherwise.
func (s *Server) device(c echo.Context, name string) string {
	m, ok := s.readDevice(c)
	if !ok {
		return ""
	}
	if slices.Contains(m.Names, name) {
		return m.ID
	}
	return ""
}

func (s *Server) readDevice(c echo.Context) (deviceMark, bool) {
	var m deviceMark
	ck, err := c.Cookie(deviceCookie)
	if err != nil || s.devices.Decode(deviceCookie, ck.Value, &m) != nil || m.ID == "" {
		return deviceMark{}, false
	}
	return m, true
}

// markDevice records in the browser that it logged in as name.
func (s *Server) markDevice(c echo.Context, name string) {
	m, ok := s.readDevice(c)
	if !ok {
		m = deviceMark{ID: string(securecookie.GenerateRandomKey(16))}
	}
	if !slices.Contains(m.Names, name) {
		m.Names = append(m.Names, name)
		if len(m.Names) > 8 {
			m.Names = m.Names[len(m.Names)-8:]
		}
	}
	v, err := s.devices.Encode(deviceCookie, m)
	if err != nil {
		s.Log.Warn("device cookie not made", "err", err)
		return
	}
	r := c.Request()
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: v, Path: "/login", MaxAge: int(deviceFor.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")})
}

// clientIP is echo's IPExtractor for the public listener: X-Real-IP only
// from a proxy this server trusts, the connection's address otherwise.
func clientIP(behindSocket bool, trusted []netip.Prefix) echo.IPExtractor {
	return func(r *http.Request) string {
		peer, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			peer = r.RemoteAddr // a unix socket's peer: "@" or ""
		}
		trust := behindSocket
		if a, err := netip.ParseAddr(peer); err == nil {
			a = a.Unmap()
			for _, p := range trusted {
				if p.Contains(a) {
					trust = true
				}
			}
		}
		if trust {
			if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get(echo.HeaderXRealIP))); err == nil {
				return a.Unmap().String()
			}
		}
		if peer == "" || peer == "@" {
			return "unix"
		}
		return peer
	}
}

// ParseTrustedProxies reads --trusted-proxy: addresses or CIDR prefixes,
// comma-separated.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
