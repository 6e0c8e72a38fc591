package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
)

// copyChain is the chain a copy starts: the upload too when [Transfer]
// transferday is afterCopy (and upload is on), thumbnails last.
func (s *Server) copyChain(withUpload bool) []string {
	chain := []string{tasks.TypeCopy}
	if withUpload && s.UploadEnabled {
		chain = append(chain, tasks.TypeUpload)
	}
	return append(chain, tasks.TypeThumbnails)
}

// cameraUSBEnabled reads [Global] enablecamerausb.
func (s *Server) cameraUSBEnabled() (bool, error) {
	set, err := s.settings()
	return set.Global.EnableCameraUSB, err
}

// startCopy queues a chain after the checks every trigger shares.
func (s *Server) startCopy(c echo.Context, chain []string) (string, error) {
	on, err := s.cameraUSBEnabled()
	if err != nil {
		return "", echo.NewHTTPError(http.StatusInternalServerError, "The settings file could not be read: "+err.Error())
	}
	if !on {
		return "", echo.NewHTTPError(http.StatusConflict, "Camera USB is switched off on the Camera page: nothing copied.")
	}
	return s.startChain(c, "No copy started", "A copy from the camera is already queued or running.", chain...)
}

// startChain queues a chain when a worker is there to run it: 503 saying
// which of Redis or the worker is missing, 409 with busy when its first task
// already is queued or running.
func (s *Server) startChain(c echo.Context, refused, busy string, chain ...string) (string, error) {
	if err := s.Tasks.Ready(c.Request().Context()); err != nil {
		return "", echo.NewHTTPError(http.StatusServiceUnavailable, refused+": "+err.Error())
	}
	id, err := s.Tasks.StartChain(c.Request().Context(), chain...)
	if errors.Is(err, tasks.ErrAlreadyRunning) {
		return "", echo.NewHTTPError(http.StatusConflict, busy)
	}
	if err != nil {
		s.Log.Error("chain not queued", "chain", chain, "err", err)
		return "", echo.NewHTTPError(http.StatusServiceUnavailable, refused+": "+tasks.ErrQueueDown.Error())
	}
	return id, nil
}

// copyNowButton is the Transfer page's "Copy now": copy, the upload when
// transferday is afterCopy (the original skipped it here), thumbnails.
func (s *Server) copyNowButton(c echo.Context) error {
	set, _ := s.settings()
	id, err := s.startCopy(c, s.copyChain(set.Transfer.TransferDay == "afterCopy"))
	if err != nil {
		return err
	}
	return accepted(c, id)
}

// localCopyNow is GET /copyNow on the loopback listener, for the copy
// oneshot: copy, the upload when transferday is afterCopy, thumbnails.
// With ?wait=SECONDS it answers only when the whole chain has finished, so
// the boot upload can follow a finished copy, not merely a started one.
func (s *Server) localCopyNow(c echo.Context) error {
	start := func(c echo.Context) (string, error) {
		set, err := s.settings()
		if err != nil {
			return "", echo.NewHTTPError(http.StatusInternalServerError, "Settings unreadable: "+err.Error())
		}
		return s.startCopy(c, s.copyChain(set.Transfer.TransferDay == "afterCopy"))
	}
	return localChain(c, s.Log, "Copy", start, s.Tasks.WaitChain, func(views []tasks.View) (int, string) {
		var done []string
		for _, v := range views {
			done = append(done, v.Status)
		}
		return http.StatusOK, "OK " + strings.Join(done, "; ")
	})
}
