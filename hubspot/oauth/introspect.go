package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// ErrTokenNotFound is matched (with errors.Is) by the error of
// IntrospectAccessToken, IntrospectRefreshToken or RevokeRefreshToken when
// HubSpot says it does not know the token: it was never issued, has
// expired or was revoked. A caller revoking a leaked refresh token can
// take it as done.
//
// v3 introspection reports such a token as inactive; v1 answers 404 with
// HubSpot's JSON error. A 404 without a JSON error body (a proxy's page, a
// wrong TokenURL) does not match, nor does any answer of the v3 revocation
// endpoint, which does not say whether it knew the token (RFC 7009
// answers success for an unknown one): a revocation that may not have
// happened is never reported as done. To check, introspect the token.
var ErrTokenNotFound = errors.New("oauth: token not found (unknown, expired or revoked)")

// TokenInfo is what HubSpot reports of an access or refresh token. It
// never holds the token: one that the answer echoes is dropped, and every
// text field is scrubbed of the token and the client secret.
type TokenInfo struct {
	// TokenType is "access" or "refresh".
	TokenType string
	// HubID is the HubSpot account the token is for; HubDomain is its domain.
	HubID     int64
	HubDomain string
	// AppID and ClientID identify the app. The v1 endpoints report the
	// app ID only for access tokens and the client ID only for refresh
	// tokens.
	AppID    int64
	ClientID string
	// UserID and User (an email address) are the user who installed the app.
	UserID int64
	User   string
	Scopes []string
	// ExpiresAt is when an access token expires, measured from before the
	// request was sent; zero for a refresh token, which does not expire
	// with time.
	ExpiresAt time.Time
}

// Endpoint names in errors.
const (
	introspectionEndpoint = "token introspection endpoint"
	revocationEndpoint    = "token revocation endpoint"
)

// tokenKind is a kind of token: its TokenInfo.TokenType, its RFC 7009
// token_type_hint, and the catalogue row of its v1 introspection.
type tokenKind struct{ name, hint, v1Op string }

var (
	accessKind  = tokenKind{"access", "access_token", "oauth.v1.access-tokens.get"}
	refreshKind = tokenKind{"refresh", "refresh_token", "oauth.v1.refresh-tokens.get"}
)

// IntrospectAccessToken asks HubSpot what the access token is for, and
// when it expires. A token HubSpot does not know, or no longer accepts,
// is an error matching ErrTokenNotFound. cfg needs ClientID and
// ClientSecret (the v3 endpoint authenticates the app); its RefreshToken
// is not used and may be nil. See the package documentation for the
// endpoints called.
func IntrospectAccessToken(ctx context.Context, cfg Config, token secrets.Secret) (TokenInfo, error) {
	return introspect(ctx, cfg, token, accessKind)
}

// IntrospectRefreshToken asks HubSpot what the refresh token is for. A
// token HubSpot does not know, or that was revoked, is an error matching
// ErrTokenNotFound. cfg is used as by IntrospectAccessToken.
func IntrospectRefreshToken(ctx context.Context, cfg Config, token secrets.Secret) (TokenInfo, error) {
	return introspect(ctx, cfg, token, refreshKind)
}

// RevokeRefreshToken revokes the refresh token, so that it can never be
// exchanged again; access tokens already issued with it keep working until
// they expire (30 minutes at most). nil means HubSpot accepted the
// revocation. Through v1, a token HubSpot does not know (revoked already,
// say) is an error matching ErrTokenNotFound; the v3 endpoint may instead
// accept it (see ErrTokenNotFound). cfg is used as by
// IntrospectAccessToken.
func RevokeRefreshToken(ctx context.Context, cfg Config, token secrets.Secret) error {
	c, err := newTokenCall(cfg, token, "refresh token to revoke")
	if err != nil {
		return err
	}
	const action = "revoking the refresh token"
	var req *http.Request
	var shown string
	if c.v1Base != nil {
		req, shown, err = c.v1Request(ctx, "oauth.v1.refresh-tokens.delete")
	} else {
		req, shown, err = c.formRequest(ctx, c.p.tokenURL+"/revoke", refreshKind.hint)
	}
	if err != nil {
		return c.fail(action, err)
	}
	resp, raw, err := c.p.send(req, shown, revocationEndpoint, "token revocation response", c.creds)
	if err != nil {
		return c.fail(action, err)
	}
	defer clear(raw) // an echo of the token
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return c.fail(action, c.answerError(resp.StatusCode, raw, revocationEndpoint))
}

