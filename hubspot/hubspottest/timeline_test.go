package hubspottest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// timelineSetup makes a contact, a developer key for app 1 and a template
// with a string token and a date token; it returns the token, the key,
// the contact's ID and the template's.
func timelineSetup(t *testing.T, srv *hubspottest.Server) (tok, key, contact, tid string) {
	t.Helper()
	tok, key = srv.NewToken("timeline"), srv.NewDeveloperKey(1)
	contact = srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID
	r := call(t, srv, "", http.MethodPost, "/integrators/timeline/v3/1/event-templates?hapikey="+url.QueryEscape(key), map[string]any{
		"name": "Login", "objectType": "contacts", "detailTemplate": "From {{city}} at {{at}}, {{extraData.n}} tries",
		"tokens": []any{
			map[string]any{"name": "city", "label": "City", "type": "string", "options": []any{}},
			map[string]any{"name": "at", "label": "At", "type": "date", "options": []any{}},
		},
	})
	wantStatus(t, r, http.StatusCreated)
	return tok, key, contact, str(r.json(t)["id"])
}

func TestTimelineRoutesOverlappingPaths(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok, key, contact, tid := timelineSetup(t, srv)

	// GET .../{appId}/event-templates/{id} is served though a ServeMux
	// cannot hold it beside GET .../events/{eventTemplateId}/{eventId}.
	r := call(t, srv, "", http.MethodGet, "/integrators/timeline/v3/1/event-templates/"+tid+"?hapikey="+url.QueryEscape(key), nil)
	wantStatus(t, r, http.StatusOK)
	if r.json(t)["name"] != "Login" {
		t.Fatalf("template: %s", r.body)
	}
	// It takes the developer key, not a token.
	r = call(t, srv, tok, http.MethodGet, "/integrators/timeline/v3/1/event-templates/"+tid, nil)
	wantStatus(t, r, http.StatusUnauthorized)
	// Wrong methods there get 405 with the methods it serves.
	r = call(t, srv, "", http.MethodPatch, "/integrators/timeline/v3/1/event-templates/"+tid+"?hapikey="+url.QueryEscape(key), nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET,PUT,DELETE" {
		t.Fatalf("PATCH: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
	// A path both patterns match is an event whose template ID is
	// "event-templates": appId is a decimal ID.
	r = call(t, srv, tok, http.MethodGet, "/integrators/timeline/v3/events/event-templates/7", nil)
	wantStatus(t, r, http.StatusNotFound)
	if b := r.json(t); !strings.Contains(str(b["message"]), "Event 7 of event template event-templates") {
		t.Fatalf("overlapping path answered %s", r.body)
	}

	// An event by email, read back with its detail.
	r = call(t, srv, tok, http.MethodPost, "/integrators/timeline/v3/events", map[string]any{
		"id": "l1", "eventTemplateId": tid, "email": "ADA@example.com", "tokens": map[string]any{"city": "Paris", "at": "2026-01-02"},
		"extraData": map[string]any{"n": 3},
	})
	wantStatus(t, r, http.StatusCreated)
	if b := r.json(t); b["objectId"] != contact || b["objectType"] != "contacts" {
		t.Fatalf("event: %s", r.body)
	}
	r = call(t, srv, tok, http.MethodGet, "/integrators/timeline/v3/events/"+tid+"/l1/detail", nil)
	wantStatus(t, r, http.StatusOK)
	if d := r.json(t)["details"]; d != "From Paris at 2026-01-02, 3 tries" {
		t.Fatalf("detail %q", d)
	}
	// A token of the template's without a value stays as written.
	r = call(t, srv, tok, http.MethodPost, "/integrators/timeline/v3/events", map[string]any{"id": "l2", "eventTemplateId": tid, "objectId": contact, "tokens": map[string]any{}})
	wantStatus(t, r, http.StatusCreated)
	r = call(t, srv, tok, http.MethodGet, "/integrators/timeline/v3/events/"+tid+"/l2/detail", nil)
	if d := r.json(t)["details"]; d != "From {{city}} at {{at}}, {{extraData.n}} tries" {
		t.Fatalf("detail without tokens %q", d)
	}

	// Deleting the template deletes its events.
	wantStatus(t, call(t, srv, "", http.MethodDelete, "/integrators/timeline/v3/1/event-templates/"+tid+"?hapikey="+url.QueryEscape(key), nil), http.StatusNoContent)
	if evs := srv.TimelineEvents("0-1", contact); len(evs) != 0 {
		t.Fatalf("events of a deleted template: %+v", evs)
	}
	wantStatus(t, call(t, srv, tok, http.MethodGet, "/integrators/timeline/v3/events/"+tid+"/l1", nil), http.StatusNotFound)
}

func TestTimelineDatedEvents(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok, _, contact, tid := timelineSetup(t, srv)

	// 2026-03 takes the developer platform's shape: eventTypeName names
	// the template, properties are its tokens.
	r := call(t, srv, tok, http.MethodPost, "/integrators/timeline/2026-03/events", map[string]any{
		"id": "d1", "eventTypeName": tid, "objectId": contact, "properties": map[string]any{"city": "Oslo"},
	})
	wantStatus(t, r, http.StatusCreated)
	if b := r.json(t); b["eventTypeName"] != tid || b["properties"].(map[string]any)["city"] != "Oslo" {
		t.Fatalf("dated event: %s", r.body)
	}
	// Its batch answers 200, errors and all.
	r = call(t, srv, tok, http.MethodPost, "/integrators/timeline/2026-03/events/batch", map[string]any{"inputs": []any{
		map[string]any{"id": "d2", "eventTypeName": tid, "objectId": contact, "properties": map[string]any{}},
		map[string]any{"id": "d3", "eventTypeName": tid, "objectId": contact, "properties": map[string]any{"at": "later"}},
	}})
	wantStatus(t, r, http.StatusOK)
	b := r.json(t)
	if len(b["results"].([]any)) != 1 || len(b["errors"].([]any)) != 1 {
		t.Fatalf("dated batch: %s", r.body)
	}
	// v3's batch answers 207 when an input fails, naming it, and refuses
	// more than 100 inputs.
	r = call(t, srv, tok, http.MethodPost, "/integrators/timeline/v3/events/batch/create", map[string]any{"inputs": []any{
		map[string]any{"id": "v1", "eventTemplateId": tid, "objectId": contact, "tokens": map[string]any{}},
		map[string]any{"id": "v2", "eventTemplateId": tid, "objectId": contact, "tokens": map[string]any{"nope": "x"}},
	}})
	wantStatus(t, r, http.StatusMultiStatus)
	errs := r.json(t)["errors"].([]any)
	if e := errs[0].(map[string]any); !strings.Contains(str(e["message"]), `"nope"`) || fmt.Sprint(e["context"]) != "map[ids:[v2]]" {
		t.Fatalf("207 error: %v", e)
	}
	var many []any
	for i := range 101 {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "eventTemplateId": tid, "objectId": contact, "tokens": map[string]any{}})
	}
	wantStatus(t, call(t, srv, tok, http.MethodPost, "/integrators/timeline/v3/events/batch/create", map[string]any{"inputs": many}), http.StatusBadRequest)
	if n := len(srv.TimelineEvents("contacts", contact)); n != 3 {
		t.Fatalf("%d events stored", n)
	}
}
