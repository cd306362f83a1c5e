package hubspottest

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// hubspotTime is how HubSpot writes timestamps: UTC with milliseconds.
const hubspotTime = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(hubspotTime) }

// firstID is the first object ID the server hands out. HubSpot's IDs no
// longer fit in 32 bits; starting above that catches clients that assume
// they do.
const firstID = 10_000_000_001

// Object is a stored CRM object, as [Server.Objects] returns it.
type Object struct {
	ID         string
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt time.Time
}

type histEntry struct {
	value string
	at    time.Time
}

type record struct {
	id         int64
	props      map[string]string
	hist       map[string][]histEntry // oldest first
	created    time.Time
	updated    time.Time
	archived   bool
	archivedAt time.Time
	// assoc maps an associated object type to object IDs to the
	// association type IDs that link them.
	assoc map[string]map[int64][]int
}

func (r *record) snapshot() Object {
	return Object{
		ID:         strconv.FormatInt(r.id, 10),
		Properties: maps.Clone(r.props),
		CreatedAt:  r.created,
		UpdatedAt:  r.updated,
		Archived:   r.archived,
		ArchivedAt: r.archivedAt,
	}
}

type table struct {
	name   string
	ids    []int64 // ascending, archived included
	byID   map[int64]*record
	unique []string
	// index maps a unique property to lower-cased value to the live
	// object that holds it.
	index map[string]map[string]int64
}

type db struct {
	clock    clock.Clock
	unique   map[string][]string
	declared map[string][]string // properties defined by WithProperties

	mu     sync.Mutex
	next   int64
	tables map[string]*table

	// labels holds user-defined association labels (associations_v4.go).
	labels *labelStore
	// schema holds property definitions and groups (properties.go).
	schema map[string]*propTable
	// schemas holds custom object schemas (schemas.go). Guarded by mu.
	schemas schemaStore
	// forms holds marketing forms and their submissions (forms.go), with
	// its own lock.
	forms formStore
	// files holds files, folders and imports from a URL (files.go), with
	// its own lock.
	files fileStore
	// timeline holds timeline event templates and events (timeline.go),
	// with its own lock, taken before mu.
	timeline timelineStore
	// merged maps an object type to the IDs of records merged away to the
	// ID of the record they became (merge_gdpr.go). Guarded by mu.
	merged map[string]map[int64]int64

	// lists holds lists v3 and their folders (lists.go). Guarded by mu.
	lists listStore
	// users holds provisioned users, teams and roles (users.go). Guarded
	// by mu.
	users userStore
	// prefs holds subscription types and statuses (preferences.go).
	// Guarded by mu.
	prefs prefStore
	// exports holds started exports (exports.go). Guarded by mu.
	exports exportStore
	// imports holds imports and their row errors (imports.go). Guarded
	// by mu.
	imports importStore
	// emails holds transactional emails, sends and SMTP API tokens
	// (transactional.go). Guarded by mu.
	emails emailStore

	// Stores with their own locks, taken after mu when both are needed
	// (pipelines.go, owners.go, account.go).
	pipelines pipelineStore
	owners    ownerStore
	account   accountState
}

func newDB(c clock.Clock, unique, declared map[string][]string) *db {
	return &db{clock: c, unique: unique, declared: declared, next: firstID, tables: map[string]*table{}}
}

// canonicalType returns the storage name of an object type: the plural
// name of a standard type, the lower-cased name of a custom one.
func canonicalType(s string) string {
	if t, ok := endpoints.LookupObjectType(s); ok {
		return t.Name
	}
	return strings.ToLower(s)
}

