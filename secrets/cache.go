package secrets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// Cache holds the current Version of a credential and keeps it fresh. It is
// what the rest of hubkey holds instead of a string.
//
// After the first fetch, Get is lock-free: one atomic load, no I/O, no
// allocation. A Cache refreshes its value:
//
//   - ahead of ExpiresAt: in the advisory window one caller starts a refresh
//     in the background and every caller keeps the cached value; in the
//     mandatory window callers wait for that single refresh;
//   - on a background schedule with jitter (WithRefreshInterval), for
//     sources that cannot push a change;
//   - when a server rejects the value (Invalidate), at most once per
//     rejected version per WithMinInvalidateInterval;
//   - when asked to (Refresh).
//
// Refreshes are single-flight and run on a context of their own, so one
// caller's cancellation cannot abort them for the others. A failed refresh
// keeps the last good value, is reported to the OnError hooks and the logger,
// and is retried with capped exponential backoff and jitter. An expired value
// is never returned.
type Cache struct {
	provider Provider
	o        cacheOptions

	cur  atomic.Pointer[entry]
	prev atomic.Pointer[Version]

	mu        sync.Mutex
	inflight  *flight
	failures  int       // consecutive failed refreshes
	nextTry   time.Time // no refresh before this after a failure
	lastErr   error
	onRotate  []func(old, new Version)
	onError   []func(error)
	onRefresh []func(old, new Version, err error)
	randState *rand.Rand

	base      context.Context // ends on Close
	stop      context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup
}

type entry struct {
	v           Version
	advisoryAt  time.Time // zero: never refresh because of expiry
	mandatoryAt time.Time
	invalid     bool      // a server rejected it; the next Get waits for a refresh
	rejectedAt  time.Time // last time Invalidate started a refresh for this version
}

type flight struct {
	done chan struct{}
	err  error
}

type cacheOptions struct {
	clock         clock.Clock
	rand          *rand.Rand
	logger        *slog.Logger
	advisory      time.Duration
	mandatory     time.Duration
	interval      time.Duration
	jitter        float64
	minInvalidate time.Duration
	backoffMin    time.Duration
	backoffMax    time.Duration
	fetchTimeout  time.Duration
	validate      func(context.Context, Version) error
}

// CacheOption configures a Cache.
type CacheOption func(*cacheOptions) error

// WithClock sets the clock the Cache reads and sleeps on (default: the
// system clock).
func WithClock(c clock.Clock) CacheOption {
	return func(o *cacheOptions) error { o.clock = c; return nil }
}

// WithRand sets the source of jitter (default: a randomly seeded source of
// the Cache's own).
func WithRand(r *rand.Rand) CacheOption {
	return func(o *cacheOptions) error { o.rand = r; return nil }
}

// WithLogger sets the logger that rotations and failed refreshes are reported
// to. Log records carry fingerprints and version IDs, never values. Default:
// discard.
func WithLogger(l *slog.Logger) CacheOption {
	return func(o *cacheOptions) error { o.logger = l; return nil }
}

// WithExpiryWindows sets how long before ExpiresAt the advisory window
// (default 5m) and the mandatory window (default 1m) open. A window is never
// longer than a third (advisory) or a tenth (mandatory) of the version's
// lifetime, so short-lived tokens are not refreshed continuously.
func WithExpiryWindows(advisory, mandatory time.Duration) CacheOption {
	return func(o *cacheOptions) error {
		if advisory < 0 || mandatory < 0 || mandatory > advisory {
			return fmt.Errorf("secrets: expiry windows must satisfy 0 <= mandatory <= advisory, got advisory=%v mandatory=%v", advisory, mandatory)
		}
		o.advisory, o.mandatory = advisory, mandatory
		return nil
	}
}

// WithRefreshInterval refreshes in the background every d, give or take a
// jitter fraction (0.1 means ±10%), for sources that cannot push changes.
// Zero (the default) disables background refresh.
func WithRefreshInterval(d time.Duration, jitter float64) CacheOption {
	return func(o *cacheOptions) error {
		if d < 0 || jitter < 0 || jitter >= 1 {
			return fmt.Errorf("secrets: refresh interval must be >= 0 and jitter in [0, 1), got %v and %v", d, jitter)
		}
		o.interval, o.jitter = d, jitter
		return nil
	}
}

// WithMinInvalidateInterval sets the shortest time between two refreshes
// that Invalidate starts for the same version (default 1s). A storm of
// rejections of one version causes at most one fetch per interval.
func WithMinInvalidateInterval(d time.Duration) CacheOption {
	return func(o *cacheOptions) error {
		if d < 0 {
			return fmt.Errorf("secrets: min invalidate interval must be >= 0, got %v", d)
		}
		o.minInvalidate = d
		return nil
	}
}

