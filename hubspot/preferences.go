package hubspot

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
)

// SubscriptionType is an email subscription type of the account (HubSpot's
// subscription definition): what a contact subscribes to or unsubscribes
// from.
type SubscriptionType struct {
	ID                  string    `json:"id"`
	Name                string    `json:"name"`
	Description         string    `json:"description"`
	Purpose             string    `json:"purpose,omitempty"`
	CommunicationMethod string    `json:"communicationMethod,omitempty"`
	Active              bool      `json:"isActive"`
	Default             bool      `json:"isDefault"`
	Internal            bool      `json:"isInternal"`
	BusinessUnitID      int64     `json:"businessUnitId,omitempty"`
	CreatedAt           time.Time `json:"createdAt,omitzero"`
	UpdatedAt           time.Time `json:"updatedAt,omitzero"`
}

// Subscription statuses.
const (
	StatusSubscribed   = "SUBSCRIBED"
	StatusUnsubscribed = "UNSUBSCRIBED"
	StatusNotSpecified = "NOT_SPECIFIED"
)

// SubscriptionStatus is an email address's status for one subscription
// type.
type SubscriptionStatus struct {
	SubscriptionID   string
	SubscriptionName string
	// Status is StatusSubscribed, StatusUnsubscribed or
	// StatusNotSpecified.
	Status                string
	Email                 string
	LegalBasis            string
	LegalBasisExplanation string
	Source                string
	Timestamp             time.Time
	// Reason says what a change did: REQUESTED_CHANGE_OCCURRED,
	// NO_STATUS_CHANGE, ...; empty in a read.
	Reason string
}

type wireSubStatus struct {
	SubscriptionID        int64     `json:"subscriptionId"`
	SubscriptionName      string    `json:"subscriptionName"`
	Status                string    `json:"status"`
	Subscriber            string    `json:"subscriberIdString"`
	LegalBasis            string    `json:"legalBasis"`
	LegalBasisExplanation string    `json:"legalBasisExplanation"`
	Source                string    `json:"source"`
	Timestamp             time.Time `json:"timestamp"`
	Reason                string    `json:"setStatusSuccessReason"`
}

func (w *wireSubStatus) status() SubscriptionStatus {
	return SubscriptionStatus{SubscriptionID: strconv.FormatInt(w.SubscriptionID, 10), SubscriptionName: w.SubscriptionName, Status: w.Status,
		Email: w.Subscriber, LegalBasis: w.LegalBasis, LegalBasisExplanation: w.LegalBasisExplanation, Source: w.Source, Timestamp: w.Timestamp, Reason: w.Reason}
}

// PreferenceOptions scopes a call to a business unit (brand).
type PreferenceOptions struct {
	// BusinessUnitID is the business unit; 0 for the account's default.
	BusinessUnitID int64
}

func (o *PreferenceOptions) query(channel bool) url.Values {
	q := url.Values{}
	if channel {
		q.Set("channel", "EMAIL")
	}
	if o != nil && o.BusinessUnitID > 0 {
		q.Set("businessUnitId", strconv.FormatInt(o.BusinessUnitID, 10))
	}
	return q
}

// StatusChange is the legal basis HubSpot records with a status change;
// accounts with GDPR features on require one to subscribe.
type StatusChange struct {
	// LegalBasis is one of HubSpot's bases: CONSENT_WITH_NOTICE,
	// LEGITIMATE_INTEREST_CLIENT, LEGITIMATE_INTEREST_OTHER,
	// LEGITIMATE_INTEREST_PQL, NON_GDPR, PERFORMANCE_OF_CONTRACT or
	// PROCESS_AND_STORE.
	LegalBasis  string
	Explanation string
}

var legalBases = []string{"CONSENT_WITH_NOTICE", "LEGITIMATE_INTEREST_CLIENT", "LEGITIMATE_INTEREST_OTHER", "LEGITIMATE_INTEREST_PQL",
	"NON_GDPR", "PERFORMANCE_OF_CONTRACT", "PROCESS_AND_STORE"}

// PreferencesService reads and changes email subscription statuses
// (communication preferences v4). Reading needs
// communication_preferences.read, changing communication_preferences.write
// (or communication_preferences.read_write). Subscribe, Unsubscribe and
// UnsubscribeAll are sensitive (a mass unsubscribe is damage): a Client
// with a signer signs them by default.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/communication-preferences-subscriptions-v4/guide
type PreferencesService struct {
	client *Client
}

// actionResults is HubSpot's action response: results, and errors that
// a 200 can carry.
type actionResults[T any] struct {
	Status  string      `json:"status"`
	Results []T         `json:"results"`
	Errors  []wireError `json:"errors"`
}

// callAction makes an action call; the answer's first error, if any,
// becomes the call's *Error.
func (s *PreferencesService) callAction(ctx context.Context, op *endpoints.Op, params map[string]string, q url.Values, in any, out any, errs func() []wireError) error {
	call, err := s.client.prepare(op, params)
	if err != nil {
		return err
	}
	status, err := s.client.do(ctx, call, q, in, out)
	if err != nil {
		return err
	}
	if e := errs(); len(e) > 0 {
		return e[0].toError(status, call.method, call.path)
	}
	return nil
}

