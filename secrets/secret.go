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
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Redacted is what every printing, encoding and logging path shows in place
// of a Secret's value.
const Redacted = "[REDACTED]"

// mask is the process-local block cipher that keeps a Secret's bytes masked
// in memory. Its key comes from crypto/rand and never leaves the process.
//
// Each Secret is masked with a keystream of its own: AES in counter mode
// under this key, starting at a 16-byte IV drawn from crypto/rand when the
// Secret is made. A reflective dump of a Secret (spew, a testify diff, a core
// file read by eye) therefore shows random-looking bytes, and two dumps side
// by side show nothing either: masked(a) XOR masked(b) is not a XOR b, and
// two Secrets of the same value show different bytes. Only the IV is stored
// beside the masked bytes, never the keystream, which is recomputed on each
// use. This is not a defence against an attacker who can read the whole
// process memory, key included.
var mask = func() cipher.Block {
	var key [16]byte // AES-128: a mask needs no more, and Reveal runs per request
	if _, err := rand.Read(key[:]); err != nil {
		panic("secrets: cannot seed the masking key: " + err.Error())
	}
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic("secrets: cannot create the masking cipher: " + err.Error())
	}
	return b
}()

// shortMask is the largest value, in bytes, whose keystream is made block by
// block; longer values use cipher.NewCTR, which costs an allocation but runs
// several blocks at once. Both give the same keystream.
const shortMask = 32 * aes.BlockSize

// scratch holds the counter block and the keystream block of a short mask.
// The compiler cannot see through the cipher.Block interface and would put
// both on the heap on every call, so callers carve scratch out of an
// allocation they make anyway, or take it from scratchPool, and clear it.
type scratch = [2 * aes.BlockSize]byte

// scratchPool holds pairs of scratch for Equal.
var scratchPool = sync.Pool{New: func() any { return new([2]scratch) }}

// xorMask writes src XOR the keystream that starts at iv into dst (len(dst)
// == len(src); dst and src may be the same). Applying it twice is the
// identity, so the same function masks and unmasks. sc is used, and left
// dirty, for values up to shortMask bytes.
func xorMask(dst, src []byte, iv *[aes.BlockSize]byte, sc *scratch) {
	if len(src) > shortMask {
		cipher.NewCTR(mask, iv[:]).XORKeyStream(dst, src)
		return
	}
	ctr, ks := sc[:aes.BlockSize], sc[aes.BlockSize:]
	copy(ctr, iv[:])
	for i := 0; i < len(src); i += aes.BlockSize {
		mask.Encrypt(ks, ctr)
		incr(ctr)
		n := min(len(src)-i, aes.BlockSize)
		subtle.XORBytes(dst[i:i+n], src[i:i+n], ks[:n])
	}
}

// incr adds one to ctr as a 128-bit big-endian number, as cipher.NewCTR does.
func incr(ctr []byte) {
	for i := len(ctr) - 1; i >= 0; i-- {
		ctr[i]++
		if ctr[i] != 0 {
			return
		}
	}
}

// maskedBuffer returns a buffer for n masked or unmasked bytes followed by
// the scratch that xorMask needs for them: one allocation for both.
func maskedBuffer(n int) ([]byte, *scratch) {
	if n > shortMask {
		return make([]byte, n), nil
	}
	b := make([]byte, n+len(scratch{}))
	return b[:n:n], (*scratch)(b[n:])
}

// Secret holds a credential and refuses to show it.
//
// Every printing and encoding path (fmt with any verb, String, GoString,
// encoding/json, encoding/xml, encoding.TextMarshaler, gob, log/slog) shows
// [Redacted]. fmt and slog cannot call those methods on a Secret in an
// unexported struct field; there a Secret prints as an address and nothing
// else. The value is masked in memory with a mask of its own, so
// reflection-based dumpers such as testify's failure diffs find nothing
// usable either, alone or compared with other Secrets. The only way out is
// [Secret.Reveal], which is meant to be easy to grep for.
//
// The zero value is "no secret". A Secret is immutable and cheap to copy;
// copies share the hidden value. Secret is comparable, so it can be used
// with == and as a map key, but == reports identity: a Secret is == to its
// copies only, and two Secrets made from the same value are not ==. Use
// [Secret.Equal] to compare values; it runs in constant time.
type Secret struct {
	// v is a pointer to a pointer because fmt prints a pointer to a struct
	// in full when it reports a bad verb (%s of a struct holding a Secret
	// in an unexported field), but a pointer to a pointer as an address
	// with every verb. nil for the zero Secret.
	v **sealed
}

