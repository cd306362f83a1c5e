package leakcheck_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/otelhubspot"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

const (
	telemetryCanaryToken    = "canary-telemetry-token-5d1e8f2a"
	telemetryCanarySigning  = "canary-telemetry-signing-key-0a1b2c3d4e5f"
	telemetryCanaryWebhook  = "canary-telemetry-webhook-secret-77e1"
	telemetryCanaryEmail    = "canary-telemetry-person@example.com"
	telemetryCanaryProperty = "canary-telemetry-firstname-Zebulon"
)

// telemetryCanaryDevKey is a developer key shaped like HubSpot's (a UUID),
// which a correlation ID could pass for. It is made at run time: a
// UUID-shaped constant in the source is what hubkeyvet reports.
var telemetryCanaryDevKey = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}()

// telemetryEcho answers every request with status and puts what the
// request carried (Authorization, the developer key, the query, the body)
// where the client's telemetry reads: the correlation-ID header, the rate
// limit headers, and the category, policyName and correlationId of the
// error body.
func telemetryEcho(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		key := r.URL.Query().Get("hapikey")
		echo := auth + key
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-HubSpot-Correlation-Id", echo)
		w.Header().Set("X-HubSpot-RateLimit-Remaining", echo)
		w.Header().Set("X-HubSpot-RateLimit-Daily", echo)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status":        "error",
			"message":       "you sent " + echo + " " + r.URL.RawQuery + " " + string(body),
			"correlationId": echo,
			"category":      strings.ToUpper(echo),
			"policyName":    echo,
			"id":            echo,
		})
	}
}

