package web

import (
	"context"
	"errors"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// The Transfer page: copy scheduling (camera to Pi), the upload method and
// its settings, upload scheduling, the log, Dropbox authorisation and the
// Pi's SSH key. See pages.md §10; its listed defects are fixed here.

func (s *Server) transferPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		s.Log.Error("read INI", "err", err)
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
	}
	src := view.TransferSources{Settings: set, Paths: s.Paths, Arduino: s.Arduino, Log: s.Log}
	if pend, ok := dropboxPending(c); ok {
		src.DropboxAuthURL, src.DropboxAuthKey = pend.url, pend.key
	}
	v := view.BuildTransfer(c.Request().Context(), src)
	if v.Notice != "" {
		flash(c, v.Colour, v.Notice)
	}
	return s.render(c, http.StatusOK, "transfer", v)
}

func (s *Server) transferSubmit(c echo.Context) error {
	switch {
	case c.FormValue("tfrClear") != "":
		if err := transfer.ClearLog(s.Paths); err != nil {
			s.Log.Error("clear transfer log", "err", err)
			flash(c, status.Red, "The log could not be cleared: "+err.Error())
		} else {
			flash(c, status.White, "piTransfer.log cleared.")
		}
	case c.FormValue("sshKeyGen") != "":
		s.generateKey(c)
	case c.FormValue("dbxStart") != "":
		s.dropboxStart(c)
	case c.FormValue("dbxFinish") != "":
		s.dropboxFinish(c)
	case c.FormValue("tfrApply") != "":
		s.transferApply(c)
	}
	return s.formDone(c, "/transfer", s.transferPage)
}

func (s *Server) generateKey(c echo.Context) {
	host, _ := os.Hostname()
	if host == "" {
		host = "intvlm8r"
	}
	_, created, err := transfer.GenerateSSHKey(s.Paths, "intvlm8r@"+host)
	switch {
	case err != nil:
		s.Log.Error("generate SSH key", "err", err)
		flash(c, status.Red, "The key pair could not be made: "+err.Error())
	case created:
		flash(c, status.White, "Key pair created. Add the public key below to ~/.ssh/authorized_keys on the server.")
	default:
		flash(c, status.White, "This Pi already has a key pair; its public key is below.")
	}
}

// The Dropbox authorisation in progress lives in the (encrypted, signed)
// session cookie of the browser that started it, so no other browser can
// finish it, and it lapses.
const dropboxAuthTTL = 30 * time.Minute

type dropboxAuth struct{ key, verifier, url string }

func dropboxPending(c echo.Context) (dropboxAuth, bool) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return dropboxAuth{}, false
	}
	a := dropboxAuth{}
	a.key, _ = sess.Values["dbxKey"].(string)
	a.verifier, _ = sess.Values["dbxVerifier"].(string)
	a.url, _ = sess.Values["dbxURL"].(string)
	at, _ := sess.Values["dbxAt"].(int64)
	if a.verifier == "" || time.Since(time.Unix(at, 0)) > dropboxAuthTTL {
		return dropboxAuth{}, false
	}
	return a, true
}

func setDropboxPending(c echo.Context, a *dropboxAuth) {
	sess, err := session.Get(sessionName, c)
	if err != nil {
		return
	}
	if a == nil {
		for _, k := range []string{"dbxKey", "dbxVerifier", "dbxURL", "dbxAt"} {
			delete(sess.Values, k)
		}
	} else {
		sess.Values["dbxKey"], sess.Values["dbxVerifier"], sess.Values["dbxURL"] = a.key, a.verifier, a.url
		sess.Values["dbxAt"] = time.Now().Unix()
	}
	saveSession(c, sess)
}

func (s *Server) dropboxStart(c echo.Context) {
	set, err := s.settings()
	if err != nil {
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
		return
	}
	key := strings.TrimSpace(set.Transfer.DropboxAppKey)
	if key == "" {
		flash(c, status.Red, "Save the Dropbox app key (Apply) before authorising.")
		return
	}
	link, verifier := s.Dropbox.AuthURL(key)
	setDropboxPending(c, &dropboxAuth{key: key, verifier: verifier, url: link})
	flash(c, status.White, "Open the Dropbox link below, allow the app, then paste the code Dropbox shows and press Finish.")
}

