package hubspottest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/signing"
)

// TestSignatureRejectionsNameTheReason sends raw requests, signed with
// hubkey's signing package or not, and checks each 401 names its reason.
func TestSignatureRejectionsNameTheReason(t *testing.T) {
	const key = "a-signing-key-of-at-least-sixteen-bytes"
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	keys := signing.NewKeySet()
	if err := keys.AddStatic("k1", secrets.New(key)); err != nil {
		t.Fatal(err)
	}
	v, err := signing.NewVerifier(keys, signing.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	srv := hubspottest.NewServer(t, hubspottest.WithSignatureVerifier(v), hubspottest.WithSignaturePolicy(hubspottest.SensitiveCall))
	tok := srv.NewKey(keypolicy.Spec{Scopes: hubspottest.AllScopes, RequireSignature: true})
	good, _ := signing.NewSigner(signing.StaticKey(secrets.New(key)), "k1", signing.SignWithClock(clk))
	wrong, _ := signing.NewSigner(signing.StaticKey(secrets.New(strings.Repeat("w", 32))), "k1", signing.SignWithClock(clk))

	newReq := func(s *signing.Signer) *http.Request {
		req, _ := http.NewRequest("DELETE", srv.URL()+"/crm/v3/objects/contacts/1", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if s != nil {
			if err := s.Sign(req); err != nil {
				t.Fatal(err)
			}
		}
		return req
	}
	send := func(req *http.Request) (int, map[string]any) {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	reasonOf := func(body map[string]any) string {
		ctx, _ := body["context"].(map[string]any)
		rs, _ := ctx["signatureReason"].([]any)
		if len(rs) != 1 {
			return ""
		}
		s, _ := rs[0].(string)
		return s
	}

	signed := newReq(good)
	if code, body := send(signed.Clone(signed.Context())); code != http.StatusNoContent {
		t.Fatalf("signed: %d %v", code, body)
	}
	tampered := newReq(good)
	tampered.URL.Path = "/crm/v3/objects/contacts/2"
	stale := newReq(good)
	check := func(name string, req *http.Request, subCategory, reason string) {
		t.Helper()
		code, body := send(req)
		msg, _ := body["message"].(string)
		if code != 401 || body["subCategory"] != subCategory || reasonOf(body) != reason || !strings.Contains(msg, "("+reason+")") {
			t.Errorf("%s: %d %v", name, code, body)
		}
	}
	check("unsigned", newReq(nil), "SIGNATURE_REQUIRED", "unsigned")
	check("replayed", signed, "SIGNATURE_INVALID", "replayed")
	check("tampered", tampered, "SIGNATURE_INVALID", "bad_signature")
	check("wrong key", newReq(wrong), "SIGNATURE_INVALID", "bad_signature")
	clk.Advance(signing.DefaultMaxAge + time.Second)
	check("stale", stale, "SIGNATURE_INVALID", "stale")
}
