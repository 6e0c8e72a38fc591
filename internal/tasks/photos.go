package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

// ChainPayload carries the rest of a chain: the task types to run after this
// one, in order (Celery's chains, done by each task queueing the next).
type ChainPayload struct {
	Then []string `json:"then,omitempty"`
}

// Task limits, as the original's Celery limits.
const (
	copyTimeout   = 30 * time.Minute
	thumbsTimeout = 30 * time.Minute
	uploadTimeout = 30 * time.Minute
	// copyCameraWait bounds the copy's wait for a page that holds the camera.
	copyCameraWait = 20 * time.Second
)

// NewChain makes the first task of a chain of task types, e.g.
// NewChain(TypeCopy, TypeThumbnails).
func NewChain(types ...string) (*asynq.Task, error) {
	if len(types) == 0 {
		return nil, errors.New("empty chain")
	}
	data, err := json.Marshal(ChainPayload{Then: types[1:]})
	if err != nil {
		return nil, err
	}
	opts := []asynq.Option{asynq.Queue(Queue), asynq.MaxRetry(0), asynq.Retention(Retention)}
	switch types[0] {
	// No asynq.Unique: its lock outlives a worker killed mid-task, which would
	// refuse copies for its whole TTL. StartChain's check and the copy's own
	// flock keep copies to one at a time instead.
	case TypeCopy:
		opts = append(opts, asynq.Timeout(copyTimeout))
	case TypeThumbnails:
		opts = append(opts, asynq.Timeout(thumbsTimeout))
	case TypeUpload:
		opts = append(opts, asynq.Timeout(uploadTimeout))
	}
	return asynq.NewTask(types[0], data, opts...), nil
}

// ErrAlreadyRunning means a task of that kind is already queued or running.
var ErrAlreadyRunning = errors.New("already queued or running")

// StartChain queues a chain unless its first task's kind is already queued
// or running, which it reports as ErrAlreadyRunning.
func (c *Client) StartChain(ctx context.Context, types ...string) (string, error) {
	if busy, err := c.busy(types[0]); err != nil {
		return "", err
	} else if busy {
		return "", fmt.Errorf("%s: %w", describe(types[0]), ErrAlreadyRunning)
	}
	t, err := NewChain(types...)
	if err != nil {
		return "", err
	}
	return c.Enqueue(ctx, t)
}

// busy reports whether a task of taskType is queued, or running on a live
// worker. A task left "active" by a killed worker does not count: Asynq
// archives it once its lease runs out, but the user need not wait for that.
// A worker's list of running tasks is refreshed only with its heartbeat
// (every 5 s), so a task counts as running only while Redis still holds it
// as active too: a chain that just ended does not refuse the next one.
func (c *Client) busy(taskType string) (bool, error) {
	pending, err := c.Inspector.ListPendingTasks(Queue)
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return false, fmt.Errorf("list tasks: %w", err)
	}
	for _, ti := range pending {
		if ti.Type == taskType {
			return true, nil
		}
	}
	active, err := c.Inspector.ListActiveTasks(Queue)
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return false, fmt.Errorf("list running tasks: %w", err)
	}
	running := map[string]bool{}
	for _, ti := range active {
		if ti.Type == taskType {
			running[ti.ID] = true
		}
	}
	if len(running) == 0 {
		return false, nil
	}
	servers, err := c.Inspector.Servers()
	if err != nil {
		return false, fmt.Errorf("list workers: %w", err)
	}
	for _, s := range servers {
		for _, w := range s.ActiveWorkers {
			if running[w.TaskID] {
				return true, nil
			}
		}
	}
	return false, nil
}

// WaitChain waits for the task id and every task its chain moves on to,
// and returns their views in order.
func (c *Client) WaitChain(ctx context.Context, id string) ([]View, error) {
	var views []View
	for {
		v, err := c.Wait(ctx, id)
		if err != nil {
			return views, err
		}
		views = append(views, v)
		if v.Next == "" {
			return views, nil
		}
		id = v.Next
	}
}

