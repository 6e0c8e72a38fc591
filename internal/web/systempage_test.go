package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/settime"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
)

// The System page describes the Pi of Deps.PiHost and asks Deps.PiClock
// whether NTP sets the clock: the seams reach the page.
func TestSystemPageUsesDepsHosts(t *testing.T) {
	root := testutil.FakePi(t, "Raspberry Pi 3 Model A Plus Rev 1.0", "Debian GNU/Linux 13 (trixie)", "59.9 10", "ridge-cam")
	ts, cl := loggedInWith(t, t.TempDir(), func(d *Deps) {
		d.PiHost = system.Host{Root: root}
		d.PiClock = settime.Host{NTPMode: "yes"}
	})
	body := get(t, cl, ts.URL+"/system")
	for _, want := range []string{
		`id="piModel">Raspberry Pi 3 Model A Plus Rev 1.0<`, `id="piOS">Debian GNU/Linux 13 (trixie)<`,
		`id="piHostname">ridge-cam<`, `id="piUptime">0:01:00<`, `title="` + settime.EnvNTP + `=yes">Yes<`,
		`id="arduinoVersion">Unknown<`, `No Arduino link is configured`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`id="piFree">[0-9]+\.[0-9]+ GB<`).MatchString(body) {
		t.Error("free space not shown in GB")
	}
	// NTP sets the clock: the Pi's box is not to be ticked.
	if !regexp.MustCompile(`id="setPiTime" name="setPiTime" value="on" disabled`).MatchString(body) {
		t.Error("the Pi's clock can be ticked although NTP sets it")
	}
}
