package photos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
)

// folderCam is a test double for the camera hardware: a folder stands for
// the card, "/store_00020001/DCIM/100CANON/IMG_1.JPG" is root/store_00020001/…
// Only the file methods are real; the rest say "not found".
type folderCam struct {
	root string
	// failDownload, if set, makes Download of that name fail half-way.
	failDownload map[string]bool
	// lie makes ListFiles report these sizes instead of the real ones.
	lie map[string]int64
}

var _ camera.Camera = (*folderCam)(nil)

func (c *folderCam) local(folder, name string) string {
	return filepath.Join(c.root, filepath.FromSlash(path.Join(folder, name)))
}

func (c *folderCam) Abilities(context.Context) (camera.Abilities, error) {
	return camera.Abilities{Model: "Folder camera (test)", CanDelete: true}, nil
}
func (c *folderCam) Config(context.Context) ([]camera.Widget, error) { return nil, nil }
func (c *folderCam) Widget(context.Context, string) (camera.Widget, error) {
	return camera.Widget{}, camera.ErrNotFound
}
func (c *folderCam) SetConfig(context.Context, map[string]string) error { return camera.ErrReadOnly }
func (c *folderCam) StorageInfo(context.Context) ([]camera.Storage, error) {
	return []camera.Storage{{Description: "folder", FreeImages: -1}}, nil
}
func (c *folderCam) CapturePreview(context.Context) ([]byte, error) { return nil, camera.ErrNotFound }
func (c *folderCam) Close() error                                   { return nil }

func (c *folderCam) ListFiles(ctx context.Context, folder string) ([]camera.File, error) {
	var out []camera.File
	base := c.local(folder, "")
	err := filepath.WalkDir(base, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(c.root, fp)
		rel = "/" + filepath.ToSlash(rel)
		f := camera.File{Folder: path.Dir(rel), Name: path.Base(rel), Size: info.Size(), MTime: info.ModTime()}
		if s, ok := c.lie[f.Name]; ok {
			f.Size = s
		}
		out = append(out, f)
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, camera.ErrNotFound
	}
	return out, err
}

func (c *folderCam) FileInfo(ctx context.Context, folder, name string) (camera.File, error) {
	st, err := os.Stat(c.local(folder, name))
	if err != nil {
		return camera.File{}, camera.ErrNotFound
	}
	return camera.File{Folder: folder, Name: name, Size: st.Size(), MTime: st.ModTime()}, nil
}

func (c *folderCam) Download(ctx context.Context, folder, name string, w io.Writer) (int64, error) {
	f, err := os.Open(c.local(folder, name))
	if err != nil {
		return 0, camera.ErrNotFound
	}
	defer f.Close()
	if c.failDownload[name] {
		st, _ := f.Stat()
		n, _ := io.CopyN(w, f, st.Size()/2)
		return n, fmt.Errorf("usb: transfer stalled")
	}
	return io.Copy(w, f)
}

func (c *folderCam) Delete(ctx context.Context, folder, name string) error {
	if strings.Contains(name, "/") {
		return camera.ErrNotFound
	}
	if err := os.Remove(c.local(folder, name)); err != nil {
		return camera.ErrNotFound
	}
	return nil
}
