package signing

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const testKey = "0123456789abcdef0123456789abcdef-test-signing-key"

var testStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestSigner(t testing.TB, clk clock.Clock, opts ...SignerOption) *Signer {
	t.Helper()
	s, err := NewSigner(StaticKey(secrets.New(testKey)), "k1", append([]SignerOption{SignWithClock(clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustInput(t testing.TB, r *http.Request, label string) SignatureInput {
	t.Helper()
	inputs, err := ParseSignatureInput(strings.Join(r.Header.Values("Signature-Input"), ", "))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if in.Label == label {
			return in
		}
	}
	t.Fatalf("no signature labelled %q in %v", label, r.Header.Values("Signature-Input"))
	return SignatureInput{}
}

func componentNames(p Params) string {
	var names []string
	for _, c := range p.Components {
		names = append(names, c.String())
	}
	return strings.Join(names, " ")
}

func TestSignerDefaultCoverage(t *testing.T) {
	clk := clock.NewFake(testStart)
	s := newTestSigner(t, clk, SignWithExpiry(time.Minute), SignFields("Date", "x-missing", "date"))

	r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/objects/contacts/batch/archive?x=1", strings.NewReader(`{"inputs":[]}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Date", "Sat, 01 Mar 2025 12:00:00 GMT")
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	in := mustInput(t, r, DefaultLabel)
	if got, want := componentNames(in.Params), `"@method" "@authority" "@path" "@query" "content-digest" "content-type" "date"`; got != want {
		t.Errorf("components = %s, want %s", got, want)
	}
	if in.KeyID != "k1" || in.Alg != Algorithm || !in.Created.Equal(testStart) || !in.Expires.Equal(testStart.Add(time.Minute)) {
		t.Errorf("params = %+v", in.Params)
	}
	if len(in.Nonce) != 22 {
		t.Errorf("nonce %q is not 16 bytes in unpadded base64url", in.Nonce)
	}
	if got := r.Header.Get("Content-Digest"); got != ContentDigest([]byte(`{"inputs":[]}`)) {
		t.Errorf("Content-Digest = %s", got)
	}
	sigs, err := ParseSignature(r.Header.Get("Signature"))
	if err != nil || len(sigs[DefaultLabel]) != 32 {
		t.Fatalf("Signature = %v, %v", sigs, err)
	}

	// A request without body or content type covers only the request line.
	g, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/contacts/1", nil)
	if err := s.Sign(g); err != nil {
		t.Fatal(err)
	}
	if got := componentNames(mustInput(t, g, DefaultLabel).Params); got != `"@method" "@authority" "@path" "@query"` {
		t.Errorf("components = %s", got)
	}
	if g.Header.Get("Content-Digest") != "" {
		t.Error("a request without a body got a Content-Digest")
	}
}

func TestSignerNoncesAreFresh(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart))
	seen := map[string]bool{}
	for range 100 {
		r, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/contacts/1", nil)
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		n := mustInput(t, r, DefaultLabel).Nonce
		if seen[n] {
			t.Fatalf("nonce %q repeated", n)
		}
		seen[n] = true
	}
}

// countingBody records how it is used.
type countingBody struct {
	r      io.Reader
	reads  int
	closed int
}

func (b *countingBody) Read(p []byte) (int, error) { b.reads++; return b.r.Read(p) }
func (b *countingBody) Close() error               { b.closed++; return nil }

func TestSignerBodyWithGetBodyIsNotBuffered(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart))
	payload := bytes.Repeat([]byte("x"), 100_000)
	sent := &countingBody{r: bytes.NewReader(payload)}
	getBodies := 0
	r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/imports", nil)
	r.Body = sent
	r.ContentLength = int64(len(payload))
	r.GetBody = func() (io.ReadCloser, error) {
		getBodies++
		return io.NopCloser(bytes.NewReader(payload)), nil
	}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if sent.reads != 0 || sent.closed != 0 {
		t.Errorf("the body to be sent was read %d times and closed %d times", sent.reads, sent.closed)
	}
	if r.Body != sent {
		t.Error("r.Body was replaced although GetBody could give a copy")
	}
	if getBodies != 1 {
		t.Errorf("GetBody called %d times, want 1", getBodies)
	}
	if got := r.Header.Get("Content-Digest"); got != ContentDigest(payload) {
		t.Errorf("Content-Digest = %s", got)
	}
}

