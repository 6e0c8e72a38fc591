package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// iniviewData is the INI viewer's table: every section and key, with the
// secrets hidden (the original showed them all in clear text).
type iniviewData struct {
	Path     string
	Missing  bool // no file yet: what is shown are the defaults it will get
	Sections []iniSection
}

type iniSection struct {
	Name string
	Keys []iniKey
}

type iniKey struct {
	Key, Value string
	Redacted   bool
}

// redactedText stands in for a secret that is set.
const redactedText = "(hidden)"

// isSecretKey is true for keys whose value is a credential.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"password", "passwd", "token", "secret", "key"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redactValue hides a secret value; a URL keeps its scheme and host (so the
// user sees where heartbeats go) and loses its path, query and login, which
// carry the receiver's token.
func redactValue(key, value string) (string, bool) {
	if value == "" {
		return "", false
	}
	if isSecretKey(key) {
		return redactedText, true
	}
	u, err := url.Parse(strings.TrimSpace(value))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return value, false
	}
	if u.User == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" {
		return value, false
	}
	return u.Scheme + "://" + u.Host + "/… " + redactedText, true
}

func (s *Server) iniviewPage(c echo.Context) error {
	d := iniviewData{Path: s.Config.Path()}
	f, err := s.Config.Load()
	if err != nil {
		s.Log.Error("read INI", "err", err)
		flash(c, "red", "The settings file could not be read: "+err.Error())
		return s.render(c, http.StatusOK, "iniview", d)
	}
	d.Missing = !f.Exists()
	for _, sec := range f.Sections() {
		is := iniSection{Name: sec.Name}
		for _, kv := range sec.Keys {
			v, red := redactValue(kv.Key, kv.Value)
			is.Keys = append(is.Keys, iniKey{Key: kv.Key, Value: v, Redacted: red})
		}
		d.Sections = append(d.Sections, is)
	}
	return s.render(c, http.StatusOK, "iniview", d)
}
