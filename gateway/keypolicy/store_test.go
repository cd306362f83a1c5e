package keypolicy_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func req(method, path, remote string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	if remote != "" {
		r.RemoteAddr = remote
	}
	return r
}

func TestCreateAndLookup(t *testing.T) {
	st := newStore(t)
	k, tok, err := st.Create(keypolicy.Spec{Name: "svc", Scopes: []string{"a", "b"}, Prefix: "pat-na1-"})
	if err != nil {
		t.Fatal(err)
	}
	v := tok.Reveal()
	if !strings.HasPrefix(v, "pat-na1-") || len(strings.ReplaceAll(strings.TrimPrefix(v, "pat-na1-"), "-", "")) != 64 {
		t.Fatalf("token shape, fingerprint %s", tok.Fingerprint())
	}
	if k.TokenHash != keypolicy.HashToken(v) || k.Fingerprint != tok.Fingerprint() || k.Status != keypolicy.Active || k.Lineage != k.ID {
		t.Fatalf("key %+v", k)
	}
	got, ok := st.Lookup(v)
	if !ok || got.ID != k.ID {
		t.Fatal("lookup failed")
	}
	if _, ok := st.Lookup(v + "x"); ok {
		t.Fatal("lookup of a different token succeeded")
	}
	if _, ok := st.Lookup(""); ok {
		t.Fatal("empty token found")
	}
	// The record never holds the token.
	secretstest.AssertNoLeak(t, "key record", fmt.Sprintf("%+v %#v", got, got), v)
	got.Scopes[0] = "mutated"
	if again, _ := st.Get(k.ID); again.Scopes[0] != "a" {
		t.Fatal("Get returns shared slices")
	}
}

func TestCreateRejectsBadSpecs(t *testing.T) {
	st := newStore(t)
	bad := []keypolicy.Spec{
		{Scopes: []string{""}},
		{Scopes: []string{" a"}},
		{Limits: keypolicy.Limits{Max: 10}},
		{Limits: keypolicy.Limits{Daily: -1}},
		{AllowedIPs: []netip.Prefix{{}}},
		{Prefix: "a b"},
	}
	for i, sp := range bad {
		if _, _, err := st.Create(sp); err == nil {
			t.Errorf("spec %d accepted", i)
		}
	}
	if len(st.Keys()) != 0 {
		t.Fatal("bad specs stored keys")
	}
}

func TestLifecycle(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	k, tok, _ := st.Create(keypolicy.Spec{Scopes: []string{"s"}})
	authz := func() error {
		_, err := st.Authorize(req("GET", "/x", ""), tok.Reveal(), []string{"s"})
		return err
	}
	if err := authz(); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Suspend(k.ID))
	if err := authz(); !errors.Is(err, keypolicy.ErrSuspended) {
		t.Fatalf("suspended: %v", err)
	}
	must(st.Resume(k.ID))
	must(authz())
	must(st.Revoke(k.ID))
	if err := authz(); !errors.Is(err, keypolicy.ErrRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	if err := st.Resume(k.ID); err == nil {
		t.Fatal("revoked key resumed")
	}
	if _, _, err := st.Rotate(k.ID, 0); err == nil {
		t.Fatal("revoked key rotated")
	}
	if err := st.Suspend("key_nope"); !errors.Is(err, keypolicy.ErrKeyNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestRotate(t *testing.T) {
	clk := clock.NewFake(t0)
	st := newStore(t, keypolicy.WithClock(clk))
	old, oldTok, _ := st.Create(keypolicy.Spec{Name: "n", Scopes: []string{"s"}, Prefix: "p-", RequireSignature: false, Limits: keypolicy.Limits{Max: 5, Interval: time.Second}})
	grace := 7 * 24 * time.Hour
	nk, newTok, err := st.Rotate(old.ID, grace)
	if err != nil {
		t.Fatal(err)
	}
	if nk.Lineage != old.ID || !slices.Equal(nk.Scopes, old.Scopes) || nk.Limits != old.Limits || nk.Name != "n" || !strings.HasPrefix(newTok.Reveal(), "p-") || newTok.Equal(oldTok) {
		t.Fatalf("new key %+v", nk)
	}
	o, _ := st.Get(old.ID)
	if !o.ExpiresAt.Equal(t0.Add(grace)) || o.RotatedTo != nk.ID {
		t.Fatalf("old key %+v", o)
	}
	check := func(tok secrets.Secret, want error) {
		t.Helper()
		_, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), nil)
		if !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Fatalf("got %v, want %v", err, want)
		}
	}
	check(oldTok, nil)
	clk.Advance(grace)
	check(oldTok, keypolicy.ErrExpired)
	check(newTok, nil)
	// A second rotation never extends the old key's expiry, and 0 expires now.
	_, third, _ := st.Rotate(nk.ID, 0)
	check(newTok, keypolicy.ErrExpired)
	check(third, nil)
	if _, _, err := st.Rotate(nk.ID, -time.Second); err == nil {
		t.Fatal("negative grace accepted")
	}
}

