// Package templates embeds the pages' html/template files, so every binary
// is self-contained.
package templates

import "embed"

// FS holds layout.html and one file per page.
//
//go:embed *.html
var FS embed.FS
