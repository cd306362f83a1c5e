package hubspottest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// propErrors returns the codes of a property validation error, by
// property name.
func propErrors(t *testing.T, b map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	errs, _ := b["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		ctx, _ := m["context"].(map[string]any)
		names, _ := ctx["propertyName"].([]any)
		if len(names) != 1 {
			t.Fatalf("error without a property name: %v", m)
		}
		out[str(names[0])] = str(m["code"])
	}
	return out
}

// Writes are checked against the type's property definitions, as HubSpot
// checks them: a property that does not exist, a read-only one, a value
// that does not suit the type, an option the enumeration lacks.
func TestWritesCheckPropertyDefinitions(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithProperties("contacts", "favourite_colour"))
	tok := srv.NewToken(hubspottest.AllScopes...)
	for _, tc := range []struct {
		name, objectType string
		props            map[string]any
		want             map[string]string // property -> code; nil: accepted
	}{
		{"unknown property", "contacts", map[string]any{"email": "a@example.com", "favorite_color": "red"}, map[string]string{"favorite_color": "PROPERTY_DOESNT_EXIST"}},
		{"defined by the test", "contacts", map[string]any{"favourite_colour": "red"}, nil},
		{"another type's property", "companies", map[string]any{"firstname": "Ada"}, map[string]string{"firstname": "PROPERTY_DOESNT_EXIST"}},
		{"option", "contacts", map[string]any{"lifecyclestage": "lead"}, nil},
		{"not an option", "contacts", map[string]any{"lifecyclestage": "prospect"}, map[string]string{"lifecyclestage": "INVALID_OPTION"}},
		{"checkbox options", "tickets", map[string]any{"hs_ticket_category": "PRODUCT_ISSUE;BILLING_ISSUE"}, nil},
		{"a checkbox option too many", "tickets", map[string]any{"hs_ticket_category": "PRODUCT_ISSUE;REPORTS"}, map[string]string{"hs_ticket_category": "INVALID_OPTION"}},
		{"external options", "deals", map[string]any{"dealstage": "anything", "pipeline": "default"}, nil},
		{"number", "deals", map[string]any{"amount": "12.5"}, nil},
		{"not a number", "deals", map[string]any{"amount": "twelve"}, map[string]string{"amount": "INVALID_NUMBER"}},
		{"date-time", "deals", map[string]any{"closedate": "2025-03-04T05:06:07Z"}, nil},
		{"not a date-time", "deals", map[string]any{"closedate": "next week"}, map[string]string{"closedate": "INVALID_DATETIME"}},
		{"date", "quotes", map[string]any{"hs_expiration_date": "2030-01-01"}, nil},
		{"date not at midnight", "quotes", map[string]any{"hs_expiration_date": "1893459600000"}, map[string]string{"hs_expiration_date": "INVALID_DATE"}},
		{"calculated", "contacts", map[string]any{"num_conversion_events": 3}, map[string]string{"num_conversion_events": "READ_ONLY_VALUE"}},
		{"cleared with null", "contacts", map[string]any{"lifecyclestage": nil}, nil},
		{"several at once", "contacts", map[string]any{"nope": "1", "lifecyclestage": "x"}, map[string]string{"nope": "PROPERTY_DOESNT_EXIST", "lifecyclestage": "INVALID_OPTION"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tok, "POST", "/crm/v3/objects/"+tc.objectType, map[string]any{"properties": tc.props})
			if tc.want == nil {
				wantStatus(t, r, http.StatusCreated)
				return
			}
			wantStatus(t, r, http.StatusBadRequest)
			b := r.json(t)
			if b["category"] != "VALIDATION_ERROR" || !strings.HasPrefix(str(b["message"]), "Property values were not valid: [") {
				t.Fatalf("body %s", r.body)
			}
			got := propErrors(t, b)
			if len(got) != len(tc.want) {
				t.Fatalf("errors %v, want %v", got, tc.want)
			}
			for k, code := range tc.want {
				if got[k] != code {
					t.Errorf("%s: %s, want %s (%s)", k, got[k], code, r.body)
				}
			}
		})
	}
	if n := len(srv.Objects("companies")); n != 0 {
		t.Errorf("a refused create stored %d companies", n)
	}
}

