package web

import (
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

type selectOption struct {
	Value              string
	Selected, Disabled bool
}

type cameraSelect struct {
	Key, Label, RowID string
	Options           []selectOption
	Grey              bool
	Bit               int
}

type cameraPageData struct {
	USBEnabled    bool
	Shown         string // the USB switch's record (formedit.go)
	Down          string
	CanWake       bool
	Info          []view.Row
	Maker         string
	Selects       []cameraSelect
	RAW           bool
	PreviewReason string // why Preview is off, "" when it is allowed
	Preview       string // URL of the latest live preview, when asked for
}

var settingLabels = map[camera.SettingKey]string{
	camera.SettingImage: "Image format", camera.SettingWhiteBalance: "White balance", camera.SettingISO: "ISO",
	camera.SettingAperture: "Aperture", camera.SettingShutter: "Shutter speed", camera.SettingExposureComp: "Exposure compensation",
}

func (s *Server) cameraPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		flash(c, "red", "The settings file could not be read: "+err.Error())
	}
	d := cameraPageData{USBEnabled: set.Global.EnableCameraUSB, Maker: string(camera.MakerUnknown)}
	d.Shown = shownValues(cameraUSBFormValues(set))
	if d.USBEnabled {
		var det camera.Details
		err := s.withCamera(c.Request().Context(), func(cam camera.Camera) error {
			var err error
			det, err = camera.ReadDetails(c.Request().Context(), cam)
			return err
		})
		if err != nil {
			d.Down, d.CanWake = cameraProblem(err)
		} else {
			fillCameraPage(&d, det)
		}
	}
	if c.QueryParam("preview") != "" {
		if st, err := os.Stat(s.Paths.LivePreview()); err == nil {
			d.Preview = "/preview/" + "intvlm8r-preview.jpg?" + strconv.FormatInt(st.ModTime().Unix(), 10)
		}
	}
	return s.render(c, http.StatusOK, "camera", d)
}

func fillCameraPage(d *cameraPageData, det camera.Details) {
	d.Maker = string(det.Maker)
	model := view.Row{Label: "Camera model", Value: det.Model, ID: "model"}
	if det.LimitedSupport {
		model.Colour = "orange" // a generic PTP camera: libgphoto2 knows little of it
	}
	focus := view.Row{Label: "Focus mode", Value: det.FocusMode, ID: "focusMode"}
	if focus.Value != "Manual" && focus.Value != camera.NotAvailable {
		focus.Colour = "red" // autofocus at night hunts and misses shots
	}
	exposure := view.Row{Label: "Exposure mode", Value: det.ExposureMode, ID: "exposureMode"}
	switch exposure.Value {
	case "Manual", "AV", "M", "A", camera.NotAvailable:
	default:
		exposure.Colour = "red"
	}
	apo := view.Row{Label: "Auto power-off (s)", Value: det.AutoPowerOff, ID: "autoPowerOff"}
	if apo.Value != camera.NotAvailable {
		n, err := strconv.Atoi(strings.TrimSpace(apo.Value))
		switch {
		case err != nil:
		case n == 0 || n > 300:
			apo.Colour = "red"
		case n > 60:
			apo.Colour = "orange"
		}
	}
	d.Info = []view.Row{model, {Label: "Lens", Value: det.Lens, ID: "lens"}, {Label: "Camera date", Value: det.Date, ID: "cameraDate"}, focus, exposure, apo}
	d.RAW = det.RAW
	switch {
	case det.RAW:
		d.PreviewReason = "No preview while the camera shoots RAW."
	case !det.CanPreview:
		d.PreviewReason = "This camera cannot take a preview."
	}
	mode := det.ExposureMode
	for i, k := range camera.SettingKeys {
		st := det.Setting(k)
		sel := cameraSelect{Key: string(k), Label: settingLabels[k], RowID: string(k) + "Row", Bit: 1 << i}
		for _, ch := range st.Choices {
			o := selectOption{Value: ch, Selected: ch == st.Current}
			// The camera sets these itself in its priority mode; "auto" choices
			// cannot be picked.
			if (k == camera.SettingAperture && (mode == "S" || mode == "TV" || ch == "implicit auto")) ||
				(k == camera.SettingShutter && (mode == "A" || mode == "AV" || ch == "auto")) {
				o.Disabled = true
			}
			sel.Options = append(sel.Options, o)
		}
		if len(sel.Options) == 0 && st.Found {
			sel.Options = []selectOption{{Value: st.Current, Selected: true, Disabled: st.ReadOnly}}
		}
		if len(sel.Options) == 0 {
			sel.Options = []selectOption{{Value: "n/a", Selected: true, Disabled: true}}
		}
		sel.Grey = len(sel.Options) <= 1 || st.ReadOnly ||
			(k == camera.SettingAperture && (mode == "S" || mode == "TV")) ||
			(k == camera.SettingShutter && (mode == "A" || mode == "AV"))
		d.Selects = append(d.Selects, sel)
	}
}

