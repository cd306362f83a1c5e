package hubspottest

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Files and folders (files v3).
//
// An upload is a multipart/form-data POST: the file part (read as it
// arrives, through the size limit, WithFileSizeLimit), the folder by ID or
// path (a path's folders are made as needed), an optional fileName, and
// the options JSON, whose access is required. Files are kept in memory
// and served by the same server at their URL: public ones to anyone,
// private ones (access PRIVATE, SENSITIVE and their HIDDEN_ kinds) only
// through a signed URL, which carries a random token (the journal
// records it redacted) and expires on the server's clock. An import from
// a URL is a task that reports PENDING, then PROCESSING (WithFileImportTiming),
// then COMPLETE with the file, or with its errors; the server fetches the
// URL when the task starts: a file of its own (public, or through a
// signed URL), or through the test's WithFileFetcher, and nothing else.
// Folders nest; archiving one archives what it holds.

// DefaultFileSizeLimit is the largest file an upload or an import may
// carry unless WithFileSizeLimit says otherwise: the server's own bound
// (it keeps files in memory), not a HubSpot figure.
const DefaultFileSizeLimit = 64 << 20

// DefaultSignedURLLifetime is how long a signed URL works when the call
// names no expirationSeconds: the server's own figure.
const DefaultSignedURLLifetime = time.Hour

// fileHostPath is the path under which the server serves files.
const fileHostPath = "/hubspottest/files/"

// First IDs the server hands out.
const (
	firstFileID     = 181_000_001
	firstFolderID   = 182_000_001
	firstFileTaskID = 183_000_001
)

// fileAccess lists HubSpot's access levels of a file.
var fileAccess = []string{"HIDDEN_INDEXABLE", "HIDDEN_NOT_INDEXABLE", "HIDDEN_PRIVATE", "HIDDEN_SENSITIVE", "PRIVATE",
	"PUBLIC_INDEXABLE", "PUBLIC_NOT_INDEXABLE", "SENSITIVE"}

// privateAccess reports whether a file of access a is served only through
// a signed URL.
func privateAccess(a string) bool {
	return strings.Contains(a, "PRIVATE") || strings.Contains(a, "SENSITIVE")
}

// FileFetcher fetches the URL of an import from a URL that is not one of
// the server's own files. Tests give one that talks to loopback only.
type FileFetcher func(ctx context.Context, rawURL string) (io.ReadCloser, error)

type fileConfig struct {
	maxBytes            int64 // 0: DefaultFileSizeLimit
	timingSet           bool
	pending, processing time.Duration
	fetch               FileFetcher
}

func (c fileConfig) limit() int64 {
	if c.maxBytes == 0 {
		return DefaultFileSizeLimit
	}
	return c.maxBytes
}

func (c fileConfig) timing() (time.Duration, time.Duration) {
	if !c.timingSet {
		return time.Second, time.Second
	}
	return c.pending, c.processing
}

// WithFileSizeLimit sets the largest file an upload or an import from a
// URL may carry: a larger upload is answered 413, a larger import
// completes with an error. Default: DefaultFileSizeLimit.
func WithFileSizeLimit(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("hubspottest: WithFileSizeLimit(%d): the limit must be positive", n)
		}
		c.files.maxBytes = n
		return nil
	}
}

// WithFileImportTiming sets how long, on the server's clock, an import
// from a URL reports PENDING and then PROCESSING before it is COMPLETE.
// Default: 1 second each; 0 and 0 complete it at once. Negative durations
// are refused.
func WithFileImportTiming(pending, processing time.Duration) Option {
	return func(c *config) error {
		if pending < 0 || processing < 0 {
			return fmt.Errorf("hubspottest: WithFileImportTiming(%v, %v): the times must not be negative", pending, processing)
		}
		c.files.timingSet, c.files.pending, c.files.processing = true, pending, processing
		return nil
	}
}

// WithFileFetcher lets imports from a URL fetch URLs that are not the
// server's own files, through f. Without it, such an import completes
// with an error. f is called while the import is started, outside the
// server's locks.
func WithFileFetcher(f FileFetcher) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("hubspottest: WithFileFetcher(nil)")
		}
		c.files.fetch = f
		return nil
	}
}

type fileStore struct {
	mu                           sync.Mutex
	nextFile, nextFolder, nextTk int64
	files                        map[int64]*fileRec
	folders                      map[int64]*folderRec
	tasks                        map[int64]*fileTask
	signed                       map[string]signedRec // token -> grant
}

type fileRec struct {
	id, folderID     int64 // folderID 0: the root
	name, ext        string
	access, mimeType string
	data             []byte
	md5              string
	usable           bool
	created, updated time.Time
	archivedAt       time.Time // zero: live
	expiresAt        time.Time // zero: never
}

type folderRec struct {
	id, parentID     int64
	name             string
	created, updated time.Time
	archivedAt       time.Time
}

type signedRec struct {
	fileID  int64
	expires time.Time
}

// fileTask is an import from a URL.
type fileTask struct {
	id      int64
	started time.Time
	in      fileImportIn
	data    []byte
	mime    string
	errMsg  string // the fetch's failure, reported on completion
	settled bool
	fileID  int64
}

type fileImportIn struct {
	Access                      string `json:"access"`
	URL                         string `json:"url"`
	Name                        string `json:"name"`
	FolderID                    string `json:"folderId"`
	FolderPath                  string `json:"folderPath"`
	DuplicateValidationStrategy string `json:"duplicateValidationStrategy"`
	DuplicateValidationScope    string `json:"duplicateValidationScope"`
	Overwrite                   bool   `json:"overwrite"`
	TTL                         string `json:"ttl"`
	ExpiresAt                   string `json:"expiresAt"`
}

