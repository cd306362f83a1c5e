package leakcheck_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/conjur"
	"github.com/hubkey/hubkey/secrets/cyberark"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// Canary credentials of the Conjur and CyberArk echo scenarios. Some hold
// the characters Go's %q and JSON escape ('"', '\') and a non-ASCII
// letter; the others a space, at which net/http cuts a status code before
// quoting it.
const (
	vaultCanaryAPIKey   = `canary-vault-conjur-apikey-"k\y-é-2b7d`
	vaultCanarySpaced   = "canary-vault-conjur-spaced-61e0 second-half-apikey-a4c9"
	vaultCanaryTokenSig = `canary-vault-conjur-token-sig-"s\g-é-93f1`
	vaultCanarySecret   = `canary-vault-client-secret-"c\s-é-5e20`
	vaultCanaryPassword = "canary-vault-pvwa-password-77d3 second-half-password-0b8e"
	vaultCanaryPlatform = `canary-vault-platform-token-"p\t-é-c1a6`
	vaultCanarySession  = "canary-vault-pvwa-session-4f19 second-half-session-e802"
)

// vaultConjurToken is the access token the hostile Conjur hands out, its
// signature a canary.
var vaultConjurToken = func() string {
	payload := base64.URLEncoding.EncodeToString([]byte(`{"sub":"host/app","iat":1717000000,"exp":1717000480}`))
	b, _ := json.Marshal(map[string]string{"protected": "eyJhbGciOiJub25lIn0=", "payload": payload, "signature": vaultCanaryTokenSig})
	return string(b)
}()

// echoCanaryForms is every canary and each of its space-separated pieces
// of 8 bytes or more, since net/http cuts a status code at a space before
// quoting it. Recorder.Check looks for each in every form
// secretstest.Encodings lists: encoded, and inside Go's %q and %+q and
// JSON quotes, once or twice over.
func echoCanaryForms() []string {
	enc := base64.StdEncoding.EncodeToString([]byte(vaultConjurToken))
	return withPieces(
		vaultCanaryAPIKey, vaultCanarySpaced, vaultCanaryTokenSig, vaultConjurToken, enc, `Token token="`+enc+`"`,
		vaultCanarySecret, vaultCanaryPassword, vaultCanaryPlatform, "Bearer "+vaultCanaryPlatform, vaultCanarySession,
	)
}

// vaultRequest is what the hostile server read.
type vaultRequest struct {
	*http.Request
	body string
}

// vaultRawServer answers each request with the bytes answer makes of it
// and closes the connection.
func vaultRawServer(t *testing.T, answer func(r vaultRequest) string) string {
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
				_, _ = io.WriteString(c, answer(vaultRequest{req, string(b)}))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// vaultHostile put echo where net/http quotes a malformed answer in its
// errors (a trailer's while the body is read), in a Location, in a reason
// phrase or in an error body that
// quotes it as Ruby's inspect and Go's %q do. (The packages' own tests run
// more kinds; these are one of each place.)
var vaultHostile = map[string]func(echo string) string{
	"Location with %zz": func(e string) string {
		return "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/%zz?" + e + "\r\nContent-Length: 0\r\n\r\n"
	},
	"reason phrase":  func(e string) string { return "HTTP/1.1 401 " + e + "\r\nContent-Length: 0\r\n\r\n" },
	"status code":    func(e string) string { return "HTTP/1.1 2" + e + " OK\r\n\r\n" },
	"header line":    func(e string) string { return "HTTP/1.1 200 OK\r\n" + e + "\r\n\r\n" },
	"Content-Length": func(e string) string { return "HTTP/1.1 200 OK\r\nContent-Length: " + e + "\r\n\r\n" },
	"trailer": func(e string) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + e + "\r\n\r\n"
	},
	"inspected in an error body": func(e string) string {
		b, _ := json.Marshal(map[string]any{
			"error":        map[string]string{"code": e, "message": "got " + strconv.Quote(e)},
			"ErrorCode":    e,
			"ErrorMessage": "got " + strconv.Quote(e),
		})
		return fmt.Sprintf("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	},
}

func vaultOK(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
}

// vaultAnswer answers a Conjur, PVWA or identity tenant request as they
// would; token is the platform or session token handed out.
func vaultAnswer(r vaultRequest, token string) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/authn"):
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(vaultConjurToken), vaultConjurToken)
	case strings.HasSuffix(p, "/oauth2/platformtoken"):
		return vaultOK(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3600})
	case strings.HasSuffix(p, "/Logon"):
		return vaultOK(token)
	case strings.HasSuffix(p, "/Logoff"):
		return vaultOK(map[string]any{})
	case strings.HasSuffix(p, "/Password/Retrieve"):
		return vaultOK("the-password")
	case strings.HasSuffix(p, "/API/Accounts"):
		return vaultOK(map[string]any{"value": []any{map[string]any{"id": "12_34", "name": "acct", "safeName": "Safe"}}, "count": 1})
	case strings.HasSuffix(p, "/API/Accounts/12_34"):
		return vaultOK(map[string]any{"id": "12_34", "name": "acct", "safeName": "Safe"})
	}
	return "HTTP/1.1 599 Unexpected\r\nContent-Length: 0\r\n\r\n"
}

