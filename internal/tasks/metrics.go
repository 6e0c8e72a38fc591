package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
)

// runsKey is the Redis hash of the worker's task runs: for each task type and
// result ("ok" or "failed"), a count and a total of seconds. Both processes
// reach Redis, so the web server's /metrics reads what the worker wrote; the
// counters restart from zero with a Redis that lost its data, which
// Prometheus takes as a counter reset.
const runsKey = "intvlm8r:task-runs"

// Results of a run.
const (
	ResultOK     = "ok"
	ResultFailed = "failed"
)

type failMark struct{ failed atomic.Bool }

type failKey struct{}

// markFailed tells the metrics middleware that the task ended in failure
// although its handler returns nil (the status, not Asynq, carries it).
func markFailed(ctx context.Context) {
	if m, ok := ctx.Value(failKey{}).(*failMark); ok {
		m.failed.Store(true)
	}
}

// RecordRun adds one run of a task type to the counts in Redis.
func (c *Client) RecordRun(ctx context.Context, taskType, result string, d time.Duration) error {
	field := taskType + "|" + result
	_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, runsKey, field+"|count", 1)
		p.HIncrByFloat(ctx, runsKey, field+"|seconds", d.Seconds())
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the %s task's run: %w", taskType, err)
	}
	return nil
}

// TaskRuns reads the counts RecordRun keeps, sorted by type and result.
func (c *Client) TaskRuns(ctx context.Context) ([]health.TaskRuns, error) {
	h, err := c.rdb.HGetAll(ctx, runsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("read task runs: %w", err)
	}
	byKey := map[[2]string]*health.TaskRuns{}
	for field, v := range h {
		parts := strings.Split(field, "|")
		if len(parts) != 3 {
			continue
		}
		k := [2]string{parts[0], parts[1]}
		r := byKey[k]
		if r == nil {
			r = &health.TaskRuns{Type: parts[0], Result: parts[1]}
			byKey[k] = r
		}
		switch parts[2] {
		case "count":
			r.Count, _ = strconv.ParseUint(v, 10, 64)
		case "seconds":
			r.Seconds, _ = strconv.ParseFloat(v, 64)
		}
	}
	runs := make([]health.TaskRuns, 0, len(byKey))
	for _, r := range byKey {
		runs = append(runs, *r)
	}
	slices.SortFunc(runs, func(a, b health.TaskRuns) int {
		return strings.Compare(a.Type+"|"+a.Result, b.Type+"|"+b.Result)
	})
	return runs, nil
}

// RunMetrics is the worker's middleware: it times every task, records the
// run in Redis (failed: the handler returned an error, or the task's own
// status said it failed), then calls after (when set) with the task's type:
// the worker pushes the metrics there at the end of a copy or an upload.
func (c *Client) RunMetrics(after func(ctx context.Context, taskType string)) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			m := &failMark{}
			start := time.Now()
			err := next.ProcessTask(context.WithValue(ctx, failKey{}, m), t)
			d := time.Since(start)
			result := ResultOK
			if err != nil || m.failed.Load() {
				result = ResultFailed
			}
			// Its own short bound: a task cut by its deadline is still counted.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if rerr := c.RecordRun(rctx, t.Type(), result, d); rerr != nil {
				slog.Warn("task metrics", "err", rerr)
			}
			cancel()
			if after != nil {
				after(ctx, t.Type())
			}
			return err
		})
	}
}
