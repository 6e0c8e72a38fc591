package localapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("  hello " + r.URL.RequestURI() + "\n"))
	}))
	defer srv.Close()
	resp, err := Get(context.Background(), nil, srv.URL+"/", "/copyNow?wait=5", 5*time.Second)
	if err != nil || resp.Status != http.StatusTeapot || resp.Body != "hello /copyNow?wait=5" || resp.OK() {
		t.Fatalf("%+v %v", resp, err)
	}
	dead := "http://" + testutil.RefusedAddr(t)
	if _, err := Get(context.Background(), nil, dead, "/heartbeat", time.Second); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("refused: %v", err)
	}
}
