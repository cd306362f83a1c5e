package hubspot

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// RetryPolicy says how often and how long RetryTransport retries.
type RetryPolicy struct {
	// MaxAttempts is the most times one request is sent, the first
	// included; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles with each attempt.
	BaseDelay time.Duration
	// MaxDelay caps a backoff.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After (or rate-limit interval) the
	// client waits for; a longer one is not waited out but returned to the
	// caller.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns what New uses unless WithRetry says
// otherwise: 5 attempts, backoff from 500 ms doubling up to 30 s, and
// Retry-After waits of up to a minute.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   5,
		BaseDelay:     500 * time.Millisecond,
		MaxDelay:      30 * time.Second,
		MaxRetryAfter: time.Minute,
	}
}

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 1 {
		return fmt.Errorf("hubspot: RetryPolicy.MaxAttempts must be at least 1 (1 disables retries), got %d", p.MaxAttempts)
	}
	if p.MaxAttempts > 1 && (p.BaseDelay <= 0 || p.MaxDelay < p.BaseDelay || p.MaxRetryAfter < 0) {
		return fmt.Errorf("hubspot: RetryPolicy needs 0 < BaseDelay <= MaxDelay and MaxRetryAfter >= 0, got BaseDelay=%v MaxDelay=%v MaxRetryAfter=%v", p.BaseDelay, p.MaxDelay, p.MaxRetryAfter)
	}
	return nil
}

// RetryTransport is an http.RoundTripper that retries what HubSpot asks to
// be retried, and only what is safe to send again:
//
//   - 429 with policy TEN_SECONDLY_ROLLING or SECONDLY (or none named):
//     waits for Retry-After, else the limit's interval, then retries any
//     request, since HubSpot did not process it;
//   - 429 with policy DAILY: returned at once; waiting seconds cannot help;
//   - 423 (waits at least 2 s) and 477 (waits for Retry-After): retried
//     like a 429, since the request was not processed;
//   - 502, 503, 504 and connection errors: capped exponential backoff with
//     jitter, only for requests safe to repeat: the operations hubkey's
//     operation catalogue marks idempotent (reads, CRM search, batch read
//     and batch upsert, linking and unlinking records, updating property
//     definitions...), and for a call the catalogue does not know, GET,
//     HEAD and OPTIONS. A connection that was never established is retried
//     for any request.
//
// It never retries once the request's context is done, stops when the next
// wait would outlast the context's deadline, and replays request bodies
// through Request.GetBody (a request with a body and no GetBody is sent
// once). Waits use Clock. When retries run out, the last response is
// returned as it came. It is safe for concurrent use and usable with any
// http.Client; used alone, it looks a request up in the catalogue by its
// URL path from the root (a Client's requests carry their operation).
type RetryTransport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Policy is the retry policy; the zero value means DefaultRetryPolicy.
	Policy RetryPolicy
	// Clock times the waits; nil means the system clock.
	Clock clock.Clock
	// Logger, when set, receives a Debug record for each retry (method,
	// path, attempt, reason, wait).
	Logger *slog.Logger

	randMu sync.Mutex
	rand   *rand.Rand
}

