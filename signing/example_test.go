package signing_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/signing"
)

// The RFC 9421 hmac-sha256 example (Appendix B.2.5), reproduced with a
// Signer: the key is the RFC's test-shared-secret, base64-encoded.
func ExampleSigner_rfc9421() {
	key := secrets.New("uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==")
	s, err := signing.NewSigner(signing.Base64Key(signing.StaticKey(key)), "test-shared-secret",
		signing.SignWithLabel("sig-b25"),
		signing.SignComponents(signing.C("date"), signing.C("@authority"), signing.C("content-type")),
		signing.WithoutNonce(), signing.WithoutAlg(),
		signing.SignWithClock(clock.NewFake(time.Unix(1618884473, 0))))
	if err != nil {
		panic(err)
	}
	r, _ := http.NewRequest("POST", "https://example.com/foo?param=Value&Pet=dog", strings.NewReader(`{"hello": "world"}`))
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	if err := s.Sign(r); err != nil {
		panic(err)
	}
	fmt.Println("Signature-Input:", r.Header.Get("Signature-Input"))
	fmt.Println("Signature:", r.Header.Get("Signature"))
	// Output:
	// Signature-Input: sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"
	// Signature: sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:
}

func ExampleSignatureBase() {
	r, _ := http.NewRequest("DELETE", "https://api.hubapi.com/crm/v3/objects/contacts/42?archived=false", nil)
	base, _ := signing.SignatureBase(r, signing.Params{
		Components: []signing.Component{signing.C("@method"), signing.C("@authority"), signing.C("@path"), signing.C("@query")},
		Created:    time.Unix(1700000000, 0),
		KeyID:      "ops-2025",
		Nonce:      "n1",
		Alg:        signing.Algorithm,
	})
	fmt.Println(string(base))
	// Output:
	// "@method": DELETE
	// "@authority": api.hubapi.com
	// "@path": /crm/v3/objects/contacts/42
	// "@query": ?archived=false
	// "@signature-params": ("@method" "@authority" "@path" "@query");created=1700000000;keyid="ops-2025";nonce="n1";alg="hmac-sha256"
}

// A gateway in front of HubSpot verifies the signatures of sensitive
// calls; a replay of the same request is refused.
func ExampleVerifier() {
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	key := secrets.New("a-32-byte-or-longer-random-signing-key")

	keys := signing.NewKeySet()
	if err := keys.AddStatic("ops-2025", key); err != nil {
		panic(err)
	}
	v, err := signing.NewVerifier(keys, signing.WithClock(clk))
	if err != nil {
		panic(err)
	}
	gateway := v.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := signing.ResultFromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "accepted %s from key %s: %s", r.URL.Path, res.KeyID, body)
	}))

	signer, err := signing.NewSigner(signing.StaticKey(key), "ops-2025", signing.SignWithClock(clk))
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("POST", "http://api.hubapi.com/crm/v3/objects/contacts/merge", strings.NewReader(`{"primaryObjectId":"1"}`))
	req.Header.Set("Content-Type", "application/json")
	if err := signer.Sign(req); err != nil {
		panic(err)
	}
	replay := req.Clone(req.Context())
	replay.Body = io.NopCloser(strings.NewReader(`{"primaryObjectId":"1"}`))

	for _, r := range []*http.Request{req, replay} {
		w := httptest.NewRecorder()
		gateway.ServeHTTP(w, r)
		fmt.Print(w.Code, " ", w.Body.String(), "\n")
	}
	// Output:
	// 200 accepted /crm/v3/objects/contacts/merge from key ops-2025: {"primaryObjectId":"1"}
	// 401 signature rejected: replayed
}

// A Policy signs the calls its rules name; rules can be added and removed.
func ExamplePolicy() {
	p, err := signing.MustPolicy(
		"DELETE /**",
		"POST /crm/**/batch/archive",
		"POST /marketing/**/single-email/send",
	).With(signing.Rule{Method: "POST", Path: "/crm/v3/objects/deals"})
	if err != nil {
		panic(err)
	}
	for _, call := range []string{
		"DELETE /crm/v3/objects/contacts/42",
		"POST /crm/v3/objects/contacts/batch/archive",
		"POST /marketing/v3/transactional/single-email/send",
		"POST /crm/v3/objects/deals",
		"GET /crm/v3/objects/contacts/42",
	} {
		method, path, _ := strings.Cut(call, " ")
		r, _ := http.NewRequest(method, "https://api.hubapi.com"+path, nil)
		fmt.Println(p.Sensitive(r), call)
	}
	// Output:
	// true DELETE /crm/v3/objects/contacts/42
	// true POST /crm/v3/objects/contacts/batch/archive
	// true POST /marketing/v3/transactional/single-email/send
	// true POST /crm/v3/objects/deals
	// false GET /crm/v3/objects/contacts/42
}

// A Transport signs the sensitive calls of any http.Client.
func ExampleTransport() {
	key := secrets.New("a-32-byte-or-longer-random-signing-key")
	signer, err := signing.NewSigner(signing.StaticKey(key), "ops-2025")
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: &signing.Transport{
		Signer: signer,
		Policy: signing.MustPolicy("DELETE /**", "POST /crm/**/merge"),
		Base:   http.DefaultTransport,
	}}
	_ = client // client.Do(req) now signs deletes and merges
}
