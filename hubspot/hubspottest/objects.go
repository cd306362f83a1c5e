package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// defaultProps are the properties HubSpot returns when a call names none.
var defaultProps = map[string][]string{
	"contacts":   {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	"companies":  {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	"deals":      {"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"},
	"tickets":    {"content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject"},
	"products":   {"createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"},
	"line_items": {"createdate", "hs_lastmodifieddate", "hs_object_id", "name", "price", "quantity"},
	"quotes":     {"createdate", "hs_expiration_date", "hs_lastmodifieddate", "hs_object_id", "hs_public_url_key", "hs_status", "hs_title"},
}

func defaultsFor(objectType string) []string {
	if p, ok := defaultProps[objectType]; ok {
		return p
	}
	return []string{"createdate", "hs_lastmodifieddate", "hs_object_id"}
}

// readOnlyProps cannot be set by a call.
var readOnlyProps = []string{"hs_object_id", "lastmodifieddate", "hs_lastmodifieddate"}

// alwaysReturned are the properties HubSpot returns with every record,
// whatever properties a read names: the record ID and its creation and
// modification times, by which sync code pages.
func alwaysReturned(objectType string) []string {
	return []string{"createdate", "hs_object_id", lastModifiedProp(objectType)}
}

// objectOut is HubSpot's JSON for an object.
type objectOut struct {
	ID                    string                  `json:"id"`
	Properties            map[string]*string      `json:"properties"`
	PropertiesWithHistory map[string][]historyOut `json:"propertiesWithHistory,omitempty"`
	Associations          map[string]assocListOut `json:"associations,omitempty"`
	CreatedAt             string                  `json:"createdAt"`
	UpdatedAt             string                  `json:"updatedAt"`
	Archived              bool                    `json:"archived"`
	ArchivedAt            string                  `json:"archivedAt,omitempty"`
	ObjectWriteTraceID    string                  `json:"objectWriteTraceId,omitempty"`
	New                   *bool                   `json:"new,omitempty"`
}

type historyOut struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

type assocListOut struct {
	Results []assocOut `json:"results"`
}

type assocOut struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type pagingOut struct {
	Next *nextOut `json:"next,omitempty"`
}

type nextOut struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

// readOpts is what a read asks to see.
type readOpts struct {
	props        []string // nil: the type's defaults
	history      []string
	associations []string // canonical object types
}

// render builds the JSON of r: the properties o names (the type's
// defaults when it names none) and those HubSpot always returns, each with
// its value or null, leaving out names that are not properties of the
// type, as HubSpot does. The caller holds the db lock.
func (q *request) render(r *record, o readOpts) objectOut {
	schema := q.s.db.schemaLocked(q.objectType)
	var props []string
	for _, p := range append(slices.Clone(o.props), alwaysReturned(q.objectType)...) {
		if !slices.Contains(props, p) && schema.live(p) != nil {
			props = append(props, p)
		}
	}
	if o.props == nil {
		props = defaultsFor(q.objectType)
	}
	out := objectOut{
		ID:         strconv.FormatInt(r.id, 10),
		Properties: make(map[string]*string, len(props)),
		CreatedAt:  fmtTime(r.created),
		UpdatedAt:  fmtTime(r.updated),
		Archived:   r.archived,
	}
	if r.archived {
		out.ArchivedAt = fmtTime(r.archivedAt)
	}
	for _, p := range props {
		if v, ok := r.props[p]; ok {
			out.Properties[p] = &v
		} else {
			out.Properties[p] = nil
		}
	}
	if len(o.history) > 0 {
		out.PropertiesWithHistory = map[string][]historyOut{}
		for _, p := range o.history {
			if schema.live(p) == nil {
				continue
			}
			h := r.hist[p]
			list := make([]historyOut, 0, len(h))
			for i := len(h) - 1; i >= 0; i-- {
				if h[i].value == "" {
					continue
				}
				list = append(list, historyOut{Value: h[i].value, Timestamp: fmtTime(h[i].at), SourceType: "API"})
			}
			out.PropertiesWithHistory[p] = list
		}
	}
	for _, at := range o.associations {
		ids := r.assoc[at]
		if len(ids) == 0 {
			continue
		}
		if out.Associations == nil {
			out.Associations = map[string]assocListOut{}
		}
		keys := make([]int64, 0, len(ids))
		for id := range ids {
			keys = append(keys, id)
		}
		slices.Sort(keys)
		var list []assocOut
		for _, id := range keys {
			for _, typeID := range ids[id] {
				list = append(list, assocOut{ID: strconv.FormatInt(id, 10), Type: assocLabel(q.objectType, at, typeID)})
			}
		}
		out.Associations[at] = assocListOut{Results: list}
	}
	return out
}

// renderSet builds the JSON of r showing the properties that have values,
// as create and update answers do.
func (q *request) renderSet(r *record) objectOut {
	props := make([]string, 0, len(r.props))
	for k := range r.props {
		props = append(props, k)
	}
	sort.Strings(props)
	return q.render(r, readOpts{props: props})
}

// listParam collects a query parameter given repeatedly and/or
// comma-separated.
func listParam(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// readOptsFromQuery parses properties, propertiesWithHistory and
// associations.
func readOptsFromQuery(v url.Values) readOpts {
	o := readOpts{props: listParam(v, "properties"), history: listParam(v, "propertiesWithHistory")}
	for _, a := range listParam(v, "associations") {
		o.associations = append(o.associations, canonicalType(a))
	}
	return o
}

// boolParam parses a boolean query parameter, answering 400 if it is not
// one.
func (q *request) boolParam(v url.Values, name string) (bool, bool) {
	s := v.Get(name)
	if s == "" {
		return false, true
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter %s: expected true or false.", s, name)))
		return false, false
	}
	return b, true
}

func (q *request) get() {
	v := q.r.URL.Query()
	archived, ok := q.boolParam(v, "archived")
	if !ok {
		return
	}
	id, idProp := q.objectID, v.Get("idProperty")
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.tableLocked(q.objectType)
	if !q.checkIDProperty(t, idProp) {
		return
	}
	r, found := t.find(id, idProp)
	if idProp != "" && idProp != "hs_object_id" && archived {
		r, found = findArchivedByProp(t, idProp, id)
	}
	if !found && (idProp == "" || idProp == "hs_object_id") {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			q.fail(&apiError{status: http.StatusNotFound, Message: "Object not found.  objectId are usually numeric.", Category: catNotFound})
			return
		}
	}
	if !found || r.archived != archived {
		q.fail(notFoundError(q.corr))
		return
	}
	q.reply(http.StatusOK, q.render(r, readOptsFromQuery(v)))
}

func findArchivedByProp(t *table, prop, value string) (*record, bool) {
	for i := len(t.ids) - 1; i >= 0; i-- {
		r := t.byID[t.ids[i]]
		if r.archived && strings.EqualFold(r.props[prop], value) {
			return r, true
		}
	}
	return nil, false
}

// nonUniqueIDProperty is HubSpot's 400 for an update or upsert by a
// property that is not unique, hs_object_id included: HubSpot finds
// records by ID only without an idProperty, and creates none at an ID a
// call names, so an upsert always needs a unique property.
func (q *request) nonUniqueIDProperty(in, prop string) *apiError {
	return validationError(q.corr, fmt.Sprintf("Unable to perform update/upsert by non-unique %s property %s in portal ID %d", typeID(q.objectType), prop, q.s.Account().PortalID),
		errorDetail{Message: fmt.Sprintf("%s is not a unique identifier property", prop), Code: "INVALID_ID_PROPERTY", In: in})
}

// checkIDProperty answers 400 when idProperty is not a unique property.
func (q *request) checkIDProperty(t *table, idProp string) bool {
	if idProp == "" || idProp == "hs_object_id" || t.isUnique(idProp) {
		return true
	}
	q.fail(validationError(q.corr, fmt.Sprintf("Property %q is not a unique property and cannot be used as idProperty.", idProp),
		errorDetail{Message: fmt.Sprintf("%s is not a unique identifier property", idProp), Code: "INVALID_ID_PROPERTY", In: "idProperty"}))
	return false
}

func (q *request) list() {
	v := q.r.URL.Query()
	archived, ok := q.boolParam(v, "archived")
	if !ok {
		return
	}
	limit := 10
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected a positive integer.", s)))
			return
		}
		limit = min(n, q.op.Limits.Page)
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
	o := readOptsFromQuery(v)
	d := q.s.db
	d.mu.Lock()
	t := d.tableLocked(q.objectType)
	recs, next := t.page(after, limit, archived)
	out := struct {
		Results []objectOut `json:"results"`
		Paging  *pagingOut  `json:"paging,omitempty"`
	}{Results: make([]objectOut, 0, len(recs))}
	for _, r := range recs {
		out.Results = append(out.Results, q.render(r, o))
	}
	d.mu.Unlock()
	if next != "" {
		// The link repeats the paging and read parameters only, so that no
		// credential sent in the query is echoed back.
		nv := url.Values{}
		for _, k := range []string{"limit", "properties", "propertiesWithHistory", "associations", "archived"} {
			if vs, ok := v[k]; ok {
				nv[k] = vs
			}
		}
		nv.Set("after", next)
		out.Paging = &pagingOut{Next: &nextOut{After: next, Link: q.s.URL() + q.r.URL.EscapedPath() + "?" + nv.Encode()}}
	}
	q.reply(http.StatusOK, out)
}

type jsonRaw = json.RawMessage

// objectInput is the body of a create or update, and a batch input.
type objectInput struct {
	ID                 string                     `json:"id"`
	IDProperty         string                     `json:"idProperty"`
	Properties         map[string]json.RawMessage `json:"properties"`
	Associations       []associationInput         `json:"associations"`
	ObjectWriteTraceID string                     `json:"objectWriteTraceId"`
}

type associationInput struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int    `json:"associationTypeId"`
	} `json:"types"`
}

