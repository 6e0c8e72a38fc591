package transfer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jlaffaye/ftp"
)

// ftpConn is the part of an FTP session the uploader uses. jlaffaye/ftp
// provides it in passive mode; activeConn (ftpactive.go) in active mode,
// which that library does not implement.
type ftpConn interface {
	Login(user, pass string) error
	ChangeDir(dir string) error
	MakeDir(dir string) error
	Stor(name string, r io.Reader) error
	FileSize(name string) (int64, error)
	SetTime(name string, t time.Time) error
	Quit() error
}

// ftpUploader sends photos over FTP, passive by default, optionally active
// and optionally with explicit TLS (AUTH TLS, data channels protected).
type ftpUploader struct {
	s    Settings
	logf func(string, ...any)

	mu     sync.Mutex
	conn   ftpConn
	closer func() // closes the sockets underneath, to abort a hung call
	dirs   map[string]bool
	cwd    string
	stop   func() bool
}

func (u *ftpUploader) tlsConfig(host string) *tls.Config {
	if !u.s.FTPTLS {
		return nil
	}
	return &tls.Config{
		ServerName:         host,
		InsecureSkipVerify: u.s.FTPTLSInsecure, // self-signed certificates on home NASes
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
		MinVersion:         tls.VersionTLS12,
	}
}

func (u *ftpUploader) Connect(ctx context.Context) error {
	host, port, err := splitHostPort(u.s.FTPServer, 21)
	if err != nil {
		return &Failure{Status: "FTP connection failed", Err: err}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	u.logf("ftpServer=%s, port=%d, mode=%s, tls=%v", host, port, u.mode(), u.s.FTPTLS)
	timeout := u.s.timeout()
	dialer := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}

	var socks []net.Conn
	var smu sync.Mutex
	track := func(c net.Conn) net.Conn {
		smu.Lock()
		socks = append(socks, c)
		smu.Unlock()
		return c
	}
	closeAll := func() {
		smu.Lock()
		defer smu.Unlock()
		for _, c := range socks {
			c.Close()
		}
	}
	stop := context.AfterFunc(ctx, closeAll)

	var conn ftpConn
	if u.s.FTPActive {
		raw, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			stop()
			return u.connectFailure(err)
		}
		ac, err := newActiveConn(track(&deadlineConn{raw, timeout}), u.tlsConfig(host), timeout, track)
		if err != nil {
			stop()
			closeAll()
			return u.connectFailure(err)
		}
		conn = ac
	} else {
		cfg := u.tlsConfig(host)
		first := true
		opts := []ftp.DialOption{
			ftp.DialWithContext(ctx),
			ftp.DialWithShutTimeout(timeout),
			// The library skips TLS on data channels when a dial function is
			// set, so this one adds it: the first dial is the control channel
			// (upgraded by AUTH TLS), every later one a data channel.
			ftp.DialWithDialFunc(func(network, a string) (net.Conn, error) {
				c, err := dialer.DialContext(ctx, network, a)
				if err != nil {
					return nil, err
				}
				dc := track(&deadlineConn{c, timeout})
				if first || cfg == nil {
					first = false
					return dc, nil
				}
				return newTLSDataConn(dc, c, cfg), nil
			}),
		}
		if cfg != nil {
			opts = append(opts, ftp.DialWithExplicitTLS(cfg))
		}
		sc, err := ftp.Dial(addr, opts...)
		if err != nil {
			stop()
			closeAll()
			return u.connectFailure(err)
		}
		conn = passiveConn{sc}
	}
	if err := conn.Login(u.s.FTPUser, u.s.FTPPassword); err != nil {
		stop()
		closeAll()
		var tp *textproto.Error
		if !errors.As(err, &tp) && (isNetErr(err) || isTLSErr(err)) {
			return u.connectFailure(err)
		}
		if errors.As(err, &tp) && (tp.Code == 530 || tp.Code == 430) {
			u.logf("FTP login exception: login or password incorrect")
		} else {
			u.logf("FTP login exception: %v", err)
		}
		return &Failure{Status: "FTP login failed", Err: err}
	}
	u.mu.Lock()
	u.conn, u.closer, u.stop = conn, closeAll, stop
	u.dirs = map[string]bool{}
	u.cwd = ""
	u.mu.Unlock()
	return nil
}

