// Package sdnotify tells systemd a service is ready (Type=notify), so units
// ordered after it start only once it really listens.
package sdnotify

import (
	"net"
	"os"
)

// Ready sends READY=1 to $NOTIFY_SOCKET; without systemd it does nothing.
func Ready() error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	if addr[0] == '@' { // abstract socket
		addr = "\x00" + addr[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte("READY=1"))
	return err
}
