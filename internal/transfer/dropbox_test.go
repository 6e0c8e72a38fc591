package transfer

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/intvlm8r/intvlm8r-go/internal/config"
	"github.com/intvlm8r/intvlm8r-go/internal/status"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox/contenthash"

	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// fakeDropbox speaks the endpoints the SDK calls: the OAuth2 token endpoint,
// users/get_current_account, files/upload and the upload-session trio.
type fakeDropbox struct {
	*httptest.Server
	t      testing.TB
	appKey string

	mu           sync.Mutex
	refresh      string            // the valid refresh token
	access       map[string]bool   // access tokens handed out
	challenges   map[string]string // auth code -> PKCE challenge
	files        map[string]fakeFile
	sessions     map[string][]byte
	quota        int64 // bytes the account may hold (0: unlimited)
	used         int64
	dropOnce     string // path whose first upload is cut off
	malformed    string // path answered with a path/malformed_path error
	lie          string // "half" or "other": accept each upload, keep the wrong bytes
	refreshCalls int
	uploads      int
	puts         map[string]int // uploads stored per path
}

type fakeFile struct {
	data           []byte
	clientModified string
}

func startFakeDropbox(t testing.TB, appKey string) *fakeDropbox {
	f := &fakeDropbox{t: t, appKey: appKey, refresh: "rt-valid", access: map[string]bool{},
		challenges: map[string]string{}, files: map[string]fakeFile{}, sessions: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token", f.token)
	mux.HandleFunc("/2/users/get_current_account", f.account)
	mux.HandleFunc("/2/files/upload", f.upload)
	mux.HandleFunc("/2/files/upload_session/start", f.sessionStart)
	mux.HandleFunc("/2/files/upload_session/append_v2", f.sessionAppend)
	mux.HandleFunc("/2/files/upload_session/finish", f.sessionFinish)
	mux.HandleFunc("/2/files/get_metadata", f.metadata)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDropbox) api() DropboxAPI {
	return DropboxAPI{AuthorizeURL: f.URL + "/oauth2/authorize", TokenURL: f.URL + "/oauth2/token", APIURL: f.URL, ContentURL: f.URL}
}

func apiError(w http.ResponseWriter, code int, summary string, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error_summary": summary, "error": body})
}

func (f *fakeDropbox) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Form.Get("client_id") != f.appKey {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_client"}`)
		return
	}
	bad := func() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant","error_description":"refresh token is invalid or revoked"}`)
	}
	switch r.Form.Get("grant_type") {
	case "refresh_token":
		f.refreshCalls++
		if r.Form.Get("refresh_token") != f.refresh {
			bad()
			return
		}
		at := fmt.Sprintf("at-%d", f.refreshCalls)
		f.access[at] = true
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":14400}`, at)
	case "authorization_code":
		ch, ok := f.challenges[r.Form.Get("code")]
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != ch {
			bad()
			return
		}
		delete(f.challenges, r.Form.Get("code"))
		f.refresh = "rt-fresh"
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at-code","token_type":"bearer","expires_in":14400,"refresh_token":"rt-fresh","account_id":"dbid:x"}`)
	default:
		bad()
	}
}

func (f *fakeDropbox) authorised(w http.ResponseWriter, r *http.Request) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	ok := f.access[tok]
	f.mu.Unlock()
	if !ok {
		apiError(w, 401, "invalid_access_token/", map[string]string{".tag": "invalid_access_token"})
	}
	return ok
}

