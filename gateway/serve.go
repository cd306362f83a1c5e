package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// Denial reasons of the gateway's own, beside keypolicy's.
const (
	denyUnknownOperation = "unknown operation"
	denyNotServed        = "operation not served through the gateway"
	denyClosed           = "gateway closed"
)

// callState is what ServeHTTP and the proxy's hooks share about one call.
type callState struct {
	call Call
}

type callStateKey struct{}

// ServeHTTP authenticates the call by its gateway key, checks it against
// the key's status, IP allow list, signature requirement, scopes and rate
// limit, and forwards it to HubSpot with the real token, or answers it with
// HubSpot's error body. Every call is audited.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &callState{call: Call{Time: g.clock.Now(), Method: r.Method}}
	cw := &countingWriter{ResponseWriter: w}
	var cr *countingReader
	if r.Body != nil && r.Body != http.NoBody {
		cr = &countingReader{r: r.Body}
		r.Body = cr
	}
	n := g.inflight.begin()
	defer func() {
		if cr != nil {
			st.call.BytesIn = cr.n
		}
		st.call.Status = cw.status
		st.call.BytesOut = cw.n
		st.call.Latency = g.clock.Now().Sub(st.call.Time)
		g.audit.add(st.call)
		if g.cfg.OnCall != nil {
			g.cfg.OnCall(st.call)
		}
		g.inflight.end(n)
	}()
	if ip, ok := g.clientIP(r); ok {
		st.call.ClientIP = ip.String()
	}
	if g.closed.Load() {
		st.call.Denial = denyClosed
		writeError(cw, &apiError{status: http.StatusServiceUnavailable, Message: "The gateway is shutting down.", Category: "SERVICE_UNAVAILABLE"})
		return
	}
	token := callerToken(r)
	stripCredentials(r)
	if token == "" {
		g.deny(cw, st, &keypolicy.DenyError{Reason: keypolicy.ReasonMissingToken})
		return
	}
	var k keypolicy.Key
	ok := wellFormed(token)
	if ok {
		k, ok = g.policy.Lookup(token)
	}
	if !ok {
		fp := secrets.New(token).Fingerprint()
		st.call.Fingerprint = fp
		g.deny(cw, st, &keypolicy.DenyError{Reason: keypolicy.ReasonUnknownToken, Fingerprint: fp})
		return
	}
	// A known key's record holds its token's fingerprint already.
	fp := k.Fingerprint
	st.call.Fingerprint = fp
	st.call.KeyID, st.call.Service = k.ID, g.metaOf(k.ID).service

	op, ver, params, known := endpoints.Match(r.Method, r.URL.EscapedPath())
	if !known {
		st.call.Denial = denyUnknownOperation
		writeError(cw, &apiError{status: http.StatusForbidden, Category: "FORBIDDEN", SubCategory: "UNKNOWN_OPERATION",
			Message: "The gateway does not know this operation, so it cannot check it against the key's scopes."})
		return
	}
	st.call.Operation = op.Name
	st.call.Route, _ = op.Template(ver)
	if op.Cred != endpoints.Bearer {
		st.call.Denial = denyNotServed
		writeError(cw, &apiError{status: http.StatusForbidden, Category: "FORBIDDEN", SubCategory: "OPERATION_NOT_SERVED",
			Message: fmt.Sprintf("%s is not authenticated with the app's token and is not served through the gateway.", op.Name)})
		return
	}
	req, err := op.AllowedScopes(params)
	if err != nil {
		st.call.Denial = denyUnknownOperation
		writeError(cw, &apiError{status: http.StatusForbidden, Category: "FORBIDDEN", SubCategory: "UNKNOWN_OBJECT_TYPE",
			Message: "The gateway does not know the scopes of this object type, so it cannot check the key's."})
		return
	}
	need := scopesToCheck(req, k.Scopes)
	ar := r
	if k.RequireSignature {
		ar = r.WithContext(context.WithValue(r.Context(), authKeyCtx{}, k.ID))
	}
	_, err = g.policy.AuthorizeKey(ar, k, need)
	if err != nil {
		var d *keypolicy.DenyError
		if !errors.As(err, &d) {
			d = &keypolicy.DenyError{Reason: keypolicy.ReasonUnknownToken, Fingerprint: fp}
		}
		g.deny(cw, st, d)
		return
	}
	if policy, wait, ok := g.sharedKeyLimit(r.Context(), k, op.Rate == endpoints.Search); !ok {
		g.deny(cw, st, &keypolicy.DenyError{Reason: keypolicy.ReasonRateLimited, KeyID: k.ID, Fingerprint: fp, Policy: policy, RetryAfter: wait})
		return
	}
	if k.RequireSignature && hubspot.IsSensitive(r) {
		st.call.Signature = "valid"
	}
	g.proxy(cw, r, st)
}