// WithBackoff sets the first and the largest wait before a failed refresh is
// retried (defaults 1s and 1m). The wait doubles with each failure, with
// jitter.
func WithBackoff(min, max time.Duration) CacheOption {
	return func(o *cacheOptions) error {
		if min <= 0 || max < min {
			return fmt.Errorf("secrets: backoff must satisfy 0 < min <= max, got min=%v max=%v", min, max)
		}
		o.backoffMin, o.backoffMax = min, max
		return nil
	}
}

// WithFetchTimeout bounds each provider fetch (default 30s).
func WithFetchTimeout(d time.Duration) CacheOption {
	return func(o *cacheOptions) error {
		if d <= 0 {
			return fmt.Errorf("secrets: fetch timeout must be > 0, got %v", d)
		}
		o.fetchTimeout = d
		return nil
	}
}

// WithValidate checks each new version before it is adopted (for a HubSpot
// token: a cheap authenticated call). A version that fails is not adopted:
// the old one keeps serving, and the failure is reported like a failed fetch.
// The first version is validated too.
func WithValidate(f func(ctx context.Context, v Version) error) CacheOption {
	return func(o *cacheOptions) error { o.validate = f; return nil }
}

// NewCache returns a Cache over p. It fetches nothing until the first Get
// (or the first background refresh). Close it to stop background work.
func NewCache(p Provider, opts ...CacheOption) (*Cache, error) {
	if p == nil {
		return nil, errors.New("secrets: NewCache needs a Provider, got nil")
	}
	o := cacheOptions{
		advisory:      5 * time.Minute,
		mandatory:     time.Minute,
		minInvalidate: time.Second,
		backoffMin:    time.Second,
		backoffMax:    time.Minute,
		fetchTimeout:  30 * time.Second,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	o.clock = clock.Or(o.clock)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.rand == nil {
		o.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	c := &Cache{provider: p, o: o, randState: o.rand}
	c.base, c.stop = context.WithCancel(context.Background())
	if o.interval > 0 {
		c.wg.Add(1)
		go c.loop()
	}
	return c, nil
}

// Get returns the current version, fetching it on first use and waiting for
// a refresh when the cached one is in its mandatory window, was rejected, or
// expired. It never returns an expired version. ctx bounds only this caller's
// wait, never the shared refresh.
func (c *Cache) Get(ctx context.Context) (Version, error) {
	e := c.cur.Load()
	if e != nil && !e.invalid && (e.advisoryAt.IsZero() || c.o.clock.Now().Before(e.advisoryAt)) {
		return e.v, nil
	}
	return c.getSlow(ctx, e)
}

func (c *Cache) getSlow(ctx context.Context, e *entry) (Version, error) {
	now := c.o.clock.Now()
	if e != nil && !e.invalid && now.Before(e.mandatoryAt) {
		// Advisory window: one background refresh, everyone keeps the value.
		c.startRefresh(now, false, e)
		return e.v, nil
	}
	f := c.startRefresh(now, false, e)
	if f == nil { // backing off after a failure
		if e != nil && !e.v.Expired(now) {
			return e.v, nil
		}
		return Version{}, c.failure(e, now)
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return Version{}, ctx.Err()
	}
	now = c.o.clock.Now()
	if e2 := c.cur.Load(); e2 != nil && !e2.v.Expired(now) {
		return e2.v, nil
	}
	return Version{}, c.failure(c.cur.Load(), now)
}

func (c *Cache) failure(e *entry, now time.Time) error {
	c.mu.Lock()
	err := c.lastErr
	c.mu.Unlock()
	if c.base.Err() != nil {
		return ErrClosed
	}
	if err == nil {
		err = errors.New("no value fetched yet")
	}
	if e != nil && e.v.Expired(now) {
		return fmt.Errorf("secrets: cached version %s expired at %s and the refresh failed: %w", e.v.ID, e.v.ExpiresAt.Format(time.RFC3339), err)
	}
	return err
}

// settled is the flight startRefresh returns when the refresh a caller
// wanted has already happened.
var settled = func() *flight {
	f := &flight{done: make(chan struct{})}
	close(f.done)
	return f
}()

// startRefresh joins the refresh in flight or starts one. It returns nil
// when a previous failure's backoff has not run out (unless force is set).
// seen is the entry that made the caller want a refresh (for Get, nil when
// there was none; Refresh and the background loop, which want one whatever
// the Cache holds, pass nil with force): when a usable entry has replaced
// it since, a refresh ended after the caller looked, and startRefresh
// returns the closed flight settled rather than fetch again.
func (c *Cache) startRefresh(now time.Time, force bool, seen *entry) *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil {
		return c.inflight
	}
	if cur := c.cur.Load(); (seen != nil || !force) && cur != seen && cur != nil && !cur.invalid {
		return settled
	}
	if c.base.Err() != nil {
		return nil
	}
	if !force && now.Before(c.nextTry) {
		return nil
	}
	f := &flight{done: make(chan struct{})}
	c.inflight = f
	c.wg.Add(1)
	go c.refresh(f)
	return f
}

func (c *Cache) refresh(f *flight) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.base, c.o.fetchTimeout)
	defer cancel()
	old := c.cur.Load()
	err := c.fetchAndAdopt(ctx, old)

	c.mu.Lock()
	if err != nil {
		c.failures++
		c.lastErr = err
		c.nextTry = c.o.clock.Now().Add(c.backoffLocked(c.failures))
	} else {
		c.failures, c.lastErr, c.nextTry = 0, nil, time.Time{}
	}
	c.inflight = nil
	hooks, refreshed := c.onError, c.onRefresh
	c.mu.Unlock()

	if len(refreshed) > 0 && (err == nil || c.base.Err() == nil) {
		var ov, nv Version
		if old != nil {
			ov = old.v
		}
		if cur := c.cur.Load(); cur != nil {
			nv = cur.v
		}
		for _, h := range refreshed {
			h(ov, nv, err)
		}
	}
	f.err = err
	close(f.done)
	if err != nil && c.base.Err() == nil {
		c.o.logger.Warn("secret refresh failed; keeping the last good version",
			slog.String("error", err.Error()), slog.Any("current", versionOrNone(old)))
		for _, h := range hooks {
			h(err)
		}
	}
}

