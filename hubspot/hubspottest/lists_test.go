package hubspottest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func listFilter(op, value string) map[string]any {
	return map[string]any{"filterBranchType": "OR", "filterBranchOperator": "OR", "filters": []any{}, "filterBranches": []any{
		map[string]any{"filterBranchType": "AND", "filterBranchOperator": "AND", "filterBranches": []any{}, "filters": []any{
			map[string]any{"filterType": "PROPERTY", "property": "email", "operation": map[string]any{
				"operationType": "STRING", "operator": op, "value": value, "includeObjectsWithNoValueSet": false}}}}}}
}

func TestListsProcessingAndErrors(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk), hubspottest.WithListProcessingTime(time.Minute))
	tok := srv.NewToken("crm.lists.read", "crm.lists.write", "crm.objects.contacts.write")
	for _, e := range []string{"a@acme.example", "b@other.example"} {
		if r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": e}}); r.status != http.StatusCreated {
			t.Fatalf("create contact: %d %s", r.status, r.body)
		}
	}

	r := call(t, srv, tok, "POST", "/crm/lists/2026-03", map[string]any{"name": "Acme", "objectTypeId": "0-1", "processingType": "DYNAMIC", "filterBranch": listFilter("ENDS_WITH", "@acme.example")})
	l, _ := r.json(t)["list"].(map[string]any)
	if r.status != http.StatusOK || l["processingStatus"] != "PROCESSING" || l["listVersion"] != float64(1) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := str(l["listId"])
	if r := call(t, srv, tok, "GET", "/crm/v3/lists/"+id+"/memberships", nil); !strings.Contains(string(r.body), `"results":[]`) {
		t.Errorf("members while processing: %s", r.body)
	}
	clk.Advance(time.Minute)
	r = call(t, srv, tok, "GET", "/crm/v3/lists/"+id, nil)
	if l := r.json(t)["list"].(map[string]any); l["processingStatus"] != "COMPLETE" || l["size"] != float64(1) || l["filterBranch"] != nil {
		t.Errorf("after a minute: %s", r.body)
	}
	if r := call(t, srv, tok, "GET", "/crm/v3/lists/"+id+"?includeFilters=true", nil); !strings.Contains(string(r.body), `"operator":"ENDS_WITH"`) {
		t.Errorf("includeFilters: %s", r.body)
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		category, message  string
	}{
		{"unknown operator", "POST", "/crm/v3/lists", map[string]any{"name": "X", "objectTypeId": "0-1", "processingType": "DYNAMIC", "filterBranch": listFilter("EQUALS", "x")},
			400, "VALIDATION_ERROR", `operator "EQUALS" is not valid for operationType STRING`},
		{"missing name", "POST", "/crm/v3/lists", map[string]any{"objectTypeId": "0-1", "processingType": "MANUAL"}, 400, "VALIDATION_ERROR", "name is required"},
		{"manual with filters", "POST", "/crm/v3/lists", map[string]any{"name": "X", "objectTypeId": "0-1", "processingType": "MANUAL", "filterBranch": listFilter("CONTAINS", "x")},
			400, "VALIDATION_ERROR", "A MANUAL list cannot have a filterBranch"},
		{"duplicate name", "POST", "/crm/v3/lists", map[string]any{"name": "acme", "objectTypeId": "0-1", "processingType": "MANUAL"}, 400, "VALIDATION_ERROR", "already exists"},
		{"object type name", "POST", "/crm/v3/lists", map[string]any{"name": "X", "objectTypeId": "contacts", "processingType": "MANUAL"}, 400, "VALIDATION_ERROR", "not an object type ID"},
		{"add to a dynamic list", "PUT", "/crm/v3/lists/" + id + "/memberships/add", []string{"1"}, 400, "VALIDATION_ERROR", "DYNAMIC"},
		{"missing list", "GET", "/crm/v3/lists/999", nil, 404, "OBJECT_NOT_FOUND", "List 999 does not exist"},
		{"limit too big", "GET", "/crm/v3/lists/" + id + "/memberships?limit=251", nil, 400, "VALIDATION_ERROR", "expected 1 to 250"},
		{"search count too big", "POST", "/crm/v3/lists/search", map[string]any{"count": 501, "offset": 0, "listIds": []string{}, "processingTypes": []string{}, "additionalProperties": []string{}}, 400, "VALIDATION_ERROR", "count must be between 1 and 500"},
		{"restore a live list", "PUT", "/crm/v3/lists/" + id + "/restore", nil, 400, "VALIDATION_ERROR", "is not deleted"},
	} {
		r := call(t, srv, tok, tc.method, tc.path, tc.body)
		b := r.json(t)
		if r.status != tc.status || b["category"] != tc.category || !strings.Contains(str(b["message"]), tc.message) {
			t.Errorf("%s: %d %s; want %d %s %q", tc.name, r.status, r.body, tc.status, tc.category, tc.message)
		}
	}

	// Scopes: crm.lists.read alone reads but does not delete.
	ro := srv.NewToken("crm.lists.read")
	if r := call(t, srv, ro, "GET", "/crm/v3/lists/"+id, nil); r.status != http.StatusOK {
		t.Errorf("read with crm.lists.read: %d", r.status)
	}
	r = call(t, srv, ro, "DELETE", "/crm/v3/lists/"+id, nil)
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "crm.lists.write") || !strings.Contains(string(r.body), "cms.membership.access_groups.write") {
		t.Errorf("delete with crm.lists.read: %d %s", r.status, r.body)
	}
	if r := call(t, srv, tok, "DELETE", "/crm/v3/lists/"+id, nil); r.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if got := srv.Lists(); len(got) != 1 || !got[0].Deleted || fmt.Sprint(len(got[0].Members)) != "1" {
		t.Errorf("Lists() = %+v", got)
	}
}
