// Command intvlm8r-cameratransfer is the copy oneshot: started hourly by a
// systemd timer and once at boot, it asks the web server to copy new photos
// from the camera when [Copy] in intvlm8r.ini says so.
//
//	intvlm8r-cameratransfer [flags] [bootup|copyNow]
package main

import (
	"os"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
)

func main() {
	fs := cli.New("intvlm8r-cameratransfer", "Copies new photos from the camera to the Pi (through the web server's local\n/copyNow) when [Copy] copyday/copyhour say so, at boot when copyonbootup is on,\nor now with the argument copyNow. cameraTransfer.log says what it decided.\n\nUsage: intvlm8r-cameratransfer [flags] [bootup|copyNow]")
	var home, url string
	var wait time.Duration
	fs.Home(&home)
	fs.LocalURL(&url)
	fs.DurationVar(&wait, "wait", 0, "wait up to this long for the copy (and what it chains) to finish, e.g. 30m")
	fs.Parse(os.Args[1:])
	trigger, err := schedule.ParseTrigger(fs.Arg(0))
	if err != nil || fs.NArg() > 1 {
		cli.UsageError("cameratransfer", "usage: intvlm8r-cameratransfer [flags] [bootup|copyNow]")
	}
	p := cli.Paths(home)
	o := &photos.Oneshot{INI: config.NewStore(p.INI()), LogPath: p.CameraTransferLog(), LocalURL: url, Trigger: trigger, Wait: wait}
	cli.RunOneshot("cameratransfer", o.Run)
}
