package cyberark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// LogonMethod is a self-hosted PVWA authentication method, the {method}
// of POST /PasswordVault/API/auth/{method}/Logon.
type LogonMethod string

// The logon methods that take a user name and a password.
const (
	MethodCyberArk LogonMethod = "CyberArk"
	MethodLDAP     LogonMethod = "LDAP"
	MethodRADIUS   LogonMethod = "RADIUS"
)

type authKind int

const (
	authNone authKind = iota
	authPlatformToken
	authLogon
)

// Auth says how a PVWA provider authenticates. Make one with
// PlatformToken (Privilege Cloud) or Logon (self-hosted PVWA); the zero
// Auth is rejected by NewPVWA.
type Auth struct {
	kind        authKind
	identityURL string
	clientID    string
	method      LogonMethod
	username    string
	secret      secrets.Provider
}

// PlatformToken authenticates to Privilege Cloud with a platform token
// from the CyberArk Identity tenant: POST <identityURL>/oauth2/platformtoken
// with grant_type=client_credentials, client_id and client_secret
// (form-encoded), then "Authorization: Bearer <access_token>" on each
// call. The token is renewed before its expires_in runs out, and at once
// if the PVWA rejects it.
//
// identityURL is the tenant, such as https://abc1234.id.cyberark.cloud.
// clientSecret is read again for every token request, so a rotated secret
// is used from the next token on; to read it through a *secrets.Cache, pass
// FromCache(cache).
func PlatformToken(identityURL, clientID string, clientSecret secrets.Provider) Auth {
	return Auth{kind: authPlatformToken, identityURL: identityURL, clientID: clientID, secret: clientSecret}
}

// Logon authenticates to a self-hosted PVWA: POST
// /PasswordVault/API/auth/{method}/Logon with {"username","password"}
// returns a session token, sent as the bare Authorization header. When the
// PVWA answers 401 (the session expired) the provider logs on again, once
// per call; Close logs off.
//
// password is read again at every logon, so a password that CyberArk
// rotates is used from the next logon on; to read it through a
// *secrets.Cache, pass FromCache(cache).
func Logon(method LogonMethod, username string, password secrets.Provider) Auth {
	return Auth{kind: authLogon, method: method, username: username, secret: password}
}

func (a Auth) validate() error {
	switch a.kind {
	case authNone:
		return errors.New("cyberark: NewPVWA needs an Auth: cyberark.PlatformToken (Privilege Cloud) or cyberark.Logon (self-hosted PVWA)")
	case authPlatformToken:
		if a.clientID == "" {
			return errors.New("cyberark: PlatformToken: client ID is empty")
		}
		if a.secret == nil {
			return errors.New("cyberark: PlatformToken: client secret provider is nil")
		}
		if _, err := parseBaseURL("identity tenant", a.identityURL); err != nil {
			return err
		}
	case authLogon:
		switch a.method {
		case MethodCyberArk, MethodLDAP, MethodRADIUS:
		default:
			return fmt.Errorf("cyberark: Logon: method %q is not one of CyberArk, LDAP, RADIUS", string(a.method))
		}
		if a.username == "" {
			return errors.New("cyberark: Logon: user name is empty")
		}
		if a.secret == nil {
			return errors.New("cyberark: Logon: password provider is nil")
		}
	}
	return nil
}

// FromCache adapts a *secrets.Cache to the secrets.Provider that
// PlatformToken, Logon and WithClientCertificate take. Fetch returns the
// cached version (no round trip); when CyberArk rejects the credential, the
// provider invalidates that version in the cache and tries once more with
// the fresh one, so a credential rotated at its source is picked up at once.
func FromCache(c *secrets.Cache) secrets.Provider { return cacheSource{c} }

type cacheSource struct{ c *secrets.Cache }

func (s cacheSource) Fetch(ctx context.Context) (secrets.Version, error) { return s.c.Get(ctx) }
func (s cacheSource) Invalidate(v secrets.Version)                       { s.c.Invalidate(v) }

type invalidator interface{ Invalidate(secrets.Version) }

// withCredential reads a service credential from src and calls try with
// it. If the server rejects it (secrets.ErrPermission), the version is
// invalidated at its source when the source supports that, read again, and
// tried once more if it changed.
func withCredential[T any](ctx context.Context, src secrets.Provider, what string, try func(secrets.Secret) (T, error)) (T, error) {
	var zero T
	read := func() (secrets.Version, error) {
		v, err := src.Fetch(ctx)
		if err != nil {
			return v, fmt.Errorf("cyberark: reading the %s: %w", what, err)
		}
		if v.Value.IsZero() {
			return v, fmt.Errorf("cyberark: the %s from %s is empty: %w", what, v.Source, secrets.ErrEmpty)
		}
		return v, nil
	}
	v, err := read()
	if err != nil {
		return zero, err
	}
	out, err := try(v.Value)
	if err == nil || !errors.Is(err, secrets.ErrPermission) {
		return out, err
	}
	if inv, ok := src.(invalidator); ok {
		inv.Invalidate(v)
	}
	v2, rerr := read()
	if rerr != nil || v2.Same(v) {
		return zero, err
	}
	return try(v2.Value)
}

