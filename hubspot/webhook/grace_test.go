package webhook

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// rotatingSource is a SecretSource with Previous whose current version can
// be rotated, made to fail, or given an expiry by the test.
type rotatingSource struct {
	mu        sync.Mutex
	cur, prev secrets.Version
	hasPrev   bool
	err       error
}

func (s *rotatingSource) Get(context.Context) (secrets.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return secrets.Version{}, s.err
	}
	return s.cur, nil
}

func (s *rotatingSource) Previous() (secrets.Version, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prev, s.hasPrev
}

func (s *rotatingSource) rotate(v secrets.Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prev, s.hasPrev, s.cur = s.cur, true, v
}

func (s *rotatingSource) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *rotatingSource) setCurrent(v secrets.Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = v
}

const (
	oldSecret = "old-client-secret"
	newSecret = "new-client-secret"
)

func version(id, secret string, fetched time.Time) secrets.Version {
	return secrets.Version{Value: secrets.New(secret), ID: id, Source: "test", FetchedAt: fetched}
}

// verifyAt sends a v3 delivery signed with secret at the clock's time.
func verifyAt(t *testing.T, v *Verifier, clk *clock.Fake, secret string) error {
	t.Helper()
	_, err := v.Verify(hubspotRequest(t, secret, V3, "POST", "[]", clk.Now()))
	return err
}

// A *secrets.Cache that rotates: the previous client secret is accepted
// for DefaultPreviousGrace after the new one was adopted, then refused,
// while the new one stays accepted.
func TestVerifierPreviousSecretGrace(t *testing.T) {
	clk := clock.NewFake(now)
	st := secretstest.NewStatic(oldSecret)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	v, err := NewVerifier(WithSecretSource(cache), WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyAt(t, v, clk, oldSecret); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}
	clk.Advance(time.Hour)
	st.Rotate(newSecret)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(DefaultPreviousGrace - time.Millisecond)
	for _, s := range []string{oldSecret, newSecret} {
		if err := verifyAt(t, v, clk, s); err != nil {
			t.Fatalf("within the grace, %d-byte secret refused: %v", len(s), err)
		}
	}
	clk.Advance(time.Millisecond)
	if err := verifyAt(t, v, clk, oldSecret); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("old secret after the grace: %v, want %s", err, ReasonBadSignature)
	}
	if err := verifyAt(t, v, clk, newSecret); err != nil {
		t.Fatalf("new secret after the grace: %v", err)
	}
	// And it stays refused.
	clk.Advance(24 * time.Hour)
	if err := verifyAt(t, v, clk, oldSecret); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("old secret a day later: %v", err)
	}
}

// PreviousGrace sets the window; zero accepts no previous secret at all.
func TestVerifierPreviousGraceOption(t *testing.T) {
	for _, tt := range []struct {
		grace    time.Duration
		at       time.Duration // after the rotation
		accepted bool
	}{
		{2 * time.Minute, 2*time.Minute - time.Second, true},
		{2 * time.Minute, 2 * time.Minute, false},
		{3 * time.Hour, 2*time.Hour + 59*time.Minute, true},
		{3 * time.Hour, 3 * time.Hour, false},
		{0, 0, false},
		{-time.Minute, 0, false},
	} {
		clk := clock.NewFake(now)
		src := &rotatingSource{cur: version("v1", oldSecret, clk.Now())}
		v, err := NewVerifier(WithSecretSource(src), WithClock(clk), PreviousGrace(tt.grace))
		if err != nil {
			t.Fatal(err)
		}
		src.rotate(version("v2", newSecret, clk.Now()))
		clk.Advance(tt.at)
		err = verifyAt(t, v, clk, oldSecret)
		if (err == nil) != tt.accepted {
			t.Errorf("grace %v, %v after the rotation: err = %v, want accepted %v", tt.grace, tt.at, err, tt.accepted)
		}
		if err := verifyAt(t, v, clk, newSecret); err != nil {
			t.Errorf("grace %v: new secret: %v", tt.grace, err)
		}
	}
}

// The grace runs from when the new secret was adopted (its FetchedAt), not
// from when the Verifier first happened to look.
func TestVerifierGraceFromAdoption(t *testing.T) {
	clk := clock.NewFake(now)
	src := &rotatingSource{cur: version("v1", oldSecret, clk.Now())}
	v, _ := NewVerifier(WithSecretSource(src), WithClock(clk))
	src.rotate(version("v2", newSecret, clk.Now()))
	clk.Advance(DefaultPreviousGrace) // no delivery until the grace is over
	if err := verifyAt(t, v, clk, oldSecret); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("first delivery after the grace, old secret: %v", err)
	}
	// A FetchedAt ahead of the Verifier's clock does not extend the grace:
	// it runs from when the Verifier saw the version.
	src.rotate(version("v3", "third-client-secret", clk.Now().Add(time.Hour)))
	if err := verifyAt(t, v, clk, newSecret); err != nil {
		t.Fatalf("just after the next rotation: %v", err)
	}
	clk.Advance(DefaultPreviousGrace)
	if err := verifyAt(t, v, clk, newSecret); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("FetchedAt in the future extended the grace: %v", err)
	}
}

