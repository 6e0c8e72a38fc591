// Package heartbeat holds the rules of the heartbeat chain (../shared/spec/heartbeat.md):
// when a beat is due, which receiver URLs are valid, the ping itself, and the
// one-line result file the Monitoring page shows.
package heartbeat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/runlog"
)

// Frequencies are the choices of [Monitoring] heartbeatfrequency, in minutes.
var Frequencies = []string{"Off", "5", "10", "15", "20", "30", "60"}

// FrequencyOff turns heartbeats off.
const FrequencyOff = "Off"

// ReceiverTimeout bounds one GET of the receiver.
const ReceiverTimeout = 10 * time.Second

// TimeLayout is the original's log and result timestamp.
const TimeLayout = runlog.TimeLayout

// ParseFrequency returns the frequency in minutes; 0 with no error means Off.
func ParseFrequency(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, FrequencyOff) {
		return 0, nil
	}
	for _, f := range Frequencies[1:] {
		if s == f {
			n, _ := strconv.Atoi(s)
			return n, nil
		}
	}
	return 0, fmt.Errorf("heartbeat frequency %q is not one of Off, 5, 10, 15, 20, 30, 60", s)
}

// Due reports whether a beat is due at minute (0–59) for a frequency in
// minutes: due when the minute is divisible by the frequency, so the top of
// every hour is always due. Frequency 0 (Off) is never due.
func Due(minute, frequency int) bool {
	if frequency <= 0 {
		return false
	}
	return minute%frequency == 0
}

// ValidateURL accepts any absolute http or https URL with a host, private and
// loopback addresses included (self-hosted receivers are common). The browser
// applies the same rule in static/monitoring.js.
func ValidateURL(s string) error {
	if s == "" {
		return errors.New("the heartbeat URL is empty")
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return errors.New("the heartbeat URL must not contain spaces")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("the heartbeat URL is not a valid URL: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return errors.New("the heartbeat URL must start with http:// or https://")
	}
	if u.Hostname() == "" {
		return errors.New("the heartbeat URL has no host name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("the heartbeat URL's port %q is not 1 to 65535", p)
		}
	}
	return nil
}

// Outcome is what one GET of the receiver gave.
type Outcome struct {
	StatusCode int    // the receiver's HTTP status; 0 when none came back
	Err        string // short reason when StatusCode is 0 or not 2xx: see ResultText
	Detail     string // the underlying error, for logs
	// Cause says why in words fit for a page: never the URL, whose path
	// is the receiver's secret (a ping key).
	Cause string
}

// OK is true for a 2xx answer.
func (o Outcome) OK() bool { return o.StatusCode >= 200 && o.StatusCode < 300 }

// Explained is ResultText with its cause, when known: "Conn. error: dial:
// connect: connection refused".
func (o Outcome) Explained() string {
	if o.OK() || o.Cause == "" {
		return o.ResultText()
	}
	return o.ResultText() + ": " + o.Cause
}

// ResultText is the bracketed part of hbresults.txt: the status code, or
// "Timeout error", "Conn. error", "HTTP error 503", "Redir error", "Unknown error".
func (o Outcome) ResultText() string {
	switch {
	case o.OK():
		return strconv.Itoa(o.StatusCode)
	case o.Err != "":
		return o.Err
	case o.StatusCode != 0:
		return "HTTP error " + strconv.Itoa(o.StatusCode)
	default:
		return "Unknown error"
	}
}

// ResultLine is the single line of hbresults.txt for an outcome at t.
func ResultLine(t time.Time, o Outcome) string {
	return t.Format(TimeLayout) + " (" + o.ResultText() + ")"
}

const maxRedirects = 10

var errTooManyRedirects = errors.New("too many redirects")

// Ping sends one GET to the receiver and classifies the answer. It never
// returns an error: every failure is an Outcome, as the result file records it.
func Ping(ctx context.Context, client *http.Client, receiver string, timeout time.Duration) Outcome {
	return Send(ctx, client, receiver, nil, timeout)
}

// FailURL is the receiver's failure address, the healthchecks.io
// convention: "/fail" added to the path, the query kept.
func FailURL(receiver string) (string, error) {
	u, err := url.Parse(receiver)
	if err != nil {
		return "", fmt.Errorf("the heartbeat URL is not a valid URL: %w", err)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/fail"
	u.RawPath = ""
	return u.String(), nil
}

// Send is Ping with a body: one POST of body (JSON) when body is not nil,
// else one GET. Redirects are followed as a client does (a POST answered
// 301/302/303 goes on as a GET).
func Send(ctx context.Context, client *http.Client, receiver string, body []byte, timeout time.Duration) Outcome {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errTooManyRedirects
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		method, rd = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, receiver, rd)
	if err != nil {
		return Outcome{Err: "Unknown error", Detail: err.Error()}
	}
	req.Header.Set("User-Agent", "intvlm8r-heartbeat")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return classify(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	o := Outcome{StatusCode: resp.StatusCode}
	if !o.OK() {
		o.Detail, o.Cause = resp.Status, "the receiver answered "+resp.Status
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			o.Err = "Redir error"
		}
	}
	return o
}

func classify(err error) Outcome {
	o := Outcome{Detail: err.Error()}
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errTooManyRedirects):
		o.Err, o.Cause = "Redir error", "the receiver redirected too many times"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		o.Err, o.Cause = "Timeout error", "no answer in time"
	case errors.As(err, &dnsErr):
		o.Err, o.Cause = "Conn. error", "the receiver's name "+strconv.Quote(dnsErr.Name)+" was not found"
		if dnsErr.IsTemporary || dnsErr.IsTimeout {
			o.Cause = "no name server answered for " + strconv.Quote(dnsErr.Name)
		}
	case errors.As(err, &opErr):
		o.Err, o.Cause = "Conn. error", opErr.Op+": "+opErr.Err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		o.Err, o.Cause = "Conn. error", "the receiver closed the connection"
	default:
		o.Err = "Unknown error"
	}
	return o
}

// WriteResult overwrites hbresults.txt with the outcome's line.
func WriteResult(path string, t time.Time, o Outcome) error {
	return fileutil.WriteAtomic(path, []byte(ResultLine(t, o)+"\n"), 0o644)
}

// ReadResult returns the first line of hbresults.txt, or "None" when there is
// none, as the Monitoring page shows it.
func ReadResult(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "None"
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "None"
	}
	return line
}
