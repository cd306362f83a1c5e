package oauth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

// An access-token source for hubspot.WithToken: the refresh token and
// client secret come from the environment, the Cache refreshes before the
// 30-minute access tokens expire.
func ExampleNew() {
	clientSecret, _ := env.New("HUBSPOT_CLIENT_SECRET")
	refreshToken, _ := env.New("HUBSPOT_REFRESH_TOKEN")
	p, err := oauth.New(oauth.Config{
		ClientID:     "your-app-client-id",
		ClientSecret: clientSecret,
		RefreshToken: refreshToken,
	})
	if err != nil {
		panic(err)
	}
	tokens, err := secrets.NewCache(p)
	if err != nil {
		panic(err)
	}
	defer tokens.Close()
	fmt.Println(p.Source())
	// Output: hubspot-oauth:your-app-client-id
}

func ExampleAuthorizeURL() {
	fmt.Println(oauth.AuthorizeURL("cid", "https://example.com/callback", []string{"crm.objects.contacts.read"}, nil, "random-state"))
	// Output: https://app.hubspot.com/oauth/authorize?client_id=cid&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback&scope=crm.objects.contacts.read&state=random-state
}

// Revoking a leaked refresh token, against an in-memory HubSpot
// (hubspottest): check what it is for, revoke it, and take "not found" on
// a second try as done. hubspottest serves the v1 introspection and
// revocation endpoints, so the token URL is v1's; against HubSpot, leave
// TokenURL empty for v3, which keeps the token out of URLs.
func ExampleRevokeRefreshToken() {
	srv, err := hubspottest.Start()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	clientID, clientSecret, leaked := srv.NewOAuthApp("crm.objects.contacts.read")
	cfg := oauth.Config{
		ClientID: clientID,
		// In production, a provider of the secret store (env, file, vault, ...).
		ClientSecret: secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
			return secrets.Version{Value: secrets.New(clientSecret)}, nil
		}),
		TokenURL: srv.URL() + "/oauth/v1/token",
	}
	ctx := context.Background()
	token := secrets.New(leaked)

	info, err := oauth.IntrospectRefreshToken(ctx, cfg, token)
	if err != nil {
		panic(err)
	}
	fmt.Println(info.TokenType, info.HubID, info.ClientID == clientID, info.Scopes)

	for range 2 {
		err := oauth.RevokeRefreshToken(ctx, cfg, token)
		switch {
		case err == nil:
			fmt.Println("revoked")
		case errors.Is(err, oauth.ErrTokenNotFound):
			fmt.Println("already gone")
		default:
			panic(err)
		}
	}
	_, err = oauth.IntrospectRefreshToken(ctx, cfg, token)
	fmt.Println(errors.Is(err, oauth.ErrTokenNotFound))
	// Output:
	// refresh 62515 true [oauth crm.objects.contacts.read]
	// revoked
	// already gone
	// true
}
