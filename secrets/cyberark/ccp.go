package cyberark

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// CCPQuery selects one password object for the Central Credential
// Provider: either Safe with Object (and optionally Folder, UserName,
// Address), or a free Query such as "Safe=Billing;Object=hubspot-token".
type CCPQuery struct {
	Safe     string // the Safe holding the password object
	Folder   string // the folder in the Safe; the CCP's default is Root
	Object   string // the password object (account) name
	UserName string // match on the account's UserName property
	Address  string // match on the account's Address property
	// Query is a free query of account properties, "Key=Value;Key=Value".
	// When set, it replaces all the fields above.
	Query string
	// QueryFormat is "Exact" (the CCP's default) or "Regexp"; only with
	// Query.
	QueryFormat string
}

func (q CCPQuery) validate() error {
	fields := []struct{ name, v string }{
		{"Safe", q.Safe}, {"Folder", q.Folder}, {"Object", q.Object},
		{"UserName", q.UserName}, {"Address", q.Address}, {"Query", q.Query},
	}
	for _, f := range fields {
		if strings.ContainsAny(f.v, "+&%") {
			return fmt.Errorf("cyberark: CCPQuery.%s contains '+', '&' or '%%', which the Central Credential Provider does not accept in a value", f.name)
		}
	}
	if q.Query != "" {
		if q.Safe != "" || q.Folder != "" || q.Object != "" || q.UserName != "" || q.Address != "" {
			return errors.New("cyberark: CCPQuery.Query replaces Safe, Folder, Object, UserName and Address; set either Query or those fields")
		}
		switch q.QueryFormat {
		case "", "Exact", "Regexp":
		default:
			return fmt.Errorf("cyberark: CCPQuery.QueryFormat %q is not Exact or Regexp", q.QueryFormat)
		}
		return nil
	}
	if q.QueryFormat != "" {
		return errors.New("cyberark: CCPQuery.QueryFormat applies only with Query")
	}
	if q.Safe == "" {
		return errors.New("cyberark: CCPQuery needs a Safe (or a Query)")
	}
	if q.Object == "" && q.UserName == "" && q.Address == "" {
		return errors.New("cyberark: CCPQuery needs an Object, a UserName or an Address besides the Safe")
	}
	return nil
}

// describe renders the query for Source strings.
func (q CCPQuery) describe() string {
	if q.Query != "" {
		return "query:" + q.Query
	}
	var b strings.Builder
	b.WriteString(q.Safe)
	if q.Folder != "" && !strings.EqualFold(q.Folder, "Root") {
		b.WriteString("/" + q.Folder)
	}
	b.WriteString("/")
	if q.Object != "" {
		b.WriteString(q.Object)
	}
	var extra []string
	if q.UserName != "" {
		extra = append(extra, "UserName="+q.UserName)
	}
	if q.Address != "" {
		extra = append(extra, "Address="+q.Address)
	}
	if len(extra) > 0 {
		if q.Object != "" {
			b.WriteString(";")
		}
		b.WriteString(strings.Join(extra, ";"))
	}
	return b.String()
}

// CCP reads a password from the Central Credential Provider web service:
// GET /AIMWebService/api/Accounts?AppID=...&Safe=...&Object=... (or
// &Query=...). The application authenticates by its client certificate
// (WithClientCertificate; mutual TLS) and/or by the CCP's allowed-machines
// rules (no certificate). The answer's Content field is the secret. CCP
// error answers ({"ErrorCode","ErrorMsg"}) become *Error values:
// APPAP004E wraps secrets.ErrNotFound, authentication and authorization
// codes wrap secrets.ErrPermission, APPAP227E-APPAP229E wrap ErrAmbiguous.
//
// Version.ID is the value's fingerprint: the CCP answer carries no
// modification time that every password change updates.
//
// A CCP is safe for concurrent use.
type CCP struct {
	endpoint string // https://host/AIMWebService/api/Accounts?...
	source   string
	hc       *http.Client
	tr       *http.Transport
	clock    clock.Clock
	maxSize  int64
	cert     *certSource
	closed   atomic.Bool
}

