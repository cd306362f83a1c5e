package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// batchInputs is the size of the fault runs' batches.
const batchInputs = 10_000

// ledger reconciles a batch call's per-input outcomes with what HubSpot
// stored.
type ledger struct {
	inputs, succeeded, failed int
	// lost: inputs reported done but not stored, or neither stored nor
	// reported failed.
	lost int
	// duplicates: inputs stored more than once.
	duplicates int
	// phantoms: inputs that HubSpot answered with an error but that were
	// stored anyway.
	phantoms int
	// unknownLanded: inputs whose request ended without an answer (the
	// deadline, a dropped connection) and that had landed: their outcome was
	// reported unknown, rightly. Not an error; a re-send of an upsert is
	// harmless, and the duplicates count shows whether a create was doubled.
	unknownLanded int
	// mismatched: inputs reported done whose record is not the stored one,
	// or whose stored properties are not the input's.
	mismatched int
	// strays: stored records that no input accounts for.
	strays int
	// kinds counts the failures by kind of error.
	kinds map[string]int
}

func (l ledger) String() string {
	kinds := make([]string, 0, len(l.kinds))
	for _, k := range slices.Sorted(maps.Keys(l.kinds)) {
		kinds = append(kinds, fmt.Sprintf("%s:%d", k, l.kinds[k]))
	}
	return fmt.Sprintf("inputs=%d succeeded=%d failed=%d lost=%d duplicates=%d phantoms=%d mismatched=%d strays=%d unknown_outcome_landed=%d failures_by_kind=[%s]",
		l.inputs, l.succeeded, l.failed, l.lost, l.duplicates, l.phantoms, l.mismatched, l.strays, l.unknownLanded, strings.Join(kinds, " "))
}

// clean reports whether nothing was lost, doubled, misattributed or
// invented.
func (l ledger) clean() bool {
	return l.lost == 0 && l.duplicates == 0 && l.phantoms == 0 && l.mismatched == 0 && l.strays == 0
}

// failureKind names the kind of a batch input's error.
func failureKind(err error) string {
	var rl *hubspot.RateLimitError
	var he *hubspot.Error
	switch {
	case errors.As(err, &rl):
		return "429-" + string(rl.Policy)
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, hubspot.ErrNotInResponse):
		return "not-in-response"
	case errors.As(err, &he):
		return strconv.Itoa(he.StatusCode)
	}
	return "transport"
}

// reconcile checks res, the outcome of a batch call over inputs whose
// records are told apart by keyProp (keys[i] is input i's value of it),
// against stored, HubSpot's records of that type; want(i) is the
// properties input i must have stored. callErr is what the call returned.
func reconcile(t *testing.T, res *hubspot.BatchResult[hubspot.Object], callErr error, keys []string, keyProp string, stored []hubspottest.Object, want func(i int) map[string]string) ledger {
	t.Helper()
	if res == nil || len(res.Items) != len(keys) {
		t.Fatalf("the batch result does not account for %d inputs: %v", len(keys), callErr)
	}
	if len(res.Unmatched) != 0 {
		t.Errorf("%d records in the responses matched no input", len(res.Unmatched))
	}
	byKey := make(map[string][]hubspottest.Object, len(stored))
	for _, o := range stored {
		k := o.Properties[keyProp]
		byKey[k] = append(byKey[k], o)
	}
	l := ledger{inputs: len(keys), kinds: map[string]int{}}
	for i, k := range keys {
		it, objs := res.Items[i], byKey[k]
		delete(byKey, k)
		if len(objs) > 1 {
			l.duplicates++
		}
		if it.Err != nil {
			l.failed++
			l.kinds[failureKind(it.Err)]++
			if len(objs) > 0 {
				var he *hubspot.Error
				if errors.As(it.Err, &he) {
					l.phantoms++
				} else {
					l.unknownLanded++
				}
			}
			continue
		}
		l.succeeded++
		if len(objs) == 0 {
			l.lost++
			continue
		}
		if it.Value.ID != objs[0].ID {
			l.mismatched++
			continue
		}
		for p, v := range want(i) {
			if objs[0].Properties[p] != v {
				l.mismatched++
				break
			}
		}
	}
	l.strays = len(byKey)

	var be *hubspot.BatchError
	switch {
	case l.failed == 0 && callErr != nil:
		t.Errorf("no input failed, but the call returned %v", callErr)
	case l.failed > 0 && (!errors.As(callErr, &be) || be.Failed != l.failed || be.Total != len(keys)):
		t.Errorf("%d of %d inputs failed, but the call returned %v", l.failed, len(keys), callErr)
	}
	return l
}

