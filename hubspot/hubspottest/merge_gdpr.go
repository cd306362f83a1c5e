package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Merges and GDPR deletions, as HubSpot documents them:
//
//   - A merge makes a new record, with a new ID, from the primary and the
//     record merged into it; both records leave the store, and their IDs
//     resolve to the new record on get, update and archive (the new
//     record's own ID is in the answer). The primary's values win; values
//     only the other record has are kept; hs_merged_object_ids lists the
//     former IDs; a contact's other email moves to hs_additional_emails,
//     free for a new contact. Associations of both move to the new record.
//   - A GDPR delete removes a contact for good: not archived, not
//     listed, not found by ID, email or a former merged ID, its
//     associations gone. A later create with the same email works, as
//     HubSpot allows for API calls. By email, an address no contact has
//     answers 204 (HubSpot blocklists it for its UI and imports).

// flexString accepts a JSON string or number (IDs are strings on the
// wire, but some clients send numbers).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("expected a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// mergeable reports whether HubSpot merges records of objectType.
func mergeable(objectType string) bool {
	switch objectType {
	case "contacts", "companies", "deals", "tickets":
		return true
	}
	return !slices.Contains([]string{"products", "line_items", "quotes"}, objectType)
}

// resolveMergedLocked returns the ID that id of objectType now goes by:
// the record it was merged into, if it was. The caller holds d.mu.
func (d *db) resolveMergedLocked(objectType string, id int64) int64 {
	if to, ok := d.merged[objectType][id]; ok {
		return to
	}
	return id
}

// followMerge rewrites the path ID of a single-object call to the record
// it was merged into, as HubSpot does, when the call names the record by
// ID.
func (q *request) followMerge() {
	if p := q.r.URL.Query().Get("idProperty"); p != "" && p != "hs_object_id" {
		return
	}
	id, err := strconv.ParseInt(q.objectID, 10, 64)
	if err != nil {
		return
	}
	d := q.s.db
	d.mu.Lock()
	to := d.resolveMergedLocked(q.objectType, id)
	d.mu.Unlock()
	if to != id {
		q.objectID = strconv.FormatInt(to, 10)
	}
}

// dropLocked takes r out of t's index and ID list. The caller holds d.mu.
func (d *db) dropLocked(t *table, r *record) {
	t.indexRemove(r)
	delete(t.byID, r.id)
	if i, ok := slices.BinarySearch(t.ids, r.id); ok {
		t.ids = slices.Delete(t.ids, i, i+1)
	}
}

// purgeLocked takes r out of t for good: index, IDs, the associations other
// records hold to it, and the former IDs that resolved to it. The caller
// holds d.mu.
func (d *db) purgeLocked(t *table, r *record) {
	d.dropLocked(t, r)
	for toType, ids := range r.assoc {
		tt := d.tables[toType]
		if tt == nil {
			continue
		}
		for toID := range ids {
			if other := tt.byID[toID]; other != nil {
				delete(other.assoc[t.name], r.id)
			}
		}
	}
	m := d.merged[t.name]
	for from, to := range m {
		if to == r.id {
			delete(m, from)
		}
	}
}

// addAssoc records one direction of an association.
func addAssoc(r *record, toType string, to int64, typeIDs ...int) {
	if r.assoc == nil {
		r.assoc = map[string]map[int64][]int{}
	}
	if r.assoc[toType] == nil {
		r.assoc[toType] = map[int64][]int{}
	}
	for _, id := range typeIDs {
		if !slices.Contains(r.assoc[toType][to], id) {
			r.assoc[toType][to] = append(r.assoc[toType][to], id)
		}
	}
}

// relinkLocked moves the associations of old to nr, both ways. Links
// between the records being merged are dropped.
func (d *db) relinkLocked(objectType string, old, nr *record, merging ...int64) {
	for toType, ids := range old.assoc {
		tt := d.tables[toType]
		if tt == nil {
			continue
		}
		for toID, typeIDs := range ids {
			other := tt.byID[toID]
			if other == nil || (toType == objectType && slices.Contains(merging, toID)) {
				continue
			}
			back := other.assoc[objectType][old.id]
			delete(other.assoc[objectType], old.id)
			addAssoc(nr, toType, toID, typeIDs...)
			addAssoc(other, objectType, nr.id, back...)
		}
	}
}

