package leakcheck_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
	"github.com/hubkey/hubkey/secrets/file"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	canaryToken        = "pat-na1-canary-7c1e9a40-5b2d-4f7e-9e31-0d4c1c0ffee0"
	canaryClientSecret = "canary-client-secret-b9d3e1f2a7c4"
	canaryRefresh      = "canary-refresh-token-1e2f3a4b5c6d"
)

// Malformed payloads that contain the secret, through a Cache with debug
// logging: every error, hook call, log line and dump is scanned.
func TestLeakSecretsProvidersMalformedPayloads(t *testing.T) {
	rec := leakcheck.New()
	dir := t.TempDir()
	payloads := map[string]string{
		"bad json":        `{"token": "` + canaryToken,
		"wrong type":      `["` + canaryToken + `"]`,
		"missing field":   `{"tok": "` + canaryToken + `"}`,
		"trailing data":   `{"token": "x"}` + canaryToken,
		"object as field": `{"token": {"v": "` + canaryToken + `"}}`,
	}
	for name, body := range payloads {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := file.New(path, file.WithJSONField("token"), file.WithMaxSize(1<<10))
		if err != nil {
			t.Fatal(err)
		}
		c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
		if err != nil {
			t.Fatal(err)
		}
		c.OnError(func(err error) { rec.Err(name+" hook", err) })
		_, err = c.Get(context.Background())
		if err == nil {
			t.Fatalf("%s: Get succeeded", name)
		}
		rec.Err(name, err)
		c.Close()
		rec.Dump(name+" cache", c)
		rec.Dump(name+" provider", p)
	}
	big := filepath.Join(dir, "big")
	_ = os.WriteFile(big, []byte(canaryToken+string(make([]byte, 2048))), 0o600)
	p, _ := file.New(big, file.WithMaxSize(1024))
	_, err := p.Fetch(context.Background())
	rec.Err("oversized", err)

	rec.Check(t, canaryToken)
	n, size := rec.Outputs()
	t.Logf("malformed payloads: %d outputs, %d bytes scanned", n, size)
}

// A working cache with debug logging, rotation, a rejected version and a
// panicking user hook.
func TestLeakSecretsCacheLifecycle(t *testing.T) {
	rec := leakcheck.New()
	e := map[string]string{"HUBSPOT_TOKEN": canaryToken}
	p, _ := env.New("HUBSPOT_TOKEN", env.WithLookup(func(k string) (string, bool) { v, ok := e[k]; return v, ok }))
	c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()), secrets.WithValidate(func(_ context.Context, v secrets.Version) error {
		if v.Value.Reveal() == canaryToken+"-bad" {
			return errors.New("HubSpot rejected the new token")
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.OnRotate(func(old, new secrets.Version) { rec.Logger().Info("rotated", "old", old, "new", new) })
	v, err := c.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec.Dump("version", v)
	rec.Dump("cache", c)
	rec.Testify("versions", v, secrets.Version{Value: secrets.New(canaryToken + "2")})
	rec.Panic("panic with version", func() { panic(v) })
	rec.Panic("panic with secret", func() { panic(v.Value) })

	e["HUBSPOT_TOKEN"] = canaryToken + "-bad"
	_, err = c.Refresh(context.Background())
	rec.Err("validation", err)
	e["HUBSPOT_TOKEN"] = canaryToken + "-next"
	c.Invalidate(v)
	v2, _ := c.Get(context.Background())
	rec.Dump("rotated", v2)
	delete(e, "HUBSPOT_TOKEN")
	_, err = c.Refresh(context.Background())
	rec.Err("unset", err)

	rec.Check(t, canaryToken, canaryToken+"-bad", canaryToken+"-next")
}

// The OAuth token endpoint misbehaving in every way that tends to leak:
// echoing secrets in JSON and HTML error bodies, refusing connections,
// hanging until the caller's context ends.
func TestLeakOAuthFailurePaths(t *testing.T) {
	rec := leakcheck.New()
	hostile := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	// The server notices a client hanging up only once the body is read.
	stop := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(stop) })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String()
	ln.Close()

	urls := map[string]string{
		"echo json":  hostile(400, `{"error":"invalid_grant","error_description":"bad refresh_token=`+canaryRefresh+` client_secret=`+canaryClientSecret+`"}`),
		"echo html":  hostile(500, `<html>`+canaryClientSecret+`</html>`),
		"echo 200":   hostile(200, `{"access_token":"","echo":"`+canaryRefresh+`"}`),
		"not json":   hostile(200, canaryRefresh),
		"refused":    refused,
		"hang":       hang.URL,
		"closed TLS": "https://127.0.0.1:1",
	}
	for name, u := range urls {
		p, err := oauth.New(oauth.Config{
			ClientID:     "app",
			ClientSecret: secretstest.NewStatic(canaryClientSecret),
			RefreshToken: secretstest.NewStatic(canaryRefresh),
			TokenURL:     u + "/oauth/v3/token",
			HTTPClient:   &http.Client{Timeout: 5 * time.Second},
		})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err = c.Get(ctx)
		cancel()
		if err == nil {
			t.Fatalf("%s: Get succeeded", name)
		}
		rec.Err(name, err)
		_, err = p.Fetch(ctx) // cancelled context
		rec.Err(name+" cancelled", err)
		c.Close() // waits for the background refresh, so the dumps below race nothing
		rec.Err(name+" last", c.LastError())
		rec.Dump(name+" provider", p)
		rec.Dump(name+" cache", c)
	}
	_, err := oauth.New(oauth.Config{ClientID: "a", ClientSecret: secretstest.NewStatic(canaryClientSecret), RefreshToken: secretstest.NewStatic(canaryRefresh), TokenURL: "http://api.hubapi.com/x"})
	rec.Err("insecure url", err)

	rec.Check(t, canaryClientSecret, canaryRefresh)
}