// propError is one invalid property value.
type propError struct {
	name, code, msg string
}

// propertyValues converts wire values (strings, numbers, booleans, null)
// to stored strings and checks them against the type's property
// definitions, as HubSpot does: the property must exist
// (PROPERTY_DOESNT_EXIST), accept values (READ_ONLY_VALUE), and the value
// must suit its type and, for an enumeration, be one of its options
// (INVALID_OPTION). Null and "" clear a property. The caller holds the db
// lock.
func (q *request) propertyValues(in map[string]json.RawMessage, creating bool) (map[string]string, []propError) {
	schema := q.s.db.schemaLocked(q.objectType)
	out := make(map[string]string, len(in))
	var errs []propError
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := in[k]
		var val any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&val); err != nil {
			errs = append(errs, propError{k, "INVALID_VALUE", fmt.Sprintf("%s has an invalid value", k)})
			continue
		}
		var s string
		switch x := val.(type) {
		case nil:
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			errs = append(errs, propError{k, "INVALID_VALUE", fmt.Sprintf("%s must be a string, number or boolean", k)})
			continue
		}
		def := schema.live(k)
		if def == nil {
			errs = append(errs, propError{k, "PROPERTY_DOESNT_EXIST", fmt.Sprintf("Property %q does not exist", k)})
			continue
		}
		if slices.Contains(readOnlyProps, k) || def.ModificationMetadata.ReadOnlyValue && k != "createdate" {
			errs = append(errs, propError{k, "READ_ONLY_VALUE", fmt.Sprintf("%s is a read only property; its value cannot be set.", k)})
			continue
		}
		if s != "" {
			if e := checkValue(def, s); e != nil {
				errs = append(errs, *e)
				continue
			}
		}
		if k == "email" && q.objectType == "contacts" && s != "" && !validEmail(s) {
			errs = append(errs, propError{k, "INVALID_EMAIL", fmt.Sprintf("Email address %s is invalid", s)})
			continue
		}
		out[k] = s
	}
	if creating {
		errs = append(errs, missingTimestamp(q.objectType, out)...)
		errs = append(errs, q.s.db.requiredMissingLocked(q.objectType, out)...)
	}
	return normalizeProps(q.objectType, out), errs
}

