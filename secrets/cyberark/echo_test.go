package cyberark_test

import (
	"bufio"
	"context"
	"encoding/json"
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

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canary credentials for the hostile servers. Some hold the characters
// Go's %q and JSON escape (a quote, a backslash) and a non-ASCII letter;
// the others a space, at which net/http cuts a status code before quoting
// it.
const (
	echoClientSecret = `canary-client-secret-"q\b-é-3a9f`
	echoSpacedSecret = "canary-client-spaced-6b1d second-half-secret-71c0"
	echoPassword     = `canary-pvwa-password-"p\w-é-4e8b`
	echoSpacedPass   = "canary-pvwa-spaced-9c3e second-half-password-d2a7"
	echoAccessToken  = `canary-platform-token-"t\k-é-77aa`
	echoSession      = "canary-pvwa-session-5f2a second-half-session-c4d2"
	echoAccountID    = "12_34"
	echoSafe         = "Safe"
)

// allEchoCanaries is every credential the hostile servers see or hand out.
var allEchoCanaries = []string{echoClientSecret, echoSpacedSecret, echoPassword, echoSpacedPass, echoAccessToken, echoSession, "Bearer " + echoAccessToken}

// echoForms is every form a credential c takes in an error that quotes
// it: the encodings secretstest knows, Go's %q and %+q and JSON quoting
// (which escape '"', '\' and, for %+q, non-ASCII), once or twice (a JSON
// body quoted by %q), and each of its space-separated pieces of 8 bytes or
// more, since net/http cuts a status code at a space before quoting it.
func echoForms(c string) []string {
	forms := []string{c}
	for _, q := range quoted(c) {
		forms = append(forms, q)
		forms = append(forms, quoted(q)...)
	}
	for _, piece := range strings.Fields(c) {
		if len(piece) >= 8 && piece != c {
			forms = append(forms, echoForms(piece)...)
		}
	}
	return forms
}

// quoted is c inside Go's %q and %+q and JSON quotes, without them.
func quoted(c string) []string {
	qs := []string{strconv.Quote(c), strconv.QuoteToASCII(c)}
	if j, err := json.Marshal(c); err == nil {
		qs = append(qs, string(j))
	}
	for i, q := range qs {
		qs[i] = q[1 : len(q)-1]
	}
	return qs
}

// assertNoEcho checks err and every error in its chain, as Error(), %v,
// %+v, %#v and %q, for every form of every credential.
func assertNoEcho(t *testing.T, err error, creds ...string) {
	t.Helper()
	type needle struct{ text, fp string }
	var needles []needle // every form of every credential, in every encoding secretstest knows
	for _, c := range creds {
		fp := secrets.New(c).Fingerprint()
		for _, f := range echoForms(c) {
			for _, e := range secretstest.Encodings(f) {
				needles = append(needles, needle{e, fp})
			}
		}
	}
	var walk func(e error)
	walk = func(e error) {
		if e == nil {
			return
		}
		for _, verb := range []string{"%s", "%v", "%+v", "%#v", "%q"} {
			text := fmt.Sprintf(verb, e)
			for _, n := range needles {
				if strings.Contains(text, n.text) {
					t.Errorf("error %s (%T) shows the credential with fingerprint %s", verb, e, n.fp)
				}
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
}

// rawRequest is what the hostile server read: the request and its body.
type rawRequest struct {
	*http.Request
	body string
}

// rawServer answers each request with the bytes answer makes of it and
// closes the connection: status lines and headers net/http's server would
// refuse to write.
func rawServer(t *testing.T, answer func(r rawRequest) string) string {
	t.Helper()
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
				b, _ := io.ReadAll(req.Body)
				_, _ = io.WriteString(c, answer(rawRequest{req, string(b)}))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// hostileAnswers put echo where net/http quotes a malformed answer in its
// errors, in a Location (unparsable, or naming it as the host), or in a
// reason phrase.
var hostileAnswers = map[string]func(echo string) string{
	"Location with %zz": func(e string) string {
		return "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/%zz?" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location with a control character": func(e string) string {
		return "HTTP/1.1 308 Permanent Redirect\r\nLocation: http://127.0.0.1:1/\x7f" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location naming the credential as host": func(e string) string {
		return "HTTP/1.1 302 Found\r\nLocation: http://" + strings.ReplaceAll(e, " ", "") + ".example/x\r\nContent-Length: 0\r\n\r\n"
	},
	"redirect reason phrase": func(e string) string {
		return "HTTP/1.1 307 " + e + "\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
	},
	"500 reason phrase": func(e string) string { return "HTTP/1.1 500 " + e + "\r\nContent-Length: 0\r\n\r\n" },
	"status line":       func(e string) string { return e + "\r\n\r\n" },
	"status code":       func(e string) string { return "HTTP/1.1 2" + e + " OK\r\n\r\n" },
	"header line": func(e string) string {
		return "HTTP/1.1 200 OK\r\nX: y\r\n" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"first header line folded": func(e string) string {
		return "HTTP/1.1 200 OK\r\n " + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Content-Length":    func(e string) string { return "HTTP/1.1 200 OK\r\nContent-Length: " + e + "\r\n\r\n" },
	"Transfer-Encoding": func(e string) string { return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + e + "\r\n\r\n" },
	"trailer line": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + e + "\r\n\r\n"
	},
	"trailer line of an error": func(e string) string {
		return "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + e + "\r\n\r\n"
	},
}

// okJSON is a 200 answer with a JSON body.
func okJSON(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
}

// vault answers every PVWA and identity tenant request as CyberArk would,
// handing out token as the platform token or the logon session.
func vault(r rawRequest, token string) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/oauth2/platformtoken"):
		return okJSON(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3600})
	case strings.HasSuffix(p, "/Logon"):
		return okJSON(token)
	case strings.HasSuffix(p, "/Logoff"):
		return okJSON(map[string]any{})
	case strings.HasSuffix(p, "/Password/Retrieve"):
		return okJSON("the-password")
	case strings.HasSuffix(p, "/API/Accounts"):
		return okJSON(map[string]any{"value": []any{map[string]any{"id": echoAccountID, "name": "acct", "safeName": echoSafe}}, "count": 1})
	case strings.HasSuffix(p, "/API/Accounts/"+echoAccountID):
		return okJSON(map[string]any{"id": echoAccountID, "name": "acct", "safeName": echoSafe})
	}
	return "HTTP/1.1 599 Unexpected\r\nContent-Length: 0\r\n\r\n"
}

// sentCredential is the credential r carries, as the server sees it.
func sentCredential(r rawRequest) string {
	switch {
	case strings.HasSuffix(r.URL.Path, "/oauth2/platformtoken"):
		f, _ := url.ParseQuery(r.body)
		return f.Get("client_secret")
	case strings.HasSuffix(r.URL.Path, "/Logon"):
		var b struct{ Password string }
		_ = json.Unmarshal([]byte(r.body), &b)
		return b.Password
	}
	return r.Header.Get("Authorization")
}

// TestHostileAnswersEchoNoCredential: a PVWA, identity tenant or CCP (or
// something in front of them) that echoes the credential a request
// carried (client secret, logon password, platform token or session token)
// into an unparsable Location, a Location's host, a reason phrase, a
// malformed status or header line, a Content-Length, a Transfer-Encoding
// or a trailer gets an error that quotes none of it, in any form, for
// every request the providers send. The CCP carries no credential: the
// echo there is the request's query, which errors never show either.
func TestHostileAnswersEchoNoCredential(t *testing.T) {
	type target struct {
		suffix string // the path the hostile answer is for
		cloud  bool   // Privilege Cloud (platform token), else self-hosted (logon)
		secret string // client secret or logon password
		token  string // platform token or session token the vault hands out
		run    func(ctx context.Context, p *cyberark.PVWA) error
	}
	fetchOnce := func(ctx context.Context, p *cyberark.PVWA) error { _, err := p.Fetch(ctx); return err }
	fetchTwice := func(ctx context.Context, p *cyberark.PVWA) error {
		if _, err := p.Fetch(ctx); err != nil {
			return fmt.Errorf("first fetch: %w", err)
		}
		_, err := p.Fetch(ctx)
		return err
	}
	closeAfterFetch := func(ctx context.Context, p *cyberark.PVWA) error {
		if _, err := p.Fetch(ctx); err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		return p.Close()
	}
	targets := map[string]target{
		"platform token":                 {"/oauth2/platformtoken", true, echoClientSecret, echoAccessToken, fetchOnce},
		"platform token, spaced secret":  {"/oauth2/platformtoken", true, echoSpacedSecret, echoAccessToken, fetchOnce},
		"logon":                          {"/Logon", false, echoPassword, echoSession, fetchOnce},
		"logon, spaced password":         {"/Logon", false, echoSpacedPass, echoSession, fetchOnce},
		"account search, cloud":          {"/API/Accounts", true, echoClientSecret, echoAccessToken, fetchOnce},
		"account search, self-hosted":    {"/API/Accounts", false, echoPassword, echoSession, fetchOnce},
		"account details":                {"/API/Accounts/" + echoAccountID, false, echoPassword, echoSession, fetchTwice},
		"password retrieve, cloud":       {"/Password/Retrieve", true, echoClientSecret, echoAccessToken, fetchOnce},
		"password retrieve, self-hosted": {"/Password/Retrieve", false, echoPassword, echoSession, fetchOnce},
		"logoff":                         {"/Logoff", false, echoPassword, echoSession, closeAfterFetch},
	}
	for tname, tg := range targets {
		for kind, hostile := range hostileAnswers {
			t.Run(tname+"/"+kind, func(t *testing.T) {
				var served atomic.Bool
				srv := rawServer(t, func(r rawRequest) string {
					if !strings.HasSuffix(r.URL.Path, tg.suffix) || served.Load() {
						return vault(r, tg.token)
					}
					served.Store(true)
					return hostile(sentCredential(r))
				})
				auth := cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(tg.secret))
				if tg.cloud {
					auth = cyberark.PlatformToken(srv, "client", secretstest.NewStatic(tg.secret))
				}
				p, err := cyberark.NewPVWA(srv, echoSafe, "acct", auth)
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				err = tg.run(context.Background(), p)
				if err == nil {
					t.Fatal("the operation succeeded")
				}
				if !served.Load() {
					t.Fatalf("the hostile answer was never asked for: %v", err)
				}
				t.Log(err)
				assertNoEcho(t, err, allEchoCanaries...)
			})
		}
	}

	for kind, hostile := range hostileAnswers {
		t.Run("CCP/"+kind, func(t *testing.T) {
			var query atomic.Value
			srv := rawServer(t, func(r rawRequest) string {
				query.Store(r.URL.RawQuery)
				return hostile(r.RequestURI)
			})
			c, err := cyberark.NewCCP(srv, "HubKeyApp", cyberark.CCPQuery{Safe: echoSafe, Object: "acct"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Fetch(context.Background())
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			q, _ := query.Load().(string)
			if q == "" {
				t.Fatalf("the hostile answer was never asked for: %v", err)
			}
			t.Log(err)
			assertNoEcho(t, err, q)
		})
	}
}

// TestRedirectRefusedBeforeLocationIsRead: a 3xx is an error naming the
// status by Go's text, whatever the Location holds, and with a caller's
// client whose CheckRedirect would follow, the caller's client is left as
// it was and the redirect target sees no connection.
func TestRedirectRefusedBeforeLocationIsRead(t *testing.T) {
	var conns atomic.Int64
	sink := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	sink.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	sink.Start()
	defer sink.Close()
	sinkHost := strings.TrimPrefix(sink.URL, "http://")

	for _, status := range []int{301, 302, 303, 307, 308, 300, 399} {
		for _, location := range []string{sink.URL + "/steal", sink.URL + "/%zz", "http://a b/"} {
			t.Run(fmt.Sprintf("%d to %s", status, location), func(t *testing.T) {
				front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Location"] = []string{location}
					w.WriteHeader(status)
				}))
				defer front.Close()
				var followed atomic.Int64
				checkRedirect := func(*http.Request, []*http.Request) error { followed.Add(1); return nil }
				transport := &http.Transport{}
				defer transport.CloseIdleConnections()
				hc := &http.Client{Transport: transport, CheckRedirect: checkRedirect}
				p, err := cyberark.NewPVWA(front.URL, echoSafe, "acct", cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(echoPassword)), cyberark.WithHTTPClient(hc))
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				_, err = p.Fetch(context.Background())
				want := strings.TrimSpace(fmt.Sprintf("answered HTTP %d %s", status, http.StatusText(status)))
				if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "redirects are not followed") {
					t.Fatalf("Fetch = %v, want it to say %q and that redirects are not followed", err, want)
				}
				for _, bit := range []string{"steal", "%zz", "a b", sinkHost} {
					if strings.Contains(err.Error(), bit) {
						t.Fatalf("Fetch = %q quotes the Location", err)
					}
				}
				if followed.Load() != 0 {
					t.Fatal("the caller's CheckRedirect was consulted")
				}
				if hc.Transport != transport || reflect.ValueOf(hc.CheckRedirect).Pointer() != reflect.ValueOf(checkRedirect).Pointer() {
					t.Fatal("the caller's client was modified")
				}
			})
		}
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("the redirect target saw %d connections", n)
	}
}

