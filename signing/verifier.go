package signing

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// Reason says why a signature was rejected. It is meant for logs and for
// the body of a 401: it never carries a MAC, a key or a body.
type Reason string

// The reasons a Verifier rejects a request for.
const (
	// ReasonUnsigned: no Signature-Input and Signature fields (or none
	// under the label the Verifier is configured for).
	ReasonUnsigned Reason = "unsigned"
	// ReasonMalformed: the fields do not follow RFC 9421/9651, or use an
	// algorithm or component this package does not support.
	ReasonMalformed Reason = "malformed"
	// ReasonInsufficient: the signature is valid in form but does not
	// cover what the Verifier requires (components, created, keyid, nonce,
	// the body).
	ReasonInsufficient Reason = "insufficient_coverage"
	// ReasonUnknownKey: no key with the signature's key ID.
	ReasonUnknownKey Reason = "unknown_key"
	// ReasonKeyUnavailable: the key ID is known but its source failed; the
	// fault is the verifier's, not the client's.
	ReasonKeyUnavailable Reason = "key_unavailable"
	// ReasonBadSignature: the MAC does not match: wrong key, or a covered
	// component was changed.
	ReasonBadSignature Reason = "bad_signature"
	// ReasonBadDigest: the body does not match the signed Content-Digest.
	ReasonBadDigest Reason = "bad_digest"
	// ReasonStale: created is older than the Verifier's max age (or older
	// than its replay cache can vouch for).
	ReasonStale Reason = "stale"
	// ReasonFuture: created is further ahead than the allowed clock skew.
	ReasonFuture Reason = "future"
	// ReasonExpired: the signature's expires has passed.
	ReasonExpired Reason = "expired"
	// ReasonReplayed: this signature's nonce was already accepted.
	ReasonReplayed Reason = "replayed"
	// ReasonBodyTooLarge: the body exceeds the Verifier's limit.
	ReasonBodyTooLarge Reason = "body_too_large"
	// ReasonNonceUnavailable: the shared replay cache (WithNonceStore)
	// could not be asked whether the nonce is new, so the signature is
	// refused; the fault is the verifier's, not the client's.
	ReasonNonceUnavailable Reason = "nonce_unavailable"
)

// VerifyError is the error a Verifier returns. Its Error text names the
// reason, the label and the claimed key ID, and a detail that never holds
// a MAC, a key, or a byte of the body.
type VerifyError struct {
	Reason Reason
	Label  string // the signature's label, if one was chosen
	KeyID  string // the key ID the request claimed, shortened; not proof of anything
	Detail string
	err    error
}

// Sentinel errors to test a VerifyError's reason with errors.Is.
var (
	ErrUnsigned       = &VerifyError{Reason: ReasonUnsigned}
	ErrMalformedSig   = &VerifyError{Reason: ReasonMalformed}
	ErrInsufficient   = &VerifyError{Reason: ReasonInsufficient}
	ErrUnknownKey     = &VerifyError{Reason: ReasonUnknownKey}
	ErrKeyUnavailable = &VerifyError{Reason: ReasonKeyUnavailable}
	ErrBadSignature   = &VerifyError{Reason: ReasonBadSignature}
	ErrBadDigest      = &VerifyError{Reason: ReasonBadDigest}
	ErrStale          = &VerifyError{Reason: ReasonStale}
	ErrFuture         = &VerifyError{Reason: ReasonFuture}
	ErrExpired        = &VerifyError{Reason: ReasonExpired}
	ErrReplayed       = &VerifyError{Reason: ReasonReplayed}
	ErrBodyTooLarge   = &VerifyError{Reason: ReasonBodyTooLarge}
)

