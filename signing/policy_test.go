package signing

import (
	"net/http"
	"net/url"
	"testing"
)

// testRules are rules of the shapes a user writes: any method, one
// segment, any number of segments.
var testRules = []string{
	"DELETE /**",
	"POST /crm/**/batch/archive",
	"POST /crm/**/merge",
	"* /crm/**/exports/**",
	"PUT /settings/**/users/**",
	"POST /email/public/*/singleEmail/send",
}

func TestPolicyMatches(t *testing.T) {
	p := MustPolicy(testRules...)
	tests := []struct {
		method, path string
		want         bool
	}{
		{"DELETE", "/crm/v3/objects/contacts/1", true},
		{"DELETE", "/", true},
		{"POST", "/crm/v3/objects/contacts/batch/archive", true},
		{"POST", "/crm/v4/associations/contacts/companies/batch/archive", true},
		{"POST", "/crm/v3/objects/companies/merge", true},
		{"POST", "/crm/objects/2026-03/contacts/merge", true},
		// "*" as the method, "**" at the end, matching nothing too.
		{"POST", "/crm/v3/exports/export/async", true},
		{"GET", "/crm/v3/exports/export/async/tasks/77/status", true},
		{"GET", "/crm/v3/exports", true},
		{"PUT", "/settings/v3/users/5", true},
		{"GET", "/settings/v3/users/5", false},
		// "*" is exactly one segment.
		{"POST", "/email/public/v1/singleEmail/send", true},
		{"POST", "/email/public/singleEmail/send", false},
		{"POST", "/email/public/v1/x/singleEmail/send", false},
		// What no rule names.
		{"GET", "/crm/v3/objects/contacts/1", false},
		{"POST", "/crm/v3/objects/contacts", false},
		{"PATCH", "/crm/v3/objects/contacts/1", false},
		{"POST", "/crm/v3/objects/contacts/search", false},
		{"POST", "/crm/v3/objects/contacts/batch/read", false},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", false},
		{"GET", "/marketing/v3/emails/123", false},
		// A rule cannot be dodged by case, dot segments, doubled or trailing
		// slashes, or an escaped slash.
		{"POST", "/CRM/V3/Objects/Contacts/MERGE", true},
		{"post", "/crm/v3/objects/contacts/merge", true},
		{"POST", "/crm/v3/objects/deals/../contacts/merge", true},
		{"POST", "//crm/v3/objects/contacts/merge", true},
		{"POST", "/crm/v3/objects/contacts/merge/", true},
		{"POST", "/crm/v3/objects/contacts%2Fmerge", true},
		{"POST", "/crm/v3/objects/contacts/%6Derge", true},
	}
	for _, tt := range tests {
		r := &http.Request{Method: tt.method, URL: &url.URL{Path: mustUnescape(t, tt.path), RawPath: tt.path}}
		if got := p.Sensitive(r); got != tt.want {
			t.Errorf("%s %s: Sensitive = %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
}

func mustUnescape(t *testing.T, p string) string {
	u, err := url.PathUnescape(p)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPolicyEditing(t *testing.T) {
	p, err := MustPolicy(testRules...).With(Rule{Method: "POST", Path: "/crm/v3/objects/*"})
	if err != nil {
		t.Fatal(err)
	}
	p = p.Without(Rule{Method: "delete", Path: "/**"})
	req := func(method, path string) *http.Request {
		r, _ := http.NewRequest(method, "https://api.hubapi.com"+path, nil)
		return r
	}
	if !p.Sensitive(req("POST", "/crm/v3/objects/contacts")) {
		t.Error("added rule does not match")
	}
	if p.Sensitive(req("DELETE", "/crm/v3/objects/contacts/1")) {
		t.Error("removed rule still matches")
	}
	if !MustPolicy(testRules...).Sensitive(req("DELETE", "/crm/v3/objects/contacts/1")) {
		t.Error("Without changed the policy it was called on")
	}
	if r, ok := p.Match("POST", "/crm/v3/objects/contacts/merge"); !ok || r.String() != "POST /crm/**/merge" {
		t.Errorf("Match = %v, %v", r, ok)
	}
	if len(p.Rules()) != len(testRules) {
		t.Errorf("%d rules", len(p.Rules()))
	}
	var nilPolicy *Policy
	if nilPolicy.Sensitive(req("DELETE", "/x")) {
		t.Error("a nil Policy matched")
	}
	if !EveryRequest().Sensitive(req("GET", "/")) {
		t.Error("EveryRequest does not match GET /")
	}
}

func TestParseRule(t *testing.T) {
	r, err := ParseRule("  POST /crm/*/objects/**/merge ")
	if err != nil || r.Method != "POST" || r.Path != "/crm/*/objects/**/merge" {
		t.Fatalf("ParseRule = %+v, %v", r, err)
	}
	for _, bad := range []string{"DELETE", "DELETE crm", "DELETE /a/b*c", "DELETE /a//b", "D@L /x", " /x", "GET /x/**a"} {
		if _, err := ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q) succeeded", bad)
		}
	}
	if _, err := NewPolicy(Rule{Method: "", Path: "/x"}); err == nil {
		t.Error("a rule without a method was accepted")
	}
}

func TestMatchSegments(t *testing.T) {
	tests := []struct {
		pat, path string
		want      bool
	}{
		{"/**", "/", true},
		{"/**", "/a/b/c", true},
		{"/a/**", "/a", true},
		{"/a/**/z", "/a/z", true},
		{"/a/**/z", "/a/b/c/z", true},
		{"/a/**/z", "/a/b/c/y", false},
		{"/a/*", "/a", false},
		{"/a/*", "/a/b", true},
		{"/a/*", "/a/b/c", false},
		{"/**/b/**", "/x/y/b", true},
		{"/**/b/**", "/x/y/c", false},
	}
	for _, tt := range tests {
		c, err := compileRule(Rule{Method: "*", Path: tt.pat})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.match("GET", splitPath(tt.path)); got != tt.want {
			t.Errorf("%s ~ %s = %v, want %v", tt.pat, tt.path, got, tt.want)
		}
	}
}

func TestPolicyUnder(t *testing.T) {
	p, err := MustPolicy(testRules...).Under("/hubspot/")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"/hubspot/crm/v3/objects/contacts/merge": true,
		"/crm/v3/objects/contacts/merge":         false,
		"/hubspot/crm/v3/objects/contacts":       false,
	} {
		if _, got := p.Match("POST", path); got != want {
			t.Errorf("POST %s: %v, want %v", path, got, want)
		}
	}
	if q, err := MustPolicy(testRules...).Under(""); err != nil || len(q.Rules()) != len(testRules) {
		t.Errorf("empty prefix: %v", err)
	}
	if _, err := MustPolicy(testRules...).Under("hubspot"); err == nil {
		t.Error("a relative prefix was accepted")
	}
}