func TestSignerBodyWithoutGetBodyBecomesReplayable(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart))
	payload := []byte(`{"properties":{"email":"a@example.com"}}`)
	orig := &countingBody{r: bytes.NewReader(payload)}
	r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/objects/contacts/merge", nil)
	r.Body = orig
	r.ContentLength = -1 // unknown, as for a streamed body
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if orig.closed != 1 {
		t.Errorf("original body closed %d times, want 1", orig.closed)
	}
	if r.GetBody == nil {
		t.Fatal("GetBody not set")
	}
	if r.ContentLength != int64(len(payload)) {
		t.Errorf("ContentLength = %d, want %d", r.ContentLength, len(payload))
	}
	for i := range 3 {
		var rc io.ReadCloser = r.Body
		if i > 0 {
			var err error
			if rc, err = r.GetBody(); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := io.ReadAll(rc)
		if !bytes.Equal(got, payload) {
			t.Fatalf("read %d = %q", i, got)
		}
	}
	if got := r.Header.Get("Content-Digest"); got != ContentDigest(payload) {
		t.Errorf("Content-Digest = %s", got)
	}
}

func TestSignerMaxBodySize(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart), SignWithMaxBodySize(10))
	r, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/imports", nil)
	r.Body = io.NopCloser(strings.NewReader(strings.Repeat("y", 11)))
	err := s.Sign(r)
	if err == nil || !strings.Contains(err.Error(), "10-byte limit") {
		t.Fatalf("err = %v", err)
	}
	if r.Header.Get("Signature") != "" {
		t.Error("a failed Sign left a signature")
	}
	r.Body = io.NopCloser(strings.NewReader(strings.Repeat("y", 10)))
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
}

func TestSignerKeepsOtherLabels(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart))
	r, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/deals/7", nil)
	r.Header.Set("Signature-Input", `proxy=("@method");created=1`)
	r.Header.Set("Signature", `proxy=:AAAA:`)
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	first := mustInput(t, r, DefaultLabel).Nonce
	if err := s.Sign(r); err != nil { // re-signing replaces our label only
		t.Fatal(err)
	}
	inputs, err := ParseSignatureInput(r.Header.Get("Signature-Input"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 2 || inputs[0].Label != "proxy" || inputs[1].Label != DefaultLabel || inputs[1].Nonce == first {
		t.Errorf("Signature-Input = %s", r.Header.Get("Signature-Input"))
	}
	sigs, err := ParseSignature(r.Header.Get("Signature"))
	if err != nil || len(sigs) != 2 || len(sigs["proxy"]) != 3 {
		t.Errorf("Signature = %s (%v)", r.Header.Get("Signature"), err)
	}

	bad, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/deals/7", nil)
	bad.Header.Set("Signature-Input", `proxy=("@method"`)
	if err := s.Sign(bad); err == nil || !strings.Contains(err.Error(), "Signature-Input") {
		t.Errorf("err = %v", err)
	}
	if bad.Header.Get("Signature") != "" {
		t.Error("a failed Sign left a signature")
	}
}

func TestSignerKeyErrorsNameNoValue(t *testing.T) {
	short := "tooshort"
	s, err := NewSigner(StaticKey(secrets.New(short)), "k1")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/deals/7", nil)
	err = s.Sign(r)
	if err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Fatalf("err = %v", err)
	}
	secretstest.AssertNoLeak(t, "short key error", err.Error(), short)

	notB64 := "this is not base64 but it is long enough!!"
	s, _ = NewSigner(Base64Key(StaticKey(secrets.New(notB64))), "k1")
	err = s.Sign(r)
	if err == nil || !strings.Contains(err.Error(), "base64") {
		t.Fatalf("err = %v", err)
	}
	secretstest.AssertNoLeak(t, "base64 key error", err.Error(), notB64)

	boom := errors.New("vault sealed")
	s, _ = NewSigner(failingSource{boom}, "k1")
	if err := s.Sign(r); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
}

type failingSource struct{ err error }

func (f failingSource) Get(context.Context) (secrets.Version, error) { return secrets.Version{}, f.err }

