package hubspot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// memBudget is a Budget kept in memory, on a clock, that can be made to
// fail: the stand-in for a shared store that several transports (the
// processes of an integration) use.
type memBudget struct {
	clk   clock.Clock
	mu    sync.Mutex
	sends map[string][]time.Time
	err   error // returned by Reserve while set
	hang  bool  // Reserve blocks until its context ends
	calls int
	last  time.Duration // the window of the last call
}

func newMemBudget(clk clock.Clock) *memBudget {
	return &memBudget{clk: clk, sends: map[string][]time.Time{}}
}

func (m *memBudget) Reserve(ctx context.Context, key string, limit int, window, maxWait time.Duration) (time.Duration, error) {
	m.mu.Lock()
	m.calls++
	m.last = window
	err, hang := m.err, m.hang
	m.mu.Unlock()
	if hang {
		<-ctx.Done()
		return 0, ctx.Err()
	}
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clk.Now()
	s := slices.DeleteFunc(m.sends[key], func(t time.Time) bool { return !t.After(now.Add(-window)) })
	at := now
	if len(s) >= limit {
		if free := s[len(s)-limit].Add(window); free.After(at) {
			at = free
		}
	}
	if at.Sub(now) > maxWait {
		return at.Sub(now), nil
	}
	m.sends[key] = append(s, at)
	return at.Sub(now), nil
}

func (m *memBudget) set(err error, hang bool) {
	m.mu.Lock()
	m.err, m.hang = err, hang
	m.mu.Unlock()
}

// clockedRT answers 200 and records when each request was sent.
type clockedRT struct {
	clk   clock.Clock
	mu    sync.Mutex
	times []time.Time
}

func (c *clockedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.times = append(c.times, c.clk.Now())
	c.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

func (c *clockedRT) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.times)
}

// sendAsync sends one request through rt on its own goroutine.
func sendAsync(t *testing.T, rt http.RoundTripper, done chan<- error) {
	go func() {
		req, _ := http.NewRequest("GET", "https://api.hubapi.com/crm/v3/objects/contacts/1", nil)
		req.Header.Set("Authorization", "Bearer "+tokenA)
		resp, err := rt.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
}

// Two transports (two processes) with one shared budget draw from one
// window: together they send the limit at once, and no more.
func TestSharedBudgetIsOneWindowForAllProcesses(t *testing.T) {
	fake := clock.NewFake(epoch)
	b := newMemBudget(fake)
	base := &clockedRT{clk: fake}
	limit := RateLimit{Requests: 10, Interval: time.Second}
	p1 := &RateLimitTransport{Base: base, Limit: limit, Shared: SharedBudget{Budget: b, Replicas: 2}, Clock: fake}
	p2 := &RateLimitTransport{Base: base, Limit: limit, Shared: SharedBudget{Budget: b, Replicas: 2}, Clock: fake}
	for i := range 10 {
		rt := p1
		if i%2 == 1 {
			rt = p2
		}
		if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
	}
	if fake.Timers() != 0 || base.count() != 10 {
		t.Fatal("a burst of the limit over two processes did not go at once")
	}
	done := make(chan error)
	sendAsync(t, p2, done)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the 11th request did not wait")
	}
	// The window: 1 s, the 5 ms guard, and how long p2's requests are
	// held up: assumed 10 ms (1 %) at first, less a sixteenth for each of
	// its 5 answers, which came at once.
	held := 10 * time.Millisecond
	for range 5 {
		held -= held / 16
	}
	if dl, _ := fake.NextDeadline(); !dl.Equal(epoch.Add(time.Second + 5*time.Millisecond + held)) {
		t.Fatalf("it waits until %v, want %v", dl.Sub(epoch), time.Second+5*time.Millisecond+held)
	}
	fake.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Another credential has a window of its own in the budget.
	if err := send(t, p1, "GET", "https://api.hubapi.com/x", tokenB); err != nil || fake.Timers() != 0 {
		t.Fatalf("another credential waited (%v)", err)
	}
}

