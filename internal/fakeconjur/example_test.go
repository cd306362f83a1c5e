package fakeconjur_test

import (
	"fmt"
	"log"

	"github.com/cyberark/conjur-api-go/conjurapi"
	"github.com/cyberark/conjur-api-go/conjurapi/authn"

	"github.com/hubkey/hubkey/internal/fakeconjur"
)

// A fake Conjur serving one host and one variable to conjur-api-go.
func Example() {
	srv := fakeconjur.New()
	defer srv.Close()
	apiKey := srv.AddRole("host/myapp")
	srv.Permit("host/myapp", "hubspot/token", "execute")
	srv.SetVariable("hubspot/token", "v1")
	srv.SetVariable("hubspot/token", "v2")

	c, err := conjurapi.NewClientFromKey(conjurapi.Config{
		ApplianceURL:      srv.URL,
		Account:           srv.Account,
		CredentialStorage: conjurapi.CredentialStorageNone,
	}, authn.LoginPair{Login: "host/myapp", APIKey: apiKey})
	if err != nil {
		log.Fatal(err)
	}
	old, err := c.RetrieveSecretWithVersion("hubspot/token", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("version 1 is %d bytes\n", len(old))
	for _, r := range srv.Journal() {
		fmt.Println(r.Method, r.Path, r.RawQuery, r.Status)
	}
	// Output:
	// version 1 is 2 bytes
	// POST /authn/myorg/host%2Fmyapp/authenticate  200
	// GET /secrets/myorg/variable/hubspot%2Ftoken version=1 200
}
