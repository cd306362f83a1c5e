package fakeconjur_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cyberark/conjur-api-go/conjurapi"
	"github.com/cyberark/conjur-api-go/conjurapi/authn"
	"github.com/cyberark/conjur-api-go/conjurapi/response"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakeconjur"
	"github.com/hubkey/hubkey/secrets"
)

// These tests drive the fake with conjur-api-go itself, so that what the
// fake accepts is what the real client sends.

const login = "host/myapp"

func config(s *fakeconjur.Server) conjurapi.Config {
	return conjurapi.Config{ApplianceURL: s.URL, Account: s.Account, CredentialStorage: conjurapi.CredentialStorageNone}
}

func keyClient(t *testing.T, s *fakeconjur.Server, login, key string) *conjurapi.Client {
	t.Helper()
	c, err := conjurapi.NewClientFromKey(config(s), authn.LoginPair{Login: login, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func conjurError(t *testing.T, err error) *response.ConjurError {
	t.Helper()
	var ce *response.ConjurError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *response.ConjurError", err)
	}
	return ce
}

func TestAPIKeyAuthAndSecrets(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.SetVariable("hubspot/token", "v1-value")
	s.SetVariable("hubspot/token", "v2-value")
	s.SetVariable("hubspot/signing-key", "key-value")
	s.Permit(login, "hubspot/token", "read", "execute")
	s.Permit(login, "hubspot/signing-key", "execute")

	c := keyClient(t, s, login, key)
	got, err := c.RetrieveSecret("hubspot/token")
	if err != nil || string(got) != "v2-value" {
		t.Fatalf("RetrieveSecret = %q, %v", got, err)
	}
	got, err = c.RetrieveSecretWithVersion("hubspot/token", 1)
	if err != nil || string(got) != "v1-value" {
		t.Fatalf("RetrieveSecretWithVersion(1) = %q, %v", got, err)
	}
	_, err = c.RetrieveSecretWithVersion("hubspot/token", 7)
	if ce := conjurError(t, err); ce.Code != 404 || ce.Details == nil || ce.Details.Code != "not_found" {
		t.Fatalf("missing version: %+v", ce)
	}

	batch, err := c.RetrieveBatchSecrets([]string{"hubspot/token", "hubspot/signing-key"})
	if err != nil {
		t.Fatal(err)
	}
	if string(batch["myorg:variable:hubspot/token"]) != "v2-value" || string(batch["myorg:variable:hubspot/signing-key"]) != "key-value" {
		t.Fatalf("batch = %q", batch)
	}
	long := strings.Repeat("x", 100) // Base64.encode64 wraps at 60 characters
	s.SetVariable("hubspot/signing-key", long)
	safe, err := c.RetrieveBatchSecretsSafe([]string{"hubspot/token", "hubspot/signing-key"})
	if err != nil {
		t.Fatal(err)
	}
	if string(safe["myorg:variable:hubspot/signing-key"]) != long {
		t.Fatalf("base64 batch = %q", safe)
	}

	res, err := c.Resource("myorg:variable:hubspot/token")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res["secrets"])
	if string(b) != `[{"expires_at":null,"version":1},{"expires_at":null,"version":2}]` {
		t.Fatalf("resource secrets = %s", b)
	}

	var sawBatch, sawAuthn bool
	for _, r := range s.Journal() {
		if r.Path == "/secrets/" && strings.Contains(r.RawQuery, "%2C") && strings.HasPrefix(r.RawQuery, "variable_ids=myorg%3Avariable%3Ahubspot%2Ftoken") {
			sawBatch = true
		}
		if r.Path == "/authn/myorg/host%2Fmyapp/authenticate" && r.Status == 200 && r.Credential == secrets.New(key).Fingerprint() {
			sawAuthn = true
		}
	}
	if !sawBatch || !sawAuthn {
		t.Fatalf("journal lacks the client's batch URL (%v) or escaped login (%v): %+v", sawBatch, sawAuthn, s.Journal())
	}
	if n := s.Authentications(login); n != 1 {
		t.Fatalf("authenticated %d times, want 1 (the client reuses its token)", n)
	}
}

func TestAddSecretNeedsUpdate(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.DeclareVariable("v")
	s.Permit(login, "v", "read", "execute")
	c := keyClient(t, s, login, key)

	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 404 {
		t.Fatalf("declared variable without value: %v", err)
	}
	if err := c.AddSecret("v", "new"); conjurError(t, err).Code != 403 {
		t.Fatalf("AddSecret without update: %v", err)
	}
	s.Permit(login, "v", "update")
	if err := c.AddSecret("v", "new"); err != nil {
		t.Fatal(err)
	}
	if value, n, ok := s.Variable("v"); !ok || value != "new" || n != 1 {
		t.Fatalf("Variable = %q, %d, %v", value, n, ok)
	}
}

func TestKeepsTwentyVersions(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.Permit(login, "v", "execute")
	for i := 1; i <= 25; i++ {
		s.SetVariable("v", strings.Repeat("a", i))
	}
	c := keyClient(t, s, login, key)
	if _, err := c.RetrieveSecretWithVersion("v", 5); conjurError(t, err).Code != 404 {
		t.Fatalf("version 5 of 25: %v", err)
	}
	if got, err := c.RetrieveSecretWithVersion("v", 6); err != nil || len(got) != 6 {
		t.Fatalf("version 6 = %q, %v", got, err)
	}
}

func TestRefusals(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.SetVariable("readonly", "x")
	s.SetVariable("hidden", "x")
	s.Permit(login, "readonly", "read")
	c := keyClient(t, s, login, key)

	_, err := c.RetrieveSecret("readonly")
	if ce := conjurError(t, err); ce.Code != 403 {
		t.Fatalf("read without execute: %+v", ce)
	}
	_, err = c.RetrieveSecret("hidden")
	if ce := conjurError(t, err); ce.Code != 404 || ce.Details == nil || ce.Details.Code != "not_found" || ce.Details.Message != "CONJ00076E Variable myorg:variable:hidden is empty or not found." {
		t.Fatalf("no privilege: %+v", ce)
	}
	_, err = c.RetrieveBatchSecrets([]string{"readonly", "nope"})
	if ce := conjurError(t, err); ce.Code != 404 || !strings.Contains(ce.Error(), "myorg:variable:nope") {
		t.Fatalf("batch with a missing variable: %v", ce)
	}
	_, err = c.RetrieveBatchSecrets([]string{"readonly"})
	if ce := conjurError(t, err); ce.Code != 403 {
		t.Fatalf("batch without execute: %v", ce)
	}

	bad := keyClient(t, s, login, key+"x")
	if _, err := bad.RetrieveSecret("readonly"); conjurError(t, err).Code != 401 {
		t.Fatalf("wrong API key: %v", err)
	}
	s.RevokeAPIKey(login)
	if _, err := keyClient(t, s, login, key).RetrieveSecret("readonly"); conjurError(t, err).Code != 401 {
		t.Fatalf("revoked API key: %v", err)
	}
	if st := s.Stats(); st.FailedAuthentications != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestTokenExpiryAndInvalidation(t *testing.T) {
	clk := clock.NewFake(time.Now())
	s := fakeconjur.New(fakeconjur.WithClock(clk))
	defer s.Close()
	key := s.AddRole(login)
	s.SetVariable("v", "x")
	s.Permit(login, "v", "execute")
	c := keyClient(t, s, login, key)
	if _, err := c.RetrieveSecret("v"); err != nil {
		t.Fatal(err)
	}
	// The library judges its token by the system clock, which has not
	// moved: it sends the same token, which the server's clock says expired.
	clk.Advance(fakeconjur.DefaultTokenTTL)
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 401 {
		t.Fatalf("expired token: %v", err)
	}
	if err := c.ForceRefreshToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RetrieveSecret("v"); err != nil {
		t.Fatal(err)
	}
	s.InvalidateTokens()
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 401 {
		t.Fatalf("token signed by a replaced key: %v", err)
	}
	if st := s.Stats(); st.Unauthorized != 2 || st.Authentications != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestAuthorizationHeaderChecked(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	s.AddRole(login)
	s.SetVariable("v", "x")
	s.Permit(login, "v", "execute")
	good := base64.StdEncoding.EncodeToString([]byte(s.IssueToken(login)))
	forged := s.IssueToken(login)
	forged = strings.Replace(forged, `"signature":"`, `"signature":"AA`, 1)
	for name, h := range map[string]string{
		"none":      "",
		"bearer":    "Bearer " + good,
		"unquoted":  "Token token=" + good,
		"forged":    `Token token="` + base64.StdEncoding.EncodeToString([]byte(forged)) + `"`,
		"not json":  `Token token="` + base64.StdEncoding.EncodeToString([]byte("nope")) + `"`,
		"good":      `Token token="` + good + `"`,
		"not b64":   `Token token="%%%"`,
		"unknown":   `Token token="` + base64.StdEncoding.EncodeToString([]byte(s.IssueToken("host/ghost"))) + `"`,
		"truncated": `Token token="`,
	} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/secrets/myorg/variable/v", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := http.StatusUnauthorized
		if name == "good" {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, want)
		}
		if want == http.StatusUnauthorized && len(body) != 0 {
			t.Errorf("%s: 401 with a body (%d bytes); Conjur sends none", name, len(body))
		}
	}
}

func TestJWTAuthenticator(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	s.AddRole(login)
	s.SetVariable("v", "x")
	s.Permit(login, "v", "execute")
	iss := s.AddJWTService("k8s", login)

	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	first := iss.Sign("myapp", time.Hour)
	if err := os.WriteFile(path, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config(s)
	cfg.AuthnType, cfg.ServiceID, cfg.JWTFilePath = "jwt", "k8s", path
	c, err := conjurapi.NewClientFromJwt(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.RetrieveSecret("v"); err != nil || string(got) != "x" {
		t.Fatalf("RetrieveSecret = %q, %v", got, err)
	}

	// The library keeps the first JWT it read: after the file changes, a
	// refresh still sends the old one. (hubkey's provider works around it.)
	second := iss.Sign("myapp", time.Hour)
	if err := os.WriteFile(path, []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.ForceRefreshToken(); err != nil {
		t.Fatal(err)
	}
	j := s.Journal()
	if last := j[len(j)-1]; last.Path != "/authn-jwt/k8s/myorg/authenticate" || last.Credential != secrets.New(first).Fingerprint() {
		t.Fatalf("refresh after the JWT file changed sent %+v; want the first JWT again (the library's known behaviour)", last)
	}

	// With the host in the URL, the subject must name it.
	cfg.JWTHostID = login
	cfg.JWTContent = iss.Sign("other", time.Hour)
	c2, err := conjurapi.NewClientFromJwt(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.RetrieveSecret("v"); conjurError(t, err).Code != 401 {
		t.Fatalf("JWT for another host: %v", err)
	}
	j = s.Journal()
	if last := j[len(j)-1]; last.Path != "/authn-jwt/k8s/myorg/host%2Fmyapp/authenticate" {
		t.Fatalf("host in the URL: %+v", last)
	}
}

func TestJWTRefusals(t *testing.T) {
	clk := clock.NewFake(time.Now())
	s := fakeconjur.New(fakeconjur.WithClock(clk))
	defer s.Close()
	s.AddRole(login)
	s.AddRole("host/other")
	iss := s.AddJWTService("k8s", login)
	stranger := s.AddJWTService("ci", login)
	post := func(service, jwt string) int {
		resp, err := s.Client().Post(s.URL+"/authn-jwt/"+service+"/myorg/authenticate", "application/x-www-form-urlencoded", strings.NewReader("jwt="+jwt))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("k8s", iss.Sign("myapp", time.Minute)); got != 200 {
		t.Fatalf("valid JWT: %d", got)
	}
	expired := iss.Sign("myapp", time.Minute)
	clk.Advance(2 * time.Minute)
	for name, jwt := range map[string]string{
		"expired":         expired,
		"other issuer":    stranger.Sign("myapp", time.Minute),
		"host not listed": iss.Sign("other", time.Minute),
		"no such host":    iss.Sign("ghost", time.Minute),
		"garbage":         "a.b.c",
		"empty":           "",
	} {
		if got := post("k8s", jwt); got != 401 {
			t.Errorf("%s: status %d, want 401", name, got)
		}
	}
	if got := post("nope", iss.Sign("myapp", time.Minute)); got != 401 {
		t.Errorf("unknown service: %d", got)
	}
}

func TestFailNext(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.SetVariable("v", "x")
	s.Permit(login, "v", "execute")
	c := keyClient(t, s, login, key)
	s.FailNext("/secrets/", http.StatusServiceUnavailable, 1)
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 503 {
		t.Fatalf("injected 503: %v", err)
	}
	if _, err := c.RetrieveSecret("v"); err != nil {
		t.Fatalf("after the injected failure: %v", err)
	}
}

// TestTokenPayloadIsURLSafeBase64 records why hubkey parses access tokens
// itself: Conjur (Slosilo) encodes the payload with URL-safe base64, which
// conjur-api-go decodes as standard base64, so a token whose payload
// happens to contain '-' or '_' is refused by the library.
func TestTokenPayloadIsURLSafeBase64(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	refused := 0
	for _, l := range []string{"host/a?", "host/ab?", "host/abc?"} {
		raw := s.IssueToken(l)
		var tok struct{ Payload string }
		if err := json.Unmarshal([]byte(raw), &tok); err != nil {
			t.Fatal(err)
		}
		if !strings.ContainsAny(tok.Payload, "-_") {
			continue
		}
		if _, err := authn.NewToken([]byte(raw)); err != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("no token had a URL-safe payload that the library refuses; the premise of hubkey's own token parsing changed")
	}
}

func TestDenyAndDeleteRole(t *testing.T) {
	s := fakeconjur.New()
	defer s.Close()
	key := s.AddRole(login)
	s.SetVariable("v", "x")
	s.Permit(login, "v", "read", "execute")
	c := keyClient(t, s, login, key)
	if _, err := c.RetrieveSecret("v"); err != nil {
		t.Fatal(err)
	}
	s.Deny(login, "v", "execute")
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 403 {
		t.Fatalf("after Deny(execute): %v", err)
	}
	s.Deny(login, "v")
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 404 {
		t.Fatalf("after Deny(all): %v", err)
	}
	s.Permit(login, "v", "execute")
	s.DeleteRole(login)
	if _, err := c.RetrieveSecret("v"); conjurError(t, err).Code != 401 {
		t.Fatalf("token of a deleted role: %v", err)
	}
}
