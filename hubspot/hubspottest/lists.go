package hubspottest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Lists v3.
//
// The server keeps lists of the records it stores, with HubSpot's
// behaviour where a client can tell: MANUAL lists hold the records added
// to them; DYNAMIC and SNAPSHOT lists report processingStatus PROCESSING
// for the list processing time (WithListProcessingTime) on the server's
// clock after their filters are set, then COMPLETE, when their members
// are found by evaluating their PROPERTY filters against the stored
// records (a DYNAMIC list's again on every read; a SNAPSHOT list's once).
// Historical operators (HAS_EVER_BEEN_EQUAL_TO, ...) test the current
// value. A deleted list answers 404 until restored, which HubSpot allows
// for 90 days. Filters other than PROPERTY ones are refused with 400:
// the server cannot evaluate them.

// defaultListProcessing is how long a list with filters reports
// PROCESSING unless WithListProcessingTime says otherwise.
const defaultListProcessing = 2 * time.Second

// listRestoreWindow is how long HubSpot keeps a deleted list.
const listRestoreWindow = 90 * 24 * time.Hour

// firstListID is the first list ID the server hands out.
const firstListID = 101

// WithListProcessingTime sets how long, on the server's clock, a dynamic
// or snapshot list reports processingStatus PROCESSING after its filters
// are set before its members are found. Default: 2 seconds; 0 finds them
// at once. A negative duration is refused.
func WithListProcessingTime(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("hubspottest: WithListProcessingTime(%v): the time must not be negative", d)
		}
		c.listProcessing = d
		return nil
	}
}

type listStore struct {
	nextID     int64
	nextFolder int64
	byID       map[int64]*crmList
	folders    map[int64]*listFolder
}

type crmList struct {
	id             int64
	version        int
	name           string
	objectType     string // canonical, "contacts"
	objectTypeID   string // "0-1"
	processingType string
	filter         *lfBranch
	folder         int64
	readyAt        time.Time // when processing ends
	evaluated      bool      // a SNAPSHOT list's members have been found
	members        map[int64]time.Time
	created        time.Time
	updated        time.Time
	filtersUpdated time.Time
	deleted        time.Time
}

type listFolder struct {
	id      int64
	name    string
	parent  int64
	created time.Time
	updated time.Time
}

// The filter definition, as HubSpot takes and sends it.
type lfBranch struct {
	Type     string     `json:"filterBranchType"`
	Operator string     `json:"filterBranchOperator"`
	Branches []lfBranch `json:"filterBranches"`
	Filters  []lfFilter `json:"filters"`
}

type lfFilter struct {
	Type      string `json:"filterType"`
	Property  string `json:"property"`
	Operation lfOp   `json:"operation"`
}

type lfOp struct {
	Type     string   `json:"operationType"`
	Operator string   `json:"operator"`
	Value    any      `json:"value,omitempty"`
	Values   []string `json:"values,omitempty"`
	Include  bool     `json:"includeObjectsWithNoValueSet"`
}

func (d *db) listsLocked() *listStore {
	st := &d.lists
	if st.byID == nil {
		st.byID = map[int64]*crmList{}
		st.folders = map[int64]*listFolder{}
		st.nextID, st.nextFolder = firstListID, 1
	}
	return st
}

// checkBranch validates a filter tree as HubSpot does; it returns the
// message of the 400 it answers, or "".
func checkBranch(b *lfBranch) string {
	if b.Type != "OR" {
		return fmt.Sprintf("The root filter branch must be an OR branch, not %q.", b.Type)
	}
	if len(b.Filters) > 0 {
		return "The root OR filter branch may not hold filters; put them in its AND branches."
	}
	if len(b.Branches) == 0 {
		return "The root OR filter branch needs at least one AND branch."
	}
	for i := range b.Branches {
		if b.Branches[i].Type != "AND" {
			return fmt.Sprintf("filterBranches[%d] of the root OR branch must be an AND branch, not %q.", i, b.Branches[i].Type)
		}
		if msg := checkNested(&b.Branches[i], fmt.Sprintf("filterBranches[%d]", i)); msg != "" {
			return msg
		}
	}
	return ""
}

