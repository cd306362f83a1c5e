package hubspottest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/gateway/keypolicy"
)

// The v3 token introspection and revocation endpoints (RFC 7662 and RFC
// 7009 with HubSpot's fields): the app authenticates with its client ID
// and secret in the form-encoded body, beside the token.

// v3TokenInfo is what HubSpot's v3 introspection says of any active
// token.
type v3TokenInfo struct {
	Active    bool     `json:"active"`
	Token     string   `json:"token"`
	TokenUse  string   `json:"token_use"`
	TokenType string   `json:"token_type"`
	ClientID  string   `json:"client_id"`
	AppID     int64    `json:"app_id"`
	HubID     int64    `json:"hub_id"`
	HubDomain string   `json:"hub_domain"`
	UserID    int64    `json:"user_id"`
	Scopes    []string `json:"scopes"`
}

// v3AccessInfo is HubSpot's v3 introspection of an active access token.
type v3AccessInfo struct {
	v3TokenInfo
	ExpiresIn             int64             `json:"expires_in"`
	IsPrivateDistribution bool              `json:"is_private_distribution"`
	SignedAccessToken     signedAccessToken `json:"signed_access_token"`
}

// signedAccessToken is the signed description of an access token that
// HubSpot's v3 introspection carries. hubspottest signs it with a key of
// its own, which no test can check: the signature is opaque, as HubSpot's
// is to an app.
type signedAccessToken struct {
	AppID                     int64  `json:"appId"`
	AppInstallID              string `json:"appInstallId"`
	Audience                  string `json:"audience"`
	ExpiresAt                 int64  `json:"expiresAt"`
	HubID                     int64  `json:"hubId"`
	Hublet                    string `json:"hublet"`
	InstallingUserID          int64  `json:"installingUserId"`
	IsPrivateDistribution     bool   `json:"isPrivateDistribution"`
	IsServiceAccount          bool   `json:"isServiceAccount"`
	IsUserLevel               bool   `json:"isUserLevel"`
	NewSignature              string `json:"newSignature"`
	ScopeToScopeGroupPKs      string `json:"scopeToScopeGroupPks"`
	Scopes                    string `json:"scopes"`
	Signature                 string `json:"signature"`
	TrialScopeToScopeGroupPKs string `json:"trialScopeToScopeGroupPks"`
	TrialScopes               string `json:"trialScopes"`
	UserID                    int64  `json:"userId"`
}

// v3RefreshInfo is HubSpot's v3 introspection of an active refresh token.
type v3RefreshInfo struct {
	v3TokenInfo
	User string `json:"user"`
}

// v3Inactive is RFC 7662's answer for a token the endpoint does not
// report on: unknown, expired, revoked, or another app's.
type v3Inactive struct {
	Active bool `json:"active"`
}

