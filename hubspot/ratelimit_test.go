package hubspot

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
)

// okRT answers 200 without a network.
type okRT struct {
	n      atomic.Int64
	header http.Header
}

func (o *okRT) RoundTrip(r *http.Request) (*http.Response, error) {
	o.n.Add(1)
	if r.Body != nil {
		r.Body.Close()
	}
	h := http.Header{}
	for k, v := range o.header {
		h[k] = v
	}
	return &http.Response{StatusCode: 200, Header: h, Body: http.NoBody, Request: r}, nil
}

func send(t *testing.T, rt http.RoundTripper, method, url, auth string) error {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := rt.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func TestRateLimitWaitsOnTheClockPerCredential(t *testing.T) {
	fake := clock.NewFake(epoch)
	base := &okRT{}
	rl := &RateLimitTransport{Base: base, Limit: RateLimit{Requests: 20, Interval: 10 * time.Second}, Clock: fake}
	// A burst up to the limit goes at once, with no timer at all.
	for i := range 20 {
		fake.Advance(time.Millisecond)
		if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
		if fake.Timers() != 0 {
			t.Fatalf("request %d of a burst within the limit waited", i)
		}
	}
	// Another credential has its own window.
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenB); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- send(t, rl, "GET", "https://api.hubapi.com/x", tokenA) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the 21st request did not wait")
	}
	if base.n.Load() != 21 {
		t.Fatalf("%d requests sent, want 21 before the wait ends", base.n.Load())
	}
	// It waits exactly until the first leaves the window (10 s and the
	// 50 ms guard after it was sent, at 1 ms).
	dl, _ := fake.NextDeadline()
	if want := epoch.Add(time.Millisecond + 10*time.Second + 50*time.Millisecond); !dl.Equal(want) {
		t.Fatalf("wait until %v, want %v", dl.Sub(epoch), want.Sub(epoch))
	}
	fake.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitSearchHasItsOwnLimiter(t *testing.T) {
	fake := clock.NewFake(epoch)
	base := &okRT{}
	rl := &RateLimitTransport{Base: base, Limit: RateLimit{Requests: 10, Interval: 10 * time.Second}, Search: LimitSearch(), Clock: fake}
	for range 5 {
		if err := send(t, rl, "POST", "https://api.hubapi.com/crm/v3/objects/contacts/search", tokenA); err != nil {
			t.Fatal(err)
		}
	}
	// The search window (5 per second) is full now; a GET still goes at once.
	if err := send(t, rl, "GET", "https://api.hubapi.com/crm/v3/objects/contacts", tokenA); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", "https://api.hubapi.com/crm/v3/objects/deals/search", strings.NewReader("{}"))
		req.Header.Set("Authorization", "Bearer "+tokenA)
		_, err := rl.RoundTrip(req)
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := fake.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("the sixth search did not wait")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait returned %v", err)
	}
	if base.n.Load() != 6 {
		t.Fatalf("%d requests sent, want 6", base.n.Load())
	}
	// The cancelled wait gave its time back: the next search waits only
	// until the first leaves the window, not a second window.
	go func() { done <- send(t, rl, "POST", "https://api.hubapi.com/crm/v3/objects/deals/search", tokenA) }()
	if err := fake.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("the next search did not wait")
	}
	if dl, _ := fake.NextDeadline(); !dl.Equal(epoch.Add(time.Second + 5*time.Millisecond)) {
		t.Fatalf("the next search waits until %v, want 1.005s", dl.Sub(epoch))
	}
	fake.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitDeadlineFailsFast(t *testing.T) {
	fake := clock.NewFake(epoch)
	rl := &RateLimitTransport{Base: &okRT{}, Limit: RateLimit{Requests: 1, Interval: time.Hour}, Clock: fake}
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.hubapi.com/x", nil)
	_, err := rl.RoundTrip(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded at once", err)
	}
	if fake.Timers() != 0 {
		t.Fatal("a wait that outlasts the deadline started a timer")
	}
}