// TestTransportErrorsKeepTheirChain: an error net/http reports with no
// credential in it keeps its chain, so callers can still match a
// cancelled context. (The logon itself runs on a context the caller's
// cancellation does not end, so the call cancelled is the account search,
// which carries the session token.)
func TestTransportErrorsKeepTheirChain(t *testing.T) {
	got := make(chan struct{})
	var once atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server see the client hang up
		switch {
		case strings.HasSuffix(r.URL.Path, "/Logon"):
			_, _ = io.WriteString(w, `"`+echoSession+`"`)
			return
		case strings.HasSuffix(r.URL.Path, "/Logoff"):
			return
		}
		if once.CompareAndSwap(false, true) {
			close(got)
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	p, err := cyberark.NewPVWA(srv.URL, echoSafe, "acct", cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(echoPassword)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-got; cancel() }()
	if _, err := p.Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch = %v, want context.Canceled in its chain", err)
	}
}

// failingTransport fails every request with an error that quotes its
// Authorization header or body when quote is set, and with errPlain
// otherwise.
type failingTransport struct{ quote bool }

var errPlain = errors.New("upstream unavailable")

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	if f.quote {
		return nil, fmt.Errorf("proxy refused %q with body %q", r.Header.Get("Authorization"), b)
	}
	return nil, fmt.Errorf("proxy: %w", errPlain)
}

