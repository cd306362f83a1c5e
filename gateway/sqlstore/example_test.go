package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/gateway/sqlstore"
)

// An embedded store in a file: create a key, revoke it, audit a call.
func ExampleOpenSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hubkey-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "gateway.db"))
	if err != nil {
		panic(err)
	}
	defer st.Close()

	changed := make(chan string, 10)
	if err := st.WatchKeys(ctx, func(id string) { changed <- id }); err != nil {
		panic(err)
	}

	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = st.ChangeKeys(ctx, nil, func([]gateway.Key) ([]gateway.Key, error) {
		return []gateway.Key{{
			Key: keypolicy.Key{
				ID:        "key_1",
				TokenHash: sha256.Sum256([]byte("the token, shown once")),
				Scopes:    []string{"crm.objects.contacts.read"},
				CreatedAt: created,
			},
			Service: "billing-sync",
		}}, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("watcher heard:", <-changed)

	err = st.ChangeKeys(ctx, []string{"key_1"}, func(ks []gateway.Key) ([]gateway.Key, error) {
		ks[0].Status = keypolicy.Revoked
		return ks, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("watcher heard:", <-changed)
	k, _ := st.Key(ctx, "key_1")
	fmt.Println(k.ID, k.Service, k.Status)

	err = st.AppendCalls(ctx, []gateway.Call{{
		Time: created.Add(time.Hour), KeyID: "key_1", Service: "billing-sync",
		Operation: "crm.objects.get", Method: "GET", Status: 401, Denial: "key revoked",
	}})
	if err != nil {
		panic(err)
	}
	for c, err := range st.Calls(ctx, gateway.CallFilter{DeniedOnly: true}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(c.Time.Format(time.RFC3339), c.KeyID, c.Status, c.Denial)
	}
	// Output:
	// watcher heard: key_1
	// watcher heard: key_1
	// key_1 billing-sync revoked
	// 2026-01-02T04:04:05Z key_1 401 key revoked
}
