package hubspottest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// postForm posts form to the token endpoint at path, with query appended
// when not empty, and returns the answer.
func postForm(t *testing.T, srv *hubspottest.Server, path string, form url.Values, query string) resp {
	t.Helper()
	u := srv.URL() + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func refreshForm(id, secret, refresh string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}, "refresh_token": {refresh}}
}

// tokenOf returns the access token of a successful token answer.
func tokenOf(t *testing.T, r resp) string {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	tok := str(r.json(t)["access_token"])
	if tok == "" {
		t.Fatalf("no access_token in %s", r.body)
	}
	return tok
}

func TestOAuthRefreshIssuesScopedExpiringKeys(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithOAuthTokenLifetime(5*time.Second))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")

	for _, path := range []string{"/oauth/v3/token", "/oauth/v1/token"} {
		r := postForm(t, srv, path, refreshForm(id, secret, refresh), "")
		tok := tokenOf(t, r)
		m := r.json(t)
		if m["token_type"] != "bearer" || m["expires_in"] != float64(5) || m["refresh_token"] != refresh {
			t.Fatalf("%s: answer %v", path, m)
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("%s: Cache-Control %q, want no-store", path, cc)
		}
		k, ok := srv.Key(tok)
		if !ok {
			t.Fatalf("%s: the access token is not a key of the server", path)
		}
		if !k.HasScopes("crm.objects.contacts.read", "oauth") || k.HasScopes("crm.objects.contacts.write") {
			t.Fatalf("%s: key scopes %v", path, k.Scopes)
		}
		if want := fake.Now().Add(5 * time.Second); !k.ExpiresAt.Equal(want) {
			t.Fatalf("%s: key expires %v, want %v", path, k.ExpiresAt, want)
		}
		// The token makes the calls its scopes allow, and no other.
		wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
		forbidden := call(t, srv, tok, "POST", "/crm/v3/objects/contacts", `{"properties":{}}`)
		wantStatus(t, forbidden, http.StatusForbidden)
		if forbidden.json(t)["category"] != "MISSING_SCOPES" {
			t.Fatalf("%s: %s", path, forbidden.body)
		}
	}
	if n := srv.TokenEndpointCalls(); n != 2 {
		t.Fatalf("TokenEndpointCalls = %d, want 2", n)
	}

	// At expiry, on the server's clock: 401 EXPIRED_AUTHENTICATION.
	tok := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))
	fake.Advance(4999 * time.Millisecond)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	fake.Advance(time.Millisecond)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, http.StatusUnauthorized)
	m := r.json(t)
	if m["category"] != "EXPIRED_AUTHENTICATION" || m["status"] != "error" || m["correlationId"] == "" ||
		m["message"] != "The OAuth token used to make this call expired 0 minute(s) ago." {
		t.Fatalf("expired answer %s", r.body)
	}
	fake.Advance(2*time.Minute + time.Second)
	r = call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
	if m := r.json(t); m["message"] != "The OAuth token used to make this call expired 2 minute(s) ago." {
		t.Fatalf("expired answer %s", r.body)
	}
	// A private-app token past a rotation's grace period keeps the plain
	// INVALID_AUTHENTICATION answer.
	pat := srv.NewToken("crm.objects.contacts.read")
	srv.RotateToken(pat, hubspottest.ExpireNow)
	r = call(t, srv, pat, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, http.StatusUnauthorized)
	if r.json(t)["category"] != "INVALID_AUTHENTICATION" {
		t.Fatalf("rotated private-app token: %s", r.body)
	}
}

