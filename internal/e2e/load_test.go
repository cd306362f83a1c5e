package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// load is a crowd of callers, each calling HubSpot through one client in a
// loop (a GET, then a PATCH with a body, and so on) on a contact of its own,
// until halted. Each call has its own context with a deadline.
type load struct {
	c       *hubspot.Client
	ids     []string
	timeout time.Duration

	// gen is bumped by settle; started[i] is the generation in which
	// caller i started its latest call.
	gen     atomic.Int64
	started []atomic.Int64

	calls    atomic.Int64
	failures errorLog
	ctxErrs  atomic.Int64 // failures that were the call's context ending
	slowest  atomic.Int64 // nanoseconds, real time, of the slowest call

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// startLoad seeds one contact per caller on srv and starts the callers.
// They stop when the test ends, or at halt.
func startLoad(t *testing.T, srv *hubspottest.Server, c *hubspot.Client, callers int, timeout time.Duration) *load {
	t.Helper()
	props := make([]map[string]string, callers)
	for i := range props {
		props[i] = map[string]string{"email": fmt.Sprintf("caller%03d@example.com", i)}
	}
	l := &load{c: c, timeout: timeout, started: make([]atomic.Int64, callers)}
	for _, o := range srv.Seed("contacts", props...) {
		l.ids = append(l.ids, o.ID)
	}
	for i := range l.started {
		l.started[i].Store(-1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for i := range callers {
		l.wg.Add(1)
		go l.caller(ctx, i)
	}
	t.Cleanup(l.halt)
	return l
}

func (l *load) caller(stop context.Context, i int) {
	defer l.wg.Done()
	for n := 0; stop.Err() == nil; n++ {
		l.started[i].Store(l.gen.Load())
		ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
		start := time.Now()
		var err error
		if n%2 == 0 {
			_, err = l.c.Contacts.Get(ctx, l.ids[i], nil)
		} else {
			_, err = l.c.Contacts.Update(ctx, l.ids[i], hubspot.Properties{"firstname": fmt.Sprintf("c%d-%d", i, n)}, nil)
		}
		took := time.Since(start)
		cancel()
		for {
			s := l.slowest.Load()
			if int64(took) <= s || l.slowest.CompareAndSwap(s, int64(took)) {
				break
			}
		}
		l.calls.Add(1)
		if err != nil {
			l.failures.add(err)
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				l.ctxErrs.Add(1)
			}
		}
	}
}

// settle waits until every caller has started a call after settle was
// called. Since each caller makes one call at a time, every call in flight
// then began after whatever the test did before settle: a rotation the
// Cache had adopted, say.
func (l *load) settle(t *testing.T) {
	t.Helper()
	g := l.gen.Add(1)
	eventually(t, fmt.Sprintf("every caller to start a call of generation %d", g), func() bool {
		for i := range l.started {
			if l.started[i].Load() < g {
				return false
			}
		}
		return true
	})
}

// halt stops the callers and waits for them. It is safe to call twice.
func (l *load) halt() {
	l.once.Do(func() {
		l.cancel()
		l.wg.Wait()
	})
}

// finishAfter waits until more calls have finished since the call count
// was n than there are callers. At most one call per caller is in flight at
// any moment, so at least one of them began after the count was read.
func (l *load) finishAfter(t *testing.T, n int64) {
	t.Helper()
	want := n + int64(len(l.started)) + 1
	eventually(t, fmt.Sprintf("%d calls to finish", want-n), func() bool { return l.calls.Load() >= want })
}
