package conjur_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakeconjur"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const login = "host/myapp"

// env is a fake Conjur with one host, and a fake clock that both the
// server and the clients read.
type env struct {
	srv *fakeconjur.Server
	clk *clock.Fake
	key string
}

func newEnv(t testing.TB, opts ...fakeconjur.Option) *env {
	t.Helper()
	clk := clock.NewFake(time.Now())
	srv := fakeconjur.New(append([]fakeconjur.Option{fakeconjur.WithClock(clk)}, opts...)...)
	t.Cleanup(srv.Close)
	return &env{srv: srv, clk: clk, key: srv.AddRole(login)}
}

func (e *env) client(t *testing.T, opts ...conjur.Option) *conjur.Client {
	t.Helper()
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)),
		append([]conjur.Option{conjur.WithClock(e.clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// secret stores value as a new version of id, readable by the host.
func (e *env) secret(id, value string) {
	e.srv.Permit(login, id, "read", "execute")
	e.srv.SetVariable(id, value)
}

func variable(t *testing.T, c *conjur.Client, id string, opts ...conjur.VariableOption) *conjur.Provider {
	t.Helper()
	p, err := c.Variable(id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fetch(t *testing.T, p secrets.Provider) secrets.Version {
	t.Helper()
	v, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return v
}

func wantValue(t *testing.T, v secrets.Version, want string) {
	t.Helper()
	if v.Value.Reveal() != want {
		t.Fatalf("got the value with fingerprint %s, want %s", v.Value.Fingerprint(), secrets.New(want).Fingerprint())
	}
}

// assertClean fails if err's text, in any form, carries a credential or
// value.
func assertClean(t *testing.T, err error, secretsInPlay ...string) {
	t.Helper()
	for _, s := range secretsInPlay {
		secretstest.AssertNoLeak(t, "error", err.Error(), s)
		secretstest.AssertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err), s)
		secretstest.AssertNoLeak(t, "error %#v", fmt.Sprintf("%#v", err), s)
	}
}

type harness struct {
	e    *env
	c    *conjur.Client
	opts []conjur.VariableOption
}

func (h *harness) MakeProvider(context.Context) (secrets.Provider, error) {
	return h.c.Variable("hubspot/token", h.opts...)
}

func (h *harness) SetValue(_ context.Context, v string) error {
	h.e.srv.SetVariable("hubspot/token", v)
	return nil
}

func (h *harness) Break(context.Context) error {
	h.e.srv.DeleteVariable("hubspot/token")
	return nil
}

func (h *harness) Close() {}

func TestConformance(t *testing.T) {
	for name, mode := range map[string]struct {
		jwt  bool
		opts []conjur.VariableOption
	}{
		"APIKey":              {},
		"APIKeyVersionLookup": {opts: []conjur.VariableOption{conjur.WithVersionLookup()}},
		"JWT":                 {jwt: true},
	} {
		t.Run(name, func(t *testing.T) {
			secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
				e := newEnv(t)
				e.srv.Permit(login, "hubspot/token", "read", "execute")
				c := e.client(t)
				if mode.jwt {
					c = e.jwtClient(t, "myapp", "")
				}
				return &harness{e: e, c: c, opts: mode.opts}, nil
			})
		})
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	p := variable(t, e.client(t), "v")

	fetch(t, p)
	e.clk.Advance(6 * time.Minute) // 75% of Conjur's 8 minutes
	fetch(t, p)
	if n := e.srv.Authentications(login); n != 1 {
		t.Fatalf("authenticated %d times within the first four fifths of the token's life, want 1", n)
	}
	e.clk.Advance(time.Minute) // 87.5%: due for refresh, not yet expired
	fetch(t, p)
	if n := e.srv.Authentications(login); n != 2 {
		t.Fatalf("authenticated %d times past four fifths of the token's life, want 2", n)
	}
	if st := e.srv.Stats(); st.Unauthorized != 0 {
		t.Fatalf("%d calls were refused; a refresh ahead of expiry should leave none", st.Unauthorized)
	}
}

func TestShortTokenTTL(t *testing.T) {
	e := newEnv(t, fakeconjur.WithTokenTTL(10*time.Second))
	e.secret("v", "value")
	p := variable(t, e.client(t), "v")
	for i := range 5 {
		fetch(t, p)
		e.clk.Advance(9 * time.Second)
		if n := e.srv.Authentications(login); n != i+1 {
			t.Fatalf("after %d fetches 9s apart with a 10s token: %d authentications, want %d", i+1, n, i+1)
		}
	}
	if st := e.srv.Stats(); st.Unauthorized != 0 {
		t.Fatalf("%d calls refused", st.Unauthorized)
	}
}

func TestExpiredTokenReauthenticates(t *testing.T) {
	// The client's clock stands still while the server's runs past the
	// token's expiry (clock skew, a suspended VM): Conjur answers 401, and
	// the client authenticates again once and retries.
	e := newEnv(t)
	e.secret("v", "value")
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)),
		conjur.WithClock(clock.NewFake(time.Now())))
	if err != nil {
		t.Fatal(err)
	}
	p := variable(t, c, "v")
	fetch(t, p)
	e.clk.Advance(fakeconjur.DefaultTokenTTL + time.Second)
	wantValue(t, fetch(t, p), "value")
	st := e.srv.Stats()
	if st.Unauthorized != 1 || st.Authentications != 2 || st.SecretReads != 2 {
		t.Fatalf("stats %+v; want one 401, two authentications, two reads", st)
	}
}

