// Package otelhubspot reports what hubkey does through OpenTelemetry:
// a span per HubSpot call and per attempt, metrics of calls, errors,
// rate limits, retries and waits per credential and operation, of
// secrets.Cache refreshes and rotations, and of webhook verifications;
// and the day's API usage against HubSpot's daily limit.
//
// Nothing is global: the tracer and meter providers are passed to New
// (WithTracerProvider, WithMeterProvider), or taken from OpenTelemetry's
// global ones only when WithGlobalProviders says so. A program that does
// not import this package compiles no OpenTelemetry code.
//
//	tel, err := otelhubspot.New(otelhubspot.WithTracerProvider(tp), otelhubspot.WithMeterProvider(mp))
//	client, err := hubspot.New(hubspot.WithToken(cache), hubspot.WithObserver(tel.Observer()))
//	tel.ObserveCache(cache)
//	verifier, err := webhook.NewVerifier(webhook.WithSecretSource(appSecret), tel.WebhookOption())
//
// # Spans
//
// Each call is a span named after its operation in hubkey's catalogue
// ("crm.objects.get"), a child of the span in the caller's context. Each
// time the request is sent (the first time, each retry, the re-send after
// a 401) is a child CLIENT span named "GET /crm/objects/2026-03/{objectType}/{objectId}"
// with OpenTelemetry's HTTP attributes (http.request.method, url.template,
// server.address, server.port, http.response.status_code,
// http.request.resend_count, error.type) and hubkey's: hubspot.operation,
// hubspot.credential (the name given to hubspot.WithCredential),
// hubspot.credential.fingerprint, hubspot.credential.lineage (for an OAuth
// installation's token), hubspot.signed (when signed), and for an
// error answer hubspot.error.category, hubspot.rate_limit.policy and
// hubspot.correlation_id, HubSpot's ID of the request. The call's span
// has hubspot.operation, url.template, hubspot.api_version,
// hubspot.attempts and the final status. A wait of the rate limiter is
// an event on the attempt's span, a wait before a retry an event on the
// call's.
//
// No trace header goes to HubSpot, which does not take part in traces.
// The http.Client given to hubspot.WithHTTPClient sends each attempt with
// the attempt's span in its context: a transport that injects trace
// context there (otelhttp.NewTransport, or propagation.TraceContext's
// Inject) carries the trace on to a gateway or proxy one runs.
//
// # Metrics
//
// The client's instruments (attributes in brackets):
//
//	hubspot.client.calls             calls [operation, credential, fingerprint, status, error.type]
//	hubspot.client.errors            failed calls [operation, credential, fingerprint, hubspot.error.category]
//	hubspot.client.rate_limited      429 answers [operation, credential, fingerprint, hubspot.rate_limit.policy]
//	hubspot.client.retries           retries [operation, hubspot.retry.reason]
//	hubspot.client.wait.duration     s, waits [operation, hubspot.wait.kind: rate_limiter or retry]
//	hubspot.rate_limit.remaining     calls left, from the last X-HubSpot-RateLimit-* [credential, fingerprint, hubspot.rate_limit.window: rolling or daily]
//	hubspot.rate_limit.limit         the window's size, from the same headers [the same]
//	http.client.request.duration     s, per attempt, OpenTelemetry's HTTP client metric
//
// A credential with a lineage (secrets.Version.Lineage: an OAuth
// installation, whose access token changes at every refresh) is known to
// the metrics by its lineage in place of the fingerprint, so that a
// refresh does not open new series.
//
// secrets.Cache (ObserveCache), per hubkey.secret.source:
//
//	hubkey.secret.fetches            refreshes [hubkey.secret.outcome: unchanged, adopted, rotated, failed, refused]
//	hubkey.secret.rotations          new versions that replaced one
//	hubkey.secret.age                s since the current version was fetched
//
// Webhooks (WebhookOption): hubspot.webhook.verifications [hubspot.webhook.outcome:
// verified or the webhook.Reason, hubspot.webhook.signature_version].
// Usage (Telemetry.Usage): hubspot.usage.daily.used and .limit (the
// account's), hubspot.usage.daily.calls (this process's, per credential),
// hubspot.usage.warnings.
//
// # What is never reported
//
// No span, event or metric carries a credential, a header value, a query
// string, a request path (only its route template), an ID, an email
// address or any property value: the facts come from hubspot.Observer,
// which carries none, and from versions' sources and fingerprints.
package otelhubspot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/secrets"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/hubkey/hubkey/hubspot/otelhubspot"

