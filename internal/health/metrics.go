package health

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueStats are the worker's task counts, from the Asynq inspector, and
// its runs by task type.
type QueueStats struct {
	Pending, Active, Scheduled, Retry, Archived, Completed int
	ProcessedTotal, FailedTotal                            int
	Runs                                                   []TaskRuns
}

// TaskRuns counts the finished runs of one task type with one result ("ok"
// or "failed"), and their total time.
type TaskRuns struct {
	Type, Result string
	Count        uint64
	Seconds      float64
}

// Collector turns the box's state (and the task counts) into Prometheus
// metrics at each scrape. A gathered state is reused for MaxAge, so a
// scraper cannot keep the Arduino's bus busy.
type Collector struct {
	Gather func(ctx context.Context) State
	Queue  func() (QueueStats, error) // nil: no task metrics
	MaxAge time.Duration
	Budget time.Duration // bounds one gathering; 0 means 5 s

	mu   sync.Mutex
	last State
	at   time.Time
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("intvlm8r_"+name, help, labels, nil)
}

var (
	dHealthy    = desc("healthy", "1 when every health check passes, else 0.")
	dFailures   = desc("health_failures", "How many health checks fail.")
	dBattery    = desc("battery_volts", "The Arduino voltmeter's latest reading.")
	dArdTemp    = desc("arduino_temperature_celsius", "The Arduino's temperature.")
	dPiTemp     = desc("pi_temperature_celsius", "The Pi's SoC temperature.")
	dArdUp      = desc("arduino_up", "1 when the Arduino answered live.")
	dFree       = desc("storage_free_bytes", "Free space for photos.", "device")
	dDays       = desc("storage_left_seconds", "Shooting time the free space holds (the days-left figure, in seconds).", "device")
	dShotsLeft  = desc("camera_shots_left", "The camera's own count of shots left.")
	dCamera     = desc("camera_state", "1 for the camera's current state.", "state")
	dOutcomeAt  = desc("last_run_timestamp_seconds", "When the last copy or upload ended.", "kind")
	dOutcomeBad = desc("last_run_failed", "1 when the last copy or upload failed.", "kind")
	dUptime     = desc("uptime_seconds", "The Pi's uptime.")
	dInfo       = desc("build_info", "Versions and location.", "version", "arduino_version", "location")
	dLastShot   = desc("last_shot_timestamp_seconds", "The Arduino's last shot (its weekday and time, resolved to the latest such moment).")
	dOverdue    = desc("photo_overdue", "1 when the schedule wanted a shot and none came (the heartbeat's \"no new photo\" check).")
	dVoltLow    = desc("battery_low_volts", "The box's [Thresholds] voltage_low.")
	dDaysAlarm  = desc("storage_alarm_seconds", "The box's [Thresholds] daysfreealarm, in seconds.")
	dTasks      = desc("tasks", "Worker tasks by state.", "state")
	dProcessed  = desc("tasks_processed_total", "Tasks the worker has processed.")
	dFailed     = desc("tasks_failed_total", "Tasks that failed.")
	dRuns       = desc("task_duration_seconds", "The worker's finished task runs and their time, by task type and result (ok or failed).", "type", "result")
)

// Describe implements prometheus.Collector.
// Describe sends nothing: an unchecked collector. DescribeByCollect would
// gather the whole state (Arduino, camera) when the web server registers it
// at startup, holding up its readiness by the Arduino's budget.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// State is the box's state, gathered at most once per MaxAge: what a scrape
// and the status API show.
func (c *Collector) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.MaxAge {
		return c.last
	}
	budget := c.Budget
	if budget <= 0 {
		budget = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	c.last, c.at = c.Gather(ctx), time.Now()
	return c.last
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	StateMetrics(c.State(), ch)
	if c.Queue == nil {
		return
	}
	q, err := c.Queue()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(dTasks, err)
		return
	}
	for state, n := range map[string]int{"pending": q.Pending, "active": q.Active, "scheduled": q.Scheduled, "retry": q.Retry, "archived": q.Archived, "completed": q.Completed} {
		ch <- prometheus.MustNewConstMetric(dTasks, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(dProcessed, prometheus.CounterValue, float64(q.ProcessedTotal))
	ch <- prometheus.MustNewConstMetric(dFailed, prometheus.CounterValue, float64(q.FailedTotal))
	for _, r := range q.Runs {
		ch <- prometheus.MustNewConstSummary(dRuns, r.Count, r.Seconds, nil, r.Type, r.Result)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// StateMetrics sends the metrics of one state; unknown values are left out.
func StateMetrics(s State, ch chan<- prometheus.Metric) {
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	g(dHealthy, b2f(s.OK))
	g(dFailures, float64(len(s.Failures)))
	if s.BatteryV != nil {
		g(dBattery, *s.BatteryV)
	}
	if s.ArduinoTempC != nil {
		g(dArdTemp, float64(*s.ArduinoTempC))
	}
	if s.PiTempC != nil {
		g(dPiTemp, float64(*s.PiTempC))
	}
	g(dArdUp, b2f(s.Arduino == "ok"))
	if s.Pi.FreeBytes != nil {
		g(dFree, float64(*s.Pi.FreeBytes), "pi")
	}
	if s.Pi.DaysLeft != nil {
		g(dDays, float64(*s.Pi.DaysLeft*86400), "pi")
	}
	if s.Camera.DaysLeft != nil {
		g(dDays, float64(*s.Camera.DaysLeft*86400), "camera")
	}
	if s.Camera.ShotsLeft != nil {
		g(dShotsLeft, float64(*s.Camera.ShotsLeft))
	}
	for _, st := range []string{CameraPresent, CameraAsleep, CameraBusy, CameraOff, CameraUnknown} {
		g(dCamera, b2f(s.Camera.State == st), st)
	}
	for kind, o := range map[string]*Outcome{"copy": s.LastCopy, "upload": s.LastUpload} {
		if o == nil {
			continue
		}
		if !o.At.IsZero() {
			g(dOutcomeAt, float64(o.At.Unix()), kind)
		}
		g(dOutcomeBad, b2f(o.Failed), kind)
	}
	if !s.lastShotAt.IsZero() {
		g(dLastShot, float64(s.lastShotAt.Unix()))
	}
	if s.schedule != nil {
		g(dOverdue, b2f(photoOverdue(s)))
	}
	if s.thresholds != nil {
		g(dVoltLow, float64(s.thresholds.voltageLow))
		g(dDaysAlarm, float64(s.thresholds.daysFreeAlarm*86400))
	}
	g(dUptime, float64(s.UptimeS))
	g(dInfo, 1, s.Version, s.FirmwareV, s.Location)
}

// StateCollector collects one fixed state (and optional task counts): what
// a push sends.
func StateCollector(s State, queue func() (QueueStats, error)) *Collector {
	return &Collector{Gather: func(context.Context) State { return s }, Queue: queue, MaxAge: time.Hour}
}
