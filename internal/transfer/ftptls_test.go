package transfer

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// A server that reads slowly, as vsftpd does when it writes each block to
// disk, and that sent a TLS 1.3 session ticket the uploader never reads:
// after Close the server must still read the whole file and then an orderly
// end (close_notify), not a connection reset that drops the unread tail.
func TestTLSDataConnCloseKeepsTheTail(t *testing.T) {
	certPath := filepath.Join(t.TempDir(), "cert.pem")
	writeSelfSigned(t, certPath)
	cert, err := tls.LoadX509KeyPair(certPath, certPath)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	payload := make([]byte, 2<<20)
	rand.Read(payload)
	closed := make(chan struct{})
	type result struct {
		got []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer raw.Close()
		sc := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
		if err := sc.Handshake(); err != nil { // sends the session tickets
			done <- result{err: err}
			return
		}
		// Read nothing until the client has closed (or plainly waits for us).
		select {
		case <-closed:
		case <-time.After(300 * time.Millisecond):
		}
		got, err := io.ReadAll(sc) // nil error only on close_notify
		sc.Close()
		done <- result{got, err}
	}()

	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	dc := newTLSDataConn(&deadlineConn{raw, 10 * time.Second}, raw,
		&tls.Config{InsecureSkipVerify: true, ClientSessionCache: tls.NewLRUClientSessionCache(1)})
	writeErr := make(chan error, 1)
	go func() {
		_, err := io.Copy(dc, bytes.NewReader(payload))
		writeErr <- err
	}()
	if err := <-writeErr; err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := dc.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	close(closed)
	r := <-done
	if r.err != nil || !bytes.Equal(r.got, payload) {
		t.Fatalf("server read %d of %d bytes, then %v", len(r.got), len(payload), r.err)
	}
}
