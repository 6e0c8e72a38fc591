// Package web is the Echo server: the UI on the public listener, and the
// local-only endpoints (/heartbeat, …) on a separate loopback listener, so a
// request can never reach them by what it claims in a header.
package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/static"
)

// Deps is everything the handlers use.
type Deps struct {
	Paths     paths.Paths
	Config    *config.Store
	Tasks     *tasks.Client
	RedisAddr string
	// Simulated names the simulated hardware ("Arduino", "camera"), shown on
	// every page so nobody mistakes a simulator for the box.
	Simulated []string
	Log       *slog.Logger
	// Camera is the camera driver (simulated or libgphoto2).
	Camera camera.Driver
	// Arduino is the link to the Arduino (simulated, I2C or serial), and
	// ArduinoLink the --arduino flag it was opened from.
	Arduino     *arduino.Client
	ArduinoLink string
	// UploadEnabled says the worker can run uploads, so afterCopy chains one.
	UploadEnabled bool
	// Dropbox says where the Transfer page authorises Dropbox; zero is the real service.
	Dropbox transfer.DropboxAPI
}

// Server holds the two Echo instances.
type Server struct {
	Deps
	public *echo.Echo
	local  *echo.Echo
	pages  map[string]*template.Template
}

// New builds both routers.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{Deps: d}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	key, err := sessionKey(d.Paths.SessionKey())
	if err != nil {
		return nil, err
	}
	s.public = s.newEcho()
	s.routesPublic(key)
	s.local = s.newEcho()
	s.routesLocal()
	return s, nil
}

// Public is the UI handler (behind nginx, or on host:port).
func (s *Server) Public() http.Handler { return s.public }

// Local is the loopback-only handler.
func (s *Server) Local() http.Handler { return s.local }

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPFromRealIPHeader() // trusts only loopback/private proxies (nginx)
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			if !strings.HasPrefix(v.URIPath, "/static/") {
				s.Log.Debug("request", "method", v.Method, "path", v.URIPath, "status", v.Status, "latency", v.Latency)
			}
			return nil
		},
	}))
	return e
}

func (s *Server) routesPublic(key []byte) {
	e := s.public
	store := sessions.NewCookieStore(key[:32], key[32:])
	store.Options = &sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		// asynqmon's own UI brings inline code; it sits behind the login anyway.
		Skipper:       func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/asynqmon") },
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
	}))
	e.GET("/robots.txt", func(c echo.Context) error {
		return c.String(http.StatusOK, "User-agent: *\nDisallow: /\n")
	})
	assets, _ := fs.Sub(static.FS, ".")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServer(http.FS(assets))))))

	ui := e.Group("", session.Middleware(store), middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     "csrf",
		// A missing token is refused like a wrong one (Echo says 400 for it).
		ErrorHandler: func(error, echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or came from another site: reload the page and try again.")
		},
	}))
	loginLimit := middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return c.Request().Method != http.MethodPost },
		Store:   middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{Rate: rate.Limit(1.0 / 6), Burst: 10, ExpiresIn: 10 * time.Minute}),
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, "Too many login attempts: wait a minute and try again.")
		},
	})
	ui.GET("/login", s.loginPage)
	ui.POST("/login", s.loginSubmit, loginLimit)

	app := ui.Group("", s.requireLogin)
	app.POST("/logout", s.logout)
	app.GET("/logout", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/") })
	app.GET("/monitoring", s.monitoringPage)
	app.POST("/monitoring", s.monitoringSubmit)
	app.POST("/monHbNow", s.heartbeatNow)
	app.POST("/trnCopyNow", s.copyNowButton)
	app.GET("/transfer", s.transferPage)
	app.POST("/transfer", s.transferSubmit)
	app.POST("/trnTrNow", s.transferNowButton)
	app.GET("/transferlog", s.transferLog)
	app.GET("/", s.homePage)
	app.GET("/thumbnails", s.thumbnailsPage)
	app.GET("/camera", s.cameraPage)
	app.POST("/camera", s.cameraSubmit)
	app.POST("/", s.homeWake)
	app.GET("/photos/*", s.serveTree(s.Paths.Photos))
	app.GET("/thumbs/*", s.serveTree(s.Paths.Thumbs))
	app.GET("/preview/*", s.serveTree(s.Paths.Preview))
	app.GET("/backgroundStatus/:id", s.backgroundStatus)
	app.GET("/intervalometer", s.intervalometerPage)
	app.POST("/intervalometer", s.intervalometerSubmit)
	app.GET("/thermal", s.thermalPage)
	app.POST("/thermal", s.thermalSubmit)
	app.GET("/system", s.systemPage)
	app.POST("/system", s.systemSubmit)
	app.GET("/iniview", s.iniviewPage)
	app.GET("/network", s.networkPage)
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     "/asynqmon",
		RedisConnOpt: asynq.RedisClientOpt{Addr: s.RedisAddr},
		ReadOnly:     false,
	})
	app.Any("/asynqmon", echo.WrapHandler(mon))
	app.Any("/asynqmon/*", echo.WrapHandler(mon))
}

func (s *Server) routesLocal() {
	e := s.local
	e.GET("/heartbeat", s.localHeartbeat)
	e.GET("/copyNow", s.localCopyNow)
	e.GET("/getTime", s.getTime)
	e.GET("/setArduinoDateTime", s.setArduinoDateTime)
	e.GET("/trnTrNow", s.localTransferNow)
	e.GET("/metrics", echo.WrapHandler(s.metricsHandler()))
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	v := fmt.Sprintf("public, max-age=%d", int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}

// sessionKey loads the 64-byte cookie key (32 to sign, 32 to encrypt),
// making it on first start. A new key logs everybody out, nothing worse.
func sessionKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil && len(key) == 64 {
		return key, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key = make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := fileutil.WriteAtomic(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("save session key: %w", err)
	}
	return key, nil
}

// errorHandler answers JSON to scripts and a short page to people; the detail
// stays in the log.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "Something went wrong on the Pi; the log has the details."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(code)
		}
	}
	if code >= 500 {
		s.Log.Error("request failed", "path", c.Request().URL.Path, "err", err)
	}
	if wantsJSON(c) || c.Request().Method == http.MethodHead {
		c.JSON(code, map[string]string{"message": msg})
		return
	}
	c.String(code, msg)
}

func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get("Accept"), "application/json")
}