// sealed is a Secret's hidden value. It is never written after New, so
// copies of a Secret can share it.
type sealed struct {
	iv     [aes.BlockSize]byte // start of this value's keystream
	masked string              // value XOR keystream
	fp     [fpLen]byte         // Fingerprint, computed once
}

// box holds a sealed value and the pointer to it that a Secret points at,
// so that New allocates them together.
type box struct {
	ref *sealed
	val sealed
}

func (s Secret) sealed() *sealed {
	if s.v == nil {
		return nil
	}
	return *s.v
}

// New wraps v. New("") is the zero Secret. New does not trim or otherwise
// change v: providers trim what their source adds (trailing newlines in a
// mounted file, for example) before they call New.
func New(v string) Secret {
	if v == "" {
		return Secret{}
	}
	bx := new(box)
	sv := &bx.val
	bx.ref = sv
	fingerprint(&sv.fp, v)
	if _, err := rand.Read(sv.iv[:]); err != nil {
		panic("secrets: cannot draw a masking IV: " + err.Error())
	}
	b, sc := maskedBuffer(len(v))
	xorMask(b, unsafe.Slice(unsafe.StringData(v), len(v)), &sv.iv, sc)
	if sc != nil {
		clear(sc[:])
	}
	// b is never written again, so it can back the string without a copy.
	sv.masked = unsafe.String(&b[0], len(b))
	return Secret{v: &bx.ref}
}

// NewBytes wraps a copy of b; see [New]. It makes no plain copy of b on
// the way: the Secret keeps only the masked bytes.
func NewBytes(b []byte) Secret {
	if len(b) == 0 {
		return Secret{}
	}
	// New reads v and keeps none of it, so v may alias b.
	return New(unsafe.String(&b[0], len(b)))
}

const fpLen = len("fp:") + 16

// fingerprint writes the fingerprint of v into dst: a domain-separated
// SHA-256 prefix, stable for the same value across processes,
// non-reversible for high-entropy credentials, 64 bits so two different
// secrets practically never share one.
func fingerprint(dst *[fpLen]byte, v string) {
	const domain = "hubkey fingerprint v1\x00"
	var sum [sha256.Size]byte
	if len(domain)+len(v) <= 256 {
		var buf [256]byte // on the stack: most values are tokens
		in := append(append(buf[:0], domain...), v...)
		sum = sha256.Sum256(in)
		clear(in)
	} else {
		h := sha256.New()
		h.Write([]byte(domain))
		h.Write(unsafe.Slice(unsafe.StringData(v), len(v))) // read only
		h.Sum(sum[:0])
	}
	copy(dst[:], "fp:")
	hex.Encode(dst[3:], sum[:8])
}

// Reveal returns the plain value. It is the one way out of a Secret: call it
// only where the value goes on the wire or into a MAC, never to log, compare
// or store it.
func (s Secret) Reveal() string {
	v := s.sealed()
	if v == nil {
		return ""
	}
	b, sc := maskedBuffer(len(v.masked))
	xorMask(b, v.maskedBytes(), &v.iv, sc)
	if sc != nil {
		clear(sc[:])
	}
	// b is never written again, so it can back the string without a copy.
	return unsafe.String(&b[0], len(b))
}

func (v *sealed) maskedBytes() []byte {
	return unsafe.Slice(unsafe.StringData(v.masked), len(v.masked))
}

// Fingerprint returns a short identifier of the value that is safe to log:
// "fp:" followed by 16 hex digits of a domain-separated SHA-256. It is stable
// for the same value (across processes too), so logs can tell which key was
// used without showing it. For low-entropy values (a short password) a
// fingerprint can be brute-forced like any unsalted hash; API tokens and
// generated keys are far beyond that. The zero Secret's fingerprint is "".
func (s Secret) Fingerprint() string {
	v := s.sealed()
	if v == nil {
		return ""
	}
	// v.fp is never written after New, so it can back the string.
	return unsafe.String(&v.fp[0], len(v.fp))
}