func checkNested(b *lfBranch, where string) string {
	if b.Type != "AND" && b.Type != "OR" {
		return fmt.Sprintf("%s: filter branch type %q is not supported by hubspottest (OR and AND are).", where, b.Type)
	}
	if b.Operator != "" && b.Operator != b.Type {
		return fmt.Sprintf("%s: filterBranchOperator %q does not match filterBranchType %q.", where, b.Operator, b.Type)
	}
	for i := range b.Filters {
		f := &b.Filters[i]
		w := fmt.Sprintf("%s.filters[%d]", where, i)
		if f.Type != "PROPERTY" {
			return fmt.Sprintf("%s: filter type %q is not supported by hubspottest (PROPERTY is).", w, f.Type)
		}
		if f.Property == "" {
			return w + ": property is required."
		}
		o := &f.Operation
		ops, ok := endpoints.ListFilterOperators(o.Type)
		if !ok {
			return fmt.Sprintf("%s: unknown operationType %q.", w, o.Type)
		}
		if !slices.Contains(ops, o.Operator) {
			return fmt.Sprintf("%s: operator %q is not valid for operationType %s.", w, o.Operator, o.Type)
		}
		switch o.Type {
		case "STRING":
			if _, ok := o.Value.(string); !ok {
				return w + ": a STRING operation needs a string value."
			}
		case "NUMBER":
			if _, ok := o.Value.(json.Number); !ok {
				return w + ": a NUMBER operation needs a number value."
			}
		case "BOOL":
			if _, ok := o.Value.(bool); !ok {
				return w + ": a BOOL operation needs a boolean value."
			}
		case "ENUMERATION", "MULTISTRING":
			if len(o.Values) == 0 {
				return w + ": values is required."
			}
		case "ALL_PROPERTY":
		default:
			return fmt.Sprintf("%s: operationType %s is not supported by hubspottest.", w, o.Type)
		}
	}
	for i := range b.Branches {
		if msg := checkNested(&b.Branches[i], fmt.Sprintf("%s.filterBranches[%d]", where, i)); msg != "" {
			return msg
		}
	}
	return ""
}

// matches reports whether a record's properties satisfy the branch.
func (b *lfBranch) matches(props map[string]string) bool {
	all := b.Type == "AND"
	for i := range b.Filters {
		if b.Filters[i].matches(props) != all {
			return !all
		}
	}
	for i := range b.Branches {
		if b.Branches[i].matches(props) != all {
			return !all
		}
	}
	return all
}

