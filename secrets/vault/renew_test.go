package vault

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/leakcheck"
)

// renewVault stands in for Vault on loopback. AppRole logins issue a new
// token each, with a lease of lease, renewable unless notRenewable.
// renew-self fails the way failRenew says, or, when it is nil, grants
// another lease of lease, cut short at maxTTL after the login. KV reads
// succeed with the newest token while its lease (on clk) lasts, and are
// refused as "invalid token" otherwise.
type renewVault struct {
	srv          *httptest.Server
	clk          clock.Clock
	lease        time.Duration
	maxTTL       time.Duration
	notRenewable bool
	failRenew    http.HandlerFunc

	mu      sync.Mutex
	tokens  []string    // issued, oldest first
	loginAt []time.Time // when each was issued, on clk
	expires []time.Time // when the lease of each ends, on clk
	renews  map[string][]time.Time
	reads   map[string]int
	refused int // reads with a token that was not the newest or had expired
}

func newRenewVault(t *testing.T, clk clock.Clock, lease time.Duration, failRenew http.HandlerFunc) *renewVault {
	v := &renewVault{clk: clk, lease: lease, maxTTL: 100 * lease, failRenew: failRenew, renews: map[string][]time.Time{}, reads: map[string]int{}}
	v.srv = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *renewVault) serve(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get(api.AuthHeaderName)
	now := v.clk.Now()
	v.mu.Lock()
	n := len(v.tokens)
	current := n > 0 && tok == v.tokens[n-1] && now.Before(v.expires[n-1])
	switch r.URL.Path {
	case "/v1/auth/approle/login":
		issued := fmt.Sprintf("%s-%d", echoToken, n+1)
		v.tokens = append(v.tokens, issued)
		v.loginAt = append(v.loginAt, now)
		v.expires = append(v.expires, now.Add(v.lease))
		v.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":%d,"renewable":%t,"policies":["default"]}}`,
			issued, int(v.lease/time.Second), !v.notRenewable)
	case "/v1/auth/token/renew-self":
		v.renews[tok] = append(v.renews[tok], now)
		if v.failRenew != nil {
			v.mu.Unlock()
			v.failRenew(w, r)
			return
		}
		if !current {
			v.mu.Unlock()
			vaultError(w, r, http.StatusForbidden, "permission denied; invalid token")
			return
		}
		lease := min(v.lease, v.loginAt[n-1].Add(v.maxTTL).Sub(now)).Truncate(time.Second)
		v.expires[n-1] = now.Add(lease)
		v.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":%d,"renewable":true}}`, tok, int(lease/time.Second))
	case "/v1/secret/data/app":
		ok := current
		v.reads[tok]++
		if !ok {
			v.refused++
		}
		v.mu.Unlock()
		if !ok {
			vaultError(w, r, http.StatusForbidden, "permission denied; invalid token")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"data":{"token":"the-value"},"metadata":{"version":1}}}`)
	default:
		v.mu.Unlock()
		http.NotFound(w, r)
	}
}

// first returns the first token issued, when it was issued, and the times
// of the renew-self requests that carried it.
func (v *renewVault) first() (tok string, at time.Time, renews []time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.tokens) == 0 {
		return "", time.Time{}, nil
	}
	return v.tokens[0], v.loginAt[0], append([]time.Time(nil), v.renews[v.tokens[0]]...)
}

// renewFailures are the ways renew-self fails, each echoing the token.
func renewFailures(t *testing.T) map[string]http.HandlerFunc {
	other := newOtherHost(t)
	return map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) {
			vaultError(w, r, http.StatusInternalServerError, "internal error")
		},
		"503 sealed": func(w http.ResponseWriter, r *http.Request) {
			vaultError(w, r, http.StatusServiceUnavailable, "Vault is sealed")
		},
		// A standby pointing at an active node on a host the Session
		// may not send the token to.
		"redirect refused": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.srv.URL+"/v1/auth/token/renew-self")
			w.WriteHeader(http.StatusTemporaryRedirect)
		},
		// A proxy's answer, say: nothing to renew the token by.
		"200 without a lease": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"warnings":["`+echoed(r)+`"]}`)
		},
		// The token's policies do not allow renew-self: it is used
		// as one that is not renewable.
		"403 permission denied": func(w http.ResponseWriter, r *http.Request) {
			vaultError(w, r, http.StatusForbidden, "permission denied")
		},
		// The token was revoked: it is given up at once.
		"403 invalid token": func(w http.ResponseWriter, r *http.Request) {
			vaultError(w, r, http.StatusForbidden, "permission denied; invalid token")
		},
	}
}