func TestSignerRotatesWithCache(t *testing.T) {
	clk := clock.NewFake(testStart)
	st := secretstest.NewStatic(testKey)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	s, err := NewSigner(cache, "k1", SignWithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	sign := func() []byte {
		r, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/deals/7", nil)
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		base, err := SignatureBase(r, mustInput(t, r, DefaultLabel).Params)
		if err != nil {
			t.Fatal(err)
		}
		sigs, _ := ParseSignature(r.Header.Get("Signature"))
		for _, k := range []string{testKey, testKey + "-rotated"} {
			if bytes.Equal(computeMAC(secrets.New(k), base), sigs[DefaultLabel]) {
				return []byte(k)
			}
		}
		t.Fatal("signature matches neither key")
		return nil
	}
	if got := string(sign()); got != testKey {
		t.Fatal("first signature not made with the first key")
	}
	st.Rotate(testKey + "-rotated")
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := string(sign()); got != testKey+"-rotated" {
		t.Fatal("signature after rotation not made with the new key")
	}
}

func TestNewSignerValidates(t *testing.T) {
	key := StaticKey(secrets.New(testKey))
	cases := map[string]func() (*Signer, error){
		"nil source":    func() (*Signer, error) { return NewSigner(nil, "k") },
		"empty key id":  func() (*Signer, error) { return NewSigner(key, "") },
		"binary key id": func() (*Signer, error) { return NewSigner(key, "a\nb") },
		"bad label":     func() (*Signer, error) { return NewSigner(key, "k", SignWithLabel("Sig")) },
		"bad field":     func() (*Signer, error) { return NewSigner(key, "k", SignFields("@method")) },
		"neg expiry":    func() (*Signer, error) { return NewSigner(key, "k", SignWithExpiry(-time.Second)) },
		"dup component": func() (*Signer, error) { return NewSigner(key, "k", SignComponents(C("@path"), C("@path"))) },
		"bad component": func() (*Signer, error) { return NewSigner(key, "k", SignComponents(C("@status"))) },
		"no components": func() (*Signer, error) { return NewSigner(key, "k", SignComponents()) },
		"neg max body":  func() (*Signer, error) { return NewSigner(key, "k", SignWithMaxBodySize(-1)) },
	}
	for name, f := range cases {
		if s, err := f(); err == nil {
			t.Errorf("%s: NewSigner succeeded: %v", name, s)
		}
	}
}

func TestSignatureBaseDerivedComponents(t *testing.T) {
	r, _ := http.NewRequest("GET", "HTTPS://Example.COM:443/a%2Fb/c?x=1&y=%20", nil)
	r.Header.Add("X-Multi", " one ")
	r.Header.Add("X-Multi", "two\t")
	r.Header.Set("Content-Digest", "sha-256=:AAAA:,  sha-512=:BBBB:")
	p := Params{Components: []Component{
		C("@method"), C("@target-uri"), C("@authority"), C("@scheme"), C("@request-target"), C("@path"), C("@query"),
		C("x-multi"), {Name: "x-multi", BS: true}, {Name: "content-digest", SF: true}, {Name: "content-digest", Key: "sha-512"}, C("host"),
	}}
	base, err := SignatureBase(r, p)
	if err != nil {
		t.Fatal(err)
	}
	want := `"@method": GET
"@target-uri": https://example.com/a%2Fb/c?x=1&y=%20
"@authority": example.com
"@scheme": https
"@request-target": /a%2Fb/c?x=1&y=%20
"@path": /a%2Fb/c
"@query": ?x=1&y=%20
"x-multi": one, two
"x-multi";bs: :b25l:, :dHdv:
"content-digest";sf: sha-256=:AAAA:, sha-512=:BBBB:
"content-digest";key="sha-512": :BBBB:
"host": Example.COM:443
"@signature-params": ("@method" "@target-uri" "@authority" "@scheme" "@request-target" "@path" "@query" "x-multi" "x-multi";bs "content-digest";sf "content-digest";key="sha-512" "host")`
	if string(base) != want {
		t.Errorf("base:\n%s\nwant:\n%s", base, want)
	}

	empty, _ := http.NewRequest("GET", "http://example.com:8080", nil)
	base, err = SignatureBase(empty, Params{Components: []Component{C("@authority"), C("@path"), C("@query")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "\"@authority\": example.com:8080\n\"@path\": /\n\"@query\": ?\n\"@signature-params\": (\"@authority\" \"@path\" \"@query\")"; string(base) != want {
		t.Errorf("base = %q", base)
	}

	for _, c := range []Component{C("x-absent"), {Name: "x-multi", Key: "a"}, {Name: "content-digest", Key: "md5"}} {
		if _, err := SignatureBase(r, Params{Components: []Component{c}}); err == nil {
			t.Errorf("component %s: no error", c)
		}
	}
	bad := r.Clone(context.Background())
	bad.Header.Set("X-Inject", "a\n\"@method\": POST")
	if _, err := SignatureBase(bad, Params{Components: []Component{C("x-inject")}}); err == nil {
		t.Error("a field value with a line break was accepted into the base")
	}
}

func TestSignerEmptyBodyWithExactDigest(t *testing.T) {
	s := newTestSigner(t, clock.NewFake(testStart), SignComponents(C("@method"), C("content-digest")))
	r, _ := http.NewRequest("POST", "https://api.hubapi.com/marketing/v3/emails/1/publish", nil)
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Content-Digest"); got != ContentDigest(nil) {
		t.Errorf("Content-Digest = %s, want the digest of nothing", got)
	}
}
