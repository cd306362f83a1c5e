// Package fakecyberark is an in-memory CyberArk for tests and examples: a
// CyberArk Identity tenant that issues platform tokens, a PasswordVault REST
// API (PVWA), and a Central Credential Provider behind mutual TLS, each on
// its own 127.0.0.1 listener.
//
// It checks what CyberArk checks: the platform token or session token on
// every call and its expiry (read from an injectable clock), the retrieval
// reason, the search filter, safe membership, and for the CCP the
// application's client certificate (issued by a certificate authority the
// fake makes at start) or its allowed machines. It answers with CyberArk's
// error bodies: {"ErrorCode","ErrorMessage"} from the PVWA,
// {"ErrorCode","ErrorMsg"} from the CCP, and OAuth 2.0 errors from the
// identity tenant. Tests set and rotate passwords and count logons.
package fakecyberark

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// Server is a running fake CyberArk. It is safe for concurrent use.
type Server struct {
	clock    clock.Clock
	ca       *authority
	identity *httptest.Server
	pvwa     *httptest.Server
	ccp      *httptest.Server

	mu            sync.Mutex
	tokenTTL      time.Duration
	sessionTTL    time.Duration
	requireReason bool
	safes         map[string]int // lower-case safe name -> number used in account ids
	accounts      map[string]*account
	nextAccount   int
	principals    map[string]*principal // lower-case name
	tokens        map[string]*grant     // platform tokens
	sessions      map[string]*grant     // PVWA session tokens
	apps          map[string]*App       // lower-case AppID
	intercept     func(http.ResponseWriter, *http.Request) bool
	stats         Stats
	reasons       []string
	calls         []Call
}

// Stats counts what the fake has served.
type Stats struct {
	PlatformTokens int // platform tokens issued
	TokenFailures  int // platform token requests refused
	Logons         int // successful PVWA logons
	FailedLogons   int // refused PVWA logons
	Logoffs        int // PVWA logoffs
	Unauthorized   int // PVWA calls refused with 401 (no, bad or expired token)
	Searches       int // account searches
	AccountReads   int // GET Accounts/{id}
	Retrieves      int // passwords handed out by the PVWA
	CCPRequests    int // CCP GetPassword requests, whatever their outcome
	CCPSuccesses   int // passwords handed out by the CCP
}

// Call is one request the fake received.
type Call struct {
	Server string // "identity", "pvwa" or "ccp"
	Method string
	Path   string
	Query  string // raw query
}

// Account is a password account in a safe.
type Account struct {
	Safe       string
	Name       string // the account (object) name
	UserName   string
	Address    string
	Folder     string // CCP folder; default "Root"
	PlatformID string
	Password   string
}

type account struct {
	Account
	id       string
	created  time.Time
	modified time.Time
}

// App is a Central Credential Provider application (an AppID).
type App struct {
	ID string
	// Safes the application (and its provider) is a member of.
	Safes []string
	// RequireCert demands a client certificate issued by the fake's CA,
	// with CertCN as its subject common name when CertCN is set.
	RequireCert bool
	CertCN      string
	// AllowedMachines, when set, lists the client IP addresses allowed.
	AllowedMachines []string
}

type principal struct {
	name     string
	secret   string
	oauth    bool   // an identity OAuth client; else a PVWA user
	method   string // PVWA logon method, lower-case
	safes    map[string]bool
	retrieve map[string]bool
}

type grant struct {
	p        *principal
	expires  time.Time // platform tokens
	lastUsed time.Time // sessions
}

// Option configures a Server.
type Option func(*config)

type config struct {
	clock      clock.Clock
	tokenTTL   time.Duration
	sessionTTL time.Duration
	clientAuth tls.ClientAuthType
}

// WithClock sets the clock token lifetimes and modification times are read
// from (default: the system clock).
func WithClock(c clock.Clock) Option { return func(cf *config) { cf.clock = c } }

// WithTokenTTL sets the platform token lifetime, its expires_in (default
// 15 minutes).
func WithTokenTTL(d time.Duration) Option { return func(cf *config) { cf.tokenTTL = d } }

// WithSessionTTL sets how long a PVWA session lasts without use (default
// 20 minutes, the PVWA's default).
func WithSessionTTL(d time.Duration) Option { return func(cf *config) { cf.sessionTTL = d } }