func TestOAuthTokenEndpointErrors(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	otherID, otherSecret, otherRefresh := srv.NewOAuthApp("crm.objects.deals.read")
	ok := refreshForm(id, secret, refresh)
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range ok {
			f[key] = vs
		}
		f.Set(k, v)
		return f
	}
	for name, tc := range map[string]struct {
		form       url.Values
		path       string
		query      string
		wantStatus int
		wantCode   string
		wantError  string // RFC 6749's code
	}{
		"grant type":            {with("grant_type", "client_credentials"), "/oauth/v3/token", "", 400, "BAD_GRANT_TYPE", "unsupported_grant_type"},
		"no grant type":         {with("grant_type", ""), "/oauth/v3/token", "", 400, "BAD_GRANT_TYPE", "unsupported_grant_type"},
		"client id":             {with("client_id", "nobody"), "/oauth/v3/token", "", 400, "BAD_CLIENT_ID", "invalid_client"},
		"client secret":         {with("client_secret", otherSecret), "/oauth/v3/token", "", 400, "BAD_CLIENT_ID", "invalid_client"},
		"refresh token":         {with("refresh_token", "na1-0000"), "/oauth/v3/token", "", 400, "BAD_REFRESH_TOKEN", "invalid_grant"},
		"other app's token":     {with("refresh_token", otherRefresh), "/oauth/v3/token", "", 400, "BAD_REFRESH_TOKEN", "invalid_grant"},
		"v3 query parameters":   {url.Values{}, "/oauth/v3/token", ok.Encode(), 400, "BAD_REQUEST", "invalid_request"},
		"v1 query parameters":   {url.Values{}, "/oauth/v1/token", ok.Encode(), 200, "", ""},
		"v1 body over query":    {ok, "/oauth/v1/token", with("refresh_token", "wrong").Encode(), 200, "", ""},
		"other app, own secret": {refreshForm(otherID, otherSecret, otherRefresh), "/oauth/v3/token", "", 200, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := postForm(t, srv, tc.path, tc.form, tc.query)
			wantStatus(t, r, tc.wantStatus)
			if tc.wantCode != "" {
				m := r.json(t)
				if m["status"] != tc.wantCode || str(m["message"]) == "" || str(m["correlationId"]) == "" ||
					m["error"] != tc.wantError || m["error_description"] != m["message"] {
					t.Fatalf("answer %s, want status %s and error %s", r.body, tc.wantCode, tc.wantError)
				}
			}
			if r.status != http.StatusOK { // a success echoes the refresh token, as HubSpot's does
				for _, s := range []string{secret, refresh, otherSecret, otherRefresh} {
					secretstest.AssertNoLeak(t, "answer", string(r.body), s)
				}
			}
		})
	}

	// Not a form POST.
	wantStatus(t, call(t, srv, "", "GET", "/oauth/v3/token", nil), http.StatusMethodNotAllowed)
	wantStatus(t, call(t, srv, "", "POST", "/oauth/v3/token", `{"grant_type":"refresh_token"}`), http.StatusUnsupportedMediaType)
	big := url.Values{"grant_type": {"refresh_token"}, "pad": {strings.Repeat("x", 70<<10)}}
	wantStatus(t, postForm(t, srv, "/oauth/v3/token", big, ""), http.StatusRequestEntityTooLarge)

	// Revoking the refresh token refuses it from then on; the access token
	// issued before keeps working until it expires.
	tok := tokenOf(t, postForm(t, srv, "/oauth/v3/token", ok, ""))
	srv.RevokeRefreshToken(refresh)
	r := postForm(t, srv, "/oauth/v3/token", ok, "")
	wantStatus(t, r, http.StatusBadRequest)
	if r.json(t)["status"] != "BAD_REFRESH_TOKEN" {
		t.Fatalf("revoked: %s", r.body)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)

	// Every call reached the counter and the journal, and neither the
	// journal nor the server's log holds a secret.
	calls := 0
	for _, c := range srv.Journal() {
		if strings.HasPrefix(c.Path, "/oauth/") {
			calls++
			if c.TokenFingerprint != "" || !strings.HasPrefix(c.Note, "oauth token endpoint: ") {
				t.Fatalf("journal entry %+v", c)
			}
		}
	}
	if int64(calls) != srv.TokenEndpointCalls() || calls != 15 {
		t.Fatalf("journal has %d token calls, counter %d, want 15", calls, srv.TokenEndpointCalls())
	}
	dump := fmt.Sprintf("%+v", srv.Journal())
	for _, s := range []string{secret, refresh, otherSecret, otherRefresh, tok} {
		secretstest.AssertNoLeak(t, "journal", dump, s)
	}
}

