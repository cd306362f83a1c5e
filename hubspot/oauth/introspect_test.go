package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/internal/specschema"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The whole life of a leaked refresh token against hubspottest, through
// the v1 endpoints it serves: issued by a code exchange, introspected,
// revoked, then unknown to introspection, to a second revocation and to
// the token endpoint. The access token issued with it keeps working until
// it expires, as on HubSpot.
func TestIntrospectAndRevokeAgainstHubspottest(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(t0)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fc))
	cid, secret, _ := srv.NewOAuthApp("crm.objects.contacts.read")
	cfg := oauth.Config{
		ClientID:     cid,
		ClientSecret: secretstest.NewStatic(secret),
		TokenURL:     srv.URL() + "/oauth/v1/token",
		Clock:        fc,
	}
	const callback = "https://example.com/callback"
	tok, err := oauth.Exchange(ctx, cfg, srv.NewOAuthCode(cid, callback), callback, "")
	require.NoError(t, err)

	fc.Advance(10 * time.Minute)
	access, err := oauth.IntrospectAccessToken(ctx, cfg, tok.AccessToken)
	require.NoError(t, err)
	portal := srv.Account().PortalID
	assert.Equal(t, "access", access.TokenType)
	assert.Equal(t, portal, access.HubID)
	assert.NotEmpty(t, access.HubDomain)
	assert.Positive(t, access.AppID)
	assert.Positive(t, access.UserID)
	assert.Contains(t, access.User, "@")
	assert.ElementsMatch(t, []string{"oauth", "crm.objects.contacts.read"}, access.Scopes)
	assert.Equal(t, tok.ExpiresAt(), access.ExpiresAt, "expires_in counts from the introspection, 20 minutes before the expiry")

	refresh, err := oauth.IntrospectRefreshToken(ctx, cfg, tok.RefreshToken)
	require.NoError(t, err)
	assert.Equal(t, oauth.TokenInfo{
		TokenType: "refresh", HubID: portal, HubDomain: access.HubDomain, ClientID: cid,
		UserID: access.UserID, User: access.User, Scopes: access.Scopes,
	}, refresh)

	_, err = oauth.IntrospectRefreshToken(ctx, cfg, tok.AccessToken)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "an access token is no refresh token")

	require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, tok.RefreshToken))
	_, err = oauth.IntrospectRefreshToken(ctx, cfg, tok.RefreshToken)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "introspecting a revoked refresh token")
	err = oauth.RevokeRefreshToken(ctx, cfg, tok.RefreshToken)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "revoking it again")
	var oe *oauth.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, http.StatusNotFound, oe.StatusCode)
	assert.False(t, errors.Is(err, oauth.ErrInvalidGrant))

	rcfg := cfg
	rcfg.RefreshToken = secretstest.NewStatic(tok.RefreshToken.Reveal())
	p, err := oauth.New(rcfg)
	require.NoError(t, err)
	_, err = p.Fetch(ctx)
	require.ErrorIs(t, err, oauth.ErrInvalidGrant, "the token endpoint refuses the revoked refresh token")

	_, err = oauth.IntrospectAccessToken(ctx, cfg, tok.AccessToken)
	require.NoError(t, err, "an access token outlives the refresh token's revocation")
	fc.Advance(20 * time.Minute)
	_, err = oauth.IntrospectAccessToken(ctx, cfg, tok.AccessToken)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "an expired access token")
	assertShowsNoPart(t, err, tok.AccessToken.Reveal())
}

