// Package oauth turns a HubSpot app's client secret and refresh token into
// short-lived access tokens, as a secrets.Provider: put it behind a
// secrets.Cache and the client refreshes before expiry, once, however many
// goroutines are calling.
//
// HubSpot documents that a 401 is not a reliable signal that an OAuth access
// token needs refreshing, so refresh is driven by the token's expires_in
// through the Cache's advisory and mandatory windows. The client secret and
// refresh token are themselves read from providers, so they rotate too, and
// they travel only in form-encoded request bodies, never in a URL (but
// for the deprecated v1 introspection and revocation endpoints, below).
//
// Redirects are never followed. The token endpoint's answer of 301, 302,
// 303, 307, 308 or any other 3xx is an *Error naming the status, whatever
// the http.Client's CheckRedirect says: a 307 or 308 would re-post the
// client secret, refresh token, authorization code and PKCE verifier to
// whatever Location names (another host, another port, plain http), past
// the token URL's own https check. The Location itself is never read or
// quoted, since a server may echo a credential in it.
//
// No error shows the client secret, refresh token, authorization code or
// PKCE verifier, raw, encoded, or inside Go's or JSON's quotes. When
// net/http refuses a malformed answer (status line, header,
// Content-Length, a trailer after the body), the error names what was
// malformed without its bytes: a server may echo a credential there, whole
// or cut at a space.
//
// # Introspection and revocation
//
// [IntrospectAccessToken] and [IntrospectRefreshToken] ask HubSpot what a
// token is for (account, app, user, scopes, expiry) as a [TokenInfo], and
// [RevokeRefreshToken] revokes a refresh token: a leaked one, or an
// uninstalled app's. A token HubSpot does not know (never issued, expired
// or revoked) is an error matching [ErrTokenNotFound], so "already gone"
// can be told from a failure. They call the endpoints beside
// Config.TokenURL: by default HubSpot's v3 POST /oauth/v3/token/introspect
// and /oauth/v3/token/revoke, which take the token and the client
// credentials in a form body; for a TokenURL ending in /oauth/v1/token,
// the deprecated v1 GET /oauth/v1/access-tokens/{token},
// GET /oauth/v1/refresh-tokens/{token} and
// DELETE /oauth/v1/refresh-tokens/{token}, which put the token in the URL
// path, where proxies' access logs record it: prefer v3. Either way the
// token is sent only there: errors name a v1 request by its template,
// with "{token}" in the token's place, no error or TokenInfo shows the
// token, and a token the answer echoes is dropped or scrubbed.
// HubSpot documents the endpoints at
// https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/token-introspect,
// .../revoke-token, and the v1 ones under
// https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide.
package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// Endpoints HubSpot serves. The v1 token endpoint is deprecated (HubSpot
// retires it on 2027-02-16); v3 takes every parameter in the body.
const (
	DefaultTokenURL     = "https://api.hubapi.com/oauth/v3/token"
	DefaultAuthorizeURL = "https://app.hubspot.com/oauth/authorize"
)

// maxBody bounds token-endpoint responses; HubSpot's are well under 4 KiB.
const maxBody = 64 << 10

// maxExpiresIn bounds expires_in (seconds); HubSpot's tokens live 30 minutes.
const maxExpiresIn = 365 * 24 * 3600

// ErrInvalidGrant is matched (with errors.Is) by the error a refresh or code
// exchange returns when HubSpot rejects the grant: the refresh token was
// revoked (the app was uninstalled, the user removed access) or has expired,
// or the authorization code was used or is stale. Retrying will not help; a
// person has to reinstall or re-authorize the app.
var ErrInvalidGrant = errors.New("oauth: invalid grant (refresh token revoked or expired, or authorization code used)")

