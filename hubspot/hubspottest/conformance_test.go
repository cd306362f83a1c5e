package hubspottest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/internal/specschema"
)

// The project's check that hubspottest answers, and hubkey's client asks,
// as HubSpot's published OpenAPI specs say: every call through a
// conformance proxy is matched to its catalogue operation and version,
// and its request and response are validated against the schemas the
// spec files give that operation (package specschema). A call conforms
// when it validates against one of the spec files describing it (the
// per-object spec of its object type where there is one).

// specQuirk excuses a violation that is the spec's fault, not the
// server's or the client's: where HubSpot's spec contradicts what HubSpot
// does and its own guides and clients send. Every quirk must excuse some
// violation in TestServerConformsToSpec, so that the list stays true.
type specQuirk struct {
	ops      []string // operation names; empty: every operation
	dir      string   // "request" or "response"
	where    []string // path.Match patterns of Violation.Where
	kind     string   // Violation.Kind
	evidence string
}

// unspecified lists the served operations no spec file describes, and why
// they are served anyway.
var unspecified = map[string]string{
	"forms.submit":                     "HubSpot's forms v3 legacy reference documents it, on api.hsforms.com; no spec has it (see the catalogue row's Note)",
	"forms.submissions.list":           "HubSpot's form integrations v1 reference documents it; no spec has it (see the catalogue row's Note)",
	"crm.timeline.events.detail":       "HubSpot's timeline v3 reference documents it; no spec has it (see the catalogue row's Note)",
	"crm.schemas.purge":                "HubSpot's custom objects guide documents purge; no spec has it (see the catalogue row's Note)",
	"crm.schemas.list":                 noteSchemasNumbered,
	"crm.schemas.create":               noteSchemasNumbered,
	"crm.schemas.get":                  noteSchemasNumbered,
	"crm.schemas.update":               noteSchemasNumbered,
	"crm.schemas.archive":              noteSchemasNumbered,
	"crm.schemas.associations.create":  noteSchemasNumbered,
	"crm.schemas.associations.archive": noteSchemasNumbered,
	"webhooks.subscriptions.put":       "HubSpot's webhooks guide updates a subscription with PUT; the spec has PATCH only (see the catalogue row's Note)",
	"settings.users.list":              "numbered: the spec spells the path /settings/users/v3, the guide /settings/v3/users/ (see the catalogue row's Note); 2026-03 is checked",
	"settings.users.create":            "numbered: the spec spells the path /settings/users/v3, the guide /settings/v3/users/ (see the catalogue row's Note); 2026-03 is checked",
}

// sampleForm is a form body as HubSpot's forms spec requires it.
func sampleForm(name string) map[string]any {
	return map[string]any{
		"name": name, "formType": "hubspot", "archived": false, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
		"fieldGroups": []any{map[string]any{"groupType": "default_group", "richTextType": "text", "fields": []any{map[string]any{
			"objectTypeId": "0-1", "name": "email", "label": "Email", "fieldType": "email", "required": true, "hidden": false,
			"dependentFields": []any{}, "validation": map[string]any{"blockedEmailDomains": []any{}, "useDefaultBlockList": false},
		}}}},
		"configuration": map[string]any{
			"language": "en", "createNewContactForNewEmail": false, "editable": true, "allowLinkToResetKnownValues": false,
			"postSubmitAction": map[string]any{"type": "thank_you", "value": "Thanks"}, "prePopulateKnownValues": true,
			"cloneable": true, "notifyContactOwner": false, "recaptchaEnabled": false, "archivable": true,
			"notifyRecipients": []any{}, "lifecycleStages": []any{},
		},
		"displayOptions": map[string]any{"renderRawHtml": false, "theme": "default_style", "submitButtonText": "Submit", "style": map[string]any{
			"fontFamily": "arial", "backgroundWidth": "100%", "labelTextColor": "#000", "labelTextSize": "13px", "helpTextColor": "#000",
			"helpTextSize": "11px", "legalConsentTextColor": "#000", "legalConsentTextSize": "11px", "submitColor": "#f00",
			"submitAlignment": "left", "submitFontColor": "#fff", "submitSize": "12px",
		}},
		"legalConsentOptions": map[string]any{"type": "none"},
	}
}

const noteSchemasNumbered = "numbered: the spec spells the path /crm-object-schemas/v3/schemas, the guide /crm/v3/schemas " +
	"(see the catalogue row's Note); the dated versions are checked"

