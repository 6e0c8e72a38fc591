package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// splitHostPort parses the Transfer page's "host[:port]" (with an optional
// scheme:// prefix, and [v6]:port or a bare IPv6 literal).
func splitHostPort(s string, defPort int) (host string, port int, err error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimRight(s, "/")
	if s == "" {
		return "", 0, errors.New("no server given")
	}
	port = defPort
	switch {
	case strings.HasPrefix(s, "["):
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			if strings.HasSuffix(s, "]") {
				return strings.Trim(s, "[]"), port, nil
			}
			return "", 0, fmt.Errorf("bad server %q: %w", s, err)
		}
		host = h
		if port, err = strconv.Atoi(p); err != nil {
			return "", 0, fmt.Errorf("bad port in %q", s)
		}
	case strings.Count(s, ":") == 1:
		h, p, _ := strings.Cut(s, ":")
		host = h
		if port, err = strconv.Atoi(p); err != nil {
			return "", 0, fmt.Errorf("bad port in %q", s)
		}
	default:
		host = s
	}
	if host == "" || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad server %q", s)
	}
	if strings.ContainsAny(host, " \t/@") {
		return "", 0, fmt.Errorf("bad host name %q", host)
	}
	return host, port, nil
}

// deadlineConn pushes the read/write deadline forward before every I/O, so
// a server that stops answering fails the call after idle instead of hanging
// the upload (and the Pi's short wake window) for ever.
type deadlineConn struct {
	net.Conn
	idle time.Duration
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	return c.Conn.Write(b)
}

// ErrConnLost marks an error after which the connection is unusable; the
// next attempt reconnects first.
var ErrConnLost = errors.New("connection lost")

// isNetErr reports errors that mean the connection itself has failed.
func isNetErr(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, os.ErrDeadlineExceeded)
}

// isTimeout reports a dial or I/O time-out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// openLocal opens a photo to upload, unless ctx is done: the file and its
// size-bearing info, or an error naming the file.
func openLocal(ctx context.Context, local string) (*os.File, os.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(local)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", local, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat %s: %w", local, err)
	}
	return f, info, nil
}
