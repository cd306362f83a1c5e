package hubspottest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// notServed lists the catalogue operations hubspottest deliberately does
// not implement, and why. Each answers 404, as any path the server does
// not serve does. hubkey's client calls none of them.
var notServed = map[string]string{
	// The v3 associations API's per-record calls and types: HubSpot's
	// clients call v4 for those; the v3 batch calls are served.
	"crm.associations.v3.list":    "v3 per-record associations; the server implements v4's",
	"crm.associations.v3.create":  "v3 per-record associations; the server implements v4's",
	"crm.associations.v3.archive": "v3 per-record associations; the server implements v4's",
	"crm.associations.v3.types":   "v3 association types; the server implements v4's labels",
	// Lists: the legacy ID mapping (which HubSpot retires), conversion
	// schedules, join order and size history, which hubkey's client does
	// not call.
	"crm.lists.idmapping.get":                  "legacy list ID mapping",
	"crm.lists.idmapping.batch":                "legacy list ID mapping",
	"crm.lists.schedule-conversion.get":        "list conversion schedules",
	"crm.lists.schedule-conversion.update":     "list conversion schedules",
	"crm.lists.size-history":                   "list size history",
	"crm.lists.memberships.join-order":         "memberships in join order; the server serves them in record ID order",
	"crm.lists.records.memberships.batch.read": "a record's lists, in batch; the server serves one record's",
	// Communication preferences: batches, links and the v3 calls, which
	// hubkey's client does not make (it calls the v4 ones).
	"preferences.statuses.batch.read":                 "subscription status batches",
	"preferences.statuses.batch.write":                "subscription status batches",
	"preferences.statuses.batch.unsubscribe-all":      "subscription status batches",
	"preferences.statuses.batch.unsubscribe-all.read": "subscription status batches",
	"preferences.links.generate":                      "preference page links",
	"preferences.v3.definitions":                      "v3 communication preferences; the server serves v4's",
	"preferences.v3.status":                           "v3 communication preferences; the server serves v4's",
	"preferences.v3.subscribe":                        "v3 communication preferences; the server serves v4's",
	"preferences.v3.unsubscribe":                      "v3 communication preferences; the server serves v4's",
}

// opRecorder is a slog.Handler that hands the server's "operation" attribute
// of each call over a channel, so that a test knows which row served it.
type opRecorder chan string

func (h opRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h opRecorder) Handle(_ context.Context, r slog.Record) error {
	op := "?"
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "operation" {
			op = a.Value.String()
		}
		return true
	})
	h <- op
	return nil
}
func (h opRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h opRecorder) WithGroup(string) slog.Handler      { return h }

// sampleParams fills every path parameter of op with a value of its kind.
func sampleParams(op *endpoints.Op) map[string]string {
	values := map[string]string{
		"objectType": "contacts", "fromObjectType": "contacts", "toObjectType": "companies",
		"appId": "1", "subscriptionId": "1", "associationTypeId": "1",
	}
	params := map[string]string{}
	for _, seg := range strings.Split(op.Path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			params[name] = "7"
			if v, ok := values[name]; ok {
				params[name] = v
			}
		}
	}
	return params
}

func versionsOf(op *endpoints.Op) []endpoints.Version {
	return append([]endpoints.Version{endpoints.Numbered}, op.Versions...)
}

