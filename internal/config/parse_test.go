package config

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Every hand-written fixture is read by Go exactly as configparser reads it.
func TestFixturesAgreeWithPython(t *testing.T) {
	for _, dir := range []string{"good", "bad"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.ini"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s: %v", dir, err)
		}
		for _, path := range files {
			t.Run(dir+"/"+filepath.Base(path), func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				f := agreeWithPython(t, data)
				if (f != nil) != (dir == "good") {
					t.Fatalf("%s: read %v", path, f != nil)
				}
			})
		}
	}
}

// What the fixtures hold, spelled out (Python agrees, as tested above).
func TestFixtureValues(t *testing.T) {
	type want struct{ sec, key, value string }
	cases := map[string][]want{
		"good/handedited.ini": {
			{"Global", "file created", "01 Dec 2026"},
			{"Global", "locationname", "Back Paddock"},
			{"Global", "LOCATIONNAME", "Back Paddock"},
			{"Global", "thumbscount", "48"},
			{"Global", "wakepihour", "07"},
			{"Transfer", "tfrmethod", "SFTP"},
			{"Transfer", "sftppassword", "p%ss"},
			{"Transfer", "sftpremotefolder", "/upload/%Y-%m-%d"},
			{"Transfer", "dbx_app_key", ""},
			{"Transfer", "transferday", "afterCopy"},
			{"Copy", "renamestring", "%Y%m%d-%H%M%S_%f"},
			{"Monitoring", "heartbeaturl", "https://hc.example.com/ping/abc?x=1&y=a = b#frag"},
			{"MyOwnNotes", "camera serial", "0123 4567"},
			{"MyOwnNotes", "lens", "24-70mm f/2.8"},
		},
		"good/delimiters.ini": {
			{"Odd Lines", "a", "b = c"},
			{"Odd Lines", "colon", "first: second"},
			{"Odd Lines", "mixed", "=x"},
			{"Odd Lines", "eq", ":y"},
			{"Odd Lines", "spaces   around", "value with   inner   spaces"},
			{"Odd Lines", "hash", "#not a comment"},
			{"Odd Lines", "semi", "; nor this"},
			{"Odd Lines", "empty", ""},
			{"Odd Lines", "emptycolon", ""},
			// "[bracket] = value" is a header: text after the "]" is ignored.
			{"bracket", "url", "http://host:8080/path"},
			{"bracket", "percent", "100%"},
			{"bracket", "weird%%key", "v"},
		},
		"good/multiline.ini": {
			{"Notes", "text", "first line\nsecond line\n\nafter a blank line\nlast line"},
			// Indented deeper than "next", so part of its value.
			{"Notes", "next", "1\nindented key = looks like a key, but continues next\ndeeper = continues indented key"},
			{"Notes", "after", "x"},
			{"Another", "k", "v"},
		},
		"good/defaults.ini": {
			{"Paths", "photos", "/home/pi/photos"},
			{"Paths", "thumbs", "/home/pi/thumbs"},
			{"Paths", "nested", "/home/pi/photos/nested"},
			{"Paths", "shared", "overridden"},
			{"Other", "shared", "from default"},
			{"Other", "base", "/home/pi"},
		},
		"good/unicode.ini": {
			{"Global", "locationname", "Café Zürich – 日本 ✓"},
			{"Global", "ünïcode kéy", "ΣΑΣ"},
			{"Global", "κλειδις", "greek key ending in capital sigma"},
			{"Seção", "chave", "valor"},
		},
		"good/sections.ini": {
			{" spaced name ", "k", "1"},
			{"a]b", "k", "2"},
			{"global", "k", "lower-case global is another section"},
			{"Global", "k", "4"},
		},
		// Get keeps what configparser would refuse, as written.
		"good/badpercent.ini": {
			{"Transfer", "ftppassword", "p%ss"},
			{"Transfer", "discount", "100%"},
			{"Transfer", "dateformat", "%Y-%m-%d"},
			{"Transfer", "ref", "%(missing)s"},
			{"Transfer", "broken", "%(unclosed"},
			{"Transfer", "ok", "50%"},
		},
	}
	for name, wants := range cases {
		f, err := Parse(readFixture(t, name), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range wants {
			got, ok := f.Get(w.sec, w.key)
			if !ok || got != w.value {
				t.Errorf("%s [%s] %q = %q, %v; want %q", name, w.sec, w.key, got, ok, w.value)
			}
		}
	}

	f, err := Parse(readFixture(t, "good/handedited.ini"), "h")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Get("global", "locationname"); ok {
		t.Error("section names must be case-sensitive")
	}
	if _, _, err := f.Lookup("Transfer", "sftppassword"); err != nil {
		t.Error(err)
	}
	bools := []struct {
		sec, key string
		want     bool
	}{
		{"Global", "enablecamerausb", true},    // YES
		{"Transfer", "transferonbootup", true}, // On
		{"Transfer", "deleteaftertransfer", false},
		{"Copy", "copyonbootup", false}, // off
		{"Copy", "renameoncopy", true},  // TRUE
		{"Copy", "deleteaftercopy", false},
	}
	for _, b := range bools {
		got, err := f.Bool(b.sec, b.key, !b.want)
		if err != nil || got != b.want {
			t.Errorf("[%s] %s = %v, %v; want %v", b.sec, b.key, got, err, b.want)
		}
	}
	if _, err := f.Bool("Global", "locationname", false); err == nil ||
		!strings.Contains(err.Error(), "[Global] locationname") || !strings.Contains(err.Error(), "Back Paddock") {
		t.Errorf("bad boolean error should name section, key and value: %v", err)
	}
	if n, err := f.Int("Global", "thumbscount", 0); err != nil || n != 48 {
		t.Errorf("thumbscount = %d, %v", n, err)
	}

	b, err := Parse(readFixture(t, "good/badpercent.ini"), "b")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"ftppassword", "discount", "dateformat", "ref", "broken", "loop1"} {
		if _, _, err := b.Lookup("Transfer", key); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Lookup %s: want an interpolation error naming the key, got %v", key, err)
		}
	}
}

