package leakcheck

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets"
)

var secretType = reflect.TypeFor[secrets.Secret]()

// Hidden returns the byte strings (strings, byte slices and byte arrays) of
// at least minHidden bytes that reflection finds inside each non-zero
// secrets.Secret reachable from v: the in-memory form of the values, as a
// reflective dumper such as spew or testify's diff reads it. Fingerprints
// are left out: they are meant to be printed, and types keep them in fields
// of their own. It reads through unexported fields, pointers, interfaces,
// slices, arrays and map values, each pointer once.
func Hidden(v any) [][]byte {
	var out [][]byte
	w := walker{seen: map[uintptr]bool{}}
	w.secrets(reflect.ValueOf(v), func(s reflect.Value) {
		out = append(out, byteStrings(s, map[uintptr]bool{})...)
	}, 0)
	return out
}

// SecretsIn returns how many non-zero secrets.Secret values are reachable
// from v, as Hidden walks it.
func SecretsIn(v any) int {
	n := 0
	w := walker{seen: map[uintptr]bool{}}
	w.secrets(reflect.ValueOf(v), func(reflect.Value) { n++ }, 0)
	return n
}

const minHidden = 8

// maxDepth bounds the walk: the values it is given (a Verifier, a
// Provider, a KeySet, a user's struct) hold their secrets a few levels down.
const maxDepth = 24

type walker struct{ seen map[uintptr]bool }

func (w walker) secrets(v reflect.Value, found func(reflect.Value), depth int) {
	if !v.IsValid() || depth > maxDepth {
		return
	}
	if v.Type() == secretType {
		if !v.IsZero() {
			found(v)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.secrets(v.Elem(), found, depth+1)
	case reflect.Interface:
		w.secrets(v.Elem(), found, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			w.secrets(v.Field(i), found, depth+1)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			w.secrets(v.Index(i), found, depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			w.secrets(it.Key(), found, depth+1)
			w.secrets(it.Value(), found, depth+1)
		}
	}
}

// byteStrings returns every byte string of minHidden bytes or more inside v.
func byteStrings(v reflect.Value, seen map[uintptr]bool) [][]byte {
	switch v.Kind() {
	case reflect.String:
		if v.Len() >= minHidden && !isFingerprint(v.String()) {
			return [][]byte{[]byte(v.String())}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() < minHidden {
				return nil
			}
			b := make([]byte, v.Len())
			for i := range b {
				b[i] = byte(v.Index(i).Uint())
			}
			if isFingerprint(string(b)) {
				return nil
			}
			return [][]byte{b}
		}
		var out [][]byte
		for i := range v.Len() {
			out = append(out, byteStrings(v.Index(i), seen)...)
		}
		return out
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return nil
		}
		seen[v.Pointer()] = true
		return byteStrings(v.Elem(), seen)
	case reflect.Interface:
		return byteStrings(v.Elem(), seen)
	case reflect.Struct:
		var out [][]byte
		for i := range v.NumField() {
			out = append(out, byteStrings(v.Field(i), seen)...)
		}
		return out
	}
	return nil
}

var fingerprintRE = regexp.MustCompile(`^fp:[0-9a-f]{16}$`)

func isFingerprint(s string) bool { return fingerprintRE.MatchString(s) }

// PrintedForms returns the ways fmt, slog and spew can print b: raw, Go
// quoted (as %q and %+q do), hex in both cases and with spaces, and as a
// list of numbers (%v and %#v of a byte slice or array).
func PrintedForms(b []byte) []string {
	s := string(b)
	q, qa := strconv.Quote(s), strconv.QuoteToASCII(s)
	dec := make([]string, len(b))
	goHex := make([]string, len(b))
	for i, c := range b {
		dec[i] = strconv.Itoa(int(c))
		goHex[i] = fmt.Sprintf("%#x", c)
	}
	return []string{
		s,
		q[1 : len(q)-1],
		qa[1 : len(qa)-1],
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		fmt.Sprintf("% x", b),
		fmt.Sprintf("% X", b),
		strings.Join(dec, " "),
		strings.Join(goHex, ", "),
	}
}

// CheckHidden fails t for every recorded output that shows, in any of its
// PrintedForms, a byte string Hidden found. It names the output and the
// form, never the bytes.
func (r *Recorder) CheckHidden(t testing.TB, hidden [][]byte) {
	t.Helper()
	r.mu.Lock()
	outs := append([]output(nil), r.outputs...)
	for i, l := range r.logs {
		outs = append(outs, output{fmt.Sprintf("log stream %d", i), l.String()})
	}
	r.mu.Unlock()
	for i, b := range hidden {
		for j, f := range PrintedForms(b) {
			for _, o := range outs {
				if strings.Contains(o.text, f) {
					t.Errorf("%s shows the in-memory bytes of a Secret (byte string %d, form %d)", o.where, i, j)
				}
			}
		}
	}
}
