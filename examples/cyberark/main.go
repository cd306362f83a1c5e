// Command cyberark reads a HubSpot private-app token from a CyberArk vault
// two ways, through secrets.Cache, and follows a rotation live, with no
// CyberArk account: it starts hubkey's in-memory CyberArk (identity tenant,
// PVWA and Central Credential Provider) in-process.
//
//	go run ./examples/cyberark
//
// The PVWA path authenticates like Privilege Cloud, with a platform token
// obtained with a client secret that itself comes from a provider; the CCP
// path authenticates the application with a client certificate whose PEM
// comes from providers. Only fingerprints are printed, never a value.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hubkey/hubkey/internal/fakecyberark"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
)

const (
	safe        = "HubSpot"
	accountName = "hubspot-private-app"
	clientID    = "hubkey-svc@example.cyberark.cloud"
	appID       = "HubKeyApp"
	appCN       = "hubkey-app.example.com"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "cyberark example:", err)
		os.Exit(1)
	}
}

// inMemory is a provider for a value this program holds; a real program
// reads its service credentials from env, file, Vault or another vault.
func inMemory(name, v string) secrets.Provider {
	return secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		s := secrets.New(v)
		return secrets.Version{Value: s, ID: s.Fingerprint(), Source: "memory:" + name}, nil
	})
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	// The vault: one safe holding the HubSpot token, a Privilege Cloud
	// service user that may read it, and a CCP application with a
	// certificate.
	fake, err := fakecyberark.New()
	if err != nil {
		return err
	}
	defer fake.Close()
	id, err := fake.AddAccount(fakecyberark.Account{
		Safe: safe, Name: accountName, UserName: "hubspot", Address: "api.hubapi.com",
		Password: "pat-na1-0f1e2d3c-first-token",
	})
	if err != nil {
		return err
	}
	certPEM, keyPEM, err := fake.IssueClientCert(appCN)
	if err != nil {
		return err
	}
	if err := errors.Join(
		fake.AddOAuthClient(clientID, "demo-client-secret"),
		fake.Grant(clientID, safe, true),
		fake.AddApplication(fakecyberark.App{ID: appID, Safes: []string{safe}, RequireCert: true, CertCN: appCN}),
	); err != nil {
		return err
	}
	fmt.Printf("fake CyberArk: identity %s, PVWA %s, CCP %s\n", fake.IdentityURL(), fake.PVWAURL(), fake.CCPURL())

	// The PasswordVault REST API, as Privilege Cloud.
	pvwa, err := cyberark.NewPVWA(fake.PVWAURL(), safe, accountName,
		cyberark.PlatformToken(fake.IdentityURL(), clientID, inMemory("client-secret", "demo-client-secret")),
		cyberark.WithReason("hubkey example: HubSpot sync"))
	if err != nil {
		return err
	}
	defer pvwa.Close()

	// The Central Credential Provider, over mutual TLS.
	ccp, err := cyberark.NewCCP(fake.CCPURL(), appID, cyberark.CCPQuery{Safe: safe, Object: accountName},
		cyberark.WithClientCertificate(inMemory("client-cert", string(certPEM)), inMemory("client-key", string(keyPEM))),
		cyberark.WithRootCAs(fake.RootCAs()))
	if err != nil {
		return err
	}
	defer ccp.Close()

	// Each source behind a Cache that polls it, as a program that cannot
	// be told about a rotation would.
	type watched struct {
		name    string
		cache   *secrets.Cache
		first   secrets.Version
		rotated chan secrets.Version
	}
	var all []watched
	for _, src := range []struct {
		name string
		p    secrets.Provider
	}{{"PVWA", pvwa}, {"CCP ", ccp}} {
		cache, err := secrets.NewCache(src.p, secrets.WithRefreshInterval(200*time.Millisecond, 0.1))
		if err != nil {
			return err
		}
		defer cache.Close()
		w := watched{name: src.name, cache: cache, rotated: make(chan secrets.Version, 1)}
		cache.OnRotate(func(_, v secrets.Version) {
			select {
			case w.rotated <- v:
			default:
			}
		})
		v, err := cache.Get(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", src.name, err)
		}
		fmt.Printf("%s  token %s from %s (version %s, printed as %v)\n", src.name, v.Value.Fingerprint(), v.Source, v.ID, v.Value)
		w.first = v
		all = append(all, w)
	}

	// CyberArk rotates the password (the CPM, or an administrator).
	const second = "pat-na1-9a8b7c6d-second-token" //hubkeyvet:ignore the fake vault's made-up password, fingerprinted for display
	if err := fake.SetPassword(id, second); err != nil {
		return err
	}
	fmt.Printf("CyberArk rotated the password to %s\n", secrets.New(second).Fingerprint())

	for _, w := range all {
		select {
		case v := <-w.rotated:
			fmt.Printf("%s  cache picked up the rotation: %s -> %s (version %s)\n", w.name, w.first.Value.Fingerprint(), v.Value.Fingerprint(), v.ID)
			if !v.Value.Equal(secrets.New(second)) {
				return fmt.Errorf("%s: the cache adopted %s, not the rotated token", w.name, v.Value.Fingerprint())
			}
		case <-ctx.Done():
			return fmt.Errorf("%s: the rotation was not picked up: %w", w.name, ctx.Err())
		}
	}

	st := fake.Stats()
	fmt.Printf("the vault issued %d platform token(s), handed out %d password(s) over the PVWA and %d over the CCP; reasons audited: %q\n",
		st.PlatformTokens, st.Retrieves, st.CCPSuccesses, fake.Reasons()[0])
	return nil
}