func (f *lfFilter) matches(props map[string]string) bool {
	v, o := props[f.Property], &f.Operation
	if o.Type == "ALL_PROPERTY" {
		return (v != "") == (o.Operator == "IS_KNOWN")
	}
	if v == "" {
		return o.Include
	}
	op := strings.Replace(strings.Replace(o.Operator, "HAS_EVER_BEEN_", "IS_", 1), "HAS_NEVER_BEEN_", "IS_NOT_", 1)
	switch op {
	case "HAS_EVER_CONTAINED":
		op = "CONTAINS"
	case "HAS_NEVER_CONTAINED":
		op = "DOES_NOT_CONTAIN"
	case "IS_NOT_ANY_OF":
		op = "IS_NONE_OF"
	}
	switch o.Type {
	case "STRING":
		return stringOp(op, strings.ToLower(v), strings.ToLower(fmt.Sprint(o.Value)))
	case "BOOL":
		eq := strings.EqualFold(v, fmt.Sprint(o.Value))
		return eq == (op == "IS_EQUAL_TO")
	case "NUMBER":
		x, err1 := strconv.ParseFloat(v, 64)
		y, err2 := strconv.ParseFloat(fmt.Sprint(o.Value), 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch op {
		case "IS_EQUAL_TO":
			return x == y
		case "IS_NOT_EQUAL_TO":
			return x != y
		case "IS_GREATER_THAN":
			return x > y
		case "IS_GREATER_THAN_OR_EQUAL_TO":
			return x >= y
		case "IS_LESS_THAN":
			return x < y
		case "IS_LESS_THAN_OR_EQUAL_TO":
			return x <= y
		}
	case "ENUMERATION", "MULTISTRING":
		have := strings.Split(strings.ToLower(v), ";")
		any, every := false, true
		for _, w := range o.Values {
			in := slices.Contains(have, strings.ToLower(w))
			any = any || in
			every = every && in
		}
		switch op {
		case "IS_ANY_OF", "IS_EQUAL_TO", "CONTAINS", "CONTAINS_EXACTLY":
			return any
		case "IS_NONE_OF", "IS_NOT_EQUAL_TO", "DOES_NOT_CONTAIN", "DOES_NOT_CONTAIN_EXACTLY":
			return !any
		case "IS_EXACTLY":
			return every && len(have) == len(o.Values)
		case "IS_NOT_EXACTLY":
			return !(every && len(have) == len(o.Values))
		case "CONTAINS_ALL", "HAS_EVER_CONTAINED_ALL":
			return every
		case "DOES_NOT_CONTAIN_ALL", "HAS_NEVER_CONTAINED_ALL":
			return !every
		case "STARTS_WITH", "ENDS_WITH":
			for _, w := range o.Values {
				if stringOp(op, strings.ToLower(v), strings.ToLower(w)) {
					return true
				}
			}
		}
	}
	return false
}

func stringOp(op, v, want string) bool {
	switch op {
	case "IS_EQUAL_TO":
		return v == want
	case "IS_NOT_EQUAL_TO":
		return v != want
	case "CONTAINS":
		return strings.Contains(v, want)
	case "DOES_NOT_CONTAIN":
		return !strings.Contains(v, want)
	case "STARTS_WITH":
		return strings.HasPrefix(v, want)
	case "ENDS_WITH":
		return strings.HasSuffix(v, want)
	}
	return false
}

// refreshListLocked returns the list's processing status at now, finding
// its members when processing has ended.
func (d *db) refreshListLocked(l *crmList, now time.Time) string {
	if l.filter == nil {
		return "COMPLETE"
	}
	if now.Before(l.readyAt) {
		return "PROCESSING"
	}
	if l.processingType == "DYNAMIC" || !l.evaluated {
		t := d.tables[l.objectType]
		found := map[int64]time.Time{}
		if t != nil {
			for _, id := range t.ids {
				r := t.byID[id]
				if r.archived || !l.filter.matches(r.props) {
					continue
				}
				at, ok := l.members[id]
				if !ok {
					at = l.readyAt
				}
				found[id] = at
			}
		}
		if l.processingType == "SNAPSHOT" {
			for id, at := range l.members { // records added by hand since
				found[id] = at
			}
		}
		l.members, l.evaluated = found, true
	}
	return "COMPLETE"
}

// listOut is PublicObjectList.
type listOut struct {
	ListID           string    `json:"listId"`
	ListVersion      int       `json:"listVersion"`
	Name             string    `json:"name"`
	ObjectTypeID     string    `json:"objectTypeId"`
	ProcessingType   string    `json:"processingType"`
	ProcessingStatus string    `json:"processingStatus"`
	FilterBranch     *lfBranch `json:"filterBranch,omitempty"`
	Size             int64     `json:"size"`
	CreatedAt        string    `json:"createdAt"`
	UpdatedAt        string    `json:"updatedAt"`
	FiltersUpdatedAt string    `json:"filtersUpdatedAt,omitempty"`
	DeletedAt        string    `json:"deletedAt,omitempty"`
}

func (d *db) renderListLocked(l *crmList, now time.Time, withFilters bool) listOut {
	out := listOut{
		ListID:           strconv.FormatInt(l.id, 10),
		ListVersion:      l.version,
		Name:             l.name,
		ObjectTypeID:     l.objectTypeID,
		ProcessingType:   l.processingType,
		ProcessingStatus: d.refreshListLocked(l, now),
		Size:             int64(len(l.members)),
		CreatedAt:        fmtTime(l.created),
		UpdatedAt:        fmtTime(l.updated),
	}
	if withFilters && l.filter != nil {
		out.FilterBranch = l.filter
	}
	if !l.filtersUpdated.IsZero() {
		out.FiltersUpdatedAt = fmtTime(l.filtersUpdated)
	}
	return out
}

// idParam reads a decimal ID path parameter, answering HubSpot's 400
// naming it.
func (q *request) idParam(name string) (int64, bool) {
	raw := q.r.PathValue(name)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("%s must be a decimal ID, got %q.", name, truncate(raw, 64)),
			errorDetail{Message: name + " is not a decimal ID", In: name, Code: "INVALID_INTEGER"}))
		return 0, false
	}
	return n, true
}

// liveListLocked finds a list that is not deleted, answering 404.
func (q *request) liveListLocked(st *listStore, id int64) (*crmList, bool) {
	l := st.byID[id]
	if l == nil || !l.deleted.IsZero() {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("List %d does not exist.", id), Category: catNotFound})
		return nil, false
	}
	return l, true
}

func (st *listStore) nameTakenLocked(typeID, name string, self int64) bool {
	for _, l := range st.byID {
		if l.id != self && l.deleted.IsZero() && l.objectTypeID == typeID && strings.EqualFold(l.name, name) {
			return true
		}
	}
	return false
}

