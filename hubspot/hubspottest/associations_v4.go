package hubspottest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Limits of the associations v4 API, as HubSpot documents them.
const (
	// MaxAssociationBatchRead is the most inputs a v4 batch read may carry.
	MaxAssociationBatchRead = 1000
	// MaxAssociationBatchCreate is the most inputs a v4 batch create may
	// carry.
	MaxAssociationBatchCreate = 2000
	// MaxAssociationBatchArchive is the most inputs a v4 batch archive may
	// carry.
	MaxAssociationBatchArchive = 2000
	// AssociationPageSize is the most associated records one v4 list page
	// (and one batch read result) holds; more are paged with a cursor.
	AssociationPageSize = 500
)

// firstLabelTypeID is the first association type ID handed to a
// user-defined label: above every HubSpot-defined ID, so that a stored
// link's type ID alone says which it is.
const firstLabelTypeID = 1001

const (
	subNoAssociations   = "crm.associations.NO_ASSOCIATIONS_FOUND"
	subInvalidID        = "crm.associations.INVALID_IDENTIFIER"
	subInvalidAssocType = "crm.associations.INVALID_ASSOCIATION_TYPE"
)

// v4Type is an association type from one object type to another.
type v4Type struct {
	category  string
	id        int
	from, to  string
	reverse   int
	label     string // "" for an unlabeled type
	primary   bool
	unlabeled bool // the pair's default type
}

// userLabel is an association label created through the labels API.
type userLabel struct {
	id       int
	from, to string
	name     string
	label    string
	reverse  int
}

// labelStore holds user-defined association labels; the db lock guards it.
type labelStore struct {
	next int
	byID map[int]*userLabel
}

func (d *db) labelsLocked() *labelStore {
	if d.labels == nil {
		d.labels = &labelStore{next: firstLabelTypeID, byID: map[int]*userLabel{}}
	}
	return d.labels
}

// assocTypesLocked lists every type defined from one object type to
// another: HubSpot's, by type ID, then the account's labels.
func (d *db) assocTypesLocked(from, to string) []v4Type {
	var out []v4Type
	for _, a := range endpoints.AssociationTypes() {
		if a.From == from && a.To == to {
			out = append(out, v4Type{category: catHubSpotDefined, id: a.ID, from: from, to: to, reverse: a.Reverse,
				label: a.Label, primary: a.Primary, unlabeled: a.Label == ""})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	var users []v4Type
	for _, l := range d.labelsLocked().byID {
		if l.from == from && l.to == to {
			users = append(users, v4Type{category: catUserDefined, id: l.id, from: from, to: to, reverse: l.reverse, label: l.label})
		}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].id < users[j].id })
	return append(out, users...)
}

func (d *db) assocTypeLocked(from, to string, id int) (v4Type, bool) {
	for _, t := range d.assocTypesLocked(from, to) {
		if t.id == id {
			return t, true
		}
	}
	return v4Type{}, false
}

func (d *db) unlabeledTypeLocked(from, to string) (v4Type, bool) {
	for _, t := range d.assocTypesLocked(from, to) {
		if t.unlabeled {
			return t, true
		}
	}
	return v4Type{}, false
}

const (
	catHubSpotDefined = "HUBSPOT_DEFINED"
	catUserDefined    = "USER_DEFINED"
)

// liveLocked returns the live record of objectType with the given ID.
func (d *db) liveLocked(objectType, id string) (*record, bool) {
	r, ok := d.tableLocked(objectType).find(id, "")
	return r, ok && !r.archived
}

// linkLocked links a (of type at) to b (of type bt) with each of types and
// their reverses, plus the pair's unlabeled type, as HubSpot does. A
// primary type stays exclusive: a record has one primary company.
func (d *db) linkLocked(at string, a *record, bt string, b *record, types []v4Type) {
	if u, ok := d.unlabeledTypeLocked(at, bt); ok {
		associate(at, a, bt, b, u.id, u.reverse)
	}
	for _, t := range types {
		associate(at, a, bt, b, t.id, t.reverse)
		if !t.primary {
			continue
		}
		// The record whose type points at companies has one primary.
		owner, ownerType, id, other, otherType, rev := a, at, t.id, b, bt, t.reverse
		if at == "companies" {
			owner, ownerType, id, other, otherType, rev = b, bt, t.reverse, a, at, t.id
		}
		for cid, ids := range owner.assoc[otherType] {
			if cid == other.id || !slices.Contains(ids, id) {
				continue
			}
			dropType(owner, otherType, cid, id)
			if c := d.tableLocked(otherType).byID[cid]; c != nil {
				dropType(c, ownerType, owner.id, rev)
			}
		}
	}
}

