package hubspot

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// FilesService manages files and folders in HubSpot's file manager
// (files v3): it uploads files (streamed from a reader, never held whole
// in memory), imports them from a URL (an asynchronous task), finds,
// changes and archives them, hands out signed URLs for private files, and
// manages folders. Reads need the files, files.read or
// files.ui_hidden.read scope; writes files, files.write or
// files.ui_hidden.write; archives files, files.delete or
// files.ui_hidden.write (the 2025-09 and 2026-09 versions accept fewer:
// see the catalogue). Archiving is sensitive, and so is asking for a
// signed URL, which is a credential for a private file: a Client with a
// signer signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/files-files-v3/guide
type FilesService struct {
	client *Client
}

// FileAccess is who may fetch a file from its URL.
type FileAccess string

// HubSpot's access levels. The private and sensitive ones are fetched only
// through a signed URL (FilesService.SignedURL); the HIDDEN_ ones are not
// shown in HubSpot's UI.
const (
	FilePublicIndexable    FileAccess = "PUBLIC_INDEXABLE"
	FilePublicNotIndexable FileAccess = "PUBLIC_NOT_INDEXABLE"
	FilePrivate            FileAccess = "PRIVATE"
	FileSensitive          FileAccess = "SENSITIVE"
	FileHiddenIndexable    FileAccess = "HIDDEN_INDEXABLE"
	FileHiddenNotIndexable FileAccess = "HIDDEN_NOT_INDEXABLE"
	FileHiddenPrivate      FileAccess = "HIDDEN_PRIVATE"
	FileHiddenSensitive    FileAccess = "HIDDEN_SENSITIVE"
)

var fileAccessLevels = []FileAccess{FilePublicIndexable, FilePublicNotIndexable, FilePrivate, FileSensitive,
	FileHiddenIndexable, FileHiddenNotIndexable, FileHiddenPrivate, FileHiddenSensitive}

func (a FileAccess) valid() bool {
	for _, x := range fileAccessLevels {
		if a == x {
			return true
		}
	}
	return false
}

// File is a file in the file manager.
type File struct {
	ID string `json:"id"`
	// Name is the file's name without its extension.
	Name      string `json:"name"`
	Extension string `json:"extension"`
	// Type is HubSpot's kind of file: IMG, DOCUMENT, AUDIO, MOVIE, OTHER.
	Type string `json:"type"`
	// Path is the file's path from the file manager's root.
	Path           string     `json:"path"`
	ParentFolderID string     `json:"parentFolderId"`
	Size           int64      `json:"size"`
	Width          int        `json:"width"`
	Height         int        `json:"height"`
	Encoding       string     `json:"encoding"`
	Access         FileAccess `json:"access"`
	// URL is where the file is served. A private file's URL serves it to
	// no one: ask for a SignedURL.
	URL               string    `json:"url"`
	DefaultHostingURL string    `json:"defaultHostingUrl"`
	FileMD5           string    `json:"fileMd5"`
	IsUsableInContent bool      `json:"isUsableInContent"`
	SourceGroup       string    `json:"sourceGroup"`
	Archived          bool      `json:"archived"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	ArchivedAt        time.Time `json:"archivedAt,omitzero"`
	// ExpiresAt is when HubSpot deletes the file; zero for never.
	ExpiresAt time.Time `json:"-"`
}

// UnmarshalJSON reads a file, whose expiresAt HubSpot sends in
// milliseconds since the epoch.
func (f *File) UnmarshalJSON(b []byte) error {
	type plain File
	var w struct {
		*plain
		ExpiresAt int64 `json:"expiresAt"`
	}
	w.plain = (*plain)(f)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.ExpiresAt != 0 {
		f.ExpiresAt = time.UnixMilli(w.ExpiresAt).UTC()
	}
	return nil
}

// Folder is a folder in the file manager.
type Folder struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Path is the folder's path from the root.
	Path           string    `json:"path"`
	ParentFolderID string    `json:"parentFolderId"`
	Archived       bool      `json:"archived"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	ArchivedAt     time.Time `json:"archivedAt,omitzero"`
}