func (s *Server) cameraSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	if c.FormValue("wakeCamera") != "" {
		s.wakeCamera(c)
		return s.redirect(c, "/camera")
	}
	// The USB switch is saved when the user changed it (formedit.go); an
	// absent box in a post that does not come from the page changes nothing.
	switch on, changed, ok := s.saveCameraUSB(c); {
	case !ok:
		return s.redirect(c, "/camera")
	case changed && on:
		flash(c, "white", "Camera USB switched on.")
		return s.redirect(c, "/camera")
	case changed:
		flash(c, "white", "Camera USB switched off: the camera is left alone.")
		return s.redirect(c, "/camera")
	}
	maker := camera.Maker(c.FormValue("cameraMfr"))
	switch {
	case c.FormValue("camApply") != "":
		form := map[camera.SettingKey]string{}
		for _, k := range camera.SettingKeys {
			if v, ok := c.Request().PostForm[string(k)]; ok && len(v) > 0 {
				form[k] = v[0]
			}
		}
		var wrote map[string]string
		err := s.withCamera(ctx, func(cam camera.Camera) error {
			var err error
			wrote, err = camera.ApplySettings(ctx, cam, maker, form)
			return err
		})
		switch {
		case err != nil:
			text, _ := cameraProblem(err)
			flash(c, "red", "Settings not applied. "+text)
		case len(wrote) == 0:
			flash(c, "white", "Nothing to change.")
		default:
			flash(c, "white", "Camera settings applied.")
		}
	case c.FormValue("camPreview") != "":
		var jpeg []byte
		err := s.withCamera(ctx, func(cam camera.Camera) error {
			var err error
			jpeg, err = camera.Preview(ctx, cam)
			return err
		})
		if err == nil {
			err = fileutil.WriteAtomic(s.Paths.LivePreview(), jpeg, 0o644)
		}
		switch {
		case errors.Is(err, camera.ErrPreviewRAW):
			flash(c, "orange", "No preview: the camera is shooting RAW.")
		case err != nil:
			text, _ := cameraProblem(err)
			flash(c, "red", "No preview. "+text)
		default:
			return s.redirect(c, "/camera?preview=1") // only when there is a fresh one
		}
	}
	return s.redirect(c, "/camera")
}

func cameraUSBFormValues(set config.Settings) map[string]string {
	return map[string]string{"enableCameraUsb": checkboxValue(set.Global.EnableCameraUSB)}
}

// saveCameraUSB saves the USB switch when the user changed it; on failure
// the reason is flashed and ok is false.
func (s *Server) saveCameraUSB(c echo.Context) (on, changed, ok bool) {
	current := func(f *config.File) map[string]string { set, _ := f.Settings(); return cameraUSBFormValues(set) }
	ok = s.saveForm(c, "", current, func(e *formEdit, f *config.File) {
		var v string
		if v, changed = e.field("enableCameraUsb", "camera USB switch", fieldCheckbox); changed {
			on = v == "on"
			f.Set(config.SectionGlobal, config.KeyEnableCameraUSB, config.FormatBool(on))
		}
	})
	return on, changed && ok, ok
}
