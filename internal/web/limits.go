package web

import (
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
