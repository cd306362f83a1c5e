package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// Observer hears what a Client's stack does with each call, for
// telemetry: package hubspot/otelhubspot turns it into OpenTelemetry
// spans and metrics. Set one with WithObserver.
//
// Every method gets facts that carry no credential, header value, query
// string, request path (only its template) or body, and every string in
// them is either hubkey's own (operation names, route templates) or
// checked to be a short token of HubSpot's vocabulary (categories,
// policies, correlation IDs). The methods are called on the goroutine of
// the call, in order: StartCall; for each send of the request,
// StartAttempt, any Waited for the rate limiter, EndAttempt; Waited
// before each retry; EndCall. They must be safe for concurrent use (calls
// run concurrently) and must not block.
type Observer interface {
	// StartCall is called when a call enters the Client's stack, before
	// anything is sent. The context it returns is the call's from then
	// on (a tracer returns one holding the call's span).
	StartCall(ctx context.Context, c CallInfo) context.Context
	// StartAttempt is called when the credential layer sends the
	// request: the first time, each retry, and the one re-send after a
	// 401, with the credential it carries. The context it returns is the
	// attempt's, seen by the layers below and by EndAttempt.
	StartAttempt(ctx context.Context, c CallInfo, a AttemptInfo) context.Context
	// Waited is called after the stack has waited: the rate limiter
	// before an attempt (with the attempt's context) or the retry layer
	// before the next attempt (with the call's).
	Waited(ctx context.Context, c CallInfo, w WaitInfo)
	// EndAttempt is called when an attempt has its answer or its error.
	EndAttempt(ctx context.Context, c CallInfo, a AttemptInfo, o Outcome)
	// EndCall is called when the stack returns the call's answer (its
	// headers: the body is still to be read) or its error, with its last
	// attempt (zero when none was sent).
	EndCall(ctx context.Context, c CallInfo, last AttemptInfo, o Outcome)
}

// WithObserver makes the Client report each call to o (see Observer).
// Without it the hooks cost one context lookup per attempt.
func WithObserver(o Observer) Option {
	return func(opts *options) error {
		if o == nil {
			return errors.New("hubspot: WithObserver(nil): an Observer is required")
		}
		opts.observer = o
		return nil
	}
}

// CallInfo describes a call to an Observer.
type CallInfo struct {
	// Operation is the name of the call's row in hubkey's operation
	// catalogue ("crm.objects.get"); "" for a call it does not know.
	Operation string
	// Method is the HTTP method.
	Method string
	// Route is the path template under the base URL's host, with the
	// base URL's path prefix, such as
	// "/crm/objects/2026-03/{objectType}/{objectId}": never the path
	// itself, which holds IDs. "" for a call the catalogue does not know.
	Route string
	// Host is the host and, when the URL names one, the port the call
	// goes to.
	Host string
	// APIVersion is the version of HubSpot's API the path belongs to
	// ("2026-03", or "numbered"); "" for a call the catalogue does not
	// know.
	APIVersion string
}

// AttemptInfo describes one send of a call's request to an Observer.
type AttemptInfo struct {
	// N counts the sends of the call, from 1.
	N int
	// Credential is the name of the credential the attempt carries: the
	// name given to WithCredential, "default" for WithToken's, "" for a
	// developer key or none.
	Credential string
	// Fingerprint is the fingerprint of the token or developer key the
	// attempt carries (secrets.Secret.Fingerprint); "" for none.
	Fingerprint string
	// Lineage is the credential's lineage (secrets.Version.Lineage) when
	// it names one, such as an OAuth installation, whose tokens change at
	// every refresh; "" otherwise.
	Lineage string
}

// WaitInfo describes a wait of the stack to an Observer.
type WaitInfo struct {
	// Retry is true for the wait before a retry, false for the rate
	// limiter's wait before an attempt is sent.
	Retry bool
	// Reason says why the retry layer waited: the status of the answer
	// it retries ("429", "503", ...) or "connection error"; "" for the
	// rate limiter.
	Reason string
	// Policy is the rate-limit policy of the 429 that the retry answers.
	Policy RateLimitPolicy
	// Duration is how long the stack waited, on the Client's clock.
	Duration time.Duration
}

