package hubspot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestNewValidatesOptions(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	for name, tc := range map[string]struct {
		opts []Option
		want string
	}{
		"no token":        {nil, "no token source"},
		"nil token":       {[]Option{WithToken(nil)}, "WithToken(nil)"},
		"typed nil token": {[]Option{WithToken((*secrets.Cache)(nil))}, "WithToken(nil)"},
		"relative URL":    {[]Option{WithToken(cache), WithBaseURL("/api")}, "absolute https"},
		"ftp URL":         {[]Option{WithToken(cache), WithBaseURL("ftp://api.hubapi.com")}, "absolute https"},
		"http remote":     {[]Option{WithToken(cache), WithBaseURL("http://api.hubapi.com")}, "plain http"},
		"user info":       {[]Option{WithToken(cache), WithBaseURL("https://u:" + tokenA + "@api.hubapi.com")}, "user info"},
		"query":           {[]Option{WithToken(cache), WithBaseURL("https://api.hubapi.com/?hapikey=" + tokenA)}, "query"},
		"bad URL":         {[]Option{WithToken(cache), WithBaseURL("https://api.hubapi.com/%zz")}, "does not parse"},
		"no host":         {[]Option{WithToken(cache), WithBaseURL("https://")}, "no host"},
		"nil client":      {[]Option{WithToken(cache), WithHTTPClient(nil)}, "WithHTTPClient(nil)"},
		"bad rate":        {[]Option{WithToken(cache), WithRateLimit(RateLimit{Requests: -1, Interval: time.Second})}, "WithRateLimit"},
		"bad search rate": {[]Option{WithToken(cache), WithSearchRateLimit(RateLimit{Requests: 5})}, "WithSearchRateLimit"},
		"bad retry":       {[]Option{WithToken(cache), WithRetry(RetryPolicy{})}, "MaxAttempts"},
		"bad UA":          {[]Option{WithToken(cache), WithUserAgent("x\r\nAuthorization: y")}, "control character"},
		"nil clock":       {[]Option{WithToken(cache), WithClock(nil)}, "WithClock(nil)"},
		"bad conc":        {[]Option{WithToken(cache), WithBatchConcurrency(0)}, "between 1 and 32"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := New(tc.opts...)
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			secretstest.AssertNoLeak(t, "error", err.Error(), tokenA)
		})
	}
	for _, u := range []string{"https://api.hubapi.com", "https://gw.example.com/hubspot/", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost"} {
		c, err := New(WithToken(cache), WithBaseURL(u))
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		if strings.HasSuffix(c.BaseURL(), "/") {
			t.Errorf("%s: base URL %q keeps its trailing slash", u, c.BaseURL())
		}
		c.Close()
	}
}

