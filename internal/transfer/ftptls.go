package transfer

import (
	"crypto/tls"
	"io"
	"net"
)

// tlsDataConn is the client side of a protected FTP data connection (PROT P),
// in both modes: RFC 4217 keeps the FTP client the TLS client even when the
// server dials in (active mode), and the session cache in cfg lets the data
// handshake resume the control connection's session, which vsftpd demands
// (require_ssl_reuse=YES).
//
// Its Close ends an upload so that the server keeps every byte. Under TLS 1.3
// the server sends session tickets on the data connection after the
// handshake; an upload never reads them, and closing a TCP socket that holds
// unread data makes the kernel send a reset instead of an orderly end. The
// reset makes the server's kernel throw away what the server has not read
// yet, so vsftpd fails the STOR with "426 Failure reading network stream".
// Close therefore sends close_notify, half-closes TCP, and reads until the
// server has finished (its own close_notify or end of stream) before it
// closes the socket.
type tlsDataConn struct {
	*tls.Conn
	tcp net.Conn // the TCP connection under the TLS one, for the half-close
}

func newTLSDataConn(c, tcp net.Conn, cfg *tls.Config) *tlsDataConn {
	return &tlsDataConn{Conn: tls.Client(c, cfg), tcp: tcp}
}

func (c *tlsDataConn) Close() error {
	if !c.ConnectionState().HandshakeComplete {
		return c.Conn.Close()
	}
	notifyErr := c.Conn.CloseWrite() // close_notify: the end of the file
	if hc, ok := c.tcp.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite() // FIN after the alert, for servers that wait for TCP's end
	}
	// Until the server closes, or its silence outlasts the idle time-out of
	// the connection underneath. What it says here does not decide the
	// upload: its reply on the control connection does.
	io.Copy(io.Discard, c.Conn)
	c.Conn.Close()
	return notifyErr
}
