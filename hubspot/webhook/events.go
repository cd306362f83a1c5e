package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Event is one event of a HubSpot webhook delivery (the body is a JSON
// array of them). Fields that an event type does not use are zero; Raw
// keeps the event as received, for fields this type does not name.
type Event struct {
	EventID          int64     // eventId
	SubscriptionID   int64     // subscriptionId
	PortalID         int64     // portalId: the HubSpot account
	AppID            int64     // appId
	OccurredAt       time.Time // occurredAt (sent in milliseconds since the epoch)
	SubscriptionType string    // subscriptionType, e.g. "contact.propertyChange", "object.creation"
	AttemptNumber    int       // attemptNumber: 0 for the first delivery
	ObjectID         int64     // objectId
	ObjectTypeID     string    // objectTypeId, e.g. "0-1" (generic webhooks)
	PropertyName     string    // propertyName (property changes)
	PropertyValue    string    // propertyValue (property changes)
	ChangeSource     string    // changeSource, e.g. "CRM_UI", "API"
	ChangeFlag       string    // changeFlag, e.g. "NEW", "CREATED"
	SourceID         string    // sourceId, e.g. "userId:123"
	MessageID        string    // messageId (conversation events)
	MessageType      string    // messageType (conversation events)
	IsSensitive      bool      // isSensitive: the property is sensitive data

	// Merges.
	PrimaryObjectID         int64   // primaryObjectId
	MergedObjectIDs         []int64 // mergedObjectIds
	NewObjectID             int64   // newObjectId
	NumberOfPropertiesMoved int     // numberOfPropertiesMoved

	// Association changes.
	AssociationType      string // associationType, e.g. "CONTACT_TO_COMPANY"
	AssociationCategory  string // associationCategory
	AssociationTypeID    int64  // associationTypeId
	FromObjectID         int64  // fromObjectId
	ToObjectID           int64  // toObjectId
	FromObjectTypeID     string // fromObjectTypeId
	ToObjectTypeID       string // toObjectTypeId
	AssociationRemoved   bool   // associationRemoved
	IsPrimaryAssociation bool   // isPrimaryAssociation

	// Raw is the event's JSON object as received.
	Raw json.RawMessage
}

// wireEvent is the JSON shape. Numbers are read leniently (a number or a
// numeric string), since HubSpot's payloads are not uniform about it.
type wireEvent struct {
	EventID                 flexInt    `json:"eventId"`
	SubscriptionID          flexInt    `json:"subscriptionId"`
	PortalID                flexInt    `json:"portalId"`
	AppID                   flexInt    `json:"appId"`
	OccurredAt              flexInt    `json:"occurredAt"`
	SubscriptionType        string     `json:"subscriptionType"`
	AttemptNumber           flexInt    `json:"attemptNumber"`
	ObjectID                flexInt    `json:"objectId"`
	ObjectTypeID            flexString `json:"objectTypeId"`
	PropertyName            string     `json:"propertyName"`
	PropertyValue           flexString `json:"propertyValue"`
	ChangeSource            string     `json:"changeSource"`
	ChangeFlag              string     `json:"changeFlag"`
	SourceID                flexString `json:"sourceId"`
	MessageID               flexString `json:"messageId"`
	MessageType             string     `json:"messageType"`
	IsSensitive             bool       `json:"isSensitive"`
	PrimaryObjectID         flexInt    `json:"primaryObjectId"`
	MergedObjectIDs         []flexInt  `json:"mergedObjectIds"`
	NewObjectID             flexInt    `json:"newObjectId"`
	NumberOfPropertiesMoved flexInt    `json:"numberOfPropertiesMoved"`
	AssociationType         string     `json:"associationType"`
	AssociationCategory     string     `json:"associationCategory"`
	AssociationTypeID       flexInt    `json:"associationTypeId"`
	FromObjectID            flexInt    `json:"fromObjectId"`
	ToObjectID              flexInt    `json:"toObjectId"`
	FromObjectTypeID        flexString `json:"fromObjectTypeId"`
	ToObjectTypeID          flexString `json:"toObjectTypeId"`
	AssociationRemoved      bool       `json:"associationRemoved"`
	IsPrimaryAssociation    bool       `json:"isPrimaryAssociation"`
}

// flexInt reads a JSON integer, a numeric string, or null.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("not an integer")
	}
	*f = flexInt(n)
	return nil
}

// flexString reads a JSON string, or a number or boolean as its text, or
// null.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "true" || string(b) == "false":
		*f = flexString(b)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("not a string, number or boolean")
		}
		*f = flexString(n)
	}
	return nil
}

