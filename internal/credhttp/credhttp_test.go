package credhttp_test

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
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canary credentials: a plain token, one with a space (net/http cuts a
// status code at a space before quoting it, so only a piece of it shows),
// and one with characters Go's %q and JSON escape.
const (
	canaryToken  = "canary-credhttp-token-7f3e2d1c9a8b"
	canarySpaced = "canary-credhttp-spaced-61e0 second-half-secret-a4c9"
	canaryQuoted = `canary-credhttp-"q\b-é-5d1c`
)

var canaries = []string{canaryToken, canarySpaced, canaryQuoted}

// leakForms is every form in which text must not show c: the encodings
// secretstest knows (quoted forms included) of c and of each of its
// space-separated pieces of 8 bytes or more.
func leakForms(c string) []string {
	forms := secretstest.Encodings(c)
	for _, piece := range strings.Fields(c) {
		if len(piece) >= 8 && piece != c {
			forms = append(forms, secretstest.Encodings(piece)...)
		}
	}
	return forms
}

// shows reports whether err, or any error in its chain, shows c in any
// form, as Error(), %+v, %#v or %q.
func shows(err error, c string) bool {
	forms := leakForms(c)
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, verb := range []string{"%s", "%+v", "%#v", "%q"} {
			text := fmt.Sprintf(verb, e)
			for _, f := range forms {
				if strings.Contains(text, f) {
					return true
				}
			}
		}
	}
	return false
}

// rawServer answers each request with the bytes answer makes of the body
// it was sent, and closes the connection: status lines and headers
// net/http's server would refuse to write.
func rawServer(t *testing.T, answer func(body string) string) string {
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
				_, _ = io.WriteString(c, answer(string(b)))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// hostileAnswers echo what a request carried where net/http quotes a
// malformed answer: in the status line or code, a header line, the
// body's framing, a Location, a trailer.
var hostileAnswers = map[string]func(e string) string{
	"status line":    func(e string) string { return e + "\r\n\r\n" },
	"status code":    func(e string) string { return "HTTP/1.1 2" + e + " OK\r\n\r\n" },
	"HTTP version":   func(e string) string { return "HTTP/" + e + " 200 OK\r\n\r\n" },
	"header line":    func(e string) string { return "HTTP/1.1 200 OK\r\nX: y\r\n" + e + "\r\nContent-Length: 0\r\n\r\n" },
	"folded header":  func(e string) string { return "HTTP/1.1 200 OK\r\n " + e + "\r\nContent-Length: 0\r\n\r\n" },
	"Content-Length": func(e string) string { return "HTTP/1.1 200 OK\r\nContent-Length: " + e + "\r\n\r\n" },
	"two Content-Lengths": func(e string) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: " + e + "\r\n\r\nx"
	},
	"Transfer-Encoding": func(e string) string { return "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + e + "\r\n\r\n" },
	"two Transfer-Encodings": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: " + e + "\r\n\r\n"
	},
	"trailer line": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n" + e + "\r\n\r\n"
	},
	"Location with %zz": func(e string) string {
		return "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/%zz?" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location with a control character": func(e string) string {
		return "HTTP/1.1 308 Permanent Redirect\r\nLocation: http://127.0.0.1:1/\x7f" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"Location naming the credential as host": func(e string) string {
		return "HTTP/1.1 302 Found\r\nLocation: http://" + e + "/x\r\nContent-Length: 0\r\n\r\n"
	},
}

