package transfer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// ---- FTP: Debian's vsftpd, a local user chrooted to its home ----
//
// vsftpd authenticates local users through PAM against /etc/passwd and
// /etc/shadow. The test user exists only inside a private mount namespace:
// vsftpd runs there with copies of those files (the host's, plus the user)
// bind-mounted over the originals, so the host's user database is never
// changed and nothing is left behind if the test is killed.

const (
	vsftpdBin  = "/usr/sbin/vsftpd"
	vsftpdUser = "intvlm8rftp"
	vsftpdUID  = 64917 // an ID no Debian package or installer hands out
)

type vsftpdOpts struct {
	tls       bool
	noPassive bool // refuse PASV and EPSV (pasv_enable=NO)
}

func startVsftpd(t testing.TB, o vsftpdOpts) *ftpServer {
	t.Helper()
	testutil.NeedRoot(t, "vsftpd logs local users in only when started as root")
	if _, err := os.Stat(vsftpdBin); err != nil {
		t.Fatalf("vsftpd is needed (apt-get install vsftpd): %v", err)
	}
	dir := t.TempDir()
	// The user's chroot lies below dir; every folder above it must let the
	// user through (t.TempDir's folders are 0700).
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &ftpServer{Root: filepath.Join(dir, "home"), User: vsftpdUser, Pass: "s3cr%t pass", port: testutil.FreePort(t)}
	s.Addr = "127.0.0.1:" + strconv.Itoa(s.port)
	empty := filepath.Join(dir, "empty") // vsftpd's secure_chroot_dir: root's, not writable
	for _, d := range []string{s.Root, empty} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(s.Root, vsftpdUID, vsftpdUID); err != nil {
		t.Fatal(err)
	}

	hash, err := exec.Command("openssl", "passwd", "-6", s.Pass).Output()
	if err != nil {
		t.Fatalf("openssl passwd (apt-get install openssl): %v", err)
	}
	etc := map[string]string{
		"passwd": fmt.Sprintf("%s:x:%d:%d::%s:/bin/sh\n", vsftpdUser, vsftpdUID, vsftpdUID, s.Root),
		"shadow": fmt.Sprintf("%s:%s:19000:0:99999:7:::\n", vsftpdUser, bytes.TrimSpace(hash)),
		"group":  fmt.Sprintf("%s:x:%d:\n", vsftpdUser, vsftpdUID),
	}
	var mounts []string
	for name, line := range etc {
		host, err := os.ReadFile("/etc/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if len(host) > 0 && !bytes.HasSuffix(host, []byte("\n")) {
			host = append(host, '\n')
		}
		copyPath := filepath.Join(dir, name)
		if err := os.WriteFile(copyPath, append(host, line...), 0o600); err != nil {
			t.Fatal(err)
		}
		mounts = append(mounts, fmt.Sprintf("mount --bind %s /etc/%s", copyPath, name))
	}

	conf := []string{
		"listen=YES", "listen_ipv6=NO", "listen_address=127.0.0.1", "listen_port=" + strconv.Itoa(s.port),
		"background=NO", "anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "local_umask=022",
		"chroot_local_user=YES", "allow_writeable_chroot=YES", "secure_chroot_dir=" + empty,
		"pam_service_name=vsftpd", "connect_from_port_20=NO", "pasv_enable=" + map[bool]string{false: "YES", true: "NO"}[o.noPassive], "port_enable=YES",
		"xferlog_enable=YES", "dual_log_enable=YES", "log_ftp_protocol=YES",
		"vsftpd_log_file=" + filepath.Join(dir, "vsftpd.log"), "xferlog_file=" + filepath.Join(dir, "xferlog"),
	}
	if o.tls {
		cert := filepath.Join(dir, "cert.pem")
		writeSelfSigned(t, cert)
		// vsftpd's own defaults for everything else: TLS forced for logins
		// and data, and require_ssl_reuse=YES.
		conf = append(conf, "ssl_enable=YES", "rsa_cert_file="+cert, "rsa_private_key_file="+cert)
	}
	confPath := filepath.Join(dir, "vsftpd.conf")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	logPath := filepath.Join(dir, "stderr.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	script := "set -e; " + strings.Join(mounts, "; ") + "; exec " + vsftpdBin + " " + confPath
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so stopping it also ends the per-session
	// processes; and it dies with the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start vsftpd: %v", err)
	}
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			for _, n := range []string{"stderr.log", "vsftpd.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, n))
				t.Logf("vsftpd %s:\n%s", n, b)
			}
		}
	})
	if err := testutil.WaitTCP(s.Addr, 15*time.Second); err != nil {
		b, _ := os.ReadFile(logPath)
		t.Fatalf("vsftpd did not start: %v\n%s", err, b)
	}
	return s
}

