package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox"
	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox/auth"
	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox/contenthash"
	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox/files"
	"github.com/dropbox/dropbox-sdk-go-unofficial/v6/dropbox/users"
	"golang.org/x/oauth2"

	"github.com/intvlm8r/intvlm8r-go/internal/fileutil"
	"github.com/intvlm8r/intvlm8r-go/internal/paths"
)

// DropboxAPI says where Dropbox is. The zero value means the real service;
// tests point it at a local server.
type DropboxAPI struct {
	AuthorizeURL string // the page the user opens to approve the app
	TokenURL     string // OAuth2 token endpoint (code exchange and refresh)
	APIURL       string // RPC host, e.g. https://api.dropboxapi.com
	ContentURL   string // upload host, e.g. https://content.dropboxapi.com
}

// DefaultDropbox is the real Dropbox.
var DefaultDropbox = DropboxAPI{
	AuthorizeURL: "https://www.dropbox.com/oauth2/authorize",
	TokenURL:     "https://api.dropboxapi.com/oauth2/token",
	APIURL:       "https://api.dropboxapi.com",
	ContentURL:   "https://content.dropboxapi.com",
}

func (a DropboxAPI) orDefault() DropboxAPI {
	if a == (DropboxAPI{}) {
		return DefaultDropbox
	}
	return a
}

func (a DropboxAPI) oauth(appKey string) *oauth2.Config {
	a = a.orDefault()
	// A PKCE public client: no secret, client_id goes in the form body.
	return &oauth2.Config{
		ClientID: appKey,
		Endpoint: oauth2.Endpoint{AuthURL: a.AuthorizeURL, TokenURL: a.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// AuthURL starts the no-redirect PKCE flow: the user opens url, approves
// the app and is shown a code; keep verifier for ExchangeCode.
func (a DropboxAPI) AuthURL(appKey string) (url, verifier string) {
	verifier = oauth2.GenerateVerifier()
	url = a.oauth(strings.TrimSpace(appKey)).AuthCodeURL("",
		oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("token_access_type", "offline"))
	return url, verifier
}

// ExchangeCode finishes the flow: it trades the code the user pasted for a
// long-lived refresh token, stores it in ~/www/Dropbox_token.txt
// (crash-safely, readable by the owner only) and returns it.
func (a DropboxAPI) ExchangeCode(ctx context.Context, p paths.Paths, appKey, verifier, code string) (string, error) {
	l, err := openLog(p.TransferLog(), nil)
	if err != nil {
		return "", err
	}
	defer l.Close()
	l.Printf("Commencing Dropbox re-auth")
	appKey, code = strings.TrimSpace(appKey), strings.TrimSpace(code)
	if appKey == "" {
		l.Printf("Dropbox re-auth aborted: the app key is blank")
		return "", errors.New("dropbox re-auth: the app key is blank; set it on the Transfer page first")
	}
	if code == "" || verifier == "" {
		l.Status("Error in Dropbox re-auth")
		return "", errors.New("dropbox re-auth: no access code given")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tok, err := a.oauth(appKey).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		l.Status("Error in Dropbox re-auth")
		l.Printf("Error in Dropbox re-auth: %v", err)
		return "", fmt.Errorf("dropbox re-auth: %w", err)
	}
	if tok.RefreshToken == "" {
		l.Status("Error in Dropbox re-auth")
		l.Printf("Error in Dropbox re-auth: no refresh token in the answer (was token_access_type=offline lost?)")
		return "", errors.New("dropbox re-auth: Dropbox returned no refresh token")
	}
	if err := fileutil.WriteAtomic(p.DropboxToken(), []byte(tok.RefreshToken), 0o600); err != nil {
		l.Status("Error in Dropbox re-auth")
		return "", fmt.Errorf("dropbox re-auth: %w", err)
	}
	l.Printf("Completed Dropbox re-auth")
	return tok.RefreshToken, nil
}

// readDropboxToken reads the refresh token: the first line of the file.
func readDropboxToken(p paths.Paths) (string, error) {
	data, err := os.ReadFile(p.DropboxToken())
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return "", errors.New("token file is empty")
	}
	return line, nil
}

// Uploads above this go through an upload session (Dropbox's single-call
// limit is 150 MiB), in chunks of dropboxChunk. Variables so tests can use
// small files.
var (
	dropboxSessionThreshold int64 = 150 << 20
	dropboxChunk            int64 = 8 << 20
)

type dropboxUploader struct {
	p    paths.Paths
	s    Settings
	logf func(string, ...any)

	mu  sync.Mutex
	dbx files.ContextClient
}

func (u *dropboxUploader) httpClient(ts oauth2.TokenSource) *http.Client {
	timeout := u.s.timeout()
	d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &deadlineConn{c, 2 * timeout}, nil
		},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: 2 * timeout,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: &oauth2.Transport{Source: ts, Base: base}}
}

