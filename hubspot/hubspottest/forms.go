package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Marketing forms v3 and form submissions (form integrations v1). A form
// is kept as the JSON object the caller sent, with the ID, timestamps and
// archived flag the server sets; submissions are what a test adds with
// [Server.AddFormSubmission], read newest first.

// formRequired are the members HubSpot's spec requires of a new form.
var formRequired = []string{"name", "formType", "fieldGroups", "configuration", "displayOptions", "legalConsentOptions"}

type formStore struct {
	mu    sync.Mutex
	forms map[string]map[string]any
	order []string
	subs  map[string][]FormSubmission // newest last
}

// FormSubmission is one submission of a form, as a test adds it.
type FormSubmission struct {
	// SubmittedAt is when it was submitted; zero means the server's now.
	SubmittedAt time.Time
	// Values are the submitted fields, by name.
	Values map[string]string
	// PageURL is the page the form was submitted on.
	PageURL string
}

// AddFormSubmission records a submission of the form formID, which must
// exist, as a visitor's browser would have made it.
func (s *Server) AddFormSubmission(formID string, sub FormSubmission) {
	s.t.Helper()
	f := &s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.forms[formID]; !ok {
		s.t.Fatalf("hubspottest: AddFormSubmission: no form %q", formID)
	}
	if sub.SubmittedAt.IsZero() {
		sub.SubmittedAt = s.db.clock.Now()
	}
	if f.subs == nil {
		f.subs = map[string][]FormSubmission{}
	}
	f.subs[formID] = append(f.subs[formID], sub)
}

func (q *request) formOr404(f *formStore) map[string]any {
	form := f.forms[q.r.PathValue("formId")]
	if form == nil {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Form %s does not exist.", q.r.PathValue("formId"))})
	}
	return form
}

func (q *request) listForms() {
	v := q.r.URL.Query()
	archived, ok := q.boolParam(v, "archived")
	if !ok {
		return
	}
	limit := 20
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected a positive integer.", s)))
			return
		}
		limit = n
	}
	types := v["formTypes"]
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	out := struct {
		Results []map[string]any `json:"results"`
		Paging  *pagingOut       `json:"paging,omitempty"`
	}{Results: []map[string]any{}}
	after := v.Get("after")
	started := after == ""
	for _, id := range f.order {
		if !started {
			started = id == after
			continue
		}
		form := f.forms[id]
		if form["archived"] != archived || len(types) > 0 && !slices.Contains(types, fmt.Sprint(form["formType"])) {
			continue
		}
		if len(out.Results) == limit {
			out.Paging = &pagingOut{Next: &nextOut{After: out.Results[limit-1]["id"].(string)}}
			break
		}
		out.Results = append(out.Results, form)
	}
	q.reply(http.StatusOK, out)
}

func (q *request) getForm() {
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	if form := q.formOr404(f); form != nil {
		q.reply(http.StatusOK, form)
	}
}

// checkForm answers HubSpot's 400 for a form body that lacks a required
// member, or names one of the wrong kind; it reports whether the body is
// good.
func (q *request) checkForm(in map[string]any, required []string) bool {
	var errs []errorDetail
	for _, k := range required {
		if v, ok := in[k]; !ok || v == nil || v == "" {
			errs = append(errs, errorDetail{Message: k + " is required", Code: "REQUIRED_FIELD", In: k})
		}
	}
	if v, ok := in["fieldGroups"]; ok {
		if _, isList := v.([]any); !isList {
			errs = append(errs, errorDetail{Message: "fieldGroups must be a list", Code: "INVALID_TYPE", In: "fieldGroups"})
		}
	}
	if v, ok := in["formType"]; ok && v != "hubspot" {
		errs = append(errs, errorDetail{Message: fmt.Sprintf("formType %v cannot be created through the API; use hubspot", v), Code: "INVALID_FORM_TYPE", In: "formType"})
	}
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Message
		}
		q.fail(validationError(q.corr, "Invalid form: "+strings.Join(msgs, "; ")+".", errs...))
		return false
	}
	return true
}

func (q *request) createForm() {
	var in map[string]any
	if !q.decode(&in) || !q.checkForm(in, formRequired) {
		return
	}
	now := fmtTime(q.s.db.clock.Now())
	in["id"] = newUUID()
	in["createdAt"], in["updatedAt"], in["archived"] = now, now, false
	delete(in, "archivedAt")
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.forms == nil {
		f.forms = map[string]map[string]any{}
	}
	f.forms[in["id"].(string)] = in
	f.order = append(f.order, in["id"].(string))
	q.reply(http.StatusCreated, in)
}

// changeForm updates (PATCH: the members given) or replaces (PUT: all of
// them) a form.
func (q *request) changeForm(replace bool) {
	var in map[string]any
	if !q.decode(&in) {
		return
	}
	req := []string(nil)
	if replace {
		req = formRequired
	}
	if !q.checkForm(in, req) {
		return
	}
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	form := q.formOr404(f)
	if form == nil {
		return
	}
	for _, k := range []string{"id", "createdAt", "updatedAt", "archivedAt"} {
		delete(in, k)
	}
	if replace {
		for k := range form {
			if k != "id" && k != "createdAt" && k != "archived" {
				delete(form, k)
			}
		}
	}
	for k, v := range in {
		form[k] = v
	}
	form["updatedAt"] = fmtTime(q.s.db.clock.Now())
	if form["archived"] == true {
		form["archivedAt"] = form["updatedAt"]
	}
	q.reply(http.StatusOK, form)
}