// IsZero reports whether s holds no value.
func (s Secret) IsZero() bool { return s.v == nil }

// Len returns the length in bytes of the value, which is safe to log.
func (s Secret) Len() int {
	v := s.sealed()
	if v == nil {
		return 0
	}
	return len(v.masked)
}

// Equal reports whether s and o hold the same value. The comparison takes
// time that depends only on the lengths, not on the contents. Unlike ==,
// which reports whether two Secrets are copies of one, Equal is true for two
// Secrets made from the same value.
func (s Secret) Equal(o Secret) bool {
	if s.Len() != o.Len() {
		return false
	}
	if s == o { // copies of one Secret, or both zero
		return true
	}
	a, b := s.sealed(), o.sealed()
	if len(a.masked) > shortMask {
		x, y := make([]byte, len(a.masked)), make([]byte, len(b.masked))
		xorMask(x, a.maskedBytes(), &a.iv, nil)
		xorMask(y, b.maskedBytes(), &b.iv, nil)
		eq := subtle.ConstantTimeCompare(x, y) == 1
		clear(x)
		clear(y)
		return eq
	}
	// Unmask block by block and gather the differences: only the XOR of
	// the two values is ever in memory, never either value.
	sc := scratchPool.Get().(*[2]scratch)
	defer scratchPool.Put(sc)
	am, bm := a.maskedBytes(), b.maskedBytes()
	ca, ka := sc[0][:aes.BlockSize], sc[0][aes.BlockSize:]
	cb, kb := sc[1][:aes.BlockSize], sc[1][aes.BlockSize:]
	copy(ca, a.iv[:])
	copy(cb, b.iv[:])
	var d [aes.BlockSize]byte
	var diff byte
	for i := 0; i < len(am); i += aes.BlockSize {
		mask.Encrypt(ka, ca)
		mask.Encrypt(kb, cb)
		incr(ca)
		incr(cb)
		n := min(len(am)-i, aes.BlockSize)
		subtle.XORBytes(d[:n], am[i:i+n], bm[i:i+n])
		subtle.XORBytes(d[:n], d[:n], ka[:n])
		subtle.XORBytes(d[:n], d[:n], kb[:n])
		for _, c := range d[:n] {
			diff |= c
		}
	}
	clear(sc[:])
	clear(d[:])
	return diff == 0
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
// [Redacted]: the plain value, the forms it takes when a server or a log
// encodes it (standard and URL base64, padded or not, lower and upper case
// hex, query and path escaping), and the forms it takes inside a string
// quoted by Go's %q or %+q or by JSON (with or without HTML escaping), once
// or twice over (a JSON body quoted by %q, say). The quoted forms differ
// from the plain value only for a value holding '"', '\', '<', '>', '&', a
// control character or a byte outside ASCII; for any other value they cost
// one scan of it. Use Redact on text that came from outside and may echo a
// credential back, such as an error body. Values shorter than 4 bytes are
// left alone: replacing them would mangle ordinary text. b is returned
// unchanged, without copying, when it holds none of them.
//
// Redact cannot find a part of a value: a server that echoes a credential
// cut short, or cut at a space, is not matched.
func Redact(b []byte, secrets ...Secret) []byte {
	if len(b) == 0 {
		return b
	}
	// redact only reads the text, and returns it as it was or a new copy.
	out, changed := redact(unsafe.String(&b[0], len(b)), secrets)
	if !changed {
		return b
	}
	return []byte(out)
}

// RedactString is Redact for a string.
func RedactString(text string, secrets ...Secret) string {
	out, _ := redact(text, secrets)
	return out
}

// minRedact is the shortest value Redact replaces.
const minRedact = 4

// redact replaces every form of each of secrets in text and reports
// whether it replaced any. Each value is unmasked, and its base64 and hex
// forms are made, in one buffer of redact's own, which is cleared before
// it returns: no copy of a value is left behind for the garbage collector
// (but for its query- and path-escaped and quoted forms, made only for a
// value that has them).
func redact(text string, secrets []Secret) (string, bool) {
	changed := false
	replace := func(form string) {
		if form != "" && strings.Contains(text, form) {
			text = strings.ReplaceAll(text, form, Redacted)
			changed = true
		}
	}
	var buf []byte
	for _, s := range secrets {
		sv := s.sealed()
		if sv == nil || len(sv.masked) < minRedact {
			continue
		}
		n := len(sv.masked)
		// The scratch of xorMask, the value, and room for its longest
		// encoded form (hex, 2n; padded base64 is at most 2n+4).
		need := len(scratch{}) + n + 2*n + 4
		if cap(buf) < need {
			clear(buf[:cap(buf)])
			buf = make([]byte, need)
		}
		buf = buf[:need]
		sc := (*scratch)(buf[:len(scratch{})])
		vb := buf[len(scratch{}) : len(scratch{})+n : len(scratch{})+n]
		xorMask(vb, sv.maskedBytes(), &sv.iv, sc)
		room := buf[len(scratch{})+n:]
		v := unsafe.String(&vb[0], n) // read only until buf is cleared

		if needsQuoting(vb) {
			for _, f := range quotedForms(v) {
				replace(unsafe.String(&f[0], len(f)))
				clear(f)
			}
		}
		replace(v)
		form := func(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			replace(form(enc.AppendEncode(room[:0], vb)))
		}
		h := hex.AppendEncode(room[:0], vb)
		replace(form(h))
		upper := false
		for i, c := range h {
			if c >= 'a' && c <= 'f' {
				h[i], upper = c-'a'+'A', true
			}
		}
		if upper {
			replace(form(h))
		}
		// Both return v itself, without copying, when nothing needs escaping.
		if q := url.QueryEscape(v); q != v {
			replace(q)
		}
		if p := url.PathEscape(v); p != v {
			replace(p)
		}
	}
	clear(buf[:cap(buf)])
	return text, changed
}

// needsQuoting reports whether v takes another form inside a string quoted
// by Go's %q or %+q or by JSON: whether it holds a byte that one of them
// escapes.
func needsQuoting(v []byte) bool {
	for _, c := range v {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return true
		}
	}
	return false
}