func TestRateLimitAdaptsDownFromHeaders(t *testing.T) {
	fake := clock.NewFake(epoch)
	base := &okRT{header: http.Header{
		"X-Hubspot-Ratelimit-Max":                   {"10"},
		"X-Hubspot-Ratelimit-Interval-Milliseconds": {"10000"},
		"X-Hubspot-Ratelimit-Remaining":             {"0"},
	}}
	rl := &RateLimitTransport{Base: base, Limit: LimitProfessional(), Clock: fake}
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	_, w, _ := rl.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), "", false)
	if l, span := w.params(); l != 10 || span != 10*time.Second+50*time.Millisecond {
		t.Fatalf("window not lowered: %d per %v", l, span)
	}
	// Remaining 0: HubSpot counted 10 where the window sent 1, so the
	// window is full until the 10 s are over.
	if d, _, _ := w.reserve(fake.Now(), math.MaxInt64, math.MaxInt, false); d != 10*time.Second+50*time.Millisecond {
		t.Fatalf("after remaining=0 the next request waits %v", d)
	}
	// Headers that allow more never raise the limit.
	base.header = http.Header{"X-Hubspot-Ratelimit-Max": {"1000"}, "X-Hubspot-Ratelimit-Interval-Milliseconds": {"1000"}}
	fake.Advance(time.Minute)
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	if l, _ := w.params(); l != 10 {
		t.Fatalf("limit raised to %d", l)
	}
}

// Once HubSpot says no calls are left today, calls fail at once without
// being sent, but for one a minute, which finds out whether the day has
// turned.
func TestRateLimitDailyFailsFastAndProbes(t *testing.T) {
	fake := clock.NewFake(epoch)
	base := &okRT{header: http.Header{"X-Hubspot-Ratelimit-Daily": {"1000"}, "X-Hubspot-Ratelimit-Daily-Remaining": {"1"}}}
	rl := &RateLimitTransport{Base: base, Limit: LimitFreeStarter(), Search: LimitSearch(), Clock: fake}
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	base.header = http.Header{"X-Hubspot-Ratelimit-Daily": {"1000"}, "X-Hubspot-Ratelimit-Daily-Remaining": {"0"}}
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "POST"} {
		url := "https://api.hubapi.com/crm/v3/objects/contacts/1"
		if method == "POST" {
			url = "https://api.hubapi.com/crm/v3/objects/contacts/search" // search counts too
		}
		err := send(t, rl, method, url, tokenA)
		var rle *RateLimitError
		if !errors.As(err, &rle) || rle.Policy != Daily || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("%s after the day is spent: %v, want a Daily *RateLimitError", method, err)
		}
		if rle.Err.Method != method || !strings.Contains(err.Error(), "daily limit") || strings.Contains(err.Error(), tokenA) {
			t.Fatalf("error %q", err)
		}
	}
	if n := base.n.Load(); n != 2 {
		t.Fatalf("%d requests sent, want 2", n)
	}
	// Another credential is not affected.
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenB); err != nil {
		t.Fatal(err)
	}
	// A minute later one request goes; HubSpot's new day answers.
	fake.Advance(time.Minute)
	base.header = http.Header{"X-Hubspot-Ratelimit-Daily": {"1000"}, "X-Hubspot-Ratelimit-Daily-Remaining": {"999"}}
	for range 3 {
		if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
	}
}