// specQuirks is the one place the known spec quirks are listed, each with
// the evidence that HubSpot does otherwise.
var specQuirks = []specQuirk{
	{ops: []string{"crm.objects.create", "crm.objects.batch.create"}, dir: "request", where: []string{"/associations", "/inputs/*/associations"}, kind: "required",
		evidence: "SimplePublicObjectInputForCreate marks associations required, but HubSpot's objects guide creates records " +
			"with properties alone, and HubSpot's own clients (hubspot-api-nodejs, -python) send no associations unless asked."},
	{ops: []string{"crm.objects.search"}, dir: "request", where: []string{"/sorts/*"}, kind: "type",
		evidence: "PublicObjectSearchRequest types sorts as strings, but HubSpot's search guide sends " +
			`{"propertyName": ..., "direction": "ASCENDING"} objects, which HubSpot accepts and hubkey's client sends.`},
	{ops: []string{"crm.objects.search"}, dir: "request", where: []string{"/after", "/limit", "/filterGroups", "/properties", "/sorts"}, kind: "required",
		evidence: "PublicObjectSearchRequest marks every member but query required, but HubSpot's search guide sends bodies " +
			"with only some: a text search with query alone, filters without sorts, the first page without after, the default " +
			"page size of 10 without limit, the default properties without properties; HubSpot answers them all."},
	{ops: []string{"crm.objects.batch.read"}, dir: "request", where: []string{"/propertiesWithHistory"}, kind: "required",
		evidence: "BatchReadInputSimplePublicObjectId marks propertiesWithHistory required, but HubSpot's batch read guide " +
			"sends only properties and inputs, and HubSpot answers it."},
	{ops: []string{"crm.properties.batch.read"}, dir: "request", where: []string{"/dataSensitivity"}, kind: "required",
		evidence: "BatchReadInputPropertyName marks dataSensitivity required, but it only selects sensitive-data properties; " +
			"HubSpot's properties guide reads batches with archived and inputs alone."},
	{ops: []string{"crm.associations.v4.list", "crm.associations.v4.batch.read", "crm.associations.v4.create", "crm.associations.v4.batch.create"}, dir: "response",
		where: []string{"/results/*/toObjectId", "/results/*/to/*/toObjectId", "/results/*/fromObjectId", "/toObjectId", "/fromObjectId"}, kind: "type",
		evidence: "The 130902 rollout types the v4 record IDs toObjectId and fromObjectId as strings, the older 50914 rollout as int32 " +
			"integers; HubSpot's v4 associations guide shows them as JSON numbers, which hubspottest sends (and record IDs exceed 32 bits)."},
	{ops: []string{"crm.associations.v4.list", "crm.associations.v4.batch.read", "crm.associations.v4.labels.list"}, dir: "response",
		where: []string{"/results/*/associationTypes/*/label", "/results/*/to/*/associationTypes/*/label", "/results/*/label"}, kind: "type",
		evidence: "The spec types an association type's label as a string, not nullable, but an unlabeled type has no label: " +
			`HubSpot's v4 associations guide shows "label": null for it.`},
	{ops: []string{"crm.objects.batch.create", "crm.associations.v4.batch.create", "crm.properties.batch.create", "crm.associations.v4.batch.read",
		"crm.associations.v4.batch.archive", "crm.associations.v4.batch.labels.archive", "oauth.token"}, dir: "response", where: []string{"status"}, kind: "status",
		evidence: "Some dated specs declare only 200 (or only a default answer, for the 2026-09 token endpoint) where the numbered spec " +
			"of the same operation declares 201 Created for a batch create, 204 No Content for a batch archive, 207 Multi-Status " +
			"for a batch with failed inputs, and 200 for a token: " +
			"one operation, one server, and hubspottest answers as the numbered spec says."},
	{ops: []string{"oauth.token.revoke"}, dir: "response", where: []string{"status"}, kind: "status",
		evidence: "The revocation spec declares only its error answer and HubSpot's reference shows no success; the endpoint is " +
			"RFC 7009's, whose § 2.2 answers 200 for a revoked token and for one the server does not know, as hubspottest does."},
	{ops: []string{"marketing.transactional.send"}, dir: "request", where: []string{"/customProperties/*"}, kind: "type",
		evidence: "PublicSingleSendRequestEgg types each custom property as an object, but HubSpot's transactional email guide " +
			`sends plain values ("customProperties": {"item_1": "something they bought"}) to fill template placeholders.`},
	{ops: []string{"marketing.transactional.send"}, dir: "request", where: []string{"/message/cc", "/message/bcc", "/message/replyTo"}, kind: "required",
		evidence: "The dated specs mark cc, bcc and replyTo required, but the numbered spec marks only to, and HubSpot's " +
			"transactional email guide sends a message with to alone."},
	{ops: []string{"crm.imports.errors"}, dir: "response", where: []string{"/results/*/createdAt"}, kind: "format",
		evidence: "The 2025-09 and 2026-09 specs type an import error's createdAt as int32, but it is a time in milliseconds since " +
			"the epoch, which has not fitted 32 bits since 1970-01-25; the numbered and 2026-03 specs type it int64."},
	{dir: "response", where: []string{"/errors/*/subCategory"}, kind: "type",
		evidence: "StandardError types subCategory as an object, but HubSpot's batch errors carry a string " +
			`("crm.associations.NO_ASSOCIATIONS_FOUND"), as ErrorDetail and Error type it.`},
}

func (q specQuirk) excuses(op, dir string, v specschema.Violation) bool {
	if q.dir != dir || q.kind != v.Kind || (len(q.ops) > 0 && !slices.Contains(q.ops, op)) {
		return false
	}
	for _, w := range q.where {
		if ok, _ := path.Match(w, v.Where); ok {
			return true
		}
	}
	return false
}

// conformance is a proxy in front of a hubspottest server that validates
// every call, and the record of what it saw.
type conformance struct {
	t      *testing.T
	target string

	mu       sync.Mutex
	ok       map[string]bool // op name and version of each 2xx call that conformed
	failures []failure
	usedQ    map[int]bool
}

// failure is a call that did not conform.
type failure struct {
	op         string   // the operation's name
	violations []string // "request <where>: <kind>: <message>", "response ..."
	text       string
}

func newConformance(t *testing.T, target string) (*conformance, *httptest.Server) {
	c := &conformance{t: t, target: target, ok: map[string]bool{}, usedQ: map[int]bool{}}
	ts := httptest.NewServer(c)
	t.Cleanup(ts.Close)
	return c, ts
}

