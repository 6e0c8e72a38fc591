package view

import (
	"context"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// The simulated Canon in Manual: every row read, none coloured, the six
// settings offered with the camera's current one selected.
func TestBuildCameraSimulated(t *testing.T) {
	p := paths.New(t.TempDir())
	v := BuildCamera(context.Background(), CameraSources{USBEnabled: true, Camera: simCamera(t, p)})
	if v.Down != "" || v.Maker != string(camera.MakerCanon) || len(v.Info) != 6 || len(v.Selects) != len(camera.SettingKeys) {
		t.Fatalf("%+v", v)
	}
	for _, r := range v.Info {
		if r.Value == "" || r.Colour != status.None {
			t.Errorf("row %+v", r)
		}
	}
	for i, sel := range v.Selects {
		if sel.Bit != 1<<i || sel.Label == "" || sel.RowID != sel.Key+"Row" {
			t.Errorf("select %+v", sel)
		}
		n := 0
		for _, o := range sel.Options {
			if o.Selected {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d choices selected", sel.Key, n)
		}
	}
	if v.RAW || v.PreviewReason != "" {
		t.Errorf("JPEG camera: RAW %v, preview %q", v.RAW, v.PreviewReason)
	}
}

// Camera USB off: the camera is not asked. A session error is the page's
// reason, with the wake button when a wake could help.
func TestBuildCameraNotAsked(t *testing.T) {
	asked := false
	v := BuildCamera(context.Background(), CameraSources{Camera: func(context.Context, func(camera.Camera) error) error { asked = true; return nil }})
	if asked || v.USBEnabled || v.Info != nil || v.Maker != string(camera.MakerUnknown) {
		t.Errorf("USB off: asked %v, %+v", asked, v)
	}
	for _, c := range []struct {
		err  error
		wake bool
	}{{camera.ErrBusy, false}, {camera.ErrWaking, true}, {camera.ErrNoCamera, true}} {
		v := BuildCamera(context.Background(), CameraSources{USBEnabled: true,
			Camera: func(context.Context, func(camera.Camera) error) error { return c.err }})
		want, _ := CameraProblem(c.err)
		if v.Down != want || v.CanWake != c.wake || v.Info != nil || v.Selects != nil {
			t.Errorf("%v: %+v", c.err, v)
		}
	}
	if v := BuildCamera(context.Background(), CameraSources{USBEnabled: true}); !strings.Contains(v.Down, "no camera driver") {
		t.Errorf("no session: %q", v.Down)
	}
}

// The rows' colours: what a time-lapse needs.
func TestCameraInfoRowsColours(t *testing.T) {
	colours := func(d camera.Details) map[string]status.Colour {
		m := map[string]status.Colour{}
		for _, r := range CameraInfoRows(d) {
			m[r.ID] = r.Colour
		}
		return m
	}
	good := camera.Details{Model: "Canon EOS 600D", FocusMode: "Manual", ExposureMode: "AV", AutoPowerOff: "60"}
	for id, c := range colours(good) {
		if c != status.None {
			t.Errorf("good camera: %s is %q", id, c)
		}
	}
	for _, c := range []struct {
		d      camera.Details
		id     string
		colour status.Colour
	}{
		{camera.Details{Model: camera.LimitedSupportModel, LimitedSupport: true, FocusMode: "Manual", ExposureMode: "M", AutoPowerOff: camera.NotAvailable}, "model", status.Orange},
		{camera.Details{FocusMode: "AI Focus", ExposureMode: "Manual", AutoPowerOff: "30"}, "focusMode", status.Red},
		{camera.Details{FocusMode: camera.NotAvailable, ExposureMode: "P", AutoPowerOff: "30"}, "exposureMode", status.Red},
		{camera.Details{FocusMode: "Manual", ExposureMode: "A", AutoPowerOff: "0"}, "autoPowerOff", status.Red},
		{camera.Details{FocusMode: "Manual", ExposureMode: "A", AutoPowerOff: "301"}, "autoPowerOff", status.Red},
		{camera.Details{FocusMode: "Manual", ExposureMode: "A", AutoPowerOff: "120"}, "autoPowerOff", status.Orange},
		{camera.Details{FocusMode: "Manual", ExposureMode: "A", AutoPowerOff: "eight"}, "autoPowerOff", status.None},
	} {
		if got := colours(c.d)[c.id]; got != c.colour {
			t.Errorf("%+v: %s is %q, want %q", c.d, c.id, got, c.colour)
		}
	}
}

// In a priority mode the camera sets the other value: that select is grey
// and its choices disabled; "auto" choices are never picked; a setting with
// no choices shows its value alone, and a missing one n/a.
func TestCameraSelectRules(t *testing.T) {
	det := camera.Details{ExposureMode: "TV", Settings: []camera.Setting{
		{Key: camera.SettingAperture, Found: true, Current: "5.6", Choices: []string{"implicit auto", "4", "5.6"}},
		{Key: camera.SettingShutter, Found: true, Current: "1/100", Choices: []string{"auto", "1/100", "1/200"}},
		{Key: camera.SettingISO, Found: true, Current: "100", ReadOnly: true},
	}}
	ap := cameraSelect(det, camera.SettingAperture, 8)
	if !ap.Grey || len(ap.Options) != 3 || !ap.Options[1].Disabled || !ap.Options[2].Selected {
		t.Errorf("aperture in TV: %+v", ap)
	}
	sh := cameraSelect(det, camera.SettingShutter, 16)
	if sh.Grey || !sh.Options[0].Disabled || sh.Options[1].Disabled || !sh.Options[1].Selected {
		t.Errorf("shutter in TV: %+v", sh)
	}
	iso := cameraSelect(det, camera.SettingISO, 4)
	if !iso.Grey || len(iso.Options) != 1 || iso.Options[0].Value != "100" || !iso.Options[0].Disabled {
		t.Errorf("read-only ISO: %+v", iso)
	}
	wb := cameraSelect(det, camera.SettingWhiteBalance, 2)
	if !wb.Grey || len(wb.Options) != 1 || wb.Options[0].Value != "n/a" || !wb.Options[0].Disabled {
		t.Errorf("missing white balance: %+v", wb)
	}
	det.ExposureMode = "AV"
	if ap := cameraSelect(det, camera.SettingAperture, 8); ap.Grey || ap.Options[1].Disabled || !ap.Options[0].Disabled {
		t.Errorf("aperture in AV: %+v", ap)
	}
	if sh := cameraSelect(det, camera.SettingShutter, 16); !sh.Grey || !sh.Options[1].Disabled {
		t.Errorf("shutter in AV: %+v", sh)
	}
}
