package e2e

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// epoch is where every fake clock starts.
var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// patience bounds every wait for something the test expects to happen
// soon; it is generous because the machine is shared and -race is slow.
const patience = 30 * time.Second

// store is a deployment's secret store: a secretstest.Static whose value
// the rotation job writes in the same step as it rotates the token on
// HubSpot. Fetch and rotate exclude each other, so no reader sees HubSpot's
// new state without the store's (a store that lags behind HubSpot cannot
// serve a token it does not have yet, whatever the client does).
type store struct {
	mu sync.RWMutex
	st *secretstest.Static
}

func newStore(token string) *store { return &store{st: secretstest.NewStatic(token)} }

// Fetch reads the store.
func (s *store) Fetch(ctx context.Context) (secrets.Version, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.Fetch(ctx)
}

// rotate runs rotateOnHubSpot (which returns the new token) and writes its
// result to the store, as one step. It returns the new version's ID.
func (s *store) rotate(rotateOnHubSpot func() string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Rotate(rotateOnHubSpot())
}

// newCache returns a Cache over p, closed at the end of the test.
func newCache(t testing.TB, p secrets.Provider, opts ...secrets.CacheOption) *secrets.Cache {
	t.Helper()
	c, err := secrets.NewCache(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newClient returns a client of srv whose token comes from src, with no
// client-side rate limit unless opts set one, that speaks the API version
// $HUBKEY_TEST_API_VERSION names (versionOptions) unless opts say
// otherwise, closed at the end of the test.
func newClient(t testing.TB, srv *hubspottest.Server, src hubspot.TokenSource, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	all := append(append([]hubspot.Option{
		hubspot.WithToken(src),
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
	}, versionOptions()...), opts...)
	c, err := hubspot.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fingerprint is how the server's journal names a token.
func fingerprint(token string) string { return secrets.New(token).Fingerprint() }

// eventually polls cond until it holds, failing the test with what after
// patience runs out.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", patience, what)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// currentID returns the ID of the version c holds now.
func currentID(t testing.TB, c *secrets.Cache) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	v, err := c.Get(ctx)
	if err != nil {
		t.Fatalf("reading the cache: %v", err)
	}
	return v.ID
}

// advanceWhenWaiting moves fake to its next timer each time one is
// waiting, until ctx ends, so that waits on the fake clock (backoffs,
// Retry-After) pass at once. It returns how far it moved the clock, once
// ctx has ended and it has stopped.
func advanceWhenWaiting(ctx context.Context, fake *clock.Fake) <-chan time.Duration {
	done := make(chan time.Duration, 1)
	start := fake.Now()
	go func() {
		for fake.WaitForTimers(ctx, 1) == nil {
			fake.AdvanceToNext()
		}
		done <- fake.Now().Sub(start)
	}()
	return done
}

// errorLog keeps the first few distinct error messages and counts them
// all, for failure messages.
type errorLog struct {
	mu    sync.Mutex
	n     atomic.Int64
	first []string
}

func (l *errorLog) add(err error) {
	l.n.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.first) < 5 {
		l.first = append(l.first, err.Error())
	}
}

func (l *errorLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.first, "\n  ")
}

// batchLimit is the most inputs HubSpot takes in one CRM batch request:
// the client sends batches in chunks of it.
const batchLimit = 100
