package hubspottest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func inputs(n int, f func(i int) map[string]any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func results(t *testing.T, b map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range b["results"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func batchErrors(b map[string]any) []map[string]any {
	var out []map[string]any
	errs, _ := b["errors"].([]any)
	for _, e := range errs {
		out = append(out, e.(map[string]any))
	}
	return out
}

func ctxList(e map[string]any, key string) []string {
	var out []string
	ctx, _ := e["context"].(map[string]any)
	list, _ := ctx[key].([]any)
	for _, v := range list {
		out = append(out, v.(string))
	}
	return out
}

func TestBatchLimit(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	for _, op := range []string{"read", "create", "update", "upsert", "archive"} {
		t.Run(op, func(t *testing.T) {
			body := map[string]any{"inputs": inputs(hubspottest.MaxBatchInputs+1, func(i int) map[string]any {
				return map[string]any{"id": fmt.Sprint(i + 1), "idProperty": "email", "properties": map[string]any{}}
			})}
			r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/"+op, body)
			wantStatus(t, r, 400)
			if b := r.json(t); b["category"] != "VALIDATION_ERROR" || !strings.Contains(str(b["message"]), "100") {
				t.Fatalf("body %s", r.body)
			}
		})
	}
	if len(srv.Objects("contacts")) != 0 {
		t.Fatal("an oversized batch wrote objects")
	}
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": inputs(100, func(i int) map[string]any {
		return map[string]any{"properties": map[string]any{"email": fmt.Sprintf("u%d@example.com", i)}}
	})})
	wantStatus(t, r, 201)
	if len(results(t, r.json(t))) != 100 || len(srv.Objects("contacts")) != 100 {
		t.Fatal("100 inputs not all created")
	}
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/merge", map[string]any{}), 404)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts/batch/read", nil), 405)
}

func TestBatchRead(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	objs := srv.Seed("contacts", map[string]string{"email": "a@x.io", "firstname": "A"}, map[string]string{"email": "b@x.io", "firstname": "B"})
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs":     []any{map[string]any{"id": objs[0].ID}, map[string]any{"id": "999"}, map[string]any{"id": objs[1].ID}, map[string]any{"id": "998"}},
		"properties": []string{"firstname"},
	})
	wantStatus(t, r, 207)
	b := r.json(t)
	res := results(t, b)
	if b["status"] != "COMPLETE" || len(res) != 2 || props(t, res[0])["firstname"] != "A" || b["numErrors"].(float64) != 1 || b["startedAt"] == nil || b["completedAt"] == nil {
		t.Fatalf("body %s", r.body)
	}
	errs := batchErrors(b)
	if errs[0]["category"] != "OBJECT_NOT_FOUND" || errs[0]["status"] != "error" || !slices.Equal(ctxList(errs[0], "ids"), []string{"999", "998"}) || !strings.Contains(str(errs[0]["message"]), "CONTACT") {
		t.Fatalf("errors %v", errs)
	}

	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs": []any{map[string]any{"id": "B@X.IO"}}, "idProperty": "email", "propertiesWithHistory": []string{"firstname"},
	})
	wantStatus(t, r, 200)
	b = r.json(t)
	if res := results(t, b); len(res) != 1 || res[0]["id"] != objs[1].ID || res[0]["propertiesWithHistory"] == nil || b["errors"] != nil {
		t.Fatalf("by email %s", r.body)
	}
}

func TestBatchCreatePartialWithTraceIDs(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	existing := srv.Seed("contacts", map[string]string{"email": "taken@x.io"})[0]
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "ok1@x.io"}, "objectWriteTraceId": "t0"},
		map[string]any{"properties": map[string]any{"email": "TAKEN@x.io"}, "objectWriteTraceId": "t1"},
		map[string]any{"properties": map[string]any{"email": "bad"}, "objectWriteTraceId": "t2"},
		map[string]any{"properties": map[string]any{"email": "ok1@x.io"}, "objectWriteTraceId": "t3"},
		map[string]any{"properties": map[string]any{"email": "ok2@x.io"}, "objectWriteTraceId": "t4"},
	}})
	wantStatus(t, r, 207)
	b := r.json(t)
	var traces []string
	for _, res := range results(t, b) {
		traces = append(traces, str(res["objectWriteTraceId"]))
	}
	if !slices.Equal(traces, []string{"t0", "t4"}) {
		t.Fatalf("results traces %v", traces)
	}
	errs := batchErrors(b)
	want := map[string]string{"t1": "CONFLICT", "t2": "VALIDATION_ERROR", "t3": "CONFLICT"}
	if len(errs) != 3 || int(b["numErrors"].(float64)) != 3 {
		t.Fatalf("errors %v", errs)
	}
	for _, e := range errs {
		tr := ctxList(e, "objectWriteTraceId")
		if len(tr) != 1 || want[tr[0]] != e["category"] || str(e["message"]) == "" {
			t.Errorf("error %v", e)
		}
		if tr[0] == "t1" && e["message"] != "Contact already exists. Existing ID: "+existing.ID {
			t.Errorf("conflict message %v", e["message"])
		}
	}
	if n := len(srv.Objects("contacts")); n != 3 {
		t.Fatalf("%d contacts, want 3", n)
	}
}