func (c *conformance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequestWithContext(r.Context(), r.Method, c.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	rbody, _ := io.ReadAll(res.Body)
	c.check(r, body, res.StatusCode, rbody)
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(rbody)
}

// check validates one call against the spec files of its operation.
func (c *conformance) check(r *http.Request, body []byte, status int, rbody []byte) {
	op, v, params, ok := endpoints.Match(r.Method, r.URL.EscapedPath())
	if !ok || op.Method != r.Method || status == http.StatusNotFound && strings.Contains(string(rbody), "does not implement") {
		return
	}
	objectType := ""
	for _, p := range []string{"objectType", "fromObjectType"} {
		if ot, ok := endpoints.LookupObjectType(params[p]); ok {
			objectType = ot.Name
			break
		}
	}
	specs := specschema.Lookup(op, v, objectType)
	what := fmt.Sprintf("%s %s (%s, %s)", r.Method, r.URL.Path, op.Name, v)
	query := r.URL.Query()
	if op.Cred == endpoints.DeveloperKey {
		// The developer key's parameter: the v3 spec names OAuth
		// instead, where the catalogue follows HubSpot's guide.
		query.Del("hapikey")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(specs) == 0 {
		if _, ok := unspecified[op.Name]; ok {
			c.ok[op.Name+" "+v.String()] = c.ok[op.Name+" "+v.String()] || status < 300
			return
		}
		c.failures = append(c.failures, failure{op.Name, []string{"no spec"}, what + ": no spec file describes it"})
		return
	}
	var best []string
	bestSource := ""
	for _, s := range specs {
		var left []string
		for _, dir := range []string{"request", "response"} {
			var vs []specschema.Violation
			if dir == "request" {
				vs = s.CheckRequest(query, r.Header.Get("Content-Type"), body)
			} else {
				vs = s.CheckResponse(status, rbody)
			}
			for _, vl := range vs {
				excused := false
				for i, q := range specQuirks {
					if q.excuses(op.Name, dir, vl) {
						c.usedQ[i], excused = true, true
						break
					}
				}
				if !excused {
					left = append(left, dir+" "+vl.String())
				}
			}
		}
		if len(left) == 0 {
			best = nil
			break
		}
		if best == nil || len(left) < len(best) {
			best, bestSource = left, s.Source
		}
	}
	if len(best) > 0 {
		c.failures = append(c.failures, failure{op.Name, best,
			fmt.Sprintf("%s answered %d: %s (against %s)\n\tresponse: %.300s", what, status, strings.Join(best, "; "), bestSource, rbody)})
		return
	}
	if status < 300 {
		c.ok[op.Name+" "+v.String()] = true
	}
}

// report fails t for every call that did not conform.
func (c *conformance) report() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.failures {
		c.t.Error(f.text)
	}
}

// driver makes calls by operation name through the conformance proxy, in
// one version, and fails the test on any answer but a success.
type driver struct {
	t       *testing.T
	base    string
	v       endpoints.Version
	tok     string // a bearer token with every scope
	devKey  string // a developer key of app 1
	touched map[string]bool
}

// call makes op with the path parameters params, the query and the body
// (a url.Values is sent as a form), and returns the decoded answer; ok is
// false when op is not offered in the driver's version.
func (d *driver) call(name string, params map[string]string, query string, body any) (out any, ok bool) {
	d.t.Helper()
	op, found := endpoints.Lookup(name)
	if !found {
		d.t.Fatalf("no catalogue operation %s", name)
	}
	d.touched[name] = true
	if _, offered := op.Template(d.v); !offered {
		return nil, false
	}
	p, err := op.Expand(d.v, params)
	if err != nil {
		d.t.Fatal(err)
	}
	q := url.Values{}
	if query != "" {
		if q, err = url.ParseQuery(query); err != nil {
			d.t.Fatal(err)
		}
	}
	if op.Cred == endpoints.DeveloperKey {
		q.Set("hapikey", d.devKey)
	}
	u := d.base + p
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case rawBody:
		rd, ctype = bytes.NewReader(b.data), b.ctype
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			d.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(op.Method, u, rd)
	if err != nil {
		d.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if op.Cred == endpoints.Bearer {
		req.Header.Set("Authorization", "Bearer "+d.tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		d.t.Fatalf("%s %s (%s, %s): %d %s", op.Method, p, name, d.v, res.StatusCode, b)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			d.t.Fatalf("%s: %v", name, err)
		}
	}
	return out, true
}

// rawBody is a body the driver sends as it is.
type rawBody struct {
	ctype string
	data  []byte
}

// importBody is a multipart import of one CSV file.
func importBody(t *testing.T, request map[string]any, fileName, csv string) rawBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	js, err := json.Marshal(request)
	if err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("importRequest", string(js)); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("files", fileName)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, csv)
	mw.Close()
	return rawBody{mw.FormDataContentType(), buf.Bytes()}
}

// id returns the "id" of a JSON object answer.
func id(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["id"].(string)
	return s
}