func (e *VerifyError) Error() string {
	var b strings.Builder
	b.WriteString("signing: signature rejected (")
	b.WriteString(string(e.Reason))
	b.WriteByte(')')
	if e.Label != "" {
		fmt.Fprintf(&b, " label %q", e.Label)
	}
	if e.KeyID != "" {
		fmt.Fprintf(&b, " keyid %q", e.KeyID)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *VerifyError) Unwrap() error { return e.err }

// Is reports whether target is a VerifyError with the same reason, so that
// errors.Is(err, ErrReplayed) works.
func (e *VerifyError) Is(target error) bool {
	t, ok := target.(*VerifyError)
	return ok && t.Reason == e.Reason
}

// StatusCode is the HTTP status a server should answer with: 413 for a
// body over the limit, 503 when the key source failed, 401 otherwise.
func (e *VerifyError) StatusCode() int {
	switch e.Reason {
	case ReasonBodyTooLarge:
		return http.StatusRequestEntityTooLarge
	case ReasonKeyUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

// LogValue logs the reason, label and claimed key ID.
func (e *VerifyError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("reason", string(e.Reason)), slog.String("label", e.Label), slog.String("keyid", e.KeyID))
}

// SignatureReason returns the reason code, such as "replayed". It lets
// packages that must not import this one (keypolicy, hubspottest) read
// the reason through an interface.
func (e *VerifyError) SignatureReason() string { return string(e.Reason) }

// ReasonOf returns the Reason of a VerifyError in err's chain, or "".
func ReasonOf(err error) Reason {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return ""
}

// shorten bounds a client-supplied string before it goes into an error.
func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// Result describes an accepted signature.
type Result struct {
	Label      string
	KeyID      string
	KeyVersion string // the ID of the key version that matched (safe to log)
	Created    time.Time
	Expires    time.Time // zero when the signature has none
	Nonce      string
	Components []Component
}

type resultKey struct{}

// ResultFromContext returns the Result that Verifier.Handler stored in the
// request context of the next handler.
func ResultFromContext(ctx context.Context) (*Result, bool) {
	r, ok := ctx.Value(resultKey{}).(*Result)
	return r, ok
}

// Verifier checks RFC 9421 hmac-sha256 signatures on incoming requests.
// It is safe for concurrent use.
type Verifier struct {
	keys   *KeySet
	o      verifierOptions
	nonces *nonceCache
}

type verifierOptions struct {
	clock         clock.Clock
	maxAge        time.Duration
	skew          time.Duration
	maxBody       int64
	required      []Component
	allowNoNonce  bool
	nonceCapacity int
	nonceStore    NonceStore
	label         string
	tag           string
	origin        func(*http.Request) (scheme, authority string)
	onError       func(w http.ResponseWriter, r *http.Request, err *VerifyError)
	logger        *slog.Logger
}

// VerifierOption configures a Verifier.
type VerifierOption func(*verifierOptions) error

// Defaults of a Verifier.
const (
	DefaultMaxAge        = 5 * time.Minute
	DefaultClockSkew     = 30 * time.Second
	DefaultMaxBodySize   = 10 << 20
	DefaultNonceCapacity = 100_000
)

// DefaultRequired are the components a Verifier requires a signature to
// cover unless RequireComponents says otherwise.
var DefaultRequired = []Component{C("@method"), C("@authority"), C("@path"), C("@query")}

// WithClock sets the clock (default: the system clock).
func WithClock(c clock.Clock) VerifierOption {
	return func(o *verifierOptions) error { o.clock = c; return nil }
}

// WithMaxAge sets how old a signature's created may be (default
// DefaultMaxAge). It also sets how long nonces are remembered.
func WithMaxAge(d time.Duration) VerifierOption {
	return func(o *verifierOptions) error {
		if d <= 0 {
			return fmt.Errorf("signing: max age must be > 0, got %v", d)
		}
		o.maxAge = d
		return nil
	}
}

// WithClockSkew sets how far in the future created may be, and how long
// after expires a signature is still accepted (default DefaultClockSkew).
func WithClockSkew(d time.Duration) VerifierOption {
	return func(o *verifierOptions) error {
		if d < 0 {
			return fmt.Errorf("signing: clock skew must be >= 0, got %v", d)
		}
		o.skew = d
		return nil
	}
}

// WithMaxBodySize bounds the body the Verifier reads to check its digest
// (default DefaultMaxBodySize). A larger body is rejected with
// ReasonBodyTooLarge.
func WithMaxBodySize(n int64) VerifierOption {
	return func(o *verifierOptions) error {
		if n <= 0 {
			return fmt.Errorf("signing: max body size must be > 0, got %d", n)
		}
		o.maxBody = n
		return nil
	}
}

// RequireComponents sets the components every signature must cover
// (default DefaultRequired). Whatever is set here, a request with a body
// must have a signature that covers content-digest, and content-type too
// when the request has one: otherwise the body, or how it is read, could
// be changed without breaking the signature.
func RequireComponents(components ...Component) VerifierOption {
	return func(o *verifierOptions) error {
		for _, c := range components {
			if err := c.validate(); err != nil {
				return fmt.Errorf("signing: RequireComponents: %w", err)
			}
		}
		o.required = append([]Component{}, components...)
		return nil
	}
}

// AllowNoNonce accepts signatures without a nonce, which cannot be
// checked for replay. Only for interoperating with signers that cannot
// send one.
func AllowNoNonce() VerifierOption {
	return func(o *verifierOptions) error { o.allowNoNonce = true; return nil }
}

// WithNonceCapacity sets how many nonces the replay cache holds (default
// DefaultNonceCapacity, about 8 MB when full). See the package
// documentation for what happens when it is full.
func WithNonceCapacity(n int) VerifierOption {
	return func(o *verifierOptions) error {
		if n <= 0 {
			return fmt.Errorf("signing: nonce capacity must be > 0, got %d", n)
		}
		o.nonceCapacity = n
		return nil
	}
}

// NonceStore is a replay cache that several Verifiers share: the replicas
// of a service that verifies signatures, each of which would otherwise
// accept a signed request once more when it is replayed to it.
type NonceStore interface {
	// ClaimNonce records key until expires and reports whether it was
	// new: false when it is recorded already and, at now, not expired.
	// key is a hash of a signature's key ID and nonce, never the nonce.
	// An error makes the Verifier refuse the signature
	// (ReasonNonceUnavailable): it fails closed.
	ClaimNonce(ctx context.Context, key [16]byte, now, expires time.Time) (bool, error)
}

// WithNonceStore makes the Verifier record each nonce it accepts in s as
// well as in its own replay cache, and refuse one s has seen
// (ReasonReplayed), so that a signed request is accepted once by all the
// Verifiers sharing s. s is asked only about signatures that verified
// and that the Verifier's own cache has not seen, with the request's
// context. gateway/sqlstore's Store is one.
func WithNonceStore(s NonceStore) VerifierOption {
	return func(o *verifierOptions) error {
		if s == nil {
			return errors.New("signing: WithNonceStore(nil)")
		}
		o.nonceStore = s
		return nil
	}
}

// WithLabel verifies only the signature under label. By default the
// Verifier checks the first signature whose key ID it knows.
func WithLabel(label string) VerifierOption {
	return func(o *verifierOptions) error {
		if err := validLabel(label); err != nil {
			return err
		}
		o.label = label
		return nil
	}
}

// RequireTag accepts only signatures whose tag parameter is tag.
func RequireTag(tag string) VerifierOption {
	return func(o *verifierOptions) error { o.tag = tag; return nil }
}

// WithOrigin tells the Verifier the scheme and authority clients used to
// reach it, for @scheme, @authority and @target-uri. By default the scheme
// is https when the connection is TLS and http otherwise, and the
// authority is the Host field. Behind a proxy that rewrites either, set
// this to the public values; do not trust forwarding headers from clients
// blindly.
func WithOrigin(f func(r *http.Request) (scheme, authority string)) VerifierOption {
	return func(o *verifierOptions) error { o.origin = f; return nil }
}

// WithErrorHandler sets what Handler answers a rejected request with. The
// default writes err.StatusCode() and a text body naming the reason.
func WithErrorHandler(f func(w http.ResponseWriter, r *http.Request, err *VerifyError)) VerifierOption {
	return func(o *verifierOptions) error { o.onError = f; return nil }
}

// WithLogger logs each rejection at Info level with its reason, label and
// claimed key ID (default: discard).
func WithLogger(l *slog.Logger) VerifierOption {
	return func(o *verifierOptions) error { o.logger = l; return nil }
}

// NewVerifier returns a Verifier that accepts signatures made with the
// keys in keys.
func NewVerifier(keys *KeySet, opts ...VerifierOption) (*Verifier, error) {
	if keys == nil {
		return nil, errors.New("signing: NewVerifier needs a KeySet, got nil")
	}
	o := verifierOptions{
		maxAge:        DefaultMaxAge,
		skew:          DefaultClockSkew,
		maxBody:       DefaultMaxBodySize,
		required:      append([]Component(nil), DefaultRequired...),
		nonceCapacity: DefaultNonceCapacity,
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	o.clock = clock.Or(o.clock)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.onError == nil {
		o.onError = defaultErrorHandler
	}
	return &Verifier{keys: keys, o: o, nonces: newNonceCache(o.nonceCapacity)}, nil
}

func defaultErrorHandler(w http.ResponseWriter, _ *http.Request, err *VerifyError) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(err.StatusCode())
	fmt.Fprintf(w, "signature rejected: %s\n", err.Reason)
}

// Handler returns middleware that passes to next only requests whose
// signature verifies; the Result is in the request context
// (ResultFromContext) and the body, read to check its digest, is restored.
// Rejected requests get the error handler's answer (401 with the reason by
// default).
func (v *Verifier) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := v.Verify(r)
		if err != nil {
			var ve *VerifyError
			if !errors.As(err, &ve) {
				ve = &VerifyError{Reason: ReasonMalformed, Detail: err.Error(), err: err}
			}
			v.o.onError(w, r, ve)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), resultKey{}, res)))
	})
}

