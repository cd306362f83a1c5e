// Package conjur reads credentials from CyberArk Conjur variables (Conjur
// Open Source and Secrets Manager Self-Hosted), on the conjur-api-go client,
// with one authenticated Client shared by a Provider per variable.
//
//	c, err := conjur.NewClient("https://conjur.example.com", "myorg",
//		conjur.JWT("k8s-cluster", "/var/run/secrets/kubernetes.io/serviceaccount/token", ""))
//	token, err := c.Variable("hubspot/token")      // a secrets.Provider
//	cache, err := secrets.NewCache(token, secrets.WithRefreshInterval(time.Minute, 0.1))
//	both, err := c.FetchBatch(ctx, "hubspot/token", "hubspot/signing-key") // one round trip
//
// # Authentication
//
// A Client authenticates with an API key (authn) or a JWT (authn-jwt), and
// keeps the access token Conjur returns. It authenticates again before the
// token expires, at four fifths of the token's lifetime measured on its
// own clock from when it asked for the token (so clock skew between client
// and server does not matter), and once, followed by one retry, when Conjur
// answers a call with 401. If authenticating again fails while the old
// token is still within its lifetime, the old token keeps serving.
//
// # What this package does differently from conjur-api-go, and why
//
// conjurapi.Client keeps its access token in a field that every
// authenticated call (SubmitRequest, and so RetrieveSecret,
// RetrieveBatchSecrets, Resource) reads and rewrites without a lock, so
// concurrent calls race; it does not retry on 401; it judges a token stale
// at 85% of its lifetime counted from the token's iat against the local
// system clock (five minutes after iat when the token has no exp), which
// clock skew upsets and tests cannot drive; its JWT authenticator reads the
// JWT file once and sends that JWT for ever, though Kubernetes rotates
// projected service-account tokens; its calls take no context; it reads
// response bodies without a limit; and it decodes the access token's
// payload as standard base64 where Conjur writes URL-safe base64, so some
// valid tokens are refused. This package therefore uses the library for
// what it does safely and keeps the rest:
//
//   - it builds every request with the library's request builders
//     (AuthenticateRequest, JWTAuthenticateRequest, RetrieveSecretRequest,
//     RetrieveSecretWithVersionRequest, RetrieveBatchSecretsRequest,
//     ResourceRequest), which only read the client's configuration, and
//     decodes every answer with the library's response package;
//   - it never calls a method that touches the library's token field, and
//     keeps the access token itself behind an atomic pointer, refreshed by
//     one goroutine at a time: Fetch is safe for concurrent use, and a
//     storm of 401s is one authentication;
//   - it sends each request on the library's HTTP client with the caller's
//     context, refuses redirects in the client's transport, before net/http
//     reads the Location (a redirected POST would carry the API key
//     elsewhere), and reads every body through a limit;
//   - it reads the JWT file at every authentication, and the API key from a
//     secrets.Provider at every authentication when given one (APIKeyFrom);
//   - it never stores credentials (no .netrc, no keyring).
//
// # Versions
//
// Conjur keeps the last twenty versions of a variable, numbered from 1, and
// serves any of them with ?version=N. Its value endpoint answers the value
// alone, with no version number, so by default a Provider makes one round
// trip per Fetch and uses the value's fingerprint as Version.ID, which
// changes exactly when the value does. With WithVersionLookup, Fetch first
// reads the variable's metadata (GET /resources/..., which any privilege on
// the variable allows, execute included) to learn the current version
// number, then fetches exactly that version: Version.ID is Conjur's version
// number and always matches the value, at the cost of a second round trip.
// FetchPrevious always does that lookup and fetches the version before the
// current one; FetchVersion fetches a given number.
//
// # Errors and sizes
//
// Errors are *secrets.Error values whose Source is
// "conjur:<account>:variable:<id>". They wrap secrets.ErrNotFound (404),
// secrets.ErrPermission (401, 403, refused credentials),
// secrets.ErrTooLarge, secrets.ErrEmpty and secrets.ErrMalformed where one
// fits, and an *APIError with Conjur's status, code and message. No error
// carries a value, the API key, a JWT or an access token; a server message
// that quotes one of them is withheld. A 3xx answer is an *APIError naming
// the status only: redirects are never followed, and the Location is never
// read. Errors name a status by Go's text for it, never by the server's
// reason phrase, and when net/http refuses a malformed answer (status
// line, header, Content-Length, a trailer after the body) they say so
// without its bytes: a server, or something in front of it, may echo a
// credential in any of them, whole or in part. A value larger than the
// size limit (WithMaxSize, default secrets.DefaultMaxSize) is refused
// without being read whole. Values have surrounding white space trimmed,
// as the env and file providers do.
//
// conjur-api-go logs to the destination in the CONJURAPI_LOG environment
// variable when it is set; what it logs from this package's calls is
// request URLs (which name variables and the login) and statuses, with the
// Authorization header redacted.
package conjur

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/cyberark/conjur-api-go/conjurapi"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// Limits on what is read besides values.
const (
	maxTokenSize    = 64 << 10 // an access token answer
	maxJWTSize      = 64 << 10 // a JWT file
	maxErrorBody    = 16 << 10 // an error answer
	maxResourceSize = 1 << 20  // a variable's metadata
)

