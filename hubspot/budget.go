package hubspot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// A Budget keeps rolling windows of requests outside the process, so that
// every process that uses the same HubSpot app draws from one window.
// Package hubspot/pgbudget keeps them in PostgreSQL.
//
// Reserve takes the next send time in the window named key, which admits
// limit requests in any period of length window: now when fewer than limit
// were taken in the last window, else the moment the limit-th most recent
// one leaves it. It returns the wait until that time, measured on the
// store's own clock so that processes on several machines agree. When the
// wait would be longer than maxWait, Reserve takes nothing and returns the
// wait, which is then longer than maxWait. A time taken is not given back
// when its request is not sent; it only makes the window stricter.
//
// Keys name a credential's fingerprint and a class, such as
// "fp:0123456789abcdef/standard" or ".../search"; they never hold a token.
// Reserve must be safe for concurrent use, and atomic across processes.
type Budget interface {
	Reserve(ctx context.Context, key string, limit int, window, maxWait time.Duration) (time.Duration, error)
}

// SharedBudget makes a RateLimitTransport (and a Client, through
// WithSharedBudget) draw from a Budget shared with other processes.
//
// A Budget counts a request from the send time it gave, but HubSpot when
// the request arrives; so each process asks for a window longer by how
// long its requests have lately taken to be answered (assumed 1 % of the
// interval until the first answers, and at most a tenth of it).
//
// The integration goes on when the Budget fails (its store is down or
// slow): each process then keeps to its share of the limit, Limit divided
// by Replicas, in a window of its own that has counted its own recent
// requests all along, and the failure is reported to the logger (Warn)
// and to OnError. Once a second, one request tries the Budget again; when
// it answers, the process returns to it (the logger says so, at Info),
// still keeping to its share until its last request sent on the share has
// left the window, since the Budget did not see those.
//
// To point N replicas at one budget, give each the same Budget store (the
// same PostgreSQL database, for pgbudget), the same token and limits, and
// Replicas: N. Replicas only sizes the fallback share; an undercount makes
// the fallback too generous, an overcount only slower.
type SharedBudget struct {
	// Budget is the shared store; nil keeps the windows in this process.
	Budget Budget
	// Replicas is how many processes share the Budget (at least 1).
	Replicas int
	// Timeout bounds each call to the Budget; past it, the call counts as
	// a failure. Zero means one second.
	Timeout time.Duration
	// OnError, when set, is called with the Budget's error each time the
	// process falls back to its share, and each time a retry of the
	// Budget fails. It runs on the goroutine of the request and should be
	// quick.
	OnError func(error)
}

func (s SharedBudget) validate() error {
	if s.Budget == nil {
		return errors.New("hubspot: WithSharedBudget needs a Budget")
	}
	if s.Replicas < 1 {
		return fmt.Errorf("hubspot: WithSharedBudget: Replicas must be at least 1, got %d", s.Replicas)
	}
	if s.Timeout < 0 {
		return fmt.Errorf("hubspot: WithSharedBudget: negative Timeout %v", s.Timeout)
	}
	return nil
}

// budgetRetryEvery is how often a process on its fallback share tries the
// shared Budget again.
const budgetRetryEvery = time.Second

// sharedState is whether the shared Budget is usable.
type sharedState struct {
	mu       sync.Mutex
	down     bool
	retryAt  time.Time
	retrying bool // one request is trying the Budget again
}

// useBudget reports whether a request at now should ask the Budget, and
// whether it is the one retrying it after a failure.
func (s *sharedState) useBudget(now time.Time) (use, retry bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.down {
		return true, false
	}
	if s.retrying || now.Before(s.retryAt) {
		return false, false
	}
	s.retrying = true
	return true, true
}