// scopesToCheck turns the operation's any-of groups into the scopes to ask
// keypolicy for: from each group, one the key holds, or the whole group
// when it holds none (so the refusal names every scope that would do).
func scopesToCheck(req endpoints.Requirement, granted []string) []string {
	var out []string
	for _, grp := range req {
		if i := slices.IndexFunc(grp, func(s string) bool { return slices.Contains(granted, s) }); i >= 0 {
			out = append(out, grp[i])
			continue
		}
		out = append(out, grp...)
	}
	return out
}

// callerToken returns the gateway key the call presents: a bearer token,
// or the hapikey query parameter of a client configured with the gateway
// key as its developer key.
func callerToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if r.URL.RawQuery != "" {
		return r.URL.Query().Get("hapikey")
	}
	return ""
}

// stripCredentials removes every credential the caller sent for the
// gateway from r, so none reaches HubSpot, a log or the audit trail.
func stripCredentials(r *http.Request) {
	r.Header.Del("Authorization")
	r.Header.Del("Cookie")
	if r.URL.RawQuery != "" && strings.Contains(strings.ToLower(r.URL.RawQuery), "hapikey") {
		q := r.URL.Query()
		for name := range q {
			if strings.EqualFold(name, "hapikey") {
				q.Del(name)
			}
		}
		r.URL.RawQuery = q.Encode()
	}
}

// deny answers a refused call in HubSpot's error format.
// sharedKeyLimit counts a call the key's own limits allowed against
// them once more in the budget the gateway's replicas share
// (Config.SharedBudget), so that N replicas hold a key to its limit, not
// to N times it: each replica's own count only sees its share of the
// calls. It reports the policy and the wait of a refusal. When the
// budget cannot be asked, the replica's own count stands and the call
// goes on. The daily limit is counted per replica.
func (g *Gateway) sharedKeyLimit(ctx context.Context, k keypolicy.Key, search bool) (keypolicy.Policy, time.Duration, bool) {
	sb := g.cfg.SharedBudget
	if sb.Budget == nil {
		return "", 0, true
	}
	limit, window, policy, class := k.Limits.Max, k.Limits.Interval, keypolicy.TenSecondlyRolling, "standard"
	if search {
		limit, window, policy, class = k.Limits.SearchPerSecond, time.Second, keypolicy.Secondly, "search"
	}
	if limit <= 0 || window <= 0 {
		return "", 0, true
	}
	timeout := sb.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Keyed by the key's lineage, as its own count is: a rotated key and
	// its successor share the limit.
	wait, err := sb.Budget.Reserve(bctx, "gwkey:"+k.Lineage+"/"+class, limit, window, 0)
	if err != nil {
		if sb.OnError != nil {
			sb.OnError(err)
		}
		return "", 0, true
	}
	if wait > 0 {
		return policy, wait, false
	}
	return "", 0, true
}

func (g *Gateway) deny(w http.ResponseWriter, st *callState, d *keypolicy.DenyError) {
	st.call.Denial = d.Reason.String()
	switch d.Reason {
	case keypolicy.ReasonSignatureRequired:
		st.call.Signature = "missing"
	case keypolicy.ReasonSignatureInvalid:
		st.call.Signature = "invalid"
	}
	g.logger.Debug("gateway: call refused", "key", d.KeyID, "fingerprint", d.Fingerprint, "reason", d.Reason.String(), "operation", st.call.Operation)
	e := &apiError{status: http.StatusForbidden, Category: "FORBIDDEN"}
	switch d.Reason {
	case keypolicy.ReasonMissingScopes:
		e.Category = "MISSING_SCOPES"
		e.Message = "This key hasn't been granted all required scopes to make this call."
		e.Errors = []errorDetail{{
			Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredGranularScopes": d.Missing},
		}}
	case keypolicy.ReasonIPNotAllowed:
		e.SubCategory = "IP_NOT_ALLOWED"
		e.Message = "This key may not be used from this address."
	case keypolicy.ReasonSignatureRequired:
		e.SubCategory = "SIGNATURE_REQUIRED"
		e.Message = "This key must sign this call (RFC 9421, with its signing secret)."
	case keypolicy.ReasonSignatureInvalid:
		e.SubCategory = "SIGNATURE_INVALID"
		e.Message = "The request signature is not valid: " + signatureReason(d.Err) + "."
	case keypolicy.ReasonSuspended:
		e.SubCategory = "KEY_SUSPENDED"
		e.Message = "This key is suspended."
	case keypolicy.ReasonRateLimited:
		e.status = http.StatusTooManyRequests
		e.Category = "RATE_LIMITS"
		e.ErrorType = "RATE_LIMIT"
		e.PolicyName = string(d.Policy)
		e.Message = fmt.Sprintf("You have reached this key's %s limit.", strings.ToLower(string(d.Policy)))
		if d.RetryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(d.RetryAfter.Seconds()+0.999)))
		}
	default: // missing, unknown, revoked or expired key
		e.status = http.StatusUnauthorized
		e.Category = "INVALID_AUTHENTICATION"
		e.Message = "Authentication credentials not found or no longer valid. Present a gateway key as a bearer token."
	}
	writeError(w, e)
}

