package conjur

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cyberark/conjur-api-go/conjurapi/authn"

	"github.com/hubkey/hubkey/secrets"
)

type authKind int

const (
	apiKeyAuth authKind = iota + 1
	jwtAuth
)

// Auth says how a Client authenticates to Conjur. Make one with APIKey,
// APIKeyFrom or JWT.
type Auth struct {
	kind      authKind
	login     string
	apiKey    secrets.Provider
	emptyKey  bool // APIKey was given an empty Secret
	serviceID string
	jwtFile   string
	hostID    string
}

// APIKey authenticates as login ("host/myapp" for a host, "alice" for a
// user) with a fixed API key, through Conjur's default authenticator
// (POST /authn/{account}/{login}/authenticate).
func APIKey(login string, apiKey secrets.Secret) Auth {
	return Auth{
		kind:  apiKeyAuth,
		login: login,
		apiKey: secrets.ProviderFunc(func(context.Context) (secrets.Version, error) {
			return secrets.Version{Value: apiKey}, nil
		}),
		emptyKey: apiKey.IsZero(),
	}
}

// APIKeyFrom authenticates like APIKey, reading the API key from p at
// every authentication, so that a key rotated at its source (a mounted
// file, another secret store) is picked up at the next authentication.
func APIKeyFrom(login string, p secrets.Provider) Auth {
	return Auth{kind: apiKeyAuth, login: login, apiKey: p}
}

// KubernetesServiceAccountToken is where Kubernetes mounts a pod's
// service-account token, the usual jwtFile for JWT in a pod.
const KubernetesServiceAccountToken = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// JWT authenticates through the authn-jwt authenticator serviceID (POST
// /authn-jwt/{serviceID}/{account}[/{hostID}]/authenticate) with the JWT in
// jwtFile, which is read again at every authentication (and trimmed of
// surrounding white space): a Kubernetes projected service-account token
// (KubernetesServiceAccountToken), a CI job's ID token. With hostID empty,
// Conjur finds the host from the JWT's claims (the service's
// token-app-property); otherwise hostID ("host/myapp") names it.
func JWT(serviceID, jwtFile, hostID string) Auth {
	return Auth{kind: jwtAuth, serviceID: serviceID, jwtFile: jwtFile, hostID: hostID}
}

func (a Auth) check() error {
	switch a.kind {
	case apiKeyAuth:
		if a.login == "" || hasControl(a.login) {
			return fmt.Errorf("conjur: invalid login %q: it must be non-empty, without control characters", a.login)
		}
		if a.apiKey == nil {
			return fmt.Errorf("conjur: APIKeyFrom for %s: the API key provider is nil", a.login)
		}
		if a.emptyKey {
			return fmt.Errorf("conjur: APIKey for %s: the API key is empty", a.login)
		}
	case jwtAuth:
		if a.serviceID == "" || strings.ContainsAny(a.serviceID, "/?#") || hasControl(a.serviceID) {
			return fmt.Errorf("conjur: invalid authn-jwt service ID %q: it must be non-empty, without '/', '?', '#' or control characters", a.serviceID)
		}
		if a.jwtFile == "" {
			return fmt.Errorf("conjur: JWT for service %s: the JWT file path is empty", a.serviceID)
		}
		if hasControl(a.hostID) {
			return fmt.Errorf("conjur: JWT for service %s: invalid host ID %q", a.serviceID, a.hostID)
		}
	default:
		return errors.New("conjur: no authentication configured; use conjur.APIKey, conjur.APIKeyFrom or conjur.JWT")
	}
	return nil
}

// who describes the identity for errors and logs.
func (a Auth) who() string {
	if a.kind == apiKeyAuth {
		return a.login
	}
	if a.hostID != "" {
		return a.hostID + " (authn-jwt/" + a.serviceID + ")"
	}
	return "the host named by the JWT in " + a.jwtFile + " (authn-jwt/" + a.serviceID + ")"
}

