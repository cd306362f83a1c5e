// Package keypolicy decides whether a call made with an API key may go
// ahead: key records with scopes, suspension and revocation, rotation with
// a grace period, an IP allow list, a signature requirement and per-key
// rate limits, and a bounded journal of calls by key fingerprint.
//
// It is the policy half of a key gateway, apart from any storage of the
// data behind it: hubkey's in-memory HubSpot (hubspot/hubspottest) uses it
// to imitate HubSpot's private-app tokens, and a gateway in front of
// HubSpot can use it to hand internal services their own narrow,
// revocable, IP-bound keys.
//
// A [Store] never holds a token, only its SHA-256 hash and a fingerprint
// that is safe to log. [Store.Create] returns the token once, as a
// [secrets.Secret]; a lost token cannot be recovered, only rotated.
//
//	st, err := keypolicy.NewStore()
//	key, tok, _ := st.Create(keypolicy.Spec{Scopes: []string{"crm.objects.contacts.read"}})
//	// hand tok.Reveal() to the caller; later, per request:
//	d, err := st.Authorize(r, bearerToken, []string{"crm.objects.contacts.read"})
//	var deny *keypolicy.DenyError
//	if errors.As(err, &deny) { /* deny.Reason says why */ }
//
// Time comes from an injectable [clock.Clock], so rotation grace periods and
// rate-limit windows can be tested without sleeping.
package keypolicy

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"time"
)

// Status is a key's lifecycle state.
type Status int

// Key states. A suspended key can be resumed; a revoked key is gone for
// good.
const (
	Active Status = iota
	Suspended
	Revoked
)

// String returns "active", "suspended" or "revoked".
func (s Status) String() string {
	switch s {
	case Active:
		return "active"
	case Suspended:
		return "suspended"
	case Revoked:
		return "revoked"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Limits are a key's rate limits, modelled on HubSpot's policies. A zero
// field means no limit of that kind.
type Limits struct {
	// Max calls in any rolling window of Interval (HubSpot's
	// TEN_SECONDLY_ROLLING policy: 100, 190 or 250 per 10 s by tier).
	// Search calls do not count here.
	Max      int
	Interval time.Duration
	// SearchPerSecond limits search calls in any rolling second (HubSpot's
	// SECONDLY policy for the CRM search endpoints: 5 per second).
	SearchPerSecond int
	// Daily limits all calls per calendar day (HubSpot's DAILY policy); the
	// day runs midnight to midnight in the Store's location.
	Daily int
}

// Validate reports a configuration mistake: negative values, or a Max
// without an Interval.
func (l Limits) Validate() error {
	switch {
	case l.Max < 0 || l.SearchPerSecond < 0 || l.Daily < 0 || l.Interval < 0:
		return fmt.Errorf("keypolicy: negative rate limit %+v", l)
	case l.Max > 0 && l.Interval == 0:
		return fmt.Errorf("keypolicy: rate limit Max %d needs an Interval", l.Max)
	}
	return nil
}

// Spec says what a new key may do.
type Spec struct {
	// Name is a label for people (which service holds the key); optional.
	Name string
	// Scopes the key is granted, as the API names them.
	Scopes []string
	// AllowedIPs, when not empty, limits the client addresses the key may
	// be used from.
	AllowedIPs []netip.Prefix
	// RequireSignature makes calls with the key carry a signature the
	// Store's [SignatureVerifier] accepts: every call, or the calls
	// [WithSignaturePolicy] marks sensitive.
	RequireSignature bool
	// Limits are the key's rate limits.
	Limits Limits
	// ExpiresAt, when not zero, is when the key stops working.
	ExpiresAt time.Time
	// Prefix is put before the random part of the token, for example
	// "pat-na1-" for a HubSpot private-app-style token. Optional.
	Prefix string
}

// Key is a key record. It holds the token's SHA-256 hash, never the token,
// so records can be listed, logged and persisted.
type Key struct {
	// ID identifies the record; it is not secret and not derived from the
	// token.
	ID string
	// Name is the label given in the Spec.
	Name string
	// TokenHash is SHA-256 of the token.
	TokenHash [sha256.Size]byte
	// Fingerprint is the token's [secrets.Secret.Fingerprint], the id that
	// logs and journals show.
	Fingerprint string
	// Scopes granted.
	Scopes []string
	// Status is active, suspended or revoked.
	Status Status
	// CreatedAt is when the key was made.
	CreatedAt time.Time
	// ExpiresAt, when not zero, is when the key stops working; rotation
	// with a grace period sets it on the old key.
	ExpiresAt time.Time
	// AllowedIPs, when not empty, limits client addresses.
	AllowedIPs []netip.Prefix
	// RequireSignature demands a valid request signature on every call.
	RequireSignature bool
	// Limits are the rate limits.
	Limits Limits
	// Lineage is the ID of the first key in this key's rotation chain.
	// Keys of one lineage share rate-limit budgets, as a rotated HubSpot
	// private app keeps its limits.
	Lineage string
	// RotatedTo is the ID of the key that replaced this one, if any.
	RotatedTo string
	// TokenPrefix is the non-secret prefix of the token ("pat-na1-"),
	// which a rotation keeps.
	TokenPrefix string
}

// HasScopes reports whether k was granted every scope in required.
func (k Key) HasScopes(required ...string) bool {
	for _, r := range required {
		if !slices.Contains(k.Scopes, r) {
			return false
		}
	}
	return true
}

// Expired reports whether k has expired at now.
func (k Key) Expired(now time.Time) bool {
	return !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)
}

// AllowsIP reports whether addr is in k's allow list (an empty list allows
// every address). IPv4-mapped IPv6 addresses match IPv4 prefixes.
func (k Key) AllowsIP(addr netip.Addr) bool {
	if len(k.AllowedIPs) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, p := range k.AllowedIPs {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func (k Key) clone() Key {
	k.Scopes = slices.Clone(k.Scopes)
	k.AllowedIPs = slices.Clone(k.AllowedIPs)
	return k
}

// SignatureVerifier checks a request's signature. hubkey's signing.Verifier
// satisfies it; keypolicy does not depend on any one scheme. VerifyRequest
// must leave r usable (restore the body if it reads it) and must not echo a
// MAC or key in its error.
type SignatureVerifier interface {
	VerifyRequest(r *http.Request) error
}
