package hubspot

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// recordingRT answers every request 200 without any network, and records
// what it was sent.
type recordingRT struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

func (r *recordingRT) sent() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// hostsClient returns a client of base whose requests reach rt, with the
// bearer token tokenA and the developer key devKeyCanary, and the static
// providers behind them, to count fetches.
func hostsClient(t *testing.T, base string, rt http.RoundTripper, opts ...Option) (*Client, *secretstest.Static, *secretstest.Static) {
	t.Helper()
	tok, key := secretstest.NewStatic(tokenA), secretstest.NewStatic(devKeyCanary)
	all := append([]Option{WithToken(tok), WithDeveloperKey(key), WithBaseURL(base),
		WithHTTPClient(&http.Client{Transport: rt}), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1})}, opts...)
	c, err := New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, tok, key
}

// Through Client.HTTPClient, the bearer token and the developer key go to
// the base URL's host only: any other host, HTTPS or loopback, gets no
// credential and a clear error naming it (and not the query), before the
// credential is read or anything is sent.
func TestHTTPClientSendsCredentialsOnlyToTheBaseHost(t *testing.T) {
	rt := &recordingRT{}
	c, tok, key := hostsClient(t, "https://api.hubapi.com", rt)
	for _, u := range []string{
		"https://evil.example.com/crm/v3/objects/contacts?after=" + tokenB,
		"https://evil.example.com/webhooks/v3/1/settings?x=" + tokenB,
		"https://api.hubapi.com.evil.example.com/crm/v3/objects/contacts",
		"https://api.hubapi.com:8443/crm/v3/objects/contacts",
		"https://hubapi.com/crm/v3/objects/contacts",
		"http://127.0.0.1:8080/crm/v3/objects/contacts",
		"http://localhost/webhooks/v3/1/settings",
	} {
		_, err := c.HTTPClient().Get(u)
		if !errors.Is(err, ErrUnboundHost) {
			t.Errorf("GET %s: %v; want ErrUnboundHost", u, err)
			continue
		}
		var ue interface{ Unwrap() error }
		msg := err.Error()
		if errors.As(err, &ue) {
			msg = ue.Unwrap().Error() // our error, without the URL net/http wraps it in
		}
		host := u[strings.Index(u, "//")+2:]
		host = host[:strings.IndexByte(host, '/')]
		if !strings.Contains(msg, host) || strings.Contains(msg, tokenB) || strings.Contains(msg, "?") {
			t.Errorf("GET %s: %q; want the host named and no query", u, msg)
		}
	}
	if n := len(rt.sent()); n != 0 {
		t.Errorf("%d requests reached the network", n)
	}
	if tok.Fetches() != 0 || key.Fetches() != 0 {
		t.Errorf("credentials read for unbound hosts: %d token, %d developer key fetches", tok.Fetches(), key.Fetches())
	}

	// The base URL's host, however spelled, still gets them.
	for _, u := range []string{"https://api.hubapi.com/crm/v3/objects/contacts", "https://API.hubapi.com.:443/webhooks/v3/1/settings"} {
		resp, err := c.HTTPClient().Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
	}
	sent := rt.sent()
	if len(sent) != 2 || bearer(sent[0]) != tokenA || sent[1].URL.Query().Get(developerKeyParam) != devKeyCanary {
		t.Errorf("requests to the base host did not carry their credentials")
	}
}

// On loopback a credential is bound to the base URL's port, not to every
// local listener: another test server on 127.0.0.1 gets nothing.
func TestLoopbackBindsHostAndPort(t *testing.T) {
	var otherCalls atomic.Int64
	other := server(t, func(w http.ResponseWriter, r *http.Request) { otherCalls.Add(1) })
	home := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	cache, _ := newCache(t, tokenA)
	keys, _ := newCache(t, devKeyCanary)
	c, err := New(WithToken(cache), WithDeveloperKey(keys), WithBaseURL(home.URL), WithRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, u := range []string{other.URL + "/crm/v3/objects/contacts", other.URL + "/webhooks/v3/1/settings",
		strings.Replace(home.URL, "127.0.0.1", "localhost", 1) + "/crm/v3/objects/contacts"} {
		if _, err := c.HTTPClient().Get(u); !errors.Is(err, ErrUnboundHost) {
			t.Errorf("GET %s: %v; want ErrUnboundHost", u, err)
		}
	}
	if otherCalls.Load() != 0 {
		t.Errorf("the other loopback server got %d requests", otherCalls.Load())
	}
	resp, err := c.HTTPClient().Get(home.URL + "/crm/v3/objects/contacts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// WithCredentialHosts adds hosts; nothing else changes.
func TestWithCredentialHosts(t *testing.T) {
	rt := &recordingRT{}
	c, _, _ := hostsClient(t, "https://gw.example.com/hubspot", rt, WithCredentialHosts("api.hubapi.com", "API-eu1.hubapi.com:443"))
	for _, u := range []string{"https://api.hubapi.com/crm/v3/objects/contacts", "https://api-eu1.hubapi.com/crm/v3/objects/contacts"} {
		resp, err := c.HTTPClient().Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
	}
	for _, u := range []string{"http://api.hubapi.com/crm/v3/objects/contacts", "https://api-eu2.hubapi.com/crm/v3/objects/contacts"} {
		if _, err := c.HTTPClient().Get(u); err == nil {
			t.Errorf("GET %s: sent", u)
		}
	}
	if sent := rt.sent(); len(sent) != 2 || bearer(sent[0]) != tokenA || bearer(sent[1]) != tokenA {
		t.Errorf("requests to the named hosts did not carry the token")
	}

	for _, bad := range []string{"", "https://api.hubapi.com", "api.hubapi.com/crm", "api.hubapi.com?x=1", "user@api.hubapi.com",
		"api.hubapi.com:0", "api.hubapi.com:65536", "api.hubapi.com:x", "api.hubapi.com:", "127.0.0.1:8080", "localhost", "[::1]:443"} {
		_, err := New(WithToken(secretstest.NewStatic(tokenA)), WithCredentialHosts(bad))
		if err == nil || !strings.Contains(err.Error(), "WithCredentialHosts") {
			t.Errorf("WithCredentialHosts(%q): %v; want a refusal", bad, err)
		}
	}
}

// A credential transport used alone is bound to HubSpot's host unless told
// otherwise.
func TestTransportHostsDefaultToHubSpot(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	keys, _ := newCache(t, devKeyCanary)
	for name, tc := range map[string]struct {
		rt   func(base http.RoundTripper) http.RoundTripper
		path string
	}{
		"Transport, token":         {func(b http.RoundTripper) http.RoundTripper { return &Transport{Source: cache, Base: b} }, "/crm/v3/objects/contacts"},
		"Transport, developer key": {func(b http.RoundTripper) http.RoundTripper { return &Transport{DeveloperKey: keys, Base: b} }, "/webhooks/v3/1/settings"},
	} {
		base := &recordingRT{}
		hc := &http.Client{Transport: tc.rt(base)}
		if _, err := hc.Get("https://api.example.com" + tc.path); !errors.Is(err, ErrUnboundHost) {
			t.Errorf("%s to another host: %v; want ErrUnboundHost", name, err)
		}
		resp, err := hc.Get("https://api.hubapi.com" + tc.path)
		if err != nil {
			t.Fatalf("%s to api.hubapi.com: %v", name, err)
		}
		resp.Body.Close()
		if n := len(base.sent()); n != 1 {
			t.Errorf("%s: %d requests sent; want 1", name, n)
		}
	}
}