// accessToken is a Conjur access token ready to send.
type accessToken struct {
	header    secrets.Secret // the Authorization header value
	refreshAt time.Time      // on the Client's clock
	expiresAt time.Time
	gen       uint64 // 1 for the first token, then counting
}

// token returns an access token that is not due for refresh and is of a
// generation newer than after (0, or the generation of a token Conjur just
// refused), authenticating if needed. Only one goroutine authenticates at a
// time; the others wait for its token, or for their ctx. A storm of 401s
// for one token is thus one authentication.
func (c *Client) token(ctx context.Context, after uint64) (*accessToken, error) {
	if t := c.tok.Load(); t != nil && t.gen > after && c.clk.Now().Before(t.refreshAt) {
		return t, nil
	}
	select {
	case c.authMu <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.authMu }()
	old := c.tok.Load()
	if old != nil && old.gen > after && c.clk.Now().Before(old.refreshAt) {
		return old, nil // another caller authenticated while we waited
	}
	t, err := c.authenticate(ctx)
	if err != nil {
		if old != nil && old.gen > after && c.clk.Now().Before(old.expiresAt) && ctx.Err() == nil {
			c.log.Warn("authenticating to Conjur again failed; the current access token serves until it expires",
				slog.String("login", c.auth.who()), slog.Time("expires_at", old.expiresAt), slog.String("error", err.Error()))
			return old, nil
		}
		return nil, err
	}
	t.gen = c.gen.Add(1)
	c.tok.Store(t)
	return t, nil
}

// authenticate asks Conjur for a new access token.
func (c *Client) authenticate(ctx context.Context) (*accessToken, error) {
	start := c.clk.Now()
	var (
		req *http.Request
		err error
	)
	switch c.auth.kind {
	case apiKeyAuth:
		kv, ferr := c.auth.apiKey.Fetch(ctx)
		if ferr != nil {
			return nil, fmt.Errorf("reading the API key of %s: %w", c.auth.login, ferr)
		}
		if kv.Value.IsZero() {
			return nil, fmt.Errorf("authenticating as %s: the API key is empty: %w", c.auth.login, secrets.ErrEmpty)
		}
		key := kv.Value.Reveal()
		c.creds.add(key)
		req, err = c.lib.AuthenticateRequest(authn.LoginPair{Login: c.auth.login, APIKey: key})
	case jwtAuth:
		jwt, jerr := readJWT(c.auth.jwtFile)
		if jerr != nil {
			return nil, fmt.Errorf("authenticating as %s: %w", c.auth.who(), jerr)
		}
		c.creds.add(jwt)
		req, err = c.lib.JWTAuthenticateRequest(jwt, c.auth.hostID)
	}
	if err != nil {
		return nil, fmt.Errorf("authenticating as %s: building the request: %w", c.auth.who(), err)
	}
	resp, err := c.hc.Do(req.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("authenticating as %s: %w", c.auth.who(), c.transportError(err))
	}
	raw, err := c.read(resp, maxTokenSize)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("authenticating as %s: Conjur refused the credentials: %w: %w", c.auth.who(), secrets.ErrPermission, err)
		}
		return nil, fmt.Errorf("authenticating as %s: %w", c.auth.who(), err)
	}
	iat, exp, err := parseAccessToken(raw)
	if err != nil {
		return nil, fmt.Errorf("authenticating as %s: Conjur's access token is unusable: %w", c.auth.who(), err)
	}
	life := exp.Sub(iat)
	enc := base64.StdEncoding.EncodeToString(raw)
	c.creds.add(string(raw), enc)
	t := &accessToken{
		header:    secrets.New(`Token token="` + enc + `"`),
		refreshAt: start.Add(life * 4 / 5),
		expiresAt: start.Add(life),
	}
	clear(raw)
	c.log.Debug("authenticated to Conjur", slog.String("login", c.auth.who()), slog.Duration("token_lifetime", life))
	return t, nil
}

