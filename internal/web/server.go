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
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
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
	// BehindSocket says the public listener is nginx's unix socket, whose
	// X-Real-IP is believed; TrustedProxies are the TCP peers whose X-Real-IP
	// is believed. Anybody else's is ignored.
	BehindSocket   bool
	TrustedProxies []netip.Prefix
	// PiHost is the machine the System page describes, NetworkHost the one
	// the Network page does; the zero Host is this machine.
	PiHost, NetworkHost system.Host
	// PiClock reads and sets the Pi's clock (settime.HostFromEnv in cmd/web;
	// the zero Host asks systemd and sets the real clock).
	PiClock settime.Host
}

// Server holds the two Echo instances.
type Server struct {
	Deps
	public *echo.Echo
	local  *echo.Echo
	pages  map[string]*template.Template
	// rdb keeps the login sessions.
	rdb *redis.Client
	// logins limits login tries; devices signs the device cookies.
	logins  *loginLimiter
	devices *securecookie.SecureCookie
	// health gathers the box's state for /metrics and /api/v1/status.
	health *health.Collector
	// wakeInFlight keeps pages from queueing one camera wake per request.
	wakeInFlight atomic.Bool
	// ntp keeps the System page's NTP answer a while.
	ntp *view.NTPMemo
}

// New builds both routers.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{Deps: d}
	s.health = s.newHealthCollector()
	s.ntp = &view.NTPMemo{Ask: d.PiClock.NTP, TTL: ntpTTL}
	s.rdb = redis.NewClient(&redis.Options{Addr: d.RedisAddr, DialTimeout: 2 * time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: 1})
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	key, err := sessionKey(d.Paths.SessionKey())
	if err != nil {
		return nil, err
	}
	s.logins, s.devices = newLoginLimiter(), newDeviceCodec(key)
	s.public = s.newEcho()
	s.public.IPExtractor = clientIP(d.BehindSocket, d.TrustedProxies)
	s.routesPublic(key)
	s.local = s.newEcho()
	s.routesLocal()
	return s, nil
}

// Close closes the session store's connection.
func (s *Server) Close() error { return s.rdb.Close() }

// Public is the UI handler (behind nginx, or on host:port).
func (s *Server) Public() http.Handler { return s.public }

// Local is the loopback-only handler.
func (s *Server) Local() http.Handler { return s.local }

func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
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
	e.Use(bodyDeadline)
	e.Use(bodyLimits(formBodyLimit, map[string]string{"/login": loginBodyLimit})...)
	store := sessions.NewCookieStore(key[:32], key[32:])
	store.Options = &sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	mon := asynqmon.New(asynqmon.Options{
		RootPath:     "/asynqmon",
		RedisConnOpt: asynq.RedisClientOpt{Addr: s.RedisAddr},
		ReadOnly:     false,
	})
	useSecurityHeaders(e, mon)
	e.GET("/robots.txt", func(c echo.Context) error {
		return c.String(http.StatusOK, "User-agent: *\nDisallow: /\n")
	})
	assets, _ := fs.Sub(static.FS, ".")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServer(http.FS(assets))))))

	ui := e.Group("", session.Middleware(store), s.loadSession, middleware.CSRFWithConfig(csrfConfig))
	ui.GET("/login", s.loginPage)
	ui.GET("/api/v1/status", s.apiStatus) // a login or the API token: apitoken.go
	ui.POST("/login", s.loginSubmit)

	s.routesApp(ui.Group("", s.requireLogin), mon)
}

// routesApp are the pages and actions behind the login.
func (s *Server) routesApp(app *echo.Group, mon http.Handler) {
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
	app.GET("/events/task/:id", s.taskEvents)
	app.GET("/events/home", s.homeEvents)
	app.GET("/intervalometer", s.intervalometerPage)
	app.POST("/intervalometer", s.intervalometerSubmit)
	app.GET("/thermal", s.thermalPage)
	app.POST("/thermal", s.thermalSubmit)
	app.GET("/system", s.systemPage)
	app.POST("/system", s.systemSubmit)
	app.GET("/iniview", s.iniviewPage)
	app.GET("/network", s.networkPage)
	app.POST("/system/apitoken", s.apiTokenCreate)
	app.POST("/system/apitoken/revoke", s.apiTokenRevoke)
	app.Any("/asynqmon", echo.WrapHandler(mon))
	app.Any("/asynqmon/*", echo.WrapHandler(mon))
}

// csrfConfig guards every form of the UI: the token comes in the form or
// a header, its cookie is strict.
var csrfConfig = middleware.CSRFConfig{
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
}

// useSecurityHeaders sets the security headers of every answer: a strict
// content policy for the pages, and asynqmon's own (its UI brings inline
// code) under /asynqmon.
func useSecurityHeaders(e *echo.Echo, mon *asynqmon.HTTPHandler) {
	isMon := func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/asynqmon") }
	secure := middleware.SecureConfig{
		Skipper:       isMon,
		XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
	}
	e.Use(middleware.SecureWithConfig(secure))
	secure.Skipper = func(c echo.Context) bool { return !isMon(c) }
	secure.ContentSecurityPolicy = asynqmonCSP(mon, "/asynqmon")
	e.Use(middleware.SecureWithConfig(secure))
}

func (s *Server) routesLocal() {
	e := s.local
	e.Use(bodyLimits(localBodyLimit, nil)...)
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
