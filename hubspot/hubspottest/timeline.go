package hubspottest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// Timeline events v3 (CRM/Timeline). Event templates and their tokens
// belong to an app and are managed with a developer key of the app's
// account ([Server.NewDeveloperKey]); events are created and read with a
// token, and kept per CRM record, where a test reads them back with
// [Server.TimelineEvents]. Where HubSpot's documentation leaves the
// behaviour open, the server chooses:
//
//   - An event names its record by objectId (any template), email or utk
//     (contacts: the contact with that email, created when there is none,
//     or whose hubspotutk property, which a test defines with
//     WithProperties, is utk) or domain (companies). A record
//     that does not exist is 404 OBJECT_NOT_FOUND.
//   - Every token value must be declared by the template (else 400 naming
//     the token) and fit the token's type: a number, a date (milliseconds
//     since the epoch, RFC 3339 or YYYY-MM-DD) or one of an enumeration's
//     option values. A token with objectPropertyName sets that property
//     of the record.
//   - An event ID already used with the template is 409 CONFLICT; an event
//     sent without one gets a UUID.
//   - Deleting a template deletes its events.
//   - The detail of an event is its template's detailTemplate with each
//     {{name}} replaced by the token's value, and {{extraData.key}} by a
//     top-level scalar of extraData; block helpers are left as written.
//   - The 2026-03 paths take the developer platform's app event shape:
//     hubspottest reads eventTypeName as the ID of a template and
//     properties as its tokens.
//
// The server does not check that the token creating an event belongs to
// the app that owns the template.

// maxTimelineTemplates is HubSpot's limit of event templates per app.
const maxTimelineTemplates = 750

// firstTemplateID is the first event template ID the server hands out.
const firstTemplateID = 1_000_001

// timelineObjectTypes are the object types a template may be for.
var timelineObjectTypes = []string{"contacts", "companies", "deals", "tickets"}

// tokenTypes are the types of an event template token.
var tokenTypes = []string{"string", "number", "date", "enumeration"}

// tokenNameRE is what HubSpot accepts as a token name.
var tokenNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,99}$`)

type timelineStore struct {
	mu        sync.Mutex
	templates map[string]*tlTemplate // by ID
	nextID    int64
	events    map[string]*tlEvent   // by template ID + "/" + event ID
	byRecord  map[string][]*tlEvent // by object type + "/" + record ID, oldest first
}

type tlTemplate struct {
	appID                int64
	id, name, objectType string
	header, detail       string
	tokens               []*tlToken
	created, updated     time.Time
}

type tlToken struct {
	Name               string     `json:"name"`
	Label              string     `json:"label"`
	Type               string     `json:"type"`
	Options            []tlOption `json:"options"`
	ObjectPropertyName string     `json:"objectPropertyName,omitempty"`
	CreatedAt          string     `json:"createdAt,omitempty"`
	UpdatedAt          string     `json:"updatedAt,omitempty"`
}

type tlOption struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type tlIFrame struct {
	LinkLabel   string `json:"linkLabel"`
	HeaderLabel string `json:"headerLabel"`
	URL         string `json:"url"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

type tlEvent struct {
	id, templateID, objectType, objectID string
	email, utk, domain, customType       string
	tokens                               map[string]string
	extra                                json.RawMessage
	iframe                               *tlIFrame
	timestamp, created                   time.Time
}

// TimelineEvent is a stored timeline event, as [Server.TimelineEvents]
// returns it.
type TimelineEvent struct {
	ID         string
	TemplateID string
	// ObjectType and ObjectID name the record the event is on.
	ObjectType string
	ObjectID   string
	Tokens     map[string]string
	// ExtraData is the event's extraData as sent, or nil.
	ExtraData json.RawMessage
	Timestamp time.Time
}

// TimelineEvents returns the timeline events of the record objectID of
// objectType ("contacts", "0-1"...), oldest first.
func (s *Server) TimelineEvents(objectType, objectID string) []TimelineEvent {
	s.t.Helper()
	ot, ok := endpoints.LookupObjectType(objectType)
	if !ok {
		s.t.Fatalf("hubspottest: TimelineEvents: unknown object type %q", objectType)
	}
	st := &s.db.timeline
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []TimelineEvent
	for _, e := range st.byRecord[ot.Name+"/"+objectID] {
		out = append(out, TimelineEvent{ID: e.id, TemplateID: e.templateID, ObjectType: e.objectType, ObjectID: e.objectID,
			Tokens: maps.Clone(e.tokens), ExtraData: slices.Clone(e.extra), Timestamp: e.timestamp})
	}
	return out
}

