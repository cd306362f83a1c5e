package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

type fixture struct {
	clk    *clock.Fake
	keys   *KeySet
	v      *Verifier
	signer *Signer
}

func newFixture(t testing.TB, vopts ...VerifierOption) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewFake(testStart), keys: NewKeySet()}
	if err := f.keys.AddStatic("k1", secrets.New(testKey)); err != nil {
		t.Fatal(err)
	}
	var err error
	f.v, err = NewVerifier(f.keys, append([]VerifierOption{WithClock(f.clk)}, vopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.signer = newTestSigner(t, f.clk)
	return f
}

// serverRequest turns a signed client request into the request a server
// handler sees.
func serverRequest(t testing.TB, c *http.Request) *http.Request {
	t.Helper()
	var body io.Reader
	if c.Body != nil && c.Body != http.NoBody {
		b, err := io.ReadAll(c.Body)
		if err != nil {
			t.Fatal(err)
		}
		c.Body = io.NopCloser(bytes.NewReader(b))
		body = bytes.NewReader(b)
	}
	s := httptest.NewRequest(c.Method, c.URL.RequestURI(), body)
	s.Host = c.URL.Host
	s.Header = c.Header.Clone()
	return s
}

func (f *fixture) signed(t testing.TB, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	c, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		c.Header.Set("Content-Type", "application/json")
	}
	if err := f.signer.Sign(c); err != nil {
		t.Fatal(err)
	}
	return serverRequest(t, c)
}

func wantReason(t testing.TB, err error, want Reason) {
	t.Helper()
	if got := ReasonOf(err); got != want {
		t.Fatalf("reason = %q (%v), want %q", got, err, want)
	}
}

func TestVerifierAcceptsAndRestoresBody(t *testing.T) {
	f := newFixture(t)
	body := `{"inputs":[{"id":"1"}]}`
	r := f.signed(t, "POST", "http://api.test/crm/v3/objects/contacts/batch/archive?a=b", body)
	res, err := f.v.Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyID != "k1" || res.Label != DefaultLabel || res.KeyVersion != "static" || !res.Created.Equal(testStart) || res.Nonce == "" {
		t.Errorf("result = %+v", res)
	}
	got, _ := io.ReadAll(r.Body)
	if string(got) != body {
		t.Errorf("body after Verify = %q", got)
	}
}

