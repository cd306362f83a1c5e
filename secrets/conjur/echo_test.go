package conjur_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canary credentials. One holds the characters Go's %q and JSON escape
// (a quote, a backslash) and a non-ASCII letter; the other a space, at
// which net/http cuts a status code before quoting it.
const (
	echoAPIKey      = `canary-conjur-apikey-"q\b-é-5d1c`
	echoSpacedKey   = "canary-conjur-spaced-7e2a second-half-key-b90f"
	echoJWT         = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.canary-jwt-signature-6c3d"
	echoTokenSig    = `canary-conjur-token-sig-"x\y-é-41f8`
	echoTokenMarker = "canary-conjur-token-sig-"
)

// echoToken is the access token the hostile server hands out: Conjur's
// JSON form, its signature a canary. It is the same at every call (the
// client reads only the lifetime from iat and exp), so the test knows the
// token the client holds.
func echoToken() string {
	payload := base64.URLEncoding.EncodeToString([]byte(`{"sub":"host/myapp","iat":1717000000,"exp":1717000480}`))
	b, _ := json.Marshal(map[string]string{"protected": "eyJhbGciOiJub25lIn0=", "payload": payload, "signature": echoTokenSig})
	return string(b)
}

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
// errors, in a Location, or in a reason phrase.
var hostileAnswers = map[string]func(echo string) string{
	"Location with %zz": func(e string) string {
		return "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/%zz?" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location with a control character": func(e string) string {
		return "HTTP/1.1 308 Permanent Redirect\r\nLocation: http://127.0.0.1:1/\x7f" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location naming the credential as host": func(e string) string {
		return "HTTP/1.1 302 Found\r\nLocation: http://" + e + "/x\r\nContent-Length: 0\r\n\r\n"
	},
	"redirect reason phrase": func(e string) string {
		return "HTTP/1.1 307 " + e + "\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
	},
	"401 reason phrase": func(e string) string { return "HTTP/1.1 401 " + e + "\r\nContent-Length: 0\r\n\r\n" },
	"500 reason phrase": func(e string) string { return "HTTP/1.1 500 " + e + "\r\nContent-Length: 0\r\n\r\n" },
	"status line":       func(e string) string { return e + "\r\n\r\n" },
	"status code":       func(e string) string { return "HTTP/1.1 2" + e + " OK\r\n\r\n" },
	"header line": func(e string) string {
		return "HTTP/1.1 200 OK\r\nX: y\r\n" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"first header line folded": func(e string) string {
		return "HTTP/1.1 200 OK\r\n " + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Content-Length": func(e string) string { return "HTTP/1.1 200 OK\r\nContent-Length: " + e + "\r\n\r\n" },
	"trailer line": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + e + "\r\n\r\n"
	},
	"trailer line of an error": func(e string) string {
		return "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + e + "\r\n\r\n"
	},
	"Transfer-Encoding": func(e string) string { return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + e + "\r\n\r\n" },
	"error code": func(e string) string {
		b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": e, "message": "no"}})
		return fmt.Sprintf("HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	},
}

// okToken answers an authentication with the canary access token.
func okToken() string {
	tok := echoToken()
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(tok), tok)
}

// TestHostileAnswersEchoNoCredential: a Conjur (or something in front of
// it) that echoes the credential a request carried, the API key or JWT of
// an authentication, the access token of a secret, batch or metadata
// read, into an unparsable Location, a Location's host, a reason phrase, a
// malformed status or header line, a Content-Length, a Transfer-Encoding,
// a trailer or an error code gets an error that quotes none of it, in any
// form.
func TestHostileAnswersEchoNoCredential(t *testing.T) {
	tok := echoToken()
	enc := base64.StdEncoding.EncodeToString([]byte(tok))
	header := `Token token="` + enc + `"`
	tokenCreds := []string{tok, enc, header, echoTokenSig}
	jwtPath := filepath.Join(t.TempDir(), "jwt")
	if err := os.WriteFile(jwtPath, []byte(echoJWT+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	type target struct {
		auth   conjur.Auth
		isAuth bool // the hostile answer is the authentication's
		path   string
		echoes []string
		run    func(ctx context.Context, c *conjur.Client) error
	}
	fetchVar := func(opts ...conjur.VariableOption) func(ctx context.Context, c *conjur.Client) error {
		return func(ctx context.Context, c *conjur.Client) error {
			p, err := c.Variable("hubspot/token", opts...)
			if err != nil {
				return err
			}
			_, err = p.Fetch(ctx)
			return err
		}
	}
	apiKey := func(k string) conjur.Auth { return conjur.APIKey(login, secrets.New(k)) }
	targets := map[string]target{
		"authenticate with an API key":       {auth: apiKey(echoAPIKey), isAuth: true, echoes: []string{echoAPIKey}, run: fetchVar()},
		"authenticate with a spaced API key": {auth: apiKey(echoSpacedKey), isAuth: true, echoes: []string{echoSpacedKey}, run: fetchVar()},
		"authenticate with a JWT":            {auth: conjur.JWT("k8s", jwtPath, ""), isAuth: true, echoes: []string{echoJWT}, run: fetchVar()},
		"secret":                             {auth: apiKey(echoAPIKey), path: "/secrets/", echoes: tokenCreds, run: fetchVar()},
		"version lookup":                     {auth: apiKey(echoAPIKey), path: "/resources/", echoes: tokenCreds, run: fetchVar(conjur.WithVersionLookup())},
		"batch": {auth: apiKey(echoAPIKey), path: "/secrets/?", echoes: tokenCreds, run: func(ctx context.Context, c *conjur.Client) error {
			_, err := c.FetchBatch(ctx, "hubspot/token", "hubspot/key")
			return err
		}},
	}
	for tname, tg := range targets {
		for kind, hostile := range hostileAnswers {
			for i, echo := range tg.echoes {
				t.Run(fmt.Sprintf("%s/%s/echo %d", tname, kind, i), func(t *testing.T) {
					var served atomic.Bool
					srv := rawServer(t, func(r rawRequest) string {
						if strings.HasPrefix(r.URL.Path, "/authn") && !tg.isAuth {
							return okToken()
						}
						if !tg.isAuth && !strings.HasPrefix(r.RequestURI, tg.path) {
							return "HTTP/1.1 599 Unexpected\r\nContent-Length: 0\r\n\r\n"
						}
						served.Store(true)
						// The server echoes what it was sent: it sees the
						// JWT in a form body, the rest as is.
						switch {
						case tg.isAuth && echo == echoJWT:
							return hostile(strings.TrimPrefix(r.body, "jwt="))
						case tg.isAuth:
							return hostile(r.body)
						case echo == header:
							return hostile(r.Header.Get("Authorization"))
						}
						return hostile(echo)
					})
					c, err := conjur.NewClient(srv, "myorg", tg.auth)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					err = tg.run(context.Background(), c)
					if err == nil {
						t.Fatal("the operation succeeded")
					}
					if !served.Load() {
						t.Fatalf("the hostile answer was never asked for: %v", err)
					}
					t.Log(err)
					assertNoEcho(t, err, append([]string{echoAPIKey, echoSpacedKey, echoJWT}, tokenCreds...)...)
				})
			}
		}
	}
}

// TestRedirectRefusedBeforeLocationIsRead: a 3xx is an *APIError naming
// the status by Go's text, whatever the Location holds, and with a
// caller's client whose CheckRedirect would follow, the caller's client is
// left as it was and the redirect target sees no connection.
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

	for _, status := range []int{301, 302, 303, 307, 308, 300, 399} {
		for _, location := range []string{sink.URL + "/steal", sink.URL + "/%zz", "http://a b/"} {
			t.Run(fmt.Sprintf("%d to %s", status, location), func(t *testing.T) {
				front := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header()["Location"] = []string{location}
					w.WriteHeader(status)
				}))
				var followed atomic.Int64
				checkRedirect := func(*http.Request, []*http.Request) error { followed.Add(1); return nil }
				transport := &http.Transport{}
				defer transport.CloseIdleConnections()
				hc := &http.Client{Transport: transport, CheckRedirect: checkRedirect}
				c, err := conjur.NewClient(front, "myorg", conjur.APIKey(login, secrets.New(echoAPIKey)), conjur.WithHTTPClient(hc))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_, err = variable(t, c, "v").Fetch(context.Background())
				var ae *conjur.APIError
				if !errors.As(err, &ae) || ae.StatusCode != status {
					t.Fatalf("Fetch = %v, want an *APIError with status %d", err, status)
				}
				want := strings.TrimSpace(fmt.Sprintf("Conjur answered HTTP %d %s", status, http.StatusText(status)))
				if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "redirects are not followed") {
					t.Fatalf("Fetch = %q, want it to say %q and that redirects are not followed", err, want)
				}
				if strings.Contains(err.Error(), "steal") || strings.Contains(err.Error(), "%zz") || strings.Contains(err.Error(), "a b") {
					t.Fatalf("Fetch = %q quotes the Location", err)
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
// cancelled context.
func TestTransportErrorsKeepTheirChain(t *testing.T) {
	for _, authenticating := range []bool{true, false} {
		t.Run(fmt.Sprintf("authenticating %v", authenticating), func(t *testing.T) {
			got := make(chan struct{})
			var once atomic.Bool
			srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // lets the server see the client hang up
				if strings.HasPrefix(r.URL.Path, "/authn") && !authenticating {
					_, _ = io.WriteString(w, echoToken())
					return
				}
				if once.CompareAndSwap(false, true) {
					close(got)
				}
				<-r.Context().Done()
			}))
			c, err := conjur.NewClient(srv, "myorg", conjur.APIKey(login, secrets.New(echoAPIKey)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-got; cancel() }()
			_, err = variable(t, c, "v").Fetch(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Fetch = %v, want context.Canceled in its chain", err)
			}
		})
	}
}

// TestServerMessageQuotingCredentialAsInspectIsWithheld: a server message
// that quotes the API key the way Ruby's inspect and Go's %q do, with '"'
// and '\' escaped, is withheld like one quoting it raw.
func TestServerMessageQuotingCredentialAsInspectIsWithheld(t *testing.T) {
	for name, quoted := range map[string]string{
		"inspect": strconv.Quote(echoAPIKey),
		"ASCII":   strconv.QuoteToASCII(echoAPIKey),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "unauthorized", "message": "bad key " + quoted}})
				_, _ = w.Write(b)
			}))
			c, err := conjur.NewClient(srv, "myorg", conjur.APIKey(login, secrets.New(echoAPIKey)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = variable(t, c, "v").Fetch(context.Background())
			var ae *conjur.APIError
			if !errors.As(err, &ae) || !strings.Contains(ae.Message, "withheld") {
				t.Fatalf("Fetch = %v; want the server's message withheld", err)
			}
			assertNoEcho(t, err, echoAPIKey)
		})
	}
}

