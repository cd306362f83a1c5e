package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// devKey is a developer key for the tests that do not use hubspottest's:
// long enough that finding it in output is no coincidence.
const devKey = "dk-3f1c9a7e-5b2d-4e8f-9a6c-1d0e7b4c2a95"

// masked replaces the test credentials, and extra ones, in the text of s
// (a string or an error), for failure messages.
func masked(s any, extra ...string) string {
	text := fmt.Sprint(s)
	for _, sec := range append([]string{devKey, tokenForRedirects}, extra...) {
		for _, f := range secretstest.Encodings(sec) {
			text = strings.ReplaceAll(text, f, "<"+secrets.New(sec).Fingerprint()+">")
		}
	}
	return text
}

func httpServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// hostOf returns the host:port of a URL, for the Hosts of a credential
// transport.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// tokenCache returns a Cache over a Static holding value, closed at the end
// of the test.
func tokenCache(t testing.TB, key string) (*secrets.Cache, *secretstest.Static) {
	t.Helper()
	st := secretstest.NewStatic(key)
	c, err := secrets.NewCache(st, secrets.WithMinInvalidateInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, st
}

// seen is what a test server received.
type seen struct {
	mu   sync.Mutex
	reqs []string // "METHOD path?query auth=..."
}

func (s *seen) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, fmt.Sprintf("%s %s?%s auth=%q", r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization")))
}

func (s *seen) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
}

func (s *seen) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.reqs, "\n")
}

