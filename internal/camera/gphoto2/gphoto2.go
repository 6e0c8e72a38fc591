//go:build cgo && !nogphoto2

package gphoto2

/*
#cgo pkg-config: libgphoto2
#include <stdlib.h>
#include <gphoto2/gphoto2.h>
#include "helpers.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/intvlm8r/intvlm8r-go/internal/camera"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// Built reports whether the libgphoto2 backend is compiled in.
const Built = true

func init() {
	camera.RegisterDriver("gphoto2", func(arg string, _ paths.Paths) (camera.Driver, error) {
		return New(Options{Port: arg})
	})
}

// LibraryVersion is libgphoto2's version, e.g. "2.5.30".
func LibraryVersion() string { return C.GoString(C.gocam_version()) }

// Driver opens libgphoto2 sessions.
type Driver struct{ opt Options }

// New returns a driver for the camera opt selects.
func New(opt Options) (camera.Driver, error) {
	opt.Port = strings.TrimSpace(opt.Port)
	if opt.Port != "" && !strings.Contains(opt.Port, ":") {
		return nil, fmt.Errorf("gphoto2 port %q: want type:path, e.g. usb:001,004 or disk:/folder", opt.Port)
	}
	if opt.Model == "" && strings.HasPrefix(opt.Port, "disk:") {
		opt.Model = "Directory Browse"
	}
	return &Driver{opt: opt}, nil
}

func (d *Driver) Name() string           { return "gphoto2" }
func (d *Driver) LibraryVersion() string { return LibraryVersion() }

// gpError is a libgphoto2 result code, with the library's text for it and
// whatever the context's error callback added.
type gpError struct {
	op     string
	code   C.int
	detail string
}

func (e *gpError) Error() string {
	msg := fmt.Sprintf("gphoto2 %s: %s (%d)", e.op, C.GoString(C.gp_result_as_string(e.code)), int(e.code))
	if e.detail != "" {
		msg += ": " + e.detail
	}
	return msg
}

// Unwrap maps the code onto the camera package's errors.
func (e *gpError) Unwrap() error {
	switch e.code {
	case C.GP_ERROR_MODEL_NOT_FOUND, C.GP_ERROR_IO_USB_FIND, C.GP_ERROR_UNKNOWN_PORT:
		return camera.ErrNoCamera
	case C.GP_ERROR_IO_USB_CLAIM, C.GP_ERROR_CAMERA_BUSY, C.GP_ERROR_IO_LOCK:
		return camera.ErrBusy
	case C.GP_ERROR_FILE_NOT_FOUND, C.GP_ERROR_DIRECTORY_NOT_FOUND:
		return camera.ErrNotFound
	case C.GP_ERROR_NOT_SUPPORTED:
		return camera.ErrNotSupported
	}
	return nil
}

// Code is the raw libgphoto2 result.
func (e *gpError) Code() int { return int(e.code) }

// Open connects to the camera: the first one detected, or the one on the
// configured port.
func (d *Driver) Open(ctx context.Context) (camera.Camera, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctl := (*C.gocam_ctl)(C.calloc(1, C.size_t(unsafe.Sizeof(C.gocam_ctl{}))))
	if ctl == nil {
		return nil, errors.New("gphoto2: out of memory")
	}
	gctx := C.gocam_context_new(ctl)
	if gctx == nil {
		C.free(unsafe.Pointer(ctl))
		return nil, errors.New("gphoto2: cannot create a context")
	}
	c := &Camera{ctx: gctx, ctl: ctl}
	if rc := C.gp_camera_new(&c.cam); rc < C.GP_OK {
		c.release()
		return nil, c.fail("camera new", rc)
	}
	if err := c.configure(d.opt); err != nil {
		c.release()
		return nil, err
	}
	var rc C.int
	err := c.call(ctx, func() { rc = C.gp_camera_init(c.cam, c.ctx) })
	if err == nil && rc < C.GP_OK {
		err = c.fail("init", rc)
	}
	if err != nil {
		c.release()
		return nil, err
	}
	c.inited = true
	return c, nil
}

// Camera is an open libgphoto2 session. Its methods serialise on a mutex;
// libgphoto2 itself must not be entered twice for one camera.
type Camera struct {
	mu     sync.Mutex
	cam    *C.Camera
	ctx    *C.GPContext
	ctl    *C.gocam_ctl
	inited bool
}

func (c *Camera) fail(op string, rc C.int) error {
	e := &gpError{op: op, code: rc}
	if c.ctl != nil {
		e.detail = strings.TrimSpace(C.GoString(&c.ctl.err[0]))
		c.ctl.err[0] = 0
	}
	return e
}

// call runs one libgphoto2 operation with ctx able to cancel it: when ctx
// ends, the context's cancel callback starts returning CANCEL.
func (c *Camera) call(ctx context.Context, fn func()) error {
	flag := (*int32)(unsafe.Pointer(&c.ctl.cancel))
	atomic.StoreInt32(flag, 0)
	c.ctl.err[0] = 0
	if ctx.Done() == nil {
		fn()
		return nil
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		atomic.StoreInt32(flag, 1)
		close(fired)
	})
	fn()
	if !stop() {
		<-fired // let a racing callback finish before the next call resets the flag
		return ctx.Err()
	}
	return nil
}

// do is call plus the result check, under the session mutex.
func (c *Camera) do(ctx context.Context, op string, fn func() C.int) error {
	if c.cam == nil {
		return errors.New("gphoto2: camera session is closed")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var rc C.int
	if err := c.call(ctx, func() { rc = fn() }); err != nil {
		return fmt.Errorf("gphoto2 %s: %w", op, err)
	}
	if rc < C.GP_OK {
		return c.fail(op, rc)
	}
	return nil
}

// The camera drivers' abilities list is loaded once per process: loading it
// opens every camlib, which costs tens of milliseconds here and far more on a
// Pi Zero, for every page. It is never freed (one list for the process's
// life). The port list is loaded afresh on each Open, because a camera that
// wakes up appears on the USB bus as a new device.
var abilities struct {
	once sync.Once
	mu   sync.Mutex // libgphoto2 does not promise the list is safe to share
	list *C.CameraAbilitiesList
	err  error
}

func abilitiesList() (*C.CameraAbilitiesList, error) {
	abilities.once.Do(func() {
		var al *C.CameraAbilitiesList
		if rc := C.gp_abilities_list_new(&al); rc < C.GP_OK {
			abilities.err = &gpError{op: "abilities list", code: rc}
			return
		}
		gctx := C.gp_context_new()
		defer C.gp_context_unref(gctx)
		if rc := C.gp_abilities_list_load(al, gctx); rc < C.GP_OK {
			C.gp_abilities_list_free(al)
			abilities.err = &gpError{op: "load camera drivers", code: rc}
			return
		}
		abilities.list = al
	})
	return abilities.list, abilities.err
}

// configure picks the model and port before gp_camera_init: the configured
// ones, or the first camera detected (on the configured port, if any).
func (c *Camera) configure(o Options) error {
	al, err := abilitiesList()
	if err != nil {
		return err
	}
	abilities.mu.Lock()
	defer abilities.mu.Unlock()
	var pl *C.GPPortInfoList
	if rc := C.gp_port_info_list_new(&pl); rc < C.GP_OK {
		return c.fail("port list", rc)
	}
	defer C.gp_port_info_list_free(pl)
	if rc := C.gp_port_info_list_load(pl); rc < C.GP_OK {
		return c.fail("load port drivers", rc)
	}
	model, port := o.Model, o.Port
	if model == "" {
		var l *C.CameraList
		if rc := C.gp_list_new(&l); rc < C.GP_OK {
			return c.fail("list new", rc)
		}
		defer C.gp_list_free(l)
		if rc := C.gp_abilities_list_detect(al, pl, l, c.ctx); rc < C.GP_OK {
			return c.fail("detect", rc)
		}
		n := C.gp_list_count(l)
		for i := C.int(0); i < n; i++ {
			var name, value *C.char
			C.gp_list_get_name(l, i, &name)
			C.gp_list_get_value(l, i, &value)
			if port == "" || cstr(value) == port {
				model, port = cstr(name), cstr(value)
				break
			}
		}
		if model == "" {
			e := &gpError{op: "detect", code: C.GP_ERROR_MODEL_NOT_FOUND, detail: "no camera detected"}
			if port != "" {
				e.detail += " on " + port
			}
			return e
		}
	}
	cm := C.CString(model)
	defer C.free(unsafe.Pointer(cm))
	idx := C.gp_abilities_list_lookup_model(al, cm)
	if idx < C.GP_OK {
		return fmt.Errorf("camera model %q: %w", model, c.fail("lookup model", idx))
	}
	var ab C.CameraAbilities
	if rc := C.gp_abilities_list_get_abilities(al, idx, &ab); rc < C.GP_OK {
		return c.fail("get abilities", rc)
	}
	if rc := C.gp_camera_set_abilities(c.cam, ab); rc < C.GP_OK {
		return c.fail("set abilities", rc)
	}
	cp := C.CString(port)
	defer C.free(unsafe.Pointer(cp))
	pidx := C.gp_port_info_list_lookup_path(pl, cp)
	if pidx < C.GP_OK {
		return fmt.Errorf("port %q: %w", port, c.fail("lookup port", pidx))
	}
	var pi C.GPPortInfo
	if rc := C.gp_port_info_list_get_info(pl, pidx, &pi); rc < C.GP_OK {
		return c.fail("get port info", rc)
	}
	// The camera copies what it needs of the port info, so the list can go.
	if rc := C.gp_camera_set_port_info(c.cam, pi); rc < C.GP_OK {
		return c.fail("set port", rc)
	}
	return nil
}

// release frees everything; safe on a half-built session.
func (c *Camera) release() {
	if c.cam != nil {
		if c.inited {
			C.gp_camera_exit(c.cam, c.ctx)
		}
		C.gp_camera_unref(c.cam)
		c.cam = nil
	}
	if c.ctx != nil {
		C.gp_context_unref(c.ctx)
		c.ctx = nil
	}
	if c.ctl != nil {
		C.free(unsafe.Pointer(c.ctl))
		c.ctl = nil
	}
}

// Close ends the session (gp_camera_exit) and frees the camera and context.
func (c *Camera) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cam == nil {
		return nil
	}
	var err error
	if c.inited {
		if rc := C.gp_camera_exit(c.cam, c.ctx); rc < C.GP_OK {
			err = c.fail("exit", rc)
		}
		c.inited = false
	}
	c.release()
	return err
}

func (c *Camera) Abilities(ctx context.Context) (camera.Abilities, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ab C.CameraAbilities
	if err := c.do(ctx, "abilities", func() C.int { return C.gp_camera_get_abilities(c.cam, &ab) }); err != nil {
		return camera.Abilities{}, err
	}
	return camera.Abilities{
		Model:         C.GoString(&ab.model[0]),
		CanPreview:    ab.operations&C.GP_OPERATION_CAPTURE_PREVIEW != 0,
		CanDelete:     ab.file_operations&C.GP_FILE_OPERATION_DELETE != 0,
		CanCaptureRaw: ab.file_operations&C.GP_FILE_OPERATION_RAW != 0,
	}, nil
}

// getConfig reads the tree; the caller frees it with gp_widget_free.
func (c *Camera) getConfig(ctx context.Context) (*C.CameraWidget, error) {
	var root *C.CameraWidget
	if err := c.do(ctx, "get config", func() C.int { return C.gp_camera_get_config(c.cam, &root, c.ctx) }); err != nil {
		return nil, err
	}
	return root, nil
}

func widgetType(t C.CameraWidgetType) (camera.WidgetType, bool) {
	switch t {
	case C.GP_WIDGET_TEXT:
		return camera.WidgetText, true
	case C.GP_WIDGET_RANGE:
		return camera.WidgetRange, true
	case C.GP_WIDGET_TOGGLE:
		return camera.WidgetToggle, true
	case C.GP_WIDGET_RADIO:
		return camera.WidgetRadio, true
	case C.GP_WIDGET_MENU:
		return camera.WidgetMenu, true
	case C.GP_WIDGET_BUTTON:
		return camera.WidgetButton, true
	case C.GP_WIDGET_DATE:
		return camera.WidgetDate, true
	}
	return "", false // window or section
}

func cstr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// readWidget converts one leaf.
func readWidget(w *C.CameraWidget, group string) (camera.Widget, bool) {
	var t C.CameraWidgetType
	if C.gp_widget_get_type(w, &t) < C.GP_OK {
		return camera.Widget{}, false
	}
	wt, leaf := widgetType(t)
	if !leaf {
		return camera.Widget{}, false
	}
	var name, label *C.char
	C.gp_widget_get_name(w, &name)
	C.gp_widget_get_label(w, &label)
	var ro C.int
	C.gp_widget_get_readonly(w, &ro)
	out := camera.Widget{Name: cstr(name), Label: cstr(label), Group: group, Type: wt, ReadOnly: ro != 0}
	switch t {
	case C.GP_WIDGET_TEXT, C.GP_WIDGET_RADIO, C.GP_WIDGET_MENU:
		var v *C.char
		if C.gp_widget_get_value(w, unsafe.Pointer(&v)) >= C.GP_OK {
			out.Value = cstr(v)
		}
	case C.GP_WIDGET_RANGE:
		var f C.float
		if C.gp_widget_get_value(w, unsafe.Pointer(&f)) >= C.GP_OK {
			out.Value = strconv.FormatFloat(float64(f), 'f', -1, 32)
		}
	case C.GP_WIDGET_TOGGLE, C.GP_WIDGET_DATE:
		var i C.int
		if C.gp_widget_get_value(w, unsafe.Pointer(&i)) >= C.GP_OK {
			out.Value = strconv.Itoa(int(i))
		}
	}
	if t == C.GP_WIDGET_RADIO || t == C.GP_WIDGET_MENU {
		n := C.gp_widget_count_choices(w)
		for i := C.int(0); i < n; i++ {
			var ch *C.char
			if C.gp_widget_get_choice(w, i, &ch) >= C.GP_OK {
				out.Choices = append(out.Choices, cstr(ch))
			}
		}
	}
	return out, true
}

// walk visits every leaf; group is the name of the section holding it.
func walk(w *C.CameraWidget, group string, visit func(*C.CameraWidget, string)) {
	visit(w, group)
	var name *C.char
	C.gp_widget_get_name(w, &name)
	n := C.gp_widget_count_children(w)
	for i := C.int(0); i < n; i++ {
		var child *C.CameraWidget
		if C.gp_widget_get_child(w, i, &child) >= C.GP_OK {
			walk(child, cstr(name), visit)
		}
	}
}

func (c *Camera) Config(ctx context.Context) ([]camera.Widget, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	root, err := c.getConfig(ctx)
	if err != nil {
		return nil, err
	}
	defer C.gp_widget_free(root)
	var out []camera.Widget
	walk(root, "", func(w *C.CameraWidget, group string) {
		if cw, ok := readWidget(w, group); ok {
			out = append(out, cw)
		}
	})
	return out, nil
}

// child finds a widget by name and the name of its parent.
func child(root *C.CameraWidget, name string) (*C.CameraWidget, string, error) {
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	var w *C.CameraWidget
	if C.gp_widget_get_child_by_name(root, cn, &w) < C.GP_OK || w == nil {
		return nil, "", fmt.Errorf("widget %q: %w", name, camera.ErrNotFound)
	}
	group := ""
	var parent *C.CameraWidget
	if C.gp_widget_get_parent(w, &parent) >= C.GP_OK && parent != nil {
		var pn *C.char
		C.gp_widget_get_name(parent, &pn)
		group = cstr(pn)
	}
	return w, group, nil
}

func (c *Camera) Widget(ctx context.Context, name string) (camera.Widget, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	root, err := c.getConfig(ctx)
	if err != nil {
		return camera.Widget{}, err
	}
	defer C.gp_widget_free(root)
	w, group, err := child(root, name)
	if err != nil {
		return camera.Widget{}, err
	}
	cw, ok := readWidget(w, group)
	if !ok {
		return camera.Widget{}, fmt.Errorf("widget %q is a section, not a setting: %w", name, camera.ErrNotFound)
	}
	return cw, nil
}

// setValue checks v against the widget and stores it in the tree.
func setValue(w *C.CameraWidget, name, v string) error {
	cw, ok := readWidget(w, "")
	if !ok {
		return fmt.Errorf("widget %q is a section: %w", name, camera.ErrBadValue)
	}
	if cw.ReadOnly || cw.Type == camera.WidgetButton {
		return fmt.Errorf("widget %q: %w", name, camera.ErrReadOnly)
	}
	var rc C.int
	switch cw.Type {
	case camera.WidgetRadio, camera.WidgetMenu, camera.WidgetText:
		if cw.Type != camera.WidgetText && len(cw.Choices) > 0 && !contains(cw.Choices, v) {
			return fmt.Errorf("widget %q: %q is not one of its %d choices: %w", name, v, len(cw.Choices), camera.ErrBadValue)
		}
		s := C.CString(v)
		defer C.free(unsafe.Pointer(s))
		rc = C.gp_widget_set_value(w, unsafe.Pointer(s))
	case camera.WidgetRange:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 32)
		if err != nil || math.IsNaN(f) {
			return fmt.Errorf("widget %q: %q is not a number: %w", name, v, camera.ErrBadValue)
		}
		var lo, hi, step C.float
		if C.gp_widget_get_range(w, &lo, &hi, &step) >= C.GP_OK && (f < float64(lo) || f > float64(hi)) {
			return fmt.Errorf("widget %q: %v is outside %v..%v: %w", name, f, float64(lo), float64(hi), camera.ErrBadValue)
		}
		cf := C.float(f)
		rc = C.gp_widget_set_value(w, unsafe.Pointer(&cf))
	case camera.WidgetToggle:
		var i C.int
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "on", "yes":
			i = 1
		case "0", "false", "off", "no":
			i = 0
		default:
			return fmt.Errorf("widget %q: toggle wants 0 or 1, not %q: %w", name, v, camera.ErrBadValue)
		}
		rc = C.gp_widget_set_value(w, unsafe.Pointer(&i))
	case camera.WidgetDate:
		sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return fmt.Errorf("widget %q: want Unix seconds, not %q: %w", name, v, camera.ErrBadValue)
		}
		i := C.int(sec)
		rc = C.gp_widget_set_value(w, unsafe.Pointer(&i))
	}
	if rc < C.GP_OK {
		return fmt.Errorf("widget %q = %q: %w", name, v, &gpError{op: "set value", code: rc})
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SetConfig sets every value in one tree and writes it once; nothing is
// written if any value is refused.
func (c *Camera) SetConfig(ctx context.Context, values map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(values) == 0 {
		return nil
	}
	root, err := c.getConfig(ctx)
	if err != nil {
		return err
	}
	defer C.gp_widget_free(root)
	for name, v := range values {
		w, _, err := child(root, name)
		if err != nil {
			return err
		}
		if err := setValue(w, name, v); err != nil {
			return err
		}
	}
	return c.do(ctx, "set config", func() C.int { return C.gp_camera_set_config(c.cam, root, c.ctx) })
}

func (c *Camera) StorageInfo(ctx context.Context) ([]camera.Storage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sifs *C.CameraStorageInformation
	var n C.int
	if err := c.do(ctx, "storage info", func() C.int { return C.gp_camera_get_storageinfo(c.cam, &sifs, &n, c.ctx) }); err != nil {
		return nil, err
	}
	if sifs == nil || n <= 0 {
		return []camera.Storage{}, nil
	}
	defer C.free(unsafe.Pointer(sifs))
	list := unsafe.Slice(sifs, int(n))
	out := make([]camera.Storage, 0, len(list))
	for i := range list {
		s := &list[i]
		st := camera.Storage{FreeImages: -1}
		if s.fields&C.GP_STORAGEINFO_DESCRIPTION != 0 {
			st.Description = C.GoString(&s.description[0])
		}
		if st.Description == "" && s.fields&C.GP_STORAGEINFO_BASE != 0 {
			st.Description = C.GoString(&s.basedir[0])
		}
		if s.fields&C.GP_STORAGEINFO_MAXCAPACITY != 0 {
			st.CapacityKB = uint64(s.capacitykbytes)
		}
		if s.fields&C.GP_STORAGEINFO_FREESPACEKBYTES != 0 {
			st.FreeKB = uint64(s.freekbytes)
		}
		if s.fields&C.GP_STORAGEINFO_FREESPACEIMAGES != 0 {
			st.FreeImages = int(s.freeimages)
		}
		if s.fields&C.GP_STORAGEINFO_ACCESS != 0 {
			st.AccessReadOnly = s.access != C.GP_STORAGEINFO_AC_READWRITE
		}
		out = append(out, st)
	}
	return out, nil
}

// names lists the files or folders in folder.
func (c *Camera) names(ctx context.Context, folder string, folders bool) ([]string, error) {
	var l *C.CameraList
	if rc := C.gp_list_new(&l); rc < C.GP_OK {
		return nil, c.fail("list new", rc)
	}
	defer C.gp_list_free(l)
	cf := C.CString(folder)
	defer C.free(unsafe.Pointer(cf))
	op := "list files"
	if folders {
		op = "list folders"
	}
	err := c.do(ctx, op+" "+folder, func() C.int {
		if folders {
			return C.gp_camera_folder_list_folders(c.cam, cf, l, c.ctx)
		}
		return C.gp_camera_folder_list_files(c.cam, cf, l, c.ctx)
	})
	if err != nil {
		return nil, err
	}
	n := C.gp_list_count(l)
	out := make([]string, 0, max(int(n), 0))
	for i := C.int(0); i < n; i++ {
		var name *C.char
		if C.gp_list_get_name(l, i, &name) >= C.GP_OK {
			out = append(out, cstr(name))
		}
	}
	return out, nil
}

func (c *Camera) info(ctx context.Context, folder, name string) (camera.File, error) {
	cf, cn := C.CString(folder), C.CString(name)
	defer C.free(unsafe.Pointer(cf))
	defer C.free(unsafe.Pointer(cn))
	var fi C.CameraFileInfo
	if err := c.do(ctx, "file info "+path.Join(folder, name), func() C.int {
		return C.gp_camera_file_get_info(c.cam, cf, cn, &fi, c.ctx)
	}); err != nil {
		return camera.File{}, err
	}
	f := camera.File{Folder: folder, Name: name, Size: -1}
	if fi.file.fields&C.GP_FILE_INFO_SIZE != 0 {
		f.Size = int64(fi.file.size)
	}
	if fi.file.fields&C.GP_FILE_INFO_MTIME != 0 {
		f.MTime = time.Unix(int64(fi.file.mtime), 0)
	}
	return f, nil
}

// ListFiles walks folder as the original does: its files (with their info),
// then each sub-folder in turn.
func (c *Camera) ListFiles(ctx context.Context, folder string) ([]camera.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if folder == "" {
		folder = "/"
	}
	var out []camera.File
	err := c.list(ctx, folder, &out, 0)
	return out, err
}

func (c *Camera) list(ctx context.Context, folder string, out *[]camera.File, depth int) error {
	if depth > 32 {
		return fmt.Errorf("gphoto2: folders nested too deep under %s", folder)
	}
	files, err := c.names(ctx, folder, false)
	if err != nil {
		return err
	}
	for _, n := range files {
		f, err := c.info(ctx, folder, n)
		if err != nil {
			return err
		}
		*out = append(*out, f)
	}
	subs, err := c.names(ctx, folder, true)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := c.list(ctx, path.Join(folder, s), out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (c *Camera) FileInfo(ctx context.Context, folder, name string) (camera.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info(ctx, folder, name)
}

// sink is the Go side of a streaming CameraFile.
type sink struct {
	ctx context.Context
	w   io.Writer
	n   int64
	err error
}

//export gocamWrite
func gocamWrite(h C.uintptr_t, data *C.uchar, length *C.uint64_t) C.int {
	s := cgo.Handle(h).Value().(*sink)
	if s.err == nil {
		s.err = s.ctx.Err()
	}
	if s.err != nil {
		// Not every driver heeds this (Directory Browse reads on), but
		// nothing more reaches the writer.
		return C.GP_ERROR_CANCEL
	}
	n := int(*length)
	if n == 0 {
		return C.GP_OK
	}
	// The bytes are libgphoto2's buffer; the writer sees them without a copy
	// and must not keep them past Write, as io.Writer promises.
	b := unsafe.Slice((*byte)(unsafe.Pointer(data)), n)
	m, err := s.w.Write(b)
	s.n += int64(m)
	if err == nil && m < n {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.err = err
		return C.GP_ERROR_IO_WRITE
	}
	return C.GP_OK
}

// Download streams the file to w as the camera sends it.
func (c *Camera) Download(ctx context.Context, folder, name string, w io.Writer) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &sink{ctx: ctx, w: w}
	h := cgo.NewHandle(s)
	defer h.Delete()
	var file *C.CameraFile
	if rc := C.gocam_file_new_writer(&file, C.uintptr_t(h)); rc < C.GP_OK {
		return 0, c.fail("file new", rc)
	}
	defer C.gp_file_unref(file)
	cf, cn := C.CString(folder), C.CString(name)
	defer C.free(unsafe.Pointer(cf))
	defer C.free(unsafe.Pointer(cn))
	err := c.do(ctx, "download "+path.Join(folder, name), func() C.int {
		return C.gp_camera_file_get(c.cam, cf, cn, C.GP_FILE_TYPE_NORMAL, file, c.ctx)
	})
	if s.err != nil {
		return s.n, fmt.Errorf("download %s: %w", path.Join(folder, name), s.err)
	}
	return s.n, err
}

func (c *Camera) Delete(ctx context.Context, folder, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf, cn := C.CString(folder), C.CString(name)
	defer C.free(unsafe.Pointer(cf))
	defer C.free(unsafe.Pointer(cn))
	return c.do(ctx, "delete "+path.Join(folder, name), func() C.int {
		return C.gp_camera_file_delete(c.cam, cf, cn, c.ctx)
	})
}

// CapturePreview takes a live-view frame (small, so held in memory).
func (c *Camera) CapturePreview(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var file *C.CameraFile
	if rc := C.gp_file_new(&file); rc < C.GP_OK {
		return nil, c.fail("file new", rc)
	}
	defer C.gp_file_unref(file)
	if err := c.do(ctx, "capture preview", func() C.int { return C.gp_camera_capture_preview(c.cam, file, c.ctx) }); err != nil {
		return nil, err
	}
	var data *C.char
	var size C.ulong
	if rc := C.gp_file_get_data_and_size(file, &data, &size); rc < C.GP_OK {
		return nil, c.fail("preview data", rc)
	}
	return C.GoBytes(unsafe.Pointer(data), C.int(size)), nil
}
