package cyberark_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/fakecyberark"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
)

// staticSecret is a service credential that a real program would read
// from another provider (a mounted file, the environment, Vault).
func staticSecret(v string) secrets.Provider {
	return secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		s := secrets.New(v)
		return secrets.Version{Value: s, ID: s.Fingerprint(), Source: "example"}, nil
	})
}

// A HubSpot private-app token kept in a Privilege Cloud safe, read through
// a secrets.Cache. The fake stands in for the identity tenant and the
// PVWA.
func Example() {
	c := clock.NewFake(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))
	fake, err := fakecyberark.New(fakecyberark.WithClock(c))
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	_ = fake.AddOAuthClient("hubkey-svc@example", "client-secret")
	_ = fake.Grant("hubkey-svc@example", "HubSpot", true)
	id, _ := fake.AddAccount(fakecyberark.Account{Safe: "HubSpot", Name: "hubspot-private-app", Password: "pat-na1-example-token"})

	p, err := cyberark.NewPVWA(fake.PVWAURL(), "HubSpot", "hubspot-private-app",
		cyberark.PlatformToken(fake.IdentityURL(), "hubkey-svc@example", staticSecret("client-secret")),
		cyberark.WithReason("hubkey example"), cyberark.WithClock(c))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	cache, err := secrets.NewCache(p, secrets.WithClock(c))
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()

	ctx := context.Background()
	v, err := cache.Get(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.Value.Fingerprint(), v.Value)
	fmt.Println("version", v.ID)

	// CyberArk rotates the password; the next refresh sees it.
	c.Advance(time.Hour)
	_ = fake.SetPassword(id, "pat-na1-rotated-token")
	v, err = cache.Refresh(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rotated to", v.Value.Fingerprint(), "version", v.ID)
	// Output:
	// cyberark-pvwa:HubSpot/hubspot-private-app fp:28268966c817d152 [REDACTED]
	// version 2025-06-01T09:00:00Z/fp:28268966c817d152
	// rotated to fp:76b43d38900acf1a version 2025-06-01T10:00:00Z/fp:76b43d38900acf1a
}

// A self-hosted PVWA with a CyberArk logon; Close logs off.
func ExampleLogon() {
	fake, err := fakecyberark.New()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	_ = fake.AddUser("CyberArk", "svc-hubkey", "pvwa-password")
	_ = fake.Grant("svc-hubkey", "HubSpot", true)
	_, _ = fake.AddAccount(fakecyberark.Account{Safe: "HubSpot", Name: "hubspot-private-app", Password: "pat-na1-example-token"})

	p, err := cyberark.NewPVWA(fake.PVWAURL(), "HubSpot", "hubspot-private-app",
		cyberark.Logon(cyberark.MethodCyberArk, "svc-hubkey", staticSecret("pvwa-password")))
	if err != nil {
		log.Fatal(err)
	}
	v, err := p.Fetch(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.Value.Fingerprint())
	_ = p.Close()
	fmt.Println("logons", fake.Stats().Logons, "logoffs", fake.Stats().Logoffs)
	// Output:
	// cyberark-pvwa:HubSpot/hubspot-private-app fp:28268966c817d152
	// logons 1 logoffs 1
}

// The Central Credential Provider, authenticating the application with a
// client certificate whose PEM comes from providers.
func ExampleNewCCP() {
	fake, err := fakecyberark.New()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	_, _ = fake.AddAccount(fakecyberark.Account{Safe: "HubSpot", Name: "hubspot-private-app", Password: "pat-na1-example-token"})
	_ = fake.AddApplication(fakecyberark.App{ID: "HubKeyApp", Safes: []string{"HubSpot"}, RequireCert: true, CertCN: "hubkey-app"})
	certPEM, keyPEM, err := fake.IssueClientCert("hubkey-app")
	if err != nil {
		log.Fatal(err)
	}

	c, err := cyberark.NewCCP(fake.CCPURL(), "HubKeyApp",
		cyberark.CCPQuery{Safe: "HubSpot", Object: "hubspot-private-app"},
		cyberark.WithClientCertificate(staticSecret(string(certPEM)), staticSecret(string(keyPEM))),
		cyberark.WithRootCAs(fake.RootCAs()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	v, err := c.Fetch(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.Value.Fingerprint())

	// The same query without the certificate is refused.
	anon, err := cyberark.NewCCP(fake.CCPURL(), "HubKeyApp",
		cyberark.CCPQuery{Safe: "HubSpot", Object: "hubspot-private-app"}, cyberark.WithRootCAs(fake.RootCAs()))
	if err != nil {
		log.Fatal(err)
	}
	defer anon.Close()
	_, err = anon.Fetch(context.Background())
	var ce *cyberark.Error
	if errors.As(err, &ce) {
		fmt.Println("without a certificate:", ce.Code, errors.Is(err, secrets.ErrPermission))
	}
	// Output:
	// cyberark-ccp:HubKeyApp/HubSpot/hubspot-private-app fp:28268966c817d152
	// without a certificate: APPAP306E true
}
