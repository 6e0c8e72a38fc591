package tasks

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/hibiken/asynq"
)

// continueChain queues the rest of t's chain on q and returns the new task's
// id ("" at the end of the chain, or when it could not be queued). Every
// handler calls it last, whatever its own outcome, so a failed step never
// strands the steps after it (an upload that failed still gets thumbnails).
func continueChain(ctx context.Context, q *Client, t *asynq.Task) string {
	var p ChainPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.Then) == 0 {
		return ""
	}
	nt, err := NewChain(p.Then...)
	if err != nil {
		return ""
	}
	if q == nil {
		slog.Error("chain stopped: no queue to continue on", "after", t.Type(), "next", p.Then[0])
		return ""
	}
	// The rest of the chain must be queued even when this task's own time ran out.
	id, err := q.Enqueue(context.WithoutCancel(ctx), nt)
	if err != nil {
		slog.Error("chain stopped", "after", t.Type(), "next", p.Then[0], "err", err)
		return ""
	}
	return id
}
