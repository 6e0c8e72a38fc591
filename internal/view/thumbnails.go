package view

import (
	"fmt"
	"html"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// PageNote is a line a page tells the user, in its colour.
type PageNote struct {
	Colour status.Colour
	Text   string
}

// ThumbTile is one tile of the Thumbnails page.
type ThumbTile struct {
	Thumb, Link, Time, Info, Name string
}

// ThumbnailsView is what the Thumbnails page shows: the newest photos'
// tiles and the notes about them.
type ThumbnailsView struct {
	Tiles []ThumbTile
	Notes []PageNote
}

// BuildThumbnails lists the newest photos of the store at p, as many as
// set's thumbnail count; errs are what to log.
func BuildThumbnails(p paths.Paths, set config.Settings) (v ThumbnailsView, errs []error) {
	list, err := photos.List(p)
	if err != nil {
		errs = append(errs, err)
		v.Notes = append(v.Notes, PageNote{status.Red, "The Pi's photo folder could not be read: " + err.Error()})
	}
	switch {
	case len(list) == 0:
		v.Notes = append(v.Notes, PageNote{status.White, "There are no images on the Pi yet: copy some from the camera on the Transfer page."})
		return v, errs
	case set.Global.ThumbsCount <= 0:
		v.Notes = append(v.Notes, PageNote{status.White, "Thumbnails are switched off (thumbnail count 0 on the System page)."})
		return v, errs
	}
	info, err := photos.LoadInfo(p.ThumbsInfo())
	if err != nil {
		errs = append(errs, fmt.Errorf("thumbnail info unreadable: %w", err))
	}
	for _, ph := range photos.Newest(list, set.Global.ThumbsCount) {
		t := ThumbTile{
			Thumb: "/" + photos.ThumbURLPath(ph.Rel),
			Link:  "/" + photos.GalleryTarget(p, ph.Rel).URLPath(),
			Time:  Unknown, Info: Unknown, Name: ph.Rel,
		}
		if info != nil {
			if val, ok := info.Lookup(ph.Rel); ok {
				ts, text := photos.SplitSummary(val)
				// The file holds HTML entities (&bull;): decode them and
				// show text, never the file's markup.
				t.Time, t.Info = ts, html.UnescapeString(text)
			}
		}
		v.Tiles = append(v.Tiles, t)
	}
	if set.Transfer.DeleteAfterTransfer {
		v.Notes = append(v.Notes, PageNote{status.Orange, "Delete after transfer is on: photos leave the Pi once uploaded."})
	}
	return v, errs
}
