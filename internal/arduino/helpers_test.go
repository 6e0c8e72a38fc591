package arduino

import (
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

func testPaths(t testing.TB) paths.Paths {
	t.Helper()
	return paths.New(t.TempDir())
}

func lockFile(path string) (*fileutil.Lock, error) { return fileutil.LockExclusive(path) }
