package hubspottest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func findByName(t *testing.T, list []map[string]any, name string) map[string]any {
	t.Helper()
	for _, m := range list {
		if m["name"] == name {
			return m
		}
	}
	return nil
}

func TestPropertiesSeededDefaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	r := call(t, srv, tok, "GET", "/crm/v3/properties/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	list := results(t, r.json(t))
	email := findByName(t, list, "email")
	if email == nil || email["type"] != "string" || email["fieldType"] != "text" || email["groupName"] != "contactinformation" ||
		email["hubspotDefined"] != true || email["archived"] != false || str(email["createdAt"]) == "" {
		t.Fatalf("email %v", email)
	}
	meta, _ := email["modificationMetadata"].(map[string]any)
	if meta["archivable"] != false || meta["readOnlyValue"] != false {
		t.Fatalf("email's modificationMetadata %v", meta)
	}
	if id := findByName(t, list, "hs_object_id"); id["modificationMetadata"].(map[string]any)["readOnlyValue"] != true {
		t.Fatalf("hs_object_id %v", id)
	}
	life := findByName(t, list, "lifecyclestage")
	opts, _ := life["options"].([]any)
	if len(opts) == 0 || opts[0].(map[string]any)["value"] != "subscriber" || opts[0].(map[string]any)["label"] != "Subscriber" {
		t.Fatalf("lifecyclestage options %v", life["options"])
	}
	if !strings.Contains(string(r.body), `"options":[]`) {
		t.Fatal("a property without options does not answer an empty options array")
	}

	r = call(t, srv, tok, "GET", "/crm/v3/properties/0-1/groups", nil)
	wantStatus(t, r, http.StatusOK)
	if g := findByName(t, results(t, r.json(t)), "contactinformation"); g == nil || g["label"] != "Contact information" || g["archived"] != false {
		t.Fatalf("groups %s", r.body)
	}

	// Every standard type has its own defaults.
	for _, tc := range []struct{ objectType, prop string }{
		{"companies", "domain"}, {"deals", "dealstage"}, {"tickets", "hs_ticket_priority"},
		{"products", "price"}, {"line_items", "quantity"}, {"quotes", "hs_title"}, {"p_cars", "hs_object_id"},
	} {
		r := call(t, srv, tok, "GET", "/crm/v3/properties/"+tc.objectType+"/"+tc.prop, nil)
		wantStatus(t, r, http.StatusOK)
		if b := r.json(t); b["name"] != tc.prop {
			t.Fatalf("%s %s: %s", tc.objectType, tc.prop, r.body)
		}
	}
}

