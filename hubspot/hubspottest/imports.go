package hubspottest

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Imports (CRM imports API).
//
// An import is a multipart/form-data POST: an importRequest field (the
// JSON that names the files and maps their columns to properties) and
// then one files part per file. The server reads the body as it arrives,
// a row at a time, checks every row, and then applies the rows that
// passed: a column marked HUBSPOT_ALTERNATE_ID (a unique property such as
// email) finds the record to update; otherwise a record is created, as
// the import's operation for the type allows. Rows that fail are kept as
// the import's errors, with their data. The import reports STARTED, then
// PROCESSING for the processing time (WithImportProcessingTime) on the
// server's clock, then DONE, or FAILED when no row could be imported. The
// records are written when the upload ends; cancelling a processing
// import marks it CANCELED and keeps them (the server does not undo).
//
// Limits (WithImportLimits): the number of files of one import, the
// bytes of one file and the rows of one file. A mapping to a property the
// type does not have is a 400 that names the property, the column and
// the file, before any row is read.

// ImportLimits bound what one import may carry.
type ImportLimits struct {
	// Files is the most files one import may have.
	Files int
	// FileBytes is the largest file, in bytes.
	FileBytes int64
	// Rows is the most rows (without the header) one file may have.
	Rows int
}

// DefaultImportLimits are the limits unless WithImportLimits says
// otherwise: HubSpot's import guide allows files of up to 512 MB and
// 1,048,576 rows; the two-file bound is the server's own.
var DefaultImportLimits = ImportLimits{Files: 2, FileBytes: 512 << 20, Rows: 1_048_576}

// WithImportLimits sets the import limits; every field must be positive.
func WithImportLimits(l ImportLimits) Option {
	return func(c *config) error {
		if l.Files < 1 || l.FileBytes < 1 || l.Rows < 1 {
			return fmt.Errorf("hubspottest: WithImportLimits(%+v): every limit must be positive", l)
		}
		c.importLimits = l
		return nil
	}
}

// WithImportProcessingTime sets how long, on the server's clock, an
// import reports PROCESSING before it is DONE or FAILED. Default: 1
// second; 0 finishes it at once. A negative duration is refused.
func WithImportProcessingTime(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("hubspottest: WithImportProcessingTime(%v): the time must not be negative", d)
		}
		c.importProcessing = d
		return nil
	}
}

// firstImportID is the first import ID the server hands out.
const firstImportID = 71_000_001

type importStore struct {
	next int64
	byID map[int64]*importRec
	ids  []int64 // ascending
}

type importRec struct {
	id        int64
	name      string
	created   time.Time
	canceled  time.Time
	typeIDs   []string
	request   json.RawMessage
	counters  map[string]int
	errs      []importErr
	imported  int
	fileNames []string
}

type importErr struct {
	id, errType, msg, value, objectType string
	line                                int
	row                                 []string
	fileIndex                           int
	at                                  time.Time
}

func (d *db) importsLocked() *importStore {
	st := &d.imports
	if st.byID == nil {
		st.byID = map[int64]*importRec{}
		st.next = firstImportID
	}
	return st
}

// ImportInfo is an import as the server holds it.
type ImportInfo struct {
	ID    string
	Name  string
	Files []string
	// Imported counts the rows written; Errors the rows that failed.
	Imported, Errors int
}

// Imports returns the imports started so far, oldest first.
func (s *Server) Imports() []ImportInfo {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.importsLocked()
	out := make([]ImportInfo, 0, len(st.ids))
	for _, id := range st.ids {
		im := st.byID[id]
		out = append(out, ImportInfo{ID: strconv.FormatInt(id, 10), Name: im.name, Files: slices.Clone(im.fileNames), Imported: im.imported, Errors: len(im.errs)})
	}
	return out
}

// importState returns im's state at now.
func (s *Server) importState(im *importRec, now time.Time) string {
	switch {
	case !im.canceled.IsZero():
		return "CANCELED"
	case now.Before(im.created.Add(s.cfg.importProcessing)):
		return "PROCESSING"
	case im.imported == 0 && len(im.errs) > 0:
		return "FAILED"
	}
	return "DONE"
}

