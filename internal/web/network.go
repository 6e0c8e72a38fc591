package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// networkTimeout bounds the page: a Wi-Fi scan takes a few seconds.
const networkTimeout = 20 * time.Second

func (s *Server) networkPage(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), networkTimeout)
	defer cancel()
	d, errs := view.BuildNetwork(ctx, s.NetworkHost)
	for _, err := range errs {
		s.Log.Warn("network page", "err", err)
	}
	if d.Problem != "" {
		flash(c, d.ProblemColour, d.Problem)
	}
	return s.render(c, http.StatusOK, "network", d)
}
