package vault

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// These tests need no Vault server.

// newOfflineClient returns a client for an address where nothing listens,
// with a token and no retries.
func newOfflineClient(t testing.TB) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = "http://127.0.0.1:1"
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken("hvs.offline-test-token-0123456789")
	return c
}

func TestNewSessionErrors(t *testing.T) {
	if _, err := NewSession(nil); err == nil || !strings.Contains(err.Error(), "*api.Client") {
		t.Errorf("NewSession(nil) = %v", err)
	}
	c := newOfflineClient(t)
	c.ClearToken()
	if _, err := NewSession(c); err == nil || !strings.Contains(err.Error(), "VAULT_TOKEN") {
		t.Errorf("NewSession without a token = %v, want it to say how to give one", err)
	}
	for name, opt := range map[string]SessionOption{
		"nil auth":     WithAuth(nil),
		"nil logger":   WithLogger(nil),
		"zero timeout": WithLoginTimeout(0),
	} {
		if _, err := NewSession(newOfflineClient(t), opt); err == nil {
			t.Errorf("%s: NewSession accepted it", name)
		}
	}
	if _, err := NewAppRoleAuth(" ", nil); err == nil {
		t.Error("NewAppRoleAuth accepted an empty role ID")
	}
	if _, err := NewKubernetesAuth("", nil); err == nil {
		t.Error("NewKubernetesAuth accepted an empty role")
	}
	if _, err := NewAppRoleAuth("r", nil, WithMountPath("a/../b")); err == nil {
		t.Error("WithMountPath accepted a .. segment")
	}
	if _, err := NewTokenAuth(nil); err == nil {
		t.Error("NewTokenAuth accepted a nil provider")
	}
	ka, err := NewKubernetesAuth("app", nil)
	if err != nil || ka.mount != "kubernetes" {
		t.Fatalf("NewKubernetesAuth defaults: %v", err)
	}
}

// The Session works on its own copy of the client: neither side's token
// leaks into the other.
func TestSessionCopiesClient(t *testing.T) {
	c := newOfflineClient(t)
	c.SetNamespace("team-a")
	s, err := NewSession(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.client == c || s.client.Token() != "" {
		t.Error("the Session shares the caller's client or its token")
	}
	if s.client.Namespace() != "team-a" || s.Address() != c.Address() {
		t.Errorf("the Session's client lost the namespace or the address: %q %q", s.client.Namespace(), s.Address())
	}
	c.SetToken("other")
	if s.client.Token() != "" {
		t.Error("a token set on the caller's client reached the Session's")
	}
}

// Against an address where nothing listens, errors name the path and the
// login, and carry no token.
func TestUnreachableVault(t *testing.T) {
	c := newOfflineClient(t)
	tok := c.Token()
	var logs logBuffer
	s, err := NewSession(c, WithLogger(newLogger(&logs)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := NewKV2(s, "secret", "hubspot", WithField("token"))
	_, err = p.Fetch(context.Background())
	if !errors.Is(err, ErrLogin) || !strings.Contains(err.Error(), "vault:secret/hubspot#token") {
		t.Fatalf("Fetch = %v, want a login error naming the secret", err)
	}
	if st := s.Stats(); st.LoginFailures != 1 || st.Logins != 0 {
		t.Errorf("stats %+v", st)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), tok)
	secretstest.AssertNoLeak(t, "logs", logs.String(), tok)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with a cancelled context = %v", err)
	}
}

func TestVaultMessages(t *testing.T) {
	tok := secrets.New("hvs.leaky")
	err := &api.ResponseError{StatusCode: 403, Errors: []string{"2 errors occurred:\n\t* permission denied\n\t* invalid token hvs.leaky\n\n"}}
	got := vaultMessages(err, tok)
	if got != "permission denied; invalid token "+secrets.Redacted {
		t.Errorf("vaultMessages = %q", got)
	}
	raw := &api.ResponseError{StatusCode: 502, RawError: true, Errors: []string{"<html>" + strings.Repeat("x", 5000)}}
	if got := vaultMessages(raw); got != "non-JSON error body" {
		t.Errorf("vaultMessages of a raw body = %q", got)
	}
	long := &api.ResponseError{StatusCode: 500, Errors: []string{strings.Repeat("y", 1000)}}
	if got := vaultMessages(long); len(got) > 310 {
		t.Errorf("vaultMessages is %d bytes long", len(got))
	}
}

func TestDecodeDoesNotQuoteTheBody(t *testing.T) {
	var out kv2Response
	err := decode([]byte(`{"data":{"data":{"token":"pat-secret`), &out, "secret/data/x")
	if !errors.Is(err, secrets.ErrMalformed) {
		t.Fatalf("decode = %v", err)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), "pat-secret")
	err = decode([]byte(`{"data": 1xpat-secret}`), &out, "secret/data/x")
	secretstest.AssertNoLeak(t, "error", err.Error(), "xpat-secret")
}

func TestVersionMetaCheck(t *testing.T) {
	if err := (kv2VersionMeta{DeletionTime: "2999-01-01T00:00:00Z"}).check(3); err != nil {
		t.Errorf("a scheduled deletion in the future counts as deleted: %v", err)
	}
	if err := (kv2VersionMeta{DeletionTime: "2001-01-01T00:00:00Z"}).check(3); !errors.Is(err, ErrVersionDeleted) {
		t.Errorf("a past deletion: %v", err)
	}
	if err := (kv2VersionMeta{Destroyed: true}).check(3); !errors.Is(err, ErrVersionDestroyed) {
		t.Errorf("destroyed: %v", err)
	}
}
