// Package static embeds the stylesheet, scripts and icon served under /static/.
package static

import "embed"

// FS holds the public assets (no photo lives here: photos need a login).
//
//go:embed *.css *.js *.svg
var FS embed.FS