// retryFailed sends the failed inputs of res again (the caller's
// recovery) and merges the outcome into res.
func retryFailed[In any](t *testing.T, res *hubspot.BatchResult[hubspot.Object], inputs []In, send func([]In) (*hubspot.BatchResult[hubspot.Object], error)) {
	t.Helper()
	var idx []int
	var again []In
	for i, it := range res.Items {
		if it.Err != nil {
			idx = append(idx, i)
			again = append(again, inputs[i])
		}
	}
	if len(again) == 0 {
		return
	}
	res2, err := send(again)
	if err != nil {
		t.Fatalf("re-sending the %d failed inputs without faults: %v", len(again), err)
	}
	for j, i := range idx {
		res.Items[i] = res2.Items[j]
	}
}

// faultClient returns a client for srv whose waits (retry backoff,
// Retry-After) pass at once on a fake clock, and a function that stops the
// clock's driver and returns how far it moved the clock.
func faultClient(t *testing.T, srv *hubspottest.Server, fake *clock.Fake, opts ...hubspot.Option) (*hubspot.Client, func() time.Duration) {
	t.Helper()
	c := newClient(t, srv, secretstest.NewStatic(srv.NewToken(hubspottest.AllScopes...)), append([]hubspot.Option{hubspot.WithClock(fake)}, opts...)...)
	ctx, cancel := context.WithCancel(context.Background())
	moved := advanceWhenWaiting(ctx, fake)
	var d time.Duration
	stop := func() time.Duration {
		if cancel != nil {
			cancel()
			d, cancel = <-moved, nil
		}
		return d
	}
	t.Cleanup(func() { stop() })
	return c, stop
}

// patienceCtx is the context of a fault run: no deadline the run should
// meet, only a guard against hanging forever.
func patienceCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

func contactKeys() ([]hubspot.BatchInput, []string) {
	inputs := make([]hubspot.BatchInput, batchInputs)
	keys := make([]string, batchInputs)
	for i := range inputs {
		keys[i] = fmt.Sprintf("user%05d@example.com", i)
		inputs[i] = hubspot.BatchInput{ID: keys[i], IDProperty: "email", Properties: hubspot.Properties{"firstname": fmt.Sprintf("F%05d", i), "lastname": "L"}}
	}
	return inputs, keys
}

func wantUpserted(inputs []hubspot.BatchInput) func(int) map[string]string {
	return func(i int) map[string]string { return inputs[i].Properties }
}

// upsertFaults is a storm of every fault a batch upsert can meet, in the
// order the next matching requests meet them. A run of 429s longer than
// the retry budget fails the requests it hits; so does a 500, which is not
// retried.
func upsertFaults(path string) []hubspottest.Fault {
	return []hubspottest.Fault{
		{Status: http.StatusTooManyRequests, Count: 25, PathPrefix: path},
		{Status: http.StatusServiceUnavailable, Count: 8, PathPrefix: path},
		{Drop: true, Count: 6, PathPrefix: path},
		{Status: http.StatusBadGateway, Count: 3, PathPrefix: path},
		{Status: http.StatusGatewayTimeout, Count: 3, PathPrefix: path},
		{Status: http.StatusInternalServerError, Count: 2, PathPrefix: path},
		{Status: http.StatusTooManyRequests, RetryAfter: "2", Count: 12, PathPrefix: path},
		{Drop: true, Count: 4, PathPrefix: path},
		{Status: http.StatusServiceUnavailable, Count: 4, PathPrefix: path},
	}
}

