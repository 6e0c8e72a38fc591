package web

import (
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func fakeClock(l *loginLimiter) *time.Time {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	return &now
}

func TestLoginLimitPerClient(t *testing.T) {
	l := newLoginLimiter()
	now := fakeClock(l)
	for i := range perClient.burst {
		if !l.attempt("198.51.100.1", "nobody"+strconv.Itoa(i), "", false) {
			t.Fatalf("try %d refused within the burst", i)
		}
	}
	if l.attempt("198.51.100.1", "admin", "", true) {
		t.Fatal("a client past its burst was let try again at once")
	}
	// The owner elsewhere is not this client: the known name still has tokens.
	if !l.attempt("203.0.113.9", "admin", "", true) {
		t.Fatal("another client was refused for the first client's tries")
	}
	*now = now.Add(perClient.every)
	if !l.attempt("198.51.100.1", "admin", "", true) {
		t.Fatal("no token back after the refill interval")
	}
}

func TestLoginLimitStrangerCannotLockOutOwnersBrowser(t *testing.T) {
	l := newLoginLimiter()
	fakeClock(l)
	// A stranger spreads tries for "admin" over many addresses.
	refused := false
	for i := range 100 {
		if !l.attempt("198.51.100."+strconv.Itoa(i), "admin", "", true) {
			refused = true
		}
	}
	if !refused {
		t.Fatal("100 tries for one name from 100 addresses were never refused")
	}
	if l.attempt("203.0.113.9", "admin", "", true) {
		t.Fatal("an unknown browser could still try a name being guessed")
	}
	// The owner's browser, which logged in as admin before, still may.
	for i := range perDevice.burst {
		if !l.attempt("203.0.113.9", "admin", "owner-device", true) {
			t.Fatalf("the owner's browser was refused (try %d)", i)
		}
	}
	if l.attempt("203.0.113.9", "admin", "owner-device", true) {
		t.Fatal("a device cookie gave unlimited tries")
	}
	// Unknown names share one bucket, so they cannot starve a real one.
	l2 := newLoginLimiter()
	fakeClock(l2)
	for i := range 50 {
		l2.attempt("198.51.100."+strconv.Itoa(i), "x"+strconv.Itoa(i), "", false)
	}
	if !l2.attempt("203.0.113.9", "admin", "", true) {
		t.Fatal("guesses at unknown names locked out a real one")
	}
}

func TestLoginLimitGlobalCapAndMemory(t *testing.T) {
	l := newLoginLimiter()
	now := fakeClock(l)
	ok := 0
	for i := range 1000 {
		name := "n" + strconv.Itoa(i%50)
		if l.attempt(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String(), name, "", true) {
			ok++
		}
	}
	if ok != unknownCap.burst {
		t.Fatalf("%d tries from 1000 addresses passed, want the cap %d", ok, unknownCap.burst)
	}
	*now = now.Add(bucketIdle + 2*time.Minute)
	l.attempt("10.9.9.9", "admin", "", true)
	if n := len(l.buckets); n > 4 {
		t.Fatalf("%d buckets kept after they went idle", n)
	}
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 192.0.2.10, 10.1.0.0/16 ")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies("nginx"); err == nil {
		t.Error("a name was accepted as a proxy address")
	}
	for _, tc := range []struct {
		socket     bool
		peer, real string
		want       string
	}{
		{false, "127.0.0.1:5000", "203.0.113.5", "127.0.0.1"},       // loopback is not trusted by itself
		{false, "192.168.1.20:5000", "203.0.113.5", "192.168.1.20"}, // nor a private address
		{false, "192.0.2.10:5000", "203.0.113.5", "203.0.113.5"},    // the configured proxy
		{false, "10.1.7.7:5000", "203.0.113.6", "203.0.113.6"},
		{false, "192.0.2.10:5000", "not an address", "192.0.2.10"},
		{true, "@", "203.0.113.7", "203.0.113.7"}, // nginx on the unix socket
		{true, "", "", "unix"},
		{false, "[::ffff:192.0.2.10]:5000", "2001:db8::1", "2001:db8::1"},
	} {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = tc.peer
		if tc.real != "" {
			r.Header.Set("X-Real-IP", tc.real)
		}
		r.Header.Set("X-Forwarded-For", "198.51.100.99")
		if got := clientIP(tc.socket, trusted)(r); got != tc.want {
			t.Errorf("socket=%v peer=%q X-Real-IP=%q: %q, want %q", tc.socket, tc.peer, tc.real, got, tc.want)
		}
	}
}
