package hubspot

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
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

// LimitFreeStarter returns 100 requests per 10 s (Free and Starter), New's
// default.
func LimitFreeStarter() RateLimit { return RateLimit{Requests: 100, Interval: 10 * time.Second} }

// LimitProfessional returns 190 requests per 10 s (Professional and
// Enterprise).
func LimitProfessional() RateLimit { return RateLimit{Requests: 190, Interval: 10 * time.Second} }

// LimitAPIAddOn returns 250 requests per 10 s (with the API limit increase).
func LimitAPIAddOn() RateLimit { return RateLimit{Requests: 250, Interval: 10 * time.Second} }

// LimitSearch returns the CRM search endpoints' 5 requests per second, New's
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

// RateLimitTransport is an http.RoundTripper that holds requests back
// under HubSpot's limits before they leave, so that they are not answered
// 429.
//
// It mirrors the rolling window HubSpot counts in: a request goes at once
// while fewer than the limit were sent in the last interval, so a burst up
// to the limit is not slowed at all; past that, each request waits exactly
// until the oldest one in the window leaves it, in arrival order. HubSpot
// counts a request when it arrives, somewhere between its send and its
// answer, so the window counts each request until its answer is back,
// which keeps a request held up on its way from making its successor a
// window later arrive early. The window is also 0.5 % longer than
// HubSpot's interval (50 ms of the ten seconds, 5 ms of the search
// second): the safety margin for clock drift and HubSpot's stamping.
//
// It keeps windows per credential, not one for the process: the key is the
// fingerprint of the token Source returns (or of the request's own
// Authorization header, when it already has one), or the credential's
// lineage when its versions name one (secrets.Version.Lineage: an OAuth
// installation's access tokens, which change at every refresh, share one
// window, as HubSpot counts them under one limit). Which limit a request counts
// against is the operation catalogue's: CRM search requests use the Search
// limit, the OAuth token calls (which carry no app token) pass unlimited,
// and everything else, calls the catalogue does not know included, uses
// the Limit one. Used alone, it looks a request up by its URL path from
// the root (a Client's requests carry their operation).
// When a response carries X-HubSpot-RateLimit-Max and
// X-HubSpot-RateLimit-Interval-Milliseconds that allow less than the
// configured limit, the window for that credential is lowered to match;
// when X-HubSpot-RateLimit-Remaining says HubSpot counted more requests in
// its window than this one sent (another program uses the same token), the
// difference is counted as sent now. It never raises a limit.
//
// HubSpot's daily limit is read from X-HubSpot-RateLimit-Daily-Remaining:
// once HubSpot says none are left, requests with that credential fail at
// once with a [*RateLimitError] of Policy [Daily], without being sent,
// except one a minute, which finds out whether HubSpot's day has turned.
//
// With Shared set, the windows live in a [Budget] that every process using
// the same HubSpot app draws from (see [SharedBudget]).
//
// Waits use Clock and end early when the request's context is done; a wait
// that would outlast the context's deadline fails at once. It is safe for
// concurrent use and usable with any http.Client.
type RateLimitTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Source, when set, keys the limiters by the current token's
	// fingerprint, or its lineage. Without it requests share one limiter
	// per class unless they carry their own Authorization header.
	Source TokenSource
	// Limit applies to all requests but search; zero means unlimited.
	Limit RateLimit
	// Search applies to CRM search requests; zero means unlimited.
	Search RateLimit
	// Shared, when its Budget is set, keeps the windows in a budget shared
	// with other processes; the zero SharedBudget keeps them in this
	// process.
	Shared SharedBudget
	// Clock times the waits; nil means the system clock.
	Clock clock.Clock
	// Logger receives a record when the shared budget fails and when it
	// recovers; nil means none.
	Logger *slog.Logger

	mu     sync.Mutex
	keys   map[uint64]*limiters
	shared sharedState
}

