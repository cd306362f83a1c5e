package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"unsafe"
)

// Redacted is what every printing, encoding and logging path shows in place
// of a Secret's value.
const Redacted = "[REDACTED]"

// mask is the process-local keystream cipher that keeps a Secret's bytes
// masked in memory. It is created once from crypto/rand and never leaves the
// process, so a reflective dump of a Secret (spew, %#v of a struct, a core
// file read by eye) shows bytes that are useless without it. It is not a
// defence against an attacker who can read the whole process memory.
//
// pad is the first padSize bytes of its keystream, computed once so that
// masking the usual secret is a plain XOR: Reveal runs on every request.
var mask, pad = func() (cipher.Block, []byte) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic("secrets: cannot seed the masking key: " + err.Error())
	}
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic("secrets: cannot create the masking cipher: " + err.Error())
	}
	p := make([]byte, padSize)
	keystream(b, p)
	return b, p
}()

const padSize = 4 << 10

func keystream(b cipher.Block, dst []byte) {
	var iv [aes.BlockSize]byte
	clear(dst)
	cipher.NewCTR(b, iv[:]).XORKeyStream(dst, dst)
}

// maskInto writes src XOR the process keystream into dst (len(dst) ==
// len(src)). Applying it twice is the identity, so the same function masks
// and unmasks. The keystream is deterministic, so equal values mask to
// equal bytes and Secret stays comparable with ==.
func maskInto(dst []byte, src string) {
	if len(src) > padSize {
		ks := make([]byte, len(src))
		keystream(mask, ks)
		for i := range ks {
			dst[i] = src[i] ^ ks[i]
		}
		return
	}
	p := pad[:len(src)]
	for i := range p {
		dst[i] = src[i] ^ p[i]
	}
}

// Secret holds a credential and refuses to show it.
//
// Every printing and encoding path (fmt with any verb, String, GoString,
// encoding/json, encoding/xml, encoding.TextMarshaler, gob, log/slog) shows
// [Redacted]. The value is masked in memory, so reflection-based dumpers such
// as testify's failure diffs find nothing usable either. The only way out is
// [Secret.Reveal], which is meant to be easy to grep for.
//
// The zero value is "no secret". Secret is a comparable value: two Secrets
// holding the same value are ==, though [Secret.Equal] compares in constant
// time and should be preferred.
type Secret struct {
	masked string // value XOR process keystream; "" for the zero Secret
	fp     string // Fingerprint, computed once
}

// New wraps v. New("") is the zero Secret. New does not trim or otherwise
// change v: providers trim what their source adds (trailing newlines in a
// mounted file, for example) before they call New.
func New(v string) Secret {
	if v == "" {
		return Secret{}
	}
	b := make([]byte, len(v))
	maskInto(b, v)
	return Secret{masked: unsafe.String(&b[0], len(b)), fp: fingerprint(v)}
}

// NewBytes wraps a copy of b; see [New].
func NewBytes(b []byte) Secret { return New(string(b)) }

// fingerprint is a domain-separated SHA-256 prefix: stable for the same value
// across processes, non-reversible for high-entropy credentials, 64 bits so
// two different secrets practically never share one.
func fingerprint(v string) string {
	sum := sha256.Sum256([]byte("hubkey fingerprint v1\x00" + v))
	return "fp:" + hex.EncodeToString(sum[:8])
}

// Reveal returns the plain value. It is the one way out of a Secret: call it
// only where the value goes on the wire or into a MAC, never to log, compare
// or store it.
func (s Secret) Reveal() string {
	if s.masked == "" {
		return ""
	}
	b := make([]byte, len(s.masked))
	maskInto(b, s.masked)
	// b is never written again, so it can back the string without a copy.
	return unsafe.String(&b[0], len(b))
}

// Fingerprint returns a short identifier of the value that is safe to log:
// "fp:" followed by 16 hex digits of a domain-separated SHA-256. It is stable
// for the same value (across processes too), so logs can tell which key was
// used without showing it. For low-entropy values (a short password) a
// fingerprint can be brute-forced like any unsalted hash; API tokens and
// generated keys are far beyond that. The zero Secret's fingerprint is "".
func (s Secret) Fingerprint() string { return s.fp }

// IsZero reports whether s holds no value.
func (s Secret) IsZero() bool { return s.masked == "" }

// Len returns the length in bytes of the value, which is safe to log.
func (s Secret) Len() int { return len(s.masked) }

// Equal reports whether s and o hold the same value. The comparison takes
// time that depends only on the lengths, not on the contents.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.masked), []byte(o.masked)) == 1
}

// String returns [Redacted]; the zero Secret prints as "".
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString returns a redacted Go syntax representation, for %#v.
func (s Secret) GoString() string {
	if s.IsZero() {
		return "secrets.Secret{}"
	}
	return `secrets.Secret{` + Redacted + `}`
}

// Format implements fmt.Formatter so that every verb and flag prints the
// redacted form, honouring width and the '-' flag.
func (s Secret) Format(f fmt.State, verb rune) {
	out := s.String()
	if verb == 'v' && f.Flag('#') {
		out = s.GoString()
	}
	if w, ok := f.Width(); ok && w > len(out) {
		pad := strings.Repeat(" ", w-len(out))
		if f.Flag('-') {
			out += pad
		} else {
			out = pad + out
		}
	}
	_, _ = f.Write([]byte(out))
}

// LogValue implements slog.LogValuer: a Secret logs as [Redacted].
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) {
	return []byte(`"` + s.String() + `"`), nil
}

// MarshalText encodes the redacted form; encoding/xml and other text
// encoders use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ErrRedactedValue is returned when a redacted form is decoded back into a
// Secret: a config that was marshalled and read again would otherwise hold
// the literal "[REDACTED]" as its credential.
var ErrRedactedValue = errors.New("secrets: refusing to decode the redacted placeholder " + Redacted + " as a secret value")

// UnmarshalText lets configuration decoders (JSON strings, YAML, env
// decoders) fill a Secret. It refuses the redacted placeholder.
func (s *Secret) UnmarshalText(b []byte) error {
	if string(b) == Redacted {
		return ErrRedactedValue
	}
	*s = NewBytes(b)
	return nil
}

// GobEncode encodes the redacted form: a Secret does not travel by gob.
func (s Secret) GobEncode() ([]byte, error) { return []byte(s.String()), nil }

// GobDecode always fails: gob streams carry only the redacted form.
func (s *Secret) GobDecode([]byte) error {
	return errors.New("secrets: a Secret cannot be decoded from gob; gob carries only the redacted form")
}

// Redact returns b with every occurrence of each secret replaced by
// [Redacted]: the plain value and the forms it takes when a server or a log
// encodes it (standard and URL base64, padded or not, lower and upper case
// hex, query and path escaping). Use it on text that came from outside and
// may echo a credential back, such as an error body. Values shorter than 4
// bytes are left alone: replacing them would mangle ordinary text. b is
// returned unchanged, without copying, when it holds none of them.
func Redact(b []byte, secrets ...Secret) []byte {
	for _, s := range secrets {
		if s.Len() < 4 {
			continue
		}
		v := s.Reveal()
		for _, form := range encodedForms(v) {
			if bytes.Contains(b, []byte(form)) {
				b = bytes.ReplaceAll(b, []byte(form), []byte(Redacted))
			}
		}
	}
	return b
}

// RedactString is Redact for a string.
func RedactString(text string, secrets ...Secret) string {
	return string(Redact([]byte(text), secrets...))
}

func encodedForms(v string) []string {
	b := []byte(v)
	return []string{
		v,
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		url.QueryEscape(v),
		url.PathEscape(v),
	}
}
