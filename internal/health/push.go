package health

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus/push"
)

// PushJob is the Pushgateway job name of every box; each box is its own
// instance (its host name).
const PushJob = "intvlm8r"

// Push sends a state's metrics (and the task counts, when queue is set) to
// a Pushgateway, replacing what this box pushed before.
func Push(ctx context.Context, client *http.Client, gateway string, s State, queue func() (QueueStats, error)) error {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = s.Location
	}
	p := push.New(gateway, PushJob).Grouping("instance", host).Collector(StateCollector(s, queue))
	if client != nil {
		p = p.Client(client)
	}
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("push to the Pushgateway: %w", err)
	}
	return nil
}
