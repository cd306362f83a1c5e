package webhook_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/secrets"
)

// WithReport hears each verification's version and outcome, through
// Verify and through Handler.
func TestWithReport(t *testing.T) {
	secret := secrets.New("report-test-client-secret")
	var mu sync.Mutex
	var got []string
	v, err := webhook.NewVerifier(webhook.WithSecrets(secret), webhook.WithReport(func(_ context.Context, ver webhook.Version, r webhook.Reason) {
		mu.Lock()
		got = append(got, strconv.Itoa(int(ver))+":"+string(r))
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://hooks.example.com/h"
	body := `[]`
	req := func(sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", url, strings.NewReader(body))
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		r.Header.Set(webhook.HeaderTimestamp, ts)
		if sig == "good" {
			sig = webhook.SignatureV3(secret, "POST", url, []byte(body), ts)
		}
		if sig != "" {
			r.Header.Set(webhook.HeaderSignatureV3, sig)
		}
		w := httptest.NewRecorder()
		webhook.Handler(v, func(context.Context, []webhook.Event) error { return nil }).ServeHTTP(w, r)
		return w
	}
	req("good")
	req("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	req("")
	want := []string{"3:", "3:bad_signature", "0:unsigned"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("reports %q, want %q", got, want)
	}
	if _, err := webhook.NewVerifier(webhook.WithSecrets(secret), webhook.WithReport(nil)); err == nil {
		t.Error("WithReport(nil) accepted")
	}
}
