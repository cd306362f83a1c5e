package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// legacy opts in to the replayable v1 and v2 next to v3.
var legacy = WithVersions(V1, V2, V3)

func newVerifier(t testing.TB, opts ...Option) *Verifier {
	t.Helper()
	v, err := NewVerifier(append([]Option{WithSecrets(secrets.New(hsSecret)), WithClock(clock.NewFake(now))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// hubspotRequest builds the request HubSpot would send to
// https://hooks.example.com/hubspot?portal=1, signed with secret in
// version ver at ts.
func hubspotRequest(t testing.TB, secret string, ver Version, method, body string, ts time.Time) *http.Request {
	t.Helper()
	const url = "https://hooks.example.com/hubspot?portal=1"
	r := httptest.NewRequest(method, url, strings.NewReader(body))
	s := secrets.New(secret)
	switch ver {
	case V1:
		r.Header.Set(HeaderSignatureVersion, "v1")
		r.Header.Set(HeaderSignature, SignatureV1(s, []byte(body)))
	case V2:
		r.Header.Set(HeaderSignatureVersion, "v2")
		r.Header.Set(HeaderSignature, SignatureV2(s, method, url, []byte(body)))
	case V3:
		stamp := strconv.FormatInt(ts.UnixMilli(), 10)
		r.Header.Set(HeaderTimestamp, stamp)
		r.Header.Set(HeaderSignatureV3, SignatureV3(s, method, url, []byte(body), stamp))
	}
	return r
}

func TestVerifierAcceptsEachVersion(t *testing.T) {
	v := newVerifier(t, legacy)
	for _, ver := range []Version{V1, V2, V3} {
		r := hubspotRequest(t, hsSecret, ver, "POST", hsV1Body, now)
		got, err := v.Verify(r)
		if err != nil || got != ver {
			t.Fatalf("%s: got %v, %v", ver, got, err)
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != hsV1Body {
			t.Errorf("%s: body after Verify = %q", ver, b)
		}
	}
	// The documentation's v2 GET example, through a request.
	r := httptest.NewRequest("GET", "https://www.example.com/webhook_uri", nil)
	r.Header.Set(HeaderSignatureVersion, "v2")
	r.Header.Set(HeaderSignature, strings.ToUpper(hsV2GetSig)) // hex case does not matter
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
}

func TestVerifierRejects(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		req  func(t *testing.T) *http.Request
		want Reason
	}{
		{"unsigned", nil, func(t *testing.T) *http.Request {
			return httptest.NewRequest("POST", "https://hooks.example.com/hubspot", strings.NewReader("[]"))
		}, ReasonUnsigned},
		{"wrong secret v1", []Option{legacy}, func(t *testing.T) *http.Request {
			return hubspotRequest(t, "zzzz", V1, "POST", hsV1Body, now)
		}, ReasonBadSignature},
		{"wrong secret v3", nil, func(t *testing.T) *http.Request {
			return hubspotRequest(t, "zzzz", V3, "POST", hsV1Body, now)
		}, ReasonBadSignature},
		{"tampered body v2", []Option{legacy}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V2, "POST", hsV1Body, now)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(hsV1Body, "123", "124", 1)))
			return r
		}, ReasonBadSignature},
		{"tampered URL v3", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.URL.RawQuery = "portal=2"
			r.RequestURI = "/hubspot?portal=2"
			return r
		}, ReasonBadSignature},
		{"tampered timestamp v3", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.Header.Set(HeaderTimestamp, strconv.FormatInt(now.UnixMilli()+1, 10))
			return r
		}, ReasonBadSignature},
		{"stale v3", nil, func(t *testing.T) *http.Request {
			return hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now.Add(-DefaultTolerance-time.Millisecond))
		}, ReasonStale},
		{"future v3", nil, func(t *testing.T) *http.Request {
			return hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now.Add(DefaultFutureSkew+time.Second))
		}, ReasonFuture},
		{"v3 without timestamp", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.Header.Del(HeaderTimestamp)
			return r
		}, ReasonMalformed},
		{"v3 with two timestamps", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.Header.Add(HeaderTimestamp, "1")
			return r
		}, ReasonMalformed},
		{"timestamp in seconds with a dot", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.Header.Set(HeaderTimestamp, "1740830400.5")
			return r
		}, ReasonMalformed},
		{"v3 not base64", nil, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
			r.Header.Set(HeaderSignatureV3, strings.Repeat("!", 44))
			return r
		}, ReasonMalformed},
		{"v1 not hex", []Option{legacy}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
			r.Header.Set(HeaderSignature, strings.Repeat("g", 64))
			return r
		}, ReasonMalformed},
		{"v1 truncated", []Option{legacy}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
			r.Header.Set(HeaderSignature, hsV1Sig[:63])
			return r
		}, ReasonMalformed},
		{"unknown version", []Option{legacy}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
			r.Header.Set(HeaderSignatureVersion, "v9")
			return r
		}, ReasonUnsupportedVersion},
		{"v3 announced, header missing", []Option{legacy}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
			r.Header.Set(HeaderSignatureVersion, "v3")
			return r
		}, ReasonMalformed},
		{"v1 refused", []Option{WithVersions(V3)}, func(t *testing.T) *http.Request {
			return hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
		}, ReasonUnsupportedVersion},
		{"v3 refused", []Option{WithVersions(V1, V2)}, func(t *testing.T) *http.Request {
			return hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
		}, ReasonUnsupportedVersion},
		{"body too large", []Option{WithMaxBodySize(10)}, func(t *testing.T) *http.Request {
			return hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now)
		}, ReasonBodyTooLarge},
		{"body too large, length unknown", []Option{legacy, WithMaxBodySize(10)}, func(t *testing.T) *http.Request {
			r := hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)
			r.ContentLength = -1
			return r
		}, ReasonBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.opts...)
			r := tt.req(t)
			_, err := v.Verify(r)
			if got := ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
			if !errors.Is(err, &Error{Reason: tt.want}) {
				t.Error("errors.Is does not match")
			}
			secretstest.AssertNoLeak(t, "error", err.Error(), hsSecret)
			for _, h := range []string{HeaderSignature, HeaderSignatureV3} {
				if sig := r.Header.Get(h); len(sig) > 8 && strings.Contains(err.Error(), sig) {
					t.Error("error echoes the signature")
				}
			}
		})
	}
}