// Error is a non-2xx answer from the token endpoint, or from the token
// introspection or revocation endpoints. Its message never contains the
// client secret, refresh token, authorization code or a token being
// introspected or revoked. A 3xx (a redirect, which is not followed) has
// only StatusCode set.
type Error struct {
	StatusCode    int
	Code          string // "invalid_grant", "BAD_REFRESH_TOKEN", "BAD_CLIENT_ID", ...
	Message       string
	CorrelationID string

	endpoint string // which endpoint answered; "" is the token endpoint
	notFound bool   // the answer says HubSpot does not know the token
}

func (e *Error) Error() string {
	endpoint := e.endpoint
	if endpoint == "" {
		endpoint = "token endpoint"
	}
	if e.StatusCode/100 == 3 {
		// The reason phrase is Go's, not the server's: a server's may echo
		// a credential.
		return strings.TrimSpace(fmt.Sprintf("oauth: %s answered %d %s", endpoint, e.StatusCode, http.StatusText(e.StatusCode))) +
			"; redirects are not followed, so credentials are never re-sent to another location"
	}
	msg := fmt.Sprintf("oauth: %s answered %d", endpoint, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.CorrelationID != "" {
		msg += " (correlationId " + e.CorrelationID + ")"
	}
	return msg
}

// Is reports whether e is an invalid grant (ErrInvalidGrant) or says
// that HubSpot does not know the token introspected or revoked
// (ErrTokenNotFound).
func (e *Error) Is(target error) bool {
	if target == ErrTokenNotFound {
		return e.notFound
	}
	if target != ErrInvalidGrant {
		return false
	}
	switch strings.ToUpper(e.Code) {
	case "INVALID_GRANT", "BAD_REFRESH_TOKEN", "BAD_AUTH_CODE", "INVALID_TOKEN", "EXPIRED_AUTH_CODE":
		return true
	}
	return false
}

// Config describes one app installation's OAuth credentials.
type Config struct {
	// ClientID is the app's client ID. It is not secret: it appears in the
	// authorize URL.
	ClientID string
	// ClientSecret and RefreshToken are read at every refresh, so they can
	// rotate at their source.
	ClientSecret secrets.Provider
	RefreshToken secrets.Provider
	// TokenURL defaults to DefaultTokenURL. It must be HTTPS unless its host
	// is loopback (tests). Introspection and revocation use the endpoints
	// beside it: TokenURL+"/introspect" and TokenURL+"/revoke" (v3 and the
	// dated versions), or, for a TokenURL ending in /oauth/v1/token, v1's
	// /oauth/v1/access-tokens/{token} and /oauth/v1/refresh-tokens/{token}
	// on the same host and path prefix.
	TokenURL string
	// HTTPClient defaults to a client with a 30-second timeout. It is not
	// modified; requests go through a copy of it that refuses every 3xx
	// answer before net/http could follow it, whatever its CheckRedirect
	// says. A Transport that follows redirects by itself (one wrapping an
	// http.Client of its own, say) is beyond that reach: do not use one
	// here.
	HTTPClient *http.Client
	// Clock defaults to the system clock; ExpiresAt is computed from it.
	Clock clock.Clock
	// OnRefreshToken is called with a new refresh token when HubSpot returns
	// one that differs from the one sent, so the caller can persist it. The
	// provider uses the new token from then on, until RefreshToken yields a
	// different value of its own (an operator's rotation). An error from
	// OnRefreshToken fails that fetch; the new token is still used.
	OnRefreshToken func(ctx context.Context, refreshToken secrets.Secret) error
}

// Provider is a secrets.Provider of HubSpot OAuth access tokens.
type Provider struct {
	cfg      Config
	tokenURL string
	client   *http.Client
	clock    clock.Clock

	mu          sync.Mutex // one exchange at a time: a refresh token may be single-use
	rotated     secrets.Secret
	rotatedFrom string // fingerprint of the provider's value when rotated was learned
}

// New validates cfg and returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.ClientID == "" {
		return nil, errors.New("oauth: Config.ClientID is empty")
	}
	if cfg.ClientSecret == nil {
		return nil, errors.New("oauth: Config.ClientSecret provider is nil")
	}
	if cfg.RefreshToken == nil {
		return nil, errors.New("oauth: Config.RefreshToken provider is nil")
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	if err := checkEndpoint(tokenURL); err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, tokenURL: tokenURL, client: noRedirects(cfg.HTTPClient), clock: clock.Or(cfg.Clock)}
	return p, nil
}

