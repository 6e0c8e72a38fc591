// Package config reads and writes intvlm8r.ini exactly as the Python
// original's configparser (default options, BasicInterpolation) does, so a
// file from an existing install works unchanged and Python reads back every
// file written here.
//
// What that means, rule by rule:
//   - Section names are case-sensitive; keys are lower-cased on reading and
//     writing and looked up case-insensitively. Keys may hold spaces
//     ("file created").
//   - "key = value" and "key: value" lines; the first "=" or ":" splits them.
//     Keys and values are trimmed of white space as Python trims it.
//   - Full-line comments start with "#" or ";". There are no inline
//     comments: a "#" inside a value is part of it.
//   - A line indented deeper than its key continues the key's value.
//   - [DEFAULT] keys show through in every section.
//   - "%%" reads as "%", "%(key)s" as another key's value. Every value set
//     here is written with "%" doubled, so it reads back as given.
//   - A duplicate section or key, a key before any section, a line that is
//     none of the above, or a file that is not UTF-8 is an error naming the
//     file and line, as configparser refuses them.
//   - Booleans are 1/yes/true/on and 0/no/false/off in any case.
//
// Values that configparser cannot hold (line breaks in a one-line value,
// white space at either end, bytes that are not UTF-8) are stored as
// NormalizeValue makes them, which is exactly what configparser reads back.
// Names it could write but not read back (a key holding "=") are refused.
//
// Unlike configparser, writing keeps every comment (above the header or key
// it preceded), and Get tolerates a stray "%" in a hand-edited value instead
// of failing (Lookup reports it).
//
// A Store is the file on disk. Load reads it without a lock (it is only ever
// replaced whole, by rename). Update serialises read-modify-write across
// goroutines and processes with a lock file, and writes crash-safely, so no
// update is lost and a power cut leaves the old file or the new one.
//
// gopkg.in/ini.v1 was tried for this and left out: no combination of its
// options reads like configparser (it strips backquotes and reads """ as a
// multi-line quote, merges duplicate sections, accepts keys before any
// section) and its writer quotes values in ways Python reads literally, so
// the few rules above are implemented here directly.
package config
