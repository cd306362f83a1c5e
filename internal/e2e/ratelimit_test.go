package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

// journalCount counts the server's calls of the operation named op, and
// those answered 429.
func journalCount(srv *hubspottest.Server, op string) (calls, limited int) {
	for _, e := range srv.Journal() {
		if isOp(e, op) {
			calls++
			if e.Status == 429 {
				limited++
			}
		}
	}
	return calls, limited
}

// HubSpot's own TEN_SECONDLY_ROLLING limit, far below what a batch of
// 10,000 upserts asks for with no client-side limit: every 429 is waited
// out (on the fake clock) and retried, and every input lands once.
func TestBatchThroughTenSecondlyLimit(t *testing.T) {
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake),
		hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 20, Interval: 10 * time.Second}))
	c, stop := faultClient(t, srv, fake)
	inputs, keys := contactKeys()

	res, err := c.Contacts.BatchUpsert(patienceCtx(t), inputs)
	l := reconcile(t, res, err, keys, "email", srv.Objects("contacts"), wantUpserted(inputs))
	calls, limited := journalCount(srv, "crm.objects.batch.upsert")
	waited := stop()
	t.Logf("TEN_SECONDLY_ROLLING 20/10s: %v requests=%d answered_429=%d waited=%v (fake clock)", l, calls, limited, waited)
	if !l.clean() || l.succeeded != batchInputs {
		t.Errorf("the ledger does not balance: %v", l)
	}
	if limited == 0 || waited < 40*time.Second {
		t.Errorf("%d 429s and %v waited: the limit was never hit (100 requests at 20 per 10 s need 40 s at least)", limited, waited)
	}
}

// HubSpot's DAILY limit runs out in the middle of a batch: waiting seconds
// cannot help, so each chunk that meets it fails at once with
// *RateLimitError{Policy: Daily}, sent once and never retried, and the
// client never waits.
func TestBatchThroughDailyLimitFailsFast(t *testing.T) {
	const daily = 40
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake),
		hubspottest.WithRateLimit(hubspottest.RateLimit{Daily: daily}))
	c, stop := faultClient(t, srv, fake)
	ctx := patienceCtx(t)
	inputs, keys := contactKeys()

	res, err := c.Contacts.BatchUpsert(ctx, inputs)
	l := reconcile(t, res, err, keys, "email", srv.Objects("contacts"), wantUpserted(inputs))
	calls, limited := journalCount(srv, "crm.objects.batch.upsert")
	t.Logf("DAILY %d: %v requests=%d answered_429=%d", daily, l, calls, limited)
	if !l.clean() {
		t.Errorf("the ledger does not balance: %v", l)
	}
	chunks := batchInputs / batchLimit
	if l.succeeded != daily*batchLimit || l.failed != (chunks-daily)*batchLimit {
		t.Errorf("%d inputs landed and %d failed; want the first %d chunks to land and the rest to fail", l.succeeded, l.failed, daily)
	}
	if calls != chunks || limited != chunks-daily {
		t.Errorf("%d requests, %d answered 429, for %d chunks: a DAILY 429 was retried", calls, limited, chunks)
	}
	for i, it := range res.Items {
		if it.Err == nil {
			continue
		}
		var rl *hubspot.RateLimitError
		if !errors.As(it.Err, &rl) || rl.Policy != hubspot.Daily || !errors.Is(it.Err, hubspot.ErrRateLimited) {
			t.Fatalf("input %d: %v; want a *RateLimitError with policy DAILY", i, it.Err)
		}
	}

	// A single call fails just as fast.
	_, err = c.Contacts.Get(ctx, "1", nil)
	var rl *hubspot.RateLimitError
	if !errors.As(err, &rl) || rl.Policy != hubspot.Daily {
		t.Errorf("Get past the daily limit: %v", err)
	}
	if waited := stop(); waited != 0 {
		t.Errorf("the client waited %v for a DAILY limit", waited)
	}
}

// Responses slower than the caller's deadline: the call ends at the
// deadline, whatever the server does; in a batch, the chunk that was
// waiting and those not sent yet report the deadline against their
// inputs (as do chunks in flight at the deadline, which may have landed:
// their outcome is unknown), the others land, and nothing is lost or
// applied twice.
func TestSlowResponsesEndAtTheCallersDeadline(t *testing.T) {
	srv := hubspottest.NewServer(t) // the system clock: the injected latency is real
	fake := clock.NewFake(epoch)
	c, _ := faultClient(t, srv, fake)
	path := opPath(t, "crm.objects.batch.upsert", "objectType", "contacts")

	// One call: a response an hour away, a deadline 100 ms away.
	srv.InjectFault(hubspottest.Fault{Latency: time.Hour, Method: "GET"})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	start := time.Now()
	_, err := c.Contacts.Get(ctx, "1", nil)
	took := time.Since(start)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get with a slow response: %v; want the deadline", err)
	}
	if took > patience {
		t.Errorf("Get took %v past a deadline of 100 ms", took)
	}
	eventually(t, "the server to see the caller give up", func() bool {
		for _, e := range srv.Journal() {
			if e.Method == "GET" && e.Note == "fault: latency 1h0m0s, client gave up" {
				return true
			}
		}
		return false
	})

	// A batch: one chunk's response is an hour away.
	srv.InjectFault(hubspottest.Fault{Latency: time.Hour, PathPrefix: path})
	inputs, keys := contactKeys()
	const deadline = time.Second
	ctx, cancel = context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start = time.Now()
	res, err := c.Contacts.BatchUpsert(ctx, inputs)
	took = time.Since(start)
	l := reconcile(t, res, err, keys, "email", srv.Objects("contacts"), wantUpserted(inputs))
	t.Logf("batch with a response slower than its %v deadline: %v took=%v", deadline, l, took)
	if !l.clean() {
		t.Errorf("the ledger does not balance: %v", l)
	}
	if l.kinds["deadline"] < batchLimit || l.kinds["deadline"] != l.failed {
		t.Errorf("want the slow chunk's inputs (and only inputs the deadline stopped) to fail with the deadline: %v", l)
	}
	if took > deadline+patience {
		t.Errorf("the batch took %v past its deadline of %v", took, deadline)
	}
}