func versionOrNone(e *entry) slog.Value {
	if e == nil {
		return slog.StringValue("none")
	}
	return e.v.LogValue()
}

func (c *Cache) fetchAndAdopt(ctx context.Context, old *entry) error {
	v, err := c.provider.Fetch(ctx)
	if err == nil {
		err = c.check(v)
	}
	now := c.o.clock.Now()
	if err != nil {
		if old != nil && old.invalid {
			// Stop callers waiting on a rejected version; Invalidate's rate
			// limit keeps the next rejection from refetching at once.
			c.replace(old, now)
		}
		return err
	}
	if v.FetchedAt.IsZero() {
		v.FetchedAt = now
	}
	if old != nil && old.v.Same(v) {
		c.replace(old, now)
		return nil
	}
	if c.o.validate != nil {
		if verr := c.o.validate(ctx, v); verr != nil {
			if old != nil && old.invalid {
				c.replace(old, now)
			}
			return fmt.Errorf("secrets: new version %s from %s %w: %w", v.ID, v.Source, ErrRefused, verr)
		}
	}
	ne := &entry{v: v}
	ne.advisoryAt, ne.mandatoryAt = c.windows(v)
	if old == nil {
		c.cur.Store(ne)
		c.o.logger.Debug("secret fetched", slog.Any("version", v.LogValue()))
		return nil
	}
	// Previous first, so that whoever gets the new version finds Previous
	// naming the one it replaced, never an older one.
	pv := old.v
	c.prev.Store(&pv)
	c.cur.Store(ne)
	c.o.logger.Info("secret rotated", slog.Any("old", old.v.LogValue()), slog.Any("new", v.LogValue()))
	c.mu.Lock()
	hooks := c.onRotate
	c.mu.Unlock()
	for _, h := range hooks {
		h(old.v, v)
	}
	return nil
}

// replace stores a copy of old that is no longer marked invalid and
// remembers when it was last rejected.
func (c *Cache) replace(old *entry, now time.Time) {
	ne := *old
	if ne.invalid {
		ne.invalid = false
		ne.rejectedAt = now
	}
	c.cur.CompareAndSwap(old, &ne)
}

func (c *Cache) check(v Version) error {
	if v.Value.IsZero() {
		return fmt.Errorf("secrets: provider returned an empty value (source %q): %w", v.Source, ErrEmpty)
	}
	if v.ID == "" {
		return fmt.Errorf("secrets: provider returned a version without an ID (source %q)", v.Source)
	}
	if v.Expired(c.o.clock.Now()) {
		return fmt.Errorf("secrets: provider returned version %s that expired at %s (source %q): %w", v.ID, v.ExpiresAt.Format(time.RFC3339), v.Source, ErrExpired)
	}
	return nil
}

func (c *Cache) windows(v Version) (advisory, mandatory time.Time) {
	if v.ExpiresAt.IsZero() {
		return time.Time{}, time.Time{}
	}
	life := v.ExpiresAt.Sub(v.FetchedAt)
	a, m := c.o.advisory, c.o.mandatory
	if life > 0 {
		a, m = min(a, life/3), min(m, life/10)
	}
	return v.ExpiresAt.Add(-a), v.ExpiresAt.Add(-m)
}

func (c *Cache) backoffLocked(failures int) time.Duration {
	d := c.o.backoffMin
	for i := 1; i < failures && d < c.o.backoffMax; i++ {
		d *= 2
	}
	d = min(d, c.o.backoffMax)
	// Full jitter on the upper half: [d/2, d).
	return d/2 + time.Duration(c.randState.Int64N(int64(d/2)+1))
}

