package hubspottest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// DefaultOAuthTokenLifetime is how long the access tokens the server's
// OAuth token endpoint issues live unless WithOAuthTokenLifetime says
// otherwise: HubSpot's 30 minutes (expires_in 1800).
const DefaultOAuthTokenLifetime = 30 * time.Minute

// OAuthCodeLifetime is how long an authorization code from
// [Server.NewOAuthCode] can be exchanged. HubSpot documents only that the
// window is short; this is the server's choice.
const OAuthCodeLifetime = 5 * time.Minute

// maxTokenForm bounds a token-endpoint request body.
const maxTokenForm = 64 << 10

// firstOAuthAppID is the app ID of the first OAuth app a server makes.
const firstOAuthAppID = 1_000_001

// oauthKeyPrefix starts the access tokens the token endpoint issues.
const oauthKeyPrefix = "oauth-na1-"

// WithOAuthTokenLifetime sets the lifetime of the access tokens the OAuth
// token endpoint issues, reported as expires_in and enforced on the
// server's clock: whole seconds, at least one. A test that wants tokens to
// expire every few seconds of a clock.Fake sets it to a few seconds.
func WithOAuthTokenLifetime(d time.Duration) Option {
	return func(c *config) error { c.oauthLifetime = d; return nil }
}

// checkOAuth validates the OAuth settings and fills in defaults.
func (c *config) checkOAuth() error {
	switch {
	case c.oauthLifetime == 0:
		c.oauthLifetime = DefaultOAuthTokenLifetime
	case c.oauthLifetime < time.Second || c.oauthLifetime%time.Second != 0:
		return fmt.Errorf("hubspottest: WithOAuthTokenLifetime(%v): the lifetime must be a whole number of seconds, at least 1s (expires_in is in seconds)", c.oauthLifetime)
	}
	return nil
}

// oauthState is the server's OAuth apps, installations and codes. It holds
// SHA-256 hashes of secrets and refresh tokens, never the values.
type oauthState struct {
	calls atomic.Int64

	mu     sync.Mutex
	apps   map[string]*oauthApp             // by client ID
	grants map[[sha256.Size]byte]*grant     // by hash of the refresh token
	codes  map[[sha256.Size]byte]*oauthCode // by hash of the code
	issued map[string]*oauthApp             // apps of issued access tokens, by key ID
	sigKey []byte                           // signs the signed_access_token of v3 introspection
}

type oauthApp struct {
	appID      int64
	clientID   string
	secretHash [sha256.Size]byte
	scopes     []string // granted to its access tokens, "oauth" included
	lastKey    string   // key ID of the last access token, for its rate-limit lineage
}

type grant struct {
	app     *oauthApp
	fp      string // refresh token fingerprint, for notes
	revoked bool
}

type oauthCode struct {
	app         *oauthApp
	redirectURI string
	expiresAt   time.Time
	used        bool
}

func (o *oauthState) init() {
	if o.apps == nil {
		o.apps = make(map[string]*oauthApp)
		o.grants = make(map[[sha256.Size]byte]*grant)
		o.codes = make(map[[sha256.Size]byte]*oauthCode)
		o.issued = make(map[string]*oauthApp)
		o.sigKey = make([]byte, 32)
		rand.Read(o.sigKey)
	}
}