// Client is an authenticated connection to one Conjur account. It is safe
// for concurrent use; make one per account and identity and share it
// between the Providers of its variables.
type Client struct {
	lib       *conjurapi.Client
	hc        *http.Client
	account   string
	auth      Auth
	clk       clock.Clock
	log       *slog.Logger
	maxSize   int64
	telemetry string

	tok    atomic.Pointer[accessToken]
	gen    atomic.Uint64 // generation of the newest token; tokens count from 1; written under authMu
	authMu chan struct{} // one-slot semaphore: one authentication at a time
	creds  credentials
}

type options struct {
	clk     clock.Clock
	hc      *http.Client
	caCert  []byte
	maxSize int64
	log     *slog.Logger
}

// Option configures a Client.
type Option func(*options) error

// WithClock sets the clock that token refresh times and Version.FetchedAt
// are read on (default: the system clock).
func WithClock(c clock.Clock) Option {
	return func(o *options) error { o.clk = c; return nil }
}

// WithHTTPClient sends requests with a copy of hc (for a proxy, a custom
// TLS configuration or a timeout); hc itself is not modified. The copy's
// transport turns every 3xx answer into an *APIError before net/http could
// follow it, whatever hc.CheckRedirect says. A Transport that follows
// redirects by itself (one wrapping an http.Client of its own, say) is
// beyond that reach: do not use one here. Default: the HTTP client
// conjur-api-go builds.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("conjur: WithHTTPClient(nil)")
		}
		o.hc = hc
		return nil
	}
}

// WithCACert trusts only the PEM certificate(s) in pem for the appliance's
// TLS certificate (Conjur's self-signed CA, say), as conjur-api-go does with
// its SSLCert setting.
func WithCACert(pem []byte) Option {
	return func(o *options) error {
		if !strings.Contains(string(pem), "-----BEGIN CERTIFICATE-----") {
			return errors.New("conjur: WithCACert needs PEM-encoded certificates")
		}
		o.caCert = append([]byte(nil), pem...)
		return nil
	}
}

// WithMaxSize sets the largest value accepted, in bytes (default
// secrets.DefaultMaxSize).
func WithMaxSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("conjur: max size must be > 0, got %d", n)
		}
		o.maxSize = n
		return nil
	}
}

// WithLogger sets where authentications and refused tokens are reported.
// Records carry the login and times, never a credential. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error { o.log = l; return nil }
}