func (st *fileStore) init() {
	if st.files == nil {
		st.files, st.folders, st.tasks, st.signed = map[int64]*fileRec{}, map[int64]*folderRec{}, map[int64]*fileTask{}, map[string]signedRec{}
		st.nextFile, st.nextFolder, st.nextTk = firstFileID, firstFolderID, firstFileTaskID
	}
}

// FileInfo is a file as the server holds it.
type FileInfo struct {
	ID, Name, Extension, Access string
	// Path is the file's path, from the root: /folder/name.ext.
	Path     string
	Size     int
	Archived bool
}

// Files returns the files uploaded or imported so far, oldest first,
// archived ones included.
func (s *Server) Files() []FileInfo {
	st := &s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	s.settleFileTasksLocked(s.clock.Now())
	var out []FileInfo
	for _, id := range sortedKeys(st.files) {
		f := st.files[id]
		out = append(out, FileInfo{ID: strconv.FormatInt(id, 10), Name: f.name, Extension: f.ext, Access: f.access,
			Path: st.filePath(f), Size: len(f.data), Archived: !f.archivedAt.IsZero()})
	}
	return out
}

// FileContent returns the bytes of the file id, archived or not.
func (s *Server) FileContent(id string) ([]byte, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, false
	}
	st := &s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	s.settleFileTasksLocked(s.clock.Now())
	f := st.files[n]
	if f == nil {
		return nil, false
	}
	return slices.Clone(f.data), true
}

func sortedKeys[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// folderPath returns the path of folder id ("" for the root).
func (st *fileStore) folderPath(id int64) string {
	var parts []string
	for id != 0 {
		f := st.folders[id]
		if f == nil {
			break
		}
		parts = append(parts, f.name)
		id = f.parentID
	}
	slices.Reverse(parts)
	if len(parts) == 0 {
		return ""
	}
	return "/" + strings.Join(parts, "/")
}

func (f *fileRec) fullName() string {
	if f.ext == "" {
		return f.name
	}
	return f.name + "." + f.ext
}

func (st *fileStore) filePath(f *fileRec) string {
	return st.folderPath(f.folderID) + "/" + f.fullName()
}

// folderByPath finds the live folder of path p ("/a/b"); with create, it
// makes the folders that are missing.
func (st *fileStore) folderByPath(p string, create bool, now time.Time) (int64, bool) {
	var id int64
	for _, name := range strings.Split(strings.Trim(p, "/"), "/") {
		if name == "" {
			continue
		}
		found := int64(0)
		for _, fid := range sortedKeys(st.folders) {
			if f := st.folders[fid]; f.parentID == id && f.archivedAt.IsZero() && f.name == name {
				found = fid
				break
			}
		}
		if found == 0 {
			if !create {
				return 0, false
			}
			found = st.nextFolder
			st.nextFolder++
			st.folders[found] = &folderRec{id: found, parentID: id, name: name, created: now, updated: now}
		}
		id = found
	}
	return id, true
}

// fileType is HubSpot's kind of a file, by its extension.
func fileType(ext string) string {
	switch strings.ToLower(ext) {
	case "jpg", "jpeg", "png", "gif", "svg", "webp", "bmp", "ico":
		return "IMG"
	case "mp4", "mov", "avi", "webm", "mkv":
		return "MOVIE"
	case "mp3", "wav", "ogg", "m4a":
		return "AUDIO"
	case "pdf", "doc", "docx", "txt", "csv", "xls", "xlsx", "ppt", "pptx", "rtf", "md":
		return "DOCUMENT"
	}
	return "OTHER"
}

func (s *Server) fileURL(f *fileRec) string {
	return s.URL() + fileHostPath + strconv.FormatInt(f.id, 10) + "/" + url.PathEscape(f.fullName())
}

func (s *Server) renderFile(st *fileStore, f *fileRec) map[string]any {
	out := map[string]any{
		"id": strconv.FormatInt(f.id, 10), "name": f.name, "extension": f.ext, "type": fileType(f.ext), "path": st.filePath(f),
		"size": len(f.data), "access": f.access, "url": s.fileURL(f), "defaultHostingUrl": s.fileURL(f), "fileMd5": f.md5,
		"isUsableInContent": f.usable, "sourceGroup": "CONTENT", "archived": !f.archivedAt.IsZero(),
		"createdAt": fmtTime(f.created), "updatedAt": fmtTime(f.updated),
	}
	if f.folderID != 0 {
		out["parentFolderId"] = strconv.FormatInt(f.folderID, 10)
	}
	if !f.archivedAt.IsZero() {
		out["archivedAt"] = fmtTime(f.archivedAt)
	}
	if !f.expiresAt.IsZero() {
		out["expiresAt"] = f.expiresAt.UnixMilli()
	}
	return out
}

func renderFolder(st *fileStore, f *folderRec) map[string]any {
	out := map[string]any{"id": strconv.FormatInt(f.id, 10), "name": f.name, "path": st.folderPath(f.id),
		"archived": !f.archivedAt.IsZero(), "createdAt": fmtTime(f.created), "updatedAt": fmtTime(f.updated)}
	if f.parentID != 0 {
		out["parentFolderId"] = strconv.FormatInt(f.parentID, 10)
	}
	if !f.archivedAt.IsZero() {
		out["archivedAt"] = fmtTime(f.archivedAt)
	}
	return out
}

// badField answers HubSpot's 400 naming the field in.
func (q *request) badField(in, code, msg string) {
	q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: in, Code: code}))
}

// fileOr404 finds the live file of the path, answering 400 or 404.
func (q *request) fileOr404(st *fileStore) *fileRec {
	n, ok := q.idParam("fileId")
	if !ok {
		return nil
	}
	f := st.files[n]
	if f == nil || !f.archivedAt.IsZero() {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("File %d does not exist.", n)})
		return nil
	}
	return f
}