// The same life through the v3 endpoints (RFC 7662 and 7009), which
// hubspottest serves too: a token that is not active is reported inactive,
// and revocation answers alike for a token it knew and one it did not.
// Another app's tokens are inactive to this one.
func TestIntrospectAndRevokeV3AgainstHubspottest(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(t0)
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fc))
	cid, secret, rt := srv.NewOAuthApp("crm.objects.contacts.read")
	cfg := oauth.Config{ClientID: cid, ClientSecret: secretstest.NewStatic(secret), TokenURL: srv.URL() + "/oauth/v3/token", Clock: fc}
	rcfg := cfg
	rcfg.RefreshToken = secretstest.NewStatic(rt)
	p, err := oauth.New(rcfg)
	require.NoError(t, err)
	v, err := p.Fetch(ctx)
	require.NoError(t, err)

	fc.Advance(10 * time.Minute)
	access, err := oauth.IntrospectAccessToken(ctx, cfg, v.Value)
	require.NoError(t, err)
	portal := srv.Account().PortalID
	assert.Equal(t, "access", access.TokenType)
	assert.Equal(t, portal, access.HubID)
	assert.Equal(t, cid, access.ClientID)
	assert.Positive(t, access.AppID)
	assert.ElementsMatch(t, []string{"oauth", "crm.objects.contacts.read"}, access.Scopes)
	assert.Equal(t, v.ExpiresAt, access.ExpiresAt, "expires_in counts from the introspection")

	refresh, err := oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(rt))
	require.NoError(t, err)
	assert.Equal(t, "refresh", refresh.TokenType)
	assert.Equal(t, cid, refresh.ClientID)
	assert.Contains(t, refresh.User, "@")

	// Another app's client credentials see neither token.
	cid2, secret2, _ := srv.NewOAuthApp()
	other := oauth.Config{ClientID: cid2, ClientSecret: secretstest.NewStatic(secret2), TokenURL: cfg.TokenURL, Clock: fc}
	_, err = oauth.IntrospectAccessToken(ctx, other, v.Value)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "another app's access token")
	require.NoError(t, oauth.RevokeRefreshToken(ctx, other, secrets.New(rt)), "revocation answers alike")
	_, err = oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(rt))
	require.NoError(t, err, "another app cannot revoke this one's refresh token")

	// A wrong client secret is refused, not answered.
	bad := cfg
	bad.ClientSecret = secretstest.NewStatic("not-the-secret")
	_, err = oauth.IntrospectAccessToken(ctx, bad, v.Value)
	require.Error(t, err)
	require.NotErrorIs(t, err, oauth.ErrTokenNotFound)
	assertShowsNoPart(t, err, v.Value.Reveal())

	require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, secrets.New(rt)))
	_, err = oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(rt))
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "a revoked refresh token is inactive")
	require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, secrets.New(rt)), "revoking it again answers as before")
	_, err = p.Fetch(ctx)
	require.ErrorIs(t, err, oauth.ErrInvalidGrant, "the token endpoint refuses the revoked refresh token")

	_, err = oauth.IntrospectAccessToken(ctx, cfg, v.Value)
	require.NoError(t, err, "an access token outlives its refresh token's revocation")
	fc.Advance(20 * time.Minute)
	_, err = oauth.IntrospectAccessToken(ctx, cfg, v.Value)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound, "an expired access token is inactive")
	assertShowsNoPart(t, err, v.Value.Reveal())
}

// Errors say which call failed and name the endpoint by its template,
// never by the URL the token was sent to.
func TestIntrospectionErrorsNameTheTemplate(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(t)
	cid, secret, rt := srv.NewOAuthApp()
	cfg := oauth.Config{ClientID: cid, ClientSecret: secretstest.NewStatic(secret), TokenURL: srv.URL() + "/oauth/v1/token"}
	require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, secrets.New(rt)))
	err := oauth.RevokeRefreshToken(ctx, cfg, secrets.New(rt))
	require.ErrorIs(t, err, oauth.ErrTokenNotFound)
	assert.Contains(t, err.Error(), "revoking the refresh token: oauth: token revocation endpoint answered 404")

	srv.Close()
	err = oauth.RevokeRefreshToken(ctx, cfg, secrets.New(rt))
	require.Error(t, err)
	assert.False(t, errors.Is(err, oauth.ErrTokenNotFound), "a refused connection is no answer")
	assert.Contains(t, err.Error(), "DELETE "+srv.URL()+"/oauth/v1/refresh-tokens/{token}: ")
	assertShowsNoPart(t, err, rt)
	var ue *url.Error
	assert.False(t, errors.As(err, &ue), "no *url.Error, whose URL holds the token, is in the chain")
}