// Every span, event, status and metric point hubkey's OpenTelemetry
// reporting exports, read back from the SDK's in-memory exporter and a
// manual reader: through calls that succeed, fail, are retried after a
// 429, re-sent after a 401 with a rotated token, signed, sent with a
// developer key, to servers that echo every credential into the headers
// and fields the telemetry reads; through a Cache's fetches, rotation,
// refusal and failure; through webhook verifications; and through a
// usage report. No canary credential, email address or property value
// may appear.
func TestLeakTelemetry(t *testing.T) {
	rec := leakcheck.New()    // what the client returns and logs
	recTel := leakcheck.New() // what it exports as telemetry
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer tp.Shutdown(context.Background())
	defer mp.Shutdown(context.Background())
	tel, err := otelhubspot.New(otelhubspot.WithTracerProvider(tp), otelhubspot.WithMeterProvider(mp),
		otelhubspot.WithLogger(recTel.Logger()), otelhubspot.WithUsageWarning(0.01))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	signer, err := signing.NewSigner(signing.StaticKey(secrets.New(telemetryCanarySigning)), "svc")
	if err != nil {
		t.Fatal(err)
	}

	// Echoing servers, every status the telemetry treats apart.
	st := secretstest.NewStatic(telemetryCanaryToken)
	cache, err := secrets.NewCache(st, secrets.WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	tel.ObserveCache(cache)
	for _, status := range []int{200, 401, 404, 429, 503} {
		srv := httptest.NewServer(telemetryEcho(status))
		c := newClient(t, rec, srv.URL, cache, hubspot.WithObserver(tel.Observer()), hubspot.WithSigner(signer, nil),
			hubspot.WithDeveloperKey(secretstest.NewStatic(telemetryCanaryDevKey)))
		name := "echo " + strconv.Itoa(status)
		_, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": telemetryCanaryEmail, "firstname": telemetryCanaryProperty}})
		rec.Err(name+" create", err)
		rec.Err(name+" archive", c.Contacts.Archive(ctx, telemetryCanaryEmail))
		_, err = c.Webhooks.GetSettings(ctx, 1234)
		rec.Err(name+" webhook settings", err)
		_, err = tel.Usage(ctx, c)
		rec.Err(name+" usage", err)
		srv.Close()
	}

	// hubspottest: a 429 retried, a token rotated under the client
	// (401, then the new one), a search for an email address.
	hs := hubspottest.NewServer(t, hubspottest.WithRateLimit(hubspottest.RateLimit{Daily: 100}))
	tok := hs.NewToken(hubspottest.AllScopes...)
	st.Rotate(tok)
	if _, err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, rec, hs.URL(), cache, hubspot.WithObserver(tel.Observer()))
	_, err = c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": telemetryCanaryEmail, "firstname": telemetryCanaryProperty}})
	rec.Err("hubspottest create", err)
	hs.InjectFault(hubspottest.Fault{Status: 429, RetryAfter: "0"})
	_, err = c.Contacts.Search(ctx, &hubspot.SearchRequest{Query: telemetryCanaryEmail})
	rec.Err("hubspottest search", err)
	rotated := hs.RotateToken(tok, 0)
	st.Rotate(rotated)
	_, err = c.Contacts.Get(ctx, telemetryCanaryEmail, &hubspot.GetOptions{IDProperty: "email", Properties: []string{"firstname"}})
	rec.Err("hubspottest get after rotation", err)
	u, err := tel.Usage(ctx, c)
	rec.Err("hubspottest usage", err)
	recTel.Dump("usage", u)

	// A failed refresh.
	st.SetError(fmt.Errorf("store down"))
	_, err = cache.Refresh(ctx)
	rec.Err("failed refresh", err)

	// Webhook verifications, good and bad.
	whSecret := secrets.New(telemetryCanaryWebhook)
	v, err := webhook.NewVerifier(webhook.WithSecrets(whSecret), tel.WebhookOption())
	if err != nil {
		t.Fatal(err)
	}
	body := `[{"objectId":1,"propertyName":"email","propertyValue":"` + telemetryCanaryEmail + `"}]`
	for _, sig := range []string{"good", telemetryCanaryWebhook, ""} {
		r := httptest.NewRequest("POST", "https://hooks.example.com/h?e="+telemetryCanaryEmail, strings.NewReader(body))
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		r.Header.Set(webhook.HeaderTimestamp, ts)
		if sig == "good" {
			sig = webhook.SignatureV3(whSecret, "POST", "https://hooks.example.com/h?e="+telemetryCanaryEmail, []byte(body), ts)
		}
		r.Header.Set(webhook.HeaderSignatureV3, sig)
		_, err := v.Verify(r)
		rec.Err("webhook verify", err)
	}

	// Everything exported.
	got := spans.GetSpans()
	if len(got) < 20 {
		t.Fatalf("only %d spans: the scenario did not run as meant", len(got))
	}
	for _, s := range got {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %v %s|", s.Name, s.Status.Code, s.Status.Description)
		for _, kv := range s.Attributes {
			fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.String())
		}
		for _, e := range s.Events {
			fmt.Fprintf(&b, "event %s|", e.Name)
			for _, kv := range e.Attributes {
				fmt.Fprintf(&b, "%s=%s|", kv.Key, kv.Value.String())
			}
		}
		recTel.Add("span "+s.Name, b.String())
	}
	recTel.Dump("spans", got)
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	metrics, err := json.Marshal(rm)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hubspot.client.calls", "hubspot.client.rate_limited", "hubspot.client.retries", "hubkey.secret.rotations", "hubspot.webhook.verifications", "hubspot.usage.warnings"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("the scenario recorded no %s", want)
		}
	}
	recTel.Add("metrics json", string(metrics))
	recTel.Dump("metrics", rm)
	credentials := []string{telemetryCanaryToken, tok, rotated, telemetryCanarySigning, telemetryCanaryWebhook, telemetryCanaryDevKey}
	rec.Check(t, credentials...)
	// HubSpot's error messages may quote property values, and the
	// client's errors keep them; telemetry never carries one.
	recTel.Check(t, append(credentials, telemetryCanaryEmail, telemetryCanaryProperty)...)
}
