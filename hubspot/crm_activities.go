package hubspot

import (
	"context"
	"fmt"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// The properties every activity type shares.
const (
	activityTimestamp = "hs_timestamp"
	activityOwner     = "hubspot_owner_id"
)

// ActivityService is a typed view of one activity type (notes, calls,
// emails, meetings, tasks, communications, postal mail): the Client's
// Notes, Calls, Emails, Meetings, Tasks, Communications and PostalMail.
// Activities are CRM objects, so every ObjectService method works on
// them (Get, List, All, Search, the batch calls, Archive); Log creates one
// from the fields every type shares and links it to records with
// HubSpot's default association types. Reading and writing activities
// needs the contacts scopes (crm.objects.contacts.read and .write), as
// HubSpot's activity specs say.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/crm-notes-v3/guide
// (and crm-calls-v3, crm-emails-v3, crm-meetings-v3, crm-tasks-v3,
// crm-communications-v3, crm-postal-mail-v3).
type ActivityService struct {
	*ObjectService
	body string // the type's body property
}

// Activity is what every activity type shares, for Log and as
// ActivityService.Activity reads it back.
type Activity struct {
	// Timestamp is when the activity happened (a task's due date):
	// hs_timestamp, which HubSpot requires to create one.
	Timestamp time.Time
	// Body is the type's text: hs_note_body, hs_call_body, hs_email_text,
	// hs_meeting_body, hs_task_body, hs_communication_body or
	// hs_postal_mail_body.
	Body string
	// OwnerID is the owner (hubspot_owner_id), an ID from Owners.
	OwnerID string
	// Properties are the type's other properties, such as
	// hs_call_direction or hs_task_subject. They must not set the
	// properties of the fields above.
	Properties Properties
	// With lists the records (contacts, companies, deals, tickets) Log
	// associates the new activity with, each by HubSpot's default
	// association type from the activity's type to the record's.
	With []RecordRef
}

// RecordRef names a CRM record: its object type ("contacts", "0-1") and
// ID.
type RecordRef struct {
	Type, ID string
}

func (c *Client) activities(objectType, body string) *ActivityService {
	return &ActivityService{ObjectService: c.Objects(objectType), body: body}
}

// SharedProperties returns the names of the properties Activity reads
// (timestamp, body, owner), to ask for in GetOptions, ListOptions or a
// SearchRequest, since HubSpot returns only a few by default.
func (s *ActivityService) SharedProperties() []string {
	return []string{activityTimestamp, s.body, activityOwner}
}

// Log creates an activity and returns it as HubSpot stored it (201). Its
// associations are created with it, in the same request. A missing
// Timestamp, a field that Properties also sets, or a record type to
// which HubSpot defines no default association type is an error matching
// ErrValidation, and nothing is sent.
//
// HubSpot: POST /crm/v3/objects/{objectType} (https://developers.hubspot.com/docs/api-reference/crm-notes-v3/guide).
func (s *ActivityService) Log(ctx context.Context, a Activity) (*Object, error) {
	if s.err != nil {
		return nil, s.err
	}
	what := s.objectType + " Log"
	if a.Timestamp.IsZero() {
		return nil, errorf("%s: no Timestamp; HubSpot requires %s to create an activity", what, activityTimestamp)
	}
	props := make(Properties, len(a.Properties)+3)
	for k, v := range a.Properties {
		props[k] = v
	}
	for _, f := range []struct{ name, v string }{
		{activityTimestamp, TimeValue(a.Timestamp)}, {s.body, a.Body}, {activityOwner, a.OwnerID},
	} {
		if f.v == "" {
			continue
		}
		if _, dup := a.Properties[f.name]; dup {
			return nil, errorf("%s: Properties sets %s, which a field of Activity sets too", what, f.name)
		}
		props[f.name] = f.v
	}
	in := ObjectInput{Properties: props}
	for i, r := range a.With {
		if err := checkID(fmt.Sprintf("%s: With[%d]", what, i), r.ID); err != nil {
			return nil, err
		}
		t, ok := endpoints.DefaultAssociationType(s.objectType, r.Type)
		if !ok {
			return nil, errorf("%s: With[%d]: HubSpot defines no default association type from %s to %q", what, i, s.objectType, r.Type)
		}
		in.Associations = append(in.Associations, AssociationInput{
			To:    ObjectRef{ID: r.ID},
			Types: []AssociationType{{Category: "HUBSPOT_DEFINED", TypeID: t.ID}},
		})
	}
	return s.Create(ctx, in)
}

// Activity reads the shared fields of o, a record of the service's type
// read with SharedProperties (a field whose property o lacks is left
// zero); Properties holds o's other properties and With is empty. A
// timestamp that is not one is an error.
func (s *ActivityService) Activity(o *Object) (Activity, error) {
	a := Activity{Body: o.Properties[s.body], OwnerID: o.Properties[activityOwner], Properties: Properties{}}
	if v := o.Properties[activityTimestamp]; v != "" {
		t, err := o.Properties.Time(activityTimestamp)
		if err != nil {
			return Activity{}, fmt.Errorf("hubspot: %s %s: %w", s.objectType, o.ID, err)
		}
		a.Timestamp = t
	}
	for k, v := range o.Properties {
		if k != activityTimestamp && k != s.body && k != activityOwner {
			a.Properties[k] = v
		}
	}
	return a, nil
}
