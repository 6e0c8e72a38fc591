package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
)

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// asynqmonCSP is the Content-Security-Policy for asynqmon's UI. Its page
// carries two inline scripts (settings and the bundle loader), allowed here
// by their hashes, read from the page the handler serves; its styles are
// injected at run time, so they need 'unsafe-inline'. Everything else comes
// from this server (its Google fonts are left out: the Pi is usually offline,
// and nothing of the UI needs them).
func asynqmonCSP(mon http.Handler, root string) string {
	rec := httptest.NewRecorder()
	mon.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, root+"/", nil))
	var hashes []string
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'self'; script-src 'self' " + strings.Join(hashes, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
