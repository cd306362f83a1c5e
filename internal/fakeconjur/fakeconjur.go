// Package fakeconjur is an in-memory CyberArk Conjur server on loopback
// that speaks the part of Conjur's REST API that conjur-api-go uses to read
// secrets, and checks what Conjur checks.
//
// A real Conjur cannot run here (it is a Rails application whose gems are
// unreachable), so hubkey's Conjur provider is tested with the real
// conjur-api-go client against this fake. It implements, with Conjur's
// status codes and JSON error shapes:
//
//   - POST /authn/{account}/{login}/authenticate: the API key is the body,
//     the login is URL-escaped (host%2Fmyapp); the answer is a signed access
//     token in Conjur's JSON form {"protected","payload","signature"}, the
//     payload (URL-safe base64, as Slosilo writes it) carrying sub, iat and
//     exp;
//   - POST /authn-jwt/{service-id}/{account}[/{host-id}]/authenticate: a
//     "jwt=" form body, verified against the service's signing key, issuer,
//     expiry and the hosts allowed to use the service;
//   - GET /secrets/{account}/{kind}/{identifier}, with ?version=N, and POST
//     to the same path to add a version (twenty versions are kept);
//   - GET /secrets?variable_ids=a,b (also /secrets/?..., which is what
//     conjur-api-go sends, with the commas escaped as %2C), with
//     Accept-Encoding: base64 answered the way Conjur does (Ruby's
//     Base64.encode64, newlines included, and Content-Encoding: base64);
//   - GET /resources/{account}/{kind}/{identifier}, whose "secrets" member
//     lists the versions kept.
//
// Every call but authentication needs Authorization: Token token="<base64 of
// the token JSON>" carrying a token this server signed with its current key
// that has not expired on its clock; otherwise the answer is 401 with an
// empty body, as Conjur answers. A role with no privilege on a resource gets
// 404 (Conjur does not reveal that the resource exists); a role that can see
// it but lacks the privilege gets 403.
//
// The test controls the server: roles and their API keys (rotate, revoke),
// variables and their versions, privileges, JWT services, the token TTL and
// signing key (InvalidateTokens makes every issued token fail, as a key
// rotation does), injected failures, and a journal and counters of what
// clients did.
//
// Access tokens are signed with Ed25519 rather than Conjur's RSA (Slosilo):
// no client verifies the signature, and the server verifies its own.
package fakeconjur

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/hubkey/hubkey/clock"
)

// DefaultTokenTTL is how long the access tokens that Conjur issues live.
const DefaultTokenTTL = 8 * time.Minute

// MaxVersions is how many versions of a variable Conjur keeps.
const MaxVersions = 20

// Server is a fake Conjur. Its methods are safe for concurrent use.
type Server struct {
	// URL is the appliance URL, http://127.0.0.1:port.
	URL string
	// Account is the Conjur organization account the server serves.
	Account string

	hs  *httptest.Server
	clk clock.Clock
	tls bool

	mu       sync.Mutex
	ttl      time.Duration
	key      ed25519.PrivateKey
	kid      string
	roles    map[string]*role     // by login: "host/myapp", "alice"
	vars     map[string]*variable // by identifier
	perms    map[string]map[string]bool
	services map[string]*jwtService
	faults   []*fault
	journal  []Request
	stats    Stats
	authns   map[string]int
}

type role struct {
	apiKey string // "" when revoked
}

type variable struct {
	versions []version // oldest first, at most MaxVersions
	next     int       // number of the next version
}

type version struct {
	n     int
	value []byte
}

type jwtService struct {
	issuer  string
	pub     *ecdsa.PublicKey
	allowed map[string]bool
}

type fault struct {
	prefix string
	status int
	left   int
}

// Option configures a Server.
type Option func(*Server)

// WithAccount sets the account (default "myorg").
func WithAccount(account string) Option { return func(s *Server) { s.Account = account } }

// WithClock sets the clock that token issue and expiry are read on (default
// the system clock).
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clk = c } }

// WithTokenTTL sets the lifetime of issued access tokens (default
// DefaultTokenTTL).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// WithTLS serves HTTPS with a self-signed certificate (see CACertPEM)
// instead of plain HTTP.
func WithTLS() Option { return func(s *Server) { s.tls = true } }

// New starts a Server on 127.0.0.1. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		Account:  "myorg",
		ttl:      DefaultTokenTTL,
		roles:    map[string]*role{},
		vars:     map[string]*variable{},
		perms:    map[string]map[string]bool{},
		services: map[string]*jwtService{},
		authns:   map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.clk = clock.Or(s.clk)
	s.newSigningKeyLocked()
	if s.tls {
		s.hs = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	} else {
		s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	s.URL = s.hs.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// Client returns an HTTP client for the server, which trusts its
// certificate under WithTLS.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// CACertPEM returns the PEM form of the server's certificate under WithTLS,
// and nil otherwise.
func (s *Server) CACertPEM() []byte {
	if !s.tls {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.hs.Certificate().Raw})
}

// AddRole creates the role login ("host/myapp" for a host, "alice" for a
// user) if it does not exist, gives it a new API key, and returns the key.
func (s *Server) AddRole(login string) (apiKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := newAPIKey()
	s.roles[login] = &role{apiKey: key}
	return key
}

