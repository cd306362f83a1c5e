package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
)

// The short path of xorMask (block by block) and the long one
// (cipher.NewCTR) must give the keystream of AES-CTR from the Secret's IV,
// including where the counter carries across bytes.
func TestXorMaskIsCTR(t *testing.T) {
	var random [aes.BlockSize]byte
	if _, err := rand.Read(random[:]); err != nil {
		t.Fatal(err)
	}
	ivs := map[string][aes.BlockSize]byte{"random": random}
	var allFF, lowFF [aes.BlockSize]byte
	for i := range allFF {
		allFF[i] = 0xff
	}
	for i := 8; i < aes.BlockSize; i++ {
		lowFF[i] = 0xff
	}
	lowFF[15] = 0xfe // carries out of the low 64 bits on the second block
	ivs["all 0xff"], ivs["low 64 bits 0xff"] = allFF, lowFF

	src := make([]byte, 3*shortMask+1)
	if _, err := rand.Read(src); err != nil {
		t.Fatal(err)
	}
	for name, iv := range ivs {
		for n := 0; n <= len(src); n++ {
			want := make([]byte, n)
			cipher.NewCTR(mask, iv[:]).XORKeyStream(want, src[:n])
			got, sc := maskedBuffer(n)
			xorMask(got, src[:n], &iv, sc)
			if !bytes.Equal(got, want) {
				t.Fatalf("IV %s, %d bytes: xorMask differs from AES-CTR", name, n)
			}
			xorMask(got, got, &iv, sc)
			if !bytes.Equal(got, src[:n]) {
				t.Fatalf("IV %s, %d bytes: xorMask twice is not the identity", name, n)
			}
		}
	}
}

// Each Secret has a mask of its own: the same value masks to different
// bytes, and the XOR of two masked values is not the XOR of the values
// (with one mask for the whole process it was, and a dump of a known
// fixture token beside a real one gave the real one away).
func TestSecretMaskIsPerValue(t *testing.T) {
	const a = "pat-na1-0123456789abcdef0123456789abcdef"
	const b = "pat-na1-fedcba9876543210fedcba9876543210"
	sa, sa2, sb := New(a), New(a), New(b)
	ma, ma2, mb := sa.sealed().masked, sa2.sealed().masked, sb.sealed().masked

	if ma == a || strings.Contains(ma, "pat-na1-") {
		t.Fatal("the masked bytes show the value")
	}
	if ma == ma2 {
		t.Fatal("two Secrets of the same value have the same masked bytes")
	}
	same := 0
	for i := range a {
		if ma[i]^mb[i] == a[i]^b[i] {
			same++
		}
	}
	if same > len(a)/4 {
		t.Fatalf("masked(a) XOR masked(b) equals a XOR b at %d of %d bytes", same, len(a))
	}
	if !sa.Equal(sa2) || sa.Equal(sb) {
		t.Fatal("Equal compares values, whatever the masks")
	}

	// Over many Secrets of one value, every byte position varies.
	masked := make([]string, 32)
	for i := range masked {
		masked[i] = New(a).sealed().masked
	}
	for pos := range a {
		varies := false
		for _, m := range masked[1:] {
			varies = varies || m[pos] != masked[0][pos]
		}
		if !varies {
			t.Fatalf("byte %d of the masked value is the same in %d Secrets of one value", pos, len(masked))
		}
	}
}

func TestSecretEqualComparesValues(t *testing.T) {
	for _, n := range []int{1, 15, 16, 17, shortMask - 1, shortMask, shortMask + 1, 1000} {
		v := make([]byte, n)
		if _, err := rand.Read(v); err != nil {
			t.Fatal(err)
		}
		s, same := NewBytes(v), NewBytes(v)
		if s.Reveal() != string(v) || s.Len() != n {
			t.Fatalf("%d bytes: Reveal does not give back the value", n)
		}
		if !s.Equal(same) || !same.Equal(s) || !s.Equal(s) {
			t.Fatalf("%d bytes: two Secrets of one value are not Equal", n)
		}
		if s == same {
			t.Fatalf("%d bytes: two Secrets made apart are ==; == should report identity", n)
		}
		if cp := s; cp != s {
			t.Fatalf("%d bytes: a copy of a Secret is not == to it", n)
		}
		for i := range v {
			w := bytes.Clone(v)
			w[i] ^= 0x20
			if s.Equal(NewBytes(w)) {
				t.Fatalf("%d bytes: a Secret differing at byte %d is Equal", n, i)
			}
		}
		if s.Equal(NewBytes(v[:n-1])) || s.Equal(Secret{}) || (Secret{}).Equal(s) {
			t.Fatalf("%d bytes: Equal holds across lengths", n)
		}
	}
	if !(Secret{}).Equal(New("")) {
		t.Fatal("two zero Secrets are not Equal")
	}
}

