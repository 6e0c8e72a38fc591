package health

import (
	"context"
	"errors"
	"time"

	"github.com/intvlm8r/intvlm8r-go/internal/arduino"
	"github.com/intvlm8r/intvlm8r-go/internal/buildinfo"
	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/photos"
	"github.com/intvlm8r/intvlm8r-go/internal/system"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// LiveSources are the real sources: the Arduino (live, its cache once it
// has not answered), the camera when it is on USB and free (never woken),
// the Pi's store and kernel, and the recorded copy and upload outcomes.
func LiveSources(p paths.Paths, ar *arduino.Client, cam camera.Driver, host system.Host) Sources {
	src := Sources{
		Pi:         func(context.Context) PiFacts { return piFacts(p, host) },
		LastCopy:   func() (Outcome, bool) { return ReadOutcome(OutcomePath(p, KindCopy)) },
		LastUpload: func() (Outcome, bool) { return lastUpload(p) },
		Version:    buildinfo.Version,
	}
	if ar != nil {
		src.Arduino = func(ctx context.Context) ArduinoFacts { return arduinoFacts(ctx, ar, time.Now()) }
	}
	if cam != nil {
		src.Camera = func(ctx context.Context) CameraFacts { return cameraFacts(ctx, p, cam) }
	}
	return src
}

// lastUpload is the recorded outcome, or else the last STATUS line of
// piTransfer.log (an upload from before this port: its outcome unknown).
func lastUpload(p paths.Paths) (Outcome, bool) {
	if o, ok := ReadOutcome(OutcomePath(p, KindUpload)); ok {
		return o, true
	}
	when, text, ok, _ := transfer.LastStatus(p)
	if !ok {
		return Outcome{}, false
	}
	o := Outcome{Text: text}
	if t, err := time.ParseInLocation(transfer.TimeLayout, when, time.Local); err == nil {
		o.At = t
	}
	return o, true
}

func piFacts(p paths.Paths, host system.Host) PiFacts {
	var f PiFacts
	if sum, err := photos.Summarise(p); err == nil {
		f.FreeBytes, f.FreeOK, f.Largest = sum.FreeBytes, sum.FreeOK, sum.Largest
	}
	f.TempC, f.TempOK = host.Temperature()
	f.Uptime, _ = host.Uptime()
	return f
}

// LatestVolts is the battery's latest reading: the latest hour with one,
// from now's hour back; ok is false with no voltmeter or no reading yet.
func LatestVolts(v arduino.HourlyVoltages, now time.Time) (volts float64, ok bool) {
	if !v.Fitted {
		return 0, false
	}
	for i := range 24 {
		h := (now.Hour() - i + 24) % 24
		if v.Tenths[h] > 0 {
			return v.Volts(h), true
		}
	}
	return 0, false
}

// arduinoFacts reads live first; once the Arduino has failed to answer, the
// rest comes from the cache, so a silent Arduino costs one wait.
func arduinoFacts(ctx context.Context, c *arduino.Client, now time.Time) ArduinoFacts {
	var f ArduinoFacts
	mode := arduino.LiveOrCache
	note := func(err error) {
		if err != nil && f.Err == nil {
			f.Err = err
			mode = arduino.CacheOnly
		}
	}
	if v, err := arduino.Get(ctx, c, arduino.QHourlyVoltages, mode); err == nil {
		note(v.Err)
		f.Volts, f.VoltsOK = LatestVolts(v.Value, now)
	} else {
		note(err)
	}
	if t, err := arduino.Get(ctx, c, arduino.QTemperatures, mode); err == nil {
		note(t.Err)
		f.TempC, f.TempOK = t.Value.Current, true
	} else {
		note(err)
	}
	if sh, err := arduino.Get(ctx, c, arduino.QShots, mode); err == nil {
		note(sh.Err)
		f.Shots, f.ShotsOK = sh.Value, true
	} else {
		note(err)
	}
	if sc, err := arduino.Get(ctx, c, arduino.QSchedule, arduino.CacheFirst); err == nil {
		f.Schedule, f.ScheduleOK = sc.Value, true
	}
	if v, err := arduino.Get(ctx, c, arduino.QVersion, arduino.CacheFirst); err == nil {
		f.Version = v.Value.Raw
	}
	return f
}

// cameraFacts asks the camera only when it is on USB and free: it is never
// woken, and never waited for.
func cameraFacts(ctx context.Context, p paths.Paths, d camera.Driver) CameraFacts {
	f := CameraFacts{State: CameraPresent}
	err := camera.SessionWith(ctx, d, p.CameraLock(), camera.SessionOptions{}, func(cam camera.Camera) error {
		t, err := camera.ReadTree(ctx, cam)
		if err != nil {
			return err
		}
		if n, ok := t.AvailableShots(); ok {
			f.ShotsLeft, f.ShotsOK = int64(n), true
		}
		return nil
	})
	switch {
	case err == nil:
	case errors.Is(err, camera.ErrNoCamera):
		f.State = CameraAsleep
	case errors.Is(err, camera.ErrBusy):
		f.State = CameraBusy
	default:
		f.State = CameraUnknown
	}
	return f
}
