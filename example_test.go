package hubkey_test

import (
	"context"
	"fmt"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The three parts together: a token from a provider, held by a Cache,
// used by the HubSpot client, and never printed.
func Example() {
	srv, _ := hubspottest.Start() // an in-memory HubSpot; use the real one in production
	defer srv.Close()

	provider := secretstest.NewStatic(srv.NewToken("crm.objects.contacts.write")) // env, file, vault...
	tokens, _ := secrets.NewCache(provider)
	defer tokens.Close()

	client, _ := hubspot.New(hubspot.WithToken(tokens), hubspot.WithBaseURL(srv.URL()))
	defer client.Close()

	c, err := client.Contacts.Create(context.Background(), hubspot.ObjectInput{
		Properties: hubspot.Properties{"email": "ada@example.com"},
	})
	if err != nil {
		panic(err)
	}
	v, _ := tokens.Get(context.Background())
	fmt.Println(c.Properties["email"], "created with token", v.Value)
	// Output: ada@example.com created with token [REDACTED]
}
