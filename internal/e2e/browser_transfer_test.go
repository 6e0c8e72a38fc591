package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 12, finding 2, in a browser: a first FTP setup on a new box (no
// INI yet), the transfer day left as shown, with a mistake in the server.
// The refused page keeps everything typed (the method still FTP, so the
// field in question is on screen), says why beside the server field and
// once at the top, and never sends the password back; fixed, Apply saves.
func TestBrowserTransferFirstFTPSetup(t *testing.T) {
	b := StartBox(t, "")
	ctx := Browser(t)
	browserLogin(t, ctx, b)
	js := evalJS(t, ctx)
	typeInto := func(id, text string) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById('`+id+`').value = ''`, nil), chromedp.SendKeys("#"+id, text, chromedp.ByID)); err != nil {
			t.Fatalf("type into %s: %v", id, err)
		}
	}
	if err := chromedp.Run(ctx,
		chromedp.Navigate("http://"+b.UIAddr+"/transfer"),
		chromedp.WaitVisible("#transferForm", chromedp.ByID),
		chromedp.SetValue("#tfrMethod", "FTP", chromedp.ByID),
		chromedp.Evaluate(`document.getElementById('tfrMethod').dispatchEvent(new Event('change'))`, nil),
		chromedp.WaitVisible("#ftpServer", chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	var day string
	js(`document.getElementById('transferDay').value`, &day)
	if day != "afterCopy" {
		t.Fatalf("a first setup's transfer day shows %q, want a valid choice (afterCopy)", day)
	}
	apply := func(typed [][2]string, outcome string) {
		t.Helper()
		for _, f := range typed {
			typeInto(f[0], f[1])
		}
		if err := chromedp.Run(ctx, chromedp.Click("#apply", chromedp.ByID)); err != nil {
			t.Fatal(err)
		}
		if err := waitText(ctx, outcome); err != nil {
			t.Fatal(err)
		}
	}
	apply([][2]string{{"ftpServer", "ftp.example.com:99999"}, {"ftpUser", "photos"}, {"ftpPassword", "pa55-typed"}, {"ftpRemoteFolder", "/site1/"}},
		"Nothing was saved")

	var got struct {
		Method, Server, User, Folder, Password, Day string
		FTPShown, ErrShown, ApplyOn, SameCell       bool
		Described, ErrText, Summary                 string
	}
	js(`(() => {
		const $ = (id) => document.getElementById(id);
		const err = $('ftpServer-error');
		return {
			Method: $('tfrMethod').value, Server: $('ftpServer').value, User: $('ftpUser').value,
			Folder: $('ftpRemoteFolder').value, Password: $('ftpPassword').value, Day: $('transferDay').value,
			FTPShown: !$('ftp').classList.contains('hidden') && $('ftpServer').offsetParent !== null,
			ErrShown: !!err && err.offsetParent !== null,
			ApplyOn: !$('apply').disabled,
			SameCell: !!err && err.closest('td') === $('ftpServer').closest('td'),
			Described: $('ftpServer').getAttribute('aria-describedby') || '',
			ErrText: err ? err.textContent : '',
			Summary: document.querySelector('main tr.red td').innerText,
		};
	})()`, &got)
	if got.Method != "FTP" || got.Server != "ftp.example.com:99999" || got.User != "photos" || got.Folder != "/site1/" || got.Day != "afterCopy" {
		t.Errorf("the refused form does not show what was typed: %+v", got)
	}
	if got.Password != "" {
		t.Error("the password came back into the page")
	}
	if !got.FTPShown || !got.ErrShown || !got.SameCell || got.Described != "ftpServer-error" || !strings.Contains(got.ErrText, "port must be a number") {
		t.Errorf("the reason is not beside the server field: %+v", got)
	}
	if !strings.HasPrefix(got.Summary, "Nothing was saved: FTP server") || !strings.Contains(got.Summary, "type it again") {
		t.Errorf("summary at the top: %q", got.Summary)
	}
	if !got.ApplyOn {
		t.Error("Apply is disabled on a form whose changes are not saved")
	}
	if strings.Contains(b.ReadFile("www/intvlm8r.ini"), "ftp.example.com") {
		t.Fatal("a refused form was saved")
	}

	// Fixed, the password typed again: Apply saves it all.
	apply([][2]string{{"ftpServer", "ftp.example.com:2121"}, {"ftpPassword", "pa55-typed"}}, "Transfer settings saved")
	ini := b.ReadFile("www/intvlm8r.ini")
	for _, want := range []string{"tfrmethod = FTP", "ftpserver = ftp.example.com:2121", "ftpuser = photos", "ftppassword = pa55-typed",
		"ftpremotefolder = /site1/", "transferday = afterCopy"} {
		if !strings.Contains(ini, want) {
			t.Errorf("INI lacks %q:\n%s", want, ini)
		}
	}
}
