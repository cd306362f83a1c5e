package leakcheck_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

const (
	canaryOldClientSecret = "canary-old-client-secret-4e8a1c9d"
	canaryNewClientSecret = "canary-new-client-secret-7b2f6e0a"
	canaryOldSigningKey   = "canary-old-signing-key-0123456789abcdef"
	canaryNewSigningKey   = "canary-new-signing-key-fedcba9876543210"
)

// A client secret rotated through a Cache whose store then fails and
// whose new version expires: every rejection on the way (v1 refused by
// default, blanked v3 header, old secret past its grace, no secret at
// all), the handler's answers and dumps of the Verifier are scanned for
// both secrets.
func TestLeakWebhookRotationRejections(t *testing.T) {
	rec := leakcheck.New()
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	st := secretstest.NewStatic(canaryOldClientSecret)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk), secrets.WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	v, err := webhook.NewVerifier(webhook.WithSecretSource(cache), webhook.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	h := webhook.Handler(v, func(context.Context, []webhook.Event) error { return nil })
	const url = "https://hooks.example.com/hubspot"
	send := func(name, secret string, v1Only, blankV3 bool, want webhook.Reason) {
		body := `[{"eventId":1,"subscriptionId":1,"portalId":1,"appId":1,"occurredAt":1,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":1}]`
		ts := strconv.FormatInt(clk.Now().UnixMilli(), 10)
		req := func() *http.Request {
			r := httptest.NewRequest("POST", url, strings.NewReader(body))
			s := secrets.New(secret)
			r.Header.Set(webhook.HeaderSignatureVersion, "v2")
			r.Header.Set(webhook.HeaderSignature, webhook.SignatureV2(s, "POST", url, []byte(body)))
			if !v1Only {
				r.Header.Set(webhook.HeaderTimestamp, ts)
				r.Header.Set(webhook.HeaderSignatureV3, webhook.SignatureV3(s, "POST", url, []byte(body), ts))
			}
			if blankV3 {
				r.Header.Set(webhook.HeaderSignatureV3, " ")
			}
			return r
		}
		_, err := v.Verify(req())
		if got := webhook.ReasonOf(err); got != want {
			t.Errorf("%s: reason %q, want %q", name, got, want)
		}
		rec.Err(name, err)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req())
		rec.Add(name+" response", w.Body.String())
	}

	send("v2 only", canaryOldClientSecret, true, false, webhook.ReasonUnsupportedVersion)
	send("blank v3", canaryOldClientSecret, false, true, webhook.ReasonMalformed)
	st.SetTTL(time.Hour, clk.Now)
	st.Rotate(canaryNewClientSecret)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	send("new secret", canaryNewClientSecret, false, false, "")
	clk.Advance(webhook.DefaultPreviousGrace)
	send("old secret after the grace", canaryOldClientSecret, false, false, webhook.ReasonBadSignature)
	st.SetError(errors.New("store down"))
	clk.Advance(time.Hour)
	send("no secret", canaryOldClientSecret, false, false, webhook.ReasonNoSecret)
	rec.Dump("verifier", v)

	rec.Check(t, canaryOldClientSecret, canaryNewClientSecret)
}

// The same for signing keys: a KeySet whose rotated-out key is past its
// grace while the current key expired and its store is down.
func TestLeakSigningKeyRotationRejections(t *testing.T) {
	rec := leakcheck.New()
	clk := clock.NewFake(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	st := secretstest.NewStatic(canaryOldSigningKey)
	st.SetTTL(0, clk.Now)
	cache, err := secrets.NewCache(st, secrets.WithClock(clk), secrets.WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	keys := signing.NewKeySet()
	if err := keys.Add("k1", cache, signing.PreviousGrace(time.Minute)); err != nil {
		t.Fatal(err)
	}
	v, err := signing.NewVerifier(keys, signing.WithClock(clk), signing.WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	verify := func(name, key string, want signing.Reason) {
		s, err := signing.NewSigner(signing.StaticKey(secrets.New(key)), "k1", signing.SignWithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		r, _ := http.NewRequest("DELETE", "http://api.test/crm/v3/objects/deals/9", nil)
		if err := s.Sign(r); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewRequest("DELETE", "/crm/v3/objects/deals/9", nil)
		srv.Host = "api.test"
		srv.Header = r.Header.Clone()
		err = v.VerifyRequest(srv)
		if got := signing.ReasonOf(err); got != want {
			t.Errorf("%s: reason %q, want %q", name, got, want)
		}
		rec.Err(name, err)
	}
	verify("current", canaryOldSigningKey, "")
	st.SetTTL(10*time.Minute, clk.Now)
	st.Rotate(canaryNewSigningKey)
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	verify("old key after the grace", canaryOldSigningKey, signing.ReasonBadSignature)
	st.SetError(errors.New("store down"))
	clk.Advance(10 * time.Minute)
	verify("no key", canaryOldSigningKey, signing.ReasonKeyUnavailable)
	verify("no key, new", canaryNewSigningKey, signing.ReasonKeyUnavailable)
	rec.Dump("key set", keys)

	rec.Check(t, canaryOldSigningKey, canaryNewSigningKey)
}
