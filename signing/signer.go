package signing

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// Algorithm is the RFC 9421 algorithm name this package signs and verifies
// with.
const Algorithm = "hmac-sha256"

// DefaultLabel is the label a Signer puts its signature under.
const DefaultLabel = "hubkey"

// The field names this package reads and writes.
const (
	HeaderSignature      = "Signature"
	HeaderSignatureInput = "Signature-Input"
	HeaderContentDigest  = "Content-Digest"
)

// Signer signs HTTP requests with RFC 9421 HTTP Message Signatures, using
// hmac-sha256 and a key from a KeySource (a *secrets.Cache, so the key can
// rotate under it).
//
// Each signature covers @method, @authority, @path and @query, the
// Content-Digest (RFC 9530, sha-256) of the body when there is one, and
// Content-Type when present, plus any fields named with SignFields. Its
// parameters are created, keyid, a 128-bit nonce from crypto/rand, alg, and
// expires when SignWithExpiry is set.
//
// A Signer is safe for concurrent use.
type Signer struct {
	keys  KeySource
	keyID string
	o     signerOptions
}

type signerOptions struct {
	clock   clock.Clock
	rand    io.Reader
	label   string
	expiry  time.Duration
	fields  []string
	maxBody int64
	noAlg   bool
	noNonce bool
	tag     string
	exact   []Component // SignComponents: cover exactly these
}

// SignerOption configures a Signer.
type SignerOption func(*signerOptions) error

// SignWithClock sets the clock that created and expires are read from
// (default: the system clock).
func SignWithClock(c clock.Clock) SignerOption {
	return func(o *signerOptions) error { o.clock = c; return nil }
}

// SignWithRand sets the source of nonces (default: crypto/rand). Tests use
// it to make signatures reproducible; production code should not.
func SignWithRand(r io.Reader) SignerOption {
	return func(o *signerOptions) error { o.rand = r; return nil }
}

// SignWithLabel sets the signature's label (default DefaultLabel).
func SignWithLabel(label string) SignerOption {
	return func(o *signerOptions) error {
		if err := validLabel(label); err != nil {
			return err
		}
		o.label = label
		return nil
	}
}

// SignWithExpiry adds an expires parameter d after created. Zero (the default)
// leaves it out; verifiers then bound a signature's age themselves.
func SignWithExpiry(d time.Duration) SignerOption {
	return func(o *signerOptions) error {
		if d < 0 {
			return fmt.Errorf("signing: expiry must be >= 0, got %v", d)
		}
		o.expiry = d
		return nil
	}
}

// SignFields also covers the named fields when the request has them, such
// as "date" or "idempotency-key". Names are matched case-insensitively and
// written in lower case.
func SignFields(names ...string) SignerOption {
	return func(o *signerOptions) error {
		for _, n := range names {
			n = strings.ToLower(n)
			if err := (Component{Name: n}).validate(); err != nil || strings.HasPrefix(n, "@") {
				return fmt.Errorf("signing: SignFields: %q is not a field name", n)
			}
			if !slices.Contains(o.fields, n) {
				o.fields = append(o.fields, n)
			}
		}
		return nil
	}
}

// SignWithMaxBodySize bounds the body of a request without GetBody, which
// the Signer must buffer to sign and to make replayable (default 0: no
// limit). A larger body fails Sign.
func SignWithMaxBodySize(n int64) SignerOption {
	return func(o *signerOptions) error {
		if n < 0 {
			return fmt.Errorf("signing: max body size must be >= 0, got %d", n)
		}
		o.maxBody = n
		return nil
	}
}

// SignWithTag adds a tag parameter (RFC 9421 2.3), which a verifier can
// require to tell this application's signatures from others.
func SignWithTag(tag string) SignerOption {
	return func(o *signerOptions) error { o.tag = tag; return nil }
}

// WithoutAlg leaves the alg parameter out, as RFC 9421's own examples do.
// The verifier then relies on the key ID alone to know the algorithm.
func WithoutAlg() SignerOption {
	return func(o *signerOptions) error { o.noAlg = true; return nil }
}

