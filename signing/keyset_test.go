package signing

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// rotatingSource is a PreviousKeySource whose current version can be
// rotated, made to fail, or replaced by the test.
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
	oldKey = testKey + "-old"
	newKey = testKey + "-new"
)

func keyVersion(id, key string, fetched time.Time) secrets.Version {
	return secrets.Version{Value: secrets.New(key), ID: id, Source: "test", FetchedAt: fetched}
}

// accepts reports whether ks accepts key under "k1" at now.
func accepts(t *testing.T, ks *KeySet, now time.Time, key string) bool {
	t.Helper()
	keys, known, _ := ks.candidates(context.Background(), "k1", now)
	if !known {
		t.Fatal("k1 is not in the set")
	}
	for _, k := range keys {
		if k.Value.Equal(secrets.New(key)) {
			return true
		}
	}
	return false
}

func newRotatingSet(t *testing.T, start time.Time, opts ...KeyOption) (*KeySet, *rotatingSource) {
	t.Helper()
	src := &rotatingSource{cur: keyVersion("v1", oldKey, start)}
	ks := NewKeySet()
	if err := ks.Add("k1", src, opts...); err != nil {
		t.Fatal(err)
	}
	return ks, src
}

// Past the grace, the rotated-out key stays refused while the current key
// cannot be read: its source errors, or the version it returns expired.
func TestKeySetGraceSurvivesCurrentOutage(t *testing.T) {
	for name, breakIt := range map[string]func(src *rotatingSource, now time.Time){
		"source errors": func(src *rotatingSource, _ time.Time) { src.fail(errors.New("store down")) },
		"current expired": func(src *rotatingSource, now time.Time) {
			cur := keyVersion("v2", newKey, now.Add(-time.Minute))
			cur.ExpiresAt = now
			src.setCurrent(cur)
		},
	} {
		t.Run(name, func(t *testing.T) {
			now := testStart
			ks, src := newRotatingSet(t, now, PreviousGrace(10*time.Minute))
			src.rotate(keyVersion("v2", newKey, now))
			if !accepts(t, ks, now, newKey) || !accepts(t, ks, now, oldKey) {
				t.Fatal("both keys should be accepted right after the rotation")
			}
			now = now.Add(time.Minute)
			breakIt(src, now)
			if !accepts(t, ks, now, oldKey) {
				t.Fatal("old key refused within the grace")
			}
			now = now.Add(9 * time.Minute)
			if accepts(t, ks, now, oldKey) {
				t.Fatal("old key accepted after the grace because the current key cannot be read")
			}
			if _, _, err := ks.candidates(context.Background(), "k1", now); !errors.Is(err, errKeyUnavailable) {
				t.Fatalf("no key at all should be errKeyUnavailable, got %v", err)
			}
		})
	}
}