// noRedirects returns a copy of hc, or of a client with a 30-second
// timeout, whose transport refuses every 3xx (see credhttp.Client).
func noRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return credhttp.Client(hc)
}

func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("oauth: token URL %q must be an absolute URL without query or user info", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && isLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("oauth: token URL %s://%s must use https (plain http is allowed only to loopback)", u.Scheme, u.Host)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Source identifies the app, never a token.
func (p *Provider) Source() string { return "hubspot-oauth:" + p.cfg.ClientID }

// Fetch exchanges the refresh token for a new access token. The Version's
// ExpiresAt comes from expires_in; its ID is the access token's
// fingerprint; its Lineage names the app and installation (the client ID
// and the refresh token's fingerprint), so that the rate limiter of a
// hubspot.Client, and a budget several processes share, count every access
// token of the installation under one limit.
func (p *Provider) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.err(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	secret, err := p.cfg.ClientSecret.Fetch(ctx)
	if err != nil {
		return secrets.Version{}, p.err(fmt.Errorf("reading the client secret: %w", err))
	}
	rt, err := p.cfg.RefreshToken.Fetch(ctx)
	if err != nil {
		return secrets.Version{}, p.err(fmt.Errorf("reading the refresh token: %w", err))
	}
	refresh := rt.Value
	if !p.rotated.IsZero() && p.rotatedFrom == rt.Value.Fingerprint() {
		refresh = p.rotated // HubSpot handed out a newer one since the source last changed
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {p.cfg.ClientID},
		"client_secret": {secret.Value.Reveal()},
		"refresh_token": {refresh.Reveal()},
	}
	tok, err := p.exchange(ctx, form, secret.Value, refresh)
	if err != nil {
		return secrets.Version{}, p.err(err)
	}
	if !tok.RefreshToken.IsZero() && !tok.RefreshToken.Equal(refresh) {
		p.rotated, p.rotatedFrom = tok.RefreshToken, rt.Value.Fingerprint()
		if p.cfg.OnRefreshToken != nil {
			if err := p.cfg.OnRefreshToken(ctx, tok.RefreshToken); err != nil {
				return secrets.Version{}, p.err(fmt.Errorf("persisting the new refresh token: %w", err))
			}
		}
	}
	v := tok.version(p.Source())
	// Every process refreshing this installation gets access tokens of its
	// own, all counted under one of HubSpot's limits: the lineage names the
	// app and the installation (the refresh token the source holds, by
	// fingerprint), the same in each of them.
	v.Lineage = "hubspot-oauth:" + p.cfg.ClientID + "/" + rt.Value.Fingerprint()
	return v, nil
}

func (p *Provider) err(err error) error { return &secrets.Error{Source: p.Source(), Err: err} }

// Token is the result of a code exchange or refresh.
type Token struct {
	AccessToken  secrets.Secret
	RefreshToken secrets.Secret
	TokenType    string
	ExpiresIn    time.Duration
	FetchedAt    time.Time
}

// ExpiresAt returns when the access token expires.
func (t Token) ExpiresAt() time.Time { return t.FetchedAt.Add(t.ExpiresIn) }

func (t Token) version(source string) secrets.Version {
	return secrets.Version{
		Value:     t.AccessToken,
		ID:        t.AccessToken.Fingerprint(),
		Source:    source,
		FetchedAt: t.FetchedAt,
		ExpiresAt: t.ExpiresAt(),
	}
}

type tokenBody struct {
	AccessToken     string `json:"access_token"`
	AccessTokenC    string `json:"accessToken"`
	RefreshToken    string `json:"refresh_token"`
	RefreshTokenC   string `json:"refreshToken"`
	TokenType       string `json:"token_type"`
	TokenTypeC      string `json:"tokenType"`
	ExpiresIn       int64  `json:"expires_in"`
	ExpiresInC      int64  `json:"expiresIn"`
	Error           string `json:"error"`
	ErrorDesc       string `json:"error_description"`
	Status          string `json:"status"`
	Message         string `json:"message"`
	Category        string `json:"category"`
	SubCategory     string `json:"subCategory"`
	CorrelationID   string `json:"correlationId"`
	CorrelationIDv1 string `json:"correlation_id"`
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// exchange posts form to the token endpoint. Any of the known secrets that
// a hostile or buggy server echoes in its error message is scrubbed.
func (p *Provider) exchange(ctx context.Context, form url.Values, known ...secrets.Secret) (Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("building the token request: %w", err)
	}
	setForm(req)
	creds := credentials(form, known)
	start := p.clock.Now()
	resp, raw, err := p.send(req, "POST "+p.tokenURL, "", "token response", creds)
	if err != nil {
		return Token{}, err
	}
	if resp.StatusCode/100 != 2 {
		return Token{}, errorFrom(resp.StatusCode, raw, "", creds)
	}
	var b tokenBody
	if jsonErr := json.Unmarshal(raw, &b); jsonErr != nil {
		ct := scrub(resp.Header.Get("Content-Type"), creds) // the server's header, which may echo a credential
		return Token{}, fmt.Errorf("token response (%d bytes, Content-Type %q) is not valid JSON", len(raw), ct)
	}
	t := Token{
		AccessToken:  secrets.New(first(b.AccessToken, b.AccessTokenC)),
		RefreshToken: secrets.New(first(b.RefreshToken, b.RefreshTokenC)),
		TokenType:    first(b.TokenType, b.TokenTypeC),
		FetchedAt:    start,
	}
	expires := b.ExpiresIn
	if expires == 0 {
		expires = b.ExpiresInC
	}
	switch {
	case t.AccessToken.IsZero():
		return Token{}, errors.New("token response has no access_token")
	case expires <= 0:
		return Token{}, fmt.Errorf("token response has no positive expires_in (got %d)", expires)
	case expires > maxExpiresIn:
		// A lifetime this long would overflow time.Duration into the past.
		return Token{}, fmt.Errorf("token response has an implausible expires_in (%d s, over a year)", expires)
	case t.TokenType != "" && !strings.EqualFold(t.TokenType, "bearer"):
		// The value is the server's and is not printed: it may echo a credential.
		return Token{}, fmt.Errorf("token response has a token_type of %d bytes that is not bearer", len(t.TokenType))
	}
	// Measured from before the request was sent, so network time never
	// makes a token look fresher than it is.
	t.ExpiresIn = time.Duration(expires) * time.Second
	return t, nil
}

// setForm sets the headers of a request with a form body.
func setForm(req *http.Request) {
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
}

// send sends req, which carries creds (in its body or its URL path),
// through the client that refuses redirects, and returns the answer and
// its body, at most maxBody bytes, read and closed. shown names the
// request in errors: its method and a URL that holds no credential, for
// the request's own URL may hold one (a v1 path). endpoint names the
// endpoint in the *Error of a redirect; what names the answer.
func (p *Provider) send(req *http.Request, shown, endpoint, what string, creds []secrets.Secret) (*http.Response, []byte, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		var redirect *credhttp.RedirectError
		if errors.As(err, &redirect) {
			return nil, nil, &Error{StatusCode: redirect.StatusCode, endpoint: endpoint}
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its URL is the request's, which may hold a token: shown stands in for it
		}
		return nil, nil, fmt.Errorf("%s: %w", shown, credhttp.ScrubTransportError(err, creds...))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		// A chunked body's trailer is parsed as it is read, and net/http
		// quotes a malformed one.
		return nil, nil, fmt.Errorf("reading the %s: %w", what, credhttp.ScrubTransportError(err, creds...))
	}
	if len(raw) > maxBody {
		return nil, nil, fmt.Errorf("%s exceeds %d bytes", what, maxBody)
	}
	return resp, raw, nil
}

