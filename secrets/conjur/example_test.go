package conjur_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/hubkey/hubkey/internal/fakeconjur"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
)

// A HubSpot token and the key that signs requests made with it, both kept
// in Conjur, read by one authenticated client: each through its own
// Provider, and both together in one round trip.
func Example() {
	ctx := context.Background()

	// An in-process fake Conjur stands in for https://conjur.example.com.
	srv := fakeconjur.New()
	defer srv.Close()
	apiKey := srv.AddRole("host/myapp")
	srv.Permit("host/myapp", "hubspot/token", "read", "execute")
	srv.Permit("host/myapp", "hubspot/signing-key", "read", "execute")
	srv.SetVariable("hubspot/token", "pat-na1-first")
	srv.SetVariable("hubspot/signing-key", "signing-key-1")

	c, err := conjur.NewClient(srv.URL, srv.Account, conjur.APIKey("host/myapp", secrets.New(apiKey)))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	token, err := c.Variable("hubspot/token", conjur.WithVersionLookup())
	if err != nil {
		log.Fatal(err)
	}

	v, err := token.Fetch(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s version %s: %s (prints as %v)\n", v.Source, v.ID, v.Value.Fingerprint(), v.Value)

	// The token is rotated in Conjur: a new version of the variable.
	srv.SetVariable("hubspot/token", "pat-na1-second")
	v, err = token.Fetch(ctx)
	if err != nil {
		log.Fatal(err)
	}
	prev, err := token.FetchPrevious(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("rotated to version %s: %s; previous version %s: %s\n", v.ID, v.Value.Fingerprint(), prev.ID, prev.Value.Fingerprint())

	both, err := c.FetchBatch(ctx, "hubspot/token", "hubspot/signing-key")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range both {
		fmt.Printf("batch: %s %s\n", v.Source, v.Value.Fingerprint())
	}
	fmt.Println("authentications:", srv.Authentications("host/myapp"))
	// Output:
	// conjur:myorg:variable:hubspot/token version 1: fp:44ddde13a7594791 (prints as [REDACTED])
	// rotated to version 2: fp:8b5b1cf095a0f0a3; previous version 1: fp:44ddde13a7594791
	// batch: conjur:myorg:variable:hubspot/token fp:8b5b1cf095a0f0a3
	// batch: conjur:myorg:variable:hubspot/signing-key fp:24cbe7f15c5b0737
	// authentications: 1
}

// Authenticating with authn-jwt: the JWT file (here a stand-in for a
// Kubernetes projected service-account token) is read at every
// authentication, so a rotated JWT is used as soon as the access token
// needs renewing.
func ExampleJWT() {
	srv := fakeconjur.New()
	defer srv.Close()
	srv.AddRole("host/myapp")
	issuer := srv.AddJWTService("k8s-cluster", "host/myapp")
	srv.Permit("host/myapp", "hubspot/token", "execute")
	srv.SetVariable("hubspot/token", "pat-na1-first")

	dir, err := os.MkdirTemp("", "conjur-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	jwtFile := filepath.Join(dir, "token")
	if err := os.WriteFile(jwtFile, []byte(issuer.Sign("myapp", time.Hour)), 0o600); err != nil {
		log.Fatal(err)
	}

	// With no host ID, Conjur finds the host from the JWT's claims.
	c, err := conjur.NewClient(srv.URL, srv.Account, conjur.JWT("k8s-cluster", jwtFile, ""))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	token, err := c.Variable("hubspot/token")
	if err != nil {
		log.Fatal(err)
	}
	v, err := token.Fetch(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Source, v.Value.Fingerprint())
	// Output:
	// conjur:myorg:variable:hubspot/token fp:44ddde13a7594791
}
