package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
)

// chainWaiter waits for a chain's tasks to end (tasks.Client.WaitChain).
type chainWaiter func(ctx context.Context, id string) ([]tasks.View, error)

// localChain is the one shape of the local endpoints that start a chain for
// a oneshot (/copyNow, /trnTrNow): start's refusal comes back as plain text
// with its code; without ?wait=SECONDS the answer is "OK <id>" at once; with
// it, the answer waits for the whole chain and finished words it, or
// waitAnswer says why the chain was not seen to finish. what ("Copy",
// "Upload") names the chain in those answers.
func localChain(c echo.Context, log *slog.Logger, what string, start func(echo.Context) (string, error), wait chainWaiter, finished func([]tasks.View) (int, string)) error {
	id, err := start(c)
	if err != nil {
		return plainError(c, err)
	}
	secs, _ := strconv.Atoi(c.QueryParam("wait"))
	if secs <= 0 {
		return c.String(http.StatusOK, "OK "+id+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Duration(secs)*time.Second)
	defer cancel()
	views, err := wait(ctx, id)
	if err != nil {
		log.Error("chain not seen to finish", "what", what, "id", id, "err", err)
		code, reason := waitAnswer(err)
		if reason == "" {
			return c.String(code, what+" not finished after "+strconv.Itoa(secs)+" s\n")
		}
		return c.String(code, what+" not known to have finished: "+reason+"\n")
	}
	code, text := finished(views)
	return c.String(code, text+"\n")
}

// waitAnswer is the code for a wait on a task that did not end: 503 with the
// reason when Redis lost the task or stopped answering (so nobody can say
// whether it ran), 504 and no reason when it had not ended in time (still
// running, or left by a worker that died).
func waitAnswer(err error) (code int, reason string) {
	switch {
	case errors.Is(err, tasks.ErrTaskLost):
		return http.StatusServiceUnavailable, tasks.ErrTaskLost.Error()
	case errors.Is(err, tasks.ErrQueueDown):
		return http.StatusServiceUnavailable, tasks.ErrQueueDown.Error()
	}
	return http.StatusGatewayTimeout, ""
}

// plainError answers an *echo.HTTPError as plain text with its code, for a
// oneshot's log, whatever its message holds; any other error goes to the
// error handler.
func plainError(c echo.Context, err error) error {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return err
	}
	msg := http.StatusText(he.Code)
	if he.Message != nil {
		msg = fmt.Sprint(he.Message)
	}
	return c.String(he.Code, msg+"\n")
}
