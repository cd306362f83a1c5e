package oauth_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// rawServer answers every request with the bytes answer makes of the form
// it was sent: status lines and headers net/http would refuse to write.
func rawServer(t *testing.T, answer func(form url.Values) string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				_ = req.ParseForm()
				_, _ = io.WriteString(c, answer(req.PostForm))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// hostileAnswers echo the credentials a token request carried where
// net/http quotes a malformed answer in its errors, or where a redirect
// puts them.
var hostileAnswers = map[string]func(form url.Values) string{
	"Location with %zz": func(f url.Values) string {
		return "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/%zz?" + f.Encode() + "&raw=" + echoed(f) + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location with a control character": func(f url.Values) string {
		return "HTTP/1.1 308 Permanent Redirect\r\nLocation: http://127.0.0.1:1/\x7f" + echoed(f) + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location with a space in the host": func(f url.Values) string {
		return "HTTP/1.1 302 Found\r\nLocation: http://a b/" + echoed(f) + "\r\nContent-Length: 0\r\n\r\n"
	},
	"redirect reason phrase": func(f url.Values) string {
		return "HTTP/1.1 307 " + echoed(f) + "\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"
	},
	"error reason phrase": func(f url.Values) string {
		return "HTTP/1.1 400 " + echoed(f) + "\r\nContent-Length: 0\r\n\r\n"
	},
	"status line": func(f url.Values) string { return echoed(f) + "\r\n\r\n" },
	"status code": func(f url.Values) string { return "HTTP/1.1 2" + echoed(f) + " OK\r\n\r\n" },
	"header line": func(f url.Values) string {
		return "HTTP/1.1 200 OK\r\nX: y\r\n" + echoed(f) + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Content-Length": func(f url.Values) string { return "HTTP/1.1 200 OK\r\nContent-Length: " + echoed(f) + "\r\n\r\n" },
	"Transfer-Encoding": func(f url.Values) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + echoed(f) + "\r\n\r\n"
	},
	"trailer line": func(f url.Values) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + echoed(f) + "\r\n\r\n"
	},
	"Content-Type of a non-JSON 200": func(f url.Values) string {
		return "HTTP/1.1 200 OK\r\nContent-Type: text/" + echoed(f) + "\r\nContent-Length: 2\r\n\r\nno"
	},
}

// echoed is every credential in f, raw, joined by dashes.
func echoed(f url.Values) string {
	var parts []string
	for _, k := range []string{"client_secret", "refresh_token", "code", "code_verifier"} {
		if v := f.Get(k); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, "-")
}

// TestServerEchoesNoCredentialIntoErrors: a token endpoint that echoes
// the credentials it was sent into a Location (parsable or not), a reason
// phrase, a malformed status or header line, a trailer, or a Content-Type
// gets an error that names what was wrong and quotes none of them.
func TestServerEchoesNoCredentialIntoErrors(t *testing.T) {
	for name, answer := range hostileAnswers {
		t.Run(name, func(t *testing.T) {
			u := rawServer(t, answer)
			cfg := oauth.Config{
				ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret),
				RefreshToken: secretstest.NewStatic(refreshToken), TokenURL: u + "/oauth/v3/token",
			}
			p, err := oauth.New(cfg)
			require.NoError(t, err)
			_, ferr := p.Fetch(context.Background())
			_, xerr := oauth.Exchange(context.Background(), cfg, authCode, "https://example.com/cb", codeVerifier)
			for _, err := range []error{ferr, xerr} {
				require.Error(t, err)
				t.Log(err)
				assert.NotEmpty(t, strings.TrimPrefix(err.Error(), "secrets: hubspot-oauth:"+clientID+": "))
				for e := err; e != nil; e = errors.Unwrap(e) {
					for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%q", e)} {
						for _, c := range []string{clientSecret, refreshToken, authCode, codeVerifier} {
							secretstest.AssertNoLeak(t, "error chain", text, c)
						}
					}
				}
			}
		})
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

// TestTransportErrorsKeepTheirChain: an error net/http reports with no
// credential in it is not flattened, so callers can still match it.
func TestTransportErrorsKeepTheirChain(t *testing.T) {
	got := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(got)
		<-r.Context().Done()
	}))
	defer srv.Close()
	p, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: secretstest.NewStatic(clientSecret), RefreshToken: secretstest.NewStatic(refreshToken), TokenURL: srv.URL})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-got; cancel() }()
	_, err = p.Fetch(ctx)
	require.ErrorIs(t, err, context.Canceled)
}