// The v1 token goes in one path segment, escaped, under the token URL's
// path prefix; a token that would change the path is refused without
// being sent or shown.
func TestV1TokenIsOnePathSegment(t *testing.T) {
	var mu sync.Mutex
	var got []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.EscapedPath()+" query="+r.URL.RawQuery)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"status":"error","message":"not found","category":"OBJECT_NOT_FOUND"}`)
	}))
	defer ts.Close()
	cfg := oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), TokenURL: ts.URL + "/proxy%20x/hubspot/oauth/v1/token"}
	ctx := context.Background()
	odd := secrets.New("canary/odd?token#with%25 space")
	_, err := oauth.IntrospectAccessToken(ctx, cfg, odd)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound)
	_, err = oauth.IntrospectRefreshToken(ctx, cfg, odd)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound)
	err = oauth.RevokeRefreshToken(ctx, cfg, odd)
	require.ErrorIs(t, err, oauth.ErrTokenNotFound)
	const seg = "canary%2Fodd%3Ftoken%23with%2525%20space"
	assert.Equal(t, []string{
		"GET /proxy%20x/hubspot/oauth/v1/access-tokens/" + seg + " query=",
		"GET /proxy%20x/hubspot/oauth/v1/refresh-tokens/" + seg + " query=",
		"DELETE /proxy%20x/hubspot/oauth/v1/refresh-tokens/" + seg + " query=",
	}, got)

	for _, bad := range []string{"..", "."} {
		err := oauth.RevokeRefreshToken(ctx, cfg, secrets.New(bad))
		require.ErrorContains(t, err, "cannot be put in a URL path")
	}
	for _, empty := range []secrets.Secret{{}, secrets.New("")} {
		_, err := oauth.IntrospectAccessToken(ctx, cfg, empty)
		require.ErrorContains(t, err, "access token to introspect is empty")
	}
	assert.Len(t, got, 3, "refused tokens are not sent")
}

// A 404 is "not found" only when it is v1's JSON error: a proxy's page, or
// any v3 404 (a server without the endpoint), leaves the revocation
// undone, not done.
func TestNotFoundOnlyFromHubSpotsAnswer(t *testing.T) {
	for name, tc := range map[string]struct {
		tokenPath, body string
		notFound        bool
	}{
		"v1 JSON error":  {"/oauth/v1/token", `{"status":"error","message":"Refresh token not found","category":"OBJECT_NOT_FOUND","correlationId":"c-1"}`, true},
		"v1 HTML page":   {"/oauth/v1/token", `<html><body>404 Not Found</body></html>`, false},
		"v1 empty body":  {"/oauth/v1/token", ``, false},
		"v1 JSON string": {"/oauth/v1/token", `"not found"`, false},
		"v3 JSON error":  {"/oauth/v3/token", `{"message":"resource not found","category":"OBJECT_NOT_FOUND","correlationId":"c-2"}`, false},
		"dated 404":      {"/oauth/2026-03/token", `{"message":"resource not found","category":"OBJECT_NOT_FOUND"}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer ts.Close()
			cfg := oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), TokenURL: ts.URL + tc.tokenPath}
			err := oauth.RevokeRefreshToken(context.Background(), cfg, secrets.New(refreshToken))
			var oe *oauth.Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, 404, oe.StatusCode)
			assert.Equal(t, tc.notFound, errors.Is(err, oauth.ErrTokenNotFound))
			_, err = oauth.IntrospectRefreshToken(context.Background(), cfg, secrets.New(refreshToken))
			assert.Equal(t, tc.notFound, errors.Is(err, oauth.ErrTokenNotFound))
		})
	}
}

// v3Stand stands in for HubSpot's v3 and dated token introspection and
// revocation endpoints, which hubspottest does not serve. It takes
// requests only as HubSpot's spec (internal/specschema) gives them: POST
// to the operation's path in that version, no query string, a form body
// of client_id, client_secret, token and token_type_hint; and it checks
// its own answers against the spec's shape for that version, so the client
// meets answers HubSpot could send. Like HubSpot it echoes the token, and
// answers RFC 7662's {"active": false} for a token it does not know
// (the 2026-09 spec's shape) and RFC 7009's 200 to any revocation.
type v3Stand struct {
	*httptest.Server
	t     *testing.T
	clock *clock.Fake

	mu       sync.Mutex
	access   map[string]time.Time // access token -> expiry
	refresh  map[string]bool      // refresh token -> not revoked
	calls    []string             // method, path, token_type_hint
	override func(w http.ResponseWriter, token string) bool
}

const (
	standAccess  = "canary-v3-access-token-5e1d"
	standRefresh = "canary-v3-refresh-token-90ab"
	standHub     = 4242
	standApp     = 777
)

