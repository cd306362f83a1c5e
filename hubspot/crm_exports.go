package hubspot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// ExportType says what an export covers.
type ExportType string

// Export types.
const (
	// ExportView exports the records of an object type that pass the
	// request's filters (all of them without filters).
	ExportView ExportType = "VIEW"
	// ExportList exports the members of a list.
	ExportList ExportType = "LIST"
)

// ExportRequest is an export to start.
type ExportRequest struct {
	// Type is ExportView (the default) or ExportList.
	Type ExportType
	// Name names the export in HubSpot's export history; required.
	Name string
	// ObjectType is the type of the records: "contacts", "0-1", ...;
	// required.
	ObjectType string
	// Properties are the columns of the file; at least one.
	Properties []string
	// ListID is the list whose members an ExportList exports.
	ListID string
	// FilterGroups and Query narrow an ExportView as a search does.
	FilterGroups []FilterGroup
	Query        string
	// Format is "CSV" (default), "XLS" or "XLSX".
	Format string
	// Language is the language of the file's headers: HubSpot's code,
	// "EN" by default.
	Language string
	// AssociatedObjectTypes adds columns of associated records.
	AssociatedObjectTypes []string
	// InternalValues exports the properties' internal names (headers)
	// and values rather than their labels.
	InternalValues bool
}

// ExportTask is the state of a started export, as Status reports it.
type ExportTask struct {
	// ID is the task ID that Start returned (also the export's ID).
	ID string
	// Status is PENDING, PROCESSING, COMPLETE or CANCELED.
	Status      string
	RequestedAt time.Time
	StartedAt   time.Time
	CompletedAt time.Time
	NumErrors   int
	// DownloadURL is where the file of a COMPLETE export is: a
	// short-lived URL that is itself a credential (anyone holding it gets
	// the file), so it is a secrets.Secret, printed as [REDACTED]. Download
	// fetches it; zero until the export is complete.
	DownloadURL secrets.Secret
}