func TestVerifierSeveralSecrets(t *testing.T) {
	// A rotated app secret: the old and the new are both accepted.
	v := newVerifier(t, WithSecrets(secrets.New("new-secret")))
	for _, s := range []string{hsSecret, "new-secret"} {
		if _, err := v.Verify(hubspotRequest(t, s, V3, "POST", "[]", now)); err != nil {
			t.Errorf("secret %d bytes: %v", len(s), err)
		}
	}

	// A Cache: current and previous.
	st := secretstest.NewStatic(hsSecret)
	cache, err := secrets.NewCache(st)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	v, err = NewVerifier(WithSecretSource(cache), WithClock(clock.NewFake(now)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(hubspotRequest(t, hsSecret, V3, "POST", "[]", now)); err != nil {
		t.Fatal(err)
	}
	st.Rotate("rotated-secret")
	if _, err := cache.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{hsSecret, "rotated-secret"} {
		if _, err := v.Verify(hubspotRequest(t, s, V3, "POST", "[]", now)); err != nil {
			t.Errorf("after rotation, secret %d bytes: %v", len(s), err)
		}
	}
	if _, err := v.Verify(hubspotRequest(t, "other", V3, "POST", "[]", now)); ReasonOf(err) != ReasonBadSignature {
		t.Errorf("unknown secret: %v", err)
	}

	// A source that fails and has nothing cached.
	v, _ = NewVerifier(WithSecretSource(secretsFunc(func(context.Context) (secrets.Version, error) {
		return secrets.Version{}, errors.New("vault sealed")
	})), WithClock(clock.NewFake(now)))
	_, err = v.Verify(hubspotRequest(t, hsSecret, V3, "POST", "[]", now))
	if ReasonOf(err) != ReasonNoSecret || (&Error{Reason: ReasonNoSecret}).StatusCode() != 500 {
		t.Errorf("failing source: %v", err)
	}
}

type secretsFunc func(context.Context) (secrets.Version, error)

func (f secretsFunc) Get(ctx context.Context) (secrets.Version, error) { return f(ctx) }

func TestVerifierPublicURL(t *testing.T) {
	// Behind a TLS-terminating proxy the server sees http and an inner
	// host; HubSpot signed the public https URL.
	r := hubspotRequest(t, hsSecret, V3, "POST", "[]", now)
	r.Host = "10.0.0.5:8080"
	r.TLS = nil
	v := newVerifier(t)
	if _, err := v.Verify(r); ReasonOf(err) != ReasonBadSignature {
		t.Fatalf("without the public URL: %v", err)
	}
	r = hubspotRequest(t, hsSecret, V3, "POST", "[]", now)
	r.Host = "10.0.0.5:8080"
	r.TLS = nil
	v = newVerifier(t, WithPublicURL("https://hooks.example.com/"))
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
	// Percent-encodings HubSpot decodes for v3 may arrive encoded.
	url := "https://hooks.example.com/hubspot?email=a%40b.c&x=%2A"
	r = httptest.NewRequest("POST", url, strings.NewReader("[]"))
	r.Header.Set(HeaderTimestamp, strconv.FormatInt(now.UnixMilli(), 10))
	r.Header.Set(HeaderSignatureV3, SignatureV3(secrets.New(hsSecret), "POST", "https://hooks.example.com/hubspot?email=a@b.c&x=*", []byte("[]"), strconv.FormatInt(now.UnixMilli(), 10)))
	if _, err := newVerifier(t).Verify(r); err != nil {
		t.Fatal(err)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	for name, opts := range map[string][]Option{
		"no secret":      {},
		"empty secret":   {WithSecrets(secrets.Secret{})},
		"nil source":     {WithSecretSource(nil)},
		"tolerance":      {WithSecrets(secrets.New("s")), WithTolerance(0)},
		"skew":           {WithSecrets(secrets.New("s")), WithFutureSkew(-1)},
		"body":           {WithSecrets(secrets.New("s")), WithMaxBodySize(0)},
		"no versions":    {WithSecrets(secrets.New("s")), WithVersions()},
		"bad version":    {WithSecrets(secrets.New("s")), WithVersions(4)},
		"bad public url": {WithSecrets(secrets.New("s")), WithPublicURL("hooks.example.com")},
	} {
		if _, err := NewVerifier(opts...); err == nil {
			t.Errorf("%s: NewVerifier succeeded", name)
		}
	}
}

func TestVerifierConcurrent(t *testing.T) {
	v := newVerifier(t, legacy)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ver := Version(i%3 + 1)
			if _, err := v.Verify(hubspotRequest(t, hsSecret, ver, "POST", hsV1Body, now)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"": V1, "v1": V1, "V2": V2, " v3 ": V3} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseVersion(strings.Repeat("x", 100)); err == nil || len(err.Error()) > 80 {
		t.Errorf("long version: %v", err)
	}
}

// The default Verifier accepts v3 only: a genuine v1 or v2 delivery, or a
// captured v3 delivery whose v3 headers were deleted, is refused with a
// reason that says why and how to opt in.
func TestVerifierDefaultRefusesV1V2(t *testing.T) {
	v := newVerifier(t)
	for _, ver := range []Version{V1, V2} {
		_, err := v.Verify(hubspotRequest(t, hsSecret, ver, "POST", hsV1Body, now))
		if ReasonOf(err) != ReasonUnsupportedVersion {
			t.Fatalf("%s by default: %v, want %s", ver, err, ReasonUnsupportedVersion)
		}
		for _, want := range []string{HeaderSignatureV3, ver.String(), "replayed", "WithVersions"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not say %q", ver, err, want)
			}
		}
	}

	// HubSpot sends v3 and v1/v2 together; strip the v3 headers of a
	// captured delivery and replay it long after, to another URL for v1.
	r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, now.Add(-time.Hour))
	r.Header.Set(HeaderSignatureVersion, "v1")
	r.Header.Set(HeaderSignature, SignatureV1(secrets.New(hsSecret), []byte(hsV1Body)))
	r.Header.Del(HeaderSignatureV3)
	r.Header.Del(HeaderTimestamp)
	if _, err := v.Verify(r); ReasonOf(err) != ReasonUnsupportedVersion {
		t.Fatalf("replay with the v3 headers stripped: %v", err)
	}

	// Through the Handler: 401 with the reason.
	w := httptest.NewRecorder()
	Handler(v, func(context.Context, []Event) error { t.Error("events reached the handler"); return nil }).
		ServeHTTP(w, hubspotRequest(t, hsSecret, V2, "POST", hsV1Body, now))
	if w.Code != http.StatusUnauthorized || w.Body.String() != "signature rejected: unsupported_version\n" {
		t.Errorf("handler: %d %q", w.Code, w.Body.String())
	}
}

// WithVersions opts in to v1 and v2.
func TestVerifierOptInV1V2(t *testing.T) {
	for _, opt := range []Option{WithVersions(V1, V2, V3), WithVersions(V1, V2), WithVersions(V2)} {
		v := newVerifier(t, opt)
		if _, err := v.Verify(hubspotRequest(t, hsSecret, V2, "POST", hsV1Body, now)); err != nil {
			t.Fatalf("v2 opted in: %v", err)
		}
	}
	v := newVerifier(t, WithVersions(V1, V3))
	if _, err := v.Verify(hubspotRequest(t, hsSecret, V1, "POST", hsV1Body, now)); err != nil {
		t.Fatalf("v1 opted in: %v", err)
	}
	if _, err := v.Verify(hubspotRequest(t, hsSecret, V2, "POST", hsV1Body, now)); ReasonOf(err) != ReasonUnsupportedVersion {
		t.Fatalf("v2 not opted in: %v", err)
	}
}

// When a request carries an X-HubSpot-Signature-v3 header, only the v3
// signature counts: a valid v1 or v2 signature beside a bad, blank or
// duplicated v3 one does not let it through, whatever versions are
// allowed.
func TestVerifierV3HeaderGoverns(t *testing.T) {
	withV1 := func(t *testing.T, ver Version, ts time.Time) *http.Request {
		r := hubspotRequest(t, hsSecret, V3, "POST", hsV1Body, ts)
		r.Header.Set(HeaderSignatureVersion, ver.String())
		if ver == V1 {
			r.Header.Set(HeaderSignature, SignatureV1(secrets.New(hsSecret), []byte(hsV1Body)))
		} else {
			r.Header.Set(HeaderSignature, SignatureV2(secrets.New(hsSecret), "POST", "https://hooks.example.com/hubspot?portal=1", []byte(hsV1Body)))
		}
		return r
	}
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		want Reason
	}{
		{"bad v3, valid v1", func(t *testing.T) *http.Request {
			r := withV1(t, V1, now)
			r.Header.Set(HeaderSignatureV3, SignatureV3(secrets.New("zzzz"), "POST", "https://hooks.example.com/hubspot?portal=1", []byte(hsV1Body), r.Header.Get(HeaderTimestamp)))
			return r
		}, ReasonBadSignature},
		{"stale v3, valid v2", func(t *testing.T) *http.Request {
			return withV1(t, V2, now.Add(-time.Hour))
		}, ReasonStale},
		{"empty v3, valid v1", func(t *testing.T) *http.Request {
			r := withV1(t, V1, now)
			r.Header.Set(HeaderSignatureV3, "")
			return r
		}, ReasonMalformed},
		{"blank v3, valid v1", func(t *testing.T) *http.Request {
			r := withV1(t, V1, now)
			r.Header.Set(HeaderSignatureV3, "  ")
			r.Header.Del(HeaderTimestamp)
			return r
		}, ReasonMalformed},
		{"empty v3 line before a valid one, valid v1", func(t *testing.T) *http.Request {
			r := withV1(t, V1, now)
			r.Header[http.CanonicalHeaderKey(HeaderSignatureV3)] = append([]string{""}, r.Header.Values(HeaderSignatureV3)...)
			return r
		}, ReasonMalformed},
	}
	for _, opt := range []Option{WithVersions(V1, V2, V3), WithVersions(V3)} {
		v := newVerifier(t, opt)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := v.Verify(tt.req(t))
				if got := ReasonOf(err); got != tt.want {
					t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
				}
			})
		}
	}
	// A receiver that allows v1 and v2 but not v3 refuses a request that
	// carries v3, rather than judge it by its v1 signature.
	v := newVerifier(t, WithVersions(V1, V2))
	if _, err := v.Verify(withV1(t, V1, now)); ReasonOf(err) != ReasonUnsupportedVersion {
		t.Fatalf("v3 present, v3 not allowed: %v", err)
	}
}