func (s *Server) renderImport(im *importRec, state string) map[string]any {
	updated := im.created.Add(s.cfg.importProcessing)
	if !im.canceled.IsZero() {
		updated = im.canceled
	}
	counters := map[string]int{}
	for k, v := range im.counters {
		counters[k] = v
	}
	return map[string]any{
		"id": strconv.FormatInt(im.id, 10), "importName": im.name, "state": state, "importSource": "API",
		"optOutImport": false, "mappedObjectTypeIds": im.typeIDs, "importRequestJson": im.request,
		"createdAt": fmtTime(im.created), "updatedAt": fmtTime(updated),
		"metadata": map[string]any{"counters": counters, "fileIds": []string{}, "objectLists": []any{}},
	}
}

type importColumnIn struct {
	ColumnName         string `json:"columnName"`
	ColumnObjectTypeID string `json:"columnObjectTypeId"`
	PropertyName       string `json:"propertyName"`
	IDColumnType       string `json:"idColumnType"`
}

type importRequestIn struct {
	Name             string            `json:"name"`
	ImportOperations map[string]string `json:"importOperations"`
	DateFormat       string            `json:"dateFormat"`
	Files            []importFileIn    `json:"files"`
}

type importFileIn struct {
	FileName       string `json:"fileName"`
	FileFormat     string `json:"fileFormat"`
	FileImportPage struct {
		HasHeader      bool             `json:"hasHeader"`
		ColumnMappings []importColumnIn `json:"columnMappings"`
	} `json:"fileImportPage"`
}

// importRow is a row that passed its checks, waiting to be applied.
type importRow struct {
	objectType string
	props      map[string]string
	idProp     string // the alternate ID property that finds the record; "" to create
}

