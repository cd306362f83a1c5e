package hubspottest_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestObjectLifecycle(t *testing.T) {
	types := []struct {
		path, name string
		props      map[string]any
	}{
		{"contacts", "contacts", map[string]any{"email": "Ada@Example.com", "firstname": "Ada"}},
		{"companies", "companies", map[string]any{"name": "Acme", "domain": "acme.test"}},
		{"deals", "deals", map[string]any{"dealname": "Big", "amount": 1200.5}},
		{"tickets", "tickets", map[string]any{"subject": "Broken", "hs_pipeline": "0"}},
		{"products", "products", map[string]any{"name": "Widget", "price": "9.99"}},
		{"line_items", "line_items", map[string]any{"name": "Widget x2", "quantity": 2}},
		{"quotes", "quotes", map[string]any{"hs_title": "Q1", "hs_expiration_date": "2030-01-01"}},
		{"2-12345", "2-12345", map[string]any{"model": "T", "active": true}},
		{"p_cars", "p_cars", map[string]any{"model": "S"}},
		{"0-1", "contacts", map[string]any{"email": "grace@example.com"}},
		{"deal", "deals", map[string]any{"dealname": "Singular"}},
	}
	clk := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 8_000_000, time.UTC))
	opts := []hubspottest.Option{hubspottest.WithClock(clk), hubspottest.WithProperties("2-12345", "model", "active"), hubspottest.WithProperties("p_cars", "model")}
	for _, tc := range types {
		opts = append(opts, hubspottest.WithProperties(tc.name, "note"))
	}
	srv := hubspottest.NewServer(t, opts...)
	tok := srv.NewToken(hubspottest.AllScopes...)
	for _, tc := range types {
		t.Run(tc.path, func(t *testing.T) {
			base := "/crm/v3/objects/" + tc.path
			r := call(t, srv, tok, "POST", base, map[string]any{"properties": tc.props})
			wantStatus(t, r, 201)
			obj := r.json(t)
			id := str(obj["id"])
			if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 1<<32 {
				t.Fatalf("id %q should be a number beyond 32 bits", id)
			}
			created := clk.Now().UTC().Format("2006-01-02T15:04:05.000Z")
			if obj["createdAt"] != created || obj["archived"] != false {
				t.Errorf("object %s", r.body)
			}
			p := props(t, obj)
			if p["hs_object_id"] != id || p["createdate"] != created {
				t.Errorf("computed properties %v", p)
			}
			for k, v := range tc.props {
				want := fmt.Sprint(v)
				if k == "email" {
					want = strings.ToLower(want)
				}
				if p[k] != want {
					t.Errorf("property %s = %v, want %q (values are strings on the wire)", k, p[k], want)
				}
			}

			clk.Advance(time.Minute)
			r = call(t, srv, tok, "PATCH", base+"/"+id, map[string]any{"properties": map[string]any{"note": "x"}})
			wantStatus(t, r, 200)
			if props(t, r.json(t))["note"] != "x" {
				t.Errorf("update answer %s", r.body)
			}

			// A read names properties: HubSpot adds the record ID and its
			// creation and modification times, answers null for a property
			// without a value, and leaves out names that are not properties.
			r = call(t, srv, tok, "GET", base+"/"+id+"?properties=note,missing,description&propertiesWithHistory=note,missing", nil)
			wantStatus(t, r, 200)
			got := r.json(t)
			gp := props(t, got)
			lastModified := "hs_lastmodifieddate"
			if tc.name == "contacts" {
				lastModified = "lastmodifieddate"
			}
			if gp["note"] != "x" || gp["hs_object_id"] != id || gp["createdate"] != created || gp[lastModified] == nil {
				t.Errorf("get properties %v", gp)
			}
			if _, present := gp["missing"]; present {
				t.Error("a name that is not a property should be left out")
			}
			wantLen := 4
			if v, present := gp["description"]; present { // products, line items, companies and deals have it
				if v != nil {
					t.Errorf("description = %v, want null", v)
				}
				wantLen++
			}
			if len(gp) != wantLen {
				t.Errorf("get properties %v", gp)
			}
			if _, present := got["propertiesWithHistory"].(map[string]any)["missing"]; present {
				t.Error("history of a name that is not a property should be left out")
			}
			if got["updatedAt"] == got["createdAt"] {
				t.Error("updatedAt did not move")
			}
			hist := got["propertiesWithHistory"].(map[string]any)["note"].([]any)
			if len(hist) != 1 || hist[0].(map[string]any)["value"] != "x" || hist[0].(map[string]any)["sourceType"] != "API" {
				t.Errorf("history %v", hist)
			}

			wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+id, nil), 204)
			wantStatus(t, call(t, srv, tok, "DELETE", base+"/"+id, nil), 204)
			r = call(t, srv, tok, "GET", base+"/"+id, nil)
			wantStatus(t, r, 404)
			if r.json(t)["category"] != "OBJECT_NOT_FOUND" {
				t.Errorf("404 body %s", r.body)
			}
			r = call(t, srv, tok, "GET", base+"/"+id+"?archived=true", nil)
			wantStatus(t, r, 200)
			if a := r.json(t); a["archived"] != true || a["archivedAt"] == nil {
				t.Errorf("archived get %s", r.body)
			}
			wantStatus(t, call(t, srv, tok, "PATCH", base+"/"+id, map[string]any{"properties": map[string]any{"note": "b"}}), 404)

			var found bool
			for _, o := range srv.Objects(tc.path) {
				if o.ID == id {
					found = o.Archived && o.Properties["note"] == "x"
				}
			}
			if !found {
				t.Errorf("Objects(%q) lacks the archived object", tc.path)
			}
		})
	}
}