func introspect(ctx context.Context, cfg Config, token secrets.Secret, kind tokenKind) (TokenInfo, error) {
	c, err := newTokenCall(cfg, token, kind.name+" token to introspect")
	if err != nil {
		return TokenInfo{}, err
	}
	action := "introspecting the " + kind.name + " token"
	var req *http.Request
	var shown string
	if c.v1Base != nil {
		req, shown, err = c.v1Request(ctx, kind.v1Op)
	} else {
		req, shown, err = c.formRequest(ctx, c.p.tokenURL+"/introspect", kind.hint)
	}
	if err != nil {
		return TokenInfo{}, c.fail(action, err)
	}
	start := c.p.clock.Now()
	resp, raw, err := c.p.send(req, shown, introspectionEndpoint, "token introspection response", c.creds)
	if err != nil {
		return TokenInfo{}, c.fail(action, err)
	}
	defer clear(raw) // HubSpot echoes the token in its answer
	if resp.StatusCode/100 != 2 {
		return TokenInfo{}, c.fail(action, c.answerError(resp.StatusCode, raw, introspectionEndpoint))
	}
	info, err := c.parseInfo(raw, kind, start)
	if err != nil {
		return TokenInfo{}, c.fail(action, err)
	}
	return info, nil
}

// tokenCall is one introspection or revocation.
type tokenCall struct {
	p      *Provider
	token  secrets.Secret
	creds  []secrets.Secret // what no error may show: the token, and the client secret once read
	v1Base *url.URL         // the v1 API's base (scheme, host, path prefix) when TokenURL is v1's; nil for v3
}

func newTokenCall(cfg Config, token secrets.Secret, what string) (*tokenCall, error) {
	if token.Len() == 0 {
		return nil, fmt.Errorf("oauth: the %s is empty", what)
	}
	p, err := standalone(cfg, "introspection and revocation read no refresh token")
	if err != nil {
		return nil, err
	}
	c := &tokenCall{p: p, token: token, creds: []secrets.Secret{token}}
	c.v1Base, err = v1Base(p.tokenURL)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// fail wraps err, the failure of action, as Exchange's are.
func (c *tokenCall) fail(action string, err error) error {
	return c.p.err(fmt.Errorf("%s: %w", action, err))
}

// v1Base returns the base of the v1 endpoints (the token URL's scheme,
// host and path prefix) when tokenURL is the v1 token endpoint, and nil
// otherwise.
func v1Base(tokenURL string) (*url.URL, error) {
	op, ok := endpoints.Lookup("oauth.v1.token")
	if !ok {
		return nil, errors.New("oauth: the endpoint catalogue has no oauth.v1.token")
	}
	u, err := url.Parse(tokenURL) // checked by New: it parses, and has no query or user info
	if err != nil {
		return nil, errors.New("oauth: the token URL does not parse")
	}
	prefix, ok := strings.CutSuffix(u.EscapedPath(), op.Path)
	if !ok {
		return nil, nil
	}
	path, err := url.PathUnescape(prefix)
	if err != nil {
		return nil, errors.New("oauth: the token URL's path is not validly escaped")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: path, RawPath: prefix}, nil
}

// v1Request builds the request of the v1 operation opName on the token,
// which goes in the URL path, escaped; shown names the request with
// "{token}" in its place.
func (c *tokenCall) v1Request(ctx context.Context, opName string) (*http.Request, string, error) {
	op, ok := endpoints.Lookup(opName)
	if !ok {
		return nil, "", fmt.Errorf("the endpoint catalogue has no %s", opName)
	}
	base := c.v1Base.String()
	shown := op.Method + " " + base + op.Path
	// Expand escapes the token with url.PathEscape and refuses one that
	// would change the path ("." and ".."); its errors name the
	// parameter, never its value.
	path, err := op.Expand(endpoints.Numbered, map[string]string{"token": c.token.Reveal()})
	if err != nil {
		return nil, "", fmt.Errorf("the token cannot be put in a URL path: %w", err)
	}
	// The request is made on the base URL, which holds no token, so that
	// no error of building it can quote the token; the path is set after.
	req, err := http.NewRequestWithContext(ctx, op.Method, base, nil)
	if err != nil {
		return nil, "", fmt.Errorf("building the request %s: %w", shown, err)
	}
	raw := c.v1Base.EscapedPath() + path
	unescaped, err := url.PathUnescape(raw)
	if err != nil {
		return nil, "", errors.New("the token cannot be put in a URL path: its escaped form does not unescape")
	}
	req.URL.Path, req.URL.RawPath = unescaped, raw
	if req.URL.EscapedPath() != raw {
		// net/http would send its own escaping of Path, in which a '/' of
		// the token would split the path.
		return nil, "", errors.New("the token cannot be put in a URL path: its escaped form is not kept")
	}
	req.Header.Set("Accept", "application/json")
	return req, shown, nil
}

// formRequest builds a v3 request to endpointURL: the client credentials,
// the token and its token_type_hint in a form body, as HubSpot's spec
// gives them.
func (c *tokenCall) formRequest(ctx context.Context, endpointURL, hint string) (*http.Request, string, error) {
	secret, err := c.p.cfg.ClientSecret.Fetch(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("reading the client secret: %w", err)
	}
	c.creds = append(c.creds, secret.Value)
	form := url.Values{
		"client_id":       {c.p.cfg.ClientID},
		"client_secret":   {secret.Value.Reveal()},
		"token":           {c.token.Reveal()},
		"token_type_hint": {hint},
	}
	shown := "POST " + endpointURL // checked by New: no query, no user info
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpointURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", fmt.Errorf("building the request %s: %w", shown, err)
	}
	setForm(req)
	return req, shown, nil
}

