package tasks

import (
	"context"
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// PreparingUpload is the upload task's first progress line.
const PreparingUpload = "Preparing to transfer images"

// UploadHandler runs the upload task: [Transfer] read at run time, so "Transfer
// now" always uses the saved settings, then transfer.Run with its progress.
type UploadHandler struct {
	Paths paths.Paths
	INI   *config.Store
	Queue *Client // to queue the rest of a chain (afterCopy: the thumbnails)
	// Dropbox says where Dropbox is; zero means the real service.
	Dropbox transfer.DropboxAPI
}

// ProcessTask implements asynq.Handler. Whatever happens, the final status
// says it and the chain goes on.
func (h *UploadHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	Report(t, Status{Text: PreparingUpload, Colour: status.White})
	st := h.upload(ctx, t)
	recordOutcome(ctx, health.OutcomePath(h.Paths, health.KindUpload), st, st.Colour == status.Red)
	st.Next = continueChain(ctx, h.Queue, t)
	Report(t, st)
	return nil
}

func (h *UploadHandler) upload(ctx context.Context, t *asynq.Task) Status {
	f, err := h.INI.Load()
	if err == nil && !f.Exists() {
		const text = "Upload aborted. I've lost the INI file"
		logStatus(h.Paths, text)
		return Status{Text: text, Colour: status.Red}
	}
	if err != nil {
		slog.Error("upload: INI unreadable", "err", err)
		text := "Upload aborted. The INI file could not be read"
		transfer.LogLine(h.Paths, "INI file error: "+err.Error())
		logStatus(h.Paths, text)
		return Status{Text: text + ": " + err.Error(), Colour: status.Red}
	}
	s, err := transfer.FromINI(f)
	if err != nil {
		slog.Warn("INI has malformed values; defaults used for them", "err", err)
	}
	s.Dropbox = h.Dropbox
	var bytes, totalBytes int64
	res, err := transfer.RunCounting(ctx, h.Paths, s, func(i, n int) {
		Report(t, Status{Text: transfer.ProgressMessage(i, n), Colour: status.White,
			Item: i, Items: n, Bytes: bytes, TotalBytes: totalBytes})
	}, func(done, total int64) { bytes, totalBytes = done, total })
	slog.Info("upload", "method", res.Method, "new", res.New, "uploaded", res.Uploaded, "failed", res.Failed, "deleted", res.Deleted, "status", res.Status, "err", err)
	switch {
	case errors.Is(err, transfer.ErrBusy):
		return Status{Text: "Another upload is running: this one was not started", Colour: status.Orange}
	case err != nil && res.Status == "":
		return Status{Text: "Upload failed: " + err.Error(), Colour: status.Red}
	case err != nil && res.Colour != status.Red:
		// Cancelled (the task's time ran out, or the worker is stopping).
		return Status{Text: res.Status, Colour: status.Orange}
	}
	return Status{Text: res.Status, Colour: res.Colour}
}

func logStatus(p paths.Paths, text string) {
	if err := transfer.LogStatus(p, text); err != nil {
		slog.Error("transfer log", "err", err)
	}
}

// recordOutcome keeps how the last task of a kind ended (at path, from
// health.OutcomePath), for the heartbeat's health checks and for the pages,
// which show it until the next run. A plain (white) ending that is not a
// failure shows green: done, and nothing to worry about.
// A failure is also marked for the task metrics.
func recordOutcome(ctx context.Context, path string, st Status, failed bool) {
	if failed {
		markFailed(ctx)
	}
	c := st.Colour
	if c == status.White || c == status.None {
		c = status.Green
	}
	if failed {
		c = status.Red
	}
	o := health.Outcome{At: time.Now().Truncate(time.Second), Text: st.Text, Failed: failed, Colour: c}
	if err := health.RecordOutcome(path, o); err != nil {
		slog.Error("outcome not recorded", "path", path, "err", err)
	}
}
