package view

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// The Network page on this machine's interfaces (net.Interfaces reads the
// live kernel), each made wireless by a fake sysfs: the first one's scan
// answers with the captured iw sample, the others' fail, and each failure
// is shown on its own interface and handed back for the log.
func TestBuildNetworkScans(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var names []string
	for _, ni := range ifs {
		if ni.Flags&net.FlagLoopback != 0 {
			continue
		}
		names = append(names, ni.Name)
		dir := filepath.Join(root, "sys/class/net", ni.Name)
		if err := os.MkdirAll(filepath.Join(dir, "wireless"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "operstate"), []byte("down\n"), 0o644)
	}
	if len(names) == 0 {
		t.Fatal("this machine has no interface but loopback")
	}
	slices.Sort(names) // the page's order
	iwScan, err := os.ReadFile("../system/testdata/iw-scan.txt")
	if err != nil {
		t.Fatal(err)
	}
	host := system.Host{Root: root, Run: func(ctx context.Context, name string, args ...string) ([]byte, error) {
		if strings.HasSuffix(name, "iw") && slices.Contains(args, names[0]) {
			return iwScan, nil
		}
		return nil, errors.New(name + ": not here")
	}}
	v, errs := BuildNetwork(context.Background(), host)
	if v.Problem != "" || len(v.Interfaces) != len(names) || len(v.Scans) != len(names) {
		t.Fatalf("problem %q, %d interfaces, %d scans; want %d", v.Problem, len(v.Interfaces), len(v.Scans), len(names))
	}
	for i, sc := range v.Scans {
		if sc.Interface != names[i] {
			t.Errorf("scan %d is of %q, want %q", i, sc.Interface, names[i])
		}
		switch {
		case i == 0 && (sc.Err != "" || sc.Tool != "iw" || len(sc.Networks) != 4):
			t.Errorf("first scan: %+v", sc)
		case i > 0 && !strings.HasPrefix(sc.Err, "The scan failed: "):
			t.Errorf("scan of %s: error %q", sc.Interface, sc.Err)
		}
	}
	if len(errs) < len(names)-1 {
		t.Errorf("%d errors for the log, want at least %d", len(errs), len(names)-1)
	}
}

// Partial facts still make a page: with no sysfs at all, every interface
// is listed, no message replaces the page, and what failed goes to the log.
func TestBuildNetworkPartial(t *testing.T) {
	v, errs := BuildNetwork(context.Background(), system.Host{Root: t.TempDir(),
		Run: func(context.Context, string, ...string) ([]byte, error) { return nil, errors.New("no tools") }})
	if len(v.Interfaces) == 0 || v.Problem != "" || v.ProblemColour != status.None || len(errs) == 0 {
		t.Errorf("%d interfaces, problem %q %q, %d errors", len(v.Interfaces), v.Problem, v.ProblemColour, len(errs))
	}
}
