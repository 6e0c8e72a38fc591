package tasks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The middleware counts each run by type and result in Redis, where the web
// server's /metrics reads them, and calls after once the run is counted.
func TestRunMetricsCountsRunsInRedis(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()

	var after []string
	mw := c.RunMetrics(func(ctx context.Context, taskType string) {
		runs, err := c.TaskRuns(ctx)
		if err != nil || len(runs) == 0 {
			t.Errorf("after %s: the run is not counted yet: %v %v", taskType, runs, err)
		}
		after = append(after, taskType)
	})
	run := func(typ string, h func(ctx context.Context) error) error {
		return mw(asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error { return h(ctx) })).
			ProcessTask(context.Background(), asynq.NewTask(typ, nil))
	}
	ok := func(context.Context) error { time.Sleep(20 * time.Millisecond); return nil }
	marked := func(ctx context.Context) error { markFailed(ctx); return nil }
	boom := errors.New("boom")
	for range 2 {
		if err := run(TypeCopy, ok); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(TypeUpload, marked); err != nil {
		t.Fatal(err)
	}
	if err := run(TypeHeartbeat, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("the handler's error was not passed on: %v", err)
	}

	runs, err := c.TaskRuns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []health.TaskRuns{
		{Type: TypeHeartbeat, Result: ResultFailed, Count: 1},
		{Type: TypeCopy, Result: ResultOK, Count: 2},
		{Type: TypeUpload, Result: ResultFailed, Count: 1},
	}
	if len(runs) != len(want) {
		t.Fatalf("runs %+v, want %+v", runs, want)
	}
	for i, w := range want {
		if runs[i].Type != w.Type || runs[i].Result != w.Result || runs[i].Count != w.Count {
			t.Errorf("run %d: %+v, want %+v", i, runs[i], w)
		}
	}
	if copySecs := runs[1].Seconds; copySecs < 0.04 || copySecs > 5 {
		t.Errorf("two copies of at least 20 ms each took %v s in all", copySecs)
	}
	if len(after) != 4 || after[0] != TypeCopy || after[3] != TypeHeartbeat {
		t.Errorf("after called for %v", after)
	}

	// QueueStats carries them to /metrics and the push.
	if _, err := c.Enqueue(context.Background(), NewHeartbeat(time.Now().Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	q, err := c.QueueStats()
	if err != nil || len(q.Runs) != 3 || q.Pending != 1 {
		t.Fatalf("QueueStats %+v %v", q, err)
	}
}

// BenchmarkRunMetrics is what the middleware adds to every task: one Redis
// transaction on loopback.
func BenchmarkRunMetrics(b *testing.B) {
	r := testutil.StartRedis(b)
	c := NewClient(r.Addr)
	defer c.Close()
	h := c.RunMetrics(nil)(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return nil }))
	task := asynq.NewTask(TypeCopy, nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := h.ProcessTask(context.Background(), task); err != nil {
			b.Fatal(err)
		}
	}
}