func TestBatchCreateWithoutTraceIDsIsAtomic(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	srv.Seed("contacts", map[string]string{"email": "taken@x.io"})
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "new@x.io"}},
		map[string]any{"properties": map[string]any{"email": "taken@x.io"}},
	}})
	wantStatus(t, r, 409)
	b := r.json(t)
	if b["category"] != "CONFLICT" || len(b["errors"].([]any)) != 1 || b["errors"].([]any)[0].(map[string]any)["in"] != "inputs[1]" {
		t.Fatalf("body %s", r.body)
	}
	if n := len(srv.Objects("contacts")); n != 1 {
		t.Fatalf("atomic failure wrote %d objects", n-1)
	}
}

func TestBatchUpdate(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	objs := srv.Seed("deals", map[string]string{"dealname": "a"}, map[string]string{"dealname": "b"})
	r := call(t, srv, tok, "POST", "/crm/v3/objects/deals/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": objs[0].ID, "properties": map[string]any{"amount": 5}},
		map[string]any{"id": "404", "properties": map[string]any{"amount": 6}},
		map[string]any{"id": objs[1].ID, "properties": map[string]any{"dealname": ""}, "objectWriteTraceId": "x"},
	}})
	wantStatus(t, r, 207)
	b := r.json(t)
	res := results(t, b)
	if len(res) != 2 || props(t, res[0])["amount"] != "5" || res[1]["objectWriteTraceId"] != "x" {
		t.Fatalf("results %s", r.body)
	}
	errs := batchErrors(b)
	if len(errs) != 1 || errs[0]["category"] != "OBJECT_NOT_FOUND" || !slices.Equal(ctxList(errs[0], "ids"), []string{"404"}) {
		t.Fatalf("errors %v", errs)
	}
	if got := srv.Objects("deals")[1].Properties["dealname"]; got != "" {
		t.Errorf("empty string did not clear: %q", got)
	}

	r = call(t, srv, tok, "POST", "/crm/v3/objects/deals/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": objs[0].ID, "properties": map[string]any{}},
		map[string]any{"id": objs[0].ID, "properties": map[string]any{}},
	}})
	wantStatus(t, r, 400)
	if !strings.HasPrefix(str(r.json(t)["message"]), "Duplicate IDs found in batch input: ["+objs[0].ID+"]") {
		t.Fatalf("body %s", r.body)
	}
	r = call(t, srv, tok, "POST", "/crm/v3/objects/deals/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": objs[0].ID, "properties": map[string]any{"hs_object_id": "1"}},
	}})
	wantStatus(t, r, 400)
}

