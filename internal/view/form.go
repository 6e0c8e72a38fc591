package view

import (
	"html/template"
	"net/url"
	"strings"
)

// Form is a settings form the server refused, drawn again as its user
// typed it: every field keeps the typed value, each refused field carries
// its reason beside it, and the page opens with one summary. The zero Form
// is a page drawn from the settings file, whose fields show what is stored.
//
// Secrets (passwords) are never part of it: a page never sends a password
// back, so a refused password field is drawn empty with a note that what
// was typed there was not saved.
type Form struct {
	typed   url.Values
	errs    map[string]string
	Summary string // "Nothing was saved: …"; "" for the zero Form
}

// FieldError is one refusal: the field it is about ("" for the form as a
// whole) and the sentence that says why.
type FieldError struct {
	Field, Text string
}

// SecretNote is what a refused form says beside a password that was typed:
// it is neither saved nor sent back.
const SecretNote = "The password typed here was not saved: type it again."

// RejectedForm is the form typed (as posted), refused for errs. The fields
// named in secrets are dropped from what is drawn again; one that held a
// typed value gets SecretNote beside it, unless it has an error of its own.
func RejectedForm(typed url.Values, errs []FieldError, secrets ...string) Form {
	f := Form{typed: url.Values{}, errs: map[string]string{}}
	for k, v := range typed {
		f.typed[k] = v
	}
	var texts []string
	for _, e := range errs {
		if t, cut := strings.CutPrefix(e.Text, "Not saved: "); cut { // the summary says it once
			e.Text = strings.ToUpper(t[:1]) + t[1:]
		}
		texts = append(texts, e.Text)
		if _, dup := f.errs[e.Field]; e.Field != "" && !dup {
			f.errs[e.Field] = e.Text
		}
	}
	for _, s := range secrets {
		if f.typed.Get(s) != "" {
			if _, has := f.errs[s]; !has {
				f.errs[s] = SecretNote
				texts = append(texts, SecretNote)
			}
		}
		delete(f.typed, s)
	}
	f.Summary = "Nothing was saved: " + strings.Join(texts, " ")
	if len(texts) == 0 {
		f.Summary = "Nothing was saved."
	}
	return f
}

// Rejected tells whether the page shows a refused form.
func (f Form) Rejected() bool { return f.typed != nil }

// Value is what a text field shows: as typed when refused, else stored.
func (f Form) Value(name, stored string) string {
	if vs, ok := f.typed[name]; ok && f.Rejected() && len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return stored
}

// Checked is whether a checkbox shows ticked. A refused form from the page
// sends only ticked boxes, so one absent from it was unticked.
func (f Form) Checked(name string, stored bool) bool {
	if !f.Rejected() {
		return stored
	}
	v := strings.ToLower(f.typed.Get(name))
	return v == "on" || v == "true" || v == "1" || v == "yes"
}

// Ticked is whether the checkbox of value in group name (several boxes of
// one name) shows ticked: as sent when refused, else stored.
func (f Form) Ticked(name, value string, stored bool) bool {
	if !f.Rejected() {
		return stored
	}
	for _, v := range f.typed[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Selected is whether the option value of select name shows selected: the
// one sent when refused, else the stored choice (also when the post had
// none, as for a select left on a disabled "(not set)").
func (f Form) Selected(name, value string, stored bool) bool {
	if vs, ok := f.typed[name]; ok && f.Rejected() && len(vs) > 0 {
		return vs[len(vs)-1] == value
	}
	return stored
}

// Error is the reason field name was refused, "" when it was not.
func (f Form) Error(name string) string { return f.errs[name] }

// ErrorID is the id of the element that holds field name's reason.
func ErrorID(name string) string { return name + "-error" }

// Attrs are a refused field's attributes: marked invalid and described by
// its reason. Nothing for a field that was not refused.
func (f Form) Attrs(name string) template.HTMLAttr {
	if f.errs[name] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(ErrorID(name)) + `"`)
}

// Note is the element beside a refused field that says why; nothing for a
// field that was not refused.
func (f Form) Note(name string) template.HTML {
	msg := f.errs[name]
	if msg == "" {
		return ""
	}
	return template.HTML(`<span class="fielderror" id="` + template.HTMLEscapeString(ErrorID(name)) + `">` + template.HTMLEscapeString(msg) + `</span>`)
}
