package settime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/localapi"
	"github.com/intvlm8r/intvlm8r-go/internal/runlog"
)

// The markup the web server's local endpoints answer with (operations.md
// §3.4); the regular expressions are the original helper's.
var (
	dateTimeRe   = regexp.MustCompile(`id="dateTime">(.*)</div>`)
	setArduinoRe = regexp.MustCompile(`<p>Set Arduino datetime to (.*)</p>`)
)

// DisplayLayout is /getTime's time format, "2019 Mar 08 13:06:03".
const DisplayLayout = "2006 Jan 02 15:04:05"

// EarliestPlausible is the first year a working Arduino clock can show: a
// clock chip that lost its battery restarts in 2000 (the original's pages
// flag 2018 for the same reason), and copying that to the Pi would date
// every photo and log wrongly, so such a time is refused.
const EarliestPlausible = 2019

// Tries is how many times an endpoint is asked, as setTime.py does.
const Tries = 3

// LogKeep is how many earlier lines of setTime.log are kept (the original
// appended for ever and left the trimming to logrotate).
const LogKeep = 400

// LocalTimeout bounds each call to the web server (the original's 30 s).
const LocalTimeout = 30 * time.Second

// Oneshot is one run of the helper.
type Oneshot struct {
	Host     Host
	LocalURL string // the web server's local listener, e.g. http://127.0.0.1:8080
	LogPath  string // ~/setTime.log
	// WaitWeb bounds the wait for the local listener to accept connections
	// (at boot the web server may still be starting).
	WaitWeb time.Duration
	// RetryPause is the pause between tries.
	RetryPause time.Duration
	// HTTP makes the requests (nil: a default client); each has
	// LocalTimeout, as the original's.
	HTTP *http.Client
	Now  func() time.Time

	log runlog.Log
}

// Run does one sync and writes the log. The error says what failed; the
// log has every step.
func (o *Oneshot) Run(ctx context.Context) error {
	if o.Now != nil {
		o.log.Now = o.Now
	}
	o.log.Printf("")
	err := o.run(ctx)
	if err != nil {
		o.log.Printf("FAILED: %v", err)
	}
	if werr := o.log.Write(o.LogPath, LogKeep); werr != nil {
		return errors.Join(err, fmt.Errorf("write %s: %w", o.LogPath, werr))
	}
	return err
}

func (o *Oneshot) run(ctx context.Context) error {
	st, err := o.Host.NTP(ctx)
	if err != nil {
		o.log.Printf("%v. Neither clock changed", err)
		return err
	}
	if err := o.waitWeb(ctx); err != nil {
		o.log.Printf("%v", err)
		return err
	}
	if st.Active {
		o.log.Printf("%s. The Pi takes its time from NTP. Updating the Arduino with time from the Pi", st.Detail)
		return o.setArduino(ctx)
	}
	o.log.Printf("%s. The Pi does NOT take its time from NTP. Updating the Pi with time from the Arduino", st.Detail)
	return o.setPi(ctx)
}

// waitWeb waits until the local listener accepts a connection.
func (o *Oneshot) waitWeb(ctx context.Context) error {
	if o.WaitWeb <= 0 {
		return nil
	}
	u, err := url.Parse(o.LocalURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--url %q is not an http URL", o.LocalURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	deadline := time.Now().Add(o.WaitWeb)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the web server did not answer at %s within %s: %w", host, o.WaitWeb, err)
		}
		if err := ctxutil.Sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
}

// get asks the web server for path and returns the body of a 2xx answer.
func (o *Oneshot) get(ctx context.Context, path string) (string, error) {
	resp, err := localapi.Get(ctx, o.HTTP, o.LocalURL, path, LocalTimeout)
	if err != nil {
		o.log.Printf("Request error: %v", err)
		return "", err
	}
	o.log.Printf("Status code = %d", resp.Status)
	o.log.Printf("This is what I received: %s", resp.Body)
	if !resp.OK() {
		return "", fmt.Errorf("%s answered HTTP %d", path, resp.Status)
	}
	return resp.Body, nil
}

func (o *Oneshot) pause(ctx context.Context, try int) error {
	if try == Tries {
		return nil
	}
	o.log.Printf("RETRYING")
	return ctxutil.Sleep(ctx, o.RetryPause)
}

// setArduino is the NTP-master half: /setArduinoDateTime sends the Pi's
// time to the Arduino.
func (o *Oneshot) setArduino(ctx context.Context) error {
	var last error
	for try := 1; try <= Tries; try++ {
		body, err := o.get(ctx, "/setArduinoDateTime")
		if err == nil {
			if m := setArduinoRe.FindStringSubmatch(body); m != nil {
				o.log.Printf("New Arduino time is %s", m[1])
				return nil
			}
			err = errors.New("the answer did not say the Arduino's time was set")
			o.log.Printf("Failed to set the time")
		}
		last = err
		if perr := o.pause(ctx, try); perr != nil {
			return perr
		}
	}
	return fmt.Errorf("the Arduino's clock was not set after %d tries: %w", Tries, last)
}

// setPi is the Arduino-master half: /getTime reads the Arduino's clock and
// the Pi's is set from it.
func (o *Oneshot) setPi(ctx context.Context) error {
	var t time.Time
	var last error
	for try := 1; try <= Tries; try++ {
		body, err := o.get(ctx, "/getTime")
		if err == nil {
			t, err = parseDateTime(body)
			if err == nil {
				o.log.Printf("New time is %s", t.Format(DisplayLayout))
				break
			}
			o.log.Printf("Failed to detect the time: %v", err)
		}
		last = err
		if perr := o.pause(ctx, try); perr != nil {
			return perr
		}
	}
	if t.IsZero() {
		return fmt.Errorf("the Arduino's time was not read after %d tries: %w", Tries, last)
	}
	if t.Year() < EarliestPlausible {
		return fmt.Errorf("the Arduino's clock says %s, which looks like a clock that lost its battery: the Pi's clock was left alone; set the Arduino's on the System page", t.Format(DisplayLayout))
	}
	if err := o.Host.SetClock(ctx, t); err != nil {
		return err
	}
	o.log.Printf("The Pi's clock is now %s", t.Format(DisplayLayout))
	return nil
}

// parseDateTime reads /getTime's answer.
func parseDateTime(body string) (time.Time, error) {
	m := dateTimeRe.FindStringSubmatch(body)
	if m == nil {
		return time.Time{}, errors.New(`no id="dateTime" in the answer`)
	}
	v := strings.TrimSpace(m[1])
	if strings.Contains(v, "Unknown") {
		return time.Time{}, fmt.Errorf("the Arduino's time is %q", v)
	}
	t, err := time.ParseInLocation(DisplayLayout, v, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date and time: %w", v, err)
	}
	return t, nil
}
