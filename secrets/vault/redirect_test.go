package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/leakcheck"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/secrets/secretstest"
)

// otherHost is a second server on loopback: another port, so another host
// to a client. It records what reaches it.
type otherHost struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
	seen []string // tokens and bodies that reached it
}

func newOtherHost(t testing.TB) *otherHost {
	o := &otherHost{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		o.mu.Lock()
		o.hits++
		o.seen = append(o.seen, r.Header.Get(api.AuthHeaderName), string(body))
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/login"):
			fmt.Fprint(w, `{"auth":{"client_token":"hvs.from-the-other-host","lease_duration":0}}`)
		case r.URL.Path == "/v1/auth/token/lookup-self":
			lookupOK(w, r)
		default:
			fmt.Fprint(w, `{"data":{"data":{"token":"value-from-the-other-host"},"metadata":{"version":9}}}`)
		}
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *otherHost) reached() (int, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits, strings.Join(o.seen, " ")
}

func (o *otherHost) host() string { u, _ := url.Parse(o.srv.URL); return u.Host }

// The path and query a redirect names, which errors must not repeat.
const redirectPathMarker, redirectQueryMarker = "/v1/REDIRECT-PATH-MARKER/app", "q=REDIRECT-QUERY-MARKER"

// redirectingVault answers requests for paths in redirect with status and a
// Location on to (a base URL), and lookup-self with a token without TTL.
func redirectingVault(t testing.TB, status int, to string, redirect ...string) (*httptest.Server, *int) {
	var n int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range redirect {
			if r.URL.Path == p {
				mu.Lock()
				n++
				mu.Unlock()
				w.Header().Set("Location", to+redirectPathMarker+"?"+redirectQueryMarker)
				w.WriteHeader(status)
				return
			}
		}
		if r.URL.Path == "/v1/auth/token/lookup-self" {
			lookupOK(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// checkRefused checks that err is the refusal of a redirect with status to
// other: it names the status and the host, not the Location's path or
// query, and nothing reached the other host.
func checkRefused(t *testing.T, err error, status int, other *otherHost) {
	t.Helper()
	if err == nil {
		t.Fatal("the request succeeded")
	}
	msg := err.Error()
	for _, want := range []string{fmt.Sprint(status), other.host(), "WithRedirectHosts"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	for _, not := range []string{"REDIRECT-PATH-MARKER", "REDIRECT-QUERY-MARKER"} {
		if strings.Contains(fmt.Sprintf("%+v", err), not) {
			t.Errorf("error %q repeats the Location's path or query", msg)
		}
	}
	if hits, seen := other.reached(); hits != 0 {
		t.Errorf("the other host received %d requests", hits)
		for _, c := range []string{echoToken, echoSecretID, echoRoleID} {
			secretstest.AssertNoLeak(t, "what the other host received", seen, c)
		}
	}
}

// A KV read that a standby (or anything else) redirects to another host:
// the token is not sent there, the read is not retried, and the error says
// why.
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			other := newOtherHost(t)
			srv, n := redirectingVault(t, status, other.srv.URL, "/v1/secret/data/app")
			rec := leakcheck.New()
			s, err := NewSession(echoClient(t, srv.URL, echoToken), WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			p, _ := NewKV2(s, "secret", "app", WithField("token"))
			_, err = p.Fetch(context.Background())
			checkRefused(t, err, status, other)
			if *n != 1 {
				t.Errorf("the redirected read was sent %d times, want 1", *n)
			}
			rec.Err("fetch", err)
			rec.Check(t, echoToken)
		})
	}
}

// A client whose http.Client follows redirects itself (net/http's default
// policy, up to ten, keeping the X-Vault-Token header across hosts) is
// guarded the same way.
func TestRedirectRefusedWithNetHTTPPolicy(t *testing.T) {
	other := newOtherHost(t)
	srv, _ := redirectingVault(t, 307, other.srv.URL, "/v1/secret/data/app")
	c := echoClient(t, srv.URL, echoToken)
	c.SetCheckRedirect(nil) // net/http's own policy
	s, err := NewSession(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := NewKV2(s, "secret", "app", WithField("token"))
	_, err = p.Fetch(context.Background())
	checkRefused(t, err, 307, other)
}

// Logins are redirected with their body: the AppRole secret ID and the
// token being looked up are not sent to another host either.
func TestLoginRedirectToAnotherHostIsRefused(t *testing.T) {
	other := newOtherHost(t)
	srv, _ := redirectingVault(t, 307, other.srv.URL, "/v1/auth/approle/login", "/v1/auth/token/lookup-self")
	approle, _ := NewAppRoleAuth(echoRoleID, secretstest.NewStatic(echoSecretID))
	tokenAuth, _ := NewTokenAuth(secretstest.NewStatic(echoToken))
	for name, m := range map[string]api.AuthMethod{"approle": approle, "token": tokenAuth} {
		t.Run(name, func(t *testing.T) {
			rec := leakcheck.New()
			s, err := NewSession(echoClient(t, srv.URL, ""), WithAuth(m), WithLogger(rec.Logger()))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			err = s.Login(context.Background())
			checkRefused(t, err, 307, other)
			rec.Err("login", err)
			rec.Check(t, echoToken, echoSecretID, echoRoleID)
		})
	}
}

// Locations that are not a plain URL on another host are refused too, and
// a host that echoes the token is scrubbed from the error.
func TestRedirectOddLocations(t *testing.T) {
	const tok = "hvs.CaNaRy7"
	for name, loc := range map[string]string{
		"scheme-relative": "//127.0.0.1:1/v1/x",
		"not a URL":       "http://[::1/v1/x",
		"other scheme":    "ftp://127.0.0.1/v1/x",
		"token as host":   "http://" + tok + ".example:8200/v1/x",
	} {
		t.Run(name, func(t *testing.T) {
			var reads int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/auth/token/lookup-self" {
					lookupOK(w, r)
					return
				}
				reads++
				w.Header().Set("Location", loc)
				w.WriteHeader(http.StatusTemporaryRedirect)
			}))
			defer srv.Close()
			s, err := NewSession(echoClient(t, srv.URL, tok))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			p, _ := NewKV2(s, "secret", "app")
			_, err = p.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), "refused to follow a 307") {
				t.Fatalf("Fetch = %v, want a refused redirect", err)
			}
			if reads != 1 {
				t.Errorf("%d reads, want 1", reads)
			}
			secretstest.AssertNoLeak(t, "error", fmt.Sprintf("%+v", err), tok)
			if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tok)) {
				t.Errorf("error %q carries the token in some case", err)
			}
		})
	}
}

