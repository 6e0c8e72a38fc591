package heartbeat

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// heartbeat.log that cannot be written is an error of the run, even when
// the run itself had nothing to do: the owner would otherwise read an old log.
func TestOneshotSaysItsLogCannotBeWritten(t *testing.T) {
	dir := t.TempDir()
	ini := filepath.Join(dir, "intvlm8r.ini")
	if err := os.WriteFile(ini, []byte("[Monitoring]\nheartbeatfrequency = Off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "log-is-a-folder")
	if err := os.Mkdir(logPath, 0o755); err != nil {
		t.Fatal(err)
	}
	o := &Oneshot{INI: config.NewStore(ini), LogPath: logPath, LocalURL: "http://127.0.0.1:1"}
	if err := o.Run(context.Background()); err == nil {
		t.Fatal("Run returned no error with heartbeat.log unwritable")
	}
	o.LogPath = filepath.Join(dir, "heartbeat.log")
	if err := o.Run(context.Background()); err != nil {
		t.Fatalf("heartbeats off, log writable: %v", err)
	}
}