// NewClient returns a Client for account on the Conjur appliance at
// applianceURL, which must be https, or http to a loopback address (tests).
// It checks its arguments and builds the conjur-api-go client, but does not
// contact Conjur: the first fetch authenticates.
func NewClient(applianceURL, account string, auth Auth, opts ...Option) (*Client, error) {
	if err := checkApplianceURL(applianceURL); err != nil {
		return nil, err
	}
	if account == "" || strings.ContainsAny(account, ":/") || hasControl(account) {
		return nil, fmt.Errorf("conjur: invalid account %q: it must be non-empty, without ':', '/' or control characters", account)
	}
	if err := auth.check(); err != nil {
		return nil, err
	}
	o := options{maxSize: secrets.DefaultMaxSize}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.hc != nil && o.caCert != nil {
		return nil, errors.New("conjur: WithHTTPClient and WithCACert are exclusive; configure TLS on the HTTP client")
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}

	cfg := conjurapi.Config{
		ApplianceURL:      applianceURL,
		Account:           account,
		CredentialStorage: conjurapi.CredentialStorageNone,
		SSLCert:           string(o.caCert),
	}
	if auth.kind == jwtAuth {
		cfg.AuthnType, cfg.ServiceID, cfg.JWTFilePath, cfg.JWTHostID = "jwt", auth.serviceID, auth.jwtFile, auth.hostID
	}
	cfg.SetIntegrationName("hubkey")
	cfg.SetIntegrationType("secrets-provider")
	cfg.SetIntegrationVersion("1")
	cfg.SetVendorName("hubkey")
	lib, err := conjurapi.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("conjur: configuring conjur-api-go: %w", err)
	}
	base := o.hc
	if base == nil {
		base = lib.GetHttpClient()
	}
	// A copy that refuses every 3xx: the caller's client is left as it was.
	hc := credhttp.Client(base)
	lib.SetHttpClient(hc)

	return &Client{
		lib:     lib,
		hc:      hc,
		account: account,
		auth:    auth,
		clk:     clock.Or(o.clk),
		log:     o.log,
		maxSize: o.maxSize,
		// The library computes this header lazily and caches it in its
		// configuration without a lock; computing it here, before any
		// concurrent use, leaves only reads afterwards.
		telemetry: lib.GetTelemetryHeader(),
		authMu:    make(chan struct{}, 1),
	}, nil
}

func checkApplianceURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		shown := strconv.Quote(raw)
		if strings.Contains(raw, "@") {
			shown = "(not shown: it may carry a password)"
		}
		return fmt.Errorf("conjur: appliance URL %s is not an absolute http(s) URL", shown)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("conjur: appliance URL %s must not carry user info, a query or a fragment", u.Redacted())
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("conjur: appliance URL %s is plain HTTP; credentials go only over HTTPS (plain HTTP is allowed to loopback addresses only)", u.Redacted())
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// Account returns the Conjur account the Client reads from.
func (c *Client) Account() string { return c.account }

// Close closes the Client's idle connections. The Client stays usable.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// call sends the request build makes with the current access token, and
// once more with a new token if Conjur answers 401. The caller reads and
// closes the response.
func (c *Client) call(ctx context.Context, build func() (*http.Request, error)) (*http.Response, error) {
	var after uint64 // the token must be newer than this generation
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx, after)
		if err != nil {
			return nil, err
		}
		req, err := build()
		if err != nil {
			return nil, fmt.Errorf("building the request: %w", err)
		}
		req = req.WithContext(ctx)
		req.Header.Set("Authorization", tok.header.Reveal())
		req.Header.Set(conjurapi.ConjurSourceHeader, c.telemetry)
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, c.transportError(err)
		}
		if resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp, nil
		}
		drain(resp)
		// Retry with a token newer than the refused one: the one another
		// caller obtained meanwhile, or a new one.
		after = tok.gen
		c.log.Info("Conjur refused the access token; authenticating again", slog.String("login", c.auth.who()))
	}
}
