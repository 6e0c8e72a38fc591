package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// The status API: GET /api/v1/status answers the box's state (the
// heartbeat's body) as JSON to a logged-in browser, or to a fleet dashboard
// that sends the box's API token as "Authorization: Bearer <token>". The
// System page creates the token (shown once) and revokes it; only its
// SHA-256 is kept. A token of 256 random bits needs no slow hash: nobody can
// guess it, and the hash only keeps a copied file from serving as the token.

// apiTokenPrefix starts every token, so one found in a script is recognised.
const apiTokenPrefix = "iv8_"

// apiTokenRecord is the token file: the token's hash and when it was made.
type apiTokenRecord struct {
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
}

// apiTokenPath is the token file, beside the logins.
func apiTokenPath(p paths.Paths) string { return filepath.Join(p.WWW(), "apitoken.json") }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// readAPIToken reads the token file; ok is false when there is no token.
func readAPIToken(p paths.Paths) (apiTokenRecord, bool, error) {
	var r apiTokenRecord
	data, err := os.ReadFile(apiTokenPath(p))
	if errors.Is(err, os.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read the API token: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil || len(r.SHA256) != sha256.Size*2 {
		return r, false, fmt.Errorf("read the API token: %s is damaged; create a new token", apiTokenPath(p))
	}
	return r, true, nil
}

// newAPIToken makes a token, keeps its hash crash-safely (replacing any
// earlier token), and returns it: the only time it is seen.
func newAPIToken(p paths.Paths, now time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("make an API token: %w", err)
	}
	token := apiTokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	data, _ := json.Marshal(apiTokenRecord{SHA256: hashToken(token), Created: now.Truncate(time.Second)})
	if err := fileutil.WriteAtomic(apiTokenPath(p), append(data, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("save the API token: %w", err)
	}
	return token, nil
}

// revokeAPIToken removes the token; no token is not an error.
func revokeAPIToken(p paths.Paths) error {
	path := apiTokenPath(p)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("revoke the API token: %w", err)
	}
	return fileutil.SyncDir(filepath.Dir(path))
}

// bearerValid says whether the request carries the box's API token.
func bearerValid(p paths.Paths, r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false
	}
	rec, found, err := readAPIToken(p)
	if err != nil || !found {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashToken(strings.TrimSpace(token))), []byte(rec.SHA256)) == 1
}

// apiStatus is GET /api/v1/status.
func (s *Server) apiStatus(c echo.Context) error {
	if !bearerValid(s.Paths, c.Request()) && currentUser(c) == "" {
		if sessionStoreErr(c) != nil { // a login may be there: Redis cannot say
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"message": "The Pi cannot check logins: its Redis is not answering. The API token works without it."})
		}
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="intvlm8r"`)
		return c.JSON(http.StatusUnauthorized, map[string]string{"message": "Log in, or send the box's API token (System page) as Authorization: Bearer <token>."})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, s.health.State())
}

// apiTokenView is what the System page's API token part shows.
type apiTokenView struct {
	Set     bool
	Created string
	Problem string
}

// templateFuncs are the functions every page's templates may call.
func (s *Server) templateFuncs() template.FuncMap {
	return template.FuncMap{
		"apiToken": func() apiTokenView {
			rec, ok, err := readAPIToken(s.Paths)
			v := apiTokenView{Set: ok}
			if err != nil {
				v.Problem = err.Error()
			}
			if ok {
				v.Created = rec.Created.Local().Format("2006-01-02 15:04")
			}
			return v
		},
	}
}

// apiTokenCreate is POST /system/apitoken: a new token, replacing the old
// one, shown on a page of its own this once.
func (s *Server) apiTokenCreate(c echo.Context) error {
	token, err := newAPIToken(s.Paths, time.Now())
	if err != nil {
		s.Log.Error("API token", "err", err)
		flash(c, status.Red, "No API token made: "+err.Error())
		return s.redirect(c, "/system#apiToken")
	}
	s.Log.Info("API token created", "user", currentUser(c))
	return s.render(c, http.StatusOK, "apitoken", map[string]string{"Token": token})
}

// apiTokenRevoke is POST /system/apitoken/revoke.
func (s *Server) apiTokenRevoke(c echo.Context) error {
	if err := revokeAPIToken(s.Paths); err != nil {
		s.Log.Error("API token", "err", err)
		flash(c, status.Red, "The API token was not revoked: "+err.Error())
		return s.redirect(c, "/system#apiToken")
	}
	s.Log.Info("API token revoked", "user", currentUser(c))
	flash(c, status.White, "API token revoked: /api/v1/status now needs a login.")
	return s.redirect(c, "/system#apiToken")
}