// Telemetry reports hubkey's calls, caches and webhooks to one tracer
// provider and one meter provider. Create it with New; it is safe for
// concurrent use.
type Telemetry struct {
	tracer  trace.Tracer
	meter   metric.Meter
	tracing bool // a tracer provider was given
	clock   clock.Clock
	logger  *slog.Logger
	warnAt  float64
	obs     observer

	errs, limited, retries                       metric.Int64Counter
	waitDur, httpDur                             metric.Float64Histogram
	fetches, rotations, verifications, usageWarn metric.Int64Counter
	usageUsed, usageLimit, usageCalls            metric.Int64Gauge
	gwCalls                                      metric.Int64Counter
	gwDur                                        metric.Float64Histogram

	sets       sync.Map // setKey -> metric.MeasurementOption, for what is not on every call's path
	attempts   index[attemptKey, attemptEntry]
	callCounts index[callKey, callEntry]
	creds      sync.Map // credKey -> *credCount

	cachesMu sync.Mutex
	caches   []*cacheState

	usageMu  sync.Mutex
	usageDay time.Time // ResetsAt of the day being counted
}

// Option configures a Telemetry.
type Option func(*config) error

type config struct {
	tp     trace.TracerProvider
	mp     metric.MeterProvider
	global bool
	clock  clock.Clock
	logger *slog.Logger
	warnAt float64
}

// WithTracerProvider sends spans to tp. Without it (and without
// WithGlobalProviders) no spans are made.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) error {
		if tp == nil {
			return errors.New("otelhubspot: WithTracerProvider(nil)")
		}
		c.tp = tp
		return nil
	}
}

// WithMeterProvider sends metrics to mp. Without it (and without
// WithGlobalProviders) no metrics are recorded.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) error {
		if mp == nil {
			return errors.New("otelhubspot: WithMeterProvider(nil)")
		}
		c.mp = mp
		return nil
	}
}

// WithGlobalProviders takes the tracer and meter providers that
// WithTracerProvider and WithMeterProvider do not set from
// OpenTelemetry's global ones (otel.GetTracerProvider,
// otel.GetMeterProvider), as they are when New runs.
func WithGlobalProviders() Option {
	return func(c *config) error { c.global = true; return nil }
}

// WithClock sets the clock that ages secrets (hubkey.secret.age); the
// default is the system clock. Calls and waits are timed on the Client's
// clock (hubspot.WithClock).
func WithClock(clk clock.Clock) Option {
	return func(c *config) error { c.clock = clk; return nil }
}

// WithLogger sets where Usage's warnings go; the default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

// WithUsageWarning sets the share of a daily limit past which Usage
// warns (default 0.8: 80 %).
func WithUsageWarning(fraction float64) Option {
	return func(c *config) error {
		if !(fraction > 0 && fraction <= 1) {
			return errors.New("otelhubspot: WithUsageWarning: the fraction must be in (0, 1]")
		}
		c.warnAt = fraction
		return nil
	}
}

// New returns a Telemetry reporting to the providers its options name.
// It fails when none is named.
func New(opts ...Option) (*Telemetry, error) {
	c := config{warnAt: 0.8}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.global {
		if c.tp == nil {
			c.tp = otel.GetTracerProvider()
		}
		if c.mp == nil {
			c.mp = otel.GetMeterProvider()
		}
	}
	if c.tp == nil && c.mp == nil {
		return nil, errors.New("otelhubspot: no provider: pass WithTracerProvider, WithMeterProvider, or WithGlobalProviders")
	}
	t := &Telemetry{clock: clock.Or(c.clock), logger: c.logger, warnAt: c.warnAt, tracing: c.tp != nil}
	if t.logger == nil {
		t.logger = slog.New(slog.DiscardHandler)
	}
	if c.tp == nil {
		c.tp = tracenoop.NewTracerProvider()
	}
	if c.mp == nil {
		c.mp = metricnoop.NewMeterProvider()
	}
	t.tracer = c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(version))
	t.meter = c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(version))
	if err := t.instruments(); err != nil {
		return nil, err
	}
	t.obs = observer{t}
	return t, nil
}

