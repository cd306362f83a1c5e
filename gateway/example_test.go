package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// A gateway in front of an in-memory HubSpot, its keys in an embedded
// SQLite file: a service gets a read-only key, reads through the gateway
// with an unchanged hubspot.Client, and is refused a write.
func Example() {
	ctx := context.Background()
	hs, err := hubspottest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer hs.Close()
	// The real token: in production, a secrets.Cache over a provider.
	real, err := secrets.NewCache(secretstest.NewStatic(hs.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer real.Close()

	dir, _ := os.MkdirTemp("", "gateway-example")
	defer os.RemoveAll(dir)
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "gateway.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	// Every replica needs the same store key, from a provider.
	storeKey := secrets.New("an example store key of 32 bytes or more")

	gw, err := gateway.New(ctx, gateway.Config{Store: store, StoreKey: storeKey, Upstream: hs.URL(), Token: real})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()

	admin, err := gateway.NewAdmin(store, storeKey, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	iss, err := admin.Create(ctx, gateway.KeySpec{Name: "reports reader", Service: "reports", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Hand iss.Token to the service once, through its secret store.
	client, err := hubspot.New(hubspot.WithBaseURL(srv.URL), hubspot.WithToken(secretstest.NewStatic(iss.Token.Reveal())))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	page, err := client.Contacts.List(ctx, nil)
	fmt.Println("read:", len(page.Results), "contacts,", err)
	_, err = client.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	var he *hubspot.Error
	if errors.As(err, &he) {
		fmt.Println("write:", he.StatusCode, he.Category)
	}
	// Output:
	// read: 0 contacts, <nil>
	// write: 403 MISSING_SCOPES
}
