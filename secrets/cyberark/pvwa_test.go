package cyberark_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakecyberark"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

type pvwaHarness struct {
	e         *env
	t         *testing.T
	selfHost  bool
	providers []*cyberark.PVWA
}

func (h *pvwaHarness) MakeProvider(context.Context) (secrets.Provider, error) {
	var p *cyberark.PVWA
	if h.selfHost {
		p = h.e.selfHosted(h.t)
	} else {
		p = h.e.cloud(h.t)
	}
	h.providers = append(h.providers, p)
	return p, nil
}

func (h *pvwaHarness) SetValue(_ context.Context, v string) error {
	return h.e.fake.SetPassword(h.e.id, v)
}
func (h *pvwaHarness) Break(context.Context) error { return h.e.fake.DeleteAccount(h.e.id) }
func (h *pvwaHarness) Close() {
	for _, p := range h.providers {
		p.Close()
	}
}

func TestPVWAConformance(t *testing.T) {
	for _, mode := range []struct {
		name     string
		selfHost bool
	}{{"PrivilegeCloud", false}, {"SelfHosted", true}} {
		t.Run(mode.name, func(t *testing.T) {
			secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
				return &pvwaHarness{e: newEnv(t), t: t, selfHost: mode.selfHost}, nil
			})
		})
	}
}

func TestPVWAFetch(t *testing.T) {
	e := newEnv(t)
	for name, p := range map[string]*cyberark.PVWA{"cloud": e.cloud(t), "self-hosted": e.selfHosted(t)} {
		v := fetch(t, p)
		if reveal(v) != firstToken {
			t.Errorf("%s: fetched fingerprint %s, want %s", name, v.Value.Fingerprint(), secrets.New(firstToken).Fingerprint())
		}
		if want := "cyberark-pvwa:" + safe + "/" + accountName; v.Source != want || p.Source() != want {
			t.Errorf("%s: Source %q (provider %q), want %q", name, v.Source, p.Source(), want)
		}
		if !strings.HasSuffix(v.ID, "/"+v.Value.Fingerprint()) || !strings.Contains(v.ID, "T") {
			t.Errorf("%s: version ID %q is not <lastModifiedTime>/<fingerprint>", name, v.ID)
		}
	}
}

func TestVersionIDFromLastModifiedTime(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	c := clock.NewFake(start)
	e := newEnv(t, fakecyberark.WithClock(c))
	p := e.selfHosted(t, cyberark.WithClock(c))
	v := fetch(t, p)
	if want := "2025-03-01T12:00:00Z/" + v.Value.Fingerprint(); v.ID != want {
		t.Fatalf("version ID %q, want %q", v.ID, want)
	}
	c.Advance(90 * time.Second)
	must(t, e.fake.SetPassword(e.id, "pat-na1-rotated"))
	v2 := fetch(t, p)
	if want := "2025-03-01T12:01:30Z/" + secrets.New("pat-na1-rotated").Fingerprint(); v2.ID != want {
		t.Fatalf("after rotation version ID %q, want %q", v2.ID, want)
	}
	if !v2.FetchedAt.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("FetchedAt %v, want the provider's clock", v2.FetchedAt)
	}
}

func TestVersionIDFingerprintWithoutModificationTime(t *testing.T) {
	e := newEnv(t)
	// A PVWA that reports no secretManagement.lastModifiedTime.
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Accounts") {
			fmt.Fprintf(w, `{"value":[{"id":%q,"name":%q,"safeName":%q}],"count":1}`, e.id, accountName, safe)
			return true
		}
		return false
	})
	v := fetch(t, e.cloud(t))
	if v.ID != v.Value.Fingerprint() {
		t.Fatalf("version ID %q, want the fingerprint %s", v.ID, v.Value.Fingerprint())
	}
}