func (q *request) startImport() {
	bad := func(msg string, in string) {
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: in, Code: "INVALID_IMPORT"}))
	}
	mt, params, err := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		q.fail(&apiError{status: http.StatusUnsupportedMediaType, Message: "An import must be sent as multipart/form-data.", Category: catValidation})
		return
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		bad("The multipart body cannot be read.", "body")
		return
	}
	lim := q.s.cfg.importLimits
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "importRequest" {
		bad("The first part must be the importRequest field.", "importRequest")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(part, 1<<20))
	if err != nil {
		bad("The importRequest field cannot be read.", "importRequest")
		return
	}
	var in importRequestIn
	if err := json.Unmarshal(raw, &in); err != nil {
		bad("importRequest is not valid JSON: "+err.Error(), "importRequest")
		return
	}
	switch {
	case strings.TrimSpace(in.Name) == "":
		bad("importRequest: name is required.", "name")
		return
	case len(in.Files) == 0:
		bad("importRequest: files must name at least one file.", "files")
		return
	case len(in.Files) > lim.Files:
		bad(fmt.Sprintf("importRequest names %d files; an import may have at most %d.", len(in.Files), lim.Files), "files")
		return
	}
	switch in.DateFormat {
	case "", "MONTH_DAY_YEAR", "DAY_MONTH_YEAR", "YEAR_MONTH_DAY":
	default:
		bad(fmt.Sprintf("importRequest: unknown dateFormat %q.", in.DateFormat), "dateFormat")
		return
	}
	ops := map[string]string{} // canonical object type -> operation
	for tid, op := range in.ImportOperations {
		ot, ok := endpoints.LookupObjectType(tid)
		if !ok {
			bad(fmt.Sprintf("importRequest: importOperations names unknown object type %q.", tid), "importOperations")
			return
		}
		if op != "CREATE" && op != "UPDATE" && op != "UPSERT" {
			bad(fmt.Sprintf("importRequest: the operation for %s must be CREATE, UPDATE or UPSERT, got %q.", tid, op), "importOperations")
			return
		}
		ops[ot.Name] = op
	}
	// Check every mapping before reading a row.
	type column struct {
		objectType, prop string
		altID            bool
	}
	cols := make([][]column, len(in.Files))
	var typeIDs []string
	d := q.s.db
	d.mu.Lock()
	for i, f := range in.Files {
		if f.FileName == "" || slices.IndexFunc(in.Files[:i], func(g importFileIn) bool {
			return g.FileName == f.FileName
		}) >= 0 {
			d.mu.Unlock()
			bad(fmt.Sprintf("importRequest: files[%d] needs a fileName of its own.", i), "files")
			return
		}
		if f.FileFormat != "" && f.FileFormat != "CSV" {
			d.mu.Unlock()
			bad(fmt.Sprintf("hubspottest imports CSV files only, not %s (file %q).", f.FileFormat, f.FileName), "fileFormat")
			return
		}
		if len(f.FileImportPage.ColumnMappings) == 0 {
			d.mu.Unlock()
			bad(fmt.Sprintf("importRequest: file %q maps no columns.", f.FileName), "columnMappings")
			return
		}
		for _, m := range f.FileImportPage.ColumnMappings {
			ot, ok := endpoints.LookupObjectType(m.ColumnObjectTypeID)
			if !ok {
				d.mu.Unlock()
				bad(fmt.Sprintf("Column %q of file %q maps to unknown object type %q.", m.ColumnName, f.FileName, m.ColumnObjectTypeID), "columnObjectTypeId")
				return
			}
			if d.schemaLocked(ot.Name).live(m.PropertyName) == nil {
				d.mu.Unlock()
				msg := fmt.Sprintf("Column %q of file %q maps to property %q, which does not exist on %s.", m.ColumnName, f.FileName, m.PropertyName, ot.Name)
				q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: "columnMappings", Code: "PROPERTY_DOESNT_EXIST",
					Context: map[string][]string{"propertyName": {m.PropertyName}, "columnName": {m.ColumnName}}}))
				return
			}
			cols[i] = append(cols[i], column{objectType: ot.Name, prop: m.PropertyName, altID: m.IDColumnType == "HUBSPOT_ALTERNATE_ID"})
			if id := ot.ID; !slices.Contains(typeIDs, id) {
				typeIDs = append(typeIDs, id)
			}
		}
	}
	d.mu.Unlock()

	// Read the files, a row at a time.
	now := q.s.clock.Now()
	var rows []importRow
	var errs []importErr
	seen := map[int]bool{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad("The multipart body is malformed.", "files")
			return
		}
		if part.FormName() != "files" {
			bad(fmt.Sprintf("Unexpected form field %q.", part.FormName()), "files")
			return
		}
		fi := slices.IndexFunc(in.Files, func(f importFileIn) bool {
			return f.FileName == part.FileName()
		})
		if fi < 0 || seen[fi] {
			bad(fmt.Sprintf("The file part %q is not named in importRequest, or is sent twice.", part.FileName()), "files")
			return
		}
		seen[fi] = true
		lr := &io.LimitedReader{R: part, N: lim.FileBytes + 1}
		cr := csv.NewReader(lr)
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		line := 0
		header := in.Files[fi].FileImportPage.HasHeader
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			line++
			if lr.N <= 0 {
				bad(fmt.Sprintf("File %q is larger than %d bytes.", part.FileName(), lim.FileBytes), "files")
				return
			}
			if err != nil && !errors.Is(err, csv.ErrFieldCount) {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					errs = append(errs, importErr{errType: "COULD_NOT_PARSE_ROW", msg: fmt.Sprintf("Row %d cannot be parsed.", line), line: line, fileIndex: fi, at: now})
					continue
				}
				bad("File "+strconv.Quote(part.FileName())+" cannot be read.", "files")
				return
			}
			if header && line == 1 {
				continue
			}
			dataRows := line
			if header {
				dataRows--
			}
			if dataRows > lim.Rows {
				bad(fmt.Sprintf("File %q has more than %d rows.", part.FileName(), lim.Rows), "files")
				return
			}
			fc := cols[fi]
			if len(rec) != len(fc) {
				errs = append(errs, importErr{errType: "INCORRECT_NUMBER_OF_COLUMNS", msg: fmt.Sprintf("Row %d has %d columns; the file maps %d.", line, len(rec), len(fc)),
					line: line, row: slices.Clone(rec), fileIndex: fi, at: now})
				continue
			}
			// One record per object type the row maps.
			byType := map[string]*importRow{}
			var rowErr *importErr
			for j, c := range fc {
				v := rec[j]
				if c.prop == "email" && v != "" && !validEmail(v) {
					rowErr = &importErr{errType: "INVALID_EMAIL", msg: fmt.Sprintf("%q is not a valid email address.", v), value: v, objectType: c.objectType,
						line: line, row: slices.Clone(rec), fileIndex: fi, at: now}
					break
				}
				r := byType[c.objectType]
				if r == nil {
					r = &importRow{objectType: c.objectType, props: map[string]string{}}
					byType[c.objectType] = r
				}
				if v != "" {
					r.props[c.prop] = v
				}
				if c.altID {
					r.idProp = c.prop
				}
			}
			if rowErr != nil {
				errs = append(errs, *rowErr)
				continue
			}
			for _, c := range fc { // in column order, for a stable result
				if r := byType[c.objectType]; r != nil {
					rows = append(rows, *r)
					delete(byType, c.objectType)
				}
			}
		}
	}
	for i, f := range in.Files {
		if !seen[i] {
			bad(fmt.Sprintf("importRequest names file %q, which the body does not carry.", f.FileName), "files")
			return
		}
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	created, updated := 0, 0
	for _, r := range rows {
		op := ops[r.objectType]
		if op == "" {
			op = "UPSERT"
		}
		t := d.tableLocked(r.objectType)
		var existing *record
		if r.idProp != "" {
			if v := r.props[r.idProp]; v != "" {
				if id, ok := t.index[r.idProp][strings.ToLower(v)]; ok {
					existing = t.byID[id]
				} else {
					for _, id := range t.ids {
						if rec := t.byID[id]; !rec.archived && strings.EqualFold(rec.props[r.idProp], v) {
							existing = rec
							break
						}
					}
				}
			}
		}
		switch {
		case existing != nil && op == "CREATE":
			errs = append(errs, importErr{errType: "CREATE_ONLY_IMPORT", msg: fmt.Sprintf("A record with %s %s exists; the import only creates.", r.idProp, r.props[r.idProp]),
				value: r.props[r.idProp], objectType: r.objectType, at: now})
		case existing == nil && op == "UPDATE":
			errs = append(errs, importErr{errType: "UPDATE_ONLY_IMPORT", msg: "No record matches the row; the import only updates.", objectType: r.objectType, at: now})
		case existing != nil:
			d.updateLocked(t, existing, r.props, now)
			updated++
		default:
			d.insertLocked(t, r.props, now)
			created++
		}
	}
	st := d.importsLocked()
	im := &importRec{id: st.next, name: in.Name, created: now, typeIDs: typeIDs, request: raw, imported: created + updated}
	if im.typeIDs == nil {
		im.typeIDs = []string{}
	}
	for i, e := range errs {
		e.id = strconv.FormatInt(im.id, 10) + "-" + strconv.Itoa(i+1)
		if e.objectType == "" && len(cols[e.fileIndex]) > 0 {
			e.objectType = cols[e.fileIndex][0].objectType
		}
		errs[i] = e
	}
	im.errs = errs
	for _, f := range in.Files {
		im.fileNames = append(im.fileNames, f.FileName)
	}
	im.counters = map[string]int{"TOTAL_ROWS": created + updated + len(errs), "CREATED_OBJECTS": created, "UPDATED_OBJECTS": updated, "ERRORS": len(errs)}
	st.next++
	st.byID[im.id] = im
	st.ids = append(st.ids, im.id)
	q.reply(http.StatusOK, q.s.renderImport(im, "STARTED"))
}