// The developer key goes to the operations the catalogue says take it
// (by method and path), in the numbered and the dated versions, and to
// nothing else.
func TestDeveloperKeyGoesWhereTheCatalogueSays(t *testing.T) {
	cache, _ := tokenCache(t, devKey)
	tokens, _ := tokenCache(t, tokenForRedirects)
	var keyed bool
	dk := &hubspot.Transport{
		Source:       tokens,
		DeveloperKey: cache,
		Base: rtFunc(func(r *http.Request) (*http.Response, error) {
			keyed = r.URL.Query().Has("hapikey")
			if keyed && r.Header.Get("Authorization") != "" {
				t.Errorf("%s %s carries the key and a token", r.Method, r.URL.Path)
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		}),
	}
	for path, want := range map[string]bool{
		"/webhooks/v3/123/settings":                    true,
		"/webhooks/v3/123/subscriptions":               true,
		"/webhooks/v3/123/subscriptions/45":            true,
		"/webhooks/v3/123/subscriptions/batch/update":  true,
		"/app-webhooks/2025-09/123/settings":           true,
		"/app-webhooks/2026-09/123/subscriptions/45":   true,
		"/app-webhooks/2026-03/123/settings":           false, // 2026-03 has no such path
		"/webhooks/v3/123/settings/":                   false,
		"/webhooks/v3/abc/settings":                    false,
		"/webhooks/v3//settings":                       false,
		"/webhooks/v3/123/subscriptions/x":             false,
		"/webhooks/v3/123/subscriptions/45/extra":      false,
		"/webhooks/v3/123/subscriptions/batch/read":    false,
		"/webhooks/v3/123":                             false,
		"/webhooks/v3/1%2F2/settings":                  false,
		"/webhooks/v4/123/settings":                    false,
		"/webhooks/2026-03/123/settings":               false,
		"/x/webhooks/v3/123/settings":                  false,
		"/crm/v3/objects/contacts":                     false,
		"/webhooks/v3/12345678901234567890/settings":   false,
		"/webhooks/v3/1234567890123456789/settings":    true,
		"/WEBHOOKS/v3/123/settings":                    false,
		"/oauth/v1/token":                              false,
		"/webhooks/v3/123/subscriptions/batch/update/": false,
	} {
		method := "GET"
		if strings.Contains(path, "/batch/") {
			method = "POST"
		}
		req, err := http.NewRequest(method, "https://api.hubapi.com"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := dk.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		res.Body.Close()
		if keyed != want {
			t.Errorf("%s %s: developer key sent = %v, want %v", method, path, keyed, want)
		}
	}
}

func TestDeveloperKeyTransportAddsKeyOnlyWhereTaken(t *testing.T) {
	var got seen
	ts := httpServer(t, func(w http.ResponseWriter, r *http.Request) { got.record(r) })
	cache, _ := tokenCache(t, devKey)
	hc := &http.Client{Transport: &hubspot.Transport{DeveloperKey: cache, PathPrefix: "/gw", Hosts: []string{hostOf(ts.URL)}}}
	q := url.QueryEscape(devKey)
	for _, tc := range []struct{ path, want string }{
		{"/gw/webhooks/v3/1/settings", "GET /gw/webhooks/v3/1/settings?hapikey=" + q + ` auth=""`},
		{"/gw/webhooks/v3/1/subscriptions?x=1&y=a%20b", "GET /gw/webhooks/v3/1/subscriptions?x=1&y=a%20b&hapikey=" + q + ` auth=""`},
		// A hapikey already in the URL is replaced, not repeated.
		{"/gw/webhooks/v3/1/subscriptions/2?HapiKey=old&z=2", "GET /gw/webhooks/v3/1/subscriptions/2?z=2&hapikey=" + q + ` auth=""`},
		// Calls that take a bearer token: this Transport has none.
		{"/gw/crm/v3/objects/contacts", ""},
		{"/webhooks/v3/1/settings", ""}, // outside the prefix
	} {
		got.reset()
		req, _ := http.NewRequest("GET", ts.URL+tc.path, nil)
		before := req.URL.String()
		resp, err := hc.Do(req)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "no Source or Credentials") || got.all() != "" {
				t.Errorf("%s: %v, server saw %q; want a refusal", tc.path, err, masked(got.all()))
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got.all() != tc.want {
			t.Errorf("%s: server saw\n%s\nwant\n%s", tc.path, masked(got.all()), masked(tc.want))
		}
		if req.URL.String() != before {
			t.Errorf("%s: the caller's request was changed", tc.path)
		}
		secretstest.AssertNoLeak(t, "Response.Request", resp.Request.URL.String(), devKey)
	}
}

// failingRT fails the test if anything is sent through it.
type failingRT struct{ t *testing.T }

func (f failingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("%s %s was sent", r.Method, r.URL.Path)
	return nil, errors.New("should not be sent")
}

// emptySource hands out a version with no value.
type emptySource struct{}

func (emptySource) Get(context.Context) (secrets.Version, error) { return secrets.Version{}, nil }
func (emptySource) Invalidate(secrets.Version)                   {}

type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeTracker) Close() error { c.closed.Store(true); return nil }

func TestDeveloperKeyTransportRefuses(t *testing.T) {
	cache, _ := tokenCache(t, devKey)
	failing := secretstest.NewStatic(devKey)
	failing.SetError(errors.New("vault: permission denied at kv/hubspot#devkey"))
	broken, err := secrets.NewCache(failing)
	if err == nil {
		defer broken.Close()
	}
	for _, tc := range []struct {
		name   string
		src    hubspot.TokenSource
		url    string
		header string
		want   string
		is     error
	}{
		{"plain http", cache, "http://api.example.com/webhooks/v3/1/settings", "", "plain HTTP", hubspot.ErrInsecureURL},
		{"bearer alongside", cache, "https://api.example.com/webhooks/v3/1/settings", "Bearer pat-na1-x", "carries an Authorization header", nil},
		{"no source", nil, "https://api.example.com/webhooks/v3/1/settings", "", "no developer API key", hubspot.ErrNoDeveloperKey},
		{"empty key", emptySource{}, "https://api.example.com/webhooks/v3/1/settings", "", "returned an empty key", nil},
		{"source fails", broken, "https://api.example.com/webhooks/v3/1/settings", "", "getting the developer key", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "source fails" && broken == nil {
				t.Skip("the cache refused the failing provider at construction")
			}
			body := &closeTracker{Reader: strings.NewReader("{}")}
			req, _ := http.NewRequest("PUT", tc.url, body)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rt := &hubspot.Transport{DeveloperKey: tc.src, Base: failingRT{t}, Hosts: []string{"api.example.com"}}
			resp, err := rt.RoundTrip(req)
			if resp != nil || err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("got %v, %s; want an error containing %q", resp, masked(err), tc.want)
			}
			if !body.closed.Load() {
				t.Error("the request body was not closed")
			}
			secretstest.AssertNoLeak(t, "error", fmt.Sprintf("%v %+v %#v", err, err, err), devKey)
		})
	}
}