// version is the instrumentation version.
const version = "0.1.0"

// durationBuckets are OpenTelemetry's advised boundaries for HTTP
// durations, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

func (t *Telemetry) instruments() error {
	m := t.meter
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		errs = append(errs, err)
		return h
	}
	gauge := func(name, unit, desc string) metric.Int64Gauge {
		g, err := m.Int64Gauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	_, err := m.Int64ObservableCounter("hubspot.client.calls", metric.WithUnit("{call}"),
		metric.WithDescription("HubSpot API calls"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			t.callCounts.each(func(e *callEntry) { o.Observe(e.n.Load(), e.set) })
			return nil
		}))
	errs = append(errs, err)
	t.errs = counter("hubspot.client.errors", "{call}", "HubSpot API calls that failed, by HubSpot's error category")
	t.limited = counter("hubspot.client.rate_limited", "{response}", "429 answers from HubSpot, by rate-limit policy")
	t.retries = counter("hubspot.client.retries", "{retry}", "Requests sent again")
	t.waitDur = hist("hubspot.client.wait.duration", "Time the client waited for the rate limiter or before a retry")
	t.httpDur = hist("http.client.request.duration", "Duration of HTTP client requests")
	t.fetches = counter("hubkey.secret.fetches", "{fetch}", "Refreshes of a secrets.Cache, by outcome")
	t.rotations = counter("hubkey.secret.rotations", "{rotation}", "New secret versions that replaced the current one")
	t.verifications = counter("hubspot.webhook.verifications", "{request}", "Webhook signature verifications, by outcome")
	t.usageWarn = counter("hubspot.usage.warnings", "{warning}", "Usage reports past the warning share of a daily limit")
	t.usageUsed = gauge("hubspot.usage.daily.used", "{call}", "The account's API calls today, as HubSpot counts them")
	t.usageLimit = gauge("hubspot.usage.daily.limit", "{call}", "The account's daily API call limit")
	t.usageCalls = gauge("hubspot.usage.daily.calls", "{call}", "This process's API calls today, per credential")
	t.gwCalls = counter("hubkey.gateway.calls", "{call}", "Calls through the key gateway, allowed and refused, by key and denial reason")
	t.gwDur = hist("hubkey.gateway.duration", "Time the key gateway took to answer a call, HubSpot included")
	remaining, err := m.Int64ObservableGauge("hubspot.rate_limit.remaining", metric.WithUnit("{call}"),
		metric.WithDescription("Calls left in HubSpot's rate-limit window, from the X-HubSpot-RateLimit-* headers of the last answer"))
	errs = append(errs, err)
	limit, err := m.Int64ObservableGauge("hubspot.rate_limit.limit", metric.WithUnit("{call}"),
		metric.WithDescription("Size of HubSpot's rate-limit window, from the X-HubSpot-RateLimit-* headers of the last answer"))
	errs = append(errs, err)
	if err == nil {
		_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			t.creds.Range(func(_, v any) bool {
				cc := v.(*credCount)
				for _, w := range []struct {
					left, size *atomic.Int64
					opt        metric.ObserveOption
				}{{&cc.remaining, &cc.max, cc.rolling}, {&cc.dailyOK, &cc.daily, cc.dailyOpt}} {
					if n := w.left.Load(); n >= 0 {
						o.ObserveInt64(remaining, n, w.opt)
					}
					if n := w.size.Load(); n >= 0 {
						o.ObserveInt64(limit, n, w.opt)
					}
				}
				return true
			})
			return nil
		}, remaining, limit)
		errs = append(errs, err)
	}
	_, err = m.Float64ObservableGauge("hubkey.secret.age", metric.WithUnit("s"),
		metric.WithDescription("Time since the current secret version was fetched"),
		metric.WithFloat64Callback(t.observeAges))
	errs = append(errs, err)
	return errors.Join(errs...)
}

// Observer returns the hubspot.Observer to give to hubspot.WithObserver.
func (t *Telemetry) Observer() hubspot.Observer { return t.obs }

// Tracer returns the Telemetry's tracer, for other parts of a program
// (a key gateway) to add spans under the same instrumentation scope.
func (t *Telemetry) Tracer() trace.Tracer { return t.tracer }

