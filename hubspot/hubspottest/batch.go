package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// MaxBatchInputs is the most inputs a batch call may carry.
const MaxBatchInputs = 100

// MaxBatchHistoryInputs is the most inputs a batch read may carry when it
// asks for property history (propertiesWithHistory).
const MaxBatchHistoryInputs = 50

type batchBody struct {
	Inputs                []objectInput `json:"inputs"`
	Properties            []string      `json:"properties"`
	PropertiesWithHistory []string      `json:"propertiesWithHistory"`
	IDProperty            string        `json:"idProperty"`
}

// batchError is one entry of a batch answer's errors[] (HubSpot's
// StandardError, whose context, errors and links are always present).
type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Errors      []errorDetail       `json:"errors"`
	Context     map[string][]string `json:"context"`
	httpStatus  int
}

// MarshalJSON writes e with an empty context, errors and links where it
// has none.
func (e batchError) MarshalJSON() ([]byte, error) {
	type plain batchError
	p := plain(e)
	if p.Context == nil {
		p.Context = map[string][]string{}
	}
	if p.Errors == nil {
		p.Errors = []errorDetail{}
	}
	return json.Marshal(struct {
		plain
		Links map[string]string `json:"links"`
	}{p, map[string]string{}})
}

type batchOut struct {
	Status      string       `json:"status"`
	Results     []objectOut  `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

// typeLabel is how HubSpot names an object type in batch messages:
// "CONTACT", "LINE_ITEM", or the custom type as given.
func typeLabel(objectType string) string {
	if t, ok := endpoints.LookupObjectType(objectType); ok && t.Singular != "" {
		return strings.ToUpper(t.Singular)
	}
	return objectType
}

func (q *request) batch(kind string) {
	var b batchBody
	if !q.decode(&b) {
		return
	}
	if n, limit := len(b.Inputs), q.op.Limits.Batch; n > limit {
		q.fail(validationError(q.corr, fmt.Sprintf("Batch input of %d exceeds the maximum of %d inputs.", n, limit),
			errorDetail{Message: fmt.Sprintf("inputs has %d entries; at most %d are allowed", n, limit), Code: "TOO_MANY_INPUTS", In: "inputs"}))
		return
	}
	if n, limit := len(b.Inputs), q.op.Limits.HistoryBatch; kind == "read" && len(b.PropertiesWithHistory) > 0 && limit > 0 && n > limit {
		// HubSpot's own words for this limit.
		q.fail(validationError(q.corr, fmt.Sprintf("The maximum number of inputs supported in a batch request for property histories is %d. Please reduce the number of items and try again", limit)))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tableLocked(q.objectType)
	now := fmtTime(d.clock.Now())
	out := batchOut{Status: "COMPLETE", Results: []objectOut{}, StartedAt: now, CompletedAt: now}
	var okStatus int
	switch kind {
	case "read":
		okStatus = http.StatusOK
		if !q.batchRead(t, &b, &out) {
			return
		}
	case "create":
		okStatus = http.StatusCreated
		if !q.batchCreate(t, &b, &out) {
			return
		}
	case "update":
		okStatus = http.StatusOK
		if !q.batchUpdate(t, &b, &out) {
			return
		}
	case "upsert":
		okStatus = http.StatusOK
		if !q.batchUpsert(t, &b, &out) {
			return
		}
	case "archive":
		for _, in := range b.Inputs {
			if r, ok := t.find(in.ID, ""); ok {
				d.archiveLocked(t, r, d.clock.Now())
			}
		}
		q.w.WriteHeader(http.StatusNoContent)
		return
	}
	status := okStatus
	if len(out.Errors) > 0 {
		status = http.StatusMultiStatus
		out.NumErrors = len(out.Errors)
	}
	q.reply(status, out)
}

func (q *request) batchRead(t *table, b *batchBody, out *batchOut) bool {
	archived, ok := q.boolParam(q.r.URL.Query(), "archived")
	if !ok || !q.checkIDProperty(t, b.IDProperty) {
		return false
	}
	o := readOpts{props: b.Properties, history: b.PropertiesWithHistory}
	if len(o.props) == 0 {
		o.props = nil
	}
	var missing []string
	seen := map[int64]bool{}
	for _, in := range b.Inputs {
		r, found := t.find(in.ID, b.IDProperty)
		if !found || r.archived != archived {
			if !slices.Contains(missing, in.ID) {
				missing = append(missing, in.ID)
			}
			continue
		}
		if seen[r.id] {
			continue
		}
		seen[r.id] = true
		out.Results = append(out.Results, q.render(r, o))
	}
	if len(missing) > 0 {
		out.Errors = append(out.Errors, batchError{
			Status:   "error",
			Category: catNotFound,
			Message:  fmt.Sprintf("Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.", typeLabel(q.objectType)),
			Context:  map[string][]string{"ids": missing},
		})
	}
	return true
}

// inputError is what went wrong with one batch input.
type inputError struct {
	index int
	trace string
	e     *apiError
}

func (ie inputError) batchError() batchError {
	be := batchError{Status: "error", Category: ie.e.Category, SubCategory: ie.e.SubCategory, Message: ie.e.Message, Errors: ie.e.Errors, httpStatus: ie.e.status}
	if ie.trace != "" {
		be.Context = map[string][]string{"objectWriteTraceId": {ie.trace}}
	}
	return be
}

// settle applies the rule for invalid write inputs: when every failing
// input carries an objectWriteTraceId the batch succeeds in part (207,
// each error naming its trace ID); otherwise nothing is written and the
// call fails as a whole with the first error's status, every problem
// listed in errors[]. It reports whether the valid inputs may be written.
func (q *request) settle(errs []inputError, inputs int, out *batchOut) bool {
	if len(errs) == 0 {
		return true
	}
	partial := true
	for _, e := range errs {
		if e.trace == "" {
			partial = false
		}
	}
	if partial {
		for _, e := range errs {
			out.Errors = append(out.Errors, e.batchError())
		}
		return true
	}
	first := errs[0].e
	whole := &apiError{status: first.status, Category: first.Category, Message: first.Message}
	if len(errs) > 1 {
		whole.Message = fmt.Sprintf("%d of %d inputs are invalid; the first: %s", len(errs), inputs, first.Message)
	}
	for _, e := range errs {
		whole.Errors = append(whole.Errors, errorDetail{
			Message: e.e.Message,
			Code:    e.e.Category,
			In:      fmt.Sprintf("inputs[%d]", e.index),
		})
	}
	q.fail(whole)
	return false
}

// validateInput checks one input's properties and unique values against
// stored objects and against values claimed earlier in the same batch.
func (q *request) validateInput(t *table, in objectInput, self int64, claimed map[string]map[string]int64) (map[string]string, *apiError) {
	props, perrs := q.propertyValues(in.Properties, self == 0)
	if len(perrs) > 0 {
		return nil, propValidationError(q.corr, perrs)
	}
	if prop, id, ok := t.conflict(props, self); ok {
		return nil, conflictError(q.corr, q.objectType, prop, id)
	}
	for _, p := range t.unique {
		v := strings.ToLower(props[p])
		if v == "" {
			continue
		}
		if claimed[p] == nil {
			claimed[p] = map[string]int64{}
		}
		if other, dup := claimed[p][v]; dup && other != self {
			e := conflictError(q.corr, q.objectType, p, other)
			if other < 0 {
				e.Message = fmt.Sprintf("Another input in this batch already sets %s to %s.", p, props[p])
			}
			return nil, e
		}
		claimed[p][v] = self
	}
	return props, nil
}

func (q *request) batchCreate(t *table, b *batchBody, out *batchOut) bool {
	d := q.s.db
	type planned struct {
		in    objectInput
		props map[string]string
		links []func(*record)
	}
	var plan []planned
	var errs []inputError
	claimed := map[string]map[string]int64{}
	for i, in := range b.Inputs {
		// Inputs not yet created claim unique values with a negative id.
		props, e := q.validateInput(t, in, int64(-1-i), claimed)
		var links []func(*record)
		if e == nil {
			links, e = q.resolveAssociations(in.Associations)
		}
		if e != nil {
			errs = append(errs, inputError{i, in.ObjectWriteTraceID, e})
			continue
		}
		plan = append(plan, planned{in, props, links})
	}
	if !q.settle(errs, len(b.Inputs), out) {
		return false
	}
	now := d.clock.Now()
	for _, p := range plan {
		r := d.insertLocked(t, p.props, now)
		for _, l := range p.links {
			l(r)
		}
		o := q.renderSet(r)
		o.ObjectWriteTraceID = p.in.ObjectWriteTraceID
		out.Results = append(out.Results, o)
	}
	return true
}

// duplicateIDs answers 400 when an ID appears twice in the inputs.
func (q *request) duplicateIDs(b *batchBody) bool {
	seen := map[string]bool{}
	var dups []string
	for _, in := range b.Inputs {
		key := strings.ToLower(in.ID)
		if seen[key] && !slices.Contains(dups, in.ID) {
			dups = append(dups, in.ID)
		}
		seen[key] = true
	}
	if len(dups) == 0 {
		return false
	}
	q.fail(validationError(q.corr, fmt.Sprintf("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", "))))
	return true
}

func (q *request) batchUpdate(t *table, b *batchBody, out *batchOut) bool {
	if q.duplicateIDs(b) {
		return false
	}
	d := q.s.db
	type planned struct {
		in    objectInput
		r     *record
		props map[string]string
	}
	var plan []planned
	var errs []inputError
	var missing []string
	claimed := map[string]map[string]int64{}
	for i, in := range b.Inputs {
		idProp := in.IDProperty
		if idProp == "" {
			idProp = b.IDProperty
		}
		if idProp == "hs_object_id" { // the record ID goes in id, without an idProperty
			q.fail(q.nonUniqueIDProperty(fmt.Sprintf("inputs[%d].idProperty", i), idProp))
			return false
		}
		if !q.checkIDProperty(t, idProp) {
			return false
		}
		r, found := t.find(in.ID, idProp)
		if !found || r.archived {
			missing = append(missing, in.ID)
			continue
		}
		props, e := q.validateInput(t, in, r.id, claimed)
		if e != nil {
			errs = append(errs, inputError{i, in.ObjectWriteTraceID, e})
			continue
		}
		plan = append(plan, planned{in, r, props})
	}
	if !q.settle(errs, len(b.Inputs), out) {
		return false
	}
	if len(missing) > 0 {
		out.Errors = append(out.Errors, batchError{
			Status:   "error",
			Category: catNotFound,
			Message:  fmt.Sprintf("Could not update some %s objects, they may be deleted or not exist. Check that ids are valid.", typeLabel(q.objectType)),
			Context:  map[string][]string{"ids": missing},
		})
	}
	now := d.clock.Now()
	for _, p := range plan {
		d.updateLocked(t, p.r, p.props, now)
		o := q.renderSet(p.r)
		o.ObjectWriteTraceID = p.in.ObjectWriteTraceID
		out.Results = append(out.Results, o)
	}
	return true
}

func (q *request) batchUpsert(t *table, b *batchBody, out *batchOut) bool {
	if q.duplicateIDs(b) {
		return false
	}
	d := q.s.db
	type planned struct {
		in    objectInput
		r     *record // nil: create
		props map[string]string
	}
	var plan []planned
	var errs []inputError
	claimed := map[string]map[string]int64{}
	for i, in := range b.Inputs {
		idProp := in.IDProperty
		if idProp == "" {
			idProp = b.IDProperty
		}
		switch {
		case idProp == "":
			q.fail(validationError(q.corr, fmt.Sprintf("inputs[%d]: upsert needs an idProperty, a unique property of %s: HubSpot upserts by unique property value, never by record ID.", i, q.objectType),
				errorDetail{Message: "idProperty is required", Code: "INVALID_ID_PROPERTY", In: fmt.Sprintf("inputs[%d].idProperty", i)}))
			return false
		case idProp == "hs_object_id" || !t.isUnique(idProp):
			q.fail(q.nonUniqueIDProperty(fmt.Sprintf("inputs[%d].idProperty", i), idProp))
			return false
		}
		if in.ID == "" {
			errs = append(errs, inputError{i, in.ObjectWriteTraceID, validationError(q.corr, fmt.Sprintf("inputs[%d]: id is required", i))})
			continue
		}
		if in.Properties == nil {
			in.Properties = map[string]jsonRaw{}
		}
		r, found := t.byUnique(idProp, in.ID)
		self := int64(-1 - i)
		if found {
			self = r.id
		}
		raw := map[string]jsonRaw{}
		for k, v := range in.Properties {
			raw[k] = v
		}
		raw[idProp] = quoteJSON(in.ID)
		in2 := in
		in2.Properties = raw
		props, e := q.validateInput(t, in2, self, claimed)
		if e != nil {
			errs = append(errs, inputError{i, in.ObjectWriteTraceID, e})
			continue
		}
		if !found {
			r = nil
		}
		plan = append(plan, planned{in, r, props})
	}
	if !q.settle(errs, len(b.Inputs), out) {
		return false
	}
	now := d.clock.Now()
	for _, p := range plan {
		r, created := p.r, p.r == nil
		if created {
			r = d.insertLocked(t, p.props, now)
		} else {
			d.updateLocked(t, r, p.props, now)
		}
		o := q.renderSet(r)
		o.ObjectWriteTraceID = p.in.ObjectWriteTraceID
		o.New = &created
		out.Results = append(out.Results, o)
	}
	return true
}

func quoteJSON(s string) jsonRaw {
	b, _ := json.Marshal(s)
	return b
}
