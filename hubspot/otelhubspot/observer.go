package otelhubspot

import (
	"context"
	"net"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/hubkey/hubkey/hubspot"
)

// credID is what the metrics know an attempt's credential by: its
// lineage when it has one (an OAuth installation, whose token changes at
// every refresh and would open new series each time), else its token's
// fingerprint.
func credID(a hubspot.AttemptInfo) string {
	if a.Lineage != "" {
		return a.Lineage
	}
	return a.Fingerprint
}

// callSpanOpts start a call's span: made once, since every call starts
// one, sampled or not.
var callSpanOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal)}

// observer is the Telemetry's hubspot.Observer.
type observer struct{ t *Telemetry }

// hostPort splits a URL's host into server.address and server.port.
func hostPort(host string) (string, int) {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		return host, 0
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func (o observer) StartCall(ctx context.Context, c hubspot.CallInfo) context.Context {
	t := o.t
	if !t.tracing {
		return ctx
	}
	name := c.Operation
	if name == "" {
		name = c.Method
	}
	sctx, span := t.tracer.Start(ctx, name, callSpanOpts...)
	if !span.IsRecording() {
		// Not sampled: the call goes on in the caller's context, which
		// spares the stack a copy of the request, and its attempts,
		// waits and end find no span of theirs in it (callSpanOf). An
		// outer call's mark, should the caller's context carry one, is
		// masked.
		if callSpanOf(ctx) != nil {
			return context.WithValue(ctx, callSpanKey{}, nil)
		}
		return ctx
	}
	// Set once the span is sampled, so that a call that is not costs no
	// attributes; the attempts' spans, which OpenTelemetry's HTTP
	// conventions are about, get theirs before the sampler. The server's
	// address is on the attempts' spans.
	if c.Operation != "" {
		span.SetAttributes(keyMethod.String(c.Method), keyOperation.String(c.Operation), keyTemplate.String(c.Route), keyAPIVersion.String(c.APIVersion))
	} else {
		span.SetAttributes(keyMethod.String(c.Method))
	}
	return context.WithValue(sctx, callSpanKey{}, span)
}

// callSpanKey marks the context of a call whose span StartCall started
// and the sampler records; its value is that span, or nil to mask an
// outer call's.
type callSpanKey struct{}

// callSpanOf returns the recorded span of the call whose context ctx is
// (or derives from), or nil: the spans the observer may add to and end
// are that one and its attempts', never a caller's.
func callSpanOf(ctx context.Context) trace.Span {
	s, _ := ctx.Value(callSpanKey{}).(trace.Span)
	return s
}

func (o observer) StartAttempt(ctx context.Context, c hubspot.CallInfo, a hubspot.AttemptInfo) context.Context {
	t := o.t
	if !t.tracing || callSpanOf(ctx) == nil {
		// Not traced, or the call was not sampled: nor are its attempts.
		return ctx
	}
	name := c.Method
	if c.Route != "" {
		name += " " + c.Route
	}
	addr, port := hostPort(c.Host)
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, keyMethod.String(c.Method), keyServer.String(addr))
	if port != 0 {
		attrs = append(attrs, keyPort.Int(port))
	}
	if c.Route != "" {
		attrs = append(attrs, keyTemplate.String(c.Route))
	}
	if c.Operation != "" {
		attrs = append(attrs, keyOperation.String(c.Operation))
	}
	if a.N > 1 {
		attrs = append(attrs, keyResend.Int(a.N-1))
	}
	if a.Credential != "" {
		attrs = append(attrs, keyCredential.String(a.Credential))
	}
	if a.Fingerprint != "" {
		attrs = append(attrs, keyFingerprint.String(a.Fingerprint))
	}
	if a.Lineage != "" {
		attrs = append(attrs, keyLineage.String(a.Lineage))
	}
	ctx, _ = t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx
}

func (o observer) Waited(ctx context.Context, c hubspot.CallInfo, w hubspot.WaitInfo) {
	t := o.t
	kind, reason := kindLimiter, w.Reason
	if w.Retry {
		kind = kindRetry
		if w.Policy != "" {
			reason += " " + string(w.Policy)
		}
	}
	t.waitDur.Record(ctx, w.Duration.Seconds(), t.set(setKey{kind: 'W', op: c.Operation, a: kind}, func() []attribute.KeyValue {
		return []attribute.KeyValue{keyOperation.String(c.Operation), keyWaitKind.String(kind)}
	}))
	if w.Retry {
		t.retries.Add(ctx, 1, t.set(setKey{kind: 'R', op: c.Operation, a: reason}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keyOperation.String(c.Operation), keyReason.String(reason)}
		}))
	}
	// ctx is the attempt's (the limiter's wait) or the call's (a retry's):
	// its span is one of the call's when the call is recorded.
	if span := trace.SpanFromContext(ctx); callSpanOf(ctx) != nil && span.IsRecording() {
		name := "hubspot.rate_limit.wait"
		attrs := []attribute.KeyValue{keyWait.Float64(w.Duration.Seconds())}
		if w.Retry {
			name = "hubspot.retry"
			attrs = append(attrs, keyReason.String(w.Reason))
			if w.Policy != "" {
				attrs = append(attrs, keyPolicy.String(string(w.Policy)))
			}
		}
		span.AddEvent(name, trace.WithAttributes(attrs...))
	}
}