func (s *Server) dropboxFinish(c echo.Context) {
	a, ok := dropboxPending(c)
	if !ok {
		flash(c, status.Red, "No Dropbox authorisation is waiting (it lapses after 30 minutes): press Authorise again.")
		return
	}
	code := strings.TrimSpace(c.FormValue("dbxCode"))
	if code == "" || len(code) > 200 || strings.ContainsFunc(code, unicode.IsSpace) {
		flash(c, status.Red, "Paste the code Dropbox showed (one word, no spaces).")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Minute)
	defer cancel()
	if _, err := s.Dropbox.ExchangeCode(ctx, s.Paths, a.key, a.verifier, code); err != nil {
		s.Log.Warn("dropbox authorisation failed", "err", err)
		flash(c, status.Red, "Dropbox did not accept that code: "+err.Error())
		return
	}
	setDropboxPending(c, nil) // a code works once
	flash(c, status.White, "Dropbox authorised: the token is stored on the Pi.")
}

// startUpload queues an upload after the checks both triggers share.
func (s *Server) startUpload(c echo.Context) (string, error) {
	set, err := s.settings()
	if err != nil {
		return "", echo.NewHTTPError(http.StatusInternalServerError, "The settings file could not be read: "+err.Error())
	}
	switch transfer.Canonical(set.Transfer.Method) {
	case transfer.MethodOff:
		return "", echo.NewHTTPError(http.StatusConflict, "No upload started: the upload method is Off. Choose one on the Transfer page and Apply.")
	case "":
		return "", echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("No upload started: the saved upload method %q is not one of the choices.", set.Transfer.Method))
	}
	return s.startChain(c, "No upload started", "An upload is already queued or running: it sends what this one would.", tasks.TypeUpload)
}

// transferNowButton is the Transfer page's "Transfer now".
func (s *Server) transferNowButton(c echo.Context) error {
	id, err := s.startUpload(c)
	if err != nil {
		return err
	}
	return accepted(c, id)
}

// localTransferNow is GET /trnTrNow on the loopback listener, for the
// upload oneshot. With ?wait=SECONDS it answers when the upload has ended:
// 200 "OK <status>", or 502 "FAILED <status>" when the upload failed (its
// STATUS line is then in piTransfer.log).
func (s *Server) localTransferNow(c echo.Context) error {
	return localChain(c, s.Log, "Upload", s.startUpload, s.Tasks.WaitChain, uploadVerdict)
}

// uploadVerdict is /trnTrNow?wait's answer for an ended upload: a failed
// task, or one whose STATUS is red (some photos not sent), is 502.
func uploadVerdict(views []tasks.View) (int, string) {
	v := views[0]
	if v.State == tasks.StateFailure || v.Colour == status.Red {
		return http.StatusBadGateway, "FAILED " + v.Status
	}
	return http.StatusOK, "OK " + v.Status
}

// transferLogMax is how much of piTransfer.log the log view shows: its end.
const transferLogMax = 2 << 20

// transferLog shows piTransfer.log to a logged-in user, as plain text.
func (s *Server) transferLog(c echo.Context) error {
	f, err := os.Open(s.Paths.TransferLog())
	if errors.Is(err, os.ErrNotExist) {
		return s.render(c, http.StatusOK, "transferlog", transferLogView{})
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusInternalServerError, "The transfer log could not be read.")
	}
	defer f.Close()
	cut := false
	if st, err := f.Stat(); err == nil && st.Size() > transferLogMax {
		f.Seek(st.Size()-transferLogMax, io.SeekStart)
		cut = true
	}
	data, err := io.ReadAll(io.LimitReader(f, transferLogMax))
	if err != nil {
		return echo.NewHTTPError(http.StatusInternalServerError, "The transfer log could not be read.")
	}
	return s.render(c, http.StatusOK, "transferlog", newTransferLogView(string(data), cut))
}

// transferLogView is the log page: its lines newest first, so a phone shows
// the last upload's outcome without scrolling.
type transferLogView struct {
	Lines []string
	Cut   bool // only the end of a long log is shown
}

func newTransferLogView(data string, cut bool) transferLogView {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	if cut && len(lines) > 1 {
		lines = lines[1:] // the seek landed inside this one
	}
	v := transferLogView{Cut: cut}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimRight(lines[i], "\r"); l != "" {
			v.Lines = append(v.Lines, l)
		}
	}
	return v
}