// UnmarshalJSON decodes one event from HubSpot's JSON.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = Event{
		EventID:                 int64(w.EventID),
		SubscriptionID:          int64(w.SubscriptionID),
		PortalID:                int64(w.PortalID),
		AppID:                   int64(w.AppID),
		SubscriptionType:        w.SubscriptionType,
		AttemptNumber:           int(w.AttemptNumber),
		ObjectID:                int64(w.ObjectID),
		ObjectTypeID:            string(w.ObjectTypeID),
		PropertyName:            w.PropertyName,
		PropertyValue:           string(w.PropertyValue),
		ChangeSource:            w.ChangeSource,
		ChangeFlag:              w.ChangeFlag,
		SourceID:                string(w.SourceID),
		MessageID:               string(w.MessageID),
		MessageType:             w.MessageType,
		IsSensitive:             w.IsSensitive,
		PrimaryObjectID:         int64(w.PrimaryObjectID),
		NewObjectID:             int64(w.NewObjectID),
		NumberOfPropertiesMoved: int(w.NumberOfPropertiesMoved),
		AssociationType:         w.AssociationType,
		AssociationCategory:     w.AssociationCategory,
		AssociationTypeID:       int64(w.AssociationTypeID),
		FromObjectID:            int64(w.FromObjectID),
		ToObjectID:              int64(w.ToObjectID),
		FromObjectTypeID:        string(w.FromObjectTypeID),
		ToObjectTypeID:          string(w.ToObjectTypeID),
		AssociationRemoved:      w.AssociationRemoved,
		IsPrimaryAssociation:    w.IsPrimaryAssociation,
		Raw:                     append(json.RawMessage(nil), b...),
	}
	if w.OccurredAt != 0 {
		e.OccurredAt = time.UnixMilli(int64(w.OccurredAt)).UTC()
	}
	for _, id := range w.MergedObjectIDs {
		e.MergedObjectIDs = append(e.MergedObjectIDs, int64(id))
	}
	return nil
}

// MaxEvents bounds how many events ParseEvents accepts in one delivery.
// HubSpot sends at most 100; the bound keeps a hostile body from costing
// more than its size.
const MaxEvents = 1000

// ParseEvents decodes a webhook delivery body: a JSON array of events.
// Its errors say what is wrong and where (event index, byte offset), never
// quoting the body.
func ParseEvents(body []byte) ([]Event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("webhook: the body is not JSON (error at byte %d)", dec.InputOffset())
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("webhook: the body is not a JSON array of events")
	}
	var events []Event
	for dec.More() {
		if len(events) == MaxEvents {
			return nil, fmt.Errorf("webhook: more than %d events in one delivery", MaxEvents)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("webhook: event %d is not valid JSON (error at byte %d)", len(events), dec.InputOffset())
		}
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			return nil, fmt.Errorf("webhook: event %d is not a JSON object", len(events))
		}
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("webhook: event %d: field %s is a JSON %s, not what HubSpot sends", len(events), te.Field, te.Value)
			}
			return nil, fmt.Errorf("webhook: event %d has a field of the wrong type", len(events))
		}
		events = append(events, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("webhook: the event array is not closed (error at byte %d)", dec.InputOffset())
	}
	if dec.More() {
		return nil, errors.New("webhook: data after the event array")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("webhook: data after the event array")
	}
	return events, nil
}

// EventsFunc handles the events of one verified delivery. Returning an
// error answers 500, and HubSpot retries the delivery later.
type EventsFunc func(ctx context.Context, events []Event) error

// Handler returns an http.Handler for HubSpot webhook deliveries: it
// accepts only POST (405 otherwise), verifies the signature with v (401,
// or 413 for a body over the limit, with a text body naming the reason),
// decodes the events (400 when the body is not an event array), and calls
// fn; a nil error answers 204.
func Handler(v *Verifier, fn EventsFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeText(w, http.StatusMethodNotAllowed, "webhook deliveries are POST requests")
			return
		}
		if _, err := v.Verify(r); err != nil {
			status, msg := http.StatusUnauthorized, "signature rejected"
			var e *Error
			if errors.As(err, &e) {
				status, msg = e.StatusCode(), "signature rejected: "+string(e.Reason)
			}
			writeText(w, status, msg)
			return
		}
		body, err := readAll(r)
		if err != nil {
			writeText(w, http.StatusBadRequest, "cannot read the body")
			return
		}
		events, err := ParseEvents(body)
		if err != nil {
			writeText(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := fn(r.Context(), events); err != nil {
			writeText(w, http.StatusInternalServerError, "the events could not be handled")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func readAll(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}
