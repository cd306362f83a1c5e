package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	clientID     = "app-client-id"
	clientSecret = "canary-client-secret-0123456789"
	refreshToken = "canary-refresh-token-abcdef"
)

// tokenServer imitates HubSpot's token endpoint: form-encoded POST, the
// client credentials checked, refresh tokens that can be revoked or rotated.
type tokenServer struct {
	*httptest.Server
	clock *clock.Fake
	ttl   time.Duration

	mu        sync.Mutex
	valid     map[string]bool // refresh tokens accepted
	rotate    bool            // hand out a new refresh token on each refresh
	calls     int
	issued    map[string]time.Time // access token -> expiry
	errorBody string
	status    int
}

func newTokenServer(t *testing.T, fc *clock.Fake) *tokenServer {
	ts := &tokenServer{clock: fc, ttl: 30 * time.Second, valid: map[string]bool{refreshToken: true}, issued: map[string]time.Time{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) serve(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.calls++
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, body string) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	if ts.status != 0 {
		fail(ts.status, ts.errorBody)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/oauth/v3/token" || r.URL.RawQuery != "" {
		fail(400, `{"status":"BAD_REQUEST","message":"expected POST /oauth/v3/token with no query"}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		fail(415, `{"status":"error","message":"form body required"}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(400, `{"status":"BAD_REQUEST"}`)
		return
	}
	if r.PostForm.Get("client_id") != clientID || r.PostForm.Get("client_secret") != clientSecret {
		fail(400, `{"status":"BAD_CLIENT_ID","message":"missing or invalid client credentials"}`)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if !ts.valid[r.PostForm.Get("refresh_token")] {
			fail(400, `{"status":"BAD_REFRESH_TOKEN","message":"missing or invalid refresh token","correlationId":"c-1"}`)
			return
		}
	case "authorization_code":
		if r.PostForm.Get("code") != "good-code" || r.PostForm.Get("redirect_uri") == "" {
			fail(400, `{"error":"invalid_grant","error_description":"auth code is stale"}`)
			return
		}
	default:
		fail(400, `{"status":"BAD_GRANT_TYPE"}`)
		return
	}
	access := fmt.Sprintf("access-%d-%s", ts.calls, strings.Repeat("x", 20))
	ts.issued[access] = ts.clock.Now().Add(ts.ttl)
	out := map[string]any{"token_type": "bearer", "access_token": access, "expires_in": int(ts.ttl / time.Second), "refresh_token": r.PostForm.Get("refresh_token")}
	if ts.rotate || r.PostForm.Get("grant_type") == "authorization_code" {
		nrt := fmt.Sprintf("refresh-rotated-%d", ts.calls)
		ts.valid[nrt] = true
		out["refresh_token"] = nrt
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (ts *tokenServer) Calls() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.calls
}

// accessValid reports whether HubSpot would accept access at the fake time.
func (ts *tokenServer) accessValid(access string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	exp, ok := ts.issued[access]
	return ok && ts.clock.Now().Before(exp)
}

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func config(ts *tokenServer, fc *clock.Fake) oauth.Config {
	return oauth.Config{
		ClientID:     clientID,
		ClientSecret: secretstest.NewStatic(clientSecret),
		RefreshToken: secretstest.NewStatic(refreshToken),
		TokenURL:     ts.URL + "/oauth/v3/token",
		Clock:        fc,
	}
}

func TestFetchExchangesRefreshToken(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	p, err := oauth.New(config(ts, fc))
	require.NoError(t, err)
	v, err := p.Fetch(context.Background())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(v.Value.Reveal(), "access-1-"))
	assert.Equal(t, t0.Add(30*time.Second), v.ExpiresAt)
	assert.Equal(t, v.Value.Fingerprint(), v.ID)
	assert.Equal(t, "hubspot-oauth:app-client-id", v.Source)
}

// Every process refreshing one installation gets access tokens of its
// own but the same lineage, which names the app and the installation and
// never a token; another installation's differs.
func TestFetchLineageNamesTheInstallation(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	one, err := oauth.New(config(ts, fc))
	require.NoError(t, err)
	two, err := oauth.New(config(ts, fc))
	require.NoError(t, err)
	v1, err := one.Fetch(context.Background())
	require.NoError(t, err)
	v2, err := two.Fetch(context.Background())
	require.NoError(t, err)
	assert.False(t, v1.Value.Equal(v2.Value), "each process has an access token of its own")
	assert.Equal(t, v1.Lineage, v2.Lineage)
	assert.Equal(t, "hubspot-oauth:app-client-id/"+secrets.New(refreshToken).Fingerprint(), v1.Lineage)
	assert.NotContains(t, v1.Lineage, refreshToken)

	ts.mu.Lock()
	ts.valid["another-installation"] = true
	ts.mu.Unlock()
	cfg := config(ts, fc)
	cfg.RefreshToken = secretstest.NewStatic("another-installation")
	other, err := oauth.New(cfg)
	require.NoError(t, err)
	v3, err := other.Fetch(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, v1.Lineage, v3.Lineage)
}

// TestConcurrentCallersOneRefreshPerExpiry is the figure for the closing
// note: 64 callers, an access token that expires every 30 (fake) seconds,
// token-endpoint calls per expiry and failed calls.
func TestConcurrentCallersOneRefreshPerExpiry(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	p, err := oauth.New(config(ts, fc))
	require.NoError(t, err)
	cache, err := secrets.NewCache(p, secrets.WithClock(fc))
	require.NoError(t, err)
	defer cache.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const expiries = 20
	var failed, calls atomic.Int64
	for range expiries {
		var wg sync.WaitGroup
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					calls.Add(1)
					v, err := cache.Get(ctx)
					if err != nil || !ts.accessValid(v.Value.Reveal()) {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		// Move past the mandatory window (27 s into 30): the next round's
		// callers must wait for exactly one refresh.
		fc.Advance(28 * time.Second)
	}
	t.Logf("64 callers, %d calls, %d expiries: %d token-endpoint calls, %d failed calls", calls.Load(), expiries, ts.Calls(), failed.Load())
	assert.Zero(t, failed.Load(), "no call may fail or use an expired token")
	assert.Equal(t, expiries, ts.Calls(), "one token-endpoint call per expiry")
}

func TestRefreshTokenRotationIsPersistedAndUsed(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	ts.rotate = true
	var persisted []string
	cfg := config(ts, fc)
	cfg.OnRefreshToken = func(_ context.Context, rt secrets.Secret) error {
		persisted = append(persisted, rt.Reveal())
		return nil
	}
	p, err := oauth.New(cfg)
	require.NoError(t, err)
	_, err = p.Fetch(context.Background())
	require.NoError(t, err)
	ts.mu.Lock()
	delete(ts.valid, refreshToken) // HubSpot retired the old one
	ts.mu.Unlock()
	_, err = p.Fetch(context.Background())
	require.NoError(t, err, "the rotated refresh token is used for the next refresh")
	assert.Equal(t, []string{"refresh-rotated-1", "refresh-rotated-2"}, persisted)
}

func TestOperatorRotationAtSourceWins(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	ts.rotate = true
	rt := secretstest.NewStatic(refreshToken)
	cfg := config(ts, fc)
	cfg.RefreshToken = rt
	p, err := oauth.New(cfg)
	require.NoError(t, err)
	_, err = p.Fetch(context.Background())
	require.NoError(t, err)
	ts.mu.Lock()
	ts.valid = map[string]bool{"operator-new": true}
	ts.mu.Unlock()
	rt.Rotate("operator-new")
	_, err = p.Fetch(context.Background())
	require.NoError(t, err, "a new value at the source replaces the one learned from HubSpot")
}

func TestInvalidGrantIsTypedAndLeakFree(t *testing.T) {
	fc := clock.NewFake(t0)
	bodies := map[string]string{
		"v1 BAD_REFRESH_TOKEN": `{"status":"BAD_REFRESH_TOKEN","message":"missing or invalid refresh token"}`,
		"oauth invalid_grant":  `{"error":"invalid_grant","error_description":"refresh token ` + refreshToken + ` was revoked"}`,
		"v3 INVALID_TOKEN":     `{"category":"VALIDATION_ERROR","subCategory":"INVALID_TOKEN","message":"Invalid refresh token ` + clientSecret + `","correlationId":"c-9"}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			ts := newTokenServer(t, fc)
			ts.status, ts.errorBody = 400, body
			p, err := oauth.New(config(ts, fc))
			require.NoError(t, err)
			_, err = p.Fetch(context.Background())
			require.ErrorIs(t, err, oauth.ErrInvalidGrant)
			var oe *oauth.Error
			require.True(t, errors.As(err, &oe))
			assert.Equal(t, 400, oe.StatusCode)
			for _, s := range []string{clientSecret, refreshToken} {
				secretstest.AssertNoLeak(t, "error", err.Error(), s)
				secretstest.AssertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err), s)
			}
		})
	}
}

func TestBadResponses(t *testing.T) {
	fc := clock.NewFake(t0)
	for name, tc := range map[string]struct {
		status int
		body   string
		want   string
	}{
		"server error":  {503, `<html>down</html>`, "503"},
		"not json":      {200, `access_token=x`, "not valid JSON"},
		"no token":      {200, `{"expires_in":1800}`, "no access_token"},
		"no expiry":     {200, `{"access_token":"a"}`, "expires_in"},
		"wrong type":    {200, `{"access_token":"a","expires_in":5,"token_type":"mac"}`, "token_type"},
		"huge response": {200, `{"access_token":"` + strings.Repeat("a", 70000) + `","expires_in":5}`, "exceeds"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			cfg := oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), RefreshToken: secretstest.NewStatic(refreshToken), TokenURL: srv.URL, Clock: fc}
			p, err := oauth.New(cfg)
			require.NoError(t, err)
			_, err = p.Fetch(context.Background())
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestNewValidates(t *testing.T) {
	ok := oauth.Config{ClientID: "x", ClientSecret: secretstest.NewStatic("s"), RefreshToken: secretstest.NewStatic("r")}
	_, err := oauth.New(ok)
	require.NoError(t, err)
	for name, mutate := range map[string]func(*oauth.Config){
		"no client id":    func(c *oauth.Config) { c.ClientID = "" },
		"no secret":       func(c *oauth.Config) { c.ClientSecret = nil },
		"no refresh":      func(c *oauth.Config) { c.RefreshToken = nil },
		"plain http":      func(c *oauth.Config) { c.TokenURL = "http://api.hubapi.com/oauth/v3/token" },
		"query in url":    func(c *oauth.Config) { c.TokenURL = "https://api.hubapi.com/oauth/v3/token?client_secret=s" },
		"relative url":    func(c *oauth.Config) { c.TokenURL = "/oauth/v3/token" },
		"userinfo in url": func(c *oauth.Config) { c.TokenURL = "https://u:p@api.hubapi.com/t" },
		"ftp":             func(c *oauth.Config) { c.TokenURL = "ftp://127.0.0.1/t" },
	} {
		c := ok
		mutate(&c)
		_, err := oauth.New(c)
		assert.Error(t, err, name)
	}
	c := ok
	c.TokenURL = "http://127.0.0.1:8080/oauth/v3/token"
	_, err = oauth.New(c)
	assert.NoError(t, err, "plain http to loopback is allowed for tests")
}

func TestExchange(t *testing.T) {
	fc := clock.NewFake(t0)
	ts := newTokenServer(t, fc)
	cfg := config(ts, fc)
	cfg.RefreshToken = nil
	tok, err := oauth.Exchange(context.Background(), cfg, "good-code", "https://example.com/cb", "")
	require.NoError(t, err)
	assert.False(t, tok.AccessToken.IsZero())
	assert.Equal(t, "refresh-rotated-1", tok.RefreshToken.Reveal())
	assert.Equal(t, t0.Add(30*time.Second), tok.ExpiresAt())

	_, err = oauth.Exchange(context.Background(), cfg, "stale-code", "https://example.com/cb", "")
	require.ErrorIs(t, err, oauth.ErrInvalidGrant)
	_, err = oauth.Exchange(context.Background(), cfg, "", "https://example.com/cb", "")
	require.Error(t, err)
}

func TestAuthorizeURL(t *testing.T) {
	u := oauth.AuthorizeURL("cid", "https://example.com/cb?x=1", []string{"crm.objects.contacts.read", "oauth"}, []string{"crm.objects.deals.read"}, "st&ate")
	assert.Equal(t, "https://app.hubspot.com/oauth/authorize?client_id=cid&optional_scope=crm.objects.deals.read&redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1&scope=crm.objects.contacts.read+oauth&state=st%26ate", u)
}
