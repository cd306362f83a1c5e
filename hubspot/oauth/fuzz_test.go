package oauth_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canaries for the credentials a refresh sends: a hostile token endpoint
// may echo them anywhere in its answer.
const (
	fuzzClientSecret = "cs-CANARY-5b7e0c1d-9a8f"
	fuzzRefreshToken = "na1-CANARY-rt-4e2f-8c3a"
)

// tokenEndpoint answers every request with the status and body under test;
// the body is the Location too, as a server may echo a credential there.
type tokenEndpoint struct {
	mu     sync.Mutex
	status int
	body   []byte
	sent   int
}

func (e *tokenEndpoint) requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent
}

func (e *tokenEndpoint) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sent++
	return &http.Response{
		StatusCode: e.status, Status: fmt.Sprint(e.status), Request: req,
		Header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}, "Location": {string(e.body)}},
		Body:   io.NopCloser(bytes.NewReader(e.body)),
	}, nil
}

// FuzzTokenResponse feeds token-endpoint answers of any status and body to
// a refresh. Properties: no panic; neither the client secret nor the
// refresh token, echoed anywhere in the body or Location, reaches the
// error; a redirect is never followed; a success has an access token and a
// positive lifetime; a body over the limit is refused.
func FuzzTokenResponse(f *testing.F) {
	long := strings.Repeat("m", 295)
	for _, s := range []struct {
		status uint16
		body   string
	}{
		//hubkeyvet:ignore a seed shaped like HubSpot's documented sample token, not a live one
		{200, `{"token_type":"bearer","refresh_token":"na1-new-refresh","access_token":"CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4","expires_in":1800}`},
		{200, `{"accessToken":"CJSP5qf1","refreshToken":"na1-x","expiresIn":1800,"tokenType":"BEARER"}`},
		{200, `{"access_token":"a","expires_in":0}`},
		{200, `{"access_token":"a","expires_in":-5,"token_type":"mac"}`},
		{200, `{"access_token":"a","expires_in":1800,"token_type":"` + fuzzClientSecret + `"}`},
		{200, `{"access_token":"a","expires_in":1e30}`},
		{200, `{"access_token":"a","expires_in":9223372036854775807}`},
		{200, `not json ` + fuzzRefreshToken},
		{400, `{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token","correlationId":"3a5c1f2e-0000-4000-8000-000000000004","category":"VALIDATION_ERROR"}`},
		{400, `{"error":"invalid_grant","error_description":"refresh token ` + fuzzRefreshToken + ` is revoked"}`},
		{401, `{"status":"BAD_CLIENT_ID","message":"client secret ` + fuzzClientSecret + ` does not match","correlationId":"` + fuzzClientSecret + `"}`},
		{400, `{"error":"` + fuzzRefreshToken + `","category":"` + fuzzClientSecret + `"}`},
		{400, `{"message":"` + long + fuzzClientSecret + `"}`},
		{400, `{"message":"\u0063s-CANARY-5b7e0c1d-9a8f"}`},
		{502, `<html><body>Bad Gateway</body></html>`},
		{307, `https://127.0.0.1:1/%zz?refresh_token=` + fuzzRefreshToken},
		{308, "http://127.0.0.1:1/\x7f" + fuzzClientSecret},
		{302, `http://a b/` + fuzzRefreshToken},
		{301, `/oauth/v1/token?` + fuzzClientSecret},
	} {
		f.Add(s.status, []byte(s.body), uint8(1))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, status uint16, body []byte, pad uint8) {
		// A new provider each time: one that learned a rotated refresh
		// token would send that, not the canary.
		ep := &tokenEndpoint{}
		p, err := oauth.New(oauth.Config{
			ClientID:     "6a2c4c8e-0000-4000-8000-0000000000aa",
			ClientSecret: secretstest.NewStatic(fuzzClientSecret),
			RefreshToken: secretstest.NewStatic(fuzzRefreshToken),
			TokenURL:     "http://127.0.0.1:1/oauth/v1/token",
			HTTPClient:   &http.Client{Transport: ep},
		})
		if err != nil {
			t.Fatal(err)
		}
		st := int(status)
		if st < 100 || st > 599 {
			st = st%500 + 100
		}
		oversize := pad%32 == 0
		if oversize { // a body past the limit, with a valid token at its start
			body = append(append([]byte(`{"access_token":"a","expires_in":60}`), body...), bytes.Repeat([]byte(" "), 64<<10)...)
		}
		ep.mu.Lock()
		ep.status, ep.body = st, body
		ep.mu.Unlock()
		v, err := p.Fetch(ctx)
		if n := ep.requests(); n != 1 {
			t.Fatalf("status %d: %d requests sent, want 1", st, n)
		}
		if err != nil {
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				for _, c := range []string{fuzzClientSecret, fuzzRefreshToken} {
					if strings.Contains(text, c) {
						t.Fatalf("a credential reached the error: %q", text)
					}
				}
			}
			return
		}
		if oversize {
			t.Fatal("a body over the limit was accepted")
		}
		if st/100 != 2 {
			t.Fatalf("status %d gave a token", st)
		}
		if v.Value.IsZero() || !v.ExpiresAt.After(v.FetchedAt) {
			t.Fatalf("token of %d bytes expiring %v after fetch", v.Value.Len(), v.ExpiresAt.Sub(v.FetchedAt))
		}
	})
}
