package config

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's str methods differ from Go's strings package in small ways that
// decide what configparser reads from a line, so the parser uses these.

// pySpace reports whether Python's str.isspace() (and the \s of its re
// module) counts r as white space: Go's unicode.IsSpace plus the four
// information separators U+001C..U+001F, which Python treats as white space.
func pySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's s.strip().
func pyStrip(s string) string { return strings.TrimFunc(s, pySpace) }

// pyRstrip is Python's s.rstrip().
func pyRstrip(s string) string { return strings.TrimRightFunc(s, pySpace) }

// pyIndent is the index, counted in characters as Python counts them, of the
// first non-space character of line (0 when there is none).
func pyIndent(line string) int {
	n := 0
	for _, r := range line {
		if !pySpace(r) {
			return n
		}
		n++
	}
	return 0
}

// pyLower is Python's s.lower(), which configparser applies to every key.
// It differs from strings.ToLower in two places: U+0130 lowers to "i" plus a
// combining dot, and a capital sigma at the end of a word becomes a final sigma.
func pyLower(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch {
		case r == 0x130:
			b.WriteString("i\u0307")
		case r == 0x3a3 && finalSigma(rs, i):
			b.WriteRune(0x3c2)
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma is Unicode's Final_Sigma condition as Python tests it: a cased
// letter before position i and none after, skipping case-ignorable characters.
func finalSigma(rs []rune, i int) bool {
	j := i - 1
	for j >= 0 && caseIgnorable(rs[j]) {
		j--
	}
	if j < 0 || !cased(rs[j]) {
		return false
	}
	j = i + 1
	for j < len(rs) && caseIgnorable(rs[j]) {
		j++
	}
	return j == len(rs) || !cased(rs[j])
}

func cased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// wordBreakMid holds the Word_Break MidLetter, MidNumLet and Single_Quote
// characters, which Unicode counts as case-ignorable.
var wordBreakMid = map[rune]bool{
	'\'': true, '.': true, ':': true, 0xb7: true, 0x387: true, 0x55f: true, 0x5f4: true,
	0x2018: true, 0x2019: true, 0x2024: true, 0x2027: true, 0xfe13: true, 0xfe52: true,
	0xfe55: true, 0xff07: true, 0xff0e: true, 0xff1a: true,
}

func caseIgnorable(r rune) bool {
	return wordBreakMid[r] || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
