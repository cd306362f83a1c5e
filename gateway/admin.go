package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// SigningSecretPrefix starts every signing secret the gateway issues.
const SigningSecretPrefix = "hkgs_"

// KeySpec says what a new key may do.
type KeySpec struct {
	// Name is a label for people ("billing-sync reader"); required.
	Name string
	// Service owns the key ("billing-sync"); required. Audit records and
	// usage reports group calls by it.
	Service string
	// Scopes are the HubSpot scopes the key may use, as HubSpot spells
	// them ("crm.objects.contacts.read"); at least one. Each call is
	// checked against the scopes HubSpot accepts for its operation.
	Scopes []string
	// AllowedIPs, when not empty, limits the addresses the key may be
	// used from.
	AllowedIPs []netip.Prefix
	// ExpiresAt, when not zero, is when the key stops working.
	ExpiresAt time.Time
	// Limits are the key's own rate limits, counted by each replica;
	// zero fields mean no limit of that kind.
	Limits keypolicy.Limits
	// RequireSignature makes the key sign its sensitive calls (deletes,
	// merges, GDPR deletes, exports, imports, user management, sends; see
	// hubspot.IsSensitive) with RFC 9421 signatures made with its own
	// signing secret, issued with the key, and its ID as the key ID.
	RequireSignature bool
}

// Issued is what the holder of a new key gets, once: the token and the
// signing secret are not stored and cannot be shown again.
type Issued struct {
	Key Key
	// Token is the key itself, for the Authorization: Bearer header.
	Token secrets.Secret
	// SigningSecret signs the key's sensitive calls; zero unless the key
	// requires signatures.
	SigningSecret secrets.Secret
}

// Admin changes the keys in a Store: every change is one transaction,
// and every gateway replica watching the Store applies it on its next
// request. It needs no running Gateway.
type Admin struct {
	store  Store
	sealer *sealer
	clock  clock.Clock
}

// NewAdmin returns an Admin of the keys in store. storeKey must be the
// gateways' Config.StoreKey. A nil c means the system clock.
func NewAdmin(store Store, storeKey secrets.Secret, c clock.Clock) (*Admin, error) {
	if store == nil {
		return nil, errors.New("gateway: NewAdmin needs a Store")
	}
	sl, err := newSealer(storeKey)
	if err != nil {
		return nil, err
	}
	return &Admin{store: store, sealer: sl, clock: clock.Or(c)}, nil
}

// ErrKeyState matches the error of a change the key's state forbids:
// suspending, resuming or rotating a revoked key, rotating an expired one.
var ErrKeyState = errors.New("the key's state forbids this change")

// FieldError is KeySpec.Validate's refusal of one field.
type FieldError struct {
	// Field is the KeySpec field: "Name", "Service", "Scopes",
	// "AllowedIPs", "ExpiresAt" or "Limits".
	Field string
	Err   error
}

// Error says what is wrong with the field.
func (e *FieldError) Error() string { return "gateway: " + e.Err.Error() }

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// maxLabel is the longest name or service accepted.
const maxLabel = 128

func checkLabel(field, v string) error {
	name := strings.ToLower(field)
	if v == "" {
		return fieldErr(field, "%s is required", name)
	}
	if len(v) > maxLabel {
		return fieldErr(field, "%s is %d bytes long; at most %d", name, len(v), maxLabel)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) || r == '\u2028' || r == '\u2029' {
			return fieldErr(field, "%s %q holds a character that is not printable", name, v)
		}
	}
	if strings.TrimSpace(v) != v {
		return fieldErr(field, "%s %q has surrounding space", name, v)
	}
	return nil
}

