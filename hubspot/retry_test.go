package hubspot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// script answers each request with the next of its handlers (the last one
// repeats) and records what it saw.
type script struct {
	mu     sync.Mutex
	steps  []http.HandlerFunc
	calls  int
	bodies []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(s.calls, len(s.steps)-1)
	s.calls++
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	s.steps[i](w, r)
}

func (s *script) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func ok200(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"id": "1"}) }

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		hubspotError(w, code, "", http.StatusText(code))
	}
}

func limited(policy, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { rateLimited(w, policy, retryAfter) }
}

// retryHarness runs one request through a RetryTransport on a fake clock
// and returns the waits it slept, the response status and error.
type retryHarness struct {
	t      *testing.T
	fake   *clock.Fake
	rt     *RetryTransport
	waits  []time.Duration
	script *script
	url    string
}

func newRetryHarness(t *testing.T, steps ...http.HandlerFunc) *retryHarness {
	fake := clock.NewFake(epoch)
	sc := &script{steps: steps}
	srv := server(t, sc.ServeHTTP)
	return &retryHarness{
		t: t, fake: fake, script: sc, url: srv.URL,
		rt: &RetryTransport{Clock: fake, Policy: RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 8 * time.Second, MaxRetryAfter: time.Minute}},
	}
}

// do sends req, advancing the fake clock through every wait.
func (h *retryHarness) do(req *http.Request) (int, error) {
	h.t.Helper()
	type result struct {
		resp *http.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := h.rt.RoundTrip(req)
		done <- result{resp, err}
	}()
	for {
		select {
		case r := <-done:
			if r.err != nil {
				return 0, r.err
			}
			io.Copy(io.Discard, r.resp.Body)
			r.resp.Body.Close()
			return r.resp.StatusCode, nil
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		err := h.fake.WaitForTimers(ctx, 1)
		cancel()
		if err == nil {
			dl, _ := h.fake.NextDeadline()
			h.waits = append(h.waits, dl.Sub(h.fake.Now()))
			h.fake.AdvanceToNext()
		}
	}
}

func (h *retryHarness) req(method, path, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, h.url+path, r)
	return req
}

func TestRetry429TenSecondlyHonoursRetryAfter(t *testing.T) {
	h := newRetryHarness(t, limited("TEN_SECONDLY_ROLLING", "3"), ok200)
	// A create is retried after a 429: HubSpot did not process it.
	code, err := h.do(h.req("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"a@b.c"}}`))
	if err != nil || code != 200 {
		t.Fatalf("code %d err %v", code, err)
	}
	if len(h.waits) != 1 || h.waits[0] < 3*time.Second || h.waits[0] > 3300*time.Millisecond {
		t.Fatalf("waits %v, want one of 3s (+ up to 10%% jitter)", h.waits)
	}
	if h.script.bodies[0] != h.script.bodies[1] {
		t.Fatal("body not replayed identically")
	}
}

func TestRetry429WithoutRetryAfterWaitsTheInterval(t *testing.T) {
	h := newRetryHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		rateLimited(w, "TEN_SECONDLY_ROLLING", "")
	}, limited("SECONDLY", ""), ok200)
	code, err := h.do(h.req("POST", "/crm/v3/objects/contacts/search", `{}`))
	if err != nil || code != 200 {
		t.Fatalf("code %d err %v", code, err)
	}
	if len(h.waits) != 2 || h.waits[0] < 10*time.Second || h.waits[0] > 11*time.Second || h.waits[1] < time.Second || h.waits[1] > 1100*time.Millisecond {
		t.Fatalf("waits %v, want ~10s then ~1s", h.waits)
	}
}

func TestRetry429DailyFailsFast(t *testing.T) {
	h := newRetryHarness(t, limited("DAILY", ""), ok200)
	code, err := h.do(h.req("GET", "/crm/v3/objects/contacts/1", ""))
	if err != nil || code != 429 || h.script.n() != 1 || len(h.waits) != 0 {
		t.Fatalf("code %d err %v after %d calls, waits %v: DAILY must not be retried", code, err, h.script.n(), h.waits)
	}
}

// Whether a call is safe to repeat is the operation catalogue's say, in
// every version; for a call it does not know, only reading methods are.
func TestRetry5xxOnlyWhenSafe(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		retried      bool
	}{
		{"GET", "/crm/v3/objects/contacts/1", true},
		{"POST", "/crm/v3/objects/contacts/search", true},
		{"POST", "/crm/objects/2026-03/contacts/search", true},
		{"POST", "/crm/v3/objects/contacts/batch/read", true},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", true},
		{"POST", "/crm/objects/2025-09/contacts/batch/upsert", true},
		{"POST", "/crm/v3/objects/contacts", false},
		{"POST", "/crm/v3/objects/contacts/batch/create", false},
		{"PATCH", "/crm/v3/objects/contacts/1", false},
		{"DELETE", "/crm/v3/objects/contacts/1", false},
		// Linking records and updating a property definition are
		// idempotent though neither a GET nor a read.
		{"PUT", "/crm/v4/objects/contacts/1/associations/deals/2", true},
		{"DELETE", "/crm/objects/2026-09/contacts/1/associations/deals/2", true},
		{"PATCH", "/crm/v3/properties/contacts/email", true},
		{"POST", "/crm/v4/associations/contacts/deals/batch/create", true},
		// Not in the catalogue: only reading methods are repeated, whatever
		// the path says.
		{"GET", "/marketing/v3/emails", true},
		{"POST", "/marketing/v3/emails/search", false},
		{"PUT", "/marketing/v3/emails/1", false},
	} {
		for _, code := range []int{502, 503, 504} {
			h := newRetryHarness(t, status(code), ok200)
			req := h.req(tc.method, tc.path, `{"x":1}`)
			if tc.method == "GET" || tc.method == "DELETE" {
				req = h.req(tc.method, tc.path, "")
			}
			got, err := h.do(req)
			if err != nil {
				t.Fatal(err)
			}
			if retried := got == 200; retried != tc.retried {
				t.Errorf("%s %s after %d: retried=%v, want %v", tc.method, tc.path, code, retried, tc.retried)
			}
		}
	}
}

