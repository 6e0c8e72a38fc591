package web

import (
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"net/url"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
)

// Every settings form saves only what its user changed. The page records
// the values it showed in a hidden field (shownField, URL-encoded); on
// submit a field counts as changed only when its value differs from the one
// shown. Only changed fields are checked and written, so that:
//   - two browsers (or tabs) that each change a different field both land,
//     whatever else their forms resent;
//   - a value the original accepted and the INI still holds is never refused
//     because it is there (it is not checked unless the user edits it);
//   - a field missing from a post means "unchanged", never a reset.
//
// A field changed here that someone else also changed since the page was
// shown (to another value) is a conflict: the whole post is refused and
// nothing is saved. A post without the record (a hand-made request) compares
// each field with the INI as it is now.
const shownField = "_shown"

// formKind says how a field's submitted text is read.
type formKind int

const (
	fieldText     formKind = iota // trimmed (the INI cannot keep outer spaces); the trim is said
	fieldChoice                   // a select: taken exactly as sent
	fieldCheckbox                 // "on" when ticked, "" when not
)

// shownValues is a form's record, for its hidden field.
func shownValues(v map[string]string) string { return view.EncodeShown(v) }

// inputValue is what a browser sends back for a text input holding v.
func inputValue(v string) string { return view.InputValue(v) }

// checkboxValue is what a browser sends for a checkbox.
func checkboxValue(on bool) string { return view.CheckboxValue(on) }

// formEdit compares one submitted form with what its page showed and with
// the INI now (current, the form's values rendered from it).
type formEdit struct {
	post     url.Values
	shown    url.Values // nil: the post carries no record
	current  map[string]string
	errs     []view.FieldError
	secrets  []string // password fields: never drawn again
	notes    []string // told to the user, in orange, when something is saved
	conflict []string
	changed  int
}

func newFormEdit(c echo.Context, current map[string]string) *formEdit {
	c.FormValue(shownField) // parses the body
	e := &formEdit{post: c.Request().PostForm, current: current}
	if _, ok := e.post[shownField]; ok {
		e.shown, _ = url.ParseQuery(e.post.Get(shownField))
		if e.shown == nil {
			e.shown = url.Values{}
		}
	}
	return e
}

// bad refuses the form for a reason that belongs to no one field.
func (e *formEdit) bad(format string, a ...any) { e.badField("", format, a...) }

// badField refuses the form for a reason shown beside field name (the
// name the field has in the form).
func (e *formEdit) badField(name, format string, a ...any) {
	// A long value quoted in the reason is shortened, as in a flash.
	e.errs = append(e.errs, view.FieldError{Field: name, Text: shortenForFlash(fmt.Sprintf(format, a...))})
}

// secret marks field name as a password: it is never drawn again.
func (e *formEdit) secret(name string) { e.secrets = append(e.secrets, name) }

// field reads one field. value is the (normalised) submitted value when
// changed, else the INI's current one; changed tells whether the user
// altered it.
func (e *formEdit) field(name, label string, kind formKind) (value string, changed bool) {
	cur := e.current[name]
	vs, present := e.post[name]
	raw := ""
	if present && len(vs) > 0 {
		raw = vs[len(vs)-1]
	}
	_, onPage := e.shown[name]
	switch kind {
	case fieldCheckbox:
		// An unticked box is not sent: from our page that means unticked;
		// in a post without the record, absent means unchanged.
		if !present && !onPage {
			return cur, false
		}
		switch strings.ToLower(raw) {
		case "on", "true", "1", "yes":
			raw = "on"
		default:
			raw = ""
		}
	case fieldText:
		if !present {
			return cur, false
		}
		if t := strings.TrimSpace(raw); t != raw {
			if t != strings.TrimSpace(e.base(name)) {
				e.notes = append(e.notes, fmt.Sprintf("Spaces at the start or end of the %s were removed: the settings file cannot keep them.", label))
			}
			raw = t
		}
	default:
		if !present {
			return cur, false
		}
	}
	base := e.base(name)
	if raw == base {
		return cur, false
	}
	if onPage && cur != base && cur != raw {
		e.conflict = append(e.conflict, label)
	}
	e.changed++
	return raw, true
}