func newV3Stand(t *testing.T, fc *clock.Fake) *v3Stand {
	s := &v3Stand{t: t, clock: fc,
		access:  map[string]time.Time{standAccess: fc.Now().Add(30 * time.Minute)},
		refresh: map[string]bool{standRefresh: true},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// operation finds the catalogue row and version of a request's path.
func (s *v3Stand) operation(r *http.Request) (*endpoints.Op, endpoints.Version, bool) {
	for _, name := range []string{"oauth.token.introspect", "oauth.token.revoke"} {
		op, ok := endpoints.Lookup(name)
		if !ok {
			s.t.Errorf("the catalogue has no %s", name)
			continue
		}
		for _, v := range append([]endpoints.Version{endpoints.Numbered}, op.Versions...) {
			if tmpl, ok := op.Template(v); ok && r.Method == op.Method && r.URL.EscapedPath() == tmpl {
				return op, v, true
			}
		}
	}
	return nil, "", false
}

// spec returns what the spec says of op in v.
func (s *v3Stand) spec(op *endpoints.Op, v endpoints.Version) *specschema.Operation {
	specs := specschema.Lookup(op, v, "")
	if len(specs) != 1 {
		s.t.Fatalf("%s %s: %d spec operations, want 1", op.Name, v, len(specs))
	}
	return specs[0]
}

func (s *v3Stand) serve(w http.ResponseWriter, r *http.Request) {
	op, v, ok := s.operation(r)
	if !ok {
		s.t.Errorf("%s %s: not an introspection or revocation path of HubSpot's spec", r.Method, r.URL.EscapedPath())
		http.NotFound(w, r)
		return
	}
	spec := s.spec(op, v)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("reading the request: %v", err)
		return
	}
	for _, viol := range spec.CheckRequest(r.URL.Query(), r.Header.Get("Content-Type"), body) {
		s.t.Errorf("%s %s: the request departs from the spec: %s", op.Name, v, viol)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.t.Errorf("%s: Content-Type %q", op.Name, r.Header.Get("Content-Type"))
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.t.Errorf("%s: the body is no form", op.Name)
		return
	}
	for k, vs := range form {
		if !slices.Contains([]string{"client_id", "client_secret", "token", "token_type_hint"}, k) || len(vs) != 1 {
			s.t.Errorf("%s: form field %q (%d values) is not one of the spec's", op.Name, k, len(vs))
		}
	}
	hint := form.Get("token_type_hint")
	if hint != "access_token" && hint != "refresh_token" {
		s.t.Errorf("%s: token_type_hint %q is not an RFC 7009 hint", op.Name, hint)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path+" "+hint)
	token := form.Get("token")
	if s.override != nil && s.override(w, token) {
		return
	}
	if form.Get("client_id") != clientID || form.Get("client_secret") != clientSecret {
		s.answer(w, spec, http.StatusBadRequest, map[string]any{
			"category": "VALIDATION_ERROR", "correlationId": "7f1ad7e2-8a7b-4f0e-9c55-0d6f27a1c3b4", "message": "missing or invalid client credentials",
		})
		return
	}
	if op.Name == "oauth.token.revoke" {
		if _, ok := s.refresh[token]; ok {
			s.refresh[token] = false
		}
		w.WriteHeader(http.StatusOK) // the spec declares no success status: RFC 7009's 200
		return
	}
	now := s.clock.Now()
	info := map[string]any{
		"active": true, "token": token, "hub_id": standHub, "hub_domain": "stand.example.com", "app_id": standApp,
		"client_id": clientID, "user_id": 31, "user": "installer@stand.example", "scopes": []string{"oauth", "crm.objects.deals.read"},
		"token_type": "bearer",
	}
	switch exp, isAccess := s.access[token]; {
	case isAccess && now.Before(exp):
		info["token_use"] = "access_token"
		info["expires_in"] = int64(exp.Sub(now) / time.Second)
		info["is_private_distribution"] = false
		info["signed_access_token"] = map[string]any{
			"appId": standApp, "appInstallId": "i-1", "audience": "aud", "expiresAt": exp.UnixMilli(), "hubId": standHub, "hublet": "na1",
			"installingUserId": 31, "isPrivateDistribution": false, "isServiceAccount": false, "isUserLevel": false,
			"newSignature": "sig-new", "scopeToScopeGroupPks": "", "scopes": "oauth", "signature": "sig", "trialScopeToScopeGroupPks": "",
			"trialScopes": "", "userId": 31,
		}
	case s.refresh[token]:
		info["token_use"] = "refresh_token"
	default:
		// RFC 7662 says only that the token is inactive: the shape of the
		// 2026-09 spec; the v3 and 2026-03 specs list only active answers.
		s.answer(w, s.spec(op, endpoints.Version202609), http.StatusOK, map[string]any{"active": false})
		return
	}
	s.answer(w, spec, http.StatusOK, info)
}

// answer writes v as JSON after checking it against spec. The caller
// holds s.mu.
func (s *v3Stand) answer(w http.ResponseWriter, spec *specschema.Operation, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.t.Errorf("encoding the answer: %v", err)
	}
	for _, viol := range spec.CheckResponse(status, b) {
		s.t.Errorf("%s %s: the stand-in's answer departs from the spec: %s", spec.Path, spec.Version, viol)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *v3Stand) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func standConfig(s *v3Stand, fc *clock.Fake, tokenPath string) oauth.Config {
	return oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), TokenURL: s.URL + tokenPath, Clock: fc}
}

