package view

import "strconv"

// DaysStyle is how a page words a days-left figure it cannot give, or that
// is under a day: each page keeps its own wording.
type DaysStyle struct {
	Unknown  string // no shots per day: the figure cannot be known
	UnderOne string // less than a day left
}

var (
	// DaysHome is the Home page's: "Unknown" and "<1".
	DaysHome = DaysStyle{Unknown: Unknown, UnderOne: "<1"}
	// DaysIntervalometer is the Intervalometer page's, as its script writes
	// them: "n/a" and "< 1".
	DaysIntervalometer = DaysStyle{Unknown: "n/a", UnderOne: "< 1"}
)

// DaysText is a days-left figure (photos.CameraDaysFree, PiDaysFree) in
// style; ok false means it cannot be known.
func DaysText(days int64, ok bool, style DaysStyle) string {
	switch {
	case !ok:
		return style.Unknown
	case days < 1:
		return style.UnderOne
	}
	return strconv.FormatInt(days, 10)
}