func (q *request) createList() {
	var in struct {
		Name           string    `json:"name"`
		ObjectTypeID   string    `json:"objectTypeId"`
		ProcessingType string    `json:"processingType"`
		FilterBranch   *lfBranch `json:"filterBranch"`
		ListFolderID   *int64    `json:"listFolderId"`
	}
	if !q.decode(&in) {
		return
	}
	switch {
	case strings.TrimSpace(in.Name) == "":
		q.fail(validationError(q.corr, "name is required.", errorDetail{Message: "name is required", In: "name", Code: "REQUIRED_FIELD"}))
		return
	case in.ProcessingType != "MANUAL" && in.ProcessingType != "DYNAMIC" && in.ProcessingType != "SNAPSHOT":
		q.fail(validationError(q.corr, fmt.Sprintf("processingType %q is not one of MANUAL, DYNAMIC, SNAPSHOT.", in.ProcessingType)))
		return
	case in.ProcessingType == "MANUAL" && in.FilterBranch != nil:
		q.fail(validationError(q.corr, "A MANUAL list cannot have a filterBranch."))
		return
	case in.ProcessingType != "MANUAL" && in.FilterBranch == nil:
		q.fail(validationError(q.corr, fmt.Sprintf("A %s list requires a filterBranch.", in.ProcessingType)))
		return
	}
	ot, ok := endpoints.LookupObjectType(in.ObjectTypeID)
	if !ok || ot.ID != in.ObjectTypeID {
		q.fail(validationError(q.corr, fmt.Sprintf("objectTypeId %q is not an object type ID.", in.ObjectTypeID)))
		return
	}
	if in.FilterBranch != nil {
		if msg := checkBranch(in.FilterBranch); msg != "" {
			q.fail(validationError(q.corr, msg))
			return
		}
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if st.nameTakenLocked(in.ObjectTypeID, in.Name, 0) {
		q.fail(validationError(q.corr, fmt.Sprintf("A list named %q already exists for object type %s.", in.Name, in.ObjectTypeID)))
		return
	}
	l := &crmList{id: st.nextID, version: 1, name: in.Name, objectType: ot.Name, objectTypeID: ot.ID, processingType: in.ProcessingType,
		filter: in.FilterBranch, members: map[int64]time.Time{}, created: now, updated: now}
	if in.ListFolderID != nil && *in.ListFolderID != 0 {
		if st.folders[*in.ListFolderID] == nil {
			q.fail(validationError(q.corr, fmt.Sprintf("Folder %d does not exist.", *in.ListFolderID)))
			return
		}
		l.folder = *in.ListFolderID
	}
	if l.filter != nil {
		l.filtersUpdated, l.readyAt = now, now.Add(q.s.cfg.listProcessing)
	}
	st.nextID++
	st.byID[l.id] = l
	q.reply(http.StatusOK, map[string]any{"list": d.renderListLocked(l, now, true)})
}

func (q *request) getList() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	withFilters, ok := q.boolParam(q.r.URL.Query(), "includeFilters")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.liveListLocked(d.listsLocked(), id)
	if !ok {
		return
	}
	q.reply(http.StatusOK, map[string]any{"list": d.renderListLocked(l, q.s.clock.Now(), withFilters)})
}

func (q *request) getListByName() {
	withFilters, ok := q.boolParam(q.r.URL.Query(), "includeFilters")
	if !ok {
		return
	}
	typeID, name := q.r.PathValue("objectTypeId"), q.r.PathValue("listName")
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	for _, l := range st.byID {
		if l.deleted.IsZero() && l.objectTypeID == typeID && strings.EqualFold(l.name, name) {
			q.reply(http.StatusOK, map[string]any{"list": d.renderListLocked(l, q.s.clock.Now(), withFilters)})
			return
		}
	}
	q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("No list named %q for object type %s.", name, typeID), Category: catNotFound})
}

func (q *request) getManyLists() {
	v := q.r.URL.Query()
	withFilters, ok := q.boolParam(v, "includeFilters")
	if !ok {
		return
	}
	var ids []int64
	for _, s := range v["listIds"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter listIds: expected a list ID.", s)))
			return
		}
		ids = append(ids, n)
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	out := []listOut{}
	for _, id := range ids {
		if l := st.byID[id]; l != nil && l.deleted.IsZero() {
			out = append(out, d.renderListLocked(l, q.s.clock.Now(), withFilters))
		}
	}
	q.reply(http.StatusOK, map[string]any{"lists": out})
}

