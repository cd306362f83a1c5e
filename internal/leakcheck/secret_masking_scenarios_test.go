package leakcheck_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/davecgh/go-spew/spew"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/hubspot/webhook"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/signing"
)

// The format of a HubSpot private-app token as far as these scenarios need
// it: a known prefix and 32 hex digits.
const tokenPrefix = "pat-na1-"

func randomToken(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return tokenPrefix + hex.EncodeToString(b[:])
}

// fixtureToken is what a test file would hard-code.
const fixtureToken = tokenPrefix + "0123456789abcdef0123456789abcdef"

// dumpedStrings returns the Go-quoted strings of n bytes that spew (and so
// testify's diff) printed in text: "(string) (len=n) "..."".
func dumpedStrings(t *testing.T, text string, n int) [][]byte {
	t.Helper()
	re := regexp.MustCompile(`\(string\) \(len=` + strconv.Itoa(n) + `\) ("(?:[^"\\]|\\.)*")`)
	var out [][]byte
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		s, err := strconv.Unquote(m[1])
		if err != nil {
			t.Fatalf("cannot unquote a dumped string: %v", err)
		}
		out = append(out, []byte(s))
	}
	return out
}

func xor3(a, b []byte, c string) []byte {
	out := make([]byte, len(c))
	for i := range out {
		out[i] = a[i] ^ b[i] ^ c[i]
	}
	return out
}

func sameBytes(a []byte, b string) int {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

// diffText collects what testify prints for a failed assertion.
type diffText struct{ strings.Builder }

func (d *diffText) Errorf(format string, args ...any) { fmt.Fprintf(d, format, args...) }

// testifySpew is how testify dumps values in a failure diff: through
// reflection, with methods such as String disabled.
var testifySpew = spew.ConfigState{Indent: " ", DisablePointerAddresses: true, DisableCapacities: true, SortKeys: true, DisableMethods: true, MaxDepth: 10}

type appConfig struct {
	Name  string
	Token secrets.Secret
}

// A failing testify comparison of a struct holding a hard-coded fixture
// token with one holding a real token prints both masked values side by
// side. Knowing the fixture, an attacker XORs the two dumps with it: with
// one mask shared by every Secret that gives the real token; with a mask
// per Secret it gives noise.
func TestLeakMaskedFixtureAndRealTokenSideBySide(t *testing.T) {
	real := randomToken(t)
	fixture := appConfig{Name: "app", Token: secrets.New(fixtureToken)}
	prod := appConfig{Name: "app", Token: secrets.New(real)}

	rec := leakcheck.New()
	rec.Testify("fixture vs real", fixture, prod)
	rec.Testify("fixture vs real (pointers)", &fixture, &prod)
	rec.Dump("fixture", fixture)
	rec.Dump("real", prod)
	rec.Check(t, real, fixtureToken)

	var diff diffText
	require.False(t, assert.Equal(&diff, fixture, prod), "the comparison must fail for this scenario")
	dumped := dumpedStrings(t, diff.String(), len(real))
	require.GreaterOrEqual(t, len(dumped), 2, "testify's diff should show the two masked values; if Secret no longer keeps them as strings, update dumpedStrings")
	require.Less(t, fixtureAttack(dumped, fixtureToken, real), 8,
		"XOR of two dumped values and the fixture recovers bytes of the real token")
}

// fixtureAttack XORs every pair of dumped values with the fixture and
// returns the most bytes of real that one of them gets right.
func fixtureAttack(dumped [][]byte, fixture, real string) int {
	best := 0
	for i, a := range dumped {
		for j, b := range dumped {
			if i != j {
				best = max(best, sameBytes(xor3(a, b, fixture), real))
			}
		}
	}
	return best
}

// Many tokens of a known format, dumped: with one shared mask, the bytes at
// each position of every dump are XORed with the same key byte, and only
// one key byte turns all of them into what the format allows. With a mask
// per Secret no key byte fits, and nothing is recovered.
func TestLeakMaskedTokensOfKnownFormatWithoutPlaintext(t *testing.T) {
	const n = 64
	tokens := make([]string, n)
	held := make([]appConfig, n)
	for i := range tokens {
		tokens[i] = randomToken(t)
		held[i] = appConfig{Name: fmt.Sprint("app", i), Token: secrets.New(tokens[i])}
	}
	rec := leakcheck.New()
	rec.Dump("tokens", held)
	rec.Check(t, tokens...)

	var dump strings.Builder
	for i := range held {
		dump.WriteString(testifySpew.Sdump(held[i]))
	}
	size := len(tokens[0])
	masked := dumpedStrings(t, dump.String(), size)
	require.Len(t, masked, n, "each dump should show one masked value")

	recovered := formatAttack(masked, size)
	require.Zero(t, recovered, "the token format alone pins down %d key bytes across %d dumps", recovered, n)
}

// formatAttack returns how many positions past tokenPrefix have exactly one
// key byte that turns the byte at that position of every masked value into
// a hex digit (and at the prefix's positions, into the prefix).
func formatAttack(masked [][]byte, size int) int {
	allowed := func(pos int, c byte) bool {
		if pos < len(tokenPrefix) {
			return c == tokenPrefix[pos]
		}
		return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f')
	}
	recovered := 0
	for pos := len(tokenPrefix); pos < size; pos++ {
		fits := 0
		for k := range 256 {
			ok := true
			for _, m := range masked {
				if !allowed(pos, m[pos]^byte(k)) {
					ok = false
					break
				}
			}
			if ok {
				fits++
			}
		}
		if fits == 1 {
			recovered++
		}
	}
	return recovered
}

// The two attacks above must break what they are meant to catch: values
// masked with one pad shared by all, as spew prints them.
func TestMaskAttacksBreakASharedPad(t *testing.T) {
	pad := make([]byte, len(fixtureToken))
	if _, err := rand.Read(pad); err != nil {
		t.Fatal(err)
	}
	type leaky struct {
		Name   string
		masked string
	}
	padded := func(v string) leaky {
		b := []byte(v)
		for i := range b {
			b[i] ^= pad[i]
		}
		return leaky{Name: "app", masked: string(b)}
	}

	real := randomToken(t)
	var diff diffText
	assert.Equal(&diff, padded(fixtureToken), padded(real))
	dumped := dumpedStrings(t, diff.String(), len(real))
	require.Equal(t, len(real), fixtureAttack(dumped, fixtureToken, real), "the fixture attack misses a shared pad")

	var dump strings.Builder
	for range 64 {
		dump.WriteString(testifySpew.Sdump(padded(randomToken(t))))
	}
	masked := dumpedStrings(t, dump.String(), len(real))
	require.Len(t, masked, 64)
	require.Greater(t, formatAttack(masked, len(real)), len(real)/2, "the format attack misses a shared pad")
}

// A Secret in an unexported field: fmt and slog's text handler cannot call
// its methods there, and must print nothing of its in-memory form. A user's
// struct, and hubkey's own types that keep secrets in unexported fields.
func TestLeakSecretsInUnexportedFieldsPrintNothing(t *testing.T) {
	type userCreds struct {
		name    string
		token   secrets.Secret
		keys    []secrets.Secret
		byHost  map[string]secrets.Secret
		version secrets.Version
		ptr     *secrets.Secret
	}
	tok := secrets.New(randomToken(t))
	user := userCreds{
		name:    "app",
		token:   tok,
		keys:    []secrets.Secret{secrets.New(randomToken(t)), secrets.New(randomToken(t))},
		byHost:  map[string]secrets.Secret{"api.hubapi.com": secrets.New(randomToken(t))},
		version: secrets.Version{Value: secrets.New(randomToken(t)), ID: "v1", Source: "test"},
		ptr:     &tok,
	}

	webhookSecret := secrets.New("webhook-client-secret-" + randomToken(t))
	verifier, err := webhook.NewVerifier(webhook.WithSecrets(webhookSecret, secrets.New("old-client-secret-"+randomToken(t))))
	require.NoError(t, err)

	provider := rotatedOAuthProvider(t)

	hmacKey := secrets.New("hmac-key-" + randomToken(t))
	keys := signing.NewKeySet()
	require.NoError(t, keys.AddStatic("k1", hmacKey))
	signer, err := signing.NewSigner(signing.StaticKey(hmacKey), "k1")
	require.NoError(t, err)
	sigVerifier, err := signing.NewVerifier(keys)
	require.NoError(t, err)

	static := secretstest.NewStatic(randomToken(t))
	static.Rotate(randomToken(t))

	values := map[string]any{
		"user struct":         user,
		"user struct pointer": &user,
		"webhook.Verifier":    verifier,
		"oauth.Provider":      provider,
		"signing.KeySet":      keys,
		"signing.StaticKey":   signing.StaticKey(hmacKey),
		"signing.Signer":      signer,
		"signing.Verifier":    sigVerifier,
		"secretstest.Static":  static,
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			require.NotZero(t, leakcheck.SecretsIn(v), "the scenario must hold a Secret, or it proves nothing")
			hidden := leakcheck.Hidden(v)
			require.NotEmpty(t, hidden)

			rec := leakcheck.New()
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
				rec.Add(name+" "+verb, fmt.Sprintf(verb, v))
			}
			rec.Add(name+" Sprint", fmt.Sprint(v))
			rec.Logger().Info("value", "v", v, slog.Group("g", "v", v))
			var text bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
			rec.Add(name+" slog text", text.String())
			rec.CheckHidden(t, hidden)
		})
	}
}

