package hubkeyvet

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// The credentials in these tests are assembled at run time, so that this
// file holds no credential-shaped constant for hubkeyvet itself to report.

func join(parts ...string) string { return strings.Join(parts, "-") }

func randomUUID(r *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// accessToken encodes a token with HubSpot's layout, issued at ms.
func accessToken(ms uint64, tail []byte) string {
	b := []byte{0x08}
	b = binary.AppendUvarint(b, ms)
	b = append(b, 0x12, 0x02, 0x01, 0x01, 0x18)
	b = binary.AppendUvarint(b, 62515)
	b = append(b, 0x32, byte(len(tail)))
	b = append(b, tail...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func kinds(fs []finding) []kind {
	var out []kind
	for _, f := range fs {
		out = append(out, f.kind)
	}
	return out
}

func TestScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	u := randomUUID(r)
	pat := join("pat", "na1", u)
	tail := make([]byte, 25)
	for i := range tail {
		tail[i] = byte(r.UintN(256))
	}
	issued := uint64(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	access := accessToken(issued, tail)

	tests := []struct {
		in   string
		want []kind
	}{
		{pat, []kind{kindPrivateAppToken}},
		{join("pat", "eu1", u), []kind{kindPrivateAppToken}},
		{join("pat", "ap1", strings.ToUpper(u)), []kind{kindPrivateAppToken}},
		{"token: " + pat + "\n", []kind{kindPrivateAppToken}},
		{`{"token":"` + pat + `"}`, []kind{kindPrivateAppToken}},
		{join("na1", u), []kind{kindRefreshToken}},
		{join("eu1", u), []kind{kindRefreshToken}},
		{access, []kind{kindAccessToken}},
		{"Bearer " + access, []kind{kindAccessToken}},
		{"?hapikey=" + u, []kind{kindDeveloperKey}},
		{"&HAPIKEY=" + u, []kind{kindDeveloperKey}},
		{"Bearer " + u, []kind{kindBearerUUID}},
		{pat + " " + join("na1", randomUUID(r)), []kind{kindPrivateAppToken, kindRefreshToken}},

		// Near misses.
		{u, nil}, // a bare UUID needs a context
		{"id=" + u, nil},
		{join("pat", "na1"), nil},
		{join("pat", "na1", "example"), nil},
		{join("pat", "NA1", u), nil},
		{"x" + pat, nil},
		{pat + "-v2", nil},
		{pat + "0", nil},
		{join("us1", u), nil},
		{join("pat", "na1", "00000000-0000-4000-8000-000000000000"), nil},
		{join("na1", "00000000-dead-4bad-8bad-000000000000"), nil},
		{"?hapikey=" + "00000000-0000-0000-0000-000000000000", nil},
		{accessToken(uint64(time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()), tail), nil},
		{accessToken(uint64(time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()), tail), nil},
		{"C" + strings.Repeat("A", 60), nil},
		{base64.RawURLEncoding.EncodeToString([]byte("\x08not a protobuf at all, only text, long enough to scan")), nil},
		{access[:20], nil},
		{"x" + access, nil},
	}
	for _, tt := range tests {
		got := kinds(scan(tt.in))
		if !slices.Equal(got, tt.want) {
			t.Errorf("scan(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// The finding holds the credential alone, for the fingerprint.
	if fs := scan("Authorization: Bearer " + pat); len(fs) != 1 || fs[0].value != pat {
		t.Errorf("scan found %d findings (%v), want the token alone", len(fs), kinds(fs))
	}
}

// The layout check accepts HubSpot's documented sample token.
func TestAccessTokenAtDocumentedSample(t *testing.T) {
	sample := strings.Join([]string{"CKDZpunPLhICAQEYs-gDIIGOBii1hQIy", "GQAf3xBKEgsYjYMJVvlHEz9tFHAwSq1TQAM40s0D"}, "")
	if !accessTokenAt(sample) {
		t.Fatal("the documented sample access token is not recognised")
	}
	for cut := 1; cut < 16; cut++ {
		if accessTokenAt(sample[:cut]) {
			t.Errorf("a %d-byte prefix is recognised", cut)
		}
	}
}

// Random UUIDs are almost never taken for placeholders: a live key must
// not pass as a fixture.
func TestPlaceholderUUIDRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 200000
	placeholders := 0
	for range n {
		if placeholderUUID(randomUUID(r)) {
			placeholders++
		}
	}
	// Expected about n/55,000; allow for the tail.
	if placeholders > 20 {
		t.Fatalf("%d of %d random UUIDs taken for placeholders", placeholders, n)
	}
}

func TestPlaceholderUUID(t *testing.T) {
	for _, u := range []string{
		"00000000-0000-4000-8000-000000000000",
		"11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
		"11111111-2222-3333-4444-555555555555",
		"00000000-1111-2222-3333-444444444444",
		"00000000-dead-4bad-8bad-000000000000",
		"0e2e0e2e-aaaa-4bbb-8ccc-0123456789ab",
		"abcdef01-2345-4678-9abc-def012345678",
	} {
		if !placeholderUUID(u) {
			t.Errorf("placeholderUUID(%s) = false", u)
		}
	}
	for _, u := range []string{
		"6f18f26a-3e95-4d95-a6e5-3d5c6e5c9e5a", // HubSpot's documented sample refresh token
		"91d91373-8e94-4872-893c-e7d080224a56",
	} {
		if placeholderUUID(u) {
			t.Errorf("placeholderUUID(%s) = true", u)
		}
	}
}

func TestCredentialName(t *testing.T) {
	tests := []struct {
		name string
		want kind // 0: not a credential name
	}{
		{"APIKey", kindDeveloperKey},
		{"apiKey", kindDeveloperKey},
		{"api_key", kindDeveloperKey},
		{"HAPIKEY", kindDeveloperKey},
		{"hapikey", kindDeveloperKey},
		{"hubspotAPIKey", kindDeveloperKey},
		{"devKey", kindDeveloperKey},
		{"DeveloperKey", kindDeveloperKey},
		{"WithDeveloperKey", kindDeveloperKey},
		{"SetAPIKey", kindDeveloperKey},
		{"token", kindDeveloperKey},
		{"AccessToken", kindDeveloperKey},
		{"SetPrivateAppToken", kindDeveloperKey},
		{"WithToken", kindDeveloperKey},
		{"RefreshToken", kindLegacyRefreshToken},
		{"refresh_token", kindLegacyRefreshToken},
		{"ClientSecret", kindClientSecret},
		{"secret", kindClientSecret},

		{"PageToken", 0},
		{"nextPageToken", 0},
		{"csrfToken", 0},
		{"idempotencyKey", 0},
		{"key", 0},
		{"cacheKey", 0},
		{"TokenURL", 0},
		{"TokenType", 0},
		{"SecretName", 0},
		{"KeyID", 0},
		{"RequestID", 0},
		{"WithBaseURL", 0},
		{"", 0},
	}
	for _, tt := range tests {
		got, ok := credentialName(tt.name)
		if ok != (tt.want != 0) || got != tt.want {
			t.Errorf("credentialName(%q) = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := map[string][]string{
		"HubSpotAPIKey":      {"hub", "spot", "api", "key"},
		"dev_key":            {"dev", "key"},
		"HAPIKEY":            {"hapikey"},
		"SetPrivateAppToken": {"set", "private", "app", "token"},
		"oauth2Token":        {"oauth2", "token"},
	}
	for in, want := range tests {
		if got := words(in); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHubSpotSourceName(t *testing.T) {
	for _, s := range []string{"HUBSPOT_TOKEN", "hubspot_private_app_token", "HAPIKEY", "HAPI_KEY", "HS_ACCESS_TOKEN", "/run/secrets/hubspot-token"} {
		if !hubspotSourceName(s) {
			t.Errorf("hubspotSourceName(%q) = false", s)
		}
	}
	for _, s := range []string{"TOKEN", "VAULT_TOKEN", "HS_REGION", "/run/secrets/token", "GITHUB_TOKEN"} {
		if hubspotSourceName(s) {
			t.Errorf("hubspotSourceName(%q) = true", s)
		}
	}
}

func TestHubSpotPackage(t *testing.T) {
	for _, p := range []string{"github.com/hubkey/hubkey/hubspot", "github.com/hubkey/hubkey/hubspot/oauth", "github.com/belong-inc/go-hubspot", "example.com/HubSpot"} {
		if !hubspotPackage(p) {
			t.Errorf("hubspotPackage(%q) = false", p)
		}
	}
	for _, p := range []string{"github.com/hubkey/hubkey/hubspot/hubspottest", "net/http", "github.com/hubkey/hubkey/secrets"} {
		if hubspotPackage(p) {
			t.Errorf("hubspotPackage(%q) = true", p)
		}
	}
}