// Duplicate strategies: what an upload or an import does when a file
// with the same content exists (in the folder, or anywhere, by
// DuplicateScope).
const (
	DuplicateNone           = "NONE"
	DuplicateReject         = "REJECT"
	DuplicateReturnExisting = "RETURN_EXISTING"
)

// FileOptions are the options of an upload or an import from a URL.
type FileOptions struct {
	// Access is who may fetch the file; required.
	Access FileAccess
	// FolderID or FolderPath ("/docs/2026") is the folder the file goes
	// to; one is required. A path's folders are made as needed.
	FolderID   string
	FolderPath string
	// Overwrite replaces a file of the same name in the folder, keeping
	// its ID; otherwise HubSpot gives the new file a name of its own.
	Overwrite bool
	// DuplicateStrategy is DuplicateNone (the default), DuplicateReject
	// (a conflict error) or DuplicateReturnExisting (the existing file).
	DuplicateStrategy string
	// DuplicateScope is ENTIRE_PORTAL (the default) or EXACT_FOLDER.
	DuplicateScope string
	// TTL, an ISO 8601 period such as "P3M", has HubSpot delete the file
	// after it; empty for never.
	TTL string
	// ExpiresAt has HubSpot delete the file then; zero for never.
	ExpiresAt time.Time
}

func (o FileOptions) check(what string) error {
	switch {
	case o.Access == "":
		return errorf("%s: Access is required", what)
	case !o.Access.valid():
		return errorf("%s: Access %q is not one of HubSpot's access levels", what, o.Access)
	case o.FolderID == "" && o.FolderPath == "":
		return errorf("%s: FolderID or FolderPath is required", what)
	case o.FolderID != "" && o.FolderPath != "":
		return errorf("%s: give FolderID or FolderPath, not both", what)
	case o.FolderID != "" && !isTaskID(o.FolderID):
		return errorf("%s: the folder ID %q is not a decimal number", what, o.FolderID)
	case o.FolderPath != "" && !strings.HasPrefix(o.FolderPath, "/"):
		return errorf("%s: FolderPath %q must start with /", what, o.FolderPath)
	}
	switch o.DuplicateStrategy {
	case "", DuplicateNone, DuplicateReject, DuplicateReturnExisting:
	default:
		return errorf("%s: DuplicateStrategy must be NONE, REJECT or RETURN_EXISTING, got %q", what, o.DuplicateStrategy)
	}
	switch o.DuplicateScope {
	case "", "ENTIRE_PORTAL", "EXACT_FOLDER":
	default:
		return errorf("%s: DuplicateScope must be ENTIRE_PORTAL or EXACT_FOLDER, got %q", what, o.DuplicateScope)
	}
	return nil
}