func mustReq(method, url, auth string) *http.Request {
	req, _ := http.NewRequest(method, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	return req
}

func TestRateLimitKeysBySourceFingerprint(t *testing.T) {
	cacheA, _ := newCache(t, tokenA)
	cacheB, _ := newCache(t, tokenB)
	rlA := &RateLimitTransport{Source: cacheA, Limit: LimitFreeStarter(), Search: LimitSearch()}
	window := func() (*window, string) {
		_, w, key := rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), "", false)
		return w, key
	}
	lA, keyA := window()
	rlA.Source = cacheB
	lB, keyB := window()
	if lA == lB || keyA == keyB {
		t.Fatal("two credentials share one limiter")
	}
	rlA.Source = cacheA
	if l, _ := window(); l != lA {
		t.Fatal("same credential got a new limiter")
	}
	// A request that carries the same token itself shares that limiter.
	if _, l, _ := rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), "", false); l != lA {
		t.Fatal("the token in the header and from the Source got different limiters")
	}
	// The shared budget's keys are the fingerprint and the class.
	fp := secrets.New(tokenA).Fingerprint()
	_, _, keyS := rlA.limiterFor(mustReq("POST", "https://api.hubapi.com/crm/v3/objects/deals/search", tokenA), "", true)
	if keyA != fp+"/standard" || keyS != fp+"/search" {
		t.Fatalf("keys %q and %q, want the fingerprint and the class", keyA, keyS)
	}
}

func TestRateLimitConcurrentUnderLimit(t *testing.T) {
	fake := clock.NewFake(epoch)
	var mu sync.Mutex
	var times []time.Time
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		times = append(times, fake.Now())
		mu.Unlock()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	rl := &RateLimitTransport{Base: base, Limit: RateLimit{Requests: 10, Interval: time.Second}, Clock: fake}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 50
	var remaining atomic.Int64
	remaining.Store(n)
	go advanceWhenAllWait(ctx, fake, &remaining)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer remaining.Add(-1)
			if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(times) != n {
		t.Fatalf("%d sends, want %d", len(times), n)
	}
	// No window of one second holds more than 10 sends.
	for _, start := range times {
		k := 0
		for _, x := range times {
			if !x.Before(start) && x.Before(start.Add(time.Second)) {
				k++
			}
		}
		if k > 10 {
			t.Fatalf("%d requests within one second of %v", k, start.Sub(epoch))
		}
	}
	// Five bursts of ten, a window (1 s and the 5 ms guard) apart.
	if last := fake.Now().Sub(epoch); last != 4*(time.Second+5*time.Millisecond) {
		t.Fatalf("50 requests at 10/s took %v of clock time, want 4.02s", last)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// advanceWhenAllWait fires fake's next timer each time every one of the
// remaining goroutines is waiting on a timer, so that a woken goroutine
// acts at the instant its timer fired.
func advanceWhenAllWait(ctx context.Context, fake *clock.Fake, remaining *atomic.Int64) {
	for ctx.Err() == nil {
		r := remaining.Load()
		if r == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
		err := fake.WaitForTimers(wctx, int(r))
		cancel()
		if err == nil && remaining.Load() == r {
			fake.AdvanceToNext()
		}
	}
}

// The OAuth token calls carry no app token a limit could count against:
// the catalogue calls them unmetered, and they pass a spent limiter; the
// class of every other call is the catalogue's too, in either version.
func TestRateLimitClassIsTheCatalogues(t *testing.T) {
	fake := clock.NewFake(epoch)
	base := &okRT{}
	rl := &RateLimitTransport{Base: base, Limit: RateLimit{Requests: 1, Interval: time.Hour}, Search: RateLimit{Requests: 1, Interval: time.Hour}, Clock: fake}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a wait would outlast it
	defer cancel()
	do := func(method, path string) error {
		req, _ := http.NewRequestWithContext(ctx, method, "https://api.hubapi.com"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tokenA)
		resp, err := rl.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	for _, c := range []struct {
		method, path string
		spent        bool // the limiter of the call's class is spent by now
	}{
		{"GET", "/crm/v3/objects/contacts", false},
		{"GET", "/crm/objects/2026-03/contacts", true},
		{"POST", "/oauth/v1/token", false},
		{"POST", "/oauth/2026-03/token", false},
		{"GET", "/oauth/v1/access-tokens/abc", false},
		{"POST", "/crm/objects/2026-09/deals/search", false},
		{"POST", "/crm/v3/objects/deals/search", true},
		{"POST", "/marketing/v3/emails/search", true}, // not in the catalogue: the general limit
	} {
		err := do(c.method, c.path)
		if spent := errors.Is(err, context.DeadlineExceeded); spent != c.spent {
			t.Errorf("%s %s: %v, want spent=%v", c.method, c.path, err, c.spent)
		}
	}
}

// The rate-limit headers are read by indexing the header map, which
// finds only names spelled as net/http stores them.
func TestRateHeaderNamesAreCanonical(t *testing.T) {
	for _, h := range []string{hdrRateRemaining, hdrRateMax, hdrRateDailyRemaining, hdrRateDaily, hdrRateInterval} {
		if c := http.CanonicalHeaderKey(h); c != h {
			t.Errorf("%q is not canonical (%q): it would never be found", h, c)
		}
	}
}

// lineageSource is a TokenSource whose token changes and whose lineage
// does not: an OAuth installation's access tokens, refreshed.
type lineageSource struct {
	mu      sync.Mutex
	token   string
	lineage string
}

func (s *lineageSource) Get(context.Context) (secrets.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secrets.Version{Value: secrets.New(s.token), ID: s.token[:6], Lineage: s.lineage}, nil
}

func (s *lineageSource) Invalidate(secrets.Version) {}

func (s *lineageSource) rotate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Values of one lineage share a window, whichever value a request
// carries, and the shared budget knows the window by the lineage.
func TestRateLimitKeysByLineage(t *testing.T) {
	rl := &RateLimitTransport{Limit: LimitFreeStarter(), Search: LimitSearch()}
	_, wA, keyA := rl.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), "app-1/fp:abc", false)
	_, wB, keyB := rl.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenB), "app-1/fp:abc", false)
	if wA != wB || keyA != keyB || keyA != "lineage:app-1/fp:abc/standard" {
		t.Fatalf("two values of one lineage: windows %p %p, keys %q %q", wA, wB, keyA, keyB)
	}
	if _, w, _ := rl.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), "", false); w == wA {
		t.Fatal("the token without its lineage shares the lineage's window")
	}
	src := &lineageSource{token: tokenB, lineage: "app-1/fp:abc"}
	rs := &RateLimitTransport{Source: src, Limit: LimitFreeStarter()}
	_, w1, k1 := rs.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), "", false)
	src.rotate(tokenA)
	_, w2, _ := rs.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), "", false)
	if w1 != w2 || k1 != keyA {
		t.Fatalf("a Source's lineage: windows %p %p, key %q", w1, w2, k1)
	}
}