// TestEveryCatalogueOperationServedOrListed sends every catalogue
// operation, in every version, without a credential, and learns from the
// server's log which row served it. A served row must be routed to its own
// handler in every version, and ask for its credential (401), or for the
// token endpoints, look at the form (415); a row in notServed must answer
// 404 without looking at credentials. Every other row fails the test, as
// does a notServed entry the server serves or the catalogue lacks.
func TestEveryCatalogueOperationServedOrListed(t *testing.T) {
	ops := make(opRecorder, 1)
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(slog.New(ops)))
	served := map[string]bool{}
	var routes []string
	for _, op := range endpoints.All() {
		_, skip := notServed[op.Name]
		for _, v := range versionsOf(op) {
			path, err := op.Expand(v, sampleParams(op))
			if err != nil {
				t.Fatalf("%s %s: %v", op.Name, v, err)
			}
			r := call(t, srv, "", op.Method, path, "{}")
			var got string
			select {
			case got = <-ops:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s %s: no log line", op.Method, path)
			}
			if skip {
				b := r.json(t)
				if r.status != http.StatusNotFound || got != "" || b["category"] != "OBJECT_NOT_FOUND" || !strings.Contains(str(b["message"]), "does not implement "+op.Name) {
					t.Errorf("%s %s (not served): status %d, operation %q, body %s", op.Method, path, r.status, got, r.body)
				}
				continue
			}
			if got != op.Name {
				t.Errorf("%s %s: served by %q, want %s (status %d, body %s)", op.Method, path, got, op.Name, r.status, r.body)
				continue
			}
			want := http.StatusUnauthorized
			switch {
			case op.Cred == endpoints.NoCred && op.Method == http.MethodPost && strings.HasPrefix(op.Path, "/oauth/"):
				// The token endpoint, and v3's introspection and
				// revocation: form-encoded bodies.
				want = http.StatusUnsupportedMediaType
			case op.Cred == endpoints.NoCred: // v1's token introspection and revocation: an unknown token
				want = http.StatusNotFound
			}
			if r.status != want {
				t.Errorf("%s %s: status %d, want %d; body %s", op.Method, path, r.status, want, r.body)
			}
			served[op.Name] = true
			routes = append(routes, op.Method+" "+path)
		}
		if !skip && !served[op.Name] {
			t.Errorf("%s is neither served nor listed in notServed", op.Name)
		}
	}
	for name := range notServed {
		if _, ok := endpoints.Lookup(name); !ok {
			t.Errorf("notServed lists %s, which the catalogue does not", name)
		}
	}
	t.Logf("%d operations served at %d routes:\n%s", len(served), len(routes), strings.Join(routes, "\n"))
}