// RotateAPIKey replaces login's API key with a new one and returns it; the
// old key stops working at once. Access tokens already issued stay valid
// until they expire, as in Conjur.
func (s *Server) RotateAPIKey(login string) (apiKey string) { return s.AddRole(login) }

// RevokeAPIKey makes every API key of login fail to authenticate.
func (s *Server) RevokeAPIKey(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.roles[login]; ok {
		r.apiKey = ""
	}
}

// DeleteRole removes login: it can no longer authenticate, by any
// authenticator, and the tokens issued to it are refused.
func (s *Server) DeleteRole(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.roles, login)
}

// SetVariable stores value as a new version of the variable id (creating
// the variable if needed) and returns the version's number. Only the last
// MaxVersions versions are kept.
func (s *Server) SetVariable(id, value string) (version int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addVersionLocked(id, []byte(value))
}

func (s *Server) addVersionLocked(id string, value []byte) int {
	v := s.vars[id]
	if v == nil {
		v = &variable{next: 1}
		s.vars[id] = v
	}
	n := v.next
	v.next++
	v.versions = append(v.versions, version{n: n, value: append([]byte(nil), value...)})
	if len(v.versions) > MaxVersions {
		v.versions = append([]version(nil), v.versions[len(v.versions)-MaxVersions:]...)
	}
	return n
}

// DeclareVariable creates the variable id with no value, as a policy that
// declares it does.
func (s *Server) DeclareVariable(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vars[id] == nil {
		s.vars[id] = &variable{next: 1}
	}
}

// DeleteVariable removes the variable id and all its versions.
func (s *Server) DeleteVariable(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vars, id)
}

// Variable returns the value of the latest version of id and its number.
func (s *Server) Variable(id string) (value string, version int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.vars[id]
	if v == nil || len(v.versions) == 0 {
		return "", 0, false
	}
	last := v.versions[len(v.versions)-1]
	return string(last.value), last.n, true
}

// Permit grants login the privileges ("read", "execute", "update") on the
// variable id. The variable need not exist yet.
func (s *Server) Permit(login, id string, privileges ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range privileges {
		k := permKey(login, id)
		if s.perms[k] == nil {
			s.perms[k] = map[string]bool{}
		}
		s.perms[k][p] = true
	}
}

// Deny takes the privileges from login on the variable id; with none
// given, it takes them all.
func (s *Server) Deny(login, id string, privileges ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := permKey(login, id)
	if len(privileges) == 0 {
		delete(s.perms, k)
		return
	}
	for _, p := range privileges {
		delete(s.perms[k], p)
	}
}

func permKey(login, id string) string { return login + "\x00" + id }

func (s *Server) allowedLocked(login, id, privilege string) bool {
	return s.perms[permKey(login, id)][privilege]
}

func (s *Server) visibleLocked(login, id string) bool {
	return len(s.perms[permKey(login, id)]) > 0
}

// SetTokenTTL sets the lifetime of access tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	s.ttl = d
	s.mu.Unlock()
}

// InvalidateTokens replaces the token-signing key, so that every access
// token issued so far is refused with 401 (as after a key rotation), while
// new authentications succeed.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	s.newSigningKeyLocked()
	s.mu.Unlock()
}

func (s *Server) newSigningKeyLocked() {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic("fakeconjur: generating the token-signing key: " + err.Error())
	}
	s.key = priv
	var id [16]byte
	_, _ = rand.Read(id[:])
	s.kid = hex.EncodeToString(id[:])
}

// FailNext makes the next n requests whose path starts with prefix (for
// example "/secrets" or "/authn/") fail with status, before any other
// check. The body is Conjur's JSON error shape for 404 and 422, and empty
// otherwise, as Conjur answers.
func (s *Server) FailNext(prefix string, status, n int) {
	s.mu.Lock()
	s.faults = append(s.faults, &fault{prefix: prefix, status: status, left: n})
	s.mu.Unlock()
}

// Stats counts what clients did.
type Stats struct {
	Authentications       int // successful authentications, all authenticators
	FailedAuthentications int // refused authentications
	SecretReads           int // single-variable reads answered 200
	BatchReads            int // batch reads answered 200
	ResourceReads         int // resource reads answered 200
	Unauthorized          int // calls refused with 401 because of the access token
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Authentications returns how many times login authenticated successfully.
func (s *Server) Authentications(login string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authns[login]
}

// Request is one call in the journal.
type Request struct {
	Method string
	// Path is the path as it was sent, escapes included.
	Path string
	// RawQuery is the query as it was sent.
	RawQuery string
	// Status is the status of the answer.
	Status int
	// Login is the role the call authenticated as, or tried to.
	Login string
	// Credential is the fingerprint (secrets.Secret.Fingerprint) of the API
	// key or JWT an authentication presented, so tests can tell which one
	// was sent without the journal holding it.
	Credential string
}

// Journal returns every call so far, oldest first.
func (s *Server) Journal() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.journal...)
}

func newAPIKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("fakeconjur: generating an API key: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func equalKeys(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
