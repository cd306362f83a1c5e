// Command oauth calls HubSpot as an OAuth app: the app's client secret and
// the installation's refresh token come from the environment, hubkey's
// hubspot/oauth provider trades them for short-lived access tokens, and a
// secrets.Cache refreshes each one ahead of its expiry, once, however many
// calls are in flight. It runs against an in-memory HubSpot (hubspottest)
// whose token endpoint speaks HubSpot's v3 shape and issues access tokens
// that expire every two seconds, keeps calling through several expiries,
// and shows one token-endpoint call per access token and no failed call.
// It prints fingerprints, never a token.
//
//	go run ./examples/oauth
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, os.Stdout, os.LookupEnv, os.Setenv, 2*time.Second, 3, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oauth example:", err)
		os.Exit(1)
	}
}

// run runs the example, writing to out: the app's credentials are put in
// the environment with setenv and read back with lookup, access tokens live
// for lifetime (whole seconds), and the calls go on until the Cache has
// refreshed the access token expiries times. issued, when not nil, sees
// every access token the Cache adopts.
func run(ctx context.Context, out io.Writer, lookup func(string) (string, bool), setenv func(k, v string) error,
	lifetime time.Duration, expiries int, issued func(secrets.Secret)) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }
	srv, err := hubspottest.Start(hubspottest.WithOAuthTokenLifetime(lifetime))
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.Seed("contacts", map[string]string{"email": "ada@example.com"}, map[string]string{"email": "grace@example.com"})

	// The app installation, as a deployment would hold it: the client ID
	// in configuration, the client secret and refresh token in secrets.
	clientID, clientSecret, refreshToken := srv.NewOAuthApp("crm.objects.contacts.read")
	if err := setenv("HUBKEY_EXAMPLE_CLIENT_SECRET", clientSecret); err != nil {
		return err
	}
	if err := setenv("HUBKEY_EXAMPLE_REFRESH_TOKEN", refreshToken); err != nil {
		return err
	}
	say("in-memory HubSpot at %s; OAuth app %s, access tokens live %v", srv.URL(), clientID, lifetime)

	secretProv, err := env.New("HUBKEY_EXAMPLE_CLIENT_SECRET", env.WithLookup(lookup))
	if err != nil {
		return err
	}
	refreshProv, err := env.New("HUBKEY_EXAMPLE_REFRESH_TOKEN", env.WithLookup(lookup))
	if err != nil {
		return err
	}
	provider, err := oauth.New(oauth.Config{
		ClientID:     clientID,
		ClientSecret: secretProv,
		RefreshToken: refreshProv,
		TokenURL:     srv.OAuthTokenURL(),
	})
	if err != nil {
		return err
	}
	// The Cache refreshes in the advisory window before expires_in runs
	// out (at most a third of the lifetime), so no call meets an expired
	// token.
	tokens, err := secrets.NewCache(provider)
	if err != nil {
		return err
	}
	defer tokens.Close()
	rotations := make(chan [2]secrets.Version, expiries+2)
	tokens.OnRotate(func(old, new secrets.Version) {
		if issued != nil {
			issued(new.Value)
		}
		select { // never block the refreshing goroutine
		case rotations <- [2]secrets.Version{old, new}:
		default:
		}
	})
	client, err := hubspot.New(hubspot.WithToken(tokens), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		return err
	}
	defer client.Close()

	// Call steadily until the access token has been refreshed expiries
	// times after the first one (OnRotate reports replacements, not the
	// first fetch).
	first, err := tokens.Get(ctx)
	if err != nil {
		return err
	}
	if issued != nil {
		issued(first.Value)
	}
	say("first access token %s, expires in %v (token-endpoint calls so far: %d)",
		first.Value.Fingerprint(), time.Until(first.ExpiresAt).Round(time.Second), srv.TokenEndpointCalls())
	calls, refreshes := 0, 0
	tick := time.NewTicker(lifetime / 20)
	defer tick.Stop()
	for refreshes < expiries {
		select {
		case r := <-rotations:
			refreshes++
			say("refreshed ahead of expiry: %s -> %s (token-endpoint calls so far: %d)",
				r[0].Value.Fingerprint(), r[1].Value.Fingerprint(), srv.TokenEndpointCalls())
		case <-tick.C:
			page, err := client.Contacts.List(ctx, &hubspot.ListOptions{Limit: 10})
			if err != nil {
				return fmt.Errorf("call %d: %w", calls+1, err)
			}
			if len(page.Results) != 2 {
				return fmt.Errorf("call %d: listed %d contacts, want 2", calls+1, len(page.Results))
			}
			calls++
		case <-ctx.Done():
			return fmt.Errorf("after %d calls and %d refreshes: %w", calls, refreshes, ctx.Err())
		}
	}
	n := srv.TokenEndpointCalls()
	say("%d calls across %d refreshes, none failed; %d token-endpoint calls for %d access tokens", calls, expiries, n, expiries+1)
	if n != int64(expiries+1) {
		return fmt.Errorf("expected one token-endpoint call per access token (%d), saw %d", expiries+1, n)
	}
	return nil
}