func TestDefaultProperties(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	o := srv.Seed("contacts", map[string]string{"email": "a@b.co", "phone": "1"})[0]
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+o.ID, nil)
	wantStatus(t, r, 200)
	p := props(t, r.json(t))
	for _, k := range []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"} {
		if _, ok := p[k]; !ok {
			t.Errorf("default property %s missing", k)
		}
	}
	if _, ok := p["phone"]; ok || p["firstname"] != nil || len(p) != 6 {
		t.Errorf("default properties %v", p)
	}
}

func TestContactEmailUnique(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	first := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "a@example.com"}}).json(t)
	id := str(first["id"])

	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "A@EXAMPLE.COM"}})
	wantStatus(t, r, 409)
	b := r.json(t)
	if b["category"] != "CONFLICT" || b["message"] != "Contact already exists. Existing ID: "+id {
		t.Errorf("409 body %s", r.body)
	}
	second := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "b@example.com"}}).json(t)
	wantStatus(t, call(t, srv, tok, "PATCH", "/crm/v3/objects/contacts/"+str(second["id"]), map[string]any{"properties": map[string]any{"email": "a@example.com"}}), 409)
	wantStatus(t, call(t, srv, tok, "PATCH", "/crm/v3/objects/contacts/"+id, map[string]any{"properties": map[string]any{"email": "a@example.com", "firstname": "A"}}), 200)

	r = call(t, srv, tok, "GET", "/crm/v3/objects/contacts/A@Example.com?idProperty=email&properties=firstname", nil)
	wantStatus(t, r, 200)
	if got := r.json(t); got["id"] != id || props(t, got)["firstname"] != "A" {
		t.Errorf("get by email %s", r.body)
	}
	r = call(t, srv, tok, "PATCH", "/crm/v3/objects/contacts/a@example.com?idProperty=email", map[string]any{"properties": map[string]any{"lastname": "L"}})
	wantStatus(t, r, 200)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/nobody@example.com?idProperty=email", nil), 404)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/x?idProperty=firstname", nil), 400)

	// Archiving frees the address.
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/contacts/"+id, nil), 204)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "a@example.com"}}), 201)
}

func TestUniquePropertyOption(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithUniqueProperty("products", "hs_sku"))
	tok := srv.NewToken(hubspottest.AllScopes...)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/products", map[string]any{"properties": map[string]any{"hs_sku": "W-1"}}), 201)
	r := call(t, srv, tok, "POST", "/crm/v3/objects/products", map[string]any{"properties": map[string]any{"hs_sku": "W-1"}})
	wantStatus(t, r, 409)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/products/W-1?idProperty=hs_sku", nil), 200)
}

