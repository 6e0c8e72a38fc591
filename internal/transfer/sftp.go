package transfer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// sftpUploader sends photos over SFTP with password and/or key login; host
// keys are pinned in ~/.ssh/known_hosts on first use.
type sftpUploader struct {
	p    paths.Paths
	s    Settings
	logf func(string, ...any)

	mu     sync.Mutex
	ssh    *ssh.Client
	client *sftp.Client
	stop   func() bool
	dirs   map[string]bool
	noSync bool // server lacks fsync@openssh.com
}

func (u *sftpUploader) Connect(ctx context.Context) error {
	host, port, err := splitHostPort(u.s.SFTPServer, 22)
	if err != nil {
		return &Failure{Status: "SFTP exception signing in", Err: err}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	u.logf("sftpServer=%s, port=%d", host, port)
	hostKeys, err := trustOnFirstUse(u.p.KnownHosts(), u.logf)
	if err != nil {
		return &Failure{Status: "SFTP exception signing in", Err: err}
	}
	var auths []ssh.AuthMethod
	signers, notes := privateKeySigners(u.p)
	for _, n := range notes {
		u.logf("%s", n)
	}
	if len(signers) > 0 {
		auths = append(auths, ssh.PublicKeys(signers...))
	}
	if u.s.SFTPPassword != "" {
		pw := u.s.SFTPPassword
		auths = append(auths, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				ans := make([]string, len(qs))
				for i := range qs {
					ans[i] = pw
				}
				return ans, nil
			}))
	}
	timeout := u.s.timeout()
	cfg := &ssh.ClientConfig{
		User:            u.s.SFTPUser,
		Auth:            auths,
		HostKeyCallback: hostKeys,
		Timeout:         timeout,
	}
	d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		u.logf("Unable to establish SSH connection: %v", err)
		if isTimeout(err) {
			return &Failure{Status: "SFTP timed out connecting to " + host, Err: err}
		}
		return &Failure{Status: "SFTP Unable to establish SSH connection", Err: err}
	}
	conn := &deadlineConn{raw, timeout}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	// The handshake gets one overall deadline as well as the per-I/O one.
	raw.SetDeadline(time.Now().Add(timeout))
	sc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		stop()
		raw.Close()
		var hk *HostKeyError
		switch {
		case errors.As(err, &hk):
			u.logf("Unable to verify server's host key: %v", err)
			return &Failure{Status: "SFTP Unable to verify server's host key", Err: err}
		case strings.Contains(err.Error(), "unable to authenticate"):
			u.logf("Authentication failed: %v", err)
			return &Failure{Status: "SFTP Authentication failed", Err: err}
		case isTimeout(err):
			u.logf("Unable to establish SSH connection: %v", err)
			return &Failure{Status: "SFTP timed out connecting to " + host, Err: err}
		default:
			u.logf("Unable to establish SSH connection: %v", err)
			return &Failure{Status: "SFTP Unable to establish SSH connection", Err: err}
		}
	}
	raw.SetDeadline(time.Time{})
	client := ssh.NewClient(sc, chans, reqs)
	sf, err := sftp.NewClient(client,
		sftp.UseConcurrentWrites(true),
		sftp.MaxConcurrentRequestsPerFile(64),
	)
	if err != nil {
		stop()
		client.Close()
		u.logf("Exception signing in to SFTP server: %v", err)
		return &Failure{Status: "SFTP exception signing in", Err: err}
	}
	u.mu.Lock()
	u.ssh, u.client, u.stop = client, sf, stop
	u.dirs = map[string]bool{}
	u.mu.Unlock()
	return nil
}

func (u *sftpUploader) mkdirs(dir string) error {
	if u.dirs[dir] {
		return nil
	}
	cur := "/"
	for _, part := range strings.Split(strings.Trim(dir, "/"), "/") {
		if part == "" {
			continue
		}
		cur = path.Join(cur, part)
		if u.dirs[cur] {
			continue
		}
		if fi, err := u.client.Stat(cur); err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s exists and is not a folder", cur)
			}
		} else if err := u.client.Mkdir(cur); err != nil {
			// A racing creator, or a folder we may enter but not list.
			if fi, serr := u.client.Stat(cur); serr != nil || !fi.IsDir() {
				return fmt.Errorf("mkdir %s: %w", cur, err)
			}
		}
		u.dirs[cur] = true
	}
	return nil
}

func (u *sftpUploader) Upload(ctx context.Context, local, remote string, mtime time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.client == nil {
		return fmt.Errorf("sftp: not connected: %w", ErrConnLost)
	}
	f, info, err := openLocal(ctx, local)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := u.mkdirs(path.Dir(remote)); err != nil {
		return u.wrap(err)
	}
	rf, err := u.client.OpenFile(remote, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return u.wrap(fmt.Errorf("create %s: %w", remote, err))
	}
	n, err := rf.ReadFrom(f)
	if err != nil {
		rf.Close()
		return u.wrap(fmt.Errorf("write %s: %w", remote, err))
	}
	if n != info.Size() {
		rf.Close()
		return fmt.Errorf("write %s: sent %d of %d bytes", remote, n, info.Size())
	}
	// Ask the server to flush to its disk, where it can (OpenSSH can).
	if !u.noSync {
		if err := rf.Sync(); err != nil {
			if isNetErr(err) {
				rf.Close()
				return u.wrap(fmt.Errorf("fsync %s: %w", remote, err))
			}
			u.noSync = true
		}
	}
	if err := rf.Close(); err != nil {
		return u.wrap(fmt.Errorf("close %s: %w", remote, err))
	}
	st, err := u.client.Stat(remote)
	if err != nil {
		return u.wrap(fmt.Errorf("stat %s: %w", remote, err))
	}
	if st.Size() != info.Size() {
		return &keptError{remote: remote, kept: st.Size(), sent: info.Size()}
	}
	if !mtime.IsZero() {
		u.client.Chtimes(remote, mtime, mtime) // best effort
	}
	return nil
}

func (u *sftpUploader) wrap(err error) error {
	var se *sftp.StatusError
	if errors.As(err, &se) || !isNetErr(err) && !errors.Is(err, sftp.ErrSSHFxConnectionLost) {
		return err
	}
	u.dropLocked()
	return fmt.Errorf("%w: %w", ErrConnLost, err)
}

func (u *sftpUploader) dropLocked() {
	if u.client != nil {
		u.client.Close()
	}
	if u.ssh != nil {
		u.ssh.Close()
	}
	if u.stop != nil {
		u.stop()
	}
	u.client, u.ssh, u.stop = nil, nil, nil
}

func (u *sftpUploader) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.dropLocked()
	return nil
}

// Holds reports whether the server holds remote at the photo's size and
// time (to the second: Chtimes set it after the upload).
func (u *sftpUploader) Holds(ctx context.Context, local, remote string, mtime time.Time) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.client == nil {
		return false, fmt.Errorf("sftp: not connected: %w", ErrConnLost)
	}
	fi, err := os.Stat(local)
	if err != nil {
		return false, err
	}
	st, err := u.client.Stat(remote)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, u.wrap(fmt.Errorf("stat %s: %w", remote, err))
	}
	return st.Mode().IsRegular() && st.Size() == fi.Size() && st.ModTime().Equal(mtime.Truncate(time.Second)), nil
}