// Outcome is how an attempt or a call ended, for an Observer. Fields
// that an answer did not tell are zero, and the rate-limit counts -1.
type Outcome struct {
	// Status is the HTTP status of the answer; 0 when there was none.
	Status int
	// Err is the error the layer returns, which carries no credential,
	// header or query string; nil when there is an answer.
	Err error
	// Category is HubSpot's error category of a non-2xx answer
	// ("OBJECT_NOT_FOUND", "RATE_LIMITS", ...), or of Err when it is an
	// *Error.
	Category string
	// Policy is the rate-limit policy of a 429 (TEN_SECONDLY_ROLLING,
	// SECONDLY, DAILY), or of Err when it is a *RateLimitError.
	Policy RateLimitPolicy
	// CorrelationID is HubSpot's ID of a request it refused or failed
	// (X-HubSpot-Correlation-Id, or the error body's correlationId), the
	// ID HubSpot's support asks for. It is read from non-2xx answers
	// only: those are scrubbed of the credential before anything reads
	// them, and a 2xx answer's headers would have to be scrubbed on every
	// call for it (a developer key is shaped like a correlation ID).
	CorrelationID string
	// Signed reports that the request was signed (WithSigner); for a
	// call, its last attempt.
	Signed bool
	// Attempts is the number of sends: 1 for an attempt, 0 for a call
	// refused before anything was sent.
	Attempts int
	// Duration is how long the attempt or the call took until its
	// answer's headers or its error, on the Client's clock.
	Duration time.Duration
	// Remaining and Max are the X-HubSpot-RateLimit-Remaining and -Max
	// headers (the rolling window's budget); DailyRemaining and Daily the
	// X-HubSpot-RateLimit-Daily-Remaining and -Daily headers. -1 when
	// absent.
	Remaining, Max, DailyRemaining, Daily int64
}

// callObs is what the stack keeps of one observed call. A call's layers
// run one after the other on the call's goroutine, so it needs no lock.
type callObs struct {
	o      Observer
	clk    clock.Clock
	info   CallInfo
	last   AttemptInfo
	n      int  // attempts so far
	signed bool // the current attempt was signed
	// slept reports that the rate limiter waited limited for the current
	// attempt.
	slept   bool
	limited time.Duration
	started time.Time // the current attempt's
	out     Outcome   // the last attempt's
	// rate are the rate-limit headers of rateOf, the current attempt's
	// answer, as the rate limiter read them.
	rate   rateFacts
	rateOf *http.Response
}

// observed returns the observation of req's call, or nil.
func observed(ctx context.Context) *callObs {
	if c, ok := ctx.Value(callKey{}).(*opCall); ok {
		return c.obs
	}
	return nil
}

// callInfo describes oc, sent to host.
func callInfo(oc *opCall, host string) CallInfo {
	ci := CallInfo{Method: oc.method, Host: host}
	if oc.op != nil {
		ci.Operation = oc.op.Name
		if t, ok := oc.op.Template(oc.version); ok {
			ci.Route = oc.prefix + t
		}
		ci.APIVersion = string(oc.version)
		if oc.version == "" {
			ci.APIVersion = numberedVersion
		}
	}
	return ci
}

// callObsPool recycles observations: one per observed call otherwise,
// the largest allocation the observation adds to a call.
var callObsPool = sync.Pool{New: func() any { return new(callObs) }}

// observeCall runs one call through next under c's observation.
func (t *matchTransport) observeCall(req *http.Request, oc *opCall) (*http.Response, error) {
	ob := callObsPool.Get().(*callObs)
	*ob = callObs{o: t.obs, clk: t.clk, info: callInfo(oc, req.URL.Host)}
	oc.obs = ob
	defer func() {
		// The layers below are done with the call (they reach ob only
		// through oc, on the call's goroutine, before returning), and a
		// redirect's hop is a request of its own: unobserved, it is not
		// told to an Observer whose EndCall has run.
		oc.obs = nil
		*ob = callObs{}
		callObsPool.Put(ob)
	}()
	start := ob.clk.Now()
	ctx := ob.o.StartCall(req.Context(), ob.info)
	if ctx != req.Context() {
		req = req.WithContext(ctx)
	}
	resp, err := t.next.RoundTrip(req)
	out := ob.out
	if ob.n == 0 {
		out = outcomeOf(resp, err)
	} else if err != nil {
		out.Status = 0
		out.Err = err
		errorFacts(err, &out)
	}
	out.Attempts = ob.n
	out.Duration = ob.clk.Now().Sub(start)
	ob.o.EndCall(ctx, ob.info, ob.last, out)
	return resp, err
}

// startAttempt tells ob that the credential layer sends the call once
// more, and returns r with the attempt's context.
func (ob *callObs) startAttempt(r *http.Request, credential, fingerprint, lineage string) *http.Request {
	ob.n++
	ob.signed = false
	ob.last = AttemptInfo{N: ob.n, Credential: credential, Fingerprint: fingerprint, Lineage: lineage}
	ob.started = ob.clk.Now()
	if ctx := ob.o.StartAttempt(r.Context(), ob.info, ob.last); ctx != r.Context() {
		return r.WithContext(ctx)
	}
	return r
}