// The same end to end, through a *secrets.Cache whose current version
// expired while its store is down, and a Verifier on a fake clock.
func TestVerifierRotationStoreDown(t *testing.T) {
	clk := clock.NewFake(testStart)
	st := secretstest.NewStatic(oldKey)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	keys := NewKeySet()
	if err := keys.Add("k1", cache); err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(keys, WithClock(clk), WithMaxAge(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	signWith := func(key string) *http.Request {
		s, _ := NewSigner(StaticKey(secrets.New(key)), "k1", SignWithClock(clk))
		c, _ := http.NewRequest("DELETE", "http://api.test/crm/v3/objects/deals/9", nil)
		if err := s.Sign(c); err != nil {
			t.Fatal(err)
		}
		return serverRequest(t, c)
	}
	if err := v.VerifyRequest(signWith(oldKey)); err != nil {
		t.Fatal(err)
	}
	st.SetTTL(2*DefaultPreviousGrace, clk.Now) // the new version expires
	st.Rotate(newKey)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyRequest(signWith(newKey)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(DefaultPreviousGrace - time.Second)
	if err := v.VerifyRequest(signWith(oldKey)); err != nil {
		t.Fatalf("old key within the grace: %v", err)
	}
	st.SetError(errors.New("store down"))
	clk.Advance(DefaultPreviousGrace + time.Second) // past the grace, the new version expired
	if _, err := cache.Get(context.Background()); err == nil {
		t.Fatal("the cache still returns a version")
	}
	err = v.VerifyRequest(signWith(oldKey))
	wantReason(t, err, ReasonKeyUnavailable)
	secretstest.AssertNoLeak(t, "error", err.Error(), oldKey)
	secretstest.AssertNoLeak(t, "error", err.Error(), newKey)
}

// A previous version past its own ExpiresAt is refused within the grace.
func TestKeySetPreviousExpired(t *testing.T) {
	now := testStart
	src := &rotatingSource{cur: keyVersion("v1", oldKey, now.Add(-time.Hour))}
	src.cur.ExpiresAt = now.Add(time.Minute)
	ks := NewKeySet()
	if err := ks.Add("k1", src); err != nil {
		t.Fatal(err)
	}
	src.rotate(keyVersion("v2", newKey, now))
	if !accepts(t, ks, now, oldKey) {
		t.Fatal("old key refused before its expiry")
	}
	if accepts(t, ks, now.Add(time.Minute), oldKey) {
		t.Fatal("old key accepted past its own ExpiresAt")
	}
	if !accepts(t, ks, now.Add(time.Minute), newKey) {
		t.Fatal("new key refused")
	}
}

// A rotation the KeySet never saw (the current key could not be read
// since) has no known time: the previous key is refused.
func TestKeySetUnseenRotationFailsClosed(t *testing.T) {
	now := testStart
	ks, src := newRotatingSet(t, now)
	if !accepts(t, ks, now, oldKey) {
		t.Fatal("current key refused")
	}
	src.rotate(keyVersion("v2", newKey, now))
	src.fail(errors.New("store down"))
	if accepts(t, ks, now, oldKey) {
		t.Fatal("previous key of an unseen rotation accepted")
	}

	ks2, src2 := newRotatingSet(t, now)
	src2.rotate(keyVersion("v2", newKey, now))
	src2.fail(errors.New("store down"))
	if accepts(t, ks2, now, oldKey) {
		t.Fatal("previous key accepted by a KeySet that never read a current one")
	}
}

// PreviousGrace sets the window, counted from the new version's adoption
// (not from the first verification); zero or less accepts no previous key.
func TestKeySetPreviousGrace(t *testing.T) {
	for _, tt := range []struct {
		opts     []KeyOption
		at       time.Duration
		accepted bool
	}{
		{nil, DefaultPreviousGrace - time.Second, true},
		{nil, DefaultPreviousGrace, false},
		{[]KeyOption{PreviousGrace(time.Minute)}, time.Minute - time.Second, true},
		{[]KeyOption{PreviousGrace(time.Minute)}, time.Minute, false},
		{[]KeyOption{PreviousGrace(0)}, 0, false},
		{[]KeyOption{PreviousGrace(0)}, 48 * time.Hour, false},
		{[]KeyOption{PreviousGrace(-1)}, 0, false},
	} {
		ks, src := newRotatingSet(t, testStart, tt.opts...)
		src.rotate(keyVersion("v2", newKey, testStart))
		if got := accepts(t, ks, testStart.Add(tt.at), oldKey); got != tt.accepted {
			t.Errorf("%d options, %v after the rotation: accepted %v, want %v", len(tt.opts), tt.at, got, tt.accepted)
		}
		if !accepts(t, ks, testStart.Add(tt.at), newKey) {
			t.Errorf("%d options: new key refused", len(tt.opts))
		}
	}
}

// Through Base64Key the grace still applies to the decoded previous key.
func TestKeySetBase64Grace(t *testing.T) {
	b64 := func(s string) string { return "MDEyMzQ1Njc4OWFiY2RlZg" + s } // 16 bytes + more
	src := &rotatingSource{cur: keyVersion("v1", b64("AA"), testStart)}
	ks := NewKeySet()
	if err := ks.Add("k1", Base64Key(src), PreviousGrace(time.Minute)); err != nil {
		t.Fatal(err)
	}
	src.rotate(keyVersion("v2", b64("AB"), testStart))
	count := func(now time.Time) int {
		keys, _, err := ks.candidates(context.Background(), "k1", now)
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	if n := count(testStart); n != 2 {
		t.Fatalf("within the grace: %d keys, want 2", n)
	}
	if n := count(testStart.Add(time.Minute)); n != 1 {
		t.Fatalf("after the grace: %d keys, want 1", n)
	}
}