func TestVerifierReasons(t *testing.T) {
	const url = "http://api.test/crm/v3/objects/contacts/1"
	tests := []struct {
		name  string
		opts  []VerifierOption
		req   func(t *testing.T, f *fixture) *http.Request
		want  Reason
		check func(t *testing.T, f *fixture)
	}{
		{name: "unsigned", want: ReasonUnsigned, req: func(t *testing.T, f *fixture) *http.Request {
			return httptest.NewRequest("DELETE", url, nil)
		}},
		{name: "only Signature-Input", want: ReasonMalformed, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Header.Del("Signature")
			return r
		}},
		{name: "unparseable", want: ReasonMalformed, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Header.Set("Signature-Input", `hubkey=("@method"`)
			return r
		}},
		{name: "other algorithm", want: ReasonMalformed, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), `alg="hmac-sha256"`, `alg="rsa-pss-sha512"`, 1))
			return r
		}},
		{name: "unsupported component", want: ReasonMalformed, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), `"@query"`, `"@query-param";name="a"`, 1))
			return r
		}},
		{name: "path not covered", want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, SignComponents(C("@method"), C("@authority"), C("@query")))
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "no nonce", want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, WithoutNonce())
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "body not covered", want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, SignComponents(DefaultRequired...))
			return f.signed(t, "POST", url+"/merge", `{"a":1}`)
		}},
		{name: "content type not covered", want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, SignComponents(append(DefaultRequired, C("content-digest"))...))
			return f.signed(t, "POST", url+"/merge", `{"a":1}`)
		}},
		{name: "wrong tag", opts: []VerifierOption{RequireTag("app-a")}, want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, SignWithTag("app-b"))
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "unknown key", want: ReasonUnknownKey, req: func(t *testing.T, f *fixture) *http.Request {
			s, _ := NewSigner(StaticKey(secrets.New(testKey)), "k2", SignWithClock(f.clk))
			f.signer = s
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "wrong key", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			s, _ := NewSigner(StaticKey(secrets.New(testKey+"x")), "k1", SignWithClock(f.clk))
			f.signer = s
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "tampered path", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.URL.Path = "/crm/v3/objects/contacts/2"
			return r
		}},
		{name: "tampered method", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Method = "GET"
			return r
		}},
		{name: "tampered query", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url+"?archived=false", "")
			r.URL.RawQuery = "archived=true"
			return r
		}},
		{name: "tampered host", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Host = "evil.test"
			return r
		}},
		{name: "tampered content type", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "POST", url+"/merge", `{"a":1}`)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}},
		{name: "tampered params", want: ReasonBadSignature, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			in := r.Header.Get("Signature-Input")
			r.Header.Set("Signature-Input", strings.Replace(in, `keyid="k1"`, `keyid="k1";tag="x"`, 1))
			return r
		}},
		{name: "tampered body", want: ReasonBadDigest, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "POST", url+"/merge", `{"a":1}`)
			r.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
			return r
		}},
		{name: "body added to a bodiless request", want: ReasonInsufficient, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			r.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
			r.ContentLength = 7
			return r
		}},
		{name: "stale", want: ReasonStale, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			f.clk.Advance(DefaultMaxAge + time.Second)
			return r
		}},
		{name: "future", want: ReasonFuture, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, clock.NewFake(testStart.Add(DefaultClockSkew+2*time.Second)))
			return f.signed(t, "DELETE", url, "")
		}},
		{name: "expired", want: ReasonExpired, req: func(t *testing.T, f *fixture) *http.Request {
			f.signer = newTestSigner(t, f.clk, SignWithExpiry(10*time.Second))
			r := f.signed(t, "DELETE", url, "")
			f.clk.Advance(10*time.Second + DefaultClockSkew)
			return r
		}},
		{name: "replayed", want: ReasonReplayed, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "DELETE", url, "")
			if err := f.v.VerifyRequest(r.Clone(context.Background())); err != nil {
				t.Fatalf("first use rejected: %v", err)
			}
			f.clk.Advance(DefaultMaxAge - time.Second)
			return r
		}},
		{name: "body too large", opts: []VerifierOption{WithMaxBodySize(8)}, want: ReasonBodyTooLarge, req: func(t *testing.T, f *fixture) *http.Request {
			return f.signed(t, "POST", url+"/merge", `{"a":"123456"}`)
		}},
		{name: "body too large, length unknown", opts: []VerifierOption{WithMaxBodySize(8)}, want: ReasonBodyTooLarge, req: func(t *testing.T, f *fixture) *http.Request {
			r := f.signed(t, "POST", url+"/merge", `{"a":"123456"}`)
			r.ContentLength = -1
			return r
		}},
		{name: "key unavailable", want: ReasonKeyUnavailable, req: func(t *testing.T, f *fixture) *http.Request {
			if err := f.keys.Add("k3", failingSource{errors.New("vault sealed")}); err != nil {
				t.Fatal(err)
			}
			s, _ := NewSigner(StaticKey(secrets.New(testKey)), "k3", SignWithClock(f.clk))
			f.signer = s
			return f.signed(t, "DELETE", url, "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			r := tt.req(t, f)
			err := f.v.VerifyRequest(r)
			wantReason(t, err, tt.want)
			if !errors.Is(err, &VerifyError{Reason: tt.want}) {
				t.Errorf("errors.Is does not match the reason")
			}
			for _, enc := range secretstest.Encodings(testKey) {
				if strings.Contains(err.Error(), enc) {
					t.Errorf("error contains the key")
				}
			}
			if sig := r.Header.Get("Signature"); sig != "" {
				if mac, err := ParseSignature(sig); err == nil {
					for _, m := range mac {
						if strings.Contains(err2s(err), base64.StdEncoding.EncodeToString(m)) {
							t.Error("error echoes the MAC")
						}
					}
				}
			}
		})
	}
}

