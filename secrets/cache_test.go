package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newCache(t testing.TB, p secrets.Provider, opts ...secrets.CacheOption) *secrets.Cache {
	t.Helper()
	opts = append([]secrets.CacheOption{secrets.WithRand(rand.New(rand.NewPCG(1, 2)))}, opts...)
	c, err := secrets.NewCache(p, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds or a deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCacheFetchesOnceThenServesFromMemory(t *testing.T) {
	p := secretstest.NewStatic("tok-1")
	c := newCache(t, p)
	for range 1000 {
		v, err := c.Get(ctxT(t))
		require.NoError(t, err)
		require.Equal(t, "tok-1", v.Value.Reveal())
	}
	assert.EqualValues(t, 1, p.Fetches())
}

func TestCacheConcurrentGetRotateInvalidate(t *testing.T) {
	p := secretstest.NewStatic("tok-0")
	c := newCache(t, p, secrets.WithMinInvalidateInterval(0))
	ctx := ctxT(t)
	valid := sync.Map{}
	valid.Store("tok-0", true)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var gets atomic.Int64
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := c.Get(ctx)
				if !assert.NoError(t, err) {
					return
				}
				_, ok := valid.Load(v.Value.Reveal())
				assert.True(t, ok, "Get returned a value that was never set")
				if gets.Add(1)%97 == 0 {
					c.Invalidate(v)
				}
			}
		}()
	}
	for i := 1; i <= 50; i++ {
		next := fmt.Sprintf("tok-%d", i)
		valid.Store(next, true)
		p.Rotate(next)
		_, err := c.Refresh(ctx)
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
	v, err := c.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-50", v.Value.Reveal())
}

func TestCacheInvalidateStormIsOneFetch(t *testing.T) {
	for _, rotated := range []bool{true, false} {
		t.Run(fmt.Sprintf("rotated=%v", rotated), func(t *testing.T) {
			fc := clock.NewFake(t0)
			p := secretstest.NewStatic("old")
			c := newCache(t, p, secrets.WithClock(fc))
			ctx := ctxT(t)
			v1, err := c.Get(ctx)
			require.NoError(t, err)
			if rotated {
				p.Rotate("new")
			}
			release := make(chan struct{})
			p.SetHook(func(ctx context.Context) error { <-release; return nil })
			var wg sync.WaitGroup
			for range 1000 {
				wg.Add(1)
				go func() { defer wg.Done(); c.Invalidate(v1) }()
			}
			wg.Wait()
			close(release)
			v2, err := c.Get(ctx)
			require.NoError(t, err)
			assert.EqualValues(t, 2, p.Fetches(), "1,000 rejections of one version must cause one fetch")
			if rotated {
				assert.Equal(t, "new", v2.Value.Reveal())
				c.Invalidate(v1) // late 401 for the old key
				_, _ = c.Get(ctx)
				assert.EqualValues(t, 2, p.Fetches(), "a late rejection of an old version must not refetch")
				return
			}
			assert.Equal(t, "old", v2.Value.Reveal())
			c.Invalidate(v2)
			_, _ = c.Get(ctx)
			assert.EqualValues(t, 2, p.Fetches(), "rejections within the min interval are rate-limited")
			fc.Advance(2 * time.Second)
			c.Invalidate(v2)
			_, err = c.Get(ctx)
			require.NoError(t, err)
			assert.EqualValues(t, 3, p.Fetches(), "after the min interval a rejection refetches")
		})
	}
}

func TestCacheAdvisoryWindowRefreshesInBackground(t *testing.T) {
	fc := clock.NewFake(t0)
	p := secretstest.NewStatic("a")
	p.SetTTL(time.Hour, fc.Now)
	c := newCache(t, p, secrets.WithClock(fc), secrets.WithExpiryWindows(10*time.Minute, time.Minute))
	ctx := ctxT(t)
	_, err := c.Get(ctx)
	require.NoError(t, err)

	fc.Advance(55 * time.Minute) // inside the advisory window, outside the mandatory one
	p.Rotate("b")
	release := make(chan struct{})
	p.SetHook(func(context.Context) error { <-release; return nil })
	for range 100 {
		v, err := c.Get(ctx) // must not block on the held fetch
		require.NoError(t, err)
		require.Equal(t, "a", v.Value.Reveal())
	}
	close(release)
	eventually(t, "background refresh", func() bool {
		v, _ := c.Get(ctx)
		return v.Value.Reveal() == "b"
	})
	assert.EqualValues(t, 2, p.Fetches(), "one refresh for the whole advisory window")
}