func (o FileOptions) wire() map[string]any {
	m := map[string]any{"access": o.Access, "overwrite": o.Overwrite,
		"duplicateValidationStrategy": cmp.Or(o.DuplicateStrategy, DuplicateNone), "duplicateValidationScope": cmp.Or(o.DuplicateScope, "ENTIRE_PORTAL")}
	if o.TTL != "" {
		m["ttl"] = o.TTL
	}
	if !o.ExpiresAt.IsZero() {
		m["expiresAt"] = o.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

// FileUpload is a file to upload. Its content comes from Open or Data and
// is streamed as the request is sent, never held whole in memory.
type FileUpload struct {
	// Name is the file's name, with its extension; required.
	Name string
	// Open opens the content afresh: the upload calls it once per attempt
	// and closes what it returns, so a retry, the resend after a 401 and
	// signing (which reads the body twice) all work. Prefer it (an
	// os.Open of the file).
	Open func() (io.ReadCloser, error)
	// Data is the content, when Open is nil. An io.ReadSeeker (an
	// *os.File, a *bytes.Reader) is read from its position at the call,
	// and moved back there for another attempt. Any other reader can be
	// read only once: the upload is then not retried, a 401 is not
	// answered by a resend with a new token (the call fails with an error
	// that says so), and a Client that signs requests refuses it.
	Data io.Reader
	// ContentType is the type of the file part; application/octet-stream
	// when empty.
	ContentType string
	// CharsetHunch is the file's character set, when HubSpot should not
	// guess it.
	CharsetHunch string
	FileOptions
}

// ErrUploadNotReplayable is matched (errors.Is), beside HubSpot's own
// error, by the error of an upload whose Data can be read only once when
// HubSpot answered with a status after which a replayable upload may have
// been sent again (a 401, which a renewed token could answer; 429 or
// 5xx, which are retried): the body is never resent, truncated or not.
var ErrUploadNotReplayable = errors.New("hubspot: the upload could not be sent again: its Data can be read only once (give Open, or an io.ReadSeeker)")

// Upload uploads a file and returns it. The body is streamed: the content
// is read in small chunks as the request is sent, so a file of any size
// costs the same memory.
//
// HubSpot: POST /files/v3/files (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/post-files-v3-files).
func (s *FilesService) Upload(ctx context.Context, f FileUpload) (*File, error) {
	const what = "files Upload"
	switch {
	case f.Name == "" || path.Base(f.Name) != f.Name || strings.ContainsAny(f.Name, "\"\r\n\\"):
		return nil, errorf("%s: the name %q is not a plain file name", what, f.Name)
	case f.Open == nil && f.Data == nil:
		return nil, errorf("%s: file %q has neither Open nor Data", what, f.Name)
	case f.Open != nil && f.Data != nil:
		return nil, errorf("%s: file %q has both Open and Data; give one", what, f.Name)
	}
	if err := f.FileOptions.check(what); err != nil {
		return nil, err
	}
	opts, err := json.Marshal(f.FileOptions.wire())
	if err != nil {
		return nil, err
	}
	start := int64(-1)
	seeker, _ := f.Data.(io.Seeker)
	if seeker != nil {
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			return nil, errorf("%s: file %q: finding its position: %v", what, f.Name, err)
		}
	}
	replayable := f.Open != nil || seeker != nil
	if !replayable && s.client.signs {
		return nil, errorf("%s: file %q: the Client signs requests, which may read the body twice (to digest it, then to send it); "+
			"give Open or an io.ReadSeeker rather than buffering the file", what, f.Name)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	boundary := "hubkey-" + hex.EncodeToString(b[:])
	gen := func() io.ReadCloser {
		return newLazyBody(func(w io.Writer) error { return writeFileBody(w, f, opts, start, boundary) })
	}
	body := &streamBody{r: gen(), contentType: "multipart/form-data; boundary=" + boundary}
	if replayable {
		body.getBody = func() (io.ReadCloser, error) { return gen(), nil }
	}
	out := new(File)
	status, err := s.client.call(ctx, opFilesUpload, nil, nil, body, out)
	if err != nil {
		if !replayable && (status == http.StatusUnauthorized || status == http.StatusTooManyRequests || status >= 500) {
			return nil, fmt.Errorf("%w: %w", ErrUploadNotReplayable, err)
		}
		return nil, err
	}
	return out, nil
}

// writeFileBody writes an upload's multipart body: the fields, then the
// file, copied through a pooled buffer.
func writeFileBody(w io.Writer, f FileUpload, opts []byte, start int64, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	fields := [][2]string{{"fileName", f.Name}, {"options", string(opts)}}
	if f.FolderID != "" {
		fields = append(fields, [2]string{"folderId", f.FolderID})
	} else {
		fields = append(fields, [2]string{"folderPath", f.FolderPath})
	}
	if f.CharsetHunch != "" {
		fields = append(fields, [2]string{"charsetHunch", f.CharsetHunch})
	}
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return err
		}
	}
	src := f.Data
	if f.Open != nil {
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("hubspot: files Upload: opening file %q: %w", f.Name, err)
		}
		defer rc.Close()
		src = rc
	} else if start >= 0 {
		if _, err := f.Data.(io.Seeker).Seek(start, io.SeekStart); err != nil {
			return fmt.Errorf("hubspot: files Upload: file %q: rewinding: %w", f.Name, err)
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+f.Name+`"`)
	h.Set("Content-Type", cmp.Or(f.ContentType, "application/octet-stream"))
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	if _, err := io.CopyBuffer(part, onlyReader{src}, *buf); err != nil {
		return fmt.Errorf("hubspot: files Upload: reading file %q: %w", f.Name, err)
	}
	return mw.Close()
}