// signatureReason names why a signature failed without quoting it.
func signatureReason(err error) string {
	type reasoner interface{ SignatureReason() string }
	var r reasoner
	if errors.As(err, &r) {
		return r.SignatureReason()
	}
	if err != nil {
		return err.Error()
	}
	return "not verified"
}

// apiError is HubSpot's error body.
type apiError struct {
	status        int
	Status        string        `json:"status"`
	Message       string        `json:"message"`
	CorrelationID string        `json:"correlationId"`
	Category      string        `json:"category"`
	SubCategory   string        `json:"subCategory,omitempty"`
	Errors        []errorDetail `json:"errors,omitempty"`
	ErrorType     string        `json:"errorType,omitempty"`
	PolicyName    string        `json:"policyName,omitempty"`
}

type errorDetail struct {
	Message string              `json:"message"`
	Context map[string][]string `json:"context,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	e.Status = "error"
	var b [16]byte
	_, _ = rand.Read(b[:])
	e.CorrelationID = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	body, _ := json.Marshal(e)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("X-HubSpot-Correlation-Id", e.CorrelationID)
	h.Set("X-Hubkey-Gateway", "denied")
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// proxy forwards an allowed call to HubSpot.
func (g *Gateway) proxy(w http.ResponseWriter, r *http.Request, st *callState) {
	st.call.Upstream = g.upstreamName(r)
	g.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callStateKey{}, st)))
}

// upstreamName names the upstream credential a call goes out with.
func (g *Gateway) upstreamName(r *http.Request) string {
	if g.creds == nil {
		return "token"
	}
	c, err := g.creds.For(r.Method, r.URL.EscapedPath())
	if err != nil {
		return ""
	}
	return c.Name
}

func (g *Gateway) newReverseProxy() *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(g.upstream)
			pr.Out.Host = ""
			for _, h := range []string{"Signature", "Signature-Input", "Content-Digest"} {
				pr.Out.Header.Del(h)
			}
		},
		Transport:      g.forward,
		BufferPool:     copyBuffers{},
		FlushInterval:  -1,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.proxyError,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
}

// modifyResponse removes the upstream token from whatever HubSpot sent
// back, in headers and body, whatever the status.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	toks := g.scrub.tokens(resp.Request.Context())
	if len(toks) == 0 {
		return nil
	}
	for name, vals := range resp.Header {
		for i, v := range vals {
			if red := secrets.Redact([]byte(v), toks...); !bytes.Equal(red, []byte(v)) {
				vals[i] = string(red)
			}
		}
		resp.Header[name] = vals
	}
	resp.Trailer = nil
	if resp.ContentLength >= 0 && resp.ContentLength <= maxBufferedBody {
		b, err := io.ReadAll(io.LimitReader(resp.Body, resp.ContentLength+1))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("reading HubSpot's answer: %w", credhttp.ScrubTransportError(err, toks...))
		}
		b = secrets.Redact(b, toks...)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	resp.Header.Del("Content-Length")
	resp.ContentLength = -1
	resp.Body = newRedactingReader(resp.Body, toks)
	return nil
}

// maxBufferedBody is the largest answer of known length redacted whole;
// larger ones, and those of unknown length, are redacted as they stream.
const maxBufferedBody = 1 << 20

// proxyError answers a call HubSpot could not be reached for.
func (g *Gateway) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if st, ok := r.Context().Value(callStateKey{}).(*callState); ok {
		st.call.Upstream = ""
	}
	status, msg := http.StatusBadGateway, "HubSpot could not be reached."
	var rl *hubspot.RateLimitError
	var se *hubspot.ScopeError
	switch {
	case errors.As(err, &rl):
		status, msg = http.StatusTooManyRequests, "HubSpot's rate budget for this app is used up."
	case errors.As(err, &se):
		status, msg = http.StatusForbidden, "None of the gateway's HubSpot tokens holds the scopes this call needs."
	case errors.Is(err, context.Canceled):
		status, msg = 499, "The caller went away."
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusGatewayTimeout, "HubSpot did not answer in time."
	}
	g.logger.Warn("gateway: forwarding failed", "err", credhttp.ScrubTransportError(err, g.scrub.tokens(r.Context())...))
	writeError(w, &apiError{status: status, Category: "GATEWAY_ERROR", Message: msg})
}

// countingWriter counts the bytes of the answer and keeps its status.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// countingReader counts the bytes of the request body.
type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// copyBuffers lends the reverse proxy its 32 KiB copy buffers, which it
// would otherwise allocate per call.
type copyBuffers struct{}

var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (copyBuffers) Get() []byte  { return *copyBufferPool.Get().(*[]byte) }
func (copyBuffers) Put(b []byte) { copyBufferPool.Put(&b) }
