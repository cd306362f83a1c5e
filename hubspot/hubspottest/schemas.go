package hubspottest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Custom object schemas (CRM/Schemas). A test defines a custom object
// type with POST /crm/v3/schemas, as on HubSpot; the type then answers to
// its object type ID ("2-N") and its fully qualified name ("p<portal>_<name>")
// alike, its records start with the schema's properties, and creating one
// without a required property fails as on HubSpot. Custom object types
// named without a schema keep working as before, with the base
// properties only.

// objSchema is a custom object type's definition.
type objSchema struct {
	id, typeID, fqn, name string
	singular, plural      string
	primary               string
	secondary, required   []string
	searchable            []string
	assocs                []schemaAssocOut
	createdAt, updatedAt  string
	archived              bool
	nextAssoc             int
}

type schemaLabels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

type schemaAssocOut struct {
	ID               string `json:"id"`
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
	Name             string `json:"name,omitempty"`
	CreatedAt        string `json:"createdAt"`
	UpdatedAt        string `json:"updatedAt"`
}

type schemaOut struct {
	ID                         string           `json:"id"`
	ObjectTypeID               string           `json:"objectTypeId"`
	FullyQualifiedName         string           `json:"fullyQualifiedName"`
	Name                       string           `json:"name"`
	Labels                     schemaLabels     `json:"labels"`
	PrimaryDisplayProperty     string           `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string         `json:"secondaryDisplayProperties"`
	RequiredProperties         []string         `json:"requiredProperties"`
	SearchableProperties       []string         `json:"searchableProperties"`
	Properties                 []propertyOut    `json:"properties"`
	Associations               []schemaAssocOut `json:"associations"`
	Archived                   bool             `json:"archived"`
	AllowsSensitiveProperties  bool             `json:"allowsSensitiveProperties"`
	CreatedAt                  string           `json:"createdAt"`
	UpdatedAt                  string           `json:"updatedAt"`
}

type schemaIn struct {
	Name                       *string       `json:"name"`
	Labels                     *schemaLabels `json:"labels"`
	PrimaryDisplayProperty     *string       `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties []string      `json:"secondaryDisplayProperties"`
	RequiredProperties         []string      `json:"requiredProperties"`
	SearchableProperties       []string      `json:"searchableProperties"`
	Properties                 []propertyIn  `json:"properties"`
	AssociatedObjects          []string      `json:"associatedObjects"`
}

