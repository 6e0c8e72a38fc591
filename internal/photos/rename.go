package photos

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// MaxRenameSuffix is where the collision suffixes stop: "-1" … "-999" are
// tried, then the photo keeps its camera name (the original gave up at 1000
// too, so a template without time fields cannot loop for ever).
const MaxRenameSuffix = 1000

// RenderName fills a rename template for a photo named origName taken at t:
// %F the camera's file name without extension, %Y year, %m month 01-12,
// %b short month (Jan), %d day 01-31, %a short weekday (Mon), %H hour 00-23,
// %M minute, %S second. The camera's extension is kept. The template is the
// INI value with ConfigParser's "%%" already turned into "%".
//
// Characters that cannot be in a file name here ("/", control characters)
// become "_", so a template can never put a photo in another folder.
// An empty template, or one that renders to nothing, gives origName.
func RenderName(template, origName string, t time.Time) string {
	ext := path.Ext(origName)
	base := strings.TrimSuffix(origName, ext)
	// Each token is replaced in turn, as the original does, so a file name
	// holding "%Y" is itself substituted by later tokens (kept for identical names).
	r := template
	for _, kv := range [][2]string{
		{"%F", base},
		{"%Y", t.Format("2006")},
		{"%m", t.Format("01")},
		{"%b", t.Format("Jan")},
		{"%d", t.Format("02")},
		{"%a", t.Format("Mon")},
		{"%H", t.Format("15")},
		{"%M", t.Format("04")},
		{"%S", t.Format("05")},
	} {
		r = strings.ReplaceAll(r, kv[0], kv[1])
	}
	r = strings.Map(func(c rune) rune {
		if c == '/' || c < 0x20 || c == 0x7f {
			return '_'
		}
		return c
	}, r)
	if strings.TrimSpace(r) == "" || r == "." || r == ".." {
		return origName
	}
	return r + ext
}

// withSuffix is name with "-n" before its extension.
func withSuffix(name string, n int) string {
	if n == 0 {
		return name
	}
	ext := path.Ext(name)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), n, ext)
}