type verifierFunc func(*http.Request) error

func (f verifierFunc) VerifyRequest(r *http.Request) error { return f(r) }

func TestAuthorizeReasons(t *testing.T) {
	bad := errors.New("mac mismatch")
	st := newStore(t, keypolicy.WithSignatureVerifier(verifierFunc(func(r *http.Request) error {
		if r.Header.Get("Signature") == "good" {
			return nil
		}
		return bad
	})))
	_, plain, _ := st.Create(keypolicy.Spec{Scopes: []string{"a.read", "a.write"}})
	_, ipTok, _ := st.Create(keypolicy.Spec{AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}})
	_, sigTok, _ := st.Create(keypolicy.Spec{RequireSignature: true, Scopes: []string{"a.read"}})
	signed := func(v string) *http.Request {
		r := req("POST", "/x", "")
		r.Header.Set("Signature", v)
		return r
	}
	tests := []struct {
		name     string
		r        *http.Request
		token    string
		required []string
		want     error
		reason   keypolicy.Reason
		missing  []string
	}{
		{"ok", req("GET", "/", ""), plain.Reveal(), []string{"a.read"}, nil, 0, nil},
		{"no token", req("GET", "/", ""), "", nil, keypolicy.ErrMissingToken, keypolicy.ReasonMissingToken, nil},
		{"unknown", req("GET", "/", ""), "nope", nil, keypolicy.ErrUnknownToken, keypolicy.ReasonUnknownToken, nil},
		{"missing scopes", req("GET", "/", ""), plain.Reveal(), []string{"a.read", "b.read", "c.write", "b.read"}, keypolicy.ErrMissingScopes, keypolicy.ReasonMissingScopes, []string{"b.read", "c.write"}},
		{"ip ok v4", req("GET", "/", "10.1.2.3:555"), ipTok.Reveal(), nil, nil, 0, nil},
		{"ip ok v6", req("GET", "/", "[2001:db8::1]:555"), ipTok.Reveal(), nil, nil, 0, nil},
		{"ip mapped v4", req("GET", "/", "[::ffff:10.0.0.1]:1"), ipTok.Reveal(), nil, nil, 0, nil},
		{"ip refused", req("GET", "/", "192.168.1.1:555"), ipTok.Reveal(), nil, keypolicy.ErrIPNotAllowed, keypolicy.ReasonIPNotAllowed, nil},
		{"ip unparsable", req("GET", "/", "garbage"), ipTok.Reveal(), nil, keypolicy.ErrIPNotAllowed, keypolicy.ReasonIPNotAllowed, nil},
		{"unsigned", req("GET", "/", ""), sigTok.Reveal(), nil, keypolicy.ErrSignatureRequired, keypolicy.ReasonSignatureRequired, nil},
		{"bad signature", signed("forged"), sigTok.Reveal(), nil, bad, keypolicy.ReasonSignatureInvalid, nil},
		{"good signature", signed("good"), sigTok.Reveal(), []string{"a.read"}, nil, 0, nil},
		{"signature before scopes", signed("forged"), sigTok.Reveal(), []string{"z"}, keypolicy.ErrSignatureInvalid, keypolicy.ReasonSignatureInvalid, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := st.Authorize(tc.r, tc.token, tc.required)
			if tc.want == nil {
				if err != nil || d.Key.ID == "" {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var de *keypolicy.DenyError
			if !errors.As(err, &de) || !errors.Is(err, tc.want) || de.Reason != tc.reason || !slices.Equal(de.Missing, tc.missing) {
				t.Fatalf("err %v (%#v), want %v", err, err, tc.want)
			}
			if tc.token != "" {
				secretstest.AssertNoLeak(t, "deny error", err.Error(), tc.token)
				if de.Fingerprint != secrets.New(tc.token).Fingerprint() {
					t.Errorf("fingerprint %q", de.Fingerprint)
				}
			}
			if tc.reason == keypolicy.ReasonMissingScopes && !strings.Contains(err.Error(), "b.read, c.write") {
				t.Errorf("error does not name the scopes: %v", err)
			}
		})
	}
}