func (st *timelineStore) initLocked() {
	if st.templates == nil {
		st.templates = map[string]*tlTemplate{}
		st.events = map[string]*tlEvent{}
		st.byRecord = map[string][]*tlEvent{}
		st.nextID = firstTemplateID
	}
}

// timelineOp adapts a handler of an app's event templates: it reads the
// app ID of the path and checks that the developer key's account owns the
// app.
func timelineOp(f func(st *timelineStore, q *request, appID int64)) func(*request) {
	return webhookOp(func(_ *webhookState, q *request, appID int64) {
		st := &q.s.db.timeline
		st.mu.Lock()
		st.initLocked()
		st.mu.Unlock()
		f(st, q, appID)
	})
}

// timelineTemplateOp adapts a handler of one event template, answering 404
// for a template the app does not have.
func timelineTemplateOp(f func(st *timelineStore, q *request, t *tlTemplate)) func(*request) {
	return timelineOp(func(st *timelineStore, q *request, appID int64) {
		id := q.r.PathValue("eventTemplateId")
		st.mu.Lock()
		t := st.templates[id]
		st.mu.Unlock()
		if t == nil || t.appID != appID {
			q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Event template %s was not found for app %d.", truncate(id, 64), appID)})
			return
		}
		f(st, q, t)
	})
}

type templateOut struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	ObjectType     string     `json:"objectType"`
	HeaderTemplate string     `json:"headerTemplate,omitempty"`
	DetailTemplate string     `json:"detailTemplate,omitempty"`
	Tokens         []*tlToken `json:"tokens"`
	CreatedAt      string     `json:"createdAt"`
	UpdatedAt      string     `json:"updatedAt"`
}

func (t *tlTemplate) out() templateOut {
	toks := make([]*tlToken, len(t.tokens))
	for i, tk := range t.tokens {
		c := *tk
		c.Options = slices.Clone(tk.Options)
		toks[i] = &c
	}
	return templateOut{ID: t.id, Name: t.name, ObjectType: t.objectType, HeaderTemplate: t.header, DetailTemplate: t.detail,
		Tokens: toks, CreatedAt: fmtTime(t.created), UpdatedAt: fmtTime(t.updated)}
}

func (t *tlTemplate) token(name string) *tlToken {
	for _, tk := range t.tokens {
		if tk.Name == name {
			return tk
		}
	}
	return nil
}

func (q *request) badTimeline(msg, in string) {
	q.fail(validationError(q.corr, msg, errorDetail{Message: msg, In: in, Code: "INVALID"}))
}

// checkToken validates a token definition; where names it in errors.
func (q *request) checkToken(tk *tlToken, where string, typed bool) bool {
	switch {
	case typed && !tokenNameRE.MatchString(tk.Name):
		q.badTimeline(fmt.Sprintf("%s: name %q must start with a lower case letter and hold only lower case letters, digits, '_' and '-'.", where, truncate(tk.Name, 64)), where+".name")
	case tk.Label == "":
		q.badTimeline(where+": label is required.", where+".label")
	case typed && !slices.Contains(tokenTypes, tk.Type):
		q.badTimeline(fmt.Sprintf("%s: type %q is not one of %s.", where, truncate(tk.Type, 32), strings.Join(tokenTypes, ", ")), where+".type")
	case tk.Type == "enumeration" && len(tk.Options) == 0:
		q.badTimeline(where+": an enumeration token needs options.", where+".options")
	case tk.Type != "enumeration" && len(tk.Options) > 0:
		q.badTimeline(where+": only an enumeration token has options.", where+".options")
	default:
		seen := map[string]bool{}
		for i, o := range tk.Options {
			if o.Value == "" || o.Label == "" || seen[o.Value] {
				q.badTimeline(fmt.Sprintf("%s.options[%d]: each option needs a label and a value of its own.", where, i), fmt.Sprintf("%s.options[%d]", where, i))
				return false
			}
			seen[o.Value] = true
		}
		if tk.Options == nil {
			tk.Options = []tlOption{}
		}
		return true
	}
	return false
}

