package web

import (
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// PublicWriteTimeout is the public listener's write timeout: a page or a
// thumbnail is written well within it. A file download is given longer by
// serveTree, from the file's size.
const PublicWriteTimeout = 2 * time.Minute

// minDownloadRate is the slowest link a download is given time for (bytes/s):
// a 30 MB RAW file over 16 kB/s is half an hour.
const minDownloadRate = 16 << 10

// inlineTypes are the files served for the browser to show: photos, the RAW
// formats cameras write, and camera movies. Everything else on a camera card
// (an HTML, JS or SVG file put there by anyone) is served as a download.
var inlineTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg",
	".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
	".tif": "image/tiff", ".tiff": "image/tiff", ".heic": "image/heic", ".heif": "image/heif",
	".cr2": "image/x-canon-cr2", ".cr3": "image/x-canon-cr3", ".crw": "image/x-canon-crw",
	".nef": "image/x-nikon-nef", ".nrw": "image/x-nikon-nrw", ".arw": "image/x-sony-arw",
	".srf": "image/x-sony-srf", ".sr2": "image/x-sony-sr2", ".dng": "image/x-adobe-dng",
	".orf": "image/x-olympus-orf", ".rw2": "image/x-panasonic-rw2", ".raf": "image/x-fuji-raf",
	".pef": "image/x-pentax-pef", ".srw": "image/x-samsung-srw", ".3fr": "image/x-hasselblad-3fr",
	".erf": "image/x-epson-erf", ".kdc": "image/x-kodak-kdc", ".mrw": "image/x-minolta-mrw",
	".x3f": "image/x-sigma-x3f", ".rwl": "image/x-leica-rwl", ".iiq": "image/x-phaseone-iiq",
	".mp4": "video/mp4", ".mov": "video/quicktime",
}

// fileCSP is sent with every file of the photo trees: even if a browser
// were talked into rendering one as a document, it runs in a sandbox with
// no script, no plugin and no same-origin access.
const fileCSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"

// serveTree serves files below dir to logged-in users only. os.Root keeps
// every lookup inside dir: no "..", no symlink leads out of it.
func (s *Server) serveTree(dir func() string) echo.HandlerFunc {
	return func(c echo.Context) error {
		notFound := echo.NewHTTPError(http.StatusNotFound, "No such file.")
		rel := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if rel == "" || rel == "." || strings.ContainsRune(rel, 0) {
			return notFound
		}
		root, err := os.OpenRoot(dir())
		if err != nil {
			return notFound
		}
		defer root.Close()
		f, err := root.Open(rel)
		if err != nil {
			// Missing, forbidden, escaping the tree, or a name the file
			// system cannot hold: all the same to a browser.
			s.Log.Debug("photo tree lookup", "path", rel, "err", err)
			return notFound
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			return notFound
		}
		h := c.Response().Header()
		h.Set("Cache-Control", "private, max-age=3600")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", fileCSP)
		disposition := "inline"
		ctype, ok := inlineTypes[strings.ToLower(path.Ext(st.Name()))]
		if !ok {
			ctype, disposition = "application/octet-stream", "attachment"
		}
		h.Set("Content-Type", ctype)
		if v := mime.FormatMediaType(disposition, map[string]string{"filename": st.Name()}); v != "" {
			disposition = v
		}
		h.Set("Content-Disposition", disposition)
		// A big file over a slow link needs longer than a page does.
		extra := time.Duration(st.Size()/minDownloadRate) * time.Second
		if err := http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(PublicWriteTimeout + extra)); err != nil {
			s.Log.Debug("download deadline not set", "err", err)
		}
		http.ServeContent(c.Response(), c.Request(), st.Name(), st.ModTime(), f)
		return nil
	}
}