func (t *RetryTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *RetryTransport) policy() RetryPolicy {
	if t.Policy == (RetryPolicy{}) {
		return DefaultRetryPolicy()
	}
	return t.Policy
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	pol := t.policy()
	clk := clock.Or(t.Clock)
	oc, req := callOf(req, "")
	safe := safeToRepeat(oc)
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil

	r := req
	for attempt := 1; ; attempt++ {
		resp, err := t.base().RoundTrip(r)
		if attempt >= pol.MaxAttempts || !replayable || ctx.Err() != nil {
			return resp, err
		}
		d, reason, retry := t.decide(resp, err, safe, attempt, pol, clk.Now())
		if !retry {
			return resp, err
		}
		if pol.MaxRetryAfter > 0 && d > pol.MaxRetryAfter {
			return resp, err
		}
		if outlasts(ctx, d) {
			return resp, err
		}
		var body io.ReadCloser
		if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
			b, gerr := req.GetBody()
			if gerr != nil {
				return resp, err
			}
			body = b
		}
		if resp != nil {
			drainAndClose(resp.Body)
		}
		if t.Logger != nil {
			t.Logger.LogAttrs(ctx, slog.LevelDebug, "hubspot retry",
				slog.String("method", req.Method), slog.String("path", req.URL.Path),
				slog.Int("attempt", attempt+1), slog.String("reason", reason), slog.Duration("wait", d))
		}
		start := clk.Now()
		serr := clock.Sleep(ctx, clk, d)
		if oc.obs != nil {
			w := WaitInfo{Retry: true, Reason: "connection error"}
			if resp != nil {
				// The status alone: its text is the server's.
				w.Reason, w.Policy = strconv.Itoa(resp.StatusCode), oc.obs.out.Policy
			}
			w.Duration = clk.Now().Sub(start)
			oc.obs.o.Waited(ctx, oc.obs.info, w)
		}
		if serr != nil {
			if body != nil {
				body.Close()
			}
			return nil, serr
		}
		r = req.Clone(ctx)
		r.Body = body
	}
}

// decide says whether to retry after one attempt, after how long, and why.
func (t *RetryTransport) decide(resp *http.Response, err error, safe bool, attempt int, pol RetryPolicy, now time.Time) (time.Duration, string, bool) {
	if err != nil {
		if !retryableError(err) {
			return 0, "", false
		}
		if !safe && !neverConnected(err) {
			return 0, "", false
		}
		return t.backoff(attempt, pol), "connection error", true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		policy := peekPolicy(resp)
		if policy == Daily {
			return 0, "", false
		}
		d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
		if !ok {
			d = policyInterval(policy, resp.Header)
		}
		return d + t.jitter(d/10), "429 " + string(policy), true
	case http.StatusLocked: // 423: HubSpot asks for at least 2 s
		return max(2*time.Second, t.backoff(attempt, pol)), "423", true
	case 477: // migration in progress
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return d, "477", true
		}
		return t.backoff(attempt, pol), "477", true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !safe {
			return 0, "", false
		}
		d := t.backoff(attempt, pol)
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok && ra > d {
			d = ra
		}
		return d, resp.Status, true
	}
	return 0, "", false
}

// backoff is capped exponential with jitter over the upper half:
// [d/2, d) where d = min(MaxDelay, BaseDelay * 2^(attempt-1)).
func (t *RetryTransport) backoff(attempt int, pol RetryPolicy) time.Duration {
	d := pol.BaseDelay
	for i := 1; i < attempt && d < pol.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, pol.MaxDelay)
	return d/2 + t.jitter(d/2)
}

// jitter returns a random duration in [0, d).
func (t *RetryTransport) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	t.randMu.Lock()
	defer t.randMu.Unlock()
	if t.rand == nil {
		t.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return time.Duration(t.rand.Int64N(int64(d)))
}

// peekPolicy reads the policyName of a 429 body and puts the bytes back so
// the caller can still read the whole body.
func peekPolicy(resp *http.Response) RateLimitPolicy {
	if resp.Body == nil {
		return ""
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(buf), resp.Body), resp.Body}
	if err != nil {
		return ""
	}
	var w struct {
		PolicyName lenientString `json:"policyName"`
	}
	if json.Unmarshal(buf, &w) != nil {
		return ""
	}
	return RateLimitPolicy(w.PolicyName)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// safeToRepeat reports whether sending oc twice does no harm: what the
// catalogue says, or for a call it does not know, whether the method is
// one that only reads.
func safeToRepeat(oc *opCall) bool {
	if oc.op != nil {
		return oc.op.Idempotent
	}
	switch oc.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// retryableError reports whether a transport error may go away on its own.
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ErrInsecureURL) {
		return false
	}
	var cv *x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset")
}

// neverConnected reports whether err happened while dialing, so the request
// never reached the server.
func neverConnected(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