func (o observer) EndAttempt(ctx context.Context, c hubspot.CallInfo, a hubspot.AttemptInfo, out hubspot.Outcome) {
	t := o.t
	errType := errorType(out)
	e := t.attemptEntry(attemptKey{method: c.Method, host: c.Host, route: c.Route, errType: errType, status: out.Status, cred: a.Credential, fp: credID(a)})
	t.httpDur.Record(ctx, out.Duration.Seconds(), e.dur...)
	if out.Status == 429 {
		p := string(out.Policy)
		id := credID(a)
		t.limited.Add(ctx, 1, t.set(setKey{kind: 'L', op: c.Operation, cred: a.Credential, fp: id, a: p}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keyOperation.String(c.Operation), keyCredential.String(a.Credential), keyFingerprint.String(id), keyPolicy.String(p)}
		}))
	}
	if cc := e.cred; cc != nil {
		cc.calls.Add(1)
		for _, f := range []struct {
			v  int64
			to *atomic.Int64
		}{{out.Max, &cc.max}, {out.Remaining, &cc.remaining}, {out.Daily, &cc.daily}, {out.DailyRemaining, &cc.dailyOK}} {
			if f.v >= 0 {
				f.to.Store(f.v)
			}
		}
	}
	if !t.tracing {
		return
	}
	// The attempt's span is the one StartAttempt put in ctx, below the
	// call's; a call not recorded has none.
	call := callSpanOf(ctx)
	if span := trace.SpanFromContext(ctx); call != nil && span != call && span.IsRecording() {
		endSpan(span, out, errType)
	}
}

// endSpan sets what out says on span, with extra, in one call, and ends
// it. The budget HubSpot reported left is in the metrics, not on spans.
func endSpan(span trace.Span, out hubspot.Outcome, errType string, extra ...attribute.KeyValue) {
	attrs := make([]attribute.KeyValue, 0, 6+len(extra))
	attrs = append(attrs, extra...)
	if out.Status != 0 {
		attrs = append(attrs, keyStatus.Int(out.Status))
	}
	if errType != "" {
		attrs = append(attrs, keyErrorType.String(errType))
	}
	if out.Category != "" {
		attrs = append(attrs, keyCategory.String(out.Category))
	}
	if out.Policy != "" {
		attrs = append(attrs, keyPolicy.String(string(out.Policy)))
	}
	if out.CorrelationID != "" {
		attrs = append(attrs, keyCorrelation.String(out.CorrelationID))
	}
	if out.Signed {
		attrs = append(attrs, keySigned.Bool(true))
	}
	span.SetAttributes(attrs...)
	if errType != "" {
		// The error's type only: its text is not the span's to carry.
		span.SetStatus(codes.Error, errType)
	}
	span.End()
}

func (o observer) EndCall(ctx context.Context, c hubspot.CallInfo, a hubspot.AttemptInfo, out hubspot.Outcome) {
	t := o.t
	errType := errorType(out)
	t.callEntry(callKey{op: c.Operation, cred: a.Credential, fp: credID(a), errType: errType, status: out.Status}).n.Add(1)
	if errType != "" {
		cat := out.Category
		if cat == "" {
			cat = errType
		}
		id := credID(a)
		t.errs.Add(ctx, 1, t.set(setKey{kind: 'E', op: c.Operation, cred: a.Credential, fp: id, a: cat}, func() []attribute.KeyValue {
			return []attribute.KeyValue{keyOperation.String(c.Operation), keyCredential.String(a.Credential), keyFingerprint.String(id), keyCategory.String(cat)}
		}))
	}
	// ctx is the one StartCall returned: marked with the call's span when
	// the call is recorded.
	if span := callSpanOf(ctx); t.tracing && span != nil {
		// The credential is on the attempts' spans.
		endSpan(span, out, errType, keyAttempts.Int(out.Attempts))
	}
}
