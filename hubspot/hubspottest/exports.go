package hubspottest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Exports (CRM exports API).
//
// An export started with POST .../exports/export/async takes a snapshot of
// the IDs of the records it covers (a view: every live record of the type
// that passes the request's search filters; a list: the list's members)
// and then reports, on the server's clock, PENDING for the pending time,
// PROCESSING for the processing time (WithExportTiming), and then
// COMPLETE, with a download URL served by the same server. The URL carries
// a random token in its query (the journal records it redacted) and
// expires ExportURLLifetime after the export completes; it needs no
// bearer token. The file is a CSV of the requested
// properties, one row per record, generated as it is sent, so a large
// export costs the server no memory beyond its ID snapshot.

// ExportURLLifetime is how long an export's download URL works once the
// export is complete: the server's own figure for HubSpot's short-lived
// URLs.
const ExportURLLifetime = 5 * time.Minute

// DefaultExportRowLimit is the most records one export may cover unless
// WithExportRowLimit says otherwise. It is the server's own bound, not a
// documented HubSpot figure.
const DefaultExportRowLimit = 1_000_000

// exportFilesPath is the path under which the server serves export files.
const exportFilesPath = "/hubspottest/export-files/"

// firstExportID is the first export (and task) ID the server hands out.
const firstExportID = 54_000_001

// WithExportTiming sets how long, on the server's clock, an export
// reports PENDING and then PROCESSING before it is COMPLETE. Default: 1
// second each; 0 and 0 complete it at once. Negative durations are
// refused.
func WithExportTiming(pending, processing time.Duration) Option {
	return func(c *config) error {
		if pending < 0 || processing < 0 {
			return fmt.Errorf("hubspottest: WithExportTiming(%v, %v): the times must not be negative", pending, processing)
		}
		c.exportPending, c.exportProcessing = pending, processing
		return nil
	}
}

// WithExportRowLimit sets the most records one export may cover: a start
// that would cover more is answered 400 naming the limit. Default:
// DefaultExportRowLimit.
func WithExportRowLimit(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("hubspottest: WithExportRowLimit(%d): the limit must be positive", n)
		}
		c.exportRows = n
		return nil
	}
}

type exportStore struct {
	next int64
	byID map[int64]*exportRec
}

type exportRec struct {
	id         int64
	name       string
	exportType string // VIEW or LIST
	objectType string // canonical
	props      []string
	ids        []int64 // the records, in ID order, snapshot at start
	started    time.Time
	token      string // the download URL's token (hex)
	downloads  int
}

func (d *db) exportsLocked() *exportStore {
	st := &d.exports
	if st.byID == nil {
		st.byID = map[int64]*exportRec{}
		st.next = firstExportID
	}
	return st
}

// ExportInfo is an export as the server holds it.
type ExportInfo struct {
	ID         string
	Name       string
	ExportType string // VIEW or LIST
	ObjectType string
	Properties []string
	Records    int
	// Downloads counts the times its file was fetched.
	Downloads int
}

// Exports returns the exports started so far, oldest first.
func (s *Server) Exports() []ExportInfo {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.exportsLocked()
	ids := slices.Sorted(maps.Keys(st.byID))
	out := make([]ExportInfo, 0, len(ids))
	for _, id := range ids {
		e := st.byID[id]
		out = append(out, ExportInfo{ID: strconv.FormatInt(id, 10), Name: e.name, ExportType: e.exportType, ObjectType: e.objectType,
			Properties: slices.Clone(e.props), Records: len(e.ids), Downloads: e.downloads})
	}
	return out
}

// state returns the export's task status at now, and when it completed.
func (s *Server) exportState(e *exportRec, now time.Time) (string, time.Time) {
	pendingEnd := e.started.Add(s.cfg.exportPending)
	done := pendingEnd.Add(s.cfg.exportProcessing)
	switch {
	case now.Before(pendingEnd):
		return "PENDING", done
	case now.Before(done):
		return "PROCESSING", done
	}
	return "COMPLETE", done
}