// Types returns the account's email subscription types.
//
// HubSpot: GET /communication-preferences/v4/definitions.
func (s *PreferencesService) Types(ctx context.Context, opts *PreferenceOptions) ([]SubscriptionType, error) {
	var out actionResults[SubscriptionType]
	if err := s.callAction(ctx, opPrefsDefinitions, nil, opts.query(false), nil, &out, func() []wireError { return out.Errors }); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// Statuses returns email's status for every subscription type.
//
// HubSpot: GET /communication-preferences/v4/statuses/{subscriberIdString}.
func (s *PreferencesService) Statuses(ctx context.Context, email string, opts *PreferenceOptions) ([]SubscriptionStatus, error) {
	if err := checkEmail("preferences Statuses", email); err != nil {
		return nil, err
	}
	return s.statuses(ctx, opPrefsStatuses, email, opts.query(true), nil)
}

func (s *PreferencesService) statuses(ctx context.Context, op *endpoints.Op, email string, q url.Values, in any) ([]SubscriptionStatus, error) {
	var out actionResults[wireSubStatus]
	if err := s.callAction(ctx, op, map[string]string{"subscriberIdString": email}, q, in, &out, func() []wireError { return out.Errors }); err != nil {
		return nil, err
	}
	res := make([]SubscriptionStatus, len(out.Results))
	for i := range out.Results {
		res[i] = out.Results[i].status()
	}
	return res, nil
}

// Subscribe subscribes email to the subscription type subscriptionID and
// returns the new status. It is a sensitive call.
//
// HubSpot: POST /communication-preferences/v4/statuses/{subscriberIdString}.
func (s *PreferencesService) Subscribe(ctx context.Context, email, subscriptionID string, change *StatusChange) (*SubscriptionStatus, error) {
	return s.set(ctx, "preferences Subscribe", StatusSubscribed, email, subscriptionID, change)
}

// Unsubscribe unsubscribes email from the subscription type
// subscriptionID and returns the new status. It is a sensitive call.
//
// HubSpot: POST /communication-preferences/v4/statuses/{subscriberIdString}.
func (s *PreferencesService) Unsubscribe(ctx context.Context, email, subscriptionID string, change *StatusChange) (*SubscriptionStatus, error) {
	return s.set(ctx, "preferences Unsubscribe", StatusUnsubscribed, email, subscriptionID, change)
}

func (s *PreferencesService) set(ctx context.Context, what, state, email, subscriptionID string, change *StatusChange) (*SubscriptionStatus, error) {
	if err := checkEmail(what, email); err != nil {
		return nil, err
	}
	id, err := strconv.ParseInt(subscriptionID, 10, 64)
	if err != nil || id <= 0 || !isDigits(subscriptionID) {
		return nil, errorf("%s: the subscription ID %q is not a decimal number", what, subscriptionID)
	}
	body := map[string]any{"channel": "EMAIL", "statusState": state, "subscriptionId": id}
	if change != nil {
		if change.LegalBasis != "" {
			if !slices.Contains(legalBases, change.LegalBasis) {
				return nil, errorf("%s: unknown legal basis %q; HubSpot takes %s", what, change.LegalBasis, strings.Join(legalBases, ", "))
			}
			body["legalBasis"] = change.LegalBasis
		}
		if change.Explanation != "" {
			body["legalBasisExplanation"] = change.Explanation
		}
	}
	res, err := s.statuses(ctx, opPrefsUpdate, email, nil, body)
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, &shapeError{"the answer holds " + strconv.Itoa(len(res)) + " statuses, not one"}
	}
	return &res[0], nil
}

// UnsubscribeAll unsubscribes email from all email, and returns its
// statuses after. It is a sensitive call.
//
// HubSpot: POST /communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all.
func (s *PreferencesService) UnsubscribeAll(ctx context.Context, email string, opts *PreferenceOptions) ([]SubscriptionStatus, error) {
	if err := checkEmail("preferences UnsubscribeAll", email); err != nil {
		return nil, err
	}
	q := opts.query(true)
	q.Set("verbose", "true")
	return s.statuses(ctx, opPrefsUnsubscribeAll, email, q, nil)
}

// UnsubscribedFromAll reports whether email has unsubscribed from all
// email.
//
// HubSpot: GET /communication-preferences/v4/statuses/{subscriberIdString}/unsubscribe-all.
func (s *PreferencesService) UnsubscribedFromAll(ctx context.Context, email string, opts *PreferenceOptions) (bool, error) {
	if err := checkEmail("preferences UnsubscribedFromAll", email); err != nil {
		return false, err
	}
	var out actionResults[wireWideStatus]
	if err := s.callAction(ctx, opPrefsOptOutGet, map[string]string{"subscriberIdString": email}, opts.query(true), nil, &out, func() []wireError { return out.Errors }); err != nil {
		return false, err
	}
	return slices.ContainsFunc(out.Results, func(r wireWideStatus) bool { return r.Status == StatusUnsubscribed }), nil
}

type wireWideStatus struct {
	Status string `json:"status"`
}
