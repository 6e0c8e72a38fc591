// Command intvlm8r-pitransfer is the upload oneshot: started hourly by a
// systemd timer and once at boot (after the boot copy has finished), it asks
// the web server to upload new photos when [Transfer] in intvlm8r.ini says
// so, and waits for the upload to end. piTransfer.log says what it decided.
//
//	intvlm8r-pitransfer [flags] [bootup|copyNow]
//	intvlm8r-pitransfer [flags] reauthDropbox
package main

import (
	"context"
	"os"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

const usage = "usage: intvlm8r-pitransfer [flags] [bootup|copyNow|reauthDropbox]"

func main() {
	fs := cli.New("intvlm8r-pitransfer", "Uploads new photos from the Pi (through the web server's local /trnTrNow,\nrun by the worker) when [Transfer] transferday/transferhour say so, at boot\nwhen transferonbootup is on, or now with the argument copyNow; it waits for\nthe upload to end and exits non-zero when it failed. piTransfer.log says\nwhat it decided and did.\n\nreauthDropbox authorises Dropbox from a terminal: it prints a link, reads the\ncode Dropbox shows, stores the token, and offers a test upload.\n\n"+usage)
	var home, url string
	var wait time.Duration
	fs.Home(&home)
	fs.LocalURL(&url)
	fs.DurationVar(&wait, "wait", transfer.DefaultOneshotWait, "how long to wait for the upload to finish")
	fs.Parse(os.Args[1:])
	if fs.NArg() > 1 {
		cli.UsageError("pitransfer", usage)
	}
	p := cli.Paths(home)
	ini := config.NewStore(p.INI())
	arg := fs.Arg(0)
	trigger := schedule.Now
	if arg != "reauthDropbox" {
		var err error
		if trigger, err = schedule.ParseTrigger(arg); err != nil {
			cli.UsageError("pitransfer", err, "\n"+usage)
		}
	}
	cli.RunOneshot("pitransfer", func(ctx context.Context) error {
		if arg == "reauthDropbox" {
			upload, err := (&transfer.Reauth{Paths: p, INI: ini, In: os.Stdin, Out: os.Stdout}).Run(ctx)
			if err != nil || !upload {
				return err
			}
		}
		o := &transfer.Oneshot{Paths: p, INI: ini, LocalURL: url, Trigger: trigger, Wait: wait}
		return o.Run(ctx)
	})
}
