package hubspottest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestBodyLimit(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	big := `{"properties":{"x":"` + strings.Repeat("a", 9<<20) + `"}}`
	r := call(t, srv, tok, "POST", "/crm/v3/objects/deals", big)
	wantStatus(t, r, 413)
	if len(srv.Objects("deals")) != 0 {
		t.Fatal("oversized body stored")
	}
}

func TestJournalSizeAndReset(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithJournalSize(3))
	tok := srv.NewToken(hubspottest.AllScopes...)
	for i := range 5 {
		call(t, srv, tok, "GET", fmt.Sprintf("/crm/v3/objects/deals?limit=%d", i+1), nil)
	}
	j := srv.Journal()
	if len(j) != 3 || j[0].Query != "limit=3" || j[2].Query != "limit=5" {
		t.Fatalf("journal %+v", j)
	}
	srv.ResetJournal()
	if len(srv.Journal()) != 0 {
		t.Fatal("reset")
	}
}

func TestGetArchivedByIDProperty(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	o := srv.Seed("contacts", map[string]string{"email": "gone@x.io"})[0]
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/contacts/"+o.ID, nil), 204)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/gone@x.io?idProperty=email", nil), 404)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts/gone@x.io?idProperty=email&archived=true", nil)
	wantStatus(t, r, 200)
	if r.json(t)["id"] != o.ID {
		t.Fatalf("body %s", r.body)
	}
}

func TestFaultDefaultBodies(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	tests := []struct {
		status int
		cat    string
	}{
		{401, "INVALID_AUTHENTICATION"},
		{404, "OBJECT_NOT_FOUND"},
		{423, "VALIDATION_ERROR"},
		{477, "VALIDATION_ERROR"},
		{500, "INTERNAL_ERROR"},
		{504, "INTERNAL_ERROR"},
	}
	for _, tc := range tests {
		srv.InjectFault(hubspottest.Fault{Status: tc.status})
		r := call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil)
		wantStatus(t, r, tc.status)
		if b := r.json(t); b["category"] != tc.cat || b["status"] != "error" || str(b["message"]) == "" || !uuidRE.MatchString(str(b["correlationId"])) {
			t.Errorf("%d: body %s", tc.status, r.body)
		}
	}
}

func TestSearchTokenWildcards(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.Seed("companies",
		map[string]string{"name": "one", "website": "https://www.acme.test/path"},
		map[string]string{"name": "two", "website": "acme"},
	)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*acme*", []string{"one", "two"}},
		{"https://*.test/*", []string{"one"}},
		{"*://www.*.test/path", []string{"one"}},
		{"a*e", []string{"two"}},
		{"*acme*path*x", nil},
		{"acme", []string{"two"}},
	}
	for _, tc := range tests {
		names, _, _ := searchNames(t, srv, tok, "companies", map[string]any{
			"filterGroups": []any{map[string]any{"filters": []any{f("website", "CONTAINS_TOKEN", tc.pattern)}}},
			"properties":   []string{"name"},
		})
		if !slices.Equal(names, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.pattern, names, tc.want)
		}
	}
}
