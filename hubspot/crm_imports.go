package hubspot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ImportOperation says what an import does with the records of an object
// type.
type ImportOperation string

// Import operations.
const (
	ImportCreate ImportOperation = "CREATE"
	ImportUpdate ImportOperation = "UPDATE"
	ImportUpsert ImportOperation = "UPSERT"
)

// ImportColumn maps a column of an import file to a property.
type ImportColumn struct {
	// Name is the column's header (or a name of your choosing when the
	// file has none).
	Name string `json:"columnName"`
	// ObjectTypeID is the object type of the property: "0-1" contacts,
	// "0-2" companies, ...
	ObjectTypeID string `json:"columnObjectTypeId"`
	// Property is the property the column's values go to.
	Property string `json:"propertyName"`
	// IDColumnType marks a column that identifies records:
	// "HUBSPOT_OBJECT_ID" or "HUBSPOT_ALTERNATE_ID" (a unique property such
	// as email); empty for an ordinary column.
	IDColumnType string `json:"idColumnType,omitempty"`
}

// ImportFile is one file of an import. Its data is streamed from Data as
// the request is sent, never held whole in memory.
type ImportFile struct {
	// Name is the file name HubSpot shows, ending in .csv, .xls or .xlsx.
	Name string
	// Data is the file's content. When the Client signs imports (it has
	// WithSigner), the body is read twice (once to digest it, once to
	// send it), so Data must then be an io.ReadSeeker (an *os.File, a
	// *bytes.Reader); it is read from its position at the call.
	Data io.Reader
	// Format is "CSV" (default) or "SPREADSHEET".
	Format string
	// NoHeader says the file's first row is data, not headers.
	NoHeader bool
	// Columns map the file's columns, in order, to properties.
	Columns []ImportColumn
}

// ImportRequest is an import to start.
type ImportRequest struct {
	// Name names the import in HubSpot; required.
	Name string
	// Operations says, per object type ID, whether to create, update or
	// upsert; HubSpot upserts when empty.
	Operations map[string]ImportOperation
	// DateFormat is MONTH_DAY_YEAR (HubSpot's default), DAY_MONTH_YEAR or
	// YEAR_MONTH_DAY.
	DateFormat string
	// MarketableContacts, when not nil, sets the marketing status of the
	// imported contacts.
	MarketableContacts *bool
	// Files are the files to import: one, or several that share an
	// identifying column.
	Files []ImportFile
}

// Import is an import's state.
type Import struct {
	ID    string `json:"id"`
	Name  string `json:"importName"`
	State string `json:"state"` // STARTED, PROCESSING, DONE, FAILED, CANCELED, DEFERRED, REVERTED
	// Source is where it was started: API, CRM_UI, ...
	Source              string    `json:"importSource"`
	OptOutImport        bool      `json:"optOutImport"`
	MappedObjectTypeIDs []string  `json:"mappedObjectTypeIds"`
	CreatedAt           time.Time `json:"createdAt"`
	UpdatedAt           time.Time `json:"updatedAt"`
	Metadata            struct {
		// Counters count rows by outcome (TOTAL_ROWS, CREATED_OBJECTS,
		// ERRORS, ...).
		Counters map[string]int `json:"counters"`
		FileIDs  []string       `json:"fileIds"`
	} `json:"metadata"`
}

// ImportError is a row of an import that failed.
type ImportError struct {
	ID           string `json:"id"`
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
	// InvalidValue is the value that failed, when HubSpot names one.
	InvalidValue string `json:"invalidValue"`
	ObjectType   string `json:"objectType"`
	// CreatedAt is in milliseconds since the epoch, as HubSpot sends it.
	CreatedAt  int64 `json:"createdAt"`
	SourceData struct {
		LineNumber int      `json:"lineNumber"`
		RowData    []string `json:"rowData"`
		FileID     int64    `json:"fileId"`
	} `json:"sourceData"`
}

// ImportListOptions select a page of imports or of an import's errors.
type ImportListOptions struct {
	// Limit is the page size (HubSpot's default when 0).
	Limit int
	// After is the cursor of the page to start at.
	After string
}