// Past the grace the old secret stays refused while the current secret
// cannot be read: its store is down, or the version it returns expired.
func TestVerifierGraceSurvivesCurrentOutage(t *testing.T) {
	down := errors.New("vault sealed")
	for name, breakIt := range map[string]func(src *rotatingSource, clk *clock.Fake){
		"source errors": func(src *rotatingSource, _ *clock.Fake) { src.fail(down) },
		"current expired": func(src *rotatingSource, clk *clock.Fake) {
			cur := version("v2", newSecret, clk.Now().Add(-time.Minute))
			cur.ExpiresAt = clk.Now()
			src.setCurrent(cur)
		},
	} {
		t.Run(name, func(t *testing.T) {
			clk := clock.NewFake(now)
			src := &rotatingSource{cur: version("v1", oldSecret, clk.Now())}
			v, _ := NewVerifier(WithSecretSource(src), WithClock(clk))
			src.rotate(version("v2", newSecret, clk.Now()))
			if err := verifyAt(t, v, clk, newSecret); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			breakIt(src, clk)
			// Within the grace, the old secret still carries deliveries.
			if err := verifyAt(t, v, clk, oldSecret); err != nil {
				t.Fatalf("within the grace: %v", err)
			}
			clk.Advance(DefaultPreviousGrace)
			err := verifyAt(t, v, clk, oldSecret)
			if ReasonOf(err) != ReasonNoSecret {
				t.Fatalf("after the grace: %v, want %s", err, ReasonNoSecret)
			}
			secretstest.AssertNoLeak(t, "error", err.Error(), oldSecret)
			secretstest.AssertNoLeak(t, "error", err.Error(), newSecret)
		})
	}
}

// The same through a *secrets.Cache: its current version expires and the
// store is down, so Get fails; the old secret does not come back.
func TestVerifierGraceSurvivesExpiredCache(t *testing.T) {
	clk := clock.NewFake(now)
	st := secretstest.NewStatic(oldSecret)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	v, _ := NewVerifier(WithSecretSource(cache), WithClock(clk))
	if err := verifyAt(t, v, clk, oldSecret); err != nil {
		t.Fatal(err)
	}
	// The old version never expires; the new one does, in an hour.
	st.SetTTL(time.Hour, clk.Now)
	st.Rotate(newSecret)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := verifyAt(t, v, clk, newSecret); err != nil {
		t.Fatal(err)
	}
	st.SetError(errors.New("store down"))
	clk.Advance(time.Hour) // the new version expired; refreshes fail
	if _, err := cache.Get(context.Background()); err == nil {
		t.Fatal("the cache still returns a version")
	}
	if err := verifyAt(t, v, clk, oldSecret); ReasonOf(err) != ReasonNoSecret {
		t.Fatalf("old secret with the current one expired, after the grace: %v", err)
	}
}

// A rotation the Verifier never saw (the current secret could not be read
// since) has no known time: the previous secret is refused.
func TestVerifierUnseenRotationFailsClosed(t *testing.T) {
	clk := clock.NewFake(now)
	src := &rotatingSource{cur: version("v1", oldSecret, clk.Now())}
	v, _ := NewVerifier(WithSecretSource(src), WithClock(clk))
	if err := verifyAt(t, v, clk, oldSecret); err != nil {
		t.Fatal(err)
	}
	src.rotate(version("v2", newSecret, clk.Now()))
	src.fail(errors.New("store down"))
	if err := verifyAt(t, v, clk, oldSecret); ReasonOf(err) != ReasonNoSecret {
		t.Fatalf("previous secret of an unseen rotation: %v", err)
	}

	// Nor does a Verifier that never read a current secret accept a
	// previous one.
	src2 := &rotatingSource{cur: version("v1", oldSecret, clk.Now())}
	src2.rotate(version("v2", newSecret, clk.Now()))
	src2.fail(errors.New("store down"))
	v2, _ := NewVerifier(WithSecretSource(src2), WithClock(clk))
	if err := verifyAt(t, v2, clk, oldSecret); ReasonOf(err) != ReasonNoSecret {
		t.Fatalf("previous secret, current never read: %v", err)
	}
}

// A previous version whose own ExpiresAt has passed is refused, even
// within the grace.
func TestVerifierPreviousExpired(t *testing.T) {
	clk := clock.NewFake(now)
	old := version("v1", oldSecret, clk.Now().Add(-time.Hour))
	old.ExpiresAt = clk.Now().Add(time.Minute)
	src := &rotatingSource{cur: old}
	v, _ := NewVerifier(WithSecretSource(src), WithClock(clk))
	src.rotate(version("v2", newSecret, clk.Now()))
	if err := verifyAt(t, v, clk, oldSecret); err != nil {
		t.Fatalf("before its expiry: %v", err)
	}
	clk.Advance(time.Minute)
	err := verifyAt(t, v, clk, oldSecret)
	if ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("previous version past its ExpiresAt: %v", err)
	}
	if strings.Contains(err.Error(), oldSecret) {
		t.Fatal("error names the secret")
	}
}

// Secrets given to WithSecrets have no grace: they are the operator's to
// remove.
func TestVerifierStaticSecretsHaveNoGrace(t *testing.T) {
	clk := clock.NewFake(now)
	v, _ := NewVerifier(WithSecrets(secrets.New(newSecret), secrets.New(oldSecret)), WithClock(clk), PreviousGrace(time.Minute))
	clk.Advance(48 * time.Hour)
	if err := verifyAt(t, v, clk, oldSecret); err != nil {
		t.Fatal(err)
	}
}