func TestUnauthorizedReauthenticatesOnceAndRetriesOnce(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	p := variable(t, e.client(t), "v")
	fetch(t, p)

	e.srv.InvalidateTokens()
	wantValue(t, fetch(t, p), "value")
	if st := e.srv.Stats(); st.Authentications != 2 || st.Unauthorized != 1 {
		t.Fatalf("after the signing key changed: %+v; want 2 authentications and one 401", st)
	}

	// Conjur keeps refusing: one authentication, one retry, then an error.
	before := len(e.srv.Journal())
	e.srv.FailNext("/secrets/", http.StatusUnauthorized, 2)
	_, err := p.Fetch(context.Background())
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch = %v, want ErrPermission", err)
	}
	var ae *conjur.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Fetch error %v does not carry the 401", err)
	}
	var calls []string
	for _, r := range e.srv.Journal()[before:] {
		calls = append(calls, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	want := []string{
		"GET /secrets/myorg/variable/v 401",
		"POST /authn/myorg/host%2Fmyapp/authenticate 200",
		"GET /secrets/myorg/variable/v 401",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	assertClean(t, err, e.key, "value") // access tokens: see TestErrorsLeakNothing
	if !strings.Contains(err.Error(), "conjur:myorg:variable:v") {
		t.Fatalf("error %q does not name the variable", err)
	}
}

func TestRevokedAPIKey(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	p := variable(t, e.client(t), "v")
	fetch(t, p)

	// Tokens outlive a key rotation, as in Conjur.
	e.srv.RevokeAPIKey(login)
	fetch(t, p)

	// Past the token's refresh time, authenticating again fails; the
	// current token serves until it expires.
	e.clk.Advance(7 * time.Minute)
	wantValue(t, fetch(t, p), "value")

	e.clk.Advance(2 * time.Minute)
	_, err := p.Fetch(context.Background())
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch with a revoked key and an expired token = %v, want ErrPermission", err)
	}
	if !strings.Contains(err.Error(), "authenticating as host/myapp") || !strings.Contains(err.Error(), "401") {
		t.Fatalf("error %q does not say that authentication was refused", err)
	}
	assertClean(t, err, e.key, "value")
}

func TestAPIKeyFromProviderIsReadAtEachAuthentication(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	keys := secretstest.NewStatic(e.key)
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKeyFrom(login, keys), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	p := variable(t, c, "v")
	fetch(t, p)
	keys.Rotate(e.srv.RotateAPIKey(login))
	e.srv.InvalidateTokens()
	fetch(t, p)
	if n := keys.Fetches(); n != 2 {
		t.Fatalf("the API key provider was read %d times for 2 authentications", n)
	}
}

// jwtClient writes a JWT for subject to a file and returns a client that
// authenticates with it through the authn-jwt service "k8s".
func (e *env) jwtClient(t *testing.T, subject, hostID string) *conjur.Client {
	t.Helper()
	iss := e.srv.AddJWTService("k8s", login)
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(iss.Sign(subject, time.Hour)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.JWT("k8s", path, hostID), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lastAuthn(t *testing.T, srv *fakeconjur.Server) fakeconjur.Request {
	t.Helper()
	j := srv.Journal()
	for i := len(j) - 1; i >= 0; i-- {
		if strings.HasPrefix(j[i].Path, "/authn") {
			return j[i]
		}
	}
	t.Fatal("no authentication in the journal")
	return fakeconjur.Request{}
}

func TestJWTFileIsReadAtEachAuthentication(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	iss := e.srv.AddJWTService("k8s", login)
	path := filepath.Join(t.TempDir(), "token")
	write := func(jwt string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(jwt), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	first := iss.Sign("myapp", 10*time.Minute)
	write(first)
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.JWT("k8s", path, login), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	p := variable(t, c, "v")
	fetch(t, p)
	if a := lastAuthn(t, e.srv); a.Credential != secrets.New(first).Fingerprint() || a.Path != "/authn-jwt/k8s/myorg/host%2Fmyapp/authenticate" {
		t.Fatalf("first authentication: %+v", a)
	}

	// Kubernetes rotates the projected token; the first one then expires.
	second := iss.Sign("myapp", time.Hour)
	write(second)
	e.clk.Advance(7 * time.Minute) // the access token is due for refresh
	wantValue(t, fetch(t, p), "value")
	if a := lastAuthn(t, e.srv); a.Credential != secrets.New(second).Fingerprint() || a.Status != 200 {
		t.Fatalf("after the JWT file changed, the client sent %+v; want the new JWT (%s)", a, secrets.New(second).Fingerprint())
	}

	// A 401 re-authenticates with whatever the file holds now.
	third := iss.Sign("myapp", time.Hour)
	write(third)
	e.srv.InvalidateTokens()
	fetch(t, p)
	if a := lastAuthn(t, e.srv); a.Credential != secrets.New(third).Fingerprint() {
		t.Fatalf("re-authentication after a 401 sent %+v; want the third JWT", a)
	}

	// An expired JWT in the file is refused by Conjur.
	e.clk.Advance(2 * time.Hour)
	_, err = p.Fetch(context.Background())
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch with an expired JWT = %v, want ErrPermission", err)
	}
	assertClean(t, err, first, second, third, "value")

	// A missing file is named.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err = p.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), path) || errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch without the JWT file = %v; want an error naming %s", err, path)
	}
}

func TestJWTIdentityFromClaims(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	p := variable(t, e.jwtClient(t, "myapp", ""), "v")
	wantValue(t, fetch(t, p), "value")
	if a := lastAuthn(t, e.srv); a.Path != "/authn-jwt/k8s/myorg/authenticate" || a.Login != login {
		t.Fatalf("authentication %+v", a)
	}
}

func TestConcurrentFetch(t *testing.T) {
	e := newEnv(t)
	e.secret("hubspot/token", "token-value")
	e.secret("hubspot/signing-key", "key-value")
	c := e.client(t)
	token := variable(t, c, "hubspot/token")
	key := variable(t, c, "hubspot/signing-key", conjur.WithVersionLookup())

	const workers = 48
	round := func(name string) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, workers*2)
		start := make(chan struct{})
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p, want := secrets.Provider(token), "token-value"
				if i%2 == 1 {
					p, want = key, "key-value"
				}
				for range 2 {
					v, err := p.Fetch(context.Background())
					if err != nil {
						errs <- err
						return
					}
					if v.Value.Reveal() != want {
						errs <- fmt.Errorf("worker %d got fingerprint %s", i, v.Value.Fingerprint())
						return
					}
				}
				if i%8 == 0 {
					vs, err := c.FetchBatch(context.Background(), "hubspot/token", "hubspot/signing-key")
					if err != nil {
						errs <- err
					} else if vs[0].Value.Reveal() != "token-value" || vs[1].Value.Reveal() != "key-value" {
						errs <- errors.New("batch returned other values")
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", name, err)
		}
	}

	round("first use")
	if n := e.srv.Authentications(login); n != 1 {
		t.Fatalf("%d goroutines starting together authenticated %d times, want 1", workers, n)
	}
	e.clk.Advance(7 * time.Minute)
	round("token due for refresh")
	if n := e.srv.Authentications(login); n != 2 {
		t.Fatalf("after the refresh time: %d authentications, want 2", n)
	}
	e.srv.InvalidateTokens()
	round("every token refused")
	if n := e.srv.Authentications(login); n != 3 {
		t.Fatalf("a storm of 401s caused %d authentications in all, want 3", n)
	}

	// Everything at once: fetches while the token comes due for refresh and
	// the tokens are refused. Only values and errors are checked here;
	// -race checks the rest.
	// Each request meets at most one refusal, so each succeeds.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.clk.Advance(7 * time.Minute)
		e.srv.InvalidateTokens()
	}()
	round("chaos")
	wg.Wait()
}

