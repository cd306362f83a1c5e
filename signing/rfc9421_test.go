package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// Test vectors from RFC 9421 (HTTP Message Signatures) and RFC 9530
// (Digest Fields).
const (
	// rfcSharedSecret is the key of RFC 9421 Appendix B.1.5
	// ("test-shared-secret"), base64-encoded as the RFC prints it.
	rfcSharedSecret = "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ=="
	// rfcCreated is the created parameter of every RFC 9421 example.
	rfcCreated = 1618884473
	// rfcBody is the body of the RFC 9421 test-request (Appendix B.2).
	rfcBody = `{"hello": "world"}`
	// rfcContentDigest512 is the test-request's Content-Digest.
	rfcContentDigest512 = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
	// rfcContentDigest256 is the sha-256 Content-Digest of rfcBody (RFC
	// 9530 Appendix B.2).
	rfcContentDigest256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
	// B.2.5: Signing a Request Using hmac-sha256.
	rfcB25Input     = `sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"`
	rfcB25Signature = `sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:`
)

// rfcTestRequest is the test-request of RFC 9421 Appendix B.2, as a
// client request:
//
//	POST /foo?param=Value&Pet=dog HTTP/1.1
//	Host: example.com
//	Date: Tue, 20 Apr 2021 02:07:55 GMT
//	Content-Type: application/json
//	Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
//	Content-Length: 18
//
//	{"hello": "world"}
func rfcTestRequest(t testing.TB) *http.Request {
	t.Helper()
	r, err := http.NewRequest("POST", "https://example.com/foo?param=Value&Pet=dog", strings.NewReader(rfcBody))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", rfcContentDigest512)
	return r
}

func rfcKey(t testing.TB) KeySource {
	t.Helper()
	return Base64Key(StaticKey(secrets.New(rfcSharedSecret)))
}

func b25Params() Params {
	return Params{
		Components: []Component{C("date"), C("@authority"), C("content-type")},
		Created:    time.Unix(rfcCreated, 0),
		KeyID:      "test-shared-secret",
	}
}

func TestRFC9421B25SignatureBase(t *testing.T) {
	want, err := os.ReadFile("testdata/rfc9421-b25-base.txt")
	if err != nil {
		t.Fatal(err)
	}
	base, err := SignatureBase(rfcTestRequest(t), b25Params())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(base, want) {
		t.Fatalf("signature base differs from RFC 9421 B.2.5:\n got: %q\nwant: %q", base, want)
	}
	key, err := base64.StdEncoding.DecodeString(rfcSharedSecret)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(base)
	got := "sig-b25=:" + base64.StdEncoding.EncodeToString(mac.Sum(nil)) + ":"
	if got != rfcB25Signature {
		t.Fatalf("signature = %s, want %s", got, rfcB25Signature)
	}
}

func TestRFC9421B25Signer(t *testing.T) {
	s, err := NewSigner(rfcKey(t), "test-shared-secret",
		SignWithLabel("sig-b25"),
		SignComponents(C("date"), C("@authority"), C("content-type")),
		WithoutNonce(), WithoutAlg(),
		SignWithClock(clock.NewFake(time.Unix(rfcCreated, 0))))
	if err != nil {
		t.Fatal(err)
	}
	r := rfcTestRequest(t)
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Signature-Input"); got != rfcB25Input {
		t.Errorf("Signature-Input = %s\nwant              %s", got, rfcB25Input)
	}
	if got := r.Header.Get("Signature"); got != rfcB25Signature {
		t.Errorf("Signature = %s, want %s", got, rfcB25Signature)
	}
	if got := r.Header.Get("Content-Digest"); got != rfcContentDigest512 {
		t.Errorf("Content-Digest was changed to %s although it is not covered", got)
	}
}

func TestRFC9421B25Parse(t *testing.T) {
	inputs, err := ParseSignatureInput(rfcB25Input)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 1 || inputs[0].Label != "sig-b25" {
		t.Fatalf("got %+v", inputs)
	}
	in := inputs[0]
	if in.KeyID != "test-shared-secret" || in.Created.Unix() != rfcCreated || !in.Expires.IsZero() || in.Nonce != "" || in.Alg != "" {
		t.Errorf("params = %+v", in.Params)
	}
	if got := in.Params.String(); "sig-b25="+got != rfcB25Input {
		t.Errorf("re-serialized = %s", got)
	}
	sigs, err := ParseSignature(rfcB25Signature)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.StdEncoding.EncodeToString(sigs["sig-b25"]); got != "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=" {
		t.Errorf("signature bytes = %s", got)
	}
}

func TestRFC9530ContentDigest(t *testing.T) {
	if got := ContentDigest([]byte(rfcBody)); got != rfcContentDigest256 {
		t.Errorf("ContentDigest = %s, want %s", got, rfcContentDigest256)
	}
	for _, field := range []string{rfcContentDigest256, rfcContentDigest512, rfcContentDigest256 + ", " + rfcContentDigest512, "unixsum=:AAAA:, " + rfcContentDigest512} {
		if err := checkContentDigest(field, []byte(rfcBody)); err != nil {
			t.Errorf("check %s: %v", field, err)
		}
		if err := checkContentDigest(field, []byte(rfcBody+" ")); err == nil {
			t.Errorf("check %s accepted a different body", field)
		}
	}
	// No algorithm this package computes: not verifiable.
	if err := checkContentDigest("md5=:AAAA:", []byte(rfcBody)); err == nil {
		t.Error("a digest with no supported algorithm was accepted")
	}
	// Both must match when both are present.
	mixed := rfcContentDigest256 + ", sha-512=:" + base64.StdEncoding.EncodeToString(make([]byte, 64)) + ":"
	if err := checkContentDigest(mixed, []byte(rfcBody)); err == nil {
		t.Error("a wrong sha-512 next to a right sha-256 was accepted")
	}
	d, err := ParseContentDigest(rfcContentDigest512)
	if err != nil || len(d["sha-512"]) != 64 {
		t.Fatalf("ParseContentDigest = %v, %v", d, err)
	}
	for _, bad := range []string{"", "sha-256=abc", "sha-256=(:AAAA:)", "SHA-256=:AAAA:", "sha-256=:AAAA"} {
		if _, err := ParseContentDigest(bad); err == nil {
			t.Errorf("ParseContentDigest(%q) succeeded", bad)
		}
	}
}