func fileParams(what, id string) (map[string]string, error) {
	if !isTaskID(id) {
		return nil, errorf("%s: the file ID %q is not a decimal number", what, id)
	}
	return map[string]string{"fileId": id}, nil
}

func folderParams(what, id string) (map[string]string, error) {
	if !isTaskID(id) {
		return nil, errorf("%s: the folder ID %q is not a decimal number", what, id)
	}
	return map[string]string{"folderId": id}, nil
}

// Get returns a file. A missing or archived file is an error matching
// ErrNotFound.
//
// HubSpot: GET /files/v3/files/{fileId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/get-files-v3-files-fileId).
func (s *FilesService) Get(ctx context.Context, id string) (*File, error) {
	p, err := fileParams("files Get", id)
	if err != nil {
		return nil, err
	}
	f := new(File)
	if _, err := s.client.call(ctx, opFilesGet, p, nil, nil, f); err != nil {
		return nil, err
	}
	return f, nil
}

// FileUpdate changes a file: nil fields are left as they are.
type FileUpdate struct {
	// Name renames the file; the extension stays.
	Name *string `json:"name,omitempty"`
	// ParentFolderID or ParentFolderPath moves the file.
	ParentFolderID    *string     `json:"parentFolderId,omitempty"`
	ParentFolderPath  *string     `json:"parentFolderPath,omitempty"`
	Access            *FileAccess `json:"access,omitempty"`
	IsUsableInContent *bool       `json:"isUsableInContent,omitempty"`
	// ExpiresAt sets when HubSpot deletes the file; ClearExpires clears it.
	ExpiresAt    *time.Time `json:"expiresAt,omitempty"`
	ClearExpires bool       `json:"clearExpires"`
}

