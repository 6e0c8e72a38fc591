// Package ctxutil holds the one context-aware sleep the packages share.
package ctxutil

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, whichever comes first, and returns
// ctx.Err() when ctx ended. A d of zero or less does not wait but still
// reports an ended ctx, so a loop that sleeps between tries always stops
// once its context is cancelled.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
