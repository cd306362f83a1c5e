package secrets_test

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/davecgh/go-spew/spew"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const canary = "pat-na1-11111111-2222-3333-4444-canarycanary"

type holder struct {
	Name  string
	Token secrets.Secret
	Ptr   *secrets.Secret
}

func TestSecretRedactedOnEveryPath(t *testing.T) {
	s := secrets.New(canary)
	h := holder{Name: "app", Token: s, Ptr: &s}

	var outputs = map[string]func() (string, error){}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10v", "%-30s", "%030x", "%.3s", "% x", "%#q", "%U", "%p"} {
		verb := verb
		outputs["fmt "+verb] = func() (string, error) { return fmt.Sprintf(verb, s), nil }
		outputs["fmt struct "+verb] = func() (string, error) { return fmt.Sprintf(verb, h), nil }
		outputs["fmt ptr "+verb] = func() (string, error) { return fmt.Sprintf(verb, &h), nil }
	}
	outputs["String"] = func() (string, error) { return s.String(), nil }
	outputs["GoString"] = func() (string, error) { return s.GoString(), nil }
	outputs["fmt.Sprint"] = func() (string, error) { return fmt.Sprint(s, h), nil }
	outputs["fmt.Sprintln"] = func() (string, error) { return fmt.Sprintln(s, &h), nil }
	outputs["json"] = func() (string, error) { b, err := json.Marshal(h); return string(b), err }
	outputs["json indent"] = func() (string, error) {
		b, err := json.MarshalIndent(map[string]any{"k": s}, "", " ")
		return string(b), err
	}
	outputs["xml"] = func() (string, error) { b, err := xml.Marshal(h); return string(b), err }
	outputs["xml attr"] = func() (string, error) {
		b, err := xml.Marshal(struct {
			XMLName xml.Name       `xml:"x"`
			S       secrets.Secret `xml:"s,attr"`
		}{S: s})
		return string(b), err
	}
	outputs["MarshalText"] = func() (string, error) { b, err := s.MarshalText(); return string(b), err }
	outputs["gob"] = func() (string, error) {
		var buf bytes.Buffer
		err := gob.NewEncoder(&buf).Encode(h)
		return buf.String(), err
	}
	for _, kind := range []string{"text", "json"} {
		kind := kind
		outputs["slog "+kind] = func() (string, error) {
			var buf bytes.Buffer
			var hd slog.Handler = slog.NewTextHandler(&buf, nil)
			if kind == "json" {
				hd = slog.NewJSONHandler(&buf, nil)
			}
			l := slog.New(hd)
			l.Info("attr", "token", s)
			l.Info("group", slog.Group("creds", slog.Any("token", s), "n", 1))
			l.Info("struct", "holder", h, "ptr", &h)
			l.With("token", s).WithGroup("g").Info("with", "again", s)
			return buf.String(), nil
		}
	}
	outputs["errors"] = func() (string, error) {
		err := fmt.Errorf("calling HubSpot with %v: %w", s, errors.New("boom"))
		wrapped := fmt.Errorf("outer: %w", err)
		return wrapped.Error() + fmt.Sprintf(" %+v %#v", wrapped, wrapped), nil
	}
	outputs["spew"] = func() (string, error) { return spew.Sdump(h) + spew.Sdump(s) + spew.Sdump(&h), nil }
	outputs["spew config"] = func() (string, error) {
		cfg := spew.ConfigState{Indent: " ", DisableMethods: true, DisablePointerMethods: true}
		return cfg.Sdump(h), nil
	}

	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			got, err := out()
			require.NoError(t, err)
			secretstest.AssertNoLeak(t, name, got, canary)
		})
	}
}

func TestSecretRedactedInTestifyFailure(t *testing.T) {
	a := holder{Name: "a", Token: secrets.New(canary)}
	b := holder{Name: "b", Token: secrets.New(canary + "x")}
	rec := &recorder{}
	assert.Equal(rec, a, b)
	assert.Equal(rec, secrets.New(canary), secrets.New("other"))
	require.NotEmpty(t, rec.msgs, "assert.Equal should have failed")
	secretstest.AssertNoLeak(t, "testify failure message", strings.Join(rec.msgs, "\n"), canary)
}

