package hubspottest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// linkedTypes returns the v4 association type IDs from a record to its
// links of toType, by linked record ID.
func linkedTypes(t *testing.T, srv *hubspottest.Server, tok, from, id, toType string) map[string][]float64 {
	t.Helper()
	r := call(t, srv, tok, "GET", "/crm/v4/objects/"+from+"/"+id+"/associations/"+toType, nil)
	wantStatus(t, r, http.StatusOK)
	out := map[string][]float64{}
	for _, x := range r.json(t)["results"].([]any) {
		m := x.(map[string]any)
		for _, ty := range m["associationTypes"].([]any) {
			out[fmt.Sprint(int64(m["toObjectId"].(float64)))] = append(out[fmt.Sprint(int64(m["toObjectId"].(float64)))], ty.(map[string]any)["typeId"].(float64))
		}
	}
	return out
}

// Batch default links (v4 batch/associate/default) and batch label
// removal (v4 batch/labels/archive), which keeps the default link.
func TestAssociationsV4BatchDefaultAndLabels(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	c := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0]
	co := srv.Seed("companies", map[string]string{"name": "Acme"}, map[string]string{"name": "Globex"})
	base := "/crm/v4/associations/contacts/companies/batch"

	r := call(t, srv, tok, "POST", base+"/associate/default", map[string]any{"inputs": []any{
		map[string]any{"from": map[string]any{"id": c.ID}, "to": map[string]any{"id": co[0].ID}},
		map[string]any{"from": map[string]any{"id": c.ID}, "to": map[string]any{"id": "999"}},
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	res := b["results"].([]any)
	if len(res) != 2 || b["numErrors"] != 1.0 {
		t.Fatalf("associate default %s", r.body)
	}
	spec := res[0].(map[string]any)["associationSpec"].(map[string]any)
	if spec["associationCategory"] != "HUBSPOT_DEFINED" || spec["associationTypeId"] != 279.0 || res[1].(map[string]any)["associationSpec"].(map[string]any)["associationTypeId"] != 280.0 {
		t.Fatalf("associate default specs %s", r.body)
	}
	if got := linkedTypes(t, srv, tok, "contacts", c.ID, "companies"); fmt.Sprint(got[co[0].ID]) != "[279]" {
		t.Fatalf("links %v", got)
	}

	// A primary link, then its label removed: the default link stays.
	wantStatus(t, call(t, srv, tok, "PUT", "/crm/v4/objects/contacts/"+c.ID+"/associations/companies/"+co[1].ID,
		[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}), http.StatusCreated)
	wantStatus(t, call(t, srv, tok, "POST", base+"/labels/archive", map[string]any{"inputs": []any{
		map[string]any{"from": map[string]any{"id": c.ID}, "to": map[string]any{"id": co[1].ID}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}}},
	}}), http.StatusNoContent)
	if got := linkedTypes(t, srv, tok, "contacts", c.ID, "companies"); fmt.Sprint(got[co[1].ID]) != "[279]" {
		t.Fatalf("after removing the label: %v", got)
	}
	// A type the pair does not define is refused.
	wantStatus(t, call(t, srv, tok, "POST", base+"/labels/archive", map[string]any{"inputs": []any{
		map[string]any{"from": map[string]any{"id": c.ID}, "to": map[string]any{"id": co[1].ID}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}}},
	}}), http.StatusBadRequest)
}

// The v3 batch API names association types ("contact_to_company").
func TestAssociationsV3Batch(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	c := srv.Seed("contacts", map[string]string{"email": "a@example.com"}, map[string]string{"email": "b@example.com"})
	co := srv.Seed("companies", map[string]string{"name": "Acme"})[0]
	base := "/crm/v3/associations/contacts/companies/batch"
	pair := func(from, to, typ string) map[string]any {
		return map[string]any{"from": map[string]any{"id": from}, "to": map[string]any{"id": to}, "type": typ}
	}

	r := call(t, srv, tok, "POST", base+"/create", map[string]any{"inputs": []any{
		pair(c[0].ID, co.ID, "contact_to_company"),
		pair(c[1].ID, co.ID, "contact_to_company_unlabeled"),
		pair(c[1].ID, co.ID, "deal_to_contact"),
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	if res := b["results"].([]any); len(res) != 2 || res[0].(map[string]any)["type"] != "contact_to_company" || b["numErrors"] != 1.0 {
		t.Fatalf("v3 create %s", r.body)
	}
	// The v3 primary type is v4's type 1, with the default type beside it.
	if got := linkedTypes(t, srv, tok, "contacts", c[0].ID, "companies"); fmt.Sprint(got[co.ID]) != "[279 1]" && fmt.Sprint(got[co.ID]) != "[1 279]" {
		t.Fatalf("v4 view of a v3 link: %v", got)
	}

	r = call(t, srv, tok, "POST", base+"/read", map[string]any{"inputs": []any{map[string]any{"id": c[0].ID}, map[string]any{"id": "999"}}})
	wantStatus(t, r, http.StatusMultiStatus)
	b = r.json(t)
	res := b["results"].([]any)
	if len(res) != 1 || len(res[0].(map[string]any)["to"].([]any)) != 2 {
		t.Fatalf("v3 read %s", r.body)
	}

	wantStatus(t, call(t, srv, tok, "POST", base+"/archive", map[string]any{"inputs": []any{pair(c[0].ID, co.ID, "contact_to_company")}}), http.StatusNoContent)
	if got := linkedTypes(t, srv, tok, "contacts", c[0].ID, "companies"); fmt.Sprint(got[co.ID]) != "[279]" {
		t.Fatalf("after archiving the primary type: %v", got)
	}
	wantStatus(t, call(t, srv, tok, "POST", base+"/archive", map[string]any{"inputs": []any{pair(c[0].ID, co.ID, "contact_to_company_unlabeled")}}), http.StatusNoContent)
	if got := linkedTypes(t, srv, tok, "contacts", c[0].ID, "companies"); len(got) != 0 {
		t.Fatalf("after archiving every type: %v", got)
	}
	wantStatus(t, call(t, srv, tok, "POST", base+"/archive", map[string]any{"inputs": []any{pair(c[0].ID, co.ID, "no_such_type")}}), http.StatusBadRequest)
}
