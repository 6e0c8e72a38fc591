package web

import (
	"context"
	"errors"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"github.com/intvlm8r/intvlm8r-go/internal/view"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

type homeData struct {
	System     []view.Row
	USBOff     bool
	Camera     []view.Row
	CameraDown *view.Row // set when the camera could not be read: the reason
	CanWake    bool      // and whether the wake button could help
	Pi         []view.Row
	Transfer   *transferStatus
	Image      string // URL of the newest image's picture, "" when none
	ImageLink  string // URL of the full image
	Stale      string
	Health     *health.State // what the last beat sent; nil when it sent none
}

type transferStatus struct{ Time, Text string }

// cameraProblem turns a session error into what a page tells the user.
func cameraProblem(err error) (text string, canWake bool) {
	switch {
	case errors.Is(err, camera.ErrBusy):
		return "Camera busy: another task (a copy?) is using it. Try again when it has finished.", false
	case errors.Is(err, camera.ErrWaking):
		// A sleeping DSLR drops off the USB bus: asleep and unplugged look alike.
		return "Camera asleep or not connected: this page has just tried to wake it. Reload in a few seconds, or wake it again with the button. If it stays so, check it is on and in the right USB port.", true
	case errors.Is(err, camera.ErrNoCamera):
		return "Unknown model: no camera detected. Is it on and plugged into the right USB port?", true
	case errors.Is(err, context.DeadlineExceeded):
		return "The camera did not answer in time.", true
	}
	return "Camera error: " + err.Error(), true
}

// withCamera runs fn in a camera session for a page: no wait for the lock,
// and if the camera sleeps a wake sent in the background (bgWaker) while the
// page says so; bounded in time, so a page never hangs on a camera.
func (s *Server) withCamera(ctx context.Context, fn func(camera.Camera) error) error {
	if s.Camera == nil {
		return errors.New("no camera driver")
	}
	ctx, cancel := context.WithTimeout(ctx, cameraPageBudget)
	defer cancel()
	return camera.SessionWith(ctx, s.Camera, s.Paths.CameraLock(),
		camera.SessionOptions{Waker: bgWaker{s}, Wake: camera.QuickWake}, fn)
}

func (s *Server) homePage(c echo.Context) error {
	ctx := c.Request().Context()
	d := homeData{}
	set, err := s.settings()
	if err != nil {
		flash(c, "red", "The settings file could not be read: "+err.Error())
	}

	// The Arduino: clock and shots.
	actx, cancel := context.WithTimeout(ctx, view.ArduinoBudget)
	defer cancel()
	ar := view.NewArduinoReader(actx, s.Arduino, s.Log)
	dateText := view.Unknown
	if dt, ok := view.Get(ar, arduino.QDate); ok {
		dateText = view.FormatArduinoDate(dt.Value)
		if tm, ok := view.Get(ar, arduino.QTime); ok {
			dateText += " " + tm.Value.String() + view.CachedNote(tm)
		}
	}
	last, next := view.Unknown, view.Unknown
	schedC, schedOK := view.Get(ar, arduino.QSchedule)
	sched := schedC.Value
	if shC, ok := view.Get(ar, arduino.QShots); ok {
		sh := shC.Value
		if sh.Last.Set {
			last = sh.Last.String()
		}
		if sh.Next.Set {
			next = sh.Next.String()
			if schedOK {
				next = arduino.FormatNextShot(sh.Next, sched)
			}
		}
	}
	d.System = []view.Row{{Label: "System date", Value: dateText, ID: "dateTime"}, {Label: "Last shot", Value: last, ID: "lastShot"}, {Label: "Next shot", Value: next, ID: "nextShot"}}
	d.Stale = ar.Notice()
	shotsPerDay := 0.0
	if schedOK {
		shotsPerDay = sched.ShotsPerDay()
	}

	// The camera.
	cameraLast := ""
	if !set.Global.EnableCameraUSB {
		d.USBOff = true
	} else {
		var sum camera.CardSummary
		err := s.withCamera(ctx, func(cam camera.Camera) error {
			var err error
			sum, err = camera.ReadCardSummary(ctx, cam)
			return err
		})
		if err != nil {
			text, wake := cameraProblem(err)
			d.CameraDown = &view.Row{Value: text, Colour: "red"}
			if !wake {
				d.CameraDown.Colour = "orange"
			}
			d.CanWake = wake
		} else {
			if sum.NoStorage {
				flash(c, "red", "The camera reports no storage: is its card in?")
			}
			cameraLast = "n/a"
			if sum.Newest != nil {
				cameraLast = sum.Newest.MTime.Format("2006-01-02 15:04:05")
			}
			shots := sum.AvailableShots
			shotsRow := view.Row{Label: "Available shots (days)", ID: "availableShots"}
			if n, err := strconv.ParseInt(shots, 10, 64); err == nil {
				days, ok := photos.CameraDaysFree(n, shotsPerDay)
				shotsRow.Value = shots + " (" + daysText(days, ok) + ")"
				shotsRow.Colour = status.ForDays(days, ok, set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm)
			} else {
				shotsRow.Value = shots + " (Unknown)"
			}
			battery := view.Row{Label: "Battery", Value: sum.Battery, ID: "battery"}
			if camera.BatteryLow(sum.Battery) {
				battery.Colour = "red"
			}
			d.Camera = []view.Row{
				{Label: "Images on camera", Value: strconv.Itoa(sum.FileCount), ID: "cameraImages"},
				{Label: "Newest image on camera", Value: cameraLast, ID: "cameraLast"},
				shotsRow, battery,
			}
			if sum.CaptureTargetFixed {
				flash(c, "white", "The camera was saving to its internal RAM: switched to the memory card.")
			}
		}
	}

	// The Pi.
	sum, err := photos.Summarise(s.Paths)
	if err != nil {
		s.Log.Error("photo store", "err", err)
		flash(c, "red", "The Pi's photo folder could not be read: "+err.Error())
	}
	piLast := view.Row{Label: "Newest image on Pi", Value: "n/a", ID: "piLast"}
	if sum.Newest != nil {
		piLast.Value = sum.Newest.MTime.Format("2006-01-02 15:04:05")
		if piLast.Value == cameraLast {
			piLast.Colour = "green" // the camera's newest photo is already on the Pi
		}
	}
	free := view.Row{Label: "Pi storage free (days)", Value: "Unknown", ID: "piFree"}
	if sum.FreeOK {
		days, ok := photos.PiDaysFree(sum.FreeBytes, sum.Largest, shotsPerDay)
		free.Value = photos.FormatGB(sum.FreeBytes) + " (" + daysText(days, ok) + ")"
		free.Colour = status.ForDays(days, ok, set.Thresholds.DaysFreeWarn, set.Thresholds.DaysFreeAlarm)
	}
	d.Pi = []view.Row{{Label: "Images on Pi", Value: strconv.Itoa(sum.Count), ID: "piImages"}, piLast, free}
	if sum.Newest != nil {
		d.ImageLink = "/" + photos.GalleryTarget(s.Paths, sum.Newest.Rel).URLPath()
		d.Image = "/" + sum.Last.URLPath()
		if thumb := photos.ThumbPath(s.Paths, sum.Newest.Rel); fileExists(thumb) {
			// The thumbnail, not a 6 MB original, over a 4G link; it links to the full image.
			d.Image = "/" + photos.ThumbURLPath(sum.Newest.Rel)
		}
	}
	if st, ok := health.ReadLast(s.Paths); ok {
		d.Health = &st
	}
	if when, text, ok, err := transfer.LastStatus(s.Paths); ok {
		d.Transfer = &transferStatus{Time: when, Text: text}
	} else if err != nil {
		s.Log.Warn("transfer log unreadable", "err", err)
	}
	return s.render(c, http.StatusOK, "home", d)
}

// homeWake is the Home page's "Wake the camera".
func (s *Server) homeWake(c echo.Context) error {
	s.wakeCamera(c)
	return s.redirect(c, "/")
}

// wakeCamera sends WC and tells the user how it went.
func (s *Server) wakeCamera(c echo.Context) {
	if s.Arduino == nil {
		flash(c, "red", "No Arduino link: the camera cannot be woken.")
		return
	}
	if err := s.Arduino.WakeCamera(c.Request().Context()); err != nil {
		flash(c, "red", "The Arduino did not take the wake command: "+err.Error())
		return
	}
	flash(c, "white", "Wake sent to the camera. It may take a few seconds to appear.")
}

func daysText(days int64, ok bool) string {
	switch {
	case !ok:
		return "Unknown"
	case days < 1:
		return "<1"
	}
	return strconv.FormatInt(days, 10)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
