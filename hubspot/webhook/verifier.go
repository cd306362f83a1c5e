package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/rotation"
	"github.com/hubkey/hubkey/secrets"
)

// Reason says why a request was rejected; it is safe to log and to send
// back, and never holds a signature or a secret.
type Reason string

// The reasons a Verifier rejects a request for.
const (
	// ReasonUnsigned: no signature header.
	ReasonUnsigned Reason = "unsigned"
	// ReasonMalformed: a signature or timestamp header is not in HubSpot's
	// format.
	ReasonMalformed Reason = "malformed"
	// ReasonUnsupportedVersion: the signature version is unknown, or one
	// the Verifier does not accept: v1 and v2 unless WithVersions allows
	// them, or v3 when WithVersions leaves it out.
	ReasonUnsupportedVersion Reason = "unsupported_version"
	// ReasonBadSignature: no configured client secret produces the
	// signature.
	ReasonBadSignature Reason = "bad_signature"
	// ReasonStale: the v3 timestamp is older than the tolerance.
	ReasonStale Reason = "stale"
	// ReasonFuture: the v3 timestamp is ahead of the clock by more than the
	// allowed skew.
	ReasonFuture Reason = "future"
	// ReasonBodyTooLarge: the body exceeds the size limit.
	ReasonBodyTooLarge Reason = "body_too_large"
	// ReasonNoSecret: no client secret could be obtained; the fault is the
	// receiver's, not the sender's.
	ReasonNoSecret Reason = "no_secret"
)

// Error is the error a Verifier returns.
type Error struct {
	Reason  Reason
	Version Version // 0 when not known
	Detail  string  // never holds a signature, a secret or the body
	err     error
}