// failingTransport fails every request with an error that quotes its body
// when quote is set, and with errPlain otherwise.
type failingTransport struct{ quote bool }

var errPlain = errors.New("upstream unavailable")

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	if f.quote {
		return nil, fmt.Errorf("proxy refused the body %q", b)
	}
	return nil, fmt.Errorf("proxy: %w", errPlain)
}

// TestTransportErrorQuotingCredentialIsScrubbed: an error from the
// caller's transport that quotes the API key it was given keeps only its
// scrubbed text; one that does not keeps its chain.
func TestTransportErrorQuotingCredentialIsScrubbed(t *testing.T) {
	for _, quote := range []bool{true, false} {
		c, err := conjur.NewClient("https://conjur.example.com", "myorg", conjur.APIKey(login, secrets.New(echoAPIKey)),
			conjur.WithHTTPClient(&http.Client{Transport: failingTransport{quote}}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = variable(t, c, "v").Fetch(context.Background())
		if err == nil {
			t.Fatal("Fetch succeeded")
		}
		assertNoEcho(t, err, echoAPIKey)
		if quote && !strings.Contains(err.Error(), "proxy refused the body \"[REDACTED]\"") {
			t.Errorf("Fetch = %q, want the body's quote scrubbed", err)
		}
		if !quote && !errors.Is(err, errPlain) {
			t.Errorf("Fetch = %v, want errPlain in its chain", err)
		}
	}
}
