package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// trickyValues are values users can type that an INI file makes hard.
var trickyValues = []string{
	"p%ss", "100%", "%Y-%m-%d", "%Y%m%d-%H%M%S_%f", "%%", "%", "%(locationname)s", "%(",
	"a = b", "key: value", "#lead", ";lead", "a;b#c", "[Global]", "[x]y", "=x", ":x",
	"unicode ✓ café 日本 ΣΑΣ 📷", `"quoted"`, "'single'", "`date`", `"""`, `trailing\`,
	"tab\tinside", "nul\x00inside", "", "x", "on", "Off", "True",
	"https://hc.example.com/ping/0f3a?k=v&x=%20y#frag",
}

// Go writes, Python's configparser reads back exactly what was set.
func TestGoWritesPythonReads(t *testing.T) {
	f := NewFile("testpi", created)
	var want []struct{ sec, key, value string }
	set := func(sec, key, value string) {
		f.Set(sec, key, value)
		want = append(want, struct{ sec, key, value string }{sec, key, value})
	}
	for i, v := range trickyValues {
		set(SectionTransfer, "value"+itoa(i), v)
	}
	set(SectionGlobal, KeyEnableCameraUSB, FormatBool(false))
	set(SectionCopy, KeyCopyOnBootup, FormatCheckbox(true))
	set(SectionCopy, KeyRenameOnCopy, FormatCheckbox(false))
	set(SectionCopy, KeyRenameString, "%Y%m%d_%H%M%S")
	set(SectionTransfer, KeyFTPPassword, "p%ss")
	set("Unknown Section", "File Created", "mixed-case key, stored lower-case")
	set(SectionDefault, "inherited", "everywhere")

	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	py := pyRead(t, data)
	if py.Error != nil {
		t.Fatalf("Python cannot read Go's file: %s\n%s", py.Error.Message, data)
	}
	if string(py.Rewrite) != string(data) {
		t.Fatalf("Python writes Go's file back differently:\nGo     %q\nPython %q", data, py.Rewrite)
	}
	values := map[[2]string]pyKey{}
	for _, s := range py.Sections {
		for _, k := range s.Keys {
			values[kv{s.Name, k.Key}] = k
		}
	}
	for _, k := range py.DefaultKeys {
		values[kv{SectionDefault, k.Key}] = k
	}
	for _, w := range want {
		k, ok := values[kv{w.sec, pyLower(w.key)}]
		if !ok || k.Value == nil || *k.Value != w.value {
			t.Errorf("[%s] %s: set %q, Python reads %+v", w.sec, w.key, w.value, k)
		}
	}
	for _, b := range []struct {
		sec, key string
		want     bool
	}{{SectionGlobal, KeyEnableCameraUSB, false}, {SectionCopy, KeyCopyOnBootup, true}, {SectionCopy, KeyRenameOnCopy, false}, {SectionTransfer, KeyDeleteAfterTransfer, false}} {
		if k := values[kv{b.sec, b.key}]; k.Bool == nil || *k.Bool != b.want {
			t.Errorf("[%s] %s: Python getboolean %v, want %v", b.sec, b.key, k.Bool, b.want)
		}
	}
	agreeWithPython(t, data)
}

// Python's configparser writes, Go reads exactly what Python reads.
func TestPythonWritesGoReads(t *testing.T) {
	var keys []kv
	for i, v := range trickyValues {
		keys = append(keys, kv{"Value" + itoa(i), v})
	}
	// Values configparser itself does not read back as set.
	odd := []kv{{"padded", "  padded  "}, {"twolines", "two\nlines"}, {"indented", "a\n\n  b"}}
	secs := []pySec{
		{SectionGlobal, []kv{{"file created", "01 Dec 2026"}, {"locationName", "Top Paddock"}, {"thumbsCount", "48"}, {"enableCameraUsb", "True"}}},
		{SectionTransfer, append([]kv{{"tfrMethod", "FTP"}, {"ftpPassword", "p%ss"}, {"transferOnBootup", "on"}}, keys...)},
		{SectionCopy, []kv{{"renameString", "%Y-%m-%d"}, {"copyDay", "Daily"}}},
		{"Mixed Case Section", []kv{{"MiXeD KeY", "v"}}},
	}
	data := pyWrite(t, secs, true)
	f := agreeWithPython(t, data)
	if f == nil {
		t.Fatal("Go cannot read Python's file")
	}
	if out, _ := f.Bytes(); string(out) != string(data) {
		t.Fatalf("Go writes Python's file back differently:\nPython %q\nGo     %q", data, out)
	}
	secs[1].Keys = append(secs[1].Keys, odd...)
	if f = agreeWithPython(t, pyWrite(t, secs, true)); f == nil {
		t.Fatal("Go cannot read Python's file")
	}
	for _, s := range secs {
		for _, k := range s.Keys {
			got, ok := f.Get(s.Name, k[0])
			want := k[1]
			switch want { // as configparser reads them
			case "  padded  ":
				want = "padded"
			case "a\n\n  b":
				want = "a\n\nb"
			}
			if !ok || got != want {
				t.Errorf("[%s] %s: Python set %q, Go reads %q", s.Name, k[0], k[1], got)
			}
		}
	}
	st, err := f.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if st.Global.LocationName != "Top Paddock" || st.Global.ThumbsCount != 48 || !st.Global.EnableCameraUSB ||
		st.Transfer.Method != "FTP" || st.Transfer.FTPPassword != "p%ss" || !st.Transfer.TransferOnBootup ||
		st.Copy.RenameString != "%Y-%m-%d" {
		t.Errorf("settings from Python's file: %+v", st)
	}
}

func TestSetKeepsOrderAndComments(t *testing.T) {
	src := "; top\n[Global]\n# about a\na = 1\n# about b\nb = 2\n# end of Global\n[Copy]\nc = 3\n# last\n"
	f, err := Parse([]byte(src), "x")
	if err != nil {
		t.Fatal(err)
	}
	f.Set("Global", "A", "one") // existing key, any case: stays in place
	f.Delete("Global", "b")     // its comment moves down to the next header
	f.Delete("Copy", "c")       // the last key: its comments stay in the file
	f.Delete("Nowhere", "x")
	f.Set("New", "k", "v")
	got, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := "; top\n[Global]\n# about a\na = one\n\n# about b\n# end of Global\n[Copy]\n\n[New]\nk = v\n\n# last\n"
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	agreeWithPython(t, got)

	if f.SetDefault("Global", "a", "x") {
		t.Error("SetDefault replaced an existing key")
	}
	if !f.SetDefault("Global", "thumbscount", "24") || f.String("Global", "thumbscount", "") != "24" {
		t.Error("SetDefault did not add a missing key")
	}
	if f.String("Global", "missing", "def") != "def" {
		t.Error("String default")
	}
}

func TestSetRefusesUnwritableNames(t *testing.T) {
	for _, c := range []struct{ sec, key string }{
		{"", "k"}, {"A\nB", "k"}, {"G", ""}, {"G", "   "}, {"G", "a=b"}, {"G", "a:b"}, {"G", "#k"},
		{"G", ";k"}, {"G", "[k]"}, {"G", "a\nb"}, {"G", "\xff"}, {"\xff", "k"},
	} {
		f := &File{}
		f.Set(c.sec, c.key, "v")
		if f.Err() == nil {
			t.Errorf("Set(%q, %q) accepted", c.sec, c.key)
			continue
		}
		if _, err := f.Bytes(); err == nil {
			t.Errorf("Bytes after Set(%q, %q) succeeded", c.sec, c.key)
		}
		if len(f.sections) != 0 {
			t.Errorf("Set(%q, %q) stored something", c.sec, c.key)
		}
	}
	f := &File{}
	f.Set("G", "  Spaced Key  ", "v") // outer spaces go, as configparser drops them
	if v, ok := f.Get("G", "spaced key"); !ok || v != "v" || f.Err() != nil {
		t.Errorf("spaced key: %q %v %v", v, ok, f.Err())
	}
}

func TestSettingsDefaultsAndErrors(t *testing.T) {
	f, err := Parse([]byte("[Global]\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Settings()
	if err != nil || st != Defaults() {
		t.Fatalf("empty file: %+v, %v", st, err)
	}
	d := Defaults()
	if d.Global.LocationName != "Intvlm8r" || d.Global.ThumbsCount != 24 || !d.Global.EnableCameraUSB ||
		d.Global.WakePiHour != "25" || d.Thresholds.DaysFreeWarn != 14 || d.Thresholds.DaysFreeAlarm != 7 ||
		d.Thresholds.VoltageHigh != 14 || d.Thresholds.VoltageLow != 9 || d.Transfer.Method != "Off" ||
		d.Copy.CopyDay != "Off" || d.Monitoring.HeartbeatFrequency != "Off" || d.Monitoring.HeartbeatURL != "" ||
		d.Transfer.TransferOnBootup || d.Transfer.DeleteAfterTransfer || d.Copy.DeleteAfterCopy || d.Copy.RenameOnCopy {
		t.Errorf("defaults: %+v", d)
	}

	bad := "[Global]\nthumbscount = lots\nenablecamerausb = maybe\n[Thresholds]\nvoltage_low = 9.5\ndaysfreewarn = +2_1\n[Copy]\ncopyonbootup = Y\n"
	f, err = Parse([]byte(bad), "x")
	if err != nil {
		t.Fatal(err)
	}
	st, err = f.Settings()
	if err == nil {
		t.Fatal("no error for malformed values")
	}
	for _, s := range []string{"[Global] thumbscount", "lots", "[Global] enablecamerausb", "maybe", "[Thresholds] voltage_low", "9.5", "[Copy] copyonbootup", `"Y"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "daysfreewarn") {
		t.Errorf("+2_1 is an integer to Python: %v", err)
	}
	if st.Global.ThumbsCount != 24 || !st.Global.EnableCameraUSB || st.Thresholds.VoltageLow != 9 ||
		st.Thresholds.DaysFreeWarn != 21 || st.Copy.CopyOnBootup {
		t.Errorf("malformed values should take defaults: %+v", st)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 4 {
		t.Errorf("want 4 problems, got %v", err)
	}
}