// Meter returns the Telemetry's meter, for other parts of a program (a
// key gateway) to add instruments under the same instrumentation scope.
func (t *Telemetry) Meter() metric.Meter { return t.meter }

// Attribute keys hubkey adds to OpenTelemetry's.
const (
	keyOperation   = attribute.Key("hubspot.operation")
	keyCredential  = attribute.Key("hubspot.credential")
	keyFingerprint = attribute.Key("hubspot.credential.fingerprint")
	keyLineage     = attribute.Key("hubspot.credential.lineage")
	keySigned      = attribute.Key("hubspot.signed")
	keyCorrelation = attribute.Key("hubspot.correlation_id")
	keyCategory    = attribute.Key("hubspot.error.category")
	keyPolicy      = attribute.Key("hubspot.rate_limit.policy")
	keyWindow      = attribute.Key("hubspot.rate_limit.window")
	keyAPIVersion  = attribute.Key("hubspot.api_version")
	keyAttempts    = attribute.Key("hubspot.attempts")
	keyReason      = attribute.Key("hubspot.retry.reason")
	keyWaitKind    = attribute.Key("hubspot.wait.kind")
	keyWait        = attribute.Key("hubspot.wait.duration")
	keySource      = attribute.Key("hubkey.secret.source")
	keyOutcome     = attribute.Key("hubkey.secret.outcome")
	keyWebhook     = attribute.Key("hubspot.webhook.outcome")
	keySigVersion  = attribute.Key("hubspot.webhook.signature_version")
	keyScope       = attribute.Key("hubspot.usage.scope")

	keyMethod     = attribute.Key("http.request.method")
	keyStatus     = attribute.Key("http.response.status_code")
	keyTemplate   = attribute.Key("url.template")
	keyServer     = attribute.Key("server.address")
	keyPort       = attribute.Key("server.port")
	keyResend     = attribute.Key("http.request.resend_count")
	keyErrorType  = attribute.Key("error.type")
	errTypeOther  = "_OTHER"
	kindLimiter   = "rate_limiter"
	kindRetry     = "retry"
	windowRolling = "rolling"
	windowDaily   = "daily"
)

// setKey names one attribute set the Telemetry records metrics under
// off the path of every call (waits, errors, caches, webhooks); sets are
// built once per distinct key. A call's own are in index maps.
type setKey struct {
	kind               byte
	op, cred, fp, a, b string
}

// set returns the attribute set of k, built by build the first time.
func (t *Telemetry) set(k setKey, build func() []attribute.KeyValue) metric.MeasurementOption {
	if s, ok := t.sets.Load(k); ok {
		return s.(metric.MeasurementOption)
	}
	s := metric.WithAttributeSet(attribute.NewSet(build()...))
	t.sets.Store(k, s)
	return s
}

// errorType is OpenTelemetry's error.type of an outcome: the status
// code of an error answer, else a short name of the error, else "".
func errorType(o hubspot.Outcome) string {
	switch {
	case o.Err != nil:
		switch {
		case errors.Is(o.Err, context.DeadlineExceeded):
			return "timeout"
		case errors.Is(o.Err, context.Canceled):
			return "canceled"
		case errors.Is(o.Err, hubspot.ErrRateLimited):
			return "rate_limited"
		}
		var se *hubspot.ScopeError
		if errors.As(o.Err, &se) {
			return "scope"
		}
		return errTypeOther
	case o.Status >= 400:
		return strconv.Itoa(o.Status)
	}
	return ""
}

// credCount is what the Telemetry knows of one credential: this
// process's count of its calls today, and what HubSpot's rate-limit
// headers said last.
type credCount struct {
	name, fp          string
	calls             atomic.Int64
	max, remaining    atomic.Int64 // X-HubSpot-RateLimit-Max and -Remaining; -1 unknown
	daily, dailyOK    atomic.Int64 // X-HubSpot-RateLimit-Daily and -Daily-Remaining; -1 unknown
	rolling, dailyOpt metric.MeasurementOption
}

type credKey struct{ name, fp string }