// checkTokens validates a template's token list.
func (q *request) checkTokens(toks []*tlToken) bool {
	seen := map[string]bool{}
	for i, tk := range toks {
		where := fmt.Sprintf("tokens[%d]", i)
		if tk == nil {
			q.badTimeline(where+" is null.", where)
			return false
		}
		if !q.checkToken(tk, where, true) {
			return false
		}
		if seen[tk.Name] {
			q.badTimeline(fmt.Sprintf("%s: token %s appears twice.", where, tk.Name), where+".name")
			return false
		}
		seen[tk.Name] = true
	}
	return true
}

type templateIn struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	ObjectType     string     `json:"objectType"`
	HeaderTemplate string     `json:"headerTemplate"`
	DetailTemplate string     `json:"detailTemplate"`
	Tokens         []*tlToken `json:"tokens"`
}

func (st *timelineStore) listTemplates(q *request, appID int64) {
	st.mu.Lock()
	var ts []*tlTemplate
	for _, t := range st.templates {
		if t.appID == appID {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b *tlTemplate) int { return cmp.Compare(len(a.id), len(b.id))*2 + cmp.Compare(a.id, b.id) })
	out := make([]templateOut, len(ts))
	for i, t := range ts {
		out[i] = t.out()
	}
	st.mu.Unlock()
	q.reply(http.StatusOK, map[string]any{"results": out})
}

func (st *timelineStore) createTemplate(q *request, appID int64) {
	var in templateIn
	if !q.decode(&in) {
		return
	}
	ot, _ := endpoints.LookupObjectType(in.ObjectType)
	switch {
	case in.Name == "":
		q.badTimeline("name is required.", "name")
		return
	case in.ObjectType == "" || !slices.Contains(timelineObjectTypes, ot.Name):
		q.badTimeline(fmt.Sprintf("objectType %q is not one of %s.", truncate(in.ObjectType, 64), strings.Join(timelineObjectTypes, ", ")), "objectType")
		return
	case in.Tokens == nil:
		q.badTimeline("tokens is required.", "tokens")
		return
	}
	if !q.checkTokens(in.Tokens) {
		return
	}
	now := q.s.clock.Now()
	st.mu.Lock()
	n := 0
	for _, t := range st.templates {
		if t.appID == appID {
			n++
		}
	}
	if n >= maxTimelineTemplates {
		st.mu.Unlock()
		q.fail(validationError(q.corr, fmt.Sprintf("App %d already has %d event templates, the most an app may have.", appID, maxTimelineTemplates)))
		return
	}
	t := &tlTemplate{appID: appID, id: strconv.FormatInt(st.nextID, 10), name: in.Name, objectType: ot.Name,
		header: in.HeaderTemplate, detail: in.DetailTemplate, tokens: in.Tokens, created: now, updated: now}
	st.nextID++
	for _, tk := range t.tokens {
		tk.CreatedAt, tk.UpdatedAt = fmtTime(now), fmtTime(now)
	}
	st.templates[t.id] = t
	out := t.out()
	st.mu.Unlock()
	q.reply(http.StatusCreated, out)
}

func (st *timelineStore) getTemplate(q *request, t *tlTemplate) {
	st.mu.Lock()
	out := t.out()
	st.mu.Unlock()
	q.reply(http.StatusOK, out)
}

func (st *timelineStore) updateTemplate(q *request, t *tlTemplate) {
	var in templateIn
	if !q.decode(&in) {
		return
	}
	switch {
	case in.ID != t.id:
		q.badTimeline(fmt.Sprintf("id %q does not match the template of the path, %s.", truncate(in.ID, 64), t.id), "id")
		return
	case in.Name == "":
		q.badTimeline("name is required.", "name")
		return
	case in.Tokens == nil:
		q.badTimeline("tokens is required.", "tokens")
		return
	}
	if !q.checkTokens(in.Tokens) {
		return
	}
	now := q.s.clock.Now()
	st.mu.Lock()
	for _, tk := range in.Tokens {
		tk.CreatedAt, tk.UpdatedAt = fmtTime(now), fmtTime(now)
		if old := t.token(tk.Name); old != nil {
			tk.CreatedAt = old.CreatedAt
		}
	}
	t.name, t.header, t.detail, t.tokens, t.updated = in.Name, in.HeaderTemplate, in.DetailTemplate, in.Tokens, now
	out := t.out()
	st.mu.Unlock()
	q.reply(http.StatusOK, out)
}