// limiters are one credential's windows and daily count.
type limiters struct {
	general, search *window
	// Keys of the windows in a shared Budget: the credential's
	// fingerprint and the class, never the token.
	generalKey, searchKey string
	daily                 daily
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
	l, w, key := t.limiterFor(req, oc.lineage, search)
	seq, err := l.daily.admit(clk.Now())
	var s slot
	local := false   // s is a reservation in w, to settle once answered
	var at time.Time // else the send time a shared Budget gave
	if err == nil && w != nil {
		if t.Shared.Budget != nil {
			s, local, at, err = t.waitShared(req.Context(), clk, w, key)
		} else {
			s, err = waitWindow(req.Context(), clk, w, w.capacity(), false)
			local = err == nil
		}
		if ob := oc.obs; ob != nil && ob.slept {
			ob.o.Waited(req.Context(), ob.info, WaitInfo{Duration: ob.limited})
			ob.slept, ob.limited = false, 0
		}
	}
	if err != nil {
		closeBody(req)
		if rl, ok := err.(*RateLimitError); ok {
			rl.Err.Method, rl.Err.Path = req.Method, req.URL.Path
		}
		return nil, err
	}
	resp, err := t.base().RoundTrip(req)
	if local {
		w.settle(s, clk.Now())
	} else if !at.IsZero() {
		w.observe(clk.Now().Sub(at))
	}
	if err == nil {
		f := readRateHeaders(resp.Header)
		if f.remaining >= 0 || f.max >= 0 || f.dailyRemaining >= 0 {
			t.adapt(l, w, f, clk.Now(), search, seq)
		}
		if ob := oc.obs; ob != nil {
			// Read once: the observation reports the same headers.
			ob.rate, ob.rateOf = f, resp
		}
	}
	return resp, err
}

// waitWindow reserves a send time in w under share requests per window
// and waits for it, and for longer if the requests ahead of it were
// answered later than the times they were given (see window.recheck). A
// wait that would outlast ctx's deadline fails at once and takes nothing;
// a wait ended by ctx gives the time back if it can. fallback marks the
// send as made on a shared budget's fallback share.
func waitWindow(ctx context.Context, clk clock.Clock, w *window, share int, fallback bool) (slot, error) {
	if err := ctx.Err(); err != nil {
		return slot{}, err
	}
	bound := maxWait(ctx)
	d, s, ok := w.reserve(clk.Now(), bound, share, fallback)
	if !ok {
		return slot{}, fmt.Errorf("hubspot: waiting %v for the rate limit would outlast the context deadline: %w", d, context.DeadlineExceeded)
	}
	for range maxRechecks {
		if d <= 0 {
			break
		}
		if err := limiterSleep(ctx, clk, d); err != nil {
			w.cancel(s)
			return slot{}, err
		}
		if d = w.recheck(s, clk.Now(), share); d > maxWait(ctx) {
			return slot{}, fmt.Errorf("hubspot: waiting %v more for the rate limit would outlast the context deadline: %w", d, context.DeadlineExceeded)
		}
	}
	return s, nil
}

// maxRechecks bounds the waits of one request: each one after the first
// follows a request ahead of it that was answered late.
const maxRechecks = 8

// maxWait is the longest wait that ends before ctx's deadline (wall-clock
// time, whatever clock times the wait), or the longest Duration.
func maxWait(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return time.Until(dl)
	}
	return math.MaxInt64
}

// limiterSeed seeds limiterKey: random per process, so the keys say
// nothing outside it.
var limiterSeed = maphash.MakeSeed()

// limiterKey is the in-memory key of token's limiters: a seeded 64-bit
// hash, cheap enough for every request (a fingerprint costs a SHA-256),
// never printed. The fingerprint, which a shared Budget needs, is taken
// once, when a credential's limiters are made.
func limiterKey(token string) uint64 {
	return maphash.String(limiterSeed, token)
}