type exportRequest struct {
	ExportType                  string   `json:"exportType"`
	ExportName                  string   `json:"exportName"`
	Format                      string   `json:"format"`
	Language                    string   `json:"language"`
	ObjectType                  string   `json:"objectType"`
	ObjectProperties            []string `json:"objectProperties"`
	AssociatedObjectType        []string `json:"associatedObjectType"`
	ExportInternalValuesOptions []string `json:"exportInternalValuesOptions"`
	ListID                      string   `json:"listId"`
	PublicCrmSearchRequest      *struct {
		FilterGroups []struct {
			Filters []searchFilter `json:"filters"`
		} `json:"filterGroups"`
		Query string `json:"query"`
	} `json:"publicCrmSearchRequest"`
}

func (q *request) startExport() {
	var in exportRequest
	if !q.decode(&in) {
		return
	}
	field := func(name, msg string) {
		q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: name, Code: "INVALID_INPUT"}))
	}
	switch {
	case in.ExportType != "VIEW" && in.ExportType != "LIST":
		field("exportType", fmt.Sprintf("exportType must be VIEW or LIST, got %q.", in.ExportType))
		return
	case in.ExportName == "":
		field("exportName", "exportName is required.")
		return
	case in.Format == "XLS" || in.Format == "XLSX":
		field("format", fmt.Sprintf("hubspottest serves CSV exports only, not %s.", in.Format))
		return
	case in.Format != "CSV":
		field("format", fmt.Sprintf("format must be one of CSV, XLS, XLSX, got %q.", in.Format))
		return
	case in.Language == "":
		field("language", "language is required.")
		return
	case len(in.ObjectProperties) == 0:
		field("objectProperties", "objectProperties must name at least one property.")
		return
	case in.ExportType == "LIST" && in.ListID == "":
		field("listId", "listId is required for a LIST export.")
		return
	}
	ot, ok := endpoints.LookupObjectType(in.ObjectType)
	if !ok {
		field("objectType", fmt.Sprintf("Unknown object type %q.", in.ObjectType))
		return
	}
	objectType := ot.Name
	var body searchBody
	if sr := in.PublicCrmSearchRequest; sr != nil {
		body.Query = sr.Query
		for _, g := range sr.FilterGroups {
			body.FilterGroups = append(body.FilterGroups, struct {
				Filters []searchFilter `json:"filters"`
			}{g.Filters})
		}
		// The search API's limits and filter checks.
		qs := *q
		qs.op, _ = endpoints.Lookup("crm.objects.search")
		if e := qs.checkSearch(&body, 0, 0); e != nil {
			q.fail(e)
			return
		}
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	for _, p := range in.ObjectProperties {
		if schema.live(p) == nil {
			q.fail(validationError(q.corr, fmt.Sprintf("Property %q does not exist on %s.", p, objectType),
				errorDetail{Message: fmt.Sprintf("Property %q does not exist", p), In: "objectProperties", Code: "PROPERTY_DOESNT_EXIST"}))
			return
		}
	}
	now := q.s.clock.Now()
	var ids []int64
	if in.ExportType == "LIST" {
		lid, err := strconv.ParseInt(in.ListID, 10, 64)
		l := d.listsLocked().byID[lid]
		if err != nil || l == nil || !l.deleted.IsZero() {
			q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("List %s does not exist.", in.ListID), Category: catNotFound})
			return
		}
		if l.objectType != objectType {
			field("objectType", fmt.Sprintf("List %s holds %s, not %s.", in.ListID, l.objectType, objectType))
			return
		}
		for id := range l.members {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	} else {
		t := d.tableLocked(objectType)
		for _, id := range t.ids {
			if r := t.byID[id]; !r.archived && matchesSearch(r, &body, objectType) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > q.s.cfg.exportRows {
		q.fail(validationError(q.corr, fmt.Sprintf("The export would cover %d records, more than the limit of %d.", len(ids), q.s.cfg.exportRows),
			errorDetail{Message: "too many records", Code: "EXPORT_TOO_LARGE"}))
		return
	}
	st := d.exportsLocked()
	var tok [32]byte
	_, _ = rand.Read(tok[:])
	e := &exportRec{id: st.next, name: in.ExportName, exportType: in.ExportType, objectType: objectType,
		props: slices.Clone(in.ObjectProperties), ids: ids, started: now, token: hex.EncodeToString(tok[:])}
	st.next++
	st.byID[e.id] = e
	id := strconv.FormatInt(e.id, 10)
	q.reply(http.StatusAccepted, map[string]any{"id": id, "links": map[string]string{
		"status": q.s.URL() + strings.Replace(q.r.URL.EscapedPath(), "/async", "/async/tasks/"+id+"/status", 1)}})
}

// findExportLocked finds the export of the path parameter name, answering
// 400 or 404.
func (q *request) findExportLocked(param string) (*exportRec, bool) {
	n, ok := q.idParam(param)
	if !ok {
		return nil, false
	}
	e := q.s.db.exportsLocked().byID[n]
	if e == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Export %d does not exist.", n), Category: catNotFound})
		return nil, false
	}
	return e, true
}

