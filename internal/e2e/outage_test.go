package e2e

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
)

// errStoreDown is what the secret store answers while it is down.
var errStoreDown = errors.New("secret store unavailable (injected by the test)")

// hookLog records what a Cache's OnError hooks receive.
type hookLog struct {
	errorLog
	down     atomic.Int64 // errors that wrap errStoreDown
	deadline atomic.Int64 // errors that wrap context.DeadlineExceeded
	// unauthorized counts errors that match hubspot.ErrUnauthorized.
	unauthorized atomic.Int64
}

func (h *hookLog) hook(err error) {
	h.add(err)
	if errors.Is(err, errStoreDown) {
		h.down.Add(1)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		h.deadline.Add(1)
	}
	if errors.Is(err, hubspot.ErrUnauthorized) {
		h.unauthorized.Add(1)
	}
}

// tick waits for the Cache's background refresh to be asleep on fake and
// wakes it.
func tick(t *testing.T, fake *clock.Fake) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the Cache's background refresh never went to sleep")
	}
	fake.AdvanceToNext()
}

// The store goes down just as HubSpot rotates the token with "expire
// later", and stays down over several of the Cache's background refreshes.
// Under 64 concurrent callers, no call fails: they are served with the
// cached token, which is still valid; each failed refresh reaches the
// OnError hook; once the store is back, the next refresh adopts the new
// token, before the old one expires, so HubSpot never rejects a call.
func TestRotationWhileStoreIsDown(t *testing.T) {
	const (
		outages     = 5
		failedTicks = 3
	)
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithJournalSize(1<<16))
	tok := srv.NewToken(hubspottest.AllScopes...)
	st := newStore(tok)
	var hooks hookLog
	cache := newCache(t, st, secrets.WithClock(fake),
		secrets.WithRefreshInterval(time.Hour, 0), secrets.WithBackoff(time.Minute, 10*time.Minute))
	cache.OnError(hooks.hook)
	c := newClient(t, srv, cache, hubspot.WithClock(fake))
	l := startLoad(t, srv, c, callers, callTimeout)
	l.finishAfter(t, 0)

	for k := 1; k <= outages; k++ {
		prev := currentID(t, cache)
		st.st.SetError(errStoreDown)
		var next string
		id := st.rotate(func() string {
			next = srv.RotateToken(tok, hubspottest.ExpireLater)
			return next
		})
		for range failedTicks {
			n := hooks.n.Load()
			tick(t, fake)
			eventually(t, "the failed refresh to reach OnError", func() bool { return hooks.n.Load() > n })
			l.finishAfter(t, l.calls.Load())
		}
		if got := currentID(t, cache); got != prev {
			t.Fatalf("the Cache holds %s while the store is down; want %s, the last good version", got, prev)
		}
		st.st.SetError(nil)
		tick(t, fake)
		eventually(t, "the Cache to adopt "+id+" once the store is back", func() bool { return currentID(t, cache) == id })
		l.settle(t)
		fake.Advance(hubspottest.ExpireLater) // the old token expires
		l.finishAfter(t, l.calls.Load())
		tok = next
	}
	l.halt()

	rejected := 0
	for _, e := range srv.Journal() {
		if e.Status == 401 {
			rejected++
		}
	}
	calls, failures := l.calls.Load(), l.failures.n.Load()
	t.Logf("rotations=%d callers=%d calls=%d failures=%d provider_fetches=%d failed_refreshes_reported=%d rejected_sends=%d",
		outages, callers, calls, failures, st.st.Fetches(), hooks.n.Load(), rejected)
	if failures != 0 {
		t.Errorf("%d of %d calls failed; first:\n  %s", failures, calls, l.failures.String())
	}
	if n, down := hooks.n.Load(), hooks.down.Load(); n != outages*failedTicks || down != n {
		t.Errorf("OnError saw %d errors, %d of them the store's, for %d failed refreshes; first:\n  %s", n, down, outages*failedTicks, hooks.String())
	}
	if rejected != 0 {
		t.Errorf("HubSpot rejected %d calls: the Cache did not move to the new token before the old one expired", rejected)
	}
}

// wave makes n concurrent calls through c, each with its own deadline, and
// returns their errors and the longest any of them took (real time).
func wave(c *hubspot.Client, id string, n int, timeout time.Duration) ([]error, time.Duration) {
	errs := make([]error, n)
	took := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			start := time.Now()
			_, errs[i] = c.Contacts.Get(ctx, id, nil)
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
	return errs, slices.Max(took)
}

// count returns how many errs match is.
func count(errs []error, is func(error) bool) int {
	n := 0
	for _, err := range errs {
		if is(err) {
			n++
		}
	}
	return n
}