// A Vault that fails every renewal: the Session retries with backoff
// (a handful of requests over the lease, not a loop), keeps reading with
// the token meanwhile, gives the token up before its lease ends, and the
// next read logs in again. On a fake clock, with a 1h and a 2s lease.
func TestFailingRenewalBacksOff(t *testing.T) {
	for name, fail := range renewFailures(t) {
		for _, lease := range []time.Duration{time.Hour, 2 * time.Second} {
			t.Run(fmt.Sprintf("%s/%v", name, lease), func(t *testing.T) {
				clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
				v := newRenewVault(t, clk, lease, fail)
				rec := leakcheck.New()
				s, p := renewSession(t, v.srv.URL, rec, WithClock(clk))
				fetches := readUntilRelogin(t, s, p, clk)
				tok1, loggedIn, renews := v.first()
				v.mu.Lock()
				relogin, reads1, refused := v.loginAt[1], v.reads[tok1], v.refused
				v.mu.Unlock()
				st := s.Stats()
				t.Logf("%d renew-self requests; new login at +%v of a %v lease; stats %+v", len(renews), relogin.Sub(loggedIn), lease, st)

				if len(renews) == 0 || len(renews) > 12 {
					t.Errorf("%d renew-self requests over the lease, want 1 to 12", len(renews))
				}
				if first := renews[0].Sub(loggedIn); first < lease*2/3 {
					t.Errorf("first renewal at +%v, want from two thirds of the %v lease on", first, lease)
				}
				for i := 1; i < len(renews); i++ {
					if gap := renews[i].Sub(renews[i-1]); gap < renewRetryMin {
						t.Errorf("renewal %d came %v after the one before", i, gap)
					}
				}
				if end := loggedIn.Add(lease - lease/10); relogin.After(end) {
					t.Errorf("new login at +%v, want before the lease's last tenth (+%v)", relogin.Sub(loggedIn), lease-lease/10)
				}
				if st.Logins != 2 || st.LoginFailures != 0 || st.WatcherEnded != 1 || st.Renewals != 0 || st.InvalidTokenRelogins != 0 {
					t.Errorf("stats %+v: want one token given up and one new login, nothing refused", st)
				}
				if refused != 0 || reads1 != fetches-1 {
					t.Errorf("%d reads with the first token, %d refused; want every read but the last with it, none refused", reads1, refused)
				}
				rec.Check(t, tok1, echoToken)
			})
		}
	}
}

// readUntilRelogin logs s in and then, until s logs in a second time, reads
// p and moves clk on to the renewer's next wake-up. It returns the number
// of reads.
func readUntilRelogin(t *testing.T, s *Session, p *KV2, clk *clock.Fake) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Login(ctx); err != nil {
		t.Fatal(err)
	}
	fetches := 0
	for {
		if fetches++; fetches > 200 {
			t.Fatalf("no new login after %d steps (stats %+v)", fetches, s.Stats())
		}
		if _, err := p.Fetch(ctx); err != nil {
			t.Fatalf("Fetch %d: %v", fetches, err)
		}
		if s.Stats().Logins >= 2 {
			return fetches
		}
		// Once the renewer is asleep again, move time to its wake-up; if
		// it gave the token up, read again (which logs in).
		err := poll(10*time.Second, func() (bool, error) {
			return clk.Timers() > 0 || s.Stats().WatcherEnded > 0, nil
		})
		if err != nil {
			t.Fatalf("the renewer neither waits nor ended: %v", err)
		}
		if s.Stats().WatcherEnded == 0 {
			clk.AdvanceToNext()
		}
	}
}