func TestOAuthAuthorizationCode(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	const redirect = "https://app.example.com/oauth/callback"
	exchange := func(code, redirectURI string) resp {
		return postForm(t, srv, "/oauth/v3/token", url.Values{
			"grant_type": {"authorization_code"}, "client_id": {id}, "client_secret": {secret},
			"code": {code}, "redirect_uri": {redirectURI},
		}, "")
	}
	code := srv.NewOAuthCode(id, redirect)
	r := exchange(code, "https://evil.example.com/cb")
	wantStatus(t, r, http.StatusBadRequest)
	if r.json(t)["status"] != "BAD_REDIRECT_URI" {
		t.Fatalf("wrong redirect: %s", r.body)
	}
	r = exchange(code, redirect)
	tok := tokenOf(t, r)
	newRefresh := str(r.json(t)["refresh_token"])
	if newRefresh == "" || newRefresh == refresh {
		t.Fatalf("code exchange gave refresh token %q", newRefresh)
	}
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	// A code is good once.
	r = exchange(code, redirect)
	if r.status != http.StatusBadRequest || r.json(t)["status"] != "BAD_AUTH_CODE" {
		t.Fatalf("second use: %d %s", r.status, r.body)
	}
	// And only for OAuthCodeLifetime.
	stale := srv.NewOAuthCode(id, redirect)
	fake.Advance(hubspottest.OAuthCodeLifetime)
	if r = exchange(stale, redirect); r.status != http.StatusBadRequest || r.json(t)["status"] != "BAD_AUTH_CODE" {
		t.Fatalf("stale code: %d %s", r.status, r.body)
	}
	// The new installation's refresh token refreshes.
	tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, newRefresh), ""))
}