func obj(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// exercise calls every operation the server serves, with valid requests,
// in d's version.
func exercise(d *driver, srv *hubspottest.Server) {
	t := d.t
	t.Helper()
	contacts, companies, deals := obj("objectType", "contacts"), obj("objectType", "companies"), obj("objectType", "deals")

	// CRM objects.
	c1, _ := d.call("crm.objects.create", contacts, "", map[string]any{"properties": map[string]any{"email": "ada@example.com", "firstname": "Ada"}})
	c2, _ := d.call("crm.objects.create", contacts, "", map[string]any{"properties": map[string]any{"email": "grace@example.com", "lifecyclestage": "lead"}})
	co, _ := d.call("crm.objects.create", companies, "", map[string]any{"properties": map[string]any{"name": "Acme", "domain": "acme.example"}})
	deal, _ := d.call("crm.objects.create", deals, "", map[string]any{"properties": map[string]any{"dealname": "Big", "amount": "100", "pipeline": "default", "dealstage": "appointmentscheduled"}})
	c1ID, c2ID, coID, dealID := id(c1), id(c2), id(co), id(deal)
	d.call("crm.objects.get", obj("objectType", "contacts", "objectId", c1ID), "properties=email,firstname&associations=companies", nil)
	d.call("crm.objects.list", contacts, "limit=1&properties=email", nil)
	d.call("crm.objects.update", obj("objectType", "contacts", "objectId", c1ID), "", map[string]any{"properties": map[string]any{"lastname": "Lovelace"}})
	d.call("crm.objects.search", contacts, "", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "email", "operator": "EQ", "value": "ada@example.com"}}}},
		"sorts":        []any{map[string]any{"propertyName": "createdate", "direction": "DESCENDING"}},
		"properties":   []string{"email"}, "limit": 10, "after": "0",
	})
	d.call("crm.objects.search", contacts, "", map[string]any{"query": "ada"}) // the first page, at the default size
	d.call("crm.objects.batch.read", contacts, "", map[string]any{"properties": []string{"email"}, "inputs": []any{map[string]any{"id": c1ID}}})
	b, _ := d.call("crm.objects.batch.create", contacts, "", map[string]any{"inputs": []any{map[string]any{"properties": map[string]any{"email": "b1@example.com"}}}})
	b1ID := id(b.(map[string]any)["results"].([]any)[0])
	d.call("crm.objects.batch.update", contacts, "", map[string]any{"inputs": []any{map[string]any{"id": b1ID, "properties": map[string]any{"firstname": "B"}}}})
	d.call("crm.objects.batch.upsert", contacts, "", map[string]any{"inputs": []any{map[string]any{"id": "b2@example.com", "idProperty": "email", "properties": map[string]any{"firstname": "C"}}}})
	d.call("crm.objects.batch.archive", contacts, "", map[string]any{"inputs": []any{map[string]any{"id": b1ID}}})

	exerciseTimeline(d, srv)

	// Marketing forms and their submissions.
	mf, _ := d.call("marketing.forms.create", nil, "", sampleForm("Contact us"))
	if fm, ok := mf.(map[string]any); ok {
		fid := str(fm["id"])
		f := obj("formId", fid)
		srv.AddFormSubmission(fid, hubspottest.FormSubmission{Values: map[string]string{"email": "ada@example.com"}, PageURL: "https://example.com/contact"})
		d.call("marketing.forms.list", nil, "limit=10", nil)
		d.call("marketing.forms.get", f, "", nil)
		d.call("marketing.forms.update", f, "", map[string]any{"name": "Contact us today"})
		full := sampleForm("Contact")
		full["id"] = fid
		d.call("marketing.forms.replace", f, "", full)
		d.call("forms.submit", obj("portalId", "62515", "formGuid", fid), "", map[string]any{"fields": []any{map[string]any{"name": "email", "value": "grace@example.com"}}})
		d.call("forms.submissions.list", obj("formGuid", fid), "limit=10", nil)
		d.call("marketing.forms.archive", f, "", nil)
	}

	// Files and folders (files_test.go).
	exerciseFiles(d)

	// Custom object schemas: define a type, use it, change it, delete and
	// purge it.
	sch, _ := d.call("crm.schemas.create", nil, "", map[string]any{
		"name": "cars", "labels": map[string]any{"singular": "Car", "plural": "Cars"},
		"primaryDisplayProperty": "model", "requiredProperties": []string{"model"}, "searchableProperties": []string{"model"},
		"secondaryDisplayProperties": []string{},
		"properties":                 []any{map[string]any{"name": "model", "label": "Model", "type": "string", "fieldType": "text"}},
		"associatedObjects":          []string{"CONTACT"}, "allowsSensitiveProperties": false, "shouldCreateSameObjectAssociation": false,
	})
	if sm, ok := sch.(map[string]any); ok {
		typeID := str(sm["objectTypeId"])
		car := obj("objectType", typeID)
		d.call("crm.schemas.list", nil, "", nil)
		d.call("crm.schemas.get", car, "", nil)
		d.call("crm.schemas.update", car, "", map[string]any{"labels": map[string]any{"singular": "Auto", "plural": "Autos"}, "clearDescription": false})
		a, _ := d.call("crm.schemas.associations.create", car, "", map[string]any{"fromObjectTypeId": typeID, "toObjectTypeId": "0-2", "name": "car_to_company"})
		d.call("crm.schemas.associations.archive", obj("objectType", typeID, "associationIdentifier", str(a.(map[string]any)["id"])), "", nil)
		d.call("crm.schemas.archive", car, "", nil)
		d.call("crm.schemas.purge", car, "", nil)
	}

	// Associations v4 and v3.
	pair := obj("fromObjectType", "contacts", "fromObjectId", c1ID, "toObjectType", "companies", "toObjectId", coID)
	types := obj("fromObjectType", "contacts", "toObjectType", "companies")
	d.call("crm.associations.v4.create", pair, "", []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}})
	d.call("crm.associations.v4.create-default", pair, "", nil)
	d.call("crm.associations.v4.list", obj("fromObjectType", "contacts", "fromObjectId", c1ID, "toObjectType", "companies"), "limit=10", nil)
	d.call("crm.associations.v4.batch.read", types, "", map[string]any{"inputs": []any{map[string]any{"id": c1ID}, map[string]any{"id": "999"}}}) // 207
	d.call("crm.associations.v4.batch.labels.archive", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c1ID}, "to": map[string]any{"id": coID},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}}}})
	d.call("crm.associations.v4.archive", pair, "", nil)
	d.call("crm.associations.v4.batch.create", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c2ID}, "to": map[string]any{"id": coID},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}}}})
	d.call("crm.associations.v4.batch.associate-default", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c1ID}, "to": map[string]any{"id": coID}}}})
	d.call("crm.associations.v4.batch.archive", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c2ID}, "to": []any{map[string]any{"id": coID}}}}})
	d.call("crm.associations.v3.batch.create", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c2ID}, "to": map[string]any{"id": coID}, "type": "contact_to_company"}}})
	d.call("crm.associations.v3.batch.read", types, "", map[string]any{"inputs": []any{map[string]any{"id": c2ID}}})
	d.call("crm.associations.v3.batch.archive", types, "", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": c2ID}, "to": map[string]any{"id": coID}, "type": "contact_to_company"}}})
	d.call("crm.associations.v4.labels.list", types, "", nil)
	if l, ok := d.call("crm.associations.v4.labels.create", types, "", map[string]any{"name": "referrer", "label": "Referrer", "inverseLabel": "Referred"}); ok {
		typeID := fmt.Sprint(l.(map[string]any)["results"].([]any)[0].(map[string]any)["typeId"])
		d.call("crm.associations.v4.labels.update", types, "", map[string]any{"associationTypeId": l.(map[string]any)["results"].([]any)[0].(map[string]any)["typeId"], "label": "Referrer of"})
		d.call("crm.associations.v4.labels.archive", obj("fromObjectType", "contacts", "toObjectType", "companies", "associationTypeId", typeID), "", nil)
	}

	// Merges and GDPR deletes.
	d.call("crm.objects.merge", contacts, "", map[string]any{"primaryObjectId": c1ID, "objectIdToMerge": c2ID})
	d.call("crm.objects.gdpr-delete", contacts, "", map[string]any{"objectId": "grace@example.com", "idProperty": "email"})
	d.call("crm.objects.archive", obj("objectType", "deals", "objectId", dealID), "", nil)

	// Properties and groups.
	d.call("crm.properties.list", contacts, "", nil)
	d.call("crm.properties.groups.create", contacts, "", map[string]any{"name": "erp", "label": "ERP", "displayOrder": 1})
	d.call("crm.properties.groups.list", contacts, "", nil)
	d.call("crm.properties.groups.get", obj("objectType", "contacts", "groupName", "erp"), "", nil)
	d.call("crm.properties.groups.update", obj("objectType", "contacts", "groupName", "erp"), "", map[string]any{"label": "ERP system"})
	prop := func(name string) map[string]any {
		return map[string]any{"name": name, "label": name, "type": "enumeration", "fieldType": "select", "groupName": "erp",
			"options": []any{map[string]any{"label": "A", "value": "a", "hidden": false, "displayOrder": 0}}}
	}
	d.call("crm.properties.create", contacts, "", prop("erp_tier"))
	d.call("crm.properties.get", obj("objectType", "contacts", "propertyName", "erp_tier"), "", nil)
	d.call("crm.properties.update", obj("objectType", "contacts", "propertyName", "erp_tier"), "", map[string]any{"label": "ERP tier"})
	d.call("crm.properties.batch.create", contacts, "", map[string]any{"inputs": []any{prop("erp_a"), prop("erp_b")}})
	d.call("crm.properties.batch.read", contacts, "", map[string]any{"archived": false, "inputs": []any{map[string]any{"name": "erp_a"}}})
	d.call("crm.properties.batch.archive", contacts, "", map[string]any{"inputs": []any{map[string]any{"name": "erp_a"}, map[string]any{"name": "erp_b"}}})
	d.call("crm.properties.archive", obj("objectType", "contacts", "propertyName", "erp_tier"), "", nil)
	d.call("crm.properties.groups.archive", obj("objectType", "contacts", "groupName", "erp"), "", nil)

	// Pipelines and stages.
	stage := func(label string, order int, probability string) map[string]any {
		return map[string]any{"label": label, "displayOrder": order, "metadata": map[string]any{"probability": probability}}
	}
	d.call("crm.pipelines.list", deals, "", nil)
	p, _ := d.call("crm.pipelines.create", deals, "", map[string]any{"label": "Renewals", "displayOrder": 1, "stages": []any{stage("Open", 0, "0.2"), stage("Won", 1, "1.0")}})
	pid := id(p)
	pp := obj("objectType", "deals", "pipelineId", pid)
	d.call("crm.pipelines.get", pp, "", nil)
	d.call("crm.pipelines.update", pp, "", map[string]any{"label": "Renewals 2026"})
	d.call("crm.pipelines.replace", pp, "", map[string]any{"label": "Renewals", "displayOrder": 1, "stages": []any{stage("Open", 0, "0.2"), stage("Won", 1, "1.0")}})
	d.call("crm.pipelines.stages.list", pp, "", nil)
	s, _ := d.call("crm.pipelines.stages.create", pp, "", stage("Lost", 2, "0.0"))
	sp := obj("objectType", "deals", "pipelineId", pid, "stageId", id(s))
	d.call("crm.pipelines.stages.get", sp, "", nil)
	d.call("crm.pipelines.stages.update", sp, "", map[string]any{"label": "Closed lost", "metadata": map[string]any{"probability": "0.0"}})
	d.call("crm.pipelines.stages.replace", sp, "", stage("Lost", 2, "0.0"))
	d.call("crm.pipelines.stages.archive", sp, "", nil) // 2025-09 and 2026-09 declare no validateReferencesBeforeDelete here
	d.call("crm.pipelines.stages.audit", sp, "", nil)
	d.call("crm.pipelines.audit", pp, "", nil)
	d.call("crm.pipelines.archive", pp, "validateReferencesBeforeDelete=true&validateDealStageUsagesBeforeDelete=true", nil)

	// Lists, memberships and folders.
	filter := map[string]any{"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": []any{}, "filterBranches": []any{
		map[string]any{"filterBranchType": "AND", "filterBranchOperator": "AND", "filterBranches": []any{}, "filters": []any{
			map[string]any{"filterType": "PROPERTY", "property": "email", "operation": map[string]any{
				"operationType": "STRING", "operator": "CONTAINS", "value": "example.com", "includeObjectsWithNoValueSet": false}},
			map[string]any{"filterType": "PROPERTY", "property": "num_employees", "operation": map[string]any{
				"operationType": "NUMBER", "operator": "IS_GREATER_THAN", "value": json.Number("5"), "includeObjectsWithNoValueSet": true}},
		}}}}
	fo, _ := d.call("crm.lists.folders.create", nil, "", map[string]any{"name": "Campaigns"})
	folderID := fo.(map[string]any)["folder"].(map[string]any)["id"].(string)
	fo2, _ := d.call("crm.lists.folders.create", nil, "", map[string]any{"name": "Old", "parentFolderId": folderID})
	folder2 := fo2.(map[string]any)["folder"].(map[string]any)["id"].(string)
	m, _ := d.call("crm.lists.create", nil, "", map[string]any{"name": "Manual", "objectTypeId": "0-1", "processingType": "MANUAL"})
	manualID := m.(map[string]any)["list"].(map[string]any)["listId"].(string)
	dl, _ := d.call("crm.lists.create", nil, "", map[string]any{"name": "Dynamic", "objectTypeId": "0-1", "processingType": "DYNAMIC", "filterBranch": filter})
	dynID := dl.(map[string]any)["list"].(map[string]any)["listId"].(string)
	lp := obj("listId", manualID)
	d.call("crm.lists.get", lp, "includeFilters=true", nil)
	d.call("crm.lists.get", obj("listId", dynID), "includeFilters=true", nil)
	d.call("crm.lists.get-by-name", obj("objectTypeId", "0-1", "listName", "Manual"), "", nil)
	d.call("crm.lists.get-many", nil, "listIds="+manualID+"&listIds="+dynID+"&includeFilters=true", nil)
	d.call("crm.lists.search", nil, "", map[string]any{"query": "man", "offset": 0, "count": 10, "processingTypes": []string{"MANUAL"}, "listIds": []string{}, "additionalProperties": []string{}})
	d.call("crm.lists.update-name", lp, "listName=Manual+2", nil)
	d.call("crm.lists.update-filters", obj("listId", dynID), "enrollObjectsInWorkflows=false", map[string]any{"filterBranch": filter})
	d.call("crm.lists.memberships.add", lp, "", []string{c1ID, "999"})
	d.call("crm.lists.memberships.remove", lp, "", []string{c1ID})
	d.call("crm.lists.memberships.add-and-remove", lp, "", map[string]any{"recordIdsToAdd": []string{c1ID}, "recordIdsToRemove": []string{}})
	d.call("crm.lists.memberships.list", lp, "limit=1", nil)
	sn, _ := d.call("crm.lists.create", nil, "", map[string]any{"name": "Copy", "objectTypeId": "0-1", "processingType": "MANUAL"})
	copyID := sn.(map[string]any)["list"].(map[string]any)["listId"].(string)
	d.call("crm.lists.memberships.add-from", obj("listId", copyID, "sourceListId", manualID), "", nil)
	d.call("crm.lists.records.memberships", obj("objectTypeId", "0-1", "recordId", c1ID), "", nil)
	d.call("crm.lists.folders.move-list", nil, "", map[string]any{"listId": manualID, "newFolderId": folderID})
	d.call("crm.lists.folders.list", nil, "folderId=0", nil)
	d.call("crm.lists.folders.rename", obj("folderId", folder2), "newFolderName=Archive", nil)
	d.call("crm.lists.folders.move", obj("folderId", folder2, "newParentFolderId", "0"), "", nil)
	d.call("crm.lists.folders.delete", obj("folderId", folder2), "", nil)
	d.call("crm.lists.delete", obj("listId", copyID), "", nil)
	d.call("crm.lists.restore", obj("listId", copyID), "", nil)

	// Users, teams and roles.
	role, team := srv.AddRole("Sales", false), srv.AddTeam("EMEA")
	u, _ := d.call("settings.users.create", nil, "", map[string]any{"email": "new-" + string(d.v) + "@example.com", "sendWelcomeEmail": false, "roleId": role, "primaryTeamId": team, "secondaryTeamIds": []string{}})
	up := obj("userId", id(u))
	d.call("settings.users.list", nil, "limit=10", nil)
	d.call("settings.users.get", up, "", nil)
	d.call("settings.users.get", obj("userId", "new-"+string(d.v)+"@example.com"), "idProperty=EMAIL", nil)
	d.call("settings.users.update", up, "", map[string]any{"firstName": "New", "roleId": role})
	d.call("settings.users.teams", nil, "", nil)
	d.call("settings.users.roles", nil, "", nil)
	d.call("settings.users.remove", up, "", nil)

	// Communication preferences.
	subType := srv.AddSubscriptionType("Newsletter", "Monthly news")
	subNumber, _ := strconv.ParseInt(subType, 10, 64)
	who := obj("subscriberIdString", "reader@example.com")
	d.call("preferences.definitions", nil, "includeTranslations=false", nil)
	d.call("preferences.statuses.update", who, "", map[string]any{"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": subNumber, "legalBasis": "CONSENT_WITH_NOTICE", "legalBasisExplanation": "signed up"})
	d.call("preferences.statuses.get", who, "channel=EMAIL", nil)
	d.call("preferences.statuses.unsubscribe-all.get", who, "channel=EMAIL", nil)
	d.call("preferences.statuses.unsubscribe-all", who, "channel=EMAIL&verbose=true", nil)

	// Exports of a view and of a list.
	exportBody := func(typ string) map[string]any {
		m := map[string]any{"exportType": typ, "exportName": "All " + typ, "format": "CSV", "language": "EN", "objectType": "CONTACT",
			"objectProperties": []string{"email", "firstname"}, "associatedObjectType": []string{}, "exportInternalValuesOptions": []string{"NAMES"},
			"includeLabeledAssociations": false, "includePrimaryDisplayPropertyForAssociatedObjects": false, "overrideAssociatedObjectsPerDefinitionPerRowLimit": false}
		if typ == "LIST" {
			m["listId"] = manualID
		} else {
			m["publicCrmSearchRequest"] = map[string]any{"filters": []any{}, "sorts": []string{}, "filterGroups": []any{map[string]any{"filters": []any{
				map[string]any{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}}}}}
		}
		return m
	}
	ex, _ := d.call("crm.exports.start", nil, "", exportBody("VIEW"))
	d.call("crm.exports.status", obj("taskId", id(ex)), "", nil)
	d.call("crm.exports.get", obj("exportId", id(ex)), "", nil)
	d.call("crm.exports.start", nil, "", exportBody("LIST"))

	// Imports: one with a row error, its errors, and one cancelled.
	importReq := map[string]any{"name": "Leads " + string(d.v), "importOperations": map[string]string{"0-1": "UPSERT"}, "dateFormat": "DAY_MONTH_YEAR",
		"files": []any{map[string]any{"fileName": "leads.csv", "fileFormat": "CSV", "fileImportPage": map[string]any{"hasHeader": true, "columnMappings": []any{
			map[string]any{"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email", "idColumnType": "HUBSPOT_ALTERNATE_ID"},
			map[string]any{"columnName": "First", "columnObjectTypeId": "0-1", "propertyName": "firstname"}}}}}}
	im, _ := d.call("crm.imports.start", nil, "", importBody(d.t, importReq, "leads.csv", "Email,First\nlead-"+string(d.v)+"@example.com,Lead\nnot-an-email,Bad\n"))
	d.call("crm.imports.get", obj("importId", id(im)), "", nil)
	d.call("crm.imports.list", nil, "limit=5", nil)
	d.call("crm.imports.errors", obj("importId", id(im)), "includeErrorMessage=true&includeRowData=true&limit=10", nil)
	d.call("crm.imports.cancel", obj("importId", id(im)), "", nil)

	// Transactional email and SMTP API tokens.
	mail := srv.AddTransactionalEmail("Receipt")
	srv.Seed("contacts", map[string]string{"email": "buyer-" + string(d.v) + "@example.com"})
	mailNum, _ := strconv.ParseInt(mail, 10, 64)
	d.call("marketing.transactional.send", nil, "", map[string]any{"emailId": mailNum, "message": map[string]any{"to": "buyer-" + string(d.v) + "@example.com", "sendId": "r-1"},
		"contactProperties": map[string]string{"firstname": "Buyer"}, "customProperties": map[string]any{"total": "12.00"}})
	tk, ok := d.call("marketing.transactional.smtp-tokens.create", nil, "", map[string]any{"campaignName": "Receipts", "createContact": false})
	if ok {
		tp := obj("tokenId", id(tk))
		d.call("marketing.transactional.smtp-tokens.list", nil, "limit=5&campaignName=Receipts", nil)
		d.call("marketing.transactional.smtp-tokens.get", tp, "", nil)
		d.call("marketing.transactional.smtp-tokens.reset-password", tp, "", nil)
		d.call("marketing.transactional.smtp-tokens.delete", tp, "", nil)
	}

	// Marketing emails: one scheduled and unpublished, one sent.
	me := obj("emailId", srv.AddMarketingEmail("Newsletter", "News"))
	d.call("marketing.emails.list", nil, "limit=5&isPublished=false", nil)
	d.call("marketing.emails.get", me, "", nil)
	d.call("marketing.emails.update", me, "", map[string]any{"publishDate": "2999-01-01T09:00:00Z"})
	d.call("marketing.emails.publish", me, "", nil)
	d.call("marketing.emails.unpublish", me, "", nil)
	d.call("marketing.emails.update", me, "", map[string]any{"publishDate": "2001-01-01T09:00:00Z"})
	d.call("marketing.emails.publish", me, "", nil)

	// Owners and the account.
	o := srv.AddOwner(hubspottest.Owner{Email: "owner@example.com", FirstName: "O"})
	d.call("crm.owners.list", nil, "limit=10", nil)
	d.call("crm.owners.get", obj("ownerId", o.ID), "", nil)
	d.call("account.details", nil, "", nil)
	d.call("account.usage.daily", nil, "", nil)

	// App webhooks, with the developer key.
	app := obj("appId", "1")
	d.call("webhooks.settings.update", app, "", map[string]any{"targetUrl": "https://example.com/hook", "throttling": map[string]any{"maxConcurrentRequests": 10}})
	d.call("webhooks.settings.get", app, "", nil)
	sub, _ := d.call("webhooks.subscriptions.create", app, "", map[string]any{"eventType": "contact.propertyChange", "propertyName": "email", "active": true})
	subID := id(sub)
	d.call("webhooks.subscriptions.list", app, "", nil)
	sb := obj("appId", "1", "subscriptionId", subID)
	d.call("webhooks.subscriptions.get", sb, "", nil)
	d.call("webhooks.subscriptions.update", sb, "", map[string]any{"active": false})
	d.call("webhooks.subscriptions.put", sb, "", map[string]any{"active": true})
	var subNum json.Number = json.Number(subID)
	d.call("webhooks.subscriptions.batch.update", app, "", map[string]any{"inputs": []any{map[string]any{"id": subNum, "active": true}}})
	d.call("webhooks.subscriptions.delete", sb, "", nil)
	d.call("webhooks.settings.delete", app, "", nil)

	// OAuth.
	clientID, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}, "refresh_token": {refresh}}
	tok, ok := d.call("oauth.v1.token", nil, "", form)
	if tok3, ok3 := d.call("oauth.token", nil, "", form); !ok {
		tok, ok = tok3, ok3
	}
	if !ok {
		return
	}
	access, _ := tok.(map[string]any)["access_token"].(string)
	d.call("oauth.v1.access-tokens.get", obj("token", access), "", nil)
	d.call("oauth.v1.refresh-tokens.get", obj("token", refresh), "", nil)
	creds := func(id, sec, token, hint string) url.Values {
		return url.Values{"client_id": {id}, "client_secret": {sec}, "token": {token}, "token_type_hint": {hint}}
	}
	d.call("oauth.token.introspect", nil, "", creds(clientID, secret, access, "access_token"))
	d.call("oauth.token.introspect", nil, "", creds(clientID, secret, refresh, "refresh_token"))
	// Another app's installation for v3's revocation: v1's below revokes
	// the first one's.
	id2, secret2, refresh2 := srv.NewOAuthApp("crm.objects.contacts.read")
	d.call("oauth.token.revoke", nil, "", creds(id2, secret2, refresh2, "refresh_token"))
	d.call("oauth.v1.refresh-tokens.delete", obj("token", refresh), "", nil)
}

