package signing

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/clock"
)

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func okResponse(r *http.Request) *http.Response {
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r, Header: http.Header{}}
}

func TestTransportSignsWhatThePolicySays(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	seen := map[string]error{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		if r.Header.Get("Signature") != "" {
			err = f.v.VerifyRequest(r)
		} else {
			err = errors.New("unsigned")
		}
		mu.Lock()
		seen[r.Method+" "+r.URL.Path] = err
		mu.Unlock()
	}))
	defer srv.Close()
	hc := &http.Client{Transport: &Transport{Signer: f.signer, Policy: MustPolicy("DELETE /**", "POST /**/merge")}}

	do := func(method, path, body string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if req.Header.Get("Signature") != "" {
			t.Error("the caller's request was modified")
		}
	}
	do("DELETE", "/crm/v3/objects/contacts/1", "")
	do("POST", "/crm/v3/objects/contacts/merge", `{"primaryObjectId":"1","objectIdToMerge":"2"}`)
	do("GET", "/crm/v3/objects/contacts/1", "")
	if err := seen["DELETE /crm/v3/objects/contacts/1"]; err != nil {
		t.Errorf("delete: %v", err)
	}
	if err := seen["POST /crm/v3/objects/contacts/merge"]; err != nil {
		t.Errorf("merge: %v", err)
	}
	if err := seen["GET /crm/v3/objects/contacts/1"]; err == nil || err.Error() != "unsigned" {
		t.Errorf("get: %v, want unsigned", err)
	}
}

func TestTransportFreshSignaturePerAttempt(t *testing.T) {
	f := newFixture(t)
	var nonces []string
	var bodies []string
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		in := mustInput(t, r, DefaultLabel)
		nonces = append(nonces, in.Nonce)
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		bodies = append(bodies, string(b))
		return okResponse(r), nil
	})
	tr := &Transport{Signer: f.signer, Base: base}
	req, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/objects/contacts/merge", strings.NewReader(`{"a":1}`))
	for range 2 { // what an outer retry layer does: the same request, body from GetBody
		body, _ := req.GetBody()
		attempt := req.Clone(req.Context())
		attempt.Body = body
		if _, err := tr.RoundTrip(attempt); err != nil {
			t.Fatal(err)
		}
	}
	if len(nonces) != 2 || nonces[0] == nonces[1] {
		t.Errorf("nonces %v: attempts must be signed afresh", nonces)
	}
	if bodies[0] != `{"a":1}` || bodies[1] != `{"a":1}` {
		t.Errorf("bodies %q", bodies)
	}
}

func TestTransportMakesStreamedBodyReplayable(t *testing.T) {
	f := newFixture(t)
	payload := strings.Repeat("row,", 1000)
	// The base reads the body, then resends it through GetBody, as net/http
	// does when a reused connection turns out to be dead.
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		first, _ := io.ReadAll(r.Body)
		if r.GetBody == nil {
			return nil, errors.New("no GetBody: the body cannot be resent")
		}
		again, _ := r.GetBody()
		second, _ := io.ReadAll(again)
		if string(first) != payload || string(second) != payload {
			return nil, errors.New("body differs between sends")
		}
		return okResponse(r), nil
	})
	tr := &Transport{Signer: f.signer, Base: base}
	req, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/imports", nil)
	req.Body = io.NopCloser(strings.NewReader(payload)) // no GetBody
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
}

// closeTracker is a body that records Close.
type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

// Without a Policy, a Transport signs every request.
func TestTransportWithoutPolicySignsEverything(t *testing.T) {
	f := newFixture(t)
	signed := 0
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Signature") != "" {
			signed++
		}
		return okResponse(r), nil
	})
	tr := &Transport{Signer: f.signer, Base: base}
	for _, m := range []string{"GET", "POST", "DELETE"} {
		req, _ := http.NewRequest(m, "https://api.hubapi.com/crm/v3/objects/contacts", nil)
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	if signed != 3 {
		t.Fatalf("%d of 3 requests signed", signed)
	}
}

func TestTransportErrorsCloseTheBody(t *testing.T) {
	called := false
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) { called = true; return okResponse(r), nil })
	s, _ := NewSigner(failingSource{errors.New("no key")}, "k1", SignWithClock(clock.NewFake(testStart)))
	merges := MustPolicy("POST /**/merge")
	for _, tr := range []*Transport{{Signer: s, Base: base}, {Base: base}, {Base: base, Policy: merges}} {
		body := &closeTracker{Reader: bytes.NewReader([]byte("x"))}
		req, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/objects/contacts/merge", nil)
		req.Body = body
		if _, err := tr.RoundTrip(req); err == nil {
			t.Error("RoundTrip succeeded")
		}
		if !body.closed {
			t.Error("the body was not closed on error")
		}
	}
	if called {
		t.Error("a request that could not be signed was sent")
	}
	// Without a Signer, calls the Policy does not select still go through.
	req, _ := http.NewRequest("GET", "https://api.hubapi.com/crm/v3/objects/contacts", nil)
	if _, err := (&Transport{Base: base, Policy: merges}).RoundTrip(req); err != nil || !called {
		t.Errorf("unsigned call: %v", err)
	}
}