func TestValidation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"bad json", "POST", "/crm/v3/objects/contacts", `{"properties":`, 400, ""},
		{"wrong shape", "POST", "/crm/v3/objects/contacts", `{"properties":[1]}`, 400, ""},
		{"bad email", "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "not-an-email"}}, 400, "INVALID_EMAIL"},
		{"read only", "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"hs_object_id": "5"}}, 400, "READ_ONLY_VALUE"},
		{"object value", "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"x": map[string]any{}}}, 400, "INVALID_VALUE"},
		{"bad archived", "GET", "/crm/v3/objects/deals?archived=maybe", nil, 400, ""},
		{"bad limit", "GET", "/crm/v3/objects/deals?limit=-1", nil, 400, ""},
		{"bad after", "GET", "/crm/v3/objects/deals?after=zzz", nil, 400, ""},
		{"non-numeric id", "GET", "/crm/v3/objects/deals/abc", nil, 404, ""},
		{"bad association", "POST", "/crm/v3/objects/contacts", map[string]any{"associations": []any{map[string]any{"to": map[string]any{"id": "1"}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}}}}, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, tc.method, tc.path, tc.body)
			wantStatus(t, r, tc.status)
			b := r.json(t)
			if tc.status == 400 && b["category"] != "VALIDATION_ERROR" {
				t.Errorf("category %v", b["category"])
			}
			if tc.code != "" {
				errs, _ := b["errors"].([]any)
				if len(errs) != 1 || errs[0].(map[string]any)["code"] != tc.code {
					t.Errorf("errors %v", b["errors"])
				}
				if !strings.HasPrefix(str(b["message"]), "Property values were not valid: [{") {
					t.Errorf("message %q", b["message"])
				}
			}
		})
	}
	if n := len(srv.Objects("contacts")) + len(srv.Objects("deals")); n != 0 {
		t.Fatalf("%d objects created by invalid calls", n)
	}
}

func TestListPaging(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	var seed []map[string]string
	for i := range 25 {
		seed = append(seed, map[string]string{"name": fmt.Sprintf("c%02d", i)})
	}
	objs := srv.Seed("companies", seed...)
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/companies/"+objs[3].ID, nil), 204)

	var names []string
	path := "/crm/v3/objects/companies?limit=10&properties=name"
	pages := 0
	for path != "" {
		r := call(t, srv, tok, "GET", path, nil)
		wantStatus(t, r, 200)
		b := r.json(t)
		pages++
		for _, o := range b["results"].([]any) {
			names = append(names, str(props(t, o.(map[string]any))["name"]))
		}
		path = ""
		if p, ok := b["paging"].(map[string]any); ok {
			next := p["next"].(map[string]any)
			link := str(next["link"])
			if !strings.HasPrefix(link, srv.URL()+"/crm/v3/objects/companies?") || !strings.Contains(link, "after="+str(next["after"])) {
				t.Errorf("link %q", link)
			}
			path = "/crm/v3/objects/companies?limit=10&properties=name&after=" + str(next["after"])
		}
	}
	if pages != 3 || len(names) != 24 || names[0] != "c00" || names[3] != "c04" || names[23] != "c24" {
		t.Fatalf("%d pages, names %v", pages, names)
	}

	r := call(t, srv, tok, "GET", "/crm/v3/objects/companies?archived=true", nil)
	if res := r.json(t)["results"].([]any); len(res) != 1 || res[0].(map[string]any)["id"] != objs[3].ID {
		t.Errorf("archived list %s", r.body)
	}
	r = call(t, srv, tok, "GET", "/crm/v3/objects/companies?limit=500", nil)
	if res := r.json(t)["results"].([]any); len(res) != 24 {
		t.Errorf("limit above 100 is capped, got %d", len(res))
	}
	r = call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil)
	if b := r.json(t); len(b["results"].([]any)) != 0 || b["paging"] != nil {
		t.Errorf("empty list %s", r.body)
	}
}

func TestAssociations(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	co := srv.Seed("companies", map[string]string{"name": "Acme"})[0]
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{
		"properties": map[string]any{"email": "a@acme.test"},
		"associations": []any{map[string]any{
			"to":    map[string]any{"id": co.ID},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}},
		}},
	})
	wantStatus(t, r, 201)
	contact := str(r.json(t)["id"])
	deal := srv.Seed("deals", map[string]string{"dealname": "D"})[0]
	srv.Associate("deals", deal.ID, "contact", contact)

	r = call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+contact+"?associations=companies,deals", nil)
	wantStatus(t, r, 200)
	as := r.json(t)["associations"].(map[string]any)
	cos := as["companies"].(map[string]any)["results"].([]any)
	if len(cos) != 1 || cos[0].(map[string]any)["id"] != co.ID || cos[0].(map[string]any)["type"] != "contact_to_company" {
		t.Errorf("companies %v", cos)
	}
	ds := as["deals"].(map[string]any)["results"].([]any)
	if len(ds) != 1 || ds[0].(map[string]any)["id"] != deal.ID || ds[0].(map[string]any)["type"] != "contact_to_deal" {
		t.Errorf("deals %v", ds)
	}
	r = call(t, srv, tok, "GET", "/crm/v3/objects/companies/"+co.ID+"?associations=contacts", nil)
	back := r.json(t)["associations"].(map[string]any)["contacts"].(map[string]any)["results"].([]any)
	if len(back) != 1 || back[0].(map[string]any)["type"] != "company_to_contact" {
		t.Errorf("reverse %v", back)
	}
}