func TestBatchUpsert(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	old := srv.Seed("contacts", map[string]string{"email": "old@x.io", "firstname": "Old"})[0]
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "OLD@x.io", "idProperty": "email", "properties": map[string]any{"lastname": "L"}},
		map[string]any{"id": "new@x.io", "idProperty": "email", "properties": map[string]any{"firstname": "N"}},
	}})
	wantStatus(t, r, 200)
	res := results(t, r.json(t))
	if len(res) != 2 || res[0]["id"] != old.ID || res[0]["new"] != false || res[1]["new"] != true || props(t, res[1])["email"] != "new@x.io" {
		t.Fatalf("results %s", r.body)
	}
	objs := srv.Objects("contacts")
	if len(objs) != 2 || objs[0].Properties["lastname"] != "L" || objs[0].Properties["firstname"] != "Old" {
		t.Fatalf("objects %+v", objs)
	}
	// Idempotent: the same upsert again creates nothing.
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "new@x.io", "idProperty": "email", "properties": map[string]any{"firstname": "N"}},
	}})
	wantStatus(t, r, 200)
	if len(srv.Objects("contacts")) != 2 || results(t, r.json(t))[0]["new"] != false {
		t.Fatal("repeat upsert created an object")
	}
	// idProperty must be unique: HubSpot upserts by a unique property
	// value, never by record ID, and refuses hs_object_id as an
	// idProperty of an upsert or a batch update.
	for _, tc := range []struct{ path, idProperty, id string }{
		{"upsert", "firstname", "x"},
		{"upsert", "hs_object_id", old.ID},
		{"upsert", "", old.ID},
		{"update", "hs_object_id", old.ID},
	} {
		in := map[string]any{"id": tc.id, "properties": map[string]any{"lastname": "M"}}
		if tc.idProperty != "" {
			in["idProperty"] = tc.idProperty
		}
		r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/"+tc.path, map[string]any{"inputs": []any{in}})
		wantStatus(t, r, 400)
		msg := str(r.json(t)["message"])
		if tc.idProperty != "" && msg != "Unable to perform update/upsert by non-unique 0-1 property "+tc.idProperty+" in portal ID 62515" {
			t.Errorf("batch %s by %s: %s", tc.path, tc.idProperty, r.body)
		}
	}
	// The record ID without an idProperty updates.
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": old.ID, "properties": map[string]any{"lastname": "M"}},
	}}), 200)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "a@x.io", "idProperty": "email"}, map[string]any{"id": "A@x.io", "idProperty": "email"},
	}}), 400)
	// An invalid input with a trace ID fails alone.
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/upsert", map[string]any{"inputs": []any{
		map[string]any{"id": "not-an-email", "idProperty": "email", "objectWriteTraceId": "bad"},
		map[string]any{"id": "fine@x.io", "idProperty": "email", "objectWriteTraceId": "good"},
	}})
	wantStatus(t, r, 207)
	b := r.json(t)
	if errs := batchErrors(b); len(errs) != 1 || !slices.Equal(ctxList(errs[0], "objectWriteTraceId"), []string{"bad"}) {
		t.Fatalf("errors %s", r.body)
	}
}

func TestBatchArchive(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	objs := srv.Seed("tickets", map[string]string{"subject": "a"}, map[string]string{"subject": "b"})
	r := call(t, srv, tok, "POST", "/crm/v3/objects/tickets/batch/archive", map[string]any{"inputs": []any{
		map[string]any{"id": objs[0].ID}, map[string]any{"id": "12345"},
	}})
	wantStatus(t, r, 204)
	if len(r.body) != 0 {
		t.Fatalf("204 with a body %q", r.body)
	}
	got := srv.Objects("tickets")
	if !got[0].Archived || got[1].Archived {
		t.Fatalf("objects %+v", got)
	}
}

func TestBatchScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	read := srv.NewToken("crm.objects.companies.read")
	wantStatus(t, call(t, srv, read, "POST", "/crm/v3/objects/companies/batch/read", map[string]any{"inputs": []any{}}), 200)
	for _, op := range []string{"create", "update", "upsert", "archive"} {
		wantStatus(t, call(t, srv, read, "POST", "/crm/v3/objects/companies/batch/"+op, map[string]any{"inputs": []any{}}), 403)
	}
}

func TestBatchReadWithHistoryTakesAtMost50(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken(hubspottest.AllScopes...)
	numbered := func(n int) []any {
		return inputs(n, func(i int) map[string]any { return map[string]any{"id": fmt.Sprint(i + 1)} })
	}
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs": numbered(hubspottest.MaxBatchHistoryInputs + 1), "propertiesWithHistory": []string{"firstname"},
	})
	wantStatus(t, r, 400)
	b := r.json(t)
	if b["category"] != "VALIDATION_ERROR" || !strings.Contains(str(b["message"]), "property histories is 50") {
		t.Fatalf("body %s", r.body)
	}
	// 50 with history, and 100 without, are accepted.
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs": numbered(hubspottest.MaxBatchHistoryInputs), "propertiesWithHistory": []string{"firstname"},
	})
	wantStatus(t, r, 207)
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{
		"inputs": numbered(hubspottest.MaxBatchInputs), "propertiesWithHistory": []string{},
	})
	wantStatus(t, r, 207)
}