// quotedForms returns the forms v takes inside a string quoted by Go's %q
// or %+q or by JSON (with HTML escaping, as json.Marshal does, or without),
// where they differ from v, and inside such a string quoted once more: a
// JSON body quoted by %q, say. The twice-quoted forms come first, so that
// they are replaced whole rather than a once-quoted form inside them. Each
// is a slice of its own, which the caller may clear.
func quotedForms(v string) [][]byte {
	once := quotedOnce(nil, v)
	var out [][]byte
	for _, f := range once {
		out = quotedOnce(out, unsafe.String(&f[0], len(f)))
	}
	for _, f := range once {
		out = appendNew(out, f)
	}
	return out
}

// quotedOnce appends to dst the forms v takes inside a string quoted by
// Go's %q or %+q or by JSON, where they differ from v and from those in dst,
// without the quotes.
func quotedOnce(dst [][]byte, v string) [][]byte {
	add := func(q []byte) {
		if len(q) < 2 {
			return
		}
		f := q[1 : len(q)-1]
		if string(f) == v {
			clear(q)
			return
		}
		dst = appendNew(dst, f)
	}
	add(strconv.AppendQuote(nil, v))
	add(strconv.AppendQuoteToASCII(nil, v))
	if j, err := json.Marshal(v); err == nil {
		add(j)
	}
	if strings.ContainsAny(v, "<>&") { // else the same as json.Marshal's
		var plain bytes.Buffer
		enc := json.NewEncoder(&plain)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			add(bytes.TrimSuffix(plain.Bytes(), []byte("\n")))
		}
	}
	return dst
}

// appendNew appends f to forms unless forms already holds it, in which case
// it clears f.
func appendNew(forms [][]byte, f []byte) [][]byte {
	for _, g := range forms {
		if bytes.Equal(g, f) {
			clear(f)
			return forms
		}
	}
	return append(forms, f)
}