// Update changes a file and returns it.
//
// HubSpot: PATCH /files/v3/files/{fileId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/patch-files-v3-files-fileId).
func (s *FilesService) Update(ctx context.Context, id string, in FileUpdate) (*File, error) {
	p, err := fileParams("files Update", id)
	if err != nil {
		return nil, err
	}
	if in.Access != nil && !in.Access.valid() {
		return nil, errorf("files Update: Access %q is not one of HubSpot's access levels", *in.Access)
	}
	if in.ParentFolderID != nil && in.ParentFolderPath != nil {
		return nil, errorf("files Update: give ParentFolderID or ParentFolderPath, not both")
	}
	f := new(File)
	if _, err := s.client.call(ctx, opFilesUpdate, p, nil, in, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Archive archives (deletes) a file. The call is sensitive: it is signed
// when the Client has a signer.
//
// HubSpot: DELETE /files/v3/files/{fileId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/delete-files-v3-files-fileId).
func (s *FilesService) Archive(ctx context.Context, id string) error {
	p, err := fileParams("files Archive", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opFilesArchive, p, nil, nil, nil)
	return err
}

// FileSearch selects files; zero fields select nothing out.
type FileSearch struct {
	// Name matches files whose name holds it.
	Name string
	// Path is a file's full path.
	Path      string
	Extension string
	// Type is IMG, DOCUMENT, AUDIO, MOVIE or OTHER.
	Type            string
	ParentFolderIDs []int64
	IDs             []int64
	// AllowsAnonymousAccess, when set, selects public (true) or private
	// (false) files.
	AllowsAnonymousAccess *bool
	// Sort is a property to sort by, "-" first for descending
	// ("-createdAt").
	Sort string
	// Properties limits the properties each file carries.
	Properties []string
	// Limit is the page size (HubSpot's default when 0); After the cursor
	// of the page to start at.
	Limit int
	After string
}

// FilePage is one page of files.
type FilePage struct {
	Results []File
	// After is the cursor of the next page; "" on the last page.
	After string
}

func int64s(q url.Values, name string, ids []int64) {
	for _, id := range ids {
		q.Add(name, strconv.FormatInt(id, 10))
	}
}

func (o *FileSearch) query() (url.Values, error) {
	q := url.Values{}
	if o.Limit < 0 {
		return nil, errorf("files Search: Limit %d is negative", o.Limit)
	}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("name", o.Name)
	set("path", o.Path)
	set("extension", o.Extension)
	set("type", o.Type)
	set("sort", o.Sort)
	set("after", o.After)
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.AllowsAnonymousAccess != nil {
		q.Set("allowsAnonymousAccess", strconv.FormatBool(*o.AllowsAnonymousAccess))
	}
	int64s(q, "parentFolderIds", o.ParentFolderIDs)
	int64s(q, "ids", o.IDs)
	for _, p := range o.Properties {
		q.Add("properties", p)
	}
	return q, nil
}

// Search returns one page of the live files that match.
//
// HubSpot: GET /files/v3/files/search (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/get-files-v3-files-search).
func (s *FilesService) Search(ctx context.Context, opts *FileSearch) (*FilePage, error) {
	var o FileSearch
	if opts != nil {
		o = *opts
	}
	q, err := o.query()
	if err != nil {
		return nil, err
	}
	var p struct {
		Results []File  `json:"results"`
		Paging  *Paging `json:"paging"`
	}
	if _, err := s.client.call(ctx, opFilesSearch, nil, q, nil, &p); err != nil {
		return nil, err
	}
	page := &FilePage{Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// SearchAll returns every file that matches, fetching pages lazily; the
// loop ends after the last, on break, or with a final error.
func (s *FilesService) SearchAll(ctx context.Context, opts *FileSearch) iter.Seq2[File, error] {
	var o FileSearch
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "files Search", o.After, func(after string) (pageOf[File], error) {
		q := o
		q.After = after
		page, err := s.Search(ctx, &q)
		if err != nil {
			return pageOf[File]{}, err
		}
		return pageOf[File]{items: page.Results, next: page.After}, nil
	})
}

// FileSignedURL is a signed URL of a file: it fetches the file, private
// or not, until ExpiresAt.
type FileSignedURL struct {
	// URL is a credential (anyone holding it gets the file until it
	// expires), so it is a secrets.Secret, printed as [REDACTED]. Download
	// fetches it.
	URL       secrets.Secret
	ExpiresAt time.Time
	Name      string
	Extension string
	Type      string
	Size      int64
	Width     int
	Height    int
}

// SignedURLOptions tune SignedURL.
type SignedURLOptions struct {
	// Expiration is how long the URL works, in whole seconds; HubSpot's
	// default when 0.
	Expiration time.Duration
	// Size asks for a resized image: "icon", "thumb", "medium" or
	// "preview"; the original when empty.
	Size string
	// Upscale lets a resized image be larger than the original.
	Upscale bool
}

// SignedURL returns a short-lived URL that fetches a file, which is how a
// private file is fetched. The URL is a credential and is returned as a
// secrets.Secret: it never reaches a log, an error or a String. The call
// is sensitive: it is signed when the Client has a signer.
//
// HubSpot: GET /files/v3/files/{fileId}/signed-url (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/get-files-v3-files-fileId-signed-url).
func (s *FilesService) SignedURL(ctx context.Context, id string, opts *SignedURLOptions) (*FileSignedURL, error) {
	const what = "files SignedURL"
	p, err := fileParams(what, id)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		switch {
		case opts.Expiration < 0 || opts.Expiration%time.Second != 0:
			return nil, errorf("%s: Expiration %v is not a whole, positive number of seconds", what, opts.Expiration)
		case opts.Expiration > 0:
			q.Set("expirationSeconds", strconv.FormatInt(int64(opts.Expiration/time.Second), 10))
		}
		switch opts.Size {
		case "":
		case "icon", "thumb", "medium", "preview":
			q.Set("size", opts.Size)
		default:
			return nil, errorf("%s: Size must be icon, thumb, medium or preview, got %q", what, opts.Size)
		}
		if opts.Upscale {
			q.Set("upscale", "true")
		}
	}
	var out struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
		Name      string    `json:"name"`
		Extension string    `json:"extension"`
		Type      string    `json:"type"`
		Size      int64     `json:"size"`
		Width     int       `json:"width"`
		Height    int       `json:"height"`
	}
	if _, err := s.client.call(ctx, opFilesSignedURL, p, q, nil, &out); err != nil {
		return nil, err
	}
	if out.URL == "" {
		return nil, fmt.Errorf("hubspot: %s: file %s: the answer has no URL", what, id)
	}
	return &FileSignedURL{URL: secrets.New(out.URL), ExpiresAt: out.ExpiresAt, Name: out.Name, Extension: out.Extension,
		Type: out.Type, Size: out.Size, Width: out.Width, Height: out.Height}, nil
}

// DefaultFileMaxBytes is the most bytes Download reads of a file unless
// FileDownloadOptions.MaxBytes says otherwise.
const DefaultFileMaxBytes = 4 << 30

// ErrFileTooLarge is the error of reading a file past its MaxBytes.
var ErrFileTooLarge = errors.New("hubspot: the file exceeds its size limit")

// FileDownloadOptions bound a download.
type FileDownloadOptions struct {
	// MaxBytes is the most bytes the reader returns before it fails with
	// ErrFileTooLarge; DefaultFileMaxBytes when 0.
	MaxBytes int64
}

// Download fetches a file through its signed URL and returns it as a
// stream, read through opts.MaxBytes. The caller must close it. As with
// an export's download URL, the signed URL goes only over HTTPS (or to
// loopback), no error quotes it (they name its host at most), and the
// request carries none of the Client's credentials: it goes through the
// Client's base transport, not its credential, rate-limit or signing
// layers. An expired URL is an error that says to ask for another.
func (s *FilesService) Download(ctx context.Context, u *FileSignedURL, opts *FileDownloadOptions) (io.ReadCloser, error) {
	if u == nil || u.URL.IsZero() {
		return nil, errorf("files Download: no signed URL")
	}
	max := int64(DefaultFileMaxBytes)
	if opts != nil && opts.MaxBytes != 0 {
		if opts.MaxBytes < 0 {
			return nil, errorf("files Download: MaxBytes %d is negative", opts.MaxBytes)
		}
		max = opts.MaxBytes
	}
	return s.client.fetchFile(ctx, fileFetch{what: "files Download", hint: "an expired signed URL answers 403 or 404; call SignedURL again",
		max: max, tooLarge: ErrFileTooLarge}, u.URL)
}

// FileImport is a file for HubSpot to fetch from a URL.
type FileImport struct {
	// URL is where HubSpot fetches the file. It is a secrets.Secret since
	// such URLs are often presigned (a credential of their own): it is
	// sent to HubSpot and never put in an error or a log.
	URL secrets.Secret
	// Name is the file's name, with its extension; HubSpot takes it from
	// the URL when empty.
	Name string
	FileOptions
}

// FileImportTask is the state of an import from a URL.
type FileImportTask struct {
	ID string
	// Status is PENDING, PROCESSING, COMPLETE or CANCELED.
	Status      string
	RequestedAt time.Time
	StartedAt   time.Time
	CompletedAt time.Time
	// File is the imported file, once COMPLETE without errors.
	File *File
	// Errors are HubSpot's messages of a COMPLETE import that failed.
	Errors []string
}

// ImportFromURL starts an import of the file at in.URL and returns its
// task ID, for ImportStatus and WaitImport.
//
// HubSpot: POST /files/v3/files/import-from-url/async (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/post-files-v3-files-import-from-url-async).
func (s *FilesService) ImportFromURL(ctx context.Context, in FileImport) (string, error) {
	const what = "files ImportFromURL"
	if in.URL.IsZero() {
		return "", errorf("%s: URL is required", what)
	}
	//hubkeyvet:ignore the URL may be presigned; no error below quotes it, and answers are scrubbed of it
	u, err := url.Parse(in.URL.Reveal())
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errorf("%s: the URL is not an absolute http or https URL", what)
	}
	if in.Name != "" && (path.Base(in.Name) != in.Name || strings.ContainsAny(in.Name, "\\")) {
		return "", errorf("%s: the name %q is not a plain file name", what, in.Name)
	}
	if err := in.FileOptions.check(what); err != nil {
		return "", err
	}
	body := in.FileOptions.wire()
	body["url"] = in.URL.Reveal()
	if in.FolderID != "" {
		body["folderId"] = in.FolderID
	} else {
		body["folderPath"] = in.FolderPath
	}
	if in.Name != "" {
		body["name"] = in.Name
	}
	var out struct {
		ID string `json:"id"`
	}
	// HubSpot may quote the URL it could not fetch: the answer is
	// scrubbed of it as of the token.
	if _, err := s.client.callHiding(ctx, opFilesImportFromURL, nil, nil, body, &out, in.URL); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("hubspot: %s: the answer has no task ID", what)
	}
	return out.ID, nil
}