// errorFrom makes the *Error of a non-2xx answer of endpoint ("": the
// token endpoint) whose body is raw, scrubbed of creds.
func errorFrom(status int, raw []byte, endpoint string, creds []secrets.Secret) *Error {
	e := &Error{StatusCode: status, endpoint: endpoint}
	var b tokenBody
	if json.Unmarshal(raw, &b) == nil {
		// Every field is the server's text and is printed: each is
		// scrubbed, not just the message.
		e.Code = scrub(first(first(b.Error, b.Status), first(b.SubCategory, b.Category)), creds)
		e.Message = scrub(first(b.ErrorDesc, b.Message), creds)
		e.CorrelationID = scrub(first(b.CorrelationID, b.CorrelationIDv1), creds)
	}
	return e
}

// scrub redacts creds from the server's text msg and cuts it to a length
// fit for an error message.
func scrub(msg string, creds []secrets.Secret) string {
	msg = secrets.RedactString(msg, creds...)
	// Cut after redacting: a cut first could leave a secret's prefix.
	if len(msg) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// credentials lists every credential form carries and every known secret:
// what no error may show, in any form secrets.Redact finds.
func credentials(form url.Values, known []secrets.Secret) []secrets.Secret {
	all := append([]secrets.Secret(nil), known...)
	for _, k := range []string{"client_secret", "refresh_token", "code", "code_verifier"} {
		all = append(all, secrets.New(form.Get(k))) // Redact skips values under 4 bytes
	}
	return all
}

// AuthorizeURL returns the URL that sends a user to HubSpot to install the
// app. scopes are required; optional scopes are granted where the account
// has them. state should be an unguessable value the callback checks.
func AuthorizeURL(clientID, redirectURI string, scopes, optionalScopes []string, state string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}}
	if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	if len(optionalScopes) > 0 {
		q.Set("optional_scope", strings.Join(optionalScopes, " "))
	}
	if state != "" {
		q.Set("state", state)
	}
	return DefaultAuthorizeURL + "?" + q.Encode()
}

