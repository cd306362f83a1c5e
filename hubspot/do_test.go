package hubspot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

// doServer answers 503 to the first request of each method and path and
// 200 with an empty object after that, and records who sent what.
type doServer struct {
	mu   sync.Mutex
	hits map[string]int    // "METHOD /path" -> requests
	auth map[string]string // "METHOD /path" -> the last bearer token
	sig  map[string]bool   // "METHOD /path" -> the last one was signed
}

func (s *doServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k := r.Method + " " + r.URL.EscapedPath()
	s.mu.Lock()
	s.hits[k]++
	n := s.hits[k]
	s.auth[k] = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.sig[k] = r.Header.Get("Signature") != ""
	s.mu.Unlock()
	if n == 1 {
		http.Error(w, `{"status":"error","category":"SERVICE_UNAVAILABLE"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{}`))
}

// Do looks its call up in the catalogue once: the credential, the
// signature and the retries follow the row, in either version; a call the
// catalogue does not know gets the fallback credential, a signature when
// its path is sensitive, and retries only for GET.
func TestDoFollowsTheCatalogue(t *testing.T) {
	s := &doServer{hits: map[string]int{}, auth: map[string]string{}, sig: map[string]bool{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	clk := clock.NewFake(signingEpoch)
	signer, err := signing.NewSigner(signing.StaticKey(secrets.New(signingKey)), signingKeyID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := hubspot.New(
		hubspot.WithBaseURL(srv.URL),
		hubspot.WithCredential("reader", secretstest.NewStatic("read-token"), contactsRead),
		hubspot.WithCredential("writer", secretstest.NewStatic("write-token"), contactsRead, contactsWrite),
		hubspot.WithFallbackCredential("writer"),
		hubspot.WithSigner(signer, nil),
		hubspot.WithClock(clk),
		hubspot.WithRateLimit(hubspot.RateLimit{}), hubspot.WithSearchRateLimit(hubspot.RateLimit{}),
		hubspot.WithRetry(hubspot.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // let the retry backoff pass on the fake clock
		for clk.WaitForTimers(ctx, 1) == nil {
			clk.AdvanceToNext()
		}
	}()
	for _, tc := range []struct {
		method, path string
		token        string
		signed       bool
		retried      bool
	}{
		{"GET", "/crm/v3/objects/contacts/1", "read-token", false, true},
		{"GET", "/crm/objects/2026-03/contacts/1", "read-token", false, true},
		{"PATCH", "/crm/v3/objects/contacts/1", "write-token", false, false},
		{"DELETE", "/crm/objects/2026-03/contacts/1", "write-token", true, false},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", "write-token", false, true},
		{"PUT", "/crm/v4/objects/contacts/1/associations/contacts/2", "write-token", false, true},
		{"GET", "/marketing/v3/campaigns", "write-token", false, true},
		{"POST", "/marketing/v3/emails/search", "write-token", false, false},
		{"DELETE", "/marketing/v3/emails/5", "write-token", true, false},
	} {
		err := c.Do(ctx, tc.method, tc.path, nil, nil, nil)
		k := tc.method + " " + tc.path
		s.mu.Lock()
		hits, auth, sig := s.hits[k], s.auth[k], s.sig[k]
		s.mu.Unlock()
		if auth != tc.token || sig != tc.signed || (hits == 2) != tc.retried {
			t.Errorf("%s: sent %d times with %s, signed %v; want %s, signed %v, retried %v", k, hits, auth, sig, tc.token, tc.signed, tc.retried)
		}
		var he *hubspot.Error
		if tc.retried && err != nil || !tc.retried && (!errors.As(err, &he) || he.StatusCode != 503) {
			t.Errorf("%s: err = %v", k, err)
		}
	}
}

// A CRM search through Do counts against the search limit, in either
// version; a read does not.
func TestDoSearchCountsAgainstTheSearchLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL), hubspot.WithToken(secretstest.NewStatic("tok")),
		hubspot.WithClock(clock.NewFake(signingEpoch)),
		hubspot.WithRateLimit(hubspot.RateLimit{}),
		hubspot.WithSearchRateLimit(hubspot.RateLimit{Requests: 1, Interval: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A wait would outlast this deadline, so the limiter fails at once.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Do(ctx, "POST", "/crm/v3/objects/contacts/search", nil, map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "POST", "/crm/objects/2026-09/deals/search", nil, map[string]any{}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second search: %v, want the search limiter to refuse", err)
	}
	if err := c.Do(ctx, "GET", "/crm/v3/objects/contacts/1", nil, nil, nil); err != nil {
		t.Fatalf("a read waited on the search limiter: %v", err)
	}
}

// Do answers as every call does: decoded JSON, HubSpot's errors as *Error
// and *RateLimitError, and no credential that a server echoes.
func TestDoAnswers(t *testing.T) {
	const token = "pat-na1-33333333-cccc-4ccc-8ccc-cccccccccccc"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/crm/v3/objects/contacts/1":
			fmt.Fprintf(w, `{"id":"1","properties":{"email":"ada@example.com"},"echo":%q}`, r.Header.Get("Authorization"))
		case "/crm/v3/objects/contacts/2":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"status":"error","message":"Object not found","category":"OBJECT_NOT_FOUND"}`))
		default:
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`))
		}
	}))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL), hubspot.WithToken(secretstest.NewStatic(token)), hubspot.WithRateLimit(hubspot.RateLimit{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var out map[string]any
	if err := c.Do(ctx, "GET", "/crm/v3/objects/contacts/1", url.Values{"properties": {"email"}}, nil, &out); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), "ada@example.com") {
		t.Fatalf("out = %s", b)
	}
	secretstest.AssertNoLeak(t, "Do's answer", string(b), token)

	err = c.Do(ctx, "GET", "/crm/v3/objects/contacts/2", nil, nil, nil)
	var he *hubspot.Error
	if !errors.As(err, &he) || !errors.Is(err, hubspot.ErrNotFound) || he.StatusCode != 404 {
		t.Fatalf("404: %v", err)
	}
	err = c.Do(ctx, "GET", "/crm/v3/owners", nil, nil, nil)
	var rle *hubspot.RateLimitError
	if !errors.As(err, &rle) || rle.Policy != hubspot.Daily {
		t.Fatalf("429: %v", err)
	}
}

