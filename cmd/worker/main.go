// Command intvlm8r-worker runs the background tasks (heartbeat, copy from
// the camera, thumbnails, upload) from Asynq queues on Redis.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/sdnotify"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
)

func main() {
	fs := cli.New("intvlm8r-worker", "Runs the Intervalometerator's background tasks from the Asynq queue on Redis.")
	var home, redisAddr string
	var hw hardware.Flags
	var concurrency int
	fs.Home(&home)
	fs.Redis(&redisAddr)
	hw.Register(fs)
	fs.IntVar(&concurrency, "concurrency", 3, "tasks run at once (a copy, an upload and a heartbeat)")
	fs.Parse(os.Args[1:])
	log := cli.SetupLogging("worker")
	if err := run(home, redisAddr, concurrency, hw); err != nil {
		log.Error("worker stopped", "err", err)
		os.Exit(1)
	}
}

func run(home, redisAddr string, concurrency int, hw hardware.Flags) error {
	if concurrency < 1 {
		return fmt.Errorf("--concurrency %d: at least 1", concurrency)
	}
	p := cli.Paths(home)
	ini := config.NewStore(p.INI())
	dev, err := hw.Open(p, redisAddr)
	if err != nil {
		return err
	}
	defer dev.Close()
	queue := tasks.NewClient(redisAddr)
	defer queue.Close()
	srv := asynq.NewServer(
		asynq.RedisClientOpt{Addr: redisAddr, DialTimeout: 2 * time.Second},
		asynq.Config{
			Concurrency: concurrency,
			// How soon an idle worker sees a new task: a heartbeat's round trip.
			TaskCheckInterval: 100 * time.Millisecond,
			Queues:            map[string]int{tasks.Queue: 1},
			ShutdownTimeout:   20 * time.Second,
			LogLevel:          asynq.WarnLevel,
		},
	)
	src := health.LiveSources(p, dev.Arduino, dev.Camera, system.Live())
	mux := asynq.NewServeMux()
	// The push after a copy or upload runs beside the task, not in it: a
	// task near its deadline must not fail for a slow Pushgateway. Pushes
	// go one at a time (a later push carries the later state), and a
	// stopping worker waits for them.
	var pushes sync.WaitGroup
	var pushing sync.Mutex
	mux.Use(queue.RunMetrics(func(ctx context.Context, taskType string) {
		if taskType != tasks.TypeCopy && taskType != tasks.TypeUpload {
			return
		}
		pushes.Add(1)
		go func() {
			defer pushes.Done()
			pushing.Lock()
			defer pushing.Unlock()
			pushAfterRun(ctx, ini, src, queue.QueueStats)
		}()
	}))
	mux.Handle(tasks.TypeHeartbeat, &tasks.HeartbeatHandler{
		ReceiverURL: func() (string, error) {
			set, warning, err := ini.Settings()
			if warning != nil {
				slog.Warn("INI has malformed values; defaults used for them", "err", warning)
			}
			return set.Monitoring.HeartbeatURL, err
		},
		ResultPath:  p.HeartbeatResult(),
		OutcomePath: health.OutcomePath(p, health.KindHeartbeat),
		Body:        healthBody(ini, src, queue.QueueStats),
		BodyPath:    health.BodyPath(p),
	})
	ph := &tasks.PhotoHandlers{Paths: p, INI: ini, Camera: dev.Camera, Waker: dev.Arduino, Queue: queue}
	mux.HandleFunc(tasks.TypeCopy, ph.Copy)
	mux.HandleFunc(tasks.TypeThumbnails, ph.Thumbnails)
	mux.Handle(tasks.TypeUpload, &tasks.UploadHandler{Paths: p, INI: ini, Queue: queue})
	slog.Info("worker starting", "home", p.Home, "redis", redisAddr, "concurrency", concurrency)
	if err := srv.Start(mux); err != nil {
		return err
	}
	if err := sdnotify.Ready(); err != nil {
		slog.Warn("could not tell systemd we are ready", "err", err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	srv.Shutdown() // lets running tasks finish, up to ShutdownTimeout
	pushes.Wait()  // each bounded by pushBudget
	return nil
}

// pushBudget bounds a push after a copy or upload: gathering the state
// (the Arduino's answers) and the Pushgateway's answer.
const pushBudget = 10 * time.Second

// pushAfterRun pushes the box's state and the task counts to the
// Pushgateway, when one is set, at the end of a copy or an upload: the box
// may sleep before its next beat. ctx is the task's: its end does not cut
// the push.
func pushAfterRun(ctx context.Context, ini *config.Store, src health.Sources, queue func() (health.QueueStats, error)) {
	set := config.Defaults()
	if f, err := ini.Load(); err == nil {
		set, _ = f.Settings()
	}
	if set.Monitoring.PushgatewayURL == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pushBudget)
	defer cancel()
	gctx, gcancel := context.WithTimeout(ctx, pushBudget/2)
	st := health.Gather(gctx, src, set)
	gcancel()
	if err := health.Push(ctx, nil, set.Monitoring.PushgatewayURL, st, queue); err != nil {
		slog.Warn("metrics not pushed", "err", err)
	}
}

// healthBody gives the beat's body when [Monitoring] heartbeathealth is on
// (a missing key is On), and whether a health check failed; when a
// Pushgateway is set it also pushes the state's metrics there.
func healthBody(ini *config.Store, src health.Sources, queue func() (health.QueueStats, error)) func(ctx context.Context) ([]byte, bool) {
	return func(ctx context.Context) ([]byte, bool) {
		set, _, _ := ini.Settings() // the defaults when unreadable
		gateway := set.Monitoring.PushgatewayURL
		if !set.Monitoring.HeartbeatHealth && gateway == "" {
			return nil, false
		}
		st := health.Gather(ctx, src, set)
		if gateway != "" {
			if err := health.Push(ctx, nil, gateway, st, queue); err != nil {
				slog.Warn("metrics not pushed", "err", err)
			}
		}
		if !set.Monitoring.HeartbeatHealth {
			return nil, false
		}
		body, err := json.Marshal(st)
		if err != nil {
			slog.Error("heartbeat body", "err", err)
			return nil, false
		}
		return body, !st.OK
	}
}
