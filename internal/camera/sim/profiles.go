package sim

import (
	"fmt"
	"sort"
	"strings"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
)

// def is one widget of a profile's config tree, with libgphoto2's name,
// label, section and choices for that kind of camera.
type def struct {
	name, label, group string
	typ                camera.WidgetType
	value              string // the factory setting
	choices            []string
	ro                 bool
}

// format describes what an image format or quality choice makes.
type format struct {
	jpeg, raw     bool
	width, height int
	quality       int
	nominalBytes  int64 // a real camera's file size, for the shots-left estimate
}

// Profile is a simulated camera model.
type Profile struct {
	Name         string // "canon", "nikon", ...
	Model        string // abilities model
	Make, EXIF   string // status/manufacturer; EXIF Make
	EXIFModel    string
	Store        string // storage folder, e.g. "store_00020001"
	FolderSuffix string // "CANON" → 100CANON
	FilePrefix   string // "IMG_"
	RAWExt       string // ".CR2"
	formatWidget string
	formats      map[string]format
	defs         []def
	defaultAPO   int // seconds, when the camera has no autopoweroff widget
}

var (
	onOff       = []string{"Off", "On"}
	canonTarget = []string{camera.InternalRAM, "Memory card"}
	canonFormat = []string{"Large Fine JPEG", "Large Normal JPEG", "Medium Fine JPEG", "Medium Normal JPEG", "Small Fine JPEG", "Small Normal JPEG", "Smaller JPEG", "Tiny JPEG", "RAW + Large Fine JPEG", "RAW"}
	canonISO    = []string{"Auto", "100", "200", "400", "800", "1600", "3200", "6400"}
	canonWB     = []string{"Auto", "Daylight", "Shadow", "Cloudy", "Tungsten", "Fluorescent", "Flash", "Manual"}
	canonAp     = []string{"implicit auto", "3.5", "4", "4.5", "5", "5.6", "6.3", "7.1", "8", "9", "10", "11", "13", "14", "16", "18", "20", "22"}
	shutter     = []string{"auto", "bulb", "30", "25", "20", "15", "13", "10", "8", "6", "5", "4", "3.2", "2.5", "2", "1.6", "1.3", "1", "0.8", "0.6", "0.5", "0.4", "0.3", "1/4", "1/5", "1/6", "1/8", "1/10", "1/13", "1/15", "1/20", "1/25", "1/30", "1/40", "1/50", "1/60", "1/80", "1/100", "1/125", "1/160", "1/200", "1/250", "1/320", "1/400", "1/500", "1/640", "1/800", "1/1000", "1/1250", "1/1600", "1/2000", "1/2500", "1/3200", "1/4000"}
	expComp     = []string{"-5", "-4.666", "-4.333", "-4", "-3.666", "-3.333", "-3", "-2.666", "-2.333", "-2", "-1.666", "-1.333", "-1", "-0.666", "-0.333", "0", "0.333", "0.666", "1", "1.333", "1.666", "2", "2.333", "2.666", "3", "3.333", "3.666", "4", "4.333", "4.666", "5"}
	canonAE     = []string{"P", "TV", "AV", "Manual", "Bulb", "A_DEP", "DEP", "Custom", "Lock", "Green", "Night Portrait", "Sports", "Portrait", "Landscape", "Closeup", "Flash Off"}
	canonFocus  = []string{"One Shot", "AI Focus", "AI Servo", "Manual"}
	canonBatt   = []string{"100%", "75%", "50%", "25%", "Low"}

	nikonQuality = []string{"JPEG Basic", "JPEG Normal", "JPEG Fine", "NEF (Raw)", "NEF+Basic", "NEF+Normal", "NEF+Fine"}
	nikonISO     = []string{"100", "125", "160", "200", "250", "320", "400", "500", "640", "800", "1000", "1250", "1600", "2000", "2500", "3200", "4000", "5000", "6400"}
	nikonWB      = []string{"Automatic", "Daylight", "Fluorescent", "Tungsten", "Flash", "Cloudy", "Shade", "Color Temperature", "Preset"}
	nikonF       = []string{"f/3.5", "f/4", "f/4.5", "f/5", "f/5.6", "f/6.3", "f/7.1", "f/8", "f/9", "f/10", "f/11", "f/13", "f/14", "f/16", "f/18", "f/20", "f/22"}
	nikonProg    = []string{"M", "P", "A", "S", "Auto", "Portrait", "Landscape", "Macro", "Sports", "Night Portrait", "Flash Off"}
	nikonFocus   = []string{"Manual", "AF-S", "AF-C", "AF-A"}
)

