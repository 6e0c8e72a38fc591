//go:build cgo && !nogphoto2

package photos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/camera/gphoto2"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// copyCard is 24 photos of 8 MiB in DCIM/100CANON of a Directory Browse folder.
func copyCard(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	sub := filepath.Join(dir, "DCIM", "100CANON")
	os.MkdirAll(sub, 0o755)
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i*13 + i>>9)
	}
	for i := 0; i < 24; i++ {
		if err := os.WriteFile(filepath.Join(sub, "IMG_"+strconv.Itoa(2000+i)+".JPG"), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, int64(24 * len(data))
}

// BenchmarkCopyFromCamera: our whole copy (download to a temp file, size
// check, fsync, rename, archive line) through libgphoto2's Directory Browse
// driver, side by side with python-gphoto2 doing what the original does.
func BenchmarkCopyFromCamera(b *testing.B) {
	card, total := copyCard(b)
	b.Run("go", func(b *testing.B) {
		b.SetBytes(total)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			p := paths.New(b.TempDir())
			d, err := gphoto2.New(gphoto2.Options{Port: "disk:" + card})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			cam, err := d.Open(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			res, err := Copy(context.Background(), cam, p, CopyOptions{}, nil)
			cam.Close()
			if err != nil || res.Copied != 24 {
				b.Fatalf("copied %d: %v %v", res.Copied, err, res.Errors)
			}
		}
	})
	b.Run("python-gphoto2", func(b *testing.B) {
		if exec.Command("/usr/bin/python3", "-c", "import gphoto2").Run() != nil {
			b.Skip("python-gphoto2 missing: apt-get install python3-gphoto2")
		}
		b.SetBytes(total)
		for i := 0; i < b.N; i++ {
			out := b.TempDir()
			if msg, err := exec.Command("/usr/bin/python3", "testdata/bench_gphoto2.py", card, out).CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, msg)
			}
		}
	})
}
