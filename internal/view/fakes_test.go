package view

import (
	"io"
	"log/slog"
)

// quietLog keeps the builders' warnings out of the test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))