func TestBatch(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("0123456789", 20) // Conjur wraps base64 at 60 characters
	e.secret("hubspot/token", "token-value")
	e.secret("hubspot/signing-key", long)
	e.secret("binary", "\x00\xff\xfe binary\n")
	c := e.client(t)

	vs, err := c.FetchBatch(context.Background(), "hubspot/token", "hubspot/signing-key", "binary")
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, vs[0], "token-value")
	wantValue(t, vs[1], long)
	wantValue(t, vs[2], "\x00\xff\xfe binary")
	if vs[0].Source != "conjur:myorg:variable:hubspot/token" || vs[1].Source != "conjur:myorg:variable:hubspot/signing-key" {
		t.Fatalf("sources %q, %q", vs[0].Source, vs[1].Source)
	}
	if vs[0].ID != vs[0].Value.Fingerprint() || vs[0].FetchedAt.IsZero() {
		t.Fatalf("version %+v", vs[0])
	}
	// The same IDs as a Provider's, so a Cache sees no change between them.
	if v := fetch(t, variable(t, c, "hubspot/token")); v.ID != vs[0].ID {
		t.Fatalf("Provider ID %s, batch ID %s", v.ID, vs[0].ID)
	}
	var sent fakeconjur.Request
	for _, r := range e.srv.Journal() {
		if strings.HasPrefix(r.RawQuery, "variable_ids=") {
			sent = r
		}
	}
	if sent.Path != "/secrets/" || !strings.Contains(sent.RawQuery, "%2C") || sent.Status != 200 {
		t.Fatalf("batch request %+v; want conjur-api-go's /secrets/?variable_ids=a%%2Cb", sent)
	}
	if st := e.srv.Stats(); st.BatchReads != 1 || st.Authentications != 1 {
		t.Fatalf("stats %+v", st)
	}

	_, err = c.FetchBatch(context.Background(), "hubspot/token", "missing")
	if !errors.Is(err, secrets.ErrNotFound) || !strings.Contains(err.Error(), "myorg:variable:missing") {
		t.Fatalf("batch with a missing variable: %v", err)
	}
	assertClean(t, err, "token-value", e.key)

	e.srv.DeclareVariable("secret-of-others")
	e.srv.Permit(login, "secret-of-others", "read")
	_, err = c.FetchBatch(context.Background(), "hubspot/token", "secret-of-others")
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("batch with a variable the host may not execute: %v", err)
	}

	before := len(e.srv.Journal())
	for _, ids := range [][]string{nil, {"a", "a"}, {"a,b"}, {""}, {".."}} {
		if _, err := c.FetchBatch(context.Background(), ids...); err == nil {
			t.Errorf("FetchBatch(%q) succeeded", ids)
		}
	}
	if n := len(e.srv.Journal()) - before; n != 0 {
		t.Fatalf("invalid batches sent %d requests", n)
	}
}