func (st *timelineStore) deleteTemplate(q *request, t *tlTemplate) {
	st.mu.Lock()
	delete(st.templates, t.id)
	for k, e := range st.events {
		if e.templateID == t.id {
			delete(st.events, k)
		}
	}
	for k, es := range st.byRecord {
		es = slices.DeleteFunc(es, func(e *tlEvent) bool { return e.templateID == t.id })
		if len(es) == 0 {
			delete(st.byRecord, k)
		} else {
			st.byRecord[k] = es
		}
	}
	st.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}

func (st *timelineStore) createToken(q *request, t *tlTemplate) {
	var tk tlToken
	if !q.decode(&tk) {
		return
	}
	if !q.checkToken(&tk, "token", true) {
		return
	}
	now := fmtTime(q.s.clock.Now())
	st.mu.Lock()
	if t.token(tk.Name) != nil {
		st.mu.Unlock()
		q.fail(&apiError{status: http.StatusConflict, Category: catConflict, Message: fmt.Sprintf("Event template %s already has a token %s.", t.id, tk.Name)})
		return
	}
	tk.CreatedAt, tk.UpdatedAt = now, now
	t.tokens = append(t.tokens, &tk)
	out := tk
	out.Options = slices.Clone(tk.Options)
	st.mu.Unlock()
	q.reply(http.StatusOK, out)
}

func tokenNotFound(q *request, t *tlTemplate, name string) {
	q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Event template %s has no token %s.", t.id, truncate(name, 64))})
}

func (st *timelineStore) updateToken(q *request, t *tlTemplate) {
	var in tlToken
	if !q.decode(&in) {
		return
	}
	name := q.r.PathValue("tokenName")
	st.mu.Lock()
	tk := t.token(name)
	if tk == nil {
		st.mu.Unlock()
		tokenNotFound(q, t, name)
		return
	}
	in.Name, in.Type = tk.Name, tk.Type // neither changes
	st.mu.Unlock()
	if !q.checkToken(&in, "token", false) {
		return
	}
	st.mu.Lock()
	tk.Label, tk.Options, tk.ObjectPropertyName, tk.UpdatedAt = in.Label, in.Options, in.ObjectPropertyName, fmtTime(q.s.clock.Now())
	out := *tk
	out.Options = slices.Clone(tk.Options)
	st.mu.Unlock()
	q.reply(http.StatusOK, out)
}

func (st *timelineStore) deleteToken(q *request, t *tlTemplate) {
	name := q.r.PathValue("tokenName")
	st.mu.Lock()
	n := len(t.tokens)
	t.tokens = slices.DeleteFunc(t.tokens, func(tk *tlToken) bool { return tk.Name == name })
	found := len(t.tokens) < n
	st.mu.Unlock()
	if !found {
		tokenNotFound(q, t, name)
		return
	}
	q.w.WriteHeader(http.StatusNoContent)
}

// eventIn is an event as v3 sends it; dated bodies are read into it too.
type eventIn struct {
	ID                 string            `json:"id"`
	EventTemplateID    string            `json:"eventTemplateId"`
	ObjectID           string            `json:"objectId"`
	Email              string            `json:"email"`
	UTK                string            `json:"utk"`
	Domain             string            `json:"domain"`
	CustomObjectTypeID string            `json:"customObjectTypeId"`
	Timestamp          string            `json:"timestamp"`
	Tokens             map[string]string `json:"tokens"`
	ExtraData          json.RawMessage   `json:"extraData"`
	TimelineIFrame     *tlIFrame         `json:"timelineIFrame"`
}

// datedEventIn is an app event occurrence of the 2026-03 paths.
type datedEventIn struct {
	ID                           string            `json:"id"`
	EventTypeName                string            `json:"eventTypeName"`
	ObjectID                     string            `json:"objectId"`
	Email                        string            `json:"email"`
	UTK                          string            `json:"utk"`
	Domain                       string            `json:"domain"`
	ObjectTypeFullyQualifiedName string            `json:"objectTypeFullyQualifiedName"`
	Timestamp                    string            `json:"timestamp"`
	Properties                   map[string]string `json:"properties"`
	ExtraData                    json.RawMessage   `json:"extraData"`
	TimelineIFrame               *tlIFrame         `json:"timelineIFrame"`
}

