package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canary credentials: long enough that finding one is no coincidence. The
// developer key has characters that URLs escape.
const (
	bearerToken  = "pat-na1-0e2e0e2e-aaaa-4bbb-8ccc-0123456789ab"
	developerKey = "dk/0e2e+0e2e=0e2e&0e2e-ffff-4eee-8ddd-ba9876543210"
)

// recorded is a request as a server received it.
type recorded struct {
	host, uri string
	header    http.Header
	body      string
}

// recorder is a loopback server that records every request and answers
// with answer (a JSON object, by default).
type recorder struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	answer http.HandlerFunc
}

func newRecorder(t *testing.T, answer http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{host: req.Host, uri: req.RequestURI, header: req.Header.Clone(), body: string(b)})
		r.mu.Unlock()
		if r.answer != nil {
			r.answer(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"1","properties":{},"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z","archived":false,"targetUrl":"https://example.com/hook","throttling":{"maxConcurrentRequests":10}}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// credentials lists where req carries the canary bearer token or
// developer key, or any Authorization header.
func credentials(req recorded) []string {
	where := append(carries(req, bearerToken), carries(req, developerKey)...)
	if req.header.Get("Authorization") != "" {
		where = append(where, "an Authorization header")
	}
	return where
}

// carries lists where req carries secret, as is or in a form a URL gives
// it.
func carries(req recorded, secret string) []string {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	var where []string
	has := func(s string) bool {
		for _, f := range forms {
			if strings.Contains(s, f) {
				return true
			}
		}
		return false
	}
	if has(req.uri) {
		where = append(where, "request URI")
	}
	for k, vv := range req.header {
		for _, v := range vv {
			if has(v) {
				where = append(where, "header "+k)
			}
		}
	}
	if has(req.body) {
		where = append(where, "body")
	}
	return where
}

// redirectTo answers every request with a redirect of status code to
// target's origin, echoing the request's path and query (as a careless or
// hostile server does).
func redirectTo(code int, origin string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, origin+r.URL.RequestURI(), code)
	}
}

// dialCounter is an http.Transport that counts its dials.
func dialCounter(n *atomic.Int64) *http.Transport {
	var d net.Dialer
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		return d.DialContext(ctx, network, addr)
	}}
}

// Credentials go only over HTTPS, or to a loopback host. Anything else is
// refused, with an error that says why, before any token is fetched or any
// connection is made.
func TestCredentialsOnlyOverHTTPSOrLoopback(t *testing.T) {
	insecure := []string{
		"http://api.hubapi.com",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
		"http://0.0.0.0:8080",
		"http://10.0.0.1",
		"ftp://api.hubapi.com",
	}
	for _, base := range insecure {
		st := secretstest.NewStatic(bearerToken)
		var dials atomic.Int64
		_, err := hubspot.New(hubspot.WithToken(st), hubspot.WithBaseURL(base), hubspot.WithHTTPClient(&http.Client{Transport: dialCounter(&dials)}))
		if err == nil || !strings.Contains(err.Error(), "https") {
			t.Errorf("New with base URL %s: %v; want a refusal that names https", base, err)
		}
		if st.Fetches() != 0 || dials.Load() != 0 {
			t.Errorf("base URL %s: %d fetches and %d dials before the refusal", base, st.Fetches(), dials.Load())
		}
	}

	// The credential layers on their own refuse such a URL per request.
	for _, u := range insecure[:5] {
		st := secretstest.NewStatic(bearerToken)
		var dials atomic.Int64
		base := dialCounter(&dials)
		layers := map[string]http.RoundTripper{
			"Transport":                &hubspot.Transport{Source: newCache(t, st), Base: base},
			"Transport, developer key": &hubspot.Transport{DeveloperKey: newCache(t, st), Base: base},
		}
		for name, rt := range layers {
			req, _ := http.NewRequest("GET", u+"/webhooks/v3/1/settings", nil)
			_, err := (&http.Client{Transport: rt}).Do(req)
			if !errors.Is(err, hubspot.ErrInsecureURL) {
				t.Errorf("%s to %s: %v; want ErrInsecureURL", name, u, err)
			}
		}
		if st.Fetches() != 0 || dials.Load() != 0 {
			t.Errorf("%s: %d fetches and %d dials before the refusal", u, st.Fetches(), dials.Load())
		}
	}

	// Loopback over plain HTTP is allowed: that is how tests run.
	srv := newRecorder(t, nil)
	for _, base := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		c := newClientURL(t, base)
		if _, err := c.Contacts.Get(context.Background(), "1", nil); err != nil {
			t.Errorf("loopback base URL %s: %v", base, err)
		}
	}
}

