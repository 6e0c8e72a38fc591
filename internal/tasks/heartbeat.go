package tasks

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
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
	// Body, when set, gives the beat's JSON body and whether a health check
	// failed (the beat then goes to the receiver's /fail address). A nil
	// body means a plain GET, as the original sends.
	Body func(ctx context.Context) (body []byte, failed bool)
	// BodyPath keeps the last body sent, for the Monitoring page (removed
	// after a plain GET).
	BodyPath string
	// OutcomePath, when set, records the beat's outcome for the pages
	// (health.OutcomePath(p, health.KindHeartbeat)).
	OutcomePath string
}

// healthBudget bounds gathering the body, out of the beat's own time.
const healthBudget = 4 * time.Second

// ProcessTask implements asynq.Handler.
func (h *HeartbeatHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if ctx.Err() != nil { // past its deadline before it started: a late beat would lie
		return fmt.Errorf("heartbeat not sent: %w", ctx.Err())
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	Report(t, Status{Text: "Starting heartbeat", Colour: status.White})
	receiver, err := h.ReceiverURL()
	if err != nil {
		return fmt.Errorf("heartbeat not sent: %w", err)
	}
	if err := heartbeat.ValidateURL(receiver); err != nil {
		s := Status{Text: "No heartbeat sent: " + err.Error(), Colour: status.Red}
		h.record(ctx, s)
		Report(t, s)
		return nil
	}
	timeout := heartbeat.ReceiverTimeout
	// Leave time to record the outcome before the task's own deadline.
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d)-recordMargin)
	}
	var body []byte
	if h.Body != nil {
		gctx, cancel := context.WithTimeout(ctx, healthBudget)
		var failed bool
		body, failed = h.Body(gctx)
		cancel()
		if failed {
			if fail, err := heartbeat.FailURL(receiver); err == nil {
				receiver = fail
			}
		}
		if d, ok := ctx.Deadline(); ok {
			timeout = min(timeout, time.Until(d)-recordMargin)
		}
	}
	o := heartbeat.Send(ctx, h.HTTP, receiver, body, timeout)
	at := now()
	h.keepBody(body)
	if err := heartbeat.WriteResult(h.ResultPath, at, o); err != nil {
		slog.Error("heartbeat result not recorded", "err", err)
	}
	slog.Info("heartbeat sent", "result", o.ResultText(), "detail", o.Detail)
	s := Status{StatusCode: o.StatusCode}
	if o.OK() {
		s.Text, s.Colour = fmt.Sprintf("Heartbeat sent OK (%d)", o.StatusCode), status.White
	} else {
		s.Text, s.Colour = "Heartbeat failed ("+o.Explained()+")", status.Red
	}
	h.record(ctx, s)
	Report(t, s)
	return nil
}

// record keeps the beat's outcome; a red one also marks the run failed.
func (h *HeartbeatHandler) record(ctx context.Context, s Status) {
	if h.OutcomePath != "" {
		recordOutcome(ctx, h.OutcomePath, s, s.Colour == status.Red)
	} else if s.Colour == status.Red {
		markFailed(ctx)
	}
}

func (h *HeartbeatHandler) keepBody(body []byte) {
	if h.BodyPath == "" {
		return
	}
	var err error
	if body == nil {
		err = os.Remove(h.BodyPath)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	} else {
		err = fileutil.WriteAtomic(h.BodyPath, body, 0o644)
	}
	if err != nil {
		slog.Error("heartbeat body not recorded", "err", err)
	}
}