func (q *request) searchLists() {
	var in struct {
		Query           string   `json:"query"`
		ProcessingTypes []string `json:"processingTypes"`
		ListIDs         []string `json:"listIds"`
		Offset          int      `json:"offset"`
		Count           *int     `json:"count"`
		Properties      []string `json:"additionalProperties"`
	}
	if !q.decode(&in) {
		return
	}
	count := 20
	if in.Count != nil {
		count = *in.Count
	}
	if count < 1 || count > q.op.Limits.Page || in.Offset < 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("count must be between 1 and %d, and offset not negative.", q.op.Limits.Page)))
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	ids := slices.Sorted(maps.Keys(st.byID))
	type result struct {
		listOut
		FilterBranch any               `json:"filterBranch,omitempty"`
		Size         any               `json:"size,omitempty"`
		Properties   map[string]string `json:"additionalProperties"`
	}
	var match []result
	for _, id := range ids {
		l := st.byID[id]
		if !l.deleted.IsZero() || (in.Query != "" && !strings.Contains(strings.ToLower(l.name), strings.ToLower(in.Query))) ||
			(len(in.ProcessingTypes) > 0 && !slices.Contains(in.ProcessingTypes, l.processingType)) ||
			(len(in.ListIDs) > 0 && !slices.Contains(in.ListIDs, strconv.FormatInt(id, 10))) {
			continue
		}
		r := result{listOut: d.renderListLocked(l, now, false)}
		r.Properties = map[string]string{"hs_list_size": strconv.FormatInt(r.listOut.Size, 10), "hs_list_reference_count": "0"}
		match = append(match, r)
	}
	page := []result{}
	if in.Offset < len(match) {
		page = match[in.Offset:min(len(match), in.Offset+count)]
	}
	q.reply(http.StatusOK, map[string]any{"lists": page, "total": len(match), "offset": in.Offset + len(page), "hasMore": in.Offset+len(page) < len(match)})
}

func (q *request) updateListName() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	v := q.r.URL.Query()
	withFilters, ok := q.boolParam(v, "includeFilters")
	if !ok {
		return
	}
	name := v.Get("listName")
	if strings.TrimSpace(name) == "" {
		q.fail(validationError(q.corr, "listName is required.", errorDetail{Message: "listName is required", In: "listName", Code: "REQUIRED_FIELD"}))
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	l, ok := q.liveListLocked(st, id)
	if !ok {
		return
	}
	if st.nameTakenLocked(l.objectTypeID, name, l.id) {
		q.fail(validationError(q.corr, fmt.Sprintf("A list named %q already exists for object type %s.", name, l.objectTypeID)))
		return
	}
	l.name, l.updated = name, now
	l.version++
	q.reply(http.StatusOK, map[string]any{"updatedList": d.renderListLocked(l, now, withFilters)})
}

func (q *request) updateListFilters() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	if _, ok := q.boolParam(q.r.URL.Query(), "enrollObjectsInWorkflows"); !ok {
		return
	}
	var in struct {
		FilterBranch *lfBranch `json:"filterBranch"`
	}
	if !q.decode(&in) {
		return
	}
	if in.FilterBranch == nil {
		q.fail(validationError(q.corr, "filterBranch is required."))
		return
	}
	if msg := checkBranch(in.FilterBranch); msg != "" {
		q.fail(validationError(q.corr, msg))
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.liveListLocked(d.listsLocked(), id)
	if !ok {
		return
	}
	if l.processingType == "MANUAL" {
		q.fail(validationError(q.corr, fmt.Sprintf("List %d is a MANUAL list, which has no filters.", id)))
		return
	}
	l.filter, l.filtersUpdated, l.updated, l.readyAt, l.evaluated = in.FilterBranch, now, now, now.Add(q.s.cfg.listProcessing), false
	if l.processingType == "SNAPSHOT" {
		l.members = map[int64]time.Time{}
	}
	l.version++
	q.reply(http.StatusOK, map[string]any{"updatedList": d.renderListLocked(l, now, true)})
}