// v3 and the dated versions: the token and the client credentials in the
// form body, at TokenURL+"/introspect" and "/revoke".
func TestV3IntrospectAndRevoke(t *testing.T) {
	for _, tokenPath := range []string{"/oauth/v3/token", "/oauth/2026-03/token", "/oauth/2026-09/token"} {
		t.Run(tokenPath, func(t *testing.T) {
			ctx := context.Background()
			fc := clock.NewFake(t0)
			s := newV3Stand(t, fc)
			cfg := standConfig(s, fc, tokenPath)

			fc.Advance(5 * time.Minute)
			access, err := oauth.IntrospectAccessToken(ctx, cfg, secrets.New(standAccess))
			require.NoError(t, err)
			assert.Equal(t, oauth.TokenInfo{
				TokenType: "access", HubID: standHub, HubDomain: "stand.example.com", AppID: standApp, ClientID: clientID,
				UserID: 31, User: "installer@stand.example", Scopes: []string{"oauth", "crm.objects.deals.read"},
				ExpiresAt: t0.Add(30 * time.Minute),
			}, access)

			refresh, err := oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(standRefresh))
			require.NoError(t, err)
			assert.Equal(t, "refresh", refresh.TokenType)
			assert.True(t, refresh.ExpiresAt.IsZero())
			assert.Equal(t, int64(standApp), refresh.AppID)

			// The hint is a hint: HubSpot says what the token is.
			mixed, err := oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(standAccess))
			require.NoError(t, err)
			assert.Equal(t, "access", mixed.TokenType)

			require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, secrets.New(standRefresh)))
			_, err = oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(standRefresh))
			require.ErrorIs(t, err, oauth.ErrTokenNotFound)
			assert.Contains(t, err.Error(), "introspecting the refresh token: HubSpot reports the token inactive")
			// RFC 7009: revoking an unknown token succeeds.
			require.NoError(t, oauth.RevokeRefreshToken(ctx, cfg, secrets.New(standRefresh)))

			fc.Advance(25 * time.Minute)
			_, err = oauth.IntrospectAccessToken(ctx, cfg, secrets.New(standAccess))
			require.ErrorIs(t, err, oauth.ErrTokenNotFound, "an expired access token is inactive")

			base := strings.TrimSuffix(tokenPath, "/token")
			assert.Equal(t, []string{
				"POST " + base + "/token/introspect access_token",
				"POST " + base + "/token/introspect refresh_token",
				"POST " + base + "/token/introspect refresh_token",
				"POST " + base + "/token/revoke refresh_token",
				"POST " + base + "/token/introspect refresh_token",
				"POST " + base + "/token/revoke refresh_token",
				"POST " + base + "/token/introspect access_token",
			}, s.Calls())

			wrong := cfg
			wrong.ClientSecret = secretstest.NewStatic("wrong-client-secret")
			err = oauth.RevokeRefreshToken(ctx, wrong, secrets.New(standRefresh))
			var oe *oauth.Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, 400, oe.StatusCode)
			assert.Equal(t, "VALIDATION_ERROR", oe.Code)
			assert.False(t, errors.Is(err, oauth.ErrTokenNotFound))
		})
	}
}