func jpegFormat(w, h, q int, nominal int64) format {
	return format{jpeg: true, width: w, height: h, quality: q, nominalBytes: nominal}
}

var canonFormats = map[string]format{
	"Large Fine JPEG":       jpegFormat(1200, 800, 92, 6_400_000),
	"Large Normal JPEG":     jpegFormat(1200, 800, 75, 3_300_000),
	"Medium Fine JPEG":      jpegFormat(900, 600, 92, 3_400_000),
	"Medium Normal JPEG":    jpegFormat(900, 600, 75, 1_800_000),
	"Small Fine JPEG":       jpegFormat(600, 400, 92, 2_200_000),
	"Small Normal JPEG":     jpegFormat(600, 400, 75, 1_100_000),
	"Smaller JPEG":          jpegFormat(480, 320, 80, 600_000),
	"Tiny JPEG":             jpegFormat(320, 213, 80, 300_000),
	"RAW + Large Fine JPEG": {jpeg: true, raw: true, width: 1200, height: 800, quality: 92, nominalBytes: 31_000_000},
	"RAW":                   {raw: true, width: 1200, height: 800, quality: 92, nominalBytes: 24_500_000},
}

var nikonFormats = map[string]format{
	"JPEG Basic":  jpegFormat(1200, 800, 60, 3_000_000),
	"JPEG Normal": jpegFormat(1200, 800, 75, 6_000_000),
	"JPEG Fine":   jpegFormat(1200, 800, 92, 12_000_000),
	"NEF (Raw)":   {raw: true, width: 1200, height: 800, quality: 92, nominalBytes: 27_000_000},
	"NEF+Basic":   {jpeg: true, raw: true, width: 1200, height: 800, quality: 60, nominalBytes: 30_000_000},
	"NEF+Normal":  {jpeg: true, raw: true, width: 1200, height: 800, quality: 75, nominalBytes: 33_000_000},
	"NEF+Fine":    {jpeg: true, raw: true, width: 1200, height: 800, quality: 92, nominalBytes: 39_000_000},
}

func canonDefs(model string, utc bool) []def {
	d := []def{
		{name: "syncdatetime", label: "Synchronize camera date and time with PC", group: "actions", typ: camera.WidgetToggle, value: "0"},
		{name: "datetime", label: "Camera Date and Time", group: "settings", typ: camera.WidgetDate},
		{name: "reviewtime", label: "Quick Review Time", group: "settings", typ: camera.WidgetRadio, value: "2 seconds", choices: []string{"None", "2 seconds", "4 seconds", "8 seconds", "Hold"}},
		{name: "autopoweroff", label: "Auto Power Off", group: "settings", typ: camera.WidgetText, value: "60"},
		{name: "capturetarget", label: "Capture Target", group: "settings", typ: camera.WidgetRadio, value: camera.InternalRAM, choices: canonTarget},
		{name: "ownername", label: "Owner Name", group: "settings", typ: camera.WidgetText, value: ""},
		{name: "manufacturer", label: "Camera Manufacturer", group: "status", typ: camera.WidgetText, value: "Canon Inc.", ro: true},
		{name: "cameramodel", label: "Camera Model", group: "status", typ: camera.WidgetText, value: model, ro: true},
		{name: "serialnumber", label: "Serial Number", group: "status", typ: camera.WidgetText, value: "0f2a9c1e7d4b4c0c9b1d2e3f40516273", ro: true},
		{name: "batterylevel", label: "Battery Level", group: "status", typ: camera.WidgetText, value: "100%", choices: canonBatt, ro: true},
		{name: "lensname", label: "Lens Name", group: "status", typ: camera.WidgetText, value: "EF-S18-55mm f/3.5-5.6 IS II", ro: true},
		{name: "availableshots", label: "Available Shots", group: "status", typ: camera.WidgetText, ro: true},
		{name: "imageformat", label: "Image Format", group: "imgsettings", typ: camera.WidgetRadio, value: "Large Fine JPEG", choices: canonFormat},
		{name: "iso", label: "ISO Speed", group: "imgsettings", typ: camera.WidgetRadio, value: "100", choices: canonISO},
		{name: "whitebalance", label: "WhiteBalance", group: "imgsettings", typ: camera.WidgetRadio, value: "Daylight", choices: canonWB},
		{name: "colorspace", label: "Color Space", group: "imgsettings", typ: camera.WidgetRadio, value: "sRGB", choices: []string{"sRGB", "AdobeRGB"}},
		{name: "exposurecompensation", label: "Exposure Compensation", group: "capturesettings", typ: camera.WidgetRadio, value: "0", choices: expComp},
		{name: "focusmode", label: "Focus Mode", group: "capturesettings", typ: camera.WidgetRadio, value: "Manual", choices: canonFocus, ro: true},
		{name: "autoexposuremode", label: "Canon Auto Exposure Mode", group: "capturesettings", typ: camera.WidgetRadio, value: "Manual", choices: canonAE, ro: true},
		{name: "drivemode", label: "Drive Mode", group: "capturesettings", typ: camera.WidgetRadio, value: "Single", choices: []string{"Single", "Continuous", "Timer 10 sec", "Timer 2 sec"}},
		{name: "aperture", label: "Aperture", group: "capturesettings", typ: camera.WidgetRadio, value: "8", choices: canonAp},
		{name: "shutterspeed", label: "Shutter Speed", group: "capturesettings", typ: camera.WidgetRadio, value: "1/125", choices: shutter},
		{name: "meteringmode", label: "Metering Mode", group: "capturesettings", typ: camera.WidgetRadio, value: "Evaluative", choices: []string{"Evaluative", "Partial", "Center-weighted average"}},
	}
	if utc {
		d = append([]def{
			{name: "syncdatetimeutc", label: "Synchronize camera date and time with PC (UTC)", group: "actions", typ: camera.WidgetToggle, value: "0"},
			{name: "datetimeutc", label: "Camera Date and Time", group: "settings", typ: camera.WidgetDate},
		}, d...)
	}
	return d
}

