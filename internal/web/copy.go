package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

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
	set, err := s.settings()
	if err != nil {
		return c.String(http.StatusInternalServerError, "Settings unreadable: "+err.Error()+"\n")
	}
	id, err := s.startCopy(c, s.copyChain(set.Transfer.TransferDay == "afterCopy"))
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return c.String(he.Code, he.Message.(string)+"\n")
		}
		return err
	}
	wait, _ := strconv.Atoi(c.QueryParam("wait"))
	if wait <= 0 {
		return c.String(http.StatusOK, "OK "+id+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Duration(wait)*time.Second)
	defer cancel()
	views, err := s.Tasks.WaitChain(ctx, id)
	if err != nil {
		return s.waitFailed(c, "Copy", wait, id, err)
	}
	var done []string
	for _, v := range views {
		done = append(done, v.Status)
	}
	return c.String(http.StatusOK, "OK "+strings.Join(done, "; ")+"\n")
}

// waitFailed answers a local ?wait= call whose chain (what: "Copy",
// "Upload") was not seen to finish: 503 when Redis lost the task or stopped
// answering (so nobody can say whether it ran), 504 when it had not ended in
// time (still running, or left by a worker that died).
func (s *Server) waitFailed(c echo.Context, what string, wait int, id string, err error) error {
	s.Log.Error("chain not seen to finish", "what", what, "id", id, "err", err)
	switch {
	case errors.Is(err, tasks.ErrTaskLost):
		return c.String(http.StatusServiceUnavailable, what+" not known to have finished: "+tasks.ErrTaskLost.Error()+"\n")
	case errors.Is(err, tasks.ErrQueueDown):
		return c.String(http.StatusServiceUnavailable, what+" not known to have finished: "+tasks.ErrQueueDown.Error()+"\n")
	}
	return c.String(http.StatusGatewayTimeout, what+" not finished after "+strconv.Itoa(wait)+" s\n")
}