// TestServerConformsToSpec exercises every operation the server serves,
// in every version it serves it, through the conformance proxy: each call
// must succeed and conform, and every served operation must have been
// exercised, so that a new route cannot escape the check.
func TestServerConformsToSpec(t *testing.T) {
	var cs []*conformance
	touched := map[string]bool{}
	for _, v := range append([]endpoints.Version{endpoints.Numbered}, endpoints.DatedVersions()...) {
		t.Run(v.String(), func(t *testing.T) {
			srv := hubspottest.NewServer(t, hubspottest.WithImportProcessingTime(time.Hour)) // the import is still processing when cancelled
			c, proxy := newConformance(t, srv.URL())
			cs = append(cs, c)
			d := &driver{t: t, base: proxy.URL, v: v, tok: srv.NewToken(hubspottest.AllScopes...), devKey: srv.NewDeveloperKey(1), touched: touched}
			exercise(d, srv)
			c.report()
		})
	}
	// Every served operation conformed in every version it is offered in.
	for _, op := range endpoints.All() {
		if _, skip := notServed[op.Name]; skip {
			continue
		}
		if !touched[op.Name] {
			t.Errorf("%s is served but the conformance test never calls it", op.Name)
			continue
		}
		for _, v := range versionsOf(op) {
			ok := false
			for _, c := range cs {
				ok = ok || c.ok[op.Name+" "+v.String()]
			}
			if !ok && !t.Failed() {
				t.Errorf("%s in %s: no successful call conformed", op.Name, v)
			}
		}
	}
	if t.Failed() {
		return
	}
	var unused []string
	for i, q := range specQuirks {
		used := false
		for _, c := range cs {
			used = used || c.usedQ[i]
		}
		if !used {
			unused = append(unused, fmt.Sprintf("%d (%s %v %s %v)", i, q.dir, q.where, q.kind, q.ops))
		}
	}
	sort.Strings(unused)
	for _, u := range unused {
		t.Errorf("spec quirk %s excuses nothing: remove it", u)
	}
}