// vaultSent is the credential r carries, as the server sees it.
func vaultSent(r vaultRequest) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/authn"):
		return r.body
	case strings.HasSuffix(p, "/oauth2/platformtoken"):
		f, _ := url.ParseQuery(r.body)
		return f.Get("client_secret")
	case strings.HasSuffix(p, "/Logon"):
		var b struct{ Password string }
		_ = json.Unmarshal([]byte(r.body), &b)
		return b.Password
	case strings.HasPrefix(p, "/AIMWebService"):
		return r.RequestURI
	}
	return r.Header.Get("Authorization")
}

// Conjur and CyberArk servers (or something in front of them) that echo
// the credential a request carried (Conjur API key and access token,
// CyberArk client secret, logon password, platform and session tokens) or
// the CCP's query into an unparsable Location, a Location's host, a reason
// phrase, a malformed status or header line, a Content-Length, a
// Transfer-Encoding, or an error body that quotes it: for each request the
// providers send, through a Cache with debug logging, every error, hook
// call, log line and dump is scanned.
func TestLeakConjurCyberArkEchoes(t *testing.T) {
	rec := leakcheck.New()   // errors and logs
	dumps := leakcheck.New() // dumps hold the CCP's query as configuration
	ctx := context.Background()
	var (
		mu         sync.Mutex
		ccpQueries []string // the CCP's query: it carries no credential, and no error may show it either
	)

	type scenario struct {
		match  func(r vaultRequest) bool // the request the hostile answer is for
		token  string                    // platform or session token the vault hands out
		source func(t *testing.T, url string) (secrets.Provider, func() error)
	}
	conjurVar := func(key string) func(t *testing.T, u string) (secrets.Provider, func() error) {
		return func(t *testing.T, u string) (secrets.Provider, func() error) {
			c, err := conjur.NewClient(u, "myorg", conjur.APIKey("host/app", secrets.New(key)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Variable("hubspot/token")
			if err != nil {
				t.Fatal(err)
			}
			return p, c.Close
		}
	}
	pvwa := func(cloud bool, secret string) func(t *testing.T, u string) (secrets.Provider, func() error) {
		return func(t *testing.T, u string) (secrets.Provider, func() error) {
			auth := cyberark.Logon(cyberark.MethodCyberArk, "svc", secretstest.NewStatic(secret))
			if cloud {
				auth = cyberark.PlatformToken(u, "client", secretstest.NewStatic(secret))
			}
			p, err := cyberark.NewPVWA(u, "Safe", "acct", auth)
			if err != nil {
				t.Fatal(err)
			}
			return p, p.Close
		}
	}
	path := func(suffix string) func(r vaultRequest) bool {
		return func(r vaultRequest) bool { return strings.HasSuffix(r.URL.Path, suffix) }
	}
	scenarios := map[string]scenario{
		"Conjur authenticate":             {match: path("/authenticate"), source: conjurVar(vaultCanaryAPIKey)},
		"Conjur authenticate, spaced key": {match: path("/authenticate"), source: conjurVar(vaultCanarySpaced)},
		"Conjur secret":                   {match: func(r vaultRequest) bool { return strings.HasPrefix(r.URL.Path, "/secrets/") }, source: conjurVar(vaultCanaryAPIKey)},
		"PVWA platform token":             {match: path("/oauth2/platformtoken"), token: vaultCanaryPlatform, source: pvwa(true, vaultCanarySecret)},
		"PVWA logon":                      {match: path("/Logon"), token: vaultCanarySession, source: pvwa(false, vaultCanaryPassword)},
		"PVWA account search, cloud":      {match: path("/API/Accounts"), token: vaultCanaryPlatform, source: pvwa(true, vaultCanarySecret)},
		"PVWA account search":             {match: path("/API/Accounts"), token: vaultCanarySession, source: pvwa(false, vaultCanaryPassword)},
		"PVWA account details":            {match: path("/API/Accounts/12_34"), token: vaultCanarySession, source: pvwa(false, vaultCanaryPassword)},
		"PVWA password retrieve":          {match: path("/Password/Retrieve"), token: vaultCanarySession, source: pvwa(false, vaultCanaryPassword)},
		"PVWA password retrieve, cloud":   {match: path("/Password/Retrieve"), token: vaultCanaryPlatform, source: pvwa(true, vaultCanarySecret)},
		"PVWA logoff":                     {match: path("/Logoff"), token: vaultCanarySession, source: pvwa(false, vaultCanaryPassword)},
		"CCP": {match: path("/api/Accounts"), source: func(t *testing.T, u string) (secrets.Provider, func() error) {
			c, err := cyberark.NewCCP(u, "HubKeyApp", cyberark.CCPQuery{Safe: "Safe", Object: "acct"})
			if err != nil {
				t.Fatal(err)
			}
			return c, c.Close
		}},
	}
	n := 0
	for sname, sc := range scenarios {
		dumped := false
		for kind, hostile := range vaultHostile {
			name := sname + "/" + kind
			n++
			u := vaultRawServer(t, func(r vaultRequest) string {
				if !sc.match(r) {
					return vaultAnswer(r, sc.token)
				}
				echo := vaultSent(r)
				if strings.HasPrefix(r.URL.Path, "/AIMWebService") {
					mu.Lock()
					if !slices.Contains(ccpQueries, r.URL.RawQuery) {
						ccpQueries = append(ccpQueries, r.URL.RawQuery)
					}
					mu.Unlock()
				}
				return hostile(echo)
			})
			p, closeProvider := sc.source(t, u)
			if !dumped { // the same for every kind
				dumps.Dump(name+" provider", p) // before any connection: a live transport cannot be dumped without racing it
			}
			c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			c.OnError(func(err error) { rec.Err(name+" hook", err) })
			v, err := c.Get(ctx)
			rec.Err(name+" get", err)
			if !dumped {
				dumps.Dump(name+" version", v)
				dumped = true
			}
			_, err = p.Fetch(ctx)
			rec.Err(name+" fetch", err)
			c.Close() // waits for a refresh in flight and its log line
			rec.Err(name+" last", c.LastError())
			rec.Err(name+" close", closeProvider())
			if sname == "PVWA logoff" && err != nil {
				t.Errorf("%s: the fetch before the logoff failed: %v", name, err)
			}
		}
	}
	mu.Lock()
	canaries := append(echoCanaryForms(), ccpQueries...)
	mu.Unlock()
	if len(ccpQueries) == 0 {
		t.Error("the CCP was never asked")
	}
	rec.Check(t, canaries...)
	dumps.Check(t, echoCanaryForms()...)
	outputs, size := rec.Outputs()
	t.Logf("Conjur and CyberArk echoes: %d scenarios, %d outputs, %d bytes scanned", n, outputs, size)
}
