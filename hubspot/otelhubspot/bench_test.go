package otelhubspot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/otelhubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const benchToken = "pat-na1-bench0000-0000-4000-8000-000000000000"

// benchContact is a typical single-contact answer.
var benchContact = []byte(`{"id":"12345","properties":{"createdate":"2024-05-01T12:30:00.000Z","email":"alice@example.com","firstname":"Alice","hs_object_id":"12345","lastmodifieddate":"2024-05-02T08:00:00.000Z","lastname":"Smith","phone":"+1 555 0100","lifecyclestage":"customer"},"createdAt":"2024-05-01T12:30:00.000Z","updatedAt":"2024-05-02T08:00:00.000Z","archived":false}`)

// BenchmarkContactsGet is hubspot's whole-stack BenchmarkContactsGet
// (retry, rate limit, credential from a Cache, decode, on loopback) with
// telemetry off, with an Observer that does nothing (the hooks' own
// cost), with metrics only, and with metrics and a span per call
// and per attempt exported in batches, every call sampled or one in ten
// (a common production setting). The
// handler answers with HubSpot's rate-limit and correlation headers, which
// the telemetry reads.
func BenchmarkContactsGet(b *testing.B) {
	srv := httptest.NewServer(benchHandler())
	defer srv.Close()
	ctx := context.Background()

	run := func(b *testing.B, nop bool, opts ...otelhubspot.Option) {
		cache, _ := secrets.NewCache(secretstest.NewStatic(benchToken))
		defer cache.Close()
		hopts := []hubspot.Option{hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL),
			hubspot.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}),
			// A limit far above the loop's pace, and the one the headers
			// say, keeps the limiter in the path without making it wait.
			hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1 << 20, Interval: 10 * time.Second})}
		if len(opts) > 0 {
			tel, err := otelhubspot.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			hopts = append(hopts, hubspot.WithObserver(tel.Observer()))
		}
		if nop {
			hopts = append(hopts, hubspot.WithObserver(nopObserver{}))
		}
		c, err := hubspot.New(hopts...)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			o, err := c.Contacts.Get(ctx, "12345", nil)
			if err != nil || o.ID != "12345" {
				b.Fatal(o, err)
			}
		}
		// The process's CPU time (client, server and exporters) per call:
		// steadier than ns/op on a machine whose cores are shared.
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	meters := func() otelhubspot.Option {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { mp.Shutdown(context.Background()) })
		return otelhubspot.WithMeterProvider(mp)
	}

	b.Run("off", func(b *testing.B) { run(b, false) })
	b.Run("nop-observer", func(b *testing.B) { run(b, true) })
	b.Run("metrics", func(b *testing.B) { run(b, false, meters()) })
	b.Run("traces+metrics", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		run(b, false, meters(), otelhubspot.WithTracerProvider(tp))
	})
	b.Run("traces10%+metrics", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		run(b, false, meters(), otelhubspot.WithTracerProvider(tp))
	})
}

// BenchmarkObserver is the telemetry's own cost per call of one attempt,
// the hooks driven directly, without the client and the network: the
// figure to set against BenchmarkContactsGet/off.
func BenchmarkObserver(b *testing.B) {
	call := hubspot.CallInfo{Operation: "crm.objects.get", Method: "GET", Route: "/crm/objects/2026-03/{objectType}/{objectId}", Host: "127.0.0.1:8080", APIVersion: "2026-03"}
	attempt := hubspot.AttemptInfo{N: 1, Credential: "default", Fingerprint: "fp:0123456789abcdef"}
	out := hubspot.Outcome{Status: 200, Attempts: 1, Remaining: 99, Max: 100, DailyRemaining: 1000, Daily: 250000}
	run := func(b *testing.B, opts ...otelhubspot.Option) {
		tel, err := otelhubspot.New(opts...)
		if err != nil {
			b.Fatal(err)
		}
		o := tel.Observer()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			cctx := o.StartCall(ctx, call)
			actx := o.StartAttempt(cctx, call, attempt)
			o.EndAttempt(actx, call, attempt, out)
			o.EndCall(cctx, call, attempt, out)
		}
	}
	meters := func() otelhubspot.Option {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { mp.Shutdown(context.Background()) })
		return otelhubspot.WithMeterProvider(mp)
	}
	b.Run("metrics", func(b *testing.B) { run(b, meters()) })
	b.Run("traces+metrics", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		run(b, meters(), otelhubspot.WithTracerProvider(tp))
	})
	b.Run("traces10%+metrics", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		run(b, meters(), otelhubspot.WithTracerProvider(tp))
	})
}

