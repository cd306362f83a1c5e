package hubspot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// AccountDetails describes the HubSpot account a token belongs to.
type AccountDetails struct {
	// PortalID is the account's ID (the "Hub ID").
	PortalID int64 `json:"portalId"`
	// AccountType is STANDARD, DEVELOPER_TEST, SANDBOX or APP_DEVELOPER.
	AccountType string `json:"accountType"`
	// TimeZone is the account's time zone, such as "US/Eastern".
	TimeZone string `json:"timeZone"`
	// CompanyCurrency is the account's main currency, such as "USD".
	CompanyCurrency      string   `json:"companyCurrency"`
	AdditionalCurrencies []string `json:"additionalCurrencies"`
	// UTCOffset is the time zone's current offset, such as "-05:00", and
	// UTCOffsetMilliseconds the same in milliseconds.
	UTCOffset             string `json:"utcOffset"`
	UTCOffsetMilliseconds int64  `json:"utcOffsetMilliseconds"`
	// UIDomain is the domain of the account's HubSpot UI, such as
	// "app.hubspot.com" or "app-eu1.hubspot.com".
	UIDomain string `json:"uiDomain"`
	// DataHostingLocation is where the account's data lives, such as
	// "na1" or "eu1".
	DataHostingLocation string `json:"dataHostingLocation"`
}

// Offset returns UTCOffsetMilliseconds as a duration.
func (d *AccountDetails) Offset() time.Duration {
	return time.Duration(d.UTCOffsetMilliseconds) * time.Millisecond
}

// APIUsage is one of the account's API usage counters.
type APIUsage struct {
	// Name is the counter, such as "private-apps-api-calls-daily".
	Name string `json:"name"`
	// UsageLimit is the most calls allowed in the period, CurrentUsage the
	// calls made so far.
	UsageLimit   int64 `json:"usageLimit"`
	CurrentUsage int64 `json:"currentUsage"`
	// CollectedAt is when HubSpot counted; FetchStatus says how fresh the
	// count is (SUCCESS, CACHED, FAILURE).
	CollectedAt time.Time `json:"collectedAt,omitzero"`
	FetchStatus string    `json:"fetchStatus"`
	// ResetsAt is when the counter starts again from zero.
	ResetsAt time.Time `json:"resetsAt,omitzero"`
}

// Remaining returns how many calls are left in the period (never negative).
func (u APIUsage) Remaining() int64 { return max(0, u.UsageLimit-u.CurrentUsage) }

// AccountService calls the account information API. Any valid token may
// call it: it needs no scope.
//
// HubSpot reference: https://developers.hubspot.com/docs/api-reference/account-account-info-v3/guide
type AccountService struct {
	client *Client
}

// Details returns the details of the account the token belongs to.
//
// It is the cheapest call that proves a token works: it needs no scope,
// reads nothing from the CRM and returns a small fixed-size body. That is
// why a rotation validator calls it; see NewTokenValidator.
//
// HubSpot: GET /account-info/v3/details.
func (s *AccountService) Details(ctx context.Context) (*AccountDetails, error) {
	d := new(AccountDetails)
	if _, err := s.client.call(ctx, opAccountDetails, nil, nil, nil, d); err != nil {
		return nil, err
	}
	return d, nil
}

// DailyUsage returns the account's daily API usage of private apps, and the
// limit it counts against.
//
// HubSpot: GET /account-info/v3/api-usage/daily/private-apps.
func (s *AccountService) DailyUsage(ctx context.Context) ([]APIUsage, error) {
	var out struct {
		Results []APIUsage `json:"results"`
	}
	if _, err := s.client.call(ctx, opAccountDailyUsage, nil, nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// TokenValidator checks a new token version against HubSpot before a
// secrets.Cache adopts it: its Validate method is a
// secrets.WithValidate function. Each check calls Account.Details with
// exactly the version being checked, never the Cache's current one, so a
// token that HubSpot refuses (revoked, mistyped, from another account) is
// never put into service, and the one that works keeps serving.
//
//	v, err := hubspot.NewTokenValidator(hubspot.WithBaseURL(base))
//	...
//	defer v.Close()
//	cache, err := secrets.NewCache(provider, secrets.WithValidate(v.Validate))
//
// A TokenValidator is safe for concurrent use.
type TokenValidator struct {
	c *Client
	// portalID, when not zero, must match the account the token is for.
	portalID int64
}

// ErrWrongAccount is returned (wrapped) by TokenValidator.Validate when a
// token works but belongs to another HubSpot account than the one expected.
var ErrWrongAccount = errors.New("hubspot: the token belongs to another HubSpot account")

// NewTokenValidator returns a TokenValidator that calls HubSpot as a
// Client made with opts would (base URL, HTTP client, retries, rate limit,
// logger, clock), with one difference: the token sent is the version under
// validation. WithToken is therefore not allowed. With WithRetry, a 401 is
// not retried, but a 5xx or a connection error is, as for any call; an
// error of any kind keeps the version out of service.
func NewTokenValidator(opts ...Option) (*TokenValidator, error) {
	var probe options
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&probe); err != nil {
			return nil, err
		}
	}
	if len(probe.creds) > 0 {
		return nil, errors.New("hubspot: NewTokenValidator: do not pass WithToken or WithCredential; the validator sends the token version it is asked to check")
	}
	c, err := New(append(opts, WithToken(versionInContext{}))...)
	if err != nil {
		return nil, err
	}
	return &TokenValidator{c: c}, nil
}

// ExpectPortal returns a validator that also refuses a token that works
// but belongs to another account than portalID (ErrWrongAccount), such as
// a sandbox's token stored where production's belongs. v is unchanged; the
// two share v's connections, and closing either closes both.
func (v *TokenValidator) ExpectPortal(portalID int64) *TokenValidator {
	c := *v
	c.portalID = portalID
	return &c
}

// Validate calls Account.Details with ver's token and returns nil if
// HubSpot accepts it. A refused token gives an error matching
// ErrUnauthorized. The error names the version by ID and source, never by
// value.
func (v *TokenValidator) Validate(ctx context.Context, ver secrets.Version) error {
	if ctx == nil {
		return errors.New("hubspot: TokenValidator.Validate: nil context")
	}
	if ver.Value.IsZero() {
		return fmt.Errorf("hubspot: token version %q from %q is empty", ver.ID, ver.Source)
	}
	d, err := (&AccountService{client: v.c}).Details(context.WithValue(ctx, versionKey{}, ver))
	if err != nil {
		return fmt.Errorf("hubspot: token version %q from %q failed the account details check: %w", ver.ID, ver.Source, err)
	}
	if v.portalID != 0 && d.PortalID != v.portalID {
		return fmt.Errorf("hubspot: token version %q from %q is for portal %d, want %d: %w", ver.ID, ver.Source, d.PortalID, v.portalID, ErrWrongAccount)
	}
	return nil
}

// Close releases what the validator holds. It is safe to call more than
// once.
func (v *TokenValidator) Close() error { return v.c.Close() }

type versionKey struct{}

// versionInContext is the TokenSource of a TokenValidator's client: the
// version to send travels with the request's context.
type versionInContext struct{}

func (versionInContext) Get(ctx context.Context) (secrets.Version, error) {
	v, ok := ctx.Value(versionKey{}).(secrets.Version)
	if !ok || v.Value.IsZero() {
		return secrets.Version{}, errors.New("hubspot: no token version to validate in the request context")
	}
	return v, nil
}

func (versionInContext) Invalidate(secrets.Version) {}