// A renewable token is renewed at about two thirds of each lease while
// Vault extends it; once renewals stop extending it (its max TTL), it is
// given up before the last lease ends. A token that is not renewable is
// used without any renewal request until its lease nearly ends, by one
// login.
func TestRenewalSchedule(t *testing.T) {
	for _, notRenewable := range []bool{false, true} {
		t.Run(fmt.Sprintf("not renewable=%t", notRenewable), func(t *testing.T) {
			clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
			const lease, maxTTL = time.Hour, 4 * time.Hour
			v := newRenewVault(t, clk, lease, nil)
			v.maxTTL, v.notRenewable = maxTTL, notRenewable
			rec := leakcheck.New()
			s, p := renewSession(t, v.srv.URL, rec, WithClock(clk))
			fetches := readUntilRelogin(t, s, p, clk)

			tok1, loggedIn, renews := v.first()
			v.mu.Lock()
			relogin, reads1, refused := v.loginAt[1], v.reads[tok1], v.refused
			v.mu.Unlock()
			st := s.Stats()
			t.Logf("renewals at %v; new login at +%v", renews, relogin.Sub(loggedIn))
			if refused != 0 || reads1 != fetches-1 || st.Logins != 2 || st.InvalidTokenRelogins != 0 || st.WatcherEnded != 1 {
				t.Errorf("%d of %d reads with the first token, %d refused, stats %+v: want all but the last read with it, one new login, nothing refused",
					reads1, fetches, refused, st)
			}
			if notRenewable {
				if len(renews) != 0 || st.Renewals != 0 {
					t.Errorf("%d renew-self requests for a token that is not renewable", len(renews))
				}
				if d := relogin.Sub(loggedIn); d < lease*8/10 || d > lease*9/10 {
					t.Errorf("new login at +%v, want in the last fifth of the %v lease but before its last tenth", d, lease)
				}
				return
			}
			// Renewed at 2/3 of each lease (plus a third of the grace
			// period): at about 0:43, 1:26, 2:09, 2:52, 3:35; from 3:00
			// on each renewal is cut short at the 4h max TTL.
			if len(renews) < 4 || len(renews) > 6 || st.Renewals != len(renews) {
				t.Errorf("%d renew-self requests (%d renewals) over a %v max TTL with %v leases, want 4 to 6", len(renews), st.Renewals, maxTTL, lease)
			}
			prev := loggedIn
			for i, at := range renews {
				// The lease that began at prev: an hour, or what is left of
				// the max TTL when that is less.
				l := min(lease, loggedIn.Add(maxTTL).Sub(prev))
				gap := at.Sub(prev)
				switch {
				case l < lease:
					// A lease cut short by the max TTL: the renewer tries
					// once more before it ends (and then gives the token up).
					if gap <= 0 || gap >= l {
						t.Errorf("renewal %d came %v after a lease of %v cut short by the max TTL began, want before it ended", i, gap, l)
					}
				case gap < l*2/3 || gap > l*2/3+l/15:
					t.Errorf("renewal %d came %v after the lease before it began, want two thirds of %v plus up to a third of a fifth", i, gap, l)
				}
				prev = at
			}
			if end := loggedIn.Add(maxTTL); !relogin.Before(end) || relogin.Before(end.Add(-lease)) {
				t.Errorf("new login at +%v, want in the last hour before the %v max TTL", relogin.Sub(loggedIn), maxTTL)
			}
			rec.Check(t, tok1)
		})
	}
}

// renewSession returns a Session that logs in with AppRole at addr, with a
// KV v2 provider for secret/app, both closed at the end of the test.
func renewSession(t *testing.T, addr string, rec *leakcheck.Recorder, opts ...SessionOption) (*Session, *KV2) {
	t.Helper()
	ar, err := NewAppRoleAuth("role", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(echoClient(t, addr, ""), append([]SessionOption{WithAuth(ar), WithLogger(rec.Logger())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := NewKV2(s, "secret", "app", WithField("token"))
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// The same on the system clock with a 1s lease, the case where
// api.LifetimeWatcher sent thousands of renew-self requests (it retried
// at once once its backoff ran out of lease).
func TestFailingRenewalBacksOffShortLease(t *testing.T) {
	v := newRenewVault(t, clock.System, time.Second, func(w http.ResponseWriter, r *http.Request) {
		vaultError(w, r, http.StatusInternalServerError, "internal error")
	})
	rec := leakcheck.New()
	s, p := renewSession(t, v.srv.URL, rec)
	ctx := context.Background()
	err := poll(20*time.Second, func() (bool, error) {
		if _, err := p.Fetch(ctx); err != nil {
			return false, err
		}
		return s.Stats().Logins >= 2, nil
	})
	if err != nil {
		t.Fatalf("reading until a new login: %v (stats %+v)", err, s.Stats())
	}
	tok1, _, renews := v.first()
	if len(renews) > 12 {
		t.Errorf("%d renew-self requests over a 1s lease, want at most 12", len(renews))
	}
	rec.Check(t, tok1, echoToken)
}