// Validate reports the first thing wrong with s as a *FieldError naming
// the field.
func (s KeySpec) Validate(now time.Time) error {
	if err := checkLabel("Name", s.Name); err != nil {
		return err
	}
	if err := checkLabel("Service", s.Service); err != nil {
		return err
	}
	if len(s.Scopes) == 0 {
		return fieldErr("Scopes", "at least one scope is required")
	}
	for i, sc := range s.Scopes {
		if !endpoints.IsKnownScope(sc) {
			return fieldErr("Scopes", "scope %d (%q) is not a HubSpot scope any operation the gateway serves accepts", i, sc)
		}
		if slices.Index(s.Scopes, sc) != i {
			return fieldErr("Scopes", "scope %q is listed twice", sc)
		}
	}
	for i, p := range s.AllowedIPs {
		if !p.IsValid() {
			return fieldErr("AllowedIPs", "allowed IP prefix %d is not valid", i)
		}
		if p.Masked() != p {
			return fieldErr("AllowedIPs", "allowed IP prefix %s has host bits set; did you mean %s?", p, p.Masked())
		}
	}
	if !s.ExpiresAt.IsZero() && !s.ExpiresAt.After(now) {
		return fieldErr("ExpiresAt", "expiry %s is not in the future", s.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := s.Limits.Validate(); err != nil {
		return &FieldError{Field: "Limits", Err: err}
	}
	return nil
}

func newKeyID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("gateway: reading crypto/rand: %w", err)
	}
	return "key_" + hex.EncodeToString(b[:]), nil
}

func newSigningSecret() (secrets.Secret, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return secrets.Secret{}, fmt.Errorf("gateway: reading crypto/rand: %w", err)
	}
	buf := hex.AppendEncode([]byte(SigningSecretPrefix), b[:])
	clear(b[:])
	s := secrets.NewBytes(buf)
	clear(buf)
	return s, nil
}

// mint makes a new key record from a template: a fresh ID, token and, when
// the key signs, signing secret.
func (a *Admin) mint(tmpl Key, lineage string) (Key, Issued, error) {
	id, err := newKeyID()
	if err != nil {
		return Key{}, Issued{}, err
	}
	tok, hash, err := newToken()
	if err != nil {
		return Key{}, Issued{}, err
	}
	now := a.clock.Now().UTC()
	k := tmpl
	k.ID, k.TokenHash, k.Fingerprint = id, hash, tok.Fingerprint()
	k.Status, k.CreatedAt, k.UpdatedAt = keypolicy.Active, now, now
	k.Lineage, k.RotatedTo, k.TokenPrefix = lineage, "", TokenPrefix
	if k.Lineage == "" {
		k.Lineage = id
	}
	k.SealedSigningKey = nil
	iss := Issued{Token: tok}
	if k.RequireSignature {
		if iss.SigningSecret, err = newSigningSecret(); err != nil {
			return Key{}, Issued{}, err
		}
		if k.SealedSigningKey, err = a.sealer.seal(id, iss.SigningSecret); err != nil {
			return Key{}, Issued{}, err
		}
	}
	iss.Key = k
	return k, iss, nil
}

// Create makes a key from spec. The token (and signing secret) in the
// result are shown once; the Store keeps the token's hash and the sealed
// signing secret.
func (a *Admin) Create(ctx context.Context, spec KeySpec) (Issued, error) {
	if err := spec.Validate(a.clock.Now()); err != nil {
		return Issued{}, err
	}
	tmpl := Key{Service: spec.Service}
	tmpl.Name = spec.Name
	tmpl.Scopes = slices.Clone(spec.Scopes)
	tmpl.AllowedIPs = slices.Clone(spec.AllowedIPs)
	tmpl.ExpiresAt = spec.ExpiresAt.UTC()
	if spec.ExpiresAt.IsZero() {
		tmpl.ExpiresAt = time.Time{}
	}
	tmpl.Limits = spec.Limits
	tmpl.RequireSignature = spec.RequireSignature
	k, iss, err := a.mint(tmpl, "")
	if err != nil {
		return Issued{}, err
	}
	err = a.store.ChangeKeys(ctx, nil, func([]Key) ([]Key, error) { return []Key{k}, nil })
	if err != nil {
		return Issued{}, fmt.Errorf("gateway: storing the new key: %w", err)
	}
	return iss, nil
}