func TestSizeLimit(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("x", 1025)
	e.secret("big", big)
	e.secret("small", "ok")
	c := e.client(t, conjur.WithMaxSize(1024))

	_, err := variable(t, c, "big").Fetch(context.Background())
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "conjur:myorg:variable:big") {
		t.Fatalf("Fetch of a 1025-byte value with a 1024-byte limit = %v", err)
	}
	assertClean(t, err, big)
	_, err = c.FetchBatch(context.Background(), "small", "big")
	if !errors.Is(err, secrets.ErrTooLarge) || !strings.Contains(err.Error(), "conjur:myorg:variable:big") {
		t.Fatalf("FetchBatch with a 1025-byte value = %v", err)
	}
	e.srv.SetVariable("big", strings.Repeat("y", 1024))
	if v := fetch(t, variable(t, c, "big")); v.Value.Len() != 1024 {
		t.Fatalf("a value at the limit: %d bytes", v.Value.Len())
	}
}

func TestVersions(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 3; i++ {
		e.secret("v", fmt.Sprintf("value-%d", i))
	}
	c := e.client(t)
	p := variable(t, c, "v")
	ctx := context.Background()

	v, err := p.FetchVersion(ctx, 1)
	if err != nil || v.ID != "1" {
		t.Fatalf("FetchVersion(1) = %+v, %v", v, err)
	}
	wantValue(t, v, "value-1")
	prev, err := p.FetchPrevious(ctx)
	if err != nil || prev.ID != "2" {
		t.Fatalf("FetchPrevious = %+v, %v", prev, err)
	}
	wantValue(t, prev, "value-2")
	cur := fetch(t, variable(t, c, "v", conjur.WithVersionLookup()))
	if cur.ID != "3" {
		t.Fatalf("Fetch with version lookup: ID %q, want 3", cur.ID)
	}
	wantValue(t, cur, "value-3")
	if plain := fetch(t, p); plain.ID != cur.Value.Fingerprint() {
		t.Fatalf("Fetch without lookup: ID %q, want the fingerprint", plain.ID)
	}

	// Conjur keeps twenty versions; the previous one is the newest kept.
	for i := 4; i <= 25; i++ {
		e.srv.SetVariable("v", fmt.Sprintf("value-%d", i))
	}
	_, err = p.FetchVersion(ctx, 1)
	if !errors.Is(err, secrets.ErrNotFound) || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("FetchVersion of a version no longer kept = %v", err)
	}
	if prev, err := p.FetchPrevious(ctx); err != nil || prev.ID != "24" {
		t.Fatalf("FetchPrevious after 25 versions = %+v, %v", prev, err)
	}
	if _, err := p.FetchVersion(ctx, 0); err == nil {
		t.Fatal("FetchVersion(0) succeeded")
	}

	e.secret("single", "only")
	_, err = variable(t, c, "single").FetchPrevious(ctx)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("FetchPrevious with one version = %v", err)
	}
	e.srv.DeclareVariable("empty")
	e.srv.Permit(login, "empty", "execute")
	_, err = variable(t, c, "empty", conjur.WithVersionLookup()).Fetch(ctx)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Fetch with lookup of a variable without value = %v", err)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "the-value")
	e.srv.DeclareVariable("noexec")
	e.srv.SetVariable("noexec", "hidden-value")
	e.srv.Permit(login, "noexec", "read")
	e.srv.SetVariable("invisible", "invisible-value")
	c := e.client(t)
	ctx := context.Background()

	for _, tc := range []struct {
		id   string
		want error
		text string
	}{
		{"missing", secrets.ErrNotFound, "CONJ00076E Variable myorg:variable:missing is empty or not found."},
		{"invisible", secrets.ErrNotFound, "has no privilege on it"},
		{"noexec", secrets.ErrPermission, "host/myapp lacks the execute privilege on the variable"},
	} {
		_, err := variable(t, c, tc.id).Fetch(ctx)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), "conjur:myorg:variable:"+tc.id) {
			t.Errorf("Fetch(%s) = %v; want %v mentioning %q", tc.id, err, tc.want, tc.text)
			continue
		}
		var se *secrets.Error
		if !errors.As(err, &se) || se.Source != "conjur:myorg:variable:"+tc.id {
			t.Errorf("Fetch(%s) error is not a *secrets.Error with the variable as Source", tc.id)
		}
		assertClean(t, err, "the-value", "hidden-value", "invisible-value", e.key)
	}

	e.srv.FailNext("/secrets/", http.StatusServiceUnavailable, 1)
	_, err := variable(t, c, "v").Fetch(ctx)
	var ae *conjur.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 {
		t.Fatalf("Fetch during an outage = %v", err)
	}

	wrong, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKey(login, secrets.New("wrong-key-0123456789")), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	_, err = variable(t, wrong, "v").Fetch(ctx)
	if !errors.Is(err, secrets.ErrPermission) {
		t.Fatalf("Fetch with a wrong API key = %v", err)
	}
	assertClean(t, err, "wrong-key-0123456789", e.key, "the-value")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.FetchBatch(cctx, "v"); !errors.Is(err, context.Canceled) {
		t.Fatalf("FetchBatch with a cancelled context = %v", err)
	}
}

