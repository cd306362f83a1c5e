package webhook

import (
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

// HubSpot's published examples. The client secret, bodies, URI and
// expected signatures come from HubSpot's "Validating requests"
// documentation (v1 and v2) and from the signature tests of its official
// client libraries: hubspot-api-nodejs test/unit/signature.spec.ts,
// hubspot-api-php tests/Unit/Utils/SignatureTest.php (v1, v2) and
// hubspot-api-python tests/spec/utils/test_signature.py (v1, v2, v3 with
// a fixed timestamp).
const (
	hsSecret      = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
	hsURI         = "https://www.example.com/webhook_uri"
	hsV1Body      = `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`
	hsV1Sig       = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
	hsV2GetSig    = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
	hsV2PostBody  = `{"example_field":"example_value"}`
	hsV2PostSig   = "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"
	pyBody        = `{'example_field':'example_value'}`
	pyV1Sig       = "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750"
	pyV2Sig       = "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"
	pyV3Timestamp = "15000000"
	pyV3Sig       = "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="
)

func TestSignaturesMatchHubSpotExamples(t *testing.T) {
	s := secrets.New(hsSecret)
	tests := []struct {
		name, got, want string
	}{
		{"v1 docs", SignatureV1(s, []byte(hsV1Body)), hsV1Sig},
		{"v2 GET docs", SignatureV2(s, "GET", hsURI, nil), hsV2GetSig},
		{"v2 POST nodejs/php", SignatureV2(s, "POST", hsURI, []byte(hsV2PostBody)), hsV2PostSig},
		{"v1 python", SignatureV1(s, []byte(pyBody)), pyV1Sig},
		{"v2 python", SignatureV2(s, "POST", hsURI, []byte(pyBody)), pyV2Sig},
		{"v3 python", SignatureV3(s, "POST", hsURI, []byte(pyBody), pyV3Timestamp), pyV3Sig},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestDecodeV3URI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/hook", "https://example.com/hook"},
		{"https://example.com/hook?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B", "https://example.com/hook?a=:/?@!$'()*,;"},
		// Only the listed encodings, only in upper case, one pass.
		{"https://example.com/h?q=%20%25%2B%3D%26%23", "https://example.com/h?q=%20%25%2B%3D%26%23"},
		{"https://example.com/h?q=%3a", "https://example.com/h?q=%3a"},
		{"https://example.com/h?q=%253A", "https://example.com/h?q=%253A"},
		{"%%3A%", "%:%"},
	}
	for _, tt := range tests {
		if got := DecodeV3URI(tt.in); got != tt.want {
			t.Errorf("DecodeV3URI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The decoding is part of the v3 signature: an encoded and a decoded
	// URI sign the same.
	s := secrets.New(hsSecret)
	if SignatureV3(s, "POST", "https://example.com/h?e=a%40b.c", nil, "1") != SignatureV3(s, "POST", "https://example.com/h?e=a@b.c", nil, "1") {
		t.Error("v3 signature differs between %40 and @")
	}
}

func TestVersionString(t *testing.T) {
	if V1.String() != "v1" || V2.String() != "v2" || V3.String() != "v3" || Version(9).String() != "unknown" {
		t.Error("Version.String")
	}
}
