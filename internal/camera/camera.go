// Package camera is the hardware edge to the DSLR: a small Camera interface,
// with a libgphoto2 backend (cgo) and a simulated camera behind it.
//
// A Camera is one open session with one camera. Callers get it from a Driver,
// use it for one job and Close it; the Driver's caller holds the cross-process
// camera lock (paths.CameraLock) for as long as the session is open.
package camera

import (
	"context"
	"errors"
	"io"
	"time"
)

var (
	// ErrNoCamera: no camera is connected (or it is asleep: a sleeping DSLR
	// drops off the USB bus, so the two look the same from the Pi).
	ErrNoCamera = errors.New("no camera detected")
	// ErrBusy: another process has the camera (a copy is running, say).
	ErrBusy = errors.New("camera busy")
	// ErrNotFound: no such widget, folder or file on the camera.
	ErrNotFound = errors.New("not found on the camera")
	// ErrReadOnly: the widget cannot be set.
	ErrReadOnly = errors.New("camera setting is read-only")
	// ErrBadValue: the value is not one of the widget's choices or not of its type.
	ErrBadValue = errors.New("value not accepted by the camera")
)

// WidgetType is libgphoto2's widget type, by name.
type WidgetType string

const (
	WidgetText   WidgetType = "text"
	WidgetRange  WidgetType = "range"
	WidgetToggle WidgetType = "toggle"
	WidgetRadio  WidgetType = "radio"
	WidgetMenu   WidgetType = "menu"
	WidgetButton WidgetType = "button"
	WidgetDate   WidgetType = "date"
)

// Widget is one leaf of the camera's config tree.
type Widget struct {
	Name     string     // e.g. "imageformat", "f-number", "batterylevel"
	Label    string     // the camera's human label
	Group    string     // the section it sits in, e.g. "imgsettings", "status"
	Type     WidgetType //
	Value    string     // current value; for WidgetDate, Unix seconds as text
	Choices  []string   // for radio and menu widgets
	ReadOnly bool
}

// Storage is one storage unit (card) of the camera.
type Storage struct {
	Description    string
	CapacityKB     uint64
	FreeKB         uint64
	FreeImages     int // the camera's own estimate of shots left; -1 when unknown
	AccessReadOnly bool
}

// File is one file on the camera.
type File struct {
	Folder string    // absolute camera folder, e.g. "/store_00020001/DCIM/100CANON"
	Name   string    // e.g. "IMG_1234.JPG"
	Size   int64     // bytes
	MTime  time.Time // the camera's timestamp of the file
}

// Abilities is what libgphoto2 says the model can do.
type Abilities struct {
	Model         string
	CanPreview    bool
	CanDelete     bool
	CanCaptureRaw bool
}

// Camera is an open session with one camera. Not safe for concurrent use.
type Camera interface {
	Abilities(ctx context.Context) (Abilities, error)
	// Config returns every leaf widget of the config tree.
	Config(ctx context.Context) ([]Widget, error)
	// Widget returns one widget by name, searching the whole tree as
	// gp_widget_get_child_by_name does.
	Widget(ctx context.Context, name string) (Widget, error)
	// SetConfig sets the named widgets to the given values and applies them to
	// the camera in one write.
	SetConfig(ctx context.Context, values map[string]string) error
	StorageInfo(ctx context.Context) ([]Storage, error)
	// ListFiles lists every file under folder and its sub-folders.
	ListFiles(ctx context.Context, folder string) ([]File, error)
	FileInfo(ctx context.Context, folder, name string) (File, error)
	// Download writes the whole file to w and returns the bytes written.
	Download(ctx context.Context, folder, name string, w io.Writer) (int64, error)
	Delete(ctx context.Context, folder, name string) error
	// CapturePreview takes a live-view frame (JPEG) that is not stored on the card.
	CapturePreview(ctx context.Context) ([]byte, error)
	Close() error
}

// Driver opens sessions: the gphoto2 backend, or the simulated camera.
type Driver interface {
	// Open connects to the first camera found. ErrNoCamera when there is none.
	Open(ctx context.Context) (Camera, error)
	// Name is "gphoto2" or "sim", for pages and logs.
	Name() string
	// LibraryVersion is libgphoto2's version, or the simulator's label.
	LibraryVersion() string
}