func (u *dropboxUploader) Connect(ctx context.Context) error {
	token, err := readDropboxToken(u.p)
	if err != nil {
		u.logf("Dropbox token %s: %v", u.p.DropboxToken(), err)
		return &Failure{Status: "No Dropbox token found. Re-auth required", Err: err}
	}
	appKey := strings.TrimSpace(u.s.DropboxAppKey)
	if appKey == "" {
		u.logf("Exception signing in to Dropbox: the app key is blank")
		return &Failure{Status: "Exception signing in to Dropbox", Err: errors.New("dropbox app key is blank")}
	}
	api := u.s.Dropbox.orDefault()
	// Token refreshes get a bounded client too (the default one waits for ever).
	refreshCtx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 2 * u.s.timeout()})
	ts := oauth2.ReuseTokenSource(nil, api.oauth(appKey).TokenSource(refreshCtx, &oauth2.Token{RefreshToken: token}))
	hosts := map[string]string{"api": api.APIURL, "content": api.ContentURL, "notify": api.APIURL}
	cfg := dropbox.Config{
		Client: u.httpClient(ts),
		URLGenerator: func(hostType, namespace, route string) string {
			return fmt.Sprintf("%s/2/%s/%s", strings.TrimRight(hosts[hostType], "/"), namespace, route)
		},
	}
	cctx, cancel := context.WithTimeout(ctx, 2*u.s.timeout())
	defer cancel()
	acct, err := users.NewContext(cfg).GetCurrentAccountContext(cctx)
	if err != nil {
		var ae auth.AuthAPIError
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &ae), errors.As(err, &re):
			u.logf("Dropbox Auth error: %v", err)
			return &Failure{Status: "Invalid Dropbox access token", Err: err}
		default:
			u.logf("Exception signing in to Dropbox: %v", err)
			return &Failure{Status: "Exception signing in to Dropbox", Err: err}
		}
	}
	if acct != nil {
		u.logf("Dropbox account OK: %s", acct.AccountId)
	}
	u.mu.Lock()
	u.dbx = files.NewContext(cfg)
	u.mu.Unlock()
	return nil
}