func TestPlatformTokenRefreshedBeforeExpiry(t *testing.T) {
	c := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	e := newEnv(t, fakecyberark.WithClock(c), fakecyberark.WithTokenTTL(900*time.Second))
	p := e.cloud(t, cyberark.WithClock(c))

	fetch(t, p)
	if n := e.fake.Stats().PlatformTokens; n != 1 {
		t.Fatalf("%d platform tokens after the first fetch, want 1", n)
	}
	// The token lives 900s and is renewed a tenth of that (60s) before it
	// expires.
	c.Advance(839 * time.Second)
	fetch(t, p)
	if n := e.fake.Stats().PlatformTokens; n != 1 {
		t.Fatalf("%d platform tokens at 839s, want the first still in use", n)
	}
	c.Advance(2 * time.Second)
	fetch(t, p)
	if n := e.fake.Stats().PlatformTokens; n != 2 {
		t.Fatalf("%d platform tokens at 841s, want a renewal", n)
	}
	// Long idle: the token has expired by the next fetch; the provider
	// knows and does not present it.
	c.Advance(time.Hour)
	fetch(t, p)
	st := e.fake.Stats()
	if st.PlatformTokens != 3 {
		t.Fatalf("%d platform tokens after an hour, want 3", st.PlatformTokens)
	}
	if st.Unauthorized != 0 {
		t.Fatalf("the PVWA refused %d calls; tokens must be renewed before they expire", st.Unauthorized)
	}
}

func TestFakeRefusesExpiredPlatformToken(t *testing.T) {
	c := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	e := newEnv(t, fakecyberark.WithClock(c), fakecyberark.WithTokenTTL(900*time.Second))
	// The provider's clock runs an hour behind the server's, so it
	// believes its token is fresh when the server says it expired: the
	// 401 path must recover.
	behind := clock.NewFake(c.Now())
	p := e.cloud(t, cyberark.WithClock(behind))
	fetch(t, p)
	c.Advance(901 * time.Second)
	fetch(t, p)
	st := e.fake.Stats()
	if st.Unauthorized != 1 || st.PlatformTokens != 2 {
		t.Fatalf("unauthorized=%d tokens=%d, want one 401 followed by one new token", st.Unauthorized, st.PlatformTokens)
	}
}

func TestSingleFlightAuthentication(t *testing.T) {
	for _, mode := range []string{"cloud", "self-hosted"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			p := e.cloud(t)
			count := func() int { return e.fake.Stats().PlatformTokens }
			if mode == "self-hosted" {
				p = e.selfHosted(t)
				count = func() int { return e.fake.Stats().Logons }
			}
			parallelFetch(t, p, 32)
			if n := count(); n != 1 {
				t.Fatalf("32 concurrent first fetches authenticated %d times, want 1", n)
			}
			e.fake.ExpireTokens()
			parallelFetch(t, p, 32)
			if n := count(); n != 2 {
				t.Fatalf("32 concurrent fetches with a revoked token authenticated %d times in all, want 2", n)
			}
		})
	}
}

func parallelFetch(t *testing.T, p secrets.Provider, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := p.Fetch(context.Background())
			if err == nil && v.Value.Reveal() != firstToken {
				err = fmt.Errorf("fetched fingerprint %s", v.Value.Fingerprint())
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestAuthenticationSurvivesCallerCancel(t *testing.T) {
	e := newEnv(t)
	entered := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/Logon") {
			once.Do(func() { close(entered) })
			<-release
		}
		return false
	})
	p := e.selfHosted(t)
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := p.Fetch(ctxA); errA <- err }()
	<-entered
	errB := make(chan error, 1)
	go func() { _, err := p.Fetch(context.Background()); errB <- err }()
	cancelA()
	if err := <-errA; err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("cancelled caller got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-errB; err != nil {
		t.Fatalf("the other caller failed after the first cancelled: %v", err)
	}
	if n := e.fake.Stats().Logons; n != 1 {
		t.Fatalf("%d logons, want the one both callers shared", n)
	}
}

func TestRelogonOn401(t *testing.T) {
	e := newEnv(t)
	p := e.selfHosted(t)
	fetch(t, p)
	e.fake.ExpireTokens() // the session timed out at the PVWA
	v := fetch(t, p)
	if reveal(v) != firstToken {
		t.Fatal("wrong value after re-logon")
	}
	st := e.fake.Stats()
	if st.Logons != 2 || st.Unauthorized != 1 {
		t.Fatalf("logons=%d unauthorized=%d, want one 401 then one new logon", st.Logons, st.Unauthorized)
	}
}

