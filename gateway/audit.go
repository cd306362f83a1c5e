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

// FlushAudit writes every audited call queued so far to the Store, for a
// report that must include the latest calls.
func (g *Gateway) FlushAudit(ctx context.Context) error { return g.audit.flush(ctx) }