// NewCCP returns a provider for the password object q selects, read as
// application appID. baseURL is the CCP, such as https://ccp.example.com
// (the /AIMWebService root is added when the URL has no path; give the path
// if the web service is published under another name).
//
// Options: WithClientCertificate, WithRootCAs, WithHTTPClient, WithReason,
// WithClock, WithMaxSize, WithTimeout.
func NewCCP(baseURL, appID string, q CCPQuery, opts ...Option) (*CCP, error) {
	u, err := parseBaseURL("CCP", baseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(appID) == "" {
		return nil, errors.New("cyberark: NewCCP: application ID is empty")
	}
	if strings.ContainsAny(appID, "+&%") {
		return nil, errors.New("cyberark: NewCCP: application ID contains '+', '&' or '%', which the Central Credential Provider does not accept")
	}
	if err := q.validate(); err != nil {
		return nil, err
	}
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(o.reason, "+&%") {
		return nil, errors.New("cyberark: WithReason: the reason contains '+', '&' or '%', which the Central Credential Provider does not accept")
	}
	c := &CCP{
		source:  "cyberark-ccp:" + appID + "/" + q.describe(),
		clock:   o.clock,
		maxSize: o.maxSize,
	}
	var getCert func(*tls.CertificateRequestInfo) (*tls.Certificate, error)
	if o.certPEM != nil {
		c.cert = &certSource{cert: o.certPEM, key: o.keyPEM}
		getCert = c.cert.getClientCertificate
	}
	c.hc, c.tr, err = o.client(getCert)
	if err != nil {
		return nil, err
	}
	params := []struct{ k, v string }{
		{"AppID", appID}, {"Safe", q.Safe}, {"Folder", q.Folder}, {"Object", q.Object},
		{"UserName", q.UserName}, {"Address", q.Address},
		{"Query", q.Query}, {"QueryFormat", q.QueryFormat}, {"Reason", o.reason},
	}
	var qs []string
	for _, p := range params {
		if p.v != "" {
			qs = append(qs, p.k+"="+queryEscape(p.v))
		}
	}
	c.endpoint = serviceRoot(u, "/AIMWebService") + "/api/Accounts?" + strings.Join(qs, "&")
	return c, nil
}

// Source returns "cyberark-ccp:<appid>/<safe>/<object>", or
// "cyberark-ccp:<appid>/query:<query>".
func (c *CCP) Source() string { return c.source }

// Fetch asks the CCP for the password.
func (c *CCP) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, c.fail(err)
	}
	if c.closed.Load() {
		return secrets.Version{}, c.fail(ErrClosed)
	}
	v, err := c.get(ctx)
	if err != nil && errors.Is(err, secrets.ErrPermission) && c.cert != nil && c.cert.changed(ctx) {
		// The CCP refused the certificate of a connection that was set up
		// before the certificate was rotated: connect again with the new one.
		if c.tr != nil {
			c.tr.CloseIdleConnections()
		}
		v, err = c.get(ctx)
	}
	if err != nil {
		return secrets.Version{}, c.fail(err)
	}
	return v, nil
}

