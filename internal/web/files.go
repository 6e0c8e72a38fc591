package web

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// serveTree serves files below dir to logged-in users only. os.Root keeps
// every lookup inside dir: no "..", no symlink leads out of it.
func (s *Server) serveTree(dir func() string) echo.HandlerFunc {
	return func(c echo.Context) error {
		rel := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if rel == "" || rel == "." {
			return echo.NewHTTPError(http.StatusNotFound, "No such file.")
		}
		root, err := os.OpenRoot(dir())
		if err != nil {
			return echo.NewHTTPError(http.StatusNotFound, "No such file.")
		}
		defer root.Close()
		f, err := root.Open(rel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || strings.Contains(err.Error(), "escapes") {
				return echo.NewHTTPError(http.StatusNotFound, "No such file.")
			}
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			return echo.NewHTTPError(http.StatusNotFound, "No such file.")
		}
		c.Response().Header().Set("Cache-Control", "private, max-age=3600")
		http.ServeContent(c.Response(), c.Request(), st.Name(), st.ModTime(), f)
		return nil
	}
}
