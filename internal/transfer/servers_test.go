package transfer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// ---- FTP: pyftpdlib, started by testdata/ftpserver.py ----

type ftpServer struct {
	Addr, Root, User, Pass string
	cmd                    *exec.Cmd
	args                   []string
	port                   int
}

type ftpOpts struct {
	perm      string
	readonly  []string // folders below Root made read-only
	tls       bool
	dropOnce  string // file name whose first upload is cut off
	dropState string
	lie       string   // "half": answer 226 but keep half of each file
	without   []string // commands the server does not implement (SIZE, MLST, ...)
}

func startFTP(t testing.TB, o ftpOpts) *ftpServer {
	t.Helper()
	py := "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import pyftpdlib").CombinedOutput(); err != nil {
		t.Fatalf("python3-pyftpdlib is needed (apt-get install python3-pyftpdlib python3-openssl): %v %s", err, out)
	}
	dir := t.TempDir()
	s := &ftpServer{Root: filepath.Join(dir, "root"), User: "piuser", Pass: "s3cr%t pass", port: testutil.FreePort(t)}
	os.MkdirAll(s.Root, 0o755)
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.port)
	script, _ := filepath.Abs("testdata/ftpserver.py")
	s.args = []string{script, "--port", strconv.Itoa(s.port), "--user", s.User, "--password", s.Pass, "--dir", s.Root}
	if o.perm != "" {
		s.args = append(s.args, "--perm", o.perm)
	}
	for _, r := range o.readonly {
		s.args = append(s.args, "--readonly", filepath.Join(s.Root, r))
	}
	if o.tls {
		cert := filepath.Join(dir, "cert.pem")
		writeSelfSigned(t, cert)
		s.args = append(s.args, "--cert", cert)
	}
	if o.dropOnce != "" {
		st := o.dropState
		if st == "" {
			st = filepath.Join(dir, "dropped")
		}
		s.args = append(s.args, "--drop-once", o.dropOnce, "--state", st)
	}
	if o.lie != "" {
		s.args = append(s.args, "--lie", o.lie)
	}
	for _, c := range o.without {
		s.args = append(s.args, "--without", c)
	}
	s.start(t, py, filepath.Join(dir, "ftpd.log"))
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "ftpd.log"))
			t.Logf("ftp server log:\n%s", b)
		}
	})
	return s
}

func (s *ftpServer) start(t testing.TB, py, logPath string) {
	t.Helper()
	logf, _ := os.Create(logPath)
	s.cmd = exec.Command(py, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start ftp server: %v", err)
	}
	if err := testutil.WaitTCP(s.Addr, 15*time.Second); err != nil {
		s.stop()
		b, _ := os.ReadFile(logPath)
		t.Fatalf("ftp server did not start: %v\n%s", err, b)
	}
}

func (s *ftpServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

func writeSelfSigned(t testing.TB, path string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	var b bytes.Buffer
	pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: kb})
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// ---- SSH: OpenSSH's sshd on a high loopback port, key login only ----

type sshdServer struct {
	Addr, Port, User, Dir string
	AuthorizedKeys        string
	cmd                   *exec.Cmd
	conf                  string
}

