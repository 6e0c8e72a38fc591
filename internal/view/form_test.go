package view

import (
	"net/url"
	"strings"
	"testing"
)

// The zero Form draws what is stored.
func TestFormZeroShowsStored(t *testing.T) {
	var f Form
	if f.Rejected() || f.Value("a", "stored") != "stored" || !f.Checked("c", true) || f.Checked("c", false) || !f.Ticked("g", "v", true) ||
		!f.Selected("s", "x", true) || f.Error("a") != "" || f.Attrs("a") != "" || f.Note("a") != "" {
		t.Fatal("the zero form does not show the stored values")
	}
}

// A refused form draws what was typed, each reason beside its field, one
// summary, and never a secret.
func TestRejectedFormAsTyped(t *testing.T) {
	typed := url.Values{"days": {"Monday", "Friday"}, "server": {"ftp.example.com:99999"}, "user": {"pi"}, "day": {"Monday"}, "tick": {"on"},
		"pw": {"hunter2"}, "pw2": {""}}
	f := RejectedForm(typed, []FieldError{
		{Field: "server", Text: `FTP server "ftp.example.com:99999": the port must be a number from 1 to 65535.`},
		{Field: "server", Text: "A second reason."},
		{Text: "A reason for the whole form."},
	}, "pw", "pw2")
	typed.Set("user", "changed after") // the form keeps its own copy
	switch {
	case !f.Rejected():
		t.Fatal("not rejected")
	case f.Value("server", "stored.example.com") != "ftp.example.com:99999", f.Value("user", "x") != "pi":
		t.Error("typed text not kept")
	case f.Value("absent", "stored") != "stored":
		t.Error("a field not posted lost its stored value")
	case !f.Checked("tick", false), f.Checked("untick", true):
		t.Error("checkboxes not as typed (absent means unticked)")
	case !f.Selected("day", "Monday", false), f.Selected("day", "Daily", true):
		t.Error("select not as typed")
	case !f.Ticked("days", "Monday", false), f.Ticked("days", "Sunday", true):
		t.Error("a group of checkboxes not as typed")
	case !f.Selected("nosent", "x", true):
		t.Error("a select that sent nothing (disabled choice) lost its stored choice")
	}
	if got := f.Value("pw", ""); got != "" {
		t.Errorf("the password is drawn again: %q", got)
	}
	if f.Error("pw") != SecretNote || f.Error("pw2") != "" {
		t.Errorf("password notes: %q %q", f.Error("pw"), f.Error("pw2"))
	}
	if strings.Contains(f.Summary, "hunter2") || strings.Contains(string(f.Note("pw")), "hunter2") {
		t.Error("the password is echoed")
	}
	if f.Error("server") != `FTP server "ftp.example.com:99999": the port must be a number from 1 to 65535.` {
		t.Errorf("the field shows %q, want its first reason", f.Error("server"))
	}
	want := `Nothing was saved: FTP server "ftp.example.com:99999": the port must be a number from 1 to 65535. A second reason. A reason for the whole form. ` + SecretNote
	if f.Summary != want {
		t.Errorf("summary %q\nwant %q", f.Summary, want)
	}
	if a := string(f.Attrs("server")); a != `aria-invalid="true" aria-describedby="server-error"` {
		t.Errorf("attrs %s", a)
	}
	if n := string(f.Note("server")); n != `<span class="fielderror" id="server-error">FTP server &#34;ftp.example.com:99999&#34;: the port must be a number from 1 to 65535.</span>` {
		t.Errorf("note %s", n)
	}
	if f.Attrs("user") != "" || f.Note("user") != "" {
		t.Error("a field that was not refused is marked")
	}
	if g := RejectedForm(url.Values{}, nil); g.Summary != "Nothing was saved." || !g.Rejected() {
		t.Errorf("no reasons: %q", g.Summary)
	}
}