// Export is an export's record in HubSpot's export history.
type Export struct {
	ID          string    `json:"id"`
	Name        string    `json:"exportName"`
	ExportType  string    `json:"exportType"`
	State       string    `json:"exportState"`
	ObjectType  string    `json:"objectType"`
	Properties  []string  `json:"objectProperties"`
	RecordCount int       `json:"recordCount"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// DefaultExportMaxBytes is the most bytes Download reads of an export file
// unless DownloadOptions.MaxBytes says otherwise.
const DefaultExportMaxBytes = 4 << 30

// ErrExportTooLarge is the error of reading an export file past its
// MaxBytes.
var ErrExportTooLarge = errors.New("hubspot: the export file exceeds its size limit")

// DownloadOptions bound an export download.
type DownloadOptions struct {
	// MaxBytes is the most bytes of the file the reader returns before it
	// fails with ErrExportTooLarge; DefaultExportMaxBytes when 0.
	MaxBytes int64
}

// ExportRunOptions tune Run.
type ExportRunOptions struct {
	// PollInterval is the wait between status calls, on the Client's
	// clock; 2 seconds when 0.
	PollInterval time.Duration
	DownloadOptions
}

// ExportsService exports CRM records: it starts an export of a view or a
// list, reports its status and downloads its file, streaming. It needs the
// crm.export scope. Every call is sensitive (an export is the CRM
// leaving, and its status carries the download URL): a Client with a
// signer signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-exports-v3/guide
type ExportsService struct {
	client *Client
}

// Start starts an export and returns its task ID, for Status and Get.
//
// HubSpot: POST /crm/v3/exports/export/async (https://developers.hubspot.com/docs/api-reference/crm-exports-v3/public-exports/post-crm-v3-exports-export-async).
func (s *ExportsService) Start(ctx context.Context, r ExportRequest) (string, error) {
	body, err := r.wire()
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := s.client.call(ctx, opExportsStart, nil, nil, body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("hubspot: exports Start: the answer has no task ID")
	}
	return out.ID, nil
}

func (r ExportRequest) wire() (map[string]any, error) {
	const what = "exports Start"
	typ := r.Type
	if typ == "" {
		typ = ExportView
	}
	switch {
	case typ != ExportView && typ != ExportList:
		return nil, errorf("%s: Type must be %q or %q, got %q", what, ExportView, ExportList, typ)
	case strings.TrimSpace(r.Name) == "":
		return nil, errorf("%s: the export's Name is empty", what)
	case r.ObjectType == "":
		return nil, errorf("%s: the ObjectType is empty", what)
	case len(r.Properties) == 0:
		return nil, errorf("%s: no Properties: an export needs at least one column", what)
	case typ == ExportList && r.ListID == "":
		return nil, errorf("%s: an ExportList needs a ListID", what)
	case typ == ExportList && !isTaskID(r.ListID):
		return nil, errorf("%s: the ListID %q is not a list ID", what, r.ListID)
	case typ == ExportView && r.ListID != "":
		return nil, errorf("%s: ListID is for an ExportList; this is an ExportView", what)
	case typ == ExportList && (len(r.FilterGroups) > 0 || r.Query != ""):
		return nil, errorf("%s: FilterGroups and Query narrow an ExportView, not an ExportList", what)
	}
	for i, p := range r.Properties {
		if strings.TrimSpace(p) == "" {
			return nil, errorf("%s: Properties[%d] is empty", what, i)
		}
	}
	format := r.Format
	switch format {
	case "":
		format = "CSV"
	case "CSV", "XLS", "XLSX":
	default:
		return nil, errorf("%s: Format must be CSV, XLS or XLSX, got %q", what, format)
	}
	lang := r.Language
	if lang == "" {
		lang = "EN"
	}
	values := []string{}
	if r.InternalValues {
		values = []string{"NAMES", "VALUES"}
	}
	assoc := r.AssociatedObjectTypes
	if assoc == nil {
		assoc = []string{}
	}
	// HubSpot's exports guide names the type by its object type ID
	// ("0-1"); a name hubkey knows is sent as its ID.
	objectType := r.ObjectType
	if ot, ok := endpoints.LookupObjectType(objectType); ok && ot.ID != "" {
		objectType = ot.ID
	}
	m := map[string]any{
		"exportType": typ, "exportName": r.Name, "format": format, "language": lang,
		"objectType": objectType, "objectProperties": r.Properties, "associatedObjectType": assoc,
		"exportInternalValuesOptions": values, "includeLabeledAssociations": false,
		"includePrimaryDisplayPropertyForAssociatedObjects": false, "overrideAssociatedObjectsPerDefinitionPerRowLimit": false,
	}
	if typ == ExportList {
		m["listId"] = r.ListID
	} else if len(r.FilterGroups) > 0 || r.Query != "" {
		groups := r.FilterGroups
		if groups == nil {
			groups = []FilterGroup{}
		}
		m["publicCrmSearchRequest"] = map[string]any{"filterGroups": groups, "filters": []Filter{}, "sorts": []string{}, "query": r.Query}
	}
	return m, nil
}

// Status reports an export's task: its state and, once it is COMPLETE,
// its DownloadURL.
//
// HubSpot: GET /crm/v3/exports/export/async/tasks/{taskId}/status (https://developers.hubspot.com/docs/api-reference/crm-exports-v3/public-exports/get-crm-v3-exports-export-async-tasks-taskId-status).
func (s *ExportsService) Status(ctx context.Context, taskID string) (*ExportTask, error) {
	if !isTaskID(taskID) {
		return nil, errorf("exports Status: the task ID %q is not a decimal number", taskID)
	}
	var out struct {
		Status      string    `json:"status"`
		RequestedAt time.Time `json:"requestedAt"`
		StartedAt   time.Time `json:"startedAt"`
		CompletedAt time.Time `json:"completedAt"`
		NumErrors   int       `json:"numErrors"`
		Result      string    `json:"result"`
	}
	if _, err := s.client.call(ctx, opExportsStatus, map[string]string{"taskId": taskID}, nil, nil, &out); err != nil {
		return nil, err
	}
	t := &ExportTask{ID: taskID, Status: out.Status, RequestedAt: out.RequestedAt, StartedAt: out.StartedAt,
		CompletedAt: out.CompletedAt, NumErrors: out.NumErrors}
	if out.Result != "" {
		t.DownloadURL = secrets.New(out.Result)
	}
	return t, nil
}

// Get returns an export's record in the export history.
//
// HubSpot: GET /crm/v3/exports/export/{exportId} (https://developers.hubspot.com/docs/api-reference/crm-exports-v3/public-exports/get-crm-v3-exports-export-exportId).
func (s *ExportsService) Get(ctx context.Context, exportID string) (*Export, error) {
	if !isTaskID(exportID) {
		return nil, errorf("exports Get: the export ID %q is not a decimal number", exportID)
	}
	e := new(Export)
	if _, err := s.client.call(ctx, opExportsGet, map[string]string{"exportId": exportID}, nil, nil, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Wait polls Status every interval (2 seconds when 0) on the Client's
// clock until the export is COMPLETE, and returns that status. A CANCELED
// export is an error, as is ctx ending. Each status call counts against
// the Client's rate limit and waits for it like any call.
func (s *ExportsService) Wait(ctx context.Context, taskID string, interval time.Duration) (*ExportTask, error) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	for {
		t, err := s.Status(ctx, taskID)
		if err != nil {
			return nil, err
		}
		switch t.Status {
		case "COMPLETE":
			if t.DownloadURL.IsZero() {
				return nil, fmt.Errorf("hubspot: export %s is complete but has no download URL", taskID)
			}
			return t, nil
		case "CANCELED":
			return nil, fmt.Errorf("hubspot: export %s was canceled", taskID)
		}
		if err := clock.Sleep(ctx, s.client.clock, interval); err != nil {
			return nil, err
		}
	}
}

// Run starts an export, waits for it (see Wait) and returns its file as a
// stream (see Download). The caller must close it.
func (s *ExportsService) Run(ctx context.Context, r ExportRequest, opts *ExportRunOptions) (io.ReadCloser, error) {
	var o ExportRunOptions
	if opts != nil {
		o = *opts
	}
	id, err := s.Start(ctx, r)
	if err != nil {
		return nil, err
	}
	t, err := s.Wait(ctx, id, o.PollInterval)
	if err != nil {
		return nil, err
	}
	return s.Download(ctx, t, &o.DownloadOptions)
}

// maxFileRedirects bounds the redirects Download follows.
const maxFileRedirects = 5

// Download fetches the file of a COMPLETE export and returns it as a
// stream, read through opts.MaxBytes: a read past it fails with
// ErrExportTooLarge. The caller must close it.
//
// The download URL is a credential of its own and is treated as one: it
// goes only over HTTPS (or to loopback), it is never logged or put in an
// error (which names its host at most), and the request carries no
// credential of the Client's, whatever its host: no bearer token, no
// developer key. Redirects are followed (at most 5) under the same rules.
// The request goes through the Client's base transport (WithHTTPClient's),
// not its credential, rate-limit or signing layers: the file is not an
// API call.
func (s *ExportsService) Download(ctx context.Context, t *ExportTask, opts *DownloadOptions) (io.ReadCloser, error) {
	if t == nil || t.DownloadURL.IsZero() {
		return nil, errorf("exports Download: the export has no download URL (is it COMPLETE?)")
	}
	max := int64(DefaultExportMaxBytes)
	if opts != nil && opts.MaxBytes != 0 {
		if opts.MaxBytes < 0 {
			return nil, errorf("exports Download: MaxBytes %d is negative", opts.MaxBytes)
		}
		max = opts.MaxBytes
	}
	return s.client.fetchFile(ctx, fileFetch{what: "exports Download", hint: "an expired URL answers 403 or 404; call Status again for a fresh one",
		max: max, tooLarge: ErrExportTooLarge}, t.DownloadURL)
}

// fileFetch says how fetchFile fetches a file from a URL that is a
// credential of its own (an export's download URL, a file's signed URL).
type fileFetch struct {
	what     string // the call, for errors: "exports Download"
	hint     string // what to do when the host refuses the URL
	max      int64  // the most bytes the reader returns
	tooLarge error  // the error of a read past max
}

// fetchFile GETs the file at the URL u holds and returns it as a stream
// read through f.max. The URL goes only over HTTPS (or to loopback), is
// never put in an error (which names its host at most), and the request
// carries no credential of the Client's: it goes through the base
// transport, not the credential, rate-limit or signing layers. Redirects
// are followed (at most maxFileRedirects) under the same rules.
func (c *Client) fetchFile(ctx context.Context, f fileFetch, u0 secrets.Secret) (io.ReadCloser, error) {
	what := f.what
	raw := u0.Reveal()
	for hop := 0; ; hop++ {
		//hubkeyvet:ignore the URL is the credential; no error below quotes it (RoundTrip is called directly, so no *url.Error carries it)
		u, err := url.Parse(raw)
		if err != nil {
			return nil, errors.New("hubspot: " + what + ": the URL does not parse")
		}
		host := u.Hostname()
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(host)) {
			return nil, fmt.Errorf("hubspot: %s: the URL on host %s is not https", what, hostForError(u.Host))
		}
		if u.User != nil {
			return nil, fmt.Errorf("hubspot: %s: the URL on host %s carries user info", what, hostForError(u.Host))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, errors.New("hubspot: " + what + ": cannot build the request")
		}
		req.Header["User-Agent"] = c.userAgent
		resp, err := c.fileRT.RoundTrip(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				err = ctxErr
			}
			return nil, fmt.Errorf("hubspot: %s: fetching the file from host %s: %w", what, hostForError(u.Host), err)
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
			drainAndClose(resp.Body)
			if hop == maxFileRedirects {
				return nil, fmt.Errorf("hubspot: %s: more than %d redirects", what, maxFileRedirects)
			}
			next, err := u.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, errors.New("hubspot: " + what + ": a redirect's Location does not parse")
			}
			raw = next.String()
			continue
		case resp.StatusCode != http.StatusOK:
			drainAndClose(resp.Body)
			return nil, fmt.Errorf("hubspot: %s: host %s answered %d (%s)", what, hostForError(u.Host), resp.StatusCode, f.hint)
		case resp.ContentLength > f.max:
			drainAndClose(resp.Body)
			return nil, fmt.Errorf("%w: the file is %d bytes, the limit %d", f.tooLarge, resp.ContentLength, f.max)
		}
		return &limitedFile{rc: resp.Body, left: f.max, tooLarge: f.tooLarge}, nil
	}
}

// hostForError is a host for an error message: the URL's host and port,
// which carry no credential, cut short if absurdly long.
func hostForError(h string) string {
	if len(h) > 253 {
		return h[:253] + "..."
	}
	return strconv.Quote(h)
}

// limitedFile reads a file through its size limit.
type limitedFile struct {
	rc       io.ReadCloser
	left     int64
	tooLarge error
}

func (f *limitedFile) Read(p []byte) (int, error) {
	if f.left <= 0 {
		// One byte more tells a file of exactly the limit from a larger one.
		var one [1]byte
		if n, _ := io.ReadFull(f.rc, one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, f.tooLarge
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.rc.Read(p)
	f.left -= int64(n)
	return n, err
}

func (f *limitedFile) Close() error { return f.rc.Close() }

// isTaskID reports whether s is an unsigned decimal ID of at most 19
// digits (an export, task, import or list ID).
func isTaskID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
