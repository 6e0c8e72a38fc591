// Package localapi is how the oneshots call the web server's local-only
// endpoints (/heartbeat, /copyNow, …) on the loopback listener.
package localapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Response is a local endpoint's answer.
type Response struct {
	Status int
	Body   string // trimmed, at most 4 KiB
}

// OK reports a 2xx answer.
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Get calls base+path (e.g. "http://127.0.0.1:8080" + "/copyNow?wait=60")
// within timeout. The boot units start after the web server has told
// systemd it listens (Type=notify), so a refused connection is a real failure.
func Get(ctx context.Context, client *http.Client, base, path string, timeout time.Duration) (Response, error) {
	if client == nil {
		client = &http.Client{}
	}
	return get(ctx, client, strings.TrimRight(base, "/")+path, timeout)
}

func get(ctx context.Context, client *http.Client, target string, timeout time.Duration) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Response{}, fmt.Errorf("bad local URL %q: %w", target, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("the web server did not answer at %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return Response{Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}, nil
}
