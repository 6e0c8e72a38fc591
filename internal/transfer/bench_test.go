package transfer

import (
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Throughput of 100 photos of 8 MB to loopback servers, ours side by side
// with what the original used (ftplib, paramiko) and OpenSSH's sftp client:
//
//	go test ./internal/transfer -run '^$' -bench Upload -benchtime 1x
//
// INTVLM8R_BENCH_FILES and INTVLM8R_BENCH_MB change the load.

func benchLoad() (files, mb int) {
	files, mb = 100, 8
	if v, err := strconv.Atoi(os.Getenv("INTVLM8R_BENCH_FILES")); err == nil && v > 0 {
		files = v
	}
	if v, err := strconv.Atoi(os.Getenv("INTVLM8R_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	return files, mb
}

// benchPhotos makes the photos once; each run gets a fresh home whose DCIM
// hard-links them, so every run starts with an empty ledger.
type benchPhotos struct {
	src   paths.Paths
	total int64
}

func newBenchPhotos(b *testing.B) *benchPhotos {
	files, mb := benchLoad()
	src := newHome(b)
	makePhotos(b, src, "100CANON", 1, files, mb<<20)
	return &benchPhotos{src: src, total: int64(files) * int64(mb<<20)}
}

func (bp *benchPhotos) home(b *testing.B) paths.Paths {
	p := newHome(b)
	filepath.Walk(bp.src.PhotosDCIM(), func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(bp.src.Photos(), path)
		dst := filepath.Join(p.Photos(), rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		return os.Link(path, dst)
	})
	return p
}

func runCmd(b *testing.B, name string, args ...string) {
	b.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func BenchmarkUploadFTP(b *testing.B) {
	bp := newBenchPhotos(b)
	srv := startFTP(b, ftpOpts{})
	host, port, _ := splitHostPort(srv.Addr, 21)
	for _, mode := range []string{"go-passive", "go-active"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(bp.total)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := bp.home(b)
				s := ftpSettings(srv, fmt.Sprintf("%s-%d", mode, i))
				s.FTPActive = mode == "go-active"
				b.StartTimer()
				res, err := Run(b.Context(), p, s, nil)
				if err != nil || res.Failed != 0 || res.Uploaded == 0 {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
	b.Run("python-ftplib-active", func(b *testing.B) {
		b.SetBytes(bp.total)
		script, _ := filepath.Abs("testdata/bench/ftplib_upload.py")
		for i := 0; i < b.N; i++ {
			runCmd(b, "/usr/bin/python3", script, host, strconv.Itoa(port), srv.User, srv.Pass,
				fmt.Sprintf("/py-%d", i), bp.src.PhotosDCIM())
		}
	})
}

func BenchmarkUploadSFTP(b *testing.B) {
	bp := newBenchPhotos(b)
	srv := startSSHD(b)
	keys := newHome(b)
	pub, _, err := GenerateSSHKey(keys, "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv.authorize(b, pub)
	remote := b.TempDir()
	b.Run("go", func(b *testing.B) {
		b.SetBytes(bp.total)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			p := bp.home(b)
			os.MkdirAll(p.SSH(), 0o700)
			for _, f := range []string{keys.SSHKey(), keys.SSHKey() + ".pub"} {
				data, _ := os.ReadFile(f)
				os.WriteFile(filepath.Join(p.SSH(), filepath.Base(f)), data, 0o600)
			}
			s := Settings{TransferSettings: config.TransferSettings{Method: "SFTP", SFTPServer: srv.Addr, SFTPUser: srv.User, SFTPRemoteFolder: fmt.Sprintf("%s/go-%d", remote, i)}}
			b.StartTimer()
			res, err := Run(b.Context(), p, s, nil)
			if err != nil || res.Failed != 0 || res.Uploaded == 0 {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
	b.Run("python-paramiko", func(b *testing.B) {
		b.SetBytes(bp.total)
		script, _ := filepath.Abs("testdata/bench/paramiko_upload.py")
		for i := 0; i < b.N; i++ {
			runCmd(b, "/usr/bin/python3", script, "127.0.0.1", srv.Port, srv.User, keys.SSHKey(),
				fmt.Sprintf("%s/py-%d", remote, i), bp.src.PhotosDCIM())
		}
	})
	b.Run("openssh-sftp", func(b *testing.B) {
		b.SetBytes(bp.total)
		for i := 0; i < b.N; i++ {
			dst := fmt.Sprintf("%s/ossh-%d", remote, i)
			batch := filepath.Join(b.TempDir(), "batch")
			os.WriteFile(batch, []byte(fmt.Sprintf("mkdir %s\nput -r %s %s/\n", dst, bp.src.PhotosDCIM(), dst)), 0o644)
			runCmd(b, "sftp", "-q", "-b", batch, "-P", srv.Port, "-i", keys.SSHKey(),
				"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
				srv.User+"@127.0.0.1")
			if n, _ := os.ReadDir(filepath.Join(dst, "DCIM", "100CANON")); len(n) == 0 {
				b.Fatal("openssh sftp uploaded nothing")
			}
		}
	})
}