// waitShared reserves a send time for a request of w's class in the shared
// Budget under key, and waits for it; when the Budget fails it keeps to
// this process's share of w instead. It returns the reservation in w, and
// true, when it made one there; else the send time the Budget gave.
//
// The window asked of the Budget is longer than w's by how long this
// process's requests have lately taken from their send time to their
// answer (at most a tenth of the window): HubSpot counts a request when it
// arrives, and the Budget, which cannot learn when that was, counts it from
// the send time it gave.
func (t *RateLimitTransport) waitShared(ctx context.Context, clk clock.Clock, w *window, key string) (slot, bool, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return slot{}, false, time.Time{}, err
	}
	sb := t.Shared
	limit, span := w.sharedParams()
	share := max(1, limit/max(1, sb.Replicas))
	now := clk.Now()
	use, retry := t.shared.useBudget(now)
	if use {
		timeout := sb.Timeout
		if timeout <= 0 {
			timeout = time.Second
		}
		bound := maxWait(ctx)
		bctx, cancel := context.WithTimeout(ctx, timeout)
		d, err := sb.Budget.Reserve(bctx, key, limit, span, bound)
		cancel()
		if err == nil {
			t.budgetUp(ctx, retry)
			if d > bound {
				return slot{}, false, time.Time{}, fmt.Errorf("hubspot: waiting %v for the shared rate budget would outlast the context deadline: %w", d, context.DeadlineExceeded)
			}
			if w.inFallback(now) {
				// Sends made on the share are still in the window and
				// the Budget never saw them: keep to the share as well.
				d2, s, ok := w.reserve(now, bound, share, false)
				if !ok {
					return slot{}, false, time.Time{}, fmt.Errorf("hubspot: waiting %v for the rate limit would outlast the context deadline: %w", d2, context.DeadlineExceeded)
				}
				if err := limiterSleep(ctx, clk, max(d, d2)); err != nil {
					w.cancel(s)
					return slot{}, false, time.Time{}, err
				}
				return s, true, time.Time{}, nil
			}
			at := now.Add(max(d, 0))
			w.note(at)
			return slot{}, false, at, limiterSleep(ctx, clk, d)
		}
		if ctx.Err() != nil { // the caller gave up: not the Budget's fault
			t.budgetRetried(retry)
			return slot{}, false, time.Time{}, ctx.Err()
		}
		t.budgetDown(ctx, err, clk.Now(), retry)
	}
	s, err := waitWindow(ctx, clk, w, share, true)
	return s, err == nil, time.Time{}, err
}

// budgetUp records that the Budget answered.
func (t *RateLimitTransport) budgetUp(ctx context.Context, retry bool) {
	if !retry {
		return
	}
	s := &t.shared
	s.mu.Lock()
	s.down, s.retrying = false, false
	s.mu.Unlock()
	if t.Logger != nil {
		t.Logger.LogAttrs(ctx, slog.LevelInfo, "hubspot: the shared rate budget answers again; leaving the fallback share")
	}
}

// budgetRetried ends a retry that found nothing out.
func (t *RateLimitTransport) budgetRetried(retry bool) {
	if !retry {
		return
	}
	s := &t.shared
	s.mu.Lock()
	s.retrying = false
	s.mu.Unlock()
}

// budgetDown records that the Budget failed with err and reports it, once
// for the failure that starts a fallback and once per failed retry.
func (t *RateLimitTransport) budgetDown(ctx context.Context, err error, now time.Time, retry bool) {
	s := &t.shared
	s.mu.Lock()
	first := !s.down
	report := first || retry
	if first || retry {
		s.down, s.retryAt = true, now.Add(budgetRetryEvery)
	}
	if retry {
		s.retrying = false
	}
	s.mu.Unlock()
	if !report {
		return // another request reported this failure already
	}
	replicas := max(1, t.Shared.Replicas)
	ferr := fmt.Errorf("hubspot: the shared rate budget failed, so this process keeps to 1/%d of the limit: %w", replicas, err)
	if t.Logger != nil && first {
		t.Logger.LogAttrs(ctx, slog.LevelWarn, "hubspot: the shared rate budget failed; keeping to this process's share of the limit",
			slog.Int("replicas", replicas), slog.String("error", err.Error()))
	}
	if t.Shared.OnError != nil {
		t.Shared.OnError(ferr)
	}
}

// dailyProbeEvery is how often a request goes to HubSpot, to learn whether
// its day has turned, once it has said that none are left today.
const dailyProbeEvery = time.Minute

// daily follows HubSpot's daily count of one credential, from the
// X-HubSpot-RateLimit-Daily-Remaining header.
type daily struct {
	mu      sync.Mutex
	known   bool
	left    int64  // the header's value in the newest answer
	leftSeq uint64 // the number of the request that answer was for
	sent    uint64 // requests let through
	probeAt time.Time
}

// admit lets a request through, and returns its number, unless HubSpot
// has said that nothing is left today; then it fails with a
// *RateLimitError of Policy Daily, except for one request a minute.
func (d *daily) admit(now time.Time) (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.known && d.left-int64(d.sent-d.leftSeq) <= 0 {
		if now.Before(d.probeAt) {
			return 0, &RateLimitError{Policy: Daily, Err: &Error{
				Category: "RATE_LIMITS",
				Message:  "HubSpot's daily limit for this token is spent (X-HubSpot-RateLimit-Daily-Remaining reached 0); the call was not sent",
			}}
		}
		d.probeAt = now.Add(dailyProbeEvery)
	}
	d.sent++
	return d.sent, nil
}

// report records that HubSpot had remaining calls left today when it
// answered request seq, at now. An answer older than the one already
// recorded changes nothing.
func (d *daily) report(seq uint64, remaining int64, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.known && seq < d.leftSeq {
		return
	}
	d.known, d.left, d.leftSeq = true, remaining, seq
	if remaining <= 0 && d.probeAt.Before(now) {
		d.probeAt = now.Add(dailyProbeEvery)
	}
}
