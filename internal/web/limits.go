package web

import (
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Request bodies: no form here is large, so a body is refused past a few
// kilobytes before anything (the CSRF check first of all) reads it. Without
// this, fifty anonymous 8 MB posts to /login cost the Pi 600 MB.
const (
	// loginBodyLimit is the login form: a name, a password, a token.
	loginBodyLimit = "4KB"
	// formBodyLimit is any other form or script post (the Transfer form is the
	// largest, a few kB; asynqmon's batch actions list at most a page of IDs).
	formBodyLimit = "64KB"
	// localBodyLimit is the local listener: its endpoints take no body.
	localBodyLimit = "1KB"
)

// bodyLimits applies limits[path] to routes named there and def to every
// other route. It must run before any middleware that reads the body; Echo
// runs e.Use middleware after routing, so c.Path() is the route here.
func bodyLimits(def string, limits map[string]string) []echo.MiddlewareFunc {
	mws := []echo.MiddlewareFunc{middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Skipper: func(c echo.Context) bool { _, ok := limits[c.Path()]; return ok },
		Limit:   def,
	})}
	for path, limit := range limits {
		mws = append(mws, middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Skipper: func(c echo.Context) bool { return c.Path() != path },
			Limit:   limit,
		}))
	}
	return mws
}

// bodyReadTimeout is how long a request body may take to arrive.
const bodyReadTimeout = 30 * time.Second

// bodyDeadline gives a request's body bodyReadTimeout to arrive, so a body
// that stalls after its headers is dropped. It stands in for the server's
// ReadTimeout, which would also cancel the context of any handler still
// running when it passes (net/http's background read hits it): the
// deadline is cleared as soon as the body has been read.
func bodyDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody || req.ContentLength == 0 {
			return next(c)
		}
		rc := http.NewResponseController(c.Response())
		if rc.SetReadDeadline(time.Now().Add(bodyReadTimeout)) == nil {
			req.Body = &deadlineBody{ReadCloser: req.Body, rc: rc}
		}
		return next(c)
	}
}

type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	// Cleared only at the end of the body: after a stall the deadline stays
	// passed, so draining the rest fails at once and the connection closes.
	if err == io.EOF && !b.done {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