// exchange posts body to u through hc and reads the answer: the error of
// Do or of reading the body, as the packages that use credhttp meet them.
func exchange(hc *http.Client, u, body string) error {
	resp, err := hc.Post(u, "text/plain", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	if err == nil {
		return fmt.Errorf("the answer was read without an error (status %d)", resp.StatusCode)
	}
	return err
}

// TestHostileAnswersShowNoCredential: a server that echoes the
// credential a request carried where net/http quotes a malformed answer
// gets, through Client and ScrubTransportError, an error that shows no
// part of it in any form; through a plain http.Client, the same answer's
// error shows it (else the case would test nothing).
func TestHostileAnswersShowNoCredential(t *testing.T) {
	for kind, answer := range hostileAnswers {
		for _, c := range canaries {
			t.Run(kind+"/"+strings.Fields(c)[0], func(t *testing.T) {
				u := rawServer(t, answer)
				creds := []secrets.Secret{secrets.New(c)}

				// The server closes every connection: none is reused.
				fresh := func() *http.Client { return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} }
				if raw := exchange(fresh(), u, c); !shows(raw, c) {
					t.Fatalf("without credhttp the error shows no credential (%v): the case tests nothing", raw)
				}
				err := credhttp.ScrubTransportError(exchange(credhttp.Client(fresh()), u, c), creds...)
				if err == nil {
					t.Fatal("no error")
				}
				if shows(err, c) {
					t.Errorf("the error shows the credential")
				}
				// A redirect is refused before its Location is read (Go
				// versions that refuse DEL in a header report a bad header
				// line instead); nothing else is a redirect.
				var re *credhttp.RedirectError
				redirect := errors.As(err, &re)
				if strings.HasPrefix(kind, "Location") && !redirect && !strings.Contains(err.Error(), "malformed MIME header line: (the answer's bytes are not shown") {
					t.Errorf("%v: want a *RedirectError", err)
				}
				if !strings.HasPrefix(kind, "Location") && redirect {
					t.Errorf("%v: a *RedirectError for an answer that is no redirect", err)
				}
				t.Log(err)
			})
		}
	}
}

// TestEveryRedirectIsRefused: every 3xx, 300 to 399, is a *RedirectError
// naming the status by Go's text, never following the Location (its
// target sees no connection) or quoting it, whatever the caller's
// CheckRedirect says; the caller's client is left as it was.
func TestEveryRedirectIsRefused(t *testing.T) {
	var sinkConns atomic.Int64
	sink := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	sink.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			sinkConns.Add(1)
		}
	}
	sink.Start()
	defer sink.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		_, _ = fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.Header().Set("Location", sink.URL+"/steal?token="+url.QueryEscape(canaryToken))
		w.WriteHeader(code)
	}))
	defer front.Close()

	var followed atomic.Int64
	checkRedirect := func(*http.Request, []*http.Request) error { followed.Add(1); return nil }
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	caller := &http.Client{Transport: transport, CheckRedirect: checkRedirect, Timeout: time.Minute}
	hc := credhttp.Client(caller)
	if hc == caller || hc.Timeout != caller.Timeout {
		t.Fatal("Client does not return a copy of the caller's client")
	}
	for code := 300; code <= 399; code++ {
		resp, err := hc.Get(fmt.Sprintf("%s/%d", front.URL, code))
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%d: answered %d", code, resp.StatusCode)
		}
		var re *credhttp.RedirectError
		if !errors.As(err, &re) || re.StatusCode != code {
			t.Fatalf("%d: %v, want a *RedirectError for it", code, err)
		}
		want := "answered HTTP " + strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code))) + "; redirects are not followed"
		if re.Error() != want {
			t.Errorf("%d: %q, want %q", code, re.Error(), want)
		}
		if strings.Contains(err.Error(), "steal") || shows(err, canaryToken) {
			t.Errorf("%d: %q quotes the Location", code, err)
		}
	}
	if n := sinkConns.Load(); n != 0 {
		t.Errorf("the redirect target saw %d connections", n)
	}
	if followed.Load() != 0 {
		t.Error("the caller's CheckRedirect was consulted")
	}
	if caller.Transport != transport || reflect.ValueOf(caller.CheckRedirect).Pointer() != reflect.ValueOf(checkRedirect).Pointer() {
		t.Error("the caller's client was modified")
	}
}

// TestStatusText names a status by Go's text only.
func TestStatusText(t *testing.T) {
	for code, want := range map[int]string{307: "307 Temporary Redirect", 200: "200 OK", 399: "399", 599: "599"} {
		if got := credhttp.StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", code, got, want)
		}
	}
}

// idleCloser records CloseIdleConnections.
type idleCloser struct {
	http.RoundTripper
	closed atomic.Int64
}

func (c *idleCloser) CloseIdleConnections() { c.closed.Add(1) }