// Updates, upserts and batch writes are checked the same way; in a batch
// each input's problems are its own, and a batch with an invalid input
// writes nothing unless every invalid input carries an objectWriteTraceId.
func TestUpdatesAndBatchesCheckPropertyDefinitions(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	c := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0]

	r := call(t, srv, tok, "PATCH", "/crm/v3/objects/contacts/"+c.ID, map[string]any{"properties": map[string]any{"favorite_color": "red"}})
	wantStatus(t, r, http.StatusBadRequest)
	if got := propErrors(t, r.json(t)); got["favorite_color"] != "PROPERTY_DOESNT_EXIST" {
		t.Fatalf("update: %s", r.body)
	}

	for _, path := range []string{"create", "update", "upsert"} {
		in := func(i int, props map[string]any, trace string) map[string]any {
			m := map[string]any{"properties": props}
			switch path {
			case "update":
				m["id"] = c.ID
				if i > 0 {
					m["id"] = srv.Seed("contacts", map[string]string{})[0].ID
				}
			case "upsert":
				m["id"], m["idProperty"] = []string{"u0@example.com", "u1@example.com"}[i], "email"
			}
			if trace != "" {
				m["objectWriteTraceId"] = trace
			}
			return m
		}
		// Without trace IDs: the whole batch is refused, naming the input.
		r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/"+path, map[string]any{"inputs": []any{
			in(0, map[string]any{"firstname": "Ok"}, ""),
			in(1, map[string]any{"favorite_color": "red"}, ""),
		}})
		wantStatus(t, r, http.StatusBadRequest)
		b := r.json(t)
		errs, _ := b["errors"].([]any)
		if len(errs) != 1 || errs[0].(map[string]any)["in"] != "inputs[1]" || !strings.Contains(str(b["message"]), "PROPERTY_DOESNT_EXIST") {
			t.Fatalf("batch %s: %s", path, r.body)
		}
		// With trace IDs: 207, the error is the input's own.
		r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/"+path, map[string]any{"inputs": []any{
			in(0, map[string]any{"firstname": "Ok"}, "t0"),
			in(1, map[string]any{"favorite_color": "red"}, "t1"),
		}})
		wantStatus(t, r, http.StatusMultiStatus)
		b = r.json(t)
		errs, _ = b["errors"].([]any)
		if len(errs) != 1 || !strings.Contains(str(errs[0].(map[string]any)["message"]), "PROPERTY_DOESNT_EXIST") ||
			len(b["results"].([]any)) != 1 {
			t.Fatalf("batch %s with trace IDs: %s", path, r.body)
		}
	}
}

// A read that names properties gets the record ID and its creation and
// modification times too, and no entry for a name that is not a property,
// whichever way it reads: get, list, batch read, search.
func TestReadsReturnTheAlwaysReturnedProperties(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	c := srv.Seed("contacts", map[string]string{"email": "a@example.com", "firstname": "Ada"})[0]
	d := srv.Seed("deals", map[string]string{"dealname": "Big"})[0]
	check := func(what string, p map[string]any, objectType, id string) {
		t.Helper()
		lastModified := "hs_lastmodifieddate"
		if objectType == "contacts" {
			lastModified = "lastmodifieddate"
		}
		if p["hs_object_id"] != id || str(p["createdate"]) == "" || str(p[lastModified]) == "" {
			t.Errorf("%s: %v lacks the always-returned properties", what, p)
		}
		if _, ok := p["no_such_property"]; ok {
			t.Errorf("%s: %v has a name that is not a property", what, p)
		}
		if v, ok := p["lastname"]; objectType == "contacts" && (!ok || v != nil) {
			t.Errorf("%s: lastname, a property without a value, should be null: %v", what, p)
		}
	}
	for _, tc := range []struct{ objectType, id, props string }{{"contacts", c.ID, "firstname,lastname,no_such_property"}, {"deals", d.ID, "dealname,no_such_property"}} {
		r := call(t, srv, tok, "GET", "/crm/v3/objects/"+tc.objectType+"/"+tc.id+"?properties="+tc.props, nil)
		wantStatus(t, r, http.StatusOK)
		check("get "+tc.objectType, props(t, r.json(t)), tc.objectType, tc.id)

		r = call(t, srv, tok, "GET", "/crm/v3/objects/"+tc.objectType+"?properties="+tc.props, nil)
		wantStatus(t, r, http.StatusOK)
		check("list "+tc.objectType, props(t, r.json(t)["results"].([]any)[0].(map[string]any)), tc.objectType, tc.id)

		names := strings.Split(tc.props, ",")
		r = call(t, srv, tok, "POST", "/crm/v3/objects/"+tc.objectType+"/batch/read", map[string]any{"properties": names, "inputs": []any{map[string]any{"id": tc.id}}})
		wantStatus(t, r, http.StatusOK)
		check("batch read "+tc.objectType, props(t, r.json(t)["results"].([]any)[0].(map[string]any)), tc.objectType, tc.id)

		r = call(t, srv, tok, "POST", "/crm/v3/objects/"+tc.objectType+"/search", map[string]any{"properties": names})
		wantStatus(t, r, http.StatusOK)
		check("search "+tc.objectType, props(t, r.json(t)["results"].([]any)[0].(map[string]any)), tc.objectType, tc.id)
	}
}

// Seed refuses a property the type does not have, as a write would.
func TestSeedRefusesUnknownProperties(t *testing.T) {
	srv, err := hubspottest.Start(hubspottest.WithProperties("deals", "erp_id"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Seed("deals", map[string]string{"dealname": "ok", "erp_id": "E-1"})
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), `no property "erp_ref"`) {
			t.Fatalf("Seed of an unknown property: %v", p)
		}
	}()
	srv.Seed("deals", map[string]string{"dealname": "bad", "erp_ref": "E-2"})
}
