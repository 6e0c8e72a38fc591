// Command intvlm8r-web serves the web UI and the local-only endpoints.
//
//	intvlm8r-web [flags]           serve
//	intvlm8r-web passwd NAME       set NAME's web password (read from standard input)
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/intvlm8r/intvlm8r-go/internal/auth"
	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
	"github.com/intvlm8r/intvlm8r-go/internal/sdnotify"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/web"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "passwd" {
		os.Exit(passwd(os.Args[2:]))
	}
	fs := cli.New("intvlm8r-web", "Serves the Intervalometerator web UI on --listen and the local-only\nendpoints (/heartbeat, …) on --local-listen (loopback only).\n\nintvlm8r-web passwd NAME sets NAME's web password, read from standard input.")
	var home, redisAddr, listen, localListen, trustedProxy string
	var hw hardware.Flags
	fs.Home(&home)
	fs.Redis(&redisAddr)
	fs.String(&listen, "listen", "INTVLM8R_LISTEN", "127.0.0.1:8000", "public UI listener: host:port, or a unix socket path for nginx")
	fs.String(&localListen, "local-listen", "INTVLM8R_LOCAL_LISTEN", "127.0.0.1:8080", "loopback listener for the local-only endpoints")
	fs.String(&trustedProxy, "trusted-proxy", "INTVLM8R_TRUSTED_PROXY", "", "addresses or CIDRs of TCP proxies whose X-Real-IP names the client (a unix socket --listen always trusts nginx's)")
	hw.Register(fs)
	fs.Parse(os.Args[1:])
	log := cli.SetupLogging("web")
	if err := run(home, redisAddr, listen, localListen, trustedProxy, hw); err != nil {
		log.Error("web server stopped", "err", err)
		os.Exit(1)
	}
}

func run(home, redisAddr, listen, localListen, trustedProxy string, hw hardware.Flags) error {
	p := cli.Paths(home)
	proxies, err := web.ParseTrustedProxies(trustedProxy)
	if err != nil {
		return fmt.Errorf("--trusted-proxy %q: %w", trustedProxy, err)
	}
	if err := checkLoopback(localListen); err != nil {
		return err
	}
	dev, err := hw.Open(p, redisAddr)
	if err != nil {
		return err
	}
	defer dev.Close()
	tc := tasks.NewClient(redisAddr)
	defer tc.Close()
	srv, err := web.New(web.Deps{
		Paths: p, Config: config.NewStore(p.INI()), Tasks: tc, RedisAddr: redisAddr,
		Simulated: hw.Simulated(), Log: slog.Default(), Camera: dev.Camera, Arduino: dev.Arduino, ArduinoLink: hw.Arduino,
		UploadEnabled: true, BehindSocket: isUnixSocket(listen), TrustedProxies: proxies,
		PiHost: system.Live(), NetworkHost: system.Live(), PiClock: settime.HostFromEnv(),
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	pub, err := listenOn(listen)
	if err != nil {
		return err
	}
	loc, err := net.Listen("tcp", localListen)
	if err != nil {
		return fmt.Errorf("local listener: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Timeouts per listener. Neither has a ReadTimeout: net/http would
	// cancel the context of any handler still running when it passes. A
	// request's headers must arrive in 10 s; on the public listener its body
	// (small: see web's body limits) in 30 s, set by web itself, and a
	// response must be written in time (a photo download gets longer, from
	// the file's size). The local listener serves the oneshots: ?wait= keeps
	// a copy or upload request open for as long as the task runs, which can
	// be an hour, so it has no write timeout; it is loopback only, and its
	// requests have no body.
	servers := []*http.Server{
		{Handler: srv.Public(), ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout: web.PublicWriteTimeout, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10},
		{Handler: srv.Local(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10},
	}
	errc := make(chan error, 2)
	go func() { errc <- servers[0].Serve(pub) }()
	go func() { errc <- servers[1].Serve(loc) }()
	slog.Info("serving", "ui", listen, "local", localListen, "home", p.Home, "redis", redisAddr)
	if err := sdnotify.Ready(); err != nil {
		slog.Warn("could not tell systemd we are ready", "err", err)
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		s.Shutdown(sctx)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func isUnixSocket(addr string) bool { return strings.Contains(addr, "/") }

// listenOn opens host:port, or a unix socket (a path) that nginx's group can use.
func listenOn(addr string) (net.Listener, error) {
	if !isUnixSocket(addr) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("listen %s: %w", addr, err)
		}
		return l, nil
	}
	if err := os.Remove(addr); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", addr, err)
	}
	l, err := net.Listen("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	if err := os.Chmod(addr, 0o660); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// checkLoopback refuses a local listener that other hosts could reach.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--local-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--local-listen %q must be a loopback address (127.0.0.1, ::1): its endpoints have no login", addr)
}

func passwd(args []string) int {
	fs := cli.New("intvlm8r-web passwd", "Sets the web password of NAME, read from standard input\n(asked twice, unechoed, on a terminal). With --check, sets nothing: exit 0\nwhen the password is NAME's, 1 when not. With --import (install.sh, upgrading\nthe Python original), a login the original had is kept as it was: no minimum\nlength, and its name as it was.\n\nUsage: intvlm8r-web passwd [--home DIR] [--check|--import] NAME")
	var home string
	var check, imported bool
	fs.Home(&home)
	fs.BoolVar(&check, "check", false, "only check the password (for scripts: exit 0 when it matches)")
	fs.BoolVar(&imported, "import", false, "store a login of the Python original as it was (no minimum length)")
	fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: intvlm8r-web passwd [--home DIR] [--check|--import] NAME")
		return 2
	}
	name := fs.Arg(0)
	pw, err := readPassword()
	if err != nil {
		fmt.Fprintln(os.Stderr, "intvlm8r-web passwd:", err)
		return 1
	}
	p := cli.Paths(home)
	if check {
		if _, ok, err := auth.Check(p.Credentials(), name, pw); err != nil || !ok {
			return 1
		}
		return 0
	}
	set := auth.SetPassword
	if imported {
		set = auth.ImportPassword
	}
	if err := set(p.Credentials(), name, pw); err != nil {
		fmt.Fprintln(os.Stderr, "intvlm8r-web passwd:", err)
		return 1
	}
	fmt.Printf("Password set for %s in %s\n", strings.ToLower(name), p.Credentials())
	return 0
}

func readPassword() (string, error) {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(os.Stderr, "New password: ")
		a, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(os.Stderr, "Again: ")
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