// base is what the user started from: the value shown, or the INI's now.
func (e *formEdit) base(name string) string {
	if v, ok := e.shown[name]; ok {
		return v[0]
	}
	return e.current[name]
}

// errFormRefused is returned from a config update to write nothing.
var errFormRefused = errors.New("form refused")

// verdict is nil when the changes may be saved; else errFormRefused. A
// conflict is flashed (the page must be reloaded); refused values make the
// rejected form (rejectedForm), which formDone draws again as typed.
func (e *formEdit) verdict(c echo.Context) error {
	switch {
	case len(e.conflict) > 0:
		flash(c, status.Red, fmt.Sprintf("Not saved: %s changed elsewhere (another browser or tab) since this page was loaded. Reload the page and make your change again.", strings.Join(e.conflict, ", ")))
	case len(e.errs) > 0:
		c.Set(ctxRejectedForm, view.RejectedForm(e.post, e.errs, e.secrets...))
	default:
		return nil
	}
	return errFormRefused
}

// saved flashes the outcome of a save that went through.
func (e *formEdit) saved(c echo.Context, what string) {
	if e.changed == 0 {
		flash(c, status.White, "Nothing to save: no setting was changed.")
		return
	}
	for _, n := range e.notes {
		flash(c, status.Orange, n)
	}
	flash(c, status.White, what)
}

// ctxRejectedForm holds the request's refused form (a view.Form).
const ctxRejectedForm = "rejectedForm"

// rejectedForm is the form this request refused, if any.
func rejectedForm(c echo.Context) (view.Form, bool) {
	f, ok := c.Get(ctxRejectedForm).(view.Form)
	return f, ok && f.Rejected()
}

// formDone ends a settings form's POST: a refused form is drawn again by
// page (its GET handler) as typed, with its reasons (render answers 422);
// anything else goes back to the page at to.
func (s *Server) formDone(c echo.Context, to string, page echo.HandlerFunc) error {
	if _, ok := rejectedForm(c); ok {
		return page(c)
	}
	return s.redirect(c, to)
}

// saveForm saves one settings form under the INI's lock: current gives the
// form's values from the INI as it is now, apply reads the fields (e.field),
// checks the changed ones (e.bad) and sets them in f. Nothing is written
// when a check or a conflict refuses the post. Every outcome is flashed,
// "<what> saved." on success unless what is "". ok tells whether the
// changes (possibly none) were saved.
func (s *Server) saveForm(c echo.Context, what string, current func(f *config.File) map[string]string, apply func(e *formEdit, f *config.File)) (ok bool) {
	var e *formEdit
	err := s.Config.Update(func(f *config.File) error {
		e = newFormEdit(c, current(f))
		apply(e, f)
		if err := e.verdict(c); err != nil {
			return err
		}
		return f.Err()
	})
	switch {
	case errors.Is(err, errFormRefused):
	case err != nil:
		s.Log.Error("save settings", "form", what, "err", err)
		if errors.Is(err, os.ErrPermission) {
			flash(c, status.Red, "Not saved: permission denied writing the settings file.")
		} else {
			flash(c, status.Red, "Not saved: the settings file could not be written: "+err.Error())
		}
	case what != "":
		e.saved(c, what+" saved.")
		return true
	default:
		return true
	}
	return false
}

// Error is the first refusal of field name so far, "" when none.
func (e *formEdit) Error(name string) string {
	for _, r := range e.errs {
		if r.Field == name {
			return r.Text
		}
	}
	return ""
}

// refuse refuses this request's form (one checked outside saveForm), so
// that formDone draws it again as typed, each reason beside its field.
func refuse(c echo.Context, errs ...view.FieldError) {
	c.FormValue("") // parses the body
	c.Set(ctxRejectedForm, view.RejectedForm(c.Request().PostForm, errs))
}