// TestContextBoundsAuthentication checks that a caller waiting behind an
// authentication in progress can give up.
func TestContextBoundsAuthentication(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	slowKey := secrets.ProviderFunc(func(ctx context.Context) (secrets.Version, error) {
		entered <- struct{}{}
		<-release
		return secrets.Version{Value: secrets.New(e.key)}, nil
	})
	c, err := conjur.NewClient(e.srv.URL, e.srv.Account, conjur.APIKeyFrom(login, slowKey), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	p := variable(t, c, "v")
	done := make(chan error, 1)
	go func() { _, err := p.Fetch(context.Background()); done <- err }()
	<-entered

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Fetch(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Fetch waiting behind an authentication = %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestNewClientValidation(t *testing.T) {
	key := conjur.APIKey(login, secrets.New("k"))
	for name, tc := range map[string]struct {
		url, account string
		auth         conjur.Auth
		opts         []conjur.Option
		want         string
	}{
		"plain http":   {"http://conjur.example.com", "myorg", key, nil, "plain HTTP"},
		"relative":     {"conjur.example.com", "myorg", key, nil, "not an absolute"},
		"userinfo":     {"https://u:p@conjur.example.com", "myorg", key, nil, "user info"},
		"no account":   {"https://conjur.example.com", "", key, nil, "invalid account"},
		"colon":        {"https://conjur.example.com", "a:b", key, nil, "invalid account"},
		"no auth":      {"https://conjur.example.com", "myorg", conjur.Auth{}, nil, "no authentication"},
		"empty key":    {"https://conjur.example.com", "myorg", conjur.APIKey(login, secrets.Secret{}), nil, "API key is empty"},
		"no login":     {"https://conjur.example.com", "myorg", conjur.APIKey("", secrets.New("k")), nil, "invalid login"},
		"nil provider": {"https://conjur.example.com", "myorg", conjur.APIKeyFrom(login, nil), nil, "provider is nil"},
		"no service":   {"https://conjur.example.com", "myorg", conjur.JWT("", "/f", ""), nil, "service ID"},
		"no jwt file":  {"https://conjur.example.com", "myorg", conjur.JWT("k8s", "", ""), nil, "JWT file path is empty"},
		"max size":     {"https://conjur.example.com", "myorg", key, []conjur.Option{conjur.WithMaxSize(0)}, "max size"},
		"ca cert":      {"https://conjur.example.com", "myorg", key, []conjur.Option{conjur.WithCACert([]byte("nope"))}, "PEM"},
	} {
		_, err := conjur.NewClient(tc.url, tc.account, tc.auth, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewClient error %v, want one mentioning %q", name, err, tc.want)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1", "https://conjur.example.com/prefix"} {
		if _, err := conjur.NewClient(u, "myorg", key); err != nil {
			t.Errorf("NewClient(%s): %v", u, err)
		}
	}
	c, err := conjur.NewClient("https://conjur.example.com", "myorg", key)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", ".", "..", "a\nb"} {
		if _, err := c.Variable(id); err == nil {
			t.Errorf("Variable(%q) succeeded", id)
		}
	}
}

func TestRedirectsRefused(t *testing.T) {
	e := newEnv(t)
	target := fakeconjur.New()
	t.Cleanup(target.Close)
	redirector := http.NewServeMux()
	redirector.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	srv := newLoopbackServer(t, redirector)
	c, err := conjur.NewClient(srv, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = variable(t, c, "v").Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Fatalf("Fetch through a redirect = %v, want the 307 refused", err)
	}
	if len(target.Journal()) != 0 {
		t.Fatalf("the redirect was followed: the target saw %+v", target.Journal())
	}
	assertClean(t, err, e.key)
}

func newLoopbackServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTLS(t *testing.T) {
	srv := fakeconjur.New(fakeconjur.WithTLS())
	t.Cleanup(srv.Close)
	key := srv.AddRole(login)
	srv.Permit(login, "v", "execute")
	srv.SetVariable("v", "value")

	c, err := conjur.NewClient(srv.URL, srv.Account, conjur.APIKey(login, secrets.New(key)), conjur.WithCACert(srv.CACertPEM()))
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, fetch(t, variable(t, c, "v")), "value")

	untrusting, err := conjur.NewClient(srv.URL, srv.Account, conjur.APIKey(login, secrets.New(key)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = variable(t, untrusting, "v").Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Fetch from a server with an untrusted certificate = %v", err)
	}
	assertClean(t, err, key)
	if n := srv.Authentications(login); n != 1 {
		t.Fatalf("%d authentications; the untrusting client must not have sent its key", n)
	}

	viaHTTPClient, err := conjur.NewClient(srv.URL, srv.Account, conjur.APIKey(login, secrets.New(key)), conjur.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, fetch(t, variable(t, viaHTTPClient, "v")), "value")
}

// TestServerMessageQuotingCredentialIsWithheld puts a proxy in front of
// the fake that answers with an error message quoting the request's
// access token and the API key.
func TestServerMessageQuotingCredentialIsWithheld(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "value")
	target, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var sentHeader string
	front := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/secrets/myorg/variable/echo") {
			sentHeader = r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"error":{"code":"argument_error","message":"you sent %s"}}`, strings.ReplaceAll(sentHeader, `"`, `\"`))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/secrets/myorg/variable/key") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "bad key %s", e.key)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	c, err := conjur.NewClient(front, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, fetch(t, variable(t, c, "v")), "value")
	for _, id := range []string{"echo", "key"} {
		_, err = variable(t, c, id).Fetch(context.Background())
		var ae *conjur.APIError
		if !errors.As(err, &ae) || !strings.Contains(ae.Message, "withheld") {
			t.Fatalf("Fetch(%s) = %v; want the server's message withheld", id, err)
		}
		assertClean(t, err, e.key, sentHeader, strings.TrimSuffix(strings.TrimPrefix(sentHeader, `Token token="`), `"`))
	}

	// A message without credentials comes through, cleaned and bounded.
	e.srv.FailNext("/secrets/", http.StatusNotFound, 1)
	_, err = variable(t, c, "v").Fetch(context.Background())
	var ae *conjur.APIError
	if !errors.As(err, &ae) || ae.Message != "injected failure" || ae.Code != "not_found" {
		t.Fatalf("Fetch = %v", err)
	}
}

