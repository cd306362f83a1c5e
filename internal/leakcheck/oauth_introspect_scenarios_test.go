package leakcheck_test

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
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/hubspot/hubspottest"
	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canaries of token introspection and revocation: the client secret (in a
// v3 form body), and the tokens introspected or revoked (in a v3 form
// body, or in a v1 URL path). The odd one has characters that a path
// escapes, and a '/' that would split it.
const (
	introspectCanarySecret  = "canary-introspect-client-secret-c41d9e07"
	introspectCanaryAccess  = "canary-introspect-access-token-7a3f0b19"
	introspectCanaryRefresh = "canary-introspect-refresh-token-e85c2d64"
	introspectCanaryOdd     = "canary-introspect-odd/refresh?token#5b7e"
)

// introspectEcho joins, raw, every credential a request carries: the client
// secret and token of a v3 form, and the token of a v1 path, unescaped and
// as sent.
func introspectEcho(r *http.Request, form url.Values) string {
	p := r.URL.EscapedPath()
	seg := p[strings.LastIndex(p, "/")+1:]
	tok, _ := url.PathUnescape(seg)
	return form.Get("client_secret") + form.Get("token") + tok + seg
}

// introspectForm reads a request's form body (v3), or none (v1).
func introspectForm(r *http.Request) url.Values {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	return form
}

// introspectRaw answers every request with the bytes answer makes of it,
// bytes net/http's server would refuse to write.
func introspectRaw(t *testing.T, answer func(r *http.Request, form url.Values) string) string {
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
				_, _ = io.WriteString(c, answer(req, introspectForm(req)))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// introspectRoundTrip is an http.RoundTripper of a function.
type introspectRoundTrip func(*http.Request) (*http.Response, error)

func (f introspectRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// introspectScenario is a server (or transport) that fails in one way.
type introspectScenario struct {
	base   string              // scheme://host of the server
	client func() *http.Client // nil: the package's default client
	ctx    func() context.Context
	// introspectOK and revokeOK: the answer is a success for that call
	// (a well-formed 200 for introspection, any 2xx for revocation).
	introspectOK, revokeOK bool
}

// Token introspection and revocation through every way of failing, in v1
// (the token in the URL path) and v3 (the token and client secret in the
// body): transport errors that quote the request's URL (a refused
// connection, a cancelled call, a proxy's error, a nested *url.Error),
// 4xx and 5xx answers echoing every credential in every field, redirects
// (followed by the caller's client if they could be) with credentials in
// the Location or the reason phrase, malformed answers that net/http
// quotes (status line, header, Content-Length, chunked trailer), and 2xx
// answers that echo them, are malformed, or say "inactive". Every error,
// TokenInfo and testify diff is scanned, no call may panic, and no
// redirect target may see a connection.
func TestLeakOAuthIntrospectionAndRevocation(t *testing.T) {
	rec := leakcheck.New()
	bg := func() context.Context { return context.Background() }
	scenarios := map[string]introspectScenario{}

	// Transport errors.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scenarios["connection refused"] = introspectScenario{base: "http://" + ln.Addr().String()}
	ln.Close()

	// The server cancels the call's context once the request has arrived,
	// then holds the answer until the client hangs up.
	var cancelMu sync.Mutex
	var cancelCall context.CancelFunc
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancelMu.Lock()
		cancel := cancelCall
		cancelMu.Unlock()
		if cancel != nil {
			cancel()
		}
		// The server sees the client hang up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	scenarios["cancelled in flight"] = introspectScenario{base: hang.URL, ctx: func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		cancelMu.Lock()
		cancelCall = cancel
		cancelMu.Unlock()
		return ctx
	}}

	scenarios["proxy error quoting the request"] = introspectScenario{base: "http://127.0.0.1:9", client: func() *http.Client {
		return &http.Client{Transport: introspectRoundTrip(func(r *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("proxy refused %s %s %q with body %s", r.Method, r.URL, r.URL.Path, introspectForm(r).Encode())
		})}
	}}
	scenarios["nested *url.Error"] = introspectScenario{base: "http://127.0.0.1:9", client: func() *http.Client {
		return &http.Client{Transport: introspectRoundTrip(func(r *http.Request) (*http.Response, error) {
			return nil, &url.Error{Op: r.Method, URL: r.URL.String(), Err: errors.New("inner client: no route to host")}
		})}
	}}

	// 4xx and 5xx answers echoing every credential.
	for _, status := range []int{400, 401, 403, 404, 429, 500, 502, 503} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			echo := introspectEcho(r, introspectForm(r))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Echo", echo)
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"status":%[1]q,"message":"token %[1]s unknown","category":%[1]q,"subCategory":%[1]q,`+
				`"correlationId":%[1]q,"error":%[1]q,"error_description":%[1]q,"token":%[1]q,"active":false}`, echo)
		}))
		t.Cleanup(srv.Close)
		scenarios[fmt.Sprintf("%d echoing JSON", status)] = introspectScenario{base: srv.URL}
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; echo="+introspectEcho(r, introspectForm(r)))
		w.WriteHeader(500)
		_, _ = io.WriteString(w, "internal error for "+introspectEcho(r, introspectForm(r)))
	}))
	t.Cleanup(plain.Close)
	scenarios["500 echoing text"] = introspectScenario{base: plain.URL}

	// 2xx answers: echoing, malformed, inactive.
	for name, body := range map[string]string{
		"200 echoing every field": `{"active":true,"token":%[1]q,"token_use":"access_token","token_type":%[1]q,"hub_id":7,"hub_domain":%[1]q,"app_id":3,` +
			`"client_id":%[1]q,"user_id":5,"user":%[1]q,"scopes":[%[1]q],"expires_in":60,"signed_access_token":{"signature":%[1]q}}`,
		"200 truncated":     `{"active":true,"token":%[1]q`,
		"200 wrong types":   `{"active":%[1]q,"hub_id":%[1]q,"expires_in":%[1]q}`,
		"200 inactive":      `{"active":false,"token":%[1]q}`,
		"200 not JSON":      `token=%[1]s`,
		"200 odd token_use": `{"active":true,"token_use":%[1]q,"token":%[1]q}`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, body, introspectEcho(r, introspectForm(r)))
		}))
		t.Cleanup(srv.Close)
		scenarios[name] = introspectScenario{base: srv.URL, introspectOK: name == "200 echoing every field", revokeOK: true}
	}

	// Redirects, to a sink that must see no connection.
	sink, sinkConns := redirectSink(t, false)
	for _, status := range []int{301, 302, 303, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			form := introspectForm(r)
			w.Header().Set("Location", sink.URL+r.URL.EscapedPath()+"?"+form.Encode()+"&echo="+introspectEcho(r, form))
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		scenarios[fmt.Sprintf("%d redirect, followed if it could be", status)] = introspectScenario{base: srv.URL, client: func() *http.Client {
			return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		}}
	}

	// Malformed answers net/http quotes.
	for name, answer := range map[string]func(r *http.Request, f url.Values) string{
		"reason phrase": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 307 " + introspectEcho(r, f) + "\r\nLocation: " + sink.URL + "\r\nContent-Length: 0\r\n\r\n"
		},
		"Location with %zz": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 308 Permanent Redirect\r\nLocation: " + sink.URL + "/%zz" + introspectEcho(r, f) + "\r\nContent-Length: 0\r\n\r\n"
		},
		"malformed status code": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 2" + introspectEcho(r, f) + " OK\r\n\r\n"
		},
		"malformed header": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 200 OK\r\n" + introspectEcho(r, f) + "\r\n\r\n"
		},
		"bad Content-Length": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 404 Not Found\r\nContent-Length: " + introspectEcho(r, f) + "\r\n\r\n"
		},
		"bad chunked trailer": func(r *http.Request, f url.Values) string {
			return "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + introspectEcho(r, f) + "\r\n\r\n"
		},
	} {
		scenarios[name] = introspectScenario{base: introspectRaw(t, answer)}
	}

	calls := 0
	for name, sc := range scenarios {
		for _, version := range []string{"v1", "v3"} {
			where := name + " " + version
			cfg := oauth.Config{
				ClientID:     "app",
				ClientSecret: secretstest.NewStatic(introspectCanarySecret),
				TokenURL:     sc.base + "/oauth/" + version + "/token",
			}
			if sc.client != nil {
				cfg.HTTPClient = sc.client()
			}
			ctx := bg
			if sc.ctx != nil {
				ctx = sc.ctx
			}
			run := func(what, canary string, ok bool, call func(context.Context, secrets.Secret) (oauth.TokenInfo, error)) {
				calls++
				rec.Panic(where+" "+what, func() {
					info, err := call(ctx(), secrets.New(canary))
					if err == nil && !ok {
						t.Errorf("%s %s: no error", where, what)
					}
					rec.Err(where+" "+what, err)
					rec.Dump(where+" "+what+" info", info)
					rec.Testify(where+" "+what+" info", info, oauth.TokenInfo{TokenType: "?"})
				})
			}
			run("introspect access", introspectCanaryAccess, sc.introspectOK, func(ctx context.Context, tok secrets.Secret) (oauth.TokenInfo, error) {
				return oauth.IntrospectAccessToken(ctx, cfg, tok)
			})
			run("introspect refresh", introspectCanaryRefresh, sc.introspectOK, func(ctx context.Context, tok secrets.Secret) (oauth.TokenInfo, error) {
				return oauth.IntrospectRefreshToken(ctx, cfg, tok)
			})
			for _, tok := range []string{introspectCanaryRefresh, introspectCanaryOdd} {
				run("revoke", tok, sc.revokeOK, func(ctx context.Context, tok secrets.Secret) (oauth.TokenInfo, error) {
					return oauth.TokenInfo{}, oauth.RevokeRefreshToken(ctx, cfg, tok)
				})
			}
		}
	}
	if n := sinkConns.Load(); n != 0 {
		t.Errorf("redirect targets saw %d connections, want none", n)
	}
	rec.Check(t, introspectCanarySecret, introspectCanaryAccess, introspectCanaryRefresh, introspectCanaryOdd)
	n, size := rec.Outputs()
	t.Logf("OAuth introspection and revocation: %d scenarios, %d calls, %d outputs, %d bytes scanned", len(scenarios), calls, n, size)
}

// Against hubspottest, end to end: a token issued by a code exchange,
// introspected, revoked, revoked again and introspected after (both
// "not found"), with the server's journal and debug log recorded too.
func TestLeakOAuthIntrospectionAgainstHubSpotTest(t *testing.T) {
	rec := leakcheck.New()
	srv := hubspottest.NewServer(t, hubspottest.WithLogger(rec.Logger()))
	cid, secret, _ := srv.NewOAuthApp("crm.objects.contacts.read")
	cfg := oauth.Config{ClientID: cid, ClientSecret: secretstest.NewStatic(secret), TokenURL: srv.URL() + "/oauth/v1/token"}
	ctx := context.Background()
	const callback = "https://example.com/callback"
	tok, err := oauth.Exchange(ctx, cfg, srv.NewOAuthCode(cid, callback), callback, "")
	if err != nil {
		t.Fatal(err)
	}
	var notFound atomic.Int64
	record := func(where string, info oauth.TokenInfo, err error) {
		if errors.Is(err, oauth.ErrTokenNotFound) {
			notFound.Add(1)
		} else if err != nil {
			t.Errorf("%s: %v", where, err)
		}
		rec.Err(where, err)
		rec.Dump(where+" info", info)
	}
	info, err := oauth.IntrospectAccessToken(ctx, cfg, tok.AccessToken)
	record("introspect access", info, err)
	info, err = oauth.IntrospectRefreshToken(ctx, cfg, tok.RefreshToken)
	record("introspect refresh", info, err)
	record("revoke", oauth.TokenInfo{}, oauth.RevokeRefreshToken(ctx, cfg, tok.RefreshToken))
	record("revoke again", oauth.TokenInfo{}, oauth.RevokeRefreshToken(ctx, cfg, tok.RefreshToken))
	info, err = oauth.IntrospectRefreshToken(ctx, cfg, tok.RefreshToken)
	record("introspect revoked", info, err)
	if n := notFound.Load(); n != 2 {
		t.Errorf("%d calls were not found, want 2 (the second revocation and the last introspection)", n)
	}
	for i, c := range srv.Journal() {
		rec.Dump(fmt.Sprintf("journal %d", i), c)
	}
	rec.Check(t, secret, tok.AccessToken.Reveal(), tok.RefreshToken.Reveal())
}
