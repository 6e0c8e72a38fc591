package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// A finished task's "result" event carries the row its page shows: the
// outcome its kind recorded when it succeeded, else what the task said, red
// only when it failed in red; the heartbeat's also the receiver's answer.
func TestTaskResultEventRow(t *testing.T) {
	p := paths.New(t.TempDir())
	s := &Server{Deps: Deps{Paths: p}}
	if r := s.resultOf(tasks.View{State: tasks.StateUnknown, Status: "not known"}); r.Result != nil || r.Fields != nil {
		t.Errorf("a task of no kind: %+v, want no row", r)
	}
	recorded := health.Outcome{At: time.Date(2026, 12, 7, 9, 30, 0, 0, time.Local), Text: "3 photos copied", Colour: status.Green}
	if err := health.RecordOutcome(health.OutcomePath(p, health.KindCopy), recorded); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.HeartbeatResult(), []byte("Beat sent (200)\nolder line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		v      tasks.View
		text   string
		colour status.Colour
	}{
		{"success, outcome recorded", tasks.View{State: tasks.StateSuccess, Kind: health.KindCopy, Status: "Done.", Colour: status.Green},
			view.ResultRow(health.KindCopy, recorded, true).Value, status.Green},
		{"failure, outcome recorded", tasks.View{State: tasks.StateFailure, Kind: health.KindCopy, Status: "Camera not found.", Colour: status.Red},
			"Camera not found.", status.Red},
		{"success, nothing recorded", tasks.View{State: tasks.StateSuccess, Kind: health.KindThumbnails, Status: "12 thumbnails made.", Colour: status.Green},
			"12 thumbnails made.", status.Green},
		{"failure in orange", tasks.View{State: tasks.StateFailure, Kind: health.KindThumbnails, Status: "Nothing to do.", Colour: status.Orange},
			"Nothing to do.", status.Orange},
		{"heartbeat", tasks.View{State: tasks.StateFailure, Kind: health.KindHeartbeat, Status: "Receiver down.", Colour: status.Red},
			"Receiver down.", status.Red},
	} {
		r := s.resultOf(tc.v)
		if r.Result == nil || !strings.HasSuffix(r.Result.Value, tc.text) || r.Result.Colour != tc.colour || r.View != tc.v {
			t.Errorf("%s: %+v, want a row ending %q in %s", tc.name, r.Result, tc.text, tc.colour)
			continue
		}
		if want := (tc.v.Kind == health.KindHeartbeat); want != (r.Fields["hbResult"] == "Beat sent (200)") || !want && r.Fields != nil {
			t.Errorf("%s: fields %v", tc.name, r.Fields)
		}
	}
}

// eventReader reads a stream's events one at a time.
func eventReader(t *testing.T, resp *http.Response) func() sseEvent {
	sc := bufio.NewScanner(resp.Body)
	return func() sseEvent {
		t.Helper()
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" && ev.name != "":
				return ev
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
		if sc.Err() != nil {
			t.Fatalf("stream ended: %v", sc.Err())
		}
		return sseEvent{}
	}
}

// Home's stream sends the live facts at once, then a "task" event naming a
// task as soon as one is queued.
func TestHomeEventsNameTheQueuedTask(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // the task tick is 2 s
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.ts.URL+"/events/home", nil)
	resp, err := u.cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	next := eventReader(t, resp)
	if ev := next(); ev.name != "home" || !json.Valid([]byte(ev.data)) {
		t.Fatalf("first event: %+v, want the live facts", ev)
	}
	// Twice: the stream stays open after its first task event, for the
	// next task the page should follow.
	for round := 1; round <= 2; round++ {
		id, err := u.tasks.StartChain(ctx, tasks.TypeThumbnails)
		if err != nil {
			t.Fatal(err)
		}
		for {
			ev := next()
			if ev.name == "home" {
				continue
			}
			var got homeTask
			if ev.name != "task" || json.Unmarshal([]byte(ev.data), &got) != nil || got.ID != id {
				t.Fatalf("round %d, after queueing %s: %+v", round, id, ev)
			}
			break
		}
		if err := u.tasks.Inspector.DeleteTask(tasks.Queue, id); err != nil {
			t.Fatal(err)
		}
	}
}

// A task's stream sends its view once while it does not change (a queued
// task waits), then its result when it ends (here: removed from the queue,
// so unknown), then the end.
func TestTaskEventsOnlyOnChange(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	idleWorker(t, u)
	id, err := u.tasks.StartChain(context.Background(), tasks.TypeThumbnails)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.ts.URL+"/events/task/"+id, nil)
	resp, err := u.cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	next := eventReader(t, resp)
	first := next()
	time.Sleep(4 * ssePoll) // the stream reads the unchanged task a few times
	if err := u.tasks.Inspector.DeleteTask(tasks.Queue, id); err != nil {
		t.Fatal(err)
	}
	names := []string{first.name}
	for ev := next(); ev.name != ""; ev = next() {
		names = append(names, ev.name)
	}
	if strings.Join(names, " ") != "progress result end" {
		t.Errorf("events %v, want one progress, the result, the end", names)
	}
}