func TestRetryBackoffIsCappedExponentialWithJitter(t *testing.T) {
	h := newRetryHarness(t, status(503))
	h.rt.Policy.MaxAttempts = 6
	code, err := h.do(h.req("GET", "/x", ""))
	if err != nil || code != 503 {
		t.Fatalf("code %d err %v", code, err)
	}
	if h.script.n() != 6 || len(h.waits) != 5 {
		t.Fatalf("%d calls, waits %v; want 6 calls, 5 waits", h.script.n(), h.waits)
	}
	caps := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range h.waits {
		if w < caps[i]/2 || w >= caps[i] {
			t.Errorf("wait %d = %v, want in [%v, %v)", i, w, caps[i]/2, caps[i])
		}
	}
}

func TestRetry423And477(t *testing.T) {
	h := newRetryHarness(t, status(423), status(477, "Retry-After", "5"), ok200)
	code, err := h.do(h.req("POST", "/crm/v3/objects/contacts", `{}`))
	if err != nil || code != 200 {
		t.Fatalf("code %d err %v", code, err)
	}
	if len(h.waits) != 2 || h.waits[0] < 2*time.Second || h.waits[1] != 5*time.Second {
		t.Fatalf("waits %v, want >=2s then 5s", h.waits)
	}
}

func TestRetryAfterLongerThanMaxIsReturned(t *testing.T) {
	h := newRetryHarness(t, limited("TEN_SECONDLY_ROLLING", "3600"), ok200)
	code, err := h.do(h.req("GET", "/x", ""))
	if err != nil || code != 429 || len(h.waits) != 0 {
		t.Fatalf("code %d err %v waits %v: an hour's Retry-After must be returned, not slept", code, err, h.waits)
	}
}

func TestRetryStopsWhenContextCancelled(t *testing.T) {
	fake := clock.NewFake(epoch)
	sc := &script{steps: []http.HandlerFunc{status(503)}}
	srv := server(t, sc.ServeHTTP)
	rt := &RetryTransport{Clock: fake}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	done := make(chan error, 1)
	go func() {
		_, err := rt.RoundTrip(req)
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := fake.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("no backoff wait")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if sc.n() != 1 {
		t.Fatalf("%d calls after cancel, want 1", sc.n())
	}
}

func TestRetryNeverRetriesACancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		cancel()
		return nil, &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.hubapi.com/x", nil)
	if _, err := (&RetryTransport{Base: base, Clock: clock.NewFake(epoch)}).RoundTrip(req); err == nil {
		t.Fatal("no error")
	}
	if calls.Load() != 1 {
		t.Fatalf("%d attempts after the context was cancelled", calls.Load())
	}
}

func TestRetryConnectionErrors(t *testing.T) {
	fake := clock.NewFake(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go advanceWhenWaiting(ctx, fake)
	for _, tc := range []struct {
		name    string
		err     error
		method  string
		retried bool
	}{
		{"dial refused, POST create", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, "POST", true},
		{"reset on GET", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, "GET", true},
		{"reset on POST create", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, "POST", false},
		{"EOF on GET", io.ErrUnexpectedEOF, "GET", true},
		{"insecure", ErrInsecureURL, "GET", false},
		{"other", errors.New("hubspot: getting the token: boom"), "GET", false},
	} {
		var calls atomic.Int32
		base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				r.Body.Close()
			}
			if calls.Add(1) == 1 {
				return nil, tc.err
			}
			return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
		})
		var body io.Reader
		if tc.method == "POST" {
			body = bytes.NewReader([]byte(`{}`))
		}
		req, _ := http.NewRequest(tc.method, "https://api.hubapi.com/crm/v3/objects/contacts", body)
		resp, err := (&RetryTransport{Base: base, Clock: fake}).RoundTrip(req)
		if retried := err == nil && resp.StatusCode == 200; retried != tc.retried {
			t.Errorf("%s: retried=%v (err %v), want %v", tc.name, retried, err, tc.retried)
		}
	}
}

func TestRetryBodyWithoutGetBodyIsSentOnce(t *testing.T) {
	h := newRetryHarness(t, limited("TEN_SECONDLY_ROLLING", "1"), ok200)
	req := h.req("POST", "/crm/v3/objects/contacts", `{}`)
	req.GetBody = nil
	code, err := h.do(req)
	if err != nil || code != 429 || h.script.n() != 1 {
		t.Fatalf("code %d err %v calls %d", code, err, h.script.n())
	}
}

func TestRetryPolicyValidate(t *testing.T) {
	for _, p := range []RetryPolicy{
		{MaxAttempts: 0},
		{MaxAttempts: 3, BaseDelay: 0, MaxDelay: time.Second},
		{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Millisecond},
	} {
		if p.validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if (RetryPolicy{MaxAttempts: 1}).validate() != nil || DefaultRetryPolicy().validate() != nil {
		t.Error("valid policy refused")
	}
}
