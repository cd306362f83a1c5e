package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// These tests run against stand-ins for Vault on loopback that answer with
// errors echoing the credentials each request carried, the way a buggy
// proxy or a hostile server might. They need no Vault server.

// Canary credentials. Their '+', '/', '=' and ' ' make every encoding the
// leak checks look for (base64, hex, query and path escaping) differ from
// the plain form.
const (
	echoToken    = "hvs.CANARY+tok/en=4e1c 9f"
	echoSecretID = "CANARY+secret/id=7b2d a1"
	echoRoleID   = "CANARY+role/id=0c9e 5f"
	echoJWT      = "eyJCANARY+jwt/x=3a8f b4"
)

// echoed is everything a hostile Vault would repeat of r's credentials: its
// X-Vault-Token and the secret_id, role_id and jwt of its JSON body, each in
// every encoding of secretstest.Encodings.
func echoed(r *http.Request) string {
	var creds []string
	if tok := r.Header.Get(api.AuthHeaderName); tok != "" {
		creds = append(creds, tok)
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	for _, k := range []string{"secret_id", "role_id", "jwt"} {
		if v, ok := body[k].(string); ok {
			creds = append(creds, v)
		}
	}
	var parts []string
	for _, c := range creds {
		parts = append(parts, secretstest.Encodings(c)...)
	}
	return strings.Join(parts, " ")
}

// vaultError writes a Vault-shaped error body whose errors and warnings
// echo r's credentials, after prefix.
func vaultError(w http.ResponseWriter, r *http.Request, status int, prefix string) {
	echo := echoed(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors":   []string{prefix + " " + echo, "1 error occurred:\n\t* you sent " + echo + "\n\n"},
		"warnings": []string{"warning: " + echo},
	})
}

// statusLine answers with a status line whose reason phrase echoes r's
// credentials (net/http's ResponseWriter always writes the standard one).
func statusLine(t testing.TB, w http.ResponseWriter, r *http.Request, status int) {
	echo := echoed(r)
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	body := `{"errors":["` + strings.ReplaceAll(echo, `"`, "") + `"]}`
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, echo, len(body), body)
	_ = buf.Flush()
}

// echoResponder is one way a hostile Vault answers, with what the
// caller's error must then satisfy.
type echoResponder struct {
	h    http.HandlerFunc
	want func(error) bool
}

// echoResponders are the ways a hostile Vault answers, by name.
func echoResponders(t testing.TB) map[string]echoResponder {
	isStatus := func(code int) func(error) bool {
		return func(err error) bool {
			var se *StatusError
			return errors.As(err, &se) && se.Status == code
		}
	}
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }
	jsonError := func(status int, prefix string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { vaultError(w, r, status, prefix) }
	}
	line := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { statusLine(t, w, r, status) }
	}
	raw := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, "<html>%s</html>", echoed(r))
	}
	return map[string]echoResponder{
		"400 json":          {jsonError(400, "bad request"), isStatus(400)},
		"403 json":          {jsonError(403, "permission denied"), is(secrets.ErrPermission)},
		"403 invalid token": {jsonError(403, "permission denied; invalid token"), is(secrets.ErrPermission)},
		"404 json":          {jsonError(404, "no secret"), is(secrets.ErrNotFound)},
		"405 json":          {jsonError(405, "unsupported"), isStatus(405)},
		"429 json":          {jsonError(429, "slow down"), isStatus(429)},
		"501 json":          {jsonError(501, "not implemented"), isStatus(501)},
		"400 raw":           {raw, isStatus(400)},
		"400 status line":   {line(400), isStatus(400)},
		"500 status line":   {line(500), isStatus(500)},
	}
}

