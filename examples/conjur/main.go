// Command conjur reads a HubSpot private-app token from CyberArk Conjur
// through a secrets.Cache and follows a rotation live, with no setup: it
// starts a fake Conjur in-process (hubkey's test fake, which speaks Conjur's
// REST API), stores the token there, reads it through hubkey's Conjur
// provider on the real conjur-api-go client, rotates it the way an
// operator would (a new version of the variable), and shows the Cache pick
// up the new version on its next scheduled refresh. It prints
// fingerprints, never a value.
//
//	go run ./examples/conjur
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cyberark/conjur-api-go/conjurapi"
	"github.com/cyberark/conjur-api-go/conjurapi/authn"

	"github.com/hubkey/hubkey/internal/fakeconjur"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
)

const (
	app        = "host/hubspot-sync"
	operator   = "admin"
	tokenVar   = "hubspot/private-app-token"
	signingVar = "hubspot/signing-key"

	// Example values; a real program never holds a credential in a
	// constant.
	firstToken  = "pat-na1-00000000-1111-2222-3333-444444444444"
	secondToken = "pat-na1-55555555-6666-7777-8888-999999999999"
	signingKey  = "hk-signing-key-2024"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, 200*time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "conjur example:", err)
		os.Exit(1)
	}
}

// run runs the example, writing to w, with the Cache refreshing every
// interval.
func run(ctx context.Context, w io.Writer, interval time.Duration) error {
	// Conjur, with the application's host, an operator, and two variables.
	srv := fakeconjur.New()
	defer srv.Close()
	appKey := srv.AddRole(app)
	opKey := srv.AddRole(operator)
	for _, v := range []string{tokenVar, signingVar} {
		srv.Permit(app, v, "read", "execute")
		srv.Permit(operator, v, "read", "execute", "update")
	}
	srv.SetVariable(tokenVar, firstToken)
	srv.SetVariable(signingVar, signingKey)
	fmt.Fprintf(w, "conjur:   fake Conjur at %s, account %s\n", srv.URL, srv.Account)

	// The application: one Conjur client, a Provider for the token, and a
	// Cache that re-reads it every interval (Conjur cannot push a change).
	client, err := conjur.NewClient(srv.URL, srv.Account, conjur.APIKey(app, secrets.New(appKey)))
	if err != nil {
		return err
	}
	defer client.Close()
	token, err := client.Variable(tokenVar, conjur.WithVersionLookup())
	if err != nil {
		return err
	}
	cache, err := secrets.NewCache(token, secrets.WithRefreshInterval(interval, 0.1))
	if err != nil {
		return err
	}
	defer cache.Close()
	rotated := make(chan [2]secrets.Version, 1)
	cache.OnRotate(func(old, new secrets.Version) {
		select {
		case rotated <- [2]secrets.Version{old, new}:
		default:
		}
	})

	v, err := cache.Get(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "app:      token version %s %s from %s (prints as %v)\n", v.ID, v.Value.Fingerprint(), v.Source, v.Value)

	// The operator rotates the token in Conjur: a new version of the
	// variable, stored with conjur-api-go as `conjur variable set` would.
	opClient, err := conjurapi.NewClientFromKey(conjurapi.Config{
		ApplianceURL:      srv.URL,
		Account:           srv.Account,
		CredentialStorage: conjurapi.CredentialStorageNone,
	}, authn.LoginPair{Login: operator, APIKey: opKey})
	if err != nil {
		return err
	}
	rotatedAt := time.Now()
	if err := opClient.AddSecret(tokenVar, secondToken); err != nil {
		return fmt.Errorf("operator: storing the new token: %w", err)
	}
	_, n, _ := srv.Variable(tokenVar)
	fmt.Fprintf(w, "operator: stored version %d of %s in Conjur\n", n, tokenVar)

	// The application keeps reading from the Cache (lock-free, no I/O)
	// while the background refresh finds the new version.
	reads := 0
	var change [2]secrets.Version
	ticker := time.NewTicker(interval / 10)
	defer ticker.Stop()
wait:
	for {
		select {
		case change = <-rotated:
			break wait
		case <-ticker.C:
			if _, err := cache.Get(ctx); err != nil {
				return err
			}
			reads++
		case <-ctx.Done():
			return errors.New("the rotation was not picked up in time")
		}
	}
	old, cur := change[0], change[1]
	fmt.Fprintf(w, "app:      rotation seen %s after it was stored (%d cached reads meanwhile): version %s %s -> version %s %s\n",
		time.Since(rotatedAt).Round(10*time.Millisecond), reads, old.ID, old.Value.Fingerprint(), cur.ID, cur.Value.Fingerprint())
	if prev, ok := cache.Previous(); ok {
		fmt.Fprintf(w, "app:      previous version %s %s kept for fallback while the rotation settles\n", prev.ID, prev.Value.Fingerprint())
	}

	// The token and the key that signs with it, read together.
	both, err := client.FetchBatch(ctx, tokenVar, signingVar)
	if err != nil {
		return err
	}
	for _, b := range both {
		fmt.Fprintf(w, "batch:    %s %s\n", b.Source, b.Value.Fingerprint())
	}
	st := srv.Stats()
	fmt.Fprintf(w, "conjur:   %s authenticated %d time(s) for %d API calls\n", app, srv.Authentications(app), st.SecretReads+st.BatchReads+st.ResourceReads)
	return nil
}