// answerError makes the *Error of a non-2xx answer. A v1 404 with
// HubSpot's JSON error says the token is unknown; any other 404 may be a
// wrong URL's, and a v3 404 is not how v3 says so.
func (c *tokenCall) answerError(status int, raw []byte, endpoint string) *Error {
	e := errorFrom(status, raw, endpoint, c.creds)
	trimmed := bytes.TrimSpace(raw)
	e.notFound = c.v1Base != nil && status == http.StatusNotFound &&
		bytes.HasPrefix(trimmed, []byte("{")) && json.Valid(trimmed)
	return e
}

// infoBody is the answer of every introspection endpoint: v1's (without
// active and token_use) and v3's (RFC 7662's active, and HubSpot's fields).
// It has no field for the token, which HubSpot echoes, nor for the signed
// access token's signatures.
type infoBody struct {
	Active    *bool    `json:"active"`
	TokenUse  string   `json:"token_use"`
	HubID     int64    `json:"hub_id"`
	HubDomain string   `json:"hub_domain"`
	AppID     int64    `json:"app_id"`
	ClientID  string   `json:"client_id"`
	UserID    int64    `json:"user_id"`
	User      string   `json:"user"`
	Scopes    []string `json:"scopes"`
	ExpiresIn *int64   `json:"expires_in"`
}

// parseInfo reads a 2xx introspection answer. Errors describe the answer
// without quoting it: it echoes the token.
func (c *tokenCall) parseInfo(raw []byte, kind tokenKind, start time.Time) (TokenInfo, error) {
	trimmed := bytes.TrimSpace(raw)
	if !json.Valid(trimmed) || !bytes.HasPrefix(trimmed, []byte("{")) {
		return TokenInfo{}, fmt.Errorf("the answer (%d bytes) is not a JSON object", len(raw))
	}
	var b infoBody
	if err := json.Unmarshal(trimmed, &b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return TokenInfo{}, fmt.Errorf("the answer's %s is not a %s", te.Field, te.Type)
		}
		return TokenInfo{}, fmt.Errorf("the answer (%d bytes) is not HubSpot's token information", len(raw))
	}
	info := TokenInfo{TokenType: kind.name}
	if c.v1Base == nil { // v3: RFC 7662's active, and token_use
		switch {
		case b.Active == nil:
			return TokenInfo{}, errors.New("the answer does not say whether the token is active")
		case !*b.Active:
			return TokenInfo{}, fmt.Errorf("HubSpot reports the token inactive: %w", ErrTokenNotFound)
		}
		switch b.TokenUse {
		case "access_token":
			info.TokenType = accessKind.name
		case "refresh_token":
			info.TokenType = refreshKind.name
		case "": // the hint stands
		default:
			return TokenInfo{}, fmt.Errorf("the answer's token_use (%d bytes) is neither access_token nor refresh_token", len(b.TokenUse))
		}
	}
	if b.HubID <= 0 {
		return TokenInfo{}, errors.New("the answer names no hub_id")
	}
	if info.TokenType == accessKind.name {
		switch {
		case b.ExpiresIn == nil:
			return TokenInfo{}, errors.New("the answer has no expires_in for an access token")
		case *b.ExpiresIn < 0 || *b.ExpiresIn > maxExpiresIn:
			return TokenInfo{}, fmt.Errorf("the answer has an implausible expires_in (%d s)", *b.ExpiresIn)
		}
		info.ExpiresAt = start.Add(time.Duration(*b.ExpiresIn) * time.Second)
	}
	info.HubID, info.AppID, info.UserID = b.HubID, b.AppID, b.UserID
	info.HubDomain = scrub(b.HubDomain, c.creds)
	info.ClientID = scrub(b.ClientID, c.creds)
	info.User = scrub(b.User, c.creds)
	if b.Scopes != nil {
		info.Scopes = make([]string, len(b.Scopes))
		for i, s := range b.Scopes {
			info.Scopes[i] = scrub(s, c.creds)
		}
	}
	return info, nil
}