func (e *Error) Error() string {
	s := "webhook: request rejected (" + string(e.Reason) + ")"
	if e.Version != 0 {
		s += " signature " + e.Version.String()
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.err }

// Is reports whether target is an *Error with the same Reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// StatusCode is the status to answer with: 413 for a body over the limit,
// 500 when no secret was available, 401 otherwise.
func (e *Error) StatusCode() int {
	switch e.Reason {
	case ReasonBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case ReasonNoSecret:
		return http.StatusInternalServerError
	}
	return http.StatusUnauthorized
}

// ReasonOf returns the Reason of an *Error in err's chain, or "".
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// SecretSource returns an app's client secret; *secrets.Cache satisfies
// it. When it also has Previous() (as *secrets.Cache does), the previous
// secret is accepted too, for PreviousGrace after the rotation (by default
// DefaultPreviousGrace), and refused after it.
type SecretSource interface {
	Get(ctx context.Context) (secrets.Version, error)
}

type previousSource interface {
	Previous() (secrets.Version, bool)
}

// Defaults of a Verifier.
const (
	// DefaultTolerance is how old a v3 timestamp may be; HubSpot's
	// documentation says to reject requests older than five minutes.
	DefaultTolerance = 5 * time.Minute
	// DefaultFutureSkew is how far ahead a v3 timestamp may be.
	DefaultFutureSkew = 30 * time.Second
	// DefaultMaxBodySize bounds the body: a batch of 100 events is a few
	// tens of kilobytes.
	DefaultMaxBodySize = 1 << 20
	// DefaultPreviousGrace is how long, after a SecretSource adopted a new
	// client secret, the previous one is still accepted: three times
	// DefaultTolerance, so that v3 deliveries HubSpot signed just before
	// it switched secrets, and their retries, still pass.
	DefaultPreviousGrace = 15 * time.Minute
)

// Verifier checks HubSpot's request signatures. It is safe for concurrent
// use.
type Verifier struct {
	static   []secrets.Secret
	sources  []SecretSource
	tracks   []*rotation.Grace // per source; nil for one without Previous()
	grace    time.Duration
	clock    clock.Clock
	tol      time.Duration
	skew     time.Duration
	maxBody  int64
	versions map[Version]bool
	url      func(*http.Request) string
	report   []func(ctx context.Context, v Version, reason Reason)
}

// Option configures a Verifier.
type Option func(*Verifier) error

// WithSecrets accepts requests signed with any of secrets: the app's
// client secret, and during a rotation the old one too. These are accepted
// for as long as they are configured: PreviousGrace applies only to the
// previous version a SecretSource keeps.
func WithSecrets(s ...secrets.Secret) Option {
	return func(v *Verifier) error {
		for i, sec := range s {
			if sec.IsZero() {
				return fmt.Errorf("webhook: WithSecrets: secret %d is empty", i)
			}
		}
		v.static = append(v.static, s...)
		return nil
	}
}

// WithSecretSource accepts requests signed with the secret src returns,
// and with its previous one, when src keeps it, for PreviousGrace after
// the rotation.
func WithSecretSource(src SecretSource) Option {
	return func(v *Verifier) error {
		if src == nil {
			return errors.New("webhook: WithSecretSource: source is nil")
		}
		v.sources = append(v.sources, src)
		return nil
	}
}

// WithClock sets the clock that v3 timestamps and the previous secret's
// grace are measured with (default: the system clock).
func WithClock(c clock.Clock) Option {
	return func(v *Verifier) error { v.clock = c; return nil }
}

// PreviousGrace sets how long after a rotation a SecretSource's previous
// client secret is still accepted (default DefaultPreviousGrace). The
// grace runs from the moment the new secret was adopted: its FetchedAt, or
// the first time the Verifier saw it, on the Verifier's clock, if that is
// earlier. Zero or a negative value never accepts the previous secret; no
// value accepts it without limit.
//
// Past the grace the previous secret stays refused whatever state the
// current one is in: a current secret that cannot be read (its store is
// down, it expired) reopens nothing. A previous version whose own
// ExpiresAt has passed is refused, and so is one replaced at a time the
// Verifier did not see (the current secret could not be read since the
// rotation).
func PreviousGrace(d time.Duration) Option {
	return func(v *Verifier) error { v.grace = d; return nil }
}

// WithTolerance sets how old a v3 timestamp may be (default
// DefaultTolerance).
func WithTolerance(d time.Duration) Option {
	return func(v *Verifier) error {
		if d <= 0 {
			return fmt.Errorf("webhook: tolerance must be > 0, got %v", d)
		}
		v.tol = d
		return nil
	}
}

// WithFutureSkew sets how far ahead of the clock a v3 timestamp may be
// (default DefaultFutureSkew).
func WithFutureSkew(d time.Duration) Option {
	return func(v *Verifier) error {
		if d < 0 {
			return fmt.Errorf("webhook: future skew must be >= 0, got %v", d)
		}
		v.skew = d
		return nil
	}
}

// WithMaxBodySize bounds the body (default DefaultMaxBodySize).
func WithMaxBodySize(n int64) Option {
	return func(v *Verifier) error {
		if n <= 0 {
			return fmt.Errorf("webhook: max body size must be > 0, got %d", n)
		}
		v.maxBody = n
		return nil
	}
}

// WithVersions sets the signature versions accepted. The default is V3
// only.
//
// V1 and V2 carry no timestamp: anyone who captures one signed delivery
// can replay it forever, and a v1 signature does not cover the URL, so it
// can be replayed to another endpoint too. Allow them only for senders
// that cannot send v3 (workflow actions and CRM cards of older apps), and
// make the handler idempotent. Whatever is allowed, a request that carries
// an X-HubSpot-Signature-v3 header is judged by it alone: its v1 or v2
// signature is not a fallback.
func WithVersions(vs ...Version) Option {
	return func(v *Verifier) error {
		if len(vs) == 0 {
			return errors.New("webhook: WithVersions needs at least one version")
		}
		v.versions = map[Version]bool{}
		for _, ver := range vs {
			if ver != V1 && ver != V2 && ver != V3 {
				return fmt.Errorf("webhook: unknown signature version %d", int(ver))
			}
			v.versions[ver] = true
		}
		return nil
	}
}

// WithPublicURL sets the scheme and host HubSpot calls, such as
// "https://hooks.example.com", for servers behind a proxy or load balancer
// that terminates TLS. The path and query are the request's, as received.
func WithPublicURL(base string) Option {
	return func(v *Verifier) error {
		base = strings.TrimRight(base, "/")
		if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
			return fmt.Errorf("webhook: public URL %q must start with https:// or http://", base)
		}
		v.url = func(r *http.Request) string { return base + requestURI(r) }
		return nil
	}
}