func (q *request) findImportLocked() (*importRec, bool) {
	n, ok := q.idParam("importId")
	if !ok {
		return nil, false
	}
	im := q.s.db.importsLocked().byID[n]
	if im == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Import %d does not exist.", n), Category: catNotFound})
		return nil, false
	}
	return im, true
}

func (q *request) getImport() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if im, ok := q.findImportLocked(); ok {
		q.reply(http.StatusOK, q.s.renderImport(im, q.s.importState(im, q.s.clock.Now())))
	}
}

func (q *request) cancelImport() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	im, ok := q.findImportLocked()
	if !ok {
		return
	}
	now := q.s.clock.Now()
	if state := q.s.importState(im, now); state != "PROCESSING" {
		q.fail(validationError(q.corr, fmt.Sprintf("Import %d is %s; only a processing import can be canceled.", im.id, state),
			errorDetail{Message: "the import is not processing", In: "importId", Code: "INVALID_STATE"}))
		return
	}
	im.canceled = now
	q.reply(http.StatusOK, map[string]any{"status": "COMPLETE", "requestedAt": fmtTime(now), "startedAt": fmtTime(now), "completedAt": fmtTime(now), "links": map[string]string{}})
}

// importPage reads limit (default def, at most max) and after (an offset
// the server issued).
func (q *request) importPage(def, max int) (limit, after int, ok bool) {
	v := q.r.URL.Query()
	limit = def
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected 1 to %d.", s, max)))
			return 0, 0, false
		}
		limit = n
	}
	if s := v.Get("after"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter after: not a paging cursor this endpoint issued.", s)))
			return 0, 0, false
		}
		after = n
	}
	return limit, after, true
}