func TestRelogonOnlyOncePerCall(t *testing.T) {
	e := newEnv(t)
	var seen atomic.Value
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.Path, "/Accounts") {
			// A server that refuses every session, and is careless
			// enough to echo the token it refused.
			h := r.Header.Get("Authorization")
			seen.Store(h)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"ErrorCode":"PASWS006E","ErrorMessage":"Session %s is missing, invalid or expired."}`, h)
			return true
		}
		return false
	})
	p := e.selfHosted(t)
	tok, _ := seen.Load().(string)
	err := fetchErr(t, p, tok)
	tok, _ = seen.Load().(string)
	secretstest.AssertNoLeak(t, "error", err.Error(), tok)
	wantIs(t, err, secrets.ErrPermission)
	if ae := asAPIError(t, err); ae.Code != "PASWS006E" || ae.Status != 401 {
		t.Fatalf("error %+v, want HTTP 401 PASWS006E", ae)
	}
	if n := e.fake.Stats().Logons; n != 2 {
		t.Fatalf("%d logons, want the first and exactly one retry", n)
	}
}

func TestLogoffOnClose(t *testing.T) {
	e := newEnv(t)
	p := e.selfHosted(t)
	fetch(t, p)
	if n := e.fake.ActiveSessions(); n != 1 {
		t.Fatalf("%d sessions open, want 1", n)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if st := e.fake.Stats(); st.Logoffs != 1 || e.fake.ActiveSessions() != 0 {
		t.Fatalf("logoffs=%d open sessions=%d after Close, want 1 and 0", st.Logoffs, e.fake.ActiveSessions())
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if n := e.fake.Stats().Logoffs; n != 1 {
		t.Fatalf("second Close logged off again (%d logoffs)", n)
	}
	err := fetchErr(t, p)
	wantIs(t, err, cyberark.ErrClosed)
	if n := e.fake.Stats().Logons; n != 1 {
		t.Fatalf("Fetch after Close logged on again (%d logons)", n)
	}
}

func TestCloseWithoutSessionAndPlatformToken(t *testing.T) {
	e := newEnv(t)
	if err := e.selfHosted(t).Close(); err != nil {
		t.Fatalf("Close before any Fetch: %v", err)
	}
	p := e.cloud(t)
	fetch(t, p)
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := e.fake.Stats().Logoffs; n != 0 {
		t.Fatalf("%d logoffs; a platform token has no session to end", n)
	}
}

func TestServiceCredentialRotation(t *testing.T) {
	t.Run("self-hosted password re-read at each logon", func(t *testing.T) {
		e := newEnv(t)
		p := e.selfHosted(t)
		fetch(t, p)
		must(t, e.fake.SetSecret(username, "pvwa-password-rotated-1"))
		e.userPassword.Rotate("pvwa-password-rotated-1")
		e.fake.ExpireTokens()
		fetch(t, p)
		if st := e.fake.Stats(); st.Logons != 2 || st.FailedLogons != 0 {
			t.Fatalf("logons=%d failed=%d, want the second logon to use the rotated password", st.Logons, st.FailedLogons)
		}
	})
	t.Run("self-hosted password through a Cache", func(t *testing.T) {
		e := newEnv(t)
		cache, err := secrets.NewCache(e.userPassword, secrets.WithMinInvalidateInterval(0))
		must(t, err)
		t.Cleanup(func() { cache.Close() })
		p := e.pvwa(t, accountName, cyberark.Logon(cyberark.MethodCyberArk, username, cyberark.FromCache(cache)))
		fetch(t, p)
		// CyberArk rotates the service user's password; the cache still
		// holds the old one when the next logon happens.
		must(t, e.fake.SetSecret(username, "pvwa-password-rotated-2"))
		e.userPassword.Rotate("pvwa-password-rotated-2")
		e.fake.ExpireTokens()
		err = nil
		v, err := p.Fetch(context.Background())
		if err != nil {
			t.Fatalf("Fetch after the service password rotated: %v", err)
		}
		if reveal(v) != firstToken {
			t.Fatal("wrong value")
		}
		if st := e.fake.Stats(); st.Logons != 2 || st.FailedLogons != 1 {
			t.Fatalf("logons=%d failed=%d, want one refused logon with the cached password, then one with the refreshed", st.Logons, st.FailedLogons)
		}
	})
	t.Run("client secret through a Cache", func(t *testing.T) {
		e := newEnv(t)
		cache, err := secrets.NewCache(e.clientSecret, secrets.WithMinInvalidateInterval(0))
		must(t, err)
		t.Cleanup(func() { cache.Close() })
		p := e.pvwa(t, accountName, cyberark.PlatformToken(e.fake.IdentityURL(), clientID, cyberark.FromCache(cache)))
		fetch(t, p)
		must(t, e.fake.SetSecret(clientID, "client-secret-rotated"))
		e.clientSecret.Rotate("client-secret-rotated")
		e.fake.ExpireTokens()
		fetch(t, p)
		if st := e.fake.Stats(); st.PlatformTokens != 2 || st.TokenFailures != 1 {
			t.Fatalf("tokens=%d failures=%d, want one refusal then a token with the refreshed secret", st.PlatformTokens, st.TokenFailures)
		}
	})
}

func TestWrongServiceCredential(t *testing.T) {
	t.Run("logon", func(t *testing.T) {
		e := newEnv(t)
		bad := "wrong-password-8d1c3e"
		p := e.pvwa(t, accountName, cyberark.Logon(cyberark.MethodCyberArk, username, secretstest.NewStatic(bad)))
		err := fetchErr(t, p, bad)
		wantIs(t, err, secrets.ErrPermission)
		if ae := asAPIError(t, err); ae.Code != "PASWS013E" || ae.Op != "logon" {
			t.Fatalf("error %+v, want logon PASWS013E", ae)
		}
		if !strings.Contains(err.Error(), username) {
			t.Errorf("error %q does not name the user", err)
		}
	})
	t.Run("logon method", func(t *testing.T) {
		e := newEnv(t)
		p := e.pvwa(t, accountName, cyberark.Logon(cyberark.MethodLDAP, username, e.userPassword))
		wantIs(t, fetchErr(t, p), secrets.ErrPermission)
	})
	t.Run("client secret", func(t *testing.T) {
		e := newEnv(t)
		bad := "wrong-secret-5a7e9b"
		p := e.pvwa(t, accountName, cyberark.PlatformToken(e.fake.IdentityURL(), clientID, secretstest.NewStatic(bad)))
		err := fetchErr(t, p, bad)
		wantIs(t, err, secrets.ErrPermission)
		if ae := asAPIError(t, err); ae.Code != "invalid_client" || ae.Status != 401 {
			t.Fatalf("error %+v, want HTTP 401 invalid_client", ae)
		}
	})
	t.Run("credential provider fails", func(t *testing.T) {
		e := newEnv(t)
		e.userPassword.SetError(fmt.Errorf("%w: vault path gone", secrets.ErrNotFound))
		err := fetchErr(t, e.selfHosted(t))
		wantIs(t, err, secrets.ErrNotFound)
		if !strings.Contains(err.Error(), "PVWA password") {
			t.Errorf("error %q does not say which credential could not be read", err)
		}
		if n := e.fake.Stats().Logons + e.fake.Stats().FailedLogons; n != 0 {
			t.Fatalf("%d logon attempts without a password", n)
		}
	})
}

func TestSearch(t *testing.T) {
	t.Run("ambiguous", func(t *testing.T) {
		e := newEnv(t)
		for _, n := range []string{"hubspot-private-app-staging", "hubspot-private-app-dev"} {
			_, err := e.fake.AddAccount(fakecyberark.Account{Safe: safe, Name: n, Password: "other-" + n})
			must(t, err)
		}
		err := fetchErr(t, e.cloud(t), "other-hubspot-private-app-staging")
		wantIs(t, err, cyberark.ErrAmbiguous)
		for _, want := range []string{safe, accountName, "matches 3 accounts", "hubspot-private-app-dev"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if n := e.fake.Stats().Retrieves; n != 0 {
			t.Fatalf("%d passwords retrieved on an ambiguous search", n)
		}
	})
	t.Run("none", func(t *testing.T) {
		e := newEnv(t)
		err := fetchErr(t, e.pvwa(t, "no-such-account", cyberark.PlatformToken(e.fake.IdentityURL(), clientID, e.clientSecret)))
		wantIs(t, err, secrets.ErrNotFound)
		for _, want := range []string{safe, "no-such-account", "0 results"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
	})
	t.Run("filter scopes to the safe", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.fake.AddAccount(fakecyberark.Account{Safe: "Other Safe", Name: accountName, Password: "the-other-safes-password"})
		must(t, err)
		must(t, e.fake.Grant(clientID, "Other Safe", true))
		v := fetch(t, e.cloud(t))
		if reveal(v) != firstToken {
			t.Fatalf("fetched fingerprint %s, want the account of safe %q", v.Value.Fingerprint(), safe)
		}
		var q string
		for _, c := range e.fake.Calls() {
			if c.Server == "pvwa" && c.Method == http.MethodGet && strings.HasSuffix(c.Path, "/Accounts") {
				q = c.Query
			}
		}
		if !strings.Contains(q, "filter=safeName%20eq%20HubSpot%20Tokens") || !strings.Contains(q, "search=hubspot-private-app") {
			t.Fatalf("search query %q lacks the search or the safeName filter", q)
		}
	})
	t.Run("server ignoring the filter", func(t *testing.T) {
		e := newEnv(t)
		e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Accounts") {
				// An old PVWA that ignores filter= and returns matches
				// from every safe.
				fmt.Fprintf(w, `{"value":[{"id":"9_9","name":%q,"safeName":"Other"},{"id":%q,"name":%q,"safeName":%q}],"count":2}`, accountName, e.id, accountName, safe)
				return true
			}
			return false
		})
		if v := fetch(t, e.cloud(t)); reveal(v) != firstToken {
			t.Fatal("the account of another safe was used")
		}
	})
}

func TestAccountIDCached(t *testing.T) {
	e := newEnv(t)
	p := e.cloud(t)
	for range 3 {
		fetch(t, p)
	}
	st := e.fake.Stats()
	if st.Searches != 1 || st.AccountReads != 2 || st.Retrieves != 3 {
		t.Fatalf("searches=%d reads=%d retrieves=%d, want 1, 2, 3", st.Searches, st.AccountReads, st.Retrieves)
	}
	// The account is deleted and created again under a new id.
	must(t, e.fake.DeleteAccount(e.id))
	_, err := e.fake.AddAccount(fakecyberark.Account{Safe: safe, Name: accountName, Password: "pat-na1-recreated"})
	must(t, err)
	if v := fetch(t, p); reveal(v) != "pat-na1-recreated" {
		t.Fatal("the re-created account was not found")
	}
	if n := e.fake.Stats().Searches; n != 2 {
		t.Fatalf("%d searches, want a second search after the cached id vanished", n)
	}
}

func TestPasswordIsDecodedAsJSON(t *testing.T) {
	e := newEnv(t)
	// Quotes, backslashes, a slash (sent as \/), control characters, HTML
	// characters, non-ASCII and a character outside the BMP (a surrogate
	// pair on the wire): the fake sends every one of them escaped.
	pw := `a"b\c/d` + "\x01\x1f\t\n" + `</script>&'é€` + "\U0001F600" + `"` + `\u0041`
	must(t, e.fake.SetPassword(e.id, pw))
	for name, p := range map[string]*cyberark.PVWA{"cloud": e.cloud(t), "self-hosted": e.selfHosted(t)} {
		v := fetch(t, p)
		if reveal(v) != pw {
			t.Fatalf("%s: decoded a %d-byte value (fingerprint %s), want the %d-byte password (fingerprint %s)", name, v.Value.Len(), v.Value.Fingerprint(), len(pw), secrets.New(pw).Fingerprint())
		}
	}
}

func TestRetrieveMalformedAnswer(t *testing.T) {
	const marker = "LEAK-9f8e7d6c5b4a"
	for name, body := range map[string]string{
		"bare text":       marker,
		"unterminated":    `"` + marker,
		"object":          `{"password":"` + marker + `"}`,
		"two strings":     `"` + marker + `" "x"`,
		"empty body":      ``,
		"bad escape":      `"` + marker + `\x"`,
		"trailing object": `"` + marker + `"{}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/Retrieve") {
					fmt.Fprint(w, body)
					return true
				}
				return false
			})
			err := fetchErr(t, e.cloud(t), marker)
			wantIs(t, err, secrets.ErrMalformed)
		})
	}
	t.Run("empty string", func(t *testing.T) {
		e := newEnv(t)
		e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, "/Retrieve") {
				fmt.Fprint(w, `""`)
				return true
			}
			return false
		})
		wantIs(t, fetchErr(t, e.cloud(t)), secrets.ErrEmpty)
	})
}

func TestReasonIsSent(t *testing.T) {
	e := newEnv(t)
	fetch(t, e.cloud(t))
	fetch(t, e.selfHosted(t, cyberark.WithReason("INC-4711 nightly HubSpot sync")))
	got := e.fake.Reasons()
	want := []string{cyberark.DefaultReason, "INC-4711 nightly HubSpot sync"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reasons %q, want %q", got, want)
	}
}

func TestMaxSize(t *testing.T) {
	e := newEnv(t)
	p := e.cloud(t, cyberark.WithMaxSize(64))
	// 64 control characters travel as 384 bytes of \u00XX escapes: the
	// limit is on the decoded value.
	must(t, e.fake.SetPassword(e.id, strings.Repeat("\x01", 64)))
	if v := fetch(t, p); v.Value.Len() != 64 {
		t.Fatalf("fetched %d bytes, want 64", v.Value.Len())
	}
	must(t, e.fake.SetPassword(e.id, strings.Repeat("\x01", 65)))
	wantIs(t, fetchErr(t, p), secrets.ErrTooLarge)
	must(t, e.fake.SetPassword(e.id, strings.Repeat("x", 100_000)))
	wantIs(t, fetchErr(t, p), secrets.ErrTooLarge)
}

func TestOversizedBodies(t *testing.T) {
	huge := `{"value":[` + strings.Repeat(`{"id":"1_1","name":"x","safeName":"y"},`, 50_000) + `{}]}`
	for _, tc := range []struct{ name, suffix string }{
		{"search", "/Accounts"},
		{"platform token", "/platformtoken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, tc.suffix) {
					fmt.Fprint(w, huge)
					return true
				}
				return false
			})
			wantIs(t, fetchErr(t, e.cloud(t)), secrets.ErrTooLarge)
		})
	}
}

func TestPVWAErrorMapping(t *testing.T) {
	t.Run("no retrieve permission", func(t *testing.T) {
		e := newEnv(t)
		must(t, e.fake.Grant(clientID, safe, false))
		err := fetchErr(t, e.cloud(t))
		wantIs(t, err, secrets.ErrPermission)
		if ae := asAPIError(t, err); ae.Status != 403 || ae.Code != "PASWS041E" || ae.Op != "password retrieve" || ae.Message == "" {
			t.Fatalf("error %+v, want password retrieve HTTP 403 PASWS041E with the PVWA's message", ae)
		}
		if !strings.Contains(err.Error(), "cyberark-pvwa:"+safe+"/"+accountName) {
			t.Errorf("error %q does not name the source", err)
		}
	})
	t.Run("reason required", func(t *testing.T) {
		e := newEnv(t)
		e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if strings.HasSuffix(r.URL.Path, "/Retrieve") {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"ErrorCode":"PASWS088E","ErrorMessage":"Missing mandatory parameter - Reason."}`)
				return true
			}
			return false
		})
		err := fetchErr(t, e.cloud(t))
		if ae := asAPIError(t, err); ae.Code != "PASWS088E" || ae.Kind != nil {
			t.Fatalf("error %+v, want PASWS088E without a sentinel", ae)
		}
	})
	t.Run("wrong base path", func(t *testing.T) {
		e := newEnv(t)
		p, err := cyberark.NewPVWA(e.fake.PVWAURL()+"/NotTheVault", safe, accountName, cyberark.PlatformToken(e.fake.IdentityURL(), clientID, e.clientSecret))
		must(t, err)
		defer p.Close()
		err = fetchErr(t, p)
		if ae := asAPIError(t, err); ae.Status != 404 || ae.Kind != nil || !strings.Contains(err.Error(), "base URL") {
			t.Fatalf("error %q (%+v): a 404 without a CyberArk body should point at the URL, not claim the secret is missing", err, ae)
		}
	})
	t.Run("server error", func(t *testing.T) {
		e := newEnv(t)
		e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, "<html>"+strings.Repeat("x", 100_000)+"</html>")
			return true
		})
		err := fetchErr(t, e.cloud(t))
		if ae := asAPIError(t, err); ae.Status != 500 || len(err.Error()) > 400 {
			t.Fatalf("error %q, want a short HTTP 500 error", err)
		}
	})
}