func (u *ftpUploader) mode() string {
	if u.s.FTPActive {
		return "active"
	}
	return "passive"
}

func (u *ftpUploader) connectFailure(err error) error {
	switch {
	case isTimeout(err):
		u.logf("FTP connect exception: connection timed out")
	case errors.Is(err, syscall.EHOSTUNREACH):
		u.logf("FTP connect exception: no route to host. Bad IP address or hostname")
	default:
		u.logf("FTP connect exception: %v", err)
	}
	return &Failure{Status: "FTP connection failed", Err: err}
}

// isTLSErr reports a failed TLS handshake (e.g. an untrusted certificate).
func isTLSErr(err error) bool {
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var al tls.AlertError
	return errors.As(err, &cv) || errors.As(err, &rh) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &al)
}

// chdir makes dir the working directory, creating each missing level.
func (u *ftpUploader) chdir(dir string) error {
	if u.cwd == dir {
		return nil
	}
	if !u.dirs[dir] {
		cur := "/"
		for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
			if part == "" {
				continue
			}
			cur = path.Join(cur, part)
			if u.dirs[cur] {
				continue
			}
			if err := u.conn.ChangeDir(cur); err != nil {
				if isNetErr(err) {
					return err
				}
				if merr := u.conn.MakeDir(cur); merr != nil && isNetErr(merr) {
					return merr
				}
			}
			u.dirs[cur] = true
		}
	}
	if err := u.conn.ChangeDir(dir); err != nil {
		delete(u.dirs, dir)
		return fmt.Errorf("change to %s: %w", dir, err)
	}
	u.dirs[dir] = true
	u.cwd = dir
	return nil
}

func (u *ftpUploader) Upload(ctx context.Context, local, remote string, mtime time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn == nil {
		return fmt.Errorf("ftp: not connected: %w", ErrConnLost)
	}
	f, info, err := openLocal(ctx, local)
	if err != nil {
		return err
	}
	defer f.Close()
	dir, name := path.Split(remote)
	if err := u.chdir(path.Clean(dir)); err != nil {
		return u.wrap(err)
	}
	if err := u.conn.Stor(name, f); err != nil {
		return u.wrap(fmt.Errorf("STOR %s: %w", remote, err))
	}
	// The 226 after STOR says the server has received the data, not that it
	// keeps all of it: ask what it holds.
	size, err := u.remoteSize(name)
	confirmed := true
	switch {
	case err == nil && size != info.Size():
		return &keptError{remote: remote, kept: size, sent: info.Size()}
	case err != nil && isNetErr(err):
		return u.wrap(fmt.Errorf("size of %s: %w", remote, err))
	case err != nil:
		u.logf("The server could not confirm the size of %s (%v): recorded on its transfer-complete reply and kept on the Pi", remote, err)
		confirmed = false
	}
	if !mtime.IsZero() {
		u.conn.SetTime(name, mtime) // best effort: MFMT is optional
	}
	if !confirmed {
		return errUnconfirmed
	}
	return nil
}

// remoteSize asks the server the size of name in the working folder: SIZE,
// else MLST, else (passive) a LIST of the file. SIZE and MLST are RFC 3659
// extensions some servers lack; LIST is in every server, but its format is not
// standard and jlaffaye/ftp parses it only in passive mode.
func (u *ftpUploader) remoteSize(name string) (int64, error) {
	size, err := u.conn.FileSize(name)
	if err == nil || isNetErr(err) {
		return size, err
	}
	errs := []error{fmt.Errorf("SIZE: %w", err)}
	switch c := u.conn.(type) {
	case passiveConn:
		e, err := c.c.GetEntry(name)
		if err == nil && e.Type == ftp.EntryTypeFile {
			return int64(e.Size), nil
		}
		if isNetErr(err) {
			return 0, err
		}
		errs = append(errs, fmt.Errorf("MLST: %v", err))
		entries, err := c.c.List(name)
		if isNetErr(err) {
			return 0, err
		}
		for _, e := range entries {
			if err == nil && e.Type == ftp.EntryTypeFile && path.Base(e.Name) == name {
				return int64(e.Size), nil
			}
		}
		errs = append(errs, fmt.Errorf("LIST: %d entries, %v", len(entries), err))
	case *activeConn:
		size, err := c.mlstSize(name)
		if err == nil || isNetErr(err) {
			return size, err
		}
		errs = append(errs, fmt.Errorf("MLST: %w", err))
	}
	return 0, errors.Join(errs...)
}

