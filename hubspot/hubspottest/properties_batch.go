package hubspottest

import (
	"fmt"
	"net/http"
)

// The properties API's batch calls: create, read and archive several
// properties of one object type at once.

// propertyBatchOut is the answer of a properties batch call.
type propertyBatchOut struct {
	Status      string        `json:"status"`
	Results     []propertyOut `json:"results"`
	NumErrors   int           `json:"numErrors,omitempty"`
	Errors      []batchError  `json:"errors,omitempty"`
	StartedAt   string        `json:"startedAt"`
	CompletedAt string        `json:"completedAt"`
}

// reply answers a batch with okStatus, or 207 when some inputs failed.
func (out *propertyBatchOut) reply(q *request, okStatus int) {
	if len(out.Errors) > 0 {
		out.NumErrors = len(out.Errors)
		okStatus = http.StatusMultiStatus
	}
	q.reply(okStatus, out)
}

func (q *request) newPropertyBatchOut() *propertyBatchOut {
	now := fmtTime(q.s.clock.Now())
	return &propertyBatchOut{Status: "COMPLETE", Results: []propertyOut{}, StartedAt: now, CompletedAt: now}
}

// batchCreateProperties creates each input as createProperty would; an
// input that fails is reported in errors[] (207) and the others are made.
func (q *request) batchCreateProperties(objectType string) {
	var in struct {
		Inputs []propertyIn `json:"inputs"`
	}
	if !q.decode(&in) {
		return
	}
	if len(in.Inputs) == 0 {
		q.fail(missingFields(q.corr, "batch", []string{"inputs"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	out := q.newPropertyBatchOut()
	for i, p := range in.Inputs {
		made, e := q.newPropertyLocked(objectType, p)
		if e != nil {
			name := ""
			if p.Name != nil {
				name = *p.Name
			}
			out.Errors = append(out.Errors, batchError{Status: "error", Category: e.Category, Message: fmt.Sprintf("inputs[%d]: %s", i, e.Message),
				Errors: e.Errors, Context: map[string][]string{"name": {name}}, httpStatus: e.status})
			continue
		}
		out.Results = append(out.Results, made.clone())
	}
	out.reply(q, http.StatusCreated)
}

// propertyNames is the body of a properties batch read or archive.
type propertyNames struct {
	Archived bool `json:"archived"`
	Inputs   []struct {
		Name string `json:"name"`
	} `json:"inputs"`
}

// batchReadProperties returns the named properties, archived ones when
// archived is true; names it does not find are one error (207).
func (q *request) batchReadProperties(objectType string) {
	var in propertyNames
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	out := q.newPropertyBatchOut()
	var missing []string
	seen := map[string]bool{}
	for _, x := range in.Inputs {
		p := schema.prop(x.Name)
		if p == nil || p.Archived != in.Archived {
			missing = append(missing, x.Name)
			continue
		}
		if !seen[p.Name] {
			seen[p.Name] = true
			out.Results = append(out.Results, p.clone())
		}
	}
	if len(missing) > 0 {
		out.Errors = append(out.Errors, batchError{Status: "error", Category: catNotFound,
			Message: fmt.Sprintf("Unable to find some properties of object type %s.", typeID(objectType)),
			Context: map[string][]string{"names": missing}})
	}
	out.reply(q, http.StatusOK)
}

// batchArchiveProperties archives the named properties. Names the type
// does not have, or has archived, are skipped; a HubSpot-defined property
// refuses the whole call (400) and nothing is archived.
func (q *request) batchArchiveProperties(objectType string) {
	var in propertyNames
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	schema := d.schemaLocked(objectType)
	var archive []*propertyOut
	for _, x := range in.Inputs {
		p := schema.live(x.Name)
		if p == nil {
			continue
		}
		if !p.ModificationMetadata.Archivable {
			q.fail(validationError(q.corr, fmt.Sprintf("Property '%s' is defined by HubSpot and cannot be archived.", p.Name)))
			return
		}
		archive = append(archive, p)
	}
	now := fmtTime(d.clock.Now())
	for _, p := range archive {
		p.Archived, p.ArchivedAt, p.UpdatedAt = true, now, now
	}
	q.w.WriteHeader(http.StatusNoContent)
}