// ImportsService imports CRM records from files: it starts an import
// (the files streamed as multipart/form-data from their readers), lists
// imports, reads one's state, cancels it and pages its errors. It needs
// the crm.import scope. Start and Cancel are sensitive (an import writes
// over the CRM), and the reads are signed too: a Client with a signer
// signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-imports-v3/guide
type ImportsService struct {
	client *Client
}

// Start uploads the files and starts the import. The body is streamed:
// each file is read in small chunks as the request is sent, so a file of
// any size costs the same memory.
//
// HubSpot: POST /crm/v3/imports (https://developers.hubspot.com/docs/api-reference/crm-imports-v3/core/post-crm-v3-imports).
func (s *ImportsService) Start(ctx context.Context, r ImportRequest) (*Import, error) {
	meta, err := r.wire(s.client.signs)
	if err != nil {
		return nil, err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	boundary := "hubkey-" + hex.EncodeToString(b[:])
	starts := make([]int64, len(r.Files))
	for i, f := range r.Files {
		if sk, ok := f.Data.(io.Seeker); ok {
			if starts[i], err = sk.Seek(0, io.SeekCurrent); err != nil {
				return nil, errorf("imports Start: file %q: finding its position: %v", f.Name, err)
			}
		} else {
			starts[i] = -1
		}
	}
	gen := func() io.ReadCloser { return newLazyMultipart(meta, r.Files, starts, boundary) }
	body := &streamBody{r: gen(), contentType: "multipart/form-data; boundary=" + boundary}
	if !slicesContains(starts, -1) {
		body.getBody = func() (io.ReadCloser, error) { return gen(), nil }
	}
	out := new(Import)
	if _, err := s.client.call(ctx, opImportsStart, nil, nil, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

func slicesContains(s []int64, v int64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// wire checks r and returns its importRequest JSON.
func (r ImportRequest) wire(signed bool) ([]byte, error) {
	const what = "imports Start"
	if strings.TrimSpace(r.Name) == "" {
		return nil, errorf("%s: the import's Name is empty", what)
	}
	if len(r.Files) == 0 {
		return nil, errorf("%s: no Files", what)
	}
	switch r.DateFormat {
	case "", "MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY":
	default:
		return nil, errorf("%s: DateFormat must be MONTH_DAY_YEAR, DAY_MONTH_YEAR or YEAR_MONTH_DAY, got %q", what, r.DateFormat)
	}
	for t, op := range r.Operations {
		if op != ImportCreate && op != ImportUpdate && op != ImportUpsert {
			return nil, errorf("%s: the operation for %s must be CREATE, UPDATE or UPSERT, got %q", what, t, op)
		}
	}
	type page struct {
		HasHeader      bool           `json:"hasHeader"`
		ColumnMappings []ImportColumn `json:"columnMappings"`
	}
	type file struct {
		FileName       string `json:"fileName"`
		FileFormat     string `json:"fileFormat"`
		FileImportPage page   `json:"fileImportPage"`
	}
	wire := struct {
		Name                    string                     `json:"name"`
		ImportOperations        map[string]ImportOperation `json:"importOperations,omitempty"`
		DateFormat              string                     `json:"dateFormat,omitempty"`
		MarketableContactImport *bool                      `json:"marketableContactImport,omitempty"`
		Files                   []file                     `json:"files"`
	}{Name: r.Name, ImportOperations: r.Operations, DateFormat: r.DateFormat, MarketableContactImport: r.MarketableContacts}
	seen := map[string]bool{}
	for i, f := range r.Files {
		name := path.Base(f.Name)
		switch {
		case f.Name == "" || name != f.Name || strings.ContainsAny(f.Name, "\"\r\n\\"):
			return nil, errorf("%s: Files[%d]: the name %q is not a plain file name", what, i, f.Name)
		case seen[f.Name]:
			return nil, errorf("%s: Files[%d]: two files are named %q", what, i, f.Name)
		case f.Data == nil:
			return nil, errorf("%s: file %q has no Data", what, f.Name)
		case len(f.Columns) == 0:
			return nil, errorf("%s: file %q maps no Columns", what, f.Name)
		}
		seen[f.Name] = true
		if _, ok := f.Data.(io.Seeker); signed && !ok {
			return nil, errorf("%s: file %q: the Client signs imports, which reads the body twice (to digest it, then to send it); "+
				"give Data as an io.ReadSeeker (an *os.File, a *bytes.Reader) rather than buffering the file", what, f.Name)
		}
		format := f.Format
		switch format {
		case "":
			format = "CSV"
		case "CSV", "SPREADSHEET":
		default:
			return nil, errorf("%s: file %q: Format must be CSV or SPREADSHEET, got %q", what, f.Name, format)
		}
		for j, c := range f.Columns {
			switch {
			case c.Name == "":
				return nil, errorf("%s: file %q: Columns[%d] has no Name", what, f.Name, j)
			case c.Property == "":
				return nil, errorf("%s: file %q: column %q maps to no Property", what, f.Name, c.Name)
			case c.ObjectTypeID == "":
				return nil, errorf("%s: file %q: column %q has no ObjectTypeID", what, f.Name, c.Name)
			}
		}
		wire.Files = append(wire.Files, file{FileName: f.Name, FileFormat: format, FileImportPage: page{HasHeader: !f.NoHeader, ColumnMappings: f.Columns}})
	}
	return json.Marshal(wire)
}

// newLazyMultipart returns the multipart body of an import (see
// newLazyBody). Each file is first moved back to its start position (when
// it is a Seeker; starts[i] >= 0).
func newLazyMultipart(meta []byte, files []ImportFile, starts []int64, boundary string) io.ReadCloser {
	return newLazyBody(func(w io.Writer) error { return writeImportBody(w, meta, files, starts, boundary) })
}

// newLazyBody returns a streamed request body that write generates
// through an io.Pipe, in a goroutine that starts at the first Read (so a
// body made and dropped, or made for GetBody while another is read, costs
// nothing until read) and ends when the body is read to its end or
// closed. Imports and file uploads send their multipart bodies this way.
func newLazyBody(write func(io.Writer) error) io.ReadCloser {
	return &lazyMultipart{start: func() io.ReadCloser {
		pr, pw := io.Pipe()
		go func() {
			pw.CloseWithError(write(pw))
		}()
		return pr
	}}
}

type lazyMultipart struct {
	start  func() io.ReadCloser
	mu     sync.Mutex
	rc     io.ReadCloser
	closed bool
}

func (l *lazyMultipart) Read(p []byte) (int, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, errors.New("hubspot: read of a closed request body")
	}
	if l.rc == nil {
		l.rc = l.start()
	}
	rc := l.rc
	l.mu.Unlock()
	return rc.Read(p)
}

func (l *lazyMultipart) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.rc != nil {
		return l.rc.Close()
	}
	return nil
}

// copyBufs are the buffers the import bodies copy files through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func writeImportBody(w io.Writer, meta []byte, files []ImportFile, starts []int64, boundary string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	if err := mw.WriteField("importRequest", string(meta)); err != nil {
		return err
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	for i, f := range files {
		if starts[i] >= 0 {
			if _, err := f.Data.(io.Seeker).Seek(starts[i], io.SeekStart); err != nil {
				return fmt.Errorf("hubspot: imports Start: file %q: rewinding: %w", f.Name, err)
			}
		}
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", `form-data; name="files"; filename="`+f.Name+`"`)
		ct := "text/csv"
		if f.Format == "SPREADSHEET" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		part, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.CopyBuffer(part, onlyReader{f.Data}, *buf); err != nil {
			return fmt.Errorf("hubspot: imports Start: reading file %q: %w", f.Name, err)
		}
	}
	return mw.Close()
}

// onlyReader hides every method but Read, so io.CopyBuffer uses the
// buffer rather than a WriterTo that may allocate its own.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func importParams(what, id string) (map[string]string, error) {
	if !isTaskID(id) {
		return nil, errorf("%s: the import ID %q is not a decimal number", what, id)
	}
	return map[string]string{"importId": id}, nil
}

