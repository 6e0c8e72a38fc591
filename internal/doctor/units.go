package doctor

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// UnitsFile is written by the install script: one unit it installed per line.
const UnitsFile = "/usr/local/lib/intvlm8r/units"

// DefaultUnits is checked when there is no list from the install script.
var DefaultUnits = []string{"redis-server.service", "nginx.service", "intvlm8r-web.service", "intvlm8r-worker.service", "heartbeat.timer"}

// ReadUnits reads the install script's list; without one, the default list.
func ReadUnits(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultUnits, nil
	}
	if err != nil {
		return nil, fmt.Errorf("units list: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("units list %s: %w", path, err)
	}
	return out, nil
}