// WithCCPClientAuth sets the CCP listener's TLS client authentication
// (default tls.VerifyClientCertIfGiven, so that allowed-machines
// applications connect without a certificate). tls.RequireAndVerifyClientCert
// makes the TLS layer refuse a connection without one, as an IIS site set to
// require client certificates does.
func WithCCPClientAuth(t tls.ClientAuthType) Option { return func(cf *config) { cf.clientAuth = t } }

// New starts a fake CyberArk on three 127.0.0.1 listeners. Close it when
// done.
func New(opts ...Option) (*Server, error) {
	cf := config{tokenTTL: 15 * time.Minute, sessionTTL: 20 * time.Minute, clientAuth: tls.VerifyClientCertIfGiven}
	for _, o := range opts {
		o(&cf)
	}
	ca, err := newAuthority("fake CyberArk CA")
	if err != nil {
		return nil, fmt.Errorf("fakecyberark: making the CA: %w", err)
	}
	srvCert, err := ca.serverCert()
	if err != nil {
		return nil, fmt.Errorf("fakecyberark: issuing the CCP server certificate: %w", err)
	}
	s := &Server{
		clock:         clock.Or(cf.clock),
		ca:            ca,
		tokenTTL:      cf.tokenTTL,
		sessionTTL:    cf.sessionTTL,
		requireReason: true,
		safes:         map[string]int{},
		accounts:      map[string]*account{},
		principals:    map[string]*principal{},
		tokens:        map[string]*grant{},
		sessions:      map[string]*grant{},
		apps:          map[string]*App{},
	}
	quiet := log.New(io.Discard, "", 0)
	s.identity = httptest.NewUnstartedServer(s.wrap("identity", s.serveIdentity))
	s.identity.Config.ErrorLog = quiet
	s.identity.Start()
	s.pvwa = httptest.NewUnstartedServer(s.wrap("pvwa", s.servePVWA))
	s.pvwa.Config.ErrorLog = quiet
	s.pvwa.Start()
	s.ccp = httptest.NewUnstartedServer(s.wrap("ccp", s.serveCCP))
	s.ccp.Config.ErrorLog = quiet
	s.ccp.TLS = &tls.Config{
		Certificates: []tls.Certificate{srvCert},
		ClientCAs:    ca.pool,
		ClientAuth:   cf.clientAuth,
		MinVersion:   tls.VersionTLS12,
	}
	s.ccp.StartTLS()
	return s, nil
}

// Close shuts the three listeners down.
func (s *Server) Close() {
	s.identity.Close()
	s.pvwa.Close()
	s.ccp.Close()
}

// IdentityURL is the identity tenant, for cyberark.PlatformToken.
func (s *Server) IdentityURL() string { return s.identity.URL }

// PVWAURL is the PVWA (http, loopback), without the /PasswordVault root.
func (s *Server) PVWAURL() string { return s.pvwa.URL }

// CCPURL is the Central Credential Provider (https, loopback), without
// the /AIMWebService root.
func (s *Server) CCPURL() string { return s.ccp.URL }

// RootCAs is a pool holding the fake's CA, which issued the CCP's server
// certificate.
func (s *Server) RootCAs() *x509.CertPool { return s.ca.pool }

// IssueClientCert issues a client certificate for cn from the fake's CA,
// which the CCP trusts. Both are PEM.
func (s *Server) IssueClientCert(cn string) (certPEM, keyPEM []byte, err error) {
	return s.ca.issue(cn, false)
}

// AddOAuthClient registers an identity OAuth confidential client (a
// Privilege Cloud service user) that can get platform tokens.
func (s *Server) AddOAuthClient(clientID, secret string) error {
	return s.addPrincipal(&principal{name: clientID, secret: secret, oauth: true})
}

// AddUser registers a PVWA user that logs on with method ("CyberArk",
// "LDAP" or "RADIUS").
func (s *Server) AddUser(method, username, password string) error {
	switch strings.ToLower(method) {
	case "cyberark", "ldap", "radius":
	default:
		return fmt.Errorf("fakecyberark: unknown logon method %q", method)
	}
	return s.addPrincipal(&principal{name: username, secret: password, method: strings.ToLower(method)})
}

func (s *Server) addPrincipal(p *principal) error {
	if p.name == "" || p.secret == "" {
		return errors.New("fakecyberark: a principal needs a name and a secret")
	}
	p.safes, p.retrieve = map[string]bool{}, map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(p.name)
	if _, ok := s.principals[k]; ok {
		return fmt.Errorf("fakecyberark: principal %q exists", p.name)
	}
	s.principals[k] = p
	return nil
}

