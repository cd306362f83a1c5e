package hubspot_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// TestOAuthRefreshUnderConcurrency is the figure for the closing note: 64
// goroutines call HubSpot through the full client, whose token is an OAuth
// access token from an oauth.Provider behind a secrets.Cache, against
// hubspottest; the server and the cache share one fake clock, and access
// tokens live 6 test-clock seconds.
//
//   - At expiry: the clock jumps to the moment the token expires, then all
//     64 callers call at once and find it expired. Goal: one token-endpoint
//     call per expiry, no failed call.
//   - Ahead of expiry: the clock moves one second per round of 64 calls;
//     the cache refreshes in its advisory window (the last 2 s) while the
//     callers keep the current token. Goal: one call per refresh, no
//     failed call, no caller waiting.
//
// In both, no call may reach HubSpot with an expired token (no 401).
//
//	go test -race -run TestOAuthRefreshUnderConcurrency -v ./hubspot/
func TestOAuthRefreshUnderConcurrency(t *testing.T) {
	const (
		callers  = 64
		lifetime = 6 * time.Second
		advisory = 2 * time.Second // the cache refreshes in the token's last 2 s
		expiries = 8
		ahead    = 24 // one-second rounds of the second phase
	)
	fake := clock.NewFake(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithOAuthTokenLifetime(lifetime))
	clientID, clientSecret, refreshToken := srv.NewOAuthApp("crm.objects.contacts.read", "crm.objects.contacts.write")
	p, err := oauth.New(oauth.Config{
		ClientID:     clientID,
		ClientSecret: secretstest.NewStatic(clientSecret),
		RefreshToken: secretstest.NewStatic(refreshToken),
		TokenURL:     srv.OAuthTokenURL(),
		Clock:        fake,
	})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := secrets.NewCache(p, secrets.WithClock(fake), secrets.WithExpiryWindows(advisory, advisory/4))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	rotated := make(chan secrets.Version, 1000)
	cache.OnRotate(func(_, v secrets.Version) { rotated <- v })
	c, err := hubspot.New(
		hubspot.WithToken(cache),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithClock(fake),
		hubspot.WithRateLimit(hubspot.RateLimit{}), // the figure is about tokens, not pacing
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	obj, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "load@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := cache.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var failed atomic.Int64
	var firstErr atomic.Value
	round := func() {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := c.Contacts.Get(ctx, obj.ID, nil); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	// rotation returns the version a refresh adopted, waiting (on a real
	// deadline, never a sleep) for a refresh that runs in the background.
	rotation := func(what string) secrets.Version {
		t.Helper()
		select {
		case v := <-rotated:
			return v
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no refresh", what)
		}
		return secrets.Version{}
	}
	noRotation := func(what string) {
		t.Helper()
		select {
		case v := <-rotated:
			t.Fatalf("%s: an extra refresh adopted %s", what, v.ID)
		default:
		}
	}

	// At expiry: rounds at +1 s and +3 s of each token's life (before the
	// advisory window), then one at the instant it expires.
	calls0 := srv.TokenEndpointCalls()
	for i := range expiries {
		fake.Set(cur.FetchedAt.Add(time.Second))
		round()
		fake.Set(cur.FetchedAt.Add(3 * time.Second))
		round()
		noRotation("before the advisory window")
		fake.Set(cur.ExpiresAt)
		round()
		cur = rotation("at expiry")
		noRotation("at expiry")
		if !cur.FetchedAt.Equal(fake.Now()) {
			t.Fatalf("expiry %d: new token fetched at %v, want %v", i+1, cur.FetchedAt, fake.Now())
		}
	}
	atExpiry := srv.TokenEndpointCalls() - calls0
	failedAtExpiry := failed.Load()

	// Ahead of expiry: a round every second.
	calls1, refreshes := srv.TokenEndpointCalls(), 0
	for range ahead {
		fake.Advance(time.Second)
		round()
		if !fake.Now().Before(cur.ExpiresAt.Add(-advisory)) {
			cur = rotation("in the advisory window")
			refreshes++
		}
		noRotation("ahead of expiry")
	}
	aheadCalls := srv.TokenEndpointCalls() - calls1
	failedAhead := failed.Load() - failedAtExpiry

	unauthorized := 0
	for _, e := range srv.Journal() {
		if e.Status == 401 {
			unauthorized++
		}
	}
	t.Logf("at expiry: %d callers, %d expiries, %d token-endpoint calls (%.2f per expiry), %d failed calls of %d",
		callers, expiries, atExpiry, float64(atExpiry)/expiries, failedAtExpiry, expiries*3*callers)
	t.Logf("ahead of expiry: %d callers, %d refreshes in %d s, %d token-endpoint calls (%.2f per refresh), %d failed calls of %d",
		callers, refreshes, ahead, aheadCalls, float64(aheadCalls)/float64(refreshes), failedAhead, ahead*callers)
	t.Logf("calls sent with an expired token (401): %d", unauthorized)

	if err, _ := firstErr.Load().(error); err != nil {
		t.Errorf("first failed call: %v", err)
	}
	if atExpiry != expiries || failedAtExpiry != 0 {
		t.Errorf("at expiry: %d token-endpoint calls for %d expiries and %d failed calls; want one per expiry and none failed", atExpiry, expiries, failedAtExpiry)
	}
	if wantRefreshes := ahead / int(lifetime/time.Second-advisory/time.Second); refreshes != wantRefreshes || aheadCalls != int64(refreshes) || failedAhead != 0 {
		t.Errorf("ahead of expiry: %d token-endpoint calls for %d refreshes (want %d), %d failed; want one per refresh and none failed", aheadCalls, refreshes, wantRefreshes, failedAhead)
	}
	if unauthorized != 0 {
		t.Errorf("%d calls reached HubSpot with an expired token", unauthorized)
	}
}
