package otelhubspot_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/otelhubspot"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

// rig is a Telemetry over the SDK's in-memory exporter and a manual
// metric reader.
type rig struct {
	tel    *otelhubspot.Telemetry
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
}

func newRig(t *testing.T, opts ...otelhubspot.Option) *rig {
	t.Helper()
	r := &rig{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() { _ = r.tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	tel, err := otelhubspot.New(append([]otelhubspot.Option{otelhubspot.WithTracerProvider(r.tp), otelhubspot.WithMeterProvider(mp)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.tel = tel
	return r
}

// points returns the data points of the metric name, each as its
// attributes and value (a sum or gauge value, or a histogram's count and
// sum).
type point struct {
	attrs      attribute.Set
	value      float64
	count      uint64
	histogram  bool
	histSumSec float64
}

func (r *rig) points(t *testing.T, name string) []point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []point
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out = append(out, point{attrs: p.Attributes, value: float64(p.Value)})
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out = append(out, point{attrs: p.Attributes, value: float64(p.Value)})
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					out = append(out, point{attrs: p.Attributes, value: p.Value})
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out = append(out, point{attrs: p.Attributes, count: p.Count, histogram: true, histSumSec: p.Sum})
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", name, m.Data)
			}
		}
	}
	return out
}

// sum adds the values (or histogram counts) of the points of name whose
// attributes include want.
func (r *rig) sum(t *testing.T, name string, want ...attribute.KeyValue) float64 {
	t.Helper()
	total := 0.0
	for _, p := range r.points(t, name) {
		if !hasAll(p.attrs, want) {
			continue
		}
		if p.histogram {
			total += float64(p.count)
		} else {
			total += p.value
		}
	}
	return total
}

func hasAll(s attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		v, ok := s.Value(kv.Key)
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}

func attr(s tracetest.SpanStub, k string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func mustAttr(t *testing.T, s tracetest.SpanStub, k string) attribute.Value {
	t.Helper()
	v, ok := attr(s, k)
	if !ok {
		t.Fatalf("span %q has no attribute %s; has %v", s.Name, k, s.Attributes)
	}
	return v
}

// client is a hubspot.Client on srv reporting to r, with cache as its
// token.
func (r *rig) client(t *testing.T, srv *hubspottest.Server, cache *secrets.Cache, opts ...hubspot.Option) *hubspot.Client {
	t.Helper()
	c, err := hubspot.New(append([]hubspot.Option{hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()),
		hubspot.WithObserver(r.tel.Observer())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func newCache(t *testing.T, p secrets.Provider, opts ...secrets.CacheOption) *secrets.Cache {
	t.Helper()
	c, err := secrets.NewCache(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCallSpansFollowTheCallerAndNameTheOperation(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	cache := newCache(t, secretstest.NewStatic(token))
	c := r.client(t, srv, cache)

	ctx, parent := r.tp.Tracer("test").Start(context.Background(), "handler")
	created, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Get(ctx, created.ID, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.Contacts.Get(ctx, "999999", nil)
	if !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("Get of a missing contact: %v", err)
	}
	parent.End()

	fp := secrets.New(token).Fingerprint()
	var calls, attempts []tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		switch s.SpanKind {
		case trace.SpanKindInternal:
			if s.Name != "handler" {
				calls = append(calls, s)
			}
		case trace.SpanKindClient:
			attempts = append(attempts, s)
		}
	}
	if len(calls) != 3 || len(attempts) != 3 {
		t.Fatalf("%d call spans and %d attempt spans, want 3 and 3", len(calls), len(attempts))
	}
	for i, want := range []string{"crm.objects.create", "crm.objects.get", "crm.objects.get"} {
		call, att := calls[i], attempts[i]
		if call.Name != want {
			t.Errorf("call %d: span %q, want %q", i, call.Name, want)
		}
		if call.Parent.SpanID() != parent.SpanContext().SpanID() || call.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("call %d is not a child of the caller's span", i)
		}
		if att.Parent.SpanID() != call.SpanContext.SpanID() {
			t.Errorf("attempt %d is not a child of its call", i)
		}
		if got := mustAttr(t, att, "hubspot.credential.fingerprint").AsString(); got != fp {
			t.Errorf("attempt %d: fingerprint %q, want %q", i, got, fp)
		}
		if got := mustAttr(t, call, "hubspot.attempts").AsInt64(); got != 1 {
			t.Errorf("call %d: %d attempts", i, got)
		}
	}
	get := attempts[2]
	if get.Name != "GET /crm/objects/2026-03/{objectType}/{objectId}" {
		t.Errorf("attempt span name %q", get.Name)
	}
	for k, want := range map[string]attribute.Value{
		"http.request.method":       attribute.StringValue("GET"),
		"url.template":              attribute.StringValue("/crm/objects/2026-03/{objectType}/{objectId}"),
		"server.address":            attribute.StringValue("127.0.0.1"),
		"http.response.status_code": attribute.IntValue(404),
		"error.type":                attribute.StringValue("404"),
		"hubspot.error.category":    attribute.StringValue("OBJECT_NOT_FOUND"),
		"hubspot.operation":         attribute.StringValue("crm.objects.get"),
	} {
		if got := mustAttr(t, get, k); got != want {
			t.Errorf("404 attempt: %s = %v, want %v", k, got.String(), want.String())
		}
	}
	if got := mustAttr(t, get, "hubspot.correlation_id").AsString(); len(got) < 8 {
		t.Errorf("404 attempt: correlation ID %q", got)
	}
	if calls[2].Status.Code != codes.Error || calls[1].Status.Code != codes.Unset {
		t.Errorf("call statuses %v, %v", calls[1].Status, calls[2].Status)
	}
	if _, ok := attr(get, "hubspot.signed"); ok {
		t.Errorf("an unsigned attempt says hubspot.signed")
	}
	for _, s := range r.spans.GetSpans() {
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); strings.Contains(v, created.ID) || strings.Contains(v, "999999") || strings.Contains(v, "ada@") {
				t.Errorf("span %q attribute %s = %q holds an ID or a property value", s.Name, kv.Key, v)
			}
		}
	}

	get404 := []attribute.KeyValue{attribute.String("hubspot.operation", "crm.objects.get"), attribute.Int("http.response.status_code", 404)}
	if n := r.sum(t, "hubspot.client.calls", get404...); n != 1 {
		t.Errorf("calls{get, 404} = %v, want 1", n)
	}
	if n := r.sum(t, "hubspot.client.calls", attribute.String("hubspot.credential.fingerprint", fp)); n != 3 {
		t.Errorf("calls{fingerprint} = %v, want 3", n)
	}
	if n := r.sum(t, "hubspot.client.errors", attribute.String("hubspot.error.category", "OBJECT_NOT_FOUND")); n != 1 {
		t.Errorf("errors{OBJECT_NOT_FOUND} = %v, want 1", n)
	}
	if n := r.sum(t, "http.client.request.duration", attribute.String("url.template", "/crm/objects/2026-03/{objectType}/{objectId}")); n != 2 {
		t.Errorf("http.client.request.duration count for the get route = %v, want 2", n)
	}
	rem := r.points(t, "hubspot.rate_limit.remaining")
	if len(rem) == 0 {
		t.Fatal("no hubspot.rate_limit.remaining")
	}
	for _, p := range rem {
		if !hasAll(p.attrs, []attribute.KeyValue{attribute.String("hubspot.credential.fingerprint", fp)}) || p.value < 0 {
			t.Errorf("remaining point %v = %v", p.attrs.ToSlice(), p.value)
		}
	}
}

// A 429 is retried after the Retry-After HubSpot sent, on the client's
// clock: the trace shows both attempts and the wait, the metrics count the
// 429 by policy, the retry and the time waited.
func TestRetriedRateLimitIsTracedAndCounted(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r := newRig(t, otelhubspot.WithClock(clk))
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read")
	c := r.client(t, srv, newCache(t, secretstest.NewStatic(token)), hubspot.WithClock(clk))
	srv.InjectFault(hubspottest.Fault{Status: 429, RetryAfter: "2"})

	done := make(chan error, 1)
	go func() {
		_, err := c.Contacts.List(context.Background(), nil)
		done <- err
	}()
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal("the client did not wait for the retry:", err)
	}
	clk.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var call tracetest.SpanStub
	var attempts []tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		if s.SpanKind == trace.SpanKindClient {
			attempts = append(attempts, s)
		} else {
			call = s
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempts, want 2", len(attempts))
	}
	if st := mustAttr(t, attempts[0], "http.response.status_code").AsInt64(); st != 429 {
		t.Errorf("first attempt: %d", st)
	}
	if p := mustAttr(t, attempts[0], "hubspot.rate_limit.policy").AsString(); p != "TEN_SECONDLY_ROLLING" {
		t.Errorf("first attempt policy %q", p)
	}
	if n := mustAttr(t, attempts[1], "http.request.resend_count").AsInt64(); n != 1 {
		t.Errorf("resend_count %d", n)
	}
	if n := mustAttr(t, call, "hubspot.attempts").AsInt64(); n != 2 {
		t.Errorf("call attempts %d", n)
	}
	if call.Status.Code == codes.Error {
		t.Errorf("the call succeeded in the end but its span says %v", call.Status)
	}
	var retry *sdktrace.Event
	for i, e := range call.Events {
		if e.Name == "hubspot.retry" {
			retry = &call.Events[i]
		}
	}
	if retry == nil {
		t.Fatalf("no hubspot.retry event on the call span: %v", call.Events)
	}
	var wait float64
	for _, kv := range retry.Attributes {
		if kv.Key == "hubspot.wait.duration" {
			wait = kv.Value.AsFloat64()
		}
	}
	if wait < 2 || wait > 2.3 {
		t.Errorf("retry event waited %vs, want 2s and its jitter", wait)
	}

	if n := r.sum(t, "hubspot.client.rate_limited", attribute.String("hubspot.rate_limit.policy", "TEN_SECONDLY_ROLLING")); n != 1 {
		t.Errorf("rate_limited{TEN_SECONDLY_ROLLING} = %v", n)
	}
	if n := r.sum(t, "hubspot.client.retries", attribute.String("hubspot.retry.reason", "429 TEN_SECONDLY_ROLLING")); n != 1 {
		t.Errorf("retries = %v", n)
	}
	for _, p := range r.points(t, "hubspot.client.wait.duration") {
		if v, _ := p.attrs.Value("hubspot.wait.kind"); v.AsString() == "retry" && (p.histSumSec < 2 || p.count != 1) {
			t.Errorf("retry wait: %d waits, %vs", p.count, p.histSumSec)
		}
	}
	if n := r.sum(t, "hubspot.client.calls", attribute.Int("http.response.status_code", 200)); n != 1 {
		t.Errorf("calls{200} = %v", n)
	}
	if n := r.sum(t, "hubspot.client.errors"); n != 0 {
		t.Errorf("errors = %v for a call that succeeded", n)
	}
}

// The client's own limiter makes a call wait: the wait is an event on
// the attempt's span and a rate_limiter wait in the metrics.
func TestLimiterWaitIsReported(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r := newRig(t, otelhubspot.WithClock(clk))
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read")
	c := r.client(t, srv, newCache(t, secretstest.NewStatic(token)), hubspot.WithClock(clk),
		hubspot.WithRateLimit(hubspot.RateLimit{Requests: 1, Interval: 10 * time.Second}))
	if _, err := c.Contacts.List(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Contacts.List(context.Background(), nil)
		done <- err
	}()
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clk.WaitForTimers(wctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.AdvanceToNext()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range r.spans.GetSpans() {
		for _, e := range s.Events {
			if e.Name == "hubspot.rate_limit.wait" {
				found = s.SpanKind == trace.SpanKindClient
			}
		}
	}
	if !found {
		t.Error("no hubspot.rate_limit.wait event on an attempt span")
	}
	if n := r.sum(t, "hubspot.client.wait.duration", attribute.String("hubspot.wait.kind", "rate_limiter")); n != 1 {
		t.Errorf("rate_limiter waits = %v, want 1", n)
	}
}

// Several credentials: each attempt names the one it carries; signed
// calls say so.
func TestCredentialNamesAndSigning(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	reader := srv.NewToken("crm.objects.contacts.read")
	writer := srv.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	signer, err := signing.NewSigner(signing.StaticKey(secrets.New("signing-key-for-the-telemetry-test-0123")), "svc")
	if err != nil {
		t.Fatal(err)
	}
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(r.tel.Observer()),
		hubspot.WithCredential("reader", newCache(t, secretstest.NewStatic(reader)), "crm.objects.contacts.read"),
		hubspot.WithCredential("writer", newCache(t, secretstest.NewStatic(writer)), "crm.objects.contacts.read", "crm.objects.contacts.write"),
		hubspot.WithSigner(signer, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	o, err := c.Contacts.Create(ctx, hubspot.ObjectInput{Properties: hubspot.Properties{"email": "b@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contacts.Get(ctx, o.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Contacts.Archive(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		cred   string
		signed bool
	}{
		"crm.objects.create":  {"writer", false},
		"crm.objects.get":     {"reader", false},
		"crm.objects.archive": {"writer", true},
	}
	n := 0
	for _, s := range r.spans.GetSpans() {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		n++
		op := mustAttr(t, s, "hubspot.operation").AsString()
		w := want[op]
		if got := mustAttr(t, s, "hubspot.credential").AsString(); got != w.cred {
			t.Errorf("%s: credential %q, want %q", op, got, w.cred)
		}
		if got, _ := attr(s, "hubspot.signed"); got.AsBool() != w.signed {
			t.Errorf("%s: signed %v, want %v", op, got, w.signed)
		}
	}
	if n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if got := r.sum(t, "hubspot.client.calls", attribute.String("hubspot.credential", "writer")); got != 2 {
		t.Errorf("calls{writer} = %v, want 2", got)
	}
}

// A call refused before it is sent (no credential has the scope) ends a
// call span with no attempt, and counts as an error.
func TestRefusedCallHasNoAttempt(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	c, err := hubspot.New(hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(r.tel.Observer()),
		hubspot.WithCredential("reader", newCache(t, secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read"))), "crm.objects.contacts.read"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Deals.Get(context.Background(), "1", nil); err == nil {
		t.Fatal("a call no credential may make succeeded")
	}
	spans := r.spans.GetSpans()
	if len(spans) != 1 || spans[0].Name != "crm.objects.get" || spans[0].Status.Code != codes.Error {
		t.Fatalf("spans %v", spans)
	}
	if got := mustAttr(t, spans[0], "error.type").AsString(); got != "scope" {
		t.Errorf("error.type %q", got)
	}
	if n := r.sum(t, "hubspot.client.errors", attribute.String("hubspot.error.category", "scope")); n != 1 {
		t.Errorf("errors{scope} = %v", n)
	}
}

// A call through Client.HTTPClient to a path the catalogue knows is
// named after its operation; one it does not know, after its method, with
// no route.
func TestHTTPClientCalls(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	c := r.client(t, srv, newCache(t, secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read"))))
	for _, path := range []string{"/crm/v3/objects/contacts/12345", "/not/a/hubspot/path/12345"} {
		req, _ := http.NewRequest("GET", srv.URL()+path+"?secretish=query", nil)
		resp, err := c.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var names []string
	for _, s := range r.spans.GetSpans() {
		names = append(names, s.Name)
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); strings.Contains(v, "12345") || strings.Contains(v, "secretish") {
				t.Errorf("span %q: %s = %q holds the path or the query", s.Name, kv.Key, v)
			}
		}
	}
	want := []string{"GET /crm/v3/objects/{objectType}/{objectId}", "crm.objects.get", "GET", "GET"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("spans %q, want %q", names, want)
	}
}

// A Cache's refreshes are counted by outcome, its rotations on their
// own, and the age of its current version is observed.
func TestCacheMetrics(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r := newRig(t, otelhubspot.WithClock(clk))
	st := secretstest.NewStatic("first-value-of-the-token")
	st.SetTTL(0, clk.Now)
	refuse := "refused-value-of-the-token"
	cache := newCache(t, st, secrets.WithClock(clk), secrets.WithValidate(func(_ context.Context, v secrets.Version) error {
		if v.Value.Equal(secrets.New(refuse)) {
			return errors.New("HubSpot refused it")
		}
		return nil
	}))
	r.tel.ObserveCache(cache)
	ctx := context.Background()
	if _, err := cache.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Refresh(ctx); err != nil { // unchanged
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	st.Rotate("second-value-of-the-token")
	if _, err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	st.Rotate(refuse)
	if _, err := cache.Refresh(ctx); !errors.Is(err, secrets.ErrRefused) {
		t.Fatalf("refresh to a refused version: %v", err)
	}
	st.SetError(errors.New("store down"))
	clk.Advance(time.Hour) // past the backoff of the refusal
	if _, err := cache.Refresh(ctx); err == nil {
		t.Fatal("refresh from a failing store succeeded")
	}
	clk.Advance(30 * time.Second)

	src := attribute.String("hubkey.secret.source", "static")
	for outcome, want := range map[string]float64{"adopted": 1, "unchanged": 1, "rotated": 1, "refused": 1, "failed": 1} {
		if n := r.sum(t, "hubkey.secret.fetches", src, attribute.String("hubkey.secret.outcome", outcome)); n != want {
			t.Errorf("fetches{%s} = %v, want %v", outcome, n, want)
		}
	}
	if n := r.sum(t, "hubkey.secret.rotations", src); n != 1 {
		t.Errorf("rotations = %v, want 1", n)
	}
	ages := r.points(t, "hubkey.secret.age")
	if len(ages) != 1 || ages[0].value != (time.Hour+30*time.Second).Seconds() {
		t.Errorf("age points %+v, want one of %v", ages, (time.Hour + 30*time.Second).Seconds())
	}
}

// A Cache observed after its first fetch reports the age and source of
// the version it holds at once, not only from its next refresh.
func TestCacheObservedLateReportsItsAge(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	r := newRig(t, otelhubspot.WithClock(clk))
	st := secretstest.NewStatic("first-value-of-the-token")
	st.SetTTL(0, clk.Now)
	cache := newCache(t, st, secrets.WithClock(clk))
	if _, err := cache.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	r.tel.ObserveCache(cache)
	clk.Advance(5 * time.Minute)
	ages := r.points(t, "hubkey.secret.age")
	if len(ages) != 1 || ages[0].value != (15*time.Minute).Seconds() {
		t.Errorf("age points %+v, want one of %v", ages, (15 * time.Minute).Seconds())
	}
	if n := r.sum(t, "hubkey.secret.fetches"); n != 0 {
		t.Errorf("fetches = %v: the fetch before ObserveCache was counted, or ObserveCache fetched", n)
	}
	if st.Fetches() != 1 {
		t.Errorf("the provider was asked %d times, want 1: ObserveCache must not fetch", st.Fetches())
	}
}

func TestWebhookVerifications(t *testing.T) {
	r := newRig(t)
	secret := secrets.New("client-secret-of-the-telemetry-test")
	v, err := webhook.NewVerifier(webhook.WithSecrets(secret), r.tel.WebhookOption())
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://hooks.example.com/hubspot"
	body := `[]`
	send := func(sig string) {
		req := httptest.NewRequest("POST", url, strings.NewReader(body))
		if sig != "" {
			ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
			req.Header.Set(webhook.HeaderTimestamp, ts)
			if sig == "good" {
				sig = webhook.SignatureV3(secret, "POST", url, []byte(body), ts)
			}
			req.Header.Set(webhook.HeaderSignatureV3, sig)
		}
		_, _ = v.Verify(req)
	}
	send("good")
	send("good")
	send("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	send("")
	for outcome, want := range map[string]float64{"verified": 2, "bad_signature": 1, "unsigned": 1} {
		if n := r.sum(t, "hubspot.webhook.verifications", attribute.String("hubspot.webhook.outcome", outcome)); n != want {
			t.Errorf("verifications{%s} = %v, want %v", outcome, n, want)
		}
	}
	if n := r.sum(t, "hubspot.webhook.verifications", attribute.String("hubspot.webhook.signature_version", "v3"), attribute.String("hubspot.webhook.outcome", "verified")); n != 2 {
		t.Errorf("verified v3 = %v", n)
	}
}

func TestNewNeedsAProvider(t *testing.T) {
	if _, err := otelhubspot.New(); err == nil {
		t.Error("New with no provider succeeded")
	}
	if _, err := otelhubspot.New(otelhubspot.WithUsageWarning(1.5)); err == nil {
		t.Error("a warning share of 1.5 was accepted")
	}
}

// The global providers are used only when asked for.
func TestGlobalProvidersOnlyWhenAsked(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	defer otel.SetTracerProvider(prev)

	srv := hubspottest.NewServer(t)
	cache := newCache(t, secretstest.NewStatic(srv.NewToken("crm.objects.contacts.read")))
	mp := sdkmetric.NewMeterProvider()
	defer mp.Shutdown(context.Background())
	for _, global := range []bool{false, true} {
		opts := []otelhubspot.Option{otelhubspot.WithMeterProvider(mp)}
		if global {
			opts = append(opts, otelhubspot.WithGlobalProviders())
		}
		tel, err := otelhubspot.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(tel.Observer()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Contacts.List(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if got, want := len(exp.GetSpans()) > 0, global; got != want {
			t.Errorf("global=%v: spans in the global provider: %v", global, got)
		}
		exp.Reset()
	}
}

func TestUsage(t *testing.T) {
	r := newRig(t, otelhubspot.WithUsageWarning(0.5))
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read")
	c := r.client(t, srv, newCache(t, secretstest.NewStatic(token)))
	ctx := context.Background()
	for range 3 {
		if _, err := c.Contacts.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	u, err := r.tel.Usage(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if u.Used != int64(srv.APIUsage(token)) || u.Used < 3 || u.Limit <= 0 || u.Warn {
		t.Errorf("account usage %+v; server counted %d", u, srv.APIUsage(token))
	}
	if len(u.Credentials) != 1 {
		t.Fatalf("credentials %+v", u.Credentials)
	}
	cu := u.Credentials[0]
	if cu.Fingerprint != secrets.New(token).Fingerprint() || cu.Calls != 4 || cu.Daily <= 0 || cu.Daily-cu.DailyRemaining < 3 || cu.Warn {
		t.Errorf("credential usage %+v", cu)
	}
	if n := r.sum(t, "hubspot.usage.daily.used"); n != float64(u.Used) {
		t.Errorf("hubspot.usage.daily.used = %v, want %d", n, u.Used)
	}
	if n := r.sum(t, "hubspot.usage.daily.calls"); n != 4 {
		t.Errorf("hubspot.usage.daily.calls = %v", n)
	}
	if n := r.sum(t, "hubspot.usage.warnings"); n != 0 {
		t.Errorf("warnings = %v", n)
	}
}

// Past the warning share of the daily limit, Usage warns: in its answer,
// in the log and in hubspot.usage.warnings.
func TestUsageWarns(t *testing.T) {
	var logged strings.Builder
	r := newRig(t, otelhubspot.WithUsageWarning(0.5), otelhubspot.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	srv := hubspottest.NewServer(t, hubspottest.WithRateLimit(hubspottest.RateLimit{Daily: 8}))
	token := srv.NewToken("crm.objects.contacts.read")
	c := r.client(t, srv, newCache(t, secretstest.NewStatic(token)))
	ctx := context.Background()
	for range 4 {
		if _, err := c.Contacts.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	u, err := r.tel.Usage(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Warn || u.Limit != 8 || len(u.Credentials) != 1 || !u.Credentials[0].Warn || u.Credentials[0].Daily != 8 {
		t.Fatalf("usage %+v", u)
	}
	if n := r.sum(t, "hubspot.usage.warnings"); n != 2 {
		t.Errorf("warnings = %v, want 2 (account and credential)", n)
	}
	if n := r.sum(t, "hubspot.usage.warnings", attribute.String("hubspot.usage.scope", "credential"), attribute.String("hubspot.credential.fingerprint", secrets.New(token).Fingerprint())); n != 1 {
		t.Errorf("credential warnings = %v, want 1", n)
	}
	if got := strings.Count(logged.String(), "level=WARN"); got != 2 {
		t.Errorf("%d warnings logged, want 2:\n%s", got, logged.String())
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The http.Client's transport sends each attempt with the attempt's span
// in its context, so a transport that injects trace context (W3C
// traceparent toward a gateway one runs) makes the attempt the parent of
// what follows.
func TestBaseTransportSeesTheAttemptSpan(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read")
	cache := newCache(t, secretstest.NewStatic(token))
	var seen []trace.SpanContext
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		seen = append(seen, trace.SpanContextFromContext(req.Context()))
		return http.DefaultTransport.RoundTrip(req)
	})
	c := r.client(t, srv, cache, hubspot.WithHTTPClient(&http.Client{Transport: base}))
	if _, err := c.Contacts.Get(context.Background(), "1", nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	var attempt tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		if s.SpanKind == trace.SpanKindClient {
			attempt = s
		}
	}
	if len(seen) != 1 || !attempt.SpanContext.IsValid() || !seen[0].Equal(attempt.SpanContext) {
		t.Fatalf("the transport saw %v, want the attempt span %v", seen, attempt.SpanContext)
	}
}

// onlySampler samples the spans of one name and drops the rest, whatever
// their parent: unlike a parent-based sampler, it leaves a recorded
// caller's span around calls that are not recorded.
type onlySampler string

func (s onlySampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	if p.Name == string(s) {
		return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
	}
	return sdktrace.SamplingResult{Decision: sdktrace.Drop}
}

func (s onlySampler) Description() string { return "only " + string(s) }

// A call the sampler does not record leaves the caller's span alone: no
// attempt span under it, no wait event on it, and above all not ended by
// the call's end.
func TestUnsampledCallLeavesTheCallersSpanAlone(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithSampler(onlySampler("handler")))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel, err := otelhubspot.New(otelhubspot.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	srv := hubspottest.NewServer(t)
	token := srv.NewToken("crm.objects.contacts.read")
	cache := newCache(t, secretstest.NewStatic(token))
	c, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(tel.Observer()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })

	ctx, handler := tp.Tracer("test").Start(context.Background(), "handler")
	if _, err := c.Contacts.Get(ctx, "1", nil); !errors.Is(err, hubspot.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if got := spans.GetSpans(); len(got) != 0 {
		t.Fatalf("spans ended by the call: %v (the caller's ended early, or the call's were recorded)", got)
	}
	handler.End()
	got := spans.GetSpans()
	if len(got) != 1 || got[0].Name != "handler" {
		t.Fatalf("spans %v, want the caller's alone", got)
	}
	if len(got[0].Attributes) != 0 || len(got[0].Events) != 0 || got[0].Status.Code != codes.Unset {
		t.Errorf("the caller's span was written to: %+v %+v %+v", got[0].Attributes, got[0].Events, got[0].Status)
	}
}

// lineageSource hands out tokens that change, of one lineage: an OAuth
// installation's, refreshed.
type lineageSource struct {
	mu      sync.Mutex
	token   string
	lineage string
}

func (s *lineageSource) Get(context.Context) (secrets.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secrets.Version{Value: secrets.New(s.token), ID: s.token[len(s.token)-6:], Lineage: s.lineage}, nil
}

func (s *lineageSource) Invalidate(secrets.Version) {}

// A credential with a lineage keeps one series across its refreshes, and
// its attempts' spans carry the lineage beside each token's fingerprint.
func TestLineageKeepsOneSeries(t *testing.T) {
	r := newRig(t)
	srv := hubspottest.NewServer(t)
	first, second := srv.NewToken("crm.objects.contacts.read"), srv.NewToken("crm.objects.contacts.read")
	const lineage = "hubspot-oauth:app/fp:0123456789abcdef"
	src := &lineageSource{token: first, lineage: lineage}
	c, err := hubspot.New(hubspot.WithToken(src), hubspot.WithBaseURL(srv.URL()), hubspot.WithObserver(r.tel.Observer()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	src.token = second
	src.mu.Unlock()
	if _, err := c.Contacts.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	points := r.points(t, "hubspot.client.calls")
	if len(points) != 1 || points[0].value != 2 {
		t.Fatalf("calls points %+v, want one series of 2", points)
	}
	if v, _ := points[0].attrs.Value("hubspot.credential.fingerprint"); v.AsString() != lineage {
		t.Errorf("the series is known by %q, want the lineage", v.AsString())
	}
	fps := map[string]bool{}
	for _, s := range r.spans.GetSpans() {
		if s.SpanKind != trace.SpanKindClient {
			continue
		}
		var fp, ln string
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "hubspot.credential.fingerprint":
				fp = kv.Value.AsString()
			case "hubspot.credential.lineage":
				ln = kv.Value.AsString()
			}
		}
		if ln != lineage {
			t.Errorf("attempt span with lineage %q", ln)
		}
		fps[fp] = true
	}
	if !fps[secrets.New(first).Fingerprint()] || !fps[secrets.New(second).Fingerprint()] {
		t.Errorf("the attempts' fingerprints %v are not the two tokens'", fps)
	}
}
