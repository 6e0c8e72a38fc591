package view

import (
	"net/url"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// INIView is the INI viewer's table: every section and key, with the
// secrets hidden (the original showed them all in clear text).
type INIView struct {
	Path     string
	Missing  bool // no file yet: what is shown are the defaults it will get
	Sections []INISection
}

// INISection is one section of the INI viewer.
type INISection struct {
	Name string
	Keys []INIKey
}

// INIKey is one key of the INI viewer, its value hidden when Redacted.
type INIKey struct {
	Key, Value string
	Redacted   bool
}

// RedactedText stands in for a secret that is set.
const RedactedText = "(hidden)"

// BuildINI lists f's sections and keys, as read from path.
func BuildINI(path string, f *config.File) INIView {
	v := INIView{Path: path, Missing: !f.Exists()}
	for _, sec := range f.Sections() {
		is := INISection{Name: sec.Name}
		for _, kv := range sec.Keys {
			val, red := RedactValue(kv.Key, kv.Value)
			is.Keys = append(is.Keys, INIKey{Key: kv.Key, Value: val, Redacted: red})
		}
		v.Sections = append(v.Sections, is)
	}
	return v
}

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

// RedactValue hides a secret value; a URL keeps its scheme and host (so the
// user sees where heartbeats go) and loses its path, query and login, which
// carry the receiver's token.
func RedactValue(key, value string) (string, bool) {
	if value == "" {
		return "", false
	}
	if isSecretKey(key) {
		return RedactedText, true
	}
	u, err := url.Parse(strings.TrimSpace(value))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return value, false
	}
	if u.User == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" {
		return value, false
	}
	return u.Scheme + "://" + u.Host + "/… " + RedactedText, true
}
