package keypolicy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// TokenBytes is how many random bytes from crypto/rand a token carries:
// 256 bits.
const TokenBytes = 32

// Option configures a Store. An option given a value it cannot use makes
// NewStore fail, naming it.
type Option func(*Store) error

// WithClock sets the clock that expiry and rate limits read. Default:
// [clock.System].
func WithClock(c clock.Clock) Option {
	return func(s *Store) error {
		if c == nil {
			return errors.New("keypolicy: WithClock(nil): a clock is required")
		}
		s.clock = c
		return nil
	}
}

// WithSignatureVerifier sets the verifier for keys that require a
// signature. Without one, such keys are refused (fail closed).
func WithSignatureVerifier(v SignatureVerifier) Option {
	return func(s *Store) error { s.verifier = v; return nil }
}

// WithLocation sets the time zone whose midnight resets the DAILY limit
// (HubSpot uses the account's time zone). Default: UTC.
func WithLocation(loc *time.Location) Option {
	return func(s *Store) error {
		if loc == nil {
			return errors.New("keypolicy: WithLocation(nil): a time zone is required")
		}
		s.loc = loc
		return nil
	}
}

// WithClientIP sets how the client address is found for IP allow lists.
// The default uses r.RemoteAddr and trusts no forwarding header; a gateway
// behind a proxy it trusts supplies its own.
func WithClientIP(f func(r *http.Request) (netip.Addr, bool)) Option {
	return func(s *Store) error {
		if f == nil {
			return errors.New("keypolicy: WithClientIP(nil): a function is required")
		}
		s.clientIP = f
		return nil
	}
}

// WithSearchMatcher sets which calls count as search calls (the SECONDLY
// policy) rather than ordinary calls (the rolling window). The default
// counts the calls hubkey's operation catalogue puts in HubSpot's search
// rate class (the CRM search endpoints, in every API version), found
// from the request's method and path; a caller that already knows the
// operation can say so here instead.
func WithSearchMatcher(f func(r *http.Request) bool) Option {
	return func(s *Store) error {
		if f == nil {
			return errors.New("keypolicy: WithSearchMatcher(nil): a function is required")
		}
		s.isSearch = f
		return nil
	}
}

// WithSignaturePolicy sets which calls a key with RequireSignature must
// sign: sensitive calls such as deletes, merges and GDPR deletions, say.
// The default requires a signature on every call such a key makes.
func WithSignaturePolicy(sensitive func(r *http.Request) bool) Option {
	return func(s *Store) error { s.sensitive = sensitive; return nil }
}

// Store holds key records and decides calls. It is safe for concurrent
// use.
type Store struct {
	clock    clock.Clock
	verifier SignatureVerifier
	loc      *time.Location
	clientIP func(*http.Request) (netip.Addr, bool)
	isSearch func(*http.Request) bool
	// sensitive, when set, limits RequireSignature to the calls it
	// matches.
	sensitive func(*http.Request) bool

	mu      sync.RWMutex
	keys    map[string]*Key              // by ID
	byHash  map[[sha256.Size]byte]string // token hash to ID
	buckets map[string]*bucket
}

// NewStore returns an empty Store.
func NewStore(opts ...Option) (*Store, error) {
	s := &Store{
		clock:    clock.System,
		loc:      time.UTC,
		clientIP: remoteAddr,
		isSearch: catalogueSearch,
		keys:     make(map[string]*Key),
		byHash:   make(map[[sha256.Size]byte]string),
		buckets:  make(map[string]*bucket),
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func remoteAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, err := netip.ParseAddr(r.RemoteAddr)
		return a, err == nil
	}
	return ap.Addr(), true
}

// catalogueSearch reports whether r is a call of an operation in the
// catalogue's search rate class. A call the catalogue does not know is an
// ordinary call.
func catalogueSearch(r *http.Request) bool {
	op, _, _, ok := endpoints.Match(r.Method, r.URL.EscapedPath())
	return ok && op.Rate == endpoints.Search
}

// HashToken returns the SHA-256 of a token, as stored in [Key.TokenHash].
func HashToken(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }

// newToken returns prefix followed by 256 random bits as hex in
// UUID-shaped groups: 8-4-4-4-12-8-4-4-4-12.
func newToken(prefix string) (secrets.Secret, error) {
	var b [TokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return secrets.Secret{}, fmt.Errorf("keypolicy: reading crypto/rand: %w", err)
	}
	h := hex.EncodeToString(b[:])
	var sb strings.Builder
	sb.Grow(len(prefix) + len(h) + 9)
	sb.WriteString(prefix)
	pos := 0
	for i, n := range []int{8, 4, 4, 4, 12, 8, 4, 4, 4, 12} {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(h[pos : pos+n])
		pos += n
	}
	tok := secrets.New(sb.String())
	clear(b[:])
	return tok, nil
}

func newID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("keypolicy: reading crypto/rand: %w", err)
	}
	return "key_" + hex.EncodeToString(b[:]), nil
}

func validateSpec(sp Spec) error {
	if err := sp.Limits.Validate(); err != nil {
		return err
	}
	for i, sc := range sp.Scopes {
		if sc == "" || strings.TrimSpace(sc) != sc {
			return fmt.Errorf("keypolicy: scope %d (%q) is empty or has surrounding space", i, sc)
		}
	}
	for i, p := range sp.AllowedIPs {
		if !p.IsValid() {
			return fmt.Errorf("keypolicy: allowed IP prefix %d is not valid", i)
		}
	}
	if strings.ContainsAny(sp.Prefix, " \t\r\n") {
		return fmt.Errorf("keypolicy: token prefix %q contains white space", sp.Prefix)
	}
	return nil
}

// Create makes a key from spec and returns its record and its token. The
// token is returned only here; the Store keeps its hash.
func (s *Store) Create(spec Spec) (Key, secrets.Secret, error) {
	if err := validateSpec(spec); err != nil {
		return Key{}, secrets.Secret{}, err
	}
	k := Key{
		Name:             spec.Name,
		Scopes:           slices.Clone(spec.Scopes),
		Status:           Active,
		ExpiresAt:        spec.ExpiresAt,
		AllowedIPs:       slices.Clone(spec.AllowedIPs),
		RequireSignature: spec.RequireSignature,
		Limits:           spec.Limits,
		TokenPrefix:      spec.Prefix,
	}
	return s.insertNew(k, "")
}

