package hubspot

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
)

// RateLimit is a number of requests allowed in a rolling interval. The zero
// RateLimit means no client-side limit.
type RateLimit struct {
	Requests int
	Interval time.Duration
}

// HubSpot's published limits for private apps, per app (see
// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details),
// as values for WithRateLimit and WithSearchRateLimit.

// LimitFreeStarter is 100 requests per 10 s (Free and Starter), New's
// default.
func LimitFreeStarter() RateLimit { return RateLimit{Requests: 100, Interval: 10 * time.Second} }

// LimitProfessional is 190 requests per 10 s (Professional and
// Enterprise).
func LimitProfessional() RateLimit { return RateLimit{Requests: 190, Interval: 10 * time.Second} }

// LimitAPIAddOn is 250 requests per 10 s (with the API limit increase).
func LimitAPIAddOn() RateLimit { return RateLimit{Requests: 250, Interval: 10 * time.Second} }

// LimitSearch is the CRM search endpoints' 5 requests per second, New's
// default for search.
func LimitSearch() RateLimit { return RateLimit{Requests: 5, Interval: time.Second} }

func (r RateLimit) validate(what string) error {
	if r == (RateLimit{}) {
		return nil
	}
	if r.Requests <= 0 || r.Interval <= 0 {
		return fmt.Errorf("hubspot: %s must have Requests > 0 and Interval > 0 (or be zero to disable it), got %d per %v", what, r.Requests, r.Interval)
	}
	return nil
}

// bucket returns the token-bucket parameters that never admit more than
// r.Requests in any window of r.Interval: a burst of a hundredth of the
// requests (at least one), refilled at the rate that spends the rest evenly
// over the interval (burst + rate*interval <= Requests). Limits of 20
// requests or more keep one request in a hundred (at least one) spare for
// network jitter, which can bunch requests up on their way to HubSpot. For
// HubSpot's 100 per 10 s that is 98 requests sustained in every window and
// never more than 99 sent in any: a small burst buys throughput, since a
// rolling window counts the burst against the same interval.
func (r RateLimit) bucket() (rate.Limit, int) {
	if r.Requests <= 0 || r.Interval <= 0 {
		return rate.Inf, 0
	}
	burst := max(1, r.Requests/100)
	margin := 0
	if r.Requests >= 20 {
		margin = max(1, r.Requests/100)
	}
	refill := r.Requests - burst - margin
	if refill <= 0 { // a limit of 1 request per interval
		return rate.Limit(float64(r.Requests) / r.Interval.Seconds()), burst
	}
	return rate.Limit(float64(refill) / r.Interval.Seconds()), burst
}

// RateLimitTransport is an http.RoundTripper that spaces requests under
// HubSpot's limits before they leave, so that they are not answered 429.
//
// It keeps limiters per credential, not one for the process: the key is a
// hash of the token Source returns (or of the request's own Authorization
// header, when it already has one). Which limit a request
// counts against is the operation catalogue's: CRM search requests use the
// Search limit, the OAuth token calls (which carry no app token) pass
// unlimited, and everything else, calls the catalogue does not know
// included, uses the Limit one. Used alone, it looks a request up by its
// URL path from the root (a Client's requests carry their operation).
// When a response carries X-HubSpot-RateLimit-Max and
// X-HubSpot-RateLimit-Interval-Milliseconds that allow less than the
// configured limit, the limiter for that credential is lowered to match;
// when X-HubSpot-RateLimit-Remaining says fewer requests are left than the
// limiter holds, it drops the difference. It never raises a limit.
//
// Waits use Clock and end early when the request's context is done; a wait
// that would outlast the context's deadline fails at once. It is safe for
// concurrent use and usable with any http.Client.
type RateLimitTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Source, when set, keys the limiters by the current token. Without
	// it requests share one limiter per class unless they carry their own
	// Authorization header.
	Source TokenSource
	// Limit applies to all requests but search; zero means unlimited.
	Limit RateLimit
	// Search applies to CRM search requests; zero means unlimited.
	Search RateLimit
	// Clock times the waits; nil means the system clock.
	Clock clock.Clock

	mu   sync.Mutex
	keys map[uint64]*limiters
}

// limiterSeed seeds limiterKey: random per process, so the keys say
// nothing outside it.
var limiterSeed = maphash.MakeSeed()

// limiterKey is the key of token's limiters: a seeded 64-bit hash, cheap
// enough for every request (a fingerprint costs a SHA-256 and three
// allocations), which is kept only in memory and never printed.
func limiterKey(token string) uint64 {
	return maphash.String(limiterSeed, token)
}

