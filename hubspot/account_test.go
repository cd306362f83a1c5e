package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestAccountDetailsAndUsage(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 1, 20, 15, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	srv.SetAccount(hubspottest.Account{PortalID: 123456, TimeZone: "Europe/Berlin", CompanyCurrency: "EUR",
		AdditionalCurrencies: []string{"USD", "GBP"}, UIDomain: "app-eu1.hubspot.com", DataHostingLocation: "eu1"})
	c, tok, _ := newClient(t, srv, []string{}) // account-info needs no scope
	ctx := context.Background()

	d, err := c.Account.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := hubspot.AccountDetails{PortalID: 123456, AccountType: "STANDARD", TimeZone: "Europe/Berlin", CompanyCurrency: "EUR",
		AdditionalCurrencies: []string{"USD", "GBP"}, UTCOffset: "+01:00", UTCOffsetMilliseconds: 3_600_000,
		UIDomain: "app-eu1.hubspot.com", DataHostingLocation: "eu1"}
	if fmt.Sprint(*d) != fmt.Sprint(want) || d.Offset() != time.Hour {
		t.Errorf("details %+v\nwant    %+v", *d, want)
	}

	for range 3 {
		if _, err := c.Account.Details(ctx); err != nil {
			t.Fatal(err)
		}
	}
	usage, err := c.Account.DailyUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(usage) != 1 {
		t.Fatalf("usage %+v", usage)
	}
	u := usage[0]
	if u.Name != "private-apps-api-calls-daily" || u.CurrentUsage != 5 || u.UsageLimit != 250_000 || u.Remaining() != 249_995 ||
		u.FetchStatus != "SUCCESS" || !u.CollectedAt.Equal(clk.Now()) || !u.ResetsAt.Equal(time.Date(2025, 1, 21, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("usage %+v", u)
	}
	if n := srv.APIUsage(tok); n != 5 {
		t.Errorf("server counted %d", n)
	}
	if r := (hubspot.APIUsage{UsageLimit: 10, CurrentUsage: 12}).Remaining(); r != 0 {
		t.Errorf("Remaining over the limit = %d", r)
	}
}

func TestTokenValidator(t *testing.T) {
	srv := hubspottest.NewServer(t)
	srv.SetAccount(hubspottest.Account{PortalID: 777})
	good := srv.NewToken("crm.objects.contacts.read")
	revoked := srv.NewToken("crm.objects.contacts.read")
	srv.RevokeToken(revoked)
	suspended := srv.NewToken()
	srv.SuspendToken(suspended)
	version := func(tok string) secrets.Version {
		return secrets.Version{Value: secrets.New(tok), ID: "v-" + secrets.New(tok).Fingerprint(), Source: "test:token"}
	}

	v, err := hubspot.NewTokenValidator(hubspot.WithBaseURL(srv.URL()), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	wrongPortal := v.ExpectPortal(42)

	tests := []struct {
		name string
		v    *hubspot.TokenValidator
		ver  secrets.Version
		is   error // nil: accepted
	}{
		{"a good token", v, version(good), nil},
		{"a revoked token", v, version(revoked), hubspot.ErrUnauthorized},
		{"a suspended token", v, version(suspended), hubspot.ErrUnauthorized},
		{"an unknown token", v, version("pat-na1-00000000-0000-4000-8000-000000000000"), hubspot.ErrUnauthorized},
		{"an empty version", v, secrets.Version{ID: "empty", Source: "test:token"}, errors.New("empty")},
		{"a good token of the right portal", v.ExpectPortal(777), version(good), nil},
		{"a working token when no portal is expected", v, version(good), nil},
		{"a good token of another portal", wrongPortal, version(good), hubspot.ErrWrongAccount},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetJournal()
			err := tc.v.Validate(context.Background(), tc.ver)
			switch {
			case tc.is == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.is != nil && err == nil:
				t.Fatal("accepted")
			case tc.is != nil && !errors.Is(err, tc.is) && !strings.Contains(err.Error(), tc.is.Error()):
				t.Fatalf("error %v, want %v", err, tc.is)
			}
			if err != nil {
				secretstest.AssertNoLeak(t, "validation error", err.Error(), tc.ver.Value.Reveal())
				if tc.ver.ID != "" && !strings.Contains(err.Error(), tc.ver.ID) {
					t.Errorf("the error should name version %s: %v", tc.ver.ID, err)
				}
			}
			// Exactly the version under validation was sent, once.
			if !tc.ver.Value.IsZero() {
				j := srv.Journal()
				if len(j) != 1 || !isOp(j[0], "account.details") || j[0].TokenFingerprint != tc.ver.Value.Fingerprint() {
					t.Errorf("journal %+v", j)
				}
			}
		})
	}

	if _, err := hubspot.NewTokenValidator(hubspot.WithToken(secretstest.NewStatic(good))); err == nil || !strings.Contains(err.Error(), "WithToken") {
		t.Errorf("WithToken should be refused: %v", err)
	}
	if _, err := hubspot.NewTokenValidator(hubspot.WithBaseURL("http://example.com")); err == nil {
		t.Error("a bad base URL should fail at construction")
	}
}

