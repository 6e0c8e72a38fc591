package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/intvlm8r/intvlm8r-go/internal/config"
)

// A run after one that was cut mid-upload (its journal says "sending")
// asks Dropbox for each such photo's content hash: a photo Dropbox holds
// whole is recorded without being sent again; one it holds with other
// bytes of the same length is sent again.
func TestDropboxResumeAsksForTheContentHash(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	locals := makePhotos(t, p, "100CANON", 1, 2, 5000)
	whole, err := os.ReadFile(locals[0])
	if err != nil {
		t.Fatal(err)
	}
	local2, err := os.ReadFile(locals[1])
	if err != nil {
		t.Fatal(err)
	}
	other := bytes.Repeat([]byte{'x'}, len(local2))
	held, torn := "/DCIM/100CANON/IMG_0001.JPG", "/DCIM/100CANON/IMG_0002.JPG"
	fake.files[held] = fakeFile{data: whole, clientModified: "2026-11-30T09:02:00Z"}
	fake.files[torn] = fakeFile{data: other, clientModified: "2026-11-30T09:02:00Z"}
	journal := sendingPrefix + locals[0] + "\n" + sendingPrefix + locals[1] + "\n"
	if err := os.MkdirAll(filepath.Dir(p.DeleteJournal()), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.DeleteJournal(), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	if fake.puts == nil {
		fake.puts = map[string]int{}
	}

	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()}
	res := mustRun(t, p, s)
	log := readLog(t, p)
	if res.Uploaded != 2 || res.Failed != 0 {
		t.Fatalf("%+v\n%s", res, log)
	}
	if fake.puts[held] != 0 || !strings.Contains(log, "already holds "+held+" whole") {
		t.Fatalf("the photo Dropbox held whole was sent again (%d puts):\n%s", fake.puts[held], log)
	}
	if fake.puts[torn] != 1 || !bytes.Equal(fake.files[torn].data, local2) {
		t.Fatalf("the photo Dropbox held with other bytes was not sent again (%d puts)", fake.puts[torn])
	}
	if got := ledgerLines(t, p); !slices.Equal(got, locals) {
		t.Fatalf("ledger %v, want both photos", got)
	}
}