type recorder struct{ msgs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestSecretFormatsReadably(t *testing.T) {
	s := secrets.New(canary)
	assert.Equal(t, "[REDACTED]", fmt.Sprint(s))
	assert.Equal(t, "  [REDACTED]", fmt.Sprintf("%12s", s))
	assert.Equal(t, "[REDACTED]  |", fmt.Sprintf("%-12s|", s))
	assert.Equal(t, "secrets.Secret{[REDACTED]}", fmt.Sprintf("%#v", s))
	assert.Equal(t, "", fmt.Sprint(secrets.Secret{}), "the zero Secret prints as empty")
	b, _ := json.Marshal(s)
	assert.JSONEq(t, `"[REDACTED]"`, string(b))
}

func TestSecretValueSemantics(t *testing.T) {
	var zero secrets.Secret
	assert.True(t, zero.IsZero())
	assert.True(t, secrets.New("").IsZero(), `New("") is the zero Secret`)
	assert.Equal(t, zero, secrets.New(""))
	assert.Equal(t, "", zero.Reveal())
	assert.Equal(t, "", zero.Fingerprint())

	s := secrets.New(canary)
	assert.False(t, s.IsZero())
	assert.Equal(t, canary, s.Reveal())
	assert.Equal(t, len(canary), s.Len())
	assert.True(t, s.Equal(secrets.New(canary)))
	assert.False(t, s == secrets.New(canary), "== reports identity, not equal values")
	cp := s
	assert.True(t, cp == s, "a copy of a Secret is == to it")
	seen := map[secrets.Secret]bool{s: true}
	assert.True(t, seen[cp] && !seen[secrets.New(canary)], "as a map key, a Secret stands for itself")
	assert.False(t, s.Equal(secrets.New(canary+"!")))
	assert.False(t, s.Equal(zero))

	assert.Equal(t, " padded\n", secrets.New(" padded\n").Reveal(), "New does not trim: providers do")

	fp := s.Fingerprint()
	assert.Regexp(t, `^fp:[0-9a-f]{16}$`, fp)
	assert.Equal(t, fp, secrets.New(canary).Fingerprint(), "fingerprint is stable")
	assert.NotEqual(t, fp, secrets.New(canary+"x").Fingerprint())
	secretstest.AssertNoLeak(t, "fingerprint", fp, canary)
}

func TestSecretFingerprintsRarelyCollide(t *testing.T) {
	seen := make(map[string]bool, 100000)
	for i := range 100000 {
		fp := secrets.New(fmt.Sprintf("token-%d", i)).Fingerprint()
		require.False(t, seen[fp], "fingerprint collision at %d", i)
		seen[fp] = true
	}
}

func TestSecretDecoding(t *testing.T) {
	var cfg struct {
		Token secrets.Secret `json:"token"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"token":"abc"}`), &cfg))
	assert.Equal(t, "abc", cfg.Token.Reveal())

	err := json.Unmarshal([]byte(`{"token":"[REDACTED]"}`), &cfg)
	require.ErrorIs(t, err, secrets.ErrRedactedValue, "a marshalled config must not come back holding the placeholder")

	var buf bytes.Buffer
	require.NoError(t, gob.NewEncoder(&buf).Encode(holder{Token: secrets.New(canary)}))
	var h holder
	require.Error(t, gob.NewDecoder(&buf).Decode(&h), "gob carries only the redacted form")
}

func TestVersionLogValue(t *testing.T) {
	var buf bytes.Buffer
	v := secrets.Version{Value: secrets.New(canary), ID: "v7", Source: "env:HUBSPOT_TOKEN"}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "version", v)
	secretstest.AssertNoLeak(t, "version log", buf.String(), canary)
	assert.Contains(t, buf.String(), `"id":"v7"`)
	assert.Contains(t, buf.String(), v.Value.Fingerprint())
}

func BenchmarkReveal(b *testing.B) {
	s := secrets.New(canary)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Reveal()
	}
}

func TestRedact(t *testing.T) {
	s := secrets.New(canary)
	forms := secretstest.Encodings(canary)
	text := "prefix " + strings.Join(forms, " | ") + " suffix"
	got := secrets.RedactString(text, s, secrets.New("ab"), secrets.Secret{})
	secretstest.AssertNoLeak(t, "redacted text", got, canary)
	assert.Equal(t, len(forms), strings.Count(got, secrets.Redacted))
	assert.True(t, strings.HasPrefix(got, "prefix ") && strings.HasSuffix(got, " suffix"))
	assert.Equal(t, "abc", secrets.RedactString("abc", secrets.New("ab")), "values under 4 bytes are not redacted")
	clean := []byte("nothing here")
	assert.Equal(t, &clean[0], &secrets.Redact(clean, s)[0], "clean input is returned without copying")
}

