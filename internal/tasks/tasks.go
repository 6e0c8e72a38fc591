// Package tasks defines the background work the worker runs on Asynq: task
// type names (readable in asynqmon), payloads, progress reporting through
// Asynq's result writer, and the view of a task that /backgroundStatus gives.
package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"log/slog"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
)

// Task type names, shown as they are in asynqmon.
const (
	TypeHeartbeat  = "heartbeat:send"
	TypeCopy       = "photos:copy-from-camera"
	TypeThumbnails = "photos:make-thumbnails"
	TypeUpload     = "transfer:upload"
)

// Queue is the one queue every task uses: the Pi has one core and little to do.
const Queue = "default"

// Retention keeps a finished task's result readable by /backgroundStatus.
const Retention = 24 * time.Hour

// Status is what a task reports while it runs and when it ends; the pages
// show Text in Colour. Next is the id of the task a chain moves on to.
// A copy or upload also counts: item Item of Items (1-based while it runs:
// "Copying 3 of 10"), and Bytes of TotalBytes moved so far.
type Status struct {
	Text       string        `json:"status"`
	Colour     status.Colour `json:"statusColour"`
	StatusCode int           `json:"statusCode,omitempty"` // heartbeat: the receiver's HTTP status, 0 when none
	Next       string        `json:"next,omitempty"`
	Item       int           `json:"item,omitempty"`
	Items      int           `json:"items,omitempty"`
	Bytes      int64         `json:"bytes,omitempty"`
	TotalBytes int64         `json:"totalBytes,omitempty"`
}

// Report writes s as the task's current result, so the web server can read
// progress with the inspector while the task still runs.
func Report(t *asynq.Task, s Status) {
	w := t.ResultWriter()
	if w == nil {
		return
	}
	data, _ := json.Marshal(s)
	w.Write(data) // a failed progress write only costs the user a stale status line
}

// NewHeartbeat makes a heartbeat task: one GET of the configured receiver,
// bounded by the receiver timeout and by deadline. It is never retried by Asynq: the
// caller decides on the one retry the chain allows, and a beat that could not
// run by its deadline must not run late.
func NewHeartbeat(deadline time.Time) *asynq.Task {
	return asynq.NewTask(TypeHeartbeat, nil,
		asynq.Queue(Queue), asynq.MaxRetry(0), asynq.Deadline(deadline), asynq.Retention(Retention))
}

// Client enqueues tasks and reads them back; the web server holds one.
type Client struct {
	rdb       redis.UniversalClient
	Inspector *asynq.Inspector
}

// NewClient connects to Redis at addr. Every Redis call is bounded by the
// timeouts below and retried once (a pooled connection may have died with a
// restarted Redis), so a frozen Redis costs a caller seconds, not minutes.
func NewClient(addr string) *Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 2 * time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: 1})
	return &Client{rdb: rdb, Inspector: asynq.NewInspectorFromRedisClient(rdb)}
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }

// ErrNoWorker means no worker process is alive to run tasks.
var ErrNoWorker = errors.New("no background worker is running")

// ErrQueueDown means Redis, which holds the task queue, does not answer.
var ErrQueueDown = errors.New("Redis (the task queue) is not answering")

// WorkersAlive reports whether at least one worker is registered and running.
// A worker that stops cleanly unregisters at once; one that is killed drops
// out when its Asynq heartbeat expires (10 s).
func (c *Client) WorkersAlive() (bool, error) {
	servers, err := c.Inspector.Servers()
	if err != nil {
		return false, fmt.Errorf("ask Redis for workers: %w", err)
	}
	for _, s := range servers {
		if s.Status == "active" {
			return true, nil
		}
	}
	return false, nil
}

// Ready says whether a task queued now would run: nil when Redis answers and
// a worker is alive, ErrQueueDown when Redis does not answer by ctx's end (or
// its own timeouts), ErrNoWorker when no worker is there. Both errors are
// short enough to show the user as they are; the cause goes to the log.
func (c *Client) Ready(ctx context.Context) error {
	alive, err := bounded(ctx, c.WorkersAlive)
	if err != nil {
		slog.Warn("task queue unreachable", "err", err)
		return ErrQueueDown
	}
	if !alive {
		return ErrNoWorker
	}
	return nil
}