// limiterFor returns the limiters of req's credential, the window of its
// class (nil when that class is unlimited) and that window's key. A
// credential with a lineage (secrets.Version.Lineage, given by the
// credential layer or the Source) is counted under it, whatever value
// it has now; any other under its value.
func (t *RateLimitTransport) limiterFor(req *http.Request, lineage string, search bool) (*limiters, *window, string) {
	cfg := t.Limit
	if search {
		cfg = t.Search
	}
	var key uint64
	token := ""
	if lineage == "" {
		if h := req.Header.Get("Authorization"); h != "" {
			if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
				h = tok
			}
			token, key = h, limiterKey(h)
		} else if t.Source != nil {
			if v, err := t.Source.Get(req.Context()); err == nil {
				if lineage = v.Lineage; lineage == "" {
					token = v.Value.Reveal()
					key = limiterKey(token)
				}
			}
		}
	}
	if lineage != "" {
		// A NUL, which no token holds, keeps lineages and tokens apart.
		key = limiterKey("\x00" + lineage)
	}
	clk := clock.Or(t.Clock)
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
		// The lineage, or the token's own fingerprint as a Source would
		// give it: the window's name in a shared Budget, never the token.
		id := "fp:none" // requests without a credential
		switch {
		case lineage != "":
			id = "lineage:" + lineage
		case token != "":
			id = secrets.New(token).Fingerprint()
		}
		l = &limiters{generalKey: id + "/standard", searchKey: id + "/search"}
		t.keys[key] = l
	}
	if cfg == (RateLimit{}) {
		return l, nil, ""
	}
	p, k := &l.general, l.generalKey
	if search {
		p, k = &l.search, l.searchKey
	}
	if *p == nil {
		*p = newWindow(cfg, clk.Now())
	}
	return l, *p, k
}

// HubSpot's rate-limit headers, spelled as net/http keeps them
// (textproto.CanonicalMIMEHeaderKey), so that reading one allocates
// nothing.
const (
	hdrRateRemaining      = "X-Hubspot-Ratelimit-Remaining"
	hdrRateMax            = "X-Hubspot-Ratelimit-Max"
	hdrRateDailyRemaining = "X-Hubspot-Ratelimit-Daily-Remaining"
	hdrRateDaily          = "X-Hubspot-Ratelimit-Daily"
	hdrRateInterval       = "X-Hubspot-Ratelimit-Interval-Milliseconds"
)

// rateFacts are HubSpot's rate-limit headers of one answer, read once:
// each count is -1 when absent or malformed, the interval 0.
type rateFacts struct {
	remaining, max, dailyRemaining, daily int64
	interval                              time.Duration
}

// readRateHeaders reads HubSpot's rate-limit headers from h.
func readRateHeaders(h http.Header) rateFacts {
	f := rateFacts{remaining: -1, max: -1, dailyRemaining: -1, daily: -1}
	for _, x := range []struct {
		name string
		to   *int64
	}{
		{hdrRateRemaining, &f.remaining},
		{hdrRateMax, &f.max},
		{hdrRateDailyRemaining, &f.dailyRemaining},
		{hdrRateDaily, &f.daily},
	} {
		if n, ok := headerInt(h, x.name); ok {
			*x.to = n
		}
	}
	f.interval, _ = headerMillis(h, hdrRateInterval)
	return f
}

// adapt takes account of what HubSpot's rate-limit headers said: a lower
// limit, requests it counted that the window did not, and what is left of
// the day. seq is the request's number in the daily count.
func (t *RateLimitTransport) adapt(l *limiters, w *window, f rateFacts, now time.Time, search bool, seq uint64) {
	if f.dailyRemaining >= 0 {
		l.daily.report(seq, f.dailyRemaining, now)
	}
	if w == nil {
		return
	}
	cfg := t.Limit
	if search {
		cfg = t.Search
	}
	if f.max > 0 && f.interval > 0 {
		cfg = RateLimit{Requests: int(min(f.max, 1<<30)), Interval: f.interval}
		w.lower(cfg)
	}
	if t.Shared.Budget != nil {
		return // the shared budget counts every process that draws from it
	}
	if f.remaining >= 0 {
		w.sync(now, cfg.Requests, int(min(f.remaining, 1<<30)))
	}
}

// outlasts reports whether waiting d would end after ctx's deadline. The
// deadline is wall-clock time, so it is compared with the wall clock's
// time left, whatever clock times the wait.
func outlasts(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && d > time.Until(dl)
}
