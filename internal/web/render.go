package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"github.com/intvlm8r/intvlm8r-go/templates"
)

// menuItem is one link of the menu, in the original's order.
type menuItem struct {
	Path, Label string
	Current     bool
}

var menu = []menuItem{
	{"/", "Home", false},
	{"/thumbnails", "Thumbnails", false},
	{"/camera", "Camera Settings", false},
	{"/intervalometer", "Intervalometer Settings", false},
	{"/transfer", "Transfer Settings", false},
	{"/thermal", "Thermal Settings", false},
	{"/monitoring", "Remote monitoring", false},
	{"/system", "System Maintenance", false},
}

// message is one flash or notice, coloured red, orange or white.
type message struct {
	Colour status.Colour
	Text   string
}

// layout is what the layout template renders around every page.
type layout struct {
	Title       string // location name in the <title>, when shown
	Location    string
	User        string
	CSRF        string
	Menu        []menuItem
	Messages    []message
	TaskID      string
	TaskProblem string // why no background task can run now ("" when they can)
	// Results are the last results of the tasks this page starts, kept
	// until the next run (Home shows them all in its own tables).
	Results   []view.Row
	Simulated []string
	Form      view.Form // a refused form, drawn again as typed (formedit.go)
	Data      any
}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	// Every templates/*.html but the layout and the partials (_*.html, given
	// to every page) is a page of that name.
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return err
	}
	partials, err := fs.Glob(templates.FS, "_*.html")
	if err != nil {
		return err
	}
	for _, file := range names {
		page := strings.TrimSuffix(file, ".html")
		if page == "layout" || strings.HasPrefix(page, "_") {
			continue
		}
		t, err := template.New(page).Funcs(s.templateFuncs()).ParseFS(templates.FS, append([]string{"layout.html", page + ".html"}, partials...)...)
		if err != nil {
			return fmt.Errorf("parse template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	return nil
}

// render draws page inside the layout, with this request's flashes, the
// running task and the worker check.
func (s *Server) render(c echo.Context, code int, page string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	v := layout{Data: data, User: currentUser(c), Simulated: s.Simulated}
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	for _, m := range menu {
		m.Current = m.Path == c.Path()
		v.Menu = append(v.Menu, m)
	}
	v.Location = s.locationName()
	if v.User != "" && v.Location != "Intvlm8r" {
		v.Title = v.Location
	}
	v.Messages = takeFlashes(c)
	if f, ok := rejectedForm(c); ok {
		v.Form = f
		v.Messages = append([]message{{status.Red, f.Summary}}, v.Messages...)
		if code == http.StatusOK {
			code = http.StatusUnprocessableEntity
		}
	}
	if v.User != "" {
		s.addTaskState(&v)
		v.Results = view.ResultRows(s.lastOutcome, pageResults[c.Path()]...)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(code, buf.Bytes())
}

// pageResults are the kinds of task each page starts, whose last result it shows.
var pageResults = map[string][]string{
	"/transfer":   {health.KindCopy, health.KindUpload, health.KindThumbnails},
	"/thumbnails": {health.KindThumbnails},
	"/monitoring": {health.KindHeartbeat},
}

func (s *Server) lastOutcome(kind string) (health.Outcome, bool) {
	return health.LastOutcome(s.Paths, kind)
}

// addTaskState tells the page which task to follow, and says in red why no
// task would run: Redis not answering, or no worker.
func (s *Server) addTaskState(v *layout) {
	ctx, cancel := context.WithTimeout(context.Background(), pageRedisWait)
	defer cancel()
	if err := s.Tasks.Ready(ctx); err != nil {
		v.TaskProblem = sentence(err.Error()) + ": copies, uploads and heartbeats cannot run."
		return
	}
	if id, err := s.Tasks.Current(); err == nil {
		v.TaskID = id
	}
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// pageRedisWait bounds how long a page waits for Redis to say whether tasks
// can run: a frozen Redis slows a page by this much, no more.
const pageRedisWait = 3 * time.Second

// locationName is the header's name: [Global] locationname, read fresh each
// time (the original cached it for ever), "Intvlm8r" when unset or unreadable.
func (s *Server) locationName() string {
	set, _, err := s.Config.Settings() // a malformed value elsewhere is the page's to report
	if err != nil || set.Global.LocationName == "" {
		return config.DefaultLocationName
	}
	return set.Global.LocationName
}

const sessionName = "intvlm8r"

// currentUser is the logged-in user's name, "" when nobody is logged in
// (resolved once per request by loadSession).
func currentUser(c echo.Context) string {
	u, _ := c.Get(ctxUser).(string)
	return u
}

// flash queues a message for the next page this browser renders. The
// messages ride in the session cookie, which a browser keeps only up to
// 4 kB: a long value quoted in a message is shortened, a long message cut,
// and when the cookie still cannot be written the older messages make room
// for this one.
func flash(c echo.Context, colour status.Colour, text string) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return
	}
	msg := string(colour) + "\x00" + shortenForFlash(text)
	sess.AddFlash(msg)
	if saveSession(c, sess) == nil {
		return
	}
	sess.Flashes()
	sess.AddFlash(msg)
	saveSession(c, sess)
}

// Flash text limits: a quoted value longer than maxFlashQuote is shortened
// to it, a message longer than maxFlashText cut.
const maxFlashQuote, maxFlashText = 60, 400

var quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func shortenForFlash(text string) string {
	text = quotedValue.ReplaceAllStringFunc(text, func(q string) string {
		if len(q) <= maxFlashQuote+2 {
			return q
		}
		return `"` + cutRunes(q[1:], maxFlashQuote) + `…"`
	})
	if len(text) > maxFlashText {
		text = cutRunes(text, maxFlashText) + "…"
	}
	return text
}

// cutRunes is s's longest prefix of at most n bytes that ends on a whole
// UTF-8 character.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func takeFlashes(c echo.Context) []message {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return nil
	}
	raw := sess.Flashes()
	if len(raw) == 0 {
		return nil
	}
	saveSession(c, sess)
	seen := map[string]bool{}
	var out []message
	for _, f := range raw {
		str, _ := f.(string)
		if seen[str] {
			continue
		}
		seen[str] = true
		colour, text, ok := strings.Cut(str, "\x00")
		if !ok {
			continue
		}
		out = append(out, message{status.Colour(colour), text})
	}
	// Most severe first, so the row takes its colour.
	rank := map[status.Colour]int{status.Red: 0, status.Orange: 1, status.White: 2}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Colour] < rank[out[j].Colour] })
	return out
}

func (s *Server) redirect(c echo.Context, to string) error {
	if f, ok := rejectedForm(c); ok {
		flash(c, status.Red, f.Summary) // not drawn again: at least say why
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// settings reads the INI's typed settings. A malformed value is logged and
// its default used; an unreadable file is an error, with every default.
func (s *Server) settings() (config.Settings, error) {
	set, warning, err := s.Config.Settings()
	if warning != nil {
		s.Log.Warn("INI has malformed values; defaults used for them", "err", warning)
	}
	return set, err
}