func nikonDefs() []def {
	return []def{
		{name: "syncdatetime", label: "Synchronize camera date and time with PC", group: "actions", typ: camera.WidgetToggle, value: "0"},
		{name: "datetime", label: "Camera Date and Time", group: "settings", typ: camera.WidgetDate},
		{name: "capturetarget", label: "Capture Target", group: "settings", typ: camera.WidgetRadio, value: camera.InternalRAM, choices: canonTarget},
		{name: "recordingmedia", label: "Recording Media", group: "settings", typ: camera.WidgetRadio, value: "Card", choices: []string{"Card", "SDRAM"}},
		{name: "manufacturer", label: "Camera Manufacturer", group: "status", typ: camera.WidgetText, value: "Nikon Corporation", ro: true},
		{name: "cameramodel", label: "Camera Model", group: "status", typ: camera.WidgetText, value: "D7200", ro: true},
		{name: "serialnumber", label: "Serial Number", group: "status", typ: camera.WidgetText, value: "3012345", ro: true},
		{name: "batterylevel", label: "Battery Level", group: "status", typ: camera.WidgetText, value: "100%", ro: true},
		{name: "lensname", label: "Lens Name", group: "status", typ: camera.WidgetText, value: "AF-S DX Nikkor 18-140mm f/3.5-5.6G ED VR", ro: true},
		{name: "minfocallength", label: "Focal Length Minimum", group: "status", typ: camera.WidgetText, value: "18 mm", ro: true},
		{name: "maxfocallength", label: "Focal Length Maximum", group: "status", typ: camera.WidgetText, value: "140 mm", ro: true},
		{name: "availableshots", label: "Available Shots", group: "status", typ: camera.WidgetText, ro: true},
		{name: "imagequality", label: "Image Quality", group: "capturesettings", typ: camera.WidgetRadio, value: "JPEG Fine", choices: nikonQuality},
		{name: "iso", label: "ISO Speed", group: "imgsettings", typ: camera.WidgetRadio, value: "100", choices: nikonISO},
		{name: "whitebalance", label: "WhiteBalance", group: "imgsettings", typ: camera.WidgetRadio, value: "Daylight", choices: nikonWB},
		{name: "f-number", label: "F-Number", group: "capturesettings", typ: camera.WidgetRadio, value: "f/8", choices: nikonF},
		{name: "shutterspeed", label: "Shutter Speed", group: "capturesettings", typ: camera.WidgetRadio, value: "1/125", choices: shutter[2:]},
		{name: "exposurecompensation", label: "Exposure Compensation", group: "capturesettings", typ: camera.WidgetRadio, value: "0", choices: expComp},
		{name: "focusmode", label: "Focus Mode", group: "capturesettings", typ: camera.WidgetRadio, value: "Manual", choices: nikonFocus, ro: true},
		{name: "expprogram", label: "Exposure Program", group: "capturesettings", typ: camera.WidgetRadio, value: "M", choices: nikonProg, ro: true},
	}
}