// newClientURL returns a client of base with the canary bearer token and
// developer key.
func newClientURL(t *testing.T, base string, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	all := append([]hubspot.Option{
		hubspot.WithToken(secretstest.NewStatic(bearerToken)),
		hubspot.WithDeveloperKey(secretstest.NewStatic(developerKey)),
		hubspot.WithBaseURL(base),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 1}),
	}, opts...)
	c, err := hubspot.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// No credential, bearer token or developer key, follows a redirect to
// another host, whatever the redirect status, whether the other host is
// another server or the same one by another name, and even when the
// Location echoes the query string that carried the developer key. The
// other host is a second loopback server that records what reaches it.
func TestNoCredentialFollowsARedirectToAnotherHost(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(*hubspot.Client) error{
		"bearer GET": func(c *hubspot.Client) error { _, err := c.Contacts.Get(ctx, "1", nil); return err },
		"bearer PATCH": func(c *hubspot.Client) error {
			_, err := c.Contacts.Update(ctx, "1", hubspot.Properties{"firstname": "x"}, nil)
			return err
		},
		"developer key GET": func(c *hubspot.Client) error { _, err := c.Webhooks.GetSettings(ctx, 12345); return err },
		"developer key PUT": func(c *hubspot.Client) error {
			_, err := c.Webhooks.UpdateSettings(ctx, 12345, hubspot.WebhookSettings{TargetURL: "https://example.com/hook", Throttling: hubspot.WebhookThrottling{MaxConcurrentRequests: 10}})
			return err
		},
	}
	for _, code := range []int{301, 302, 303, 307, 308} {
		for name, call := range calls {
			other := newRecorder(t, nil)
			front := newRecorder(t, redirectTo(code, other.URL))
			if err := call(newClientURL(t, front.URL)); err != nil {
				t.Errorf("%d, %s: %v", code, name, err)
			}
			checkRedirected(t, fmt.Sprintf("%d %s, to another server", code, name), front, other)

			// The same server under another name is another host.
			alias := newRecorder(t, nil)
			aliasURL := strings.Replace(alias.URL, "127.0.0.1", "localhost", 1)
			alias.answer = func(w http.ResponseWriter, r *http.Request) {
				if r.Host == strings.TrimPrefix(aliasURL, "http://") {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"id":"1","properties":{}}`)
					return
				}
				redirectTo(code, aliasURL)(w, r)
			}
			if err := call(newClientURL(t, alias.URL)); err != nil {
				t.Errorf("%d, %s, by another name: %v", code, name, err)
			}
			reqs := alias.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d, %s, by another name: %d requests", code, name, len(reqs))
			}
			if where := credentials(reqs[1]); len(where) > 0 {
				t.Errorf("%d, %s: the redirect to the same server by another name carried a credential in %s", code, name, strings.Join(where, ", "))
			}
		}
	}

	// Control: a redirect on the same host keeps the credential, so the
	// recorder would see one if it were forwarded.
	var same *recorder
	same = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/contacts/1") {
			http.Redirect(w, r, same.URL+"/crm/v3/objects/contacts/2", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"2","properties":{}}`)
	})
	if err := calls["bearer GET"](newClientURL(t, same.URL)); err != nil {
		t.Fatal(err)
	}
	if reqs := same.requests(); len(reqs) != 2 || len(credentials(reqs[1])) == 0 {
		t.Errorf("a same-host redirect lost the credential, or was not followed: %d requests", len(reqs))
	}
}

