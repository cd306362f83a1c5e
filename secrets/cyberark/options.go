package cyberark

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// Option configures a PVWA or CCP provider. An option that does not apply
// to the provider it is given to is an error at construction.
type Option func(*options) error

type options struct {
	httpClient *http.Client
	rootCAs    *x509.CertPool
	certPEM    secrets.Provider
	keyPEM     secrets.Provider
	reason     string
	clock      clock.Clock
	maxSize    int64
	timeout    time.Duration
}

// DefaultReason is the reason sent with each password retrieval (PVWA
// Password/Retrieve body, CCP Reason parameter) unless WithReason sets
// another; CyberArk writes it to the audit log.
const DefaultReason = "hubkey: application reads its credential"

// WithHTTPClient sets the client requests go through (default: a client
// of the provider's own with WithTimeout as its timeout). The provider
// works on a shallow copy and leaves c as it was. It never follows
// redirects, so credentials are not forwarded to another host: the copy's
// transport turns every 3xx answer into an error before net/http could
// follow it, whatever c.CheckRedirect says. A Transport that follows
// redirects by itself (one wrapping an http.Client of its own, say) is
// beyond that reach: do not use one here. With WithRootCAs or
// WithClientCertificate the client's Transport must be nil or an
// *http.Transport, which is cloned.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("cyberark: WithHTTPClient: client is nil")
		}
		o.httpClient = c
		return nil
	}
}

// WithRootCAs sets the certificate authorities that the PVWA, identity
// tenant or CCP server certificate must chain to (default: the system
// pool).
func WithRootCAs(pool *x509.CertPool) Option {
	return func(o *options) error {
		if pool == nil {
			return errors.New("cyberark: WithRootCAs: pool is nil")
		}
		o.rootCAs = pool
		return nil
	}
}

// WithClientCertificate authenticates a CCP application by its client
// certificate (mutual TLS). certPEM yields the PEM certificate (chain) and
// keyPEM the PEM private key; keyPEM may be nil when certPEM holds both.
// Both are read again for each new TLS connection, so a rotated
// certificate is picked up without a restart; a *secrets.Cache serves
// through FromCache. It applies to NewCCP only.
func WithClientCertificate(certPEM, keyPEM secrets.Provider) Option {
	return func(o *options) error {
		if certPEM == nil {
			return errors.New("cyberark: WithClientCertificate: certificate provider is nil")
		}
		o.certPEM, o.keyPEM = certPEM, keyPEM
		return nil
	}
}

// WithReason sets the reason sent with each password retrieval (default
// DefaultReason). CyberArk audits it, and safes can be configured to
// require one.
func WithReason(reason string) Option {
	return func(o *options) error {
		if strings.TrimSpace(reason) == "" {
			return errors.New("cyberark: WithReason: reason is empty")
		}
		o.reason = reason
		return nil
	}
}

// WithClock sets the clock that platform token lifetimes and
// Version.FetchedAt are read from (default: the system clock).
func WithClock(c clock.Clock) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("cyberark: WithClock: clock is nil")
		}
		o.clock = c
		return nil
	}
}

// WithMaxSize sets the largest secret accepted, in bytes (default
// secrets.DefaultMaxSize). Response bodies are read through limits derived
// from it.
func WithMaxSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("cyberark: WithMaxSize: size must be > 0, got %d", n)
		}
		o.maxSize = n
		return nil
	}
}

// WithTimeout bounds each HTTP exchange and each logon or token request
// (default 30s).
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("cyberark: WithTimeout: timeout must be > 0, got %v", d)
		}
		o.timeout = d
		return nil
	}
}

func buildOptions(opts []Option) (*options, error) {
	o := &options{reason: DefaultReason, maxSize: secrets.DefaultMaxSize, timeout: 30 * time.Second}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("cyberark: nil Option")
		}
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	o.clock = clock.Or(o.clock)
	return o, nil
}

// client returns the http.Client a provider uses and whether the provider
// owns its transport (and may close its idle connections).
func (o *options) client(getCert func(*tls.CertificateRequestInfo) (*tls.Certificate, error)) (*http.Client, *http.Transport, error) {
	var c http.Client
	if o.httpClient != nil {
		c = *o.httpClient
	}
	owned := false
	var tr *http.Transport
	needTLS := o.rootCAs != nil || getCert != nil
	switch t := c.Transport.(type) {
	case nil:
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = dt.Clone()
		} else {
			tr = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
		}
		owned = true
	case *http.Transport:
		tr = t
		if needTLS {
			tr = t.Clone()
			owned = true
		}
	default:
		if needTLS {
			return nil, nil, fmt.Errorf("cyberark: WithRootCAs and WithClientCertificate need an http.Client whose Transport is nil or an *http.Transport, got %T", c.Transport)
		}
	}
	if tr != nil {
		if owned {
			cfg := tr.TLSClientConfig.Clone()
			if cfg == nil {
				cfg = &tls.Config{}
			}
			if cfg.MinVersion < tls.VersionTLS12 {
				cfg.MinVersion = tls.VersionTLS12
			}
			if o.rootCAs != nil {
				cfg.RootCAs = o.rootCAs
			}
			if getCert != nil {
				cfg.Certificates = nil
				cfg.GetClientCertificate = getCert
			}
			tr.TLSClientConfig = cfg
		}
		c.Transport = tr
	}
	if c.Timeout == 0 {
		c.Timeout = o.timeout
	}
	if !owned {
		tr = nil
	}
	// Never follow a redirect: a 307 would resend a logon body, and a
	// credential must not reach a host it was not configured for. The
	// transport refuses it, before net/http reads (and may quote) the
	// Location, whatever CheckRedirect says.
	return credhttp.Client(&c), tr, nil
}

// parseBaseURL checks a configured endpoint: absolute, https (or http to
// a loopback address, for tests), no user info, query or fragment.
func parseBaseURL(what, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("cyberark: %s URL is empty", what)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("cyberark: %s URL does not parse: %v", what, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("cyberark: %s URL %q must be absolute, https://host[/path]", what, redactURL(u))
	}
	if u.User != nil {
		return nil, fmt.Errorf("cyberark: %s URL must not carry user info; credentials come from providers", what)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("cyberark: %s URL %q must not have a query or fragment", what, redactURL(u))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("cyberark: %s URL %q is plain http; credentials go only over https (http is allowed to loopback addresses only)", what, redactURL(u))
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactURL renders u without user info, query or fragment, for errors.
func redactURL(u *url.URL) string {
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return c.String()
}

// serviceRoot returns the root that API paths are appended to: the URL's
// path when it has one, else def ("/PasswordVault", "/AIMWebService").
// A trailing "/API" (or "/api") is dropped, so that the URL CyberArk's
// documentation shows for Privilege Cloud,
// https://<subdomain>.privilegecloud.cyberark.cloud/PasswordVault/API, works
// as is.
func serviceRoot(u *url.URL, def string) string {
	p := strings.TrimRight(u.Path, "/")
	if len(p) >= 4 && strings.EqualFold(p[len(p)-4:], "/api") {
		p = strings.TrimRight(p[:len(p)-4], "/")
	}
	if p == "" {
		p = def
	}
	c := url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	return c.String()
}

// queryEscape escapes a query value with %20 for spaces: CyberArk's IIS
// endpoints are documented with percent-encoding, and the CCP does not
// accept '+'.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
