package e2e

import (
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
)

// The secret store is given tokens HubSpot refuses (one it never issued,
// one it revoked) while 64 callers run. The Cache checks each new version
// with Account.Details (hubspot.TokenValidator) before adopting it: the bad
// ones are never adopted, each refusal reaches OnError as HubSpot's 401,
// the old token keeps serving every call, and no CRM call ever carries a
// bad token. A real rotation is then checked and adopted as usual.
func TestRotationValidatorKeepsABadTokenOut(t *testing.T) {
	fake := clock.NewFake(epoch)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithJournalSize(1<<16))
	tok := srv.NewToken(hubspottest.AllScopes...)
	revoked := srv.NewToken(hubspottest.AllScopes...)
	srv.RevokeToken(revoked)
	st := newStore(tok)

	v, err := hubspot.NewTokenValidator(hubspot.WithBaseURL(srv.URL()), hubspot.WithClock(fake),
		hubspot.WithRateLimit(hubspot.RateLimit{}), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	var hooks hookLog
	cache := newCache(t, st, secrets.WithClock(fake), secrets.WithValidate(v.Validate),
		secrets.WithRefreshInterval(time.Hour, 0), secrets.WithBackoff(time.Minute, time.Minute))
	cache.OnError(hooks.hook)
	c := newClient(t, srv, cache, hubspot.WithClock(fake))
	l := startLoad(t, srv, c, callers, callTimeout)
	l.finishAfter(t, 0)
	good := currentID(t, cache)

	bad := map[string]string{
		"never issued": "pat-na1-00000000-dead-4bad-8bad-000000000000",
		"revoked":      revoked,
	}
	for name, token := range bad {
		st.st.Rotate(token)
		n := hooks.n.Load()
		tick(t, fake)
		eventually(t, "the refused "+name+" token to reach OnError", func() bool { return hooks.n.Load() > n })
		l.finishAfter(t, l.calls.Load())
		if id := currentID(t, cache); id != good {
			t.Fatalf("the Cache adopted version %s, the %s token", id, name)
		}
	}
	if n := hooks.n.Load(); n != int64(len(bad)) {
		t.Errorf("OnError saw %d errors for %d refused tokens:\n  %s", n, len(bad), hooks.String())
	}

	var next string
	id := st.rotate(func() string {
		next = srv.RotateToken(tok, hubspottest.ExpireLater)
		return next
	})
	tick(t, fake)
	eventually(t, "the Cache to adopt the rotated token "+id, func() bool { return currentID(t, cache) == id })
	l.settle(t)
	l.halt()

	details, refused := 0, 0
	badFP := map[string]string{}
	for name, token := range bad {
		badFP[fingerprint(token)] = name
	}
	for _, e := range srv.Journal() {
		if isOp(e, "account.details") {
			details++
			if e.Status == 401 {
				refused++
			}
			continue
		}
		if name, ok := badFP[e.TokenFingerprint]; ok {
			t.Errorf("%s %s went out with the %s token", e.Method, e.Path, name)
		}
	}
	calls, failures := l.calls.Load(), l.failures.n.Load()
	t.Logf("callers=%d calls=%d failures=%d provider_fetches=%d validations=%d refused=%d",
		callers, calls, failures, st.st.Fetches(), details, refused)
	if failures != 0 {
		t.Errorf("%d of %d calls failed; first:\n  %s", failures, calls, l.failures.String())
	}
	if refused != len(bad) {
		t.Errorf("HubSpot refused %d validations; want %d, one per bad token", refused, len(bad))
	}
	if n := hooks.unauthorized.Load(); n != int64(len(bad)) {
		t.Errorf("%d of the errors OnError saw were HubSpot's 401; want %d:\n  %s", n, len(bad), hooks.String())
	}
}