// Files configparser refuses give an error naming the file, line and reason.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		file  string
		kind  ErrorKind
		lines []int
		text  string
	}{
		{"bad/garbage.ini", BadLine, []int{3, 5}, "this line has no delimiter"},
		{"bad/dupsection.ini", DuplicateSection, []int{7}, "duplicate section [Global]"},
		{"bad/dupkey.ini", DuplicateKey, []int{3}, "duplicate key locationname"},
		{"bad/nosection.ini", NoSection, []int{2}, "before the first [section]"},
		{"bad/emptykey.ini", BadLine, []int{2}, "= no key"},
		{"bad/html.ini", NoSection, []int{1}, "502 Bad Gateway"},
	}
	for _, c := range cases {
		path := filepath.Join("testdata", c.file)
		_, err := Parse(readFixture(t, c.file), path)
		if err == nil {
			t.Fatalf("%s: no error", c.file)
		}
		pes := parseErrors(err)
		if len(pes) != len(c.lines) {
			t.Fatalf("%s: %v", c.file, err)
		}
		for i, pe := range pes {
			if pe.Kind != c.kind || pe.Line != c.lines[i] || pe.Path != path {
				t.Errorf("%s: got %+v", c.file, pe)
			}
		}
		msg := err.Error()
		if !strings.Contains(msg, path+":"+itoa(c.lines[0])) || !strings.Contains(msg, c.text) {
			t.Errorf("%s: message %q lacks path:line or %q", c.file, msg, c.text)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Byte-level cases that are awkward in fixture files: line endings, odd
// white space, quotes, encodings. Each must read as configparser reads it.
func TestBytesAgreeWithPython(t *testing.T) {
	cases := []struct {
		name, data string
		sec, key   string // when set, the key's expected value
		want       string
	}{
		{"crlf", "[Global]\r\nlocationname = a\r\nthumbscount = 24\r\n", "Global", "locationname", "a"},
		{"lone cr", "[Global]\rlocationname = a\rk = b", "Global", "k", "b"},
		{"no final newline", "[Global]\nlocationname = a", "Global", "locationname", "a"},
		{"bom", "\uFEFF[Global]\nlocationname = a\n", "Global", "locationname", "a"},
		{"nbsp trimmed", "[G]\nk =\u00a0v\u00a0\n", "G", "k", "v"},
		{"info separators are space", "[G]\nk = \x1cv\x1f\n", "G", "k", "v"},
		{"ideographic space", "[G]\nk = \u3000v w\u3000\n", "G", "k", "v w"},
		{"tabs", "[G]\n\tk\t=\tv\t\n", "G", "k", "v"},
		{"quotes kept", "[G]\nk = \"quoted\"\n", "G", "k", `"quoted"`},
		{"single quotes kept", "[G]\nk = 'q'\n", "G", "k", `'q'`},
		{"backquotes kept", "[G]\nk = `date`\n", "G", "k", "`date`"},
		{"triple quotes kept", "[G]\nk = \"\"\"x\nj = y\n", "G", "k", `"""x`},
		{"backslash kept", "[G]\nk = a\\\nj = b\n", "G", "k", `a\`},
		{"dash key", "[G]\n- = dash\n", "G", "-", "dash"},
		{"nul byte", "[G]\nk = a\x00b\n", "G", "k", "a\x00b"},
		{"vertical tab inside", "[G]\nk = a\vb\n", "G", "k", "a\vb"},
		{"form feed indent", "[G]\nk = a\n\fb\n", "G", "k", "a\nb"},
		{"comment keeps value open", "[G]\nk = a\n# c\n  b\n", "G", "k", "a\nb"},
		{"bad line keeps value open", "[G]\nk = a\nbad\n  b\n", "", "", ""},
		{"indented header continues", "[G]\nk = a\n  [H]\n", "G", "k", "a\n[H]"},
		{"empty", "", "", "", ""},
		{"only comments", "# one\n; two\n", "", "", ""},
		{"only blank", "\n\n  \n", "", "", ""},
		{"empty header", "[]\n", "", "", ""},
		{"header without close", "[G]\n[H = 1\n", "G", "[h", "1"},
		{"DEFAULT twice", "[DEFAULT]\na = 1\n[X]\n[DEFAULT]\nb = 2\n", "X", "b", "2"},
		{"DEFAULT dup key", "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n", "", "", ""},
		{"dup key after empty key", "[G]\n= a\n= b\n", "", "", ""},
		{"invalid utf-8", "[G]\nk = \xff\n", "", "", ""},
		{"latin-1", "[G]\nk = caf\xe9\n", "", "", ""},
		{"deep interpolation", "[G]\na = %(b)s\nb = %(c)s\nc = %(d)s\nd = %(e)s\ne = %(f)s\nf = %(g)s\ng = %(h)s\nh = %(i)s\ni = %(j)s\nj = %(k)s\nk = %%end\n", "G", "a", "%(k)s"},
		{"nine deep", "[G]\na = %(b)s\nb = %(c)s\nc = %(d)s\nd = %(e)s\ne = %(f)s\nf = %(g)s\ng = %(h)s\nh = %(i)s\ni = %(j)s\nj = %%end\n", "G", "a", "%end"},
		{"reference with newline", "[G]\na = %(b\n  c)s\nb\n", "", "", ""},
		{"trailing percent", "[G]\na = x%\n", "G", "a", "x%"},
		{"interpolation in DEFAULT", "[DEFAULT]\nd = %(e)s!\ne = E\n[X]\ne = own\n", "X", "d", "own!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := agreeWithPython(t, []byte(c.data))
			if c.sec == "" {
				return
			}
			if f == nil {
				t.Fatalf("%q: not read", c.data)
			}
			if got, _ := f.Get(c.sec, c.key); got != c.want {
				t.Fatalf("[%s] %s = %q, want %q", c.sec, c.key, got, c.want)
			}
		})
	}
}

// pySpace and pyLower match Python's str.isspace and str.lower.
func TestPythonStringRules(t *testing.T) {
	script := `
import json, sys
spaces = [c for c in range(0x110000) if chr(c).isspace()]
words = json.loads(sys.stdin.read())
print(json.dumps({"spaces": spaces, "lower": [w.lower() for w in words]}))
`
	words := []string{
		"LocationName", "FILE CREATED", "İstanbul", "ΣΑΣ", "ΑΣ.", "Σ", "ΑΣ'Α", "ΑΣ:",
		"ǅungla", "ẞ", "Ω", "K", "Å", "ΑΣ\u0301", "ΜΑΣ Α", "AΣB", "ꞫA", "Ⅻ", "Ⓐ",
		"DŽ", "ǈ", "Ǳ", "ΌΣΟΣ", "ΑΣ\u00ad",
	}
	in, _ := json.Marshal(words)
	cmd := exec.Command("python3", "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var res struct {
		Spaces []rune   `json:"spaces"`
		Lower  []string `json:"lower"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	isPy := map[rune]bool{}
	for _, r := range res.Spaces {
		isPy[r] = true
	}
	for r := rune(0); r < 0x110000; r++ {
		if pySpace(r) != isPy[r] {
			t.Errorf("U+%04X: pySpace %v, Python isspace %v", r, pySpace(r), isPy[r])
		}
	}
	for i, w := range words {
		if got := pyLower(w); got != res.Lower[i] {
			t.Errorf("pyLower(%q) = %q, Python %q", w, got, res.Lower[i])
		}
	}
}