// ImportStatus reports an import from a URL.
//
// HubSpot: GET /files/v3/files/import-from-url/async/tasks/{taskId}/status (https://developers.hubspot.com/docs/api-reference/files-files-v3/files/get-files-v3-files-import-from-url-async-tasks-taskId-status).
func (s *FilesService) ImportStatus(ctx context.Context, taskID string) (*FileImportTask, error) {
	if err := checkSegment("files ImportStatus", "task ID", taskID); err != nil {
		return nil, err
	}
	var out struct {
		TaskID      string    `json:"taskId"`
		Status      string    `json:"status"`
		RequestedAt time.Time `json:"requestedAt"`
		StartedAt   time.Time `json:"startedAt"`
		CompletedAt time.Time `json:"completedAt"`
		Result      *File     `json:"result"`
		Errors      []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := s.client.call(ctx, opFilesImportStatus, map[string]string{"taskId": taskID}, nil, nil, &out); err != nil {
		return nil, err
	}
	t := &FileImportTask{ID: taskID, Status: out.Status, RequestedAt: out.RequestedAt, StartedAt: out.StartedAt,
		CompletedAt: out.CompletedAt, File: out.Result}
	for _, e := range out.Errors {
		t.Errors = append(t.Errors, e.Message)
	}
	return t, nil
}

// WaitImport polls ImportStatus every interval (2 seconds when 0) on the
// Client's clock until the import is COMPLETE, and returns the file. An
// import that completed with errors, or was CANCELED, is an error, as is
// ctx ending. Each status call counts against the Client's rate limit.
func (s *FilesService) WaitImport(ctx context.Context, taskID string, interval time.Duration) (*File, error) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		t, err := s.ImportStatus(ctx, taskID)
		if err != nil {
			return nil, err
		}
		switch t.Status {
		case "COMPLETE":
			if len(t.Errors) > 0 {
				return nil, fmt.Errorf("hubspot: file import %s failed: %s", taskID, strings.Join(t.Errors, "; "))
			}
			if t.File == nil {
				return nil, fmt.Errorf("hubspot: file import %s is complete but has no file", taskID)
			}
			return t.File, nil
		case "CANCELED":
			return nil, fmt.Errorf("hubspot: file import %s was canceled", taskID)
		}
		if err := clock.Sleep(ctx, s.client.clock, interval); err != nil {
			return nil, err
		}
	}
}

