package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// The fuzz targets check properties of the parsers that read what HubSpot
// (or whatever answers in its place) sends back: error bodies, 207 batch
// bodies, paging cursors and rate-limit headers. Seeds are the bodies and
// headers of HubSpot's documentation and of this package's tests; the
// corpora under testdata/fuzz replay in every normal test run.

// fuzzHapikey stands for a developer key in the request's query string.
const fuzzHapikey = "hapikey-canary-3c9e51d2-0d4b-4b7e"

// maxFuzzWait is the longest wait any header may produce: HubSpot's
// longest window is a day; a year is the bound the parsers already apply
// to Retry-After seconds.
const maxFuzzWait = 365 * 24 * time.Hour

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is an endless stream of JSON whitespace: a body with no end.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

var errorBodySeeds = []string{
	`{"status":"error","message":"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview","correlationId":"a43683b0-5717-4ceb-80b4-104d02915d8c","category":"INVALID_AUTHENTICATION"}`,
	`{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"7c3a2f1e-0000-4000-8000-000000000001","category":"MISSING_SCOPES","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.contacts.read"]}}],"context":{"requiredGranularScopes":["crm.objects.contacts.read"]},"links":{"scopes":"https://developers.hubspot.com/scopes"}}`,
	`{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c033cdaa-2c40-4a64-ae48-b4cec88dad24","policyName":"TEN_SECONDLY_ROLLING"}`,
	`{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"2c4e1d8f-0000-4000-8000-000000000002","policyName":"DAILY"}`,
	`{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"fax\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"fax\"}]","correlationId":"1dc6a0ea-0000-4000-8000-000000000003","category":"VALIDATION_ERROR","subCategory":{"kind":"x"},"errors":[{"message":"bad","code":"PROPERTY_DOESNT_EXIST","in":"fax","context":"not an object"}]}`,
	`{"status":"error","message":"Bearer pat-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa was rejected","correlationId":"pat-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa","category":"INVALID_AUTHENTICATION"}`,
	`{"message":"pat-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa","category":"\u0070at-na1-11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa"}`,
	`{"message":"GET /crm/v3/objects/contacts?hapikey=hapikey-canary-3c9e51d2-0d4b-4b7e failed"}`,
	`<html><body><h1>502 Bad Gateway</h1></body></html>`,
	`{"status":"error","message":null,"errors":null,"context":[],"links":7}`,
	``,
}

// FuzzErrorBody runs an error response through what the client does with
// one: the credential Transport's redaction, then the *Error parser. The
// request carried a token and a hapikey query parameter, and the body may
// echo either. Properties: no panic; Error(), the RateLimitError and every
// field of the parsed error carry neither credential nor the request's query
// string; no more than maxErrorBody bytes are read from any body; a 429's
// wait is never negative or absurd.
func FuzzErrorBody(f *testing.F) {
	for i, s := range errorBodySeeds {
		for _, status := range []uint16{400, 401, 403, 429, 500} {
			f.Add(status, []byte(s), "a=1", uint8(i))
		}
	}
	token := secrets.New(tokenA)
	devKeys, _ := newCache(f, fuzzHapikey)
	now := epoch
	f.Fuzz(func(t *testing.T, status uint16, body []byte, query string, tail uint8) {
		st := int(status%500) + 100
		u := &url.URL{Scheme: "https", Host: "api.hubapi.com", Path: "/crm/v3/objects/contacts",
			RawQuery: "hapikey=" + fuzzHapikey + "&" + query}
		req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Authorization": {"Bearer " + tokenA}}}
		var src io.Reader = bytes.NewReader(body)
		if tail%16 == 0 {
			src = io.MultiReader(src, endless{}) // a body with no end
		}
		cr := &countingReader{r: src}
		resp := &http.Response{
			StatusCode: st, Status: fmt.Sprint(st), Request: req,
			Header: http.Header{"Retry-After": {string(body[:min(len(body), 8)])}},
			Body:   io.NopCloser(cr),
		}
		redactResponse(resp, token, maxErrorBody)
		if cr.n > maxErrorBody {
			t.Fatalf("redaction read %d bytes, limit %d", cr.n, maxErrorBody)
		}
		err := newResponseError(resp, now)
		if err == nil {
			t.Fatal("no error for an error response")
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is %T, not a *Error", err)
		}
		if e.StatusCode != st || e.Path != u.Path {
			t.Fatalf("status %d path %q, want %d %q", e.StatusCode, e.Path, st, u.Path)
		}
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", e), e.Message, e.CorrelationID, e.Category, e.SubCategory}
		for _, d := range e.Errors {
			texts = append(texts, fmt.Sprintf("%#v", d))
		}
		texts = append(texts, fmt.Sprint(e.Context), fmt.Sprint(e.Links))
		for _, s := range texts {
			if strings.Contains(s, tokenA) {
				t.Fatal("the token reached the parsed error")
			}
		}
		if msg := err.Error(); !bytes.Contains(body, []byte(fuzzHapikey)) && strings.Contains(msg, fuzzHapikey) {
			t.Fatal("Error() carries the request's query string")
		}
		// The same body through the developer-key transport, whose key is
		// fuzzHapikey: the error must not carry the key either.
		dk := &Transport{DeveloperKey: devKeys, Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: st, Status: fmt.Sprint(st), Request: r, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}, nil
		})}
		dreq, _ := http.NewRequest(http.MethodGet, "https://api.hubapi.com/webhooks/v3/1234/settings", nil)
		if dresp, derr := dk.RoundTrip(dreq); derr == nil {
			if msg := newResponseError(dresp, now).Error(); strings.Contains(msg, fuzzHapikey) {
				t.Fatalf("the developer key reached the parsed error: %s", msg)
			}
		}

		var rl *RateLimitError
		if errors.As(err, &rl) {
			if st != http.StatusTooManyRequests {
				t.Fatalf("a %d became a RateLimitError", st)
			}
			if rl.RetryAfter < 0 || rl.RetryAfter > maxFuzzWait {
				t.Fatalf("RetryAfter %v", rl.RetryAfter)
			}
		}
	})
}

