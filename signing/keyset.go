package signing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hubkey/hubkey/internal/rotation"
	"github.com/hubkey/hubkey/secrets"
)

// KeySet holds the keys a Verifier accepts, by key ID. One key ID may have
// several sources, and a source that keeps its previous version (a
// *secrets.Cache) contributes that one too for a grace period
// (PreviousGrace, by default DefaultPreviousGrace), so that signers still
// using the old key are accepted while a rotation settles.
//
// A KeySet is safe for concurrent use; keys can be added and removed while
// a Verifier uses it.
type KeySet struct {
	mu  sync.RWMutex
	ids map[string][]keyRef
}

type keyRef struct {
	src   KeySource
	grace time.Duration
	track *rotation.Grace // nil when src keeps no previous version
}

// KeyOption configures one key of a KeySet.
type KeyOption func(*keyRef) error

// DefaultPreviousGrace is how long, after a source adopted a new version,
// its previous version is still accepted.
const DefaultPreviousGrace = time.Hour

// PreviousGrace sets how long after a rotation the previous key is still
// accepted (default DefaultPreviousGrace). The grace runs from the moment
// the new version was adopted: its FetchedAt, or the first time the
// Verifier saw it, on the Verifier's clock, if that is earlier. Zero or a
// negative value never accepts the previous key; no value accepts it
// without limit.
//
// Past the grace the previous key stays refused whatever state the current
// key is in: a current key that cannot be read (its store is down, it
// expired) reopens nothing. A previous version whose own ExpiresAt has
// passed is refused, and so is one replaced at a time the KeySet did not
// see (the current key could not be read since the rotation).
//
// Roll a new key out to verifiers before signers: verifiers then accept
// both, and signers can switch whenever their own cache refreshes within
// the grace.
func PreviousGrace(d time.Duration) KeyOption {
	return func(k *keyRef) error { k.grace = d; return nil }
}

// NewKeySet returns an empty KeySet.
func NewKeySet() *KeySet { return &KeySet{ids: map[string][]keyRef{}} }

// Add accepts the key from src under keyID, next to any key already there.
func (ks *KeySet) Add(keyID string, src KeySource, opts ...KeyOption) error {
	if err := validKeyID(keyID); err != nil {
		return err
	}
	if src == nil {
		return fmt.Errorf("signing: key %q: source is nil", keyID)
	}
	ref := keyRef{src: src, grace: DefaultPreviousGrace}
	for _, o := range opts {
		if err := o(&ref); err != nil {
			return err
		}
	}
	if _, ok := src.(PreviousKeySource); ok && ref.grace > 0 {
		ref.track = rotation.New(ref.grace)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.ids == nil {
		ks.ids = map[string][]keyRef{}
	}
	ks.ids[keyID] = append(ks.ids[keyID], ref)
	return nil
}

// AddStatic accepts key under keyID; see StaticKey.
func (ks *KeySet) AddStatic(keyID string, key secrets.Secret, opts ...KeyOption) error {
	if err := checkKey(secrets.Version{Value: key, ID: "static", Source: "key " + keyID}); err != nil {
		return err
	}
	return ks.Add(keyID, StaticKey(key), opts...)
}

// Remove stops accepting every key under keyID and reports whether there
// was one.
func (ks *KeySet) Remove(keyID string) bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	_, ok := ks.ids[keyID]
	delete(ks.ids, keyID)
	return ok
}

// KeyIDs returns the key IDs in the set, sorted.
func (ks *KeySet) KeyIDs() []string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := make([]string, 0, len(ks.ids))
	for id := range ks.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Has reports whether keyID is in the set.
func (ks *KeySet) Has(keyID string) bool {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	_, ok := ks.ids[keyID]
	return ok
}

// errKeyUnavailable reports that no source of a known key ID could return
// a usable key.
var errKeyUnavailable = errors.New("no key is available")

// candidates returns the keys accepted under keyID at now: each source's
// current version and, within its grace, its previous one. known is false
// when keyID is not in the set.
func (ks *KeySet) candidates(ctx context.Context, keyID string, now time.Time) (keys []secrets.Version, known bool, err error) {
	ks.mu.RLock()
	refs := ks.ids[keyID]
	ks.mu.RUnlock()
	if len(refs) == 0 {
		return nil, false, nil
	}
	var errs []error
	for _, ref := range refs {
		cur, gerr := ref.src.Get(ctx)
		if gerr == nil {
			gerr = usableKey(cur, now)
		}
		if gerr != nil {
			errs = append(errs, gerr)
		} else {
			keys = append(keys, cur)
			if ref.track != nil {
				ref.track.Current(cur, now)
			}
		}
		if ref.track == nil {
			continue
		}
		prev, ok := ref.src.(PreviousKeySource).Previous()
		if !ok || checkKey(prev) != nil || (gerr == nil && prev.Same(cur)) || !ref.track.Accepts(prev, now) {
			continue
		}
		keys = append(keys, prev)
	}
	if len(keys) == 0 {
		return nil, true, fmt.Errorf("%w for key ID %q: %w", errKeyUnavailable, keyID, errors.Join(errs...))
	}
	return keys, true, nil
}

// usableKey returns an error when v cannot be an HMAC key at now: see
// checkKey; and a version past its ExpiresAt is no key.
func usableKey(v secrets.Version, now time.Time) error {
	if err := checkKey(v); err != nil {
		return err
	}
	if v.Expired(now) {
		return fmt.Errorf("signing: key version %q from %s expired at %s", v.ID, v.Source, v.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}
