package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The body limits: 4 kB on /login, 64 kB on the other public routes, 1 kB on
// the local listener; a body over its limit gets 413 before anything reads it.
func TestBodyLimitsPerRoute(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	body := func(n int) string { return "username=admin&x=" + strings.Repeat("a", n) }
	for _, tc := range []struct {
		cl   *http.Client
		url  string
		size int
		want int
	}{
		{u.anon, u.ts.URL + "/login", 3 << 10, http.StatusForbidden}, // within: on to the CSRF check
		{u.anon, u.ts.URL + "/login", 5 << 10, http.StatusRequestEntityTooLarge},
		{u.cl, u.ts.URL + "/system", 5 << 10, http.StatusForbidden},
		{u.cl, u.ts.URL + "/system", 60 << 10, http.StatusForbidden},
		{u.cl, u.ts.URL + "/system", 70 << 10, http.StatusRequestEntityTooLarge},
		{u.anon, u.local.URL + "/getTime", 2 << 10, http.StatusRequestEntityTooLarge},
	} {
		method := http.MethodPost
		if strings.HasPrefix(tc.url, u.local.URL) {
			method = http.MethodGet
		}
		if code, got := do(t, tc.cl, method, tc.url, form, body(tc.size)); code != tc.want {
			t.Errorf("%s %s with %d bytes: %d, want %d\n%.300s", method, tc.url, tc.size, code, tc.want, got)
		}
	}
}

// deadlineWriter is a ResponseWriter that records the read deadlines set
// through http.ResponseController, as net/http's own writer takes them.
type deadlineWriter struct {
	http.ResponseWriter
	set []time.Time
}

func (w *deadlineWriter) SetReadDeadline(d time.Time) error {
	w.set = append(w.set, d)
	return nil
}

// bodyDeadline gives a body bodyReadTimeout to arrive and clears the
// deadline once, at its end (not before: a body that stalls half way is
// still cut off); a request without a body gets no deadline.
func TestBodyDeadlineSetAndClearedAtTheEnd(t *testing.T) {
	e := echo.New()
	start := time.Now()
	rec := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=admin"))
	var midway []time.Time
	h := bodyDeadline(func(c echo.Context) error {
		b := c.Request().Body
		p := make([]byte, 4)
		if _, err := b.Read(p); err != nil {
			t.Fatal(err)
		}
		midway = append(midway, rec.set...)
		io.Copy(io.Discard, b)
		b.Read(p) // a read after the end changes nothing
		return nil
	})
	if err := h(e.NewContext(req, rec)); err != nil {
		t.Fatal(err)
	}
	if len(midway) != 1 || midway[0].Before(start.Add(bodyReadTimeout)) || midway[0].After(time.Now().Add(bodyReadTimeout)) {
		t.Errorf("deadline half way through the body: %v, want one, bodyReadTimeout from the start", midway)
	}
	if len(rec.set) != 2 || !rec.set[1].IsZero() {
		t.Errorf("deadlines after the body: %v, want the one set then one cleared", rec.set)
	}

	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/", nil),
		httptest.NewRequest(http.MethodPost, "/login", http.NoBody),
		func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(""))
			r.ContentLength = 0
			return r
		}(),
	} {
		rec := &deadlineWriter{ResponseWriter: httptest.NewRecorder()}
		if err := bodyDeadline(func(echo.Context) error { return nil })(e.NewContext(req, rec)); err != nil {
			t.Fatal(err)
		}
		if len(rec.set) != 0 {
			t.Errorf("%s %s without a body: deadlines %v", req.Method, req.URL, rec.set)
		}
	}
}
