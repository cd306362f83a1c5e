package hubspottest_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
)

func TestRateLimitHeadersAnd429(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 5, 5, 10, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk), hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 3, Interval: 10 * time.Second, Daily: 100}))
	tok := srv.NewToken(hubspottest.AllScopes...)
	for i := range 3 {
		r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
		wantStatus(t, r, 200)
		h := r.header
		want := map[string]string{
			"X-HubSpot-RateLimit-Max":                   "3",
			"X-HubSpot-RateLimit-Remaining":             []string{"2", "1", "0"}[i],
			"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
			"X-HubSpot-RateLimit-Daily":                 "100",
			"X-HubSpot-RateLimit-Daily-Remaining":       []string{"99", "98", "97"}[i],
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("call %d: %s = %q, want %q", i, k, h.Get(k), v)
			}
		}
	}
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, 429)
	b := r.json(t)
	if b["policyName"] != "TEN_SECONDLY_ROLLING" || b["errorType"] != "RATE_LIMIT" || b["category"] != "RATE_LIMITS" || b["status"] != "error" || !uuidRE.MatchString(str(b["correlationId"])) {
		t.Fatalf("429 body %s", r.body)
	}
	if r.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Errorf("429 remaining %q", r.header.Get("X-HubSpot-RateLimit-Remaining"))
	}
	clk.Advance(10 * time.Second)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), 200)

	// Tokens have their own budgets.
	other := srv.NewToken(hubspottest.AllScopes...)
	wantStatus(t, call(t, srv, other, "GET", "/crm/v3/objects/contacts", nil), 200)

	j := srv.Journal()
	if c := j[3]; c.Status != 429 || c.Reason != keypolicy.ReasonRateLimited || c.Policy != keypolicy.TenSecondlyRolling {
		t.Errorf("journal %+v", c)
	}
}

func TestSearchRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 5, 5, 10, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk), hubspottest.WithRateLimit(hubspottest.RateLimit{Max: 100, Interval: 10 * time.Second, SearchPerSecond: 5}))
	tok := srv.NewToken(hubspottest.AllScopes...)
	for range 5 {
		r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/search", map[string]any{})
		wantStatus(t, r, 200)
		for k := range r.header {
			if len(k) > 20 && k[:20] == "X-Hubspot-Ratelimit-" {
				t.Errorf("search answer carries %s; HubSpot sends no rate-limit headers on search", k)
			}
		}
	}
	r := call(t, srv, tok, "POST", "/crm/v3/objects/contacts/search", map[string]any{})
	wantStatus(t, r, 429)
	if b := r.json(t); b["policyName"] != "SECONDLY" {
		t.Fatalf("body %s", r.body)
	}
	// Ordinary calls are not held up by the search limit.
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), 200)
	clk.Advance(time.Second)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/contacts/search", map[string]any{}), 200)
}

func TestDailyRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 5, 5, 23, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk), hubspottest.WithRateLimit(hubspottest.RateLimit{Daily: 2}))
	tok := srv.NewToken(hubspottest.AllScopes...)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
	wantStatus(t, call(t, srv, tok, "POST", "/crm/v3/objects/deals/search", map[string]any{}), 200)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil)
	wantStatus(t, r, 429)
	if b := r.json(t); b["policyName"] != "DAILY" || b["message"] != "You have reached your daily limit." {
		t.Fatalf("body %s", r.body)
	}
	if r.header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "0" {
		t.Errorf("daily remaining %q", r.header.Get("X-HubSpot-RateLimit-Daily-Remaining"))
	}
	clk.Advance(time.Hour)
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/deals", nil), 200)
}

