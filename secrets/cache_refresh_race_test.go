package secrets_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// gatedClock is a fake clock whose next Now, once armed, stops its caller
// until released: a way to hold a goroutine at a known point in the Cache.
type gatedClock struct {
	*clock.Fake
	armed    atomic.Bool
	entered  chan struct{}
	released chan struct{}
}

func (g *gatedClock) Now() time.Time {
	if g.armed.CompareAndSwap(true, false) {
		close(g.entered)
		<-g.released
	}
	return g.Fake.Now()
}

// A caller that found no usable value, but reached the single-flight only
// after the refresh it should have joined had ended, used to start a
// second fetch: under load, one extra fetch per rotation (found by
// internal/e2e's rotation test). It must take the value that refresh
// adopted instead.
func TestCacheGetRacingTheEndOfARefreshDoesNotFetchAgain(t *testing.T) {
	gc := &gatedClock{Fake: clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), entered: make(chan struct{}), released: make(chan struct{})}
	p := secretstest.NewStatic("first")
	c, err := secrets.NewCache(p, secrets.WithClock(gc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A's Get starts the first fetch, which the provider holds.
	hold := make(chan struct{})
	p.SetHook(func(context.Context) error { <-hold; return nil })
	aDone := make(chan error, 1)
	go func() { _, err := c.Get(ctx); aDone <- err }()
	for p.Fetches() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the first fetch never started")
		}
		time.Sleep(100 * time.Microsecond)
	}

	// B finds no value too, and stops at the clock just before it would
	// join A's fetch.
	gc.armed.Store(true)
	bDone := make(chan secrets.Version, 1)
	go func() {
		v, err := c.Get(ctx)
		if err != nil {
			t.Error(err)
		}
		bDone <- v
	}()
	select {
	case <-gc.entered:
	case <-ctx.Done():
		t.Fatal("B never reached the clock")
	}

	// The fetch ends, and A has its value, before B goes on.
	close(hold)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	close(gc.released)
	v := <-bDone
	if v.Value.Reveal() != "first" {
		t.Errorf("B got version %s", v.ID)
	}
	if n := p.Fetches(); n != 1 {
		t.Errorf("%d fetches; B should have taken the value the ended refresh adopted", n)
	}
}

// gatedHandler is a slog handler that, on the first record with message
// msg, stops its caller until released.
type gatedHandler struct {
	msg      string
	once     atomic.Bool
	entered  chan struct{}
	released chan struct{}
}

func (h *gatedHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *gatedHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *gatedHandler) WithGroup(string) slog.Handler            { return h }
func (h *gatedHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg && h.once.CompareAndSwap(false, true) {
		close(h.entered)
		<-h.released
	}
	return nil
}

// Invalidate marks the rejected entry and then starts a refresh; a Get
// that found the entry marked in between could start and finish that
// refresh first, and Invalidate then fetched a second time (found by
// internal/e2e's rotation test, one extra fetch every few dozen
// rotations). Invalidate must see that the refresh it wanted happened.
func TestCacheInvalidateRacingAGetThatRefreshedDoesNotFetchAgain(t *testing.T) {
	h := &gatedHandler{msg: "secret rejected; refreshing", entered: make(chan struct{}), released: make(chan struct{})}
	p := secretstest.NewStatic("old")
	c, err := secrets.NewCache(p, secrets.WithClock(clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))), secrets.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v1, err := c.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Rotate("new")

	// Invalidate marks v1 and stops at its log line, before its refresh.
	invalidated := make(chan struct{})
	go func() { c.Invalidate(v1); close(invalidated) }()
	select {
	case <-h.entered:
	case <-ctx.Done():
		t.Fatal("Invalidate never logged")
	}
	// A Get finds v1 rejected and refreshes: the new version is adopted.
	v2, err := c.Get(ctx)
	if err != nil || v2.Value.Reveal() != "new" {
		t.Fatalf("Get after the rejection: version %s, %v", v2.ID, err)
	}
	close(h.released)
	<-invalidated
	c.Close() // waits for any refresh Invalidate started
	if n := p.Fetches(); n != 2 {
		t.Errorf("%d fetches; want 2: the first, and one for the rejection", n)
	}
}
