package e2e_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The rotation proof in miniature: HubSpot rotates the token with "expire
// now" and the secret store gets the new one. Nothing tells the client,
// whose next call is rejected once, fetches the new token and is sent
// again. HubSpot's journal names the token of each call by fingerprint.
func Example() {
	srv, err := hubspottest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	old := srv.NewToken(hubspottest.AllScopes...)
	store := secretstest.NewStatic(old)
	tokens, err := secrets.NewCache(store)
	if err != nil {
		log.Fatal(err)
	}
	defer tokens.Close()
	c, err := hubspot.New(hubspot.WithToken(tokens), hubspot.WithBaseURL(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	id := srv.Seed("contacts", map[string]string{"email": "ada@example.com"})[0].ID

	if _, err := c.Contacts.Get(ctx, id, nil); err != nil {
		log.Fatal(err)
	}
	next := srv.RotateToken(old, hubspottest.ExpireNow)
	store.Rotate(next)
	if _, err := c.Contacts.Get(ctx, id, nil); err != nil {
		log.Fatal(err)
	}

	name := map[string]string{
		secrets.New(old).Fingerprint():  "old token",
		secrets.New(next).Fingerprint(): "new token",
	}
	for _, call := range srv.Journal() {
		fmt.Println(call.Status, name[call.TokenFingerprint])
	}
	fmt.Println("provider fetches:", store.Fetches())
	// Output:
	// 200 old token
	// 401 old token
	// 200 new token
	// provider fetches: 2
}
