package cyberark_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hubkey/hubkey/internal/fakecyberark"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	safe         = "HubSpot Tokens"
	accountName  = "hubspot-private-app"
	clientID     = "hubkey-svc@cyberark.cloud.1234"
	clientSecret = "client-secret-7f3a9c1e5b2d"
	username     = "svc-hubkey"
	userPassword = "pvwa-password-4e8b2a6d0c1f"
	firstToken   = "pat-na1-11111111-2222-3333-4444-555555555555"
	appID        = "HubKeyApp"
	appCN        = "hubkey-app.example.com"
)

// env is a fake CyberArk with one account in one safe, an identity client
// and a PVWA user who are members of that safe, and a CCP application.
type env struct {
	fake         *fakecyberark.Server
	id           string // the account's id
	clientSecret *secretstest.Static
	userPassword *secretstest.Static
	certPEM      *secretstest.Static
	keyPEM       *secretstest.Static
}

func newEnv(t testing.TB, opts ...fakecyberark.Option) *env {
	t.Helper()
	f, err := fakecyberark.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	must(t, f.AddOAuthClient(clientID, clientSecret))
	must(t, f.AddUser("CyberArk", username, userPassword))
	must(t, f.Grant(clientID, safe, true))
	must(t, f.Grant(username, safe, true))
	id, err := f.AddAccount(fakecyberark.Account{Safe: safe, Name: accountName, UserName: "hubspot", Address: "api.hubapi.com", PlatformID: "HubSpotToken", Password: firstToken})
	must(t, err)
	must(t, f.AddApplication(fakecyberark.App{ID: appID, Safes: []string{safe}, RequireCert: true, CertCN: appCN}))
	cert, key, err := f.IssueClientCert(appCN)
	must(t, err)
	return &env{
		fake:         f,
		id:           id,
		clientSecret: secretstest.NewStatic(clientSecret),
		userPassword: secretstest.NewStatic(userPassword),
		certPEM:      secretstest.NewStatic(string(cert)),
		keyPEM:       secretstest.NewStatic(string(key)),
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cloud returns a Privilege Cloud provider (platform token) for the
// account; it is closed when the test ends.
func (e *env) cloud(t testing.TB, opts ...cyberark.Option) *cyberark.PVWA {
	t.Helper()
	return e.pvwa(t, accountName, cyberark.PlatformToken(e.fake.IdentityURL(), clientID, e.clientSecret), opts...)
}

// selfHosted returns a self-hosted PVWA provider (logon session).
func (e *env) selfHosted(t testing.TB, opts ...cyberark.Option) *cyberark.PVWA {
	t.Helper()
	return e.pvwa(t, accountName, cyberark.Logon(cyberark.MethodCyberArk, username, e.userPassword), opts...)
}

func (e *env) pvwa(t testing.TB, search string, auth cyberark.Auth, opts ...cyberark.Option) *cyberark.PVWA {
	t.Helper()
	p, err := cyberark.NewPVWA(e.fake.PVWAURL(), safe, search, auth, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// ccp returns a CCP provider that authenticates with the application's
// client certificate.
func (e *env) ccp(t testing.TB, q cyberark.CCPQuery, opts ...cyberark.Option) *cyberark.CCP {
	t.Helper()
	opts = append([]cyberark.Option{cyberark.WithRootCAs(e.fake.RootCAs()), cyberark.WithClientCertificate(e.certPEM, e.keyPEM)}, opts...)
	return e.ccpWith(t, appID, q, opts...)
}

func (e *env) ccpWith(t testing.TB, app string, q cyberark.CCPQuery, opts ...cyberark.Option) *cyberark.CCP {
	t.Helper()
	c, err := cyberark.NewCCP(e.fake.CCPURL(), app, q, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var defaultQuery = cyberark.CCPQuery{Safe: safe, Object: accountName}

func fetch(t testing.TB, p secrets.Provider) secrets.Version {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := p.Fetch(ctx)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return v
}

// fetchErr fetches, insists on an error, and checks that the error shows
// none of the secrets in play.
func fetchErr(t testing.TB, p secrets.Provider, noLeak ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := p.Fetch(ctx)
	if err == nil {
		t.Fatalf("Fetch succeeded (fingerprint %s), want an error", v.Value.Fingerprint())
	}
	for _, s := range append(noLeak, clientSecret, userPassword, firstToken) {
		secretstest.AssertNoLeak(t, "error", err.Error(), s)
		secretstest.AssertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err), s)
	}
	return err
}

func wantIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %q does not wrap %q", err, target)
	}
}

func asAPIError(t testing.TB, err error) *cyberark.Error {
	t.Helper()
	var e *cyberark.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q is not a *cyberark.Error", err)
	}
	return e
}

func reveal(v secrets.Version) string { return v.Value.Reveal() }
