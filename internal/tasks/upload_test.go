package tasks

import (
	"context"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/health"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
	"github.com/intvlm8r/intvlm8r-go/internal/testutil"
	"github.com/intvlm8r/intvlm8r-go/internal/transfer"
)

func TestUploadTaskAndChain(t *testing.T) {
	r := testutil.StartRedis(t)
	c := NewClient(r.Addr)
	defer c.Close()
	p := paths.New(t.TempDir())
	os.MkdirAll(p.WWW(), 0o755)
	ini := config.NewStore(p.INI())

	var after atomic.Int32
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: r.Addr}, asynq.Config{Concurrency: 2, TaskCheckInterval: 50 * time.Millisecond, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	mux.Handle(TypeUpload, &UploadHandler{Paths: p, INI: ini, Queue: c})
	mux.HandleFunc(TypeThumbnails, func(ctx context.Context, t *asynq.Task) error {
		after.Add(1)
		Report(t, Status{Text: "after the upload", Colour: status.White})
		return nil
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	run := func(chain ...string) []View {
		t.Helper()
		id, err := c.StartChain(context.Background(), chain...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		views, err := c.WaitChain(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return views
	}

	// No INI: the original's STATUS, red, and the chain goes on.
	views := run(TypeUpload, TypeThumbnails)
	if len(views) != 2 || views[0].Status != "Upload aborted. I've lost the INI file" || views[0].Colour != status.Red || views[1].Status != "after the upload" {
		t.Fatalf("no INI: %+v", views)
	}
	if _, text, _, _ := transfer.LastStatus(p); text != "Upload aborted. I've lost the INI file" {
		t.Fatalf("log: %q", text)
	}

	// Method Off.
	os.WriteFile(p.INI(), []byte("[Transfer]\ntfrmethod = Off\n"), 0o640)
	views = run(TypeUpload, TypeThumbnails)
	if views[0].Status != "Upload aborted. tfrMethod=Off" || views[0].Colour != status.Orange || after.Load() != 2 {
		t.Fatalf("Off: %+v", views)
	}

	// A real FTP upload, [Transfer] read from the INI (password with %).
	ftp := testutil.StartFTP(t)
	addr, root := ftp.Addr, ftp.Root
	os.WriteFile(p.INI(), []byte("[Transfer]\ntfrmethod = FTP\nftpserver = ftp://"+addr+"\nftpuser = "+ftp.User+"\nftppassword = "+strings.ReplaceAll(ftp.Password, "%", "%%")+"\nftpremotefolder = \\up\\\\cam\n"), 0o640)
	dir := filepath.Join(p.PhotosDCIM(), "100CANON")
	os.MkdirAll(dir, 0o755)
	for i := 1; i <= 3; i++ {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("IMG_%d.JPG", i)), []byte(strings.Repeat("x", 1000*i)), 0o644)
	}
	views = run(TypeUpload)
	if len(views) != 1 || views[0].State != StateSuccess || views[0].Status != "3 of 3 files uploaded OK" || views[0].Colour != status.White {
		t.Fatalf("FTP: %+v", views)
	}
	// The result is kept for the pages, green, until the next upload.
	if o, ok := health.ReadOutcome(health.OutcomePath(p, health.KindUpload)); !ok || o.Text != "3 of 3 files uploaded OK" || o.Failed || o.ShowColour() != status.Green || views[0].Kind != health.KindUpload {
		t.Fatalf("recorded upload: %+v %v (kind %q)", o, ok, views[0].Kind)
	}
	for i := 1; i <= 3; i++ {
		b, err := os.ReadFile(filepath.Join(root, "up", "cam", "DCIM", "100CANON", fmt.Sprintf("IMG_%d.JPG", i)))
		if err != nil || len(b) != 1000*i {
			t.Fatalf("photo %d on the server: %d bytes, %v", i, len(b), err)
		}
	}

	// A wrong password: red, with the original's STATUS text.
	os.WriteFile(p.INI(), []byte("[Transfer]\ntfrmethod = FTP\nftpserver = "+addr+"\nftpuser = "+ftp.User+"\nftppassword = nope\n"), 0o640)
	os.WriteFile(filepath.Join(dir, "IMG_9.JPG"), []byte("new"), 0o644)
	views = run(TypeUpload)
	if views[0].Status != "FTP login failed" || views[0].Colour != status.Red {
		t.Fatalf("wrong password: %+v", views)
	}
	if o, ok := health.ReadOutcome(health.OutcomePath(p, health.KindUpload)); !ok || o.Text != "FTP login failed" || !o.Failed || o.ShowColour() != status.Red {
		t.Fatalf("recorded failed upload: %+v %v", o, ok)
	}

	// Another upload holding the transfer lock: said, orange.
	lock, err := fileutil.LockExclusive(p.TransferLock())
	if err != nil {
		t.Fatal(err)
	}
	views = run(TypeUpload, TypeThumbnails)
	lock.Unlock()
	if !strings.Contains(views[0].Status, "Another upload is running") || views[0].Colour != status.Orange || len(views) != 2 {
		t.Fatalf("busy: %+v", views)
	}
}
