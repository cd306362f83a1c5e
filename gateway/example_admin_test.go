package gateway_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/gateway/sqlstore"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

// adminRequest sends one admin API request and returns the status and
// the decoded JSON body.
func adminRequest(url, token, method, path, body string) (string, map[string]any) {
	req, err := http.NewRequest(method, url+path, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.Status, m
}

// exampleStore opens an SQLite store in a temporary directory.
func exampleStore(ctx context.Context) (*sqlstore.Store, func()) {
	dir, err := os.MkdirTemp("", "hubkey-example-")
	if err != nil {
		log.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "gateway.db"))
	if err != nil {
		log.Fatal(err)
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }
}

func ExampleNewAdminHandler() {
	ctx := context.Background()
	store, done := exampleStore(ctx)
	defer done()
	storeKey := secrets.NewBytes([]byte(rand.Text() + rand.Text()))
	admin, err := gateway.NewAdmin(store, storeKey, nil)
	if err != nil {
		log.Fatal(err)
	}

	// The admin token comes from a provider (here the environment, as
	// hubkey-gateway serve reads HUBKEY_ADMIN_TOKEN) through a Cache, and
	// is read on every request, so rotating it needs no restart.
	adminTok := rand.Text()
	environ := map[string]string{"HUBKEY_ADMIN_TOKEN": adminTok}
	p, err := env.New("HUBKEY_ADMIN_TOKEN", env.WithLookup(func(k string) (string, bool) { v, ok := environ[k]; return v, ok }))
	if err != nil {
		log.Fatal(err)
	}
	cred, err := secrets.NewCache(p)
	if err != nil {
		log.Fatal(err)
	}
	defer cred.Close()
	h, err := gateway.NewAdminHandler(admin, cred)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h) // in production: a listener of its own
	defer srv.Close()

	status, body := adminRequest(srv.URL, adminTok, "POST", "/v1/keys",
		`{"name":"billing reader","service":"billing-sync","scopes":["crm.objects.contacts.read"],"allowed_ips":["10.1.0.0/16"]}`)
	key := body["key"].(map[string]any)
	token := body["token"].(string) // shown this once: hand it to the service now
	fmt.Println(status, key["name"], key["status"], key["allowed_ips"], strings.HasPrefix(token, gateway.TokenPrefix))

	status, body = adminRequest(srv.URL, adminTok, "POST", "/v1/keys", `{"name":"x","service":"s","scopes":["contacts"]}`)
	fmt.Println(status, body["field"])

	status, _ = adminRequest(srv.URL, "not-the-admin-token", "GET", "/v1/keys", "")
	fmt.Println(status)

	status, body = adminRequest(srv.URL, adminTok, "POST", "/v1/keys/"+key["id"].(string)+"/revoke", "")
	fmt.Println(status, body["status"])
	// Output:
	// 201 Created billing reader active [10.1.0.0/16] true
	// 400 Bad Request scopes
	// 401 Unauthorized
	// 200 OK revoked
}

func ExampleWithGateway() {
	ctx := context.Background()
	hs, err := hubspottest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer hs.Close()
	real := hs.NewToken("crm.objects.contacts.read")
	upstream, err := secrets.NewCache(secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
		return secrets.Version{Value: secrets.New(real), ID: "1", Source: "example"}, nil
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer upstream.Close()
	store, done := exampleStore(ctx)
	defer done()
	storeKey := secrets.NewBytes([]byte(rand.Text() + rand.Text()))
	admin, err := gateway.NewAdmin(store, storeKey, nil)
	if err != nil {
		log.Fatal(err)
	}
	iss, err := admin.Create(ctx, gateway.KeySpec{Name: "reader", Service: "dashboard", Scopes: []string{"crm.objects.contacts.read"}})
	if err != nil {
		log.Fatal(err)
	}

	gw, err := gateway.New(ctx, gateway.Config{Store: store, StoreKey: storeKey, Upstream: hs.URL(), Token: upstream})
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()
	gwSrv := httptest.NewServer(gw)
	defer gwSrv.Close()
	// The admin API runs in the gateway's process: with WithGateway its
	// reports include the calls just made.
	adminTok := secrets.NewBytes([]byte(rand.Text()))
	h, err := gateway.NewAdminHandler(admin, secretsVersion{adminTok}, gateway.WithGateway(gw))
	if err != nil {
		log.Fatal(err)
	}
	adminSrv := httptest.NewServer(h)
	defer adminSrv.Close()

	for _, path := range []string{"/crm/v3/objects/contacts", "/crm/v3/objects/deals"} {
		req, _ := http.NewRequest("GET", gwSrv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+iss.Token.Reveal())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	req, _ := http.NewRequest("GET", adminSrv.URL+"/v1/audit?service=dashboard", nil)
	req.Header.Set("Authorization", "Bearer "+adminTok.Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"))
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() { // newest first
		var c struct {
			Operation, Method, Route, Denial string
			Status                           int
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Operation, c.Method, c.Route, c.Status, c.Denial)
	}
	// Output:
	// application/x-ndjson
	// crm.objects.list GET /crm/v3/objects/{objectType} 403 missing scopes
	// crm.objects.list GET /crm/v3/objects/{objectType} 200
}

// secretsVersion is an AdminCredential holding a fixed token.
type secretsVersion struct{ s secrets.Secret }

func (v secretsVersion) Get(context.Context) (secrets.Version, error) {
	return secrets.Version{Value: v.s}, nil
}
