package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

const (
	authCode     = "canary-auth-code-7f3e2d1c"
	codeVerifier = "canary-code-verifier-9a8b7c6d5e4f"
)

var redirectStatuses = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// sink is where a redirect points. It counts the connections made to it,
// so even a request that never got past the TLS handshake is seen.
type sink struct {
	*httptest.Server
	conns atomic.Int64
}

func newSink(t *testing.T, tls bool) *sink {
	s := &sink{Server: httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token_type":"bearer","access_token":"stolen-and-answered","expires_in":1800,"refresh_token":"r-stolen"}`)
	}))}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// redirector answers every token request with status and a Location on
// target whose path and query carry the credentials it was sent.
func redirector(status int, target *string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Location", *target+"/steal?"+r.PostForm.Encode())
		w.WriteHeader(status)
	}
}

// assertRedirectRefused checks err is the refusal of a redirect with
// status, quoting neither the Location nor a credential.
func assertRedirectRefused(t *testing.T, err error, status int) {
	t.Helper()
	require.Error(t, err)
	var oe *oauth.Error
	require.True(t, errors.As(err, &oe), "%T is not an *oauth.Error", err)
	assert.Equal(t, status, oe.StatusCode)
	assert.NotErrorIs(t, err, oauth.ErrInvalidGrant)
	assert.Contains(t, err.Error(), fmt.Sprintf("answered %d %s", status, http.StatusText(status)))
	assert.Contains(t, err.Error(), "redirects are not followed")
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		assert.NotContains(t, text, "steal")
		for _, c := range []string{clientSecret, refreshToken, authCode, codeVerifier} {
			secretstest.AssertNoLeak(t, "redirect error", text, c)
		}
	}
}

// TestRedirectsAreNotFollowed: a token endpoint answering 301, 302, 303,
// 307 or 308 gets an error naming the status, and the redirect's target
// (another port, or plain http from an https endpoint) sees no connection,
// with the default client and with the caller's, whose CheckRedirect would
// follow.
func TestRedirectsAreNotFollowed(t *testing.T) {
	sinks := map[string]*sink{"http sink": newSink(t, false), "https sink": newSink(t, true)}
	for _, status := range redirectStatuses {
		for _, tlsEndpoint := range []bool{false, true} {
			for sinkName, sk := range sinks {
				for _, userClient := range []bool{false, true} {
					if tlsEndpoint && !userClient {
						continue // the default client does not trust httptest's certificate
					}
					name := fmt.Sprintf("%d/tls endpoint %v/%s/user client %v", status, tlsEndpoint, sinkName, userClient)
					t.Run(name, func(t *testing.T) {
						target := sk.URL
						ep := httptest.NewUnstartedServer(redirector(status, &target))
						if tlsEndpoint {
							ep.StartTLS()
						} else {
							ep.Start()
						}
						defer ep.Close()
						before := sk.conns.Load()

						cfg := oauth.Config{
							ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret),
							RefreshToken: secretstest.NewStatic(refreshToken),
							TokenURL:     ep.URL + "/oauth/v3/token", Clock: clock.NewFake(t0),
						}
						var followed atomic.Int64
						var hc *http.Client
						var checkRedirect func(*http.Request, []*http.Request) error
						var transport http.RoundTripper
						if userClient {
							hc = ep.Client() // trusts the sinks' certificate too: httptest shares one
							checkRedirect = func(*http.Request, []*http.Request) error { followed.Add(1); return nil }
							hc.CheckRedirect = checkRedirect
							transport = hc.Transport
							cfg.HTTPClient = hc
						}
						p, err := oauth.New(cfg)
						require.NoError(t, err)
						_, err = p.Fetch(context.Background())
						assertRedirectRefused(t, err, status)
						_, err = oauth.Exchange(context.Background(), cfg, authCode, "https://example.com/cb", codeVerifier)
						assertRedirectRefused(t, err, status)

						assert.Equal(t, before, sk.conns.Load(), "the redirect target was contacted")
						if userClient {
							assert.Zero(t, followed.Load(), "the caller's CheckRedirect was consulted")
							assert.Equal(t, reflect.ValueOf(checkRedirect).Pointer(), reflect.ValueOf(hc.CheckRedirect).Pointer(), "the caller's CheckRedirect was replaced")
							assert.Same(t, transport, hc.Transport, "the caller's Transport was replaced")
						}
					})
				}
			}
		}
	}
}

// TestRedirectErrorStatusText: the refusal names any 3xx by Go's text for
// it, or by its number alone.
func TestRedirectErrorStatusText(t *testing.T) {
	for _, status := range []int{300, 304, 306, 399} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
			defer srv.Close()
			p, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), RefreshToken: secretstest.NewStatic(refreshToken), TokenURL: srv.URL})
			require.NoError(t, err)
			_, err = p.Fetch(context.Background())
			want := strings.TrimSpace(fmt.Sprintf("oauth: token endpoint answered %d %s", status, http.StatusText(status))) + "; redirects"
			assert.ErrorContains(t, err, want)
		})
	}
}
