package tasks

import (
	"context"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// A copy that has just finished does not refuse the next one, though the
// worker's heartbeat (every 5 s) still lists it as running.
func TestFinishedTaskIsNotBusy(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()
	release := make(chan struct{})
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: r.Addr}, asynq.Config{Concurrency: 1, Queues: map[string]int{Queue: 1}, TaskCheckInterval: 20 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.HandleFunc(TypeCopy, func(context.Context, *asynq.Task) error { <-release; return nil })
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	id, err := c.StartChain(context.Background(), TypeCopy)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for a heartbeat that shows the copy running.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if busy, err := c.busy(TypeCopy); err != nil {
			t.Fatal(err)
		} else if busy {
			if ti, err := c.Inspector.GetTaskInfo(Queue, id); err == nil && ti.State == asynq.TaskStateActive {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the copy never showed as running")
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(release)
	for {
		ti, err := c.Inspector.GetTaskInfo(Queue, id)
		if err == nil && ti.State == asynq.TaskStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the copy did not complete: %+v %v", ti, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if busy, err := c.busy(TypeCopy); err != nil || busy {
		t.Fatalf("busy = %v, %v after the copy completed", busy, err)
	}
}
