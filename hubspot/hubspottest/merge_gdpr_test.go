package hubspottest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestMergeContacts(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken(hubspottest.AllScopes...)
	older := srv.Seed("contacts", map[string]string{"email": "old@example.com", "firstname": "Old", "phone": "123", "createdate": "2024-01-01T00:00:00.000Z"})[0]
	clk.Advance(time.Hour)
	primary := srv.Seed("contacts", map[string]string{"email": "main@example.com", "firstname": "Main"})[0]
	company := srv.Seed("companies", map[string]string{"name": "Acme"})[0]
	srv.Associate("contacts", older.ID, "companies", company.ID)
	clk.Advance(time.Hour)

	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": primary.ID, "objectIdToMerge": older.ID})
	wantStatus(t, r, 200)
	merged := r.json(t)
	id := str(merged["id"])
	if id == primary.ID || id == older.ID {
		t.Fatalf("the merged record should have a new ID, got %s", id)
	}
	p := props(t, merged)
	want := map[string]any{
		"email":                "main@example.com", // the primary's value wins
		"firstname":            "Main",
		"phone":                "123",                       // only the other had it
		"hs_merged_object_ids": older.ID + ";" + primary.ID, // in ID order
		"hs_additional_emails": "old@example.com",
		"createdate":           "2024-01-01T00:00:00.000Z", // the older create date
		"hs_object_id":         id,
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}

	// Both former IDs resolve to the merged record, on get, update, archive.
	for _, old := range []string{primary.ID, older.ID} {
		r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+old+"?properties=email", nil)
		wantStatus(t, r, 200)
		if r.json(t)["id"] != id {
			t.Errorf("GET %s returned %s, want the merged %s", old, r.json(t)["id"], id)
		}
	}
	r = call(t, srv, tok, "PATCH", "/crm/v3/objects/contacts/"+older.ID, map[string]any{"properties": map[string]any{"lastname": "L"}})
	wantStatus(t, r, 200)
	if r.json(t)["id"] != id {
		t.Errorf("PATCH by former ID updated %v", r.json(t)["id"])
	}
	// Listing shows only the merged record.
	list := results(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil).json(t))
	if len(list) != 1 || list[0]["id"] != id {
		t.Errorf("list %v", list)
	}
	// The association moved to the merged record, both ways.
	c := call(t, srv, tok, "GET", "/crm/v3/objects/companies/"+company.ID+"?associations=contacts", nil).json(t)
	assoc := c["associations"].(map[string]any)["contacts"].(map[string]any)["results"].([]any)
	if len(assoc) != 1 || assoc[0].(map[string]any)["id"] != id {
		t.Errorf("company associations %v", assoc)
	}
	m := call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+id+"?associations=companies", nil).json(t)
	if _, ok := m["associations"].(map[string]any)["companies"]; !ok {
		t.Errorf("merged contact associations %v", m["associations"])
	}
	// The email merged away is free for a new contact; the kept one is not.
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "old@example.com"}}), 201)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "main@example.com"}}), 409)

	// Merging again: former IDs follow the chain.
	third := srv.Seed("contacts", map[string]string{"firstname": "Third"})[0]
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": third.ID, "objectIdToMerge": older.ID})
	wantStatus(t, r, 200)
	again := r.json(t)
	if ids := str(props(t, again)["hs_merged_object_ids"]); strings.Count(ids, ";") != 3 || !strings.Contains(ids, primary.ID) || !strings.Contains(ids, id) {
		t.Errorf("hs_merged_object_ids %q should list every former ID", ids)
	}
	if r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+primary.ID, nil); r.json(t)["id"] != again["id"] {
		t.Errorf("first former ID resolves to %v, want %v", r.json(t)["id"], again["id"])
	}
	// Archive by a former ID archives the merged record.
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/contacts/"+primary.ID, nil), 204)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+str(again["id"]), nil), 404)
}

