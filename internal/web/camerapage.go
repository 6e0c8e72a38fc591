package web

import (
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
)

// cameraPageData is the Camera page: its view, the USB switch's record
// (formedit.go) and the latest live preview, when asked for.
type cameraPageData struct {
	view.CameraView
	Shown   string
	Preview string // URL of the latest live preview
}

func (s *Server) cameraPage(c echo.Context) error {
	set, err := s.settings()
	if err != nil {
		flash(c, status.Red, "The settings file could not be read: "+err.Error())
	}
	d := cameraPageData{Shown: shownValues(cameraUSBFormValues(set))}
	d.CameraView = view.BuildCamera(c.Request().Context(), view.CameraSources{USBEnabled: set.Global.EnableCameraUSB, Camera: s.withCamera})
	if c.QueryParam("preview") != "" {
		if st, err := os.Stat(s.Paths.LivePreview()); err == nil {
			d.Preview = "/preview/" + "intvlm8r-preview.jpg?" + strconv.FormatInt(st.ModTime().Unix(), 10)
		}
	}
	return s.render(c, http.StatusOK, "camera", d)
}

func (s *Server) cameraSubmit(c echo.Context) error {
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
		flash(c, status.White, "Camera USB switched on.")
		return s.redirect(c, "/camera")
	case changed:
		flash(c, status.White, "Camera USB switched off: the camera is left alone.")
		return s.redirect(c, "/camera")
	}
	switch {
	case c.FormValue("camApply") != "":
		s.applyCameraSettings(c)
	case c.FormValue("camPreview") != "":
		if s.takePreview(c) {
			return s.redirect(c, "/camera?preview=1") // only when there is a fresh one
		}
	}
	return s.redirect(c, "/camera")
}

// applyCameraSettings writes the settings the form changed to the camera.
func (s *Server) applyCameraSettings(c echo.Context) {
	ctx := c.Request().Context()
	maker := camera.Maker(c.FormValue("cameraMfr"))
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
		text, _ := view.CameraProblem(err)
		flash(c, status.Red, "Settings not applied. "+text)
	case len(wrote) == 0:
		flash(c, status.White, "Nothing to change.")
	default:
		flash(c, status.White, "Camera settings applied.")
	}
}

// takePreview saves a live-view frame for the page; false when there is
// none (the reason flashed).
func (s *Server) takePreview(c echo.Context) bool {
	ctx := c.Request().Context()
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
		flash(c, status.Orange, "No preview: the camera is shooting RAW.")
	case err != nil:
		text, _ := view.CameraProblem(err)
		flash(c, status.Red, "No preview. "+text)
	default:
		return true
	}
	return false
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