func (d datedEventIn) v3() eventIn {
	return eventIn{ID: d.ID, EventTemplateID: d.EventTypeName, ObjectID: d.ObjectID, Email: d.Email, UTK: d.UTK, Domain: d.Domain,
		CustomObjectTypeID: d.ObjectTypeFullyQualifiedName, Timestamp: d.Timestamp, Tokens: d.Properties, ExtraData: d.ExtraData, TimelineIFrame: d.TimelineIFrame}
}

type eventOut struct {
	ID                 string            `json:"id"`
	EventTemplateID    string            `json:"eventTemplateId"`
	ObjectType         string            `json:"objectType"`
	ObjectID           string            `json:"objectId"`
	Email              string            `json:"email,omitempty"`
	UTK                string            `json:"utk,omitempty"`
	Domain             string            `json:"domain,omitempty"`
	CustomObjectTypeID string            `json:"customObjectTypeId,omitempty"`
	Tokens             map[string]string `json:"tokens"`
	ExtraData          json.RawMessage   `json:"extraData,omitempty"`
	TimelineIFrame     *tlIFrame         `json:"timelineIFrame,omitempty"`
	Timestamp          string            `json:"timestamp"`
	CreatedAt          string            `json:"createdAt"`
}

type datedEventOut struct {
	ID             string            `json:"id"`
	EventTypeName  string            `json:"eventTypeName"`
	ObjectID       string            `json:"objectId"`
	Email          string            `json:"email,omitempty"`
	UTK            string            `json:"utk,omitempty"`
	Domain         string            `json:"domain,omitempty"`
	Properties     map[string]string `json:"properties"`
	ExtraData      json.RawMessage   `json:"extraData,omitempty"`
	TimelineIFrame *tlIFrame         `json:"timelineIFrame,omitempty"`
	Timestamp      string            `json:"timestamp"`
}

func (e *tlEvent) out() eventOut {
	return eventOut{ID: e.id, EventTemplateID: e.templateID, ObjectType: e.objectType, ObjectID: e.objectID, Email: e.email, UTK: e.utk,
		Domain: e.domain, CustomObjectTypeID: e.customType, Tokens: maps.Clone(e.tokens), ExtraData: e.extra, TimelineIFrame: e.iframe,
		Timestamp: fmtTime(e.timestamp), CreatedAt: fmtTime(e.created)}
}

func (e *tlEvent) datedOut() datedEventOut {
	return datedEventOut{ID: e.id, EventTypeName: e.templateID, ObjectID: e.objectID, Email: e.email, UTK: e.utk, Domain: e.domain,
		Properties: maps.Clone(e.tokens), ExtraData: e.extra, TimelineIFrame: e.iframe, Timestamp: fmtTime(e.timestamp)}
}

// datedTimeline reports whether q came by a 2026-03 path.
func (q *request) datedTimeline() bool {
	return !strings.Contains(q.r.Pattern, "/integrators/timeline/v3/")
}

// checkTokenValue reports why v does not fit tk, or "".
func checkTokenValue(tk *tlToken, v string) string {
	switch tk.Type {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "is not a number"
		}
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return ""
		}
		if _, ok := parseTimeValue(v); !ok {
			return "is not a date (milliseconds since the epoch, RFC 3339 or YYYY-MM-DD)"
		}
	case "enumeration":
		if !slices.ContainsFunc(tk.Options, func(o tlOption) bool { return o.Value == v }) {
			return "is not one of the token's option values"
		}
	}
	return ""
}

// eventError is why an event cannot be created.
func eventError(status int, cat, msg, in string) *apiError {
	e := &apiError{status: status, Category: cat, Message: msg}
	if in != "" {
		e.Errors = []errorDetail{{Message: msg, In: in, Code: "INVALID"}}
	}
	return e
}

