// Command intvlm8r-doctor checks the install: services and timers, Redis, a
// worker, the Arduino, the camera, disk space, the clock source and Wi-Fi
// power saving. One line per check, PASS or FAIL (with what to do) or SKIP;
// the exit status is 1 when anything failed.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/intvlm8r/intvlm8r-go/internal/cli"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/doctor"
	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
)

func main() {
	fs := cli.New("intvlm8r-doctor", "Checks the Intervalometerator install and prints PASS, FAIL (with what to do)\nor SKIP for each of: "+strings.Join(doctor.Groups, ", ")+".\nExit status 1 when a check failed.")
	var home, redisAddr, units, only string
	var hw hardware.Flags
	var minFreeMB uint64
	fs.Home(&home)
	fs.Redis(&redisAddr)
	hw.Register(fs)
	fs.String(&units, "units", "INTVLM8R_UNITS", doctor.UnitsFile, "file listing the systemd units to check, one a line")
	fs.String(&only, "checks", "INTVLM8R_CHECKS", "", "comma-separated groups to run (default all): "+strings.Join(doctor.Groups, ","))
	fs.Uint64Var(&minFreeMB, "min-free", doctor.DefaultMinFree>>20, "free disk space (MB) below which the disk check fails")
	fs.Parse(os.Args[1:])
	cli.SetupLogging("doctor")
	// go-redis logs each failed dial; the report already says Redis is down.
	redis.SetLogger(quietRedis{})

	d := doctor.Deps{RedisAddr: redisAddr, ArduinoLink: hw.Arduino, MinFree: minFreeMB << 20}
	p := cli.Paths(home)
	d.Home = p.Home
	if only != "" {
		for _, g := range strings.Split(only, ",") {
			g = strings.TrimSpace(g)
			if !contains(doctor.Groups, g) {
				fmt.Fprintf(os.Stderr, "intvlm8r-doctor: unknown check group %q (have %s)\n", g, strings.Join(doctor.Groups, ", "))
				os.Exit(2)
			}
			d.Only = append(d.Only, g)
		}
	}
	list, err := doctor.ReadUnits(units)
	if err != nil {
		fmt.Fprintln(os.Stderr, "intvlm8r-doctor:", err)
		os.Exit(2)
	}
	d.Units = list
	if f, err := config.NewStore(p.INI()).Load(); err == nil {
		if on, err := f.Bool(config.SectionGlobal, config.KeyEnableCameraUSB, true); err == nil {
			d.CameraOff = !on
		}
	}
	// The Arduino and camera are opened as web and worker open them.
	dev, err := hw.Open(p, redisAddr)
	if err != nil {
		fail := func(context.Context) (string, error) { return "", err }
		d.Arduino, d.Camera = fail, fail
	} else {
		defer dev.Close()
		d.Arduino, d.Camera = doctor.DeviceChecks(dev.Arduino, dev.Camera, p)
	}
	checks := doctor.Run(context.Background(), d)
	doctor.Write(os.Stdout, checks)
	if doctor.Failed(checks) > 0 {
		os.Exit(1)
	}
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