func (f *fakeDropbox) account(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"account_id":"dbid:test","name":{"given_name":"Pi","surname":"Cam","familiar_name":"Pi","display_name":"Pi Cam","abbreviated_name":"PC"},"email":"pi@example.com","email_verified":true,"disabled":false,"locale":"en","referral_link":"","is_paired":false,"account_type":{".tag":"basic"},"root_info":{".tag":"user","root_namespace_id":"1","home_namespace_id":"1"}}`)
}

type dbxArg struct {
	Path           string `json:"path"`
	Mode           any    `json:"mode"`
	ClientModified string `json:"client_modified"`
	ContentHash    string `json:"content_hash"`
	Cursor         struct {
		SessionID string `json:"session_id"`
		Offset    int64  `json:"offset"`
	} `json:"cursor"`
	Commit struct {
		Path           string `json:"path"`
		ClientModified string `json:"client_modified"`
	} `json:"commit"`
}

// readBody reads the upload, or cuts the connection half-way if asked to.
func (f *fakeDropbox) readBody(w http.ResponseWriter, r *http.Request, path string) ([]byte, bool) {
	f.mu.Lock()
	drop := path != "" && path == f.dropOnce
	if drop {
		f.dropOnce = ""
	}
	f.mu.Unlock()
	if drop {
		io.CopyN(io.Discard, r.Body, 1000)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return nil, false
	}
	b, err := io.ReadAll(r.Body)
	return b, err == nil
}

func (f *fakeDropbox) checkHash(w http.ResponseWriter, data []byte, want string) bool {
	f.mu.Lock()
	lying := f.lie != ""
	f.mu.Unlock()
	if want == "" || lying { // a liar does not check what it was sent
		return true
	}
	got, _ := contenthash.Compute(bytes.NewReader(data))
	if got != want {
		apiError(w, 409, "content_hash_mismatch/", map[string]string{".tag": "content_hash_mismatch"})
		return false
	}
	return true
}

// store commits a file, or answers insufficient_space / malformed_path.
func (f *fakeDropbox) store(w http.ResponseWriter, path, cm string, data []byte, session bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if path == f.malformed {
		reason := map[string]any{".tag": "malformed_path", "malformed_path": "bad"}
		if session {
			apiError(w, 409, "path/malformed_path/", map[string]any{".tag": "path", "path": reason})
		} else {
			apiError(w, 409, "path/malformed_path/", map[string]any{".tag": "path", "reason": reason, "upload_session_id": ""})
		}
		return
	}
	old := int64(len(f.files[path].data))
	if f.quota > 0 && f.used-old+int64(len(data)) > f.quota {
		reason := map[string]any{".tag": "insufficient_space"}
		if session {
			apiError(w, 409, "path/insufficient_space/", map[string]any{".tag": "path", "path": reason})
		} else {
			apiError(w, 409, "path/insufficient_space/", map[string]any{".tag": "path", "reason": reason, "upload_session_id": ""})
		}
		return
	}
	switch f.lie { // what a lying server keeps; its answer describes that
	case "half":
		data = data[:len(data)/2]
	case "other":
		data = bytes.Repeat([]byte{0x5a}, len(data))
	}
	f.used += int64(len(data)) - old
	f.files[path] = fakeFile{data: data, clientModified: cm}
	f.uploads++
	if f.puts == nil {
		f.puts = map[string]int{}
	}
	f.puts[path]++
	writeFileMetadata(w, path, f.files[path], false)
}

func writeFileMetadata(w http.ResponseWriter, path string, ff fakeFile, tagged bool) {
	hash, _ := contenthash.Compute(bytes.NewReader(ff.data))
	name := path[strings.LastIndex(path, "/")+1:]
	md := map[string]any{
		"name": name, "id": "id:" + name, "path_display": path, "path_lower": strings.ToLower(path),
		"client_modified": ff.clientModified, "server_modified": time.Now().UTC().Format(time.RFC3339),
		"rev": "015f", "size": len(ff.data), "content_hash": hash, "is_downloadable": true,
	}
	if tagged {
		md[".tag"] = "file"
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(md)
}

// metadata answers files/get_metadata for a file, or path/not_found.
func (f *fakeDropbox) metadata(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	var a dbxArg
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		apiError(w, 400, "bad arg", nil)
		return
	}
	f.mu.Lock()
	ff, ok := f.files[a.Path]
	f.mu.Unlock()
	if !ok {
		apiError(w, 409, "path/not_found/", map[string]any{".tag": "path", "path": map[string]string{".tag": "not_found"}})
		return
	}
	writeFileMetadata(w, a.Path, ff, true)
}

func parseArg(r *http.Request) (dbxArg, error) {
	var a dbxArg
	err := json.Unmarshal([]byte(r.Header.Get("Dropbox-API-Arg")), &a)
	return a, err
}

func (f *fakeDropbox) upload(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	a, err := parseArg(r)
	if err != nil {
		apiError(w, 400, "bad arg", nil)
		return
	}
	data, ok := f.readBody(w, r, a.Path)
	if !ok || !f.checkHash(w, data, a.ContentHash) {
		return
	}
	f.store(w, a.Path, a.ClientModified, data, false)
}

func (f *fakeDropbox) sessionStart(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	a, _ := parseArg(r)
	data, ok := f.readBody(w, r, "")
	if !ok || !f.checkHash(w, data, a.ContentHash) {
		return
	}
	f.mu.Lock()
	id := fmt.Sprintf("sess-%d", len(f.sessions)+1)
	f.sessions[id] = data
	f.mu.Unlock()
	fmt.Fprintf(w, `{"session_id":%q}`, id)
}

func (f *fakeDropbox) appendSession(w http.ResponseWriter, a dbxArg, data []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.sessions[a.Cursor.SessionID]
	if !ok || int64(len(cur)) != a.Cursor.Offset {
		apiError(w, 409, "incorrect_offset/", map[string]any{".tag": "incorrect_offset", "correct_offset": len(cur)})
		return false
	}
	f.sessions[a.Cursor.SessionID] = append(cur, data...)
	return true
}

func (f *fakeDropbox) sessionAppend(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	a, _ := parseArg(r)
	data, ok := f.readBody(w, r, "")
	if !ok || !f.checkHash(w, data, a.ContentHash) || !f.appendSession(w, a, data) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "null")
}

func (f *fakeDropbox) sessionFinish(w http.ResponseWriter, r *http.Request) {
	if !f.authorised(w, r) {
		return
	}
	a, _ := parseArg(r)
	data, ok := f.readBody(w, r, "")
	if !ok || !f.checkHash(w, data, a.ContentHash) || !f.appendSession(w, a, data) {
		return
	}
	f.mu.Lock()
	all := f.sessions[a.Cursor.SessionID]
	delete(f.sessions, a.Cursor.SessionID)
	f.mu.Unlock()
	f.store(w, a.Commit.Path, a.Commit.ClientModified, all, true)
}

// checkDropbox asserts the fake holds every local photo, byte for byte, at /DCIM/...
func (f *fakeDropbox) check(t testing.TB, p paths.Paths, locals []string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range locals {
		rel := strings.TrimPrefix(l, p.Photos())
		got, ok := f.files[rel]
		want, _ := os.ReadFile(l)
		if !ok || !bytes.Equal(got.data, want) {
			t.Fatalf("dropbox lacks %s intact (have=%v)", rel, ok)
		}
		fi, _ := os.Stat(l)
		if got.clientModified != fi.ModTime().UTC().Format("2006-01-02T15:04:05Z") {
			t.Fatalf("client_modified %q for %s, mtime %v", got.clientModified, rel, fi.ModTime())
		}
	}
}

func dropboxHome(t *testing.T, token string) paths.Paths {
	p := newHome(t)
	if token != "" {
		os.WriteFile(p.DropboxToken(), []byte(token), 0o600)
	}
	return p
}

func TestDropboxCycle(t *testing.T) {
	fake := startFakeDropbox(t, "appkey123")
	p := dropboxHome(t, "rt-valid")
	s := Settings{TransferSettings: config.TransferSettings{Method: "dropbox", DropboxAppKey: "appkey123"}, Dropbox: fake.api()}
	first := makePhotos(t, p, "100CANON", 1, 5, 70_000)
	res := mustRun(t, p, s)
	if res.Status != "5 of 5 files uploaded OK" || res.Method != MethodDropbox {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	fake.check(t, p, first)
	if fake.refreshCalls != 1 {
		t.Fatalf("%d token refreshes for one run, want 1", fake.refreshCalls)
	}
	if res := mustRun(t, p, s); res.Status != "No new files to upload" {
		t.Fatalf("%+v", res)
	}
	more := makePhotos(t, p, "101CANON", 1, 2, 10_000)
	if res := mustRun(t, p, s); res.Status != "2 of 2 files uploaded OK" {
		t.Fatalf("%+v", res)
	}
	fake.check(t, p, more)
	checkNoPasswords(t, p, "rt-valid", "at-1")
}

func TestDropboxUploadSession(t *testing.T) {
	oldT, oldC := dropboxSessionThreshold, dropboxChunk
	dropboxSessionThreshold, dropboxChunk = 100_000, 30_000
	t.Cleanup(func() { dropboxSessionThreshold, dropboxChunk = oldT, oldC })
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	big := makePhotos(t, p, "100CANON", 1, 2, 250_001) // 9 chunks each
	small := makePhotos(t, p, "100CANON", 10, 1, 5_000)
	res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()})
	if res.Status != "3 of 3 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	fake.check(t, p, append(big, small...))
	if n := strings.Count(readLog(t, p), "Dropbox session"); n != 2*7 {
		t.Fatalf("%d session appends logged, want 14", n)
	}
}

func TestDropboxFailures(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()}

	p := dropboxHome(t, "")
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	if res := mustRun(t, p, s); res.Status != "No Dropbox token found. Re-auth required" || res.Colour != status.Red {
		t.Fatalf("no token: %+v", res)
	}

	p = dropboxHome(t, "rt-revoked")
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	if res := mustRun(t, p, s); res.Status != "Invalid Dropbox access token" {
		t.Fatalf("bad token: %+v\n%s", res, readLog(t, p))
	}

	s2 := s
	s2.Dropbox.APIURL = "http://127.0.0.1:1" // nothing there
	p = dropboxHome(t, "rt-valid")
	makePhotos(t, p, "100CANON", 1, 1, 1000)
	if res := mustRun(t, p, s2); res.Status != "Exception signing in to Dropbox" {
		t.Fatalf("unreachable: %+v", res)
	}
	if len(ledgerLines(t, p)) != 0 {
		t.Fatal("recorded without a server")
	}
}

func TestDropboxInsufficientSpaceAndAPIError(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	s := Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k", DeleteAfterTransfer: true}, Dropbox: fake.api()}
	p := dropboxHome(t, "rt-valid")
	locals := makePhotos(t, p, "100CANON", 1, 5, 10_000)
	fake.malformed = "/DCIM/100CANON/IMG_0001.JPG"
	fake.quota = 25_000 // room for two
	res := mustRun(t, p, s)
	if res.Status != "Dropbox upload failed due to insufficient space" || res.Uploaded != 2 || res.Colour != status.Red {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	log := readLog(t, p)
	if !strings.Contains(log, "STATUS: Dropbox API error") {
		t.Fatalf("malformed path not reported:\n%s", log)
	}
	if strings.Contains(log, "Uploading "+locals[4]) {
		t.Fatal("kept uploading into a full account")
	}
	// Exactly the two confirmed photos are recorded and deleted.
	got := ledgerLines(t, p)
	if len(got) != 2 || got[0] != locals[1] || got[1] != locals[2] {
		t.Fatalf("ledger %v", got)
	}
	for i, l := range locals {
		_, err := os.Stat(l)
		if gone := os.IsNotExist(err); gone != (i == 1 || i == 2) {
			t.Fatalf("photo %d: gone=%v", i, gone)
		}
	}
}

func TestDropboxDroppedMidFile(t *testing.T) {
	fake := startFakeDropbox(t, "k")
	p := dropboxHome(t, "rt-valid")
	locals := makePhotos(t, p, "100CANON", 1, 3, 200_000)
	fake.dropOnce = "/DCIM/100CANON/IMG_0002.JPG"
	res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "k"}, Dropbox: fake.api()})
	if res.Status != "3 of 3 files uploaded OK" {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	if !strings.Contains(readLog(t, p), "Error on  first attempt uploading "+locals[1]) {
		t.Fatalf("cut not seen:\n%s", readLog(t, p))
	}
	fake.check(t, p, locals)
}

func TestDropboxPKCE(t *testing.T) {
	fake := startFakeDropbox(t, "appkey9")
	api := fake.api()
	p := newHome(t)
	u, verifier := api.AuthURL(" appkey9 ")
	pu, err := url.Parse(u)
	if err != nil || pu.Path != "/oauth2/authorize" {
		t.Fatalf("auth url %q: %v", u, err)
	}
	q := pu.Query()
	sum := sha256.Sum256([]byte(verifier))
	for k, want := range map[string]string{
		"client_id": "appkey9", "response_type": "code", "token_access_type": "offline",
		"code_challenge_method": "S256", "code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]),
	} {
		if q.Get(k) != want {
			t.Fatalf("%s=%q, want %q (url %s)", k, q.Get(k), want, u)
		}
	}
	if len(verifier) < 43 {
		t.Fatalf("verifier too short: %d", len(verifier))
	}
	fake.challenges["the-code"] = q.Get("code_challenge")

	if _, err := api.ExchangeCode(t.Context(), p, "appkey9", "wrong-verifier", "the-code"); err == nil {
		t.Fatal("exchange with a wrong verifier succeeded")
	}
	if st := lastStatus(t, p); st != "Error in Dropbox re-auth" {
		t.Fatalf("status %q", st)
	}
	fake.challenges["the-code"] = q.Get("code_challenge")
	tok, err := api.ExchangeCode(t.Context(), p, "appkey9", verifier, " the-code\n")
	if err != nil || tok != "rt-fresh" {
		t.Fatalf("exchange: %q %v", tok, err)
	}
	fi, err := os.Stat(p.DropboxToken())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	if b, _ := os.ReadFile(p.DropboxToken()); string(b) != "rt-fresh" {
		t.Fatalf("token file holds %q", b)
	}
	// The stored token works for an upload.
	locals := makePhotos(t, p, "100CANON", 1, 1, 1000)
	if res := mustRun(t, p, Settings{TransferSettings: config.TransferSettings{Method: "Dropbox", DropboxAppKey: "appkey9"}, Dropbox: api}); res.Uploaded != 1 {
		t.Fatalf("%+v\n%s", res, readLog(t, p))
	}
	fake.check(t, p, locals)
	if _, err := api.ExchangeCode(t.Context(), p, "", verifier, "x"); err == nil {
		t.Fatal("blank app key accepted")
	}
	// The real service's URL, for the record.
	if u, _ := DefaultDropbox.AuthURL("k"); !strings.HasPrefix(u, "https://www.dropbox.com/oauth2/authorize?") {
		t.Fatalf("default auth url %q", u)
	}
}
