package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
)

// recordMargin is kept back from a task's deadline to write its result.
const recordMargin = 500 * time.Millisecond

// HeartbeatHandler runs heartbeat tasks: one GET of the receiver, the result
// written to hbresults.txt and reported to whoever waits.
type HeartbeatHandler struct {
	// ReceiverURL reads [Monitoring] heartbeaturl at run time, as the original
	// does, so "Heartbeat now" always beats to the saved URL.
	ReceiverURL func() (string, error)
	ResultPath  string       // hbresults.txt
	HTTP        *http.Client // nil: a default client
	Now         func() time.Time
}

// ProcessTask implements asynq.Handler.
func (h *HeartbeatHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if ctx.Err() != nil { // past its deadline before it started: a late beat would lie
		return fmt.Errorf("heartbeat not sent: %w", ctx.Err())
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	Report(t, Status{Text: "Starting heartbeat", Colour: White})
	receiver, err := h.ReceiverURL()
	if err != nil {
		return fmt.Errorf("heartbeat not sent: %w", err)
	}
	if err := heartbeat.ValidateURL(receiver); err != nil {
		Report(t, Status{Text: "No heartbeat sent: " + err.Error(), Colour: Red})
		return nil
	}
	timeout := heartbeat.ReceiverTimeout
	// Leave time to record the outcome before the task's own deadline.
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d)-recordMargin)
	}
	o := heartbeat.Ping(ctx, h.HTTP, receiver, timeout)
	at := now()
	if err := heartbeat.WriteResult(h.ResultPath, at, o); err != nil {
		slog.Error("heartbeat result not recorded", "err", err)
	}
	slog.Info("heartbeat sent", "result", o.ResultText(), "detail", o.Detail)
	s := Status{StatusCode: o.StatusCode}
	if o.OK() {
		s.Text, s.Colour = fmt.Sprintf("Heartbeat sent OK (%d)", o.StatusCode), White
	} else {
		s.Text, s.Colour = "Heartbeat failed ("+o.ResultText()+")", Red
	}
	Report(t, s)
	return nil
}
