package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSecurity(t *testing.T) {
	rcv := NewReceiver(t)
	b := StartBox(t, monitoringINI("5", rcv.URL))
	base := "http://" + b.UIAddr

	t.Run("logged out, every page sends you to login", func(t *testing.T) {
		c := b.Client()
		for _, path := range []string{"/", "/thumbnails", "/camera", "/intervalometer", "/transfer", "/thermal",
			"/monitoring", "/system", "/asynqmon", "/asynqmon/", "/asynqmon/api/queues", "/logout"} {
			resp, err := c.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			readAll(resp)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("GET %s: %d to %q, want a redirect to /login", path, resp.StatusCode, loc)
			}
		}
		resp, _ := c.Get(base + "/backgroundStatus/abc")
		readAll(resp)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /backgroundStatus logged out: %d, want 401", resp.StatusCode)
		}
		for _, path := range []string{"/monitoring", "/monHbNow", "/logout"} {
			resp, _ := c.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader("monApply=1&hbFreq=Off"))
			readAll(resp)
			if resp.StatusCode < 300 || resp.StatusCode == http.StatusOK {
				t.Errorf("POST %s logged out: %d", path, resp.StatusCode)
			}
		}
	})

	t.Run("open to all: login, robots.txt, static assets", func(t *testing.T) {
		c := b.Client()
		for _, path := range []string{"/login", "/robots.txt", "/static/main.css", "/static/app.js", "/static/favicon.svg"} {
			resp, err := c.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(resp)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
			if path == "/robots.txt" && !strings.Contains(body, "Disallow: /") {
				t.Errorf("robots.txt = %q", body)
			}
		}
	})

	t.Run("session cookie flags", func(t *testing.T) {
		var found bool
		// The login response set the cookie: check its attributes there.
		c2 := b.Client()
		resp, _ := c2.Get(base + "/login")
		body := readAll(resp)
		tok := csrfField.FindStringSubmatch(body)[1]
		resp, _ = c2.PostForm(base+"/login", url.Values{"username": {testUser}, "password": {testPassword}, "_csrf": {tok}})
		readAll(resp)
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "intvlm8r=") {
				found = true
				if !strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Lax") {
					t.Errorf("session cookie %q lacks HttpOnly or SameSite", h)
				}
				if strings.Contains(h, "Max-Age") || strings.Contains(h, "Expires") {
					t.Errorf("session cookie %q outlives the browser without Remember me", h)
				}
			}
		}
		if !found {
			t.Fatal("no session cookie set at login")
		}
	})

	t.Run("wrong password refused", func(t *testing.T) {
		c := b.Client()
		resp, _ := c.Get(base + "/login")
		tok := csrfField.FindStringSubmatch(readAll(resp))[1]
		resp, _ = c.PostForm(base+"/login", url.Values{"username": {testUser}, "password": {"wrong"}, "_csrf": {tok}})
		readAll(resp)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Fatalf("wrong password went to %q", loc)
		}
		resp, _ = c.Get(base + "/monitoring")
		readAll(resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatal("logged in with a wrong password")
		}
	})

	t.Run("POST without the CSRF token is refused", func(t *testing.T) {
		c := b.Client()
		b.Login(c)
		before := b.ReadFile("www/intvlm8r.ini")
		for _, path := range []string{"/monitoring", "/monHbNow"} {
			resp, err := c.PostForm(base+path, url.Values{"monApply": {"apply"}, "hbFreq": {"10"}, "hbUrl": {"http://evil.example/"}})
			if err != nil {
				t.Fatal(err)
			}
			readAll(resp)
			if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without token: %d, want 400 or 403", path, resp.StatusCode)
			}
		}
		// A wrong token, and a cross-site browser request, are refused too.
		req, _ := http.NewRequest(http.MethodPost, base+"/monitoring", strings.NewReader("monApply=apply&hbFreq=10&hbUrl=http://evil.example/&_csrf=forged"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := c.Do(req)
		readAll(resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("forged token: %d, want 403", resp.StatusCode)
		}
		req, _ = http.NewRequest(http.MethodPost, base+"/monitoring", strings.NewReader("monApply=apply&hbFreq=10&hbUrl=http://evil.example/"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, _ = c.Do(req)
		readAll(resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
		}
		if after := b.ReadFile("www/intvlm8r.ini"); after != before {
			t.Fatalf("a refused POST changed the INI:\n%s", after)
		}
	})

	t.Run("local-only endpoints are not on the public listener", func(t *testing.T) {
		c := b.Client()
		b.Login(c)
		before := rcv.Count()
		for _, hdr := range []map[string]string{nil, {"X-Real-IP": "127.0.0.1"}, {"X-Forwarded-For": "127.0.0.1"}} {
			req, _ := http.NewRequest(http.MethodGet, base+"/heartbeat", nil)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readAll(resp)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET /heartbeat on the public listener with %v: %d, want 404", hdr, resp.StatusCode)
			}
		}
		if rcv.Count() != before {
			t.Fatal("a public request sent a heartbeat")
		}
		// And the UI is not on the local listener.
		resp, err := http.Get(b.LocalURL + "/monitoring")
		if err != nil {
			t.Fatal(err)
		}
		readAll(resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /monitoring on the local listener: %d, want 404", resp.StatusCode)
		}
	})

	t.Run("monitoring refuses a bad URL on the server", func(t *testing.T) {
		c := b.Client()
		tok := b.Login(c)
		before := b.ReadFile("www/intvlm8r.ini")
		for _, bad := range []url.Values{
			{"monApply": {"apply"}, "hbFreq": {"10"}, "hbUrl": {"javascript:alert(1)"}},
			{"monApply": {"apply"}, "hbFreq": {"10"}, "hbUrl": {""}},
			{"monApply": {"apply"}, "hbFreq": {"7"}, "hbUrl": {"http://ok.example/"}},
		} {
			resp, _ := c.Get(base + "/monitoring")
			tok = csrfField.FindStringSubmatch(readAll(resp))[1]
			bad.Set("_csrf", tok)
			resp, _ = c.PostForm(base+"/monitoring", bad)
			// Refused, the form is drawn again as typed, with the reason.
			page := readAll(resp)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Nothing was saved: ") {
				t.Errorf("%v: no refusal shown (%d)", bad, resp.StatusCode)
			}
		}
		if after := b.ReadFile("www/intvlm8r.ini"); after != before {
			t.Fatalf("refused values changed the INI:\n%s", after)
		}
	})
}
