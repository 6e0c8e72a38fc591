package transfer

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// TimeLayout is piTransfer.log's timestamp: 19 characters, then a space.
const TimeLayout = "2006/01/02 15:04:05"

// statusPrefix marks the lines the Home page shows as "Last transfer". The
// page takes chars [0:19] as the time and everything after this prefix
// (char 28 on) as the result, so it must follow the timestamp directly.
const statusPrefix = "STATUS: "

// tlog appends lines to piTransfer.log in the original's format. Ordinary
// lines are written straight through; STATUS lines are fsynced, since they are
// what the user reads after a power cut.
type tlog struct {
	f   *os.File
	now func() time.Time
}

func openLog(path string, now func() time.Time) (*tlog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	return &tlog{f: f, now: now}, nil
}

// line writes one message; a multi-line message becomes several timestamped
// lines so no line of the file ever lacks its timestamp.
func (l *tlog) line(msg string) {
	ts := l.now().Format(TimeLayout)
	var b strings.Builder
	parts := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	for _, part := range parts {
		b.WriteString(ts)
		b.WriteByte(' ')
		b.WriteString(strings.TrimRight(part, "\r"))
		b.WriteByte('\n')
	}
	if _, err := l.f.WriteString(b.String()); err != nil {
		slog.Error("transfer log write failed", "err", err)
	}
}

func (l *tlog) Printf(format string, args ...any) { l.line(fmt.Sprintf(format, args...)) }

// Status writes a STATUS line and syncs it to disk.
func (l *tlog) Status(text string) {
	l.line(statusPrefix + oneLine(text))
	if err := l.f.Sync(); err != nil {
		slog.Error("transfer log sync failed", "err", err)
	}
	slog.Info("transfer status", "status", text)
}

func (l *tlog) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Sync()
	err := l.f.Close()
	l.f = nil
	return err
}

// oneLine keeps a STATUS text on one line, so the Home page's reader finds it whole.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

// LogStatus appends one STATUS line to piTransfer.log, for the callers that
// decide a transfer cannot start (e.g. "Upload aborted. I've lost the INI file").
func LogStatus(p paths.Paths, text string) error {
	l, err := openLog(p.TransferLog(), nil)
	if err != nil {
		return err
	}
	l.Status(text)
	return l.Close()
}

// LogLine appends one ordinary line to piTransfer.log (e.g. the oneshot's
// "Not OK to transfer" decision trace).
func LogLine(p paths.Paths, msg string) error {
	l, err := openLog(p.TransferLog(), nil)
	if err != nil {
		return err
	}
	l.line(msg)
	return l.Close()
}

// ClearLog replaces piTransfer.log with a single "piTransfer.log cleared"
// STATUS line, as the Transfer page's "Clear log" button does.
func ClearLog(p paths.Paths) error {
	line := time.Now().Format(TimeLayout) + " " + statusPrefix + "piTransfer.log cleared\n"
	return fileutil.WriteAtomic(p.TransferLog(), []byte(line), 0o644)
}

// LastStatus finds the last STATUS line of piTransfer.log and splits it the
// way the Home page does: chars [0:19] are the time, the text after
// "STATUS: " is the result. ok is false when there is none.
func LastStatus(p paths.Paths) (when, text string, ok bool, err error) {
	data, err := os.ReadFile(p.TransferLog())
	if os.IsNotExist(err) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read transfer log: %w", err)
	}
	// A last line without its newline was torn by a power cut: not shown.
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	var last string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if strings.Contains(sc.Text(), statusPrefix) {
			last = sc.Text()
		}
	}
	if last == "" {
		return "", "", false, nil
	}
	last = strings.TrimRight(last, "\r")
	i := strings.Index(last, statusPrefix)
	if len(last) >= 19 {
		when = last[:19]
	}
	return when, last[i+len(statusPrefix):], true, nil
}
