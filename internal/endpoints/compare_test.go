package endpoints_test

// These tests hold the catalogue to the facts hubkey encoded before it, in
// internal/scopes, signing.DefaultRules, hubspot.IsDeveloperKeyPath, the
// retry and rate-limit transports and the typed client's constants, so
// that moving to the catalogue loses none. Each place the catalogue
// disagrees on purpose is listed with its reason. Where the old code is
// gone, a copy of it as it was is kept here (oldScopeRules,
// oldIsDeveloperKeyPath, oldDefaultRules, oldSafeToRepeat, oldIsSearch).

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/signing"
)

var objectTypes = []string{"contacts", "companies", "deals", "tickets", "products", "line_items", "quotes", "2-123"}

// expand builds a path for o in v with object types typ (both sides of an
// association get it) and ids "123" ("7" for decimal IDs).
func expand(t *testing.T, o *endpoints.Op, v endpoints.Version, typ string) (string, map[string]string) {
	t.Helper()
	tmpl, _ := o.Template(v)
	params := map[string]string{}
	for _, s := range strings.Split(tmpl, "/") {
		name, ok := strings.CutPrefix(s, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		switch {
		case strings.HasSuffix(name, "bjectType"):
			params[name] = typ
		case name == "appId" || name == "subscriptionId" || name == "associationTypeId":
			params[name] = "7"
		default:
			params[name] = "123"
		}
	}
	p, err := o.Expand(v, params)
	if err != nil {
		t.Fatalf("%s %s: %v", o.Name, v, err)
	}
	return p, params
}

// eachCall calls f with a sample path of every row in every version.
func eachCall(t *testing.T, f func(o *endpoints.Op, v endpoints.Version, path string)) {
	for _, o := range endpoints.All() {
		for _, v := range append([]endpoints.Version{endpoints.Numbered}, o.Versions...) {
			p, _ := expand(t, o, v, "contacts")
			f(o, v, p)
		}
	}
}

// checkDisagreements fails unless got (the disagreements found) is exactly
// the keys of want.
func checkDisagreements(t *testing.T, what string, got []string, want map[string]string) {
	t.Helper()
	sort.Strings(got)
	got = slices.Compact(got)
	for _, g := range got {
		if _, ok := want[g]; !ok {
			t.Errorf("the catalogue disagrees with %s: %s", what, g)
		}
	}
	for w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("listed disagreement with %s no longer found: %s", what, w)
		}
	}
}

// oldScopeRule is one row of internal/scopes' table as it was before the
// catalogue replaced it: calls with Method whose path matches Pattern
// needed every scope in Scopes. In Pattern, "*" is any one segment and
// "{type}", "{from}" and "{to}" an object type; a scope "{type}:read"
// (":write", ":schema.read", ":schema.write"; likewise for from and to)
// stands for that scope of the bound type (oldTypeScopes).
type oldScopeRule struct {
	Method  string
	Pattern string
	Scopes  []string
}