// Exchange trades the authorization code HubSpot sent to the redirect URI
// for the first access and refresh tokens. codeVerifier is the PKCE
// verifier, or "" when PKCE was not used. Persist the refresh token (as a
// secret) and serve it to Config.RefreshToken afterwards.
func Exchange(ctx context.Context, cfg Config, code, redirectURI, codeVerifier string) (Token, error) {
	if code == "" {
		return Token{}, errors.New("oauth: authorization code is empty")
	}
	p, err := standalone(cfg, "no refresh token before the first exchange")
	if err != nil {
		return Token{}, err
	}
	secret, err := cfg.ClientSecret.Fetch(ctx)
	if err != nil {
		return Token{}, p.err(fmt.Errorf("reading the client secret: %w", err))
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {cfg.ClientID},
		"client_secret": {secret.Value.Reveal()},
		"redirect_uri":  {redirectURI},
		"code":          {code},
	}
	if codeVerifier != "" {
		form.Set("code_verifier", codeVerifier)
	}
	t, err := p.exchange(ctx, form, secret.Value)
	if err != nil {
		return Token{}, p.err(err)
	}
	if t.RefreshToken.IsZero() {
		return Token{}, p.err(errors.New("code exchange returned no refresh_token"))
	}
	return t, nil
}

// standalone validates cfg as New does, but for a call that needs no
// refresh token: a nil Config.RefreshToken is allowed, and fails with why
// if it is ever read.
func standalone(cfg Config, why string) (*Provider, error) {
	if cfg.RefreshToken == nil {
		cfg.RefreshToken = secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
			return secrets.Version{}, errors.New(why)
		})
	}
	return New(cfg)
}

var _ secrets.Provider = (*Provider)(nil)
