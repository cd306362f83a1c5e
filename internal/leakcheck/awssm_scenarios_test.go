package leakcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hubkey/hubkey/internal/fakeaws"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/awssm"
)

const canaryAWSSessionToken = "canary-aws-session-token-IQoJb3JpZ2luX2VjEJr"

// Something between the awssm provider and Secrets Manager (a proxy, a
// wrong endpoint, an emulator's auth layer) answers with error pages that
// echo the request's session token and the secret's value, in XML, HTML,
// JSON without an AWS code and not at all, with 401, 403 and 502, first
// for DescribeSecret and then for every call. Every error and log line is
// scanned. (The provider is not dumped: it holds the caller's SDK client,
// whose credentials provider keeps the session token in a plain string.)
func TestLeakAWSSMForeignErrorBodies(t *testing.T) {
	rec := leakcheck.New()
	fake := fakeaws.New(fakeaws.WithIdentity(fakeaws.Identity{
		AccessKeyID: fakeaws.AccessKeyID, SecretAccessKey: fakeaws.SecretAccessKey, SessionToken: canaryAWSSessionToken,
	}))
	defer fake.Close()
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	fwd := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var status int
	var page string
	var blockAll bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st, pg, all := status, page, blockAll
		mu.Unlock()
		if st == 0 || (!all && r.Header.Get("X-Amz-Target") != "secretsmanager.DescribeSecret") {
			fwd.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(st)
		fmt.Fprint(w, strings.NewReplacer("TOKEN", r.Header.Get("X-Amz-Security-Token"), "AUTH", r.Header.Get("Authorization"), "VALUE", canaryToken).Replace(pg))
	}))
	defer proxy.Close()
	client := fake.NewClient(func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(proxy.URL) })
	if _, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("prod/hubspot"), SecretString: aws.String(canaryToken)}); err != nil {
		t.Fatal(err)
	}

	pages := map[string]string{
		"xml": `<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>token TOKEN auth AUTH last VALUE</Message></Error>`,
		"html": `<html><body><h1>Forbidden</h1><pre>X-Amz-Security-Token: TOKEN
Authorization: AUTH
cached: VALUE</pre></body></html>`,
		"json":  `{"message":"token TOKEN auth AUTH last VALUE"}`,
		"empty": ``,
	}
	for name, pg := range pages {
		for _, st := range []int{401, 403, 502} {
			where := fmt.Sprintf("%s %d", name, st)
			p, err := awssm.New(client, "prod/hubspot")
			if err != nil {
				t.Fatal(err)
			}
			c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			c.OnError(func(err error) { rec.Err(where+" hook", err) })
			mu.Lock()
			status, page, blockAll = 0, "", false
			mu.Unlock()
			if _, err := c.Get(context.Background()); err != nil {
				t.Fatalf("%s: first Get: %v", where, err)
			}

			mu.Lock()
			status, page = st, pg
			mu.Unlock()
			_, err = c.Refresh(context.Background()) // DescribeSecret refused
			rec.Err(where+" describe", err)

			mu.Lock()
			blockAll = true
			mu.Unlock()
			_, err = c.Refresh(context.Background())
			if err == nil {
				t.Fatalf("%s: Refresh succeeded with every call refused", where)
			}
			rec.Err(where+" all", err)
			_, err = p.FetchPrevious(context.Background())
			rec.Err(where+" previous", err)
			c.Close()
			rec.Err(where+" last", c.LastError())
		}
	}
	rec.Check(t, canaryToken, canaryAWSSessionToken)
	n, size := rec.Outputs()
	t.Logf("awssm foreign error bodies: %d outputs, %d bytes scanned", n, size)
}
