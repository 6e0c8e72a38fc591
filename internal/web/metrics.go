package web

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// metricsMaxAge is how long one gathered state serves scrapes.
const metricsMaxAge = 30 * time.Second

// newHealthCollector gathers the box's state (as the heartbeat sends it) for
// /metrics and /api/v1/status, at most once per metricsMaxAge.
func (s *Server) newHealthCollector() *health.Collector {
	src := health.LiveSources(s.Paths, s.Arduino, s.Camera, system.Live())
	c := &health.Collector{
		Gather: func(ctx context.Context) health.State {
			set, _, _ := s.Config.Settings() // the defaults when unreadable
			return health.Gather(ctx, src, set)
		},
		MaxAge: metricsMaxAge,
	}
	if s.Tasks != nil {
		c.Queue = s.Tasks.QueueStats
	}
	return c
}

// metricsHandler is GET /metrics on the local listener: the box's state and
// the worker's task counts, in Prometheus text.
func (s *Server) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.health)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: nil, ErrorHandling: promhttp.ContinueOnError})
}