// FuzzRateLimitHeaders feeds X-HubSpot-RateLimit-* and Retry-After values
// to every parser of them: parseRetryAfter, policyInterval, the
// RateLimitError a 429 becomes, RetryTransport's decision, and
// RateLimitTransport's adaptation. Property: no wait is negative or longer
// than a year, and the limiter never ends up with a negative or NaN rate.
func FuzzRateLimitHeaders(f *testing.F) {
	for _, s := range [][5]string{
		{"10", "190", "10000", "189", "TEN_SECONDLY_ROLLING"},
		{"", "100", "10000", "0", "TEN_SECONDLY_ROLLING"},
		{"", "5", "1000", "4", "SECONDLY"},
		{"", "250000", "86400000", "0", "DAILY"},
		{"Wed, 21 Oct 2015 07:28:00 GMT", "", "", "", ""},
		{"Thu, 02 Jan 2025 03:04:35 GMT", "110", "10000", "3", ""},
		{"Fri, 31 Dec 9999 23:59:59 GMT", "", "", "", ""},
		{"-1", "-5", "-1", "-1", "TEN_SECONDLY_ROLLING"},
		{"31536001", "1", "999999999999999999", "999999999999999999", ""},
		{" 3 ", "0", "0", "", "SECONDLY"},
		{"1.5", "1e3", "0x10", "+7", "daily"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	now := epoch
	check := func(t *testing.T, what string, d time.Duration) {
		t.Helper()
		if d < 0 || d > maxFuzzWait+maxFuzzWait/10 { // decide adds up to 10% jitter
			t.Fatalf("%s: wait %v", what, d)
		}
	}
	f.Fuzz(func(t *testing.T, retryAfter, maxReq, interval, remaining, policy string) {
		h := http.Header{}
		for k, v := range map[string]string{
			"Retry-After":                               retryAfter,
			"X-Hubspot-Ratelimit-Max":                   maxReq,
			"X-Hubspot-Ratelimit-Interval-Milliseconds": interval,
			"X-Hubspot-Ratelimit-Remaining":             remaining,
		} {
			if v != "" {
				h.Set(k, v)
			}
		}
		if d, ok := parseRetryAfter(retryAfter, now); ok {
			check(t, "parseRetryAfter", d)
		}
		check(t, "policyInterval", policyInterval(RateLimitPolicy(policy), h))
		rl := newRateLimitError(&Error{StatusCode: 429, policyName: policy}, h, now)
		check(t, "RateLimitError.RetryAfter", rl.RetryAfter)

		body, _ := json.Marshal(map[string]string{"status": "error", "policyName": policy})
		for _, st := range []int{429, 423, 477, 502, 503, 504} {
			resp := &http.Response{StatusCode: st, Status: fmt.Sprint(st), Header: h, Body: io.NopCloser(bytes.NewReader(body))}
			rt := &RetryTransport{}
			if d, _, ok := rt.decide(resp, nil, true, 3, DefaultRetryPolicy(), now); ok {
				check(t, fmt.Sprintf("RetryTransport.decide(%d)", st), d)
			}
		}

		for _, search := range []bool{false, true} {
			lt := &RateLimitTransport{Limit: LimitProfessional(), Search: LimitSearch()}
			cfg := lt.Limit
			if search {
				cfg = lt.Search
			}
			w := newWindow(cfg, now)
			lim0, span0 := w.params()
			lt.adapt(&limiters{}, w, readRateHeaders(h), now, search, 1)
			lim, span := w.params()
			if lim < 1 || lim > lim0 || span <= 0 {
				t.Fatalf("window left at %d per %v", lim, span)
			}
			if float64(lim)/span.Seconds() > float64(lim0)/span0.Seconds() {
				t.Fatalf("adapt raised the rate from %d per %v to %d per %v", lim0, span0, lim, span)
			}
			if d, _, _ := w.reserve(now, math.MaxInt64, math.MaxInt, false); d < 0 || d > span {
				t.Fatalf("after adapt a request waits %v", d)
			}
		}
	})
}

// fuzzServer is an in-memory HubSpot that answers every request with the
// status and body under test, and remembers the last request's URL.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	body   []byte
	last   *url.URL
}

func (s *fuzzServer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = req.URL
	return &http.Response{
		StatusCode: s.status, Status: fmt.Sprint(s.status), Request: req,
		Header: http.Header{"Content-Type": {"application/json;charset=utf-8"}},
		Body:   io.NopCloser(bytes.NewReader(s.body)),
	}, nil
}

func (s *fuzzServer) set(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func newFuzzClient(f *testing.F) (*Client, *fuzzServer) {
	srv := &fuzzServer{status: 200}
	cache, _ := newCache(f, tokenA)
	c, err := New(WithToken(cache), WithBaseURL("http://127.0.0.1:1"),
		WithHTTPClient(&http.Client{Transport: srv}),
		WithRateLimit(RateLimit{}), WithSearchRateLimit(RateLimit{}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { c.Close() })
	return c, srv
}

// FuzzBatchResponse answers a batch read, create and update with any body
// and status (207 with mixed results and errors, 200, or an error) and
// checks that every input is accounted for exactly once: one item per
// input, each either a record or an error, the error count matching
// BatchError, and no record in the response handed to more than one input
// or to an input and Unmatched both.
func FuzzBatchResponse(f *testing.F) {
	for _, s := range []string{
		`{"status":"COMPLETE","results":[{"id":"101","properties":{"email":"a@example.com"},"createdAt":"2025-01-02T03:04:05Z","updatedAt":"2025-01-02T03:04:05Z","archived":false},{"id":"102","properties":{}}],"startedAt":"2025-01-02T03:04:05Z","completedAt":"2025-01-02T03:04:06Z"}`,
		`{"status":"COMPLETE","results":[{"id":"101","properties":{}}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.","context":{"ids":["102"]}}]}`,
		`{"status":"COMPLETE","results":[{"id":"9","objectWriteTraceId":"1","properties":{}}],"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property \"fax\" does not exist","context":{"objectWriteTraceId":["0"]}}]}`,
		`{"status":"COMPLETE","results":[{"id":"9","objectWriteTraceId":"0"},{"id":"9","objectWriteTraceId":"0"},{"id":"10","objectWriteTraceId":"-1"},{"id":"11","objectWriteTraceId":"99"}]}`,
		`{"status":"COMPLETE","results":[{"id":"101"},{"id":"101"},{"id":"102"},{"id":"103"}]}`,
		`{"status":"COMPLETE","results":[],"errors":[{"category":"INVALID_AUTHENTICATION","message":"x"}]}`,
		`{"status":"COMPLETE","results":[{"id":"101","new":true},{"id":"777","new":false}],"errors":[{"context":{"ids":"102"}}]}`,
		`{"results":null,"errors":null}`,
		`{"results":"x"}`,
		`not json`,
	} {
		for _, st := range []uint16{207, 200, 400} {
			f.Add(st, []byte(s), uint8(3))
		}
	}
	c, srv := newFuzzClient(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, status uint16, body []byte, n uint8) {
		st := int(status%500) + 100
		if st >= 300 && st < 400 {
			st = 207 // the client would follow a redirect; not what is under test
		}
		srv.set(st, body)
		k := int(n%5) + 1
		ids := make([]string, k)
		inputs := make([]BatchInput, k)
		creates := make([]ObjectInput, k)
		for i := range ids {
			ids[i] = fmt.Sprint(101 + i)
			inputs[i] = BatchInput{ID: ids[i], Properties: Properties{"firstname": "x"}}
			creates[i] = ObjectInput{Properties: Properties{"email": fmt.Sprintf("%d@example.com", i)}}
		}
		// How often each record id appears in the response, as the wire has it.
		var wire struct {
			Results []struct {
				ID any `json:"id"`
			} `json:"results"`
		}
		// The client decodes the first JSON value and ignores what follows.
		_ = json.NewDecoder(bytes.NewReader(body)).Decode(&wire)
		inBody := map[string]int{}
		for _, r := range wire.Results {
			if s, ok := r.ID.(string); ok {
				inBody[s]++
			}
		}
		for name, call := range map[string]func() (*BatchResult[Object], error){
			"read":   func() (*BatchResult[Object], error) { return c.Contacts.BatchRead(ctx, ids, nil) },
			"create": func() (*BatchResult[Object], error) { return c.Contacts.BatchCreate(ctx, creates) },
			"update": func() (*BatchResult[Object], error) { return c.Contacts.BatchUpdate(ctx, inputs) },
		} {
			res, err := call()
			if res == nil {
				t.Fatalf("%s: no result (err %v)", name, err)
			}
			if len(res.Items) != k {
				t.Fatalf("%s: %d items for %d inputs", name, len(res.Items), k)
			}
			failed := 0
			seen := map[string]int{}
			for i, it := range res.Items {
				if it.Err != nil {
					failed++
					if it.Value.ID != "" || it.Value.New {
						t.Fatalf("%s: item %d has both an error and record %q", name, i, it.Value.ID)
					}
					continue
				}
				seen[it.Value.ID]++
			}
			for _, o := range res.Unmatched {
				seen[o.ID]++
			}
			for id, got := range seen {
				if id != "" && got > inBody[id] {
					t.Fatalf("%s: record %q handed out %d times, in the response %d times", name, id, got, inBody[id])
				}
			}
			if failed == 0 {
				if err != nil {
					t.Fatalf("%s: every item succeeded, yet error %v", name, err)
				}
				continue
			}
			var be *BatchError
			if !errors.As(err, &be) {
				t.Fatalf("%s: %d items failed, error is %T", name, failed, err)
			}
			if be.Failed != failed || be.Total != k || res.Items[be.FirstIndex].Err == nil {
				t.Fatalf("%s: BatchError says %d of %d (first %d); items say %d", name, be.Failed, be.Total, be.FirstIndex, failed)
			}
		}
	})
}

// FuzzPagingCursor answers a list with any body and checks the cursor:
// when the page parses, After is exactly paging.next.after as
// encoding/json reads it, and passing it back sends it as the one "after"
// query parameter, adding no other parameter whatever it holds.
func FuzzPagingCursor(f *testing.F) {
	for _, s := range []string{
		`{"results":[{"id":"1","properties":{}}],"paging":{"next":{"after":"NTI1Cg%3D%3D","link":"https://api.hubapi.com/crm/v3/objects/contacts?after=NTI1Cg%3D%3D"}}}`,
		`{"results":[],"paging":{"next":{"after":"2"}}}`,
		`{"results":[]}`,
		`{"results":[],"paging":null}`,
		`{"results":[],"paging":{"next":null}}`,
		`{"results":[],"paging":{"next":{"after":""}}}`,
		`{"results":[],"paging":{"next":{"after":"x&hapikey=evil&limit=1000#frag"}}}`,
		`{"results":[],"paging":{"next":{"after":"a b\u0000\n\r%zz;"}}}`,
		`{"results":[],"paging":{"next":{"after":12345}}}`,
		`{"results":[],"paging":{"next":{"after":"1","after":"2"}}}`,
	} {
		f.Add([]byte(s))
	}
	c, srv := newFuzzClient(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.set(200, body)
		page, err := c.Contacts.List(ctx, &ListOptions{Limit: 10})
		var ref struct {
			Paging *struct {
				Next *struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		// The client decodes the first JSON value and ignores what follows.
		refErr := json.NewDecoder(bytes.NewReader(body)).Decode(&ref)
		if err != nil {
			return
		}
		if refErr != nil {
			t.Fatalf("List accepted a body encoding/json rejects: %v", refErr)
		}
		want := ""
		if ref.Paging != nil && ref.Paging.Next != nil {
			want = ref.Paging.Next.After
		}
		if page.After != want {
			t.Fatalf("After %q, want %q", page.After, want)
		}
		if page.After == "" {
			return
		}
		srv.set(200, []byte(`{"results":[]}`))
		if _, err := c.Contacts.List(ctx, &ListOptions{Limit: 10, After: page.After}); err != nil {
			t.Fatalf("List with the cursor: %v", err)
		}
		srv.mu.Lock()
		q := srv.last.Query()
		srv.mu.Unlock()
		if got := q["after"]; len(got) != 1 || got[0] != page.After {
			t.Fatalf("sent after=%q, want the cursor %q", got, page.After)
		}
		for k := range q {
			if k != "after" && k != "limit" && k != "archived" {
				t.Fatalf("the cursor added query parameter %q", k)
			}
		}
		if q.Get("limit") != "10" {
			t.Fatalf("limit became %q", q.Get("limit"))
		}
	})
}
