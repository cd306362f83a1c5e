package gateway_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/hubkey/hubkey/gateway"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Serve the web console beside the admin API, and log in to it as a
// browser does: a form with the admin token, then a session cookie.
func ExampleWithConsole() {
	ctx := context.Background()
	store, done := exampleStore(ctx)
	defer done()
	admin, err := gateway.NewAdmin(store, secrets.NewBytes([]byte(rand.Text()+rand.Text())), nil)
	if err != nil {
		log.Fatal(err)
	}
	adminTok := rand.Text()
	cred, err := secrets.NewCache(secretstest.NewStatic(adminTok))
	if err != nil {
		log.Fatal(err)
	}
	defer cred.Close()
	h, err := gateway.NewAdminHandler(admin, cred, gateway.WithConsole(gateway.ConsoleConfig{IdleAfter: 14 * 24 * time.Hour}))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h) // hubkey-gateway serves it on -admin-listen
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(srv.URL + "/console/keys")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("before logging in:", resp.Request.URL.Path)

	req, _ := http.NewRequest("POST", srv.URL+"/console/login", strings.NewReader(url.Values{"token": {adminTok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL) // as a browser sends it with a form
	resp, err = browser.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("after logging in:", resp.Request.URL.Path, resp.Status)
	fmt.Println("policy:", resp.Header.Get("Content-Security-Policy"))
	// Output:
	// before logging in: /console/login
	// after logging in: /console/keys 200 OK
	// policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'
}