func TestCacheMandatoryWindowWaits(t *testing.T) {
	fc := clock.NewFake(t0)
	p := secretstest.NewStatic("a")
	p.SetTTL(time.Hour, fc.Now)
	c := newCache(t, p, secrets.WithClock(fc), secrets.WithExpiryWindows(10*time.Minute, time.Minute))
	ctx := ctxT(t)
	_, err := c.Get(ctx)
	require.NoError(t, err)
	fc.Advance(59*time.Minute + 30*time.Second)
	p.Rotate("b")
	v, err := c.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "b", v.Value.Reveal(), "in the mandatory window Get waits for the refresh")
}

func TestCacheNeverReturnsExpired(t *testing.T) {
	fc := clock.NewFake(t0)
	p := secretstest.NewStatic("a")
	p.SetTTL(time.Hour, fc.Now)
	c := newCache(t, p, secrets.WithClock(fc))
	ctx := ctxT(t)
	_, err := c.Get(ctx)
	require.NoError(t, err)
	var reported []error
	var mu sync.Mutex
	c.OnError(func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() })

	p.SetError(errors.New("backend down"))
	fc.Advance(59*time.Minute + 50*time.Second) // mandatory window, refresh fails
	v, err := c.Get(ctx)
	require.NoError(t, err, "a still-valid value is served while the refresh fails")
	assert.Equal(t, "a", v.Value.Reveal())

	fc.Advance(time.Minute) // now expired
	_, err = c.Get(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "backend down")
	mu.Lock()
	assert.NotEmpty(t, reported, "failures reach the error hook")
	mu.Unlock()
}

func TestCacheBackoffAfterFailure(t *testing.T) {
	fc := clock.NewFake(t0)
	p := secretstest.NewStatic("a")
	p.SetError(errors.New("down"))
	c := newCache(t, p, secrets.WithClock(fc), secrets.WithBackoff(time.Second, 8*time.Second))
	ctx := ctxT(t)
	_, err := c.Get(ctx)
	require.ErrorContains(t, err, "down")
	for range 10 {
		_, err = c.Get(ctx)
		require.Error(t, err)
	}
	assert.EqualValues(t, 1, p.Fetches(), "no refetch before the backoff runs out")
	fc.Advance(time.Second)
	p.SetError(nil)
	v, err := c.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "a", v.Value.Reveal())
	assert.EqualValues(t, 2, p.Fetches())
	assert.NoError(t, c.LastError())
}

func TestCacheValidationGuardsAdoption(t *testing.T) {
	p := secretstest.NewStatic("good")
	var bad atomic.Bool
	c := newCache(t, p, secrets.WithValidate(func(ctx context.Context, v secrets.Version) error {
		if bad.Load() {
			return errors.New("HubSpot rejected the token")
		}
		return nil
	}))
	ctx := ctxT(t)
	var errs atomic.Int64
	c.OnError(func(error) { errs.Add(1) })
	v1, err := c.Get(ctx)
	require.NoError(t, err)
	bad.Store(true)
	p.Rotate("broken")
	_, err = c.Refresh(ctx)
	require.ErrorContains(t, err, "failed validation")
	v, err := c.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, v1.ID, v.ID, "a version that fails validation is not adopted")
	assert.EqualValues(t, 1, errs.Load())
	secretstest.AssertNoLeak(t, "validation error", fmt.Sprint(c.LastError()), "broken")
}