// quoters are the ways a program puts a value inside quotes: Go's %q and
// %+q, and JSON with and without HTML escaping.
var quoters = map[string]func(string) string{
	"%q":  func(s string) string { return fmt.Sprintf("%q", s) },
	"%+q": func(s string) string { return fmt.Sprintf("%+q", s) },
	"json": func(s string) string {
		b, _ := json.Marshal(s)
		return string(b)
	},
	"json without HTML escaping": func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return strings.TrimSuffix(b.String(), "\n")
	},
}

// TestRedactQuotedForms: a value holding characters Go's %q and %+q or
// JSON escape is found inside a string quoted by any of them, once or twice
// over (a JSON body quoted by %q, an error quoting a quoted error), and
// replaced whole: the text left is the text around it, quoted as it was.
func TestRedactQuotedForms(t *testing.T) {
	values := map[string]string{
		"quote and backslash": `canary-"quote\backslash-5e20`,
		"non-ASCII":           "canary-é-ü-Ω-3c1d",
		"control characters":  "canary-tab\tnewline\n-bell\a-del\x7f-9f0e",
		"HTML characters":     "canary-<tag>&amp;-77d3",
		"invalid UTF-8":       "canary-\xff\xfe-invalid-2b7d",
		"line separator":      "canary-\u2028-sep-\u2029-0b8e",
		"all of them":         "canary-\"\\-é-\t-<&>-\xff-\u2028-c1a6",
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			s := secrets.New(v)
			escaped := false
			for q1, quote1 := range quoters {
				escaped = escaped || !strings.Contains(quote1(v), v)
				texts := map[string]struct{ text, want string }{
					q1: {quote1("said " + v + " then"), quote1("said " + secrets.Redacted + " then")},
				}
				for q2, quote2 := range quoters {
					texts[q1+" inside "+q2] = struct{ text, want string }{
						quote2("error: " + quote1("said "+v+" then") + "."),
						quote2("error: " + quote1("said "+secrets.Redacted+" then") + "."),
					}
				}
				for how, tc := range texts {
					if got := secrets.RedactString(tc.text, s); got != tc.want {
						t.Errorf("%s: %q, want %q", how, got, tc.want)
					}
					if got := string(secrets.Redact([]byte(tc.text), s)); got != tc.want {
						t.Errorf("%s: Redact gives %q, want %q", how, got, tc.want)
					}
				}
			}
			if !escaped {
				t.Fatal("no quoting escapes the value: the case tests nothing")
			}
			// Every form the leak checks look for is replaced.
			all := "prefix " + strings.Join(secretstest.Encodings(v), " | ") + " suffix"
			secretstest.AssertNoLeak(t, "every encoding, redacted", secrets.RedactString(all, s), v)
		})
	}
}

// TestRedactQuotedFormsOfATokenAreTheToken: a value with none of the
// characters quoting escapes is found as is inside quotes, and nothing
// else is replaced.
func TestRedactQuotedFormsOfATokenAreTheToken(t *testing.T) {
	s := secrets.New(canary)
	for name, quote := range quoters {
		text := quote(`{"token": "` + canary + `"}`)
		want := strings.Replace(text, canary, secrets.Redacted, 1)
		if got := secrets.RedactString(text, s); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestRedactLongValues: values past the short masking path (512 bytes),
// plain or quoted, are replaced in every form, and a text is scrubbed of
// several values of different lengths in one call.
func TestRedactLongValues(t *testing.T) {
	long := strings.Repeat("k9-", 300)
	quoted := strings.Repeat(`q"\é-`, 150)
	short := `s"h\o-rt`
	text := strings.Join(append(append(secretstest.Encodings(long), secretstest.Encodings(quoted)...), secretstest.Encodings(short)...), " | ")
	got := secrets.RedactString(text, secrets.New(short), secrets.New(long), secrets.New(quoted))
	for _, v := range []string{long, quoted, short} {
		secretstest.AssertNoLeak(t, "redacted text", got, v)
	}
}