func err2s(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestVerifierNeverEchoesTheExpectedMAC checks that a rejected signature's
// error holds neither the MAC sent nor the one the Verifier expected.
func TestVerifierNeverEchoesTheExpectedMAC(t *testing.T) {
	f := newFixture(t)
	r := f.signed(t, "DELETE", "http://api.test/crm/v3/objects/contacts/1", "")
	in := mustInput(t, r, DefaultLabel)
	r.URL.Path = "/crm/v3/objects/contacts/2"
	m := f.v.serverMessage(r)
	base, err := signatureBase(m, in.Components, in.raw)
	if err != nil {
		t.Fatal(err)
	}
	expected := computeMAC(secrets.New(testKey), base)
	err = f.v.VerifyRequest(r)
	wantReason(t, err, ReasonBadSignature)
	for _, form := range []string{base64.StdEncoding.EncodeToString(expected), base64.RawURLEncoding.EncodeToString(expected), string(base)} {
		if strings.Contains(err.Error(), form) {
			t.Fatalf("error %q echoes the expected MAC or the base", err)
		}
	}
}

func TestVerifierHandler(t *testing.T) {
	f := newFixture(t)
	var got struct {
		body string
		res  *Result
	}
	srv := httptest.NewServer(f.v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.body = string(b)
		got.res, _ = ResultFromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	client := &http.Client{Transport: &Transport{Signer: f.signer, Policy: EveryRequest()}}

	resp, err := client.Post(srv.URL+"/crm/v3/objects/contacts/merge", "application/json", strings.NewReader(`{"primaryObjectId":"1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if got.body != `{"primaryObjectId":"1"}` || got.res == nil || got.res.KeyID != "k1" {
		t.Errorf("handler saw body %q, result %+v", got.body, got.res)
	}

	// Unsigned: the default error handler answers 401 naming the reason.
	resp, err = http.Post(srv.URL+"/crm/v3/objects/contacts/merge", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || string(b) != "signature rejected: unsigned\n" {
		t.Errorf("unsigned: %d %q", resp.StatusCode, b)
	}
}

func TestVerifierRotation(t *testing.T) {
	clk := clock.NewFake(testStart)
	st := secretstest.NewStatic(testKey)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	keys := NewKeySet()
	if err := keys.Add("k1", cache, PreviousGrace(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(keys, WithClock(clk), WithMaxAge(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	signWith := func(key string) *http.Request {
		s, _ := NewSigner(StaticKey(secrets.New(key)), "k1", SignWithClock(clk))
		c, _ := http.NewRequest("DELETE", "http://api.test/crm/v3/objects/deals/9", nil)
		if err := s.Sign(c); err != nil {
			t.Fatal(err)
		}
		return serverRequest(t, c)
	}
	newKey := testKey + "-2"
	if err := v.VerifyRequest(signWith(testKey)); err != nil {
		t.Fatalf("current key rejected: %v", err)
	}
	wantReason(t, v.VerifyRequest(signWith(newKey)), ReasonBadSignature)

	// The verifier's source rotates: both keys are accepted in the grace.
	st.Rotate(newKey)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{testKey, newKey} {
		r := signWith(k)
		res, err := v.Verify(r)
		if err != nil {
			t.Fatalf("key %d rejected during the grace: %v", len(k), err)
		}
		want := "v2"
		if k == testKey {
			want = "v1"
		}
		if res.KeyVersion != want {
			t.Errorf("matched key version %s, want %s", res.KeyVersion, want)
		}
	}
	clk.Advance(10 * time.Minute)
	wantReason(t, v.VerifyRequest(signWith(testKey)), ReasonBadSignature)
	if err := v.VerifyRequest(signWith(newKey)); err != nil {
		t.Fatalf("new key rejected after the grace: %v", err)
	}
}

func TestVerifierChoosesItsSignature(t *testing.T) {
	f := newFixture(t)
	c, _ := http.NewRequest("DELETE", "http://api.test/crm/v3/objects/deals/9", nil)
	c.Header.Set("Signature-Input", fmt.Sprintf(`proxy=("@method");created=%d;keyid="someone-else"`, testStart.Unix()))
	c.Header.Set("Signature", `proxy=:AAAA:`)
	if err := f.signer.Sign(c); err != nil {
		t.Fatal(err)
	}
	r := serverRequest(t, c)
	res, err := f.v.Verify(r.Clone(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Label != DefaultLabel {
		t.Errorf("verified label %q", res.Label)
	}
	// Pinned to the foreign label, it fails as an unknown key.
	v, _ := NewVerifier(f.keys, WithClock(f.clk), WithLabel("proxy"))
	wantReason(t, v.VerifyRequest(r.Clone(context.Background())), ReasonInsufficient) // "@authority" etc. missing
	v, _ = NewVerifier(f.keys, WithClock(f.clk), WithLabel("proxy"), RequireComponents(C("@method")), AllowNoNonce())
	wantReason(t, v.VerifyRequest(r.Clone(context.Background())), ReasonUnknownKey)
	v, _ = NewVerifier(f.keys, WithClock(f.clk), WithLabel("absent"))
	wantReason(t, v.VerifyRequest(r.Clone(context.Background())), ReasonUnsigned)
}

// TestVerifierRFC9421B25 verifies the RFC's own hmac-sha256 signature:
// this Verifier checks signatures made by other implementations.
func TestVerifierRFC9421B25(t *testing.T) {
	keys := NewKeySet()
	if err := keys.Add("test-shared-secret", rfcKey(t)); err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(keys, WithClock(clock.NewFake(time.Unix(rfcCreated, 0))), RequireComponents(), AllowNoNonce())
	if err != nil {
		t.Fatal(err)
	}
	// The signature does not cover the body, which this Verifier requires
	// of a request with one; the RFC's signature base does not depend on it.
	r := httptest.NewRequest("POST", "/foo?param=Value&Pet=dog", nil)
	r.Host = "example.com"
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", rfcContentDigest512)
	r.Header.Set("Signature-Input", rfcB25Input)
	r.Header.Set("Signature", rfcB25Signature)
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/xml")
	wantReason(t, v.VerifyRequest(r), ReasonBadSignature)
}

func TestVerifierOrigin(t *testing.T) {
	f := newFixture(t, WithOrigin(func(*http.Request) (string, string) { return "https", "api.example.com:443" }))
	f.signer = newTestSigner(t, f.clk, SignComponents(C("@method"), C("@target-uri"), C("@authority"), C("@path"), C("@query"), C("@scheme")))
	c, _ := http.NewRequest("DELETE", "https://api.example.com/crm/v3/objects/deals/9", nil)
	if err := f.signer.Sign(c); err != nil {
		t.Fatal(err)
	}
	r := serverRequest(t, c)
	r.Host = "10.0.0.7:8080" // what the backend behind the proxy sees
	if err := f.v.VerifyRequest(r); err != nil {
		t.Fatal(err)
	}
}

func TestVerifierConcurrentReplays(t *testing.T) {
	f := newFixture(t)
	r := f.signed(t, "DELETE", "http://api.test/crm/v3/objects/deals/9", "")
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, replayed := 0, 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.v.VerifyRequest(r.Clone(context.Background()))
			mu.Lock()
			defer mu.Unlock()
			switch ReasonOf(err) {
			case "":
				accepted++
			case ReasonReplayed:
				replayed++
			default:
				t.Errorf("unexpected %v", err)
			}
		}()
	}
	wg.Wait()
	if accepted != 1 || replayed != 15 {
		t.Fatalf("accepted %d, replayed %d; want 1 and 15", accepted, replayed)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	ks := NewKeySet()
	for name, opts := range map[string][]VerifierOption{
		"max age":   {WithMaxAge(0)},
		"skew":      {WithClockSkew(-1)},
		"body":      {WithMaxBodySize(0)},
		"nonces":    {WithNonceCapacity(0)},
		"label":     {WithLabel("Bad")},
		"component": {RequireComponents(C("@status"))},
	} {
		if _, err := NewVerifier(ks, opts...); err == nil {
			t.Errorf("%s: NewVerifier succeeded", name)
		}
	}
	if _, err := NewVerifier(nil); err == nil {
		t.Error("nil KeySet accepted")
	}
}

func TestKeySet(t *testing.T) {
	ks := NewKeySet()
	if err := ks.AddStatic("a", secrets.New("short")); err == nil {
		t.Error("a short static key was accepted")
	}
	if err := ks.Add("", StaticKey(secrets.New(testKey))); err == nil {
		t.Error("an empty key ID was accepted")
	}
	if err := ks.Add("a", nil); err == nil {
		t.Error("a nil source was accepted")
	}
	_ = ks.AddStatic("b", secrets.New(testKey))
	_ = ks.AddStatic("a", secrets.New(testKey))
	_ = ks.AddStatic("a", secrets.New(testKey+"2")) // two keys under one ID
	if got := strings.Join(ks.KeyIDs(), ","); got != "a,b" {
		t.Errorf("KeyIDs = %s", got)
	}
	keys, known, err := ks.candidates(context.Background(), "a", testStart)
	if !known || err != nil || len(keys) != 2 {
		t.Errorf("candidates = %d, %v, %v", len(keys), known, err)
	}
	if !ks.Remove("a") || ks.Remove("a") || ks.Has("a") {
		t.Error("Remove did not remove")
	}
}

func TestNonceCache(t *testing.T) {
	c := newNonceCache(3)
	k := func(s string) [16]byte { return nonceKey("k", s) }
	if c.add(k("a"), 100, 400, 100) != nonceFresh || c.add(k("a"), 100, 400, 101) != nonceReplayed {
		t.Fatal("replay not detected")
	}
	if nonceKey("k1", "a") == nonceKey("k2", "a") {
		t.Fatal("nonces of different keys collide")
	}
	c.add(k("b"), 101, 401, 101)
	c.add(k("c"), 102, 402, 102)
	// Full of live entries: "a" (created 100) is evicted and the floor
	// rises to 100, so a replay of "a" is refused rather than accepted.
	if got := c.add(k("d"), 103, 403, 103); got != nonceFresh {
		t.Fatalf("d = %v", got)
	}
	if got := c.add(k("a"), 100, 400, 103); got != nonceBelowFloor {
		t.Fatalf("evicted a = %v, want below floor", got)
	}
	if got := c.add(k("e"), 100, 400, 103); got != nonceBelowFloor {
		t.Fatalf("e created at the floor = %v", got)
	}
	if c.len() != 3 {
		t.Fatalf("len = %d", c.len())
	}
	// Once entries expire they make room without raising the floor.
	if got := c.add(k("f"), 500, 800, 500); got != nonceFresh || c.len() != 1 {
		t.Fatalf("after expiry: %v, len %d", got, c.len())
	}
	// A nonce seen before but expired may be reused.
	if got := c.add(k("b"), 501, 801, 501); got != nonceFresh {
		t.Fatalf("expired b = %v", got)
	}
}

func TestNonceCacheBoundedUnderFlood(t *testing.T) {
	// 100,000 distinct nonces with long values, 3,000 per max-age window,
	// into a cache of 1,000: memory stays at the capacity.
	c := newNonceCache(1000)
	fresh := 0
	for i := range 100_000 {
		created := int64(1000 + i/10)
		if c.add(nonceKey("k", strings.Repeat("n", 200)+itoa(i)), created, created+300, created) == nonceFresh {
			fresh++
		}
		if c.n > 1000 || len(c.ring) > 1000 || len(c.idx) > 1000 {
			t.Fatalf("after %d adds: len %d, ring %d, index %d; capacity is 1000", i, c.n, len(c.ring), len(c.idx))
		}
	}
	if fresh < 1000 {
		t.Fatalf("only %d nonces accepted", fresh)
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// memNonces is a NonceStore in memory, as several Verifiers share one.
type memNonces struct {
	mu     sync.Mutex
	seen   map[[16]byte]time.Time
	claims int
	err    error
}

func (m *memNonces) ClaimNonce(_ context.Context, key [16]byte, now, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.claims++
	if m.err != nil {
		return false, m.err
	}
	if m.seen == nil {
		m.seen = map[[16]byte]time.Time{}
	}
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	m.seen[key] = expires
	return true, nil
}

// Two Verifiers sharing a NonceStore accept a signed request once between
// them; a replay to the same one is refused by its own cache without
// asking the store; a store that fails refuses, closed.
func TestNonceStoreSharesTheReplayCache(t *testing.T) {
	store := &memNonces{}
	a := newFixture(t, WithNonceStore(store))
	b, err := NewVerifier(a.keys, WithClock(a.clk), WithNonceStore(store))
	if err != nil {
		t.Fatal(err)
	}
	r := a.signed(t, "DELETE", "http://api.test/crm/v3/objects/deals/9", "")
	if err := a.v.VerifyRequest(r.Clone(context.Background())); err != nil {
		t.Fatalf("first verification: %v", err)
	}
	if err := b.VerifyRequest(r.Clone(context.Background())); ReasonOf(err) != ReasonReplayed {
		t.Fatalf("replay to the other verifier: %v, want %s", err, ReasonReplayed)
	}
	claims := store.claims
	if err := a.v.VerifyRequest(r.Clone(context.Background())); ReasonOf(err) != ReasonReplayed {
		t.Fatalf("replay to the same verifier: %v", err)
	}
	if store.claims != claims {
		t.Errorf("a replay the verifier's own cache knows asked the store")
	}

	store.err = errors.New("database down")
	r2 := a.signed(t, "DELETE", "http://api.test/crm/v3/objects/deals/10", "")
	err = b.VerifyRequest(r2)
	if ReasonOf(err) != ReasonNonceUnavailable {
		t.Fatalf("with the store down: %v, want %s", err, ReasonNonceUnavailable)
	}
	if strings.Contains(err.Error(), "database down") {
		t.Errorf("the store's error reached the client's: %v", err)
	}
	if _, err := NewVerifier(a.keys, WithNonceStore(nil)); err == nil {
		t.Error("WithNonceStore(nil) accepted")
	}
}