func (q *request) deleteList() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.liveListLocked(d.listsLocked(), id)
	if !ok {
		return
	}
	l.deleted = q.s.clock.Now()
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) restoreList() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	l := st.byID[id]
	switch {
	case l == nil || !l.deleted.IsZero() && now.Sub(l.deleted) > listRestoreWindow:
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("List %d does not exist.", id), Category: catNotFound})
		return
	case l.deleted.IsZero():
		q.fail(validationError(q.corr, fmt.Sprintf("List %d is not deleted.", id)))
		return
	case st.nameTakenLocked(l.objectTypeID, l.name, l.id):
		q.fail(validationError(q.corr, fmt.Sprintf("A list named %q already exists for object type %s.", l.name, l.objectTypeID)))
		return
	}
	l.deleted, l.updated = time.Time{}, now
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) listMemberships() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	v := q.r.URL.Query()
	limit := 100
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > q.op.Limits.Page {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected 1 to %d.", s, q.op.Limits.Page)))
			return
		}
		limit = n
	}
	var after int64
	if s := v.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter after: not a paging cursor this endpoint issued.", s)))
			return
		}
		after = n
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.liveListLocked(d.listsLocked(), id)
	if !ok {
		return
	}
	d.refreshListLocked(l, q.s.clock.Now())
	ids := make([]int64, 0, len(l.members))
	for rid := range l.members {
		if rid >= after {
			ids = append(ids, rid)
		}
	}
	slices.Sort(ids)
	type member struct {
		RecordID string `json:"recordId"`
		At       string `json:"membershipTimestamp"`
	}
	out := struct {
		Results []member   `json:"results"`
		Paging  *pagingOut `json:"paging,omitempty"`
		Total   int        `json:"total"`
	}{Results: []member{}, Total: len(l.members)}
	for i, rid := range ids {
		if i == limit {
			next := strconv.FormatInt(rid, 10)
			nv := url.Values{"limit": {strconv.Itoa(limit)}, "after": {next}}
			out.Paging = &pagingOut{Next: &nextOut{After: next, Link: q.s.URL() + q.r.URL.EscapedPath() + "?" + nv.Encode()}}
			break
		}
		out.Results = append(out.Results, member{strconv.FormatInt(rid, 10), fmtTime(l.members[rid])})
	}
	q.reply(http.StatusOK, out)
}

// changeMembers adds and removes records of a MANUAL or SNAPSHOT list.
func (q *request) changeMembers(add, remove bool) {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	var toAdd, toRemove []string
	switch {
	case add && remove:
		var in struct {
			Add    []string `json:"recordIdsToAdd"`
			Remove []string `json:"recordIdsToRemove"`
		}
		if !q.decode(&in) {
			return
		}
		toAdd, toRemove = in.Add, in.Remove
	case add:
		if !q.decode(&toAdd) {
			return
		}
	default:
		if !q.decode(&toRemove) {
			return
		}
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	l, ok := q.liveListLocked(d.listsLocked(), id)
	if !ok {
		return
	}
	if l.processingType == "DYNAMIC" {
		q.fail(validationError(q.corr, fmt.Sprintf("List %d is a DYNAMIC list, whose members its filters choose; only MANUAL and SNAPSHOT lists take records.", id)))
		return
	}
	d.refreshListLocked(l, now)
	out := struct {
		Added   []string `json:"recordsIdsAdded"` // sic, as the spec names it
		Removed []string `json:"recordIdsRemoved"`
		Missing []string `json:"recordIdsMissing"`
	}{[]string{}, []string{}, []string{}}
	t := d.tables[l.objectType]
	live := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || t == nil || t.byID[n] == nil || t.byID[n].archived {
			return 0, false
		}
		return n, true
	}
	for _, s := range toAdd {
		n, ok := live(s)
		switch {
		case !ok:
			out.Missing = append(out.Missing, s)
		case l.members[n].IsZero():
			l.members[n] = now
			out.Added = append(out.Added, s)
		}
	}
	for _, s := range toRemove {
		n, ok := live(s)
		switch {
		case !ok:
			out.Missing = append(out.Missing, s)
		case !l.members[n].IsZero():
			delete(l.members, n)
			out.Removed = append(out.Removed, s)
		}
	}
	if len(out.Added)+len(out.Removed) > 0 {
		l.updated = now
	}
	q.reply(http.StatusOK, out)
}

