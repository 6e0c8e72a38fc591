package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
)

// callLocalChain runs localChain on GET target with a fake start and waiter.
func callLocalChain(t *testing.T, target string, start func(echo.Context) (string, error), wait chainWaiter) (int, string, error) {
	t.Helper()
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, target, nil), rec)
	finished := func(views []tasks.View) (int, string) {
		var s []string
		for _, v := range views {
			s = append(s, v.Status)
		}
		return http.StatusOK, "OK " + strings.Join(s, "; ")
	}
	err := localChain(c, slog.New(slog.DiscardHandler), "Copy", start, wait, finished)
	return rec.Code, rec.Body.String(), err
}

func started(id string) func(echo.Context) (string, error) {
	return func(echo.Context) (string, error) { return id, nil }
}

func TestLocalChainRefusals(t *testing.T) {
	noWait := func(context.Context, string) ([]tasks.View, error) {
		t.Error("a refused chain was waited for")
		return nil, nil
	}
	cases := []struct {
		name     string
		err      error
		wantCode int
		wantBody string
	}{
		{"text", echo.NewHTTPError(http.StatusConflict, "A copy is already running."), http.StatusConflict, "A copy is already running.\n"},
		// The message is not a string: this used to panic (an unchecked type assertion).
		{"error message", echo.NewHTTPError(http.StatusServiceUnavailable, errors.New("redis down")), http.StatusServiceUnavailable, "redis down\n"},
		{"map message", &echo.HTTPError{Code: http.StatusConflict, Message: map[string]string{"m": "busy"}}, http.StatusConflict, "map[m:busy]\n"},
		{"no message", &echo.HTTPError{Code: http.StatusInternalServerError}, http.StatusInternalServerError, "Internal Server Error\n"},
		{"wrapped", fmt.Errorf("start: %w", echo.NewHTTPError(http.StatusConflict, "busy")), http.StatusConflict, "busy\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body, err := callLocalChain(t, "/copyNow?wait=5", func(echo.Context) (string, error) { return "", tc.err }, noWait)
			if err != nil || code != tc.wantCode || body != tc.wantBody {
				t.Errorf("got %d %q err %v; want %d %q", code, body, err, tc.wantCode, tc.wantBody)
			}
		})
	}
	// Anything else is the error handler's.
	plain := errors.New("boom")
	if _, _, err := callLocalChain(t, "/copyNow", func(echo.Context) (string, error) { return "", plain }, noWait); !errors.Is(err, plain) {
		t.Errorf("a plain error came back as %v", err)
	}
}

func TestLocalChainWait(t *testing.T) {
	done := []tasks.View{{Status: "12 photos copied"}, {Status: "Thumbnails made"}}
	cases := []struct {
		name, target string
		wait         chainWaiter
		wantCode     int
		wantBody     string
	}{
		{"no wait", "/copyNow", nil, http.StatusOK, "OK t1\n"},
		{"zero wait", "/copyNow?wait=0", nil, http.StatusOK, "OK t1\n"},
		{"bad wait", "/copyNow?wait=soon", nil, http.StatusOK, "OK t1\n"},
		{"finished", "/copyNow?wait=30", func(ctx context.Context, id string) ([]tasks.View, error) {
			if id != "t1" {
				return nil, fmt.Errorf("waited for %q", id)
			}
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > 30*time.Second || time.Until(dl) < 25*time.Second {
				return nil, errors.New("the wait is not the ?wait asked for")
			}
			return done, nil
		}, http.StatusOK, "OK 12 photos copied; Thumbnails made\n"},
		{"lost", "/copyNow?wait=30", func(context.Context, string) ([]tasks.View, error) {
			return nil, fmt.Errorf("wait: %w", tasks.ErrTaskLost)
		}, http.StatusServiceUnavailable, "Copy not known to have finished: " + tasks.ErrTaskLost.Error() + "\n"},
		{"queue down", "/copyNow?wait=30", func(context.Context, string) ([]tasks.View, error) {
			return nil, tasks.ErrQueueDown
		}, http.StatusServiceUnavailable, "Copy not known to have finished: " + tasks.ErrQueueDown.Error() + "\n"},
		{"not in time", "/copyNow?wait=1", func(ctx context.Context, _ string) ([]tasks.View, error) {
			<-ctx.Done()
			return done[:1], ctx.Err()
		}, http.StatusGatewayTimeout, "Copy not finished after 1 s\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wait := tc.wait
			if wait == nil {
				wait = func(context.Context, string) ([]tasks.View, error) {
					t.Error("waited without ?wait")
					return nil, nil
				}
			}
			code, body, err := callLocalChain(t, tc.target, started("t1"), wait)
			if err != nil || code != tc.wantCode || body != tc.wantBody {
				t.Errorf("got %d %q err %v; want %d %q", code, body, err, tc.wantCode, tc.wantBody)
			}
		})
	}
}