// folderOr404 finds the live folder of the path, answering 400 or 404.
func (q *request) folderOr404(st *fileStore) *folderRec {
	n, ok := q.idParam("folderId")
	if !ok {
		return nil
	}
	f := st.folders[n]
	if f == nil || !f.archivedAt.IsZero() {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Folder %d does not exist.", n)})
		return nil
	}
	return f
}

// placement is where and how a new file goes: the options of an upload or
// an import.
type placement struct {
	name, ext        string
	folderID         int64
	access, mimeType string
	overwrite        bool
	strategy, scope  string
	expiresAt        time.Time
}

// checkPlacement checks the access and duplicate options, answering 400
// naming the field.
func (q *request) checkPlacement(access, strategy, scope string) bool {
	switch {
	case access == "":
		q.badField("access", "REQUIRED_FIELD", "access is required.")
	case !slices.Contains(fileAccess, access):
		q.badField("access", "INVALID_ENUM", fmt.Sprintf("access must be one of %s, got %q.", strings.Join(fileAccess, ", "), access))
	case strategy != "" && !slices.Contains([]string{"NONE", "REJECT", "RETURN_EXISTING"}, strategy):
		q.badField("duplicateValidationStrategy", "INVALID_ENUM", fmt.Sprintf("duplicateValidationStrategy must be NONE, REJECT or RETURN_EXISTING, got %q.", strategy))
	case scope != "" && scope != "ENTIRE_PORTAL" && scope != "EXACT_FOLDER":
		q.badField("duplicateValidationScope", "INVALID_ENUM", fmt.Sprintf("duplicateValidationScope must be ENTIRE_PORTAL or EXACT_FOLDER, got %q.", scope))
	default:
		return true
	}
	return false
}

// resolveFolder finds the folder of an upload or import: by ID (which
// must exist) or by path (made as needed). It answers 400 naming the
// field.
func (q *request) resolveFolder(st *fileStore, id, p string, now time.Time) (int64, bool) {
	switch {
	case id != "" && p != "":
		q.badField("folderPath", "INVALID_INPUT", "Give folderId or folderPath, not both.")
	case id != "":
		n, err := strconv.ParseInt(id, 10, 64)
		if f := st.folders[n]; err != nil || f == nil || !f.archivedAt.IsZero() {
			q.badField("folderId", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %q does not exist.", id))
			return 0, false
		}
		return n, true
	case p != "":
		if !strings.HasPrefix(p, "/") {
			q.badField("folderPath", "INVALID_INPUT", fmt.Sprintf("folderPath must start with /, got %q.", p))
			return 0, false
		}
		n, _ := st.folderByPath(p, true, now)
		return n, true
	default:
		q.badField("folderPath", "REQUIRED_FIELD", "folderId or folderPath is required.")
	}
	return 0, false
}

// splitName splits a file name into its name and extension.
func splitName(n string) (string, string) {
	ext := path.Ext(n)
	if ext == "" || ext == n {
		return n, ""
	}
	return strings.TrimSuffix(n, ext), strings.ToLower(ext[1:])
}

// placeLocked stores data as a new file (or over one, with overwrite),
// following the duplicate strategy. It returns the file, and an error
// for a duplicate that REJECT refuses.
func (st *fileStore) placeLocked(p placement, data []byte, now time.Time) (*fileRec, *apiError) {
	sum := md5.Sum(data)
	md := hex.EncodeToString(sum[:])
	live := func(yield func(*fileRec) bool) {
		for _, id := range sortedKeys(st.files) {
			if f := st.files[id]; f.archivedAt.IsZero() && !yield(f) {
				return
			}
		}
	}
	if p.strategy == "REJECT" || p.strategy == "RETURN_EXISTING" {
		for f := range live {
			if f.md5 == md && (p.scope != "EXACT_FOLDER" || f.folderID == p.folderID) {
				if p.strategy == "RETURN_EXISTING" {
					return f, nil
				}
				return nil, &apiError{status: http.StatusConflict, Category: catConflict,
					Message: fmt.Sprintf("A file with the same content already exists: %d.", f.id),
					Errors:  []errorDetail{{Message: "duplicate file", Code: "DUPLICATE_FILE", In: "file"}}}
			}
		}
	}
	name := p.name
	for n := 1; ; n++ {
		var clash *fileRec
		for f := range live {
			if f.folderID == p.folderID && f.name == name && f.ext == p.ext {
				clash = f
				break
			}
		}
		if clash == nil {
			break
		}
		if p.overwrite {
			clash.data, clash.md5, clash.updated, clash.access, clash.mimeType = data, md, now, p.access, p.mimeType
			clash.expiresAt = p.expiresAt
			return clash, nil
		}
		name = p.name + "-" + strconv.Itoa(n)
	}
	f := &fileRec{id: st.nextFile, folderID: p.folderID, name: name, ext: p.ext, access: p.access, mimeType: p.mimeType,
		data: data, md5: md, usable: true, created: now, updated: now, expiresAt: p.expiresAt}
	st.nextFile++
	st.files[f.id] = f
	return f, nil
}

// uploadOptions is the options field of an upload.
type uploadOptions struct {
	Access                      string `json:"access"`
	TTL                         string `json:"ttl"`
	Overwrite                   bool   `json:"overwrite"`
	DuplicateValidationStrategy string `json:"duplicateValidationStrategy"`
	DuplicateValidationScope    string `json:"duplicateValidationScope"`
	ExpiresAt                   string `json:"expiresAt"`
}

// parseExpiry parses an expiresAt option, answering 400 naming it.
func (q *request) parseExpiry(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		q.badField("expiresAt", "INVALID_DATE", fmt.Sprintf("expiresAt must be an ISO 8601 date-time, got %q.", s))
		return time.Time{}, false
	}
	return t, true
}

