package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/system"
)

// networkHost is the machine the Network page describes (tests swap it).
var networkHost = system.Live()

type networkData struct {
	Interfaces []system.Interface
	Scans      []networkScan
}

type networkScan struct {
	system.Scan
	Err string
}

// networkTimeout bounds the page: a Wi-Fi scan takes a few seconds.
const networkTimeout = 20 * time.Second

func (s *Server) networkPage(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), networkTimeout)
	defer cancel()
	var d networkData
	ifs, err := networkHost.Interfaces(ctx)
	if err != nil {
		// Partial facts (a missing SSID tool, say) still make a page.
		s.Log.Warn("network interfaces", "err", err)
	}
	if len(ifs) == 0 && err != nil {
		flash(c, "red", "The network interfaces could not be read: "+err.Error())
	}
	d.Interfaces = ifs
	var wg sync.WaitGroup
	for _, it := range ifs {
		if !it.Wireless {
			continue
		}
		d.Scans = append(d.Scans, networkScan{Scan: system.Scan{Interface: it.Name}})
	}
	for i := range d.Scans {
		wg.Add(1)
		go func(ns *networkScan) {
			defer wg.Done()
			sc, err := networkHost.WiFiScan(ctx, ns.Interface)
			if err != nil {
				s.Log.Warn("Wi-Fi scan", "iface", ns.Interface, "err", err)
				ns.Err = "The scan failed: " + err.Error()
				return
			}
			ns.Scan = sc
		}(&d.Scans[i])
	}
	wg.Wait()
	return s.render(c, http.StatusOK, "network", d)
}