func TestMergeErrors(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	a := srv.Seed("deals", map[string]string{"dealname": "A"})[0]
	b := srv.Seed("deals", map[string]string{"dealname": "B"})[0]
	archived := srv.Seed("deals", map[string]string{"dealname": "C"})[0]
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/deals/"+archived.ID, nil), 204)
	p := srv.Seed("products", map[string]string{"name": "P"}, map[string]string{"name": "Q"})
	tests := []struct {
		name, tok, path string
		body            any
		status          int
		msg             string
	}{
		{"missing fields", tok, "deals", map[string]any{"primaryObjectId": a.ID}, 400, "objectIdToMerge"},
		{"missing", tok, "deals", map[string]any{"primaryObjectId": a.ID, "objectIdToMerge": "999"}, 404, "999"},
		{"archived", tok, "deals", map[string]any{"primaryObjectId": a.ID, "objectIdToMerge": archived.ID}, 404, archived.ID},
		{"itself", tok, "deals", map[string]any{"primaryObjectId": a.ID, "objectIdToMerge": a.ID}, 400, "itself"},
		{"numbers accepted", tok, "deals", `{"primaryObjectId": ` + a.ID + `, "objectIdToMerge": "nope"}`, 404, "nope"},
		{"bad type", tok, "deals", `{"primaryObjectId": true}`, 400, "Invalid input JSON"},
		{"products do not merge", tok, "products", map[string]any{"primaryObjectId": p[0].ID, "objectIdToMerge": p[1].ID}, 400, "not supported"},
		{"needs write", srv.NewToken("crm.objects.deals.read"), "deals", map[string]any{"primaryObjectId": a.ID, "objectIdToMerge": b.ID}, 403, "crm.objects.deals.write"},
		{"POST only", tok, "deals", nil, 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.status == 405 {
				method = "PUT"
			}
			r := call(t, srv, tc.tok, method, "/crm/v3/objects/"+tc.path+"/merge", tc.body)
			wantStatus(t, r, tc.status)
			if !strings.Contains(string(r.body), tc.msg) {
				t.Errorf("body should mention %q: %s", tc.msg, r.body)
			}
		})
	}
	// Merging a record into the one it was already merged into is merging
	// it into itself.
	r := call(t, srv, tok, "POST", "/crm/v3/objects/deals/merge", map[string]any{"primaryObjectId": a.ID, "objectIdToMerge": b.ID})
	wantStatus(t, r, 200)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals/merge", map[string]any{"primaryObjectId": str(r.json(t)["id"]), "objectIdToMerge": b.ID}), 400)
}

func TestGDPRDelete(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	seed := func(email string) string {
		return srv.Seed("contacts", map[string]string{"email": email})[0].ID
	}
	byID := seed("id@example.com")
	seed("email@example.com")
	archivedID := seed("archived@example.com")
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/contacts/"+archivedID, nil), 204)
	assocID := seed("assoc@example.com")
	company := srv.Seed("companies", map[string]string{"name": "Acme"})[0]
	srv.Associate("contacts", assocID, "companies", company.ID)
	m1, m2 := seed("m1@example.com"), seed("m2@example.com")
	merged := str(call(t, srv, tok, "POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": m1, "objectIdToMerge": m2}).json(t)["id"])

	tests := []struct {
		name   string
		body   any
		status int
		gone   string // email that must be free afterwards
	}{
		{"by id", map[string]any{"objectId": byID}, 204, "id@example.com"},
		{"by email, any case", map[string]any{"objectId": "EMAIL@example.com", "idProperty": "email"}, 204, "email@example.com"},
		{"an archived contact", map[string]any{"objectId": archivedID}, 204, "archived@example.com"},
		{"by a former merged ID", map[string]any{"objectId": m2}, 204, "m1@example.com"},
		{"with its associations", map[string]any{"objectId": assocID}, 204, "assoc@example.com"},
		{"unknown email: blocklisted, 204", map[string]any{"objectId": "nobody@example.com", "idProperty": "email"}, 204, ""},
		{"unknown id", map[string]any{"objectId": "12345"}, 404, ""},
		{"already deleted", map[string]any{"objectId": byID}, 404, ""},
		{"no objectId", map[string]any{"idProperty": "email"}, 400, ""},
		{"not a unique property", map[string]any{"objectId": "x", "idProperty": "firstname"}, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts/gdpr-delete", tc.body), tc.status)
			if tc.gone == "" {
				return
			}
			for _, o := range srv.Objects("contacts") {
				if o.Properties["email"] == tc.gone {
					t.Fatalf("contact %s still stored: %+v", tc.gone, o)
				}
			}
			wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+tc.gone+"?idProperty=email", nil), 404)
			wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+tc.gone+"?idProperty=email&archived=true", nil), 404)
			wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": tc.gone}}), 201)
		})
	}
	for _, id := range []string{byID, archivedID, merged, m1, m2} {
		wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+id, nil), 404)
		wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/"+id+"?archived=true", nil), 404)
	}
	c := call(t, srv, tok, "GET", "/crm/v3/objects/companies/"+company.ID+"?associations=contacts", nil).json(t)
	if c["associations"] != nil {
		t.Errorf("the company still lists the deleted contact: %v", c["associations"])
	}

	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/companies/gdpr-delete", map[string]any{"objectId": company.ID}), 404)
	wantStatus(t, call(t, srv, srv.NewToken("crm.objects.contacts.read"), "POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]any{"objectId": "1"}), 403)
}
