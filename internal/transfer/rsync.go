package transfer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/ctxutil"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// rsync runs the system rsync over ssh, as the original did:
//
//	rsync -avz --rsh=ssh --log-file=~/www/rsynclog.log --log-file-format="Copied %f" ~/photos/DCIM user@host:folder/
//
// One difference in what counts as uploaded: with -v rsync writes a
// "Copied" line *before* it sends the file's data, so a line from a run that
// was cut off does not prove the file arrived. Here the lines are harvested
// before and after each run, but a photo is recorded only when a run has
// exited cleanly, which means every file of the tree is on the server whole
// (rsync writes to a temporary name and renames when the file is complete).
// Lines left by a cut-off run are confirmed by the next clean run.

// rsyncKeptLines caps what is kept of rsync's own chatter in its log file.
const rsyncKeptLines = 2000

type rsyncRunner struct {
	p    paths.Paths
	s    Settings
	logf func(string, ...any)
}

// rsyncCopied reads the "Copied" lines of the rsync log and returns the
// regular files they name that still exist.
func rsyncCopied(p paths.Paths) (map[string]bool, error) {
	data, err := os.ReadFile(p.RsyncLog())
	if os.IsNotExist(err) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rsync log: %w", err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if f, ok := copiedPath(p, line); ok {
			out[f] = true
		}
	}
	return out, nil
}

func copiedPath(p paths.Paths, line string) (string, bool) {
	i := strings.Index(line, "] Copied ")
	if i <= 0 {
		return "", false
	}
	name := strings.TrimSpace(line[i+len("] Copied "):])
	if name == "" {
		return "", false
	}
	cands := []string{"/" + strings.TrimPrefix(name, "/")}
	if !strings.HasPrefix(name, "/") {
		if abs, err := filepath.Abs(filepath.Join(p.Photos(), name)); err == nil {
			cands = append(cands, abs)
		}
	}
	// Only a photo of the store counts: a name that also resolves from the
	// root (rsync may log "home/pi/photos/…" without its slash) must not
	// pick some other file of the same relative name.
	store := filepath.Clean(p.Photos()) + string(filepath.Separator)
	for _, c := range cands {
		c = filepath.Clean(c)
		if !strings.HasPrefix(c, store) {
			continue
		}
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c, true
		}
	}
	return "", false
}

// pruneRsyncLog drops the "Copied" lines of files that are recorded (or gone)
// and keeps the tail of everything else; the rewrite is atomic.
func pruneRsyncLog(p paths.Paths, l *Ledger) error {
	path := p.RsyncLog()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("rsync log: %w", err)
	}
	var keep []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if line == "" {
			continue
		}
		if strings.Contains(line, "] Copied ") {
			f, ok := copiedPath(p, strings.TrimRight(line, "\n"))
			if !ok || l.Has(f) {
				continue
			}
		}
		keep = append(keep, line)
	}
	if len(keep) > rsyncKeptLines {
		var copied, other []string
		for _, k := range keep {
			if strings.Contains(k, "] Copied ") {
				copied = append(copied, k)
			} else {
				other = append(other, k)
			}
		}
		if len(other) > rsyncKeptLines {
			other = other[len(other)-rsyncKeptLines:]
		}
		keep = append(other, copied...)
	}
	return fileutil.WriteAtomic(path, []byte(strings.Join(keep, "")), 0o644)
}

// shellWord quotes an argument for rsync's --rsh parser, which splits on
// spaces and honours double quotes.
func shellWord(s string) (string, error) {
	if strings.ContainsAny(s, `"'\`) {
		return "", fmt.Errorf("unsupported character in %q", s)
	}
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`, nil
	}
	return s, nil
}

func (r *rsyncRunner) command(ctx context.Context) (*exec.Cmd, error) {
	src, err := filepath.Abs(r.p.PhotosDCIM())
	if err != nil {
		return nil, err
	}
	return r.rsync(ctx, []string{"-avz"}, []string{
		"--log-file=" + r.p.RsyncLog(),
		"--log-file-format=Copied %f",
		"--exclude=.*", // half-written temporaries of a copy in progress
		src})
}

// checkCommand compares photos (paths below ~/photos, NUL-separated on the
// command's stdin) with the server's copies by checksum, sending nothing
// (-n) and naming each that differs, or (repair) sending those that differ.
func (r *rsyncRunner) checkCommand(ctx context.Context, repair bool) (*exec.Cmd, error) {
	src, err := filepath.Abs(r.p.Photos())
	if err != nil {
		return nil, err
	}
	flags := []string{"-rcn", "--out-format=%n"}
	if repair {
		flags = []string{"-acz"}
	}
	return r.rsync(ctx, flags, []string{"--files-from=-", "--from0", src})
}