func (q *request) archiveForm() {
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	form := q.formOr404(f)
	if form == nil {
		return
	}
	now := fmtTime(q.s.db.clock.Now())
	form["archived"], form["archivedAt"], form["updatedAt"] = true, now, now
	q.w.WriteHeader(http.StatusNoContent)
}

// listSubmissions pages through a form's submissions, newest first; the
// cursor is the position of the next one.
func (q *request) listSubmissions() {
	v := q.r.URL.Query()
	limit := 20
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > q.op.Limits.Page {
			q.fail(validationError(q.corr, fmt.Sprintf("Invalid value %q for query parameter limit: expected 1 to %d.", s, q.op.Limits.Page)))
			return
		}
		limit = n
	}
	pos := 0
	if s := v.Get("after"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			q.fail(validationError(q.corr, fmt.Sprintf("after %q is not a paging cursor this endpoint issued.", s)))
			return
		}
		pos = n
	}
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	id := q.r.PathValue("formGuid")
	if _, ok := f.forms[id]; !ok {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Form %s does not exist.", id)})
		return
	}
	type value struct {
		Name         string `json:"name"`
		Value        string `json:"value"`
		ObjectTypeID string `json:"objectTypeId"`
	}
	type subOut struct {
		SubmittedAt int64   `json:"submittedAt"`
		Values      []value `json:"values"`
		PageURL     string  `json:"pageUrl,omitempty"`
	}
	out := struct {
		Results []subOut   `json:"results"`
		Paging  *pagingOut `json:"paging,omitempty"`
	}{Results: []subOut{}}
	subs := f.subs[id]
	for i := len(subs) - 1 - pos; i >= 0 && len(out.Results) < limit; i-- {
		s := subs[i]
		o := subOut{SubmittedAt: s.SubmittedAt.UnixMilli(), PageURL: s.PageURL, Values: []value{}}
		names := make([]string, 0, len(s.Values))
		for k := range s.Values {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			o.Values = append(o.Values, value{Name: k, Value: s.Values[k], ObjectTypeID: "0-1"})
		}
		out.Results = append(out.Results, o)
	}
	if next := pos + len(out.Results); next < len(subs) {
		out.Paging = &pagingOut{Next: &nextOut{After: strconv.Itoa(next)}}
	}
	q.reply(http.StatusOK, out)
}

// submitForm takes a visitor's submission: no token, the account's
// portal ID and a live form's ID in the path, values of the form's own
// fields, the required ones present.
func (q *request) submitForm() {
	var in struct {
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
		SubmittedAt string `json:"submittedAt"`
		Context     struct {
			PageURI string `json:"pageUri"`
		} `json:"context"`
	}
	if !q.decode(&in) {
		return
	}
	portal := strconv.FormatInt(q.s.Account().PortalID, 10)
	f := &q.s.db.forms
	f.mu.Lock()
	defer f.mu.Unlock()
	id := q.r.PathValue("formGuid")
	form := f.forms[id]
	if q.r.PathValue("portalId") != portal || form == nil || form["archived"] == true {
		q.fail(&apiError{status: http.StatusNotFound, Category: catNotFound, Message: fmt.Sprintf("Form %s does not exist in portal %s.", id, q.r.PathValue("portalId"))})
		return
	}
	type field struct {
		typ      string
		required bool
	}
	defs := map[string]field{}
	groups, _ := form["fieldGroups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		fields, _ := gm["fields"].([]any)
		for _, x := range fields {
			fm, _ := x.(map[string]any)
			name, _ := fm["name"].(string)
			typ, _ := fm["fieldType"].(string)
			req, _ := fm["required"].(bool)
			defs[name] = field{typ, req}
		}
	}
	var errs []errorDetail
	values := map[string]string{}
	for _, x := range in.Fields {
		def, ok := defs[x.Name]
		switch {
		case !ok:
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Error in 'fields.%s'. Field '%s' is not in the form definition.", x.Name, x.Name), Code: "FIELD_NOT_IN_FORM_DEFINITION"})
		case def.typ == "email" && !validEmail(x.Value):
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Error in 'fields.%s'. Invalid email address", x.Name), Code: "INVALID_EMAIL"})
		default:
			values[x.Name] = x.Value
		}
	}
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if defs[name].required && values[name] == "" && !slices.ContainsFunc(errs, func(e errorDetail) bool { return strings.Contains(e.Message, "'fields."+name+"'") }) {
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Error in 'fields.%s'. Required field '%s' is missing", name, name), Code: "REQUIRED_FIELD"})
		}
	}
	if len(errs) > 0 {
		q.fail(validationError(q.corr, "The request is not valid", errs...))
		return
	}
	at := q.s.db.clock.Now()
	if in.SubmittedAt != "" {
		if ms, err := strconv.ParseInt(in.SubmittedAt, 10, 64); err == nil {
			at = time.UnixMilli(ms)
		}
	}
	if f.subs == nil {
		f.subs = map[string][]FormSubmission{}
	}
	f.subs[id] = append(f.subs[id], FormSubmission{SubmittedAt: at, Values: values, PageURL: in.Context.PageURI})
	out := map[string]string{"inlineMessage": "Thanks for submitting the form."}
	if cfg, ok := form["configuration"].(map[string]any); ok {
		if act, ok := cfg["postSubmitAction"].(map[string]any); ok {
			v, _ := act["value"].(string)
			if act["type"] == "redirect_url" {
				out = map[string]string{"redirectUri": v}
			} else if v != "" {
				out = map[string]string{"inlineMessage": v}
			}
		}
	}
	q.reply(http.StatusOK, out)
}
