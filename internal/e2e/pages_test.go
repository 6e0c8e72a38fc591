package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// The red "no worker" notice on every page, the health checks on the System
// page, and the asynqmon dashboard behind the login.
func TestWorkersDownAndHealth(t *testing.T) {
	b := StartBox(t, copyINI(""))
	c := b.Client()
	b.Login(c)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := c.Get("http://" + b.UIAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		return resp.StatusCode, body
	}
	pages := []string{"/", "/thumbnails", "/camera", "/intervalometer", "/transfer", "/thermal", "/monitoring", "/system", "/iniview", "/network"}
	for _, p := range pages {
		code, body := get(p)
		if code != 200 || strings.Contains(body, "No background worker is running") {
			t.Errorf("%s with the worker up: %d, notice shown %v", p, code, strings.Contains(body, "No background worker"))
		}
	}
	_, sys := get("/system?checks=1")
	for _, want := range []string{"PASS Redis", "PASS Worker", "PASS Arduino", "PASS Camera"} {
		if !strings.Contains(sys, want) {
			t.Errorf("health checks lack %q", want)
		}
	}
	code, mon := get("/asynqmon/")
	if code != 200 || !strings.Contains(strings.ToLower(mon), "<html") {
		t.Errorf("asynqmon: %d", code)
	}
	if code, api := get("/asynqmon/api/queues"); code != 200 || !strings.Contains(api, `"queues"`) {
		t.Errorf("asynqmon API: %d %s", code, api)
	}

	b.StopWorker()
	for _, p := range pages {
		code, body := get(p)
		if code != 200 || !strings.Contains(body, `<tr id="taskRow" class="red">`) || !strings.Contains(body, "No background worker is running") {
			t.Errorf("%s with the worker down: %d, no red notice", p, code)
		}
	}
	_, sys = get("/system?checks=1")
	if !strings.Contains(sys, "FAIL Worker") {
		t.Errorf("health checks with the worker down:\n%s", sys)
	}
	// Starting a task says why it cannot run.
	resp, body := b.PostTask(c, "/trnCopyNow")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "no background worker") {
		t.Errorf("Copy now with no worker: %d %s", resp.StatusCode, body)
	}
}
