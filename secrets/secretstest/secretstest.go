// Package secretstest is the conformance suite every hubkey secrets
// provider passes, and an in-memory provider for tests.
//
// A provider package runs the suite against its backend (a real server or a
// faithful fake) through a Harness:
//
//	func TestConformance(t *testing.T) {
//		secretstest.Run(t, func(ctx context.Context, t *testing.T) (secretstest.Harness, error) {
//			return newHarness(t)
//		})
//	}
package secretstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Harness connects the suite to one secret in a provider's backend.
type Harness interface {
	// MakeProvider returns a Provider that reads the harness's secret.
	MakeProvider(ctx context.Context) (secrets.Provider, error)
	// SetValue stores value as a new version of the secret at the source.
	SetValue(ctx context.Context, value string) error
	// Close releases what the harness holds.
	Close()
}

// Breaker is implemented by harnesses that can make the secret unreadable
// (delete it, revoke access, corrupt it), so the suite can check that
// errors do not carry the last value.
type Breaker interface {
	Break(ctx context.Context) error
}

// HarnessMaker makes a Harness for one test.
type HarnessMaker func(ctx context.Context, t *testing.T) (Harness, error)

// Run runs the conformance tests as subtests of t.
func Run(t *testing.T, newHarness HarnessMaker) {
	t.Helper()
	tests := []struct {
		name string
		f    func(*testing.T, Harness)
	}{
		{"FetchReturnsValue", testFetch},
		{"RotationIsSeen", testRotation},
		{"VersionIDStableWithoutChange", testStableID},
		{"ErrorsCarryNoSecret", testErrorsCarryNoSecret},
		{"CancelledContext", testCancelled},
		{"ConcurrentFetch", testConcurrent},
		{"PreviousVersion", testPrevious},
		{"CacheSeesRotation", testCache},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			h, err := newHarness(ctx, t)
			if err != nil {
				t.Fatalf("making harness: %v", err)
			}
			defer h.Close()
			tc.f(t, h)
		})
	}
}

// value returns a fresh random value for the n-th version in a test.
func value(t *testing.T, n int) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("conformance-v%d-%x", n, b)
}

func provider(t *testing.T, h Harness) secrets.Provider {
	t.Helper()
	p, err := h.MakeProvider(context.Background())
	if err != nil {
		t.Fatalf("MakeProvider: %v", err)
	}
	return p
}

func set(t *testing.T, h Harness, v string) {
	t.Helper()
	if err := h.SetValue(context.Background(), v); err != nil {
		t.Fatalf("SetValue: %v", err)
	}
}

func fetch(t *testing.T, p secrets.Provider) secrets.Version {
	t.Helper()
	v, err := p.Fetch(context.Background())
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	return v
}

func testFetch(t *testing.T, h Harness) {
	want := value(t, 1)
	set(t, h, want)
	p := provider(t, h)
	v := fetch(t, p)
	if got := v.Value.Reveal(); got != want {
		t.Fatalf("Fetch returned a value of %d bytes with fingerprint %s, want the %d-byte value that was set (fingerprint %s)",
			len(got), v.Value.Fingerprint(), len(want), secrets.New(want).Fingerprint())
	}
	if v.ID == "" {
		t.Error("Version.ID is empty")
	}
	if v.Source == "" {
		t.Error("Version.Source is empty")
	}
	if v.FetchedAt.IsZero() {
		t.Error("Version.FetchedAt is zero")
	}
	AssertNoLeak(t, "Version.Source", v.Source, want)
	AssertNoLeak(t, "Version.ID", v.ID, want)
}

func testRotation(t *testing.T, h Harness) {
	v1, v2 := value(t, 1), value(t, 2)
	set(t, h, v1)
	p := provider(t, h)
	a := fetch(t, p)
	set(t, h, v2)
	b := fetch(t, p)
	if b.Value.Reveal() != v2 {
		t.Fatalf("after SetValue, Fetch returned fingerprint %s, want %s", b.Value.Fingerprint(), secrets.New(v2).Fingerprint())
	}
	if a.ID == b.ID {
		t.Fatalf("version ID %q did not change when the value changed", a.ID)
	}
}

func testStableID(t *testing.T, h Harness) {
	set(t, h, value(t, 1))
	p := provider(t, h)
	a, b := fetch(t, p), fetch(t, p)
	if a.ID != b.ID {
		t.Fatalf("version ID changed from %q to %q without a change at the source", a.ID, b.ID)
	}
	if !a.Value.Equal(b.Value) {
		t.Fatal("value changed without a change at the source")
	}
}

