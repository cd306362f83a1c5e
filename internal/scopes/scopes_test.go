package scopes

import (
	"slices"
	"strings"
	"testing"
)

func TestRequired(t *testing.T) {
	tests := []struct {
		method, path string
		want         []string
		known        bool
	}{
		{"GET", "/crm/v3/objects/contacts", []string{ContactsRead}, true},
		{"get", "/crm/v3/objects/contacts/", []string{ContactsRead}, true},
		{"GET", "/crm/v3/objects/contacts?limit=10&after=5", []string{ContactsRead}, true},
		{"POST", "/crm/v3/objects/contacts", []string{ContactsWrite}, true},
		{"GET", "/crm/v3/objects/contacts/123", []string{ContactsRead}, true},
		{"PATCH", "/crm/v3/objects/0-1/123", []string{ContactsWrite}, true},
		{"DELETE", "/crm/v3/objects/contact/123", []string{ContactsWrite}, true},
		{"POST", "/crm/v3/objects/contacts/search", []string{ContactsRead}, true},
		{"POST", "/crm/v3/objects/companies/batch/read", []string{CompaniesRead}, true},
		{"POST", "/crm/v3/objects/companies/batch/upsert", []string{CompaniesWrite}, true},
		{"POST", "/crm/v3/objects/deals/batch/archive", []string{DealsWrite}, true},
		{"POST", "/crm/v3/objects/deals/merge", []string{DealsWrite}, true},
		{"POST", "/crm/v3/objects/contacts/gdpr-delete", []string{ContactsWrite}, true},
		{"GET", "/crm/v3/objects/tickets/1", []string{Tickets}, true},
		{"POST", "/crm/v3/objects/tickets", []string{Tickets}, true},
		{"GET", "/crm/v3/objects/products", []string{ECommerce}, true},
		{"POST", "/crm/v3/objects/line_items/batch/create", []string{ECommerce}, true},
		{"GET", "/crm/v3/objects/0-8/5", []string{ECommerce}, true},
		{"POST", "/crm/v3/objects/quotes/search", []string{QuotesRead}, true},
		{"GET", "/crm/v3/objects/2-12345/9", []string{CustomRead}, true},
		{"POST", "/crm/v3/objects/p_cars", []string{CustomWrite}, true},
		{"POST", "/crm/v3/objects/p123456_cars/batch/update", []string{CustomWrite}, true},
		{"GET", "/crm/v4/objects/contacts/1/associations/companies", []string{ContactsRead, CompaniesRead}, true},
		{"PUT", "/crm/v4/objects/deals/1/associations/default/contacts/2", []string{DealsWrite, ContactsWrite}, true},
		{"PUT", "/crm/v4/objects/deals/1/associations/contacts/2", []string{DealsWrite, ContactsWrite}, true},
		{"POST", "/crm/v4/associations/contacts/contacts/batch/read", []string{ContactsRead}, true},
		{"POST", "/crm/v4/associations/deals/line_items/batch/associate/default", []string{DealsWrite, ECommerce}, true},
		{"PUT", "/crm/v3/objects/contacts/1/associations/companies/2/contact_to_company", []string{ContactsWrite, CompaniesWrite}, true},
		{"GET", "/crm/v3/properties/contacts", []string{SchemasContactsRead}, true},
		{"POST", "/crm/v3/properties/deals", []string{SchemasDealsWrite}, true},
		{"GET", "/crm/v3/properties/companies/groups/info", []string{SchemasCompaniesRead}, true},
		{"PATCH", "/crm/v3/properties/2-1/size", []string{SchemasCustomWrite}, true},
		{"GET", "/crm/v3/schemas", []string{SchemasCustomRead}, true},
		{"POST", "/crm/v3/schemas", []string{SchemasCustomWrite}, true},
		{"GET", "/crm/v3/schemas/2-123", []string{SchemasCustomRead}, true},
		{"GET", "/crm/v3/pipelines/deals", []string{DealsRead}, true},
		{"POST", "/crm/v3/pipelines/tickets/0/stages", []string{Tickets}, true},
		{"POST", "/crm/v3/pipelines/deals", []string{SchemasDealsWrite}, true},
		{"PATCH", "/crm/v3/pipelines/0-3/default/stages/closedwon", []string{SchemasDealsWrite}, true},
		{"GET", "/crm/v3/owners/", []string{OwnersRead}, true},
		{"GET", "/crm/v3/owners/42", []string{OwnersRead}, true},
		{"GET", "/account-info/v3/details", []string{}, true},
		{"GET", "/oauth/v1/access-tokens/abc", []string{}, true},
		{"POST", "/oauth/v1/token", []string{}, true},
		// Unknown calls.
		{"GET", "/crm/v3/objects/foos", nil, false},
		{"PUT", "/crm/v3/objects/contacts/1", nil, false},
		{"GET", "/crm/v3/objects/notes/1", nil, false},
		{"GET", "/", nil, false},
		{"GET", "/crm/v3/objects/2-abc", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			got, known := Lookup(tc.method, tc.path)
			if known != tc.known || !slices.Equal(got, tc.want) {
				t.Fatalf("Lookup = %q, %v; want %q, %v", got, known, tc.want, tc.known)
			}
			if req := Required(tc.method, tc.path); !slices.Equal(req, tc.want) && !(len(req) == 0 && len(tc.want) == 0) {
				t.Fatalf("Required = %q", req)
			}
		})
	}
}

func TestEveryRuleResolves(t *testing.T) {
	for _, r := range Rules() {
		path := strings.NewReplacer("{type}", "deals", "{from}", "contacts", "{to}", "2-7", "*", "1").Replace(r.Pattern)
		got, ok := Lookup(r.Method, path)
		if !ok {
			t.Errorf("%s %s (%s) does not match its own rule", r.Method, r.Pattern, path)
		}
		for _, s := range got {
			if !IsKnown(s) {
				t.Errorf("%s %s needs %q, which Known lacks", r.Method, r.Pattern, s)
			}
		}
	}
}

func TestKnown(t *testing.T) {
	k := Known()
	if !slices.IsSorted(k) {
		t.Fatal("Known is not sorted")
	}
	for _, s := range []string{ContactsRead, ContactsWrite, CompaniesRead, DealsWrite, Tickets, ECommerce, QuotesRead, CustomWrite, SchemasCustomRead, OwnersRead, OAuth} {
		if !IsKnown(s) {
			t.Errorf("%s not known", s)
		}
	}
	if IsKnown("contacts") || IsKnown("") {
		t.Error("legacy or empty scope reported as known")
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
		{"notes", "", "", false, false},
		{"", "", "", false, false},
	}
	for _, tc := range tests {
		got, ok := LookupObjectType(tc.in)
		if ok != tc.ok || got.Name != tc.name || got.ID != tc.id || got.Custom != tc.custom {
			t.Errorf("LookupObjectType(%q) = %+v, %v", tc.in, got, ok)
		}
	}
}

func TestMissing(t *testing.T) {
	got := Missing([]string{ContactsRead, CompaniesRead}, []string{CompaniesRead})
	if !slices.Equal(got, []string{ContactsRead}) {
		t.Fatal(got)
	}
	if Missing(nil, nil) != nil {
		t.Fatal("want nil")
	}
}
