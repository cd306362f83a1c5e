package secrets_test

import (
	"context"
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