// VerifyRequest verifies r's signature; see Verify. It satisfies the
// SignatureVerifier interface of hubkey's keypolicy package.
func (v *Verifier) VerifyRequest(r *http.Request) error {
	_, err := v.Verify(r)
	return err
}

// Verify checks r's signature and returns what it covered. Errors are
// *VerifyError. When r has a body, Verify reads it (through the size
// limit) to check its digest and replaces r.Body with an equivalent
// reader, so the next handler sees the same bytes.
//
// The checks run cheapest first and the nonce is recorded last, after the
// MAC and the digest passed, so that a request without a valid signature
// can neither fill the replay cache nor make the Verifier read its body.
func (v *Verifier) Verify(r *http.Request) (*Result, error) {
	res, err := v.verify(r)
	if err != nil {
		var ve *VerifyError
		if errors.As(err, &ve) {
			v.o.logger.LogAttrs(r.Context(), slog.LevelInfo, "signature rejected", slog.Any("signature", ve.LogValue()))
		}
		return nil, err
	}
	return res, nil
}

func (v *Verifier) verify(r *http.Request) (*Result, error) {
	inputLines, sigLines := r.Header.Values(HeaderSignatureInput), r.Header.Values(HeaderSignature)
	if len(inputLines) == 0 && len(sigLines) == 0 {
		return nil, &VerifyError{Reason: ReasonUnsigned, Detail: "the request has no Signature-Input or Signature field"}
	}
	if len(inputLines) == 0 || len(sigLines) == 0 {
		return nil, &VerifyError{Reason: ReasonMalformed, Detail: "the request has only one of Signature-Input and Signature"}
	}
	inputs, err := ParseSignatureInput(strings.Join(inputLines, ", "))
	if err != nil {
		return nil, &VerifyError{Reason: ReasonMalformed, Detail: err.Error(), err: err}
	}
	sigs, err := ParseSignature(strings.Join(sigLines, ", "))
	if err != nil {
		return nil, &VerifyError{Reason: ReasonMalformed, Detail: err.Error(), err: err}
	}
	in, verr := v.choose(inputs, sigs)
	if verr != nil {
		return nil, verr
	}
	fail := func(reason Reason, format string, args ...any) (*Result, error) {
		return nil, &VerifyError{Reason: reason, Label: in.Label, KeyID: shorten(in.KeyID), Detail: fmt.Sprintf(format, args...)}
	}
	if in.Alg != "" && in.Alg != Algorithm {
		return fail(ReasonMalformed, "algorithm %q is not supported (only %s)", shorten(in.Alg), Algorithm)
	}
	if v.o.tag != "" && in.Tag != v.o.tag {
		return fail(ReasonInsufficient, "the signature's tag is %q, not %q", shorten(in.Tag), v.o.tag)
	}
	for _, c := range v.o.required {
		if !in.coversExactly(c) {
			return fail(ReasonInsufficient, "the signature does not cover %s", c)
		}
	}
	if in.KeyID == "" {
		return fail(ReasonInsufficient, "the signature has no keyid parameter")
	}
	if in.Created.IsZero() {
		return fail(ReasonInsufficient, "the signature has no created parameter")
	}
	if in.Nonce == "" && !v.o.allowNoNonce {
		return fail(ReasonInsufficient, "the signature has no nonce parameter")
	}
	if len(in.Nonce) > 256 {
		return fail(ReasonMalformed, "the nonce is %d bytes long, more than 256", len(in.Nonce))
	}

	now := v.o.clock.Now()
	if in.Created.Before(now.Add(-v.o.maxAge)) {
		return fail(ReasonStale, "created %s is more than %v before now", in.Created.UTC().Format(time.RFC3339), v.o.maxAge)
	}
	if in.Created.After(now.Add(v.o.skew)) {
		return fail(ReasonFuture, "created %s is more than %v after now", in.Created.UTC().Format(time.RFC3339), v.o.skew)
	}
	if !in.Expires.IsZero() {
		if in.Expires.Before(in.Created) {
			return fail(ReasonMalformed, "expires is before created")
		}
		if !now.Before(in.Expires.Add(v.o.skew)) {
			return fail(ReasonExpired, "the signature expired at %s", in.Expires.UTC().Format(time.RFC3339))
		}
	}

	keys, known, err := v.keys.candidates(r.Context(), in.KeyID, now)
	if !known {
		return fail(ReasonUnknownKey, "no key with this key ID")
	}
	if err != nil {
		return nil, &VerifyError{Reason: ReasonKeyUnavailable, Label: in.Label, KeyID: shorten(in.KeyID), Detail: err.Error(), err: err}
	}

	base, err := signatureBase(v.serverMessage(r), in.Components, in.raw)
	if err != nil {
		return fail(ReasonMalformed, "%v", err)
	}
	got := sigs[in.Label]
	matched := -1
	for i, k := range keys {
		if subtle.ConstantTimeCompare(computeMAC(k.Value, base), got) == 1 && matched < 0 {
			matched = i
		}
	}
	if matched < 0 {
		return fail(ReasonBadSignature, "the signature does not match")
	}

	if vr, err := v.checkBody(r, in); err != nil {
		return nil, err
	} else if vr != "" {
		return fail(ReasonInsufficient, "%s", vr)
	}

	if in.Nonce != "" {
		expiry := in.Created.Add(v.o.maxAge).Unix() + 1
		key := nonceKey(in.KeyID, in.Nonce)
		switch v.nonces.add(key, in.Created.Unix(), expiry, now.Unix()) {
		case nonceReplayed:
			return fail(ReasonReplayed, "this nonce was already accepted")
		case nonceBelowFloor:
			return fail(ReasonStale, "the replay cache is full and can no longer vouch for signatures created this early")
		}
		if st := v.o.nonceStore; st != nil {
			fresh, err := st.ClaimNonce(r.Context(), key, now, time.Unix(expiry, 0))
			switch {
			case err != nil:
				// The store's error is the operator's to see (the log), not
				// the client's: it may name the database.
				v.o.logger.LogAttrs(r.Context(), slog.LevelWarn, "signing: the shared replay cache failed", slog.String("error", err.Error()))
				return fail(ReasonNonceUnavailable, "the shared replay cache could not be asked")
			case !fresh:
				return fail(ReasonReplayed, "this nonce was already accepted by another verifier sharing the replay cache")
			}
		}
	}
	return &Result{
		Label:      in.Label,
		KeyID:      in.KeyID,
		KeyVersion: keys[matched].ID,
		Created:    in.Created,
		Expires:    in.Expires,
		Nonce:      in.Nonce,
		Components: in.Components,
	}, nil
}