// A Client counts a credential's calls under its lineage, so a rotation
// (an OAuth refresh) does not start a fresh window: the call after it
// waits for the room its predecessors took.
func TestRateLimitWindowOutlivesRotation(t *testing.T) {
	srv := hubspottest.NewServer(t)
	first, second := srv.NewToken("crm.objects.contacts.read"), srv.NewToken("crm.objects.contacts.read")
	for _, lineage := range []string{"app-1/fp:abc", ""} {
		src := &lineageSource{token: first, lineage: lineage}
		c, err := New(WithToken(src), WithBaseURL(srv.URL()), WithRateLimit(RateLimit{Requests: 5, Interval: time.Hour}), WithRetry(RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a wait would outlast it
		limited := func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrRateLimited)
		}
		for n := 0; ; n++ { // until the window is spent
			_, err := c.Contacts.List(ctx, nil)
			if limited(err) {
				break
			}
			if err != nil || n > 100 {
				t.Fatalf("call %d: %v", n, err)
			}
		}
		src.rotate(second)
		_, err = c.Contacts.List(ctx, nil)
		cancel()
		c.Close()
		if limited(err) != (lineage != "") || (lineage == "" && err != nil) {
			t.Errorf("lineage %q: the call after the rotation: %v", lineage, err)
		}
	}
}
