package arduino

import (
	"strconv"
	"strings"
)

// Version is a firmware version. The original parses the version text as a
// PEP 440 version and counts an invalid one as 0; the zero Version is that 0.
type Version struct {
	// Release holds the dotted numbers, e.g. [5 0 1].
	Release []int
	// Pre orders pre-releases before the release: 0 none, else a=1, b=2, rc=3.
	Pre, PreN int
	// Raw is the text as received.
	Raw string
}

// The firmware versions that turn features on in the pages.
var (
	MinTemps24   = ParseVersion("4.5.0") // 24-hour temperature chart
	MinVolts24   = ParseVersion("4.5.4") // 24-hour voltage chart
	MinShutdown  = ParseVersion("4.5.5") // "Pi shutting down in" row
	MinShootFast = ParseVersion("4.6.0") // shoot-fast interval choices
)

// Valid tells whether the text parsed as a version.
func (v Version) Valid() bool { return len(v.Release) > 0 }

func (v Version) String() string {
	if !v.Valid() {
		return "0"
	}
	parts := make([]string, len(v.Release))
	for i, n := range v.Release {
		parts[i] = strconv.Itoa(n)
	}
	s := strings.Join(parts, ".")
	if v.Pre > 0 {
		s += [...]string{"", "a", "b", "rc"}[v.Pre] + strconv.Itoa(v.PreN)
	}
	return s
}

// ParseVersion reads N(.N)* with an optional a/b/rc pre-release suffix and an
// optional leading "v", the subset of PEP 440 a firmware version can use.
// Anything else gives the zero Version.
func ParseVersion(s string) Version {
	raw := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "v")
	v := Version{Raw: raw}
	rel := s
	if i := strings.IndexAny(s, "abcr"); i >= 0 {
		rel = s[:i]
		pre := s[i:]
		var tag int
		switch {
		case strings.HasPrefix(pre, "rc"):
			tag, pre = 3, pre[2:]
		case strings.HasPrefix(pre, "a"):
			tag, pre = 1, pre[1:]
		case strings.HasPrefix(pre, "b"):
			tag, pre = 2, pre[1:]
		default:
			return Version{Raw: raw}
		}
		n := 0
		if pre != "" {
			var ok bool
			if n, ok = digits([]byte(pre)); !ok {
				return Version{Raw: raw}
			}
		}
		v.Pre, v.PreN = tag, n
	}
	if rel == "" {
		return Version{Raw: raw}
	}
	for _, p := range strings.Split(rel, ".") {
		n, ok := digits([]byte(p))
		if !ok {
			return Version{Raw: raw}
		}
		v.Release = append(v.Release, n)
	}
	return v
}

// Compare returns -1, 0 or +1. Missing release numbers count as 0, so 4.5
// equals 4.5.0; a pre-release sorts before its release.
func (v Version) Compare(w Version) int {
	n := max(len(v.Release), len(w.Release))
	for i := 0; i < n; i++ {
		a, b := 0, 0
		if i < len(v.Release) {
			a = v.Release[i]
		}
		if i < len(w.Release) {
			b = w.Release[i]
		}
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	pa, pb := v.preKey(), w.preKey()
	switch {
	case pa < pb:
		return -1
	case pa > pb:
		return 1
	}
	return 0
}

func (v Version) preKey() int64 {
	if v.Pre == 0 {
		return 1 << 40
	}
	return int64(v.Pre)<<31 | int64(v.PreN)
}

// AtLeast is the feature gate: v >= min. The zero (invalid) version passes
// no gate above 0.
func (v Version) AtLeast(min Version) bool { return v.Compare(min) >= 0 }
