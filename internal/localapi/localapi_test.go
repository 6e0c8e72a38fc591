package localapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String()
	l.Close()
	if _, err := Get(context.Background(), nil, dead, "/heartbeat", time.Second); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("refused: %v", err)
	}
}