type limiters struct {
	general, search *rate.Limiter
}

// maxLimiterKeys bounds the per-credential map; past it, an arbitrary entry
// is dropped (which only forgets that credential's recent history).
const maxLimiterKeys = 1024

func (t *RateLimitTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *RateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	oc, req := callOf(req, "")
	if oc.op != nil && oc.op.Rate == endpoints.Unmetered {
		return t.base().RoundTrip(req)
	}
	search := oc.op != nil && oc.op.Rate == endpoints.Search
	clk := clock.Or(t.Clock)
	lim := t.limiterFor(req, search)
	if lim != nil {
		if err := wait(req.Context(), clk, lim); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	resp, err := t.base().RoundTrip(req)
	if err == nil && lim != nil && hasRateHeaders(resp.Header) {
		t.adapt(lim, resp.Header, clk.Now(), search)
	}
	return resp, err
}

func wait(ctx context.Context, clk clock.Clock, lim *rate.Limiter) error {
	now := clk.Now()
	if lim.AllowN(now, 1) { // a token is there: no reservation to keep
		return nil
	}
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("hubspot: rate limiter cannot admit a request (burst %d)", lim.Burst())
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if outlasts(ctx, d) {
		r.CancelAt(now)
		return fmt.Errorf("hubspot: waiting %v for the rate limit would outlast the context deadline: %w", d, context.DeadlineExceeded)
	}
	if err := clock.Sleep(ctx, clk, d); err != nil {
		r.CancelAt(clk.Now())
		return err
	}
	return nil
}

// limiterFor returns the limiter for req's credential and class (search,
// or the general one), or nil when that class is unlimited.
func (t *RateLimitTransport) limiterFor(req *http.Request, search bool) *rate.Limiter {
	cfg := t.Limit
	if search {
		cfg = t.Search
	}
	if cfg == (RateLimit{}) {
		return nil
	}
	var key uint64 // 0: no credential
	if h := req.Header.Get("Authorization"); h != "" {
		// The token's own key, as the Source's token would give it.
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			h = tok
		}
		key = limiterKey(h)
	} else if t.Source != nil {
		if v, err := t.Source.Get(req.Context()); err == nil && !v.Value.IsZero() {
			key = limiterKey(v.Value.Reveal())
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keys == nil {
		t.keys = make(map[uint64]*limiters)
	}
	l := t.keys[key]
	if l == nil {
		if len(t.keys) >= maxLimiterKeys {
			for k := range t.keys {
				delete(t.keys, k)
				break
			}
		}
		l = &limiters{}
		t.keys[key] = l
	}
	p := &l.general
	if search {
		p = &l.search
	}
	if *p == nil {
		r, b := cfg.bucket()
		*p = rate.NewLimiter(r, b)
	}
	return *p
}

func hasRateHeaders(h http.Header) bool {
	return h.Get("X-HubSpot-RateLimit-Remaining") != "" || h.Get("X-HubSpot-RateLimit-Max") != ""
}

// adapt lowers lim to what HubSpot's rate-limit headers say is left.
func (t *RateLimitTransport) adapt(lim *rate.Limiter, h http.Header, now time.Time, search bool) {
	cfg := t.Limit
	if search {
		cfg = t.Search
	}
	maxReq, okMax := headerInt(h, "X-HubSpot-RateLimit-Max")
	interval, okMs := headerMillis(h, "X-HubSpot-RateLimit-Interval-Milliseconds")
	if okMax && okMs && maxReq > 0 {
		server := RateLimit{Requests: int(min(maxReq, 1<<30)), Interval: interval}
		if float64(server.Requests)/server.Interval.Seconds() < float64(cfg.Requests)/cfg.Interval.Seconds() {
			r, b := server.bucket()
			if r < lim.Limit() {
				lim.SetLimitAt(now, r)
			}
			if b < lim.Burst() {
				lim.SetBurstAt(now, b)
			}
		}
	}
	if rem, ok := headerInt(h, "X-HubSpot-RateLimit-Remaining"); ok {
		if extra := lim.TokensAt(now) - float64(rem); extra >= 1 {
			lim.ReserveN(now, int(extra))
		}
	}
}

// outlasts reports whether waiting d would end after ctx's deadline. The
// deadline is wall-clock time, so it is compared with the wall clock's
// time left, whatever clock times the wait.
func outlasts(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && d > time.Until(dl)
}
