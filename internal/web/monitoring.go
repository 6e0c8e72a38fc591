package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// monitoringFormValues are the form's fields as the page shows them.
func monitoringFormValues(d view.MonitoringView) map[string]string {
	return map[string]string{"hbFreq": d.Freq, "hbUrl": inputValue(d.URL), "hbHealth": checkboxValue(d.Health), "pushUrl": inputValue(d.PushURL),
		"daysFreeWarn": inputValue(d.DaysFreeWarn), "daysFreeAlarm": inputValue(d.DaysFreeAlarm),
		"voltageHigh": inputValue(d.VoltageHigh), "voltageLow": inputValue(d.VoltageLow)}
}

func (s *Server) monitoringPage(c echo.Context) error {
	f, err := s.Config.Load()
	if err != nil {
		s.Log.Error("read INI", "err", err)
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
	}
	d := view.BuildMonitoring(view.MonitoringSources{INI: f, Paths: s.Paths})
	if d.FreqNote != "" {
		flash(c, status.Orange, d.FreqNote)
	}
	if f != nil {
		d.Shown = shownValues(monitoringFormValues(d))
	}
	return s.render(c, http.StatusOK, "monitoring", d)
}

// monitoringSubmit saves what the user changed (formedit.go). A changed
// URL must be one the heartbeat can use, and so must the saved one when
// heartbeats are being switched on; an unchanged one is left as it is.
func (s *Server) monitoringSubmit(c echo.Context) error {
	if c.FormValue("monApply") == "" {
		return s.redirect(c, "/monitoring")
	}
	current := func(f *config.File) map[string]string { return monitoringFormValues(view.MonitoringForm(f)) }
	s.saveForm(c, "Heartbeat settings", current, func(e *formEdit, f *config.File) {
		d := view.MonitoringForm(f)
		freq, freqChanged := e.field("hbFreq", "heartbeat frequency", fieldChoice)
		receiver, urlChanged := e.field("hbUrl", "heartbeat URL", fieldText)
		n, ferr := heartbeat.ParseFrequency(d.Freq)
		if freqChanged {
			if !slices.Contains(heartbeat.Frequencies, freq) {
				e.badField("hbFreq", "%q is not a heartbeat frequency (Off, 5, 10, 15, 20, 30 or 60 minutes).", freq)
			} else {
				wasOn := ferr == nil && n > 0
				n, _ = heartbeat.ParseFrequency(freq)
				if n > 0 && !wasOn && !urlChanged {
					if err := heartbeat.ValidateURL(receiver); err != nil {
						e.badField("hbUrl", "Heartbeats cannot be switched on: %v.", err)
					}
				}
				f.Set(config.SectionMonitoring, config.KeyHeartbeatFrequency, freq)
			}
		}
		if urlChanged {
			on := n > 0 && (freqChanged || ferr == nil)
			if receiver != "" || on {
				if err := heartbeat.ValidateURL(receiver); err != nil {
					e.badField("hbUrl", "%v.", sentence(err.Error()))
				}
			}
			f.Set(config.SectionMonitoring, config.KeyHeartbeatURL, receiver)
		}
		if v, changed := e.field("hbHealth", "health in the heartbeat", fieldCheckbox); changed {
			f.Set(config.SectionMonitoring, config.KeyHeartbeatHealth, config.FormatCheckbox(v == "on"))
		}
		if push, changed := e.field("pushUrl", "Pushgateway URL", fieldText); changed {
			if push != "" {
				if err := heartbeat.ValidateURL(push); err != nil {
					e.badField("pushUrl", "The Pushgateway URL: %v.", strings.TrimPrefix(err.Error(), "the heartbeat URL "))
				}
			}
			f.Set(config.SectionMonitoring, config.KeyPushgatewayURL, push)
		}
		saveThresholds(e, f)
	})
	return s.formDone(c, "/monitoring", s.monitoringPage)
}

// savedReceiver returns the saved heartbeat URL when heartbeats are set up
// and valid.
func (s *Server) savedReceiver() (string, error) {
	set, err := s.settings() // a malformed value elsewhere does not stop a beat, as in the oneshot
	if err != nil {
		return "", err
	}
	if err := heartbeat.ValidateURL(set.Monitoring.HeartbeatURL); err != nil {
		return "", err
	}
	return set.Monitoring.HeartbeatURL, nil
}

// heartbeatNow is the Monitoring page's "Heartbeat now": one beat, followed
// by the page through /backgroundStatus.
func (s *Server) heartbeatNow(c echo.Context) error {
	if _, err := s.savedReceiver(); err != nil {
		return echo.NewHTTPError(http.StatusConflict, "No heartbeat sent: "+err.Error())
	}
	if err := s.Tasks.Ready(c.Request().Context()); err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "No heartbeat sent: "+err.Error())
	}
	id, err := s.Tasks.Enqueue(c.Request().Context(), tasks.NewHeartbeat(time.Now().Add(time.Minute)))
	if err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "No heartbeat sent: "+err.Error())
	}
	return accepted(c, id)
}

// accepted answers a started task the original's way: 202, {} and Location.
func accepted(c echo.Context, id string) error {
	c.Response().Header().Set("Location", "/backgroundStatus/"+id)
	return c.JSON(http.StatusAccepted, struct{}{})
}

