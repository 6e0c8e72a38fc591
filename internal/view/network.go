package view

import (
	"context"
	"sync"

	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// NetworkView is what the Network page shows: the interfaces, and a Wi-Fi
// scan of each wireless one.
type NetworkView struct {
	Interfaces []system.Interface
	Scans      []NetworkScan
	// Problem, when not "", is the page's message, in ProblemColour.
	Problem       string
	ProblemColour status.Colour
}

// NetworkScan is one wireless interface's scan, or why it failed.
type NetworkScan struct {
	system.Scan
	Err string
}

// BuildNetwork reads host's interfaces and scans every wireless one at
// once (a scan takes seconds). Partial facts (a missing SSID tool, say)
// still make a page; errs are what to log.
func BuildNetwork(ctx context.Context, host system.Host) (v NetworkView, errs []error) {
	ifs, err := host.Interfaces(ctx)
	if err != nil {
		errs = append(errs, err)
		if len(ifs) == 0 {
			v.Problem, v.ProblemColour = "The network interfaces could not be read: "+err.Error(), status.Red
		}
	}
	v.Interfaces = ifs
	for _, it := range ifs {
		if it.Wireless {
			v.Scans = append(v.Scans, NetworkScan{Scan: system.Scan{Interface: it.Name}})
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range v.Scans {
		wg.Add(1)
		go func(ns *NetworkScan) {
			defer wg.Done()
			sc, err := host.WiFiScan(ctx, ns.Interface)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				ns.Err = "The scan failed: " + err.Error()
				return
			}
			ns.Scan = sc
		}(&v.Scans[i])
	}
	wg.Wait()
	return v, errs
}
