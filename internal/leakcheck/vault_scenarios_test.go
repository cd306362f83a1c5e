package leakcheck_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
	"github.com/hubkey/hubkey/secrets/vault"
)

// Vault canaries. The '+', '/', '=' and ' ' make each encoding the checks
// look for differ from the plain form.
const (
	canaryVaultToken = "hvs.CANARY+vault/token=5d1e 0a"
	canaryIssued     = "hvs.CANARY+issued/token=9c3b 7e"
	canarySecretID   = "CANARY+approle/secret-id=2f8a 61"
	canaryRoleID     = "CANARY+approle/role-id=44d0 b3"
	canaryJWT        = "eyJ.CANARY+k8s/jwt=e17c 05"
)

var vaultCanaries = []string{canaryVaultToken, canaryIssued, canarySecretID, canaryRoleID, canaryJWT}

// vaultEcho is everything a hostile Vault repeats of a request's
// credentials: its X-Vault-Token and its body's secret_id, role_id and jwt,
// each in every encoding of secretstest.Encodings.
func vaultEcho(r *http.Request) string {
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

// vaultEchoAnswer answers with status the way mode says: a Vault-shaped
// JSON error, a non-JSON page, or a status line whose reason phrase carries
// the echo; all of them repeat the request's credentials.
func vaultEchoAnswer(t *testing.T, w http.ResponseWriter, r *http.Request, status int, mode string) {
	echo := vaultEcho(r)
	switch mode {
	case "json":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"errors":   []string{"permission denied; you sent " + echo, "1 error occurred:\n\t* " + echo + "\n\n"},
			"warnings": []string{echo},
		})
	case "raw":
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body>%s</body></html>", echo)
	case "status line":
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		body := `{"errors":["` + echo + `"]}`
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, echo, len(body), body)
		_ = buf.Flush()
	}
}

