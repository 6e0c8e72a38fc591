package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// Server-Sent Events: the pages follow a task, and Home its live facts,
// on one long response each instead of polling.
const (
	// ssePoll is how often a task stream reads the task's progress from
	// Redis (where the worker's result writer puts it): a finished task
	// shows as finished within this.
	ssePoll = 250 * time.Millisecond
	// sseKeepAlive: a comment line this often keeps nginx (proxy_read_timeout)
	// and phones' carriers from closing a quiet stream.
	sseKeepAlive = 15 * time.Second
	// sseWriteWait bounds each write: the server's write timeout is set
	// again before each one, so a stream may outlive PublicWriteTimeout.
	sseWriteWait = 30 * time.Second
	// sseMaxStream ends a stream; the browser reconnects (after sseRetry)
	// and resumes, so nothing is held for ever by a forgotten tab.
	sseMaxStream = 10 * time.Minute
	sseRetry     = 3 * time.Second
)

// sseStream writes events to one response.
type sseStream struct {
	c  echo.Context
	rc *http.ResponseController
}

// startSSE sends the headers of an event stream: never cached, never
// buffered by nginx (X-Accel-Buffering), compressed by nobody.
func startSSE(c echo.Context) *sseStream {
	h := c.Response().Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Response().WriteHeader(http.StatusOK)
	s := &sseStream{c: c, rc: http.NewResponseController(c.Response())}
	s.write(fmt.Sprintf("retry: %d\n\n", sseRetry.Milliseconds()))
	return s
}

func (s *sseStream) write(text string) error {
	s.rc.SetWriteDeadline(time.Now().Add(sseWriteWait)) // not all writers have one: then the server's applies
	if _, err := s.c.Response().Write([]byte(text)); err != nil {
		return err
	}
	return s.rc.Flush()
}

// event sends one event of name with data as JSON; id, when set, is what
// the browser sends back as Last-Event-ID when it reconnects.
func (s *sseStream) event(id, name string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if id != "" {
		sb.WriteString("id: " + id + "\n")
	}
	sb.WriteString("event: " + name + "\ndata: " + string(b) + "\n\n")
	return s.write(sb.String())
}

func (s *sseStream) keepAlive() error { return s.write(": still here\n\n") }

// taskResult is a finished task's event: its view, and the row of its kind's
// last result as the pages show it (Fields: other page elements, by id,
// that the result changes).
type taskResult struct {
	tasks.View
	Result *view.Row         `json:"result,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// taskEvents is GET /events/task/:id: "progress" events while task id runs
// (each change of its status), a "result" event when it ends, then the same
// for the task its chain moved on to, and "end" after the last. A browser
// that reconnects names the task it was on (Last-Event-ID) and resumes there.
func (s *Server) taskEvents(c echo.Context) error {
	id := c.Param("id")
	if last := c.Request().Header.Get("Last-Event-ID"); last != "" {
		id = last
	}
	ctx := c.Request().Context()
	sse := startSSE(c)
	tick := time.NewTicker(ssePoll)
	defer tick.Stop()
	end := time.After(sseMaxStream)
	quiet := time.Now()
	var sent tasks.View
	fresh := true // nothing sent yet for this id
	for {
		v, err := s.Tasks.Lookup(id)
		if err != nil {
			v = tasks.View{State: tasks.StatePending, Status: "The task queue is not answering; still trying.", Colour: status.Orange}
		}
		if fresh || v != sent {
			name := "progress"
			var data any = v
			if v.Done() {
				name, data = "result", s.resultOf(v)
			}
			if sse.event(id, name, data) != nil {
				return nil
			}
			sent, fresh, quiet = v, false, time.Now()
		}
		if v.Done() {
			if v.Next == "" {
				sse.event("", "end", struct{}{})
				return nil
			}
			id, fresh = v.Next, true
			continue
		}
		if time.Since(quiet) >= sseKeepAlive {
			if sse.keepAlive() != nil {
				return nil
			}
			quiet = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-end:
			return nil
		case <-tick.C:
		}
	}
}

// resultOf is the "result" event of finished task v: its kind's recorded
// outcome when it recorded one (it did unless it failed before it could).
func (s *Server) resultOf(v tasks.View) taskResult {
	r := taskResult{View: v}
	if v.Kind == "" {
		return r
	}
	o, ok := health.LastOutcome(s.Paths, v.Kind)
	if v.State != tasks.StateSuccess || !ok {
		o, ok = health.Outcome{At: time.Now().Truncate(time.Second), Text: v.Status, Failed: v.Colour == status.Red, Colour: v.Colour}, true
	}
	row := view.ResultRow(v.Kind, o, ok)
	r.Result = &row
	if v.Kind == health.KindHeartbeat {
		r.Fields = map[string]string{"hbResult": heartbeat.ReadResult(s.Paths.HeartbeatResult())}
	}
	return r
}

// Home's stream: its live facts this often, the task queue more often.
const (
	homeLiveEvery = 10 * time.Second
	homeTaskEvery = 2 * time.Second
)

// homeTask is Home's "task" event: the task running or queued now.
type homeTask struct {
	ID string `json:"id"`
}

// homeEvents is GET /events/home: a "home" event with the clock, the shots
// and the box's state (view.HomeLive) at once and every homeLiveEvery, and
// a "task" event whenever another background task starts, which the page
// then follows on its own task stream.
func (s *Server) homeEvents(c echo.Context) error {
	ctx := c.Request().Context()
	sse := startSSE(c)
	src := s.homeSources()
	live := time.NewTicker(homeLiveEvery)
	defer live.Stop()
	task := time.NewTicker(homeTaskEvery)
	defer task.Stop()
	end := time.After(sseMaxStream)
	current := ""
	sendLive := func() error { return sse.event("", "home", view.BuildHomeLive(ctx, src)) }
	if sendLive() != nil {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-end:
			return nil
		case <-live.C:
			if sendLive() != nil {
				return nil
			}
		case <-task.C:
			id, err := s.Tasks.Current()
			if err != nil || id == current {
				continue
			}
			current = id
			if id != "" && sse.event("", "task", homeTask{ID: id}) != nil {
				return nil
			}
		}
	}
}