// WithURLFunc sets how the full URL HubSpot called is rebuilt from a
// request, when WithPublicURL is not enough (a proxy that strips a path
// prefix, say).
func WithURLFunc(f func(*http.Request) string) Option {
	return func(v *Verifier) error { v.url = f; return nil }
}

// WithReport makes the Verifier call f with the outcome of every
// verification: the signature's version (0 when not known) and the
// reason it was rejected, "" when it was accepted. It is meant for
// metrics (package hubspot/otelhubspot counts them); f must be safe for
// concurrent use and must not block.
func WithReport(f func(ctx context.Context, v Version, reason Reason)) Option {
	return func(v *Verifier) error {
		if f == nil {
			return errors.New("webhook: WithReport(nil): a function is required")
		}
		v.report = append(v.report, f)
		return nil
	}
}

// NewVerifier returns a Verifier. It needs at least one secret
// (WithSecrets or WithSecretSource).
func NewVerifier(opts ...Option) (*Verifier, error) {
	v := &Verifier{
		grace:    DefaultPreviousGrace,
		tol:      DefaultTolerance,
		skew:     DefaultFutureSkew,
		maxBody:  DefaultMaxBodySize,
		versions: map[Version]bool{V3: true},
		url:      defaultURL,
	}
	for _, o := range opts {
		if err := o(v); err != nil {
			return nil, err
		}
	}
	if len(v.static) == 0 && len(v.sources) == 0 {
		return nil, errors.New("webhook: NewVerifier needs a client secret (WithSecrets or WithSecretSource)")
	}
	v.clock = clock.Or(v.clock)
	v.tracks = make([]*rotation.Grace, len(v.sources))
	for i, src := range v.sources {
		if _, ok := src.(previousSource); ok && v.grace > 0 {
			v.tracks[i] = rotation.New(v.grace)
		}
	}
	return v, nil
}

func requestURI(r *http.Request) string {
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	if r.URL != nil {
		return r.URL.RequestURI()
	}
	return "/"
}

// defaultURL rebuilds the URL from the connection: https when it is TLS,
// the Host field, and the request target as received.
func defaultURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + requestURI(r)
}

// VerifyRequest verifies r's signature; see Verify.
func (v *Verifier) VerifyRequest(r *http.Request) error {
	_, err := v.Verify(r)
	return err
}

// Verify checks r's HubSpot signature and returns its version. A request
// with an X-HubSpot-Signature-v3 header (even an empty one) is checked as
// v3 and only as v3; otherwise X-HubSpot-Signature-Version says v1 or v2,
// which are refused unless WithVersions allows them. Verify reads the body
// through the size limit and replaces r.Body with an equivalent reader, so
// the next handler sees the same bytes. Errors are *Error.
func (v *Verifier) Verify(r *http.Request) (Version, error) {
	ver, err := v.verify(r)
	if len(v.report) > 0 {
		reason := Reason("")
		if err != nil {
			reason = ReasonOf(err)
		}
		for _, f := range v.report {
			f(r.Context(), ver, reason)
		}
	}
	return ver, err
}

func (v *Verifier) verify(r *http.Request) (Version, error) {
	ver, sig, ts, verr := v.parseHeaders(r)
	if verr != nil {
		return ver, verr
	}
	fail := func(reason Reason, format string, args ...any) (Version, error) {
		return ver, &Error{Reason: reason, Version: ver, Detail: fmt.Sprintf(format, args...)}
	}
	if ver == V3 {
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return fail(ReasonMalformed, "%s is out of range", HeaderTimestamp)
		}
		at := time.UnixMilli(ms)
		now := v.clock.Now()
		if now.Sub(at) > v.tol {
			return fail(ReasonStale, "the timestamp is %v old, more than %v", now.Sub(at).Truncate(time.Second), v.tol)
		}
		if at.Sub(now) > v.skew {
			return fail(ReasonFuture, "the timestamp is %v ahead of the clock", at.Sub(now).Truncate(time.Second))
		}
	}
	body, err := v.readBody(r)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Version = ver
		}
		return ver, err
	}
	keys, err := v.secrets(r.Context())
	if err != nil {
		return ver, &Error{Reason: ReasonNoSecret, Version: ver, Detail: err.Error(), err: err}
	}
	var uri string
	if ver != V1 {
		uri = v.url(r)
	}
	ok := 0
	for _, k := range keys {
		ok |= compare(ver, k, r.Method, uri, body, ts, sig)
	}
	if ok != 1 {
		return fail(ReasonBadSignature, "the signature does not match any configured client secret")
	}
	return ver, nil
}