// hostileVault answers every login with the echo when failLogin is set,
// and otherwise logs in (issuing canaryIssued) and answers every KV read
// with the echo.
func hostileVault(t *testing.T, status int, mode string, failLogin bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isLogin := r.URL.Path == "/v1/auth/token/lookup-self" || strings.HasSuffix(r.URL.Path, "/login")
		switch {
		case isLogin && failLogin, !isLogin:
			vaultEchoAnswer(t, w, r, status, mode)
		case r.URL.Path == "/v1/auth/token/lookup-self":
			fmt.Fprint(w, `{"data":{"ttl":0,"renewable":false,"policies":["default"]}}`)
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{"client_token": canaryIssued, "lease_duration": 0, "policies": []string{"default", canaryIssued}}})
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func vaultClient(t *testing.T, addr, token string) *api.Client {
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

// vaultSessions returns a Session per way of logging in, all on addr.
func vaultSessions(t *testing.T, addr string, rec *leakcheck.Recorder) map[string]*vault.Session {
	t.Helper()
	tokenAuth, _ := vault.NewTokenAuth(secretstest.NewStatic(canaryVaultToken))
	approle, _ := vault.NewAppRoleAuth(canaryRoleID, secretstest.NewStatic(canarySecretID))
	k8s, _ := vault.NewKubernetesAuth("app", secretstest.NewStatic(canaryJWT))
	out := map[string]*vault.Session{}
	for name, mk := range map[string]func() (*vault.Session, error){
		"client token": func() (*vault.Session, error) {
			return vault.NewSession(vaultClient(t, addr, canaryVaultToken), vault.WithLogger(rec.Logger()))
		},
		"token auth": func() (*vault.Session, error) {
			return vault.NewSession(vaultClient(t, addr, ""), vault.WithAuth(tokenAuth), vault.WithLogger(rec.Logger()))
		},
		"approle": func() (*vault.Session, error) {
			return vault.NewSession(vaultClient(t, addr, ""), vault.WithAuth(approle), vault.WithLogger(rec.Logger()))
		},
		"kubernetes": func() (*vault.Session, error) {
			return vault.NewSession(vaultClient(t, addr, ""), vault.WithAuth(k8s), vault.WithLogger(rec.Logger()))
		},
	} {
		s, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out[name] = s
	}
	return out
}

// A Vault (or a proxy in front of it) that echoes the token, the AppRole
// IDs and the JWT in every failure it answers, in every form: JSON errors
// and warnings, HTML pages, status lines; at login and at KV reads (KV v2
// data and metadata, KV v1), through a Cache with debug logging.
func TestLeakVaultEchoingServer(t *testing.T) {
	rec := leakcheck.New()
	type answer struct {
		status int
		mode   string
	}
	answers := []answer{
		{400, "json"}, {403, "json"}, {404, "json"}, {405, "json"}, {429, "json"}, {500, "json"}, {501, "json"},
		{400, "raw"}, {502, "raw"}, {400, "status line"}, {403, "status line"}, {500, "status line"},
	}
	errs := 0
	for _, a := range answers {
		for _, failLogin := range []bool{true, false} {
			srv := hostileVault(t, a.status, a.mode, failLogin)
			for auth, s := range vaultSessions(t, srv.URL, rec) {
				where := fmt.Sprintf("%d %s, login fails %v, %s", a.status, a.mode, failLogin, auth)
				kv2, _ := vault.NewKV2(s, "secret", "hubspot", vault.WithField("token"), vault.WithMetadataCheck(true))
				kv1, _ := vault.NewKV1(s, "kv", "hubspot")
				_, err := kv2.FetchPrevious(context.Background())
				if err == nil {
					t.Fatalf("%s: FetchPrevious succeeded", where)
				}
				rec.Err(where+" previous", err)
				for name, p := range map[string]secrets.Provider{"kv2": kv2, "kv1": kv1} {
					c, err := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
					if err != nil {
						t.Fatal(err)
					}
					c.OnError(func(err error) { rec.Err(where+" "+name+" hook", err) })
					_, err = c.Get(context.Background())
					if err == nil {
						t.Fatalf("%s %s: Get succeeded", where, name)
					}
					errs++
					rec.Err(where+" "+name, err)
					c.Close()
					rec.Err(where+" "+name+" last", c.LastError())
					rec.Dump(where+" "+name+" provider", p)
				}
				rec.Dump(where+" stats", s.Stats())
			}
		}
	}
	rec.Check(t, vaultCanaries...)
	n, size := rec.Outputs()
	t.Logf("echoing Vault: %d failed reads, %d outputs, %d bytes scanned", errs, n, size)
}

// A Vault that redirects every request to another host: the Session
// refuses, so the other host receives no request, no token and no login
// body, and the errors carry no canary.
func TestLeakVaultRedirectToAnotherHost(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String()+" "+r.Header.Get(api.AuthHeaderName)+" "+string(body))
		mu.Unlock()
		fmt.Fprint(w, `{"auth":{"client_token":"hvs.other","lease_duration":0},"data":{"ttl":0,"data":{"token":"x"},"metadata":{"version":1}}}`)
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 307, 308} {
		for _, loginToo := range []bool{true, false} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				isLogin := r.URL.Path == "/v1/auth/token/lookup-self" || strings.HasSuffix(r.URL.Path, "/login")
				switch {
				case isLogin && !loginToo && r.URL.Path == "/v1/auth/token/lookup-self":
					fmt.Fprint(w, `{"data":{"ttl":0}}`)
				case isLogin && !loginToo:
					fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":0}}`, canaryIssued)
				default:
					w.Header().Set("Location", other.URL+r.URL.Path+"?echo="+strings.ReplaceAll(vaultEcho(r), " ", "+"))
					w.WriteHeader(status)
				}
			}))
			rec := leakcheck.New()
			for auth, s := range vaultSessions(t, srv.URL, rec) {
				where := fmt.Sprintf("%d, login redirected %v, %s", status, loginToo, auth)
				p, _ := vault.NewKV2(s, "secret", "hubspot", vault.WithField("token"))
				c, _ := secrets.NewCache(p, secrets.WithLogger(rec.Logger()))
				_, err := c.Get(context.Background())
				if err == nil || !strings.Contains(err.Error(), fmt.Sprint(status)) {
					t.Errorf("%s: Get = %v, want a refused %d redirect", where, err, status)
				}
				rec.Err(where, err)
				c.Close()
				rec.Dump(where+" provider", p)
			}
			rec.Check(t, vaultCanaries...)
			srv.Close()
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 0 {
		t.Errorf("the other host received %d requests", len(seen))
		all := strings.Join(seen, "\n")
		for _, c := range vaultCanaries {
			secretstest.AssertNoLeak(t, "what the other host received", all, c)
		}
	}
}
