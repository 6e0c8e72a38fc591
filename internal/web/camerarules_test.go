package web

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	camsim "github.com/intvlm8r/intvlm8r-go/internal/camera/sim"
	"github.com/intvlm8r/intvlm8r-go/internal/settime"
)

// withSimCamera gives the UI the simulated camera, awake.
func (u *pageUI) withSimCamera(t *testing.T) {
	t.Helper()
	drv, err := camsim.New(u.p, camsim.Options{AlwaysAwake: true})
	if err != nil {
		t.Fatal(err)
	}
	u.srv.Camera = drv
}

// The Camera page's buttons: wake (through the Arduino), apply what the
// form changed (nothing, the change, or a refusal), a preview saved and
// shown only when there is one (none while the camera shoots RAW).
func TestCameraPageButtons(t *testing.T) {
	u := startPageUI(t, true)
	u.withSimCamera(t)
	code, page := u.said("/camera", "/camera", url.Values{"wakeCamera": {"wake"}})
	expectSaid(t, "wake", code, page, http.StatusSeeOther, "Wake sent to the camera.")
	code, page = u.said("/", "/", url.Values{})
	expectSaid(t, "Home's wake", code, page, http.StatusSeeOther, "Wake sent to the camera.")

	apply := func(k camera.SettingKey, v string) url.Values {
		f := url.Values{"camApply": {"apply"}, "cameraMfr": {string(camera.MakerCanon)}}
		if k != "" {
			f.Set(string(k), v)
		}
		return f
	}
	code, page = u.said("/camera", "/camera", apply("", ""))
	expectSaid(t, "apply nothing", code, page, http.StatusSeeOther, "Nothing to change.")
	code, page = u.said("/camera", "/camera", apply(camera.SettingISO, "800"))
	expectSaid(t, "apply ISO 800", code, page, http.StatusSeeOther, "Camera settings applied.")
	if !strings.Contains(page, `value="800" selected`) {
		t.Error("the page does not show ISO 800 after it was applied")
	}
	code, page = u.said("/camera", "/camera", apply(camera.SettingImage, "Huge JPEG"))
	expectSaid(t, "apply a bad value", code, page, http.StatusSeeOther, "Settings not applied. ")

	resp, _ := u.postRaw("/camera", url.Values{"camPreview": {"preview"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/camera?preview=1" {
		t.Fatalf("preview: %d to %q, want /camera?preview=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	st, err := os.Stat(u.p.LivePreview())
	if err != nil || st.Size() == 0 {
		t.Fatalf("no preview saved: %v", err)
	}
	if page := u.page("/camera?preview=1"); !strings.Contains(page, "/preview/intvlm8r-preview.jpg?"+strconv.FormatInt(st.ModTime().Unix(), 10)) {
		t.Error("the page does not show the fresh preview")
	}
	if page := u.page("/camera"); strings.Contains(page, "/preview/intvlm8r-preview.jpg?") {
		t.Error("the page shows a preview it was not asked for")
	}
	code, page = u.said("/camera", "/camera", apply(camera.SettingImage, "RAW"))
	expectSaid(t, "apply RAW", code, page, http.StatusSeeOther, "Camera settings applied.")
	code, page = u.said("/camera", "/camera", url.Values{"camPreview": {"preview"}})
	expectSaid(t, "preview while RAW", code, page, http.StatusSeeOther, "No preview: the camera is shooting RAW.")

	// The System page sets the camera's clock through the same session.
	now := time.Now().Format(camera.WallLayout)
	shown, _ := time.ParseInLocation(camera.WallLayout, now, time.Local)
	code, page = u.said("/system", "/system", url.Values{"SyncSystem": {now}, "setCameraTime": {"on"}, "cameraTimeMode": {"4"}})
	expectSaid(t, "camera clock", code, page, http.StatusSeeOther, "The camera's clock was set to "+shown.Format(settime.DisplayLayout)+".")
	code, page = u.said("/system", "/system", url.Values{"SyncSystem": {now}, "setCameraTime": {"on"}, "cameraTimeMode": {"1"}})
	expectSaid(t, "camera clock, synced", code, page, http.StatusSeeOther, "The camera's clock was set (")

}
