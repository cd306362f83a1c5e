package leakcheck_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hubkey/hubkey/hubspot/oauth"
	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canaries that plain scrubbing misses when they are echoed: each holds
// the characters Go's %q and JSON escape ('"', '\', a non-ASCII letter),
// and the client secret a space too, at which net/http cuts a status code
// before quoting it.
const (
	quotedCanarySecret   = `canary-quoted-client-secret-"c\s-é-4e1f second-half-7a20`
	quotedCanaryRefresh  = `canary-quoted-refresh-"r\t-é-9b3c`
	quotedCanaryCode     = `canary-quoted-auth-code-"a\c-é-0d5e`
	quotedCanaryVerifier = "canary-quoted-code-verifier-66f1"
)

// withPieces is each canary and each of its space-separated pieces of 8
// bytes or more: Recorder.Check looks for each in every form
// secretstest.Encodings lists, quoted forms included.
func withPieces(canaries ...string) []string {
	var out []string
	for _, c := range canaries {
		out = append(out, c)
		for _, piece := range strings.Fields(c) {
			if len(piece) >= 8 && piece != c {
				out = append(out, piece)
			}
		}
	}
	return out
}

// The harness finds a canary inside Go's %q and %+q and JSON quotes, once
// or twice over, and in slog's JSON and text output, which quote it: a
// leak there is a leak, though the raw canary appears nowhere.
func TestRecorderFindsQuotedLeaks(t *testing.T) {
	const canary = `canary-token-"q\b-é-5f1d`
	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	plants := map[string]func(r *leakcheck.Recorder){
		"%q":           func(r *leakcheck.Recorder) { r.Add("x", fmt.Sprintf("%q", "token "+canary)) },
		"%+q":          func(r *leakcheck.Recorder) { r.Add("x", fmt.Sprintf("%+q", "token "+canary)) },
		"json":         func(r *leakcheck.Recorder) { r.Add("x", js("token "+canary)) },
		"%q of json":   func(r *leakcheck.Recorder) { r.Add("x", strconv.Quote(js(canary))) },
		"json of %+q":  func(r *leakcheck.Recorder) { r.Add("x", js(strconv.QuoteToASCII(canary))) },
		"error %q":     func(r *leakcheck.Recorder) { r.Err("e", fmt.Errorf("server said %q", canary)) },
		"log as JSON":  func(r *leakcheck.Recorder) { r.Logger().Info("oops", "body", `{"token":`+js(canary)+`}`) },
		"log message":  func(r *leakcheck.Recorder) { r.Logger().Error("refused " + canary) },
		"slog attr":    func(r *leakcheck.Recorder) { r.Logger().Debug("x", slog.String("v", canary)) },
		"dumped error": func(r *leakcheck.Recorder) { r.Dump("d", errors.New(strconv.Quote(canary))) },
	}
	for name, plant := range plants {
		t.Run(name, func(t *testing.T) {
			r := leakcheck.New()
			plant(r)
			ft := &fakeT{TB: t}
			r.Check(ft, canary)
			if len(ft.failures) == 0 {
				t.Fatal("planted leak was not found")
			}
			for _, f := range ft.failures {
				if len(secretstest.Leaks(f, canary)) != 0 {
					t.Fatal("the failure message itself shows the canary")
				}
			}
		})
	}
}

// A token endpoint that echoes the credentials a request carried into its
// status code (net/http quotes it up to the first space), a header line, a
// trailer after the body, a Content-Type, or an error body that quotes
// them as Go's %q, Ruby's inspect and JSON do: a refresh through a Cache
// with debug logging and a code exchange with PKCE. Every error, hook
// call, log line and dump is scanned for each credential and each piece
// of it, raw, encoded or quoted.
func TestLeakOAuthQuotedAndSpacedCredentials(t *testing.T) {
	rec := leakcheck.New()
	answers := map[string]func(url.Values) string{
		"status code with the client secret": func(f url.Values) string {
			return "HTTP/1.1 2" + f.Get("client_secret") + " OK\r\n\r\n"
		},
		"status code with the other credentials": func(f url.Values) string {
			return "HTTP/1.1 2" + f.Get("refresh_token") + f.Get("code") + " " + f.Get("code_verifier") + " OK\r\n\r\n"
		},
		"header line": func(f url.Values) string {
			return "HTTP/1.1 200 OK\r\n" + echoCredentials(f) + "\r\n\r\n"
		},
		"trailer": func(f url.Values) string {
			return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + echoCredentials(f) + "\r\n\r\n"
		},
		"Content-Type": func(f url.Values) string {
			return "HTTP/1.1 200 OK\r\nContent-Type: text/" + strconv.Quote(echoCredentials(f)) + "\r\nContent-Length: 2\r\n\r\nno"
		},
		"error body quoting": func(f url.Values) string {
			var quoted []string
			for _, k := range []string{"client_secret", "refresh_token", "code", "code_verifier"} {
				if v := f.Get(k); v != "" {
					j, _ := json.Marshal(v)
					quoted = append(quoted, strconv.Quote(v), strconv.QuoteToASCII(v), string(j), strconv.Quote(`{"v":`+string(j)+`}`))
				}
			}
			b, _ := json.Marshal(map[string]string{
				"error": "invalid_grant", "error_description": "got " + strings.Join(quoted, ", "), "correlationId": quoted[0],
			})
			return fmt.Sprintf("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		},
	}
	ctx := context.Background()
	for name, answer := range answers {
		cfg := oauth.Config{
			ClientID:     "app",
			ClientSecret: secretstest.NewStatic(quotedCanarySecret),
			RefreshToken: secretstest.NewStatic(quotedCanaryRefresh),
			TokenURL:     rawEcho(t, answer) + "/oauth/v3/token",
		}
		p, err := oauth.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
		if err != nil {
			t.Fatal(err)
		}
		c.OnError(func(err error) { rec.Err(name+" hook", err) })
		if _, err := c.Get(ctx); err == nil {
			t.Errorf("%s: Get succeeded", name)
		} else {
			rec.Err(name+" get", err)
		}
		_, err = p.Fetch(ctx)
		rec.Err(name+" fetch", err)
		tok, err := oauth.Exchange(ctx, cfg, quotedCanaryCode, "https://example.com/callback", quotedCanaryVerifier)
		if err == nil {
			t.Errorf("%s: Exchange succeeded", name)
		}
		rec.Err(name+" exchange", err)
		rec.Dump(name+" token", tok)
		c.Close() // waits for the refresh and its log line
		rec.Err(name+" last", c.LastError())
		rec.Dump(name+" provider", p)
		rec.Dump(name+" cache", c)
	}
	rec.Check(t, withPieces(quotedCanarySecret, quotedCanaryRefresh, quotedCanaryCode, quotedCanaryVerifier)...)
	n, size := rec.Outputs()
	t.Logf("OAuth quoted and spaced credentials: %d answers, %d outputs, %d bytes scanned", len(answers), n, size)
}