// bounded runs f, a call that takes no context (the Asynq inspector's), and
// gives up waiting for it when ctx ends; f then finishes on its own within
// the Redis timeouts.
func bounded[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Enqueue puts t on the queue and returns its id.
//
// Each call uses a fresh asynq.Client on the shared connections: an
// asynq.Client registers a queue's name in Redis (the set the inspector
// checks before it reads any task) only the first time it uses that queue.
// After Redis restarts without its data, a long-lived client never
// registered it again, and every task it queued read as "not known".
func (c *Client) Enqueue(ctx context.Context, t *asynq.Task, opts ...asynq.Option) (string, error) {
	info, err := asynq.NewClientFromRedisClient(c.rdb).EnqueueContext(ctx, t, opts...)
	if err != nil {
		return "", fmt.Errorf("queue %s task: %w", t.Type(), err)
	}
	return info.ID, nil
}

// State is a task's state in the original's words, which the page script knows.
type State string

const (
	StatePending  State = "PENDING"
	StateProgress State = "PROGRESS"
	StateSuccess  State = "SUCCESS"
	StateFailure  State = "FAILURE"
	StateUnknown  State = "UNKNOWN"
)

// View is what /backgroundStatus/<id> answers. Kind is the task's
// health.Kind* ("copy", …; "" for an unknown task), and the counts are the
// Status's.
type View struct {
	State      State         `json:"state"`
	Status     string        `json:"status"`
	Colour     status.Colour `json:"statusColour"`
	Next       string        `json:"next,omitempty"`
	Kind       string        `json:"kind,omitempty"`
	Item       int           `json:"item,omitempty"`
	Items      int           `json:"items,omitempty"`
	Bytes      int64         `json:"bytes,omitempty"`
	TotalBytes int64         `json:"totalBytes,omitempty"`
	// Code is the heartbeat's receiver status (kept server-side; not shown).
	Code int `json:"-"`
}

// Done reports whether the task has finished, successfully or not.
func (v View) Done() bool {
	return v.State == StateSuccess || v.State == StateFailure || v.State == StateUnknown
}

// Lookup returns the view of task id. An id Asynq does not know is
// StateUnknown (the original reported PENDING for ever).
func (c *Client) Lookup(id string) (View, error) {
	info, err := c.Inspector.GetTaskInfo(Queue, id)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return View{State: StateUnknown, Status: "That background task is not known (finished long ago, or never queued).", Colour: status.Orange}, nil
	}
	if err != nil {
		return View{}, fmt.Errorf("look up task %s: %w", id, err)
	}
	return viewOf(info), nil
}

func viewOf(info *asynq.TaskInfo) View {
	var s Status
	if len(info.Result) > 0 {
		json.Unmarshal(info.Result, &s) // a malformed result shows as an empty status, not an error page
	}
	v := View{Status: s.Text, Colour: s.Colour, Next: s.Next, Code: s.StatusCode, Kind: KindOf(info.Type),
		Item: s.Item, Items: s.Items, Bytes: s.Bytes, TotalBytes: s.TotalBytes}
	switch info.State {
	case asynq.TaskStateActive:
		v.State = StateProgress
		if v.Status == "" {
			v.Status, v.Colour = describe(info.Type)+" running", status.White
		}
	case asynq.TaskStateCompleted:
		v.State = StateSuccess
	case asynq.TaskStateArchived:
		v.State = StateFailure
		v.Colour = status.Red
		if info.LastErr != "" {
			v.Status = describe(info.Type) + " failed: " + info.LastErr
		} else if v.Status == "" {
			v.Status = describe(info.Type) + " failed"
		}
	default: // pending, scheduled, retry, aggregating
		v.State = StatePending
		if v.Status == "" {
			v.Status, v.Colour = describe(info.Type)+" queued, waiting for the worker", status.White
		}
	}
	return v
}