// insertNew fills ID, token, hash and times, and stores k. When lineage is
// empty the key starts its own lineage.
func (s *Store) insertNew(k Key, lineage string) (Key, secrets.Secret, error) {
	tok, err := newToken(k.TokenPrefix)
	if err != nil {
		return Key{}, secrets.Secret{}, err
	}
	id, err := newID()
	if err != nil {
		return Key{}, secrets.Secret{}, err
	}
	k.ID = id
	k.TokenHash = HashToken(tok.Reveal())
	k.Fingerprint = tok.Fingerprint()
	k.CreatedAt = s.clock.Now()
	k.Lineage = lineage
	if k.Lineage == "" {
		k.Lineage = id
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addLocked(k); err != nil {
		return Key{}, secrets.Secret{}, err
	}
	return k.clone(), tok, nil
}

func (s *Store) addLocked(k Key) error {
	if _, dup := s.keys[k.ID]; dup {
		return fmt.Errorf("keypolicy: key ID %s already exists", k.ID)
	}
	return s.putLocked(k)
}

// putLocked stores k, replacing the record with its ID. A token hash that
// belongs to another key is refused.
func (s *Store) putLocked(k Key) error {
	if other, dup := s.byHash[k.TokenHash]; dup && other != k.ID {
		return fmt.Errorf("keypolicy: key %s has the same token hash as key %s", k.ID, other)
	}
	if old, ok := s.keys[k.ID]; ok && old.TokenHash != k.TokenHash {
		delete(s.byHash, old.TokenHash)
	}
	kk := k.clone()
	s.keys[k.ID] = &kk
	s.byHash[k.TokenHash] = k.ID
	return nil
}

// Restore adds a key record made earlier (loaded from a gateway's own
// storage, say), or replaces the record with the same ID, status
// included, as when another replica of a gateway changed it. The record
// carries the token's hash, not the token; rate-limit counts, which
// belong to the key's lineage, are kept.
func (s *Store) Restore(k Key) error {
	if k.ID == "" {
		return errors.New("keypolicy: restored key has no ID")
	}
	if k.TokenHash == ([sha256.Size]byte{}) {
		return fmt.Errorf("keypolicy: restored key %s has no token hash", k.ID)
	}
	if err := validateSpec(Spec{Scopes: k.Scopes, AllowedIPs: k.AllowedIPs, Limits: k.Limits, Prefix: k.TokenPrefix}); err != nil {
		return fmt.Errorf("restoring key %s: %w", k.ID, err)
	}
	if k.Status < Active || k.Status > Revoked {
		return fmt.Errorf("keypolicy: restored key %s has invalid status %v", k.ID, k.Status)
	}
	if k.Lineage == "" {
		k.Lineage = k.ID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putLocked(k)
}

// Get returns the record with the given ID.
func (s *Store) Get(id string) (Key, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[id]
	if !ok {
		return Key{}, false
	}
	return k.clone(), true
}

// Keys returns every record, oldest first.
func (s *Store) Keys() []Key {
	s.mu.RLock()
	out := make([]Key, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, k.clone())
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Lookup finds the key a token belongs to, whatever its status. It looks
// the token's SHA-256 up in a map, in constant time whatever the number
// of keys. The probe's timing depends on the hash, not the token: learning
// which hashes are near a stored one tells nothing about a token that
// carries 256 random bits, as the tokens Create makes do.
func (s *Store) Lookup(token string) (Key, bool) {
	if token == "" {
		return Key{}, false
	}
	h := HashToken(token)
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byHash[h]
	if !ok {
		return Key{}, false
	}
	return s.keys[id].clone(), true
}

// Suspend stops a key from working until [Store.Resume]. Suspending a
// suspended key is a no-op; a revoked key cannot be suspended.
func (s *Store) Suspend(id string) error {
	return s.setStatus(id, Suspended)
}

// Resume makes a suspended key work again.
func (s *Store) Resume(id string) error {
	return s.setStatus(id, Active)
}

// Revoke ends a key for good. Revoking a revoked key is a no-op.
func (s *Store) Revoke(id string) error {
	return s.setStatus(id, Revoked)
}

func (s *Store) setStatus(id string, to Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrKeyNotFound, id)
	}
	if k.Status == Revoked && to != Revoked {
		return fmt.Errorf("keypolicy: key %s is revoked and cannot become %s", id, to)
	}
	k.Status = to
	return nil
}

// Rotate replaces a key: it makes a new key with the same name, scopes,
// allow list, signature requirement, limits, token prefix and lineage,
// and makes the old key expire after grace. A grace of 0 expires the old
// key now (HubSpot's "rotate and expire now"); HubSpot's "rotate and
// expire later" keeps the old token for 7 days. A grace never extends an
// earlier expiry the old key already had. The old key must not be revoked.
func (s *Store) Rotate(id string, grace time.Duration) (Key, secrets.Secret, error) {
	if grace < 0 {
		return Key{}, secrets.Secret{}, fmt.Errorf("keypolicy: negative rotation grace %v", grace)
	}
	s.mu.RLock()
	old, ok := s.keys[id]
	var tmpl Key
	if ok {
		tmpl = old.clone()
	}
	s.mu.RUnlock()
	if !ok {
		return Key{}, secrets.Secret{}, fmt.Errorf("%w: %s", ErrKeyNotFound, id)
	}
	if tmpl.Status == Revoked {
		return Key{}, secrets.Secret{}, fmt.Errorf("keypolicy: key %s is revoked and cannot be rotated", id)
	}
	next := Key{
		Name:             tmpl.Name,
		Scopes:           tmpl.Scopes,
		Status:           Active,
		AllowedIPs:       tmpl.AllowedIPs,
		RequireSignature: tmpl.RequireSignature,
		Limits:           tmpl.Limits,
		TokenPrefix:      tmpl.TokenPrefix,
	}
	nk, tok, err := s.insertNew(next, tmpl.Lineage)
	if err != nil {
		return Key{}, secrets.Secret{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.keys[id]; ok {
		exp := s.clock.Now().Add(grace)
		if old.ExpiresAt.IsZero() || exp.Before(old.ExpiresAt) {
			old.ExpiresAt = exp
		}
		old.RotatedTo = nk.ID
	}
	return nk, tok, nil
}

// Update changes a key's name, scopes, allow list, signature requirement,
// limits or expiry through f. Identity (ID, hash, fingerprint, lineage,
// creation time, rotation link) and status do not change: use Suspend,
// Resume and Revoke for status.
func (s *Store) Update(id string, f func(*Key)) (Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return Key{}, fmt.Errorf("%w: %s", ErrKeyNotFound, id)
	}
	c := k.clone()
	f(&c)
	if err := validateSpec(Spec{Scopes: c.Scopes, AllowedIPs: c.AllowedIPs, Limits: c.Limits}); err != nil {
		return Key{}, fmt.Errorf("updating key %s: %w", id, err)
	}
	c.ID, c.TokenHash, c.Fingerprint, c.Lineage = k.ID, k.TokenHash, k.Fingerprint, k.Lineage
	c.CreatedAt, c.RotatedTo, c.Status, c.TokenPrefix = k.CreatedAt, k.RotatedTo, k.Status, k.TokenPrefix
	c = c.clone()
	*k = c
	return c.clone(), nil
}

// Decision is the outcome of an allowed call.
type Decision struct {
	// Key is the record of the key that made the call.
	Key Key
	// Usage is the rate-limit state after this call was counted.
	Usage Usage
}

// Authorize decides whether r, made with token, may go ahead when it
// needs the scopes in required. It checks, in order: a token was given,
// it belongs to a key, the key is not revoked, expired or suspended, the
// client address is allowed, the signature (if the key requires one for
// this call) verifies, the key has every required scope, and the rate limits have
// room; an allowed call is counted against the limits. A refusal is a
// [*DenyError].
func (s *Store) Authorize(r *http.Request, token string, required []string) (Decision, error) {
	if token == "" {
		return Decision{}, &DenyError{Reason: ReasonMissingToken}
	}
	k, ok := s.Lookup(token)
	if !ok {
		return Decision{}, &DenyError{Reason: ReasonUnknownToken, Fingerprint: secrets.New(token).Fingerprint()}
	}
	return s.AuthorizeKey(r, k, required)
}

// AuthorizeKey is Authorize for the key k that [Store.Lookup] returned for
// the call's token, which spares hashing and finding the token twice
// when the caller needs the key first (its scopes, say). It checks k as it
// was when found: a change to the key made since is seen by the next
// call.
func (s *Store) AuthorizeKey(r *http.Request, k Key, required []string) (Decision, error) {
	deny := func(reason Reason) *DenyError {
		return &DenyError{Reason: reason, KeyID: k.ID, Fingerprint: k.Fingerprint}
	}
	now := s.clock.Now()
	switch {
	case k.Status == Revoked:
		return Decision{}, deny(ReasonRevoked)
	case k.Expired(now):
		return Decision{}, deny(ReasonExpired)
	case k.Status == Suspended:
		return Decision{}, deny(ReasonSuspended)
	}
	if len(k.AllowedIPs) > 0 {
		addr, ok := s.clientIP(r)
		if !ok || !k.AllowsIP(addr) {
			return Decision{}, deny(ReasonIPNotAllowed)
		}
	}
	if k.RequireSignature && (s.sensitive == nil || s.sensitive(r)) {
		if r.Header.Get("Signature") == "" || s.verifier == nil {
			e := deny(ReasonSignatureRequired)
			if s.verifier == nil {
				e.Err = errors.New("no signature verifier is configured")
			}
			return Decision{}, e
		}
		if err := s.verifier.VerifyRequest(r); err != nil {
			e := deny(ReasonSignatureInvalid)
			e.Err = err
			return Decision{}, e
		}
	}
	if missing := missingScopes(required, k.Scopes); len(missing) > 0 {
		e := deny(ReasonMissingScopes)
		e.Missing = missing
		return Decision{}, e
	}
	u, policy, wait := s.take(k, s.isSearch(r), now)
	if policy != "" {
		e := deny(ReasonRateLimited)
		e.Policy, e.RetryAfter, e.Usage = policy, wait, u
		return Decision{}, e
	}
	return Decision{Key: k, Usage: u}, nil
}

func missingScopes(required, granted []string) []string {
	var out []string
	for _, r := range required {
		if !slices.Contains(granted, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