// FolderCreate is a folder to make.
type FolderCreate struct {
	// Name is the folder's name; required.
	Name string `json:"name"`
	// ParentFolderID or ParentPath is the folder it goes in; the root
	// when both are empty.
	ParentFolderID string `json:"parentFolderId,omitempty"`
	ParentPath     string `json:"parentPath,omitempty"`
}

// CreateFolder makes a folder and returns it (201).
//
// HubSpot: POST /files/v3/folders (https://developers.hubspot.com/docs/api-reference/files-files-v3/folders/post-files-v3-folders).
func (s *FilesService) CreateFolder(ctx context.Context, in FolderCreate) (*Folder, error) {
	const what = "files CreateFolder"
	switch {
	case strings.TrimSpace(in.Name) == "" || strings.ContainsAny(in.Name, "/\\"):
		return nil, errorf("%s: the name %q is not a plain folder name", what, in.Name)
	case in.ParentFolderID != "" && in.ParentPath != "":
		return nil, errorf("%s: give ParentFolderID or ParentPath, not both", what)
	case in.ParentFolderID != "" && !isTaskID(in.ParentFolderID):
		return nil, errorf("%s: the folder ID %q is not a decimal number", what, in.ParentFolderID)
	}
	f := new(Folder)
	if _, err := s.client.call(ctx, opFoldersCreate, nil, nil, in, f); err != nil {
		return nil, err
	}
	return f, nil
}