// endAttempt tells ob how the attempt a, sent as r with cred (zero for
// none), ended.
func (ob *callObs) endAttempt(r *http.Request, resp *http.Response, err error, cred secrets.Secret) {
	var out Outcome
	if resp != nil && err == nil && resp == ob.rateOf {
		out = outcomeWith(resp, ob.rate)
	} else {
		out = outcomeOf(resp, err)
	}
	ob.rateOf = nil
	out.Duration = ob.clk.Now().Sub(ob.started)
	if !cred.IsZero() {
		// Not believed: a fact that holds the credential (a server
		// echoing a developer key, which is shaped like a correlation
		// ID). Only error answers have such facts, and they are
		// scrubbed already; this is the second line.
		for _, f := range []*string{&out.CorrelationID, &out.Category, (*string)(&out.Policy)} {
			if *f != "" && secrets.RedactString(*f, cred) != *f {
				*f = ""
			}
		}
	}
	out.Signed = ob.signed
	ob.out = out
	ob.o.EndAttempt(r.Context(), ob.info, ob.last, out)
}

// limiterSleep is clock.Sleep for the rate limiter's waits: it adds the
// time waited to the observation of ctx's call, if any, which
// RateLimitTransport reports once it is done waiting.
func limiterSleep(ctx context.Context, clk clock.Clock, d time.Duration) error {
	ob := observed(ctx)
	if ob == nil {
		return clock.Sleep(ctx, clk, d)
	}
	start := clk.Now()
	err := clock.Sleep(ctx, clk, d)
	ob.slept = true
	ob.limited += clk.Now().Sub(start)
	return err
}

// outcomeOf reads the facts of an answer, or of the error in its place.
func outcomeOf(resp *http.Response, err error) Outcome {
	if err != nil || resp == nil {
		out := Outcome{Attempts: 1, Remaining: -1, Max: -1, DailyRemaining: -1, Daily: -1}
		out.Err = err
		errorFacts(err, &out)
		return out
	}
	return outcomeWith(resp, readRateHeaders(resp.Header))
}

// outcomeWith reads the facts of an answer whose rate-limit headers are
// read already.
func outcomeWith(resp *http.Response, f rateFacts) Outcome {
	out := Outcome{Attempts: 1, Status: resp.StatusCode,
		Remaining: f.remaining, Max: f.max, DailyRemaining: f.dailyRemaining, Daily: f.daily}
	if resp.StatusCode/100 != 2 {
		h := resp.Header
		cat, policy, corr := peekError(resp)
		out.Category = vocabulary(cat, enumChars)
		out.Policy = RateLimitPolicy(vocabulary(policy, enumChars))
		out.CorrelationID = vocabulary(h.Get("X-Hubspot-Correlation-Id"), correlationChars)
		if out.CorrelationID == "" {
			out.CorrelationID = vocabulary(corr, correlationChars)
		}
	}
	return out
}

// errorFacts fills out's category and policy from err.
func errorFacts(err error, out *Outcome) {
	var rl *RateLimitError
	var e *Error
	switch {
	case errors.As(err, &rl):
		out.Policy = rl.Policy
		if rl.Err != nil {
			out.Category = vocabulary(rl.Err.Category, enumChars)
		}
	case errors.As(err, &e):
		out.Category = vocabulary(e.Category, enumChars)
	}
}

// peekError reads the category, policyName and correlationId of an error
// body and puts the bytes back, so the caller can still read the whole
// body.
func peekError(resp *http.Response) (category, policy, correlation string) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return "", "", ""
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(buf), resp.Body), resp.Body}
	if err != nil {
		return "", "", ""
	}
	var w struct {
		Category      lenientString `json:"category"`
		PolicyName    lenientString `json:"policyName"`
		CorrelationID lenientString `json:"correlationId"`
	}
	if json.Unmarshal(buf, &w) != nil {
		return "", "", ""
	}
	return string(w.Category), string(w.PolicyName), string(w.CorrelationID)
}

const (
	enumChars        = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
	correlationChars = "0123456789abcdefABCDEF-"
)

// vocabulary returns s when it is a short word of the characters in
// chars (an enum of HubSpot's, a UUID), and "" otherwise: what a server
// sends is not trusted to be a label.
func vocabulary(s, chars string) string {
	if len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(chars, s[i]) < 0 {
			return ""
		}
	}
	return s
}
