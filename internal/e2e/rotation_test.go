package e2e

import (
	"sort"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
)

const (
	// callers is how many goroutines call HubSpot at once in the load
	// tests.
	callers = 64
	// rotations is how many times the token rotates under that load.
	rotations = 50
	// callTimeout is each call's deadline in the load tests: a call that
	// needs it has hung.
	callTimeout = 20 * time.Second
)

// TestRotationUnderLoad rotates the token 50 times under 64 concurrent
// callers, in both of HubSpot's modes, the way a deployment does it:
// HubSpot issues the new token and the rotation job writes it to the secret
// store the client's Cache reads. Nothing tells the Cache; the client
// learns of the rotation from HubSpot's first 401 for the old token.
//
// In "expire later" the old token keeps working for HubSpot's grace period
// of 7 days, then dies; in "expire now" it dies at once. Either way no call
// may fail: the first 401 makes the Cache fetch the new token (once, however
// many callers are rejected at the same time) and the call is re-sent with
// it. The server's journal, which names the token of every call it answered
// by fingerprint, shows that no call went out with a token older than the
// one before the newest.
func TestRotationUnderLoad(t *testing.T) {
	for _, mode := range []struct {
		name  string
		grace time.Duration
	}{
		{"ExpireLater", hubspottest.ExpireLater},
		{"ExpireNow", hubspottest.ExpireNow},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			testRotationUnderLoad(t, mode.grace)
		})
	}
}

func testRotationUnderLoad(t *testing.T, grace time.Duration) {
	// One fake clock for HubSpot (token expiry, journal times) and the
	// client (Cache, retries): grace periods pass at once, and journal
	// times tell which token was the newest when a call arrived.
	fake := clock.NewFake(epoch)
	const journalSize = 1 << 16
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithJournalSize(journalSize))
	tok := srv.NewToken(hubspottest.AllScopes...)
	st := newStore(tok)
	cache := newCache(t, st, secrets.WithClock(fake))
	c := newClient(t, srv, cache, hubspot.WithClock(fake))
	l := startLoad(t, srv, c, callers, callTimeout)

	// issued[fingerprint] is the token's place in the rotation sequence;
	// issuedAt[k] is the fake time token k was issued. The clock moves on
	// right after each rotation, so a call journalled later than issuedAt[k]
	// arrived after token k existed.
	issued := map[string]int{fingerprint(tok): 0}
	issuedAt := []time.Time{fake.Now()}
	fake.Advance(time.Millisecond)
	l.finishAfter(t, 0) // the Cache has fetched the first token and calls succeed

	for k := 1; k <= rotations; k++ {
		var next string
		id := st.rotate(func() string {
			next = srv.RotateToken(tok, grace)
			return next
		})
		issued[fingerprint(next)] = k
		issuedAt = append(issuedAt, fake.Now())
		fake.Advance(time.Millisecond)
		if grace > 0 {
			// Calls keep going out with the old token, which serves out
			// its grace period; then it expires.
			l.finishAfter(t, l.calls.Load())
			fake.Advance(grace)
		}
		eventually(t, "the Cache to adopt "+id, func() bool { return currentID(t, cache) == id })
		l.settle(t)
		tok = next
	}
	l.halt()

	calls, failures, fetches := l.calls.Load(), l.failures.n.Load(), st.st.Fetches()
	journal := srv.Journal()
	var rejected, other, unknown, stale int
	var firstStale string
	servedInGrace := make([]int, rotations+1) // [k]: token k-1 answered 200 in token k's first grace
	for _, e := range journal {
		k, ok := issued[e.TokenFingerprint]
		if !ok {
			unknown++
			continue
		}
		// newest is the newest token issued before the call arrived.
		newest := sort.Search(len(issuedAt), func(i int) bool { return !issuedAt[i].Before(e.Time) }) - 1
		if k < newest-1 {
			if stale == 0 {
				firstStale = e.Method + " " + e.Path + " at " + e.Time.Sub(epoch).String()
			}
			stale++
		}
		switch e.Status {
		case 200:
			if grace > 0 && newest > 0 && k == newest-1 && e.Time.Before(issuedAt[newest].Add(grace)) {
				servedInGrace[newest]++
			}
		case 401:
			rejected++
		default:
			other++
		}
	}
	mode := "expire_now"
	if grace > 0 {
		mode = "expire_later"
	}
	t.Logf("mode=%s rotations=%d callers=%d calls=%d failures=%d provider_fetches=%d rejected_sends_retried=%d journal=%d",
		mode, rotations, callers, calls, failures, fetches, rejected, len(journal))

	if failures != 0 {
		t.Errorf("%d of %d calls failed; first:\n  %s", failures, calls, l.failures.String())
	}
	if fetches > rotations+1 {
		t.Errorf("the provider was asked %d times for %d rotations; want one per rotation and the first: a herd", fetches, rotations)
	}
	if len(journal) >= journalSize {
		t.Fatalf("the journal is full (%d entries); raise journalSize", len(journal))
	}
	if unknown != 0 {
		t.Errorf("%d calls carried a token the rotation never issued", unknown)
	}
	if stale != 0 {
		t.Errorf("%d calls carried a token older than the one before the newest; first: %s", stale, firstStale)
	}
	if other != 0 {
		t.Errorf("%d calls were answered with neither 200 nor 401", other)
	}
	// Every call is one send, plus one re-send when the first was
	// rejected: nothing else reached the server.
	if want := int(calls) + rejected; len(journal) != want {
		t.Errorf("the server answered %d requests for %d calls and %d rejections", len(journal), calls, rejected)
	}
	if grace > 0 {
		for k := 1; k <= rotations; k++ {
			if servedInGrace[k] == 0 {
				t.Errorf("rotation %d: no call was served with the old token during its grace period", k)
			}
		}
	}
	if rejected == 0 {
		t.Error("no call was ever rejected: the test did not exercise the 401 path")
	}
}
