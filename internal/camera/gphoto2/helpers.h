#ifndef GOCAM_HELPERS_H
#define GOCAM_HELPERS_H
#include <stdint.h>
#include <gphoto2/gphoto2.h>
#include <gphoto2/gphoto2-version.h>

// Per-session control block, in C memory: a cancel flag the Go side raises
// when the request's context ends, and the last error text libgphoto2 gave.
typedef struct {
	volatile int cancel;
	char err[512];
} gocam_ctl;

GPContext *gocam_context_new(gocam_ctl *ctl);
// A CameraFile whose data goes straight to a Go io.Writer (by cgo.Handle)
// as libgphoto2 receives it, rather than piling up in memory.
int gocam_file_new_writer(CameraFile **file, uintptr_t handle);
const char *gocam_version(void);
#endif
