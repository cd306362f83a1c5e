package secretstest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Static is an in-memory Provider for tests. Its version IDs are "v1",
// "v2", ... and it can be rotated, made to fail, given an expiry, or made to
// wait inside Fetch. It is safe for concurrent use.
type Static struct {
	mu      sync.Mutex
	value   secrets.Secret // kept as Secrets so a dump of a test fixture leaks nothing either
	prev    secrets.Secret
	n       int
	err     error
	ttl     time.Duration
	now     func() time.Time
	hook    func(ctx context.Context) error
	fetches atomic.Int64
	source  string
}

// NewStatic returns a Static provider holding value as version "v1".
func NewStatic(value string) *Static {
	return &Static{value: secrets.New(value), n: 1, now: time.Now, source: "static"}
}

// Rotate replaces the value with v as the next version and returns its ID.
func (s *Static) Rotate(v string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prev = s.value
	s.value = secrets.New(v)
	s.n++
	return fmt.Sprintf("v%d", s.n)
}

// SetError makes every Fetch fail with err until it is set back to nil.
func (s *Static) SetError(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// SetTTL gives every fetched version an ExpiresAt of now()+ttl, read from
// now (time.Now when nil). Zero ttl means no expiry.
func (s *Static) SetTTL(ttl time.Duration, now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = ttl
	if now != nil {
		s.now = now
	}
}

// SetHook makes every Fetch call hook first; a non-nil error from hook
// fails that Fetch. A hook can block on a channel to hold fetches in flight.
func (s *Static) SetHook(hook func(ctx context.Context) error) {
	s.mu.Lock()
	s.hook = hook
	s.mu.Unlock()
}

// Fetches returns how many times Fetch was called.
func (s *Static) Fetches() int64 { return s.fetches.Load() }

// Fetch returns the current version.
func (s *Static) Fetch(ctx context.Context) (secrets.Version, error) {
	s.fetches.Add(1)
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return secrets.Version{}, &secrets.Error{Source: s.source, Err: err}
		}
	}
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, &secrets.Error{Source: s.source, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return secrets.Version{}, &secrets.Error{Source: s.source, Err: s.err}
	}
	return s.versionLocked(s.value, s.n), nil
}

// FetchPrevious returns the version before the current one.
func (s *Static) FetchPrevious(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, &secrets.Error{Source: s.source, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n < 2 {
		return secrets.Version{}, &secrets.Error{Source: s.source, Err: fmt.Errorf("%w: no previous version", secrets.ErrNotFound)}
	}
	return s.versionLocked(s.prev, s.n-1), nil
}

func (s *Static) versionLocked(v secrets.Secret, n int) secrets.Version {
	now := s.now()
	ver := secrets.Version{
		Value:     v,
		ID:        fmt.Sprintf("v%d", n),
		Source:    s.source,
		FetchedAt: now,
	}
	if s.ttl > 0 {
		ver.ExpiresAt = now.Add(s.ttl)
	}
	return ver
}

type staticHarness struct{ s *Static }

func (h staticHarness) MakeProvider(context.Context) (secrets.Provider, error) { return h.s, nil }
func (h staticHarness) SetValue(_ context.Context, v string) error             { h.s.Rotate(v); return nil }
func (h staticHarness) Break(context.Context) error {
	h.s.SetError(fmt.Errorf("%w: deleted by the test", secrets.ErrNotFound))
	return nil
}
func (h staticHarness) Close() {}

// StaticHarness returns a Harness over a new Static provider; the suite
// runs against it to check itself.
func StaticHarness() Harness { return staticHarness{NewStatic("initial")} }

// Get returns the current version, as Fetch does, so that a Static can
// stand where a token source is wanted (hubspot.WithToken) in tests that
// need no cache in between: every call reads it, so a Rotate is seen at
// once.
func (s *Static) Get(ctx context.Context) (secrets.Version, error) { return s.Fetch(ctx) }

// Invalidate does nothing: a Static has no cached version to drop. It
// makes a Static a token source (see Get).
func (s *Static) Invalidate(secrets.Version) {}