func (q *request) nextPage(end, total, limit int) *pagingOut {
	if end >= total {
		return nil
	}
	next := strconv.Itoa(end)
	nv := url.Values{"limit": {strconv.Itoa(limit)}, "after": {next}}
	return &pagingOut{Next: &nextOut{After: next, Link: q.s.URL() + q.r.URL.EscapedPath() + "?" + nv.Encode()}}
}

func (q *request) listImports() {
	limit, after, ok := q.importPage(100, 100)
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.importsLocked()
	now := q.s.clock.Now()
	results := []map[string]any{}
	end := min(after+limit, len(st.ids))
	for i := after; i < end; i++ {
		im := st.byID[st.ids[len(st.ids)-1-i]] // newest first
		results = append(results, q.s.renderImport(im, q.s.importState(im, now)))
	}
	out := map[string]any{"results": results}
	if p := q.nextPage(end, len(st.ids), limit); p != nil {
		out["paging"] = p
	}
	q.reply(http.StatusOK, out)
}

func (q *request) importErrors() {
	limit, after, ok := q.importPage(100, 500)
	if !ok {
		return
	}
	v := q.r.URL.Query()
	withMsg, withRow := v.Get("includeErrorMessage") == "true", v.Get("includeRowData") == "true"
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	im, ok := q.findImportLocked()
	if !ok {
		return
	}
	results := []map[string]any{}
	end := min(after+limit, len(im.errs))
	for _, e := range im.errs[min(after, end):end] {
		row := e.row
		if !withRow || row == nil {
			row = []string{}
		}
		m := map[string]any{"id": e.id, "errorType": e.errType, "createdAt": e.at.UnixMilli(), "objectType": importObjectType(e.objectType),
			"sourceData": map[string]any{"lineNumber": e.line, "rowData": row, "additionalRowData": []string{}, "fileId": e.fileIndex + 1, "containsEncryptedProperties": false}}
		if withMsg {
			m["errorMessage"] = e.msg
		}
		if e.value != "" {
			m["invalidValue"] = e.value
		}
		results = append(results, m)
	}
	out := map[string]any{"results": results}
	if p := q.nextPage(end, len(im.errs), limit); p != nil {
		out["paging"] = p
	}
	q.reply(http.StatusOK, out)
}

// importObjectType is HubSpot's name of an object type in import errors.
func importObjectType(t string) string {
	switch t {
	case "contacts":
		return "CONTACT"
	case "companies":
		return "COMPANY"
	case "deals":
		return "DEAL"
	case "tickets":
		return "TICKET"
	case "products":
		return "PRODUCT"
	case "line_items":
		return "LINE_ITEM"
	}
	return "UNKNOWN"
}
