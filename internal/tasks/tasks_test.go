package tasks

import (
	"context"
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

func TestHeartbeatTaskThroughRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()

	alive, err := c.WorkersAlive()
	if err != nil || alive {
		t.Fatalf("before the worker starts: alive=%v err=%v", alive, err)
	}
	if v, err := c.Lookup("no-such-task"); err != nil || v.State != StateUnknown {
		t.Fatalf("unknown id: %+v %v", v, err)
	}

	// Queued with no worker: PENDING, and Current shows it.
	id, err := c.Enqueue(context.Background(), NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Lookup(id); v.State != StatePending || !strings.Contains(v.Status, "queued") {
		t.Fatalf("queued task view: %+v", v)
	}
	if cur, _ := c.Current(); cur != id {
		t.Fatalf("Current = %q, want the queued %q", cur, id)
	}

	var hits atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer rcv.Close()
	result := filepath.Join(t.TempDir(), "hbresults.txt")
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: r.Addr}, asynq.Config{Concurrency: 1, TaskCheckInterval: 50 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	outcome := filepath.Join(t.TempDir(), "lastheartbeat.json")
	var receiver atomic.Value
	receiver.Store(rcv.URL)
	mux.Handle(TypeHeartbeat, &HeartbeatHandler{ReceiverURL: func() (string, error) { return receiver.Load().(string), nil }, ResultPath: result, OutcomePath: outcome})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.Wait(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != StateSuccess || v.Code != 200 || !strings.Contains(strings.ToLower(v.Status), "heartbeat") || v.Colour != status.White {
		t.Fatalf("finished view: %+v", v)
	}
	if hits.Load() != 1 {
		t.Fatalf("receiver hit %d times", hits.Load())
	}
	if got := heartbeat.ReadResult(result); !strings.HasSuffix(got, "(200)") {
		t.Fatalf("hbresults: %q", got)
	}
	if o, ok := health.ReadOutcome(outcome); !ok || o.Text != v.Status || o.ShowColour() != status.Green || v.Kind != health.KindHeartbeat {
		t.Fatalf("recorded beat: %+v %v (kind %q)", o, ok, v.Kind)
	}
	if alive, _ := c.WorkersAlive(); !alive {
		t.Fatal("running worker not seen")
	}

	// A task past its deadline never sends a beat.
	late := NewHeartbeat(time.Now().Add(-time.Second))
	id2, err := c.Enqueue(context.Background(), late)
	if err != nil {
		t.Fatal(err)
	}
	v, err = c.Wait(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != StateFailure || hits.Load() != 1 {
		t.Fatalf("late task: %+v, hits %d", v, hits.Load())
	}

	// A failed beat says why, in red, on the page and in the record.
	receiver.Store(rcv.URL + "/busy")
	id3, err := c.Enqueue(context.Background(), NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if v, err = c.Wait(ctx, id3); err != nil {
		t.Fatal(err)
	}
	const why = "Heartbeat failed (HTTP error 503: the receiver answered 503 Service Unavailable)"
	if v.Status != why || v.Colour != status.Red {
		t.Fatalf("failed beat: %+v", v)
	}
	if o, ok := health.ReadOutcome(outcome); !ok || o.Text != why || o.ShowColour() != status.Red {
		t.Fatalf("recorded failed beat: %+v %v", o, ok)
	}
}

// After Redis restarts without its data, a long-lived client still queues
// tasks that can be read back; a task Redis lost is never taken as done.
func TestQueueAfterRedisRestart(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()
	ctx := context.Background()
	lost, err := c.Enqueue(ctx, NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	r.Restart(t) // no persistence: the queue, its name and the task are gone

	id, err := c.Enqueue(ctx, NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Lookup(id); err != nil || v.State != StatePending {
		t.Fatalf("task queued after the restart: %+v %v", v, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if v, err := c.Wait(wctx, lost); !errors.Is(err, ErrTaskLost) || v.Done() && err == nil {
		t.Fatalf("waiting on the lost task: %+v %v", v, err)
	}
}

// A frozen Redis (SIGSTOP) holds no caller past its context, and reads as
// the queue being down, not as a missing worker.
func TestFrozenRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()
	id, err := c.Enqueue(context.Background(), NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	r.Freeze()
	defer r.Thaw()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := c.Ready(ctx); !errors.Is(err, ErrQueueDown) {
		t.Fatalf("Ready with Redis frozen: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	if _, err := c.Wait(ctx2, id); !errors.Is(err, ErrQueueDown) || ctx2.Err() == nil {
		t.Fatalf("Wait with Redis frozen returned %v (before its context ended: %v)", err, ctx2.Err() == nil)
	}
	r.Thaw()
	if err := c.Ready(context.Background()); !errors.Is(err, ErrNoWorker) {
		t.Fatalf("Ready after the thaw, with no worker: %v", err)
	}
}
