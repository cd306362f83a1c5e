package hubspot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

func TestTransportSetsBearerFromSourceOnEveryRequest(t *testing.T) {
	cache, st := newCache(t, tokenA)
	var seen []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, bearer(r))
		writeJSON(w, 200, map[string]any{"id": "1"})
	})
	hc := &http.Client{Transport: &Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}}}
	get := func() {
		t.Helper()
		resp, err := hc.Get(srv.URL + "/crm/v3/objects/contacts/1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get()
	st.Rotate(tokenB)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	get()
	if len(seen) != 2 || seen[0] != tokenA || seen[1] != tokenB {
		t.Fatalf("server saw tokens %d times, rotation not picked up (fingerprints %s)", len(seen), fingerprints(seen))
	}
}

func fingerprints(toks []string) string {
	var fps []string
	for _, t := range toks {
		fps = append(fps, secrets.New(t).Fingerprint())
	}
	return strings.Join(fps, ",")
}

func TestTransportDoesNotModifyCallerRequest(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := (&Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Header.Get("Authorization") != "" {
		t.Fatal("Transport set Authorization on the caller's request")
	}
}

func TestTransport401InvalidatesAndResendsOnceWithNewVersion(t *testing.T) {
	cache, st := newCache(t, tokenA)
	var calls atomic.Int32
	var bodies []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if bearer(r) != tokenB {
			hubspotError(w, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	// The source has rotated, but the cache still holds the old value.
	if _, err := cache.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Rotate(tokenB)

	req, _ := http.NewRequest("POST", srv.URL+"/crm/v3/objects/contacts", strings.NewReader(`{"properties":{}}`))
	resp, err := (&http.Client{Transport: &Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d after re-send, want 200", resp.StatusCode)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d requests, want 2 (one 401, one re-send)", calls.Load())
	}
	if bodies[0] != bodies[1] || bodies[1] != `{"properties":{}}` {
		t.Fatalf("re-sent body differs: %q then %q", bodies[0], bodies[1])
	}
}

func TestTransport401SameVersionIsReturned(t *testing.T) {
	cache, st := newCache(t, tokenA)
	var calls atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		hubspotError(w, 401, "INVALID_AUTHENTICATION", "The OAuth token used to make this call expired.")
	})
	resp, err := (&http.Client{Transport: &Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}}}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || calls.Load() != 1 {
		t.Fatalf("status %d after %d calls, want the 401 after 1 call", resp.StatusCode, calls.Load())
	}
	if st.Fetches() < 2 {
		t.Fatalf("provider fetched %d times; Invalidate should have caused a refetch", st.Fetches())
	}
}

func TestTransport401BodyWithoutGetBodyIsNotResent(t *testing.T) {
	cache, st := newCache(t, tokenA)
	var calls atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		hubspotError(w, 401, "INVALID_AUTHENTICATION", "bad token")
	})
	cache.Get(context.Background())
	st.Rotate(tokenB)
	body := &trackedBody{Reader: strings.NewReader("{}")}
	req, _ := http.NewRequest("POST", srv.URL, body)
	req.GetBody = nil
	resp, err := (&Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if calls.Load() != 1 || resp.StatusCode != 401 {
		t.Fatalf("%d calls, status %d; a body that cannot be replayed must not be re-sent", calls.Load(), resp.StatusCode)
	}
	if !body.closed.Load() {
		t.Fatal("request body not closed")
	}
}

func TestTransportRefusesPlainHTTPToNonLoopback(t *testing.T) {
	cache, st := newCache(t, tokenA)
	body := &trackedBody{Reader: strings.NewReader("{}")}
	req, _ := http.NewRequest("POST", "http://api.hubapi.com/crm/v3/objects/contacts?x=1", body)
	_, err := (&Transport{Source: cache, Base: failRT{t}}).RoundTrip(req)
	if !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("err = %v, want ErrInsecureURL", err)
	}
	if !body.closed.Load() {
		t.Fatal("request body not closed on refusal")
	}
	if st.Fetches() != 0 {
		t.Fatal("token fetched for a request that was refused")
	}
	for _, u := range []string{"http://127.0.0.1:1/x", "http://[::1]:1/x", "http://localhost:1/x", "https://api.hubapi.com/x"} {
		r, _ := http.NewRequest("GET", u, nil)
		if !secureURL(r.URL) {
			t.Errorf("%s refused, want allowed", u)
		}
	}
	for _, u := range []string{"http://10.0.0.1/x", "http://127.0.0.1.example.com/x", "ftp://127.0.0.1/x"} {
		r, _ := http.NewRequest("GET", u, nil)
		if secureURL(r.URL) {
			t.Errorf("%s allowed, want refused", u)
		}
	}
}

type failRT struct{ t *testing.T }

func (f failRT) RoundTrip(*http.Request) (*http.Response, error) {
	f.t.Error("request reached the base transport")
	return nil, errors.New("unreachable")
}

func TestTransportSourceErrorClosesBody(t *testing.T) {
	st := secretstest.NewStatic(tokenA)
	st.SetError(secrets.ErrNotFound)
	cache, _ := secrets.NewCache(st)
	defer cache.Close()
	body := &trackedBody{Reader: strings.NewReader("{}")}
	req, _ := http.NewRequest("POST", "https://api.hubapi.com/x", body)
	_, err := (&Transport{Source: cache, Base: failRT{t}}).RoundTrip(req)
	if !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("err = %v, want the source's error", err)
	}
	if !body.closed.Load() {
		t.Fatal("body not closed")
	}
}

