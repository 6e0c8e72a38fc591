//go:build cgo && !nogphoto2

#include <string.h>
#include "helpers.h"
#include "_cgo_export.h"

static GPContextFeedback gocam_cancel(GPContext *c, void *data) {
	gocam_ctl *ctl = data;
	return ctl->cancel ? GP_CONTEXT_FEEDBACK_CANCEL : GP_CONTEXT_FEEDBACK_OK;
}

static void gocam_error(GPContext *c, const char *text, void *data) {
	gocam_ctl *ctl = data;
	if (text) {
		strncpy(ctl->err, text, sizeof(ctl->err) - 1);
		ctl->err[sizeof(ctl->err) - 1] = 0;
	}
}

GPContext *gocam_context_new(gocam_ctl *ctl) {
	GPContext *c = gp_context_new();
	if (!c) return NULL;
	gp_context_set_cancel_func(c, gocam_cancel, ctl);
	gp_context_set_error_func(c, gocam_error, ctl);
	return c;
}

static int gocam_write(void *priv, unsigned char *data, uint64_t *len) {
	return gocamWrite((uintptr_t)priv, data, len);
}

static CameraFileHandler gocam_writer = { NULL, NULL, gocam_write };

int gocam_file_new_writer(CameraFile **file, uintptr_t handle) {
	return gp_file_new_from_handler(file, &gocam_writer, (void *)handle);
}

const char *gocam_version(void) {
	const char **v = gp_library_version(GP_VERSION_SHORT);
	return (v && v[0]) ? v[0] : "";
}
