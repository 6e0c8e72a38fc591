package web

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/tasks"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

// idleWorker registers a worker that serves another queue: Ready says yes,
// and what is queued stays pending, for the test to read and remove.
func idleWorker(t *testing.T, u *tpUI) {
	t.Helper()
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: u.redis}, asynq.Config{Concurrency: 1,
		Queues: map[string]int{"test-elsewhere": 1}, LogLevel: asynq.FatalLevel})
	if err := srv.Start(asynq.NewServeMux()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		if alive, _ := u.tasks.WorkersAlive(); alive {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the worker never registered")
}

// Both copy triggers (the Transfer page's "Copy now", the copy oneshot's
// local /copyNow) refuse while camera USB is off or no worker runs, and
// otherwise queue copy, then the upload when transferday is afterCopy, then
// thumbnails; a second copy is refused while one is queued.
func TestCopyNowStartsTheChain(t *testing.T) {
	u := startTransferUI(t, tpINI, transfer.DropboxAPI{})
	tok := u.csrf(u.page("/transfer"))
	button := func() (int, string, string) {
		h := http.Header{"X-Csrf-Token": {tok}, "Accept": {"application/json"}}
		req, _ := http.NewRequest(http.MethodPost, u.ts.URL+"/trnCopyNow", nil)
		req.Header = h
		resp, err := u.cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := readBody(resp)
		return resp.StatusCode, b, strings.TrimPrefix(resp.Header.Get("Location"), "/backgroundStatus/")
	}
	local := func() (int, string, string) {
		code, body := do(t, u.anon, http.MethodGet, u.local.URL+"/copyNow", nil, "")
		return code, body, strings.TrimSpace(strings.TrimPrefix(body, "OK "))
	}
	setINI := func(usb, day string) {
		ini := strings.Replace(tpINI, "enablecamerausb = True", "enablecamerausb = "+usb, 1)
		ini = strings.Replace(ini, "transferday = Daily", "transferday = "+day, 1)
		if err := os.WriteFile(u.p.INI(), []byte(ini), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	triggers := map[string]func() (int, string, string){"button": button, "local": local}

	setINI("False", "Daily")
	for name, trigger := range triggers {
		if code, body, _ := trigger(); code != http.StatusConflict || !strings.Contains(body, "Camera USB is switched off") {
			t.Errorf("%s, camera USB off: %d %s", name, code, body)
		}
	}
	setINI("True", "Daily")
	for name, trigger := range triggers {
		if code, body, _ := trigger(); code != http.StatusServiceUnavailable || !strings.Contains(body, "No copy started") {
			t.Errorf("%s, no worker: %d %s", name, code, body)
		}
	}

	idleWorker(t, u)
	for _, name := range []string{"button", "local"} {
		for _, day := range []string{"Daily", "afterCopy"} {
			setINI("True", day)
			code, body, id := triggers[name]()
			want := http.StatusAccepted
			if name == "local" {
				want = http.StatusOK
			}
			if code != want || id == "" {
				t.Fatalf("%s, transferday %s: %d %s", name, day, code, body)
			}
			info, err := u.tasks.Inspector.GetTaskInfo(tasks.Queue, id)
			if err != nil {
				t.Fatal(err)
			}
			var chain tasks.ChainPayload
			json.Unmarshal(info.Payload, &chain)
			then := []string{tasks.TypeThumbnails}
			if day == "afterCopy" {
				then = []string{tasks.TypeUpload, tasks.TypeThumbnails}
			}
			if info.Type != tasks.TypeCopy || !slices.Equal(chain.Then, then) {
				t.Errorf("%s, transferday %s: queued %s then %v, want %s then %v", name, day, info.Type, chain.Then, tasks.TypeCopy, then)
			}
			if code, body, _ := triggers[name](); code != http.StatusConflict || !strings.Contains(body, "already queued or running") {
				t.Errorf("%s, a copy already queued: %d %s", name, code, body)
			}
			if err := u.tasks.Inspector.DeleteTask(tasks.Queue, id); err != nil {
				t.Fatal(err)
			}
		}
	}
}