func TestSignatureWithoutVerifierFailsClosed(t *testing.T) {
	st := newStore(t)
	_, tok, _ := st.Create(keypolicy.Spec{RequireSignature: true})
	r := req("GET", "/", "")
	r.Header.Set("Signature", "x")
	if _, err := st.Authorize(r, tok.Reveal(), nil); !errors.Is(err, keypolicy.ErrSignatureRequired) {
		t.Fatalf("got %v", err)
	}
}

func TestUpdateKeepsIdentity(t *testing.T) {
	st := newStore(t)
	k, tok, _ := st.Create(keypolicy.Spec{Scopes: []string{"a"}})
	u, err := st.Update(k.ID, func(k *keypolicy.Key) {
		k.Scopes = append(k.Scopes, "b")
		k.ID = "hijack"
		k.Status = keypolicy.Revoked
		k.TokenHash = [32]byte{}
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != k.ID || u.Status != keypolicy.Active || u.TokenHash != k.TokenHash || !u.HasScopes("a", "b") {
		t.Fatalf("updated %+v", u)
	}
	if _, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), []string{"b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update(k.ID, func(k *keypolicy.Key) { k.Limits.Max = -1 }); err == nil {
		t.Fatal("invalid update accepted")
	}
}

func TestRestore(t *testing.T) {
	a := newStore(t)
	k, tok, _ := a.Create(keypolicy.Spec{Scopes: []string{"s"}})
	b := newStore(t)
	if err := b.Restore(k); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Authorize(req("GET", "/", ""), tok.Reveal(), []string{"s"}); err != nil {
		t.Fatal(err)
	}
	// Restoring the same ID replaces the record: a revocation made
	// elsewhere takes effect here.
	k.Status = keypolicy.Revoked
	if err := b.Restore(k); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Authorize(req("GET", "/", ""), tok.Reveal(), []string{"s"}); !errors.Is(err, keypolicy.ErrRevoked) {
		t.Fatalf("after restoring a revoked record: %v", err)
	}
	// Another ID with the same token hash is refused.
	dup := k
	dup.ID = "key_other"
	if err := b.Restore(dup); err == nil {
		t.Fatal("second key with the same token hash accepted")
	}
	if err := b.Restore(keypolicy.Key{ID: "x"}); err == nil {
		t.Fatal("record without hash accepted")
	}
}

func TestConcurrentUse(t *testing.T) {
	st := newStore(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				k, tok, err := st.Create(keypolicy.Spec{Scopes: []string{"s"}, Limits: keypolicy.Limits{Max: 1000, Interval: time.Second}})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), []string{"s"}); err != nil {
					t.Error(err)
				}
				if (i+j)%3 == 0 {
					_, _, _ = st.Rotate(k.ID, time.Minute)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(st.Keys()); n < 400 {
		t.Fatalf("%d keys", n)
	}
}

func TestReasonStrings(t *testing.T) {
	auth := map[keypolicy.Reason]bool{
		keypolicy.ReasonMissingToken: true, keypolicy.ReasonUnknownToken: true, keypolicy.ReasonRevoked: true,
		keypolicy.ReasonExpired: true, keypolicy.ReasonSuspended: true, keypolicy.ReasonSignatureRequired: true,
		keypolicy.ReasonSignatureInvalid: true, keypolicy.ReasonIPNotAllowed: false, keypolicy.ReasonMissingScopes: false,
		keypolicy.ReasonRateLimited: false,
	}
	seen := map[string]bool{}
	for r, want := range auth {
		if r.Authentication() != want {
			t.Errorf("%v.Authentication() = %v", r, !want)
		}
		s := r.String()
		if s == "" || strings.HasPrefix(s, "Reason(") || seen[s] {
			t.Errorf("reason %d string %q", int(r), s)
		}
		seen[s] = true
		if !errors.Is(&keypolicy.DenyError{Reason: r}, sentinelOf(r)) {
			t.Errorf("%v does not match its sentinel", r)
		}
	}
	if keypolicy.Reason(99).String() != "Reason(99)" || keypolicy.Status(7).String() != "Status(7)" {
		t.Error("unknown values")
	}
}

func sentinelOf(r keypolicy.Reason) error {
	return map[keypolicy.Reason]error{
		keypolicy.ReasonMissingToken: keypolicy.ErrMissingToken, keypolicy.ReasonUnknownToken: keypolicy.ErrUnknownToken,
		keypolicy.ReasonRevoked: keypolicy.ErrRevoked, keypolicy.ReasonExpired: keypolicy.ErrExpired,
		keypolicy.ReasonSuspended: keypolicy.ErrSuspended, keypolicy.ReasonIPNotAllowed: keypolicy.ErrIPNotAllowed,
		keypolicy.ReasonMissingScopes: keypolicy.ErrMissingScopes, keypolicy.ReasonSignatureRequired: keypolicy.ErrSignatureRequired,
		keypolicy.ReasonSignatureInvalid: keypolicy.ErrSignatureInvalid, keypolicy.ReasonRateLimited: keypolicy.ErrRateLimited,
	}[r]
}

func TestSignaturePolicy(t *testing.T) {
	st := newStore(t,
		keypolicy.WithSignaturePolicy(func(r *http.Request) bool { return r.Method == http.MethodDelete }),
		keypolicy.WithSignatureVerifier(verifierFunc(func(*http.Request) error { return nil })),
	)
	_, tok, _ := st.Create(keypolicy.Spec{RequireSignature: true})
	if _, err := st.Authorize(req("GET", "/crm/v3/objects/contacts/1", ""), tok.Reveal(), nil); err != nil {
		t.Fatalf("insensitive call refused: %v", err)
	}
	if _, err := st.Authorize(req("DELETE", "/crm/v3/objects/contacts/1", ""), tok.Reveal(), nil); !errors.Is(err, keypolicy.ErrSignatureRequired) {
		t.Fatalf("unsigned delete: %v", err)
	}
	r := req("DELETE", "/crm/v3/objects/contacts/1", "")
	r.Header.Set("Signature", "sig1=:x:")
	if _, err := st.Authorize(r, tok.Reveal(), nil); err != nil {
		t.Fatalf("signed delete: %v", err)
	}
}

// newStore returns a Store made with opts, failing tb if NewStore fails.
func newStore(tb testing.TB, opts ...keypolicy.Option) *keypolicy.Store {
	tb.Helper()
	st, err := keypolicy.NewStore(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func TestOptionsRefuseWhatTheyCannotUse(t *testing.T) {
	for name, o := range map[string]keypolicy.Option{
		"WithClock":         keypolicy.WithClock(nil),
		"WithLocation":      keypolicy.WithLocation(nil),
		"WithClientIP":      keypolicy.WithClientIP(nil),
		"WithSearchMatcher": keypolicy.WithSearchMatcher(nil),
	} {
		if _, err := keypolicy.NewStore(o); err == nil || !strings.Contains(err.Error(), name+"(nil)") {
			t.Errorf("NewStore(%s(nil)) = %v, want an error naming it", name, err)
		}
	}
}

// AuthorizeKey decides on the key Lookup found, as it was then: a
// revocation in between is seen by the next call, which looks again.
func TestAuthorizeKeyChecksTheKeyAsFound(t *testing.T) {
	st := newStore(t)
	k, tok, _ := st.Create(keypolicy.Spec{Scopes: []string{"a.read"}})
	found, ok := st.Lookup(tok.Reveal())
	if !ok {
		t.Fatal("Lookup did not find the key")
	}
	if _, err := st.AuthorizeKey(req("GET", "/", ""), found, []string{"b.read"}); !errors.Is(err, keypolicy.ErrMissingScopes) {
		t.Fatalf("a scope the key lacks: %v", err)
	}
	if err := st.Revoke(k.ID); err != nil {
		t.Fatal(err)
	}
	if d, err := st.AuthorizeKey(req("GET", "/", ""), found, []string{"a.read"}); err != nil || d.Key.ID != k.ID {
		t.Fatalf("the key as found: %+v, %v", d, err)
	}
	if _, err := st.Authorize(req("GET", "/", ""), tok.Reveal(), []string{"a.read"}); !errors.Is(err, keypolicy.ErrRevoked) {
		t.Fatalf("the next call, after the revocation: %v", err)
	}
}