// ptpDefs is a camera libgphoto2 drives only through generic PTP: few
// widgets, a text clock (d034) and no lens name.
func ptpDefs() []def {
	return []def{
		{name: "d034", label: "PTP Property 0xd034", group: "other", typ: camera.WidgetText},
		{name: "manufacturer", label: "Camera Manufacturer", group: "status", typ: camera.WidgetText, value: "Generic Imaging Co.", ro: true},
		{name: "batterylevel", label: "Battery Level", group: "status", typ: camera.WidgetText, value: "80%", ro: true},
		{name: "minfocallength", label: "Focal Length Minimum", group: "status", typ: camera.WidgetText, value: "24 mm", ro: true},
		{name: "maxfocallength", label: "Focal Length Maximum", group: "status", typ: camera.WidgetText, value: "24 mm", ro: true},
		{name: "imageformat", label: "Image Format", group: "imgsettings", typ: camera.WidgetRadio, value: "Large Fine JPEG", choices: []string{"Large Fine JPEG"}},
		{name: "whitebalance", label: "WhiteBalance", group: "imgsettings", typ: camera.WidgetRadio, value: "Auto", choices: []string{"Auto", "Daylight"}},
		{name: "iso", label: "ISO Speed", group: "imgsettings", typ: camera.WidgetRadio, value: "200", choices: []string{"200"}},
	}
}

var profiles = map[string]*Profile{
	"canon": {Name: "canon", Model: "Canon EOS 600D", Make: "Canon Inc.", EXIF: "Canon", EXIFModel: "Canon EOS 600D",
		Store: "store_00020001", FolderSuffix: "CANON", FilePrefix: "IMG_", RAWExt: ".CR2",
		formatWidget: "imageformat", formats: canonFormats, defs: canonDefs("Canon EOS 600D", false)},
	"canon-r": {Name: "canon-r", Model: "Canon EOS R6", Make: "Canon Inc.", EXIF: "Canon", EXIFModel: "Canon EOS R6",
		Store: "store_00020001", FolderSuffix: "CANON", FilePrefix: "IMG_", RAWExt: ".CR2",
		formatWidget: "imageformat", formats: canonFormats, defs: canonDefs("Canon EOS R6", true)},
	"nikon": {Name: "nikon", Model: "Nikon DSC D7200", Make: "Nikon Corporation", EXIF: "NIKON CORPORATION", EXIFModel: "NIKON D7200",
		Store: "store_00010001", FolderSuffix: "NIKON", FilePrefix: "DSC_", RAWExt: ".NEF",
		formatWidget: "imagequality", formats: nikonFormats, defs: nikonDefs(), defaultAPO: 60},
	"ptp": {Name: "ptp", Model: camera.LimitedSupportModel, Make: "Generic Imaging Co.", EXIF: "Generic", EXIFModel: "PTP Camera",
		Store: "store_00010001", FolderSuffix: "PTPCM", FilePrefix: "IMG_", RAWExt: ".RAW",
		formatWidget: "imageformat", formats: map[string]format{"Large Fine JPEG": jpegFormat(1200, 800, 90, 5_000_000)}, defs: ptpDefs(), defaultAPO: 60},
}

// DefaultProfile is the Canon EOS 600D the original was mostly tested with.
const DefaultProfile = "canon"

// Profiles lists the simulated models.
func Profiles() []string {
	out := make([]string, 0, len(profiles))
	for n := range profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func lookupProfile(name string) (*Profile, error) {
	if name == "" {
		name = DefaultProfile
	}
	p, ok := profiles[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("sim camera: unknown profile %q (want one of %s)", name, strings.Join(Profiles(), ", "))
	}
	return p, nil
}

func (p *Profile) def(name string) (def, bool) {
	for _, d := range p.defs {
		if d.name == name {
			return d, true
		}
	}
	return def{}, false
}
