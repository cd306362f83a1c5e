package endpoints

import (
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var namePattern = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9-]+)+$`)

func TestRowsWellFormed(t *testing.T) {
	methods := []string{get, post, put, patch, del}
	for _, o := range All() {
		if !namePattern.MatchString(o.Name) {
			t.Errorf("%s: name is not dotted lower case", o.Name)
		}
		if !slices.Contains(methods, o.Method) {
			t.Errorf("%s: method %q", o.Name, o.Method)
		}
		if o.Rate < Standard || o.Rate > Unmetered || o.Cred < Bearer || o.Cred > NoCred {
			t.Errorf("%s: rate class %v or credential %v unset", o.Name, o.Rate, o.Cred)
		}
		if (o.Dated == "") != (len(o.Versions) == 0) {
			t.Errorf("%s: Dated %q with versions %v", o.Name, o.Dated, o.Versions)
		}
		for i, v := range o.Versions {
			if !slices.Contains(DatedVersions(), v) || i > 0 && o.Versions[i-1] >= v {
				t.Errorf("%s: versions %v are not known dated versions, oldest first", o.Name, o.Versions)
			}
		}
		if o.Sensitive && o.Method == get {
			t.Errorf("%s: a GET marked sensitive", o.Name)
		}
		if o.Cred == NoCred && len(o.Scopes) > 0 {
			t.Errorf("%s: scopes without a credential", o.Name)
		}
		for _, tmpl := range []string{o.Path, o.Dated} {
			if tmpl == "" {
				continue
			}
			names := wildcards(tmpl)
			for _, g := range o.Scopes {
				if len(g) == 0 {
					t.Errorf("%s: empty scope group", o.Name)
				}
				for _, s := range g {
					if !strings.HasPrefix(s, "{") {
						if s == OAuthScope || !IsKnownScope(s) {
							t.Errorf("%s: scope %q", o.Name, s)
						}
						continue
					}
					p, kind := splitTemplate(s)
					if _, ok := (ObjectType{}).scopesOf(kind); !ok || paramKinds[p] != segObjectType || !slices.Contains(names, p) {
						t.Errorf("%s: scope template %q does not name an object type parameter of %s and a kind", o.Name, s, tmpl)
					}
				}
			}
		}
		if o.Dated != "" && !slices.Equal(wildcards(o.Path), wildcards(strings.Replace(o.Dated, "/{version}", "", 1))) {
			t.Errorf("%s: numbered and dated templates have different parameters", o.Name)
		}
	}
}

// wildcards returns a template's parameter names, {version} excluded.
func wildcards(tmpl string) []string {
	var out []string
	for _, s := range strings.Split(tmpl, "/") {
		if strings.HasPrefix(s, "{") && s != versionParam {
			out = append(out, strings.Trim(s, "{}"))
		}
	}
	return out
}

// sample returns parameter values for o: object types as given, decimal
// IDs for the decimal parameters, and id (which may need escaping) for
// the rest.
func sample(o *Op, objectType, id string) map[string]string {
	p := map[string]string{}
	for _, name := range wildcards(o.Path) {
		switch paramKinds[name] {
		case segObjectType:
			p[name] = objectType
		case segDecimal:
			p[name] = "4711"
		default:
			p[name] = id
		}
	}
	return p
}

// versionsOf returns Numbered and o's dated versions.
func versionsOf(o *Op) []Version { return append([]Version{Numbered}, o.Versions...) }

// TestServeMux registers every row's pattern, numbered and in each dated
// version, on one ServeMux: any conflict between rows panics. Then it
// routes a request for every row and version and checks that the mux
// picks that row's pattern, with the parameters Match finds.
func TestServeMux(t *testing.T) {
	mux := http.NewServeMux()
	type key struct {
		name string
		v    Version
	}
	patterns := map[string]key{}
	refused := map[string]bool{}
	register := func(o *Op, pat string) {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := muxOverlaps[o.Name]; !ok {
					t.Fatalf("registering the catalogue on a ServeMux: %v", r)
				}
				refused[o.Name] = true
			}
		}()
		mux.HandleFunc(pat, func(http.ResponseWriter, *http.Request) {})
	}
	for _, o := range All() {
		for _, v := range versionsOf(o) {
			tmpl, ok := o.Template(v)
			if !ok {
				t.Fatalf("%s: no template for %s", o.Name, v)
			}
			pat := o.Method + " " + tmpl
			patterns[pat] = key{o.Name, v}
			register(o, pat)
		}
	}
	for name := range muxOverlaps {
		if !refused[name] {
			t.Errorf("%s is listed in muxOverlaps, but a ServeMux takes its pattern: remove it", name)
		}
	}
	for _, o := range All() {
		for _, v := range versionsOf(o) {
			params := sample(o, "p123_cars", "a/b?c#d e%f")
			p, err := o.Expand(v, params)
			if err != nil {
				t.Fatalf("%s %s: %v", o.Name, v, err)
			}
			if refused[o.Name] {
				// Only Match routes it: the overlapping row must not take it.
				if m, mv, _, ok := Match(o.Method, p); !ok || m != o || mv != v {
					t.Errorf("%s %s: Match does not route %s to it", o.Name, v, p)
				}
				req := httptest.NewRequest(o.Method, "https://api.hubapi.com"+p, nil)
				if _, pat := mux.Handler(req); pat != "" {
					t.Errorf("%s %s: ServeMux routes %s to %q", o.Name, v, p, pat)
				}
				continue
			}
			req := httptest.NewRequest(o.Method, "https://api.hubapi.com"+p, nil)
			_, pat := mux.Handler(req)
			if got := patterns[pat]; got != (key{o.Name, v}) {
				t.Errorf("%s %s: ServeMux routes %s to %q (%v)", o.Name, v, p, pat, got)
			}
		}
	}
	// A path both overlapping patterns match goes to the row whose
	// parameters accept it: appId is a decimal ID.
	if o, _, params, ok := Match(http.MethodGet, "/integrators/timeline/v3/events/event-templates/7"); !ok || o.Name != "crm.timeline.events.get" || params["eventTemplateId"] != "event-templates" {
		t.Errorf("Match of an event whose template ID is event-templates: %v %v %v", o, params, ok)
	}
}

// muxOverlaps are the rows whose pattern a net/http.ServeMux refuses
// beside an earlier row's, which overlaps it on paths one of the rows'
// typed parameters (a decimal appId) would refuse: Match tells them
// apart, and hubspottest routes these rows by Match.
var muxOverlaps = map[string]string{
	"crm.timeline.templates.get": "GET /integrators/timeline/v3/events/{eventTemplateId}/{eventId} overlaps it where appId is \"events\"",
}

func TestMatchRoundTrip(t *testing.T) {
	ids := []string{"123", "a/b", "q?x=1", "frag#x", "100%", "sp ace", "..a", "%2e%2e", "é"}
	for _, o := range All() {
		for _, v := range versionsOf(o) {
			for _, typ := range append(checkTypes(), "notes", "0-1", "CONTACT") {
				for _, id := range ids {
					params := sample(o, typ, id)
					p, err := o.Expand(v, params)
					if err != nil {
						t.Fatalf("%s %s %v: %v", o.Name, v, params, err)
					}
					got, gv, gp, ok := Match(o.Method, p)
					if !ok || got != o || gv != v || !maps.Equal(gp, params) {
						name := "<none>"
						if got != nil {
							name = got.Name
						}
						t.Fatalf("Match(%s %s) = %s %q %v %v; want %s %q %v", o.Method, p, name, gv, gp, ok, o.Name, v, params)
					}
				}
			}
		}
	}
}

func TestExpandEscapes(t *testing.T) {
	o, _ := Lookup("crm.objects.get")
	p, err := o.Expand(Numbered, map[string]string{"objectType": "contacts", "objectId": "a/b?c#d%e"})
	if err != nil || p != "/crm/v3/objects/contacts/a%2Fb%3Fc%23d%25e" {
		t.Fatalf("Expand = %q, %v", p, err)
	}
	p, err = o.Expand(Version202603, map[string]string{"objectType": "contacts", "objectId": "42"})
	if err != nil || p != "/crm/objects/2026-03/contacts/42" {
		t.Fatalf("Expand dated = %q, %v", p, err)
	}
}

func TestExpandRefuses(t *testing.T) {
	get, _ := Lookup("crm.objects.get")
	hook, _ := Lookup("webhooks.subscriptions.get")
	tok, _ := Lookup("oauth.v1.token")
	tests := []struct {
		name   string
		op     *Op
		v      Version
		params map[string]string
		want   string
	}{
		{"empty id", get, Numbered, map[string]string{"objectType": "contacts", "objectId": ""}, "objectId is empty"},
		{"dot id", get, Numbered, map[string]string{"objectType": "contacts", "objectId": "."}, `objectId is "."`},
		{"dot dot id", get, Numbered, map[string]string{"objectType": "contacts", "objectId": ".."}, `objectId is ".."`},
		{"dot dot type", get, Numbered, map[string]string{"objectType": "..", "objectId": "1"}, `objectType is ".."`},
		{"slash in type", get, Numbered, map[string]string{"objectType": "contacts/1", "objectId": "1"}, "objectType is not an object type name"},
		{"missing", get, Numbered, map[string]string{"objectType": "contacts"}, "no value for path parameter objectId"},
		{"extra", get, Numbered, map[string]string{"objectType": "contacts", "objectId": "1", "objectID": "1"}, "has no path parameter objectID"},
		{"non-decimal app", hook, Numbered, map[string]string{"appId": "12a", "subscriptionId": "1"}, "appId is not a decimal ID"},
		{"long app", hook, Numbered, map[string]string{"appId": "12345678901234567890", "subscriptionId": "1"}, "appId is not a decimal ID"},
		{"version not offered", get, "2024-01", map[string]string{"objectType": "contacts", "objectId": "1"}, "not offered in version 2024-01"},
		{"no dated version", tok, Version202603, nil, "has no date-based version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.op.Expand(tc.v, tc.params)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Expand = %q, %v; want an error saying %q", p, err, tc.want)
			}
		})
	}
	// The error names the parameter, not a refused value.
	_, err := hook.Expand(Numbered, map[string]string{"appId": "secret-ish", "subscriptionId": "1"})
	if err == nil || strings.Contains(err.Error(), "secret-ish") {
		t.Fatalf("error %v quotes the value", err)
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		method, path string
		name         string
		v            Version
		params       map[string]string
	}{
		{"GET", "/crm/v3/objects/contacts/123", "crm.objects.get", Numbered, map[string]string{"objectType": "contacts", "objectId": "123"}},
		{"get", "/crm/v3/objects/0-1/123", "crm.objects.get", Numbered, map[string]string{"objectType": "0-1", "objectId": "123"}},
		{"POST", "/crm/v3/objects/contacts/search", "crm.objects.search", Numbered, map[string]string{"objectType": "contacts"}},
		{"POST", "/crm/v3/objects/contacts/%73earch", "crm.objects.search", Numbered, map[string]string{"objectType": "contacts"}},
		{"GET", "/crm/v3/objects/contacts/search", "crm.objects.get", Numbered, map[string]string{"objectType": "contacts", "objectId": "search"}},
		{"GET", "/crm/v3/properties/deals/groups", "crm.properties.groups.list", Numbered, map[string]string{"objectType": "deals"}},
		{"GET", "/crm/v3/properties/deals/amount", "crm.properties.get", Numbered, map[string]string{"objectType": "deals", "propertyName": "amount"}},
		{"POST", "/crm/objects/2026-09/deals/batch/read", "crm.objects.batch.read", Version202609, map[string]string{"objectType": "deals"}},
		{"PUT", "/crm/objects/2025-09/deals/1/associations/default/contacts/2", "crm.associations.v4.create-default", Version202509,
			map[string]string{"fromObjectType": "deals", "fromObjectId": "1", "toObjectType": "contacts", "toObjectId": "2"}},
		{"POST", "/crm/associations/2026-03/contacts/companies/batch/create", "crm.associations.v4.batch.create", Version202603,
			map[string]string{"fromObjectType": "contacts", "toObjectType": "companies"}},
		{"GET", "/crm/v3/objects/contacts/1/associations/companies", "crm.associations.v3.list", Numbered,
			map[string]string{"fromObjectType": "contacts", "fromObjectId": "1", "toObjectType": "companies"}},
		{"DELETE", "/webhooks/v3/7/subscriptions/9", "webhooks.subscriptions.delete", Numbered, map[string]string{"appId": "7", "subscriptionId": "9"}},
		{"GET", "/app-webhooks/2026-09/7/settings", "webhooks.settings.get", Version202609, map[string]string{"appId": "7"}},
		{"POST", "/oauth/v3/token", "oauth.token", Numbered, map[string]string{}},
		{"POST", "/oauth/2026-03/token", "oauth.token", Version202603, map[string]string{}},
		{"GET", "/oauth/v1/access-tokens/abc%2Fdef", "oauth.v1.access-tokens.get", Numbered, map[string]string{"token": "abc/def"}},
		{"GET", "/crm/v3/owners", "crm.owners.list", Numbered, map[string]string{}},
		{"GET", "/crm/owners/2026-03/5", "crm.owners.get", Version202603, map[string]string{"ownerId": "5"}},
	}
	for _, tc := range tests {
		o, v, params, ok := Match(tc.method, tc.path)
		if !ok || o.Name != tc.name || v != tc.v || !maps.Equal(params, tc.params) {
			name := "<none>"
			if o != nil {
				name = o.Name
			}
			t.Errorf("Match(%s %s) = %s %q %v %v; want %s %q %v", tc.method, tc.path, name, v, params, ok, tc.name, tc.v, tc.params)
		}
	}
}

func TestMatchRejects(t *testing.T) {
	for _, c := range []struct{ method, path string }{
		{"GET", "/crm/v3/objects/contacts/123/"},   // trailing slash
		{"GET", "/crm/v3/objects/contacts//123"},   // empty segment
		{"GET", "/crm/v3/objects/contacts/"},       // empty id
		{"GET", "/crm/v3/objects/contacts/%2e%2e"}, // ".." escaped
		{"GET", "/crm/v3/objects/contacts/."},
		{"GET", "/crm/v3/objects/contacts/%zz"},    // bad escape
		{"GET", "/crm/v3/objects/con%2Ftacts/1"},   // "/" in an object type
		{"GET", "crm/v3/objects/contacts/1"},       // relative
		{"PUT", "/crm/v3/objects/contacts/1"},      // no such method
		{"GET", "/crm/objects/2027-03/contacts/1"}, // unknown version
		{"GET", "/crm/objects/v3/contacts/1"},      // numbered in a dated slot
		{"GET", "/crm/v4/objects/deals/1/associations/companies/2026-09"},
		{"GET", "/crm/objects/2026-09/deals/1/associations/companies"}, // not offered in 2026-09
		{"GET", "/webhooks/v3/app/settings"},                           // app ID not decimal
		{"POST", "/crm/v3/objects/contacts/search/"},
		{"GET", "/CRM/v3/objects/contacts/1"}, // literals are case-sensitive
		{"GET", ""},
	} {
		if o, v, p, ok := Match(c.method, c.path); ok {
			t.Errorf("Match(%s %s) = %s %q %v; want no match", c.method, c.path, o.Name, v, p)
		}
	}
}

func TestAllowedScopes(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   Requirement
	}{
		{"crm.objects.get", map[string]string{"objectType": "contacts", "objectId": "1"}, Requirement{{contactsRead}}},
		{"crm.objects.search", map[string]string{"objectType": "0-7"}, Requirement{{productsRead, eCommerce}}},
		{"crm.objects.batch.upsert", map[string]string{"objectType": "2-99"}, Requirement{{customWrite}}},
		{"crm.objects.create", map[string]string{"objectType": "p_cars"}, Requirement{{customWrite}}},
		{"crm.properties.update", map[string]string{"objectType": "tickets", "propertyName": "x"}, Requirement{{tickets}}},
		{"crm.pipelines.create", map[string]string{"objectType": "deals"}, Requirement{{schemasDealsWrite}}},
		{"crm.pipelines.list", map[string]string{"objectType": "deals"}, Requirement{{dealsRead}}},
		{"crm.associations.v4.create", map[string]string{"fromObjectType": "deals", "fromObjectId": "1", "toObjectType": "line_items", "toObjectId": "2"},
			Requirement{{dealsWrite}, {lineItemsWrite, eCommerce}}},
		{"crm.associations.v4.batch.read", map[string]string{"fromObjectType": "contact", "toObjectType": "0-1"}, Requirement{{contactsRead}}},
		{"crm.owners.get", map[string]string{"ownerId": "1"}, Requirement{{ownersRead}}},
		{"account.details", nil, Requirement{}},
		{"oauth.token", nil, Requirement{}},
	}
	for _, tc := range tests {
		o, _ := Lookup(tc.name)
		got, err := o.AllowedScopes(tc.params)
		if err != nil || !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("%s.AllowedScopes(%v) = %q, %v; want %q", tc.name, tc.params, got, err, tc.want)
		}
	}
	o, _ := Lookup("crm.objects.get")
	if _, err := o.AllowedScopes(map[string]string{"objectType": "leads", "objectId": "1"}); !errors.Is(err, ErrUnknownObjectType) {
		t.Errorf("leads: err = %v, want ErrUnknownObjectType", err)
	}
	if got, err := o.AllowedScopes(map[string]string{"objectType": "notes", "objectId": "1"}); err != nil || !slices.EqualFunc(got, Requirement{{contactsRead}}, slices.Equal) {
		t.Errorf("notes: %q, %v; want the contacts read scope, as HubSpot's notes spec says", got, err)
	}
	if _, err := o.AllowedScopes(map[string]string{"objectType": "Bearer x/y", "objectId": "1"}); !errors.Is(err, ErrUnknownObjectType) || strings.Contains(err.Error(), "x/y") {
		t.Errorf("a value that is no type name: err = %v, want ErrUnknownObjectType without the value", err)
	}
	if _, err := o.AllowedScopes(nil); err == nil || errors.Is(err, ErrUnknownObjectType) {
		t.Errorf("no params: err = %v, want a missing parameter", err)
	}
}

func TestRequirement(t *testing.T) {
	r := Requirement{{dealsWrite}, {lineItemsWrite, eCommerce}}
	if !r.SatisfiedBy([]string{eCommerce, dealsWrite}) {
		t.Error("deals write and e-commerce do not satisfy it")
	}
	if got := r.Missing([]string{dealsWrite, lineItemsRead}); !slices.EqualFunc(got, Requirement{{lineItemsWrite, eCommerce}}, slices.Equal) {
		t.Errorf("Missing = %q", got)
	}
	if r.SatisfiedBy(nil) || !(Requirement{}).SatisfiedBy(nil) {
		t.Error("empty grants or empty requirement misjudged")
	}
}

func TestLookup(t *testing.T) {
	o, ok := Lookup("crm.objects.search")
	if !ok || o.Method != post || o.Rate != Search {
		t.Fatalf("Lookup = %+v, %v", o, ok)
	}
	if o2, _ := Lookup("crm.objects.search"); o2 != o {
		t.Error("Lookup returns a different row each time")
	}
	if _, ok := Lookup("crm.objects.nope"); ok {
		t.Error("unknown name found")
	}
	all := All()
	if len(all) != len(ops) || all[0] != &ops[0] {
		t.Fatalf("All returns %d rows", len(all))
	}
	// A copy of a row still expands (from its own templates).
	c := *o
	if p, err := c.Expand(Version202509, map[string]string{"objectType": "deals"}); err != nil || p != "/crm/objects/2025-09/deals/search" {
		t.Errorf("copy.Expand = %q, %v", p, err)
	}
}

func TestStrings(t *testing.T) {
	for v, want := range map[interface{ String() string }]string{
		Bearer: "bearer", DeveloperKey: "developer-key", NoCred: "none", Cred(0): "Cred(0)",
		Standard: "standard", Search: "search", Unmetered: "unmetered", RateClass(9): "RateClass(9)",
		Numbered: "numbered", Version202603: "2026-03",
	} {
		if got := v.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestLookupObjectType(t *testing.T) {
	tests := []struct {
		in, name, id string
		custom, ok   bool
	}{
		{"contacts", "contacts", "0-1", false, true},
		{"CONTACT", "contacts", "0-1", false, true},
		{"0-3", "deals", "0-3", false, true},
		{"line_item", "line_items", "0-8", false, true},
		{"0-14", "quotes", "0-14", false, true},
		{"2-12345", "2-12345", "2-12345", true, true},
		{"p_cars", "p_cars", "", true, true},
		{"p1234_my_cars2", "p1234_my_cars2", "", true, true},
		{"p1234_", "", "", false, false},
		{"2-", "", "", false, false},
		{"notes", "notes", "0-46", false, true},
		{"email", "emails", "0-49", false, true},
		{"0-116", "postal_mail", "0-116", false, true},
		{"0-27", "tasks", "0-27", false, true},
		{"leads", "", "", false, false},
		{"", "", "", false, false},
	}
	for _, tc := range tests {
		got, ok := LookupObjectType(tc.in)
		if ok != tc.ok || got.Name != tc.name || got.ID != tc.id || got.Custom != tc.custom {
			t.Errorf("LookupObjectType(%q) = %+v, %v", tc.in, got, ok)
		}
	}
	// Callers get copies: changing one does not change the table.
	a, _ := LookupObjectType("contacts")
	a.Read[0] = "changed"
	StandardObjectTypes()[0].Write[0] = "changed"
	if b, _ := LookupObjectType("contacts"); b.Read[0] != contactsRead || b.Write[0] != contactsWrite {
		t.Fatal("LookupObjectType or StandardObjectTypes shares the table's slices")
	}
}

func TestKnownScopes(t *testing.T) {
	k := KnownScopes()
	if !slices.IsSorted(k) || len(slices.Compact(slices.Clone(k))) != len(k) {
		t.Fatal("KnownScopes is not sorted and unique")
	}
	for _, s := range []string{contactsRead, contactsWrite, tickets, eCommerce, productsRead, quotesRead, customWrite, schemasCustomRead, ownersRead, OAuthScope, "crm.objects.custom.highly_sensitive.read.v2"} {
		if !IsKnownScope(s) {
			t.Errorf("%s not known", s)
		}
	}
	if IsKnownScope("contacts") || IsKnownScope("") || IsKnownScope("{objectType}:read") {
		t.Error("legacy, empty or template scope reported as known")
	}
}

func BenchmarkMatch(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, ok := Match("PUT", "/crm/objects/2026-03/deals/123/associations/default/contacts/456"); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	o, _ := Lookup("crm.objects.get")
	params := map[string]string{"objectType": "contacts", "objectId": "123"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.Expand(Numbered, params); err != nil {
			b.Fatal(err)
		}
	}
}

func TestListFilterOperators(t *testing.T) {
	ops, ok := ListFilterOperators("STRING")
	if !ok || !slices.Contains(ops, "CONTAINS") || slices.Contains(ops, "IS_ANY_OF") {
		t.Errorf("STRING operators %v, %v", ops, ok)
	}
	if _, ok := ListFilterOperators("string"); ok {
		t.Error("operation types are upper case, as HubSpot spells them")
	}
	types := ListOperationTypes()
	if len(types) != len(listOperators) || !slices.IsSorted(types) {
		t.Errorf("ListOperationTypes = %v", types)
	}
	for _, typ := range types {
		ops, _ := ListFilterOperators(typ)
		if len(ops) == 0 || len(slices.Compact(slices.Sorted(slices.Values(ops)))) != len(ops) {
			t.Errorf("%s: operators %v empty or repeated", typ, ops)
		}
	}
}