func (s *Server) backgroundStatus(c echo.Context) error {
	v, err := s.Tasks.Lookup(c.Param("id"))
	if err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "The task queue is not answering: "+err.Error())
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, v)
}

// Heartbeat timing: the oneshot waits 20 s for /heartbeat, so the two
// attempts share a budget that ends before that.
const (
	heartbeatBudget     = 18 * time.Second
	heartbeatMinAttempt = 2 * time.Second
	// heartbeatSlack is kept between a task's deadline and the end of the
	// wait, for the worker to record the result and Redis to show it.
	heartbeatSlack = 1500 * time.Millisecond
)

// localHeartbeat is GET /heartbeat on the loopback listener: run the
// heartbeat task, and once more if the receiver did not answer 2xx. It
// answers 200 only when this call's beat reached the receiver and got a 2xx
// (the body says so, from this task's own result), 502 when the receiver did
// not accept it, and 5xx when the queue or the worker could not run it or
// could not say what happened: within heartbeatBudget, whatever Redis does.
func (s *Server) localHeartbeat(c echo.Context) error {
	if _, err := s.savedReceiver(); err != nil {
		s.Log.Warn("heartbeat refused", "err", err)
		return c.String(http.StatusUnprocessableEntity, "No heartbeat: "+err.Error()+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), heartbeatBudget)
	defer cancel()
	if err := s.Tasks.Ready(ctx); err != nil {
		s.Log.Error("heartbeat failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "Heartbeat failed: "+err.Error()+"\n")
	}
	var last tasks.View
	for attempt := 1; attempt <= 2; attempt++ {
		deadline, _ := ctx.Deadline()
		left := time.Until(deadline)
		if attempt == 2 && left < heartbeatMinAttempt {
			break
		}
		id, err := s.Tasks.Enqueue(ctx, tasks.NewHeartbeat(deadline.Add(-heartbeatSlack)))
		if err != nil {
			s.Log.Error("heartbeat failed", "attempt", attempt, "err", err)
			return c.String(http.StatusServiceUnavailable, "Heartbeat failed: "+tasks.ErrQueueDown.Error()+"\n")
		}
		last, err = s.Tasks.Wait(ctx, id)
		if err != nil {
			s.Log.Error("heartbeat failed", "attempt", attempt, "err", err)
			code, reason := waitAnswer(err)
			if reason == "" {
				reason = "the worker did not run it in time"
			}
			return c.String(code, "Heartbeat failed: "+reason+"\n")
		}
		s.Log.Info("heartbeat attempt", "attempt", attempt, "state", last.State, "status", last.Status, "code", last.Code)
		if last.State == tasks.StateFailure {
			return c.String(http.StatusInternalServerError, last.Status+"\n")
		}
		if last.Code >= 200 && last.Code < 300 {
			return c.String(http.StatusOK, "OK "+last.Status+"\n")
		}
	}
	return c.String(http.StatusBadGateway, last.Status+"\n")
}

// thresholdFields are the [Thresholds] keys on the page, each with its
// form name, label and the range a user may set.
var thresholdFields = []struct {
	name, label, key string
	lo, hi           int
}{
	{"daysFreeWarn", "days-free warning", config.KeyDaysFreeWarn, 0, 3650},
	{"daysFreeAlarm", "days-free alarm", config.KeyDaysFreeAlarm, 0, 3650},
	{"voltageHigh", "high voltage", config.KeyVoltageHigh, 1, 30},
	{"voltageLow", "low voltage", config.KeyVoltageLow, 0, 29},
}

// saveThresholds writes the thresholds the user changed: whole numbers in
// range, the alarm no more than the warning and the low voltage under the
// high one. Unchanged ones are left as they are, whatever they hold.
func saveThresholds(e *formEdit, f *config.File) {
	set, _ := f.Settings()
	v := map[string]int{
		"daysFreeWarn": set.Thresholds.DaysFreeWarn, "daysFreeAlarm": set.Thresholds.DaysFreeAlarm,
		"voltageHigh": set.Thresholds.VoltageHigh, "voltageLow": set.Thresholds.VoltageLow,
	}
	changed := map[string]bool{}
	for _, t := range thresholdFields {
		text, ch := e.field(t.name, t.label, fieldText)
		if !ch {
			continue
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < t.lo || n > t.hi {
			e.badField(t.name, "The %s must be a whole number from %d to %d.", t.label, t.lo, t.hi)
			continue
		}
		v[t.name], changed[t.name] = n, true
		f.Set(config.SectionThresholds, t.key, strconv.Itoa(n))
	}
	if (changed["daysFreeWarn"] || changed["daysFreeAlarm"]) && v["daysFreeAlarm"] > v["daysFreeWarn"] {
		e.badField("daysFreeAlarm", "The days-free alarm (%d) must not be above the warning (%d).", v["daysFreeAlarm"], v["daysFreeWarn"])
	}
	if (changed["voltageHigh"] || changed["voltageLow"]) && v["voltageLow"] >= v["voltageHigh"] {
		e.badField("voltageLow", "The low voltage (%d V) must be under the high one (%d V).", v["voltageLow"], v["voltageHigh"])
	}
}