// coversExactly reports whether in covers c with the same parameters.
func (in SignatureInput) coversExactly(c Component) bool {
	for _, have := range in.Components {
		if have.Name == c.Name && have.Key == c.Key && have.SF == c.SF && have.BS == c.BS {
			return true
		}
	}
	return false
}

// choose picks the signature to verify: the configured label, or the first
// one whose key ID the KeySet knows.
func (v *Verifier) choose(inputs []SignatureInput, sigs map[string][]byte) (SignatureInput, *VerifyError) {
	if v.o.label != "" {
		for _, in := range inputs {
			if in.Label == v.o.label {
				if _, ok := sigs[in.Label]; !ok {
					return in, &VerifyError{Reason: ReasonMalformed, Label: in.Label, Detail: "Signature has no member for this label"}
				}
				return in, nil
			}
		}
		return SignatureInput{}, &VerifyError{Reason: ReasonUnsigned, Label: v.o.label, Detail: "no signature under this label"}
	}
	var first *SignatureInput
	for i, in := range inputs {
		if _, ok := sigs[in.Label]; !ok {
			continue
		}
		if first == nil {
			first = &inputs[i]
		}
		if in.KeyID != "" && v.keys.Has(in.KeyID) {
			return in, nil
		}
	}
	if first == nil {
		return SignatureInput{}, &VerifyError{Reason: ReasonMalformed, Detail: "no label is in both Signature-Input and Signature"}
	}
	// None is ours: report on the first, whose key ID is unknown (or
	// missing, which the coverage checks then report).
	return *first, nil
}

