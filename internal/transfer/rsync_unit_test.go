package transfer

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The rsync parts that need no server: what the log proves, the command
// line, the STATUS texts. Named TestRsync(Log|CommandLine|Status|Target|Refused)
// for scripts/mutants.plan; TestRsyncChecksum uses a real sshd but no Run.

func rsyncLogLine(name string) string {
	return "2026/12/07 10:00:00 [4242] Copied " + name + "\n"
}

// Only rsync's "Copied" lines that name a photo still on the Pi count.
func TestRsyncLogLines(t *testing.T) {
	p := newHome(t)
	if got, err := rsyncCopied(p); err != nil || len(got) != 0 {
		t.Fatalf("no log yet: %v %v", got, err)
	}
	ph := makePhotos(t, p, "100CANON", 1, 3, 10)
	rel0, _ := filepath.Rel(p.Photos(), ph[0])
	outside := filepath.Join(t.TempDir(), "IMG_7777.JPG")
	if err := os.WriteFile(outside, []byte("not a photo of the store"), 0o644); err != nil {
		t.Fatal(err)
	}
	log := rsyncLogLine(rel0) + // relative to ~/photos, as rsync writes it
		rsyncLogLine(outside) + // a file, but not one of the store's
		rsyncLogLine(ph[1]) + // absolute
		"] Copied " + ph[2] + "\n" + // no timestamp and pid: not rsync's line
		rsyncLogLine("") + // a name cut off
		rsyncLogLine("DCIM/100CANON/IMG_0009.JPG") + // gone from the Pi
		rsyncLogLine("DCIM/100CANON") + // a folder
		"2026/12/07 10:00:00 [4242] sent 1234 bytes  received 35 bytes\n"
	if err := os.WriteFile(p.RsyncLog(), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := rsyncCopied(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[ph[0]] || !got[ph[1]] {
		t.Fatalf("copied %v, want %s and %s", got, ph[0], ph[1])
	}

	// Pruning keeps the lines of photos not yet recorded and rsync's own
	// chatter; it drops recorded and gone photos.
	l, err := OpenLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	l.Record(ph[1])
	if err := pruneRsyncLog(p, l); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p.RsyncLog())
	want := rsyncLogLine(rel0) + "2026/12/07 10:00:00 [4242] sent 1234 bytes  received 35 bytes\n"
	if string(b) != want {
		t.Fatalf("pruned log:\n%q\nwant\n%q", b, want)
	}
	// An unreadable log is an error, not "nothing copied".
	os.Remove(p.RsyncLog())
	os.Mkdir(p.RsyncLog(), 0o755)
	if _, err := rsyncCopied(p); err == nil {
		t.Fatal("a log that cannot be read gave no error")
	}
	if err := pruneRsyncLog(p, l); err == nil {
		t.Fatal("pruning a log that cannot be read gave no error")
	}
	os.Remove(p.RsyncLog())
	if err := pruneRsyncLog(p, l); err != nil {
		t.Fatalf("pruning a missing log: %v", err)
	}
	if _, err := os.Stat(p.RsyncLog()); !os.IsNotExist(err) {
		t.Fatal("pruning created a log")
	}
}

// The log is capped at rsyncKeptLines lines of chatter (the newest), and
// never loses a "Copied" line of a photo not yet recorded.
func TestRsyncLogKeepsCopiedLinesPastTheCap(t *testing.T) {
	p := newHome(t)
	ph := makePhotos(t, p, "100CANON", 1, 1, 10)
	l, _ := OpenLedger(p)
	chatter := func(i int) string { return fmt.Sprintf("2026/12/07 10:00:00 [4242] line %d\n", i) }
	write := func(lines []string) {
		t.Helper()
		if err := os.WriteFile(p.RsyncLog(), []byte(strings.Join(lines, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []string {
		b, _ := os.ReadFile(p.RsyncLog())
		return strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	// At the cap: nothing moves.
	lines := []string{rsyncLogLine(ph[0])}
	for i := 1; i < rsyncKeptLines; i++ {
		lines = append(lines, chatter(i))
	}
	write(lines)
	if err := pruneRsyncLog(p, l); err != nil {
		t.Fatal(err)
	}
	if got := read(); len(got) != rsyncKeptLines || got[0] != lines[0] || got[len(got)-1] != strings.TrimSuffix(lines[len(lines)-1], "\n") {
		t.Fatalf("a log at the cap was rewritten: %d lines, first %q", len(got), got[0])
	}
	// Past it: the oldest chatter goes, the Copied line stays.
	lines = []string{rsyncLogLine(ph[0])}
	for i := 1; i <= rsyncKeptLines+500; i++ {
		lines = append(lines, chatter(i))
	}
	write(lines)
	if err := pruneRsyncLog(p, l); err != nil {
		t.Fatal(err)
	}
	got := read()
	if len(got) != rsyncKeptLines+1 || got[0] != chatter(501) || got[len(got)-1] != strings.TrimSuffix(rsyncLogLine(ph[0]), "\n") {
		t.Fatalf("capped log: %d lines, first %q, last %q", len(got), got[0], got[len(got)-1])
	}
}

// The command line: ssh in batch mode with our known_hosts and keys, the
// port only when not 22, timeouts from the settings, and the destination.
func TestRsyncCommandLine(t *testing.T) {
	if _, err := exec.LookPath("rsync"); err != nil {
		t.Fatal("rsync is needed for these tests (apt-get install rsync openssh-client)")
	}
	p := paths.New(filepath.Join(t.TempDir(), "pi home")) // a space: quoted for --rsh
	sshBin, _ := exec.LookPath("ssh")
	r := &rsyncRunner{p: p, s: Settings{TransferSettings: config.TransferSettings{RsyncUsername: "pi", RsyncHost: "nas.local", RsyncRemoteFolder: `photos\site`}}}
	cmd, err := r.command(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantRsh := "--rsh=" + sshBin + ` -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o "UserKnownHostsFile=` + p.KnownHosts() + `"` +
		" -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 -o LogLevel=ERROR"
	src, _ := filepath.Abs(p.PhotosDCIM())
	want := []string{"-avz", wantRsh, "--timeout=60", "--log-file=" + p.RsyncLog(), "--log-file-format=Copied %f", "--exclude=.*", src, "pi@nas.local:photos/site/"}
	if !slices.Equal(cmd.Args[1:], want) {
		t.Fatalf("rsync args\n%q\nwant\n%q", cmd.Args[1:], want)
	}
	if cmd.WaitDelay != 5*time.Second || cmd.SysProcAttr == nil || cmd.SysProcAttr.Pdeathsig == 0 {
		t.Fatalf("WaitDelay %v, SysProcAttr %+v: rsync must not outlive us", cmd.WaitDelay, cmd.SysProcAttr)
	}

	// Another port, IPv6, both keys, a folder that ends in "/", a timeout.
	for _, k := range []string{p.SSHKey(), p.SSHKeyRSA()} {
		os.MkdirAll(filepath.Dir(k), 0o700)
		os.WriteFile(k, []byte("key"), 0o600)
	}
	r.s.RsyncHost, r.s.RsyncRemoteFolder, r.s.Timeout = "[::1]:2222", "/srv/pi/", 7*time.Second
	cmd, err = r.checkCommand(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	rsh := cmd.Args[3]
	for _, w := range []string{" -o ConnectTimeout=7 ", " -p 2222 ", ` -i "` + p.SSHKey() + `" -i "` + p.SSHKeyRSA() + `"`} {
		if !strings.Contains(rsh, w) {
			t.Errorf("%q lacks %q", rsh, w)
		}
	}
	photos, _ := filepath.Abs(p.Photos())
	want = []string{"-rcn", "--out-format=%n", "--timeout=14", "--files-from=-", "--from0", photos, "pi@[::1]:/srv/pi/"}
	if got := slices.Delete(slices.Clone(cmd.Args[1:]), 2, 3); !slices.Equal(got, want) {
		t.Fatalf("check args\n%q\nwant\n%q", got, want)
	}
	cmd, _ = r.checkCommand(t.Context(), true)
	if cmd.Args[1] != "-acz" {
		t.Fatalf("repair flags %q", cmd.Args[1])
	}
	// Port 22 is not named; no folder is the login's home.
	r.s.RsyncHost, r.s.RsyncRemoteFolder = "10.0.0.5:22", ""
	cmd, _ = r.command(t.Context())
	if strings.Contains(cmd.Args[2], " -p ") || cmd.Args[len(cmd.Args)-1] != "pi@10.0.0.5:" {
		t.Fatalf("port 22: %q", cmd.Args)
	}

	// What cannot make a command line.
	for _, c := range []struct{ user, host, why string }{
		{"pi", "", "no server given"},
		{"", "nas", "bad rsync user name"},
		{" ", "nas", "bad rsync user name"},
		{"pi@nas", "nas", "bad rsync user name"},
		{"pi", "nas:x", "bad port"},
	} {
		r.s.RsyncUsername, r.s.RsyncHost = c.user, c.host
		if _, err := r.command(t.Context()); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("user %q host %q: %v, want %q", c.user, c.host, err, c.why)
		}
	}
	r.s.RsyncUsername, r.s.RsyncHost = "pi", "nas"
	bad := paths.New(filepath.Join(t.TempDir(), `pi"home`))
	os.MkdirAll(filepath.Dir(bad.SSHKey()), 0o700)
	os.WriteFile(bad.SSHKey(), []byte("key"), 0o600)
	if _, err := (&rsyncRunner{p: bad, s: r.s}).command(t.Context()); err == nil || !strings.Contains(err.Error(), "unsupported character") {
		t.Errorf("a quote in a path: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := r.command(t.Context()); err == nil || !strings.Contains(err.Error(), "rsync is not installed") {
		t.Errorf("no rsync: %v", err)
	}
}

func TestRsyncShellWord(t *testing.T) {
	for in, want := range map[string]string{"plain": "plain", "a b": `"a b"`, "a\tb": "\"a\tb\"", "": ""} {
		if got, err := shellWord(in); err != nil || got != want {
			t.Errorf("shellWord(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`a"b`, "a'b", `a\b`} {
		if _, err := shellWord(bad); err == nil {
			t.Errorf("shellWord(%q) accepted", bad)
		}
	}
}

// rsync's and ssh's complaints, as the STATUS line tells them, and whether
// a second attempt is worth it.
func TestRsyncStatusTexts(t *testing.T) {
	for _, c := range []struct {
		stderr, status string
		retry          bool
	}{
		{"ssh: connect to host 127.0.0.1 port 9: Connection refused\r\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\nrsync error: unexplained error (code 255) at io.c(232) [sender=3.2.7]",
			"rsync error: Connection refused", true},
		{`rsync: [Receiver] mkdir "/sys/x" failed: Operation not permitted (1)`, "rsync error: Operation not permitted (1)", true},
		{`rsync: mkdir "/sys/x" failed: No such file or directory (2)`, "rsync error: No such file or directory (2)", true},
		{"Host key verification failed.\r\nrsync: connection unexpectedly closed", "rsync host key verification failed", false},
		{"pi@nas: Permission denied (publickey).\nrsync: connection unexpectedly closed", "rsync error: permission denied", false},
		// Host key before permission: ssh can print both.
		{"Permission denied (publickey).\nHost key verification failed.", "rsync host key verification failed", false},
		{"", "rsync error", true},
		{"rsync error: timeout in data send/receive (code 30)", "rsync error", true},
	} {
		if st, retry := rsyncStatus(c.stderr); st != c.status || retry != c.retry {
			t.Errorf("rsyncStatus(%q) = %q %v, want %q %v", c.stderr, st, retry, c.status, c.retry)
		}
	}
}

func TestRsyncTarget(t *testing.T) {
	for _, c := range [][2]string{
		{"nas.local", "pi@nas.local:22:photos/site"},
		{"ssh://[::1]:2222/", "pi@[::1]:2222:photos/site"},
		{"nas:x", "nas:x"}, // unparsable: as the user typed it
	} {
		s := Settings{TransferSettings: config.TransferSettings{RsyncUsername: "pi", RsyncHost: c[0], RsyncRemoteFolder: `photos\site`}}
		if got := rsyncTarget(s); got != c[1] {
			t.Errorf("rsyncTarget(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// A server that refuses the connection: two attempts, then the reason in
// the STATUS line, nothing reported as sent.
func TestRsyncRefusedTwice(t *testing.T) {
	p := newHome(t)
	makePhotos(t, p, "100CANON", 1, 1, 10)
	var logged []string
	var statuses []string
	r := &rsyncRunner{p: p,
		s:    Settings{TransferSettings: config.TransferSettings{RsyncUsername: "pi", RsyncHost: "127.0.0.1:" + itoa(testutil.FreePort(t)), RsyncRemoteFolder: t.TempDir()}},
		logf: func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }}
	progressed := false
	ok, err := r.syncTree(t.Context(), map[string]int{"DCIM/100CANON/IMG_0001.JPG": 0}, 1,
		func(i, n int) { progressed = true }, func(s string) { statuses = append(statuses, s) })
	if ok || err != nil || progressed {
		t.Fatalf("refused: ok=%v err=%v progress=%v", ok, err, progressed)
	}
	if want := []string{"rsync error: Connection refused", "rsync error: Connection refused"}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %q, want %q", statuses, want)
	}
	all := strings.Join(logged, "\n")
	for _, w := range []string{"rsync attempt 1\n", "rsync attempt 2\n", "rsync err'd with stderrdata = ssh: connect to host 127.0.0.1", "rsync exited with exitcode "} {
		if !strings.Contains(all+"\n", w) {
			t.Errorf("log lacks %q:\n%s", w, all)
		}
	}
	if strings.Contains(all, "rsync attempt 3") {
		t.Errorf("a third attempt:\n%s", all)
	}

	// A command line that cannot be made: said at once, no second attempt.
	logged, statuses = nil, nil
	r.s.RsyncUsername = ""
	if ok, err := r.syncTree(t.Context(), nil, 1, nil, func(s string) { statuses = append(statuses, s) }); ok || err != nil {
		t.Fatalf("bad user: ok=%v err=%v", ok, err)
	}
	if !slices.Equal(statuses, []string{"unhandled rsync error"}) || len(logged) != 2 {
		t.Fatalf("bad user: %q %q", statuses, logged)
	}

	// The check by checksum against a refused port is an error, not "all
	// match"; with repair, the failed resend is logged too.
	r.s.RsyncUsername = "pi"
	logged = nil
	for _, repair := range []bool{false, true} {
		bad, err := r.differing(t.Context(), []string{"DCIM/100CANON/IMG_0001.JPG"}, repair)
		if err == nil || bad != nil || !strings.Contains(err.Error(), "rsync check by checksum") || !strings.Contains(err.Error(), "Connection refused") {
			t.Fatalf("repair=%v: %v %v", repair, bad, err)
		}
	}
	// (rsync's exit code here is 255 or 12, as the ssh failure reaches it.)
	if len(logged) != 1 || !strings.HasPrefix(logged[0], "rsync resend by checksum: exit status ") || !strings.Contains(logged[0], "Connection refused") {
		t.Fatalf("resend log %q", logged)
	}
	// Cancelled: the context's error, not the check's.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, repair := range []bool{false, true} {
		if _, err := r.differing(ctx, []string{"DCIM/100CANON/IMG_0001.JPG"}, repair); err != context.Canceled {
			t.Fatalf("cancelled, repair=%v: %v", repair, err)
		}
	}
}

// The check after a clean run, over a real sshd: rsync's checksum names the
// copies the server holds short, with other content, or not at all; the
// repair sends them again.
func TestRsyncChecksumFindsDamage(t *testing.T) {
	srv := startSSHD(t)
	p := sshdHome(t, srv)
	remote := t.TempDir()
	locals := makePhotos(t, p, "100CANON", 1, 4, 20_000)
	var rels []string
	want := map[string]int{}
	for i, l := range locals {
		rel, _ := filepath.Rel(p.Photos(), l)
		rels = append(rels, rel)
		want[rel] = i
	}
	r := &rsyncRunner{p: p, s: rsyncSettings(srv, srv.Addr, remote), logf: t.Logf}
	var prog [][2]int
	ok, err := r.syncTree(t.Context(), want, len(locals), func(i, n int) { prog = append(prog, [2]int{i, n}) }, func(s string) { t.Errorf("status %q", s) })
	if !ok || err != nil || !slices.Equal(prog, [][2]int{{1, 4}, {2, 4}, {3, 4}, {4, 4}}) {
		t.Fatalf("sync: ok=%v err=%v progress %v", ok, err, prog)
	}
	// Damage three copies behind rsync's back, keeping their mtimes.
	remoteOf := func(i int) string { return filepath.Join(remote, rels[i]) }
	mt := time.Date(2024, 3, 1, 9, 0, 1, 0, time.UTC)
	os.Truncate(remoteOf(1), 10_000)
	os.Chtimes(remoteOf(1), mt, mt)
	f, _ := os.OpenFile(remoteOf(2), os.O_WRONLY, 0)
	f.WriteString("LYING-SERVER-XX!")
	f.Close()
	mt2 := mt.Add(time.Second)
	os.Chtimes(remoteOf(2), mt2, mt2)
	os.Remove(remoteOf(3))
	bad, err := r.differing(t.Context(), rels, false)
	if err != nil || len(bad) != 3 || bad[rels[0]] || !bad[rels[1]] || !bad[rels[2]] || !bad[rels[3]] {
		t.Fatalf("damaged copies: %v %v, want %v", bad, err, rels[1:])
	}
	if sumFile(t, remoteOf(1)) == sumFile(t, locals[1]) {
		t.Fatal("the check without repair sent the file again")
	}
	bad, err = r.differing(t.Context(), rels[1:], true)
	if err != nil || len(bad) != 0 {
		t.Fatalf("after repair: %v %v", bad, err)
	}
	for i := range locals {
		if sumFile(t, remoteOf(i)) != sumFile(t, locals[i]) {
			t.Fatalf("%s not repaired", rels[i])
		}
	}
}