// The validator guards a rotation: a Cache adopts a new token only if
// HubSpot accepts it, and keeps serving the one that works otherwise. The
// validator sends the candidate, not the Cache's current token.
func TestTokenValidatorGuardsCacheRotation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	first := srv.NewToken("crm.objects.contacts.read")
	revoked := srv.NewToken("crm.objects.contacts.read")
	srv.RevokeToken(revoked)
	next := srv.RotateToken(first, hubspottest.ExpireLater)

	v, err := hubspot.NewTokenValidator(hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	st := secretstest.NewStatic(first)
	cache, err := secrets.NewCache(st, secrets.WithValidate(v.Validate), secrets.WithMinInvalidateInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	ctx := context.Background()
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// A revoked token is pushed: refused, and the first keeps serving.
	st.Rotate(revoked)
	srv.ResetJournal()
	if _, err := cache.Refresh(ctx); !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("Refresh with a revoked token: %v", err)
	}
	if j := srv.Journal(); len(j) != 1 || j[0].TokenFingerprint != secrets.New(revoked).Fingerprint() {
		t.Fatalf("the validator should have sent the candidate only: %+v", j)
	}
	got, err := cache.Get(ctx)
	if err != nil || got.Value.Reveal() != first {
		t.Fatalf("the cache should keep the working token: %v", err)
	}
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatalf("calls go on with the working token: %v", err)
	}

	// The rotated token is pushed: adopted.
	st.Rotate(next)
	if _, err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := cache.Get(ctx); got.Value.Reveal() != next {
		t.Fatal("the rotated token should have been adopted")
	}
	srv.ResetJournal()
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if j := srv.Journal(); j[0].TokenFingerprint != secrets.New(next).Fingerprint() {
		t.Error("the client should now send the rotated token")
	}
}

// Details is the cheapest check that a token works; NewTokenValidator
// makes it the gate of a rotation.
func ExampleNewTokenValidator() {
	var t testing.T // in a test, use its *testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	good := srv.NewToken("crm.objects.contacts.read")
	bad := srv.NewToken("crm.objects.contacts.read")
	srv.RevokeToken(bad)

	v, err := hubspot.NewTokenValidator(hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()
	provider := secretstest.NewStatic(good) // in production: Vault, AWS, a file...
	cache, _ := secrets.NewCache(provider, secrets.WithValidate(v.Validate))
	defer cache.Close()

	ctx := context.Background()
	cur, err := cache.Get(ctx)
	fmt.Println("first token adopted:", err == nil && cur.Value.Reveal() == good)

	provider.Rotate(bad) // someone stores a revoked token
	_, err = cache.Refresh(ctx)
	fmt.Println("revoked token refused:", errors.Is(err, hubspot.ErrUnauthorized))
	cur, _ = cache.Get(ctx)
	fmt.Println("still serving the good one:", cur.Value.Reveal() == good)
	// Output:
	// first token adopted: true
	// revoked token refused: true
	// still serving the good one: true
}

func ExampleAccountService_Details() {
	var t testing.T
	srv := hubspottest.NewServer(&t)
	defer srv.Close()
	c, _ := hubspot.New(
		hubspot.WithToken(secretstest.NewStatic(srv.NewToken())), // no scope needed
		hubspot.WithBaseURL(srv.URL()),
	)
	d, err := c.Account.Details(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.PortalID, d.AccountType, d.TimeZone, d.CompanyCurrency, d.DataHostingLocation)
	// Output: 62515 STANDARD US/Eastern USD na1
}
