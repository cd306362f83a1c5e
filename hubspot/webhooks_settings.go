package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// WebhooksService manages an app's webhook settings and event
// subscriptions through HubSpot's Webhooks API v3, which authenticates with
// the developer API key (WithDeveloperKey), never with the bearer token.
//
// An app is named by its numeric app ID, an int64: HubSpot documents it as
// an integer path parameter, the same number its webhook events carry as
// appId. A typed integer cannot carry a slash, a query or an escape into
// the path, so the one check a call needs is that it is positive, and
// int64 leaves room beyond the 32 bits HubSpot's specification states.
// Subscription IDs are int64 for the same reasons; HubSpot sends them as
// JSON strings or numbers, and both are read.
//
// HubSpot reference:
// https://developers.hubspot.com/docs/api-reference/legacy/webhooks/settings/get-setting
type WebhooksService struct {
	client *Client
}

// WebhookSettings is where and how fast HubSpot delivers an app's webhook
// events.
type WebhookSettings struct {
	// TargetURL is the HTTPS URL HubSpot POSTs event batches to; an app has
	// one.
	TargetURL string `json:"targetUrl"`
	// Throttling limits the deliveries.
	Throttling WebhookThrottling `json:"throttling"`
	// CreatedAt and UpdatedAt are set by HubSpot; UpdateSettings ignores
	// them.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// WebhookThrottling limits how many requests HubSpot makes to the target
// URL.
type WebhookThrottling struct {
	// MaxConcurrentRequests is the most requests HubSpot has in flight to
	// the target URL at once; at least 6 (HubSpot: "a number greater than
	// five"). HubSpot's current reference has no throttling period.
	MaxConcurrentRequests int `json:"maxConcurrentRequests"`
}

// UnmarshalJSON reads HubSpot's settings, whose timestamps are RFC 3339
// strings or milliseconds since the Unix epoch.
func (s *WebhookSettings) UnmarshalJSON(b []byte) error {
	var w struct {
		TargetURL  string            `json:"targetUrl"`
		Throttling WebhookThrottling `json:"throttling"`
		CreatedAt  flexTime          `json:"createdAt"`
		UpdatedAt  flexTime          `json:"updatedAt"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = WebhookSettings{TargetURL: w.TargetURL, Throttling: w.Throttling, CreatedAt: time.Time(w.CreatedAt), UpdatedAt: time.Time(w.UpdatedAt)}
	return nil
}

// WebhookSubscription is an app's subscription to one kind of event.
type WebhookSubscription struct {
	// ID identifies the subscription within the app.
	ID int64 `json:"id"`
	// EventType is the event, as "object.kind": "contact.creation",
	// "deal.propertyChange", "company.merge", "conversation.newMessage"...
	EventType string `json:"eventType"`
	// PropertyName is the property a propertyChange subscription watches.
	PropertyName string `json:"propertyName,omitempty"`
	// Active reports whether events are delivered; HubSpot creates
	// subscriptions paused unless asked otherwise.
	Active bool `json:"active"`
	// ObjectTypeID is the CRM object type ("0-1"), when HubSpot sends it.
	ObjectTypeID string `json:"objectTypeId,omitempty"`
	// CreatedBy is the ID of the user who created it, when HubSpot sends
	// it.
	CreatedBy int64     `json:"createdBy,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// UnmarshalJSON reads a subscription as HubSpot sends it: the ID as a
// string or a number, timestamps as RFC 3339 strings or milliseconds since
// the Unix epoch.
func (s *WebhookSubscription) UnmarshalJSON(b []byte) error {
	var w struct {
		ID           flexID   `json:"id"`
		EventType    string   `json:"eventType"`
		PropertyName string   `json:"propertyName"`
		Active       bool     `json:"active"`
		ObjectTypeID string   `json:"objectTypeId"`
		CreatedBy    flexID   `json:"createdBy"`
		CreatedAt    flexTime `json:"createdAt"`
		UpdatedAt    flexTime `json:"updatedAt"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = WebhookSubscription{
		ID: int64(w.ID), EventType: w.EventType, PropertyName: w.PropertyName, Active: w.Active,
		ObjectTypeID: w.ObjectTypeID, CreatedBy: int64(w.CreatedBy),
		CreatedAt: time.Time(w.CreatedAt), UpdatedAt: time.Time(w.UpdatedAt),
	}
	return nil
}

// WebhookSubscriptionInput is a subscription to create.
type WebhookSubscriptionInput struct {
	// EventType is the event, as "object.kind" ("contact.creation"). Required.
	EventType string `json:"eventType"`
	// PropertyName is required for a propertyChange event type, and must be
	// empty for any other.
	PropertyName string `json:"propertyName,omitempty"`
	// Active starts the subscription delivering at once; HubSpot's default
	// is paused.
	Active bool `json:"active"`
}

// WebhookSubscriptionUpdate activates or pauses one subscription in a
// batch.
type WebhookSubscriptionUpdate struct {
	ID     int64 `json:"id"`
	Active bool  `json:"active"`
}

func (s *WebhooksService) check(what string, appID int64) error {
	if s == nil || s.client == nil {
		return errors.New("hubspot: the WebhooksService was not made by New")
	}
	if s.client.devKey == nil {
		return ErrNoDeveloperKey
	}
	if appID <= 0 {
		return errorf("webhooks %s: app ID must be positive, got %d", what, appID)
	}
	return nil
}

func checkSubscriptionID(what string, id int64) error {
	if id <= 0 {
		return errorf("webhooks %s: subscription ID must be positive, got %d", what, id)
	}
	return nil
}

// appParams are the path parameters of a call on the app appID.
func appParams(appID int64) map[string]string {
	return map[string]string{"appId": strconv.FormatInt(appID, 10)}
}

// subscriptionParams are the path parameters of a call on one
// subscription of the app appID.
func subscriptionParams(appID, subscriptionID int64) map[string]string {
	return map[string]string{"appId": strconv.FormatInt(appID, 10), "subscriptionId": strconv.FormatInt(subscriptionID, 10)}
}

// GetSettings returns the app's webhook settings. An app that has none
// yields an error matching ErrNotFound.
//
// HubSpot: GET /webhooks/v3/{appId}/settings.
func (s *WebhooksService) GetSettings(ctx context.Context, appID int64) (*WebhookSettings, error) {
	if err := s.check("GetSettings", appID); err != nil {
		return nil, err
	}
	out := new(WebhookSettings)
	if _, err := s.client.call(ctx, opWebhookSettingsGet, appParams(appID), nil, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSettings sets the app's target URL and throttling, replacing what
// was there, and returns the settings as HubSpot stored them. The target
// URL must be an absolute https URL; Throttling needs at least 6
// requests. CreatedAt and UpdatedAt are ignored.
//
// HubSpot: PUT /webhooks/v3/{appId}/settings.
func (s *WebhooksService) UpdateSettings(ctx context.Context, appID int64, settings WebhookSettings) (*WebhookSettings, error) {
	if err := s.check("UpdateSettings", appID); err != nil {
		return nil, err
	}
	if err := validateTargetURL(settings.TargetURL); err != nil {
		return nil, err
	}
	th := settings.Throttling
	if th.MaxConcurrentRequests < endpoints.MinWebhookConcurrency {
		return nil, errorf("webhooks UpdateSettings: throttling.maxConcurrentRequests must be at least %d (HubSpot: greater than five), got %d", endpoints.MinWebhookConcurrency, th.MaxConcurrentRequests)
	}
	in := struct {
		TargetURL  string            `json:"targetUrl"`
		Throttling WebhookThrottling `json:"throttling"`
	}{settings.TargetURL, th}
	out := new(WebhookSettings)
	if _, err := s.client.call(ctx, opWebhookSettingsUpdate, appParams(appID), nil, in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// validateTargetURL checks a webhook target URL without quoting it whole in
// the error: such URLs sometimes carry a token of their own.
func validateTargetURL(raw string) error {
	if raw == "" {
		return errorf("webhooks UpdateSettings: targetUrl is empty")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errorf("webhooks UpdateSettings: targetUrl does not parse as a URL")
	case u.Scheme != "https":
		return errorf("webhooks UpdateSettings: targetUrl %q must be an absolute https URL (HubSpot delivers only over HTTPS)", sanitizeURL(raw))
	case u.Hostname() == "":
		return errorf("webhooks UpdateSettings: targetUrl %q has no host", sanitizeURL(raw))
	}
	return nil
}

// DeleteSettings removes the app's webhook settings.
//
// HubSpot: DELETE /webhooks/v3/{appId}/settings.
func (s *WebhooksService) DeleteSettings(ctx context.Context, appID int64) error {
	if err := s.check("DeleteSettings", appID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opWebhookSettingsDelete, appParams(appID), nil, nil, nil)
	return err
}

// ListSubscriptions returns the app's event subscriptions (at most 1,000,
// HubSpot's limit per app, all in one answer).
//
// HubSpot: GET /webhooks/v3/{appId}/subscriptions.
func (s *WebhooksService) ListSubscriptions(ctx context.Context, appID int64) ([]WebhookSubscription, error) {
	if err := s.check("ListSubscriptions", appID); err != nil {
		return nil, err
	}
	var out subscriptionList
	if _, err := s.client.call(ctx, opSubscriptionsList, appParams(appID), nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// subscriptionList reads {"results": [...]} as the v3 API answers, or the
// bare array its older documentation shows.
type subscriptionList []WebhookSubscription

func (l *subscriptionList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]WebhookSubscription)(l))
	}
	var w struct {
		Results []WebhookSubscription `json:"results"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = w.Results
	return nil
}

// GetSubscription returns one subscription; an unknown ID yields an error
// matching ErrNotFound.
//
// HubSpot: GET /webhooks/v3/{appId}/subscriptions/{subscriptionId}.
func (s *WebhooksService) GetSubscription(ctx context.Context, appID, subscriptionID int64) (*WebhookSubscription, error) {
	if err := s.check("GetSubscription", appID); err != nil {
		return nil, err
	}
	if err := checkSubscriptionID("GetSubscription", subscriptionID); err != nil {
		return nil, err
	}
	out := new(WebhookSubscription)
	if _, err := s.client.call(ctx, opSubscriptionsGet, subscriptionParams(appID, subscriptionID), nil, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateSubscription subscribes the app to an event type and returns the
// new subscription (201). HubSpot checks the event type against the ones
// it offers; it refuses a subscription past 1,000, its limit per app.
//
// HubSpot: POST /webhooks/v3/{appId}/subscriptions.
func (s *WebhooksService) CreateSubscription(ctx context.Context, appID int64, in WebhookSubscriptionInput) (*WebhookSubscription, error) {
	if err := s.check("CreateSubscription", appID); err != nil {
		return nil, err
	}
	obj, kind, ok := strings.Cut(in.EventType, ".")
	if !ok || obj == "" || kind == "" || strings.ContainsAny(in.EventType, " \t\r\n/?#") {
		return nil, errorf("webhooks CreateSubscription: eventType %q is not of the form object.kind (such as \"contact.creation\")", in.EventType)
	}
	switch {
	case kind == "propertyChange" && in.PropertyName == "":
		return nil, errorf("webhooks CreateSubscription: a %s subscription needs a propertyName", in.EventType)
	case kind != "propertyChange" && in.PropertyName != "":
		return nil, errorf("webhooks CreateSubscription: propertyName %q applies only to propertyChange event types, not %s", in.PropertyName, in.EventType)
	}
	out := new(WebhookSubscription)
	if _, err := s.client.call(ctx, opSubscriptionsCreate, appParams(appID), nil, in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateSubscription activates (active true) or pauses a subscription and
// returns it.
//
// HubSpot: PATCH /webhooks/v3/{appId}/subscriptions/{subscriptionId}.
func (s *WebhooksService) UpdateSubscription(ctx context.Context, appID, subscriptionID int64, active bool) (*WebhookSubscription, error) {
	if err := s.check("UpdateSubscription", appID); err != nil {
		return nil, err
	}
	if err := checkSubscriptionID("UpdateSubscription", subscriptionID); err != nil {
		return nil, err
	}
	in := struct {
		Active bool `json:"active"`
	}{active}
	out := new(WebhookSubscription)
	if _, err := s.client.call(ctx, opSubscriptionsUpdate, subscriptionParams(appID, subscriptionID), nil, in, out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSubscription deletes a subscription; an unknown ID yields an error
// matching ErrNotFound.
//
// HubSpot: DELETE /webhooks/v3/{appId}/subscriptions/{subscriptionId}.
func (s *WebhooksService) DeleteSubscription(ctx context.Context, appID, subscriptionID int64) error {
	if err := s.check("DeleteSubscription", appID); err != nil {
		return err
	}
	if err := checkSubscriptionID("DeleteSubscription", subscriptionID); err != nil {
		return err
	}
	_, err := s.client.call(ctx, opSubscriptionsDelete, subscriptionParams(appID, subscriptionID), nil, nil, nil)
	return err
}

// BatchUpdateSubscriptions activates or pauses several subscriptions in one
// call and accounts for each: Items[i] is the outcome of updates[i], the
// subscription as updated or an error (a *Error from HubSpot, matching
// ErrNotFound for an unknown subscription, the error of the request, or
// ErrNotInResponse). When any input failed (HubSpot answers 207 with the
// errors), the result comes with a *BatchError. An ID may appear once; at
// most 1,000 updates (HubSpot's limit of subscriptions per app) fit one
// call.
//
// HubSpot: POST /webhooks/v3/{appId}/subscriptions/batch/update.
func (s *WebhooksService) BatchUpdateSubscriptions(ctx context.Context, appID int64, updates []WebhookSubscriptionUpdate) (*BatchResult[WebhookSubscription], error) {
	const what = "webhooks batch update"
	if err := s.check("BatchUpdateSubscriptions", appID); err != nil {
		return nil, err
	}
	if len(updates) > endpoints.MaxWebhookSubscriptions {
		return nil, errorf("%s: %d updates; an app has at most %d subscriptions", what, len(updates), endpoints.MaxWebhookSubscriptions)
	}
	index := make(map[int64]int, len(updates))
	for i, u := range updates {
		if err := checkSubscriptionID(fmt.Sprintf("BatchUpdateSubscriptions input %d", i), u.ID); err != nil {
			return nil, err
		}
		if j, dup := index[u.ID]; dup {
			return nil, errorf("%s: input %d repeats subscription %d (first at input %d)", what, i, u.ID, j)
		}
		index[u.ID] = i
	}
	return runBatch(ctx, s.client, batchSpec[WebhookSubscription, WebhookSubscription]{
		what: what, op: opSubscriptionsBatch, params: appParams(appID), n: len(updates),
		body: func(lo, hi int) any {
			return struct {
				Inputs []WebhookSubscriptionUpdate `json:"inputs"`
			}{updates[lo:hi]}
		},
		keys: func(ks []batchKey, i int) []batchKey {
			return append(ks, batchKey{'i', strconv.FormatInt(updates[i].ID, 10)})
		},
		resultKeys: func(ks []batchKey, r *WebhookSubscription) []batchKey {
			return append(ks, batchKey{'i', strconv.FormatInt(r.ID, 10)})
		},
		errorKeys: func(ks []batchKey, e *Error) []batchKey {
			for _, id := range e.Context["ids"] {
				ks = append(ks, batchKey{'i', idKey(id)})
			}
			return ks
		},
		value: func(r *WebhookSubscription) WebhookSubscription { return *r },
	})
}

// flexID reads an integer ID sent as a JSON number or string; null and ""
// are 0.
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	switch {
	case s == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &shapeError{fmt.Sprintf("an ID of %d bytes is not an integer", len(s))}
	}
	*f = flexID(n)
	return nil
}

// flexTime reads a timestamp sent as an RFC 3339 string, or as
// milliseconds since the Unix epoch in a number or a string; null and ""
// are the zero time.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	switch {
	case s == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*f = flexTime(t)
			return nil
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &shapeError{fmt.Sprintf("a timestamp of %d bytes is neither RFC 3339 nor milliseconds since the epoch", len(s))}
	}
	*f = flexTime(time.UnixMilli(ms).UTC())
	return nil
}
