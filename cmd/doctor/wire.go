package main

import (
	"context"

	"github.com/intvlm8r/intvlm8r-go/internal/hardware"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// hooks returns the Arduino version check and the camera check for the
// chosen devices. They are nil until the Arduino and camera drivers are in
// this build; doctor then reports those two checks as SKIP (and still checks
// that the Arduino's bus device exists).
//
// To connect them: the Arduino hook opens hw.Arduino under p.ArduinoLock()
// and returns the firmware version (query "6"); the camera hook opens the
// driver for hw.Camera under p.CameraLock() and returns Abilities().Model.
func hooks(hw hardware.Flags, p paths.Paths) (arduino, camera func(ctx context.Context) (string, error)) {
	_, _ = hw, p
	return nil, nil
}
