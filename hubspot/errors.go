package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors to test with errors.Is. A *Error or *RateLimitError
// matches the sentinel that fits its status code or category; a batch item's
// error matches by category.
var (
	// ErrNotFound: 404, or category OBJECT_NOT_FOUND.
	ErrNotFound = errors.New("hubspot: not found")
	// ErrUnauthorized: 401, category INVALID_AUTHENTICATION: the token is
	// invalid, revoked or expired.
	ErrUnauthorized = errors.New("hubspot: unauthorized")
	// ErrForbidden: 403, category MISSING_SCOPES: the token lacks a scope
	// the call needs.
	ErrForbidden = errors.New("hubspot: forbidden")
	// ErrConflict: 409, or category CONFLICT (a duplicate value of a unique
	// property such as email) or OBJECT_ALREADY_EXISTS (a name in use, as
	// HubSpot reports it for one input of a batch).
	ErrConflict = errors.New("hubspot: conflict")
	// ErrRateLimited: 429, or category RATE_LIMITS. The error is a
	// *RateLimitError when it came from a 429 response.
	ErrRateLimited = errors.New("hubspot: rate limited")
	// ErrValidation: 400 or 422, or category VALIDATION_ERROR; also the
	// client-side checks that stop a request HubSpot would reject.
	ErrValidation = errors.New("hubspot: validation error")
)

// maxErrorBody is how much of an error response is read and parsed.
const maxErrorBody = 1 << 20

// Error is an error response from HubSpot, or one input's error inside a
// batch response. HubSpot documents every field of its error body as
// optional, so any of them may be empty.
//
// Error() shows the method, the path (never the query string), the status,
// the category and HubSpot's message. It never shows a header value or the
// request body.
type Error struct {
	// StatusCode is the HTTP status of the response (for a batch item, the
	// status of the batch response that carried it).
	StatusCode int
	// Method and Path identify the request; Path has no query string.
	Method, Path string

	// Category is HubSpot's error category, such as VALIDATION_ERROR,
	// OBJECT_NOT_FOUND, MISSING_SCOPES, INVALID_AUTHENTICATION, CONFLICT or
	// RATE_LIMITS.
	Category string
	// SubCategory refines Category, when HubSpot sends one.
	SubCategory string
	// Message is HubSpot's human-readable message.
	Message string
	// CorrelationID identifies the request to HubSpot support.
	CorrelationID string
	// Errors lists details, such as one entry per invalid property.
	Errors []ErrorDetail
	// Context carries structured facts, such as "missingScopes" or, in a
	// batch response, the "ids" or "objectWriteTraceId" the error is about.
	Context map[string][]string
	// Links maps names to documentation URLs.
	Links map[string]string

	policyName string // 429 bodies: TEN_SECONDLY_ROLLING, SECONDLY, DAILY
}

// ErrorDetail is one entry of an error's details.
type ErrorDetail struct {
	Message     string
	Code        string
	In          string // where the problem is, such as a property name
	SubCategory string
	Context     map[string][]string
}

// Error describes the error without headers, query strings or request
// bodies.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("hubspot: ")
	if e.Method != "" || e.Path != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.StatusCode != 0 {
		b.WriteString(strconv.Itoa(e.StatusCode))
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteByte(' ')
			b.WriteString(t)
		}
	}
	if e.Category != "" {
		if e.StatusCode != 0 {
			b.WriteString(" ")
		}
		b.WriteString(e.Category)
		if e.SubCategory != "" {
			b.WriteByte('/')
			b.WriteString(e.SubCategory)
		}
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id ")
		b.WriteString(e.CorrelationID)
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether e matches one of the package's sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.Category == "OBJECT_NOT_FOUND"
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.Category == "INVALID_AUTHENTICATION"
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden || e.Category == "MISSING_SCOPES"
	case ErrConflict:
		return e.StatusCode == http.StatusConflict || e.Category == "CONFLICT" || e.Category == "OBJECT_ALREADY_EXISTS"
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests || e.Category == "RATE_LIMITS"
	case ErrValidation:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity ||
			e.Category == "VALIDATION_ERROR"
	}
	return false
}