// KindOf is the outcome kind (health.Kind*) of a task type, "" for none.
func KindOf(taskType string) string {
	switch taskType {
	case TypeHeartbeat:
		return health.KindHeartbeat
	case TypeCopy:
		return health.KindCopy
	case TypeThumbnails:
		return health.KindThumbnails
	case TypeUpload:
		return health.KindUpload
	}
	return ""
}

func describe(taskType string) string {
	switch taskType {
	case TypeHeartbeat:
		return "Heartbeat"
	case TypeCopy:
		return "Copy from the camera"
	case TypeThumbnails:
		return "Thumbnail creation"
	case TypeUpload:
		return "Upload"
	}
	return "Background task " + taskType
}

// Current returns the id of the task running now, or else the oldest one
// waiting, so every page can show it; "" when the queue is idle.
func (c *Client) Current() (string, error) {
	active, err := c.Inspector.ListActiveTasks(Queue, asynq.PageSize(1))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return "", fmt.Errorf("list running tasks: %w", err)
	}
	if len(active) > 0 {
		return active[0].ID, nil
	}
	pending, err := c.Inspector.ListPendingTasks(Queue, asynq.PageSize(1))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return "", fmt.Errorf("list queued tasks: %w", err)
	}
	if len(pending) > 0 {
		return pending[0].ID, nil
	}
	return "", nil
}

// ErrTaskLost means a task this process queued is no longer in Redis: Redis
// restarted and lost it (no persistence, or an older snapshot). Whether it
// ran cannot be known, so it never counts as done.
var ErrTaskLost = errors.New("the task queue lost the task (did Redis restart?)")

// Wait polls task id, which the caller queued, until it finishes or ctx
// ends; a Redis that stops answering cannot hold it past ctx's end. On
// ctx's end the task is removed (or cancelled, if it already runs) so that
// it never acts late.
func (c *Client) Wait(ctx context.Context, id string) (View, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	answered := time.Now() // when Redis last answered a lookup
	for {
		v, err := bounded(ctx, func() (View, error) { return c.Lookup(id) })
		if err == nil {
			answered = time.Now()
			if v.State == StateUnknown {
				return v, fmt.Errorf("task %s: %w", id, ErrTaskLost)
			}
			if v.Done() {
				return v, nil
			}
		}
		select {
		case <-ctx.Done():
			// In the background: a frozen Redis must not hold the caller.
			go func() {
				if c.Inspector.DeleteTask(Queue, id) != nil {
					c.Inspector.CancelProcessing(id)
				}
			}()
			if time.Since(answered) > redisSilence {
				return View{}, fmt.Errorf("task %s: %w: %w", id, ErrQueueDown, err)
			}
			return v, fmt.Errorf("task %s did not finish in time: %w", id, ctx.Err())
		case <-tick.C:
		}
	}
}

// redisSilence is how long Redis may leave lookups unanswered, at the end
// of a wait, before the wait blames Redis rather than the task.
const redisSilence = time.Second

// QueueStats are the task counts of the queue, for the metrics.
func (c *Client) QueueStats() (health.QueueStats, error) {
	queues, err := c.Inspector.Queues()
	if err != nil {
		return health.QueueStats{}, fmt.Errorf("queue info: %w", err)
	}
	if !slices.Contains(queues, Queue) {
		return health.QueueStats{}, nil // nothing queued yet (so nothing run): all zero
	}
	q, err := c.Inspector.GetQueueInfo(Queue)
	if err != nil {
		return health.QueueStats{}, fmt.Errorf("queue info: %w", err)
	}
	runs, err := c.TaskRuns(context.Background()) // bounded by the client's Redis timeouts
	if err != nil {
		return health.QueueStats{}, err
	}
	return health.QueueStats{Pending: q.Pending, Active: q.Active, Scheduled: q.Scheduled, Retry: q.Retry,
		Archived: q.Archived, Completed: q.Completed, ProcessedTotal: q.ProcessedTotal, FailedTotal: q.FailedTotal, Runs: runs}, nil
}