// compare returns 1 when key produces sig, in time that depends only on
// the lengths involved.
func compare(ver Version, key secrets.Secret, method, uri string, body []byte, ts string, sig []byte) int {
	var want []byte
	switch ver {
	case V1, V2:
		h := sha256.New()
		h.Write([]byte(key.Reveal()))
		if ver == V2 {
			h.Write([]byte(method))
			h.Write([]byte(uri))
		}
		h.Write(body)
		want = h.Sum(nil)
	case V3:
		want = macV3([]byte(key.Reveal()), method, uri, body, ts)
	}
	return subtle.ConstantTimeCompare(want, sig)
}

// parseHeaders picks the version and decodes the signature. The signature
// is returned as raw bytes (hex or base64 decoded) so that comparison does
// not depend on letter case or padding.
func (v *Verifier) parseHeaders(r *http.Request) (Version, []byte, string, error) {
	// Any X-HubSpot-Signature-v3 line, even an empty one, makes this a v3
	// request: deleting or blanking the v3 headers of a captured delivery
	// must not turn it into a v1 or v2 one that never goes stale.
	if sigV3 := r.Header.Values(HeaderSignatureV3); len(sigV3) > 0 {
		return v.parseV3(sigV3, r.Header.Values(HeaderTimestamp))
	}
	sig := strings.TrimSpace(r.Header.Get(HeaderSignature))
	if sig == "" {
		return 0, nil, "", &Error{Reason: ReasonUnsigned, Detail: "the request has no " + HeaderSignature + " or " + HeaderSignatureV3 + " header"}
	}
	ver, err := ParseVersion(r.Header.Get(HeaderSignatureVersion))
	if err != nil {
		return 0, nil, "", &Error{Reason: ReasonUnsupportedVersion, Detail: err.Error()}
	}
	if ver == V3 {
		return ver, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: "version v3 is announced but there is no " + HeaderSignatureV3 + " header"}
	}
	if !v.versions[ver] {
		return ver, nil, "", &Error{Reason: ReasonUnsupportedVersion, Version: ver, Detail: "the request has no " + HeaderSignatureV3 + " header, and this receiver does not accept " + ver.String() + " signatures, which carry no timestamp and can be replayed (allow them with WithVersions)"}
	}
	raw, err := ParseHexSignature(sig)
	if err != nil {
		return ver, nil, "", &Error{Reason: ReasonMalformed, Version: ver, Detail: err.Error()}
	}
	return ver, raw, "", nil
}

func (v *Verifier) parseV3(sigLines, tsLines []string) (Version, []byte, string, error) {
	if !v.versions[V3] {
		return V3, nil, "", &Error{Reason: ReasonUnsupportedVersion, Version: V3, Detail: "this receiver does not accept v3 signatures"}
	}
	if len(sigLines) != 1 {
		return V3, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: fmt.Sprintf("want exactly one %s header, got %d", HeaderSignatureV3, len(sigLines))}
	}
	sig := strings.TrimSpace(sigLines[0])
	if sig == "" {
		return V3, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: HeaderSignatureV3 + " is empty"}
	}
	raw, err := ParseV3Signature(sig)
	if err != nil {
		return V3, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: err.Error()}
	}
	if len(tsLines) != 1 {
		return V3, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: fmt.Sprintf("want exactly one %s header, got %d", HeaderTimestamp, len(tsLines))}
	}
	ts, err := ParseTimestamp(tsLines[0])
	if err != nil {
		return V3, nil, "", &Error{Reason: ReasonMalformed, Version: V3, Detail: err.Error()}
	}
	return V3, raw, ts, nil
}