func (q *request) uploadFile() {
	mt, params, err := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		q.fail(&apiError{status: http.StatusUnsupportedMediaType, Message: "A file must be uploaded as multipart/form-data.", Category: catValidation})
		return
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		q.badField("file", "INVALID_INPUT", "The multipart body cannot be read.")
		return
	}
	limit := q.s.cfg.files.limit()
	fields := map[string]string{}
	var data []byte
	var haveFile bool
	partName, partType := "", ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			q.badField("file", "INVALID_INPUT", "The multipart body is malformed.")
			return
		}
		switch name := part.FormName(); name {
		case "file":
			if haveFile {
				q.badField("file", "INVALID_INPUT", "The body carries more than one file.")
				return
			}
			haveFile = true
			partName, partType = part.FileName(), part.Header.Get("Content-Type")
			b, err := io.ReadAll(io.LimitReader(part, limit+1))
			if err != nil {
				q.badField("file", "INVALID_INPUT", "The file part cannot be read.")
				return
			}
			if int64(len(b)) > limit {
				q.fail(&apiError{status: http.StatusRequestEntityTooLarge, Category: catValidation,
					Message: fmt.Sprintf("The file exceeds the limit of %d bytes.", limit),
					Errors:  []errorDetail{{Message: "file too large", Code: "FILE_TOO_LARGE", In: "file"}}})
				return
			}
			data = b
		case "fileName", "folderId", "folderPath", "options", "charsetHunch":
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				q.badField(name, "INVALID_INPUT", "The field "+name+" cannot be read.")
				return
			}
			fields[name] = string(b)
		default:
			q.badField(name, "UNKNOWN_FIELD", fmt.Sprintf("Unexpected form field %q.", name))
			return
		}
	}
	if !haveFile {
		q.badField("file", "REQUIRED_FIELD", "file is required.")
		return
	}
	var opts uploadOptions
	if fields["options"] == "" {
		q.badField("options", "REQUIRED_FIELD", "options is required (its access at least).")
		return
	}
	if err := json.Unmarshal([]byte(fields["options"]), &opts); err != nil {
		q.badField("options", "INVALID_JSON", "options is not valid JSON: "+err.Error())
		return
	}
	if !q.checkPlacement(opts.Access, opts.DuplicateValidationStrategy, opts.DuplicateValidationScope) {
		return
	}
	expires, ok := q.parseExpiry(opts.ExpiresAt)
	if !ok {
		return
	}
	fname := fields["fileName"]
	if fname == "" {
		fname = partName
	}
	if fname == "" || strings.ContainsAny(fname, "/\\") {
		q.badField("fileName", "INVALID_INPUT", fmt.Sprintf("fileName must be a plain file name, got %q.", fname))
		return
	}
	name, ext := splitName(fname)
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	folder, ok := q.resolveFolder(st, fields["folderId"], fields["folderPath"], now)
	if !ok {
		return
	}
	f, e := st.placeLocked(placement{name: name, ext: ext, folderID: folder, access: opts.Access, mimeType: partType,
		overwrite: opts.Overwrite, strategy: opts.DuplicateValidationStrategy, scope: opts.DuplicateValidationScope, expiresAt: expires}, data, now)
	if e != nil {
		q.fail(e)
		return
	}
	q.w.Header().Set("Location", q.s.URL()+strings.TrimSuffix(q.r.URL.EscapedPath(), "/")+"/"+strconv.FormatInt(f.id, 10))
	q.reply(http.StatusCreated, q.s.renderFile(st, f))
}

func (q *request) getFile() {
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	q.s.settleFileTasksLocked(q.s.clock.Now())
	if f := q.fileOr404(st); f != nil {
		q.reply(http.StatusOK, q.s.renderFile(st, f))
	}
}

type fileUpdateIn struct {
	Name              *string `json:"name"`
	ParentFolderID    *string `json:"parentFolderId"`
	ParentFolderPath  *string `json:"parentFolderPath"`
	Access            *string `json:"access"`
	IsUsableInContent *bool   `json:"isUsableInContent"`
	ExpiresAt         *string `json:"expiresAt"`
	ClearExpires      bool    `json:"clearExpires"`
}

