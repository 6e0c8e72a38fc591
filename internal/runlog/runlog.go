// Package runlog writes the oneshots' log files (heartbeat.log,
// cameraTransfer.log, setTime.log) in the original's line format,
// "YYYY/MM/DD HH:MM:SS message", crash-safely and bounded in size.
package runlog

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// TimeLayout is the original's log timestamp.
const TimeLayout = "2006/01/02 15:04:05"

// Log collects one run's lines.
type Log struct {
	Now   func() time.Time // nil: time.Now
	lines []string
}

// Printf adds a timestamped line.
func (l *Log) Printf(format string, a ...any) {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " ")
	l.lines = append(l.lines, now().Format(TimeLayout)+" "+msg)
}

// Write replaces path with the last keep lines already in it followed by
// this run's lines (keep 0: this run only), so the file never grows without
// bound and a power cut leaves the old file or the new one.
func (l *Log) Write(path string, keep int) error {
	var out []string
	if keep > 0 {
		if old, err := os.ReadFile(path); err == nil {
			prev := strings.Split(strings.TrimRight(string(old), "\n"), "\n")
			if len(prev) == 1 && prev[0] == "" {
				prev = nil
			}
			if len(prev) > keep {
				prev = prev[len(prev)-keep:]
			}
			out = append(out, prev...)
		}
	}
	out = append(out, l.lines...)
	return fileutil.WriteAtomic(path, []byte(strings.Join(out, "\n")+"\n"), 0o644)
}
