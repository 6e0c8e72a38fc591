package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// asynqmon's page runs: every inline script it carries is allowed by its
// hash in the page's Content-Security-Policy, and nothing else inline is.
func TestAsynqmonCSPAllowsItsInlineScripts(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	resp, err := u.cl.Get(u.ts.URL + "/asynqmon/")
	if err != nil {
		t.Fatal(err)
	}
	page := readBody(resp)
	csp := resp.Header.Get("Content-Security-Policy")
	scripts := inlineScript.FindAllStringSubmatch(page, -1)
	if resp.StatusCode != http.StatusOK || len(scripts) < 2 {
		t.Fatalf("/asynqmon/: %d with %d inline scripts", resp.StatusCode, len(scripts))
	}
	for _, m := range scripts {
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("inline script %.60q not allowed by %s", m[1], csp)
		}
	}
	if n := strings.Count(csp, "'sha256-"); n != len(scripts) || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP %s: %d hashes for %d scripts", csp, n, len(scripts))
	}
}

// /metrics on the local listener gives the box's state and the worker's
// task counts.
func TestMetricsHaveTheTaskCounts(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	code, body := do(t, u.anon, http.MethodGet, u.local.URL+"/metrics", nil, "")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	for _, want := range []string{`intvlm8r_tasks{state="pending"} 0`, "intvlm8r_tasks_processed_total 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
}