// HubSpot rotates the token with "expire now" while the store is down:
// there is no valid token to be had, so calls must fail, but fast, with
// HubSpot's 401, never hanging; the store sees one fetch per
// WithMinInvalidateInterval however many calls are rejected, and each
// failure reaches OnError. Once the store is back, the next rejection
// fetches the new token and calls succeed again.
func TestExpireNowWhileStoreIsDown(t *testing.T) {
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	tok := srv.NewToken(hubspottest.AllScopes...)
	st := newStore(tok)
	var hooks hookLog
	cache := newCache(t, st, secrets.WithClock(fake), secrets.WithMinInvalidateInterval(time.Second))
	cache.OnError(hooks.hook)
	c := newClient(t, srv, cache, hubspot.WithClock(fake))
	id := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0].ID

	errs, _ := wave(c, id, callers, callTimeout)
	if n := count(errs, func(err error) bool { return err != nil }); n != 0 {
		t.Fatalf("%d calls failed before the rotation: %v", n, errors.Join(errs...))
	}

	st.st.SetError(errStoreDown)
	st.rotate(func() string { return srv.RotateToken(tok, hubspottest.ExpireNow) })
	for round := 1; round <= 3; round++ {
		before := st.st.Fetches()
		errs, slowest := wave(c, id, callers, callTimeout)
		unauthorized := count(errs, func(err error) bool { return errors.Is(err, hubspot.ErrUnauthorized) })
		t.Logf("store down, round %d: calls=%d unauthorized=%d provider_fetches=%d slowest=%v", round, callers, unauthorized, st.st.Fetches()-before, slowest)
		if unauthorized != callers {
			t.Errorf("round %d: %d of %d calls failed with HubSpot's 401; errors: %v", round, unauthorized, callers, errors.Join(errs...))
		}
		if n := st.st.Fetches() - before; n != 1 {
			t.Errorf("round %d: %d rejected calls asked the store %d times; want once", round, callers, n)
		}
		if n, down := hooks.n.Load(), hooks.down.Load(); n != int64(round) || down != n {
			t.Errorf("round %d: OnError saw %d errors, %d of them the store's; first:\n  %s", round, n, down, hooks.String())
		}
		fake.Advance(time.Second) // the next rejection may fetch again
	}

	st.st.SetError(nil)
	before := st.st.Fetches()
	errs, _ = wave(c, id, callers, callTimeout)
	if n := count(errs, func(err error) bool { return err != nil }); n != 0 {
		t.Errorf("%d of %d calls failed once the store was back: %v", n, callers, errors.Join(errs...))
	}
	if n := st.st.Fetches() - before; n != 1 {
		t.Errorf("recovery took %d fetches; want 1", n)
	}
}

// The store hangs (its Fetch returns only when its context ends) while the
// token is dead. Each call ends at its own deadline, long before the
// Cache's fetch timeout ends the hung fetch; that timeout then reaches
// OnError; and once the store answers again, calls succeed.
func TestExpireNowWhileStoreHangs(t *testing.T) {
	const (
		callDeadline = 50 * time.Millisecond
		fetchTimeout = time.Second
	)
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	tok := srv.NewToken(hubspottest.AllScopes...)
	st := newStore(tok)
	var hooks hookLog
	var hookAt atomic.Pointer[time.Time]
	cache := newCache(t, st, secrets.WithClock(fake), secrets.WithFetchTimeout(fetchTimeout))
	cache.OnError(func(err error) {
		now := time.Now()
		hookAt.CompareAndSwap(nil, &now)
		hooks.hook(err)
	})
	c := newClient(t, srv, cache, hubspot.WithClock(fake))
	id := srv.Seed("contacts", map[string]string{"email": "a@example.com"})[0].ID
	if _, err := c.Contacts.Get(context.Background(), id, nil); err != nil {
		t.Fatal(err)
	}

	st.st.SetHook(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	st.rotate(func() string { return srv.RotateToken(tok, hubspottest.ExpireNow) })
	start := time.Now()
	errs, slowest := wave(c, id, callers, callDeadline)
	returned := time.Now()
	t.Logf("store hung: calls=%d deadline=%v slowest=%v failures=%d", callers, callDeadline, slowest, count(errs, func(err error) bool { return err != nil }))
	for i, err := range errs {
		if err == nil {
			t.Errorf("call %d succeeded with a dead token and a hung store", i)
		}
	}
	// On a loaded machine every call can reach its deadline before HubSpot's
	// 401 comes back, and then none asked the cache for a new token: ask
	// for it here (a second request for the same version is ignored).
	if v, err := cache.Get(context.Background()); err == nil {
		cache.Invalidate(v)
	}
	eventually(t, "the fetch timeout to reach OnError", func() bool { return hooks.deadline.Load() == 1 })
	if at := *hookAt.Load(); !returned.Before(at) {
		t.Errorf("the calls returned %v after they started, not before the fetch timed out (%v): they waited for the store, not their deadlines",
			returned.Sub(start), at.Sub(start))
	}

	st.st.SetHook(nil)
	fake.Advance(time.Second)
	if _, err := c.Contacts.Get(context.Background(), id, nil); err != nil {
		t.Errorf("once the store answers again: %v", err)
	}
}