// createEventLocked validates in and stores the event. Called with st.mu
// held; it takes q.s.db.mu to resolve the record.
func (q *request) createEventLocked(st *timelineStore, in eventIn) (*tlEvent, *apiError) {
	st.initLocked()
	if in.EventTemplateID == "" {
		return nil, eventError(http.StatusBadRequest, catValidation, "eventTemplateId is required.", "eventTemplateId")
	}
	t := st.templates[in.EventTemplateID]
	if t == nil {
		return nil, eventError(http.StatusNotFound, catNotFound, fmt.Sprintf("Event template %s was not found.", truncate(in.EventTemplateID, 64)), "")
	}
	if in.ID == "" {
		in.ID = newUUID()
	}
	if st.events[t.id+"/"+in.ID] != nil {
		return nil, eventError(http.StatusConflict, catConflict, fmt.Sprintf("An event with ID %s already exists for event template %s.", truncate(in.ID, 64), t.id), "")
	}
	for _, name := range slices.Sorted(maps.Keys(in.Tokens)) {
		tk := t.token(name)
		if tk == nil {
			return nil, eventError(http.StatusBadRequest, catValidation, fmt.Sprintf("Token %q is not defined on event template %s.", truncate(name, 64), t.id), "tokens."+truncate(name, 64))
		}
		if why := checkTokenValue(tk, in.Tokens[name]); why != "" {
			return nil, eventError(http.StatusBadRequest, catValidation, fmt.Sprintf("The value of token %s (%s) %s.", name, tk.Type, why), "tokens."+name)
		}
	}
	now := q.s.clock.Now()
	ts := now
	if in.Timestamp != "" {
		var ok bool
		if ts, ok = parseTimeValue(in.Timestamp); !ok {
			return nil, eventError(http.StatusBadRequest, catValidation, "timestamp is not an RFC 3339 date-time.", "timestamp")
		}
	}
	d := q.s.db
	d.mu.Lock()
	defer d.mu.Unlock()
	tab := d.tableLocked(t.objectType)
	var r *record
	switch {
	case in.ObjectID != "":
		r, _ = tab.find(in.ObjectID, "")
	case in.Email != "" && t.objectType == "contacts":
		if r, _ = tab.byUnique("email", in.Email); r == nil {
			r = d.insertLocked(tab, map[string]string{"email": in.Email}, now)
		}
	case in.UTK != "" && t.objectType == "contacts":
		for _, id := range tab.ids {
			if c := tab.byID[id]; c != nil && !c.archived && c.props["hubspotutk"] == in.UTK {
				r = c
				break
			}
		}
	case in.Domain != "" && t.objectType == "companies":
		for _, id := range tab.ids {
			if c := tab.byID[id]; c != nil && !c.archived && strings.EqualFold(c.props["domain"], in.Domain) {
				r = c
				break
			}
		}
	default:
		return nil, eventError(http.StatusBadRequest, catValidation,
			fmt.Sprintf("An event for %s needs objectId%s.", t.objectType, map[string]string{"contacts": ", email or utk", "companies": " or domain"}[t.objectType]), "objectId")
	}
	if r == nil || r.archived {
		return nil, eventError(http.StatusNotFound, catNotFound, fmt.Sprintf("The %s record the event names does not exist.", t.objectType), "")
	}
	set := map[string]string{}
	for name, v := range in.Tokens {
		if p := t.token(name).ObjectPropertyName; p != "" {
			set[p] = v
		}
	}
	if len(set) > 0 {
		d.updateLocked(tab, r, set, now)
	}
	e := &tlEvent{id: in.ID, templateID: t.id, objectType: t.objectType, objectID: strconv.FormatInt(r.id, 10),
		email: in.Email, utk: in.UTK, domain: in.Domain, customType: in.CustomObjectTypeID, tokens: maps.Clone(in.Tokens),
		extra: slices.Clone(in.ExtraData), iframe: in.TimelineIFrame, timestamp: ts, created: now}
	if e.tokens == nil {
		e.tokens = map[string]string{}
	}
	st.events[t.id+"/"+e.id] = e
	k := e.objectType + "/" + e.objectID
	st.byRecord[k] = append(st.byRecord[k], e)
	return e, nil
}

func (q *request) createTimelineEvent() {
	var in eventIn
	dated := q.datedTimeline()
	if dated {
		var d datedEventIn
		if !q.decode(&d) {
			return
		}
		in = d.v3()
	} else if !q.decode(&in) {
		return
	}
	st := &q.s.db.timeline
	st.mu.Lock()
	e, aerr := q.createEventLocked(st, in)
	var out any
	if e != nil {
		if dated {
			out = e.datedOut()
		} else {
			out = e.out()
		}
	}
	st.mu.Unlock()
	if aerr != nil {
		q.fail(aerr)
		return
	}
	q.reply(http.StatusCreated, out)
}

