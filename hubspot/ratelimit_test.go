package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
)

func TestBucketNeverExceedsLimitInAWindow(t *testing.T) {
	for _, r := range []RateLimit{LimitFreeStarter(), LimitProfessional(), LimitAPIAddOn(), LimitSearch(), {Requests: 1, Interval: time.Second}, {Requests: 3, Interval: time.Second}} {
		lim, burst := r.bucket()
		if burst < 1 {
			t.Fatalf("%v: burst %d", r, burst)
		}
		// In any half-open window of Interval the bucket admits at most
		// burst + rate*interval requests, less one when they meet exactly.
		got := float64(burst) + float64(lim)*r.Interval.Seconds()
		if got > float64(r.Requests)+1e-9 && !(burst == 1 && got <= float64(r.Requests)+1+1e-9) {
			t.Errorf("%v: burst+rate*interval = %v > %d", r, got, r.Requests)
		}
	}
}

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
	// burst 1 and 1 spare, then 18 per 10 s: one every 555ms.
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	// Another credential has its own limiter.
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenB); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- send(t, rl, "GET", "https://api.hubapi.com/x", tokenA) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("third request did not wait")
	}
	if base.n.Load() != 2 {
		t.Fatalf("%d requests sent, want 2 before the wait ends", base.n.Load())
	}
	dl, _ := fake.NextDeadline()
	if want := epoch.Add(time.Second * 10 / 18); dl.Sub(want).Abs() > time.Millisecond {
		t.Fatalf("wait until %v, want about %v", dl.Sub(epoch), want.Sub(epoch))
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
	if err := send(t, rl, "POST", "https://api.hubapi.com/crm/v3/objects/contacts/search", tokenA); err != nil {
		t.Fatal(err)
	}
	// The search bucket (burst 1) is empty now; a GET still goes at once.
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
		t.Fatal("second search did not wait")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait returned %v", err)
	}
	if base.n.Load() != 2 {
		t.Fatalf("%d requests sent, want 2", base.n.Load())
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
	lim := rl.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), false)
	if lim.Burst() != 1 || float64(lim.Limit()) > 0.9+1e-9 {
		t.Fatalf("limiter not lowered: burst %d, rate %v", lim.Burst(), lim.Limit())
	}
	if tok := lim.TokensAt(fake.Now()); tok >= 1 {
		t.Fatalf("remaining=0 left %v tokens", tok)
	}
	// Headers that allow more never raise the limit.
	base.header = http.Header{"X-Hubspot-Ratelimit-Max": {"1000"}, "X-Hubspot-Ratelimit-Interval-Milliseconds": {"1000"}}
	fake.Advance(time.Minute)
	if err := send(t, rl, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	if lim.Burst() != 1 {
		t.Fatalf("limit raised to burst %d", lim.Burst())
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
	rlA := &RateLimitTransport{Source: cacheA, Limit: LimitFreeStarter()}
	lA := rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), false)
	rlA.Source = cacheB
	lB := rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), false)
	if lA == lB {
		t.Fatal("two credentials share one limiter")
	}
	rlA.Source = cacheA
	if rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", ""), false) != lA {
		t.Fatal("same credential got a new limiter")
	}
	// A request that carries the same token itself shares that limiter.
	if rlA.limiterFor(mustReq("GET", "https://api.hubapi.com/x", tokenA), false) != lA {
		t.Fatal("the token in the header and from the Source got different limiters")
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
	if last := fake.Now().Sub(epoch); last > 6*time.Second {
		t.Fatalf("50 requests at 10/s took %v of clock time", last)
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