// lookupOK answers auth/token/lookup-self for a token without a TTL.
func lookupOK(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"data":{"ttl":0,"renewable":false,"policies":["default"]}}`)
}

// echoClient returns a client for addr that does not retry, holding token
// (none when it is empty).
func echoClient(t testing.TB, addr, token string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.ClearNamespace()
	c.ClearToken()
	if token != "" {
		c.SetToken(token)
	}
	return c
}

// KV reads whose error responses echo the token: every error, log record
// and dump is scrubbed of it, and the error still says what went wrong.
func TestKVErrorsScrubEchoedToken(t *testing.T) {
	for name, resp := range echoResponders(t) {
		t.Run(name, func(t *testing.T) {
			var reads atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/v1/auth/token/lookup-self":
					lookupOK(w, r)
				case "/v1/secret/data/app", "/v1/secret/metadata/app", "/v1/kv/app":
					reads.Add(1)
					resp.h(w, r)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			rec := leakcheck.New()
			s, err := NewSession(echoClient(t, srv.URL, echoToken), WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			kv2, _ := NewKV2(s, "secret", "app", WithField("token"))
			kv1, _ := NewKV1(s, "kv", "app", WithField("token"))
			ctx := context.Background()
			fetches := map[string]func(context.Context) (secrets.Version, error){
				"kv2 fetch": kv2.Fetch, "kv2 previous": kv2.FetchPrevious, "kv1 fetch": kv1.Fetch,
			}
			for what, fetch := range fetches {
				_, err := fetch(ctx)
				if err == nil || !resp.want(err) {
					t.Errorf("%s: error %v is not the one for %s", what, err, name)
				}
				rec.Err(what, err)
			}
			if reads.Load() < int32(len(fetches)) {
				t.Fatalf("%d reads reached the server, want at least %d", reads.Load(), len(fetches))
			}
			rec.Dump("provider", kv2)
			rec.Check(t, echoToken)
		})
	}
}

// Token login: auth/token/lookup-self answers with errors that echo the
// token being looked up.
func TestTokenLookupErrorsScrubEchoedToken(t *testing.T) {
	for name, resp := range echoResponders(t) {
		if name == "403 json" {
			continue // a token that may not look itself up is used as it is
		}
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/auth/token/lookup-self" {
					http.NotFound(w, r)
					return
				}
				resp.h(w, r)
			}))
			defer srv.Close()
			rec := leakcheck.New()
			auth, _ := NewTokenAuth(secretstest.NewStatic(echoToken))
			s, err := NewSession(echoClient(t, srv.URL, ""), WithAuth(auth), WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.Login(context.Background())
			if !errors.Is(err, ErrLogin) {
				t.Fatalf("Login = %v, want ErrLogin", err)
			}
			if !resp.want(err) {
				t.Errorf("Login error %v is not the one for %s", err, name)
			}
			rec.Err("login", err)
			rec.Check(t, echoToken)
		})
	}
}

// AppRole and Kubernetes logins whose error responses echo the login
// body: the secret ID, the role ID and the JWT are scrubbed.
func TestLoginErrorsScrubEchoedCredentials(t *testing.T) {
	for name, resp := range echoResponders(t) {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/v1/auth/approle/login", "/v1/auth/kubernetes/login":
					resp.h(w, r)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			rec := leakcheck.New()
			approle, _ := NewAppRoleAuth(echoRoleID, secretstest.NewStatic(echoSecretID))
			k8s, _ := NewKubernetesAuth("app", secretstest.NewStatic(echoJWT))
			for what, m := range map[string]api.AuthMethod{"approle": approle, "kubernetes": k8s} {
				s, err := NewSession(echoClient(t, srv.URL, ""), WithAuth(m), WithLogger(rec.Logger()))
				if err != nil {
					t.Fatal(err)
				}
				err = s.Login(context.Background())
				s.Close()
				if !errors.Is(err, ErrLogin) || !strings.Contains(err.Error(), "/login") {
					t.Errorf("%s: Login = %v, want ErrLogin naming the login path", what, err)
				}
				rec.Err(what, err)
			}
			rec.Check(t, echoToken, echoSecretID, echoRoleID, echoJWT)
		})
	}
}

// The login record lists the token's policies, which are server text: a
// server that echoes the token there does not get it logged.
func TestLoginLogScrubsPolicies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/auth/token/lookup-self" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"ttl": 0, "policies": append([]string{"default", "p " + echoed(r)}, secretstest.Encodings(r.Header.Get(api.AuthHeaderName))...)}})
	}))
	defer srv.Close()
	rec := leakcheck.New()
	s, err := NewSession(echoClient(t, srv.URL, echoToken), WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, size := rec.Outputs(); n == 0 || size == 0 {
		t.Fatal("nothing was logged")
	}
	rec.Check(t, echoToken)
}

// errorText is what the Session logs when a renewal of its token failed:
// one line, without the token.
func TestErrorText(t *testing.T) {
	tok := secrets.New(echoToken)
	enc := secretstest.Encodings(echoToken)
	re := &api.ResponseError{HTTPMethod: "PUT", URL: "http://127.0.0.1:8200/v1/auth/token/renew-self", StatusCode: 400,
		Errors: []string{"cannot renew " + strings.Join(enc, " ")}}
	got := errorText(re, tok)
	if !strings.HasPrefix(got, "vault answered 400 Bad Request: cannot renew "+secrets.Redacted) || strings.Contains(got, "\n") {
		t.Errorf("errorText(response error) = %q", got)
	}
	secretstest.AssertNoLeak(t, "errorText(response error)", got, echoToken)
	other := fmt.Errorf("renewing: %w", errors.New("proxy said "+enc[4]))
	got = errorText(other, tok)
	if got != "renewing: proxy said "+secrets.Redacted {
		t.Errorf("errorText(other) = %q", got)
	}
}

func TestScrubErr(t *testing.T) {
	tok := secrets.New(echoToken)
	clean := fmt.Errorf("dial: %w", context.DeadlineExceeded)
	if got := scrubErr(clean, tok); got != clean {
		t.Errorf("scrubErr replaced an error that carries no credential: %v", got)
	}
	inner := errors.New("refused " + secretstest.Encodings(echoToken)[3])
	got := scrubErr(fmt.Errorf("outer: %w", inner), tok)
	if errors.Is(got, inner) {
		t.Error("scrubErr kept the error that carries the token in the chain")
	}
	if !strings.Contains(got.Error(), "outer: refused "+secrets.Redacted) {
		t.Errorf("scrubErr = %q", got)
	}
	secretstest.AssertNoLeak(t, "scrubErr", got.Error(), echoToken)
}

// echoingBody is a response body whose read fails with an error quoting
// the request's token, as a buggy transport or proxy library might.
type echoingBody struct{ tok string }

func (b echoingBody) Read([]byte) (int, error) {
	return 0, fmt.Errorf("stream reset while the request with X-Vault-Token: %s was answered", b.tok)
}
func (echoingBody) Close() error { return nil }

// echoingTransport answers the paths in bodyFails with a body whose read
// fails quoting the request's token, and the rest from the server.
type echoingTransport struct{ bodyFails map[string]bool }

func (e echoingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !e.bodyFails[r.URL.Path] {
		return resp, err
	}
	resp.Body.Close()
	resp.Body = echoingBody{tok: r.Header.Get(api.AuthHeaderName)}
	return resp, nil
}

// A response body whose read fails quoting the token: the token lookup
// and the KV reads give errors without it.
func TestBodyReadErrorsScrubToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{}}`)
	}))
	defer srv.Close()
	rec := leakcheck.New()

	lc := echoClient(t, srv.URL, "").CloneConfig()
	lc.HttpClient.Transport = echoingTransport{bodyFails: map[string]bool{"/v1/auth/token/lookup-self": true}}
	lclient, err := api.NewClient(lc)
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := NewTokenAuth(secretstest.NewStatic(echoToken))
	s, err := NewSession(lclient, WithAuth(auth), WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Login(context.Background())
	if !errors.Is(err, ErrLogin) {
		t.Fatalf("Login = %v, want ErrLogin", err)
	}
	rec.Err("login", err)

	kc := echoClient(t, srv.URL, echoToken).CloneConfig()
	kc.HttpClient.Transport = echoingTransport{bodyFails: map[string]bool{"/v1/secret/data/app": true, "/v1/kv/app": true}}
	kclient, err := api.NewClient(kc)
	if err != nil {
		t.Fatal(err)
	}
	kclient.SetToken(echoToken)
	ks, err := NewSession(kclient, WithLogger(rec.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	kv2, _ := NewKV2(ks, "secret", "app", WithField("token"))
	kv1, _ := NewKV1(ks, "kv", "app", WithField("token"))
	for what, fetch := range map[string]func(context.Context) (secrets.Version, error){"kv2": kv2.Fetch, "kv1": kv1.Fetch} {
		_, err := fetch(context.Background())
		if err == nil || !strings.Contains(err.Error(), "reading the response") {
			t.Errorf("%s: %v, want the body's read error", what, err)
		}
		rec.Err(what, err)
	}
	rec.Check(t, echoToken)
}
