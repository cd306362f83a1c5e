package oauth_test

import (
	"fmt"

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
