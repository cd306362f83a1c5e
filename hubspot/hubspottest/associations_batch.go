package hubspottest

import (
	"fmt"
	"net/http"
	"strconv"
)

// The associations batch calls besides v4's read, create and archive:
// v4's batch default associations and batch label removal, and the v3
// batch API, whose association types are names ("contact_to_company").

// v4BatchAssociateDefault links each input pair with the pair's default
// (unlabeled) type, as the single create-default does, and answers both
// directions of each link.
func (q *request) v4BatchAssociateDefault(from, to string) {
	var body struct {
		Inputs []struct {
			From objectIDOut `json:"from"`
			To   objectIDOut `json:"to"`
		} `json:"inputs"`
	}
	if !q.decode(&body) {
		return
	}
	if n, limit := len(body.Inputs), limitsOf("crm.associations.v4.batch.create").Batch; n > limit {
		q.tooManyInputs(n, limit)
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.unlabeledTypeLocked(from, to)
	if !ok {
		e := validationError(q.corr, fmt.Sprintf("There is no default association type between %s and %s.", from, to))
		e.SubCategory = subInvalidAssocType
		q.fail(e)
		return
	}
	now := fmtTime(d.clock.Now())
	out := assocBatchOut{Status: "COMPLETE", StartedAt: now, CompletedAt: now}
	type result struct {
		From            objectIDOut  `json:"from"`
		To              objectIDOut  `json:"to"`
		AssociationSpec assocSpecOut `json:"associationSpec"`
	}
	results := []result{}
	for _, in := range body.Inputs {
		a, b, e := q.pairLocked(from, in.From.ID, to, in.To.ID)
		if e != nil {
			out.Errors = append(out.Errors, *e)
			continue
		}
		d.linkLocked(from, a, to, b, nil)
		results = append(results,
			result{in.From, in.To, assocSpecOut{catHubSpotDefined, u.id}},
			result{in.To, in.From, assocSpecOut{catHubSpotDefined, u.reverse}})
	}
	out.Results = results
	q.replyBatch(&out, http.StatusOK)
}

// pairLocked resolves both ends of one batch input, or returns the
// input's error.
func (q *request) pairLocked(from, fromID, to, toID string) (*record, *record, *batchError) {
	d := q.s.db
	fail := func(category, msg string) (*record, *record, *batchError) {
		return nil, nil, &batchError{Status: "error", Category: category, Message: msg,
			Context: map[string][]string{"fromObjectId": {fromID}, "toObjectId": {toID}}}
	}
	a, ok := d.liveLocked(from, fromID)
	if !ok {
		return fail(catNotFound, fmt.Sprintf("No %s with ID %s exists.", singular(from), fromID))
	}
	b, ok := d.liveLocked(to, toID)
	if !ok {
		return fail(catNotFound, fmt.Sprintf("No %s with ID %s exists.", singular(to), toID))
	}
	if from == to && a.id == b.id {
		return fail(catValidation, fmt.Sprintf("A %s cannot be associated with itself.", singular(from)))
	}
	return a, b, nil
}

// replyBatch answers a batch with okStatus, or 207 when it has errors.
func (q *request) replyBatch(out *assocBatchOut, okStatus int) {
	if len(out.Errors) > 0 {
		out.NumErrors = len(out.Errors)
		okStatus = http.StatusMultiStatus
	}
	q.reply(okStatus, out)
}

// unlinkTypesLocked removes the association types of types (and their
// reverses) between a and b; the link stays while other types remain.
func unlinkTypesLocked(at string, a *record, bt string, b *record, types []v4Type) {
	for _, t := range types {
		dropType(a, bt, b.id, t.id)
		dropType(b, at, a.id, t.reverse)
	}
}

// v4BatchArchiveLabels removes the given association types from each
// input pair, leaving the pair's other types (its default link among
// them) in place. Unknown records and types not set are skipped.
func (q *request) v4BatchArchiveLabels(from, to string) {
	var body struct {
		Inputs []struct {
			From  objectIDOut   `json:"from"`
			To    objectIDOut   `json:"to"`
			Types []assocSpecIn `json:"types"`
		} `json:"inputs"`
	}
	if !q.decode(&body) {
		return
	}
	if n, limit := len(body.Inputs), limitsOf("crm.associations.v4.batch.archive").Batch; n > limit {
		q.tooManyInputs(n, limit)
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	type change struct {
		a, b  *record
		types []v4Type
	}
	var plan []change
	for i, in := range body.Inputs {
		types, msg := d.resolveTypesLocked(from, to, in.Types)
		if msg != "" || len(in.Types) == 0 {
			if msg == "" {
				msg = "At least one association type is required."
			}
			e := validationError(q.corr, fmt.Sprintf("inputs[%d]: %s", i, msg))
			e.SubCategory = subInvalidAssocType
			q.fail(e)
			return
		}
		a, okA := d.tableLocked(from).find(in.From.ID, "")
		b, okB := d.tableLocked(to).find(in.To.ID, "")
		if okA && okB {
			plan = append(plan, change{a, b, types})
		}
	}
	for _, c := range plan {
		unlinkTypesLocked(from, c.a, to, c.b, c.types)
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// v3 associations.

// v3Association is a v3 link: two records and a type name.
type v3Association struct {
	From objectIDOut `json:"from"`
	To   objectIDOut `json:"to"`
	Type string      `json:"type"`
}

// v3TypeLocked resolves a v3 association type: HubSpot's name of a
// HUBSPOT_DEFINED type ("contact_to_company", or with "_unlabeled" for the
// default type of a pair that also has a primary one), or a type ID.
func (d *db) v3TypeLocked(from, to, name string) (v4Type, bool) {
	for _, t := range d.assocTypesLocked(from, to) {
		if name == v3Name(from, to, t) || name == strconv.Itoa(t.id) {
			return t, true
		}
	}
	return v4Type{}, false
}

// v3Name is a type's v3 name: HubSpot's for its own types, the ID for a
// label.
func v3Name(from, to string, t v4Type) string {
	if t.category == catHubSpotDefined && (t.label == "" || t.primary) {
		return assocLabel(from, to, t.id)
	}
	return strconv.Itoa(t.id)
}

func (q *request) decodeV3Batch() ([]v3Association, bool) {
	var body struct {
		Inputs []v3Association `json:"inputs"`
	}
	if !q.decode(&body) {
		return nil, false
	}
	if n, limit := len(body.Inputs), limitsOf("crm.associations.v4.batch.create").Batch; n > limit {
		q.tooManyInputs(n, limit)
		return nil, false
	}
	return body.Inputs, true
}

// v3BatchCreate links each input pair with its named type (201, or 207
// with the inputs that failed).
func (q *request) v3BatchCreate(from, to string) {
	inputs, ok := q.decodeV3Batch()
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	now := fmtTime(d.clock.Now())
	out := assocBatchOut{Status: "COMPLETE", StartedAt: now, CompletedAt: now}
	results := []v3Association{}
	for _, in := range inputs {
		a, b, e := q.pairLocked(from, in.From.ID, to, in.To.ID)
		if e == nil {
			t, ok := d.v3TypeLocked(from, to, in.Type)
			if !ok {
				e = &batchError{Status: "error", Category: catValidation, SubCategory: subInvalidAssocType,
					Message: fmt.Sprintf("%q is not a valid association type between %s and %s.", in.Type, from, to),
					Context: map[string][]string{"type": {in.Type}}}
			} else {
				d.linkLocked(from, a, to, b, []v4Type{t})
				results = append(results, v3Association{in.From, in.To, v3Name(from, to, t)})
				continue
			}
		}
		out.Errors = append(out.Errors, *e)
	}
	out.Results = results
	q.replyBatch(&out, http.StatusCreated)
}

// v3BatchRead answers each record's links to toObjectType, one entry per
// linked record and type; a record with none (or that does not exist) is
// an error, as in v4.
func (q *request) v3BatchRead(from, to string) {
	var body struct {
		Inputs []objectIDOut `json:"inputs"`
	}
	if !q.decode(&body) {
		return
	}
	if n, limit := len(body.Inputs), limitsOf("crm.associations.v4.batch.read").Batch; n > limit {
		q.tooManyInputs(n, limit)
		return
	}
	type associatedID struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	type result struct {
		From objectIDOut    `json:"from"`
		To   []associatedID `json:"to"`
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	now := fmtTime(d.clock.Now())
	out := assocBatchOut{Status: "COMPLETE", StartedAt: now, CompletedAt: now}
	results := []result{}
	for _, in := range body.Inputs {
		r, found := d.liveLocked(from, in.ID)
		var ids []int64
		if found {
			ids = d.liveTargetsLocked(r, to)
		}
		if len(ids) == 0 {
			out.Errors = append(out.Errors, batchError{Status: "error", Category: catNotFound, SubCategory: subNoAssociations,
				Message: fmt.Sprintf("No %s is associated with %s %s.", singular(to), singular(from), in.ID),
				Context: map[string][]string{"fromObjectId": {in.ID}}})
			continue
		}
		res := result{From: in, To: []associatedID{}}
		for _, id := range ids {
			for _, tid := range r.assoc[to][id] {
				t, ok := d.assocTypeLocked(from, to, tid)
				if !ok {
					t = v4Type{category: catUserDefined, id: tid}
				}
				res.To = append(res.To, associatedID{strconv.FormatInt(id, 10), v3Name(from, to, t)})
			}
		}
		results = append(results, res)
	}
	out.Results = results
	q.replyBatch(&out, http.StatusOK)
}

// v3BatchArchive removes each input's named type from the pair (204);
// unknown records and types not set are skipped.
func (q *request) v3BatchArchive(from, to string) {
	inputs, ok := q.decodeV3Batch()
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, in := range inputs {
		if _, ok := d.v3TypeLocked(from, to, in.Type); !ok {
			e := validationError(q.corr, fmt.Sprintf("inputs[%d]: %q is not a valid association type between %s and %s.", i, in.Type, from, to))
			e.SubCategory = subInvalidAssocType
			q.fail(e)
			return
		}
	}
	for _, in := range inputs {
		t, _ := d.v3TypeLocked(from, to, in.Type)
		a, okA := d.tableLocked(from).find(in.From.ID, "")
		b, okB := d.tableLocked(to).find(in.To.ID, "")
		if okA && okB {
			unlinkTypesLocked(from, a, to, b, []v4Type{t})
		}
	}
	q.w.WriteHeader(http.StatusNoContent)
}
