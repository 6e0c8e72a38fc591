package transfer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// activeConn is a minimal FTP client for active mode (PORT/EPRT), which
// jlaffaye/ftp lacks and the original used exclusively: the server dials a
// port we listen on for each transfer. It speaks only what an upload needs.
type activeConn struct {
	tp      *textproto.Conn
	local   net.IP
	tlsCfg  *tls.Config
	timeout time.Duration
	track   func(net.Conn) net.Conn
	mfmt    bool
}

func newActiveConn(c net.Conn, cfg *tls.Config, timeout time.Duration, track func(net.Conn) net.Conn) (*activeConn, error) {
	a := &activeConn{tp: textproto.NewConn(c), tlsCfg: cfg, timeout: timeout, track: track}
	if ta, ok := c.LocalAddr().(*net.TCPAddr); ok {
		a.local = ta.IP
	} else {
		return nil, errors.New("ftp: control connection is not TCP")
	}
	if _, _, err := a.tp.ReadResponse(220); err != nil {
		return nil, err
	}
	if cfg != nil {
		if _, _, err := a.cmd(234, "AUTH TLS"); err != nil {
			return nil, err
		}
		tc := tls.Client(c, cfg)
		if err := tc.Handshake(); err != nil {
			return nil, fmt.Errorf("ftp: TLS handshake: %w", err)
		}
		a.tp = textproto.NewConn(track(tc))
	}
	return a, nil
}

func (a *activeConn) cmd(expect int, format string, args ...any) (int, string, error) {
	line := fmt.Sprintf(format, args...)
	if strings.ContainsAny(line, "\r\n") {
		return 0, "", errors.New("ftp: command contains a line break")
	}
	if _, err := a.tp.Cmd("%s", line); err != nil {
		return 0, "", err
	}
	return a.tp.ReadResponse(expect)
}

func (a *activeConn) Login(user, pass string) error {
	code, msg, err := a.cmd(0, "USER %s", user)
	if err != nil && code == 0 {
		return err
	}
	switch code {
	case 230:
	case 331, 332:
		if _, _, err := a.cmd(2, "PASS %s", pass); err != nil {
			return err
		}
	default:
		return &textproto.Error{Code: code, Msg: msg}
	}
	if _, _, err := a.cmd(200, "TYPE I"); err != nil {
		return err
	}
	if a.tlsCfg != nil {
		if _, _, err := a.cmd(200, "PBSZ 0"); err != nil {
			return err
		}
		if _, _, err := a.cmd(200, "PROT P"); err != nil {
			return err
		}
	}
	if _, msg, err := a.cmd(211, "FEAT"); err == nil {
		for _, l := range strings.Split(msg, "\n") {
			if strings.EqualFold(strings.TrimSpace(l), "MFMT") {
				a.mfmt = true
			}
		}
	}
	return nil
}

func (a *activeConn) ChangeDir(dir string) error {
	_, _, err := a.cmd(250, "CWD %s", dir)
	return err
}

func (a *activeConn) MakeDir(dir string) error {
	_, _, err := a.cmd(257, "MKD %s", dir)
	return err
}

func (a *activeConn) FileSize(name string) (int64, error) {
	_, msg, err := a.cmd(213, "SIZE %s", name)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(msg), 10, 64)
}

func (a *activeConn) SetTime(name string, t time.Time) error {
	if !a.mfmt {
		return errors.New("MFMT not supported")
	}
	_, _, err := a.cmd(213, "MFMT %s %s", t.UTC().Format("20060102150405"), name)
	return err
}

// Stor listens, tells the server where (PORT for IPv4, EPRT for IPv6),
// sends STOR, accepts the server's data connection and streams r into it.
func (a *activeConn) Stor(name string, r io.Reader) error {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: a.local})
	if err != nil {
		return fmt.Errorf("ftp active: listen: %w", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if ip4 := a.local.To4(); ip4 != nil {
		_, _, err = a.cmd(200, "PORT %d,%d,%d,%d,%d,%d", ip4[0], ip4[1], ip4[2], ip4[3], port>>8, port&0xff)
	} else {
		_, _, err = a.cmd(200, "EPRT |2|%s|%d|", a.local.String(), port)
	}
	if err != nil {
		return err
	}
	if _, _, err := a.cmd(1, "STOR %s", name); err != nil {
		return err
	}
	ln.SetDeadline(time.Now().Add(a.timeout))
	raw, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("ftp active: server did not connect: %w", err)
	}
	var dc net.Conn = a.track(&deadlineConn{raw, a.timeout})
	if a.tlsCfg != nil {
		tc := newTLSDataConn(dc, raw, a.tlsCfg)
		if err := tc.Handshake(); err != nil {
			dc.Close()
			return fmt.Errorf("ftp active: data TLS handshake: %w", err)
		}
		dc = tc
	}
	_, copyErr := io.Copy(dc, r)
	closeErr := dc.Close()
	_, _, replyErr := a.tp.ReadResponse(2)
	return errors.Join(copyErr, closeErr, replyErr)
}

func (a *activeConn) Quit() error {
	_, _, err := a.cmd(221, "QUIT")
	a.tp.Close()
	return err
}