func TestPropertiesCRUDOverHTTP(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	const base = "/crm/v3/properties/companies"

	r := call(t, srv, tok, "POST", base+"/groups", map[string]any{"name": "erp", "label": "ERP"})
	wantStatus(t, r, http.StatusCreated)
	if b := r.json(t); b["name"] != "erp" || b["displayOrder"] != float64(-1) {
		t.Fatalf("group %s", r.body)
	}
	r = call(t, srv, tok, "POST", base, map[string]any{
		"name": "erp_tier", "label": "ERP tier", "type": "enumeration", "fieldType": "select", "groupName": "erp",
		"options": []any{map[string]any{"label": "Gold", "value": "gold"}, map[string]any{"label": "Silver", "value": "silver", "displayOrder": 1}},
	})
	wantStatus(t, r, http.StatusCreated)
	b := r.json(t)
	if b["name"] != "erp_tier" || b["hubspotDefined"] != nil || b["modificationMetadata"].(map[string]any)["archivable"] != true || len(b["options"].([]any)) != 2 {
		t.Fatalf("created %s", r.body)
	}

	r = call(t, srv, tok, "POST", base, map[string]any{"name": "erp_tier", "label": "x", "type": "string", "fieldType": "text", "groupName": "erp"})
	wantStatus(t, r, http.StatusConflict)
	if b := r.json(t); b["category"] != "OBJECT_ALREADY_EXISTS" || b["message"] != "Property named 'erp_tier' already exists." {
		t.Fatalf("duplicate %s", r.body)
	}

	r = call(t, srv, tok, "POST", base, map[string]any{"label": "x", "type": "bool"})
	wantStatus(t, r, http.StatusBadRequest)
	b = r.json(t)
	var missing []string
	for _, e := range b["errors"].([]any) {
		missing = append(missing, str(e.(map[string]any)["in"]))
	}
	if b["category"] != "VALIDATION_ERROR" || strings.Join(missing, ",") != "name,fieldType,groupName" {
		t.Fatalf("missing fields %s", r.body)
	}

	r = call(t, srv, tok, "PATCH", base+"/erp_tier", map[string]any{"label": "Tier", "hidden": true})
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["label"] != "Tier" || b["hidden"] != true || b["groupName"] != "erp" {
		t.Fatalf("patched %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/erp_tier", map[string]any{"name": "other"}), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/erp_tier", map[string]any{"hasUniqueValue": true}), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/erp_tier", map[string]any{"fieldType": "text"}), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/nope", map[string]any{"label": "x"}), http.StatusNotFound)
	wantStatus(t, call(t, srv, tok, "PATCH", base+"/domain", map[string]any{"type": "number", "fieldType": "number"}), http.StatusBadRequest)

	wantStatus(t, call(t, srv, tok, "DELETE", base+"/groups/erp", nil), http.StatusBadRequest) // still holds erp_tier
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/erp_tier", nil), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/erp_tier", nil), http.StatusNotFound)
	r = call(t, srv, tok, "GET", base+"/erp_tier", nil)
	wantStatus(t, r, http.StatusNotFound)
	if b := r.json(t); b["category"] != "OBJECT_NOT_FOUND" || !strings.Contains(str(b["message"]), "erp_tier") {
		t.Fatalf("not found %s", r.body)
	}
	r = call(t, srv, tok, "GET", base+"/erp_tier?archived=true", nil)
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["archived"] != true || str(b["archivedAt"]) == "" {
		t.Fatalf("archived %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "GET", base+"?archived=maybe", nil), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "DELETE", base+"/groups/erp", nil), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "GET", base+"/groups/erp", nil), http.StatusNotFound)
	wantStatus(t, call(t, srv, tok, "PUT", base+"/groups/erp", nil), http.StatusMethodNotAllowed)
	wantStatus(t, call(t, srv, tok, "DELETE", base, nil), http.StatusMethodNotAllowed)
}

// The batch calls create, read and archive several properties; an input
// that fails is reported alone (207).
func TestPropertiesBatchOverHTTP(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	base := "/crm/v3/properties/deals"
	def := func(name string) map[string]any {
		return map[string]any{"name": name, "label": name, "type": "string", "fieldType": "text", "groupName": "dealinformation"}
	}
	r := call(t, srv, tok, "POST", base+"/batch/create", map[string]any{"inputs": []any{def("erp_id"), def("erp_region"), def("dealname"), def("Bad Name")}})
	wantStatus(t, r, http.StatusMultiStatus)
	b := r.json(t)
	if res := b["results"].([]any); len(res) != 2 || b["numErrors"] != 2.0 {
		t.Fatalf("batch create %s", r.body)
	}
	errs := b["errors"].([]any)
	if e := errs[0].(map[string]any); e["category"] != "OBJECT_ALREADY_EXISTS" || e["links"] == nil || e["errors"] == nil {
		t.Fatalf("batch create error %v", e)
	}
	r = call(t, srv, tok, "POST", base+"/batch/create", map[string]any{"inputs": []any{def("erp_owner")}})
	wantStatus(t, r, http.StatusCreated)

	// The new properties take values at once.
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"erp_id": "E-1", "erp_owner": "x"}}), http.StatusCreated)

	r = call(t, srv, tok, "POST", base+"/batch/read", map[string]any{"archived": false, "inputs": []any{map[string]any{"name": "erp_id"}, map[string]any{"name": "amount"}, map[string]any{"name": "nope"}}})
	wantStatus(t, r, http.StatusMultiStatus)
	b = r.json(t)
	if res := b["results"].([]any); len(res) != 2 || res[0].(map[string]any)["name"] != "erp_id" || res[1].(map[string]any)["name"] != "amount" ||
		fmt.Sprint(b["errors"].([]any)[0].(map[string]any)["context"]) != "map[names:[nope]]" {
		t.Fatalf("batch read %s", r.body)
	}

	// HubSpot's own properties cannot be archived: nothing is.
	wantStatus(t, call(t, srv, tok, "POST", base+"/batch/archive", map[string]any{"inputs": []any{map[string]any{"name": "erp_id"}, map[string]any{"name": "amount"}}}), http.StatusBadRequest)
	wantStatus(t, call(t, srv, tok, "GET", base+"/erp_id", nil), http.StatusOK)
	wantStatus(t, call(t, srv, tok, "POST", base+"/batch/archive", map[string]any{"inputs": []any{map[string]any{"name": "erp_id"}, map[string]any{"name": "erp_region"}, map[string]any{"name": "nope"}}}), http.StatusNoContent)
	wantStatus(t, call(t, srv, tok, "GET", base+"/erp_id", nil), http.StatusNotFound)
	r = call(t, srv, tok, "POST", base+"/batch/read", map[string]any{"archived": true, "inputs": []any{map[string]any{"name": "erp_id"}, map[string]any{"name": "erp_region"}}})
	wantStatus(t, r, http.StatusOK)
	if res := r.json(t)["results"].([]any); len(res) != 2 || res[0].(map[string]any)["archived"] != true {
		t.Fatalf("archived batch read %s", r.body)
	}
	// An archived property takes no values.
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"erp_id": "E-2"}}), http.StatusBadRequest)
}

