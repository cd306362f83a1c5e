package hubspot_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// The bearer token and the developer key go through one credential layer:
// what it does for one, it does for the other.
func TestCredentialLayerTreatsTokenAndKeyAlike(t *testing.T) {
	const token = "pat-na1-cccccccc-dddd-eeee-ffff-aaaaaaaaaaaa"
	tokens, _ := tokenCache(t, token)
	keys, _ := tokenCache(t, devKey)
	for _, tc := range []struct {
		name, path, secret string
	}{
		{"token", "/crm/v3/objects/contacts/1", token},
		{"developer key", "/webhooks/v3/1/settings", devKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A base transport whose errors quote what it was sent, header
			// and URL, as some proxies and instrumented transports do.
			quoting := &hubspot.Transport{Source: tokens, DeveloperKey: keys, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
				return nil, fmt.Errorf("proxy refused %s with %q", r.URL, r.Header.Get("Authorization"))
			})}
			req, _ := http.NewRequest("GET", "https://api.hubapi.com"+tc.path, nil)
			_, err := quoting.RoundTrip(req)
			if err == nil {
				t.Fatal("no error")
			}
			secretstest.AssertNoLeak(t, "error", fmt.Sprintf("%v %+v", err, err), tc.secret)

			// The Response's Request is the caller's, without the credential.
			answering := &hubspot.Transport{Source: tokens, DeveloperKey: keys, Base: rtFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
			})}
			req, _ = http.NewRequest("GET", "https://api.hubapi.com"+tc.path, nil)
			resp, err := answering.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			secretstest.AssertNoLeak(t, "Response.Request", fmt.Sprintf("%s %v", resp.Request.URL, resp.Request.Header), tc.secret)

			// An empty credential is refused, not sent.
			empty := &hubspot.Transport{Source: emptySource{}, DeveloperKey: emptySource{}, Base: failingRT{t}}
			req, _ = http.NewRequest("GET", "https://api.hubapi.com"+tc.path, nil)
			if _, err := empty.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "returned an empty") {
				t.Fatalf("empty credential: %v", err)
			}
		})
	}
}

// A Transport with only a developer key refuses the calls that take a
// bearer token, and one with only a token those that take the key.
func TestCredentialLayerRefusesWhatItCannotAuthenticate(t *testing.T) {
	tokens, _ := tokenCache(t, tokenForRedirects)
	keys, _ := tokenCache(t, devKey)
	keyOnly := &hubspot.Transport{DeveloperKey: keys, Base: failingRT{t}}
	req, _ := http.NewRequest("GET", "https://api.hubapi.com/crm/v3/objects/contacts", nil)
	if _, err := keyOnly.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "takes a bearer token") {
		t.Errorf("a CRM call through a key-only Transport: %v", err)
	}
	tokenOnly := &hubspot.Transport{Source: tokens, Base: failingRT{t}}
	req, _ = http.NewRequest("GET", "https://api.hubapi.com/webhooks/v3/1/settings", nil)
	if _, err := tokenOnly.RoundTrip(req); !errors.Is(err, hubspot.ErrNoDeveloperKey) {
		t.Errorf("a webhook settings call through a token-only Transport: %v", err)
	}
}