func TestClientStackEndToEnd(t *testing.T) {
	st := secretstest.NewStatic(tokenA)
	var gotUA, gotAccept atomic.Value
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		gotAccept.Store(r.Header.Get("Accept"))
		if bearer(r) != tokenA {
			hubspotError(w, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
			return
		}
		if !isCall(t, r, "crm.objects.get", "objectType", "contacts", "objectId", "42") || r.URL.Query().Get("properties") != "email,firstname" {
			hubspotError(w, 404, "OBJECT_NOT_FOUND", "not found "+r.URL.String())
			return
		}
		writeJSON(w, 200, map[string]any{
			"id":         "42",
			"properties": map[string]any{"email": "alice@example.com", "firstname": "Alice", "lastname": nil},
			"createdAt":  "2024-05-01T12:30:00.000Z",
			"updatedAt":  "2024-05-02T12:30:00.000Z",
			"archived":   false,
		})
	})
	c, err := New(WithToken(st), WithBaseURL(srv.URL), WithUserAgent("test-suite/1.0"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Contacts.Get(context.Background(), "42", &GetOptions{Properties: []string{"email", "firstname"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "42" || got.Properties["email"] != "alice@example.com" || got.CreatedAt.IsZero() {
		t.Fatalf("got %+v", got)
	}
	if v, ok := got.Properties.Get("lastname"); ok || v != "" {
		t.Fatal("null property reads as set")
	}
	if ua := gotUA.Load().(string); !strings.HasPrefix(ua, "hubkey/") || !strings.HasSuffix(ua, " test-suite/1.0") {
		t.Fatalf("User-Agent %q", ua)
	}
	if gotAccept.Load() != "application/json" {
		t.Fatal("Accept header not set")
	}
	_, err = c.Contacts.Get(context.Background(), "43", nil)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	// Close is safe twice.
	c.Close()
	c.Close()
}

func TestClientTransportErrorIsSanitized(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(WithToken(cache), WithBaseURL("http://"+addr), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Contacts.Get(context.Background(), "alice@example.com", &GetOptions{IDProperty: "email", Properties: []string{"secretprop"}})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "idProperty") || strings.Contains(msg, "secretprop") || strings.Contains(msg, "?") {
		t.Fatalf("transport error shows the query: %s", msg)
	}
	if !strings.Contains(msg, pathFor(t, c, "crm.objects.get", "objectType", "contacts", "objectId", "alice@example.com")) {
		t.Fatalf("transport error lost the path: %s", msg)
	}
	secretstest.AssertNoLeak(t, "error", msg, tokenA)
}

func TestClient401RotatesThroughWholeStack(t *testing.T) {
	st := secretstest.NewStatic(tokenA)
	cache, _ := secrets.NewCache(st, secrets.WithMinInvalidateInterval(0))
	defer cache.Close()
	var valid atomic.Value
	valid.Store(tokenA)
	var calls atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if bearer(r) != valid.Load().(string) {
			hubspotError(w, 401, "INVALID_AUTHENTICATION", "expired")
			return
		}
		writeJSON(w, 201, map[string]any{"id": "7", "properties": map[string]string{"email": "x@y.z"}})
	})
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(WithToken(cache), WithBaseURL(srv.URL), WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Contacts.Create(ctx, ObjectInput{Properties: Properties{"email": "x@y.z"}}); err != nil {
		t.Fatal(err)
	}
	// HubSpot revokes A; the secret store already holds B.
	st.Rotate(tokenB)
	valid.Store(tokenB)
	obj, err := c.Contacts.Create(ctx, ObjectInput{Properties: Properties{"email": "x@y.z"}})
	if err != nil {
		t.Fatal(err)
	}
	if obj.ID != "7" || calls.Load() != 3 {
		t.Fatalf("id %q after %d calls; want one 401 and one re-send", obj.ID, calls.Load())
	}
	out := logs.String()
	secretstest.AssertNoLeak(t, "logs", out, tokenA)
	secretstest.AssertNoLeak(t, "logs", out, tokenB)
	if !strings.Contains(out, secrets.New(tokenB).Fingerprint()) || !strings.Contains(out, `"status":401`) {
		t.Fatalf("logs lack the attempts:\n%s", out)
	}
	// A token HubSpot keeps rejecting is an ErrUnauthorized error.
	valid.Store("nobody")
	_, err = c.Contacts.Get(ctx, "7", nil)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	secretstest.AssertNoLeak(t, "error", err.Error(), tokenB)
}

func TestClientRetriesRateLimitOnInjectedClock(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	var calls atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			rateLimited(w, "TEN_SECONDLY_ROLLING", "2")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "1", "properties": map[string]string{}})
	})
	fake := clock.NewFake(epoch)
	c, err := New(WithToken(cache), WithBaseURL(srv.URL), WithClock(fake))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go advanceWhenWaiting(ctx, fake)
	if _, err := c.Contacts.Get(ctx, "1", nil); err != nil {
		t.Fatal(err)
	}
	if waited := fake.Now().Sub(epoch); waited < 2*time.Second {
		t.Fatalf("clock moved %v, want the 2s Retry-After waited on the fake clock", waited)
	}
	// DAILY comes back as a *RateLimitError at once.
	srv2 := server(t, func(w http.ResponseWriter, r *http.Request) { rateLimited(w, "DAILY", "") })
	c2, _ := New(WithToken(cache), WithBaseURL(srv2.URL), WithClock(fake))
	defer c2.Close()
	_, err = c2.Contacts.Get(ctx, "1", nil)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Policy != Daily || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want a DAILY *RateLimitError", err)
	}
}

func TestClientUsesGivenHTTPClientTransport(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"id": "1", "properties": map[string]string{}})
	})
	base := &countingRT{base: http.DefaultTransport}
	var redirects atomic.Int32
	hc := &http.Client{Transport: base, CheckRedirect: func(*http.Request, []*http.Request) error { redirects.Add(1); return nil }}
	c, err := New(WithToken(cache), WithBaseURL(srv.URL), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Contacts.Get(context.Background(), "1", nil); err != nil {
		t.Fatal(err)
	}
	if base.n.Load() != 1 {
		t.Fatal("the given client's transport was not the base")
	}
	if hc.Transport != base {
		t.Fatal("the given client was modified")
	}
}
