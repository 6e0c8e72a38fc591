package view

import (
	"context"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"log/slog"
	"strconv"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/schedule"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
)

// HomeSources are what the Home page is built from; the web server wires
// the real ones, the tests fakes. A nil func reads as "nothing there".
type HomeSources struct {
	Arduino  *arduino.Client // nil: no Arduino link
	Log      *slog.Logger
	Settings func() (config.Settings, error)
	// Camera reads the card's summary in a page's camera session; Problem
	// says what a failed read means to the user and whether a wake may help.
	Camera  func(ctx context.Context) (camera.CardSummary, error)
	Problem func(err error) (text string, canWake bool)
	Photos  func() (photos.Summary, error)
	// ThumbURL is the URL of the newest photo's thumbnail, "" when it has none.
	ThumbURL  func(rel string) string
	PhotoURL  func(rel string) string // the full image
	ImageURL  func(photos.LastImage) string
	Outcome   func(kind string) (health.Outcome, bool)
	LastState func() (health.State, bool) // what the last beat sent
	Now       func() time.Time
}

// Notice is a message the page shows at the top (a flash).
type Notice struct {
	Colour status.Colour
	Text   string
}

// Home is the Home page.
type Home struct {
	System     []Row
	Box        []Row // "is my box OK?": battery, next copy and upload, last heartbeat and upload
	USBOff     bool
	Camera     []Row
	CameraDown *Row // set when the camera could not be read: the reason
	CanWake    bool // and whether the wake button could help
	Pi         []Row
	Results    []Row // every task's last result
	Image      string
	ImageLink  string
	Stale      string
	Health     *health.State
	Notices    []Notice
}

// HomeLive is the part of Home that the page refreshes by itself.
type HomeLive struct {
	System []Row
	Box    []Row
	Stale  string
}

// homeArduino reads the Arduino's part of Home: clock, shots, battery and
// the schedule (for the days-left figures).
func homeArduino(ctx context.Context, src HomeSources, set config.Settings) (live HomeLive, shotsPerDay float64) {
	actx, cancel := context.WithTimeout(ctx, ArduinoBudget)
	defer cancel()
	ar := NewArduinoReader(actx, src.Arduino, src.Log) // nil: slog.Default()
	dateText := Unknown
	if dt, ok := Get(ar, arduino.QDate); ok {
		dateText = FormatArduinoDate(dt.Value)
		if tm, ok := Get(ar, arduino.QTime); ok {
			dateText += " " + tm.Value.String() + CachedNote(tm)
		}
	}
	last, next := Unknown, Unknown
	schedC, schedOK := Get(ar, arduino.QSchedule)
	if shC, ok := Get(ar, arduino.QShots); ok {
		sh := shC.Value
		if sh.Last.Set {
			last = sh.Last.String()
		}
		if sh.Next.Set {
			next = sh.Next.String()
			if schedOK {
				next = arduino.FormatNextShot(sh.Next, schedC.Value)
			}
		}
	}
	live.System = []Row{{Label: "System date", Value: dateText, ID: "dateTime"}, {Label: "Last shot", Value: last, ID: "lastShot"}, {Label: "Next shot", Value: next, ID: "nextShot"}}
	if schedOK {
		shotsPerDay = schedC.Value.ShotsPerDay()
	}
	now := src.now()
	battery := Row{Label: "Battery", Value: Unknown, ID: "boxBattery"}
	if v, ok := Get(ar, arduino.QHourlyVoltages); ok {
		battery.Value = "No voltmeter fitted"
		if volts, ok := health.LatestVolts(v.Value, now); ok {
			battery.Colour = health.BatteryColour(volts, set.Thresholds.VoltageLow)
			battery.Value = fmt.Sprintf("%.1f V", volts) + batteryWord(battery.Colour) + CachedNote(v)
		} else if v.Value.Fitted {
			battery.Value = "No reading yet"
		}
	}
	live.Box = append([]Row{battery}, boxSchedule(set, now)...)
	live.Stale = ar.Notice()
	return live, shotsPerDay
}