// mlstSize reads the size fact of MLST's answer (RFC 3659 7.2), which comes
// on the control connection: "250-...", " type=file;size=123;... name", "250 End".
func (a *activeConn) mlstSize(name string) (int64, error) {
	_, msg, err := a.cmd(250, "MLST %s", name)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(msg, "\n") {
		facts, _, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || !strings.Contains(strings.ToLower(facts), "type=file") {
			continue
		}
		for _, f := range strings.Split(facts, ";") {
			if k, v, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "size") {
				return strconv.ParseInt(v, 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no size in the MLST answer %q", msg)
}

// wrap marks errors that leave the session unusable.
func (u *ftpUploader) wrap(err error) error {
	if isNetErr(err) {
		u.dropLocked()
		return fmt.Errorf("%w: %w", ErrConnLost, err)
	}
	return err
}

func (u *ftpUploader) dropLocked() {
	if u.closer != nil {
		u.closer()
	}
	if u.stop != nil {
		u.stop()
	}
	u.conn, u.closer, u.stop = nil, nil, nil
}

func (u *ftpUploader) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn == nil {
		return nil
	}
	done := make(chan struct{})
	go func() { u.conn.Quit(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	u.dropLocked()
	return nil
}

// passiveConn adapts jlaffaye/ftp to ftpConn.
type passiveConn struct{ c *ftp.ServerConn }

func (p passiveConn) Login(user, pass string) error       { return p.c.Login(user, pass) }
func (p passiveConn) ChangeDir(dir string) error          { return p.c.ChangeDir(dir) }
func (p passiveConn) MakeDir(dir string) error            { return p.c.MakeDir(dir) }
func (p passiveConn) Stor(name string, r io.Reader) error { return p.c.Stor(name, r) }
func (p passiveConn) FileSize(name string) (int64, error) { return p.c.FileSize(name) }
func (p passiveConn) Quit() error                         { return p.c.Quit() }
func (p passiveConn) SetTime(name string, t time.Time) error {
	if !p.c.IsSetTimeSupported() {
		return errors.New("MFMT not supported")
	}
	return p.c.SetTime(name, t.UTC())
}

// Holds reports whether the server holds remote at the photo's size and
// time (to the second: MFMT set it after the upload). A server that cannot
// say (no size, no MDTM) does not hold it: the photo is sent again.
func (u *ftpUploader) Holds(ctx context.Context, local, remote string, mtime time.Time) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn == nil {
		return false, fmt.Errorf("ftp: not connected: %w", ErrConnLost)
	}
	fi, err := os.Stat(local)
	if err != nil {
		return false, err
	}
	dir, name := path.Split(remote)
	if err := u.chdir(path.Clean(dir)); err != nil {
		return false, u.wrap(err)
	}
	size, err := u.remoteSize(name)
	if err != nil || size != fi.Size() {
		return false, u.wrapNet(err)
	}
	var t time.Time
	switch c := u.conn.(type) {
	case passiveConn:
		t, err = c.c.GetTime(name)
	case *activeConn:
		var msg string
		if _, msg, err = c.cmd(213, "MDTM %s", name); err == nil {
			t, err = time.Parse("20060102150405", strings.TrimSpace(msg)[:min(14, len(strings.TrimSpace(msg)))])
		}
	}
	if err != nil {
		return false, u.wrapNet(err)
	}
	return t.Equal(mtime.UTC().Truncate(time.Second)), nil
}

// wrapNet is wrap for network errors and nil for the server's refusals.
func (u *ftpUploader) wrapNet(err error) error {
	if err == nil || !isNetErr(err) {
		return nil
	}
	return u.wrap(err)
}