// lastModifiedProp is the property that holds the last modification time:
// contacts keep HubSpot's older name.
func lastModifiedProp(objectType string) string {
	if objectType == "contacts" {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

func (d *db) tableLocked(name string) *table {
	t := d.tables[name]
	if t == nil {
		t = &table{name: name, byID: map[int64]*record{}, index: map[string]map[string]int64{}}
		if name == "contacts" {
			t.unique = append(t.unique, "email")
		}
		for _, p := range d.unique[name] {
			if !slices.Contains(t.unique, p) {
				t.unique = append(t.unique, p)
			}
		}
		for _, p := range t.unique {
			t.index[p] = map[string]int64{}
		}
		d.tables[name] = t
	}
	return t
}

func (t *table) isUnique(prop string) bool { return slices.Contains(t.unique, prop) }

// byUnique finds the live object whose unique prop has value.
func (t *table) byUnique(prop, value string) (*record, bool) {
	id, ok := t.index[prop][strings.ToLower(value)]
	if !ok {
		return nil, false
	}
	r := t.byID[id]
	return r, r != nil && !r.archived
}

// find resolves an object by ID or by a unique property.
func (t *table) find(id, idProperty string) (*record, bool) {
	if idProperty != "" && idProperty != "hs_object_id" {
		return t.byUnique(idProperty, id)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, false
	}
	r, ok := t.byID[n]
	return r, ok
}

// conflict reports the live object, other than self, that already holds a
// value props would set for a unique property.
func (t *table) conflict(props map[string]string, self int64) (prop string, existing int64, ok bool) {
	for _, p := range t.unique {
		v, set := props[p]
		if !set || v == "" {
			continue
		}
		if id, taken := t.index[p][strings.ToLower(v)]; taken && id != self {
			if r := t.byID[id]; r != nil && !r.archived {
				return p, id, true
			}
		}
	}
	return "", 0, false
}

func (t *table) indexAdd(r *record) {
	for _, p := range t.unique {
		if v := r.props[p]; v != "" {
			t.index[p][strings.ToLower(v)] = r.id
		}
	}
}

func (t *table) indexRemove(r *record) {
	for _, p := range t.unique {
		if v := r.props[p]; v != "" && t.index[p][strings.ToLower(v)] == r.id {
			delete(t.index[p], strings.ToLower(v))
		}
	}
}

// insertLocked creates an object with props at now.
func (d *db) insertLocked(t *table, props map[string]string, now time.Time) *record {
	id := d.next
	d.next++
	r := &record{id: id, props: map[string]string{}, hist: map[string][]histEntry{}, created: now, updated: now}
	if v, ok := props["createdate"]; ok && v != "" {
		if ct, ok := parseTimeValue(v); ok {
			r.created = ct
		}
	}
	for k, v := range props {
		if v == "" {
			continue
		}
		r.set(k, v, now)
	}
	r.set("hs_object_id", strconv.FormatInt(id, 10), now)
	r.set("createdate", fmtTime(r.created), now)
	r.set(lastModifiedProp(t.name), fmtTime(now), now)
	t.byID[id] = r
	t.ids = append(t.ids, id)
	t.indexAdd(r)
	return r
}

// set records a property value and its history.
func (r *record) set(k, v string, now time.Time) {
	if v == "" {
		delete(r.props, k)
	} else {
		r.props[k] = v
	}
	r.hist[k] = append(r.hist[k], histEntry{value: v, at: now})
}

// updateLocked applies props to r at now; "" clears a property.
func (d *db) updateLocked(t *table, r *record, props map[string]string, now time.Time) {
	t.indexRemove(r)
	keys := slices.Sorted(maps.Keys(props))
	for _, k := range keys {
		if props[k] == r.props[k] {
			continue
		}
		r.set(k, props[k], now)
	}
	r.updated = now
	r.set(lastModifiedProp(t.name), fmtTime(now), now)
	t.indexAdd(r)
}

func (d *db) archiveLocked(t *table, r *record, now time.Time) {
	if r.archived {
		return
	}
	t.indexRemove(r)
	r.archived = true
	r.archivedAt = now
	r.updated = now
}

// page returns up to limit objects with ID >= after, live or archived as
// asked, and the cursor of the next page ("" when there is none).
func (t *table) page(after int64, limit int, archived bool) ([]*record, string) {
	i := sort.Search(len(t.ids), func(i int) bool { return t.ids[i] >= after })
	var out []*record
	for ; i < len(t.ids); i++ {
		r := t.byID[t.ids[i]]
		if r.archived != archived {
			continue
		}
		if len(out) == limit {
			return out, strconv.FormatInt(r.id, 10)
		}
		out = append(out, r)
	}
	return out, ""
}

// associate links a and b both ways with the given type IDs.
func associate(aType string, a *record, bType string, b *record, ab, ba int) {
	link := func(r *record, toType string, to int64, typeID int) {
		if r.assoc == nil {
			r.assoc = map[string]map[int64][]int{}
		}
		if r.assoc[toType] == nil {
			r.assoc[toType] = map[int64][]int{}
		}
		if !slices.Contains(r.assoc[toType][to], typeID) {
			r.assoc[toType][to] = append(r.assoc[toType][to], typeID)
		}
	}
	link(a, bType, b.id, ab)
	link(b, aType, a.id, ba)
}

// Objects returns a snapshot of every stored object of objectType (any
// accepted spelling: "contacts", "contact", "0-1"), archived ones
// included, in ID order.
func (s *Server) Objects(objectType string) []Object {
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tables[d.canonLocked(objectType)]
	if t == nil {
		return nil
	}
	out := make([]Object, 0, len(t.ids))
	for _, id := range t.ids {
		out = append(out, t.byID[id].snapshot())
	}
	return out
}

// Seed stores objects of objectType directly, without a call, and returns
// them in order. Property values are stored as given, read-only ones too;
// createdate may be set to backdate an object. Seed fails the test on a
// property objectType does not have (see WithProperties) and on a
// unique-property conflict.
func (s *Server) Seed(objectType string, props ...map[string]string) []Object {
	s.t.Helper()
	name := canonicalType(objectType)
	if _, ok := endpoints.LookupObjectType(name); !ok {
		s.t.Fatalf("hubspottest: Seed: unknown object type %q", objectType)
	}
	d := s.db
	d.mu.Lock()
	name = d.canonLocked(name)
	defer d.mu.Unlock()
	t := d.tableLocked(name)
	now := d.clock.Now()
	out := make([]Object, 0, len(props))
	schema := d.schemaLocked(name)
	for i, p := range props {
		for k := range p {
			if schema.live(k) == nil {
				s.t.Fatalf("hubspottest: Seed: object %d: %s have no property %q; define it with WithProperties or the properties API", i, name, k)
			}
		}
		p = normalizeProps(name, p)
		if prop, id, ok := t.conflict(p, 0); ok {
			s.t.Fatalf("hubspottest: Seed: object %d: %s %q already used by object %d", i, prop, p[prop], id)
		}
		out = append(out, d.insertLocked(t, p, now).snapshot())
	}
	return out
}

// Associate links two stored objects with HubSpot's default (unlabeled)
// association type, both ways. It fails the test if either is missing or
// HubSpot defines no association between the types.
func (s *Server) Associate(fromType, fromID, toType, toID string) {
	s.t.Helper()
	ft, tt := canonicalType(fromType), canonicalType(toType)
	ab, ba, ok := defaultAssociation(ft, tt)
	if !ok {
		s.t.Fatalf("hubspottest: Associate: no default association from %s to %s", ft, tt)
	}
	d := s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	a, okA := d.tableLocked(ft).find(fromID, "")
	b, okB := d.tableLocked(tt).find(toID, "")
	if !okA || !okB {
		s.t.Fatalf("hubspottest: Associate: %s %s or %s %s does not exist", ft, fromID, tt, toID)
	}
	associate(ft, a, tt, b, ab, ba)
}

// normalizeProps applies what HubSpot does to values on write: contact
// emails are stored lower-case.
func normalizeProps(objectType string, p map[string]string) map[string]string {
	if objectType == "contacts" {
		if e, ok := p["email"]; ok && e != strings.ToLower(e) {
			p = maps.Clone(p)
			p["email"] = strings.ToLower(e)
		}
	}
	return p
}

// parseTimeValue reads a date property the ways HubSpot accepts: epoch
// milliseconds, RFC 3339 or a plain date.
func parseTimeValue(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(n).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
