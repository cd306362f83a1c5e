package otelhubspot_test

import (
	"context"
	"fmt"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/otelhubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// exampleT stands in for the *testing.T a test would pass.
var exampleT testing.TB = &testing.T{}

// A client and its token's Cache report to OpenTelemetry providers given
// to New: here the SDK's in-memory exporter and a manual reader. A 429
// is retried, and the token rotates.
func Example() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tel, err := otelhubspot.New(otelhubspot.WithTracerProvider(tp), otelhubspot.WithMeterProvider(mp))
	if err != nil {
		fmt.Println(err)
		return
	}

	srv := hubspottest.NewServer(exampleT)
	defer srv.Close()
	source := secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read"))
	cache, _ := secrets.NewCache(source)
	defer cache.Close()
	tel.ObserveCache(cache)
	client, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()),
		hubspot.WithObserver(tel.Observer()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	ctx := context.Background()
	srv.InjectFault(hubspottest.Fault{Status: 429, RetryAfter: "0"})
	if _, err := client.Contacts.List(ctx, nil); err != nil {
		fmt.Println(err)
		return
	}
	source.Rotate("new-token-value")
	if _, err := cache.Refresh(ctx); err != nil {
		fmt.Println(err)
		return
	}

	for _, s := range spans.GetSpans() {
		status := ""
		for _, kv := range s.Attributes {
			if kv.Key == "http.response.status_code" {
				status = kv.Value.String()
			}
		}
		fmt.Println("span:", s.Name, status)
	}
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
			for _, p := range sum.DataPoints {
				if m.Name == "hubspot.client.rate_limited" || m.Name == "hubkey.secret.rotations" {
					fmt.Println("metric:", m.Name, p.Value)
				}
			}
		}
	}
	// Output:
	// span: GET /crm/objects/2026-03/{objectType} 429
	// span: GET /crm/objects/2026-03/{objectType} 200
	// span: crm.objects.list 200
	// metric: hubspot.client.rate_limited 1
	// metric: hubkey.secret.rotations 1
}
