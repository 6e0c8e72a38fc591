package web

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// The error page: JSON to scripts, a short text to people; only a server
// fault (5xx) is logged, and to the server's own log.
func TestErrorHandlerAnswersAndLogs(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{Deps: Deps{Log: slog.New(slog.NewTextHandler(&logged, nil))}}
	e := echo.New()
	for _, tc := range []struct {
		method, accept string
		err            error
		code           int
		json, logs     bool
	}{
		{http.MethodGet, "", echo.NewHTTPError(http.StatusNotFound, "No such page."), 404, false, false},
		{http.MethodGet, "application/json", echo.NewHTTPError(http.StatusConflict, "Busy."), 409, true, false},
		{http.MethodHead, "", echo.NewHTTPError(http.StatusNotFound, "No such page."), 404, true, false},
		{http.MethodGet, "", echo.NewHTTPError(http.StatusBadGateway, "Upstream."), 502, false, true},
		{http.MethodGet, "", errors.New("disk on fire"), 500, false, true},
		{http.MethodGet, "", echo.NewHTTPError(499, "Client closed."), 499, false, false},
	} {
		logged.Reset()
		req := httptest.NewRequest(tc.method, "/some/page", nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		rec := httptest.NewRecorder()
		s.errorHandler(tc.err, e.NewContext(req, rec))
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if rec.Code != tc.code || isJSON != tc.json {
			t.Errorf("%s %v: %d %s, want %d json=%v", tc.method, tc.err, rec.Code, rec.Header().Get("Content-Type"), tc.code, tc.json)
		}
		if got := strings.Contains(logged.String(), "request failed"); got != tc.logs {
			t.Errorf("%v: logged %v, want %v: %s", tc.err, got, tc.logs, logged.String())
		}
		if tc.code == 500 && strings.Contains(rec.Body.String(), "disk on fire") {
			t.Error("a fault's detail reached the browser")
		}
	}
}

// The cookie key is kept across restarts (a new one logs everybody out);
// a damaged one is replaced; one that cannot be read stops the start.
func TestSessionKeyKeptReplacedOrRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.key")
	first, err := sessionKey(path)
	if err != nil || len(first) != 64 {
		t.Fatalf("first start: %d bytes, %v", len(first), err)
	}
	again, err := sessionKey(path)
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("second start: a new key (%v)", err)
	}
	if err := os.WriteFile(path, first[:63], 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := sessionKey(path)
	if err != nil || len(fresh) != 64 || bytes.Equal(fresh, first) {
		t.Fatalf("a 63-byte key: %d bytes, same as before %v, %v", len(fresh), bytes.Equal(fresh, first), err)
	}
	if onDisk, _ := os.ReadFile(path); !bytes.Equal(onDisk, fresh) {
		t.Fatal("the replacement key was not saved")
	}
	unreadable := filepath.Join(dir, "folder.key")
	if err := os.Mkdir(unreadable, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := sessionKey(unreadable); err == nil || !strings.Contains(err.Error(), "read session key") {
		t.Fatalf("an unreadable key: %v", err)
	}
}

// New keeps the log it is given, and falls back to the default one.
func TestNewKeepsItsLog(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := paths.New(t.TempDir())
	srv, err := New(Deps{Paths: p, Config: config.NewStore(p.INI()), RedisAddr: "127.0.0.1:1", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Log != log {
		t.Error("New replaced the log it was given")
	}
	srv, err = New(Deps{Paths: p, Config: config.NewStore(p.INI()), RedisAddr: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Log != slog.Default() {
		t.Error("New without a log has no default one")
	}
}