func TestParseIntLikePython(t *testing.T) {
	good := map[string]int{"24": 24, " 7 ": 7, "+3": 3, "-9": -9, "1_000": 1000, "٢٤": 24, "００７": 7, "0": 0}
	for s, want := range good {
		if n, err := ParseInt(s); err != nil || n != want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "+", "_1", "1_", "1__0", "1.5", "0x10", "ten", "99999999999999999999"} {
		if _, err := ParseInt(s); err == nil {
			t.Errorf("ParseInt(%q) accepted", s)
		}
	}
	for _, s := range []string{"1", "yes", "TRUE", "On", "0", "NO", "false", "OFF"} {
		if _, err := ParseBool(s); err != nil {
			t.Errorf("ParseBool(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "y", "2", "enabled", " on"} {
		if _, err := ParseBool(s); err == nil {
			t.Errorf("ParseBool(%q) accepted", s)
		}
	}
}

func TestSectionsForIniview(t *testing.T) {
	f, err := Parse([]byte("[DEFAULT]\nd = D\n[B]\nz = 1\nd = own\n[A]\ny = 100%%\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	got := f.Sections()
	want := []Section{
		{"B", []KV{{"d", "own"}, {"z", "1"}}},
		{"A", []KV{{"d", "D"}, {"y", "100%"}}},
	}
	if !slices.EqualFunc(got, want, func(a, b Section) bool { return a.Name == b.Name && slices.Equal(a.Keys, b.Keys) }) {
		t.Errorf("Sections() = %v, want %v", got, want)
	}
}