func TestPropertiesUniqueValueOverHTTP(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	body := map[string]any{"name": "contract_no", "label": "Contract", "type": "string", "fieldType": "text", "groupName": "dealinformation", "hasUniqueValue": true}
	for i := 0; i < 10; i++ {
		body["name"] = fmt.Sprintf("unique_%d", i)
		wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/properties/deals", body), http.StatusCreated)
	}
	body["name"] = "unique_10"
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/properties/deals", body), http.StatusBadRequest) // HubSpot's limit of 10

	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"unique_3": "X-9"}}), http.StatusCreated)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/deals/X-9?idProperty=unique_3&properties=unique_3", nil)
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"unique_3": "x-9"}}), http.StatusConflict)
}

func TestPropertiesScopesOverHTTP(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tests := []struct {
		scopes         []string
		method, path   string
		body           any
		status         int
		requiredScopes string
	}{
		{[]string{"crm.schemas.contacts.read"}, "GET", "/crm/v3/properties/contacts", nil, 200, ""},
		{[]string{"crm.schemas.contacts.read"}, "POST", "/crm/v3/properties/contacts/groups", map[string]any{"name": "g", "label": "G"}, 403, "crm.schemas.contacts.write"},
		{[]string{"crm.schemas.contacts.write"}, "GET", "/crm/v3/properties/contacts/email", nil, 403, "crm.schemas.contacts.read"},
		{[]string{"tickets"}, "GET", "/crm/v3/properties/tickets/groups", nil, 200, ""},
		{[]string{"e-commerce"}, "DELETE", "/crm/v3/properties/products/nope", nil, 404, ""},
		{[]string{"crm.schemas.custom.read"}, "GET", "/crm/v3/properties/2-999", nil, 200, ""},
		{[]string{"crm.objects.companies.read"}, "GET", "/crm/v3/properties/companies", nil, 403, "crm.schemas.companies.read"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := call(t, srv, srv.NewToken(tt.scopes...), tt.method, tt.path, tt.body)
			wantStatus(t, r, tt.status)
			if tt.requiredScopes != "" && !strings.Contains(string(r.body), `"requiredGranularScopes":["`+tt.requiredScopes+`"]`) {
				t.Fatalf("403 body %s", r.body)
			}
		})
	}
}

// The properties API over plain HTTP: HubSpot's default properties are
// there from the start; a new one answers 201, a duplicate 409.
func Example_properties() {
	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	tok := srv.NewToken("crm.schemas.contacts.read", "crm.schemas.contacts.write")
	do := func(method, path, body string) int {
		req, _ := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	fmt.Println(do("GET", "/crm/v3/properties/contacts/email", ""))
	prop := `{"name":"shoe_size","label":"Shoe size","type":"number","fieldType":"number","groupName":"contactinformation"}`
	fmt.Println(do("POST", "/crm/v3/properties/contacts", prop))
	fmt.Println(do("POST", "/crm/v3/properties/contacts", prop))
	fmt.Println(do("DELETE", "/crm/v3/properties/contacts/shoe_size", ""))
	// Output:
	// 200
	// 201
	// 409
	// 204
}