// BenchmarkContactsGetPaired measures the same as BenchmarkContactsGet,
// against the same handler, with a client without telemetry and one with
// it taking turns call by call (which goes first alternates), and reports
// the median duration of each one's calls and the median's overhead: on a
// machine whose cores other work shares, the medians of interleaved calls
// are steadier than ns/op of runs made one after the other.
func BenchmarkContactsGetPaired(b *testing.B) {
	srv := httptest.NewServer(benchHandler())
	defer srv.Close()
	ctx := context.Background()
	client := func(b *testing.B, opts ...otelhubspot.Option) *hubspot.Client {
		cache, _ := secrets.NewCache(secretstest.NewStatic(benchToken))
		b.Cleanup(func() { cache.Close() })
		hopts := []hubspot.Option{hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL),
			hubspot.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}),
			hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1 << 20, Interval: 10 * time.Second})}
		if len(opts) > 0 {
			tel, err := otelhubspot.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			hopts = append(hopts, hubspot.WithObserver(tel.Observer()))
		}
		c, err := hubspot.New(hopts...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		return c
	}
	aa := false
	get := func(b *testing.B, c *hubspot.Client) time.Duration {
		start := time.Now()
		o, err := c.Contacts.Get(ctx, "12345", nil)
		if err != nil || o.ID != "12345" {
			b.Fatal(o, err)
		}
		return time.Since(start)
	}
	run := func(b *testing.B, opts ...otelhubspot.Option) {
		off, on := client(b), (*hubspot.Client)(nil)
		if aa {
			on = client(b)
		} else if len(opts) > 0 {
			on = client(b, opts...)
		} else {
			on = nopClient(b, srv.URL) // the hooks' plumbing alone
		}
		var offD, onD []time.Duration
		i := 0
		for b.Loop() {
			if i%2 == 0 {
				offD = append(offD, get(b, off))
				onD = append(onD, get(b, on))
			} else {
				onD = append(onD, get(b, on))
				offD = append(offD, get(b, off))
			}
			i++
		}
		mOff, mOn := median(offD), median(onD)
		b.ReportMetric(float64(mOff.Nanoseconds()), "off-median-ns")
		b.ReportMetric(float64(mOn.Nanoseconds()), "on-median-ns")
		b.ReportMetric(100*(float64(mOn)/float64(mOff)-1), "overhead-%")
	}
	meters := func(b *testing.B) otelhubspot.Option {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { mp.Shutdown(context.Background()) })
		return otelhubspot.WithMeterProvider(mp)
	}
	tracer := func(b *testing.B, s sdktrace.Sampler) otelhubspot.Option {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()), sdktrace.WithSampler(s))
		b.Cleanup(func() { tp.Shutdown(context.Background()) })
		return otelhubspot.WithTracerProvider(tp)
	}
	// Two clients without telemetry: what the method itself reads as
	// overhead.
	aa = true
	b.Run("off-vs-off", func(b *testing.B) { run(b) })
	aa = false
	b.Run("nop-observer", func(b *testing.B) { run(b) })
	b.Run("metrics", func(b *testing.B) { run(b, meters(b)) })
	b.Run("traces+metrics", func(b *testing.B) { run(b, meters(b), tracer(b, sdktrace.AlwaysSample())) })
	b.Run("traces10%+metrics", func(b *testing.B) {
		run(b, meters(b), tracer(b, sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
	})
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// benchHandler answers like HubSpot's contact read, with HubSpot's
// rate-limit and correlation headers, which the telemetry reads.
func benchHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+benchToken {
			w.WriteHeader(401)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json;charset=utf-8")
		h.Set("X-HubSpot-Correlation-Id", "0f3c6b1e-7a2d-4c55-9e0b-2d7c1a8e4f60")
		h.Set("X-HubSpot-RateLimit-Max", "1048576")
		h.Set("X-HubSpot-RateLimit-Remaining", "1048575")
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
		h.Set("X-HubSpot-RateLimit-Daily", "1000000000")
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", "999999999")
		w.Write(benchContact)
	})
}

type nopObserver struct{}

func (nopObserver) StartCall(ctx context.Context, _ hubspot.CallInfo) context.Context { return ctx }
func (nopObserver) StartAttempt(ctx context.Context, _ hubspot.CallInfo, _ hubspot.AttemptInfo) context.Context {
	return ctx
}
func (nopObserver) Waited(context.Context, hubspot.CallInfo, hubspot.WaitInfo) {}
func (nopObserver) EndAttempt(context.Context, hubspot.CallInfo, hubspot.AttemptInfo, hubspot.Outcome) {
}
func (nopObserver) EndCall(context.Context, hubspot.CallInfo, hubspot.AttemptInfo, hubspot.Outcome) {}

func nopClient(b *testing.B, url string) *hubspot.Client {
	cache, _ := secrets.NewCache(secretstest.NewStatic(benchToken))
	b.Cleanup(func() { cache.Close() })
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(url),
		hubspot.WithHTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}),
		hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1 << 20, Interval: 10 * time.Second}),
		hubspot.WithObserver(nopObserver{}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}
