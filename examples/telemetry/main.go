// Command telemetry shows what hubkey reports through OpenTelemetry: the
// quickstart's calls against an in-memory HubSpot, with a 429 that the
// client waits out and retries, and a token rotated under the client,
// exported to stdout as spans (one JSON object per line) and metrics.
//
//	go run ./examples/telemetry
//
// It needs no account and no collector. In a service, give otelhubspot.New
// the tracer and meter providers your program already exports through
// (OTLP, Prometheus); otelhubspot never reaches for global ones unless
// told to (otelhubspot.WithGlobalProviders).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/otelhubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/env"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, "1"); err != nil {
		fmt.Fprintln(os.Stderr, "telemetry:", err)
		os.Exit(1)
	}
}

// run makes the calls and writes the spans, the metrics and a summary to
// out. retryAfter is the Retry-After of the injected 429, in seconds.
func run(ctx context.Context, out io.Writer, retryAfter string) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "==> "+format+"\n", args...) }

	// 1. An in-memory HubSpot, and a token in an environment of our own.
	srv, err := hubspottest.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	var mu sync.Mutex
	environ := map[string]string{"HUBSPOT_TOKEN": srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")}
	lookup := func(k string) (string, bool) { mu.Lock(); defer mu.Unlock(); v, ok := environ[k]; return v, ok }

	// 2. OpenTelemetry: spans to stdout as they end; metrics read when
	// the program is done (a PeriodicReader in a service).
	spanOut, err := stdouttrace.New(stdouttrace.WithWriter(out))
	if err != nil {
		return err
	}
	kept := tracetest.NewInMemoryExporter() // for the summary at the end
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spanOut), sdktrace.WithSyncer(kept))
	defer tp.Shutdown(context.Background())
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	tel, err := otelhubspot.New(otelhubspot.WithTracerProvider(tp), otelhubspot.WithMeterProvider(mp))
	if err != nil {
		return err
	}

	// 3. The quickstart's client, reporting to tel, its token's Cache too.
	provider, err := env.New("HUBSPOT_TOKEN", env.WithLookup(lookup))
	if err != nil {
		return err
	}
	tokens, err := secrets.NewCache(provider)
	if err != nil {
		return err
	}
	defer tokens.Close()
	tel.ObserveCache(tokens)
	client, err := hubspot.New(hubspot.WithToken(tokens), hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(tel.Observer()))
	if err != nil {
		return err
	}
	defer client.Close()

	// 4. The calls, under one span of the program's own: every call's
	// span is its child.
	ctx, root := tp.Tracer("examples/telemetry").Start(ctx, "quickstart")
	created, err := client.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com", "firstname": "Ada"}})
	if err != nil {
		return err
	}
	if _, err := client.Contacts.Get(ctx, created.ID, &hubspot.GetOptions{Properties: []string{"email"}}); err != nil {
		return err
	}
	// HubSpot's burst limit answers 429 once: the client waits
	// Retry-After and sends the call again.
	srv.InjectFault(hubspottest.Fault{Status: 429, RetryAfter: retryAfter, PathPrefix: "/crm/objects/2026-03/contacts/search"})
	page, err := client.Contacts.Search(ctx, &hubspot.SearchRequest{FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{hubspot.Eq("email", "ada@example.com")}}}})
	if err != nil {
		return err
	}
	// The token is rotated at the source, and the old one dies at once:
	// the next call gets a 401, the Cache fetches the new token, and the
	// call is sent again with it.
	mu.Lock()
	environ["HUBSPOT_TOKEN"] = srv.RotateToken(environ["HUBSPOT_TOKEN"], hubspottest.ExpireNow)
	mu.Unlock()
	if _, err := client.Contacts.Get(ctx, created.ID, nil); err != nil {
		return err
	}
	usage, err := tel.Usage(ctx, client)
	if err != nil {
		return err
	}
	root.End()

	// 5. The metrics, to stdout.
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	metricOut, err := stdoutmetric.New(stdoutmetric.WithWriter(out))
	if err != nil {
		return err
	}
	if err := metricOut.Export(ctx, &rm); err != nil {
		return err
	}

	// 6. What to look for in all that.
	spans := kept.GetSpans()
	say("search found %d contact(s); its attempts: %s", page.Total, attempts(spans, "crm.objects.search"))
	say("the call after the rotation, its attempts: %s", attempts(spans, "crm.objects.get"))
	say("hubkey.secret.rotations = %d", sum(rm, "hubkey.secret.rotations"))
	say("429s by policy: %s", byAttr(rm, "hubspot.client.rate_limited", "hubspot.rate_limit.policy"))
	say("retries by reason: %s", byAttr(rm, "hubspot.client.retries", "hubspot.retry.reason"))
	say("calls by operation: %s", byAttr(rm, "hubspot.client.calls", "hubspot.operation"))
	say("today the account made %d of its %d calls", usage.Used, usage.Limit)
	for _, c := range usage.Credentials {
		say("  this process, credential %s %s: %d calls", c.Credential, c.Fingerprint, c.Calls)
	}
	return nil
}

// sum adds the points of the counter name.
func sum(rm metricdata.ResourceMetrics, name string) int64 {
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if s, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, p := range s.DataPoints {
					n += p.Value
				}
			}
		}
	}
	return n
}

// byAttr sums the counter name by the value of attribute key.
func byAttr(rm metricdata.ResourceMetrics, name, key string) string {
	counts := map[string]int64{}
	var order []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			s, ok := m.Data.(metricdata.Sum[int64])
			if !ok || m.Name != name {
				continue
			}
			for _, p := range s.DataPoints {
				v, _ := p.Attributes.Value(attribute.Key(key))
				if _, seen := counts[v.AsString()]; !seen {
					order = append(order, v.AsString())
				}
				counts[v.AsString()] += p.Value
			}
		}
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return strings.Join(parts, " ")
}

// attempts describes the attempts of the last call named op: each one's
// status and the fingerprint of the token it carried, and the waits
// before them.
func attempts(spans tracetest.SpanStubs, op string) string {
	var call trace.SpanID
	for _, s := range spans {
		if s.Name == op {
			call = s.SpanContext.SpanID()
		}
	}
	var parts []string
	for _, s := range spans {
		if s.Parent.SpanID() != call {
			continue
		}
		var status, fp string
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "http.response.status_code":
				status = kv.Value.String()
			case "hubspot.credential.fingerprint":
				fp = kv.Value.String()
			}
		}
		parts = append(parts, status+" with "+fp)
	}
	for _, s := range spans {
		if s.SpanContext.SpanID() != call {
			continue
		}
		for _, e := range s.Events {
			if e.Name == "hubspot.retry" {
				parts = append(parts, "and a retry after a wait")
			}
		}
	}
	return strings.Join(parts, ", ")
}