// rotatedOAuthProvider returns an oauth.Provider that has learned a new
// refresh token from the token endpoint, which it keeps in an unexported
// field.
func rotatedOAuthProvider(t *testing.T) *oauth.Provider {
	t.Helper()
	newRefresh := "rotated-refresh-" + randomToken(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token_type":"bearer","access_token":%q,"expires_in":1800,"refresh_token":%q}`, randomToken(t), newRefresh)
	}))
	t.Cleanup(srv.Close)
	p, err := oauth.New(oauth.Config{
		ClientID:     "app",
		ClientSecret: secretstest.NewStatic("client-secret-" + randomToken(t)),
		RefreshToken: secretstest.NewStatic("refresh-" + randomToken(t)),
		TokenURL:     srv.URL + "/oauth/v3/token",
	})
	require.NoError(t, err)
	_, err = p.Fetch(context.Background())
	require.NoError(t, err)
	return p
}

// CheckHidden must find in-memory bytes in every form fmt can print them.
func TestCheckHiddenFindsPlantedBytes(t *testing.T) {
	s := secrets.New(randomToken(t))
	hidden := leakcheck.Hidden(struct{ s secrets.Secret }{s})
	require.NotEmpty(t, hidden)
	for _, b := range hidden {
		for _, verb := range []string{"%s", "%q", "%+q", "%x", "%X", "% x", "%v", "%d", "%#v"} {
			var arg any = b
			if verb == "%s" || verb == "%q" || verb == "%+q" {
				arg = string(b)
			}
			r := leakcheck.New()
			r.Add("planted", "x "+fmt.Sprintf(verb, arg)+" y")
			ft := &fakeT{TB: t}
			r.CheckHidden(ft, hidden)
			if len(ft.failures) == 0 {
				t.Errorf("bytes printed with %s were not found", verb)
			}
		}
	}
}