// Keys returns every key, oldest first.
func (a *Admin) Keys(ctx context.Context) ([]Key, error) { return a.store.Keys(ctx) }

// Key returns one key; an unknown ID matches ErrKeyNotFound.
func (a *Admin) Key(ctx context.Context, id string) (Key, error) { return a.store.Key(ctx, id) }

// change applies f to one key in a transaction and returns the result.
func (a *Admin) change(ctx context.Context, id string, f func(k *Key) error) (Key, error) {
	var out Key
	err := a.store.ChangeKeys(ctx, []string{id}, func(ks []Key) ([]Key, error) {
		k := ks[0]
		if err := f(&k); err != nil {
			return nil, err
		}
		k.UpdatedAt = a.clock.Now().UTC()
		out = k
		return []Key{k}, nil
	})
	return out, err
}

// Suspend stops a key from working until Resume. Suspending a suspended
// key changes nothing; a revoked key cannot be suspended.
func (a *Admin) Suspend(ctx context.Context, id string) (Key, error) {
	return a.change(ctx, id, func(k *Key) error {
		if k.Status == keypolicy.Revoked {
			return fmt.Errorf("gateway: key %s is revoked and cannot be suspended: %w", id, ErrKeyState)
		}
		k.Status = keypolicy.Suspended
		return nil
	})
}

// Resume makes a suspended key work again.
func (a *Admin) Resume(ctx context.Context, id string) (Key, error) {
	return a.change(ctx, id, func(k *Key) error {
		if k.Status == keypolicy.Revoked {
			return fmt.Errorf("gateway: key %s is revoked and cannot be resumed: %w", id, ErrKeyState)
		}
		k.Status = keypolicy.Active
		return nil
	})
}

// Revoke ends a key for good and forgets its signing secret. Revoking a
// revoked key changes nothing.
func (a *Admin) Revoke(ctx context.Context, id string) (Key, error) {
	return a.change(ctx, id, func(k *Key) error {
		k.Status = keypolicy.Revoked
		k.SealedSigningKey = nil
		return nil
	})
}

// Rotate replaces a key with a new one of the same name, service, scopes,
// allow list, limits and signature requirement, and makes the old one
// expire after grace (at once for a grace of 0), so that its holder can
// move to the new token without a failed call. A grace never extends an
// expiry the old key already had. A revoked key cannot be rotated.
func (a *Admin) Rotate(ctx context.Context, id string, grace time.Duration) (Issued, error) {
	if grace < 0 {
		return Issued{}, fmt.Errorf("gateway: rotation grace %v is negative", grace)
	}
	var iss Issued
	err := a.store.ChangeKeys(ctx, []string{id}, func(ks []Key) ([]Key, error) {
		old := ks[0]
		if old.Status == keypolicy.Revoked {
			return nil, fmt.Errorf("gateway: key %s is revoked and cannot be rotated: %w", id, ErrKeyState)
		}
		now := a.clock.Now().UTC()
		if old.Expired(now) {
			return nil, fmt.Errorf("gateway: key %s has expired and cannot be rotated (create a new key): %w", id, ErrKeyState)
		}
		tmpl := old
		tmpl.ExpiresAt = time.Time{}
		nk, is, err := a.mint(tmpl, old.Lineage)
		if err != nil {
			return nil, err
		}
		exp := now.Add(grace)
		if old.ExpiresAt.IsZero() || exp.Before(old.ExpiresAt) {
			old.ExpiresAt = exp
		}
		old.RotatedTo, old.UpdatedAt = nk.ID, now
		iss = is
		return []Key{old, nk}, nil
	})
	if err != nil {
		return Issued{}, err
	}
	return iss, nil
}
