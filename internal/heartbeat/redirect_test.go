package heartbeat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// A receiver's redirects are followed up to maxRedirects, as a browser
// would; a 3xx that is not followed is a "Redir error"; 4xx is an HTTP error.
func TestRedirectsAndThreeHundreds(t *testing.T) {
	mux := http.NewServeMux()
	// /hop/N redirects N more times, then answers 200.
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			w.Write([]byte("OK"))
			return
		}
		http.Redirect(w, r, "/hop/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/code/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		w.WriteHeader(n)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		path, want string
	}{
		{"/hop/1", "200"},
		{"/hop/" + strconv.Itoa(maxRedirects-1), "200"},
		{"/hop/" + strconv.Itoa(maxRedirects), "Redir error"},
		{"/code/299", "299"},
		{"/code/300", "Redir error"}, // Multiple Choices, no Location: not followed
		{"/code/399", "Redir error"},
		{"/code/400", "HTTP error 400"},
	} {
		if got := Ping(ctx, nil, srv.URL+tc.path, time.Second).ResultText(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.path, got, tc.want)
		}
	}
}