func (q *request) addFromList() {
	id, ok := q.idParam("listId")
	if !ok {
		return
	}
	src, ok := q.idParam("sourceListId")
	if !ok {
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	l, ok := q.liveListLocked(st, id)
	if !ok {
		return
	}
	s, ok := q.liveListLocked(st, src)
	if !ok {
		return
	}
	d.refreshListLocked(l, now)
	d.refreshListLocked(s, now)
	switch {
	case id == src:
		q.fail(validationError(q.corr, "The source list and the destination list must differ."))
		return
	case l.processingType == "DYNAMIC":
		q.fail(validationError(q.corr, fmt.Sprintf("List %d is a DYNAMIC list; only MANUAL and SNAPSHOT lists take records.", id)))
		return
	case s.objectTypeID != l.objectTypeID:
		q.fail(validationError(q.corr, fmt.Sprintf("List %d holds %s records and list %d %s records.", src, s.objectTypeID, id, l.objectTypeID)))
		return
	case len(s.members) >= endpoints.MaxListAddFromMembers:
		q.fail(validationError(q.corr, fmt.Sprintf("The source list has %d members; this endpoint supports source lists of fewer than %d.", len(s.members), endpoints.MaxListAddFromMembers)))
		return
	}
	for rid := range s.members {
		if l.members[rid].IsZero() {
			l.members[rid] = now
		}
	}
	l.updated = now
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) recordMemberships() {
	typeID, rec := q.r.PathValue("objectTypeId"), q.r.PathValue("recordId")
	ot, ok := endpoints.LookupObjectType(typeID)
	if !ok || ot.ID != typeID {
		q.fail(validationError(q.corr, fmt.Sprintf("objectTypeId %q is not an object type ID.", typeID)))
		return
	}
	rid, err := strconv.ParseInt(rec, 10, 64)
	if err != nil {
		q.fail(validationError(q.corr, "recordId must be a decimal ID."))
		return
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	ids := slices.Sorted(maps.Keys(st.byID))
	type membership struct {
		ListID      string `json:"listId"`
		ListVersion int    `json:"listVersion"`
		First       string `json:"firstAddedTimestamp"`
		Last        string `json:"lastAddedTimestamp"`
	}
	out := []membership{}
	for _, id := range ids {
		l := st.byID[id]
		if !l.deleted.IsZero() || l.objectTypeID != typeID {
			continue
		}
		d.refreshListLocked(l, now)
		if at, ok := l.members[rid]; ok {
			out = append(out, membership{strconv.FormatInt(id, 10), l.version, fmtTime(at), fmtTime(at)})
		}
	}
	q.reply(http.StatusOK, map[string]any{"results": out, "total": len(out)})
}

// Folders.

type folderOut struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	ParentID     string      `json:"parentFolderId"`
	ChildLists   []int64     `json:"childLists"`
	ChildNodes   []folderOut `json:"childNodes"`
	CreatedAt    string      `json:"createdAt,omitempty"`
	UpdatedAt    string      `json:"updatedAt,omitempty"`
	UserID       int32       `json:"userId,omitempty"`
	UpdatedChild string      `json:"updatedContentsAt,omitempty"`
}

func (st *listStore) renderFolderLocked(id int64) folderOut {
	out := folderOut{ID: strconv.FormatInt(id, 10), Name: "Root", ParentID: "-1", ChildLists: []int64{}, ChildNodes: []folderOut{}}
	if f := st.folders[id]; f != nil {
		out.Name, out.ParentID = f.name, strconv.FormatInt(f.parent, 10)
		out.CreatedAt, out.UpdatedAt = fmtTime(f.created), fmtTime(f.updated)
	}
	var kids []int64
	for fid, f := range st.folders {
		if f.parent == id {
			kids = append(kids, fid)
		}
	}
	slices.Sort(kids)
	for _, k := range kids {
		out.ChildNodes = append(out.ChildNodes, st.renderFolderLocked(k))
	}
	for lid, l := range st.byID {
		if l.folder == id && l.deleted.IsZero() {
			out.ChildLists = append(out.ChildLists, lid)
		}
	}
	slices.Sort(out.ChildLists)
	return out
}

// folderLocked finds a folder (0 is the root), answering 404.
func (q *request) folderLocked(st *listStore, id int64) bool {
	if id != 0 && st.folders[id] == nil {
		q.fail(&apiError{status: http.StatusNotFound, Message: fmt.Sprintf("Folder %d does not exist.", id), Category: catNotFound})
		return false
	}
	return true
}

func (q *request) getFolders() {
	var id int64
	if s := q.r.URL.Query().Get("folderId"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter folderId.", s)))
			return
		}
		id = n
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if !q.folderLocked(st, id) {
		return
	}
	q.reply(http.StatusOK, map[string]any{"folder": st.renderFolderLocked(id)})
}

func (q *request) createFolder() {
	var in struct {
		Name     string `json:"name"`
		ParentID string `json:"parentFolderId"`
	}
	if !q.decode(&in) {
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		q.fail(validationError(q.corr, "name is required.", errorDetail{Message: "name is required", In: "name", Code: "REQUIRED_FIELD"}))
		return
	}
	var parent int64
	if in.ParentID != "" {
		n, err := strconv.ParseInt(in.ParentID, 10, 64)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, "parentFolderId must be a folder ID."))
			return
		}
		parent = n
	}
	d := q.s.db
	now := q.s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if !q.folderLocked(st, parent) {
		return
	}
	f := &listFolder{id: st.nextFolder, name: in.Name, parent: parent, created: now, updated: now}
	st.nextFolder++
	st.folders[f.id] = f
	q.reply(http.StatusOK, map[string]any{"folder": st.renderFolderLocked(f.id)})
}

