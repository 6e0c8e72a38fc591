package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// sseEvent is one event read off a stream.
type sseEvent struct{ id, name, data string }

// readEvents reads a stream's events until it ends.
func readEvents(t *testing.T, resp *http.Response) []sseEvent {
	t.Helper()
	var out []sseEvent
	var ev sseEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" {
				out = append(out, ev)
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

func TestTaskEvents(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	get := func(cl *http.Client, path string, h http.Header) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, u.ts.URL+path, nil)
		req.Header.Set("Accept", "text/event-stream")
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	// A stranger gets a 401 the page script can tell apart, not the login page.
	for _, path := range []string{"/events/task/x", "/events/home"} {
		if resp := get(u.anon, path, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a login: %d, want 401", path, resp.StatusCode)
		}
	}

	// A task the queue does not know: its result (unknown, orange), then the end.
	resp := get(u.cl, "/events/task/no-such-task", nil)
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "X-Accel-Buffering": "no", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	evs := readEvents(t, resp)
	if len(evs) != 2 || evs[0].name != "result" || evs[0].id != "no-such-task" || evs[1].name != "end" {
		t.Fatalf("events: %+v", evs)
	}
	var v tasks.View
	if err := json.Unmarshal([]byte(evs[0].data), &v); err != nil || v.State != tasks.StateUnknown || v.Colour != "orange" {
		t.Fatalf("result %s: %+v %v", evs[0].data, v, err)
	}

	// A browser that reconnects resumes at the task it was on.
	evs = readEvents(t, get(u.cl, "/events/task/first", http.Header{"Last-Event-ID": {"second"}}))
	if len(evs) == 0 || evs[0].id != "second" {
		t.Fatalf("after a reconnect: %+v", evs)
	}
}