func TestCacheCallerCancelDoesNotAbortSharedRefresh(t *testing.T) {
	p := secretstest.NewStatic("a")
	release := make(chan struct{})
	p.SetHook(func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	c := newCache(t, p)
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := c.Get(ctxA); errA <- err }()
	eventually(t, "fetch in flight", func() bool { return p.Fetches() == 1 })
	cancelA()
	require.ErrorIs(t, <-errA, context.Canceled)
	close(release)
	v, err := c.Get(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, "a", v.Value.Reveal())
	assert.EqualValues(t, 1, p.Fetches(), "the cancelled caller's fetch completed for the next caller")
}

func TestCacheBackgroundRefresh(t *testing.T) {
	fc := clock.NewFake(t0)
	p := secretstest.NewStatic("a")
	c := newCache(t, p, secrets.WithClock(fc), secrets.WithRefreshInterval(time.Minute, 0.1))
	rotated := make(chan [2]string, 4)
	c.OnRotate(func(old, new secrets.Version) { rotated <- [2]string{old.Value.Reveal(), new.Value.Reveal()} })
	ctx := ctxT(t)
	_, err := c.Get(ctx)
	require.NoError(t, err)
	p.Rotate("b")
	require.NoError(t, fc.WaitForTimers(ctx, 1))
	fc.Advance(2 * time.Minute)
	select {
	case r := <-rotated:
		assert.Equal(t, [2]string{"a", "b"}, r)
	case <-ctx.Done():
		t.Fatal("background refresh did not rotate")
	}
	prev, ok := c.Previous()
	require.True(t, ok)
	assert.Equal(t, "a", prev.Value.Reveal())
}

func TestCacheRejectsUnusableVersions(t *testing.T) {
	fc := clock.NewFake(t0)
	cases := map[string]secrets.Version{
		"empty value": {ID: "v1"},
		"no id":       {Value: secrets.New("x")},
		"expired":     {Value: secrets.New("x"), ID: "v1", ExpiresAt: t0.Add(-time.Second)},
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCache(t, secrets.ProviderFunc(func(context.Context) (secrets.Version, error) { return v, nil }), secrets.WithClock(fc))
			_, err := c.Get(ctxT(t))
			require.Error(t, err)
		})
	}
}

func TestCacheClose(t *testing.T) {
	p := secretstest.NewStatic("a")
	c, err := secrets.NewCache(p, secrets.WithRefreshInterval(time.Hour, 0))
	require.NoError(t, err)
	_, err = c.Get(ctxT(t))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	v, err := c.Get(ctxT(t))
	require.NoError(t, err, "the cached value outlives Close")
	assert.Equal(t, "a", v.Value.Reveal())
	_, err = c.Refresh(ctxT(t))
	require.ErrorIs(t, err, secrets.ErrClosed)

	c2, err := secrets.NewCache(p)
	require.NoError(t, err)
	c2.Close()
	_, err = c2.Get(ctxT(t))
	require.ErrorIs(t, err, secrets.ErrClosed)
}

func TestNewCacheRejectsBadOptions(t *testing.T) {
	p := secretstest.NewStatic("a")
	for name, opt := range map[string]secrets.CacheOption{
		"windows":  secrets.WithExpiryWindows(time.Minute, time.Hour),
		"interval": secrets.WithRefreshInterval(-time.Second, 0),
		"jitter":   secrets.WithRefreshInterval(time.Second, 1.5),
		"backoff":  secrets.WithBackoff(0, time.Second),
		"timeout":  secrets.WithFetchTimeout(0),
		"min inv":  secrets.WithMinInvalidateInterval(-1),
	} {
		_, err := secrets.NewCache(p, opt)
		assert.Error(t, err, name)
	}
	_, err := secrets.NewCache(nil)
	assert.ErrorContains(t, err, "nil")
}

func TestChain(t *testing.T) {
	failing := secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		return secrets.Version{}, &secrets.Error{Source: "env:A", Err: secrets.ErrNotFound}
	})
	ok := secretstest.NewStatic("from-b")
	v, err := secrets.Chain(failing, ok).Fetch(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "from-b", v.Value.Reveal())

	_, err = secrets.Chain(failing, failing).Fetch(context.Background())
	require.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), "env:A")
	_, err = secrets.Chain().Fetch(context.Background())
	require.Error(t, err)
}