// session is one authorization: a platform token or a PVWA session token.
type session struct {
	header    secrets.Secret // the Authorization header value
	token     secrets.Secret // the token in it, without a scheme
	expiresAt time.Time      // zero: unknown; kept until the server rejects it
	refreshAt time.Time      // zero: never refreshed ahead of a rejection
}

// authenticator obtains and ends sessions.
type authenticator interface {
	obtain(ctx context.Context) (*session, error)
	end(ctx context.Context, s *session) error
}

// tokenHolder keeps the current session and obtains a new one when there
// is none, when it is due for refresh, or after the server rejected it.
// Obtaining is single-flight and runs on a context that one caller's
// cancellation cannot end.
type tokenHolder struct {
	a       authenticator
	clock   clock.Clock
	timeout time.Duration

	mu     sync.Mutex
	cur    *session
	flight *tokenFlight
	closed bool
}

type tokenFlight struct {
	done chan struct{}
	s    *session
	err  error
}

// get returns a session that is not due for refresh, obtaining one if
// needed. If a refresh fails while the current session has not expired
// yet, the current one is returned.
func (h *tokenHolder) get(ctx context.Context) (*session, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrClosed
	}
	cur := h.cur
	now := h.clock.Now()
	if cur != nil && (cur.refreshAt.IsZero() || now.Before(cur.refreshAt)) {
		h.mu.Unlock()
		return cur, nil
	}
	f := h.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		h.flight = f
		go h.run(context.WithoutCancel(ctx), f)
	}
	h.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.err != nil && cur != nil && !errors.Is(f.err, ErrClosed) && (cur.expiresAt.IsZero() || h.clock.Now().Before(cur.expiresAt)) {
		return cur, nil
	}
	return f.s, f.err
}

func (h *tokenHolder) run(ctx context.Context, f *tokenFlight) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	s, err := h.a.obtain(ctx)
	h.mu.Lock()
	h.flight = nil
	closed := h.closed
	if err == nil && !closed {
		h.cur = s
	}
	h.mu.Unlock()
	if err == nil && closed {
		// Close ran while this session was being obtained: end it too.
		_ = h.a.end(ctx, s)
		s, err = nil, ErrClosed
	}
	f.s, f.err = s, err
	close(f.done)
}

// reject reports that the server refused s (HTTP 401). If s is still
// current it is dropped, so the next get obtains a new one; a late
// rejection of an older session changes nothing.
func (h *tokenHolder) reject(s *session) {
	h.mu.Lock()
	if h.cur == s {
		h.cur = nil
	}
	h.mu.Unlock()
}

// close ends the current session and one being obtained, and makes get
// fail with ErrClosed.
func (h *tokenHolder) close(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	s, f := h.cur, h.flight
	h.cur = nil
	h.mu.Unlock()
	if f != nil {
		select {
		case <-f.done:
		case <-ctx.Done():
		}
	}
	if s == nil {
		return nil
	}
	return h.a.end(ctx, s)
}

// refreshMargin is how long before a platform token's expiry it is
// renewed: a tenth of its lifetime, at most a minute.
func refreshMargin(life time.Duration) time.Duration { return min(time.Minute, life/10) }

// maxTokenBody bounds a token or logon answer.
const maxTokenBody = 64 << 10

type platformAuth struct {
	endpoint string
	clientID string
	secret   secrets.Provider
	hc       *http.Client
	clock    clock.Clock
}