// oldScopeRules is internal/scopes' table as it was.
var oldScopeRules = []oldScopeRule{
	// CRM objects v3: basic, search, batch, merge, GDPR delete.
	{"GET", "/crm/v3/objects/{type}", []string{"{type}:read"}},
	{"POST", "/crm/v3/objects/{type}", []string{"{type}:write"}},
	{"GET", "/crm/v3/objects/{type}/*", []string{"{type}:read"}},
	{"PATCH", "/crm/v3/objects/{type}/*", []string{"{type}:write"}},
	{"DELETE", "/crm/v3/objects/{type}/*", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/{type}/search", []string{"{type}:read"}},
	{"POST", "/crm/v3/objects/{type}/batch/read", []string{"{type}:read"}},
	{"POST", "/crm/v3/objects/{type}/batch/create", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/{type}/batch/update", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/{type}/batch/upsert", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/{type}/batch/archive", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/{type}/merge", []string{"{type}:write"}},
	{"POST", "/crm/v3/objects/contacts/gdpr-delete", []string{"crm.objects.contacts.write"}},

	// Associations v3 (on the object and batch).
	{"GET", "/crm/v3/objects/{from}/*/associations/{to}", []string{"{from}:read", "{to}:read"}},
	{"PUT", "/crm/v3/objects/{from}/*/associations/{to}/*/*", []string{"{from}:write", "{to}:write"}},
	{"DELETE", "/crm/v3/objects/{from}/*/associations/{to}/*/*", []string{"{from}:write", "{to}:write"}},
	{"GET", "/crm/v3/associations/{from}/{to}/types", []string{"{from}:read", "{to}:read"}},
	{"POST", "/crm/v3/associations/{from}/{to}/batch/read", []string{"{from}:read", "{to}:read"}},
	{"POST", "/crm/v3/associations/{from}/{to}/batch/create", []string{"{from}:write", "{to}:write"}},
	{"POST", "/crm/v3/associations/{from}/{to}/batch/archive", []string{"{from}:write", "{to}:write"}},

	// Associations v4.
	{"GET", "/crm/v4/objects/{from}/*/associations/{to}", []string{"{from}:read", "{to}:read"}},
	{"PUT", "/crm/v4/objects/{from}/*/associations/{to}/*", []string{"{from}:write", "{to}:write"}},
	{"PUT", "/crm/v4/objects/{from}/*/associations/default/{to}/*", []string{"{from}:write", "{to}:write"}},
	{"DELETE", "/crm/v4/objects/{from}/*/associations/{to}/*", []string{"{from}:write", "{to}:write"}},
	{"POST", "/crm/v4/associations/{from}/{to}/batch/read", []string{"{from}:read", "{to}:read"}},
	{"POST", "/crm/v4/associations/{from}/{to}/batch/create", []string{"{from}:write", "{to}:write"}},
	{"POST", "/crm/v4/associations/{from}/{to}/batch/archive", []string{"{from}:write", "{to}:write"}},
	{"POST", "/crm/v4/associations/{from}/{to}/batch/associate/default", []string{"{from}:write", "{to}:write"}},
	{"POST", "/crm/v4/associations/{from}/{to}/batch/labels/archive", []string{"{from}:write", "{to}:write"}},
	{"GET", "/crm/v4/associations/{from}/{to}/labels", []string{"{from}:read", "{to}:read"}},
	{"POST", "/crm/v4/associations/{from}/{to}/labels", []string{"{from}:write", "{to}:write"}},
	{"PUT", "/crm/v4/associations/{from}/{to}/labels", []string{"{from}:write", "{to}:write"}},
	{"DELETE", "/crm/v4/associations/{from}/{to}/labels/*", []string{"{from}:write", "{to}:write"}},

	// Properties and property groups.
	{"GET", "/crm/v3/properties/{type}", []string{"{type}:schema.read"}},
	{"POST", "/crm/v3/properties/{type}", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/properties/{type}/*", []string{"{type}:schema.read"}},
	{"PATCH", "/crm/v3/properties/{type}/*", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/properties/{type}/*", []string{"{type}:schema.write"}},
	{"POST", "/crm/v3/properties/{type}/batch/read", []string{"{type}:schema.read"}},
	{"POST", "/crm/v3/properties/{type}/batch/create", []string{"{type}:schema.write"}},
	{"POST", "/crm/v3/properties/{type}/batch/archive", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/properties/{type}/groups", []string{"{type}:schema.read"}},
	{"POST", "/crm/v3/properties/{type}/groups", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/properties/{type}/groups/*", []string{"{type}:schema.read"}},
	{"PATCH", "/crm/v3/properties/{type}/groups/*", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/properties/{type}/groups/*", []string{"{type}:schema.write"}},

	// Custom object schemas.
	{"GET", "/crm/v3/schemas", []string{"crm.schemas.custom.read"}},
	{"POST", "/crm/v3/schemas", []string{"crm.schemas.custom.write"}},
	{"GET", "/crm/v3/schemas/{type}", []string{"{type}:schema.read"}},
	{"PATCH", "/crm/v3/schemas/{type}", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/schemas/{type}", []string{"{type}:schema.write"}},
	{"POST", "/crm/v3/schemas/{type}/associations", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/schemas/{type}/associations/*", []string{"{type}:schema.write"}},

	// Pipelines and stages: reading needs the type's read scope, changing
	// needs its schema write scope (crm.schemas.deals.write for deals,
	// tickets for tickets), as HubSpot's pipelines reference lists; the
	// object write scope is not enough.
	{"GET", "/crm/v3/pipelines/{type}", []string{"{type}:read"}},
	{"POST", "/crm/v3/pipelines/{type}", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/pipelines/{type}/*", []string{"{type}:read"}},
	{"PUT", "/crm/v3/pipelines/{type}/*", []string{"{type}:schema.write"}},
	{"PATCH", "/crm/v3/pipelines/{type}/*", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/pipelines/{type}/*", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/pipelines/{type}/*/stages", []string{"{type}:read"}},
	{"POST", "/crm/v3/pipelines/{type}/*/stages", []string{"{type}:schema.write"}},
	{"GET", "/crm/v3/pipelines/{type}/*/stages/*", []string{"{type}:read"}},
	{"PUT", "/crm/v3/pipelines/{type}/*/stages/*", []string{"{type}:schema.write"}},
	{"PATCH", "/crm/v3/pipelines/{type}/*/stages/*", []string{"{type}:schema.write"}},
	{"DELETE", "/crm/v3/pipelines/{type}/*/stages/*", []string{"{type}:schema.write"}},

	// Owners.
	{"GET", "/crm/v3/owners", []string{"crm.objects.owners.read"}},
	{"GET", "/crm/v3/owners/*", []string{"crm.objects.owners.read"}},

	// Account information: any valid token.
	{"GET", "/account-info/v3/details", nil},
	{"GET", "/account-info/v3/api-usage/daily/private-apps", nil},

	// OAuth token endpoints: authenticated by the token or client secret
	// in the call itself, not by a scoped bearer token.
	{"POST", "/oauth/v1/token", nil},
	{"GET", "/oauth/v1/access-tokens/*", nil},
	{"GET", "/oauth/v1/refresh-tokens/*", nil},
	{"DELETE", "/oauth/v1/refresh-tokens/*", nil},
}

// oldTypeScopes are internal/scopes' read, write, schema read and schema
// write scopes of each type in objectTypes.
var oldTypeScopes = map[string]map[string]string{
	"contacts":   {"read": "crm.objects.contacts.read", "write": "crm.objects.contacts.write", "schema.read": "crm.schemas.contacts.read", "schema.write": "crm.schemas.contacts.write"},
	"companies":  {"read": "crm.objects.companies.read", "write": "crm.objects.companies.write", "schema.read": "crm.schemas.companies.read", "schema.write": "crm.schemas.companies.write"},
	"deals":      {"read": "crm.objects.deals.read", "write": "crm.objects.deals.write", "schema.read": "crm.schemas.deals.read", "schema.write": "crm.schemas.deals.write"},
	"tickets":    {"read": "tickets", "write": "tickets", "schema.read": "tickets", "schema.write": "tickets"},
	"products":   {"read": "e-commerce", "write": "e-commerce", "schema.read": "e-commerce", "schema.write": "e-commerce"},
	"line_items": {"read": "e-commerce", "write": "e-commerce", "schema.read": "e-commerce", "schema.write": "e-commerce"},
	"quotes":     {"read": "crm.objects.quotes.read", "write": "crm.objects.quotes.write", "schema.read": "crm.schemas.quotes.read", "schema.write": "crm.schemas.quotes.write"},
	"2-123":      {"read": "crm.objects.custom.read", "write": "crm.objects.custom.write", "schema.read": "crm.schemas.custom.read", "schema.write": "crm.schemas.custom.write"},
}

// oldScopes are the scopes r needed with its types bound as given.
func oldScopes(t *testing.T, r oldScopeRule, bind map[string]string) []string {
	var out []string
	for _, s := range r.Scopes {
		if v, which, ok := strings.Cut(s, ":"); ok {
			typ, ok := oldTypeScopes[bind[v]]
			if !ok || typ[which] == "" {
				t.Fatalf("%s %s: cannot bind %s", r.Method, r.Pattern, s)
			}
			s = typ[which]
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestAgreesWithScopeTable checks that for every call internal/scopes
// knew (oldScopeRules), for every object type, the catalogue has a row,
// and the scopes that table required still satisfy the row: the
// catalogue only widens the alternatives.
func TestAgreesWithScopeTable(t *testing.T) {
	want := map[string]string{
		// The spec's schemas API takes the custom object scopes whatever
		// the object type; the old table asked a standard type's own
		// schema scopes.
		"GET /crm/v3/schemas/{type}":                   "spec: custom object scopes only",
		"PATCH /crm/v3/schemas/{type}":                 "spec: custom object scopes only",
		"DELETE /crm/v3/schemas/{type}":                "spec: custom object scopes only",
		"POST /crm/v3/schemas/{type}/associations":     "spec: custom object scopes only",
		"DELETE /crm/v3/schemas/{type}/associations/*": "spec: custom object scopes only",
	}
	var got []string
	for _, r := range oldScopeRules {
		for _, from := range objectTypes {
			for _, to := range objectTypes {
				if !strings.Contains(r.Pattern, "{from}") && to != objectTypes[0] {
					continue // one pass for single-type patterns
				}
				p := strings.NewReplacer("{type}", from, "{from}", from, "{to}", to, "*", "123").Replace(r.Pattern)
				old := oldScopes(t, r, map[string]string{"{type}": from, "{from}": from, "{to}": to})
				o, _, params, ok := endpoints.Match(r.Method, p)
				if !ok {
					got = append(got, r.Method+" "+r.Pattern+" (no row)")
					continue
				}
				req, err := o.AllowedScopes(params)
				if err != nil {
					t.Fatalf("%s %s: %v", r.Method, p, err)
				}
				if !req.SatisfiedBy(old) {
					got = append(got, r.Method+" "+r.Pattern)
					t.Logf("%s %s: old %q, %s needs %q", r.Method, p, old, o.Name, req)
				}
			}
		}
	}
	checkDisagreements(t, "internal/scopes", got, want)
}

// oldDefaultRules are signing.DefaultRules as they were before the client
// read the catalogue (hubspot.IsSensitive keeps them for the calls the
// catalogue does not know).
var oldDefaultRules = []string{
	"DELETE /**",
	"POST /crm/**/batch/archive",
	"POST /crm/**/gdpr-delete",
	"POST /crm/**/merge",
	"* /crm/**/exports/**",
	"* /crm/**/imports/**",
	"POST /settings/**/users/**",
	"PUT /settings/**/users/**",
	"PATCH /settings/**/users/**",
	"POST /marketing/**/single-email/send",
	"POST /marketing/**/email/single-send",
	"POST /marketing/**/emails/**/publish",
	"POST /email/public/*/singleEmail/send",
}

// TestAgreesWithSigningPolicy checks every row's Sensitive against
// signing.DefaultRules (oldDefaultRules), in every version, and against
// hubspot.IsSensitive.
func TestAgreesWithSigningPolicy(t *testing.T) {
	pol := signing.MustPolicy(oldDefaultRules...)
	var got, now []string
	eachCall(t, func(o *endpoints.Op, v endpoints.Version, p string) {
		if _, signed := pol.Match(o.Method, p); signed != o.Sensitive {
			got = append(got, o.Name)
		}
		u, err := url.Parse("https://api.hubapi.com" + p)
		if err != nil {
			t.Fatal(err)
		}
		if hubspot.IsSensitive(&http.Request{Method: o.Method, URL: u}) != o.Sensitive {
			now = append(now, o.Name)
		}
	})
	// Subscription status changes were not in the old rules: a mass
	// unsubscribe (or subscribe) is damage, so the catalogue signs them.
	wantSigned := map[string]string{}
	for _, name := range []string{"preferences.statuses.update", "preferences.statuses.unsubscribe-all", "preferences.statuses.batch.write",
		"preferences.statuses.batch.unsubscribe-all", "preferences.v3.subscribe", "preferences.v3.unsubscribe"} {
		wantSigned[name] = "subscription status changes are sensitive"
	}
	// SMTP API tokens are credentials: creating one or resetting its
	// password mints one.
	for _, name := range []string{"marketing.transactional.smtp-tokens.create", "marketing.transactional.smtp-tokens.reset-password"} {
		wantSigned[name] = "SMTP token creation and password reset mint credentials"
	}
	// The reads of exports and imports: rows mark no GET sensitive, but
	// the path rules (old and current) sign them, since an export's status
	// carries its download URL and an import's errors quote its rows.
	// Timeline event templates and their tokens: a change alters how the
	// app's events read in every account that installed it.
	for _, name := range []string{"crm.timeline.templates.create", "crm.timeline.templates.update",
		"crm.timeline.templates.tokens.create", "crm.timeline.templates.tokens.update"} {
		wantSigned[name] = "timeline template changes are sensitive"
	}
	// An app's webhook settings name the URL HubSpot sends its events to.
	wantSigned["webhooks.settings.update"] = "a webhook target change can send the app's events elsewhere"
	readsSigned := map[string]string{}
	for _, name := range []string{"crm.exports.status", "crm.exports.get", "crm.imports.list", "crm.imports.get", "crm.imports.errors"} {
		readsSigned[name] = "export and import reads are signed by path rule"
		wantSigned[name] = readsSigned[name]
	}
	readsSigned["files.signed-url"] = "a signed URL is a credential for a private file: signed by path rule"
	checkDisagreements(t, "signing.DefaultRules", got, wantSigned)
	checkDisagreements(t, "hubspot.IsSensitive", now, readsSigned)
}

// oldIsDeveloperKeyPath is hubspot.IsDeveloperKeyPath as it was before
// the client read the catalogue.
func oldIsDeveloperKeyPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/webhooks/v3/")
	if !ok {
		return false
	}
	segs := strings.Split(rest, "/")
	isID := func(s string) bool {
		if s == "" || len(s) > 19 {
			return false
		}
		return strings.Trim(s, "0123456789") == ""
	}
	if !isID(segs[0]) {
		return false
	}
	switch len(segs) {
	case 2:
		return segs[1] == "settings" || segs[1] == "subscriptions"
	case 3:
		return segs[1] == "subscriptions" && isID(segs[2])
	case 4:
		return segs[1] == "subscriptions" && segs[2] == "batch" && segs[3] == "update"
	}
	return false
}

// TestAgreesWithDeveloperKeyPaths checks every row's Cred against
// hubspot.IsDeveloperKeyPath (oldIsDeveloperKeyPath).
func TestAgreesWithDeveloperKeyPaths(t *testing.T) {
	want := map[string]string{}
	for _, o := range endpoints.All() {
		if o.Cred == endpoints.DeveloperKey && o.Dated != "" {
			// IsDeveloperKeyPath knows only the v3 paths; the dated
			// /app-webhooks/... paths are new to hubkey and take the
			// developer key as the 2025-09 and 2026-09 specs say.
			want[o.Name+" dated"] = "dated paths unknown to IsDeveloperKeyPath"
		}
	}
	// The timeline's event templates take the developer key too, on paths
	// IsDeveloperKeyPath never knew.
	for _, o := range endpoints.All() {
		if o.Cred == endpoints.DeveloperKey && strings.HasPrefix(o.Path, "/integrators/timeline/") {
			want[o.Name] = "timeline event template paths unknown to IsDeveloperKeyPath"
		}
	}
	var got []string
	eachCall(t, func(o *endpoints.Op, v endpoints.Version, p string) {
		if oldIsDeveloperKeyPath(p) != (o.Cred == endpoints.DeveloperKey) {
			name := o.Name
			if v != endpoints.Numbered {
				name += " dated"
			}
			got = append(got, name)
		}
	})
	checkDisagreements(t, "hubspot.IsDeveloperKeyPath", got, want)
}

// markedIdempotent are the calls the typed client marked with
// hubspot.Idempotent before it read the catalogue: link and unlink
// records, batch link and unlink, replace labels, update properties and
// groups.
var markedIdempotent = []string{
	"crm.associations.v4.create", "crm.associations.v4.create-default", "crm.associations.v4.archive",
	"crm.associations.v4.batch.create", "crm.associations.v4.batch.archive", "crm.associations.v4.labels.update",
	"crm.properties.update", "crm.properties.groups.update",
}

// oldSafeToRepeat is hubspot's safeToRepeat (retry.go) without a context
// mark, and oldIsSearch its isSearch (ratelimit.go; keypolicy's
// hubSpotSearch was the same).
func oldSafeToRepeat(method, path string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	case http.MethodPost:
		p := strings.TrimSuffix(path, "/")
		return strings.HasSuffix(p, "/search") || strings.HasSuffix(p, "/batch/read") || strings.HasSuffix(p, "/batch/upsert")
	}
	return false
}

func oldIsSearch(method, path string) bool {
	return method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(path, "/"), "/search")
}

func TestAgreesWithRetryAndRateLimit(t *testing.T) {
	var idem, rate []string
	wantRate := map[string]string{}
	for _, o := range endpoints.All() {
		if o.Rate == endpoints.Unmetered {
			// hubspot/oauth sends token requests outside the rate-limited
			// stack, and hubspottest answers them before metering.
			wantRate[o.Name] = "OAuth token endpoints are not metered"
		}
	}
	eachCall(t, func(o *endpoints.Op, v endpoints.Version, p string) {
		if oldSafeToRepeat(o.Method, p) || slices.Contains(markedIdempotent, o.Name) {
			if !o.Idempotent {
				idem = append(idem, o.Name)
			}
		} else if o.Idempotent {
			idem = append(idem, o.Name)
		}
		old := endpoints.Standard
		if oldIsSearch(o.Method, p) {
			old = endpoints.Search
		}
		if o.Rate != old {
			rate = append(rate, o.Name)
		}
	})
	// Rows hubkey's client did not know before the catalogue: PUTs that set
	// a state (a name, filters, a folder, members added or removed), which
	// a repeat leaves as it is, and lookups sent as POST.
	wantIdem := map[string]string{}
	for _, name := range []string{
		"crm.lists.update-name", "crm.lists.update-filters", "crm.lists.memberships.add", "crm.lists.memberships.remove",
		"crm.lists.memberships.add-and-remove", "crm.lists.memberships.add-from", "crm.lists.folders.rename", "crm.lists.folders.move",
		"crm.lists.folders.move-list", "crm.lists.schedule-conversion.update", "crm.lists.idmapping.batch",
		"settings.users.update", "marketing.forms.replace", "crm.timeline.templates.update", "crm.timeline.templates.tokens.update",
		"preferences.statuses.update", "preferences.statuses.unsubscribe-all", "preferences.statuses.batch.write",
		"preferences.statuses.batch.unsubscribe-all", "preferences.statuses.batch.unsubscribe-all.read",
		"preferences.v3.subscribe", "preferences.v3.unsubscribe",
	} {
		wantIdem[name] = "sets a state or reads: safe to repeat"
	}
	// The lists search is not a CRM objects search: HubSpot's search
	// limit is documented for those alone.
	wantRate["crm.lists.search"] = "lists search counts against the standard limits"
	checkDisagreements(t, "hubspot's safeToRepeat and Idempotent marks", idem, wantIdem)
	checkDisagreements(t, "hubspot's and keypolicy's search classes", rate, wantRate)
}

// TestLimitsAreHubSpots pins the limits the client chunks and checks by,
// which it reads from the rows, to the numbers of HubSpot's guides.
func TestLimitsAreHubSpots(t *testing.T) {
	limit := func(name string) endpoints.Limits {
		o, ok := endpoints.Lookup(name)
		if !ok {
			t.Fatalf("no row %s", name)
		}
		return o.Limits
	}
	for _, name := range []string{"crm.objects.batch.read", "crm.objects.batch.create", "crm.objects.batch.update", "crm.objects.batch.upsert", "crm.objects.batch.archive"} {
		if limit(name).Batch != 100 {
			t.Errorf("%s: Batch %d, HubSpot's guides say 100", name, limit(name).Batch)
		}
	}
	s := limit("crm.objects.search")
	for _, c := range []struct {
		name      string
		row, want int
	}{
		{"objects batch read with history", limit("crm.objects.batch.read").HistoryBatch, 50},
		{"objects list page", limit("crm.objects.list").Page, 100},
		{"search page", s.Page, 200},
		{"search total", s.Total, 10000},
		{"search filter groups", s.FilterGroups, 5},
		{"search filters per group", s.GroupFilters, 10},
		{"search filters", s.Filters, 25},
		{"search body", s.Body, 3000},
		{"associations list page", limit("crm.associations.v4.list").Page, 500},
		{"associations batch read", limit("crm.associations.v4.batch.read").Batch, 1000},
		{"associations batch create", limit("crm.associations.v4.batch.create").Batch, 2000},
		{"associations batch archive", limit("crm.associations.v4.batch.archive").Batch, 2000},
		{"owners page", limit("crm.owners.list").Page, 500},
		{"lists search page", limit("crm.lists.search").Page, 500},
		{"list memberships page", limit("crm.lists.memberships.list").Page, 250},
	} {
		if c.row != c.want {
			t.Errorf("%s: catalogue %d, HubSpot's guides %d", c.name, c.row, c.want)
		}
	}
}

var docCall = regexp.MustCompile(`HubSpot: (GET|POST|PUT|PATCH|DELETE) (/[^ .,;]*)`)

// sampleOf fills a documented path template with sample values.
func sampleOf(tmpl string) string {
	return regexp.MustCompile(`\{[^}]*\}`).ReplaceAllStringFunc(tmpl, func(w string) string {
		switch {
		case strings.HasSuffix(w, "bjectType}"):
			return "deals"
		case w == "{appId}" || w == "{subscriptionId}" || w == "{associationTypeId}":
			return "7"
		}
		return "123"
	})
}

// TestCoversTypedClient checks that every call the typed client documents
// ("HubSpot: METHOD /path" in package hubspot) and the token call of
// hubspot/oauth has a row with that numbered template.
func TestCoversTypedClient(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "hubspot", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("finding package hubspot: %v", err)
	}
	norm := regexp.MustCompile(`\{[^}]*\}`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range docCall.FindAllStringSubmatch(string(b), -1) {
			seen++
			method, tmpl := m[1], m[2]
			o, v, _, ok := endpoints.Match(method, sampleOf(tmpl))
			if !ok || v != endpoints.Numbered {
				t.Errorf("%s: %s %s has no row", filepath.Base(f), method, tmpl)
				continue
			}
			want := norm.ReplaceAllString(tmpl, "{}")
			if got := norm.ReplaceAllString(o.Path, "{}"); got != want && !(o.Name == "crm.objects.gdpr-delete" && tmpl == "/crm/v3/objects/contacts/gdpr-delete") {
				t.Errorf("%s %s matched %s (%s)", method, tmpl, o.Name, o.Path)
			}
		}
	}
	if seen < 55 {
		t.Fatalf("found only %d documented calls in package hubspot", seen)
	}
	u, err := url.Parse(oauth.DefaultTokenURL)
	if err != nil {
		t.Fatal(err)
	}
	if o, _, _, ok := endpoints.Match(http.MethodPost, u.EscapedPath()); !ok || o.Name != "oauth.token" {
		t.Errorf("hubspot/oauth's token URL %s has no oauth.token row", u.Path)
	}
}

// hubspottestServes are the calls hubspottest's routing switches answer
// (routes.go, associations_v4.go, properties.go, owners.go, pipelines.go,
// account.go, oauth.go, webhooks_settings.go).
var hubspottestServes = []string{
	"GET /crm/v3/objects/deals", "POST /crm/v3/objects/deals", "GET /crm/v3/objects/deals/1",
	"PATCH /crm/v3/objects/deals/1", "DELETE /crm/v3/objects/deals/1", "POST /crm/v3/objects/deals/search",
	"POST /crm/v3/objects/deals/merge", "POST /crm/v3/objects/contacts/gdpr-delete",
	"POST /crm/v3/objects/deals/batch/read", "POST /crm/v3/objects/deals/batch/create", "POST /crm/v3/objects/deals/batch/update",
	"POST /crm/v3/objects/deals/batch/upsert", "POST /crm/v3/objects/deals/batch/archive",
	"GET /crm/v4/objects/deals/1/associations/contacts", "PUT /crm/v4/objects/deals/1/associations/contacts/2",
	"DELETE /crm/v4/objects/deals/1/associations/contacts/2", "PUT /crm/v4/objects/deals/1/associations/default/contacts/2",
	"POST /crm/v4/associations/deals/contacts/batch/read", "POST /crm/v4/associations/deals/contacts/batch/create",
	"POST /crm/v4/associations/deals/contacts/batch/archive",
	"GET /crm/v4/associations/deals/contacts/labels", "POST /crm/v4/associations/deals/contacts/labels",
	"PUT /crm/v4/associations/deals/contacts/labels", "DELETE /crm/v4/associations/deals/contacts/labels/3",
	"GET /crm/v3/properties/deals", "POST /crm/v3/properties/deals", "GET /crm/v3/properties/deals/amount",
	"PATCH /crm/v3/properties/deals/amount", "DELETE /crm/v3/properties/deals/amount",
	"GET /crm/v3/properties/deals/groups", "POST /crm/v3/properties/deals/groups", "GET /crm/v3/properties/deals/groups/g",
	"PATCH /crm/v3/properties/deals/groups/g", "DELETE /crm/v3/properties/deals/groups/g",
	"GET /crm/v3/owners", "GET /crm/v3/owners/5",
	"GET /crm/v3/pipelines/deals", "POST /crm/v3/pipelines/deals", "GET /crm/v3/pipelines/deals/p",
	"PUT /crm/v3/pipelines/deals/p", "PATCH /crm/v3/pipelines/deals/p", "DELETE /crm/v3/pipelines/deals/p",
	"GET /crm/v3/pipelines/deals/p/stages", "POST /crm/v3/pipelines/deals/p/stages", "GET /crm/v3/pipelines/deals/p/stages/s",
	"PUT /crm/v3/pipelines/deals/p/stages/s", "PATCH /crm/v3/pipelines/deals/p/stages/s", "DELETE /crm/v3/pipelines/deals/p/stages/s",
	"GET /account-info/v3/details", "GET /account-info/v3/api-usage/daily/private-apps",
	"POST /oauth/v1/token", "POST /oauth/v3/token",
	"GET /webhooks/v3/7/settings", "PUT /webhooks/v3/7/settings", "DELETE /webhooks/v3/7/settings",
	"GET /webhooks/v3/7/subscriptions", "POST /webhooks/v3/7/subscriptions", "POST /webhooks/v3/7/subscriptions/batch/update",
	"GET /webhooks/v3/7/subscriptions/9", "PATCH /webhooks/v3/7/subscriptions/9", "PUT /webhooks/v3/7/subscriptions/9",
	"DELETE /webhooks/v3/7/subscriptions/9",
}

func TestCoversHubspottest(t *testing.T) {
	for _, c := range hubspottestServes {
		method, p, _ := strings.Cut(c, " ")
		if _, _, _, ok := endpoints.Match(method, p); !ok {
			t.Errorf("hubspottest serves %s, which has no row", c)
		}
	}
}