func TestJSONFieldErrorsNeverQuotePayload(t *testing.T) {
	const secret = "s3cr3t-canary-value"
	cases := map[string]string{
		"not json":      secret,
		"broken json":   `{"token": "` + secret,
		"trailing data": `{"token": "x"} ` + secret,
		"array":         `["` + secret + `"]`,
		"missing field": `{"other": "` + secret + `"}`,
		"number field":  `{"token": 12345}`,
		"object field":  `{"token": {"v": "` + secret + `"}}`,
		"secret name":   `{"` + secret + `": "x", "other": "y"}`,
	}
	for name, payload := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := secrets.JSONField([]byte(payload), "token")
			require.Error(t, err)
			secretstest.AssertNoLeak(t, "JSONField error", err.Error(), secret)
		})
	}
	_, err := secrets.JSONField([]byte(`{"`+secret+`": "x", "other": "y"}`), "token")
	require.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), `field "token" not in the JSON object (it has 2 members`,
		"a missing field is named, and the members counted, not listed")

	v, err := secrets.JSONField([]byte(`{"token":"a\"b\u00e9"}`), "token")
	require.NoError(t, err)
	assert.Equal(t, "a\"bé", v)
}

func TestStaticConformance(t *testing.T) {
	secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
		return secretstest.StaticHarness(), nil
	})
}

func BenchmarkCacheGet(b *testing.B) {
	c := newCache(b, secretstest.NewStatic("tok"))
	ctx := context.Background()
	if _, err := c.Get(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Get(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("expiring", func(b *testing.B) {
		p := secretstest.NewStatic("tok")
		p.SetTTL(time.Hour, nil)
		c := newCache(b, p)
		if _, err := c.Get(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Get(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkInvalidateStorm sends 1,000 concurrent rejections of one version
// and reports the provider fetches they caused (goal: 1).
func BenchmarkInvalidateStorm(b *testing.B) {
	var fetches int64
	for b.Loop() {
		b.StopTimer()
		p := secretstest.NewStatic("old")
		c := newCache(b, p)
		v, _ := c.Get(context.Background())
		p.Rotate("new")
		before := p.Fetches()
		b.StartTimer()
		var wg sync.WaitGroup
		for range 1000 {
			wg.Add(1)
			go func() { defer wg.Done(); c.Invalidate(v); _, _ = c.Get(context.Background()) }()
		}
		wg.Wait()
		fetches += p.Fetches() - before
		c.Close()
	}
	b.ReportMetric(float64(fetches)/float64(b.N), "fetches/storm")
}

// When a rotation is published, Previous already names the version it
// replaced: a hook sees the new version current and the old one previous.
func TestPreviousIsSetWhenTheNewVersionIsPublished(t *testing.T) {
	p := secretstest.NewStatic("first")
	c, err := secrets.NewCache(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	v1, err := c.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct{ cur, prev secrets.Version }
	got := make(chan seen, 1)
	c.OnRotate(func(old, new secrets.Version) {
		cur, _ := c.Get(ctx)
		prev, _ := c.Previous()
		got <- seen{cur, prev}
	})
	p.Rotate("second")
	if _, err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.cur.Same(v1) || !s.prev.Same(v1) {
		t.Errorf("in the rotation hook: current %q, previous %q; want the new version current and %q previous", s.cur.ID, s.prev.ID, v1.ID)
	}
}

func TestCurrentNeitherFetchesNorWaits(t *testing.T) {
	p := secretstest.NewStatic("first")
	c, err := secrets.NewCache(p)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, ok := c.Current(); ok {
		t.Fatalf("Current before any fetch = %q, true", v.ID)
	}
	if p.Fetches() != 0 {
		t.Fatalf("Current fetched %d times", p.Fetches())
	}
	v1, err := c.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.Rotate("second") // not fetched yet: Current keeps what the cache holds
	if v, ok := c.Current(); !ok || !v.Same(v1) {
		t.Errorf("Current = %q, %v; want %q, true", v.ID, ok, v1.ID)
	}
	if p.Fetches() != 1 {
		t.Errorf("the provider was asked %d times, want 1", p.Fetches())
	}
}
