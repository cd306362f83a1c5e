package leakcheck_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canaries for every credential a token request carries.
const (
	redirectCanarySecret   = "canary-redirect-client-secret-3f9a1c7e"
	redirectCanaryRefresh  = "canary-redirect-refresh-token-8d2b6e40"
	redirectCanaryCode     = "canary-redirect-auth-code-51c0ffee"
	redirectCanaryVerifier = "canary-redirect-code-verifier-a7e9d3b2"
)

// redirectSink counts the connections made to it: a redirect target must
// see none, not even a TLS handshake.
func redirectSink(t *testing.T, tls bool) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"got %s %s"}`, r.URL.RawQuery, body)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &conns
}

// rawEcho answers every request with the bytes answer makes of its form,
// bytes net/http's server would refuse to write.
func rawEcho(t *testing.T, answer func(url.Values) string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
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

// echoCredentials joins, raw, every credential in f.
func echoCredentials(f url.Values) string {
	return f.Get("client_secret") + f.Get("refresh_token") + f.Get("code") + f.Get("code_verifier")
}

// The token endpoint redirecting (301, 302, 303, 307, 308) to another
// port, to plain http and to https, with the credentials it was sent in the
// Location; and echoing them into an unparsable Location, a reason phrase
// or a malformed header. A refresh through a Cache with debug logging and
// a code exchange with PKCE, with the default client and a caller's: every
// error, hook call, log line and dump is scanned, and no redirect target
// may see a connection.
func TestLeakOAuthRedirects(t *testing.T) {
	rec := leakcheck.New()
	httpSink, httpConns := redirectSink(t, false)
	httpsSink, httpsConns := redirectSink(t, true)

	type endpoint struct {
		url    string
		client func() *http.Client // nil: the package's default client
	}
	endpoints := map[string]endpoint{}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for sinkName, sink := range map[string]string{"http": httpSink.URL, "https": httpsSink.URL} {
			redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				w.Header().Set("Location", sink+"/oauth/v3/token?"+r.PostForm.Encode())
				w.WriteHeader(status)
			})
			plain := httptest.NewServer(redirect)
			t.Cleanup(plain.Close)
			endpoints[fmt.Sprintf("%d to %s, default client", status, sinkName)] = endpoint{url: plain.URL}
			tls := httptest.NewTLSServer(redirect)
			t.Cleanup(tls.Close)
			endpoints[fmt.Sprintf("%d from https to %s, caller's client", status, sinkName)] = endpoint{url: tls.URL, client: func() *http.Client {
				hc := tls.Client() // trusts the sinks too: httptest has one certificate
				hc.CheckRedirect = func(*http.Request, []*http.Request) error { return nil }
				return hc
			}}
		}
	}
	for name, answer := range map[string]func(url.Values) string{
		"Location with %zz": func(f url.Values) string {
			return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + httpSink.URL + "/%zz?" + f.Encode() + "&" + echoCredentials(f) + "\r\nContent-Length: 0\r\n\r\n"
		},
		"Location with a control character": func(f url.Values) string {
			return "HTTP/1.1 308 Permanent Redirect\r\nLocation: " + httpSink.URL + "/\x01" + echoCredentials(f) + "\r\nContent-Length: 0\r\n\r\n"
		},
		"Location with a bad host": func(f url.Values) string {
			return "HTTP/1.1 302 Found\r\nLocation: http://a b/" + echoCredentials(f) + "\r\nContent-Length: 0\r\n\r\n"
		},
		"reason phrase": func(f url.Values) string {
			return "HTTP/1.1 307 " + echoCredentials(f) + "\r\nLocation: " + httpsSink.URL + "\r\nContent-Length: 0\r\n\r\n"
		},
		"malformed header": func(f url.Values) string {
			return "HTTP/1.1 200 OK\r\n" + echoCredentials(f) + "\r\n\r\n"
		},
	} {
		endpoints[name] = endpoint{url: rawEcho(t, answer)}
	}

	ctx := context.Background()
	for name, ep := range endpoints {
		cfg := oauth.Config{
			ClientID:     "app",
			ClientSecret: secretstest.NewStatic(redirectCanarySecret),
			RefreshToken: secretstest.NewStatic(redirectCanaryRefresh),
			TokenURL:     ep.url + "/oauth/v3/token",
		}
		if ep.client != nil {
			cfg.HTTPClient = ep.client()
		}
		p, err := oauth.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
		if err != nil {
			t.Fatal(err)
		}
		if ep.client != nil {
			// Dumped before the caller's transport holds connections: a
			// live one cannot be dumped without racing their goroutines.
			rec.Dump(name+" provider", p)
			rec.Dump(name+" cache", c)
		}
		c.OnError(func(err error) { rec.Err(name+" hook", err) })
		if _, err := c.Get(ctx); err == nil {
			t.Errorf("%s: Get succeeded", name)
		} else {
			rec.Err(name+" get", err)
		}
		_, err = p.Fetch(ctx)
		rec.Err(name+" fetch", err)
		tok, err := oauth.Exchange(ctx, cfg, redirectCanaryCode, "https://example.com/callback", redirectCanaryVerifier)
		if err == nil {
			t.Errorf("%s: Exchange succeeded", name)
		}
		rec.Err(name+" exchange", err)
		rec.Dump(name+" token", tok)
		c.Close() // waits for the refresh and its log line
		rec.Err(name+" last", c.LastError())
		if ep.client == nil {
			rec.Dump(name+" provider", p)
			rec.Dump(name+" cache", c)
		}
	}
	if n := httpConns.Load() + httpsConns.Load(); n != 0 {
		t.Errorf("redirect targets saw %d connections, want none", n)
	}
	rec.Check(t, redirectCanarySecret, redirectCanaryRefresh, redirectCanaryCode, redirectCanaryVerifier)
	n, size := rec.Outputs()
	t.Logf("OAuth redirects: %d endpoints, %d outputs, %d bytes scanned", len(endpoints), n, size)
}
