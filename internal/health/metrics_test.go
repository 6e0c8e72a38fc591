package health

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

func TestMetricsOfAState(t *testing.T) {
	s := Gather(context.Background(), healthy(), config.Defaults())
	queue := func() (QueueStats, error) {
		return QueueStats{Pending: 1, Active: 2, ProcessedTotal: 40, FailedTotal: 3, Runs: []TaskRuns{
			{Type: "photos:copy-from-camera", Result: "ok", Count: 4, Seconds: 61.5},
			{Type: "transfer:upload", Result: "failed", Count: 1, Seconds: 2.25},
		}}, nil
	}
	c := StateCollector(s, queue)
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) != 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}
	want := `
# HELP intvlm8r_battery_volts The Arduino voltmeter's latest reading.
# TYPE intvlm8r_battery_volts gauge
intvlm8r_battery_volts 12.6
# HELP intvlm8r_storage_left_seconds Shooting time the free space holds (the days-left figure, in seconds).
# TYPE intvlm8r_storage_left_seconds gauge
intvlm8r_storage_left_seconds{device="camera"} 8.64e+06
intvlm8r_storage_left_seconds{device="pi"} 1.8144e+06
# HELP intvlm8r_healthy 1 when every health check passes, else 0.
# TYPE intvlm8r_healthy gauge
intvlm8r_healthy 1
# HELP intvlm8r_tasks Worker tasks by state.
# TYPE intvlm8r_tasks gauge
intvlm8r_tasks{state="active"} 2
intvlm8r_tasks{state="archived"} 0
intvlm8r_tasks{state="completed"} 0
intvlm8r_tasks{state="pending"} 1
intvlm8r_tasks{state="retry"} 0
intvlm8r_tasks{state="scheduled"} 0
# HELP intvlm8r_task_duration_seconds The worker's finished task runs and their time, by task type and result (ok or failed).
# TYPE intvlm8r_task_duration_seconds summary
intvlm8r_task_duration_seconds_sum{result="ok",type="photos:copy-from-camera"} 61.5
intvlm8r_task_duration_seconds_count{result="ok",type="photos:copy-from-camera"} 4
intvlm8r_task_duration_seconds_sum{result="failed",type="transfer:upload"} 2.25
intvlm8r_task_duration_seconds_count{result="failed",type="transfer:upload"} 1
# HELP intvlm8r_tasks_failed_total Tasks that failed.
# TYPE intvlm8r_tasks_failed_total counter
intvlm8r_tasks_failed_total 3
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "intvlm8r_battery_volts", "intvlm8r_storage_left_seconds", "intvlm8r_healthy", "intvlm8r_tasks", "intvlm8r_tasks_failed_total", "intvlm8r_task_duration_seconds"); err != nil {
		t.Fatal(err)
	}
}

func TestCollectorReusesAFreshState(t *testing.T) {
	n := 0
	c := &Collector{Gather: func(context.Context) State { n++; return State{} }, MaxAge: 1 << 62}
	testutil.CollectAndCount(c)
	testutil.CollectAndCount(c)
	if n != 1 {
		t.Fatalf("gathered %d times for two scrapes within MaxAge", n)
	}
}

// The rules' inputs that the shipped alert rules read: the box's own
// thresholds, the last shot, and the "no new photo" verdict.
func TestMetricsForTheAlertRules(t *testing.T) {
	src := withLastShot(healthy(), time.Wednesday, 11, 0)
	set := config.Defaults()
	set.Thresholds.VoltageLow, set.Thresholds.DaysFreeAlarm = 11, 3
	s := Gather(context.Background(), src, set)
	want := fmt.Sprintf(`
# HELP intvlm8r_battery_low_volts The box's [Thresholds] voltage_low.
# TYPE intvlm8r_battery_low_volts gauge
intvlm8r_battery_low_volts 11
# HELP intvlm8r_storage_alarm_seconds The box's [Thresholds] daysfreealarm, in seconds.
# TYPE intvlm8r_storage_alarm_seconds gauge
intvlm8r_storage_alarm_seconds 259200
# HELP intvlm8r_photo_overdue 1 when the schedule wanted a shot and none came (the heartbeat's "no new photo" check).
# TYPE intvlm8r_photo_overdue gauge
intvlm8r_photo_overdue 1
# HELP intvlm8r_last_shot_timestamp_seconds The Arduino's last shot (its weekday and time, resolved to the latest such moment).
# TYPE intvlm8r_last_shot_timestamp_seconds gauge
intvlm8r_last_shot_timestamp_seconds %d
`, time.Date(2026, 12, 9, 11, 0, 0, 0, time.Local).Unix())
	names := []string{"intvlm8r_battery_low_volts", "intvlm8r_storage_alarm_seconds", "intvlm8r_photo_overdue", "intvlm8r_last_shot_timestamp_seconds"}
	if err := testutil.CollectAndCompare(StateCollector(s, nil), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	// The healthy box is not overdue.
	h := Gather(context.Background(), healthy(), set)
	if err := testutil.CollectAndCompare(StateCollector(h, nil), strings.NewReader("# HELP intvlm8r_photo_overdue 1 when the schedule wanted a shot and none came (the heartbeat's \"no new photo\" check).\n# TYPE intvlm8r_photo_overdue gauge\nintvlm8r_photo_overdue 0\n"), "intvlm8r_photo_overdue"); err != nil {
		t.Fatal(err)
	}
}
