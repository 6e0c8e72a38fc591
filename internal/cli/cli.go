// Package cli holds the command-line contract every binary shares: flags with
// an environment fallback, --home, --redis, --version and usage on -h.
package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/intvlm8r/intvlm8r-go/internal/buildinfo"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// FlagSet wraps flag.FlagSet so every string flag can fall back to an
// environment variable, named in the usage text.
type FlagSet struct {
	*flag.FlagSet
	name    string
	version bool
}

// New makes the flag set of the binary called name; summary opens its usage.
func New(name, summary string) *FlagSet {
	fs := &FlagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), name: name}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	fs.BoolVar(&fs.version, "version", false, "print the version and exit")
	return fs
}

// String defines a string flag whose default comes from env when that is set.
func (fs *FlagSet) String(p *string, name, env, def, usage string) {
	if v, ok := os.LookupEnv(env); ok && v != "" {
		def = v
	}
	fs.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// Home defines --home (INTVLM8R_HOME, default the user's home).
func (fs *FlagSet) Home(p *string) {
	def, _ := os.UserHomeDir()
	fs.String(p, "home", "INTVLM8R_HOME", def, "base folder of every path (the install user's home)")
}

// Redis defines --redis (INTVLM8R_REDIS).
func (fs *FlagSet) Redis(p *string) {
	fs.String(p, "redis", "INTVLM8R_REDIS", "127.0.0.1:6379", "Redis address host:port")
}

// Parse parses args. It prints the version or usage and exits when asked, and
// exits 2 on a bad flag, as flag.ExitOnError would.
func (fs *FlagSet) Parse(args []string) {
	err := fs.FlagSet.Parse(args)
	if err == flag.ErrHelp {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2)
	}
	if fs.version {
		PrintVersion(os.Stdout, fs.name)
		os.Exit(0)
	}
}

// PrintVersion writes "<name> <version> (port of Intervalometerator 5.0.1)".
func PrintVersion(w io.Writer, name string) {
	fmt.Fprintf(w, "%s %s (port of Intervalometerator %s)\n", name, buildinfo.Version, buildinfo.OriginalVersion)
}

// Paths resolves home to an absolute layout.
func Paths(home string) paths.Paths {
	if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	return paths.New(home)
}

// SetupLogging sends log/slog to stderr (journald on the Pi).
func SetupLogging(name string) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("INTVLM8R_DEBUG") != "" {
		level = slog.LevelDebug
	}
	l := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("prog", name)
	slog.SetDefault(l)
	return l
}