func (v *Verifier) serverMessage(r *http.Request) message {
	scheme, authority := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if v.o.origin != nil {
		scheme, authority = v.o.origin(r)
	}
	scheme = strings.ToLower(scheme)
	m := message{
		method:    r.Method,
		scheme:    scheme,
		authority: normalizeAuthority(scheme, authority),
		header:    r.Header,
		host:      r.Host,
	}
	if r.URL != nil {
		m.path = r.URL.EscapedPath()
		m.rawQuery = r.URL.RawQuery
	}
	if m.path == "" {
		m.path = "/"
	}
	return m
}

// checkBody reads r's body through the limit when it has one, restores it,
// and checks it against the signed Content-Digest. It returns a coverage
// problem as a string, or a *VerifyError.
func (v *Verifier) checkBody(r *http.Request, in SignatureInput) (string, error) {
	fail := func(reason Reason, detail string, err error) error {
		return &VerifyError{Reason: reason, Label: in.Label, KeyID: shorten(in.KeyID), Detail: detail, err: err}
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > v.o.maxBody {
			return "", fail(ReasonBodyTooLarge, fmt.Sprintf("the body is %d bytes, more than the %d-byte limit", r.ContentLength, v.o.maxBody), nil)
		}
		b, err := readBody(io.LimitReader(r.Body, v.o.maxBody+1), r.ContentLength)
		if err != nil {
			return "", fail(ReasonMalformed, "reading the body: "+err.Error(), err)
		}
		if int64(len(b)) > v.o.maxBody {
			return "", fail(ReasonBodyTooLarge, fmt.Sprintf("the body is more than the %d-byte limit", v.o.maxBody), nil)
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	covered := false
	for _, c := range in.Components {
		// A key= member covers only part of the field; an uncovered member
		// could be rewritten to match a tampered body.
		if c.Name == "content-digest" && c.Key == "" {
			covered = true
		}
	}
	if len(body) > 0 && r.Header.Get("Content-Type") != "" && !in.Covers("content-type") {
		return "the request has a body and a Content-Type but the signature does not cover content-type", nil
	}
	if !covered {
		if len(body) > 0 {
			return "the request has a body but the signature does not cover content-digest", nil
		}
		return "", nil
	}
	if err := checkContentDigest(strings.Join(r.Header.Values(HeaderContentDigest), ", "), body); err != nil {
		if errors.Is(err, errDigestMismatch) {
			return "", fail(ReasonBadDigest, err.Error(), err)
		}
		return "", fail(ReasonMalformed, err.Error(), err)
	}
	return "", nil
}
