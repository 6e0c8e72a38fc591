package transfer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/localapi"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
)

// Oneshot is one run of the upload oneshot (piTransfer.py's successor):
// started hourly and at boot (after the boot copy has finished), it decides
// by [Transfer] whether an upload is due and asks the web server's local
// /trnTrNow to run it on the worker, waiting for the end. Its decisions go
// to piTransfer.log, beside the upload's own lines.
type Oneshot struct {
	Paths    paths.Paths
	INI      *config.Store
	LocalURL string // e.g. http://127.0.0.1:8080
	Trigger  schedule.Trigger
	// Wait bounds the wait for the upload to finish; zero means 30 minutes,
	// the upload task's own limit.
	Wait time.Duration
	Now  func() time.Time
	HTTP *http.Client
}

// DefaultOneshotWait is how long the oneshot waits for an upload by default.
const DefaultOneshotWait = 30 * time.Minute

// ErrUploadFailed marks a run that was due but did not upload: the web
// server or worker could not run it, or the upload itself failed.
var ErrUploadFailed = errors.New("upload failed")

// ErrNoINI marks a run without intvlm8r.ini.
var ErrNoINI = errors.New("intvlm8r.ini is missing")

// Run decides and, when due, uploads. A run that is not due, or finds the
// method Off, is not an error; one that was due and did not upload is.
func (o *Oneshot) Run(ctx context.Context) error {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	logLine := func(format string, a ...any) {
		if err := LogLine(o.Paths, fmt.Sprintf(format, a...)); err != nil {
			fmt.Fprintln(os.Stderr, "piTransfer.log:", err)
		}
	}
	logStatus := func(text string) {
		if err := LogStatus(o.Paths, text); err != nil {
			fmt.Fprintln(os.Stderr, "piTransfer.log:", err)
		}
	}
	logLine("")
	logLine("intvlm8r-pitransfer started (%s)", triggerName(o.Trigger))

	f, err := o.INI.Load()
	if err == nil && !f.Exists() {
		logStatus("Upload aborted. I've lost the INI file")
		return ErrNoINI
	}
	if err != nil {
		logLine("INI file error: %v", err)
		logStatus("Upload aborted. The INI file could not be read")
		return fmt.Errorf("%w: %v", ErrUploadFailed, err)
	}
	set, serr := f.Settings()
	if serr != nil {
		logLine("INI file has malformed values (defaults used): %v", serr)
	}
	t := set.Transfer
	r := schedule.Rule{Day: t.TransferDay, Hour: t.TransferHour, WakePiHour: set.Global.WakePiHour, OnBoot: t.TransferOnBootup}
	at := now()
	logLine("Now values are: NowDay = %s, NowHour = %s, TransferDay = %s, TransferHour = %s. wakePiHour is %s:00",
		at.Weekday(), at.Format("15"), orNone(r.Day), orNone(r.Hour), orNone(r.WakePiHour))
	due, why := schedule.Due(at, r, o.Trigger)
	if !due {
		logLine("Not OK to transfer: %s", why)
		return nil
	}
	logLine("%s. Method = %s", why, t.Method)
	switch Canonical(t.Method) {
	case MethodOff:
		logStatus("Upload aborted. tfrMethod=Off")
		return nil
	case "":
		logStatus("Upload aborted. tfrMethod=" + oneLine(t.Method))
		return fmt.Errorf("%w: unknown method %q", ErrUploadFailed, t.Method)
	}
	return o.call(ctx, logLine, logStatus)
}

func (o *Oneshot) call(ctx context.Context, logLine func(string, ...any), logStatus func(string)) error {
	wait := o.Wait
	if wait <= 0 {
		wait = DefaultOneshotWait
	}
	path := "/trnTrNow?wait=" + strconv.Itoa(int(wait.Seconds()))
	resp, err := localapi.Get(ctx, o.HTTP, o.LocalURL, path, wait+30*time.Second)
	if err != nil {
		logLine("%v", err)
		logStatus("Upload not started: the web server did not answer")
		return fmt.Errorf("%w: %v", ErrUploadFailed, err)
	}
	logLine("/trnTrNow answered %d: %s", resp.Status, resp.Body)
	switch {
	case resp.OK():
		return nil
	case resp.Status == http.StatusConflict && strings.Contains(resp.Body, "already"):
		return nil // an upload is running already: it sends what this one would
	case resp.Status == http.StatusBadGateway:
		return fmt.Errorf("%w: %s", ErrUploadFailed, resp.Body) // the upload's STATUS line is in the log already
	}
	logStatus("Upload not started: " + firstLine(resp.Body))
	return fmt.Errorf("%w: /trnTrNow answered %d: %s", ErrUploadFailed, resp.Status, resp.Body)
}

func triggerName(t schedule.Trigger) string {
	switch t {
	case schedule.Boot:
		return "bootup"
	case schedule.Now:
		return "copyNow"
	}
	return "timer"
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "[none]"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// Reauth is the terminal's Dropbox authorisation (piTransfer.py
// reauthDropbox): it prints the authorise link, reads the code the user
// pastes, stores the refresh token, and asks whether to try an upload.
type Reauth struct {
	Paths paths.Paths
	INI   *config.Store
	In    io.Reader
	Out   io.Writer
	API   DropboxAPI // zero: the real Dropbox
}

// ErrReauth marks a Dropbox authorisation that did not complete.
var ErrReauth = errors.New("dropbox authorisation not completed")

// Run returns whether the user wants a test upload now.
func (a *Reauth) Run(ctx context.Context) (upload bool, err error) {
	f, err := a.INI.Load()
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrReauth, err)
	}
	key := strings.TrimSpace(f.String(config.SectionTransfer, config.KeyDropboxAppKey, ""))
	if key == "" {
		LogLine(a.Paths, "Dropbox re-auth aborted: the app key is blank")
		fmt.Fprintln(a.Out, "")
		fmt.Fprintln(a.Out, "No Dropbox app key is set. On the Transfer page choose Dropbox as the upload")
		fmt.Fprintln(a.Out, "method, paste the app key of your Dropbox app and Apply, then run this again.")
		return false, fmt.Errorf("%w: no app key in [Transfer] dbx_app_key", ErrReauth)
	}
	api := a.API
	link, verifier := api.AuthURL(key)
	fmt.Fprintln(a.Out, "")
	fmt.Fprintln(a.Out, "Dropbox needs to be told to trust this Pi. Open this link in a browser,")
	fmt.Fprintln(a.Out, "sign in, allow the app, and copy the code Dropbox shows you:")
	fmt.Fprintln(a.Out, "")
	fmt.Fprintln(a.Out, link)
	fmt.Fprintln(a.Out, "")
	fmt.Fprint(a.Out, "Paste the code here: ")
	in := bufio.NewReader(a.In)
	code, rerr := in.ReadString('\n')
	if rerr != nil && code == "" {
		return false, fmt.Errorf("%w: no code entered: %v", ErrReauth, rerr)
	}
	if _, err := api.ExchangeCode(ctx, a.Paths, key, verifier, code); err != nil {
		fmt.Fprintln(a.Out, "")
		fmt.Fprintln(a.Out, "Dropbox did not accept that code:", err)
		return false, fmt.Errorf("%w: %v", ErrReauth, err)
	}
	fmt.Fprintln(a.Out, "")
	fmt.Fprintln(a.Out, "Dropbox authorised: the token is stored in", a.Paths.DropboxToken())
	fmt.Fprint(a.Out, "Try an upload now? [Y/n]: ")
	answer, _ := in.ReadString('\n')
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "" || answer == "y" || answer == "yes", nil
}