// A redirect to the configured host itself is followed, once, as api does.
func TestRedirectToSameHostIsFollowed(t *testing.T) {
	var srv *httptest.Server
	var mu sync.Mutex
	var tokens []string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tokens = append(tokens, r.Header.Get(api.AuthHeaderName))
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/auth/token/lookup-self":
			lookupOK(w, r)
		case "/v1/secret/data/relative":
			w.Header().Set("Location", "/v1/secret/data/moved")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/v1/secret/data/absolute":
			w.Header().Set("Location", srv.URL+"/v1/secret/data/moved")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/v1/secret/data/twice":
			w.Header().Set("Location", "/v1/secret/data/relative")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/v1/secret/data/moved":
			fmt.Fprint(w, `{"data":{"data":{"token":"moved-value"},"metadata":{"version":2}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s, err := NewSession(echoClient(t, srv.URL, echoToken))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, path := range []string{"relative", "absolute"} {
		p, _ := NewKV2(s, "secret", path)
		v, err := p.Fetch(context.Background())
		if err != nil || v.Value.Reveal() != "moved-value" || v.ID != "2" {
			t.Errorf("%s: Fetch = %s %s, %v; want the moved secret", path, v.Value.Fingerprint(), v.ID, err)
		}
	}
	for _, tok := range tokens {
		if tok != echoToken {
			t.Errorf("a request carried %q instead of the token", tok)
		}
	}
	// api follows one redirect; a second one is an error, not a response
	// to decode.
	p, _ := NewKV2(s, "secret", "twice")
	_, err = p.Fetch(context.Background())
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTemporaryRedirect {
		t.Errorf("Fetch through two redirects = %v, want a StatusError 307", err)
	}
}

// api.Config.DisableRedirects set in code does not reach the Session
// (api.Client.CloneConfig leaves it out, and the client has no accessor for
// it): a redirect to the configured host is followed. Set in the
// environment, it does (the copy reads the environment again): the
// redirect is not followed, and the read fails naming the status. A
// redirect to another host is refused either way.
func TestDisableRedirects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/auth/token/lookup-self":
			lookupOK(w, r)
		case "/v1/secret/data/app":
			w.Header().Set("Location", "/v1/secret/data/moved")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/v1/secret/data/moved":
			fmt.Fprint(w, `{"data":{"data":{"token":"moved-value"},"metadata":{"version":2}}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	fetch := func(t *testing.T, inCode bool) (secrets.Version, error) {
		cfg := api.DefaultConfig()
		cfg.Address = srv.URL
		cfg.MaxRetries = 0
		cfg.DisableRedirects = inCode
		c, err := api.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.SetToken(echoToken)
		s, err := NewSession(c)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, _ := NewKV2(s, "secret", "app", WithField("token"))
		return p.Fetch(context.Background())
	}
	t.Run("in code", func(t *testing.T) {
		v, err := fetch(t, true)
		if err != nil || v.Value.Reveal() != "moved-value" {
			t.Errorf("Fetch = %s, %v; want the redirect followed", v.Value.Fingerprint(), err)
		}
	})
	t.Run("in the environment", func(t *testing.T) {
		t.Setenv(api.EnvVaultDisableRedirects, "true")
		_, err := fetch(t, false)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusTemporaryRedirect {
			t.Errorf("Fetch = %v, want a StatusError 307", err)
		}
	})
}

// WithRedirectHosts lets the Session follow redirects to the named hosts,
// token included: that is what it is for.
func TestWithRedirectHostsAllowsNamedHosts(t *testing.T) {
	other := newOtherHost(t)
	srv, _ := redirectingVault(t, 307, other.srv.URL, "/v1/secret/data/app")
	for _, form := range []string{other.host(), other.srv.URL, strings.ToUpper(other.srv.URL) + "/"} {
		s, err := NewSession(echoClient(t, srv.URL, echoToken), WithRedirectHosts("vault-9.example:8200", form))
		if err != nil {
			t.Fatalf("WithRedirectHosts(%q): %v", form, err)
		}
		p, _ := NewKV2(s, "secret", "app", WithField("token"))
		v, err := p.Fetch(context.Background())
		s.Close()
		if err != nil || v.Value.Reveal() != "value-from-the-other-host" {
			t.Fatalf("%s: Fetch = %s, %v; want the other host's value", form, v.Value.Fingerprint(), err)
		}
	}
	if hits, seen := other.reached(); hits != 3 || !strings.Contains(seen, echoToken) {
		t.Errorf("the allowed host got %d requests, want 3 with the token", hits)
	}
}

func TestWithRedirectHostsValidation(t *testing.T) {
	for _, bad := range [][]string{
		nil,
		{""},
		{"vault-2"},
		{"vault-2:"},
		{"https://vault-2:8200/v1"},
		{"https://user:pw@vault-2:8200"},
		{"https://vault-2:8200?x=1"},
		{"ftp://vault-2:21"},
		{"https://"},
	} {
		if _, err := NewSession(newOfflineClient(t), WithRedirectHosts(bad...)); err == nil {
			t.Errorf("WithRedirectHosts(%q) was accepted", bad)
		}
	}
	s, err := NewSession(newOfflineClient(t), WithRedirectHosts("Vault-2.Example:8200", "https://vault-3.example", "http://[::1]:8200"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []string{"vault-2.example:8200", "vault-3.example:443", "[::1]:8200"} {
		if !s.redirectHosts[want] {
			t.Errorf("%s is not allowed: %v", want, s.redirectHosts)
		}
	}
}