// TestVsftpd uploads, in both modes, with and without TLS, to the FTP server
// most Linux boxes run, with the defaults its FTPS setup documents
// (require_ssl_reuse=YES). Photos are several times vsftpd's read buffer.
func TestVsftpd(t *testing.T) {
	for _, tls := range []bool{false, true} {
		srv := startVsftpd(t, vsftpdOpts{tls: tls})
		for _, active := range []bool{false, true} {
			name := map[bool]string{false: "FTP", true: "FTPS"}[tls] + "-" + map[bool]string{false: "passive", true: "active"}[active]
			t.Run(name, func(t *testing.T) {
				p := newHome(t)
				all := makePhotos(t, p, "100CANON", 1, 4, 700_000)
				s := ftpSettings(srv, "/"+name+"/site1")
				s.FTPActive, s.FTPTLS, s.FTPTLSInsecure = active, tls, tls
				res := mustRun(t, p, s)
				if res.Status != "4 of 4 files uploaded OK" {
					t.Fatalf("%+v\n%s", res, readLog(t, p))
				}
				// The chroot is the user's home: "/" on the server is Root here.
				checkRemote(t, p, filepath.Join(srv.Root, name, "site1"), all)
			})
		}
	}
}

// An INI the original wrote has no ftpactive key, and the original always
// uploaded in active mode. Against a server that refuses passive mode, that
// INI must go on uploading after the upgrade.
func TestVsftpdRefusingPassiveWithOriginalINI(t *testing.T) {
	srv := startVsftpd(t, vsftpdOpts{noPassive: true})
	// [Transfer] as the original's Transfer page saves it for FTP.
	ini := "[Global]\nfile created = 01 Mar 2024\nlocationname = Hut\nthumbscount = 24\n\n" +
		"[Transfer]\ntfrmethod = FTP\nftpserver = " + srv.Addr + "\nftpuser = " + srv.User +
		"\nftppassword = " + strings.ReplaceAll(srv.Pass, "%", "%%") + "\nftpremotefolder = /site1/\n" +
		"sftpserver = \nsftpuser = \nsftppassword = \nsftpremotefolder = \ndbx_app_key = \n" +
		"rsyncusername = \nrsynchost = \nrsyncremotefolder = \n" +
		"transferday = Daily\ntransferhour = 09\ntransferonbootup = Off\ndeleteaftertransfer = Off\n\n" +
		"[Copy]\ncopyday = Daily\ncopyhour = 14\ndeleteaftercopy = Off\n"
	run := func(edit func(*Settings)) (paths.Paths, []string, Result) {
		p := newHome(t)
		if err := os.MkdirAll(filepath.Dir(p.INI()), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.INI(), []byte(ini), 0o640); err != nil {
			t.Fatal(err)
		}
		f, err := config.NewStore(p.INI()).Load()
		if err != nil {
			t.Fatal(err)
		}
		s, err := FromINI(f)
		if err != nil {
			t.Fatal(err)
		}
		edit(&s)
		locals := makePhotos(t, p, "100CANON", 1, 1, 300_000)
		return p, locals, mustRun(t, p, s)
	}

	p, locals, res := run(func(*Settings) {})
	if res.Status != "1 of 1 files uploaded OK" || !strings.Contains(readLog(t, p), "mode=active") {
		t.Fatalf("original INI: %+v\n%s", res, readLog(t, p))
	}
	checkRemote(t, p, filepath.Join(srv.Root, "site1"), locals)

	// The server does refuse passive mode: the same settings in passive mode
	// upload nothing.
	p, _, res = run(func(s *Settings) { s.FTPActive = false })
	if res.Uploaded != 0 || !strings.HasPrefix(res.Status, "0 of 1 files uploaded OK") {
		t.Fatalf("passive against a server refusing it: %+v\n%s", res, readLog(t, p))
	}
}

// Throughput to vsftpd (the load of BenchmarkUploadFTP), plain and FTPS,
// beside curl's FTPS upload of the same files:
//
//	go test ./internal/transfer -run '^$' -bench Vsftpd -benchtime 1x
func BenchmarkUploadVsftpd(b *testing.B) {
	bp := newBenchPhotos(b)
	for _, tls := range []bool{false, true} {
		srv := startVsftpd(b, vsftpdOpts{tls: tls})
		for _, active := range []bool{false, true} {
			mode := map[bool]string{false: "go-ftp", true: "go-ftps"}[tls] + map[bool]string{false: "-passive", true: "-active"}[active]
			b.Run(mode, func(b *testing.B) {
				b.SetBytes(bp.total)
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					p := bp.home(b)
					s := ftpSettings(srv, fmt.Sprintf("/%s-%d", mode, i))
					s.FTPActive, s.FTPTLS, s.FTPTLSInsecure = active, tls, tls
					b.StartTimer()
					res, err := Run(b.Context(), p, s, nil)
					if err != nil || res.Failed != 0 || res.Uploaded == 0 {
						b.Fatalf("%+v %v\n%s", res, err, readLog(b, p))
					}
				}
			})
		}
		if _, err := exec.LookPath("curl"); err != nil || !tls {
			continue
		}
		b.Run("curl-ftps-passive", func(b *testing.B) {
			b.SetBytes(bp.total)
			var files []string
			filepath.Walk(bp.src.PhotosDCIM(), func(fp string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					files = append(files, fp)
				}
				return err
			})
			for i := 0; i < b.N; i++ {
				runCmd(b, "curl", "-sS", "--ssl-reqd", "-k", "--ftp-create-dirs", "-u", srv.User+":"+srv.Pass,
					"-T", "{"+strings.Join(files, ",")+"}", fmt.Sprintf("ftp://%s/curl-%d/", srv.Addr, i))
			}
		})
	}
}