func (q *request) updateFile() {
	var in fileUpdateIn
	if !q.decode(&in) {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	q.s.settleFileTasksLocked(now)
	f := q.fileOr404(st)
	if f == nil {
		return
	}
	folder := f.folderID
	switch {
	case in.Name != nil && (*in.Name == "" || strings.ContainsAny(*in.Name, "/\\")):
		q.badField("name", "INVALID_INPUT", fmt.Sprintf("name must be a plain, non-empty file name, got %q.", *in.Name))
		return
	case in.Access != nil && !slices.Contains(fileAccess, *in.Access):
		q.badField("access", "INVALID_ENUM", fmt.Sprintf("access must be one of %s, got %q.", strings.Join(fileAccess, ", "), *in.Access))
		return
	case in.ParentFolderID != nil && in.ParentFolderPath != nil:
		q.badField("parentFolderPath", "INVALID_INPUT", "Give parentFolderId or parentFolderPath, not both.")
		return
	case in.ParentFolderID != nil:
		n, err := strconv.ParseInt(*in.ParentFolderID, 10, 64)
		if pf := st.folders[n]; *in.ParentFolderID != "0" && (err != nil || pf == nil || !pf.archivedAt.IsZero()) {
			q.badField("parentFolderId", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %q does not exist.", *in.ParentFolderID))
			return
		}
		folder = n
	case in.ParentFolderPath != nil:
		n, ok := st.folderByPath(*in.ParentFolderPath, false, now)
		if !ok {
			q.badField("parentFolderPath", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %q does not exist.", *in.ParentFolderPath))
			return
		}
		folder = n
	}
	var expires *time.Time
	if in.ExpiresAt != nil {
		t, ok := q.parseExpiry(*in.ExpiresAt)
		if !ok {
			return
		}
		expires = &t
	}
	name := f.name
	if in.Name != nil {
		// The name excludes the extension, which a rename keeps.
		name = strings.TrimSuffix(*in.Name, "."+f.ext)
	}
	for _, id := range sortedKeys(st.files) {
		if g := st.files[id]; g != f && g.archivedAt.IsZero() && g.folderID == folder && g.name == name && g.ext == f.ext {
			q.fail(&apiError{status: http.StatusConflict, Category: catConflict,
				Message: fmt.Sprintf("A file named %q already exists in the folder.", g.fullName()),
				Errors:  []errorDetail{{Message: "name taken", Code: "FILE_NAME_TAKEN", In: "name"}}})
			return
		}
	}
	f.name, f.folderID, f.updated = name, folder, now
	if in.Access != nil {
		f.access = *in.Access
	}
	if in.IsUsableInContent != nil {
		f.usable = *in.IsUsableInContent
	}
	if expires != nil {
		f.expiresAt = *expires
	}
	if in.ClearExpires {
		f.expiresAt = time.Time{}
	}
	q.reply(http.StatusOK, q.s.renderFile(st, f))
}

func (q *request) archiveFile() {
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	q.s.settleFileTasksLocked(now)
	if f := q.fileOr404(st); f != nil {
		f.archivedAt, f.updated = now, now
		q.w.WriteHeader(http.StatusNoContent)
	}
}

func (q *request) signedFileURL() {
	v := q.r.URL.Query()
	life := DefaultSignedURLLifetime
	if s := v.Get("expirationSeconds"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			q.badField("expirationSeconds", "INVALID_INTEGER", fmt.Sprintf("expirationSeconds must be a positive integer, got %q.", s))
			return
		}
		life = time.Duration(n) * time.Second
	}
	if s := v.Get("size"); s != "" && !slices.Contains([]string{"icon", "medium", "preview", "thumb"}, s) {
		q.badField("size", "INVALID_ENUM", fmt.Sprintf("size must be icon, medium, preview or thumb, got %q.", s))
		return
	}
	if _, ok := q.boolParam(v, "upscale"); !ok {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	q.s.settleFileTasksLocked(now)
	f := q.fileOr404(st)
	if f == nil {
		return
	}
	var tok [32]byte
	_, _ = rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	expires := now.Add(life)
	st.signed[token] = signedRec{fileID: f.id, expires: expires}
	for t, g := range st.signed { // forget the expired grants
		if !now.Before(g.expires) {
			delete(st.signed, t)
		}
	}
	q.reply(http.StatusOK, map[string]any{"url": q.s.fileURL(f) + "?token=" + token, "expiresAt": fmtTime(expires),
		"name": f.name, "extension": f.ext, "type": fileType(f.ext), "size": len(f.data)})
}

// fileSearchParams are the search parameters the server filters by; the
// spec's others are refused with a 400 naming them, rather than ignored.
var fileSearchParams = []string{"after", "limit", "name", "path", "extension", "type", "parentFolderIds", "ids", "allowsAnonymousAccess", "sort", "properties"}

var folderSearchParams = []string{"after", "limit", "name", "path", "parentFolderIds", "ids", "sort", "properties"}

// searchPage reads the limit and after of a search, answering 400.
func (q *request) searchPage(v url.Values, allowed []string) (limit, offset int, ok bool) {
	for k := range v {
		if !slices.Contains(allowed, k) {
			q.badField(k, "UNSUPPORTED_FILTER", fmt.Sprintf("hubspottest does not search by %s.", k))
			return 0, 0, false
		}
	}
	limit = 10
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			q.badField("limit", "INVALID_INTEGER", fmt.Sprintf("limit must be an integer between 1 and 100, got %q.", s))
			return 0, 0, false
		}
		limit = n
	}
	if s := v.Get("after"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			q.badField("after", "INVALID_CURSOR", fmt.Sprintf("after is not a cursor this search returned: %q.", s))
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
}

// idSet parses a repeated integer parameter, answering 400.
func (q *request) idSet(v url.Values, name string) (map[int64]bool, bool) {
	if len(v[name]) == 0 {
		return nil, true
	}
	set := map[int64]bool{}
	for _, s := range v[name] {
		for _, p := range strings.Split(s, ",") {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				q.badField(name, "INVALID_INTEGER", fmt.Sprintf("%s must hold integers, got %q.", name, p))
				return nil, false
			}
			set[n] = true
		}
	}
	return set, true
}

// sortKey checks a sort parameter: a property, "-" first for descending.
func (q *request) sortKey(v url.Values, allowed ...string) (string, bool, bool) {
	s := v.Get("sort")
	if s == "" {
		return "", false, true
	}
	desc := strings.HasPrefix(s, "-")
	k := strings.TrimPrefix(s, "-")
	if !slices.Contains(allowed, k) {
		q.badField("sort", "INVALID_SORT", fmt.Sprintf("sort must be one of %s, with - first to reverse, got %q.", strings.Join(allowed, ", "), s))
		return "", false, false
	}
	return k, desc, true
}

func pageOut(results []map[string]any, limit, offset int) map[string]any {
	out := map[string]any{"results": []map[string]any{}}
	if offset < len(results) {
		end := min(offset+limit, len(results))
		out["results"] = results[offset:end]
		if end < len(results) {
			out["paging"] = pagingOut{Next: &nextOut{After: strconv.Itoa(end)}}
		}
	}
	return out
}

func (q *request) searchFiles() {
	v := q.r.URL.Query()
	limit, offset, ok := q.searchPage(v, fileSearchParams)
	if !ok {
		return
	}
	parents, ok := q.idSet(v, "parentFolderIds")
	if !ok {
		return
	}
	ids, ok := q.idSet(v, "ids")
	if !ok {
		return
	}
	anon, anonSet := false, v.Get("allowsAnonymousAccess") != ""
	if anon, ok = q.boolParam(v, "allowsAnonymousAccess"); !ok {
		return
	}
	key, desc, ok := q.sortKey(v, "name", "createdAt", "updatedAt", "size", "id")
	if !ok {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	q.s.settleFileTasksLocked(q.s.clock.Now())
	var hits []*fileRec
	for _, id := range sortedKeys(st.files) {
		f := st.files[id]
		switch {
		case !f.archivedAt.IsZero(),
			v.Get("name") != "" && !strings.Contains(strings.ToLower(f.fullName()), strings.ToLower(v.Get("name"))),
			v.Get("path") != "" && st.filePath(f) != v.Get("path"),
			v.Get("extension") != "" && !strings.EqualFold(f.ext, v.Get("extension")),
			v.Get("type") != "" && fileType(f.ext) != v.Get("type"),
			parents != nil && !parents[f.folderID],
			ids != nil && !ids[f.id],
			anonSet && anon == privateAccess(f.access):
			continue
		}
		hits = append(hits, f)
	}
	slices.SortStableFunc(hits, func(a, b *fileRec) int {
		c := 0
		switch key {
		case "name":
			c = strings.Compare(a.fullName(), b.fullName())
		case "createdAt":
			c = a.created.Compare(b.created)
		case "updatedAt":
			c = a.updated.Compare(b.updated)
		case "size":
			c = len(a.data) - len(b.data)
		}
		if c == 0 {
			c = int(a.id - b.id)
		}
		if desc {
			c = -c
		}
		return c
	})
	results := make([]map[string]any, len(hits))
	for i, f := range hits {
		results[i] = q.s.renderFile(st, f)
	}
	q.reply(http.StatusOK, pageOut(results, limit, offset))
}

type folderIn struct {
	Name           string `json:"name"`
	ParentFolderID string `json:"parentFolderId"`
	ParentPath     string `json:"parentPath"`
}

// checkFolderName answers 400 for a name a folder cannot have.
func (q *request) checkFolderName(name string) bool {
	if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "/\\") {
		q.badField("name", "INVALID_INPUT", fmt.Sprintf("name must be a plain, non-empty folder name, got %q.", name))
		return false
	}
	return true
}

// folderNameTaken answers 409 when parent holds a live folder named name
// other than self.
func (q *request) folderNameTaken(st *fileStore, parent int64, name string, self int64) bool {
	for _, id := range sortedKeys(st.folders) {
		if f := st.folders[id]; f.id != self && f.parentID == parent && f.archivedAt.IsZero() && f.name == name {
			q.fail(&apiError{status: http.StatusConflict, Category: catConflict,
				Message: fmt.Sprintf("A folder named %q already exists there: %d.", name, f.id),
				Errors:  []errorDetail{{Message: "name taken", Code: "FOLDER_NAME_TAKEN", In: "name"}}})
			return true
		}
	}
	return false
}

func (q *request) createFileFolder() {
	var in folderIn
	if !q.decode(&in) {
		return
	}
	if !q.checkFolderName(in.Name) {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	var parent int64
	switch {
	case in.ParentFolderID != "" && in.ParentPath != "":
		q.badField("parentPath", "INVALID_INPUT", "Give parentFolderId or parentPath, not both.")
		return
	case in.ParentFolderID != "":
		n, err := strconv.ParseInt(in.ParentFolderID, 10, 64)
		if pf := st.folders[n]; err != nil || pf == nil || !pf.archivedAt.IsZero() {
			q.badField("parentFolderId", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %q does not exist.", in.ParentFolderID))
			return
		}
		parent = n
	case in.ParentPath != "":
		n, ok := st.folderByPath(in.ParentPath, false, now)
		if !ok {
			q.badField("parentPath", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %q does not exist.", in.ParentPath))
			return
		}
		parent = n
	}
	if q.folderNameTaken(st, parent, in.Name, 0) {
		return
	}
	f := &folderRec{id: st.nextFolder, parentID: parent, name: in.Name, created: now, updated: now}
	st.nextFolder++
	st.folders[f.id] = f
	q.w.Header().Set("Location", q.s.URL()+strings.TrimSuffix(q.r.URL.EscapedPath(), "/")+"/"+strconv.FormatInt(f.id, 10))
	q.reply(http.StatusCreated, renderFolder(st, f))
}

func (q *request) getFileFolder() {
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	if f := q.folderOr404(st); f != nil {
		q.reply(http.StatusOK, renderFolder(st, f))
	}
}

func (q *request) updateFileFolder() {
	var in struct {
		Name           *string      `json:"name"`
		ParentFolderID *json.Number `json:"parentFolderId"`
	}
	if !q.decode(&in) {
		return
	}
	if in.Name != nil && !q.checkFolderName(*in.Name) {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	f := q.folderOr404(st)
	if f == nil {
		return
	}
	parent, name := f.parentID, f.name
	if in.Name != nil {
		name = *in.Name
	}
	if in.ParentFolderID != nil {
		n, err := in.ParentFolderID.Int64()
		pf := st.folders[n]
		if err != nil || n != 0 && (pf == nil || !pf.archivedAt.IsZero()) {
			q.badField("parentFolderId", "FOLDER_NOT_FOUND", fmt.Sprintf("Folder %s does not exist.", in.ParentFolderID.String()))
			return
		}
		for a := n; a != 0; a = st.folders[a].parentID {
			if a == f.id {
				q.badField("parentFolderId", "INVALID_INPUT", "A folder cannot move into itself or a folder within it.")
				return
			}
		}
		parent = n
	}
	if q.folderNameTaken(st, parent, name, f.id) {
		return
	}
	f.name, f.parentID, f.updated = name, parent, q.s.clock.Now()
	q.reply(http.StatusOK, renderFolder(st, f))
}

func (q *request) archiveFileFolder() {
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	q.s.settleFileTasksLocked(now)
	f := q.folderOr404(st)
	if f == nil {
		return
	}
	// Archive the folder and whatever it holds, at any depth.
	within := func(id int64) bool {
		for a := id; a != 0; a = st.folders[a].parentID {
			if a == f.id {
				return true
			}
		}
		return false
	}
	for _, g := range st.folders {
		if g.archivedAt.IsZero() && within(g.id) {
			g.archivedAt, g.updated = now, now
		}
	}
	for _, g := range st.files {
		if g.archivedAt.IsZero() && g.folderID != 0 && within(g.folderID) {
			g.archivedAt, g.updated = now, now
		}
	}
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) searchFileFolders() {
	v := q.r.URL.Query()
	limit, offset, ok := q.searchPage(v, folderSearchParams)
	if !ok {
		return
	}
	parents, ok := q.idSet(v, "parentFolderIds")
	if !ok {
		return
	}
	ids, ok := q.idSet(v, "ids")
	if !ok {
		return
	}
	key, desc, ok := q.sortKey(v, "name", "createdAt", "updatedAt", "id")
	if !ok {
		return
	}
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	var hits []*folderRec
	for _, id := range sortedKeys(st.folders) {
		f := st.folders[id]
		switch {
		case !f.archivedAt.IsZero(),
			v.Get("name") != "" && !strings.Contains(strings.ToLower(f.name), strings.ToLower(v.Get("name"))),
			v.Get("path") != "" && st.folderPath(f.id) != v.Get("path"),
			parents != nil && !parents[f.parentID],
			ids != nil && !ids[f.id]:
			continue
		}
		hits = append(hits, f)
	}
	slices.SortStableFunc(hits, func(a, b *folderRec) int {
		c := 0
		switch key {
		case "name":
			c = strings.Compare(a.name, b.name)
		case "createdAt":
			c = a.created.Compare(b.created)
		case "updatedAt":
			c = a.updated.Compare(b.updated)
		}
		if c == 0 {
			c = int(a.id - b.id)
		}
		if desc {
			c = -c
		}
		return c
	})
	results := make([]map[string]any, len(hits))
	for i, f := range hits {
		results[i] = renderFolder(st, f)
	}
	q.reply(http.StatusOK, pageOut(results, limit, offset))
}

// fileTaskState returns the task's status at now, and when it completes.
func (s *Server) fileTaskState(t *fileTask, now time.Time) (string, time.Time) {
	pending, processing := s.cfg.files.timing()
	pendingEnd := t.started.Add(pending)
	done := pendingEnd.Add(processing)
	switch {
	case now.Before(pendingEnd):
		return "PENDING", done
	case now.Before(done):
		return "PROCESSING", done
	}
	return "COMPLETE", done
}

// settleFileTasksLocked stores the files of the imports that completed by
// now, in the order they were started, so that reads see them as soon as
// their task is COMPLETE.
func (s *Server) settleFileTasksLocked(now time.Time) {
	st := &s.db.files
	for _, id := range sortedKeys(st.tasks) {
		t := st.tasks[id]
		if t.settled {
			continue
		}
		state, done := s.fileTaskState(t, now)
		if state != "COMPLETE" {
			continue
		}
		t.settled = true
		if t.errMsg != "" {
			continue
		}
		folder := int64(0)
		if t.in.FolderID != "" {
			n, _ := strconv.ParseInt(t.in.FolderID, 10, 64)
			if f := st.folders[n]; f == nil || !f.archivedAt.IsZero() {
				t.errMsg = fmt.Sprintf("Folder %s does not exist.", t.in.FolderID)
				continue
			}
			folder = n
		} else if t.in.FolderPath != "" {
			folder, _ = st.folderByPath(t.in.FolderPath, true, done)
		}
		name, ext := splitName(t.in.Name)
		expires, _ := time.Parse(time.RFC3339, t.in.ExpiresAt)
		f, e := st.placeLocked(placement{name: name, ext: ext, folderID: folder, access: t.in.Access, mimeType: t.mime,
			overwrite: t.in.Overwrite, strategy: t.in.DuplicateValidationStrategy, scope: t.in.DuplicateValidationScope, expiresAt: expires}, t.data, done)
		if e != nil {
			t.errMsg = e.Message
			continue
		}
		t.fileID, t.data = f.id, nil
	}
}

func (q *request) importFileFromURL() {
	var in fileImportIn
	if !q.decode(&in) {
		return
	}
	if !q.checkPlacement(in.Access, in.DuplicateValidationStrategy, in.DuplicateValidationScope) {
		return
	}
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		q.badField("url", "REQUIRED_FIELD", "url is required.")
		return
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		q.badField("url", "INVALID_URL", "url must be an absolute http or https URL.")
		return
	case in.FolderID != "" && in.FolderPath != "":
		q.badField("folderPath", "INVALID_INPUT", "Give folderId or folderPath, not both.")
		return
	case in.FolderPath != "" && !strings.HasPrefix(in.FolderPath, "/"):
		q.badField("folderPath", "INVALID_INPUT", fmt.Sprintf("folderPath must start with /, got %q.", in.FolderPath))
		return
	}
	if _, ok := q.parseExpiry(in.ExpiresAt); !ok {
		return
	}
	if in.FolderID != "" {
		if _, err := strconv.ParseInt(in.FolderID, 10, 64); err != nil {
			q.badField("folderId", "INVALID_INTEGER", fmt.Sprintf("folderId must be an integer, got %q.", in.FolderID))
			return
		}
	}
	if in.Name == "" {
		in.Name = path.Base(u.Path)
	}
	if in.Name == "" || in.Name == "/" || in.Name == "." || strings.ContainsAny(in.Name, "/\\") {
		q.badField("name", "INVALID_INPUT", "name is required when the URL's path names no file.")
		return
	}
	data, ctype, errMsg := q.s.fetchForImport(q.r.Context(), u)
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	t := &fileTask{id: st.nextTk, started: now, in: in, data: data, mime: ctype, errMsg: errMsg}
	st.nextTk++
	st.tasks[t.id] = t
	id := strconv.FormatInt(t.id, 10)
	q.reply(http.StatusAccepted, map[string]any{"id": id, "links": map[string]string{
		"status": q.s.URL() + strings.TrimSuffix(q.r.URL.EscapedPath(), "/") + "/tasks/" + id + "/status"}})
}

// fetchForImport fetches the URL of an import: one of the server's own
// files, as its URL serves it, or through the test's fetcher. It returns
// the failure as the task's error message, which names the host at most.
func (s *Server) fetchForImport(ctx context.Context, u *url.URL) ([]byte, string, string) {
	limit := s.cfg.files.limit()
	own, _ := url.Parse(s.URL())
	if u.Host == own.Host && strings.HasPrefix(u.Path, fileHostPath) {
		st := &s.db.files
		st.mu.Lock()
		defer st.mu.Unlock()
		st.init()
		s.settleFileTasksLocked(s.clock.Now())
		f := st.servableLocked(u, s.clock.Now())
		if f == nil {
			return nil, "", "The URL answered 404."
		}
		if int64(len(f.data)) > limit {
			return nil, "", fmt.Sprintf("The file exceeds the limit of %d bytes.", limit)
		}
		return slices.Clone(f.data), f.mimeType, ""
	}
	if s.cfg.files.fetch == nil {
		return nil, "", fmt.Sprintf("hubspottest cannot fetch from host %s (give the server a WithFileFetcher).", u.Host)
	}
	rc, err := s.cfg.files.fetch(ctx, u.String())
	if err != nil {
		return nil, "", fmt.Sprintf("Fetching from host %s failed.", u.Host)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	switch {
	case err != nil:
		return nil, "", fmt.Sprintf("Reading from host %s failed.", u.Host)
	case int64(len(b)) > limit:
		return nil, "", fmt.Sprintf("The file exceeds the limit of %d bytes.", limit)
	}
	return b, mime.TypeByExtension(path.Ext(u.Path)), ""
}

func (q *request) fileImportStatus() {
	st := &q.s.db.files
	st.mu.Lock()
	defer st.mu.Unlock()
	st.init()
	now := q.s.clock.Now()
	q.s.settleFileTasksLocked(now)
	raw := q.r.PathValue("taskId")
	n, _ := strconv.ParseInt(raw, 10, 64)
	t := st.tasks[n]
	if t == nil {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Task %q does not exist.", raw)})
		return
	}
	state, done := q.s.fileTaskState(t, now)
	pending, _ := q.s.cfg.files.timing()
	out := map[string]any{"taskId": strconv.FormatInt(t.id, 10), "status": state, "requestedAt": fmtTime(t.started),
		"startedAt": fmtTime(t.started.Add(pending)), "completedAt": fmtTime(done), "links": map[string]string{}}
	if state == "COMPLETE" {
		if t.errMsg != "" {
			out["numErrors"] = 1
			out["errors"] = []any{map[string]any{"status": "error", "category": "IMPORT_FAILED", "message": t.errMsg,
				"errors": []any{}, "context": map[string]any{}, "links": map[string]any{}}}
		} else if f := st.files[t.fileID]; f != nil {
			out["numErrors"] = 0
			out["result"] = q.s.renderFile(st, f)
		}
	}
	q.reply(http.StatusOK, out)
}

// servableLocked returns the file the URL u of the server's file host
// names, if it may be served: a live public file, or any live file with a
// signed URL's token that has not expired.
func (st *fileStore) servableLocked(u *url.URL, now time.Time) *fileRec {
	rest := strings.TrimPrefix(u.Path, fileHostPath)
	idPart, _, _ := strings.Cut(rest, "/")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil {
		return nil
	}
	f := st.files[id]
	if f == nil || !f.archivedAt.IsZero() {
		return nil
	}
	if tok := u.Query().Get("token"); tok != "" {
		for t, g := range st.signed {
			if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 && g.fileID == id && now.Before(g.expires) {
				return f
			}
		}
		return nil
	}
	if privateAccess(f.access) {
		return nil
	}
	return f
}

// serveFile serves a file at fileHostPath: a public one to anyone, a
// private one with a signed URL's token that has not expired, on the
// server's clock. It needs no bearer token. Every refusal is HubSpot's
// 404, which tells nothing.
func (s *Server) serveFile(x *exchange, r *http.Request) {
	if r.Method != http.MethodGet {
		writeNotFound(x, r, x.corr, "")
		return
	}
	st := &s.db.files
	st.mu.Lock()
	st.init()
	now := s.clock.Now()
	s.settleFileTasksLocked(now)
	f := st.servableLocked(r.URL, now)
	var data []byte
	var ctype, name string
	var id int64
	if f != nil {
		data, ctype, name, id = f.data, f.mimeType, f.fullName(), f.id // f.data is replaced, never written to
	}
	st.mu.Unlock()
	if f == nil {
		writeNotFound(x, r, x.corr, "")
		return
	}
	x.entry.Note = "file " + strconv.FormatInt(id, 10)
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	x.Header().Set("Content-Type", ctype)
	x.Header().Set("Content-Length", strconv.Itoa(len(data)))
	x.WriteHeader(http.StatusOK)
	_, _ = x.Write(data)
}