func (q *request) batchCreateTimelineEvents() {
	dated := q.datedTimeline()
	var inputs []eventIn
	if dated {
		var b struct {
			Inputs []datedEventIn `json:"inputs"`
		}
		if !q.decode(&b) {
			return
		}
		for _, d := range b.Inputs {
			inputs = append(inputs, d.v3())
		}
	} else {
		var b struct {
			Inputs []eventIn `json:"inputs"`
		}
		if !q.decode(&b) {
			return
		}
		inputs = b.Inputs
	}
	limit := limitsOf("crm.timeline.events.batch.create").Batch
	switch n := len(inputs); {
	case n == 0:
		q.fail(validationError(q.corr, "inputs is required and must not be empty.", errorDetail{Message: "inputs is empty", In: "inputs", Code: "REQUIRED"}))
		return
	case n > limit:
		q.tooManyInputs(n, limit)
		return
	}
	started := fmtTime(q.s.clock.Now())
	var (
		results []any
		errs    []batchError
	)
	st := &q.s.db.timeline
	st.mu.Lock()
	for _, in := range inputs {
		e, aerr := q.createEventLocked(st, in)
		if aerr != nil {
			ctx := map[string][]string{}
			if in.ID != "" {
				ctx["ids"] = []string{in.ID}
			}
			errs = append(errs, batchError{Status: "error", Category: aerr.Category, Message: aerr.Message, Errors: aerr.Errors, Context: ctx, httpStatus: aerr.status})
			continue
		}
		if dated {
			results = append(results, e.datedOut())
		} else {
			results = append(results, e.out())
		}
	}
	st.mu.Unlock()
	out := struct {
		Status      string       `json:"status"`
		Results     []any        `json:"results"`
		NumErrors   int          `json:"numErrors,omitempty"`
		Errors      []batchError `json:"errors,omitempty"`
		StartedAt   string       `json:"startedAt"`
		CompletedAt string       `json:"completedAt"`
	}{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs, StartedAt: started, CompletedAt: fmtTime(q.s.clock.Now())}
	if out.Results == nil {
		out.Results = []any{}
	}
	status := http.StatusCreated
	switch {
	case dated:
		status = http.StatusOK // the 2026-03 spec's only success
	case len(errs) > 0:
		status = http.StatusMultiStatus
	}
	q.reply(status, out)
}

// eventOr404 returns the event of the path, answering 404 when there is
// none.
func (q *request) eventOr404(st *timelineStore) *tlEvent {
	st.initLocked()
	tid, eid := q.r.PathValue("eventTemplateId"), q.r.PathValue("eventId")
	e := st.events[tid+"/"+eid]
	if e == nil {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Event %s of event template %s was not found.", truncate(eid, 64), truncate(tid, 64))})
	}
	return e
}

func (q *request) getTimelineEvent() {
	st := &q.s.db.timeline
	st.mu.Lock()
	e := q.eventOr404(st)
	var out eventOut
	if e != nil {
		out = e.out()
	}
	st.mu.Unlock()
	if e != nil {
		q.reply(http.StatusOK, out)
	}
}

// placeholderRE finds the {{name}} and {{extraData.key}} of a template.
var placeholderRE = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}`)

func (q *request) timelineEventDetail() {
	st := &q.s.db.timeline
	st.mu.Lock()
	e := q.eventOr404(st)
	var details string
	if e != nil {
		var extra map[string]any
		_ = json.Unmarshal(e.extra, &extra)
		tmpl := ""
		if t := st.templates[e.templateID]; t != nil {
			tmpl = t.detail
		}
		details = placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
			name := placeholderRE.FindStringSubmatch(m)[1]
			if k, ok := strings.CutPrefix(name, "extraData."); ok {
				switch v := extra[k].(type) {
				case string:
					return v
				case float64, bool:
					return fmt.Sprint(v)
				}
				return m
			}
			if v, ok := e.tokens[name]; ok {
				return v
			}
			return m
		})
	}
	st.mu.Unlock()
	if e != nil {
		q.reply(http.StatusOK, map[string]string{"details": details})
	}
}
