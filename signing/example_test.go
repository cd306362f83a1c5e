package signing_test

import (
	"fmt"
	"net/http"
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
