package testutil

import (
	"net"
	"strconv"
	"sync"
	"testing"
)

// SilentServer listens on a free loopback port, accepts every connection and
// never says a word: the server that greets no one, for time-out tests. It
// returns "127.0.0.1:port"; the listener and its connections close when the
// test ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// RefusedAddr is "127.0.0.1:port" of a free loopback port nothing listens
// on: a connection to it is refused.
func RefusedAddr(t testing.TB) string {
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}