// checkRedirected checks that front got the credential and other, the host
// it redirected to, got the request without any.
func checkRedirected(t *testing.T, what string, front, other *recorder) {
	t.Helper()
	f, o := front.requests(), other.requests()
	if len(f) != 1 || len(o) != 1 {
		t.Fatalf("%s: the front server got %d requests and the other host %d; want one each", what, len(f), len(o))
	}
	if len(credentials(f[0])) == 0 {
		t.Errorf("%s: the front server got no credential; the test proves nothing", what)
	}
	if where := credentials(o[0]); len(where) > 0 {
		t.Errorf("%s: the other host got a credential in %s", what, strings.Join(where, ", "))
	}
}

// A chain of redirects across three hosts, where each hop echoes the query
// string in its Location: the third host receives no credential either, in
// any header (Referer included).
func TestNoCredentialFollowsARedirectChain(t *testing.T) {
	ctx := context.Background()
	third := newRecorder(t, nil)
	second := newRecorder(t, redirectTo(http.StatusFound, third.URL))
	first := newRecorder(t, redirectTo(http.StatusFound, second.URL))
	c := newClientURL(t, first.URL)
	if _, err := c.Webhooks.GetSettings(ctx, 12345); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Get(ctx, "1", nil); err != nil {
		t.Fatal(err)
	}
	for i, r := range append(second.requests(), third.requests()...) {
		if where := credentials(r); len(where) > 0 {
			t.Errorf("redirected request %d (%s%s) carried a credential in %s", i, r.host, r.uri, strings.Join(where, ", "))
		}
	}
}

// Another host cannot send a credentialed request back to the original
// host either: a 307 there, and a 307 back to another path of the original
// host, would otherwise re-send the call (a PATCH, body and all) with the
// credential to a record the other host chose. Once a redirect chain has
// left the host, nothing later in it carries a credential, as net/http
// itself does for headers it was given (CVE-2024-45336).
func TestNoCredentialAfterABounceThroughAnotherHost(t *testing.T) {
	ctx := context.Background()
	var front *recorder
	other := newRecorder(t, nil)
	front = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chosen-by-the-other-host") || strings.HasSuffix(r.URL.Path, "/999") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"999","properties":{},"targetUrl":"https://example.com/hook"}`)
			return
		}
		http.Redirect(w, r, other.URL+"/bounce", http.StatusTemporaryRedirect)
	})
	other.answer = func(w http.ResponseWriter, r *http.Request) {
		to := front.URL + "/crm/v3/objects/contacts/999"
		if strings.HasPrefix(r.Header.Get("Referer"), front.URL+"/webhooks/") {
			to = front.URL + "/webhooks/v3/12345/subscriptions/999"
		}
		http.Redirect(w, r, to, http.StatusTemporaryRedirect)
	}
	c := newClientURL(t, front.URL)
	if _, err := c.Contacts.Update(ctx, "1", hubspot.Properties{"firstname": "x"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.UpdateSubscription(ctx, 12345, 1, true); err != nil {
		t.Fatal(err)
	}
	reqs := front.requests()
	if len(reqs) != 4 {
		t.Fatalf("the front server got %d requests; want 4", len(reqs))
	}
	for i, r := range reqs {
		where := credentials(r)
		switch {
		case i%2 == 0 && len(where) == 0:
			t.Errorf("request %d (%s): no credential on the original call; the test proves nothing", i, r.uri)
		case i%2 == 1 && len(where) > 0:
			t.Errorf("request %d (%s), sent back by another host: credential in %s", i, r.uri, strings.Join(where, ", "))
		}
	}
}