func TestRedirectNotFollowed(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	e := newEnv(t)
	e.fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/Logon") {
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
			return true
		}
		return false
	})
	err := fetchErr(t, e.selfHosted(t))
	if !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("error %q does not mention the redirect", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests", n)
	}
}

func TestNewPVWAValidation(t *testing.T) {
	sp := secretstest.NewStatic("x")
	okAuth := cyberark.Logon(cyberark.MethodCyberArk, "u", sp)
	for _, tc := range []struct {
		name, url, safe, search string
		auth                    cyberark.Auth
		opts                    []cyberark.Option
		want                    string
	}{
		{"empty URL", "", "s", "a", okAuth, nil, "URL is empty"},
		{"relative URL", "pvwa.example.com", "s", "a", okAuth, nil, "must be absolute"},
		{"plain http", "http://pvwa.example.com", "s", "a", okAuth, nil, "plain http"},
		{"user info", "https://u:p@pvwa.example.com", "s", "a", okAuth, nil, "user info"},
		{"query", "https://pvwa.example.com/?x=1", "s", "a", okAuth, nil, "query"},
		{"no safe", "https://pvwa.example.com", " ", "a", okAuth, nil, "safe name is empty"},
		{"no search", "https://pvwa.example.com", "s", "", okAuth, nil, "search is empty"},
		{"zero auth", "https://pvwa.example.com", "s", "a", cyberark.Auth{}, nil, "needs an Auth"},
		{"bad method", "https://pvwa.example.com", "s", "a", cyberark.Logon("Windows", "u", sp), nil, "not one of"},
		{"no user", "https://pvwa.example.com", "s", "a", cyberark.Logon(cyberark.MethodLDAP, "", sp), nil, "user name is empty"},
		{"nil password", "https://pvwa.example.com", "s", "a", cyberark.Logon(cyberark.MethodLDAP, "u", nil), nil, "password provider is nil"},
		{"no client id", "https://pvwa.example.com", "s", "a", cyberark.PlatformToken("https://t.id.cyberark.cloud", "", sp), nil, "client ID is empty"},
		{"nil secret", "https://pvwa.example.com", "s", "a", cyberark.PlatformToken("https://t.id.cyberark.cloud", "c", nil), nil, "client secret provider is nil"},
		{"http identity", "https://pvwa.example.com", "s", "a", cyberark.PlatformToken("http://t.id.cyberark.cloud", "c", sp), nil, "identity tenant URL"},
		{"cert option", "https://pvwa.example.com", "s", "a", okAuth, []cyberark.Option{cyberark.WithClientCertificate(sp, sp)}, "NewCCP"},
		{"bad max size", "https://pvwa.example.com", "s", "a", okAuth, []cyberark.Option{cyberark.WithMaxSize(0)}, "size must be > 0"},
		{"empty reason", "https://pvwa.example.com", "s", "a", okAuth, []cyberark.Option{cyberark.WithReason(" ")}, "reason is empty"},
		{"custom transport with CAs", "https://pvwa.example.com", "s", "a", okAuth, []cyberark.Option{
			cyberark.WithHTTPClient(&http.Client{Transport: roundTripFunc(nil)}), cyberark.WithRootCAs(x509.NewCertPool()),
		}, "*http.Transport"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cyberark.NewPVWA(tc.url, tc.safe, tc.search, tc.auth, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewPVWA error %v, want one containing %q", err, tc.want)
			}
		})
	}
	for _, u := range []string{"https://abc.privilegecloud.cyberark.cloud/PasswordVault/API/", "http://127.0.0.1:1", "http://localhost:1/PasswordVault", "http://[::1]:1"} {
		if _, err := cyberark.NewPVWA(u, "s", "a", okAuth); err != nil {
			t.Errorf("NewPVWA(%q): %v", u, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPrivilegeCloudAPIURL(t *testing.T) {
	e := newEnv(t)
	// The URL as CyberArk documents it for Privilege Cloud, with /API.
	p, err := cyberark.NewPVWA(e.fake.PVWAURL()+"/PasswordVault/API", safe, accountName, cyberark.PlatformToken(e.fake.IdentityURL(), clientID, e.clientSecret))
	must(t, err)
	defer p.Close()
	if v := fetch(t, p); reveal(v) != firstToken {
		t.Fatal("wrong value")
	}
}

func TestWithHTTPClient(t *testing.T) {
	e := newEnv(t)
	var n atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	p := e.cloud(t, cyberark.WithHTTPClient(hc))
	fetch(t, p)
	if n.Load() < 3 {
		t.Fatalf("the client's transport saw %d requests, want every request", n.Load())
	}
}
