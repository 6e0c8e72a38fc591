package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
)

// Logins live on the server, in Redis: the browser's (signed, encrypted)
// cookie holds only a random session id and its flashes. So a logout, a
// password change (`intvlm8r-web passwd`) or an edit of the logins file ends
// every session at once, and a cookie copied before that is worth nothing.
//
// A login ends when it has not been used for its idle time, and in any case
// at its absolute time. "Remember me" keeps a login, across browser restarts
// (a cookie with an expiry), for rememberFor; without it, the cookie goes
// with the browser and the login lasts a working day at most.
const (
	sessionIdle          = 2 * time.Hour
	sessionAbsolute      = 12 * time.Hour
	rememberIdle         = 14 * 24 * time.Hour
	rememberAbsolute     = rememberFor * time.Second
	sessionKeyPrefix     = "intvlm8r:web:session:"
	sessionIDKey         = "sid"
	ctxUser, ctxStoreErr = "intvlm8r.user", "intvlm8r.sessionErr"
)

// loginRecord is what Redis keeps of one login.
type loginRecord struct {
	User     string `json:"user"`
	Password string `json:"pw"` // passwordTag of the hash at login
	Created  int64  `json:"created"`
	Remember bool   `json:"remember"`
}

func (r loginRecord) limits() (idle, absolute time.Duration) {
	if r.Remember {
		return rememberIdle, rememberAbsolute
	}
	return sessionIdle, sessionAbsolute
}

// ttl is how long Redis keeps the record from now: its idle time, cut short
// by its absolute end. Zero or less means it is over.
func (r loginRecord) ttl(now time.Time) time.Duration {
	idle, absolute := r.limits()
	return min(idle, time.Unix(r.Created, 0).Add(absolute).Sub(now))
}

// passwordTag names a password hash without giving it away: a login made
// with another password (or by a user since removed) no longer matches.
func passwordTag(hash []byte) string {
	sum := sha256.Sum256(hash)
	return hex.EncodeToString(sum[:12])
}

// redisKey never stores the cookie's id itself: a copy of Redis gives no
// cookie that works.
func redisKey(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	return sessionKeyPrefix + hex.EncodeToString(sum[:])
}

// loadSession resolves the cookie's session id to a user, once per request,
// for currentUser. A login that has ended is removed; one in use has its
// idle time restarted.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		user, err := s.sessionUser(c)
		if err != nil {
			s.Log.Warn("login sessions unreadable", "err", err)
			c.Set(ctxStoreErr, err)
		}
		c.Set(ctxUser, user)
		return next(c)
	}
}

func (s *Server) sessionUser(c echo.Context) (string, error) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return "", nil // no cookie, or one this server cannot read: anonymous
	}
	sid, _ := sess.Values[sessionIDKey].(string)
	if sid == "" {
		return "", nil
	}
	ctx := c.Request().Context()
	key := redisKey(sid)
	raw, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read login session: %w", err)
	}
	var rec loginRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		s.rdb.Del(ctx, key)
		return "", nil
	}
	users, err := auth.Users(s.Paths.Credentials())
	if err != nil {
		return "", err
	}
	hash, ok := users[rec.User]
	now := time.Now()
	ttl := rec.ttl(now)
	if !ok || passwordTag(hash) != rec.Password || ttl <= 0 {
		s.Log.Info("login session ended", "user", rec.User, "reason", endReason(ok, ttl))
		s.rdb.Del(ctx, key)
		return "", nil
	}
	if err := s.rdb.Expire(ctx, key, ttl).Err(); err != nil {
		return "", fmt.Errorf("refresh login session: %w", err)
	}
	return rec.User, nil
}

func endReason(userKnown bool, ttl time.Duration) string {
	switch {
	case !userKnown:
		return "user removed from the logins file"
	case ttl <= 0:
		return "expired"
	}
	return "password changed"
}

// startSession makes a new login for user (a new id: never one the browser
// brought) and puts its id in the cookie session, ending any login the
// cookie had.
func (s *Server) startSession(ctx context.Context, values map[any]any, user string, remember bool) error {
	users, err := auth.Users(s.Paths.Credentials())
	if err != nil {
		return err
	}
	if old, _ := values[sessionIDKey].(string); old != "" {
		s.rdb.Del(ctx, redisKey(old))
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	sid := base64.RawURLEncoding.EncodeToString(b)
	rec := loginRecord{User: user, Password: passwordTag(users[user]), Created: time.Now().Unix(), Remember: remember}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, redisKey(sid), data, rec.ttl(time.Now())).Err(); err != nil {
		return fmt.Errorf("save login session: %w", err)
	}
	values[sessionIDKey] = sid
	return nil
}

// endSession removes the cookie's login from Redis and its id from the cookie.
func (s *Server) endSession(ctx context.Context, values map[any]any) error {
	sid, _ := values[sessionIDKey].(string)
	delete(values, sessionIDKey)
	if sid == "" {
		return nil
	}
	if err := s.rdb.Del(ctx, redisKey(sid)).Err(); err != nil {
		return fmt.Errorf("end login session: %w", err)
	}
	return nil
}

// sessionStoreErr is the error reading the login sessions met, if any.
func sessionStoreErr(c echo.Context) error {
	err, _ := c.Get(ctxStoreErr).(error)
	return err
}