func batteryWord(c status.Colour) string {
	switch c {
	case status.Red:
		return " (critical)"
	case status.Orange:
		return " (low)"
	}
	return ""
}

func (src HomeSources) now() time.Time {
	if src.Now != nil {
		return src.Now()
	}
	return time.Now()
}

// boxSchedule are the rows of the next copy and the next upload, by the
// hourly timers' rule (schedule.Due) and the Pi's wake hour.
func boxSchedule(set config.Settings, now time.Time) []Row {
	copyRule := schedule.Rule{Day: set.Copy.CopyDay, Hour: set.Copy.CopyHour, WakePiHour: set.Global.WakePiHour, OnBoot: set.Copy.CopyOnBootup}
	nextCopy := Row{Label: "Next copy", ID: "nextCopy", Value: dueText(now, copyRule, set.Copy.CopyOnBootup)}
	t := set.Transfer
	up := Row{Label: "Next upload", ID: "nextUpload"}
	switch {
	case t.Method == "" || t.Method == "Off":
		up.Value = "Off (no transfer method)"
	case t.TransferDay == "afterCopy":
		up.Value = "After the next copy"
	default:
		up.Value = dueText(now, schedule.Rule{Day: t.TransferDay, Hour: t.TransferHour, WakePiHour: set.Global.WakePiHour, OnBoot: t.TransferOnBootup}, t.TransferOnBootup)
	}
	return []Row{nextCopy, up}
}

func dueText(now time.Time, r schedule.Rule, onBoot bool) string {
	at, ok := schedule.Next(now, r)
	boot := ""
	if onBoot {
		boot = ", and at each boot"
	}
	if !ok {
		if onBoot {
			return "At each boot"
		}
		return "Off"
	}
	return at.Format("Mon 2 Jan 15:04") + " (in " + AgeText(at.Sub(now)) + ")" + boot
}

// BuildHome builds the Home page: the Arduino (clock, shots, battery), the
// camera, the Pi's store, when the next copy and upload are due, and the
// last result of every background task.
func BuildHome(ctx context.Context, src HomeSources) Home {
	var h Home
	set := config.Defaults()
	if src.Settings != nil {
		var err error
		if set, err = src.Settings(); err != nil {
			h.Notices = append(h.Notices, Notice{status.Red, "The settings file could not be read: " + err.Error()})
		}
	}
	live, shotsPerDay := homeArduino(ctx, src, set)
	h.System, h.Stale = live.System, live.Stale
	h.Box = live.Box
	h.Box = append(h.Box, ResultRows(src.outcome, health.KindHeartbeat, health.KindUpload)...)
	h.Results = ResultRows(src.outcome, health.KindCopy, health.KindThumbnails)

	cameraLast := h.buildCamera(ctx, src, set, shotsPerDay)
	h.buildPi(src, set, shotsPerDay, cameraLast)
	if src.LastState != nil {
		if st, ok := src.LastState(); ok {
			h.Health = &st
		}
	}
	return h
}

func (src HomeSources) outcome(kind string) (health.Outcome, bool) {
	if src.Outcome == nil {
		return health.Outcome{}, false
	}
	return src.Outcome(kind)
}

