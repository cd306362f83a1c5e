package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestActivitiesLogWithDefaultAssociations(t *testing.T) {
	srv := hubspottest.NewServer(t)
	// The contacts scopes are all an activity needs, as HubSpot's specs
	// say; the company and deal are read to list their links.
	c, _, _ := newClient(t, srv, []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read", "crm.objects.deals.read"})
	ctx := context.Background()
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0]
	company := srv.Seed("companies", map[string]string{"name": "Acme"})[0]
	deal := srv.Seed("deals", map[string]string{"dealname": "Big"})[0]
	when := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

	for _, tc := range []struct {
		s                      *hubspot.ActivityService
		body                   string
		toContact, fromContact int // HubSpot's default association type IDs
		extra                  hubspot.Properties
	}{
		{c.Notes, "hs_note_body", 202, 201, nil},
		{c.Calls, "hs_call_body", 194, 193, hubspot.Properties{"hs_call_direction": "OUTBOUND"}},
		{c.Emails, "hs_email_text", 198, 197, hubspot.Properties{"hs_email_subject": "Hello"}},
		{c.Meetings, "hs_meeting_body", 200, 199, nil},
		{c.Tasks, "hs_task_body", 204, 203, hubspot.Properties{"hs_task_subject": "Call back", "hs_task_status": "NOT_STARTED"}},
		{c.Communications, "hs_communication_body", 81, 82, hubspot.Properties{"hs_communication_channel_type": "SMS"}},
		{c.PostalMail, "hs_postal_mail_body", 453, 454, nil},
	} {
		typ := tc.s.ObjectType()
		t.Run(typ, func(t *testing.T) {
			o, err := tc.s.Log(ctx, hubspot.Activity{
				Timestamp:  when,
				Body:       "About the " + typ,
				OwnerID:    "",
				Properties: tc.extra,
				With:       []hubspot.RecordRef{{Type: "contacts", ID: contact.ID}, {Type: "company", ID: company.ID}, {Type: "0-3", ID: deal.ID}},
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := tc.s.Get(ctx, o.ID, &hubspot.GetOptions{Properties: append(tc.s.SharedProperties(), "hs_task_subject")})
			if err != nil {
				t.Fatal(err)
			}
			a, err := tc.s.Activity(got)
			if err != nil || !a.Timestamp.Equal(when) || a.Body != "About the "+typ || got.Properties[tc.body] != a.Body {
				t.Fatalf("read back %+v (%v) from %v", a, err, got.Properties)
			}
			if _, ok := a.Properties[tc.body]; ok {
				t.Errorf("the body is in Properties too: %v", a.Properties)
			}
			// Linked both ways, with HubSpot's default types.
			from, err := c.Associations.List(ctx, typ, o.ID, "contacts", nil)
			if err != nil || len(from.Results) != 1 || from.Results[0].ID != contact.ID || !from.Results[0].HasType(tc.toContact) {
				t.Fatalf("%s to contacts: %+v, %v", typ, from, err)
			}
			back, err := c.Associations.List(ctx, "contacts", contact.ID, typ, nil)
			if err != nil || len(back.Results) != 1 || back.Results[0].ID != o.ID || !back.Results[0].HasType(tc.fromContact) {
				t.Fatalf("contacts to %s: %+v, %v", typ, back, err)
			}
			for _, to := range []string{"companies", "deals"} {
				p, err := c.Associations.List(ctx, to, map[string]string{"companies": company.ID, "deals": deal.ID}[to], typ, nil)
				if err != nil || len(p.Results) != 1 || p.Results[0].ID != o.ID {
					t.Errorf("%s to %s: %+v, %v", to, typ, p, err)
				}
			}
		})
	}
}

func TestActivitiesLogSaysWhatIsWrong(t *testing.T) {
	srv := hubspottest.NewServer(t)
	c, _, _ := newClient(t, srv, nil)
	ctx := context.Background()
	now := time.Now()
	for _, tc := range []struct {
		name string
		a    hubspot.Activity
		want string
	}{
		{"no timestamp", hubspot.Activity{Body: "x"}, "no Timestamp"},
		{"a field twice", hubspot.Activity{Timestamp: now, Body: "x", Properties: hubspot.Properties{"hs_note_body": "y"}}, "sets hs_note_body"},
		{"no default type", hubspot.Activity{Timestamp: now, With: []hubspot.RecordRef{{Type: "line_items", ID: "1"}}}, "no default association type from notes to \"line_items\""},
		{"no ID", hubspot.Activity{Timestamp: now, With: []hubspot.RecordRef{{Type: "contacts"}}}, "With[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Notes.Log(ctx, tc.a)
			if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrValidation saying %q", err, tc.want)
			}
		})
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("%d calls sent for activities that break the rules", n)
	}

	// HubSpot's own answers: an activity needs hs_timestamp, and a record
	// to link that does not exist fails the create.
	_, err := c.Notes.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"hs_note_body": "no time"}})
	var he *hubspot.Error
	if !errors.Is(err, hubspot.ErrValidation) || !errors.As(err, &he) || !strings.Contains(he.Message, "hs_timestamp") {
		t.Errorf("a note without hs_timestamp: %v", err)
	}
	_, err = c.Tasks.Log(ctx, hubspot.Activity{Timestamp: now, With: []hubspot.RecordRef{{Type: "contacts", ID: "404"}}})
	if !errors.Is(err, hubspot.ErrValidation) {
		t.Errorf("a task linked to a missing contact: %v", err)
	}
	if got := len(srv.Objects("tasks")); got != 0 {
		t.Errorf("%d tasks stored after a failed create", got)
	}
}

// Log records an activity against a contact with HubSpot's default
// association type; Activity reads the shared fields back.
func ExampleActivityService_Log() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	contact := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0]
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write"))),
		hubspot.WithBaseURL(srv.URL()),
	)
	defer c.Close()
	ctx := context.Background()

	note, err := c.Notes.Log(ctx, hubspot.Activity{
		Timestamp: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
		Body:      "Asked for a quote",
		With:      []hubspot.RecordRef{{Type: "contacts", ID: contact.ID}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := c.Notes.Get(ctx, note.ID, &hubspot.GetOptions{Properties: c.Notes.SharedProperties()})
	a, _ := c.Notes.Activity(got)
	fmt.Println(a.Timestamp.Format(time.RFC3339), a.Body)
	links, _ := c.Associations.List(ctx, "contacts", contact.ID, "notes", nil)
	fmt.Println(len(links.Results), links.Results[0].ID == note.ID)
	// Output:
	// 2026-03-01T09:30:00Z Asked for a quote
	// 1 true
}
