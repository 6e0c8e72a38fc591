package web

import (
	"html"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/photos"
)

type thumbTile struct {
	Thumb, Link, Time, Info, Name string
}

func (s *Server) thumbnailsPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		flash(c, "red", "The settings file could not be read: "+err.Error())
	}
	list, err := photos.List(s.Paths)
	if err != nil {
		s.Log.Error("photo store", "err", err)
		flash(c, "red", "The Pi's photo folder could not be read: "+err.Error())
	}
	var tiles []thumbTile
	switch {
	case len(list) == 0:
		flash(c, "white", "There are no images on the Pi yet: copy some from the camera on the Transfer page.")
	case set.Global.ThumbsCount <= 0:
		flash(c, "white", "Thumbnails are switched off (thumbnail count 0 on the System page).")
	default:
		info, err := photos.LoadInfo(s.Paths.ThumbsInfo())
		if err != nil {
			s.Log.Warn("thumbnail info unreadable", "err", err)
		}
		for _, ph := range photos.Newest(list, set.Global.ThumbsCount) {
			t := thumbTile{
				Thumb: "/" + photos.ThumbURLPath(ph.Rel),
				Link:  "/" + photos.GalleryTarget(s.Paths, ph.Rel).URLPath(),
				Time:  "Unknown", Info: "Unknown", Name: ph.Rel,
			}
			if info != nil {
				if v, ok := info.Lookup(ph.Rel); ok {
					ts, text := photos.SplitSummary(v)
					// The file holds HTML entities (&bull;): decode them and
					// show text, never the file's markup.
					t.Time, t.Info = ts, html.UnescapeString(text)
				}
			}
			tiles = append(tiles, t)
		}
		if set.Transfer.DeleteAfterTransfer {
			flash(c, "orange", "Delete after transfer is on: photos leave the Pi once uploaded.")
		}
	}
	return s.render(c, http.StatusOK, "thumbnails", tiles)
}
