package secretstest_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Encodings finds a secret inside Go's and JSON's quotes, once or twice
// over, where quoting changes it; for a secret quoting leaves alone it
// adds nothing, and the other forms keep their places.
func TestEncodingsQuotedForms(t *testing.T) {
	const plain = "pat-na1-0123-canary"
	const escaped = `canary-"q\b-é-<&>-3a9f`
	if got := secretstest.Encodings(plain); !slices.Equal(got, unquoted(plain)) {
		t.Errorf("a plain token has encodings %q, want only the unquoted ones", got)
	}
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	leaks := map[string]string{
		"%q":            fmt.Sprintf("error: %q", "key "+escaped),
		"%+q":           fmt.Sprintf("error: %+q", "key "+escaped),
		"json":          jsonOf("key " + escaped),
		"%q of json":    fmt.Sprintf("%q", jsonOf("key "+escaped)),
		"json of %+q":   jsonOf(fmt.Sprintf("%+q", "key "+escaped)),
		"%q of %q":      fmt.Sprintf("%q", fmt.Sprintf("%q", escaped)),
		"json of json":  jsonOf(jsonOf(escaped)),
		"%+q of %q":     fmt.Sprintf("%+q", fmt.Sprintf("%q", escaped)),
		"raw in a json": `{"k":"` + escaped + `"}`,
	}
	for name, out := range leaks {
		if len(secretstest.Leaks(out, escaped)) == 0 {
			t.Errorf("%s: the leak is not found", name)
		}
	}
	enc, before := secretstest.Encodings(escaped), unquoted(escaped)
	if len(enc) <= len(before) || !slices.Equal(enc[:len(before)], before) {
		t.Errorf("the quoted forms are not after the others")
	}
	if len(secretstest.Leaks("key [REDACTED] and \"[REDACTED]\"", escaped)) != 0 {
		t.Error("a clean text is reported as a leak")
	}
}

// unquoted is what Encodings returned before it knew quoting: the plain,
// base64, hex and URL-escaped forms, without repeats.
func unquoted(s string) []string {
	b := []byte(s)
	var out []string
	for _, f := range []string{
		s,
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
		url.QueryEscape(s), url.PathEscape(s),
	} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