// NewOAuthApp registers an OAuth app installed in the server's account
// with the given scopes (plus "oauth", which HubSpot grants every OAuth
// app), and returns its client ID, its client secret and the refresh token
// of its installation. POST the refresh token with the client credentials
// to /oauth/v1/token or /oauth/v3/token (form-encoded, as HubSpot takes
// them) for access tokens: real keys of the server's key store with the
// app's scopes and an expiry (see WithOAuthTokenLifetime), accepted by the
// CRM endpoints until they expire and then refused with HubSpot's 401
// EXPIRED_AUTHENTICATION. An unknown scope name fails the test.
func (s *Server) NewOAuthApp(scopeNames ...string) (clientID, clientSecret, refreshToken string) {
	s.t.Helper()
	granted := []string{endpoints.OAuthScope}
	for _, sc := range scopeNames {
		if !endpoints.IsKnownScope(sc) {
			s.t.Fatalf("hubspottest: unknown scope %q (known: %s)", sc, strings.Join(AllScopes, ", "))
		}
		if !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	clientID, clientSecret, refreshToken = randomUUID(""), randomUUID(""), randomUUID("na1-")
	app := &oauthApp{clientID: clientID, secretHash: sha256.Sum256([]byte(clientSecret)), scopes: granted}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.init()
	app.appID = firstOAuthAppID + int64(len(s.oauth.apps))
	s.oauth.apps[clientID] = app
	s.oauth.grants[sha256.Sum256([]byte(refreshToken))] = &grant{app: app, fp: secrets.New(refreshToken).Fingerprint()}
	return clientID, clientSecret, refreshToken
}

// NewOAuthCode returns an authorization code for the app clientID, as
// HubSpot appends it to redirectURI when a user installs the app. Exchange
// it once, within OAuthCodeLifetime, with grant_type=authorization_code
// and the same redirect_uri, for a new installation's refresh token and an
// access token. An unknown client ID fails the test.
func (s *Server) NewOAuthCode(clientID, redirectURI string) string {
	s.t.Helper()
	code := randomUUID("")
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.init()
	app, ok := s.oauth.apps[clientID]
	if !ok {
		s.t.Fatalf("hubspottest: no OAuth app with client ID %q", clientID)
		return ""
	}
	s.oauth.codes[sha256.Sum256([]byte(code))] = &oauthCode{app: app, redirectURI: redirectURI, expiresAt: s.clock.Now().Add(OAuthCodeLifetime)}
	return code
}

// RevokeRefreshToken revokes a refresh token, as uninstalling the app
// does: the token endpoint refuses it from now on with HubSpot's 400
// BAD_REFRESH_TOKEN (which hubkey's oauth package reports as an invalid
// grant). Access tokens already issued keep working until they expire, as
// on HubSpot. An unknown refresh token fails the test.
func (s *Server) RevokeRefreshToken(refreshToken string) {
	s.t.Helper()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	g, ok := s.oauth.grants[sha256.Sum256([]byte(refreshToken))]
	if !ok {
		s.t.Fatalf("hubspottest: no refresh token with fingerprint %s", secrets.New(refreshToken).Fingerprint())
		return
	}
	g.revoked = true
}

// TokenEndpointCalls returns how many calls the OAuth token endpoints
// (/oauth/v1/token and /oauth/v3/token) have answered, whatever the
// outcome; calls an injected fault answered are not counted.
func (s *Server) TokenEndpointCalls() int64 { return s.oauth.calls.Load() }

// OAuthTokenURL returns the URL of the server's v3 token endpoint, for
// oauth.Config.TokenURL.
func (s *Server) OAuthTokenURL() string { return s.URL() + "/oauth/v3/token" }

// tokenError is the body HubSpot's token endpoint sends when it refuses a
// grant: HubSpot's own status and message, and the RFC 6749 error code and
// description that HubSpot's OAuth guide documents and that standard OAuth
// libraries read (golang.org/x/oauth2 reports "invalid_grant").
type tokenError struct {
	Status           string `json:"status"`
	Message          string `json:"message"`
	CorrelationID    string `json:"correlationId"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// oauthErrorCodes maps HubSpot's token endpoint statuses to RFC 6749
// error codes (section 5.2).
var oauthErrorCodes = map[string]string{
	"BAD_GRANT_TYPE":    "unsupported_grant_type",
	"BAD_CLIENT_ID":     "invalid_client",
	"BAD_REFRESH_TOKEN": "invalid_grant",
	"BAD_AUTH_CODE":     "invalid_grant",
	"BAD_REDIRECT_URI":  "invalid_grant",
}

// writeTokenError answers a refused token request.
func writeTokenError(w http.ResponseWriter, httpStatus int, status, msg, corr string) {
	code, ok := oauthErrorCodes[status]
	if !ok {
		code = "invalid_request"
	}
	writeJSON(w, httpStatus, tokenError{Status: status, Message: msg, CorrelationID: corr, Error: code, ErrorDescription: msg})
}

// tokenReply is the token endpoint's success body, as HubSpot's OAuth
// guide shows it: the tokens, their type and lifetime, and the account
// (hub_id) and scopes the access token is for.
type tokenReply struct {
	TokenType    string   `json:"token_type"`
	TokenUse     string   `json:"token_use"`
	RefreshToken string   `json:"refresh_token"`
	AccessToken  string   `json:"access_token"`
	ExpiresIn    int64    `json:"expires_in"`
	HubID        int64    `json:"hub_id"`
	Scopes       []string `json:"scopes"`
}

// isTokenEndpoint reports whether op is one of the OAuth token endpoints
// (/oauth/v1/token, /oauth/v3/token and its dated versions).
func isTokenEndpoint(op *endpoints.Op) bool {
	return op.Name == "oauth.token" || op.Name == "oauth.v1.token"
}

// tokenEndpoint answers the OAuth token endpoints, which authenticate by
// the client credentials in the body rather than by a bearer token.
func (q *request) tokenEndpoint() {
	q.s.oauth.calls.Add(1)
	q.w.Header().Set("Cache-Control", "no-store")
	q.entry.Note = "oauth token endpoint: " + q.s.tokenGrant(q.w, q.r, q.op.Name == "oauth.v1.token", q.corr)
}

// tokenForm reads the form-encoded body of an OAuth endpoint (and, for
// v1, its query string). On failure it has answered with HubSpot's
// error and returns a note for the journal.
func (s *Server) tokenForm(w http.ResponseWriter, r *http.Request, v1 bool, corr string) (url.Values, string, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		writeTokenError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "The token endpoint takes an application/x-www-form-urlencoded body.", corr)
		return nil, "not form-encoded", false
	}
	if !v1 && r.URL.RawQuery != "" {
		writeTokenError(w, http.StatusBadRequest, "BAD_REQUEST", "The v3 token endpoint takes its parameters in the request body, not in the query string.", corr)
		return nil, "query parameters on v3", false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenForm))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeTokenError(w, http.StatusRequestEntityTooLarge, "BAD_REQUEST", fmt.Sprintf("Request body exceeds %d bytes.", maxTokenForm), corr)
			return nil, "body too large", false
		}
		writeTokenError(w, http.StatusBadRequest, "BAD_REQUEST", "Could not read the request body.", corr)
		return nil, "unreadable body", false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeTokenError(w, http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid form encoding.", corr)
		return nil, "bad form encoding", false
	}
	if v1 { // v1 also takes its parameters in the query string
		for k, vs := range r.URL.Query() {
			if _, ok := form[k]; !ok {
				form[k] = vs
			}
		}
	}
	return form, "", true
}

// oauthClient authenticates the app by the form's client_id and
// client_secret. The caller holds s.oauth.mu. On failure it returns the
// status of HubSpot's error, which the caller answers.
func (s *Server) oauthClient(form url.Values) (*oauthApp, string, string) {
	s.oauth.init()
	app, ok := s.oauth.apps[form.Get("client_id")]
	if !ok {
		return nil, "BAD_CLIENT_ID", "missing or unknown client_id"
	}
	secretHash := sha256.Sum256([]byte(form.Get("client_secret")))
	if subtle.ConstantTimeCompare(secretHash[:], app.secretHash[:]) != 1 {
		return nil, "BAD_CLIENT_ID", "missing or invalid client_secret for this client_id"
	}
	return app, "", ""
}

// tokenGrant answers one token request and returns a note for the
// journal (never a secret). v1 is the v1 endpoint, which also takes its
// parameters in the query string.
func (s *Server) tokenGrant(w http.ResponseWriter, r *http.Request, v1 bool, corr string) string {
	form, note, ok := s.tokenForm(w, r, v1, corr)
	if !ok {
		return note
	}
	fail := func(status, msg string) string {
		writeTokenError(w, http.StatusBadRequest, status, msg, corr)
		return status
	}

	grantType := form.Get("grant_type")
	if grantType != "refresh_token" && grantType != "authorization_code" {
		return fail("BAD_GRANT_TYPE", "missing or unknown grant_type")
	}
	now := s.clock.Now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	app, status, msg := s.oauthClient(form)
	if app == nil {
		return fail(status, msg)
	}

	var refresh string
	switch grantType {
	case "refresh_token":
		refresh = form.Get("refresh_token")
		g, ok := s.oauth.grants[sha256.Sum256([]byte(refresh))]
		switch {
		case !ok || g.app != app:
			return fail("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
		case g.revoked:
			return fail("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
		}
		note = "refresh_token " + g.fp
	default:
		h := sha256.Sum256([]byte(form.Get("code")))
		c, ok := s.oauth.codes[h]
		switch {
		case !ok || c.app != app || c.used:
			return fail("BAD_AUTH_CODE", "missing or unknown auth code")
		case !now.Before(c.expiresAt):
			delete(s.oauth.codes, h)
			return fail("BAD_AUTH_CODE", "auth code is expired")
		case form.Get("redirect_uri") != c.redirectURI:
			return fail("BAD_REDIRECT_URI", "redirect_uri does not match the one the code was issued for")
		}
		c.used = true
		refresh = randomUUID("na1-")
		g := &grant{app: app, fp: secrets.New(refresh).Fingerprint()}
		s.oauth.grants[sha256.Sum256([]byte(refresh))] = g
		note = "authorization_code, new refresh token " + g.fp
	}

	tok, err := s.issueAccessToken(app, now)
	if err != nil {
		writeError(w, &apiError{status: http.StatusInternalServerError, Message: "hubspottest: issuing the access token: " + err.Error(), Category: "INTERNAL_ERROR", CorrelationID: corr})
		return "issue failed"
	}
	writeJSON(w, http.StatusOK, tokenReply{
		TokenType:    "bearer",
		TokenUse:     "access_token",
		RefreshToken: refresh,
		AccessToken:  tok.Reveal(),
		ExpiresIn:    int64(s.cfg.oauthLifetime / time.Second),
		HubID:        s.Account().PortalID,
		Scopes:       slices.Clone(app.scopes),
	})
	return note + ", issued " + tok.Fingerprint()
}

// issueAccessToken makes a key for app that expires one token lifetime
// after now. Access tokens of one app share a rate-limit lineage, as one
// app's calls share HubSpot's limits. The caller holds s.oauth.mu.
func (s *Server) issueAccessToken(app *oauthApp, now time.Time) (secrets.Secret, error) {
	exp := now.Add(s.cfg.oauthLifetime)
	var key keypolicy.Key
	var tok secrets.Secret
	var err error
	if app.lastKey != "" {
		// Rotate keeps the old token's (earlier) expiry and the lineage.
		key, tok, err = s.keys.Rotate(app.lastKey, s.cfg.oauthLifetime)
		if err == nil {
			key, err = s.keys.Update(key.ID, func(k *keypolicy.Key) { k.ExpiresAt = exp })
		}
	}
	if app.lastKey == "" || err != nil { // first token, or the last one was revoked
		key, tok, err = s.keys.Create(keypolicy.Spec{
			Name:      "oauth:" + app.clientID,
			Scopes:    app.scopes,
			Limits:    s.cfg.rateLimit.limits(),
			ExpiresAt: exp,
			Prefix:    oauthKeyPrefix,
		})
		if err != nil {
			return secrets.Secret{}, err
		}
	}
	app.lastKey = key.ID
	s.oauth.issued[key.ID] = app
	return tok, nil
}

// writeOAuthExpired answers a call made with an expired OAuth access token
// as HubSpot does: 401 with category EXPIRED_AUTHENTICATION. It reports
// false, writing nothing, for any other refusal.
func (s *Server) writeOAuthExpired(w http.ResponseWriter, d *keypolicy.DenyError, corr string) bool {
	if d.Reason != keypolicy.ReasonExpired {
		return false
	}
	s.oauth.mu.Lock()
	issued := s.oauth.issued[d.KeyID] != nil
	s.oauth.mu.Unlock()
	if !issued {
		return false
	}
	k, ok := s.keys.Get(d.KeyID)
	if !ok {
		return false
	}
	ago := max(0, s.clock.Now().Sub(k.ExpiresAt))
	writeError(w, &apiError{
		status:        http.StatusUnauthorized,
		Message:       fmt.Sprintf("The OAuth token used to make this call expired %d minute(s) ago.", int64(ago/time.Minute)),
		CorrelationID: corr,
		Category:      "EXPIRED_AUTHENTICATION",
	})
	return true
}

// randomUUID returns prefix and a random version-4 UUID.
func randomUUID(prefix string) string { return prefix + newUUID() }

// oauthUser is the user the server's OAuth apps were installed by, as the
// token introspection endpoints report it.
const (
	oauthUserID    = 2_000_001
	oauthUserEmail = "installer@hubspottest.example"
)

// accessTokenInfo is HubSpot's answer to GET /oauth/v1/access-tokens/{token}.
type accessTokenInfo struct {
	Token                 string   `json:"token"`
	User                  string   `json:"user"`
	HubDomain             string   `json:"hub_domain"`
	Scopes                []string `json:"scopes"`
	HubID                 int64    `json:"hub_id"`
	AppID                 int64    `json:"app_id"`
	ExpiresIn             int64    `json:"expires_in"`
	UserID                int64    `json:"user_id"`
	TokenType             string   `json:"token_type"`
	IsPrivateDistribution bool     `json:"is_private_distribution"`
}

// refreshTokenInfo is HubSpot's answer to GET /oauth/v1/refresh-tokens/{token}.
type refreshTokenInfo struct {
	Token     string   `json:"token"`
	User      string   `json:"user"`
	HubDomain string   `json:"hub_domain"`
	Scopes    []string `json:"scopes"`
	HubID     int64    `json:"hub_id"`
	ClientID  string   `json:"client_id"`
	UserID    int64    `json:"user_id"`
	TokenType string   `json:"token_type"`
}

// hubDomain is the account domain the introspection endpoints report.
func hubDomain(portal int64) string { return fmt.Sprintf("hubspottest-%d.example.com", portal) }

// tokenNotFound answers HubSpot's 404 for a token the introspection or
// revocation endpoints do not know, without echoing the token.
func (q *request) tokenNotFound(kind string) {
	q.fail(&apiError{status: http.StatusNotFound, Message: kind + " token not found, or no longer valid.", Category: catNotFound})
}

// accessTokenInfo answers GET /oauth/v1/access-tokens/{token}: the app,
// account and scopes of an access token the token endpoint issued and that
// has not expired. Any other token, a private app token included, is 404.
func (q *request) accessTokenInfo() {
	s := q.s
	token := q.r.PathValue("token")
	k, ok := s.keys.Lookup(token)
	s.oauth.mu.Lock()
	var app *oauthApp
	if ok {
		app = s.oauth.issued[k.ID]
	}
	s.oauth.mu.Unlock()
	now := s.clock.Now()
	if app == nil || k.Status != keypolicy.Active || k.Expired(now) {
		q.entry.Note = "oauth access token info: unknown or expired token"
		q.tokenNotFound("Access")
		return
	}
	q.entry.Note = "oauth access token info: " + k.Fingerprint
	portal := s.Account().PortalID
	q.reply(http.StatusOK, accessTokenInfo{
		Token: token, User: oauthUserEmail, HubDomain: hubDomain(portal), Scopes: slices.Clone(k.Scopes),
		HubID: portal, AppID: app.appID, ExpiresIn: int64(k.ExpiresAt.Sub(now) / time.Second),
		UserID: oauthUserID, TokenType: "access",
	})
}

// refreshTokenGrant finds the grant of the refresh token in the path; it
// answers 404 and returns nil for an unknown or revoked one.
func (q *request) refreshTokenGrant(what string) (*grant, string) {
	token := q.r.PathValue("token")
	o := &q.s.oauth
	o.mu.Lock()
	o.init()
	g := o.grants[sha256.Sum256([]byte(token))]
	o.mu.Unlock()
	if g == nil || g.revoked {
		q.entry.Note = "oauth refresh token " + what + ": unknown or revoked token"
		q.tokenNotFound("Refresh")
		return nil, ""
	}
	q.entry.Note = "oauth refresh token " + what + ": " + g.fp
	return g, token
}

// refreshTokenInfo answers GET /oauth/v1/refresh-tokens/{token}.
func (q *request) refreshTokenInfo() {
	g, token := q.refreshTokenGrant("info")
	if g == nil {
		return
	}
	portal := q.s.Account().PortalID
	q.reply(http.StatusOK, refreshTokenInfo{
		Token: token, User: oauthUserEmail, HubDomain: hubDomain(portal), Scopes: slices.Clone(g.app.scopes),
		HubID: portal, ClientID: g.app.clientID, UserID: oauthUserID, TokenType: "refresh",
	})
}

// deleteRefreshToken answers DELETE /oauth/v1/refresh-tokens/{token}: the
// refresh token is revoked, as by [Server.RevokeRefreshToken]; access
// tokens already issued keep working until they expire.
func (q *request) deleteRefreshToken() {
	g, _ := q.refreshTokenGrant("delete")
	if g == nil {
		return
	}
	o := &q.s.oauth
	o.mu.Lock()
	g.revoked = true
	o.mu.Unlock()
	q.w.WriteHeader(http.StatusNoContent)
}
