package transfer

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// newHome lays out an empty install: ~/www/static, ~/photos/DCIM, ~/thumbs, ~/preview.
func newHome(t testing.TB) paths.Paths {
	t.Helper()
	p := paths.New(t.TempDir())
	for _, d := range []string{filepath.Dir(p.TransferLog()), p.PhotosDCIM(), p.Thumbs(), p.Preview()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// makePhotos writes count random photos of size bytes in DCIM/sub, named
// IMG_<start+i>.JPG, with an old mtime; it returns their paths.
func makePhotos(t testing.TB, p paths.Paths, sub string, start, count int, size int) []string {
	t.Helper()
	dir := filepath.Join(p.PhotosDCIM(), sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	buf := make([]byte, size)
	for i := 0; i < count; i++ {
		rand.Read(buf)
		f := filepath.Join(dir, fmt.Sprintf("IMG_%04d.JPG", start+i))
		if err := os.WriteFile(f, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2024, 3, 1, 9, 0, i%60, 0, time.UTC)
		os.Chtimes(f, mt, mt)
		out = append(out, f)
	}
	return out
}

func sumFile(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// ledgerLines returns uploadedOK.txt without its first (default image) line.
func ledgerLines(t testing.TB, p paths.Paths) []string {
	t.Helper()
	data, err := os.ReadFile(p.UploadedOK())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 || !strings.HasSuffix(lines[0], "default_image.JPG") {
		t.Fatalf("ledger first line is %q, want the default image", lines[0])
	}
	return lines[1:]
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// lastStatus reads the last STATUS line as the Home page does.
func lastStatus(t testing.TB, p paths.Paths) string {
	t.Helper()
	when, text, ok, err := LastStatus(p)
	if err != nil || !ok {
		t.Fatalf("no STATUS in log: ok=%v err=%v", ok, err)
	}
	if _, err := time.ParseInLocation(TimeLayout, when, time.Local); err != nil {
		t.Fatalf("STATUS time %q: %v", when, err)
	}
	return text
}

func readLog(t testing.TB, p paths.Paths) string {
	t.Helper()
	b, err := os.ReadFile(p.TransferLog())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkRemote asserts every local photo has an identical copy at remoteRoot/<rel>.
func checkRemote(t testing.TB, p paths.Paths, remoteRoot string, locals []string) {
	t.Helper()
	for _, l := range locals {
		rel, _ := filepath.Rel(p.Photos(), l)
		r := filepath.Join(remoteRoot, rel)
		if sumFile(t, r) != sumFile(t, l) {
			t.Fatalf("remote %s differs from %s", r, l)
		}
	}
}

// checkNoPasswords asserts no secret leaked into the log.
func checkNoPasswords(t testing.TB, p paths.Paths, secrets ...string) {
	t.Helper()
	log := readLog(t, p)
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Fatalf("log contains the secret %q", s)
		}
	}
}

func mustRun(t testing.TB, p paths.Paths, s Settings) Result {
	t.Helper()
	res, err := Run(t.Context(), p, s, nil)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, readLog(t, p))
	}
	if st := lastStatus(t, p); st != res.Status {
		t.Fatalf("Result.Status %q but the log's last STATUS is %q", res.Status, st)
	}
	return res
}

func itoa(i int) string { return strconv.Itoa(i) }