// PhotoHandlers run the copy from the camera and the thumbnails.
type PhotoHandlers struct {
	Paths  paths.Paths
	INI    *config.Store
	Camera camera.Driver
	Waker  camera.Waker // the Arduino's WC; nil when there is none
	Queue  *Client      // to queue the rest of a chain
}

func (h *PhotoHandlers) settings() (config.Settings, error) {
	s, warning, err := h.INI.Settings()
	if warning != nil {
		slog.Warn("INI has malformed values; defaults used for them", "err", warning)
	}
	return s, err
}

// next queues the rest of t's chain and returns the new task's id ("" at the end).
func (h *PhotoHandlers) next(ctx context.Context, t *asynq.Task) string {
	return continueChain(ctx, h.Queue, t)
}

// Copy copies new photos from the camera to the Pi.
func (h *PhotoHandlers) Copy(ctx context.Context, t *asynq.Task) error {
	Report(t, Status{Text: photos.PreparingMessage, Colour: status.White})
	set, err := h.settings()
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	var bytes, totalBytes int64
	opts := photos.CopyOptions{
		DeleteAfterCopy: set.Copy.DeleteAfterCopy,
		RenameOnCopy:    set.Copy.RenameOnCopy,
		RenameTemplate:  set.Copy.RenameString,
		Bytes:           func(done, total int64) { bytes, totalBytes = done, total },
	}
	var res photos.CopyResult
	serr := camera.SessionWith(ctx, h.Camera, h.Paths.CameraLock(),
		camera.SessionOptions{LockWait: copyCameraWait, Waker: h.Waker, Wake: camera.PatientWake},
		func(cam camera.Camera) error {
			var cerr error
			res, cerr = photos.Copy(ctx, cam, h.Paths, opts, func(i, n int) {
				Report(t, Status{Text: photos.CopyingMessage(i, n), Colour: status.White,
					Item: i, Items: n, Bytes: bytes, TotalBytes: totalBytes})
			})
			return cerr
		})
	if serr != nil && res.Message == "" {
		res = photos.CameraUnavailableResult(camera.PatientWake.Attempts, serr)
		if errors.Is(serr, photos.ErrCopyRunning) {
			res.Message = "Another copy from the camera is running"
		}
	}
	slog.Info("copy from camera", "copied", res.Copied, "skipped", res.Skipped, "failed", res.Failed, "deleted", res.Deleted, "status", res.Message, "err", serr)
	for _, e := range res.Errors {
		slog.Warn("copy problem", "err", e)
	}
	final := Status{Text: res.Message, Colour: res.Colour, Item: res.Copied, Items: res.Copied + res.Failed}
	recordOutcome(ctx, health.OutcomePath(h.Paths, health.KindCopy), final, res.Colour == status.Red && !errors.Is(serr, photos.ErrCopyRunning))
	final.Next = h.next(ctx, t)
	Report(t, final)
	return nil
}

// Thumbnails brings the thumbnails, RAW previews and EXIF lines up to date.
func (h *PhotoHandlers) Thumbnails(ctx context.Context, t *asynq.Task) error {
	set, err := h.settings()
	if err != nil {
		return fmt.Errorf("thumbnails: %w", err)
	}
	res, err := photos.MakeThumbs(ctx, h.Paths, photos.ThumbOptions{Count: set.Global.ThumbsCount}, func(s string) {
		Report(t, Status{Text: s, Colour: status.White})
	})
	if err != nil && res.Message == "" {
		res.Message, res.Colour = "Thumbnail creation failed: "+err.Error(), status.Red
	}
	for _, e := range res.Errors {
		slog.Warn("thumbnail problem", "err", e)
	}
	slog.Info("thumbnails", "created", res.Created, "failed", res.Failed, "status", res.Message)
	final := Status{Text: res.Message, Colour: res.Colour}
	recordOutcome(ctx, health.OutcomePath(h.Paths, health.KindThumbnails), final, res.Colour == status.Red)
	final.Next = h.next(ctx, t)
	Report(t, final)
	return nil
}