// defaultTokenLife is how long Conjur's access tokens live when the token
// does not say (tokens without "exp" come from Conjur versions before 1.x).
const defaultTokenLife = 8 * time.Minute

// parseAccessToken checks that raw is a Conjur access token in JSON form
// ({"protected","payload","signature"}) and returns its issue and expiry
// times. The payload is decoded as URL-safe base64, as Conjur writes it,
// or standard base64. Errors describe the shape, never the content.
func parseAccessToken(raw []byte) (iat, exp time.Time, err error) {
	var t struct {
		Protected string `json:"protected"`
		Payload   string `json:"payload"`
		Signature string `json:"signature"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return iat, exp, fmt.Errorf("%w: the answer is not a JSON object of strings", secrets.ErrMalformed)
	}
	if t.Protected == "" || t.Payload == "" || t.Signature == "" {
		return iat, exp, fmt.Errorf("%w: the token lacks protected, payload or signature", secrets.ErrMalformed)
	}
	payload, ok := decodeAnyBase64(t.Payload)
	if !ok {
		return iat, exp, fmt.Errorf("%w: the token payload is not base64", secrets.ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if dec.Decode(&claims) != nil {
		return iat, exp, fmt.Errorf("%w: the token payload is not a JSON object", secrets.ErrMalformed)
	}
	i, ok := unixClaim(claims, "iat")
	if !ok {
		return iat, exp, fmt.Errorf("%w: the token payload has no numeric iat", secrets.ErrMalformed)
	}
	iat = i
	exp = iat.Add(defaultTokenLife)
	if _, present := claims["exp"]; present {
		e, ok := unixClaim(claims, "exp")
		if !ok {
			return iat, exp, fmt.Errorf("%w: the token's exp is not a number", secrets.ErrMalformed)
		}
		exp = e
	}
	if !exp.After(iat) {
		return iat, exp, fmt.Errorf("%w: the token expires (%s) no later than it was issued (%s)", secrets.ErrMalformed, exp.UTC().Format(time.RFC3339), iat.UTC().Format(time.RFC3339))
	}
	return iat, exp, nil
}

func unixClaim(claims map[string]any, name string) (time.Time, bool) {
	n, ok := claims[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

func decodeAnyBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// readJWT reads the JWT file anew, through a size limit.
func readJWT(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("no JWT file at %s: %w", path, err)
		}
		return "", fmt.Errorf("opening the JWT file %s: %w", path, err)
	}
	defer f.Close()
	b, err := secrets.ReadLimited(f, maxJWTSize)
	if err != nil {
		return "", fmt.Errorf("reading the JWT file %s: %w", path, err)
	}
	jwt := strings.TrimSpace(string(b))
	clear(b)
	if jwt == "" {
		return "", fmt.Errorf("the JWT file %s is empty: %w", path, secrets.ErrEmpty)
	}
	return jwt, nil
}

// credentials remembers the credentials the Client last sent or received,
// so that a server message quoting one can be withheld. They are kept as
// Secrets, masked like any other, and revealed only by secrets.Redact to
// check a message, which finds them encoded and quoted too.
type credentials struct {
	mu   sync.Mutex
	held []secrets.Secret
}

// maxCredentials bounds what credentials remembers: the last few
// credentials, which include every one still in use (an API key or JWT,
// and the access token in its two forms, per authentication).
const maxCredentials = 16

// add remembers vs.
func (c *credentials) add(vs ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range vs {
		if len(v) >= 8 {
			c.held = append(c.held, secrets.New(v))
		}
	}
	if n := len(c.held); n > maxCredentials {
		c.held = append([]secrets.Secret(nil), c.held[n-maxCredentials:]...)
	}
}

// all returns the remembered credentials.
func (c *credentials) all() []secrets.Secret {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.held)
}

// redact replaces in s every remembered credential, in every form.
func (c *credentials) redact(s string) string { return secrets.RedactString(s, c.all()...) }

// quoted reports whether s contains a remembered credential.
func (c *credentials) quoted(s string) bool { return c.redact(s) != s }