// GetFolder returns a folder. A missing or archived folder is an error
// matching ErrNotFound.
//
// HubSpot: GET /files/v3/folders/{folderId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/folders/get-files-v3-folders-folderId).
func (s *FilesService) GetFolder(ctx context.Context, id string) (*Folder, error) {
	p, err := folderParams("files GetFolder", id)
	if err != nil {
		return nil, err
	}
	f := new(Folder)
	if _, err := s.client.call(ctx, opFoldersGet, p, nil, nil, f); err != nil {
		return nil, err
	}
	return f, nil
}

// FolderUpdate renames or moves a folder: nil fields are left as they
// are. ParentFolderID 0 moves it to the root.
type FolderUpdate struct {
	Name           *string `json:"name,omitempty"`
	ParentFolderID *int64  `json:"parentFolderId,omitempty"`
}

// UpdateFolder renames or moves a folder and returns it.
//
// HubSpot: PATCH /files/v3/folders/{folderId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/folders/patch-files-v3-folders-folderId).
func (s *FilesService) UpdateFolder(ctx context.Context, id string, in FolderUpdate) (*Folder, error) {
	p, err := folderParams("files UpdateFolder", id)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && (strings.TrimSpace(*in.Name) == "" || strings.ContainsAny(*in.Name, "/\\")) {
		return nil, errorf("files UpdateFolder: the name %q is not a plain folder name", *in.Name)
	}
	f := new(Folder)
	if _, err := s.client.call(ctx, opFoldersUpdate, p, nil, in, f); err != nil {
		return nil, err
	}
	return f, nil
}

// ArchiveFolder archives (deletes) a folder, with what it holds. The call
// is sensitive: it is signed when the Client has a signer.
//
// HubSpot: DELETE /files/v3/folders/{folderId} (https://developers.hubspot.com/docs/api-reference/files-files-v3/folders/delete-files-v3-folders-folderId).
func (s *FilesService) ArchiveFolder(ctx context.Context, id string) error {
	p, err := folderParams("files ArchiveFolder", id)
	if err != nil {
		return err
	}
	_, err = s.client.call(ctx, opFoldersArchive, p, nil, nil, nil)
	return err
}

// FolderSearch selects folders; zero fields select nothing out.
type FolderSearch struct {
	// Name matches folders whose name holds it.
	Name            string
	Path            string
	ParentFolderIDs []int64
	IDs             []int64
	Sort            string
	Properties      []string
	Limit           int
	After           string
}

// FolderPage is one page of folders.
type FolderPage struct {
	Results []Folder
	After   string
}

// SearchFolders returns one page of the live folders that match.
//
// HubSpot: GET /files/v3/folders/search (https://developers.hubspot.com/docs/api-reference/files-files-v3/folders/get-files-v3-folders-search).
func (s *FilesService) SearchFolders(ctx context.Context, opts *FolderSearch) (*FolderPage, error) {
	var o FolderSearch
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 {
		return nil, errorf("files SearchFolders: Limit %d is negative", o.Limit)
	}
	q := url.Values{}
	for k, v := range map[string]string{"name": o.Name, "path": o.Path, "sort": o.Sort, "after": o.After} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	int64s(q, "parentFolderIds", o.ParentFolderIDs)
	int64s(q, "ids", o.IDs)
	for _, p := range o.Properties {
		q.Add("properties", p)
	}
	var p struct {
		Results []Folder `json:"results"`
		Paging  *Paging  `json:"paging"`
	}
	if _, err := s.client.call(ctx, opFoldersSearch, nil, q, nil, &p); err != nil {
		return nil, err
	}
	page := &FolderPage{Results: p.Results}
	if p.Paging != nil && p.Paging.Next != nil {
		page.After = p.Paging.Next.After
	}
	return page, nil
}

// SearchAllFolders returns every folder that matches, fetching pages
// lazily; the loop ends after the last, on break, or with a final error.
func (s *FilesService) SearchAllFolders(ctx context.Context, opts *FolderSearch) iter.Seq2[Folder, error] {
	var o FolderSearch
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "files SearchFolders", o.After, func(after string) (pageOf[Folder], error) {
		q := o
		q.After = after
		page, err := s.SearchFolders(ctx, &q)
		if err != nil {
			return pageOf[Folder]{}, err
		}
		return pageOf[Folder]{items: page.Results, next: page.After}, nil
	})
}
