package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// DefaultLocalURL is the web server's local-only listener the oneshots call.
const DefaultLocalURL = "http://127.0.0.1:8080"

// LocalURL adds the oneshots' --url flag (INTVLM8R_URL): the base URL of
// the web server's local-only listener, which they call through
// internal/localapi.
func (fs *FlagSet) LocalURL(p *string) {
	fs.String(p, "url", "INTVLM8R_URL", DefaultLocalURL, "base URL of the web server's local-only listener")
}

// UsageError prints "intvlm8r-<name>: <msg>" on stderr and exits with
// status 2, as a oneshot does for arguments it does not take.
func UsageError(name string, msg ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"intvlm8r-" + name + ":"}, msg...)...)
	os.Exit(2)
}

// RunOneshot is the skeleton every oneshot's main ends in, once its flags
// are read: logs to stderr (journald) under name, a context that SIGINT and
// SIGTERM cancel, and run's error on stderr as "intvlm8r-<name>: …" with
// exit status 1 (0 when run returns nil).
func RunOneshot(name string, run func(ctx context.Context) error) {
	SetupLogging(name)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "intvlm8r-"+name+":", err)
		os.Exit(1)
	}
}