// ParseVersion parses an X-HubSpot-Signature-Version value: "v1", "v2"
// or "v3" (case-insensitive). An absent header means v1, which is what
// HubSpot's first signatures were.
func ParseVersion(s string) (Version, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "v1":
		return V1, nil
	case "v2":
		return V2, nil
	case "v3":
		return V3, nil
	}
	if len(s) > 16 {
		s = s[:16] + "..."
	}
	return 0, fmt.Errorf("signature version %q is not v1, v2 or v3", s)
}

// ParseHexSignature decodes a v1 or v2 signature: 64 hex digits (a
// SHA-256), either case.
func ParseHexSignature(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*sha256.Size {
		return nil, fmt.Errorf("%s must be %d hex digits, got %d characters", HeaderSignature, 2*sha256.Size, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not hex", HeaderSignature)
	}
	return b, nil
}

// ParseV3Signature decodes a v3 signature: the standard base64 of an
// HMAC-SHA256 (44 characters, padded; unpadded is accepted).
func ParseV3Signature(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if len(s) != base64.RawStdEncoding.EncodedLen(sha256.Size) {
		return nil, fmt.Errorf("%s must be the base64 of %d bytes", HeaderSignatureV3, sha256.Size)
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64", HeaderSignatureV3)
	}
	return b, nil
}

// ParseTimestamp checks an X-HubSpot-Request-Timestamp value (decimal
// milliseconds since the epoch) and returns it trimmed, exactly as it
// enters the v3 signature.
func ParseTimestamp(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%s is empty", HeaderTimestamp)
	}
	if len(s) > 18 {
		return "", fmt.Errorf("%s has %d digits, too many for milliseconds since 1970", HeaderTimestamp, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", fmt.Errorf("%s must be decimal digits (milliseconds since 1970)", HeaderTimestamp)
		}
	}
	return s, nil
}

func (v *Verifier) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > v.maxBody {
		return nil, &Error{Reason: ReasonBodyTooLarge, Detail: fmt.Sprintf("the body is %d bytes, more than the %d-byte limit", r.ContentLength, v.maxBody)}
	}
	body, err := readBody(io.LimitReader(r.Body, v.maxBody+1), r.ContentLength)
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Detail: "reading the body: " + err.Error(), err: err}
	}
	if int64(len(body)) > v.maxBody {
		return nil, &Error{Reason: ReasonBodyTooLarge, Detail: fmt.Sprintf("the body is more than the %d-byte limit", v.maxBody)}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// secrets returns every secret to try: the static ones, each source's
// current version, and its previous one within the grace.
func (v *Verifier) secrets(ctx context.Context) ([]secrets.Secret, error) {
	keys := append([]secrets.Secret(nil), v.static...)
	now := v.clock.Now()
	var errs []error
	for i, src := range v.sources {
		cur, err := src.Get(ctx)
		switch {
		case err != nil:
		case cur.Value.IsZero():
			err = fmt.Errorf("client secret version %q from %s is empty", cur.ID, cur.Source)
		case cur.Expired(now):
			err = fmt.Errorf("client secret version %q from %s expired at %s", cur.ID, cur.Source, cur.ExpiresAt.UTC().Format(time.RFC3339))
		}
		t := v.tracks[i]
		if err != nil {
			errs = append(errs, err)
		} else {
			keys = append(keys, cur.Value)
			if t != nil {
				t.Current(cur, now)
			}
		}
		if t == nil {
			continue
		}
		if p, ok := src.(previousSource).Previous(); ok && (err != nil || !p.Value.Equal(cur.Value)) && t.Accepts(p, now) {
			keys = append(keys, p.Value)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no client secret is available: %w", errors.Join(errs...))
	}
	return keys, nil
}

// readBody reads all of rd into one buffer, allocated once when hint (a
// Content-Length already checked against the limit) is positive.
func readBody(rd io.Reader, hint int64) ([]byte, error) {
	if hint <= 0 {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(rd)
		return buf.Bytes(), err
	}
	b := make([]byte, 0, hint+1)
	for {
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
