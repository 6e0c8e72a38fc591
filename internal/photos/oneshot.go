package photos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/localapi"
	"github.com/intvlm8r/intvlm8r-go/internal/runlog"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
)

// Oneshot is one run of the copy oneshot (cameraTransfer.py's
// successor): started hourly and at boot, it decides by [Copy] whether a copy
// is due and asks the web server's local /copyNow to run it.
type Oneshot struct {
	INI      *config.Store
	LogPath  string // cameraTransfer.log
	LocalURL string // e.g. http://127.0.0.1:8080
	Trigger  schedule.Trigger
	// Wait makes the run last until the copy chain has finished (the boot
	// run, so the boot upload follows a finished copy); 0 returns once queued.
	Wait time.Duration
	Now  func() time.Time
	HTTP *http.Client
}

// LogKeep is how many earlier lines cameraTransfer.log keeps.
const LogKeep = 400

// ErrCopyNotStarted marks a due copy the web server did not start.
var ErrCopyNotStarted = errors.New("copy not started")

// Run decides and calls; the log gets what it decided and what came back.
func (o *Oneshot) Run(ctx context.Context) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	log := &runlog.Log{Now: now}
	log.Printf("")
	err := o.run(ctx, log, now())
	if werr := log.Write(o.LogPath, LogKeep); werr != nil {
		err = errors.Join(err, werr)
	}
	return err
}

func (o *Oneshot) run(ctx context.Context, log *runlog.Log, now time.Time) error {
	set, serr, err := o.INI.Settings()
	if err != nil {
		log.Printf("Copy aborted. The INI file could not be read: %v", err)
		return fmt.Errorf("%w: %v", ErrCopyNotStarted, err)
	}
	if serr != nil {
		log.Printf("INI file has malformed values (defaults used): %v", serr)
	}
	r := schedule.Rule{Day: set.Copy.CopyDay, Hour: set.Copy.CopyHour, WakePiHour: set.Global.WakePiHour, OnBoot: set.Copy.CopyOnBootup}
	log.Printf("Now %s %s; copyDay = %s, copyHour = %s, wakePiHour = %s", now.Weekday(), now.Format("15:04"), r.Day, r.Hour, r.WakePiHour)
	if !set.Global.EnableCameraUSB {
		log.Printf("Not OK to copy: camera USB is switched off")
		return nil
	}
	due, why := schedule.Due(now, r, o.Trigger)
	log.Printf("%s", why)
	if !due {
		return nil
	}
	return o.call(ctx, log)
}

func (o *Oneshot) call(ctx context.Context, log *runlog.Log) error {
	path, timeout := "/copyNow", 30*time.Second
	if o.Wait > 0 {
		path += "?wait=" + strconv.Itoa(int(o.Wait.Seconds()))
		timeout += o.Wait
	}
	resp, err := localapi.Get(ctx, o.HTTP, o.LocalURL, path, timeout)
	if err != nil {
		log.Printf("%v", err)
		return fmt.Errorf("%w: %v", ErrCopyNotStarted, err)
	}
	log.Printf("Status code = %d", resp.Status)
	log.Printf("This is what I received: %s", resp.Body)
	switch {
	case resp.OK():
		return nil
	case resp.Status == http.StatusConflict && strings.Contains(resp.Body, "already"):
		return nil // a copy is running already: nothing is lost
	}
	return fmt.Errorf("%w: /copyNow answered %d: %s", ErrCopyNotStarted, resp.Status, resp.Body)
}