// buildCamera fills the camera's table; it returns the newest photo's time
// on the camera ("" when unknown).
func (h *Home) buildCamera(ctx context.Context, src HomeSources, set config.Settings, shotsPerDay float64) string {
	if !set.Global.EnableCameraUSB {
		h.USBOff = true
		return ""
	}
	if src.Camera == nil {
		h.CameraDown = &Row{Value: "No camera driver.", Colour: status.Red}
		return ""
	}
	sum, err := src.Camera(ctx)
	if err != nil {
		text, wake := "Camera error: "+err.Error(), true
		if src.Problem != nil {
			text, wake = src.Problem(err)
		}
		h.CameraDown = &Row{Value: text, Colour: status.Red}
		if !wake {
			h.CameraDown.Colour = status.Orange
		}
		h.CanWake = wake
		return ""
	}
	if sum.NoStorage {
		h.Notices = append(h.Notices, Notice{status.Red, "The camera reports no storage: is its card in?"})
	}
	cameraLast := "n/a"
	if sum.Newest != nil {
		cameraLast = sum.Newest.MTime.Format("2006-01-02 15:04:05")
	}
	shotsRow := Row{Label: "Available shots (days)", ID: "availableShots"}
	if n, err := strconv.ParseInt(sum.AvailableShots, 10, 64); err == nil {
		days, ok := photos.CameraDaysFree(n, shotsPerDay)
		shotsRow.Value = sum.AvailableShots + " (" + DaysText(days, ok, DaysHome) + ")"
		shotsRow.Colour = status.ForDays(days, ok, set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm)
	} else {
		shotsRow.Value = sum.AvailableShots + " (Unknown)"
	}
	battery := Row{Label: "Battery", Value: sum.Battery, ID: "battery"}
	if camera.BatteryLow(sum.Battery) {
		battery.Colour = status.Red
	}
	h.Camera = []Row{
		{Label: "Images on camera", Value: strconv.Itoa(sum.FileCount), ID: "cameraImages"},
		{Label: "Newest image on camera", Value: cameraLast, ID: "cameraLast"},
		shotsRow, battery,
	}
	if sum.CaptureTargetFixed {
		h.Notices = append(h.Notices, Notice{status.White, "The camera was saving to its internal RAM: switched to the memory card."})
	}
	return cameraLast
}

func (h *Home) buildPi(src HomeSources, set config.Settings, shotsPerDay float64, cameraLast string) {
	var sum photos.Summary
	if src.Photos != nil {
		var err error
		if sum, err = src.Photos(); err != nil {
			h.Notices = append(h.Notices, Notice{status.Red, "The Pi's photo folder could not be read: " + err.Error()})
		}
	}
	piLast := Row{Label: "Newest image on Pi", Value: "n/a", ID: "piLast"}
	if sum.Newest != nil {
		piLast.Value = sum.Newest.MTime.Format("2006-01-02 15:04:05")
		if piLast.Value == cameraLast {
			piLast.Colour = status.Green // the camera's newest photo is already on the Pi
		}
	}
	free := Row{Label: "Pi storage free (days)", Value: "Unknown", ID: "piFree"}
	if sum.FreeOK {
		days, ok := photos.PiDaysFree(sum.FreeBytes, sum.Largest, shotsPerDay)
		free.Value = system.FormatGB(sum.FreeBytes) + " (" + DaysText(days, ok, DaysHome) + ")"
		free.Colour = status.ForDays(days, ok, set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm)
	}
	h.Pi = []Row{{Label: "Images on Pi", Value: strconv.Itoa(sum.Count), ID: "piImages"}, piLast, free}
	if sum.Newest != nil {
		if src.PhotoURL != nil {
			h.ImageLink = src.PhotoURL(sum.Newest.Rel)
		}
		if src.ThumbURL != nil {
			h.Image = src.ThumbURL(sum.Newest.Rel)
		}
		if h.Image == "" && src.ImageURL != nil {
			h.Image = src.ImageURL(sum.Last)
		}
	}
}

// BuildHomeLive is what Home's event stream sends: the Arduino's part and
// the box's state, read again.
func BuildHomeLive(ctx context.Context, src HomeSources) HomeLive {
	set := config.Defaults()
	if src.Settings != nil {
		if s, err := src.Settings(); err == nil {
			set = s
		}
	}
	live, _ := homeArduino(ctx, src, set)
	live.Box = append(live.Box, ResultRows(src.outcome, health.KindHeartbeat, health.KindUpload)...)
	return live
}
