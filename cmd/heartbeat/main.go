// Command intvlm8r-heartbeat is the heartbeat oneshot: a systemd timer starts
// it every five minutes; when a beat is due it asks the web server's local
// /heartbeat to send one, so a beat proves web, Redis and worker all work.
package main

import (
	"os"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/heartbeat"
)

func main() {
	fs := cli.New("intvlm8r-heartbeat", "Sends a heartbeat through the web server when [Monitoring] in intvlm8r.ini says\none is due (the minute divisible by heartbeatfrequency), or at once with --boot.\nheartbeat.log holds the last run. Exit status 1 when the beat failed.")
	var home, url string
	var boot bool
	fs.Home(&home)
	fs.LocalURL(&url)
	fs.BoolVar(&boot, "boot", false, "the boot beat: send one now, whatever the minute")
	fs.Parse(os.Args[1:])
	p := cli.Paths(home)
	o := &heartbeat.Oneshot{INI: config.NewStore(p.INI()), LogPath: p.HeartbeatLog(), LocalURL: url, Boot: boot}
	cli.RunOneshot("heartbeat", o.Run)
}
