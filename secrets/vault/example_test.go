package vault_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/file"
	"github.com/hubkey/hubkey/secrets/vault"
)

// A HubSpot token in Vault's KV v2, read by an AppRole login whose secret ID
// a trusted orchestrator writes to a file, and kept fresh by a Cache that
// polls for new versions. It needs a Vault server (VAULT_ADDR), so it is
// compiled but not run by go test; examples/vault runs the same against a
// local dev server.
func Example() {
	ctx := context.Background()
	client, err := api.NewClient(api.DefaultConfig()) // VAULT_ADDR, VAULT_CACERT, ...
	if err != nil {
		log.Fatal(err)
	}
	secretID, err := file.New("/var/run/secrets/vault/secret-id") // read again at every login
	if err != nil {
		log.Fatal(err)
	}
	auth, err := vault.NewAppRoleAuth(os.Getenv("VAULT_ROLE_ID"), secretID)
	if err != nil {
		log.Fatal(err)
	}
	session, err := vault.NewSession(client, vault.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()
	if err := session.Login(ctx); err != nil { // fail fast on a bad configuration
		log.Fatal(err)
	}

	token, err := vault.NewKV2(session, "secret", "hubspot/prod", vault.WithField("token"))
	if err != nil {
		log.Fatal(err)
	}
	cache, err := secrets.NewCache(token, secrets.WithRefreshInterval(30*time.Second, 0.1))
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()
	cache.OnRotate(func(old, new secrets.Version) {
		log.Printf("HubSpot token rotated: version %s (%s) -> %s (%s)", old.ID, old.Value.Fingerprint(), new.ID, new.Value.Fingerprint())
	})

	v, err := cache.Get(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token", v.Value.Fingerprint(), "version", v.ID, "from", v.Source)
}

// Providers name where a secret lives without revealing it, and need no
// round trip to be made.
func ExampleNewKV2() {
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	auth, err := vault.NewKubernetesAuth("hubspot-sync", nil) // the pod's service-account token
	if err != nil {
		log.Fatal(err)
	}
	session, err := vault.NewSession(client, vault.WithAuth(auth))
	if err != nil {
		log.Fatal(err)
	}
	defer session.Close()

	current, _ := vault.NewKV2(session, "secret", "hubspot/prod", vault.WithField("token"))
	pinned, _ := vault.NewKV2(session, "secret", "hubspot/prod", vault.WithField("token"), vault.WithVersion(7))
	legacy, _ := vault.NewKV1(session, "kv", "hubspot")
	fmt.Println(current.Source())
	fmt.Println(pinned.Source())
	fmt.Println(legacy.Source())
	// Output:
	// vault:secret/hubspot/prod#token
	// vault:secret/hubspot/prod#token@v7
	// vault:kv/hubspot
}
