package view

import (
	"github.com/intvlm8r/intvlm8r-go/internal/health"
)

// resultLabels name each kind's last result on the pages.
var resultLabels = map[string]string{
	health.KindCopy:       "Last copy",
	health.KindUpload:     "Last upload",
	health.KindThumbnails: "Last thumbnails run",
	health.KindHeartbeat:  "Last heartbeat",
}

// ResultID is the id of kind's result row; the page script finds the row by
// it to put a newer result in.
func ResultID(kind string) string { return "result-" + kind }

// ResultTimeLayout is how a result's time is shown.
const ResultTimeLayout = "2006-01-02 15:04"

// ResultRow is the row of kind's last result: when it ended, what it said,
// in its colour; "None yet" when none is recorded.
func ResultRow(kind string, o health.Outcome, ok bool) Row {
	r := Row{Label: resultLabels[kind], ID: ResultID(kind), Value: "None yet"}
	if r.Label == "" {
		r.Label = "Last " + kind
	}
	if !ok {
		return r
	}
	r.Value, r.Colour = o.Text, o.ShowColour()
	if !o.At.IsZero() {
		r.Value = o.At.Local().Format(ResultTimeLayout) + ": " + o.Text
	}
	return r
}

// ResultRows are the result rows of kinds, read by last (health.LastOutcome
// in production).
func ResultRows(last func(kind string) (health.Outcome, bool), kinds ...string) []Row {
	rows := make([]Row, 0, len(kinds))
	for _, k := range kinds {
		o, ok := last(k)
		rows = append(rows, ResultRow(k, o, ok))
	}
	return rows
}