// A Secret in an unexported field prints as an address, with every verb
// and through slog's text handler: fmt cannot call its methods there.
func TestSecretInUnexportedFieldPrintsOnlyAnAddress(t *testing.T) {
	type creds struct {
		name  string
		token Secret
		keys  []Secret
		ptr   *Secret
	}
	tok := New("pat-na1-11111111-2222-3333-4444-canarycanary")
	c := creds{name: "app", token: tok, keys: []Secret{New("second-key-0123456789"), {}}, ptr: &tok}

	var hidden []string
	for _, s := range []Secret{c.token, c.keys[0]} {
		v := s.sealed()
		for _, b := range [][]byte{[]byte(v.masked), v.iv[:], v.fp[:]} {
			q := strconv.Quote(string(b))
			hidden = append(hidden, string(b), q[1:len(q)-1], hex.EncodeToString(b), fmt.Sprint(b), fmt.Sprintf("%#v", b)[len("[]byte{"):])
		}
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
		outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c))
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("creds", "c", c, "p", &c)
	outs = append(outs, text.String())
	for i, out := range outs {
		for j, h := range hidden {
			if strings.Contains(out, h) {
				t.Errorf("output %d shows hidden bytes of a Secret (form %d)", i, j)
			}
		}
	}
	if got := fmt.Sprintf("%+v", c); !strings.HasPrefix(got, "{name:app token:{v:0x") {
		t.Errorf("%%+v of a struct: %q, want the Secret field as an address", got)
	}
}

// Fingerprints are stable across versions of hubkey too: logs written
// before the masking changed must still match.
func TestFingerprintIsStable(t *testing.T) {
	for _, n := range []int{1, 45, 256 - 22, 256 - 21, 1000} {
		v := strings.Repeat("k", n)
		sum := sha256.Sum256([]byte("hubkey fingerprint v1\x00" + v))
		want := "fp:" + hex.EncodeToString(sum[:8])
		if got := New(v).Fingerprint(); got != want {
			t.Fatalf("%d bytes: fingerprint %s, want %s", n, got, want)
		}
	}
}

// needsQuoting is what lets Redact skip the quoted forms of most values:
// it must be true for every byte that one of Go's %q, %+q or JSON (with or
// without HTML escaping) escapes, and false for every byte none of them
// does.
func TestNeedsQuotingMatchesTheQuoters(t *testing.T) {
	for c := 0; c < 256; c++ {
		v := "abcd" + string([]byte{byte(c)}) + "efgh"
		differs := len(quotedForms(v)) > 0
		for _, q := range []string{strconv.Quote(v), strconv.QuoteToASCII(v)} {
			differs = differs || q[1:len(q)-1] != v
		}
		if got := needsQuoting([]byte(v)); got != differs {
			t.Errorf("byte %#x: needsQuoting = %v, but quoting changes the value: %v", c, got, differs)
		}
	}
	if forms := quotedForms("pat-na1-0123_4567.89~ab"); len(forms) != 0 {
		t.Errorf("a token has %d quoted forms, want none", len(forms))
	}
	// '"' is escaped once by every quoter, and its escape's '\' once more.
	want := []string{`a\\\"b`, `a\"b`}
	var got []string
	for _, f := range quotedForms(`a"b`) {
		got = append(got, string(f))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf(`quotedForms("a\"b") = %q, want %q`, got, want)
	}
}
