//go:build cgo && !nogphoto2

package gphoto2_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/camera/gphoto2"
)

// benchCard is 8 files of 30 MiB (a RAW's size) in a Directory Browse folder.
func benchCard(b *testing.B) (string, int64) {
	b.Helper()
	dir := b.TempDir()
	data := make([]byte, 30<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for i := 0; i < 8; i++ {
		if err := os.WriteFile(filepath.Join(dir, "IMG_"+strconv.Itoa(1000+i)+".CR2"), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, int64(8 * len(data))
}

// BenchmarkDownload: our binding streaming the whole card to a file each.
func BenchmarkDownload(b *testing.B) {
	dir, total := benchCard(b)
	out := b.TempDir()
	d, _ := gphoto2.New(gphoto2.Options{Port: "disk:" + dir})
	ctx := context.Background()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := d.Open(ctx)
		if err != nil {
			b.Fatal(err)
		}
		files, err := c.ListFiles(ctx, "/")
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			w, err := os.Create(filepath.Join(out, f.Name))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Download(ctx, f.Folder, f.Name, w); err != nil {
				b.Fatal(err)
			}
			w.Close()
		}
		c.Close()
	}
}

// BenchmarkDownloadDiscard isolates libgphoto2 and the binding from the
// destination disk.
func BenchmarkDownloadDiscard(b *testing.B) {
	dir, total := benchCard(b)
	d, _ := gphoto2.New(gphoto2.Options{Port: "disk:" + dir})
	ctx := context.Background()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := d.Open(ctx)
		files, _ := c.ListFiles(ctx, "/")
		for _, f := range files {
			if _, err := c.Download(ctx, f.Folder, f.Name, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
	}
}

// BenchmarkGphoto2CLI: the gphoto2 command doing the same copy, for scale.
func BenchmarkGphoto2CLI(b *testing.B) {
	if _, err := exec.LookPath("gphoto2"); err != nil {
		b.Skip("gphoto2 CLI not installed (apt package gphoto2)")
	}
	dir, total := benchCard(b)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := b.TempDir()
		cmd := exec.Command("gphoto2", "--camera", "Directory Browse", "--port", "disk:"+dir, "--get-all-files", "--force-overwrite", "--quiet")
		cmd.Dir = out
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("gphoto2: %v: %s", err, msg)
		}
	}
}