func startSSHD(t testing.TB) *sshdServer {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		t.Fatalf("openssh-server is needed (apt-get install openssh-server rsync): %v", err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	s := &sshdServer{Dir: t.TempDir(), User: u.Username}
	port := testutil.FreePort(t)
	s.Port = strconv.Itoa(port)
	s.Addr = "127.0.0.1:" + s.Port
	s.AuthorizedKeys = filepath.Join(s.Dir, "authorized_keys")
	os.WriteFile(s.AuthorizedKeys, nil, 0o600)
	s.newHostKey(t)
	// internal-sftp: the subsystem then runs without the login shell, whose
	// rc files (e.g. a pyenv init in root's .bashrc) can stall a session.
	sftpServer := "internal-sftp"
	s.conf = filepath.Join(s.Dir, "sshd_config")
	conf := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100
LogLevel ERROR
Subsystem sftp %s
`, port, filepath.Join(s.Dir, "host_key"), filepath.Join(s.Dir, "sshd.pid"), s.AuthorizedKeys, sftpServer)
	os.WriteFile(s.conf, []byte(conf), 0o600)
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege-separation folder
	s.start(t)
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(s.Dir, "sshd.log"))
			t.Logf("sshd log:\n%s", b)
		}
	})
	return s
}

// newHostKey writes a fresh host key (a "rebuilt server" for the changed-key tests).
func (s *sshdServer) newHostKey(t testing.TB) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir, "host_key"), pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *sshdServer) start(t testing.TB) {
	t.Helper()
	logPath := filepath.Join(s.Dir, "sshd.log")
	s.cmd = exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", s.conf)
	logf, _ := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	if err := testutil.WaitTCP(s.Addr, 10*time.Second); err != nil {
		s.stop()
		b, _ := os.ReadFile(logPath)
		t.Fatalf("sshd did not start: %v\n%s", err, b)
	}
}

func (s *sshdServer) restart(t testing.TB) {
	s.stop()
	s.start(t)
}

func (s *sshdServer) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// authorize adds a public key line to the server's authorized_keys.
func (s *sshdServer) authorize(t testing.TB, pub string) {
	t.Helper()
	f, err := os.OpenFile(s.AuthorizedKeys, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintln(f, pub)
}

var authorizedKeysMu sync.Mutex

// setKey authorizes pub with the given options (e.g. a forced command, or
// none), replacing the key's earlier line; sshd reads the file per login.
func (s *sshdServer) setKey(t testing.TB, pub, options string) {
	t.Helper()
	authorizedKeysMu.Lock()
	defer authorizedKeysMu.Unlock()
	data, err := os.ReadFile(s.AuthorizedKeys)
	if err != nil {
		t.Fatal(err)
	}
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line != "" && !strings.Contains(line, strings.TrimSpace(pub)) {
			keep = append(keep, line)
		}
	}
	keep = append(keep, options+strings.TrimSpace(pub))
	tmp := s.AuthorizedKeys + ".new"
	if err := os.WriteFile(tmp, []byte(strings.Join(keep, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, s.AuthorizedKeys); err != nil {
		t.Fatal(err)
	}
}

// ---- SSH: an in-process server (x/crypto/ssh + pkg/sftp) for password
// login, read-only folders and connections cut in the middle of a file ----

type goSFTP struct {
	Addr, User, Pass string
	signer           atomic.Pointer[ssh.Signer]
	ln               net.Listener
	readOnly         atomic.Bool
	dropAfter        atomic.Int64 // cut the next session after this many bytes of writes (0: never)
	lieHalf          atomic.Bool  // new sessions go to a liar that keeps half of each file
	mem              sftp.Handlers
	wg               sync.WaitGroup
}

func startGoSFTP(t testing.TB) *goSFTP {
	t.Helper()
	s := &goSFTP{User: "pi", Pass: "pa55:word%", mem: sftp.InMemHandler()}
	s.mem.FilePut = halfKeeper{s.mem.FilePut}
	s.newHostKey(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln, s.Addr = ln, ln.Addr().String()
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *goSFTP) newHostKey(t testing.TB) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s.signer.Store(&signer)
}

func (s *goSFTP) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.handle(c) }()
	}
}

func (s *goSFTP) handle(c net.Conn) {
	defer c.Close()
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if m.User() == s.User && string(pw) == s.Pass {
				return nil, nil
			}
			return nil, fmt.Errorf("wrong password")
		},
	}
	cfg.AddHostKey(*s.signer.Load())
	var conn net.Conn = c
	if n := s.dropAfter.Swap(0); n > 0 {
		conn = &cuttingConn{Conn: c, left: n}
	}
	sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for r := range creqs {
				ok := r.Type == "subsystem" && len(r.Payload) > 4 && string(r.Payload[4:]) == "sftp"
				r.Reply(ok, nil)
				if ok && s.lieHalf.Load() {
					srv := sftp.NewRequestServer(ch, s.mem)
					srv.Serve()
					srv.Close()
					ch.Close()
				} else if ok {
					var opts []sftp.ServerOption
					if s.readOnly.Load() {
						opts = append(opts, sftp.ReadOnly())
					}
					srv, err := sftp.NewServer(ch, opts...)
					if err == nil {
						srv.Serve()
						srv.Close()
					}
					ch.Close()
				}
			}
		}()
	}
}

// halfKeeper is the lying SFTP server's storage (in memory): every write
// succeeds, every close answers OK, and only the first half of the file is kept.
type halfKeeper struct{ sftp.FileWriter }

func (h halfKeeper) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	w, err := h.FileWriter.Filewrite(r)
	if err != nil {
		return nil, err
	}
	return &halfWriter{w: w}, nil
}

type halfWriter struct {
	mu  sync.Mutex
	w   io.WriterAt
	buf []byte
}

func (h *halfWriter) WriteAt(b []byte, off int64) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if end := off + int64(len(b)); end > int64(len(h.buf)) {
		h.buf = append(h.buf, make([]byte, end-int64(len(h.buf)))...)
	}
	return copy(h.buf[off:], b), nil
}

func (h *halfWriter) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.WriteAt(h.buf[:len(h.buf)/2], 0)
	return err
}

// cuttingConn closes the connection once left bytes have been read from it.
type cuttingConn struct {
	net.Conn
	left int64
}

func (c *cuttingConn) Read(b []byte) (int, error) {
	if c.left <= 0 {
		c.Conn.Close()
		return 0, io.EOF
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.Conn.Read(b)
	c.left -= int64(n)
	return n, err
}

// ---- a TCP proxy that can cut the next connection after some bytes ----

type cutProxy struct {
	Addr     string
	target   string
	ln       net.Listener
	cutBytes atomic.Int64 // client→server bytes after which a connection is cut
	cutConns atomic.Int32 // how many of the next connections to cut
	cutsMade atomic.Int32
}

func startCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{Addr: ln.Addr().String(), target: target, ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *cutProxy) pipe(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	var src io.Reader = c
	if p.cutConns.Add(-1) >= 0 {
		src = io.LimitReader(c, p.cutBytes.Load())
		defer p.cutsMade.Add(1)
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, src); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done // either direction ending (or the cut) ends both
}