// TestDatedVersionsShareState checks, area by area, that a call in one
// version and a call in another reach the same handler and the same data,
// that a version the catalogue does not list for a row is not served, and
// that the journal and paging links keep the path as it was sent.
func TestDatedVersionsShareState(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)

	// Objects: create in 2026-09, read, change and find in the others.
	r := call(t, srv, tok, "POST", "/crm/objects/2026-09/contacts", map[string]any{"properties": map[string]any{"email": "ada@example.com"}})
	wantStatus(t, r, http.StatusCreated)
	id := str(r.json(t)["id"])
	for _, p := range []string{"/crm/v3/objects/contacts/", "/crm/objects/2025-09/contacts/", "/crm/objects/2026-03/contact/"} {
		r = call(t, srv, tok, "GET", p+id, nil)
		wantStatus(t, r, http.StatusOK)
		if props(t, r.json(t))["email"] != "ada@example.com" {
			t.Fatalf("GET %s%s: %s", p, id, r.body)
		}
	}
	wantStatus(t, call(t, srv, tok, "PATCH", "/crm/objects/2026-03/contacts/"+id, map[string]any{"properties": map[string]any{"firstname": "Ada"}}), http.StatusOK)
	if r = call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+id+"?properties=firstname", nil); props(t, r.json(t))["firstname"] != "Ada" {
		t.Fatalf("after a dated PATCH: %s", r.body)
	}
	r = call(t, srv, tok, "POST", "/crm/objects/2025-09/contacts/search", map[string]any{"query": "ada"})
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["total"] != float64(1) {
		t.Fatalf("dated search: %s", r.body)
	}
	j := srv.Journal()
	if last := j[len(j)-1]; last.Path != "/crm/objects/2025-09/contacts/search" || last.Status != http.StatusOK {
		t.Fatalf("journal entry %+v, want the dated path as sent", last)
	}
	wantStatus(t, call(t, srv, tok, "POST", "/crm/objects/2026-09/contacts", map[string]any{"properties": map[string]any{}}), http.StatusCreated)
	r = call(t, srv, tok, "GET", "/crm/objects/2026-09/contacts?limit=1", nil)
	wantStatus(t, r, http.StatusOK)
	if link := fmt.Sprint(r.json(t)["paging"]); !strings.Contains(link, srv.URL()+"/crm/objects/2026-09/contacts?") {
		t.Fatalf("paging of a dated list: %s", link)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/objects/2024-01/contacts/"+id, nil), http.StatusNotFound)

	// Associations: a dated default link shows in the numbered list; the
	// per-record list is not offered in 2026-09.
	company := srv.Seed("companies", map[string]string{"name": "Acme"})[0].ID
	wantStatus(t, call(t, srv, tok, "PUT", "/crm/objects/2026-03/contacts/"+id+"/associations/default/companies/"+company, nil), http.StatusOK)
	for _, p := range []string{"/crm/v4/objects/contacts/", "/crm/objects/2025-09/contacts/"} {
		r = call(t, srv, tok, "GET", p+id+"/associations/companies", nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), company) {
			t.Fatalf("GET %s...: %s", p, r.body)
		}
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/objects/2026-09/contacts/"+id+"/associations/companies", nil), http.StatusNotFound)
	r = call(t, srv, tok, "POST", "/crm/associations/2026-09/contacts/companies/batch/read", map[string]any{"inputs": []any{map[string]any{"id": id}}})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), company) {
		t.Fatalf("dated batch read: %s", r.body)
	}

	// Properties, pipelines, owners, account information.
	wantStatus(t, call(t, srv, tok, "POST", "/crm/properties/2026-09/contacts", map[string]any{
		"name": "tier", "label": "Tier", "type": "string", "fieldType": "text", "groupName": "contactinformation",
	}), http.StatusCreated)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/properties/contacts/tier", nil), http.StatusOK)
	r = call(t, srv, tok, "GET", "/crm/pipelines/2025-09/deals/default", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["id"] != "default" {
		t.Fatalf("dated pipeline: %s", r.body)
	}
	owner := srv.AddOwner(hubspottest.Owner{Email: "o@example.com"})
	wantStatus(t, call(t, srv, tok, "GET", "/crm/owners/2026-03/"+owner.ID, nil), http.StatusOK)
	r = call(t, srv, tok, "GET", "/account-info/2026-09/details", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["portalId"] != float64(srv.Account().PortalID) {
		t.Fatalf("dated account details: %s", r.body)
	}

	// Webhooks: /app-webhooks/{version}/... in 2025-09 and 2026-09 only.
	key := srv.NewDeveloperKey(app)
	settings := map[string]any{"targetUrl": "https://example.com/hook", "throttling": map[string]any{"maxConcurrentRequests": 10, "period": "SECONDLY"}}
	wantStatus(t, call(t, srv, "", "PUT", fmt.Sprintf("/app-webhooks/2025-09/%d/settings?hapikey=%s", app, key), settings), http.StatusOK)
	r = hooks(t, srv, key, "GET", "/settings", nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["targetUrl"] != "https://example.com/hook" {
		t.Fatalf("settings put in 2025-09, read in v3: %s", r.body)
	}
	wantStatus(t, call(t, srv, "", "GET", fmt.Sprintf("/app-webhooks/2026-09/%d/settings?hapikey=%s", app, key), nil), http.StatusOK)
	wantStatus(t, call(t, srv, "", "GET", fmt.Sprintf("/app-webhooks/2026-03/%d/settings?hapikey=%s", app, key), nil), http.StatusNotFound)

	// OAuth: the token endpoint's dated versions start with 2026-03.
	clientID, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {secret}, "refresh_token": {refresh}}
	access := tokenOf(t, postForm(t, srv, "/oauth/2026-09/token", form, ""))
	wantStatus(t, call(t, srv, access, "GET", "/crm/objects/2026-03/contacts/"+id, nil), http.StatusOK)
	wantStatus(t, postForm(t, srv, "/oauth/2025-09/token", form, ""), http.StatusNotFound)
}

// TestUnservedPathsAnswer404 checks that a path the server does not serve
// answers HubSpot's 404 body whatever the credential, never a 401 that
// would send a client looking for a token problem.
func TestUnservedPathsAnswer404(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	const secret = "abcdef0123456789-access-token"
	for _, tc := range []struct{ method, path, unimplemented string }{
		{"GET", "/nothing/here", ""},
		{"GET", "/", ""},
		{"GET", "/crm/v3/objects", ""},
		{"GET", "/crm/v3/objects/contacts/1/extra/segments", ""},
		{"GET", "/crm/v3/objects/contacts/", ""},  // a trailing slash
		{"GET", "/crm/v3//objects/contacts", ""},  // an empty segment, which a mux would redirect
		{"GET", "/crm/v3/objects/./contacts", ""}, // a dot segment
		{"GET", "/crm/v5/objects/contacts", ""},
		{"GET", "/crm/objects/2026-13/contacts", ""}, // a version no row lists
		{"GET", "/crm/objects/2026-09/contacts/1/associations/companies", ""},
		{"GET", "/oauth/v1/access-tokens/" + secret, ""}, // served: an unknown token
		{"DELETE", "/oauth/v1/refresh-tokens/" + secret, ""},
		{"POST", "/crm/objects/2026-03/contacts/batch/associate/default", ""},
		{"GET", "/crm/v3/associations/contacts/companies/types", "crm.associations.v3.types"},
	} {
		for _, token := range []string{"", tok, "pat-na1-unknown"} {
			r := call(t, srv, token, tc.method, tc.path, nil)
			b := r.json(t)
			if r.status != http.StatusNotFound || b["status"] != "error" || b["category"] != "OBJECT_NOT_FOUND" ||
				b["correlationId"] != r.header.Get("X-HubSpot-Correlation-Id") || !uuidRE.MatchString(str(b["correlationId"])) {
				t.Errorf("%s %s (token %v): status %d, body %s", tc.method, tc.path, token != "", r.status, r.body)
				continue
			}
			msg := str(b["message"])
			if tc.unimplemented != "" && !strings.Contains(msg, "does not implement "+tc.unimplemented) {
				t.Errorf("%s %s: message %q does not name %s", tc.method, tc.path, msg, tc.unimplemented)
			}
			if strings.Contains(string(r.body), secret) {
				t.Errorf("%s %s: the answer echoes the token in the path: %s", tc.method, tc.path, r.body)
			}
		}
	}
	// No unserved call counts against a token's daily usage.
	if n := srv.APIUsage(tok); n != 0 {
		t.Errorf("APIUsage = %d after unserved calls only", n)
	}
}

// TestWrongMethodAnswers405 checks that a served path called with another
// method answers 405 naming the methods it takes, before authentication,
// in every version.
func TestWrongMethodAnswers405(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	for _, tc := range []struct{ method, path, allow string }{
		{"POST", "/account-info/v3/details", "GET"},
		{"POST", "/account-info/2026-03/details", "GET"},
		{"PUT", "/crm/v3/objects/contacts/1", "GET,PATCH,DELETE"},
		{"PUT", "/crm/objects/2025-09/contacts/1", "GET,PATCH,DELETE"},
		{"GET", "/crm/v3/objects/contacts/batch/read", "POST"},
		{"HEAD", "/crm/v3/objects/contacts", "GET,POST"},
		{"POST", "/webhooks/v3/1/subscriptions/7", "GET,PUT,PATCH,DELETE"},
		{"POST", "/app-webhooks/2026-09/1/subscriptions/7", "GET,PATCH,DELETE"}, // PUT is only in v3
		{"GET", "/oauth/2026-03/token", "POST"},
	} {
		for _, token := range []string{"", tok} {
			r := call(t, srv, token, tc.method, tc.path, nil)
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != tc.allow {
				t.Errorf("%s %s (token %v): status %d, Allow %q; want 405, %q", tc.method, tc.path, token != "", r.status, r.header.Get("Allow"), tc.allow)
				continue
			}
			if tc.method == "HEAD" {
				continue
			}
			if b := r.json(t); b["status"] != "error" || b["category"] != "VALIDATION_ERROR" || str(b["message"]) == "" {
				t.Errorf("%s %s: body %s", tc.method, tc.path, r.body)
			}
		}
	}
}

// TestScopesFromTheCatalogue checks that a call needs a scope of each of
// its row's groups: any one of a group allows it, and a refusal lists the
// whole group in HubSpot's MISSING_SCOPES body, in every version.
func TestScopesFromTheCatalogue(t *testing.T) {
	srv := hubspottest.NewServer(t)
	ecommerce := srv.NewToken("e-commerce")
	products := srv.NewToken("crm.objects.products.read")
	contacts := srv.NewToken("crm.objects.contacts.read")
	for _, path := range []string{"/crm/v3/objects/products", "/crm/objects/2026-09/products", "/crm/objects/2025-09/0-7"} {
		// Products are read with crm.objects.products.read or e-commerce.
		wantStatus(t, call(t, srv, ecommerce, "GET", path, nil), http.StatusOK)
		wantStatus(t, call(t, srv, products, "GET", path, nil), http.StatusOK)
		r := call(t, srv, contacts, "GET", path, nil)
		wantStatus(t, r, http.StatusForbidden)
		b := r.json(t)
		errs, _ := b["errors"].([]any)
		if b["category"] != "MISSING_SCOPES" || len(errs) != 1 {
			t.Fatalf("GET %s: %s", path, r.body)
		}
		got := ctxList(errs[0].(map[string]any), "requiredGranularScopes")
		if !slices.Equal(got, []string{"crm.objects.products.read", "e-commerce"}) {
			t.Fatalf("GET %s: requiredGranularScopes %v, want the whole any-of group", path, got)
		}
	}
	// An association needs a scope of both object types: only the group
	// the token does not satisfy is listed.
	r := call(t, srv, contacts, "GET", "/crm/objects/2026-03/contacts/1/associations/companies", nil)
	wantStatus(t, r, http.StatusForbidden)
	errs, _ := r.json(t)["errors"].([]any)
	if got := ctxList(errs[0].(map[string]any), "requiredGranularScopes"); !slices.Equal(got, []string{"crm.objects.companies.read"}) {
		t.Fatalf("association list: requiredGranularScopes %v", got)
	}
	both := srv.NewToken("crm.objects.contacts.read", "crm.objects.companies.read")
	wantStatus(t, call(t, srv, both, "GET", "/crm/objects/2026-03/contacts/1/associations/companies", nil), http.StatusNotFound) // allowed; no such contact
	// The journal records why the call was refused.
	j := srv.Journal()
	if j[len(j)-2].Reason != keypolicy.ReasonMissingScopes {
		t.Errorf("journal %+v", j[len(j)-2])
	}
}

// TestLimitsAreTheCatalogues pins the limits the package exports to the
// catalogue rows the server enforces.
func TestLimitsAreTheCatalogues(t *testing.T) {
	limits := func(name string) endpoints.Limits {
		op, ok := endpoints.Lookup(name)
		if !ok {
			t.Fatalf("no row %s", name)
		}
		return op.Limits
	}
	search := limits("crm.objects.search")
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"MaxBatchInputs", hubspottest.MaxBatchInputs, limits("crm.objects.batch.create").Batch},
		{"MaxBatchHistoryInputs", hubspottest.MaxBatchHistoryInputs, limits("crm.objects.batch.read").HistoryBatch},
		{"MaxAssociationBatchRead", hubspottest.MaxAssociationBatchRead, limits("crm.associations.v4.batch.read").Batch},
		{"MaxAssociationBatchCreate", hubspottest.MaxAssociationBatchCreate, limits("crm.associations.v4.batch.create").Batch},
		{"MaxAssociationBatchArchive", hubspottest.MaxAssociationBatchArchive, limits("crm.associations.v4.batch.archive").Batch},
		{"AssociationPageSize", hubspottest.AssociationPageSize, limits("crm.associations.v4.list").Page},
		{"MaxSearchLimit", hubspottest.MaxSearchLimit, search.Page},
		{"MaxSearchResults", hubspottest.MaxSearchResults, search.Total},
		{"MaxSearchFilterGroups", hubspottest.MaxSearchFilterGroups, search.FilterGroups},
		{"MaxSearchFiltersPerGroup", hubspottest.MaxSearchFiltersPerGroup, search.GroupFilters},
		{"MaxSearchFilters", hubspottest.MaxSearchFilters, search.Filters},
		{"MaxSearchBody", hubspottest.MaxSearchBody, search.Body},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, the catalogue says %d", c.name, c.got, c.want)
		}
	}
}