// TestErrorsLeakNothing drives every failure through a proxy that records
// the Authorization headers the client sends and the access tokens Conjur
// returns, and checks that no error carries one of them, the API key, or a
// value, in any encoding.
func TestErrorsLeakNothing(t *testing.T) {
	e := newEnv(t)
	e.secret("v", "the-value-0123456789")
	e.secret("other", "other-value-0123456789")
	e.srv.Permit(login, "noexec", "read")
	e.srv.SetVariable("noexec", "noexec-value-0123456789")
	target, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = []string{e.key, "the-value-0123456789", "other-value-0123456789", "noexec-value-0123456789"}
	)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if strings.HasPrefix(resp.Request.URL.Path, "/authn") && resp.StatusCode == http.StatusOK {
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			mu.Lock()
			seen = append(seen, string(body))
			mu.Unlock()
			resp.Body = io.NopCloser(bytes.NewReader(body))
		}
		return nil
	}
	front := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			mu.Lock()
			seen = append(seen, h)
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	c, err := conjur.NewClient(front, e.srv.Account, conjur.APIKey(login, secrets.New(e.key)), conjur.WithClock(e.clk))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var errs []error
	try := func(err error) {
		if err == nil {
			t.Fatal("an operation expected to fail succeeded")
		}
		errs = append(errs, err)
	}
	fetchErr := func(id string, opts ...conjur.VariableOption) error {
		_, err := variable(t, c, id, opts...).Fetch(ctx)
		return err
	}
	fetch(t, variable(t, c, "v"))
	try(fetchErr("missing"))
	try(fetchErr("noexec"))
	try(fetchErr("missing", conjur.WithVersionLookup()))
	_, err = variable(t, c, "v").FetchVersion(ctx, 99)
	try(err)
	_, err = c.FetchBatch(ctx, "v", "missing")
	try(err)
	_, err = c.FetchBatch(ctx, "v", "noexec")
	try(err)
	e.srv.FailNext("/secrets/", http.StatusUnauthorized, 2)
	try(fetchErr("v"))
	e.srv.FailNext("/secrets/", http.StatusInternalServerError, 1)
	try(fetchErr("v"))
	e.srv.RevokeAPIKey(login)
	e.srv.InvalidateTokens()
	try(fetchErr("v"))
	_, err = c.FetchBatch(ctx, "v", "other")
	try(err)

	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 8 {
		t.Fatalf("the proxy recorded only %d credentials", len(seen))
	}
	for _, err := range errs {
		assertClean(t, err, seen...)
	}
}
