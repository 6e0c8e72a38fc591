package web

import (
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// Every settings form that checks what it is sent draws a refused post
// again as typed (422), each reason beside its field, once in the summary,
// and saves nothing; the next post of the form as drawn again, fixed, saves.
func TestFormsRefusedComeBackAsTyped(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	cases := []struct {
		path, form, button string
		typed              map[string]string
		field, reason      string
		fix                map[string]string
		saved              string
	}{
		{"/monitoring", "monitoringForm", "monApply",
			map[string]string{"daysFreeWarn": "10", "daysFreeAlarm": "30", "pushUrl": "http://metrics.example:9091"},
			"daysFreeAlarm", "The days-free alarm (30) must not be above the warning (10).",
			map[string]string{"daysFreeAlarm": "5"}, "Heartbeat settings saved"},
		{"/monitoring", "monitoringForm", "monApply",
			map[string]string{"voltageLow": "x", "daysFreeWarn": "20"},
			"voltageLow", "The low voltage must be a whole number from 0 to 29.",
			map[string]string{"voltageLow": "10"}, "Heartbeat settings saved"},
		{"/system", "setLocation", "submitLocation",
			map[string]string{"newName": strings.Repeat("Ridge ", 11)},
			"newName", "The location name is longer than 64 characters.",
			map[string]string{"newName": "Ridge"}, "Location name saved"},
	}
	for _, c := range cases {
		before := u.ini()
		v := u.form(c.path, c.form)
		for k, s := range c.typed {
			v.Set(k, s)
		}
		page := u.submit(c.path, c.button, v) // 422 with its summary: shownAfter
		if u.ini() != before {
			t.Fatalf("%s: a refused form was saved:\n%s", c.path, u.ini())
		}
		again, err := testutil.FormValues(page, c.form)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range c.typed {
			if again.Get(k) != s {
				t.Errorf("%s: %s drawn again as %q, want %q as typed", c.path, k, again.Get(k), s)
			}
		}
		for _, want := range []string{
			`aria-describedby="` + c.field + `-error"`,
			`id="` + c.field + `-error">` + c.reason + `</span>`,
			`<tr class="red"><td class="centred">Nothing was saved: ` + c.reason,
			`<main data-rejected="true">`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the refused page lacks %s", c.path, want)
			}
		}
		if n := strings.Count(page, "Not saved"); n != 0 {
			t.Errorf("%s: the reason still says %d× 'Not saved' besides the summary", c.path, n)
		}
		for k, s := range c.fix {
			again.Set(k, s)
		}
		if page := u.submit(c.path, c.button, again); !strings.Contains(page, c.saved) {
			t.Errorf("%s: the fixed form was not saved:\n%s", c.path, page)
		}
	}
	if u.get("Thresholds", "daysfreealarm") != "5" || u.get("Thresholds", "voltage_low") != "10" ||
		u.get("Monitoring", "pushgatewayurl") != "http://metrics.example:9091" || u.get("Global", "locationname") != "Ridge" {
		t.Fatalf("INI after the fixed forms:\n%s", u.ini())
	}
}