// TestTransportErrorQuotingCredentialIsScrubbed: an error from the
// caller's transport that quotes the credential it was given keeps only
// its scrubbed text; one that does not keeps its chain.
func TestTransportErrorQuotingCredentialIsScrubbed(t *testing.T) {
	for _, quote := range []bool{true, false} {
		for _, cloud := range []bool{true, false} {
			auth := cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(echoPassword))
			if cloud {
				auth = cyberark.PlatformToken("https://tenant.id.cyberark.cloud", "client", secretstest.NewStatic(echoClientSecret))
			}
			p, err := cyberark.NewPVWA("https://pvwa.example.com", echoSafe, "acct", auth, cyberark.WithHTTPClient(&http.Client{Transport: failingTransport{quote}}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Fetch(context.Background())
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			assertNoEcho(t, err, allEchoCanaries...)
			if quote && !strings.Contains(err.Error(), secrets.Redacted) {
				t.Errorf("Fetch = %q, want the quoted credential scrubbed", err)
			}
			if !quote && !errors.Is(err, errPlain) {
				t.Errorf("Fetch = %v, want errPlain in its chain", err)
			}
			p.Close()
		}
	}
}

// TestServerTextQuotingCredentialIsScrubbed: a server's error message that
// quotes the logon password the way Go's %q or Ruby's inspect do, a
// token_type that echoes the client secret, and account names that echo
// the session token are scrubbed before they reach an error.
func TestServerTextQuotingCredentialIsScrubbed(t *testing.T) {
	t.Run("logon message", func(t *testing.T) {
		srv := rawServer(t, func(r rawRequest) string {
			if strings.HasSuffix(r.URL.Path, "/Logon") {
				var b struct{ Password string }
				_ = json.Unmarshal([]byte(r.body), &b)
				body, _ := json.Marshal(map[string]string{"ErrorCode": "PASWS013E", "ErrorMessage": "password " + strconv.Quote(b.Password) + " is wrong"})
				return fmt.Sprintf("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			}
			return vault(r, echoSession)
		})
		p, err := cyberark.NewPVWA(srv, echoSafe, "acct", cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(echoPassword)))
		must(t, err)
		defer p.Close()
		_, err = p.Fetch(context.Background())
		if !errors.Is(err, secrets.ErrPermission) {
			t.Fatalf("Fetch = %v, want ErrPermission", err)
		}
		assertNoEcho(t, err, allEchoCanaries...)
	})
	t.Run("token_type", func(t *testing.T) {
		srv := rawServer(t, func(r rawRequest) string {
			if strings.HasSuffix(r.URL.Path, "/oauth2/platformtoken") {
				f, _ := url.ParseQuery(r.body)
				return okJSON(map[string]any{"access_token": echoAccessToken, "token_type": f.Get("client_secret"), "expires_in": 3600})
			}
			return vault(r, echoAccessToken)
		})
		const codeLike = "canary-client-secret-code-like-58e1"
		p, err := cyberark.NewPVWA(srv, echoSafe, "acct", cyberark.PlatformToken(srv, "client", secretstest.NewStatic(codeLike)))
		must(t, err)
		defer p.Close()
		_, err = p.Fetch(context.Background())
		if err == nil || !strings.Contains(err.Error(), "Bearer") {
			t.Fatalf("Fetch = %v, want a token_type error", err)
		}
		assertNoEcho(t, err, append(allEchoCanaries, codeLike)...)
	})
	t.Run("account names", func(t *testing.T) {
		srv := rawServer(t, func(r rawRequest) string {
			if strings.HasSuffix(r.URL.Path, "/API/Accounts") {
				a := r.Header.Get("Authorization")
				return okJSON(map[string]any{"value": []any{
					map[string]any{"id": "1_1", "name": a, "safeName": echoSafe},
					map[string]any{"id": "1_2", "name": "x" + a, "safeName": echoSafe},
				}, "count": 2})
			}
			return vault(r, echoAccessToken)
		})
		p, err := cyberark.NewPVWA(srv, echoSafe, "acct", cyberark.PlatformToken(srv, "client", secretstest.NewStatic(echoClientSecret)))
		must(t, err)
		defer p.Close()
		_, err = p.Fetch(context.Background())
		if !errors.Is(err, cyberark.ErrAmbiguous) {
			t.Fatalf("Fetch = %v, want ErrAmbiguous", err)
		}
		assertNoEcho(t, err, allEchoCanaries...)
	})
}