// hubkey's own OAuth provider works against the server: expiry from
// expires_in on the shared clock, revocation as ErrInvalidGrant, and the
// code exchange.
func TestOAuthWithHubkeyProvider(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	var logs strings.Builder
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithOAuthTokenLifetime(90*time.Second),
		hubspottest.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	p, err := oauth.New(oauth.Config{
		ClientID:     id,
		ClientSecret: secretstest.NewStatic(secret),
		RefreshToken: secretstest.NewStatic(refresh),
		TokenURL:     srv.OAuthTokenURL(),
		Clock:        fake,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v, err := p.Fetch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := fake.Now().Add(90 * time.Second); !v.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt %v, want %v", v.ExpiresAt, want)
	}
	if k, ok := srv.Key(v.Value.Reveal()); !ok || !k.ExpiresAt.Equal(v.ExpiresAt) {
		t.Fatalf("server key %+v, provider expiry %v", k, v.ExpiresAt)
	}

	code := srv.NewOAuthCode(id, "https://app.example.com/cb")
	first, err := oauth.Exchange(ctx, oauth.Config{ClientID: id, ClientSecret: secretstest.NewStatic(secret), TokenURL: srv.OAuthTokenURL(), Clock: fake},
		code, "https://app.example.com/cb", "")
	if err != nil {
		t.Fatal(err)
	}
	if first.RefreshToken.IsZero() || first.ExpiresIn != 90*time.Second {
		t.Fatalf("exchange gave %+v", first)
	}

	srv.RevokeRefreshToken(refresh)
	_, err = p.Fetch(ctx)
	if !errors.Is(err, oauth.ErrInvalidGrant) {
		t.Fatalf("after revocation: %v, want oauth.ErrInvalidGrant", err)
	}
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.StatusCode != http.StatusBadRequest || oe.Code != "invalid_grant" {
		t.Fatalf("after revocation: %#v", oe)
	}
	for _, s := range []string{secret, refresh, v.Value.Reveal(), first.RefreshToken.Reveal(), first.AccessToken.Reveal()} {
		secretstest.AssertNoLeak(t, "error", err.Error(), s)
		secretstest.AssertNoLeak(t, "server log", logs.String(), s)
	}
}

// Access tokens of one app share its rate-limit budget across refreshes,
// as one app's calls share HubSpot's limits.
func TestOAuthTokensShareTheAppRateLimit(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake), hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 2, Interval: 10 * time.Second}))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	tok1 := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))
	wantStatus(t, call(t, srv, tok1, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	tok2 := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))
	if tok1 == tok2 {
		t.Fatal("a refresh returned the same access token")
	}
	wantStatus(t, call(t, srv, tok2, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	wantStatus(t, call(t, srv, tok1, "GET", "/crm/v3/objects/contacts", nil), http.StatusTooManyRequests)
	// A token revoked by hand does not stop the app getting new ones.
	srv.RevokeToken(tok2)
	fake.Advance(10 * time.Second)
	tok3 := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))
	wantStatus(t, call(t, srv, tok3, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	wantStatus(t, call(t, srv, tok2, "GET", "/crm/v3/objects/contacts", nil), http.StatusUnauthorized)
}

func TestOAuthLifetimeMustBeWholeSeconds(t *testing.T) {
	for _, d := range []time.Duration{-time.Second, 500 * time.Millisecond, 1500 * time.Millisecond} {
		srv, err := hubspottest.Start(hubspottest.WithOAuthTokenLifetime(d))
		if err == nil {
			srv.Close()
			t.Fatalf("lifetime %v accepted", d)
		}
		if !strings.Contains(err.Error(), "WithOAuthTokenLifetime") {
			t.Fatalf("error %q does not name the option", err)
		}
	}
}

// An OAuth app's refresh token turns into access tokens that the CRM
// endpoints accept until they expire.
func ExampleServer_NewOAuthApp() {
	fake := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(exampleT, hubspottest.WithClock(fake), hubspottest.WithOAuthTokenLifetime(time.Minute))
	defer srv.Close()
	clientID, clientSecret, refreshToken := srv.NewOAuthApp("crm.objects.contacts.read")

	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID},
		"client_secret": {clientSecret}, "refresh_token": {refreshToken}}
	res, err := http.Post(srv.OAuthTokenURL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		fmt.Println(err)
		return
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	fmt.Println(res.StatusCode, tok.ExpiresIn)

	get := func() {
		req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		res, _ := http.DefaultClient.Do(req)
		var body struct{ Category string }
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprint(res.StatusCode, " ", body.Category)))
	}
	get()
	fake.Advance(time.Minute)
	get()
	fmt.Println(srv.TokenEndpointCalls())
	// Output:
	// 200 60
	// 200
	// 401 EXPIRED_AUTHENTICATION
	// 1
}