// checkValue checks a value against its property's type and options.
// The codes other than INVALID_OPTION are the server's own: HubSpot's
// reference names none.
func checkValue(def *propertyOut, v string) *propError {
	bad := func(code, format string) *propError {
		return &propError{def.Name, code, fmt.Sprintf(format, v, def.Name)}
	}
	switch def.Type {
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return bad("INVALID_NUMBER", "%q is not a valid number for %s")
		}
	case "bool":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return bad("INVALID_BOOLEAN", "%q is not a valid boolean for %s: use true or false")
		}
	case "datetime":
		if _, ok := parseTimeValue(v); !ok {
			return bad("INVALID_DATETIME", "%q is not a valid date-time for %s: use epoch milliseconds or ISO 8601")
		}
	case "date":
		t, ok := parseTimeValue(v)
		if !ok || !t.Equal(startOfUTCDay(t)) {
			return bad("INVALID_DATE", "%q is not a valid date for %s: use YYYY-MM-DD, or epoch milliseconds at midnight UTC")
		}
	case "enumeration":
		if def.ExternalOptions || len(def.Options) == 0 {
			return nil // owners and pipelines: options kept elsewhere
		}
		values := []string{v}
		if def.FieldType == "checkbox" { // several options, separated by ";"
			values = strings.Split(v, ";")
		}
		allowed := make([]string, len(def.Options))
		for i, o := range def.Options {
			allowed[i] = o.Value
		}
		for _, x := range values {
			if !slices.Contains(allowed, x) {
				return &propError{def.Name, "INVALID_OPTION", fmt.Sprintf("%s was not one of the allowed options: [%s]", x, strings.Join(allowed, ", "))}
			}
		}
	}
	return nil
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.ContainsAny(s, " \t\r\n,;<>") && !strings.Contains(domain, "@")
}

