package hubspottest_test

import (
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestActivityCreateWithAssociations(t *testing.T) {
	srv := hubspottest.NewServer(t)
	tok := srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	contact := srv.Seed("contacts", map[string]string{"email": "a@x.io"})[0]
	link := func(typeID int) []any {
		return []any{map[string]any{"to": map[string]any{"id": contact.ID},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}}}
	}

	// hs_timestamp is required.
	r := call(t, srv, tok, "POST", "/crm/v3/objects/notes", map[string]any{"properties": map[string]any{"hs_note_body": "x"}})
	wantStatus(t, r, 400)
	if b := r.json(t); b["category"] != "VALIDATION_ERROR" || !strings.Contains(str(b["message"]), "hs_timestamp") {
		t.Fatalf("no timestamp: %s", r.body)
	}
	// The contact-to-note type (201) is not a type from notes.
	r = call(t, srv, tok, "POST", "/crm/v3/objects/notes", map[string]any{
		"properties": map[string]any{"hs_timestamp": "2026-03-01T09:30:00Z", "hs_note_body": "x"}, "associations": link(201)})
	wantStatus(t, r, 400)

	r = call(t, srv, tok, "POST", "/crm/v3/objects/notes", map[string]any{
		"properties": map[string]any{"hs_timestamp": "2026-03-01T09:30:00Z", "hs_note_body": "Hello"}, "associations": link(202)})
	wantStatus(t, r, 201)
	note := r.json(t)
	id := str(note["id"])
	r = call(t, srv, tok, "GET", "/crm/v4/objects/contacts/"+contact.ID+"/associations/notes", nil)
	wantStatus(t, r, 200)
	if res := results(t, r.json(t)); len(res) != 1 || !strings.Contains(string(r.body), `"toObjectId":`+id+`,`) {
		t.Fatalf("contact's notes: %s", r.body)
	}
	if !strings.Contains(string(r.body), `"typeId":201`) {
		t.Errorf("the link back is not HubSpot's contact-to-note type 201: %s", r.body)
	}
	r = call(t, srv, tok, "GET", "/crm/v3/objects/notes/"+id+"?properties=hs_note_body,hs_timestamp", nil)
	wantStatus(t, r, 200)
	if p := props(t, r.json(t)); p["hs_note_body"] != "Hello" || p["hs_timestamp"] == "" {
		t.Fatalf("note %s", r.body)
	}

	// Each activity type has its own body property, and needs only the
	// contacts scopes.
	for typ, body := range map[string]string{"calls": "hs_call_body", "emails": "hs_email_text", "meetings": "hs_meeting_body",
		"tasks": "hs_task_body", "communications": "hs_communication_body", "postal_mail": "hs_postal_mail_body"} {
		r := call(t, srv, tok, "POST", "/crm/v3/objects/"+typ, map[string]any{"properties": map[string]any{"hs_timestamp": "1772357400000", body: "b"}})
		wantStatus(t, r, 201)
	}
	// A token without the contacts scopes cannot.
	other := srv.NewToken("crm.objects.deals.write")
	r = call(t, srv, other, "POST", "/crm/v3/objects/tasks", map[string]any{"properties": map[string]any{"hs_timestamp": "1772357400000"}})
	wantStatus(t, r, 403)
}