// When the budget fails, each process keeps to its share, says so once,
// retries the budget once a second, and returns to it when it answers,
// keeping to its share until its fallback sends have left the window.
func TestSharedBudgetFallsBackToTheShareAndRecovers(t *testing.T) {
	fake := clock.NewFake(epoch)
	b := newMemBudget(fake)
	b.set(errors.New("connection refused"), false)
	base := &clockedRT{clk: fake}
	var logs bytes.Buffer
	var hookErrs []error
	rt := &RateLimitTransport{
		Base: base, Limit: RateLimit{Requests: 12, Interval: time.Second}, Clock: fake,
		Shared: SharedBudget{Budget: b, Replicas: 3, OnError: func(err error) { hookErrs = append(hookErrs, err) }},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}
	for range 4 { // the share: 12 / 3
		if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
	}
	if fake.Timers() != 0 || base.count() != 4 {
		t.Fatal("requests within the share did not go at once")
	}
	if len(hookErrs) != 1 || !strings.Contains(hookErrs[0].Error(), "1/3 of the limit") || !strings.Contains(hookErrs[0].Error(), "connection refused") {
		t.Fatalf("OnError got %v, want one error naming the share and the cause", hookErrs)
	}
	if !strings.Contains(logs.String(), "level=WARN") || strings.Count(logs.String(), "\n") != 1 {
		t.Fatalf("log: %s", logs.String())
	}
	if b.calls != 1 {
		t.Fatalf("the failed budget was asked %d times before a second passed, want 1", b.calls)
	}
	// The fifth request waits for the share's window.
	done := make(chan error)
	sendAsync(t, rt, done)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("the request past the share did not wait")
	}
	fake.AdvanceToNext() // 1.005 s: a retry is due
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// The budget is back. The next request retries it and returns to it;
	// the fallback sends are still in the window, so the share holds too.
	b.set(nil, false)
	for i := range 3 {
		if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
		if fake.Timers() != 0 {
			t.Fatalf("request %d waited", i)
		}
	}
	if !strings.Contains(logs.String(), "level=INFO") {
		t.Fatalf("no record of the recovery: %s", logs.String())
	}
	sendAsync(t, rt, done)
	if err := fake.WaitForTimers(ctx, 1); err != nil {
		t.Fatal("right after the recovery, a request past the share did not wait")
	}
	fake.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Once the fallback sends have left the window, the budget alone
	// decides: the whole limit goes at once.
	fake.Advance(3 * time.Second)
	for i := range 12 {
		if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
			t.Fatal(err)
		}
		if fake.Timers() != 0 {
			t.Fatalf("request %d of the limit waited after the recovery", i)
		}
	}
	if len(hookErrs) != 1 {
		t.Fatalf("OnError called %d times", len(hookErrs))
	}
}

// A budget that does not answer within Timeout counts as failed.
func TestSharedBudgetTimeout(t *testing.T) {
	fake := clock.NewFake(epoch)
	b := newMemBudget(fake)
	b.set(nil, true)
	var hookErrs []error
	rt := &RateLimitTransport{
		Base: &clockedRT{clk: fake}, Limit: LimitFreeStarter(), Clock: fake,
		Shared: SharedBudget{Budget: b, Replicas: 4, Timeout: 20 * time.Millisecond, OnError: func(err error) { hookErrs = append(hookErrs, err) }},
	}
	if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	if len(hookErrs) != 1 || !errors.Is(hookErrs[0], context.DeadlineExceeded) {
		t.Fatalf("OnError got %v", hookErrs)
	}
}

// A caller that gives up is not a budget failure, and a wait past the
// deadline fails at once.
func TestSharedBudgetCallerContext(t *testing.T) {
	fake := clock.NewFake(epoch)
	b := newMemBudget(fake)
	var hookErrs []error
	rt := &RateLimitTransport{
		Base: &clockedRT{clk: fake}, Limit: RateLimit{Requests: 1, Interval: time.Hour}, Clock: fake,
		Shared: SharedBudget{Budget: b, Replicas: 2, OnError: func(err error) { hookErrs = append(hookErrs, err) }},
	}
	if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.hubapi.com/x", nil)
	req.Header.Set("Authorization", "Bearer "+tokenA)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a wait of an hour with a minute left: %v", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	req, _ = http.NewRequestWithContext(cctx, "GET", "https://api.hubapi.com/x", nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled request: %v", err)
	}
	if len(hookErrs) != 0 {
		t.Fatalf("OnError called for the caller's own context: %v", hookErrs)
	}
}

func TestWithSharedBudgetChecksItsArguments(t *testing.T) {
	for _, s := range []SharedBudget{{}, {Budget: newMemBudget(clock.System)}, {Budget: newMemBudget(clock.System), Replicas: 1, Timeout: -1}} {
		if _, err := New(WithToken(secretstest.NewStatic(tokenA)), WithSharedBudget(s)); err == nil || !strings.Contains(err.Error(), "WithSharedBudget") {
			t.Errorf("WithSharedBudget(%+v): %v", s, err)
		}
	}
}

// The budget is asked for a window longer by how long requests have lately
// taken to be answered, since it counts them from their send time.
func TestSharedBudgetHoldsSlowRequestsLonger(t *testing.T) {
	fake := clock.NewFake(epoch)
	b := newMemBudget(fake)
	slow := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		fake.Advance(40 * time.Millisecond)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	rt := &RateLimitTransport{Base: slow, Limit: RateLimit{Requests: 10, Interval: time.Second}, Clock: fake,
		Shared: SharedBudget{Budget: b, Replicas: 2}}
	span := time.Second + 5*time.Millisecond
	if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil || b.last != span+10*time.Millisecond {
		t.Fatalf("first request: %v, window %v, want 1 %% more than %v", err, b.last, span)
	}
	if err := send(t, rt, "GET", "https://api.hubapi.com/x", tokenA); err != nil || b.last != span+40*time.Millisecond {
		t.Fatalf("after a 40 ms answer the window asked for is %v (%v), want %v", b.last, err, span+40*time.Millisecond)
	}
}