func (a *platformAuth) obtain(ctx context.Context) (*session, error) {
	what := fmt.Sprintf("client secret of identity client %q", a.clientID)
	return withCredential(ctx, a.secret, what, func(secret secrets.Secret) (*session, error) {
		form := url.Values{
			"grant_type":    {"client_credentials"},
			"client_id":     {a.clientID},
			"client_secret": {secret.Reveal()},
		}
		resp, err := send(ctx, a.hc, request{
			op:          "platform token",
			method:      http.MethodPost,
			url:         a.endpoint,
			body:        []byte(form.Encode()),
			bodySecret:  secret,
			contentType: "application/x-www-form-urlencoded",
			limit:       maxTokenBody,
		})
		if err != nil {
			return nil, err
		}
		if resp.status != http.StatusOK {
			return nil, apiError("platform token", resp.status, resp.body, secret)
		}
		var tok struct {
			AccessToken string      `json:"access_token"`
			TokenType   string      `json:"token_type"`
			ExpiresIn   json.Number `json:"expires_in"`
		}
		if err := decodeJSONObject(resp.body, &tok, "platform token"); err != nil {
			return nil, fmt.Errorf("cyberark: platform token: %w", err)
		}
		if tok.AccessToken == "" {
			return nil, fmt.Errorf("cyberark: platform token: %w: the response has no access_token", secrets.ErrMalformed)
		}
		if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "Bearer") {
			// Scrubbed before it is quoted: the server may have echoed the
			// client secret or the token there.
			tt := cleanCode(cleanMessage(tok.TokenType, []secrets.Secret{secret, secrets.New(tok.AccessToken)}))
			if tt == "" {
				return nil, errors.New("cyberark: platform token: token_type is not Bearer (nor a word that can be shown)")
			}
			return nil, fmt.Errorf("cyberark: platform token: token_type is %q, want Bearer", tt)
		}
		s := &session{header: secrets.New("Bearer " + tok.AccessToken), token: secrets.New(tok.AccessToken)}
		if tok.ExpiresIn != "" {
			secs, err := strconv.ParseFloat(string(tok.ExpiresIn), 64)
			if err != nil || secs < 0 || secs > 366*24*3600 {
				return nil, fmt.Errorf("cyberark: platform token: %w: expires_in is not a number of seconds", secrets.ErrMalformed)
			}
			if life := time.Duration(secs * float64(time.Second)); life > 0 {
				now := a.clock.Now()
				s.expiresAt = now.Add(life)
				s.refreshAt = s.expiresAt.Add(-refreshMargin(life))
			}
		}
		return s, nil
	})
}

// end does nothing: a platform token is not revoked, it expires.
func (a *platformAuth) end(context.Context, *session) error { return nil }

type logonAuth struct {
	root     string // https://host/PasswordVault
	method   LogonMethod
	username string
	password secrets.Provider
	hc       *http.Client
}

func (a *logonAuth) obtain(ctx context.Context) (*session, error) {
	what := fmt.Sprintf("PVWA password of %s user %q", a.method, a.username)
	return withCredential(ctx, a.password, what, func(password secrets.Secret) (*session, error) {
		body, err := json.Marshal(struct {
			Username          string `json:"username"`
			Password          string `json:"password"`
			ConcurrentSession bool   `json:"concurrentSession"`
		}{a.username, password.Reveal(), true})
		if err != nil {
			return nil, fmt.Errorf("cyberark: logon: encoding the request: %w", err)
		}
		resp, err := send(ctx, a.hc, request{
			op:          "logon",
			method:      http.MethodPost,
			url:         a.root + "/API/auth/" + string(a.method) + "/Logon",
			body:        body,
			bodySecret:  password,
			contentType: "application/json",
			limit:       maxTokenBody,
		})
		if err != nil {
			return nil, err
		}
		if resp.status != http.StatusOK {
			e := apiError("logon", resp.status, resp.body, password)
			if e.Kind == nil && resp.status == http.StatusBadRequest && e.Code != "" {
				// Some PVWA versions answer a failed logon with 400.
				e.Kind = secrets.ErrPermission
			}
			return nil, e
		}
		token, err := decodeLogonToken(resp.body)
		if err != nil {
			return nil, fmt.Errorf("cyberark: logon: %w", err)
		}
		t := secrets.New(token)
		return &session{header: t, token: t}, nil
	})
}

// decodeLogonToken reads the Logon answer: a JSON string, or the
// {"CyberArkLogonResult": "..."} object of older PVWA versions.
func decodeLogonToken(body []byte) (string, error) {
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "{") {
		var r struct {
			Result string `json:"CyberArkLogonResult"`
		}
		if err := decodeJSONObject(body, &r, "logon"); err != nil {
			return "", err
		}
		if r.Result == "" {
			return "", fmt.Errorf("%w: the logon response has no session token", secrets.ErrMalformed)
		}
		return r.Result, nil
	}
	tok, err := decodeJSONString(body)
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", fmt.Errorf("%w: the logon response is an empty session token", secrets.ErrMalformed)
	}
	return tok, nil
}

func (a *logonAuth) end(ctx context.Context, s *session) error {
	resp, err := send(ctx, a.hc, request{
		op:     "logoff",
		method: http.MethodPost,
		url:    a.root + "/API/Auth/Logoff",
		auth:   s.header,
		token:  s.token,
		body:   []byte{},
		limit:  maxTokenBody,
	})
	if err != nil {
		return err
	}
	if resp.status == http.StatusUnauthorized {
		return nil // the session had already ended
	}
	if resp.status/100 != 2 {
		return apiError("logoff", resp.status, resp.body, s.header, s.token)
	}
	return nil
}