// SignComponents makes the Signer cover exactly components, in order,
// instead of its default set; fields listed that the request lacks fail
// Sign. When "content-digest" is listed, the Signer computes it from the
// body. Use it to meet a verifier that expects a particular set; the
// default set is the one this package's Verifier requires.
func SignComponents(components ...Component) SignerOption {
	return func(o *signerOptions) error {
		if len(components) == 0 {
			return errors.New("signing: SignComponents needs at least one component")
		}
		if _, err := (Params{Components: components}).innerList(); err != nil {
			return fmt.Errorf("signing: SignComponents: %w", err)
		}
		o.exact = append([]Component(nil), components...)
		return nil
	}
}

// WithoutNonce leaves the nonce parameter out, as RFC 9421's hmac-sha256
// example does. Verifiers can then not detect a replay; this package's
// Verifier rejects such signatures unless configured otherwise.
func WithoutNonce() SignerOption {
	return func(o *signerOptions) error { o.noNonce = true; return nil }
}

func validLabel(label string) error {
	var b strings.Builder
	if err := writeKey(&b, label); err != nil {
		return fmt.Errorf("signing: label %q is not a valid structured-field key (lowercase letters, digits, _ - . *)", label)
	}
	return nil
}

// NewSigner returns a Signer that signs with the key from keys and labels
// it keyID. keyID names the key for verifiers; it is not secret and must
// not be the key.
func NewSigner(keys KeySource, keyID string, opts ...SignerOption) (*Signer, error) {
	if keys == nil {
		return nil, errors.New("signing: NewSigner needs a KeySource, got nil")
	}
	if err := validKeyID(keyID); err != nil {
		return nil, err
	}
	o := signerOptions{label: DefaultLabel}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	o.clock = clock.Or(o.clock)
	if o.rand == nil {
		o.rand = rand.Reader
	}
	return &Signer{keys: keys, keyID: keyID, o: o}, nil
}

// KeyID returns the key ID the Signer puts in its signatures.
func (s *Signer) KeyID() string { return s.keyID }

// Label returns the label the Signer puts its signature under.
func (s *Signer) Label() string { return s.o.label }

// Sign signs r in place: it sets Content-Digest when r has a body, and
// adds its signature to Signature-Input and Signature, replacing an
// earlier signature under the same label and keeping others.
//
// The body is read once. When r has GetBody, the digest is computed from a
// fresh copy and r.Body is left to be sent. Otherwise r.Body is read into
// one buffer, which then serves both r.Body and a new r.GetBody, so the
// request can be sent again (by a retry, or by net/http after a dropped
// connection).
//
// Sign uses r.Context() for the key lookup. On error r's headers are
// unchanged, though its body may have been buffered.
func (s *Signer) Sign(r *http.Request) error {
	v, err := s.keys.Get(r.Context())
	if err != nil {
		return fmt.Errorf("signing: getting the signing key %q: %w", s.keyID, err)
	}
	if err := checkKey(v); err != nil {
		return err
	}
	m, err := clientMessage(r)
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	wantDigest := s.o.exact == nil || (Params{Components: s.o.exact}).Covers("content-digest")
	var digest string
	hasBody := false
	if wantDigest {
		if digest, hasBody, err = s.bodyDigest(r); err != nil {
			return err
		}
		if !hasBody && s.o.exact != nil {
			// Covering content-digest of no body: the digest of empty.
			digest, hasBody = ContentDigest(nil), true
		}
	}
	p := Params{
		Created: s.o.clock.Now(),
		KeyID:   s.keyID,
		Tag:     s.o.tag,
	}
	if !s.o.noNonce {
		if p.Nonce, err = s.nonce(); err != nil {
			return err
		}
	}
	if !s.o.noAlg {
		p.Alg = Algorithm
	}
	if s.o.expiry > 0 {
		p.Expires = p.Created.Add(s.o.expiry)
	}
	// The message view shares r.Header, so the digest is visible to the
	// signature base; it is only written to r once the signature succeeds.
	hdr := r.Header.Clone()
	if hdr == nil {
		hdr = http.Header{}
	}
	if hasBody {
		hdr.Set(HeaderContentDigest, digest)
	}
	m.header = hdr
	if s.o.exact != nil {
		p.Components = s.o.exact
	} else {
		p.Components = []Component{C("@method"), C("@authority"), C("@path"), C("@query")}
		if hasBody {
			p.Components = append(p.Components, C("content-digest"))
		}
		if hdr.Get("Content-Type") != "" {
			p.Components = append(p.Components, C("content-type"))
		}
		for _, f := range s.o.fields {
			if f == "content-type" || f == "content-digest" || (f == "host" && m.host == "") || (f != "host" && len(hdr.Values(f)) == 0) {
				continue
			}
			p.Components = append(p.Components, C(f))
		}
	}
	l, err := p.innerList()
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	base, err := signatureBase(m, p.Components, l)
	if err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	sig := computeMAC(v.Value, base)
	input, signature, err := mergeSignature(hdr, s.o.label, l, sig)
	if err != nil {
		return err
	}
	hdr.Set(HeaderSignatureInput, input)
	hdr.Set(HeaderSignature, signature)
	r.Header = hdr
	return nil
}