func (o *ImportListOptions) query(what string) (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if o.Limit < 0 {
		return nil, errorf("%s: Limit %d is negative", what, o.Limit)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.After != "" {
		q.Set("after", o.After)
	}
	return q, nil
}

// Get returns an import's state.
//
// HubSpot: GET /crm/v3/imports/{importId} (https://developers.hubspot.com/docs/api-reference/crm-imports-v3/core/get-crm-v3-imports-importId).
func (s *ImportsService) Get(ctx context.Context, id string) (*Import, error) {
	p, err := importParams("imports Get", id)
	if err != nil {
		return nil, err
	}
	out := new(Import)
	if _, err := s.client.call(ctx, opImportsGet, p, nil, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Cancel cancels an import that has not finished and returns the state
// the cancellation reports (COMPLETE once done).
//
// HubSpot: POST /crm/v3/imports/{importId}/cancel (https://developers.hubspot.com/docs/api-reference/crm-imports-v3/core/post-crm-v3-imports-importId-cancel).
func (s *ImportsService) Cancel(ctx context.Context, id string) (string, error) {
	p, err := importParams("imports Cancel", id)
	if err != nil {
		return "", err
	}
	var out struct {
		Status string `json:"status"`
	}
	if _, err := s.client.call(ctx, opImportsCancel, p, nil, nil, &out); err != nil {
		return "", err
	}
	return out.Status, nil
}

// All returns the account's imports, newest first, fetching pages as the
// loop consumes them. The loop ends after the last, when it breaks, or
// with a final (zero Import, error).
//
// HubSpot: GET /crm/v3/imports (https://developers.hubspot.com/docs/api-reference/crm-imports-v3/core/get-crm-v3-imports).
func (s *ImportsService) All(ctx context.Context, opts *ImportListOptions) iter.Seq2[Import, error] {
	var o ImportListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "imports List", o.After, func(after string) (pageOf[Import], error) {
		o2 := o
		o2.After = after
		q, err := o2.query("imports List")
		if err != nil {
			return pageOf[Import]{}, err
		}
		var p struct {
			Results []Import `json:"results"`
			Paging  *Paging  `json:"paging"`
		}
		if _, err := s.client.call(ctx, opImportsList, nil, q, nil, &p); err != nil {
			return pageOf[Import]{}, err
		}
		next := ""
		if p.Paging != nil && p.Paging.Next != nil {
			next = p.Paging.Next.After
		}
		return pageOf[Import]{items: p.Results, next: next}, nil
	})
}

// Errors returns the rows of an import that failed, with their row data
// and messages, fetching pages as the loop consumes them.
//
// HubSpot: GET /crm/v3/imports/{importId}/errors (https://developers.hubspot.com/docs/api-reference/crm-imports-v3/core/get-crm-v3-imports-importId-errors).
func (s *ImportsService) Errors(ctx context.Context, id string, opts *ImportListOptions) iter.Seq2[ImportError, error] {
	var o ImportListOptions
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, "imports Errors", o.After, func(after string) (pageOf[ImportError], error) {
		p, err := importParams("imports Errors", id)
		if err != nil {
			return pageOf[ImportError]{}, err
		}
		o2 := o
		o2.After = after
		q, err := o2.query("imports Errors")
		if err != nil {
			return pageOf[ImportError]{}, err
		}
		q.Set("includeErrorMessage", "true")
		q.Set("includeRowData", "true")
		var out struct {
			Results []ImportError `json:"results"`
			Paging  *Paging       `json:"paging"`
		}
		if _, err := s.client.call(ctx, opImportsErrors, p, q, nil, &out); err != nil {
			return pageOf[ImportError]{}, err
		}
		next := ""
		if out.Paging != nil && out.Paging.Next != nil {
			next = out.Paging.Next.After
		}
		return pageOf[ImportError]{items: out.Results, next: next}, nil
	})
}