func testErrorsCarryNoSecret(t *testing.T, h Harness) {
	br, ok := h.(Breaker)
	if !ok {
		t.Skip("harness cannot break its secret")
	}
	v := value(t, 1)
	set(t, h, v)
	p := provider(t, h)
	fetch(t, p)
	if err := br.Break(context.Background()); err != nil {
		t.Fatalf("Break: %v", err)
	}
	_, err := p.Fetch(context.Background())
	if err == nil {
		t.Fatal("Fetch succeeded after the secret was broken")
	}
	AssertNoLeak(t, "error", err.Error(), v)
	AssertNoLeak(t, "error %+v", fmt.Sprintf("%+v", err), v)
}

func testCancelled(t *testing.T, h Harness) {
	set(t, h, value(t, 1))
	p := provider(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Fetch(ctx)
	if err == nil {
		t.Fatal("Fetch with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with a cancelled context returned %v, which does not wrap context.Canceled", err)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	want := value(t, 1)
	set(t, h, want)
	p := provider(t, h)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := p.Fetch(context.Background())
			if err == nil && v.Value.Reveal() != want {
				err = errors.New("concurrent Fetch returned another value")
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testPrevious(t *testing.T, h Harness) {
	p := provider(t, h)
	pf, ok := p.(secrets.PreviousFetcher)
	if !ok {
		t.Skip("provider does not implement FetchPrevious")
	}
	v1, v2 := value(t, 1), value(t, 2)
	set(t, h, v1)
	set(t, h, v2)
	prev, err := pf.FetchPrevious(context.Background())
	if err != nil {
		t.Fatalf("FetchPrevious: %v", err)
	}
	if prev.Value.Reveal() != v1 {
		t.Fatalf("FetchPrevious returned fingerprint %s, want %s", prev.Value.Fingerprint(), secrets.New(v1).Fingerprint())
	}
	cur := fetch(t, p)
	if cur.ID == prev.ID {
		t.Fatalf("current and previous share version ID %q", cur.ID)
	}
}

func testCache(t *testing.T, h Harness) {
	v1, v2 := value(t, 1), value(t, 2)
	set(t, h, v1)
	c, err := secrets.NewCache(provider(t, h))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rotated := make(chan struct{}, 1)
	c.OnRotate(func(old, new secrets.Version) { rotated <- struct{}{} })
	ctx := context.Background()
	a, err := c.Get(ctx)
	if err != nil || a.Value.Reveal() != v1 {
		t.Fatalf("Cache.Get = %s, %v; want the first value", a.Value.Fingerprint(), err)
	}
	set(t, h, v2)
	b, err := c.Refresh(ctx)
	if err != nil || b.Value.Reveal() != v2 {
		t.Fatalf("Cache.Refresh = %s, %v; want the rotated value", b.Value.Fingerprint(), err)
	}
	select {
	case <-rotated:
	default:
		t.Fatal("OnRotate was not called on rotation")
	}
	if p, ok := c.Previous(); !ok || !p.Value.Equal(a.Value) {
		t.Fatal("Cache.Previous is not the replaced version")
	}
}

// Encodings returns the forms a leaked secret is searched for in: as is,
// base64 (standard and URL, padded and raw), hex (both cases), URL-encoded
// (query and path), and inside a string quoted by Go's %q or %+q or by JSON
// (with or without HTML escaping), once or twice over, where quoting
// changes it (a secret holding '"', '\', '<', '>', '&', a control
// character or a byte outside ASCII). The quoted forms come last, so the
// index of every other form does not depend on the secret.
func Encodings(secret string) []string {
	b := []byte(secret)
	forms := []string{
		secret,
		base64.StdEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		url.QueryEscape(secret),
		url.PathEscape(secret),
	}
	for _, once := range quotedInside(secret) {
		if once != secret && !slices.Contains(forms, once) {
			forms = append(forms, once)
			forms = append(forms, quotedInside(once)...)
		}
	}
	seen := map[string]bool{}
	out := forms[:0]
	for _, f := range forms {
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// quotedInside returns s as it appears inside the quotes of Go's %q and %+q
// and of JSON, with and without HTML escaping.
func quotedInside(s string) []string {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	html, _ := json.Marshal(s)
	var out []string
	for _, q := range []string{fmt.Sprintf("%q", s), fmt.Sprintf("%+q", s), string(html), strings.TrimSuffix(plain.String(), "\n")} {
		out = append(out, q[1:len(q)-1])
	}
	return out
}

// Leaks reports which encodings of secret (see Encodings) occur in out.
func Leaks(out, secret string) []string {
	var found []string
	for _, f := range Encodings(secret) {
		if strings.Contains(out, f) {
			found = append(found, f)
		}
	}
	return found
}

// AssertNoLeak fails t if secret, in any of its Encodings, occurs in out.
// The failure message names the output and the encoding, not the secret.
func AssertNoLeak(t testing.TB, what, out, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	for i, f := range Encodings(secret) {
		if strings.Contains(out, f) {
			t.Errorf("%s contains the secret (encoding #%d, fingerprint %s)", what, i, secrets.New(secret).Fingerprint())
		}
	}
}