// splitIDs splits a semicolon-separated list, dropping blanks.
func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (q *request) merge() {
	if !mergeable(q.objectType) {
		q.fail(validationError(q.corr, fmt.Sprintf("Merging is not supported for object type %s.", q.objectType)))
		return
	}
	var in struct {
		PrimaryObjectID flexString `json:"primaryObjectId"`
		ObjectIDToMerge flexString `json:"objectIdToMerge"`
	}
	if !q.decode(&in) {
		return
	}
	var missing []string
	if in.PrimaryObjectID == "" {
		missing = append(missing, "primaryObjectId")
	}
	if in.ObjectIDToMerge == "" {
		missing = append(missing, "objectIdToMerge")
	}
	if len(missing) > 0 {
		q.fail(missingFields(q.corr, "merge", missing))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tableLocked(q.objectType)
	find := func(raw flexString) (*record, bool) {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, false
		}
		r, ok := t.byID[d.resolveMergedLocked(q.objectType, n)]
		return r, ok && !r.archived
	}
	a, okA := find(in.PrimaryObjectID)
	b, okB := find(in.ObjectIDToMerge)
	for _, c := range []struct {
		ok bool
		id flexString
	}{{okA, in.PrimaryObjectID}, {okB, in.ObjectIDToMerge}} {
		if !c.ok {
			e := notFoundError(q.corr)
			e.Message = fmt.Sprintf("Object not found. objectId: %s", c.id)
			q.fail(e)
			return
		}
	}
	if a == b {
		q.fail(validationError(q.corr, fmt.Sprintf("Cannot merge object %d into itself.", a.id)))
		return
	}

	props := make(map[string]string, len(a.props)+len(b.props))
	for k, v := range b.props {
		props[k] = v
	}
	for k, v := range a.props {
		props[k] = v
	}
	former := []string{strconv.FormatInt(a.id, 10), strconv.FormatInt(b.id, 10)}
	former = append(former, splitIDs(a.props["hs_merged_object_ids"])...)
	former = append(former, splitIDs(b.props["hs_merged_object_ids"])...)
	sort.Slice(former, func(i, j int) bool {
		x, _ := strconv.ParseInt(former[i], 10, 64)
		y, _ := strconv.ParseInt(former[j], 10, 64)
		return x < y
	})
	props["hs_merged_object_ids"] = strings.Join(slices.Compact(former), ";")
	if q.objectType == "contacts" {
		var extra []string
		for _, e := range append(append([]string{b.props["email"]}, splitIDs(a.props["hs_additional_emails"])...), splitIDs(b.props["hs_additional_emails"])...) {
			if e != "" && !strings.EqualFold(e, props["email"]) && !slices.Contains(extra, e) {
				extra = append(extra, e)
			}
		}
		if len(extra) > 0 {
			props["hs_additional_emails"] = strings.Join(extra, ";")
		}
	}
	created := a.created
	if b.created.Before(created) {
		created = b.created
	}
	props["createdate"] = fmtTime(created)
	delete(props, "hs_object_id")
	delete(props, lastModifiedProp(q.objectType))

	d.dropLocked(t, a)
	d.dropLocked(t, b)
	now := d.clock.Now()
	nr := d.insertLocked(t, props, now)
	for k, h := range nr.hist {
		old := append(slices.Clone(b.hist[k]), a.hist[k]...)
		sort.SliceStable(old, func(i, j int) bool { return old[i].at.Before(old[j].at) })
		nr.hist[k] = append(old, h...)
	}
	d.relinkLocked(q.objectType, a, nr, a.id, b.id)
	d.relinkLocked(q.objectType, b, nr, a.id, b.id)

	if d.merged == nil {
		d.merged = map[string]map[int64]int64{}
	}
	m := d.merged[q.objectType]
	if m == nil {
		m = map[int64]int64{}
		d.merged[q.objectType] = m
	}
	for from, to := range m {
		if to == a.id || to == b.id {
			m[from] = nr.id
		}
	}
	m[a.id], m[b.id] = nr.id, nr.id
	q.reply(http.StatusOK, q.renderSet(nr))
}

func (q *request) gdprDelete() {
	if q.objectType != "contacts" {
		q.notFound()
		return
	}
	var in struct {
		ObjectID   flexString `json:"objectId"`
		IDProperty string     `json:"idProperty"`
	}
	if !q.decode(&in) {
		return
	}
	if in.ObjectID == "" {
		q.fail(missingFields(q.corr, "gdpr-delete", []string{"objectId"}))
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tableLocked(q.objectType)
	if !q.checkIDProperty(t, in.IDProperty) {
		return
	}
	id := string(in.ObjectID)
	var r *record
	found := false
	if in.IDProperty == "" || in.IDProperty == "hs_object_id" {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			r, found = t.byID[d.resolveMergedLocked(q.objectType, n)]
		}
		if !found {
			e := notFoundError(q.corr)
			e.Message = fmt.Sprintf("Object not found. objectId: %s", id)
			q.fail(e)
			return
		}
	} else if r, found = t.byUnique(in.IDProperty, id); !found {
		r, found = findArchivedByProp(t, in.IDProperty, id)
	}
	if found {
		d.purgeLocked(t, r)
	}
	// Not found by a unique value: HubSpot blocklists the value and
	// succeeds all the same.
	q.w.WriteHeader(http.StatusNoContent)
}