// Do refuses, before sending, a path that is not escaped and relative to
// the base URL, and never quotes it.
func TestDoRefusesPaths(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	defer srv.Close()
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL), hubspot.WithToken(secretstest.NewStatic("tok")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for path, want := range map[string]string{
		"":                                       "empty",
		"oauth/v1/access-tokens/tok-SECRET":      "must start with '/'",
		"https://evil.example/tok-SECRET":        "absolute URL",
		"//evil.example/tok-SECRET":              "names a host",
		"/oauth/v1/access-tokens/tok-SECRET?x=1": "give the query in query",
		"/crm/v3/objects#tok-SECRET":             "give the query in query",
		"/crm/v3/objects/../tok-SECRET":          "dot segment",
		"/crm/v3/objects/%2e%2E/tok-SECRET":      "dot segment",
		"/crm/v3/objects/a%2F..%2Ftok-SECRET":    "dot segment",
		"/crm/v3/./objects/tok-SECRET":           "dot segment",
		"/crm/v3//tok-SECRET":                    "empty segment",
		"/crm/v3/tok-SECRET/":                    "empty segment",
		"/crm/v3/tok SECRET":                     "must be escaped",
		"/crm/v3/tok-SECRET\r\nX: y":             "must be escaped",
		"/crm/v3/tok-SECRET%zz":                  "does not start an escape",
		"/crm/v3/tok-SECRET%2":                   "does not start an escape",
	} {
		err := c.Do(ctx, "GET", path, nil, nil, nil)
		if !errors.Is(err, hubspot.ErrValidation) || !strings.Contains(err.Error(), want) {
			t.Errorf("Do(%q): %v; want a validation error saying %q", path, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Do(%q): the error quotes the path: %v", path, err)
		}
	}
	for _, method := range []string{"", "GE T", "GET\n"} {
		if err := c.Do(ctx, method, "/crm/v3/objects/contacts", nil, nil, nil); !errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("method %q: %v", method, err)
		}
	}
	var noCtx context.Context
	if err := c.Do(noCtx, "GET", "/crm/v3/objects/contacts", nil, nil, nil); err == nil {
		t.Error("a nil context was accepted")
	}
	if n := sent.Load(); n != 0 {
		t.Fatalf("%d refused calls were sent", n)
	}
	// Escaped characters and the characters a path may hold are fine.
	for _, path := range []string{"/crm/v3/objects/contacts/a%2Fb", "/crm/v3/objects/contacts/x@example.com", "/a/b:c;d=e,f+g!h$i&j'k(l)m*n~o"} {
		if err := c.Do(ctx, "GET", path, nil, nil, nil); errors.Is(err, hubspot.ErrValidation) {
			t.Errorf("Do(%q): %v", path, err)
		}
	}
}

// An endpoint no typed method covers, called with the Client's
// credentials, limits, retries and errors.
func ExampleClient_Do() {
	srv, err := hubspottest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := hubspot.New(
		hubspot.WithBaseURL(srv.URL()),
		hubspot.WithCredential("reader", secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read")), "crm.objects.contacts.read"),
		hubspot.WithCredential("writer", secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")),
			"crm.objects.contacts.read", "crm.objects.contacts.write"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	ctx := context.Background()

	// A write goes with the writer, ...
	var created struct {
		ID string `json:"id"`
	}
	in := map[string]any{"properties": map[string]string{"email": "ada@example.com"}}
	if err := c.Do(ctx, "POST", "/crm/v3/objects/contacts", nil, in, &created); err != nil {
		fmt.Println(err)
		return
	}
	// ... a read with the reader.
	var contact struct {
		Properties map[string]string `json:"properties"`
	}
	q := url.Values{"properties": {"email"}}
	if err := c.Do(ctx, "GET", "/crm/v3/objects/contacts/"+url.PathEscape(created.ID), q, nil, &contact); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(contact.Properties["email"])

	// HubSpot's errors are *hubspot.Error, as from every call.
	err = c.Do(ctx, "GET", "/crm/v3/objects/contacts/404404", nil, nil, nil)
	fmt.Println(errors.Is(err, hubspot.ErrNotFound))

	// A call no configured credential may make is not sent.
	err = c.Do(ctx, "GET", "/crm/v3/objects/deals", nil, nil, nil)
	fmt.Println(err)
	// Output:
	// ada@example.com
	// true
	// hubspot: GET /crm/v3/objects/deals: needs scope crm.objects.deals.read, which no configured credential holds; not sent
}