// propValidationError is HubSpot's 400 for invalid property values: the
// message embeds the per-property results as JSON, and errors[] lists them.
func propValidationError(corr string, errs []propError) *apiError {
	type result struct {
		IsValid bool   `json:"isValid"`
		Message string `json:"message"`
		Error   string `json:"error"`
		Name    string `json:"name"`
	}
	var results []result
	var details []errorDetail
	for _, e := range errs {
		results = append(results, result{false, e.msg, e.code, e.name})
		details = append(details, errorDetail{Message: e.msg, Code: e.code, Context: map[string][]string{"propertyName": {e.name}}})
	}
	b, _ := json.Marshal(results)
	return validationError(corr, "Property values were not valid: "+string(b), details...)
}

// conflictError is HubSpot's 409 for a unique value already in use.
func conflictError(corr, objectType, prop string, existing int64) *apiError {
	msg := fmt.Sprintf("Contact already exists. Existing ID: %d", existing)
	if objectType != "contacts" || prop != "email" {
		msg = fmt.Sprintf("An object with %s already exists. Existing ID: %d", prop, existing)
	}
	return &apiError{status: http.StatusConflict, Message: msg, CorrelationID: corr, Category: catConflict}
}

// resolveAssociations checks association inputs of a new object against
// stored objects; the caller holds the db lock.
func (q *request) resolveAssociations(in []associationInput) ([]func(*record), *apiError) {
	var links []func(*record)
	for i, a := range in {
		if len(a.Types) == 0 {
			return nil, validationError(q.corr, fmt.Sprintf("associations[%d] has no types", i))
		}
		for _, ty := range a.Types {
			at, ok := assocByID(q.objectType, ty.AssociationTypeID)
			if !ok || (ty.AssociationCategory != "" && ty.AssociationCategory != "HUBSPOT_DEFINED") {
				return nil, validationError(q.corr, fmt.Sprintf("associations[%d]: association type %s/%d is not valid from %s", i, ty.AssociationCategory, ty.AssociationTypeID, q.objectType))
			}
			to, found := q.s.db.tableLocked(at.To).find(a.To.ID, "")
			if !found || to.archived {
				return nil, validationError(q.corr, fmt.Sprintf("associations[%d]: %s %s does not exist", i, at.To, a.To.ID))
			}
			from := q.objectType
			links = append(links, func(r *record) { associate(from, r, at.To, to, at.ID, at.Reverse) })
		}
	}
	return links, nil
}

func (q *request) create() {
	var in objectInput
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	props, errs := q.propertyValues(in.Properties, true)
	if len(errs) > 0 {
		q.fail(propValidationError(q.corr, errs))
		return
	}
	t := d.tableLocked(q.objectType)
	if prop, id, ok := t.conflict(props, 0); ok {
		q.fail(conflictError(q.corr, q.objectType, prop, id))
		return
	}
	links, aerr := q.resolveAssociations(in.Associations)
	if aerr != nil {
		q.fail(aerr)
		return
	}
	r := d.insertLocked(t, props, d.clock.Now())
	for _, l := range links {
		l(r)
	}
	q.reply(http.StatusCreated, q.renderSet(r))
}

func (q *request) update() {
	v := q.r.URL.Query()
	var in objectInput
	if !q.decode(&in) {
		return
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	props, errs := q.propertyValues(in.Properties, false)
	if len(errs) > 0 {
		q.fail(propValidationError(q.corr, errs))
		return
	}
	t := d.tableLocked(q.objectType)
	idProp := v.Get("idProperty")
	if !q.checkIDProperty(t, idProp) {
		return
	}
	r, found := t.find(q.objectID, idProp)
	if !found || r.archived {
		q.fail(notFoundError(q.corr))
		return
	}
	if prop, id, ok := t.conflict(props, r.id); ok {
		q.fail(conflictError(q.corr, q.objectType, prop, id))
		return
	}
	d.updateLocked(t, r, props, d.clock.Now())
	q.reply(http.StatusOK, q.renderSet(r))
}

func (q *request) archive() {
	d := q.s.db
	d.mu.Lock()
	t := d.tableLocked(q.objectType)
	if r, found := t.find(q.objectID, ""); found {
		d.archiveLocked(t, r, d.clock.Now())
	}
	d.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}