// The token endpoint's success body carries what HubSpot's OAuth guide
// shows besides the tokens: token_type, the account (hub_id) and the
// scopes granted.
func TestOAuthTokenBodyNamesAccountAndScopes(t *testing.T) {
	srv := hubspottest.NewServer(t)
	srv.SetAccount(hubspottest.Account{PortalID: 4242})
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read", "crm.objects.deals.write")
	for _, path := range []string{"/oauth/v1/token", "/oauth/v3/token"} {
		r := postForm(t, srv, path, refreshForm(id, secret, refresh), "")
		wantStatus(t, r, http.StatusOK)
		var body struct {
			TokenType string   `json:"token_type"`
			TokenUse  string   `json:"token_use"`
			HubID     int64    `json:"hub_id"`
			Scopes    []string `json:"scopes"`
			ExpiresIn int64    `json:"expires_in"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		if body.TokenType != "bearer" || body.TokenUse != "access_token" || body.HubID != 4242 || body.ExpiresIn != 1800 ||
			strings.Join(body.Scopes, " ") != "oauth crm.objects.contacts.read crm.objects.deals.write" {
			t.Errorf("%s: %+v", path, body)
		}
	}
}

// Token introspection (GET /oauth/v1/access-tokens/{token} and
// /oauth/v1/refresh-tokens/{token}) and refresh-token revocation (DELETE
// /oauth/v1/refresh-tokens/{token}), as a key-hygiene tool calls them to
// revoke a leaked refresh token. Unknown, expired and revoked tokens are
// 404, and no answer but the token's own info echoes a token.
func TestOAuthTokenIntrospectionAndRevocation(t *testing.T) {
	fake := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(fake))
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	access := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))

	r := call(t, srv, "", "GET", "/oauth/v1/access-tokens/"+access, nil)
	wantStatus(t, r, http.StatusOK)
	a := r.json(t)
	if a["token"] != access || a["token_type"] != "access" || a["hub_id"] != float64(srv.Account().PortalID) ||
		a["expires_in"] != float64(1800) || a["app_id"] == nil || a["user_id"] == nil || fmt.Sprint(a["scopes"]) != "[oauth crm.objects.contacts.read]" {
		t.Fatalf("access token info %s", r.body)
	}
	fake.Advance(10 * time.Minute)
	if r := call(t, srv, "", "GET", "/oauth/v1/access-tokens/"+access, nil); r.json(t)["expires_in"] != float64(1200) {
		t.Fatalf("expires_in after 10 minutes: %s", r.body)
	}

	r = call(t, srv, "", "GET", "/oauth/v1/refresh-tokens/"+refresh, nil)
	wantStatus(t, r, http.StatusOK)
	if b := r.json(t); b["token"] != refresh || b["token_type"] != "refresh" || b["client_id"] != id || b["hub_id"] != float64(srv.Account().PortalID) {
		t.Fatalf("refresh token info %s", r.body)
	}

	// A private app token is not an OAuth access token.
	pat := srv.NewToken("crm.objects.contacts.read")
	for _, tc := range []struct{ method, path, secret string }{
		{"GET", "/oauth/v1/access-tokens/" + pat, pat},
		{"GET", "/oauth/v1/access-tokens/oauth-na1-unknown", ""},
		{"GET", "/oauth/v1/refresh-tokens/" + access, access},
		{"DELETE", "/oauth/v1/refresh-tokens/na1-unknown", ""},
	} {
		r := call(t, srv, "", tc.method, tc.path, nil)
		if r.status != http.StatusNotFound || r.json(t)["category"] != "OBJECT_NOT_FOUND" {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.status, r.body)
		}
		if tc.secret != "" {
			secretstest.AssertNoLeak(t, "404 answer", string(r.body), tc.secret)
		}
	}

	// Revocation refuses the refresh token from then on; the access token
	// issued before keeps working until it expires.
	wantStatus(t, call(t, srv, "", "DELETE", "/oauth/v1/refresh-tokens/"+refresh, nil), http.StatusNoContent)
	wantStatus(t, call(t, srv, "", "GET", "/oauth/v1/refresh-tokens/"+refresh, nil), http.StatusNotFound)
	wantStatus(t, call(t, srv, "", "DELETE", "/oauth/v1/refresh-tokens/"+refresh, nil), http.StatusNotFound)
	r = postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), "")
	if wantStatus(t, r, http.StatusBadRequest); r.json(t)["error"] != "invalid_grant" {
		t.Fatalf("refresh after revocation: %s", r.body)
	}
	wantStatus(t, call(t, srv, access, "GET", "/crm/v3/objects/contacts", nil), http.StatusOK)
	fake.Advance(20 * time.Minute)
	wantStatus(t, call(t, srv, "", "GET", "/oauth/v1/access-tokens/"+access, nil), http.StatusNotFound)

	// The journal shows the token paths redacted and notes by fingerprint.
	dump := fmt.Sprintf("%+v", srv.Journal())
	for _, s := range []string{secret, refresh, access, pat} {
		secretstest.AssertNoLeak(t, "journal", dump, s)
	}
}