func (c *CCP) get(ctx context.Context) (secrets.Version, error) {
	const op = "get password"
	resp, err := send(ctx, c.hc, request{
		op:     op,
		method: http.MethodGet,
		url:    c.endpoint,
		limit:  6*c.maxSize + 64<<10,
	})
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "remote error" {
			// The server sent a TLS alert: it refused the connection,
			// most often because of the client certificate.
			return secrets.Version{}, fmt.Errorf("%w (%w: the CCP refused the TLS connection; check the client certificate and the CA that issued it)", err, secrets.ErrPermission)
		}
		return secrets.Version{}, err
	}
	if resp.status != http.StatusOK {
		return secrets.Version{}, apiError(op, resp.status, resp.body)
	}
	var r struct {
		Content *string `json:"Content"`
	}
	if err := decodeJSONObject(resp.body, &r, "CCP"); err != nil {
		return secrets.Version{}, fmt.Errorf("cyberark: %s: %w", op, err)
	}
	if r.Content == nil {
		return secrets.Version{}, fmt.Errorf("cyberark: %s: %w: the CCP answer has no Content field", op, secrets.ErrMalformed)
	}
	if *r.Content == "" {
		return secrets.Version{}, fmt.Errorf("cyberark: %s: %w: the CCP answer's Content is empty", op, secrets.ErrEmpty)
	}
	if int64(len(*r.Content)) > c.maxSize {
		return secrets.Version{}, fmt.Errorf("cyberark: %s: %w (%d bytes)", op, secrets.ErrTooLarge, c.maxSize)
	}
	s := secrets.New(*r.Content)
	return secrets.Version{Value: s, ID: s.Fingerprint(), Source: c.source, FetchedAt: c.clock.Now()}, nil
}

// Close releases idle connections; Fetch fails with ErrClosed afterwards.
// It is safe to call more than once.
func (c *CCP) Close() error {
	if c.closed.CompareAndSwap(false, true) && c.tr != nil {
		c.tr.CloseIdleConnections()
	}
	return nil
}

func (c *CCP) fail(err error) error { return &secrets.Error{Source: c.source, Err: err} }

// certSource reads the client certificate and key from their providers at
// each TLS handshake, parsing them again only when they changed.
type certSource struct {
	cert, key secrets.Provider

	mu       sync.Mutex
	parsedID string // fingerprints of the parsed pair
	parsed   *tls.Certificate
	used     atomic.Value // string: fingerprints of the pair last handed to a handshake
}

func (s *certSource) getClientCertificate(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
	ctx := info.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	c, id, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.used.Store(id)
	return c, nil
}

func (s *certSource) read(ctx context.Context) (cert, key secrets.Version, err error) {
	cert, err = s.cert.Fetch(ctx)
	if err != nil {
		return cert, key, fmt.Errorf("cyberark: reading the CCP client certificate: %w", err)
	}
	if cert.Value.IsZero() {
		return cert, key, fmt.Errorf("cyberark: the CCP client certificate from %s is empty: %w", cert.Source, secrets.ErrEmpty)
	}
	if s.key != nil {
		key, err = s.key.Fetch(ctx)
		if err != nil {
			return cert, key, fmt.Errorf("cyberark: reading the CCP client key: %w", err)
		}
		if key.Value.IsZero() {
			return cert, key, fmt.Errorf("cyberark: the CCP client key from %s is empty: %w", key.Source, secrets.ErrEmpty)
		}
	}
	return cert, key, nil
}

func (s *certSource) load(ctx context.Context) (*tls.Certificate, string, error) {
	cv, kv, err := s.read(ctx)
	if err != nil {
		return nil, "", err
	}
	id := cv.Value.Fingerprint() + "/" + kv.Value.Fingerprint()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parsed != nil && s.parsedID == id {
		return s.parsed, id, nil
	}
	certPEM := cv.Value.Reveal()
	keyPEM, keySource := certPEM, cv.Source
	if s.key != nil {
		keyPEM, keySource = kv.Value.Reveal(), kv.Source
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		// X509KeyPair's errors describe PEM blocks and key types; they
		// never quote the key.
		return nil, "", fmt.Errorf("cyberark: the CCP client certificate from %s and key from %s are not a usable pair: %w", cv.Source, keySource, err)
	}
	s.parsed, s.parsedID = &pair, id
	return s.parsed, id, nil
}

// changed reports whether the certificate or key at the providers differs
// from the pair last used in a handshake.
func (s *certSource) changed(ctx context.Context) bool {
	cv, kv, err := s.read(ctx)
	if err != nil {
		return false
	}
	used, _ := s.used.Load().(string)
	return used != "" && used != cv.Value.Fingerprint()+"/"+kv.Value.Fingerprint()
}

var _ secrets.Provider = (*CCP)(nil)