// introspectToken answers POST /oauth/v3/token/introspect (and its dated
// versions). A token of the authenticated app that is active is described;
// any other, another app's included, is {"active": false}, which says
// nothing of why.
func (q *request) introspectToken() {
	s := q.s
	s.oauth.calls.Add(1)
	q.w.Header().Set("Cache-Control", "no-store")
	form, note, ok := s.tokenForm(q.w, q.r, false, q.corr)
	if !ok {
		q.entry.Note = "oauth introspection: " + note
		return
	}
	token, hint := form.Get("token"), form.Get("token_type_hint")
	if token == "" {
		writeTokenError(q.w, http.StatusBadRequest, "BAD_REQUEST", "missing token", q.corr)
		q.entry.Note = "oauth introspection: no token"
		return
	}
	// The key store has its own lock: read it before taking the OAuth one.
	k, isKey := s.keys.Lookup(token)
	now := s.clock.Now()
	portal := s.Account().PortalID

	s.oauth.mu.Lock()
	app, status, msg := s.oauthClient(form)
	if app == nil {
		s.oauth.mu.Unlock()
		writeTokenError(q.w, http.StatusBadRequest, status, msg, q.corr)
		q.entry.Note = "oauth introspection: " + status
		return
	}
	g := s.oauth.grants[sha256.Sum256([]byte(token))]
	var issuedTo *oauthApp
	if isKey {
		issuedTo = s.oauth.issued[k.ID]
	}
	sigKey := s.oauth.sigKey
	s.oauth.mu.Unlock()

	info := func(kind string, scopes []string) v3TokenInfo {
		return v3TokenInfo{Active: true, Token: token, TokenUse: kind + "_token", TokenType: kind,
			ClientID: app.clientID, AppID: app.appID, HubID: portal, HubDomain: hubDomain(portal),
			UserID: oauthUserID, Scopes: slices.Clone(scopes)}
	}
	// The hint is where to look first (RFC 7662 § 2.1); either kind is
	// found whatever it says.
	refreshFirst := hint == "refresh_token"
	for _, kind := range [2]bool{refreshFirst, !refreshFirst} {
		if kind && g != nil && g.app == app && !g.revoked {
			q.entry.Note = "oauth introspection: refresh token " + g.fp
			q.reply(http.StatusOK, v3RefreshInfo{v3TokenInfo: info("refresh", app.scopes), User: oauthUserEmail})
			return
		}
		if !kind && issuedTo == app && k.Status == keypolicy.Active && !k.Expired(now) {
			q.entry.Note = "oauth introspection: access token " + k.Fingerprint
			q.reply(http.StatusOK, v3AccessInfo{v3TokenInfo: info("access", k.Scopes),
				ExpiresIn:         int64(k.ExpiresAt.Sub(now) / time.Second),
				SignedAccessToken: signAccessToken(sigKey, app, portal, k.ExpiresAt, k.Scopes)})
			return
		}
	}
	q.entry.Note = "oauth introspection: inactive token"
	q.reply(http.StatusOK, v3Inactive{})
}

// signAccessToken describes an access token of app and signs the
// description with key.
func signAccessToken(key []byte, app *oauthApp, portal int64, expires time.Time, scopes []string) signedAccessToken {
	t := signedAccessToken{
		AppID: app.appID, AppInstallID: strconv.FormatInt(app.appID, 10) + "-" + strconv.FormatInt(portal, 10),
		Audience: app.clientID, ExpiresAt: expires.UnixMilli(), HubID: portal, Hublet: "na1",
		InstallingUserID: oauthUserID, UserID: oauthUserID, Scopes: strings.Join(scopes, ","),
	}
	mac := func(label string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(label))
		m.Write([]byte{0})
		m.Write([]byte(strconv.FormatInt(t.AppID, 10) + "|" + strconv.FormatInt(t.HubID, 10) + "|" +
			strconv.FormatInt(t.ExpiresAt, 10) + "|" + t.Scopes))
		return hex.EncodeToString(m.Sum(nil))
	}
	t.Signature, t.NewSignature = mac("signature"), mac("newSignature")
	return t
}

// revokeToken answers POST /oauth/v3/token/revoke (and its dated
// versions): a refresh token of the authenticated app is revoked, as by
// [Server.RevokeRefreshToken], and access tokens already issued keep
// working until they expire. As RFC 7009 has it, the answer is the same
// 200 for a token the endpoint does not know or another app's, which it
// leaves alone.
func (q *request) revokeToken() {
	s := q.s
	s.oauth.calls.Add(1)
	form, note, ok := s.tokenForm(q.w, q.r, false, q.corr)
	if !ok {
		q.entry.Note = "oauth revocation: " + note
		return
	}
	token := form.Get("token")
	if token == "" {
		writeTokenError(q.w, http.StatusBadRequest, "BAD_REQUEST", "missing token", q.corr)
		q.entry.Note = "oauth revocation: no token"
		return
	}
	s.oauth.mu.Lock()
	app, status, msg := s.oauthClient(form)
	if app == nil {
		s.oauth.mu.Unlock()
		writeTokenError(q.w, http.StatusBadRequest, status, msg, q.corr)
		q.entry.Note = "oauth revocation: " + status
		return
	}
	q.entry.Note = "oauth revocation: not a refresh token of the app"
	if g := s.oauth.grants[sha256.Sum256([]byte(token))]; g != nil && g.app == app {
		g.revoked = true
		q.entry.Note = "oauth revocation: refresh token " + g.fp
	}
	s.oauth.mu.Unlock()
	q.w.WriteHeader(http.StatusOK)
}