func (q *request) renameFolder() {
	id, ok := q.idParam("folderId")
	if !ok {
		return
	}
	name := q.r.URL.Query().Get("newFolderName")
	if strings.TrimSpace(name) == "" {
		q.fail(validationError(q.corr, "newFolderName is required.", errorDetail{Message: "newFolderName is required", In: "newFolderName", Code: "REQUIRED_FIELD"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if id == 0 {
		q.fail(validationError(q.corr, "The root folder cannot be renamed."))
		return
	}
	if !q.folderLocked(st, id) {
		return
	}
	f := st.folders[id]
	f.name, f.updated = name, q.s.clock.Now()
	q.reply(http.StatusOK, map[string]any{"folder": st.renderFolderLocked(id)})
}

func (q *request) moveFolder() {
	id, ok := q.idParam("folderId")
	if !ok {
		return
	}
	to, ok := q.idParam("newParentFolderId")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if id == 0 {
		q.fail(validationError(q.corr, "The root folder cannot be moved."))
		return
	}
	if !q.folderLocked(st, id) || !q.folderLocked(st, to) {
		return
	}
	for p := to; p != 0; p = st.folders[p].parent {
		if p == id {
			q.fail(validationError(q.corr, fmt.Sprintf("Folder %d cannot move into itself or a folder inside it.", id)))
			return
		}
	}
	f := st.folders[id]
	f.parent, f.updated = to, q.s.clock.Now()
	q.reply(http.StatusOK, map[string]any{"folder": st.renderFolderLocked(id)})
}

func (q *request) moveList() {
	var in struct {
		ListID   string `json:"listId"`
		FolderID string `json:"newFolderId"`
	}
	if !q.decode(&in) {
		return
	}
	lid, err1 := strconv.ParseInt(in.ListID, 10, 64)
	fid, err2 := strconv.ParseInt(in.FolderID, 10, 64)
	if err1 != nil || err2 != nil || fid < 0 {
		q.fail(validationError(q.corr, "listId and newFolderId must be IDs."))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	l, ok := q.liveListLocked(st, lid)
	if !ok || !q.folderLocked(st, fid) {
		return
	}
	l.folder = fid
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) deleteFolder() {
	id, ok := q.idParam("folderId")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	if id == 0 {
		q.fail(validationError(q.corr, "The root folder cannot be deleted."))
		return
	}
	if !q.folderLocked(st, id) {
		return
	}
	if f := st.renderFolderLocked(id); len(f.ChildLists)+len(f.ChildNodes) > 0 {
		q.fail(validationError(q.corr, fmt.Sprintf("Folder %d is not empty: move or delete its %d lists and %d folders first.", id, len(f.ChildLists), len(f.ChildNodes))))
		return
	}
	delete(st.folders, id)
	q.w.WriteHeader(http.StatusNoContent)
}

// ListInfo is a list as the server holds it, for tests to inspect.
type ListInfo struct {
	ID               string
	Name             string
	ObjectTypeID     string
	ProcessingType   string
	ProcessingStatus string
	// Members are the record IDs of the list, in ascending order.
	Members []string
	Deleted bool
}

// Lists returns every list the server holds, deleted ones included, in ID
// order, with their members as of the server's clock now.
func (s *Server) Lists() []ListInfo {
	d := s.db
	now := s.clock.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.listsLocked()
	ids := slices.Sorted(maps.Keys(st.byID))
	out := make([]ListInfo, 0, len(ids))
	for _, id := range ids {
		l := st.byID[id]
		info := ListInfo{ID: strconv.FormatInt(id, 10), Name: l.name, ObjectTypeID: l.objectTypeID, ProcessingType: l.processingType,
			ProcessingStatus: d.refreshListLocked(l, now), Deleted: !l.deleted.IsZero()}
		members := make([]int64, 0, len(l.members))
		for rid := range l.members {
			members = append(members, rid)
		}
		slices.Sort(members)
		for _, rid := range members {
			info.Members = append(info.Members, strconv.FormatInt(rid, 10))
		}
		out = append(out, info)
	}
	return out
}