// TestCloseIdleConnectionsPassesThrough: http.Client.CloseIdleConnections
// on a Client's copy reaches the transport underneath: a custom one's
// method is called, and an *http.Transport's idle connection is closed.
func TestCloseIdleConnectionsPassesThrough(t *testing.T) {
	rec := &idleCloser{RoundTripper: http.DefaultTransport}
	credhttp.Client(&http.Client{Transport: rec}).CloseIdleConnections()
	if rec.closed.Load() != 1 {
		t.Errorf("the transport's CloseIdleConnections was called %d times, want once", rec.closed.Load())
	}

	closed := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateClosed {
			close(closed)
		}
	}
	srv.Start()
	defer srv.Close()
	transport := &http.Transport{}
	hc := credhttp.Client(&http.Client{Transport: transport})
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close() // the connection goes back to the pool, idle
	hc.CloseIdleConnections()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the idle connection was not closed")
	}
}

// errPlain is a transport failure that quotes nothing.
var errPlain = errors.New("upstream unavailable")

// failing fails every request: with an error quoting its body when quote
// is set, with errPlain otherwise.
type failing struct{ quote bool }

func (f failing) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	if f.quote {
		return nil, fmt.Errorf("proxy refused the body %q", b)
	}
	return nil, fmt.Errorf("proxy: %w", errPlain)
}

// TestScrubTransportErrorKeepsTheChainOfACleanError: an error that shows
// no credential and quotes no answer is returned as it is, so errors.Is
// matches a cancelled context, a deadline or a transport's own sentinel;
// one that quotes a credential keeps only its scrubbed text.
func TestScrubTransportErrorKeepsTheChainOfACleanError(t *testing.T) {
	creds := []secrets.Secret{secrets.New(canaryToken), secrets.New(canaryQuoted)}

	t.Run("cancelled", func(t *testing.T) {
		got := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			close(got)
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-got; cancel() }()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(canaryToken))
		_, err := credhttp.Client(nil).Do(req)
		if err = credhttp.ScrubTransportError(err, creds...); !errors.Is(err, context.Canceled) {
			t.Fatalf("%v: want context.Canceled in its chain", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ctx, cancel := context.WithDeadline(context.Background(), time.Now()) // already past: no waiting
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String(), nil)
		_, err = credhttp.Client(nil).Do(req)
		if err = credhttp.ScrubTransportError(err, creds...); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v: want context.DeadlineExceeded in its chain", err)
		}
	})
	for _, c := range []string{canaryToken, canaryQuoted} {
		t.Run("transport quoting "+c[:20], func(t *testing.T) {
			_, err := credhttp.Client(&http.Client{Transport: failing{quote: true}}).Post("http://127.0.0.1:1/", "text/plain", strings.NewReader(c))
			err = credhttp.ScrubTransportError(err, creds...)
			if shows(err, c) {
				t.Fatalf("%v shows the credential", err)
			}
			if !strings.Contains(err.Error(), `proxy refused the body "`+secrets.Redacted+`"`) {
				t.Errorf("%q: want the rest of the text kept", err)
			}
			if errors.Unwrap(err) != nil {
				t.Error("the scrubbed error still has a chain, which holds the original")
			}
		})
	}
	t.Run("transport sentinel", func(t *testing.T) {
		_, err := credhttp.Client(&http.Client{Transport: failing{}}).Post("http://127.0.0.1:1/", "text/plain", strings.NewReader(canaryToken))
		if err = credhttp.ScrubTransportError(err, creds...); !errors.Is(err, errPlain) {
			t.Fatalf("%v: want errPlain in its chain", err)
		}
	})
	if credhttp.ScrubTransportError(nil, creds...) != nil {
		t.Error("ScrubTransportError(nil) is not nil")
	}
}

// TestMalformedAnswerIsCutWithoutCredentials: the bytes of a malformed
// answer are dropped even when they match no credential the request
// carried: they may hold one the caller did not list, or a piece of one.
func TestMalformedAnswerIsCutWithoutCredentials(t *testing.T) {
	u := rawServer(t, func(string) string { return "HTTP/1.1 2unlisted-piece-9e0f rest OK\r\n\r\n" })
	hc := credhttp.Client(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})
	err := credhttp.ScrubTransportError(exchange(hc, u, "x"), secrets.New(canaryToken))
	if err == nil || strings.Contains(err.Error(), "unlisted") {
		t.Fatalf("%v: want the status code's bytes dropped", err)
	}
	if !strings.Contains(err.Error(), "malformed HTTP status code (the answer's bytes are not shown") {
		t.Errorf("%q: want what was malformed named", err)
	}
}