func computeMAC(key secrets.Secret, base []byte) []byte {
	mac := hmac.New(sha256.New, []byte(key.Reveal()))
	mac.Write(base)
	return mac.Sum(nil)
}

func (s *Signer) nonce() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.o.rand, b[:]); err != nil {
		return "", fmt.Errorf("signing: reading a nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// bodyDigest returns the Content-Digest value of r's body and whether r
// has one, reading the body at most once (see Sign).
func (s *Signer) bodyDigest(r *http.Request) (string, bool, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", false, nil
	}
	if r.GetBody != nil {
		rc, err := r.GetBody()
		if err != nil {
			return "", false, fmt.Errorf("signing: GetBody: %w", err)
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return "", false, fmt.Errorf("signing: reading the body to digest it: %w", err)
		}
		return formatSHA256Digest(h.Sum(nil)), true, nil
	}
	hint := r.ContentLength
	if s.o.maxBody > 0 && hint > s.o.maxBody {
		hint = s.o.maxBody
	}
	var src io.Reader = r.Body
	if s.o.maxBody > 0 {
		src = io.LimitReader(r.Body, s.o.maxBody+1)
	}
	data, err := readBody(src, hint)
	cerr := r.Body.Close()
	if err != nil {
		return "", false, fmt.Errorf("signing: reading the body to digest it: %w", err)
	}
	if cerr != nil {
		return "", false, fmt.Errorf("signing: closing the body: %w", cerr)
	}
	if s.o.maxBody > 0 && int64(len(data)) > s.o.maxBody {
		return "", false, fmt.Errorf("signing: the body is larger than the %d-byte limit", s.o.maxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	r.ContentLength = int64(len(data))
	sum := sha256.Sum256(data)
	return formatSHA256Digest(sum[:]), true, nil
}

// mergeSignature returns the Signature-Input and Signature values of hdr
// with label set to params and sig, other labels kept.
func mergeSignature(hdr http.Header, label string, params sfInnerList, sig []byte) (string, string, error) {
	inputs, err := existingDict(hdr, HeaderSignatureInput)
	if err != nil {
		return "", "", err
	}
	sigs, err := existingDict(hdr, HeaderSignature)
	if err != nil {
		return "", "", err
	}
	inputs.remove(label)
	sigs.remove(label)
	inputs.set(label, sfMember{isList: true, list: params})
	sigs.set(label, sfMember{item: sfItem{val: sig}})
	in, err := serializeSFDictionary(inputs)
	if err != nil {
		return "", "", fmt.Errorf("signing: %w", err)
	}
	out, err := serializeSFDictionary(sigs)
	if err != nil {
		return "", "", fmt.Errorf("signing: %w", err)
	}
	return in, out, nil
}

func existingDict(hdr http.Header, name string) (sfDict, error) {
	lines := hdr.Values(name)
	if len(lines) == 0 {
		return nil, nil
	}
	d, err := parseSFDictionary(strings.Join(lines, ", "))
	if err != nil {
		return nil, fmt.Errorf("signing: the request already has a %s field that cannot be extended: %w", name, err)
	}
	return d, nil
}