func (u *dropboxUploader) Upload(ctx context.Context, local, remote string, mtime time.Time) error {
	u.mu.Lock()
	dbx := u.dbx
	u.mu.Unlock()
	if dbx == nil {
		return fmt.Errorf("dropbox: not connected: %w", ErrConnLost)
	}
	f, info, err := openLocal(ctx, local)
	if err != nil {
		u.logf("Dropbox file error: %v", err)
		return err
	}
	defer f.Close()
	hash, err := contenthash.Compute(f)
	if err != nil {
		return fmt.Errorf("hash %s: %w", local, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind %s: %w", local, err)
	}
	commit := files.NewCommitInfo(remote)
	commit.Mode = &files.WriteMode{Tagged: dropbox.Tagged{Tag: files.WriteModeOverwrite}}
	commit.Mute = true
	if mtime.IsZero() {
		mtime = info.ModTime()
	}
	cm := dropbox.DBXTime(mtime.UTC().Truncate(time.Second))
	commit.ClientModified = &cm

	var meta *files.FileMetadata
	if info.Size() <= dropboxSessionThreshold {
		arg := &files.UploadArg{CommitInfo: *commit, ContentHash: hash}
		meta, err = dbx.UploadContext(ctx, arg, f)
	} else {
		meta, err = u.uploadSession(ctx, dbx, f, info.Size(), commit)
	}
	if err != nil {
		return u.failure(err)
	}
	if meta == nil || int64(meta.Size) != info.Size() {
		var got uint64
		if meta != nil {
			got = meta.Size
		}
		return &keptError{remote: remote, kept: int64(got), sent: info.Size()}
	}
	if meta.ContentHash != "" && meta.ContentHash != hash {
		return &contentError{remote: remote, how: "other content, by its content hash", detail: "Dropbox has " + meta.ContentHash + ", the photo " + hash}
	}
	return nil
}

// uploadSession sends a big file in chunks: start, append..., finish. Each
// chunk carries its content hash, which Dropbox checks.
func (u *dropboxUploader) uploadSession(ctx context.Context, dbx files.ContextClient, f *os.File, size int64, commit *files.CommitInfo) (*files.FileMetadata, error) {
	chunk := func(off int64) *io.SectionReader {
		n := dropboxChunk
		if size-off < n {
			n = size - off
		}
		return io.NewSectionReader(f, off, n)
	}
	first := chunk(0)
	start, err := dbx.UploadSessionStartContext(ctx, &files.UploadSessionStartArg{}, first)
	if err != nil {
		return nil, err
	}
	off := first.Size()
	for size-off > dropboxChunk {
		c := chunk(off)
		arg := files.NewUploadSessionAppendArg(files.NewUploadSessionCursor(start.SessionId, uint64(off)))
		if err := dbx.UploadSessionAppendV2Context(ctx, arg, c); err != nil {
			return nil, err
		}
		off += c.Size()
		u.logf("  Dropbox session %s: %d of %d bytes", commit.Path, off, size)
	}
	last := chunk(off)
	fin := files.NewUploadSessionFinishArg(files.NewUploadSessionCursor(start.SessionId, uint64(off)), commit)
	return dbx.UploadSessionFinishContext(ctx, fin, last)
}

// failure maps Dropbox errors to the original's STATUS texts.
func (u *dropboxUploader) failure(err error) error {
	space := func(w *files.WriteError) bool {
		if w == nil {
			return false
		}
		switch w.Tag {
		case files.WriteErrorInsufficientSpace, files.WriteErrorTeamFolderInsufficientSpace, files.WriteErrorMemberFolderInsufficientSpace:
			return true
		}
		return false
	}
	var up files.UploadAPIError
	var fin files.UploadSessionFinishAPIError
	switch {
	case errors.As(err, &up) && up.EndpointError != nil && up.EndpointError.Path != nil && space(up.EndpointError.Path.Reason),
		errors.As(err, &fin) && fin.EndpointError != nil && space(fin.EndpointError.Path):
		u.logf("Dropbox upload failed due to insufficient space: %v", err)
		return &Failure{Status: "Dropbox upload failed due to insufficient space", Fatal: true, Err: err}
	case isDropboxAPIError(err):
		u.logf("Dropbox API error %v", err)
		return &Failure{Status: "Dropbox API error", Err: err}
	default:
		u.logf("Unexpected Dropbox error: %v", err)
		return &Failure{Status: "Exception uploading to Dropbox", Err: err}
	}
}

// isDropboxAPIError reports an error the Dropbox API itself answered with.
func isDropboxAPIError(err error) bool {
	var (
		up  files.UploadAPIError
		st  files.UploadSessionStartAPIError
		ap  files.UploadSessionAppendV2APIError
		fin files.UploadSessionFinishAPIError
		br  auth.BadRequest
		ae  auth.AuthAPIError
		acc auth.AccessAPIError
		rl  auth.RateLimitAPIError
		se  auth.ServerError
		sdk dropbox.SDKInternalError
	)
	return errors.As(err, &up) || errors.As(err, &st) || errors.As(err, &ap) || errors.As(err, &fin) ||
		errors.As(err, &br) || errors.As(err, &ae) || errors.As(err, &acc) || errors.As(err, &rl) ||
		errors.As(err, &se) || errors.As(err, &sdk)
}

func (u *dropboxUploader) Close() error {
	u.mu.Lock()
	u.dbx = nil
	u.mu.Unlock()
	return nil
}

// Holds reports whether Dropbox holds remote with the photo's content hash.
func (u *dropboxUploader) Holds(ctx context.Context, local, remote string, _ time.Time) (bool, error) {
	u.mu.Lock()
	dbx := u.dbx
	u.mu.Unlock()
	if dbx == nil {
		return false, fmt.Errorf("dropbox: not connected: %w", ErrConnLost)
	}
	f, err := os.Open(local)
	if err != nil {
		return false, err
	}
	defer f.Close()
	hash, err := contenthash.Compute(f)
	if err != nil {
		return false, fmt.Errorf("hash %s: %w", local, err)
	}
	md, err := dbx.GetMetadataContext(ctx, files.NewGetMetadataArg(remote))
	var nf files.GetMetadataAPIError
	if errors.As(err, &nf) && nf.EndpointError != nil && nf.EndpointError.Path != nil && nf.EndpointError.Path.Tag == files.LookupErrorNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	fm, ok := md.(*files.FileMetadata)
	return ok && fm.ContentHash == hash, nil
}