// Without a configured limit nothing is refused, but every answer carries
// HubSpot's headers for the default tier, counting down; search answers
// carry none.
func TestUnlimitedByDefault(t *testing.T) {
	clk := clock.NewFake(time.Date(2025, 5, 5, 10, 0, 0, 0, time.UTC))
	srv := hubspottest.NewServer(t, hubspottest.WithClock(clk))
	tok := srv.NewToken(hubspottest.AllScopes...)
	for i := range 300 {
		r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts?limit=1", nil)
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		want := map[string]string{
			"X-HubSpot-RateLimit-Max":                   "100",
			"X-HubSpot-RateLimit-Remaining":             fmt.Sprint(max(0, 99-i)),
			"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
			"X-HubSpot-RateLimit-Secondly":              "10",
			"X-HubSpot-RateLimit-Secondly-Remaining":    "0",
			"X-HubSpot-RateLimit-Daily":                 "250000",
			"X-HubSpot-RateLimit-Daily-Remaining":       fmt.Sprint(249999 - i),
		}
		if i < 10 {
			want["X-HubSpot-RateLimit-Secondly-Remaining"] = fmt.Sprint(9 - i)
		}
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Fatalf("call %d: %s = %q, want %q", i, k, got, v)
			}
		}
	}
	clk.Advance(10 * time.Second)
	r := call(t, srv, tok, "GET", "/crm/v3/objects/contacts?limit=1", nil)
	if r.header.Get("X-HubSpot-RateLimit-Remaining") != "99" || r.header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "249699" {
		t.Fatalf("after the window: %v", r.header)
	}
	r = call(t, srv, tok, "POST", "/crm/v3/objects/contacts/search", map[string]any{})
	for k := range r.header {
		if strings.HasPrefix(k, "X-Hubspot-Ratelimit-") {
			t.Errorf("search answer carries %s", k)
		}
	}

	// An OAuth access token: a public app's 110 per 10 seconds, and no
	// daily headers.
	id, secret, refresh := srv.NewOAuthApp("crm.objects.contacts.read")
	access := tokenOf(t, postForm(t, srv, "/oauth/v3/token", refreshForm(id, secret, refresh), ""))
	r = call(t, srv, access, "GET", "/crm/v3/objects/contacts", nil)
	if r.header.Get("X-HubSpot-RateLimit-Max") != "110" || r.header.Get("X-HubSpot-RateLimit-Remaining") != "109" || r.header.Get("X-HubSpot-RateLimit-Daily") != "" {
		t.Fatalf("OAuth token headers %v", r.header)
	}

	// A developer key on the webhooks API: the private-app figures.
	key := srv.NewDeveloperKey(7)
	r = call(t, srv, "", "GET", "/webhooks/v3/7/subscriptions?hapikey="+key, nil)
	if r.header.Get("X-HubSpot-RateLimit-Max") != "100" || r.header.Get("X-HubSpot-RateLimit-Daily-Remaining") != "249999" {
		t.Fatalf("developer key headers %v", r.header)
	}
}

type headerVerifier struct{}

func (headerVerifier) VerifyRequest(r *http.Request) error {
	if r.Header.Get("Signature") == "sig1=:valid:" {
		return nil
	}
	return errBadSig
}

type sigErr string

func (e sigErr) Error() string { return string(e) }

const errBadSig = sigErr("signature mismatch")

func TestKeyPolicyOverHTTP(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithSignatureVerifier(headerVerifier{}))
	loopback := srv.NewKey(keypolicy.Spec{Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	elsewhere := srv.NewKey(keypolicy.Spec{Scopes: []string{"crm.objects.contacts.read"}, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	signed := srv.NewKey(keypolicy.Spec{Scopes: []string{"crm.objects.contacts.read"}, RequireSignature: true})

	wantStatus(t, call(t, srv, loopback, "GET", "/crm/v3/objects/contacts", nil), 200)
	r := call(t, srv, elsewhere, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, 403)
	if b := r.json(t); b["subCategory"] != "IP_NOT_ALLOWED" {
		t.Errorf("body %s", r.body)
	}

	r = call(t, srv, signed, "GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, r, 401)
	if b := r.json(t); b["subCategory"] != "SIGNATURE_REQUIRED" || b["category"] != "INVALID_AUTHENTICATION" {
		t.Errorf("body %s", r.body)
	}
	do := func(sig string) resp {
		req, _ := http.NewRequest("GET", srv.URL()+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer "+signed)
		req.Header.Set("Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return resp{status: res.StatusCode}
	}
	wantStatus(t, do("sig1=:forged:"), 401)
	wantStatus(t, do("sig1=:valid:"), 200)
	j := srv.Journal()
	last := j[len(j)-1]
	if !last.Signed || last.Status != 200 || j[len(j)-2].Reason != keypolicy.ReasonSignatureInvalid {
		t.Errorf("journal %+v", j[len(j)-2:])
	}
}

func TestSignatureOnSensitiveCallsOnly(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.WithSignatureVerifier(headerVerifier{}),
		hubspottest.WithSignaturePolicy(func(r *http.Request) bool { return r.Method == http.MethodDelete }))
	tok := srv.NewKey(keypolicy.Spec{Scopes: hubspottest.AllScopes, RequireSignature: true})
	wantStatus(t, call(t, srv, tok, "GET", "/crm/v3/objects/contacts", nil), 200)
	wantStatus(t, call(t, srv, tok, "DELETE", "/crm/v3/objects/contacts/1", nil), 401)
}