// RequiredScopes returns the scopes a 403 MISSING_SCOPES error says the
// call needs: HubSpot lists them as "requiredGranularScopes" in the
// context of an errors[] entry (some APIs use "missingScopes", at either
// level). Nil when the error names none.
func (e *Error) RequiredScopes() []string {
	var out []string
	add := func(ctx map[string][]string) {
		for _, k := range []string{"requiredGranularScopes", "missingScopes"} {
			for _, s := range ctx[k] {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
	}
	add(e.Context)
	for _, d := range e.Errors {
		add(d.Context)
	}
	return out
}

// RateLimitPolicy names the HubSpot limit a 429 response says was hit.
type RateLimitPolicy string

// HubSpot's rate-limit policies, as its 429 bodies name them in policyName.
const (
	// Daily is the per-account daily limit: waiting seconds does not help,
	// so the client fails fast.
	Daily RateLimitPolicy = "DAILY"
	// TenSecondly is the per-app rolling ten-second limit.
	TenSecondly RateLimitPolicy = "TEN_SECONDLY_ROLLING"
	// Secondly is the per-second limit, which the search endpoints use.
	Secondly RateLimitPolicy = "SECONDLY"
)

// RateLimitError is returned for a 429 response that was not retried, or
// whose retries ran out. It matches ErrRateLimited and unwraps to the
// response's *Error.
type RateLimitError struct {
	// Policy is the limit that was hit; empty when HubSpot did not say.
	Policy RateLimitPolicy
	// RetryAfter is how long HubSpot asked the client to wait (Retry-After,
	// else the limit's interval); zero when unknown, as for Daily.
	RetryAfter time.Duration
	// Err is the error response.
	Err *Error
}

// Error shows the response error, the policy and the wait HubSpot asked
// for.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Policy != "" {
		b.WriteString(" [policy ")
		b.WriteString(string(e.Policy))
		b.WriteByte(']')
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap returns the response's *Error.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is reports whether target is ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// wireError is HubSpot's error body. Every field is optional and some APIs
// send other shapes (subCategory as an object, context as a string), so each
// field is decoded leniently.
type wireError struct {
	Status        lenientString  `json:"status"`
	Category      lenientString  `json:"category"`
	SubCategory   lenientString  `json:"subCategory"`
	Message       lenientString  `json:"message"`
	CorrelationID lenientString  `json:"correlationId"`
	Errors        []wireDetail   `json:"errors"`
	Context       lenientContext `json:"context"`
	Links         lenientLinks   `json:"links"`
	PolicyName    lenientString  `json:"policyName"`
	ErrorType     lenientString  `json:"errorType"`
}

type wireDetail struct {
	Message     lenientString  `json:"message"`
	Code        lenientString  `json:"code"`
	In          lenientString  `json:"in"`
	SubCategory lenientString  `json:"subCategory"`
	Context     lenientContext `json:"context"`
}

func (w *wireError) toError(status int, method, path string) *Error {
	e := &Error{
		StatusCode:    status,
		Method:        method,
		Path:          path,
		Category:      string(w.Category),
		SubCategory:   string(w.SubCategory),
		Message:       string(w.Message),
		CorrelationID: string(w.CorrelationID),
		Context:       map[string][]string(w.Context),
		Links:         map[string]string(w.Links),
		policyName:    string(w.PolicyName),
	}
	if e.Category == "" && string(w.ErrorType) == "RATE_LIMIT" {
		e.Category = "RATE_LIMITS"
	}
	for _, d := range w.Errors {
		e.Errors = append(e.Errors, ErrorDetail{
			Message:     string(d.Message),
			Code:        string(d.Code),
			In:          string(d.In),
			SubCategory: string(d.SubCategory),
			Context:     map[string][]string(d.Context),
		})
	}
	return e
}

// lenientString accepts a JSON string, number or bool as text, and any
// object or array as its compact JSON text; null is "".
type lenientString string

func (s *lenientString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return nil // leave empty rather than fail the whole error
		}
		*s = lenientString(v)
	case b[0] == '{' || b[0] == '[':
		var buf bytes.Buffer
		if json.Compact(&buf, b) == nil && buf.String() != "{}" && buf.String() != "[]" {
			*s = lenientString(buf.String())
		}
	default:
		*s = lenientString(b)
	}
	return nil
}

// lenientContext decodes HubSpot's context object, normally
// {"key": ["v1", "v2"]}, accepting scalar values and non-string elements.
// A context that is not an object is ignored.
type lenientContext map[string][]string

