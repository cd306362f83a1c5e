package gateway

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// auditBatch is the most calls written to the Store at once.
const auditBatch = 512

// auditor queues audited calls and writes them to the Store in batches,
// off the request path.
type auditor struct {
	g        *Gateway
	queue    chan Call
	flushReq chan chan struct{}
	interval time.Duration

	dropped atomic.Uint64
	failed  atomic.Uint64
	mu      sync.Mutex
	lastErr error
}

func newAuditor(g *Gateway, size int, interval time.Duration) *auditor {
	if size <= 0 {
		size = 8192
	}
	if interval <= 0 {
		interval = time.Second
	}
	return &auditor{g: g, queue: make(chan Call, size), flushReq: make(chan chan struct{}), interval: interval}
}

// add queues c. An allowed call waits for room; a refused one is dropped
// (and counted) when the queue is full, so that a flood of bad keys cannot
// slow the calls of good ones.
func (a *auditor) add(c Call) {
	if c.Denial == "" {
		a.queue <- c
		return
	}
	select {
	case a.queue <- c:
	default:
		a.dropped.Add(1)
	}
}

func (a *auditor) run(ctx context.Context) {
	batch := make([]Call, 0, auditBatch)
	timer := a.g.clock.NewTimer(a.interval)
	defer func() { timer.Stop() }()
	write := func() {
		if len(batch) == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := a.g.cfg.Store.AppendCalls(wctx, batch)
		cancel()
		if err != nil {
			a.failed.Add(uint64(len(batch)))
			a.mu.Lock()
			a.lastErr = err
			a.mu.Unlock()
			a.g.logger.Warn("gateway: writing the audit trail", "calls", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	drain := func() {
		for {
			select {
			case c := <-a.queue:
				batch = append(batch, c)
				if len(batch) == auditBatch {
					write()
				}
			default:
				write()
				return
			}
		}
	}
	for {
		select {
		case c := <-a.queue:
			batch = append(batch, c)
			if len(batch) == auditBatch {
				write()
			}
		case <-timer.C():
			drain()
			timer = a.g.clock.NewTimer(a.interval)
		case done := <-a.flushReq:
			drain()
			close(done)
		case <-ctx.Done():
			drain()
			return
		}
	}
}

// flush writes every call queued before it was called.
func (a *auditor) flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case a.flushReq <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *auditor) err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lastErr != nil {
		return errors.Join(errors.New("gateway: some audited calls could not be written"), a.lastErr)
	}
	return nil
}

// Stats are counters of the gateway's own health.
type Stats struct {
	// AuditDropped counts refused calls not audited because the audit
	// queue was full.
	AuditDropped uint64
	// AuditFailed counts audited calls the Store failed to write.
	AuditFailed uint64
}

// Stats returns the gateway's counters.
func (g *Gateway) Stats() Stats {
	return Stats{AuditDropped: g.audit.dropped.Load(), AuditFailed: g.audit.failed.Load()}
}

// FlushAudit writes to the Store every call the gateway has begun to serve
// before FlushAudit was called, once each has been answered, for a report
// that must include the latest calls. (A caller can read an answer in full
// a moment before the gateway has audited it.) It returns early with ctx's
// error.
func (g *Gateway) FlushAudit(ctx context.Context) error {
	if err := g.inflight.wait(ctx); err != nil {
		return err
	}
	return g.audit.flush(ctx)
}

// inflight tracks the calls being served, so that FlushAudit can wait for
// the ones begun before it.
type inflight struct {
	mu      sync.Mutex
	next    uint64
	open    map[uint64]struct{}
	waiters []inflightWaiter
}

type inflightWaiter struct {
	upTo uint64
	done chan struct{}
}

// begin registers a call and returns its number.
func (f *inflight) begin() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	if f.open == nil {
		f.open = map[uint64]struct{}{}
	}
	f.open[f.next] = struct{}{}
	return f.next
}

// end marks call n audited and releases the waiters it was the last for.
func (f *inflight) end(n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.open, n)
	if len(f.waiters) == 0 {
		return
	}
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if f.openUpTo(w.upTo) {
			kept = append(kept, w)
		} else {
			close(w.done)
		}
	}
	f.waiters = kept
}

// openUpTo reports whether a call numbered up to n is still open.
func (f *inflight) openUpTo(n uint64) bool {
	for id := range f.open {
		if id <= n {
			return true
		}
	}
	return false
}

// wait returns once every call begun so far has ended.
func (f *inflight) wait(ctx context.Context) error {
	f.mu.Lock()
	if !f.openUpTo(f.next) {
		f.mu.Unlock()
		return nil
	}
	w := inflightWaiter{upTo: f.next, done: make(chan struct{})}
	f.waiters = append(f.waiters, w)
	f.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