// unlinkLocked removes every association between a and b, both ways.
func unlinkLocked(at string, a *record, bt string, b *record) {
	if a.assoc != nil && a.assoc[bt] != nil {
		delete(a.assoc[bt], b.id)
	}
	if b.assoc != nil && b.assoc[at] != nil {
		delete(b.assoc[at], a.id)
	}
}

func dropType(r *record, toType string, to int64, id int) {
	ids := r.assoc[toType][to]
	i := slices.Index(ids, id)
	if i < 0 {
		return
	}
	ids = slices.Delete(ids, i, i+1)
	if len(ids) == 0 {
		delete(r.assoc[toType], to)
		return
	}
	r.assoc[toType][to] = ids
}

// liveTargetsLocked returns the IDs of the live records of toType linked
// to r, ascending.
func (d *db) liveTargetsLocked(r *record, toType string) []int64 {
	t := d.tableLocked(toType)
	var out []int64
	for id, types := range r.assoc[toType] {
		if len(types) == 0 {
			continue
		}
		if o := t.byID[id]; o != nil && !o.archived {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// JSON shapes of the v4 API.

type assocTypeOut struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

type assocTargetOut struct {
	ToObjectID       int64          `json:"toObjectId"`
	AssociationTypes []assocTypeOut `json:"associationTypes"`
}

type objectIDOut struct {
	ID string `json:"id"`
}

type labelsBetweenOut struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     int64    `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       int64    `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

type assocSpecOut struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

type assocBatchOut struct {
	Status      string       `json:"status"`
	Results     any          `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

func (o v4Type) out() assocTypeOut {
	t := assocTypeOut{Category: o.category, TypeID: o.id}
	if o.label != "" {
		l := o.label
		t.Label = &l
	}
	return t
}

// typeOuts renders the types linking r to the record id of toType.
func (d *db) typeOutsLocked(from string, r *record, to string, id int64) []assocTypeOut {
	out := []assocTypeOut{}
	for _, tid := range r.assoc[to][id] {
		t, ok := d.assocTypeLocked(from, to, tid)
		if !ok {
			t = v4Type{category: catUserDefined, id: tid}
		}
		out = append(out, t.out())
	}
	return out
}

// labelsBetweenLocked is HubSpot's answer to a labeled create: both ends
// and the labels now linking them.
func (d *db) labelsBetweenLocked(from string, a *record, to string, b *record) labelsBetweenOut {
	out := labelsBetweenOut{FromObjectTypeID: typeID(from), FromObjectID: a.id, ToObjectTypeID: typeID(to), ToObjectID: b.id, Labels: []string{}}
	for _, t := range d.typeOutsLocked(from, a, to, b.id) {
		if t.Label != nil {
			out.Labels = append(out.Labels, *t.Label)
		}
	}
	return out
}

// typeID is the object type ID HubSpot reports ("0-1"), or the name of a
// custom type known only by name.
func typeID(objectType string) string {
	if t, ok := endpoints.LookupObjectType(objectType); ok && t.ID != "" {
		return t.ID
	}
	return objectType
}

// singular is how HubSpot names one record of a type in messages.
func singular(objectType string) string {
	if t, ok := endpoints.LookupObjectType(objectType); ok && t.Singular != "" {
		return t.Singular
	}
	return objectType
}

// recordsLocked resolves both ends of a single-pair call, answering 404
// when either is missing and 400 when they are the same record.
func (q *request) recordsLocked(from, fromID, to, toID string) (*record, *record, bool) {
	d := q.s.db
	a, ok := d.liveLocked(from, fromID)
	if !ok {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("No %s with ID %s exists.", singular(from), fromID), Category: catNotFound})
		return nil, nil, false
	}
	b, ok := d.liveLocked(to, toID)
	if !ok {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("No %s with ID %s exists.", singular(to), toID), Category: catNotFound})
		return nil, nil, false
	}
	if from == to && a.id == b.id {
		q.fail(validationError(q.corr, fmt.Sprintf("A %s cannot be associated with itself.", singular(from))))
		return nil, nil, false
	}
	return a, b, true
}

type assocSpecIn struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

// resolveTypesLocked checks association specs against the types defined
// from one object type to another.
func (d *db) resolveTypesLocked(from, to string, specs []assocSpecIn) ([]v4Type, string) {
	out := make([]v4Type, 0, len(specs))
	for _, s := range specs {
		t, ok := d.assocTypeLocked(from, to, s.AssociationTypeID)
		if !ok || s.AssociationCategory != t.category {
			return nil, fmt.Sprintf("%s/%d is not a valid association type between %s and %s", s.AssociationCategory, s.AssociationTypeID, from, to)
		}
		out = append(out, t)
	}
	return out, ""
}

func (q *request) v4Create(from, fromID, to, toID string) {
	var specs []assocSpecIn
	if !q.decode(&specs) {
		return
	}
	if len(specs) == 0 {
		q.fail(validationError(q.corr, "At least one association type is required."))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	a, b, ok := q.recordsLocked(from, fromID, to, toID)
	if !ok {
		return
	}
	types, msg := d.resolveTypesLocked(from, to, specs)
	if msg != "" {
		e := validationError(q.corr, msg)
		e.SubCategory = subInvalidAssocType
		q.fail(e)
		return
	}
	d.linkLocked(from, a, to, b, types)
	q.reply(http.StatusCreated, d.labelsBetweenLocked(from, a, to, b))
}

func (q *request) v4CreateDefault(from, fromID, to, toID string) {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	a, b, ok := q.recordsLocked(from, fromID, to, toID)
	if !ok {
		return
	}
	u, ok := d.unlabeledTypeLocked(from, to)
	if !ok {
		e := validationError(q.corr, fmt.Sprintf("There is no default association type between %s and %s.", from, to))
		e.SubCategory = subInvalidAssocType
		q.fail(e)
		return
	}
	d.linkLocked(from, a, to, b, nil)
	now := fmtTime(d.clock.Now())
	q.reply(http.StatusOK, assocBatchOut{
		Status: "COMPLETE",
		Results: []any{
			map[string]any{"from": objectIDOut{fromID}, "to": objectIDOut{toID}, "associationSpec": assocSpecOut{catHubSpotDefined, u.id}},
			map[string]any{"from": objectIDOut{toID}, "to": objectIDOut{fromID}, "associationSpec": assocSpecOut{catHubSpotDefined, u.reverse}},
		},
		StartedAt: now, CompletedAt: now,
	})
}

func (q *request) v4Delete(from, fromID, to, toID string) {
	d := q.s.db
	d.mu.Lock()
	a, okA := d.tableLocked(from).find(fromID, "")
	b, okB := d.tableLocked(to).find(toID, "")
	if okA && okB {
		unlinkLocked(from, a, to, b)
	}
	d.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}

// pageParams parses limit (default and cap: the row's page limit) and
// after.
func (q *request) pageParams() (limit int, after int64, ok bool) {
	v := q.r.URL.Query()
	limit = q.op.Limits.Page
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected a positive integer.", s)))
			return 0, 0, false
		}
		limit = min(n, q.op.Limits.Page)
	}
	if s := v.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter after: not a paging cursor this endpoint issued.", s)))
			return 0, 0, false
		}
		after = n
	}
	return limit, after, true
}

// targetPageLocked renders up to limit of r's live links to toType from
// the cursor after on, and returns the next cursor ("" at the end).
func (d *db) targetPageLocked(from string, r *record, to string, after int64, limit int) ([]assocTargetOut, string) {
	ids := d.liveTargetsLocked(r, to)
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= after })
	out := []assocTargetOut{}
	for ; i < len(ids); i++ {
		if len(out) == limit {
			return out, strconv.FormatInt(ids[i], 10)
		}
		out = append(out, assocTargetOut{ToObjectID: ids[i], AssociationTypes: d.typeOutsLocked(from, r, to, ids[i])})
	}
	return out, ""
}

func (q *request) v4List(from, fromID, to string) {
	limit, after, ok := q.pageParams()
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	r, found := d.liveLocked(from, fromID)
	if !found {
		d.mu.Unlock()
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("No %s with ID %s exists.", singular(from), fromID), Category: catNotFound})
		return
	}
	results, next := d.targetPageLocked(from, r, to, after, limit)
	d.mu.Unlock()
	out := struct {
		Results []assocTargetOut `json:"results"`
		Paging  *pagingOut       `json:"paging,omitempty"`
	}{Results: results}
	if next != "" {
		link := fmt.Sprintf("%s%s?limit=%d&after=%s", q.s.URL(), q.r.URL.Path, limit, next)
		out.Paging = &pagingOut{Next: &nextOut{After: next, Link: link}}
	}
	q.reply(http.StatusOK, out)
}

// tooManyInputs answers HubSpot's 400 for a batch over its limit.
func (q *request) tooManyInputs(n, limit int) {
	q.fail(validationError(q.corr, fmt.Sprintf("Batch input of %d exceeds the maximum of %d inputs.", n, limit),
		errorDetail{Message: fmt.Sprintf("inputs has %d entries; at most %d are allowed", n, limit), Code: "TOO_MANY_INPUTS", In: "inputs"}))
}

func (q *request) v4BatchRead(from, to string) {
	var body struct {
		Inputs []struct {
			ID    string `json:"id"`
			After string `json:"after"`
		} `json:"inputs"`
	}
	if !q.decode(&body) {
		return
	}
	if n := len(body.Inputs); n > q.op.Limits.Batch {
		q.tooManyInputs(n, q.op.Limits.Batch)
		return
	}
	type result struct {
		From   objectIDOut      `json:"from"`
		To     []assocTargetOut `json:"to"`
		Paging *pagingOut       `json:"paging,omitempty"`
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	now := fmtTime(d.clock.Now())
	out := assocBatchOut{Status: "COMPLETE", StartedAt: now, CompletedAt: now}
	results := []result{}
	for _, in := range body.Inputs {
		ctx := map[string][]string{"fromObjectId": {in.ID}}
		n, err := strconv.ParseInt(in.ID, 10, 64)
		if err != nil || n <= 0 {
			out.Errors = append(out.Errors, batchError{Status: "error", Category: catValidation, SubCategory: subInvalidID,
				Message: fmt.Sprintf("%q is not a valid %s ID.", in.ID, singular(from)), Context: ctx})
			continue
		}
		var after int64
		if in.After != "" {
			if after, err = strconv.ParseInt(in.After, 10, 64); err != nil || after < 0 {
				out.Errors = append(out.Errors, batchError{Status: "error", Category: catValidation,
					Message: fmt.Sprintf("Invalid paging cursor %q for %s %s.", in.After, singular(from), in.ID), Context: ctx})
				continue
			}
		}
		r, found := d.liveLocked(from, in.ID)
		if !found || len(d.liveTargetsLocked(r, to)) == 0 {
			// HubSpot answers alike for a record with no associations
			// and a record that does not exist.
			out.Errors = append(out.Errors, batchError{Status: "error", Category: catNotFound, SubCategory: subNoAssociations,
				Message: fmt.Sprintf("No %s is associated with %s %s.", singular(to), singular(from), in.ID),
				Context: map[string][]string{"fromObjectId": {in.ID}, "fromObjectType": {singular(from)}, "toObjectType": {singular(to)}}})
			continue
		}
		targets, next := d.targetPageLocked(from, r, to, after, limitsOf("crm.associations.v4.list").Page)
		res := result{From: objectIDOut{in.ID}, To: targets}
		if next != "" {
			res.Paging = &pagingOut{Next: &nextOut{After: next}}
		}
		results = append(results, res)
	}
	out.Results = results
	status := http.StatusOK
	if len(out.Errors) > 0 {
		status = http.StatusMultiStatus
		out.NumErrors = len(out.Errors)
	}
	q.reply(status, out)
}

func (q *request) v4BatchCreate(from, to string) {
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
	if n := len(body.Inputs); n > q.op.Limits.Batch {
		q.tooManyInputs(n, q.op.Limits.Batch)
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	now := fmtTime(d.clock.Now())
	out := assocBatchOut{Status: "COMPLETE", StartedAt: now, CompletedAt: now}
	results := []labelsBetweenOut{}
	for _, in := range body.Inputs {
		fail := func(category, sub, msg string) {
			out.Errors = append(out.Errors, batchError{Status: "error", Category: category, SubCategory: sub, Message: msg,
				Context: map[string][]string{"fromObjectId": {in.From.ID}, "toObjectId": {in.To.ID}}})
		}
		a, ok := d.liveLocked(from, in.From.ID)
		if !ok {
			fail(catNotFound, "", fmt.Sprintf("No %s with ID %s exists.", singular(from), in.From.ID))
			continue
		}
		b, ok := d.liveLocked(to, in.To.ID)
		if !ok {
			fail(catNotFound, "", fmt.Sprintf("No %s with ID %s exists.", singular(to), in.To.ID))
			continue
		}
		if from == to && a.id == b.id {
			fail(catValidation, "", fmt.Sprintf("A %s cannot be associated with itself.", singular(from)))
			continue
		}
		if len(in.Types) == 0 {
			fail(catValidation, "", "At least one association type is required.")
			continue
		}
		types, msg := d.resolveTypesLocked(from, to, in.Types)
		if msg != "" {
			fail(catValidation, subInvalidAssocType, msg)
			continue
		}
		d.linkLocked(from, a, to, b, types)
		results = append(results, d.labelsBetweenLocked(from, a, to, b))
	}
	out.Results = results
	status := http.StatusCreated
	if len(out.Errors) > 0 {
		status = http.StatusMultiStatus
		out.NumErrors = len(out.Errors)
	}
	q.reply(status, out)
}

func (q *request) v4BatchArchive(from, to string) {
	var body struct {
		Inputs []struct {
			From objectIDOut   `json:"from"`
			To   []objectIDOut `json:"to"`
		} `json:"inputs"`
	}
	if !q.decode(&body) {
		return
	}
	if n := len(body.Inputs); n > q.op.Limits.Batch {
		q.tooManyInputs(n, q.op.Limits.Batch)
		return
	}
	d := q.s.db
	d.mu.Lock()
	for _, in := range body.Inputs {
		a, ok := d.tableLocked(from).find(in.From.ID, "")
		if !ok {
			continue
		}
		for _, t := range in.To {
			if b, ok := d.tableLocked(to).find(t.ID, ""); ok {
				unlinkLocked(from, a, to, b)
			}
		}
	}
	d.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) v4Labels(from, to string) {
	d := q.s.db
	d.mu.Lock()
	types := d.assocTypesLocked(from, to)
	d.mu.Unlock()
	out := make([]assocTypeOut, 0, len(types))
	for _, t := range types {
		out = append(out, t.out())
	}
	q.reply(http.StatusOK, struct {
		Results []assocTypeOut `json:"results"`
	}{out})
}

// labelName is what HubSpot accepts as a label's internal name.
var labelName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,99}$`)

func (q *request) v4CreateLabel(from, to string) {
	var in struct {
		Name         string `json:"name"`
		Label        string `json:"label"`
		InverseLabel string `json:"inverseLabel"`
	}
	if !q.decode(&in) {
		return
	}
	in.Label, in.InverseLabel = strings.TrimSpace(in.Label), strings.TrimSpace(in.InverseLabel)
	switch {
	case !labelName.MatchString(in.Name):
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid label name %q: it must start with a letter and hold only letters, digits and underscores (at most 100).", in.Name),
			errorDetail{Message: "invalid name", Code: "INVALID_NAME", In: "name"}))
		return
	case in.Label == "":
		q.fail(validationError(q.corr, "label is required.", errorDetail{Message: "label is required", Code: "REQUIRED_FIELD", In: "label"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	ls := d.labelsLocked()
	for _, l := range ls.byID {
		if strings.EqualFold(l.name, in.Name) && (l.from == from && l.to == to || l.from == to && l.to == from) {
			q.fail(&apiError{status: http.StatusConflict, Category: catConflict,
				Message: fmt.Sprintf("An association label named %s already exists between %s and %s.", in.Name, from, to)})
			return
		}
	}
	id := ls.next
	ls.next += 2
	inverse := in.InverseLabel
	if inverse == "" {
		inverse = in.Label
	}
	fwd := &userLabel{id: id, from: from, to: to, name: in.Name, label: in.Label, reverse: id + 1}
	back := &userLabel{id: id + 1, from: to, to: from, name: in.Name, label: inverse, reverse: id}
	if from == to && in.InverseLabel == "" {
		// One label between records of one type is its own reverse.
		fwd.reverse = id
		back = nil
	}
	ls.byID[fwd.id] = fwd
	created := []assocTypeOut{{Category: catUserDefined, TypeID: fwd.id, Label: &fwd.label}}
	if back != nil {
		ls.byID[back.id] = back
		if from == to {
			created = append(created, assocTypeOut{Category: catUserDefined, TypeID: back.id, Label: &back.label})
		}
	}
	q.reply(http.StatusOK, struct {
		Results []assocTypeOut `json:"results"`
	}{created})
}

// userLabelLocked finds the user-defined label typeID from one object type
// to another, answering 400 for a HubSpot-defined type and 404 otherwise.
func (q *request) userLabelLocked(from, to string, typeID int) (*userLabel, bool) {
	d := q.s.db
	if l := d.labelsLocked().byID[typeID]; l != nil && l.from == from && l.to == to {
		return l, true
	}
	if t, ok := d.assocTypeLocked(from, to, typeID); ok && t.category == catHubSpotDefined {
		q.fail(validationError(q.corr, fmt.Sprintf("Association type %d between %s and %s is defined by HubSpot and cannot be changed.", typeID, from, to)))
		return nil, false
	}
	q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound,
		Message: fmt.Sprintf("No association label with type ID %d exists between %s and %s.", typeID, from, to)})
	return nil, false
}

func (q *request) v4UpdateLabel(from, to string) {
	var in struct {
		AssociationTypeID int    `json:"associationTypeId"`
		Label             string `json:"label"`
		InverseLabel      string `json:"inverseLabel"`
	}
	if !q.decode(&in) {
		return
	}
	in.Label, in.InverseLabel = strings.TrimSpace(in.Label), strings.TrimSpace(in.InverseLabel)
	if in.Label == "" {
		q.fail(validationError(q.corr, "label is required.", errorDetail{Message: "label is required", Code: "REQUIRED_FIELD", In: "label"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.userLabelLocked(from, to, in.AssociationTypeID)
	if !ok {
		return
	}
	l.label = in.Label
	if rev := d.labelsLocked().byID[l.reverse]; in.InverseLabel != "" && rev != nil && rev != l {
		rev.label = in.InverseLabel
	}
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) v4DeleteLabel(from, to, typeIDArg string) {
	typeID, err := strconv.Atoi(typeIDArg)
	if err != nil || typeID <= 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid association type ID %q.", typeIDArg)))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.userLabelLocked(from, to, typeID)
	if !ok {
		return
	}
	if n := d.labelUsesLocked(l); n > 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("Association label %d is used by %d associations; remove them before deleting the label.", typeID, n)))
		return
	}
	delete(d.labelsLocked().byID, l.id)
	delete(d.labelsLocked().byID, l.reverse)
	q.w.WriteHeader(http.StatusNoContent)
}

// labelUsesLocked counts the links that carry label l.
func (d *db) labelUsesLocked(l *userLabel) int {
	t := d.tables[l.from]
	if t == nil {
		return 0
	}
	n := 0
	for _, r := range t.byID {
		for _, ids := range r.assoc[l.to] {
			if slices.Contains(ids, l.id) {
				n++
			}
		}
	}
	return n
}
