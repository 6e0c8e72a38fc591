package view

import (
	"context"
	"strconv"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// CameraSources is what the Camera page is built from.
type CameraSources struct {
	USBEnabled bool          // [Global] enablecamerausb: the camera is asked only when on
	Camera     CameraSession // the page's session
}

// CameraChoice is one choice of a camera setting; the camera may refuse it
// in its current mode (Disabled).
type CameraChoice struct {
	Option
	Disabled bool
}

// CameraSelect is one camera setting's <select>.
type CameraSelect struct {
	Key, Label, RowID string
	Options           []CameraChoice
	Grey              bool // not to be changed now: one choice, read-only, or set by the camera's mode
	Bit               int  // the page's script marks changed selects by bit
}

// CameraView is what the Camera page shows.
type CameraView struct {
	USBEnabled    bool
	Down          string // why the camera could not be read, "" when it was
	CanWake       bool   // whether the wake button could help
	Info          []Row
	Maker         string
	Selects       []CameraSelect
	RAW           bool
	PreviewReason string // why Preview is off, "" when it is allowed
}

// SettingLabels name the camera settings on the page.
var SettingLabels = map[camera.SettingKey]string{
	camera.SettingImage: "Image format", camera.SettingWhiteBalance: "White balance", camera.SettingISO: "ISO",
	camera.SettingAperture: "Aperture", camera.SettingShutter: "Shutter speed", camera.SettingExposureComp: "Exposure compensation",
}

// BuildCamera reads the camera's details when camera USB is on.
func BuildCamera(ctx context.Context, src CameraSources) CameraView {
	v := CameraView{USBEnabled: src.USBEnabled, Maker: string(camera.MakerUnknown)}
	if !src.USBEnabled {
		return v
	}
	var det camera.Details
	err := errNoSession
	if src.Camera != nil {
		err = src.Camera(ctx, func(cam camera.Camera) error {
			var err error
			det, err = camera.ReadDetails(ctx, cam)
			return err
		})
	}
	if err != nil {
		v.Down, v.CanWake = CameraProblem(err)
		return v
	}
	v.Maker, v.RAW, v.Info = string(det.Maker), det.RAW, CameraInfoRows(det)
	switch {
	case det.RAW:
		v.PreviewReason = "No preview while the camera shoots RAW."
	case !det.CanPreview:
		v.PreviewReason = "This camera cannot take a preview."
	}
	for i, k := range camera.SettingKeys {
		v.Selects = append(v.Selects, cameraSelect(det, k, 1<<i))
	}
	return v
}

// CameraInfoRows are the camera's facts, coloured by what a time-lapse
// needs: manual focus, a manual or aperture-priority exposure, and an
// auto power-off long enough to last between shots.
func CameraInfoRows(det camera.Details) []Row {
	model := Row{Label: "Camera model", Value: det.Model, ID: "model"}
	if det.LimitedSupport {
		model.Colour = status.Orange // a generic PTP camera: libgphoto2 knows little of it
	}
	focus := Row{Label: "Focus mode", Value: det.FocusMode, ID: "focusMode"}
	if focus.Value != "Manual" && focus.Value != camera.NotAvailable {
		focus.Colour = status.Red // autofocus at night hunts and misses shots
	}
	exposure := Row{Label: "Exposure mode", Value: det.ExposureMode, ID: "exposureMode"}
	switch exposure.Value {
	case "Manual", "AV", "M", "A", camera.NotAvailable:
	default:
		exposure.Colour = status.Red
	}
	apo := Row{Label: "Auto power-off (s)", Value: det.AutoPowerOff, ID: "autoPowerOff"}
	if apo.Value != camera.NotAvailable {
		n, err := strconv.Atoi(strings.TrimSpace(apo.Value))
		switch {
		case err != nil:
		case n == 0 || n > 300:
			apo.Colour = status.Red
		case n > 60:
			apo.Colour = status.Orange
		}
	}
	return []Row{model, {Label: "Lens", Value: det.Lens, ID: "lens"}, {Label: "Camera date", Value: det.Date, ID: "cameraDate"}, focus, exposure, apo}
}

// cameraSelect is setting k's select. In a priority mode the camera sets
// the other value itself, and "auto" choices cannot be picked.
func cameraSelect(det camera.Details, k camera.SettingKey, bit int) CameraSelect {
	st, mode := det.Setting(k), det.ExposureMode
	shutterPriority, aperturePriority := mode == "S" || mode == "TV", mode == "A" || mode == "AV"
	sel := CameraSelect{Key: string(k), Label: SettingLabels[k], RowID: string(k) + "Row", Bit: bit}
	for _, ch := range st.Choices {
		o := CameraChoice{Option: Option{Value: ch, Label: ch, Selected: ch == st.Current}}
		o.Disabled = (k == camera.SettingAperture && (shutterPriority || ch == "implicit auto")) ||
			(k == camera.SettingShutter && (aperturePriority || ch == "auto"))
		sel.Options = append(sel.Options, o)
	}
	switch {
	case len(sel.Options) == 0 && st.Found:
		sel.Options = []CameraChoice{{Option: Option{Value: st.Current, Label: st.Current, Selected: true}, Disabled: st.ReadOnly}}
	case len(sel.Options) == 0:
		sel.Options = []CameraChoice{{Option: Option{Value: "n/a", Label: "n/a", Selected: true}, Disabled: true}}
	}
	sel.Grey = len(sel.Options) <= 1 || st.ReadOnly ||
		(k == camera.SettingAperture && shutterPriority) || (k == camera.SettingShutter && aperturePriority)
	return sel
}