func (t *Telemetry) credCount(name, fp string) *credCount {
	k := credKey{name, fp}
	if c, ok := t.creds.Load(k); ok {
		return c.(*credCount)
	}
	c := &credCount{name: name, fp: fp}
	for _, n := range []*atomic.Int64{&c.max, &c.remaining, &c.daily, &c.dailyOK} {
		n.Store(-1)
	}
	c.rolling = metric.WithAttributeSet(attribute.NewSet(keyCredential.String(name), keyFingerprint.String(fp), keyWindow.String(windowRolling)))
	c.dailyOpt = metric.WithAttributeSet(attribute.NewSet(keyCredential.String(name), keyFingerprint.String(fp), keyWindow.String(windowDaily)))
	v, _ := t.creds.LoadOrStore(k, c)
	return v.(*credCount)
}

// WebhookOption returns a webhook.Option that counts a Verifier's
// verifications by outcome: "verified" or the webhook.Reason of the
// refusal, and the signature version.
func (t *Telemetry) WebhookOption() webhook.Option {
	return webhook.WithReport(func(ctx context.Context, v webhook.Version, reason webhook.Reason) {
		outcome := string(reason)
		if outcome == "" {
			outcome = "verified"
		}
		ver := "unknown"
		if v > 0 && v < 10 {
			ver = "v" + strconv.Itoa(int(v))
		}
		t.verifications.Add(ctx, 1, t.set(setKey{kind: 'w', a: outcome, b: ver}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keyWebhook.String(outcome), keySigVersion.String(ver)}
		}))
	})
}

// cacheState is what the Telemetry knows of one observed Cache.
type cacheState struct {
	source    atomic.Pointer[string]
	fetchedAt atomic.Int64 // unix nanoseconds of the current version's FetchedAt; 0 none
}

// ObserveCache reports c's refreshes (hubkey.secret.fetches), rotations
// (hubkey.secret.rotations) and the age of its current version
// (hubkey.secret.age), under the source its versions name
// (secrets.Version.Source, such as "vault:kv/hubspot#token"), or
// "unknown" until it has one. Call it once per Cache; refreshes before
// the call are not counted, but the age and source of the version the
// Cache holds are reported from the start.
func (t *Telemetry) ObserveCache(c *secrets.Cache) {
	st := &cacheState{}
	unknown := "unknown"
	st.source.Store(&unknown)
	t.cachesMu.Lock()
	t.caches = append(t.caches, st)
	t.cachesMu.Unlock()
	defer func() {
		// After OnRefresh is registered, so that a refresh racing this
		// one wins: the version held before it is older.
		if v, ok := c.Current(); ok && !v.FetchedAt.IsZero() {
			if st.fetchedAt.CompareAndSwap(0, v.FetchedAt.UnixNano()) && v.Source != "" {
				s := v.Source
				st.source.Store(&s)
			}
		}
	}()
	c.OnRefresh(func(old, cur secrets.Version, err error) {
		if cur.Source != "" {
			s := cur.Source
			st.source.Store(&s)
		}
		if !cur.FetchedAt.IsZero() {
			st.fetchedAt.Store(cur.FetchedAt.UnixNano())
		}
		src := *st.source.Load()
		outcome := "unchanged"
		switch {
		case errors.Is(err, secrets.ErrRefused):
			outcome = "refused"
		case err != nil:
			outcome = "failed"
		case old.Value.IsZero():
			outcome = "adopted"
		case !old.Same(cur):
			outcome = "rotated"
		}
		ctx := context.Background()
		t.fetches.Add(ctx, 1, t.set(setKey{kind: 'f', a: src, b: outcome}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keySource.String(src), keyOutcome.String(outcome)}
		}))
		if outcome == "rotated" {
			t.rotations.Add(ctx, 1, t.set(setKey{kind: 'r', a: src}, func() []attribute.KeyValue {
				return []attribute.KeyValue{keySource.String(src)}
			}))
		}
	})
}

func (t *Telemetry) observeAges(_ context.Context, o metric.Float64Observer) error {
	t.cachesMu.Lock()
	caches := append([]*cacheState(nil), t.caches...)
	t.cachesMu.Unlock()
	now := t.clock.Now()
	for _, st := range caches {
		at := st.fetchedAt.Load()
		if at == 0 {
			continue
		}
		age := max(now.Sub(time.Unix(0, at)), 0)
		o.Observe(age.Seconds(), metric.WithAttributes(keySource.String(*st.source.Load())))
	}
	return nil
}
