package keypolicy

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reason says why a call was refused.
type Reason int

// Reasons for a refusal, in the order [Store.Authorize] checks them.
const (
	// ReasonMissingToken: the call carried no token.
	ReasonMissingToken Reason = iota + 1
	// ReasonUnknownToken: no key has this token.
	ReasonUnknownToken
	// ReasonRevoked: the key was revoked.
	ReasonRevoked
	// ReasonExpired: the key expired (a rotation's grace period ended).
	ReasonExpired
	// ReasonSuspended: the key is suspended.
	ReasonSuspended
	// ReasonIPNotAllowed: the client address is not in the allow list.
	ReasonIPNotAllowed
	// ReasonMissingScopes: the key lacks scopes the call needs.
	ReasonMissingScopes
	// ReasonSignatureRequired: the key requires a signature and the call
	// has none (or no verifier is configured).
	ReasonSignatureRequired
	// ReasonSignatureInvalid: the signature did not verify.
	ReasonSignatureInvalid
	// ReasonRateLimited: a rate limit policy refused the call.
	ReasonRateLimited
)

var reasonNames = map[Reason]string{
	ReasonMissingToken:      "missing token",
	ReasonUnknownToken:      "unknown token",
	ReasonRevoked:           "key revoked",
	ReasonExpired:           "key expired",
	ReasonSuspended:         "key suspended",
	ReasonIPNotAllowed:      "client IP not allowed",
	ReasonMissingScopes:     "missing scopes",
	ReasonSignatureRequired: "signature required",
	ReasonSignatureInvalid:  "signature invalid",
	ReasonRateLimited:       "rate limited",
}

// String returns a short lower-case description, such as "key revoked".
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Authentication reports whether the reason is a failure to establish who
// is calling (an HTTP 401), as opposed to a refusal of a known caller.
func (r Reason) Authentication() bool {
	switch r {
	case ReasonMissingToken, ReasonUnknownToken, ReasonRevoked, ReasonExpired, ReasonSuspended,
		ReasonSignatureRequired, ReasonSignatureInvalid:
		return true
	}
	return false
}

// Sentinel errors, one per [Reason], for errors.Is on a [*DenyError].
var (
	ErrMissingToken      = errors.New("keypolicy: missing token")
	ErrUnknownToken      = errors.New("keypolicy: unknown token")
	ErrRevoked           = errors.New("keypolicy: key revoked")
	ErrExpired           = errors.New("keypolicy: key expired")
	ErrSuspended         = errors.New("keypolicy: key suspended")
	ErrIPNotAllowed      = errors.New("keypolicy: client IP not allowed")
	ErrMissingScopes     = errors.New("keypolicy: missing scopes")
	ErrSignatureRequired = errors.New("keypolicy: signature required")
	ErrSignatureInvalid  = errors.New("keypolicy: signature invalid")
	ErrRateLimited       = errors.New("keypolicy: rate limited")
)

var sentinels = map[Reason]error{
	ReasonMissingToken:      ErrMissingToken,
	ReasonUnknownToken:      ErrUnknownToken,
	ReasonRevoked:           ErrRevoked,
	ReasonExpired:           ErrExpired,
	ReasonSuspended:         ErrSuspended,
	ReasonIPNotAllowed:      ErrIPNotAllowed,
	ReasonMissingScopes:     ErrMissingScopes,
	ReasonSignatureRequired: ErrSignatureRequired,
	ReasonSignatureInvalid:  ErrSignatureInvalid,
	ReasonRateLimited:       ErrRateLimited,
}

// ErrKeyNotFound is returned by Store methods given an unknown key ID.
var ErrKeyNotFound = errors.New("keypolicy: no key with that ID")

// Policy names a rate-limit policy as HubSpot names it in a 429 body's
// policyName.
type Policy string

// HubSpot's rate-limit policies.
const (
	TenSecondlyRolling Policy = "TEN_SECONDLY_ROLLING"
	Secondly           Policy = "SECONDLY"
	Daily              Policy = "DAILY"
)

// DenyError is the refusal [Store.Authorize] returns. It never holds the
// token; it names the key by ID and fingerprint.
type DenyError struct {
	Reason Reason
	// KeyID and Fingerprint identify the key, when the token matched one.
	// Fingerprint is set for unknown tokens too.
	KeyID       string
	Fingerprint string
	// Missing lists the scopes the key lacks (ReasonMissingScopes).
	Missing []string
	// Policy, RetryAfter and Usage describe a rate limit refusal.
	Policy     Policy
	RetryAfter time.Duration
	Usage      Usage
	// Err is the verifier's error (ReasonSignatureInvalid).
	Err error
}

// Error describes the refusal without any secret.
func (e *DenyError) Error() string {
	var b strings.Builder
	b.WriteString("keypolicy: ")
	b.WriteString(e.Reason.String())
	if e.KeyID != "" {
		fmt.Fprintf(&b, " (key %s)", e.KeyID)
	} else if e.Fingerprint != "" {
		fmt.Fprintf(&b, " (token %s)", e.Fingerprint)
	}
	switch e.Reason {
	case ReasonMissingScopes:
		fmt.Fprintf(&b, ": needs %s", strings.Join(e.Missing, ", "))
	case ReasonRateLimited:
		fmt.Fprintf(&b, ": policy %s, retry after %s", e.Policy, e.RetryAfter)
	case ReasonSignatureInvalid:
		if e.Err != nil {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	}
	return b.String()
}

// Unwrap returns the verifier's error, if any.
func (e *DenyError) Unwrap() error { return e.Err }

// Is matches the sentinel for e.Reason (ErrRevoked for ReasonRevoked, ...).
func (e *DenyError) Is(target error) bool { return sentinels[e.Reason] == target }

func errKeyNotFound(id string) error { return fmt.Errorf("%w: %s", ErrKeyNotFound, id) }