func (c *lenientContext) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil || len(raw) == 0 {
		return nil
	}
	out := make(map[string][]string, len(raw))
	for k, v := range raw {
		var list []lenientString
		if json.Unmarshal(v, &list) == nil {
			vals := make([]string, len(list))
			for i, x := range list {
				vals[i] = string(x)
			}
			out[k] = vals
			continue
		}
		var one lenientString
		_ = one.UnmarshalJSON(v)
		if one != "" {
			out[k] = []string{string(one)}
		}
	}
	*c = out
	return nil
}

type lenientLinks map[string]string

func (l *lenientLinks) UnmarshalJSON(b []byte) error {
	var raw map[string]lenientString
	if json.Unmarshal(b, &raw) != nil || len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = string(v)
	}
	*l = out
	return nil
}

// readErrorBody reads at most maxErrorBody bytes of body. Anything past the
// limit is discarded (the caller closes the body).
func readErrorBody(body io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	return b
}

// newResponseError builds the error for a non-success response and closes
// its body. A 429 becomes a *RateLimitError.
func newResponseError(resp *http.Response, now time.Time) error {
	defer resp.Body.Close()
	method, path := "", ""
	if resp.Request != nil {
		method, path = resp.Request.Method, resp.Request.URL.Path
	}
	var w wireError
	body := readErrorBody(resp.Body)
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &w) != nil {
		w = wireError{} // not JSON (an HTML page from a proxy): status only
	}
	e := w.toError(resp.StatusCode, method, path)
	if resp.StatusCode != http.StatusTooManyRequests {
		return e
	}
	return newRateLimitError(e, resp.Header, now)
}

func newRateLimitError(e *Error, h http.Header, now time.Time) *RateLimitError {
	rl := &RateLimitError{Policy: RateLimitPolicy(e.policyName), Err: e}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		rl.RetryAfter = d
	} else if rl.Policy != Daily {
		rl.RetryAfter = policyInterval(rl.Policy, h)
	}
	return rl
}

// policyInterval is how long the rolling window of policy is: the
// X-HubSpot-RateLimit-Interval-Milliseconds header when HubSpot sends it,
// else HubSpot's published interval.
func policyInterval(p RateLimitPolicy, h http.Header) time.Duration {
	if d, ok := headerMillis(h, hdrRateInterval); ok {
		return d
	}
	if p == Secondly {
		return time.Second
	}
	return 10 * time.Second
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > int64(maxHeaderWait/time.Second) {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now) // saturates rather than wraps for far dates
		if d < 0 {
			d = 0
		}
		if d > maxHeaderWait {
			return 0, false
		}
		return d, true
	}
	return 0, false
}

// maxHeaderWait bounds every wait read from a header (Retry-After, the
// rate-limit interval): HubSpot's longest window is a day, so anything past
// a year is not a wait but a broken or hostile header, and ignored.
const maxHeaderWait = 365 * 24 * time.Hour

// headerMillis parses a header of milliseconds as a positive duration of
// at most maxHeaderWait.
func headerMillis(h http.Header, name string) (time.Duration, bool) {
	ms, ok := headerInt(h, name)
	if !ok || ms <= 0 || ms > maxHeaderWait.Milliseconds() {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// headerInt parses a non-negative integer header of reasonable size.
// name must be in canonical form: it indexes the map directly, as
// net/http's clients store the headers they receive, which spares
// checking the name's form on every answer.
func headerInt(h http.Header, name string) (int64, bool) {
	var v string
	if vv := h[name]; len(vv) > 0 {
		v = vv[0]
	}
	if v == "" || len(v) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// sanitizeError rewrites the *url.Error that http.Client returns so that its
// URL carries neither a query string, a fragment, nor user info.
func sanitizeError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: sanitizeURL(ue.URL), Err: ue.Err}
}

// sanitizeURL keeps only the scheme, host and path of raw.
func sanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			raw = raw[:i]
		}
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				raw = raw[:j+3] + raw[i+1:]
			}
		}
		return raw
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return clean.String()
}

// validationError is a client-side check that failed before anything was
// sent. It matches ErrValidation.
type validationError struct{ msg string }

func (e *validationError) Error() string        { return "hubspot: " + e.msg }
func (e *validationError) Is(target error) bool { return target == ErrValidation }

func errorf(format string, args ...any) error {
	return &validationError{msg: fmt.Sprintf(format, args...)}
}