// SetSecret changes the client secret or password of a client or user;
// tokens and sessions already issued stay valid.
func (s *Server) SetSecret(name, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.principals[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("fakecyberark: no principal %q", name)
	}
	p.secret = secret
	return nil
}

// Grant makes a client or user a member of safe: it can list the safe's
// accounts, and retrieve their passwords when retrieve is set.
func (s *Server) Grant(name, safe string, retrieve bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.principals[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("fakecyberark: no principal %q", name)
	}
	k := strings.ToLower(safe)
	p.safes[k] = true
	p.retrieve[k] = retrieve
	return nil
}

// Revoke removes a client or user from safe.
func (s *Server) Revoke(name, safe string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.principals[strings.ToLower(name)]
	if !ok {
		return fmt.Errorf("fakecyberark: no principal %q", name)
	}
	delete(p.safes, strings.ToLower(safe))
	delete(p.retrieve, strings.ToLower(safe))
	return nil
}

// AddAccount stores an account and returns its id ("<safe>_<n>", as the
// PVWA forms them).
func (s *Server) AddAccount(a Account) (string, error) {
	if a.Safe == "" || a.Name == "" {
		return "", errors.New("fakecyberark: an account needs a safe and a name")
	}
	if a.Folder == "" {
		a.Folder = "Root"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sk := strings.ToLower(a.Safe)
	n, ok := s.safes[sk]
	if !ok {
		n = len(s.safes) + 2
		s.safes[sk] = n
	}
	s.nextAccount++
	now := s.clock.Now()
	acc := &account{Account: a, id: fmt.Sprintf("%d_%d", n, s.nextAccount), created: now, modified: now}
	s.accounts[acc.id] = acc
	return acc.id, nil
}

// SetPassword changes an account's password, as a CPM rotation or a user
// would; its lastModifiedTime becomes now.
func (s *Server) SetPassword(id, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return fmt.Errorf("fakecyberark: no account %q", id)
	}
	a.Password = password
	a.modified = s.clock.Now()
	return nil
}

// Password returns an account's current password.
func (s *Server) Password(id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return "", fmt.Errorf("fakecyberark: no account %q", id)
	}
	return a.Password, nil
}

// DeleteAccount removes an account.
func (s *Server) DeleteAccount(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[id]; !ok {
		return fmt.Errorf("fakecyberark: no account %q", id)
	}
	delete(s.accounts, id)
	return nil
}

// AddApplication registers (or replaces) a CCP application.
func (s *Server) AddApplication(app App) error {
	if app.ID == "" {
		return errors.New("fakecyberark: an application needs an ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := app
	a.Safes = append([]string(nil), app.Safes...)
	a.AllowedMachines = append([]string(nil), app.AllowedMachines...)
	s.apps[strings.ToLower(app.ID)] = &a
	return nil
}

// SetRequireReason sets whether Password/Retrieve demands a reason (the
// default) or accepts none.
func (s *Server) SetRequireReason(require bool) {
	s.mu.Lock()
	s.requireReason = require
	s.mu.Unlock()
}

// ExpireTokens ends every platform token and PVWA session, as expiry or an
// administrator would; the next call with one gets 401.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	clear(s.tokens)
	clear(s.sessions)
	s.mu.Unlock()
}

// ActiveSessions returns how many PVWA sessions are open.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Intercept installs f in front of all three servers: when f returns true
// it has answered the request and the fake does nothing more. Tests use it
// to inject faults; nil removes it.
func (s *Server) Intercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.intercept = f
	s.mu.Unlock()
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Reasons returns the reasons given with each successful PVWA retrieval,
// in order.
func (s *Server) Reasons() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reasons...)
}

// Calls returns every request received, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) wrap(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls = append(s.calls, Call{Server: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery})
		ic := s.intercept
		s.mu.Unlock()
		if ic != nil && ic(w, r) {
			return
		}
		h(w, r)
	})
}

// newToken returns a random opaque token.
func newToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("fakecyberark: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// readBody reads a request body of at most 64 KiB.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	if err != nil {
		return nil, err
	}
	if len(b) > 64<<10 {
		return nil, errors.New("request body too large")
	}
	return b, nil
}

func sortedAccounts(m map[string]*account, keep func(*account) bool) []*account {
	var out []*account
	for _, a := range m {
		if keep(a) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