func TestDeveloperKeyTransportRetriesOnceAfter401(t *testing.T) {
	const next = "dk-next-7c1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
	var n atomic.Int64
	ts := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("hapikey") != next || string(b) != `{"active":true}` {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	cache, st := tokenCache(t, devKey)
	if _, err := cache.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Rotate(next) // the cache still holds devKey
	hc := &http.Client{Transport: &hubspot.Transport{DeveloperKey: cache, Hosts: []string{hostOf(ts.URL)}}}
	resp, err := hc.Post(ts.URL+"/webhooks/v3/1/subscriptions", "application/json", strings.NewReader(`{"active":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d requests", resp.StatusCode, n.Load())
	}
}

func TestDeveloperKeyRedirects(t *testing.T) {
	var other seen
	otherHost := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		w.WriteHeader(http.StatusNotFound)
	})
	var home seen
	var homeURL string
	homeHost := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		home.record(r)
		switch r.URL.Path {
		case "/webhooks/v3/1/settings": // away, echoing the query as a careless proxy does
			http.Redirect(w, r, otherHost.URL+"/webhooks/v3/1/settings?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		case "/webhooks/v3/1/subscriptions": // same host, echoing the query
			http.Redirect(w, r, homeURL+"/webhooks/v3/1/subscriptions/7?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		case "/webhooks/v3/1/subscriptions/8": // same host, to a path that takes no key
			http.Redirect(w, r, homeURL+"/crm/v3/objects/contacts?"+r.URL.RawQuery, http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	homeURL = homeHost.URL
	tokens, _ := tokenCache(t, tokenForRedirects)
	keys, _ := tokenCache(t, devKey)
	c, err := hubspot.New(hubspot.WithToken(tokens), hubspot.WithDeveloperKey(keys), hubspot.WithBaseURL(homeURL),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}), hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	_, err = c.Webhooks.GetSettings(ctx, 1)
	if !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("GetSettings: %s", masked(err))
	}
	if got := other.all(); got != `GET /webhooks/v3/1/settings? auth=""` {
		t.Fatalf("the other host received %s", masked(got))
	}
	secretstest.AssertNoLeak(t, "error", fmt.Sprintf("%v %+v", err, err), devKey)

	home.reset()
	if _, err := c.Webhooks.ListSubscriptions(ctx, 1); err == nil || !strings.Contains(err.Error(), "decoding") {
		// the final 200 has an empty body: a decoding error, after the key
		// was sent once to the same host's developer-key endpoint
		t.Fatalf("ListSubscriptions: %s", masked(err))
	}
	q := url.QueryEscape(devKey)
	want := "GET /webhooks/v3/1/subscriptions?hapikey=" + q + ` auth=""` + "\nGET /webhooks/v3/1/subscriptions/7?hapikey=" + q + ` auth=""`
	if got := home.all(); got != want {
		t.Fatalf("same-host redirect: server saw\n%s\nwant\n%s", masked(got), masked(want))
	}

	home.reset()
	if _, err := c.Webhooks.GetSubscription(ctx, 1, 8); err == nil {
		t.Fatal("GetSubscription followed a redirect to a CRM path and decoded nothing")
	}
	want = "GET /webhooks/v3/1/subscriptions/8?hapikey=" + q + ` auth=""` + "\nGET /crm/v3/objects/contacts? auth=" + fmt.Sprintf("%q", "Bearer "+tokenForRedirects)
	if got := home.all(); got != want {
		t.Fatalf("redirect to a bearer path: server saw\n%s\nwant\n%s", masked(got), masked(want))
	}
}

const tokenForRedirects = "pat-na1-44444444-dddd-4ddd-8ddd-dddddddddddd"

// leakyRT fails every request with errors that quote the URL it was given,
// as some proxies and instrumented transports do.
type leakyRT struct{ kind int }

func (l leakyRT) RoundTrip(r *http.Request) (*http.Response, error) {
	switch l.kind {
	case 0:
		return nil, fmt.Errorf("proxy refused %s: %w", r.URL, context.Canceled)
	case 1:
		return nil, &url.Error{Op: "Get", URL: r.URL.String(), Err: fmt.Errorf("upstream said no to %q", r.URL.RawQuery)}
	default:
		return nil, errors.Join(errors.New("first"), fmt.Errorf("second: %s", url.PathEscape(r.URL.RawQuery)))
	}
}

// Every output of a failing developer-key call (errors in every format,
// the client's and the server's debug logs, the journal, dumps of results
// and of the Client) is searched for the key in every encoding.
func TestDeveloperKeyLeaks(t *testing.T) {
	rec := leakcheck.New()
	fake := clock.NewFake(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(rec.Logger()), hubspottest.WithClock(fake))
	key := srv.NewDeveloperKey(appID)
	wrong := "dk-" + strings.Repeat("7", len(key)-3)
	ctx := context.Background()

	mk := func(key string, opts ...hubspot.Option) *hubspot.Client {
		t.Helper()
		c, err := hubspot.New(append([]hubspot.Option{
			hubspot.WithDeveloperKey(secretstest.NewStatic(key)), hubspot.WithBaseURL(srv.URL()),
			hubspot.WithLogger(rec.Logger()), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
			hubspot.WithRateLimit(hubspot.RateLimit{}),
		}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		rec.Dump("client", c)
		return c
	}

	// 401: a key HubSpot does not know.
	c := mk(wrong)
	_, err := c.Webhooks.GetSettings(ctx, appID)
	if !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("wrong key: %s", masked(err, key, wrong))
	}
	rec.Err("401", err)
	res, err := c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{{ID: 1, Active: true}})
	rec.Err("401 batch", err)
	rec.Dump("401 batch result", res)

	// 400, 404 and 207 from HubSpot with the right key.
	c = mk(key)
	_, err = c.Webhooks.CreateSubscription(ctx, appID, hubspot.WebhookSubscriptionInput{EventType: "contact.exploded"})
	rec.Err("400", err)
	_, err = c.Webhooks.GetSubscription(ctx, appID, 404)
	rec.Err("404", err)
	res, err = c.Webhooks.BatchUpdateSubscriptions(ctx, appID, []hubspot.WebhookSubscriptionUpdate{{ID: 404, Active: true}})
	rec.Err("207", err)
	rec.Dump("207 result", res)
	rec.Testify("207 result", res, &hubspot.BatchResult[hubspot.WebhookSubscription]{})

	// Connection refused.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refused, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic(key)), hubspot.WithBaseURL(closed.URL),
		hubspot.WithLogger(rec.Logger()), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	_, err = refused.Webhooks.ListSubscriptions(ctx, appID)
	if err == nil {
		t.Fatal("a call to a closed port succeeded")
	}
	rec.Err("connection refused", err)

	// Context cancelled while the server holds the call.
	srv.InjectFault(hubspottest.Fault{Latency: time.Minute, PathPrefix: "/webhooks/"})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.Webhooks.ListSubscriptions(cctx, appID)
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fake.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("the call never reached the server")
	}
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %s", masked(err, key, wrong))
	}
	rec.Err("context cancelled", err)

	// Redirect to another host, echoing the query: the other host gets no
	// key, and the errors and logs show none.
	var other seen
	otherHost := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		http.Error(w, "no", http.StatusUnauthorized)
	})
	front := httpServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherHost.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	})
	redirected, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic(key)), hubspot.WithBaseURL(front.URL),
		hubspot.WithLogger(rec.Logger()), hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer redirected.Close()
	_, err = redirected.Webhooks.UpdateSettings(ctx, appID, hubspot.WebhookSettings{TargetURL: "https://example.com/x", Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10}})
	if !errors.Is(err, hubspot.ErrUnauthorized) {
		t.Fatalf("redirected call: %s", masked(err, key, wrong))
	}
	rec.Err("redirect", err)
	if other.all() == "" {
		t.Fatal("the redirect was not followed")
	}
	rec.Add("what the other host received", other.all())

	// Base transports whose errors quote the URL with the key.
	for kind := range 3 {
		leaky, err := hubspot.New(hubspot.WithDeveloperKey(secretstest.NewStatic(key)), hubspot.WithBaseURL(srv.URL()),
			hubspot.WithHTTPClient(&http.Client{Transport: leakyRT{kind}}), hubspot.WithLogger(rec.Logger()),
			hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = leaky.Webhooks.GetSettings(ctx, appID)
		leaky.Close()
		if err == nil {
			t.Fatal("a leaky transport's call succeeded")
		}
		if kind == 0 && !errors.Is(err, context.Canceled) {
			t.Errorf("the redacted error lost its cause: %s", masked(err, key, wrong))
		}
		if !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("leaky transport %d: %s", kind, masked(err, key))
		}
		rec.Err(fmt.Sprintf("leaky transport %d", kind), err)
	}

	// And directly through the http.Client, where Response.Request is what
	// a caller would log.
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/webhooks/v3/%d/subscriptions", srv.URL(), appID), nil)
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec.Add("Response.Request.URL", resp.Request.URL.String())
	rec.Dump("Response.Request.URL", resp.Request.URL)

	rec.Dump("journal", srv.Journal())
	if n, size := rec.Outputs(); n < 40 || size < 10000 {
		t.Fatalf("only %d outputs, %d bytes recorded: the scenarios did not run", n, size)
	}
	rec.Check(t, key, wrong)
}