// schemaName is what HubSpot accepts as a custom object's name.
var schemaName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,99}$`)

// schemaStore holds the schemas; guarded by db.mu.
type schemaStore struct {
	byTypeID map[string]*objSchema // "2-N"
	alias    map[string]string     // fully qualified name -> "2-N"
	next     int64
}

// canonLocked is canonicalType, with a schema's fully qualified name
// resolved to its object type ID. The caller holds d.mu.
func (d *db) canonLocked(s string) string {
	c := canonicalType(s)
	if id, ok := d.schemas.alias[c]; ok {
		return id
	}
	return c
}

// requiredMissingLocked lists the required properties of a schema type
// that props lacks. The caller holds d.mu.
func (d *db) requiredMissingLocked(objectType string, props map[string]string) []propError {
	sc := d.schemas.byTypeID[objectType]
	if sc == nil {
		return nil
	}
	var errs []propError
	for _, p := range sc.required {
		if props[p] == "" {
			errs = append(errs, propError{p, "REQUIRED", fmt.Sprintf("%s is a required property of %s", p, sc.name)})
		}
	}
	return errs
}

// schemaOfLocked returns the live schema the path's objectType names, answering
// 404 when there is none.
func (q *request) schemaOfLocked() *objSchema {
	sc := q.s.db.schemas.byTypeID[q.s.db.canonLocked(q.r.PathValue("objectType"))]
	if sc == nil || sc.archived {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Unable to find object type %s", q.r.PathValue("objectType"))})
		return nil
	}
	return sc
}

func (q *request) renderSchemaLocked(sc *objSchema) schemaOut {
	out := schemaOut{ID: sc.id, ObjectTypeID: sc.typeID, FullyQualifiedName: sc.fqn, Name: sc.name,
		Labels: schemaLabels{sc.singular, sc.plural}, PrimaryDisplayProperty: sc.primary,
		SecondaryDisplayProperties: orNone(sc.secondary), RequiredProperties: orNone(sc.required), SearchableProperties: orNone(sc.searchable),
		Properties: []propertyOut{}, Associations: slices.Clone(sc.assocs), Archived: sc.archived, CreatedAt: sc.createdAt, UpdatedAt: sc.updatedAt}
	if out.Associations == nil {
		out.Associations = []schemaAssocOut{}
	}
	for _, p := range q.s.db.schemaLocked(sc.typeID).props {
		if !p.Archived {
			out.Properties = append(out.Properties, p.clone())
		}
	}
	return out
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func (q *request) listSchemas() {
	archived, ok := q.boolParam(q.r.URL.Query(), "archived")
	if !ok {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	res := []schemaOut{}
	ids := make([]string, 0, len(d.schemas.byTypeID))
	for id := range d.schemas.byTypeID {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(fmt.Sprintf("%20s", a), fmt.Sprintf("%20s", b)) })
	for _, id := range ids {
		if sc := d.schemas.byTypeID[id]; sc.archived == archived {
			res = append(res, q.renderSchemaLocked(sc))
		}
	}
	q.reply(http.StatusOK, map[string]any{"results": res})
}

func (q *request) getSchema() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	if sc := q.schemaOfLocked(); sc != nil {
		q.reply(http.StatusOK, q.renderSchemaLocked(sc))
	}
}

func (q *request) createSchema() {
	var in schemaIn
	if !q.decode(&in) {
		return
	}
	portal := q.s.Account().PortalID
	var errs []errorDetail
	req := func(ok bool, field, msg string) {
		if !ok {
			errs = append(errs, errorDetail{Message: msg, Code: "REQUIRED_FIELD", In: field})
		}
	}
	req(in.Name != nil && schemaName.MatchString(*in.Name), "name", "name is required: letters, digits and underscores, starting with a letter")
	req(in.Labels != nil && strings.TrimSpace(in.Labels.Singular) != "" && strings.TrimSpace(in.Labels.Plural) != "", "labels", "labels.singular and labels.plural are required")
	req(len(in.Properties) > 0, "properties", "at least one property is required")
	if len(errs) > 0 {
		q.fail(validationError(q.corr, "Object schema is not valid: "+errs[0].Message, errs...))
		return
	}
	defined := map[string]bool{}
	for _, p := range in.Properties {
		if p.Name != nil {
			defined[*p.Name] = true
		}
	}
	named := append(append(append([]string{}, in.RequiredProperties...), in.SearchableProperties...), in.SecondaryDisplayProperties...)
	if in.PrimaryDisplayProperty != nil {
		named = append(named, *in.PrimaryDisplayProperty)
	}
	for _, n := range named {
		if !defined[n] {
			q.fail(validationError(q.corr, fmt.Sprintf("Property %q is named by the schema but not among its properties.", n),
				errorDetail{Message: n + " is not defined", Code: "PROPERTY_DOESNT_EXIST", In: "properties"}))
			return
		}
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	name := strings.ToLower(*in.Name)
	fqn := "p" + strconv.FormatInt(portal, 10) + "_" + name
	if _, taken := d.schemas.alias[fqn]; taken {
		q.fail(&apiError{status: http.StatusConflict, Category: "OBJECT_ALREADY_EXISTS", Message: fmt.Sprintf("Object type with name %s already exists.", *in.Name)})
		return
	}
	if d.schemas.byTypeID == nil {
		d.schemas.byTypeID, d.schemas.alias = map[string]*objSchema{}, map[string]string{}
	}
	d.schemas.next++
	n := strconv.FormatInt(100000+d.schemas.next, 10)
	now := fmtTime(d.clock.Now())
	sc := &objSchema{id: n, typeID: "2-" + n, fqn: fqn, name: *in.Name, singular: in.Labels.Singular, plural: in.Labels.Plural,
		secondary: in.SecondaryDisplayProperties, required: in.RequiredProperties, searchable: in.SearchableProperties,
		createdAt: now, updatedAt: now}
	if in.PrimaryDisplayProperty != nil {
		sc.primary = *in.PrimaryDisplayProperty
	}
	for _, p := range in.Properties {
		if p.GroupName == nil || *p.GroupName == "" {
			g := customGroup
			p.GroupName = &g
		}
		if _, e := q.newPropertyLocked(sc.typeID, p); e != nil {
			delete(d.schema, sc.typeID) // nothing of the failed schema is kept
			q.fail(e)
			return
		}
	}
	for _, to := range in.AssociatedObjects {
		toID := to
		if t, ok := lookupTypeID(to); ok {
			toID = t
		}
		sc.nextAssoc++
		sc.assocs = append(sc.assocs, schemaAssocOut{ID: strconv.Itoa(sc.nextAssoc), FromObjectTypeID: sc.typeID, ToObjectTypeID: toID, CreatedAt: now, UpdatedAt: now})
	}
	d.schemas.byTypeID[sc.typeID] = sc
	d.schemas.alias[fqn] = sc.typeID
	q.reply(http.StatusCreated, q.renderSchemaLocked(sc))
}

func (q *request) updateSchema() {
	var in schemaIn
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	sc := q.schemaOfLocked()
	if sc == nil {
		return
	}
	props := d.schemaLocked(sc.typeID)
	named := append(append(append([]string{}, in.RequiredProperties...), in.SearchableProperties...), in.SecondaryDisplayProperties...)
	if in.PrimaryDisplayProperty != nil {
		named = append(named, *in.PrimaryDisplayProperty)
	}
	for _, n := range named {
		if props.live(n) == nil {
			q.fail(validationError(q.corr, fmt.Sprintf("Property %q does not exist on %s.", n, sc.name),
				errorDetail{Message: n + " is not defined", Code: "PROPERTY_DOESNT_EXIST", In: "properties"}))
			return
		}
	}
	if in.Labels != nil {
		if in.Labels.Singular != "" {
			sc.singular = in.Labels.Singular
		}
		if in.Labels.Plural != "" {
			sc.plural = in.Labels.Plural
		}
	}
	if in.PrimaryDisplayProperty != nil {
		sc.primary = *in.PrimaryDisplayProperty
	}
	if in.RequiredProperties != nil {
		sc.required = in.RequiredProperties
	}
	if in.SearchableProperties != nil {
		sc.searchable = in.SearchableProperties
	}
	if in.SecondaryDisplayProperties != nil {
		sc.secondary = in.SecondaryDisplayProperties
	}
	sc.updatedAt = fmtTime(d.clock.Now())
	q.reply(http.StatusOK, q.renderSchemaLocked(sc))
}

// archiveSchema deletes a schema, which HubSpot allows only once the type
// has no records left; the type's name stays taken until it is purged.
func (q *request) archiveSchema() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	sc := q.schemaOfLocked()
	if sc == nil {
		return
	}
	if t := d.tables[sc.typeID]; t != nil {
		live := 0
		for _, r := range t.byID {
			if !r.archived {
				live++
			}
		}
		if live > 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("Object type %s still has %d records; delete them before deleting its schema.", sc.name, live)))
			return
		}
	}
	sc.archived = true
	sc.updatedAt = fmtTime(d.clock.Now())
	q.w.WriteHeader(http.StatusNoContent)
}

// purgeSchema removes a deleted schema for good, freeing its name.
func (q *request) purgeSchema() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	sc := d.schemas.byTypeID[d.canonLocked(q.r.PathValue("objectType"))]
	if sc == nil {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Unable to find object type %s", q.r.PathValue("objectType"))})
		return
	}
	if !sc.archived {
		q.fail(validationError(q.corr, fmt.Sprintf("Object type %s is not deleted; delete its schema before purging it.", sc.name)))
		return
	}
	delete(d.schemas.byTypeID, sc.typeID)
	delete(d.schemas.alias, sc.fqn)
	delete(d.schema, sc.typeID)
	delete(d.tables, sc.typeID)
	q.w.WriteHeader(http.StatusNoContent)
}

func (q *request) createSchemaAssociation() {
	var in struct {
		From string `json:"fromObjectTypeId"`
		To   string `json:"toObjectTypeId"`
		Name string `json:"name"`
	}
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	sc := q.schemaOfLocked()
	if sc == nil {
		return
	}
	to, ok := lookupTypeID(in.To)
	if !ok {
		if other := d.schemas.byTypeID[d.canonLocked(in.To)]; other != nil && !other.archived {
			to, ok = other.typeID, true
		}
	}
	if d.canonLocked(in.From) != sc.typeID || !ok {
		q.fail(validationError(q.corr, fmt.Sprintf("fromObjectTypeId must be %s and toObjectTypeId an object type; got %q and %q.", sc.typeID, in.From, in.To)))
		return
	}
	now := fmtTime(d.clock.Now())
	sc.nextAssoc++
	a := schemaAssocOut{ID: strconv.Itoa(sc.nextAssoc), FromObjectTypeID: sc.typeID, ToObjectTypeID: to, Name: in.Name, CreatedAt: now, UpdatedAt: now}
	sc.assocs = append(sc.assocs, a)
	q.reply(http.StatusCreated, a)
}

func (q *request) archiveSchemaAssociation() {
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	sc := q.schemaOfLocked()
	if sc == nil {
		return
	}
	id := q.r.PathValue("associationIdentifier")
	i := slices.IndexFunc(sc.assocs, func(a schemaAssocOut) bool { return a.ID == id })
	if i < 0 {
		q.fail(notFoundError(q.corr))
		return
	}
	sc.assocs = slices.Delete(sc.assocs, i, i+1)
	q.w.WriteHeader(http.StatusNoContent)
}

// lookupTypeID returns the object type ID of a standard type by any name
// HubSpot accepts ("CONTACT", "contacts", "0-1").
func lookupTypeID(s string) (string, bool) {
	t, ok := endpoints.LookupObjectType(s)
	if !ok || t.Custom {
		return "", false
	}
	return t.ID, true
}
