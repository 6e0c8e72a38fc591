// Command intvlm8r-settime keeps the Pi's and the Arduino's clocks in step,
// at boot and daily at 03:30 (settime.service, settime.timer): when NTP sets
// the Pi's clock it sends the Pi's time to the Arduino; otherwise it sets
// the Pi's clock from the Arduino's. It talks to the Arduino through the web
// server's local endpoints, as the original's setTime.py did.
package main

import (
	"os"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
)

func main() {
	fs := cli.New("intvlm8r-settime", "Syncs the clocks: with NTP active (systemd-timesyncd, or timedatectl's\nNTPSynchronized) the Arduino is set from the Pi through /setArduinoDateTime;\notherwise the Pi is set from the Arduino through /getTime, with timedatectl\nset-time or date --set. Three tries; ~/setTime.log keeps the runs.\nExit status 1 when no clock was set.")
	var home, url, setCmd, ntp string
	var wait, pause time.Duration
	fs.Home(&home)
	fs.LocalURL(&url)
	fs.String(&setCmd, "set-clock-cmd", settime.EnvSetClockCmd, "", "command that sets the Pi's clock, given \"YYYY-MM-DD HH:MM:SS\" as its last argument (default: timedatectl set-time, then date --set)")
	fs.String(&ntp, "ntp", settime.EnvNTP, "auto", "whether NTP sets the Pi's clock: auto (ask systemd), yes or no")
	fs.DurationVar(&wait, "wait", 60*time.Second, "how long to wait for the web server to listen (it may still be starting at boot)")
	fs.DurationVar(&pause, "retry-pause", 5*time.Second, "pause between tries")
	fs.Parse(os.Args[1:])
	p := cli.Paths(home)
	o := &settime.Oneshot{
		Host:     settime.Host{SetClockCmd: setCmd, NTPMode: ntp},
		LocalURL: url, LogPath: p.SetTimeLog(), WaitWeb: wait, RetryPause: pause,
	}
	cli.RunOneshot("settime", o.Run)
}