func (q *request) exportStatus() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := q.findExportLocked("taskId")
	if !ok {
		return
	}
	now := q.s.clock.Now()
	state, done := q.s.exportState(e, now)
	out := map[string]any{"status": state, "requestedAt": fmtTime(e.started), "startedAt": fmtTime(e.started),
		"completedAt": fmtTime(done), "links": map[string]string{}}
	if state == "COMPLETE" {
		if now.Before(done.Add(ExportURLLifetime)) {
			out["result"] = q.s.URL() + exportFilesPath + strconv.FormatInt(e.id, 10) + "?token=" + e.token
		}
		out["numErrors"] = 0
	}
	q.reply(http.StatusOK, out)
}

func (q *request) getExport() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := q.findExportLocked("exportId")
	if !ok {
		return
	}
	state, done := q.s.exportState(e, q.s.clock.Now())
	exportState := map[string]string{"PENDING": "ENQUEUED", "PROCESSING": "PROCESSING", "COMPLETE": "DONE"}[state]
	q.reply(http.StatusOK, map[string]any{"id": strconv.FormatInt(e.id, 10), "exportName": e.name, "exportType": e.exportType,
		"exportState": exportState, "objectType": e.objectType, "objectProperties": e.props, "recordCount": len(e.ids),
		"createdAt": fmtTime(e.started), "updatedAt": fmtTime(done)})
}

// serveExportFile serves an export's file at exportFilesPath: the token of
// the query must match and the URL must not have expired. It needs no
// bearer token. Every refusal is HubSpot's 404, which tells nothing.
func (s *Server) serveExportFile(x *exchange, r *http.Request) {
	notFound := func() { writeNotFound(x, r, x.corr, "") }
	if r.Method != http.MethodGet {
		notFound()
		return
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, exportFilesPath), 10, 64)
	if err != nil {
		notFound()
		return
	}
	d := s.db
	d.mu.Lock()
	e := d.exportsLocked().byID[id]
	var ok bool
	if e != nil {
		now := s.clock.Now()
		state, done := s.exportState(e, now)
		tok := r.URL.Query().Get("token")
		ok = state == "COMPLETE" && now.Before(done.Add(ExportURLLifetime)) && subtle.ConstantTimeCompare([]byte(tok), []byte(e.token)) == 1
		if ok {
			e.downloads++
		}
	}
	d.mu.Unlock()
	if !ok {
		notFound()
		return
	}
	x.entry.Note = "export file " + strconv.FormatInt(id, 10)
	x.Header().Set("Content-Type", "text/csv; charset=UTF-8")
	x.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "export-"+strconv.FormatInt(id, 10)+".csv"))
	x.WriteHeader(http.StatusOK)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(e.props) // e.props and e.ids never change after start
	row := make([]string, len(e.props))
	const chunk = 500
	for i := 0; i < len(e.ids); i += chunk {
		d.mu.Lock()
		t := d.tableLocked(e.objectType)
		for _, id := range e.ids[i:min(i+chunk, len(e.ids))] {
			rec := t.byID[id]
			if rec == nil {
				continue // purged since (a GDPR delete)
			}
			for j, p := range e.props {
				row[j] = rec.props[p]
			}
			_ = cw.Write(row)
		}
		d.mu.Unlock()
		cw.Flush()
		if _, err := x.Write(buf.Bytes()); err != nil {
			return
		}
		buf.Reset()
	}
	cw.Flush()
	_, _ = x.Write(buf.Bytes())
}