// TestSensitiveCallFollowsTheCatalogue checks that SensitiveCall, as a
// signature policy, requires signatures on the rows marked sensitive, in
// every version, and on nothing else.
func TestSensitiveCallFollowsTheCatalogue(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithSignatureVerifier(headerVerifier{}), hubspottest.WithSignaturePolicy(hubspottest.SensitiveCall))
	tok := srv.NewKey(keypolicy.Spec{Scopes: hubspottest.AllScopes, RequireSignature: true})
	for _, tc := range []struct {
		method, path string
		sensitive    bool
	}{
		{"GET", "/crm/v3/objects/contacts", false},
		{"POST", "/crm/objects/2026-09/contacts/batch/read", false},
		{"DELETE", "/crm/v3/objects/contacts/1", true},
		{"DELETE", "/crm/objects/2026-09/contacts/1", true},
		{"POST", "/crm/objects/2025-09/deals/batch/archive", true},
		{"POST", "/crm/v3/objects/contacts/merge", true},
		{"DELETE", "/crm/associations/2026-03/contacts/companies/labels/1001", true},
	} {
		r := call(t, srv, tok, tc.method, tc.path, map[string]any{"inputs": []any{}})
		refused := r.status == http.StatusUnauthorized && r.json(t)["subCategory"] == "SIGNATURE_REQUIRED"
		if refused != tc.sensitive {
			t.Errorf("%s %s: status %d %s; want a signature required: %v", tc.method, tc.path, r.status, r.body, tc.sensitive)
		}
	}
	// Outside the server, SensitiveCall matches the request against the
	// catalogue.
	for _, tc := range []struct {
		method, url string
		want        bool
	}{
		{"DELETE", "https://api.hubapi.com/crm/v3/schemas/2-123", true},
		{"DELETE", "https://api.hubapi.com/oauth/v1/refresh-tokens/x", true},
		{"GET", "https://api.hubapi.com/crm/v3/schemas/2-123", false},
		{"DELETE", "https://api.hubapi.com/not/hubspot", false},
	} {
		req, err := http.NewRequest(tc.method, tc.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := hubspottest.SensitiveCall(req); got != tc.want {
			t.Errorf("SensitiveCall(%s %s) = %v", tc.method, tc.url, got)
		}
	}
}
