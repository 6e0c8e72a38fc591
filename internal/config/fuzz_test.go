package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRoundTrip: any value given to Set is read back, by Go and by Python's
// configparser, as NormalizeValue(value), which is the value itself whenever
// configparser can hold it; and Python writes the file back byte for byte.
func FuzzRoundTrip(f *testing.F) {
	for _, v := range trickyValues {
		f.Add(v)
	}
	for _, v := range []string{"  lead and trail  ", "line\nbreak", "cr\rlf\r\n", "\xff\xfe bad utf-8",
		"\u00a0nbsp\u00a0", "\x1cseparators\x1f", "%%%", "%(%(x)s)s", "ΣΑΣ", "\uFEFFbom"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		want := NormalizeValue(value)
		if NormalizeValue(want) != want {
			t.Fatalf("NormalizeValue not idempotent on %q", value)
		}
		if validUTF8(value) && pyStrip(value) == value && !containsLineBreak(value) && want != value {
			t.Fatalf("NormalizeValue changed a value configparser can hold: %q -> %q", value, want)
		}

		file := NewFile("fuzzpi", created)
		file.Set(SectionTransfer, KeyFTPPassword, value)
		file.Set(SectionCopy, KeyRenameString, value)
		if got, _ := file.Get(SectionTransfer, KeyFTPPassword); got != want {
			t.Fatalf("Get after Set(%q) = %q, want %q", value, got, want)
		}
		if got, _, err := file.Lookup(SectionTransfer, KeyFTPPassword); err != nil || got != want {
			t.Fatalf("Lookup after Set(%q) = %q, %v", value, got, err)
		}
		data, err := file.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(data, "fuzz")
		if err != nil {
			t.Fatalf("Go cannot read what it wrote for %q: %v\n%q", value, err, data)
		}
		if got, _ := back.Get(SectionCopy, KeyRenameString); got != want {
			t.Fatalf("read back %q, want %q", got, want)
		}

		py := pyRead(t, data)
		if py.Error != nil {
			t.Fatalf("Python cannot read Go's file for %q: %s", value, py.Error.Message)
		}
		for _, s := range py.Sections {
			for _, k := range s.Keys {
				if (k.Key == KeyFTPPassword || k.Key == KeyRenameString) && (k.Value == nil || *k.Value != want) {
					t.Fatalf("Python reads [%s] %s as %+v, want %q", s.Name, k.Key, k, want)
				}
			}
		}
		if string(py.Rewrite) != string(data) {
			t.Fatalf("Python writes it back differently:\nGo     %q\nPython %q", data, py.Rewrite)
		}
	})
}

func containsLineBreak(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return true
		}
	}
	return false
}

// FuzzParse: any bytes at all are read by Go exactly as Python's
// configparser reads them, or refused for the same reason on the same lines.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"good", "bad"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.ini"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	for _, s := range []string{"[G]\nk = a\n  b\n\n  c\n", "[G]\r\nk:v\r", "[DEFAULT]\na = %(b)s\nb = 1\n[X]\n",
		"[G]\n\tk\v= v\n", "[G]\nk = \u3000x", "x\n[G]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agreeWithPython(t, data)
	})
}