func TestTransportNeverForwardsCredentialOnCrossHostRedirect(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	var leaked atomic.Bool
	other := server(t, func(w http.ResponseWriter, r *http.Request) {
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, tokenA) {
					leaked.Store(true)
				}
			}
		}
		if strings.Contains(r.URL.RawQuery, tokenA) {
			leaked.Store(true)
		}
		w.WriteHeader(200)
	})
	// 127.0.0.1 and localhost are different hosts to a browser and to us.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	var sawAuthOnSameHost atomic.Bool
	origin := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			sawAuthOnSameHost.Store(bearer(r) == tokenA)
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			http.Redirect(w, r, otherURL+"/landing", http.StatusFound)
		}
	})
	bound := []string{hostOf(origin.URL), hostOf(otherURL)} // even a bound host gets no credential after a redirect to it
	for _, hc := range []*http.Client{
		{Transport: &Transport{Source: cache, Hosts: bound}},                               // Transport alone
		{Transport: &Transport{Source: cache, Hosts: bound}, CheckRedirect: CheckRedirect}, // with our CheckRedirect
	} {
		resp, err := hc.Get(origin.URL + "/same")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if !sawAuthOnSameHost.Load() {
		t.Fatal("the original host did not get the credential")
	}
	if leaked.Load() {
		t.Fatal("the credential was forwarded to another host on redirect")
	}
}

func TestCheckRedirectStripsAuthorization(t *testing.T) {
	via, _ := http.NewRequest("GET", "https://api.hubapi.com/a", nil)
	for _, tc := range []struct {
		to    string
		strip bool
	}{
		{"https://api.hubapi.com/b", false},
		{"https://api.hubapi.com:443/b", false},
		{"https://evil.api.hubapi.com/b", true},
		{"https://api.hubapi.com:8443/b", true},
		{"http://api.hubapi.com/b", true},
		{"https://example.com/b", true},
	} {
		req, _ := http.NewRequest("GET", tc.to, nil)
		req.Header.Set("Authorization", "Bearer "+tokenA)
		req.Header.Set("Cookie", "c=1")
		if err := CheckRedirect(req, []*http.Request{via}); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization") == ""; got != tc.strip {
			t.Errorf("redirect to %s: stripped=%v, want %v", tc.to, got, tc.strip)
		}
	}
	req, _ := http.NewRequest("GET", "https://api.hubapi.com/b", nil)
	if err := CheckRedirect(req, make([]*http.Request, 10)); err == nil {
		t.Fatal("11th redirect allowed")
	}
}

func TestTransportLogsFingerprintNeverToken(t *testing.T) {
	cache, _ := newCache(t, tokenA)
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	var buf logBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hc := &http.Client{Transport: &Transport{Source: cache, Hosts: []string{hostOf(srv.URL)}, Logger: logger}}
	resp, err := hc.Get(srv.URL + "/crm/v3/objects/contacts?email=alice@example.com&hapikey=" + tokenA)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := buf.String()
	secretstest.AssertNoLeak(t, "log", out, tokenA)
	for _, want := range []string{"method=GET", "path=/crm/v3/objects/contacts", "status=200", "token=" + secrets.New(tokenA).Fingerprint(), "duration="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "alice") {
		t.Errorf("log contains the query string:\n%s", out)
	}
}

func TestTransportZeroSourceFails(t *testing.T) {
	body := &trackedBody{Reader: bytes.NewReader(nil)}
	req, _ := http.NewRequest("POST", "https://api.hubapi.com/x", body)
	if _, err := (&Transport{}).RoundTrip(req); err == nil {
		t.Fatal("no error for a Transport without Source")
	}
	if !body.closed.Load() {
		t.Fatal("body not closed")
	}
}

// HubSpot authenticates its OAuth token calls by what they carry: the
// catalogue says they take no credential, and no bearer token goes with
// them; every other call gets it.
func TestTransportSendsNoTokenWhereTheCatalogueSaysNone(t *testing.T) {
	var auth string
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		auth = r.Header.Get("Authorization")
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	cache, _ := newCache(t, tokenA)
	tr := &Transport{Source: cache, Base: base}
	for _, c := range []struct {
		method, path string
		token        bool
	}{
		{"POST", "/oauth/v1/token", false},
		{"POST", "/oauth/v3/token", false},
		{"POST", "/oauth/2026-03/token", false},
		{"GET", "/oauth/v1/access-tokens/abc", false},
		{"DELETE", "/oauth/v1/refresh-tokens/abc", false},
		{"GET", "/crm/v3/objects/contacts", true},
		{"GET", "/oauth/v2/whatever", true}, // not in the catalogue
	} {
		req, _ := http.NewRequest(c.method, "https://api.hubapi.com"+c.path, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if (auth != "") != c.token || c.token && auth != "Bearer "+tokenA {
			t.Errorf("%s %s went with %q", c.method, c.path, auth)
		}
	}
}