// A batch upsert of 10,000 contacts by email through a storm of 429s,
// 5xx bursts and dropped connections: upserts are safe to repeat, so the
// client retries what it may; what still fails is reported against each
// input it concerns, nothing is lost or applied twice, and sending the
// failed inputs again completes the set.
func TestBatchUpsertUnderFaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	fake := clock.NewFake(epoch)
	c, stop := faultClient(t, srv, fake)
	ctx := patienceCtx(t)
	path := opPath(t, "crm.objects.batch.upsert", "objectType", "contacts")
	faults := 0
	for _, f := range upsertFaults(path) {
		srv.InjectFault(f)
		faults += f.Count
	}
	inputs, keys := contactKeys()

	res, err := c.Contacts.BatchUpsert(ctx, inputs)
	l := reconcile(t, res, err, keys, "email", srv.Objects("contacts"), wantUpserted(inputs))
	requests := 0
	for _, e := range srv.Journal() {
		if e.Path == path {
			requests++
		}
	}
	t.Logf("upsert under faults: %v requests=%d faults=%d waited=%v (fake clock)", l, requests, faults, stop())
	if !l.clean() {
		t.Errorf("the ledger does not balance: %v", l)
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Fatalf("%d faults were never met: the run did not exercise them", n)
	}
	// Every request either met a fault or landed its chunk, and a chunk
	// that failed landed nothing: no request was sent that did not need to.
	if want := faults + batchInputs/batchLimit - l.failed/batchLimit; requests != want {
		t.Errorf("%d requests; want %d: one per fault, plus one per chunk that landed", requests, want)
	}
	if l.failed == 0 || l.kinds["429-"+string(hubspot.TenSecondly)] == 0 || l.kinds["500"] != 2*batchLimit {
		t.Errorf("the storm was meant to defeat the retries of some chunks (a run of 25 429s, two 500s): %v", l)
	}

	retryFailed(t, res, inputs, func(in []hubspot.BatchInput) (*hubspot.BatchResult[hubspot.Object], error) {
		return c.Contacts.BatchUpsert(ctx, in)
	})
	l = reconcile(t, res, nil, keys, "email", srv.Objects("contacts"), wantUpserted(inputs))
	t.Logf("after re-sending the failed inputs: %v", l)
	if !l.clean() || l.succeeded != batchInputs {
		t.Errorf("after re-sending the failed inputs: %v", l)
	}
}

// A batch create of 10,000 companies through the same storm. A create is
// not safe to repeat after a 5xx or a dropped connection (the records may
// exist), so those chunks fail and are reported; 429s, which HubSpot did
// not process, are retried. No company is created twice, none is lost, and
// each failure names its input.
func TestBatchCreateUnderFaults(t *testing.T) {
	srv := hubspottest.NewServer(t)
	fake := clock.NewFake(epoch)
	c, stop := faultClient(t, srv, fake)
	ctx := patienceCtx(t)
	path := opPath(t, "crm.objects.batch.create", "objectType", "companies")
	faults := 0
	for _, f := range upsertFaults(path) {
		srv.InjectFault(f)
		faults += f.Count
	}
	inputs := make([]hubspot.ObjectInput, batchInputs)
	keys := make([]string, batchInputs)
	for i := range inputs {
		keys[i] = fmt.Sprintf("company-%05d", i)
		inputs[i] = hubspot.ObjectInput{Properties: hubspot.Properties{"name": keys[i], "domain": keys[i] + ".example.com"}}
	}
	want := func(i int) map[string]string { return inputs[i].Properties }

	res, err := c.Companies.BatchCreate(ctx, inputs)
	l := reconcile(t, res, err, keys, "name", srv.Objects("companies"), want)
	t.Logf("create under faults: %v waited=%v (fake clock)", l, stop())
	if !l.clean() {
		t.Errorf("the ledger does not balance: %v", l)
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Fatalf("%d faults were never met", n)
	}
	// Each 5xx and each dropped connection fails its chunk, unretried.
	unretried := 8 + 6 + 3 + 3 + 2 + 4 + 4
	if got := l.failed - l.kinds["429-"+string(hubspot.TenSecondly)]; got != unretried*batchLimit {
		t.Errorf("%d inputs failed other than by 429; want %d, one chunk per 5xx and dropped connection: %v", got, unretried*batchLimit, l)
	}

	retryFailed(t, res, inputs, func(in []hubspot.ObjectInput) (*hubspot.BatchResult[hubspot.Object], error) {
		return c.Companies.BatchCreate(ctx, in)
	})
	l = reconcile(t, res, nil, keys, "name", srv.Objects("companies"), want)
	t.Logf("after re-sending the failed inputs: %v", l)
	if !l.clean() || l.succeeded != batchInputs {
		t.Errorf("after re-sending the failed inputs: %v", l)
	}
}