// rsync is the command line the runs share: flags, the ssh to use, the
// timeout, then args (ending with the source) and the destination.
func (r *rsyncRunner) rsync(ctx context.Context, flags, args []string) (*exec.Cmd, error) {
	rsyncBin, err := exec.LookPath("rsync")
	if err != nil {
		return nil, fmt.Errorf("rsync is not installed: %w", err)
	}
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		return nil, fmt.Errorf("ssh is not installed: %w", err)
	}
	host, port, err := splitHostPort(r.s.RsyncHost, 22)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(r.s.RsyncUsername) == "" || strings.ContainsAny(r.s.RsyncUsername, " @:/") {
		return nil, fmt.Errorf("bad rsync user name %q", r.s.RsyncUsername)
	}
	timeout := int(r.s.timeout() / time.Second)
	sshArgs := []string{sshBin,
		"-o", "BatchMode=yes", // never wait at a password prompt
		"-o", "StrictHostKeyChecking=accept-new", // trust on first use, refuse a changed key
		"-o", "UserKnownHostsFile=" + r.p.KnownHosts(),
		"-o", "ConnectTimeout=" + strconv.Itoa(timeout),
		"-o", "ServerAliveInterval=15",
		"-o", "ServerAliveCountMax=3",
		"-o", "LogLevel=ERROR",
	}
	if port != 22 {
		sshArgs = append(sshArgs, "-p", strconv.Itoa(port))
	}
	for _, k := range []string{r.p.SSHKey(), r.p.SSHKeyRSA()} {
		if _, err := os.Stat(k); err == nil {
			sshArgs = append(sshArgs, "-i", k)
		}
	}
	var rsh []string
	for _, a := range sshArgs {
		w, err := shellWord(a)
		if err != nil {
			return nil, err
		}
		rsh = append(rsh, w)
	}
	folder := NormaliseRemoteFolder(r.s.RsyncRemoteFolder)
	if folder != "" && !strings.HasSuffix(folder, "/") {
		folder += "/"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	all := append(flags, "--rsh="+strings.Join(rsh, " "), "--timeout="+strconv.Itoa(2*timeout))
	all = append(append(all, args...), r.s.RsyncUsername+"@"+host+":"+folder)
	cmd := exec.CommandContext(ctx, rsyncBin, all...)
	// If we are killed, rsync (and its ssh) must not run on unsupervised.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	return cmd, nil
}

var rsyncMkdirRE = regexp.MustCompile(`rsync:( \[[A-Za-z]+\])? mkdir`)

// rsyncStatus maps rsync/ssh complaints to the original's STATUS texts;
// retry is false where another attempt cannot help.
func rsyncStatus(stderr string) (status string, retry bool) {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "ssh: connect to host") || rsyncMkdirRE.MatchString(l) {
			if i := strings.LastIndex(l, ":"); i > 0 {
				return "rsync error:" + l[i+1:], true
			}
			return "rsync error", true
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "Host key verification failed") {
			return "rsync host key verification failed", false
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "Permission denied") {
			return "rsync error: permission denied", false
		}
	}
	return "rsync error", true
}

// syncTree runs rsync (two attempts) and reports whether a run exited
// cleanly. Progress is read from rsync's file list on stdout.
func (r *rsyncRunner) syncTree(ctx context.Context, want map[string]int, n int, progress func(i, n int), status func(string)) (ok bool, err error) {
	var said string // the last attempt's stderr that said why
	for attempt := 0; attempt < 2; attempt++ {
		if attempt > 0 {
			if err := ctxutil.Sleep(ctx, time.Second); err != nil {
				return false, err
			}
		}
		r.logf("rsync attempt %d", attempt+1)
		cmd, err := r.command(ctx)
		if err != nil {
			r.logf("Error uploading via rsync: %v", err)
			status("unhandled rsync error")
			return false, nil
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return false, err
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			r.logf("Error uploading via rsync: %v", err)
			status("unhandled rsync error")
			return false, nil
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := 0
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if _, ok := want[strings.TrimSpace(sc.Text())]; ok && progress != nil {
					seen++
					progress(seen, n)
				}
			}
			io.Copy(io.Discard, stdout)
		}()
		wg.Wait()
		werr := cmd.Wait()
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if s := strings.TrimSpace(stderr.String()); s != "" {
			r.logf("rsync err'd with stderrdata = %s", s)
		}
		code := 0
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			code = ee.ExitCode()
		} else if werr != nil {
			r.logf("Error uploading via rsync: %v", werr)
			status("unhandled rsync error")
			return false, nil
		}
		// 24: some source files vanished during the run; the rest are whole.
		if code == 0 || code == 24 {
			r.logf("rsync exited cleanly (code %d)", code)
			return true, nil
		}
		r.logf("rsync exited with exitcode %d", code)
		why := stderr.String()
		if strings.TrimSpace(why) == "" {
			// rsync sometimes exits before the remote side's message is
			// through: keep the reason an earlier attempt gave.
			why = said
		}
		said = why
		st, retry := rsyncStatus(why)
		status(st)
		if !retry {
			return false, nil
		}
	}
	return false, nil
}

// differing returns which of rels (paths below ~/photos) the server holds
// other than the Pi does, by rsync's checksum: missing, short, or with other
// content. Received files are checked after a clean run because a run's
// success says the data arrived, not that the server kept it. With repair,
// rsync first sends again, by checksum, the files that differ.
func (r *rsyncRunner) differing(ctx context.Context, rels []string, repair bool) (map[string]bool, error) {
	list := strings.Join(rels, "\x00") + "\x00"
	if repair {
		cmd, err := r.checkCommand(ctx, true)
		if err != nil {
			return nil, err
		}
		cmd.Stdin = strings.NewReader(list)
		if out, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.logf("rsync resend by checksum: %v %s", err, strings.TrimSpace(string(out)))
		}
	}
	cmd, err := r.checkCommand(ctx, false)
	if err != nil {
		return nil, err
	}
	cmd.Stdin = strings.NewReader(list)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("rsync check by checksum: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	want := make(map[string]bool, len(rels))
	for _, rel := range rels {
		want[rel] = true
	}
	bad := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); want[line] {
			bad[line] = true
		}
	}
	return bad, nil
}

// rsyncTarget is for log lines: user@host:folder, no secrets involved.
func rsyncTarget(s Settings) string {
	host, port, err := splitHostPort(s.RsyncHost, 22)
	if err != nil {
		return s.RsyncHost
	}
	return s.RsyncUsername + "@" + net.JoinHostPort(host, strconv.Itoa(port)) + ":" + NormaliseRemoteFolder(s.RsyncRemoteFolder)
}