// exerciseTimeline calls the timeline events API: event templates and
// their tokens under the developer key (numbered only), events under the
// token. The dated versions offer only event creation, in the developer
// platform's shape; their template is made on the server directly.
func exerciseTimeline(d *driver, srv *hubspottest.Server) {
	contact := srv.Seed("contacts", map[string]string{"email": "timeline@example.com"})[0].ID
	app := obj("appId", "1")
	tpl := map[string]any{
		"name": "Webinar registration", "objectType": "contacts",
		"headerTemplate": "Registered for {{webinar}}", "detailTemplate": "Seats: {{seats}}",
		"tokens": []any{
			map[string]any{"name": "webinar", "label": "Webinar", "type": "string", "options": []any{}},
			map[string]any{"name": "seats", "label": "Seats", "type": "number", "options": []any{}},
		},
	}
	var tid string
	if d.v == endpoints.Numbered {
		out, _ := d.call("crm.timeline.templates.create", app, "", tpl)
		tid = str(out.(map[string]any)["id"])
	} else {
		buf, _ := json.Marshal(tpl)
		res, err := http.Post(srv.URL()+"/integrators/timeline/v3/1/event-templates?hapikey="+url.QueryEscape(d.devKey), "application/json", bytes.NewReader(buf))
		if err != nil {
			d.t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		tid = str(out["id"])
	}
	t := obj("appId", "1", "eventTemplateId", tid)
	d.call("crm.timeline.templates.list", app, "", nil)
	d.call("crm.timeline.templates.get", t, "", nil)
	d.call("crm.timeline.templates.tokens.create", t, "", map[string]any{"name": "level", "label": "Level", "type": "enumeration",
		"options": []any{map[string]any{"label": "Beginner", "value": "beginner"}, map[string]any{"label": "Expert", "value": "expert"}}})
	d.call("crm.timeline.templates.tokens.update", obj("appId", "1", "eventTemplateId", tid, "tokenName", "level"), "", map[string]any{"label": "Skill level",
		"options": []any{map[string]any{"label": "Beginner", "value": "beginner"}}})
	d.call("crm.timeline.templates.update", t, "", map[string]any{"id": tid, "name": "Webinar registration", "detailTemplate": "Seats: {{seats}} ({{level}})",
		"tokens": []any{
			map[string]any{"name": "webinar", "label": "Webinar", "type": "string", "options": []any{}},
			map[string]any{"name": "seats", "label": "Seats", "type": "number", "options": []any{}},
			map[string]any{"name": "level", "label": "Level", "type": "enumeration", "options": []any{map[string]any{"label": "Beginner", "value": "beginner"}}},
			map[string]any{"name": "spare", "label": "Spare", "type": "date", "options": []any{}},
		}})
	d.call("crm.timeline.templates.tokens.delete", obj("appId", "1", "eventTemplateId", tid, "tokenName", "spare"), "", nil)

	if d.v == endpoints.Numbered {
		ev := func(id string) map[string]any {
			return map[string]any{"id": id, "eventTemplateId": tid, "objectId": contact, "timestamp": "2026-01-02T03:04:05Z",
				"tokens": map[string]any{"webinar": "Go at scale", "seats": "2", "level": "beginner"}, "extraData": map[string]any{"source": "conformance"}}
		}
		d.call("crm.timeline.events.create", nil, "", ev("e1"))
		d.call("crm.timeline.events.batch.create", nil, "", map[string]any{"inputs": []any{ev("e2"), ev("e3")}})
		e := obj("eventTemplateId", tid, "eventId", "e1")
		d.call("crm.timeline.events.get", e, "", nil)
		d.call("crm.timeline.events.detail", e, "", nil)
	} else {
		ev := func(id string) map[string]any {
			return map[string]any{"id": id, "eventTypeName": tid, "objectId": contact, "timestamp": "2026-01-02T03:04:05Z",
				"properties": map[string]any{"webinar": "Go at scale", "seats": "2"}}
		}
		d.call("crm.timeline.events.create", nil, "", ev("d1"))
		d.call("crm.timeline.events.batch.create", nil, "", map[string]any{"inputs": []any{ev("d2"), ev("d3")}})
	}
	d.call("crm.timeline.templates.delete", t, "", nil)
}
