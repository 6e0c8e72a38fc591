package web

import (
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
)

// rememberFor is how long "Remember me" keeps a login.
const rememberFor = 30 * 24 * 3600

type loginData struct{ Next string }

func (s *Server) loginPage(c echo.Context) error {
	if currentUser(c) != "" {
		return s.redirect(c, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login", loginData{Next: safeNextOrEmpty(c.QueryParam("next"))})
}

func (s *Server) loginSubmit(c echo.Context) error {
	next := safeNextOrEmpty(c.QueryParam("next"))
	back := "/login"
	if next != "" {
		back += "?next=" + url.QueryEscape(next) // keep next after a failed try (the original lost it)
	}
	name, password := c.FormValue("username"), c.FormValue("password")
	key := strings.ToLower(strings.TrimSpace(name))
	users, _ := auth.Users(s.Paths.Credentials())
	_, known := users[key]
	if !s.logins.attempt(c.RealIP(), key, s.device(c, key), known) {
		s.Log.Warn("login refused: too many tries", "name", name, "ip", c.RealIP())
		return echo.NewHTTPError(http.StatusTooManyRequests, "Too many login attempts: wait a minute and try again.")
	}
	user, ok, err := auth.Check(s.Paths.Credentials(), name, password)
	switch {
	case errors.Is(err, auth.ErrNoUsers):
		flash(c, status.Red, "No web login has been set on this Pi. Set one with: intvlm8r-web passwd NAME")
		return s.redirect(c, back)
	case err != nil:
		s.Log.Error("login check failed", "err", err)
		flash(c, status.Red, "The Pi could not read its logins; the log has the details.")
		return s.redirect(c, back)
	case !ok:
		s.Log.Warn("failed login", "name", name, "ip", c.RealIP())
		flash(c, status.Red, "Wrong user name or password. Please try again.")
		return s.redirect(c, back)
	}
	sess, err := session.Get(sessionName, c)
	if err != nil {
		sess = sessions.NewSession(nil, sessionName)
	}
	for k := range sess.Values { // a fresh session on every login
		if k != sessionIDKey { // startSession ends the old login itself
			delete(sess.Values, k)
		}
	}
	remember := c.FormValue("rememberme") == "on"
	if err := s.startSession(c.Request().Context(), sess.Values, user, remember); err != nil {
		s.Log.Error("login not saved", "user", user, "err", err)
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The Pi could not save the login (is Redis running?); the log has the details.")
	}
	sess.Options.MaxAge = 0
	if remember {
		sess.Options.MaxAge = rememberFor
	}
	if err := saveSession(c, sess); err != nil {
		return echo.NewHTTPError(http.StatusInternalServerError, "The Pi could not set the login cookie; the log has the details.")
	}
	s.markDevice(c, user)
	s.Log.Info("login", "user", user, "ip", c.RealIP())
	return s.redirect(c, safeNext(next))
}

func (s *Server) logout(c echo.Context) error {
	sess, err := session.Get(sessionName, c)
	if err == nil {
		if err := s.endSession(c.Request().Context(), sess.Values); err != nil {
			// The cookie loses its id all the same; the record lapses by itself.
			s.Log.Error("logout", "err", err)
		}
		sess.Flashes()
		sess.Options.MaxAge = 0
		saveSession(c, sess)
	}
	flash(c, status.White, "You have been logged out.")
	return s.redirect(c, "/login")
}

// requireLogin sends anonymous people to the login page, and scripts a 401.
func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != "" {
			return next(c)
		}
		if err := sessionStoreErr(c); err != nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "The Pi cannot check logins: its Redis is not answering. Try again in a minute; restarting the Pi may help.")
		}
		if p := c.Request().URL.Path; wantsJSON(c) || strings.HasPrefix(p, "/backgroundStatus/") || strings.HasPrefix(p, "/events/") {
			return c.JSON(http.StatusUnauthorized, map[string]string{"message": "Log in first."})
		}
		if c.Request().Method == http.MethodGet {
			flash(c, status.Red, "Please log in to see that page.")
			return s.redirect(c, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		flash(c, status.Red, "Please log in first.")
		return s.redirect(c, "/login")
	}
}

// saveSession writes the session cookie, Secure when the browser came over
// HTTPS (directly, or through nginx saying so). A cookie that cannot be
// written (too large, most likely) is logged and returned.
func saveSession(c echo.Context, sess *sessions.Session) error {
	r := c.Request()
	sess.Options.Secure = r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	sess.Options.HttpOnly = true
	sess.Options.SameSite = http.SameSiteLaxMode
	sess.Options.Path = "/"
	if err := sess.Save(r, c.Response()); err != nil {
		slog.Error("session cookie not written", "path", r.URL.Path, "err", err)
		return err
	}
	return nil
}

// safeNextOrEmpty keeps next only when it is a path on this site.
func safeNextOrEmpty(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func safeNext(next string) string {
	if n := safeNextOrEmpty(next); n != "" {
		return n
	}
	return "/"
}