// Answers that are not HubSpot's token information, or that echo the
// token or the client secret in their fields: errors that quote neither,
// and a TokenInfo scrubbed of both.
func TestV3MalformedAndEchoingAnswers(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(t0)
	s := newV3Stand(t, fc)
	cfg := standConfig(s, fc, "/oauth/v3/token")
	answers := map[string]struct {
		status int
		body   string
		want   string
	}{
		"no active":          {200, `{"token":"%[1]s","hub_id":1,"token_use":"access_token","expires_in":60}`, "does not say whether the token is active"},
		"active not boolean": {200, `{"active":"%[1]s","hub_id":1}`, "the answer's active is not a bool"},
		"no hub id":          {200, `{"active":true,"token":"%[1]s","token_use":"refresh_token"}`, "names no hub_id"},
		"no expiry":          {200, `{"active":true,"token":"%[1]s","hub_id":1,"token_use":"access_token"}`, "no expires_in"},
		"negative expiry":    {200, `{"active":true,"token":"%[1]s","hub_id":1,"token_use":"access_token","expires_in":-5}`, "implausible expires_in"},
		"huge expiry":        {200, `{"active":true,"token":"%[1]s","hub_id":1,"token_use":"access_token","expires_in":99999999999}`, "implausible expires_in"},
		"odd token_use":      {200, `{"active":true,"hub_id":1,"token_use":"%[1]s"}`, "neither access_token nor refresh_token"},
		"not JSON":           {200, `token=%[1]s`, "not a JSON object"},
		"JSON array":         {200, `["%[1]s"]`, "not a JSON object"},
		"truncated":          {200, `{"active":true,"token":"%[1]s`, "not a JSON object"},
		"server error":       {503, `{"message":"cannot look up %[1]s for %[2]s","category":"%[1]s","correlationId":"%[2]s"}`, "answered 503"},
		"too long":           {200, `{"active":true,"token":"%[1]s","pad":"` + strings.Repeat("x", 70<<10) + `"}`, "exceeds"},
	}
	for name, tc := range answers {
		t.Run(name, func(t *testing.T) {
			s.mu.Lock()
			s.override = func(w http.ResponseWriter, token string) bool {
				w.WriteHeader(tc.status)
				_, _ = fmt.Fprintf(w, tc.body, token, clientSecret) // every body has an indexed verb, so fmt adds no %!(EXTRA)
				return true
			}
			s.mu.Unlock()
			_, err := oauth.IntrospectAccessToken(ctx, cfg, secrets.New(standAccess))
			require.ErrorContains(t, err, tc.want)
			assert.False(t, errors.Is(err, oauth.ErrTokenNotFound))
			assertShowsNoPart(t, err, standAccess)
			assertShowsNoPart(t, err, clientSecret)
		})
	}

	s.mu.Lock()
	s.override = func(w http.ResponseWriter, token string) bool {
		_, _ = fmt.Fprintf(w, `{"active":true,"token":%[1]q,"hub_id":9,"token_use":"refresh_token","hub_domain":"d-%[1]s","client_id":"%[2]s",`+
			`"user":"<%[1]s>","scopes":["oauth","%[1]s"],"signed_access_token":{"signature":"%[1]s"}}`, token, clientSecret)
		return true
	}
	s.mu.Unlock()
	info, err := oauth.IntrospectRefreshToken(ctx, cfg, secrets.New(standRefresh))
	require.NoError(t, err)
	assert.Equal(t, oauth.TokenInfo{
		TokenType: "refresh", HubID: 9, HubDomain: "d-" + secrets.Redacted, ClientID: secrets.Redacted,
		User: "<" + secrets.Redacted + ">", Scopes: []string{"oauth", secrets.Redacted},
	}, info)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		secretstest.AssertNoLeak(t, "TokenInfo "+verb, fmt.Sprintf(verb, info), standRefresh)
		secretstest.AssertNoLeak(t, "TokenInfo "+verb, fmt.Sprintf(verb, info), clientSecret)
	}
}

// Through a client that would follow it, a redirect of the introspection
// or revocation endpoint is refused: the token and client secret are not
// re-sent, in a v3 body or a v1 path.
func TestIntrospectionRefusesRedirects(t *testing.T) {
	target := newSink(t, false)
	for _, tokenPath := range []string{"/oauth/v3/token", "/oauth/v1/token"} {
		for _, status := range redirectStatuses {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", target.URL+r.URL.EscapedPath())
				w.WriteHeader(status)
			}))
			cfg := oauth.Config{
				ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), TokenURL: ts.URL + tokenPath,
				HTTPClient: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }},
			}
			_, ierr := oauth.IntrospectAccessToken(context.Background(), cfg, secrets.New(refreshToken))
			rerr := oauth.RevokeRefreshToken(context.Background(), cfg, secrets.New(refreshToken))
			for _, err := range []error{ierr, rerr} {
				var oe *oauth.Error
				require.ErrorAs(t, err, &oe, "%s %d", tokenPath, status)
				assert.Equal(t, status, oe.StatusCode)
				assert.Contains(t, err.Error(), "redirects are not followed")
				assert.False(t, errors.Is(err, oauth.ErrTokenNotFound))
				assertShowsNoPart(t, err, refreshToken)
			}
			ts.Close()
		}
	}
	assert.Zero(t, target.conns.Load(), "the redirect target saw a connection")
}
