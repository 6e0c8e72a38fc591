package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/localapi"
	"github.com/intvlm8r/intvlm8r-go/internal/runlog"
)

// LocalTimeout bounds the oneshot's call of the web server's /heartbeat.
const LocalTimeout = 20 * time.Second

// Oneshot is one run of the heartbeat oneshot, started by the systemd timer
// every five minutes (and once at boot with Boot set).
type Oneshot struct {
	INI      *config.Store
	LogPath  string // heartbeat.log: holds this run only
	LocalURL string // the web server's local base URL, e.g. http://127.0.0.1:8080
	Boot     bool   // the boot beat: send whatever the minute
	Now      func() time.Time
	HTTP     *http.Client

	runLog runlog.Log
}

// ErrFailed marks a run whose heartbeat did not leave the box.
var ErrFailed = errors.New("heartbeat failed")

func (o *Oneshot) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Oneshot) log(format string, a ...any) { o.runLog.Printf(format, a...) }

// Run decides, calls /heartbeat when due, and rewrites heartbeat.log with
// what it did. A nil error means nothing went wrong (including "not due" and
// "heartbeats are off"); otherwise the error says why, and the log too.
func (o *Oneshot) Run(ctx context.Context) error {
	o.runLog.Now = o.now
	err := o.run(ctx)
	if werr := o.runLog.Write(o.LogPath, 0); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}

func (o *Oneshot) run(ctx context.Context) error {
	f, err := o.INI.Load()
	if err != nil {
		o.log("Heartbeat aborted. The INI file could not be read: %v", err)
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	if !f.Exists() {
		o.log("Heartbeat aborted. I've lost the INI file (%s)", o.INI.Path())
		return fmt.Errorf("%w: no INI file at %s", ErrFailed, o.INI.Path())
	}
	set, _ := f.Settings() // malformed values elsewhere do not stop a heartbeat
	freqText, receiver := set.Monitoring.HeartbeatFrequency, set.Monitoring.HeartbeatURL
	freq, err := ParseFrequency(freqText)
	if err != nil {
		o.log("Heartbeat aborted. %v", err)
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	if freq == 0 {
		o.log("Heartbeat aborted. hbFreq=Off")
		return nil
	}
	if receiver == "" {
		o.log("Heartbeat aborted. hbUrl=None")
		return nil
	}
	if err := ValidateURL(receiver); err != nil {
		o.log("Heartbeat aborted. %v", err)
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	now := o.now()
	if !o.Boot && !Due(now.Minute(), freq) {
		o.log("Not yet Heartbeat o'clock. hbFreq=%d", freq)
		return nil
	}
	if o.Boot {
		o.log("Boot heartbeat. hbFreq=%d", freq)
	}
	return o.callLocal(ctx)
}

func (o *Oneshot) callLocal(ctx context.Context) error {
	resp, err := localapi.Get(ctx, o.HTTP, o.LocalURL, "/heartbeat", LocalTimeout)
	if err != nil {
		o.log("Heartbeat failed. %v", err)
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	o.log("Status code = %d", resp.Status)
	o.log("This is what I received: %s", resp.Body)
	if !resp.OK() {
		return fmt.Errorf("%w: /heartbeat answered %d: %s", ErrFailed, resp.Status, resp.Body)
	}
	return nil
}