// Invalidate tells the Cache that a server rejected rejected (an HTTP 401,
// say). If rejected is still the current version, the next Get waits for a
// refresh; if a newer version is already cached, Invalidate does nothing, so
// a late rejection of an old key cannot throw away a new one. Refreshes
// started this way are single-flight and happen at most once per version per
// WithMinInvalidateInterval, so a storm of rejections is one fetch.
func (c *Cache) Invalidate(rejected Version) {
	for {
		e := c.cur.Load()
		if e == nil || e.invalid || !e.v.Same(rejected) {
			return
		}
		now := c.o.clock.Now()
		if !e.rejectedAt.IsZero() && now.Sub(e.rejectedAt) < c.o.minInvalidate {
			return
		}
		ne := *e
		ne.invalid = true
		if c.cur.CompareAndSwap(e, &ne) {
			c.o.logger.Info("secret rejected; refreshing", slog.Any("version", e.v.LogValue()))
			// A Get that found ne invalid may have refreshed already.
			c.startRefresh(now, true, &ne)
			return
		}
	}
}

// Refresh fetches now, whatever the cached version's age, waits for the
// result and returns the version the Cache holds afterwards. It joins a
// refresh already in flight.
func (c *Cache) Refresh(ctx context.Context) (Version, error) {
	f := c.startRefresh(c.o.clock.Now(), true, nil)
	if f == nil {
		return Version{}, ErrClosed
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return Version{}, ctx.Err()
	}
	if f.err != nil {
		return Version{}, f.err
	}
	return c.cur.Load().v, nil
}

// Current returns the version the cache holds now, without fetching or
// waiting, even when it is due for a refresh; false before the first
// fetch. For reporting (its age, its source); calls take theirs from Get.
func (c *Cache) Current() (Version, bool) {
	e := c.cur.Load()
	if e == nil || e.v.Value.IsZero() {
		return Version{}, false
	}
	return e.v, true
}

// Previous returns the version the current one replaced, if any, for
// fallback while a rotation settles.
func (c *Cache) Previous() (Version, bool) {
	p := c.prev.Load()
	if p == nil {
		return Version{}, false
	}
	return *p, true
}

// LastError returns the error of the last refresh if it failed, or nil.
func (c *Cache) LastError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// OnRotate registers f to be called, on the refreshing goroutine, each time
// a new version replaces the cached one, just after callers start getting
// it (so a caller may get the new version before the hooks have run). f
// must not block for long.
func (c *Cache) OnRotate(f func(old, new Version)) {
	c.mu.Lock()
	c.onRotate = append(c.onRotate, f)
	c.mu.Unlock()
}

// OnError registers f to be called each time a refresh fails (fetch,
// validation, or an unusable version). f must not block for long.
func (c *Cache) OnError(f func(error)) {
	c.mu.Lock()
	c.onError = append(c.onError, f)
	c.mu.Unlock()
}

// OnRefresh registers f to be called, on the refreshing goroutine, after
// each refresh and before the callers waiting for it go on: each fetch from the Provider, whether it brought the
// version already held, a new one, or an error. old is the version held
// before (zero for the first fetch), cur the one held after (zero while
// none), and err the refresh's error (wrapping ErrRefused when
// WithValidate refused the new version). It is meant for metrics; f must
// not block for long.
func (c *Cache) OnRefresh(f func(old, cur Version, err error)) {
	c.mu.Lock()
	c.onRefresh = append(c.onRefresh, f)
	c.mu.Unlock()
}

// Close stops background refreshes and waits for them to return. It is safe
// to call more than once. Get keeps returning the cached value afterwards
// until it expires.
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		c.stop()
		c.wg.Wait()
	})
	return nil
}

func (c *Cache) loop() {
	defer c.wg.Done()
	wait := c.jittered(c.o.interval)
	for {
		t := c.o.clock.NewTimer(wait)
		select {
		case <-c.base.Done():
			t.Stop()
			return
		case <-t.C():
		}
		f := c.startRefresh(c.o.clock.Now(), true, nil)
		if f == nil {
			return
		}
		select {
		case <-f.done:
		case <-c.base.Done():
			return
		}
		wait = c.jittered(c.o.interval)
		c.mu.Lock()
		if c.failures > 0 {
			wait = min(wait, c.nextTry.Sub(c.o.clock.Now()))
		}
		c.mu.Unlock()
	}
}

func (c *Cache) jittered(d time.Duration) time.Duration {
	if c.o.jitter == 0 {
		return d
	}
	c.mu.Lock()
	f := 1 + c.o.jitter*(2*c.randState.Float64()-1)
	c.mu.Unlock()
	return time.Duration(float64(d) * f)
}
