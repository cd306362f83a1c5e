// Package hubspottest is an in-memory HubSpot for tests, in the manner of
// net/http/httptest: [NewServer] starts it on loopback and the test's
// Cleanup closes it.
//
// It behaves like HubSpot wherever a client can tell: the CRM v3 object
// endpoints (get, create, update, archive, list, search, batch) for
// contacts, companies, deals, tickets, products, line items, quotes, the
// activity types (notes, calls, emails, meetings, tasks, communications
// and postal mail, each with its own properties, hs_timestamp required
// on create, and HubSpot's default association types to and from
// contacts, companies, deals and tickets) and custom objects (named
// freely, or defined through the custom object schemas API, after which a
// type answers to its object type ID and fully qualified name alike, has
// the schema's properties and requires its required ones), with
// HubSpot's status codes, JSON shapes, paging
// cursors, search operators and limits, batch limits and 207 partial
// failures, error bodies (INVALID_AUTHENTICATION, MISSING_SCOPES,
// OBJECT_NOT_FOUND, VALIDATION_ERROR, CONFLICT, RATE_LIMITS), and the
// X-HubSpot-RateLimit-* headers on every answer but a search's (see
// [RateLimit]); upserts by a unique idProperty only, as on HubSpot; merges (the merged record gets a new ID
// and the former IDs resolve to it) and GDPR deletes of contacts; the
// associations v4 API (labeled and default links, paged lists, batch
// read, create, archive, default links and label removal with HubSpot's
// limits, association labels) and the v3 associations batch calls, whose
// links the object reads with associations= show; the properties API
// (properties, batches of them, and groups), seeded with HubSpot's default properties
// of each standard object type, a representative set for each activity type, against which every write is checked as
// HubSpot checks it (a property that does not exist is 400
// PROPERTY_DOESNT_EXIST, per input in batches; values must suit the
// property's type and options; see [WithProperties] for a test's own
// properties), and which reads follow (the record ID, createdate and the
// last modification date are always returned; names that are not
// properties are left out); the pipelines API, seeded with HubSpot's
// default Sales and Support pipelines, with the audit of each pipeline's
// and stage's changes; the owners API, over owners a test
// adds with [Server.AddOwner]; the lists v3 API (manual, dynamic and
// snapshot lists whose filters are checked and evaluated against the
// stored records after a processing time, [WithListProcessingTime];
// memberships, folders, deletion and restore; see [Server.Lists]); user
// provisioning, over the teams and roles a test adds with
// [Server.AddTeam] and [Server.AddRole]; communication preferences v4,
// over the subscription types a test adds with
// [Server.AddSubscriptionType]; CRM exports, which go PENDING, PROCESSING
// and COMPLETE on the server's clock ([WithExportTiming]) and whose file
// the server streams from a short-lived download URL ([Server.Exports],
// [WithExportRowLimit]); CRM imports, multipart uploads read a row at a
// time, checked against the type's properties and applied, with row
// errors kept and limits on files, bytes and rows ([WithImportLimits],
// [WithImportProcessingTime], [Server.Imports]); transactional email,
// single sends to contacts kept in a journal of sends ([Server.Sends],
// [Server.AddTransactionalEmail], [WithTransactionalSendLimit]) and SMTP
// API tokens whose passwords the server keeps only as fingerprints;
// marketing emails a test adds ([Server.AddMarketingEmail]), published at
// once or scheduled on the server's clock ([Server.MarketingEmails]);
// marketing forms v3, a visitor's submission (which takes no token and is
// checked against the form's fields), and the submissions of a form (form
// integrations v1, newest first), which a test may also add with
// [Server.AddFormSubmission]; files v3 (multipart uploads streamed
// through a size limit, [WithFileSizeLimit]; imports from a URL that go
// PENDING, PROCESSING and COMPLETE on the server's clock,
// [WithFileImportTiming], and fetch only the server's own files or
// through [WithFileFetcher]; search, update, archive; signed URLs for
// private files, which the server serves until they expire; folders;
// [Server.Files], [Server.FileContent]); timeline events v3, kept per
// record for a test to read back ([Server.TimelineEvents]); and the
// account information API, whose daily usage counts each key's calls
// ([Server.APIUsage]). It also serves the Webhooks API v3 (an app's
// webhook settings and subscriptions, as HubSpot's current reference has
// them) and the timeline's event templates and their tokens,
// authenticated as on HubSpot by a developer API key in the hapikey query
// parameter ([Server.NewDeveloperKey]).
//
// hubkey's own tests validate the server's answers against HubSpot's
// published OpenAPI schemas for every operation it serves.
//
// Every operation is served at its numbered path (/crm/v3/..., /crm/v4/...)
// and at each of HubSpot's date-based paths that offer it
// (/crm/objects/2025-09/..., /crm/objects/2026-03/..., 2026-09), with the
// same behaviour: the routes come from hubkey's operation catalogue, which
// hubkey's client reads too. A path the server does not serve, including
// a HubSpot operation it does not implement, is answered 404 with HubSpot's
// error body (category OBJECT_NOT_FOUND), and a path it serves with other
// methods 405 with an Allow header, both before any credential is checked.
//
// Access is by private-app-style tokens made with [Server.NewToken], each
// with its own scopes, checked per call against the scopes HubSpot
// accepts for the operation: where several scopes allow a call (products
// take crm.objects.products.read or e-commerce), any one of them will do. Tokens can be revoked, suspended and rotated with a
// grace period, and through [Server.NewKey] bound to an IP allow list, a
// signature requirement (on every call, or on the sensitive ones:
// [SensitiveCall]) and per-token rate limits: the key policy HubSpot's
// users asked for, from package keypolicy. Every call is journalled, with
// its path as received, by token fingerprint, never by token. Faults (error statuses, latency,
// dropped connections) can be injected for the next calls.
//
// OAuth apps made with [Server.NewOAuthApp] get HubSpot's token endpoint
// (/oauth/v1/token and /oauth/v3/token, refresh-token and
// authorization-code grants, refusals carrying both HubSpot's status and
// RFC 6749's error code): the access tokens it issues are keys with the
// app's scopes that expire on the server's clock, then answer 401
// EXPIRED_AUTHENTICATION. Tokens can be inspected
// (GET /oauth/v1/access-tokens/{token}, /oauth/v1/refresh-tokens/{token},
// or POST /oauth/v3/token/introspect with the app's client credentials,
// which reports another app's tokens inactive) and refresh tokens revoked
// (DELETE /oauth/v1/refresh-tokens/{token}, POST /oauth/v3/token/revoke,
// which answers 200 for a token it did not know as RFC 7009 has it, or
// [Server.RevokeRefreshToken]).
//
// The package does not import hubkey's client, so the client's own tests
// can use it; it speaks HubSpot's wire format with its own types.
package hubspottest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// AllScopes lists every scope the server knows, so that
// srv.NewToken(hubspottest.AllScopes...) makes a token that may call
// anything.
var AllScopes = endpoints.KnownScopes()

// RateLimit is a per-token rate limit in HubSpot's terms. Zero fields mean
// no limit of that kind; the zero RateLimit (the default) limits nothing,
// so tests are fast unless they opt in. A token with no limit still gets
// HubSpot's X-HubSpot-RateLimit-* headers for the default tier, counting
// its calls but refusing none: 100 calls per 10 seconds and the Account's
// DailyLimit a day, or 110 per 10 seconds and no daily headers for an OAuth
// access token.
type RateLimit struct {
	// Max calls in any rolling Interval (TEN_SECONDLY_ROLLING; HubSpot's
	// tiers are 100, 190 and 250 per 10 s).
	Max      int
	Interval time.Duration
	// SearchPerSecond limits CRM search calls (SECONDLY; HubSpot: 5).
	SearchPerSecond int
	// Daily limits calls per UTC day (DAILY).
	Daily int
}

func (r RateLimit) limits() keypolicy.Limits {
	return keypolicy.Limits{Max: r.Max, Interval: r.Interval, SearchPerSecond: r.SearchPerSecond, Daily: r.Daily}
}

type config struct {
	clock       clock.Clock
	logger      *slog.Logger
	rateLimit   RateLimit
	verifier    keypolicy.SignatureVerifier
	sensitive   func(*http.Request) bool
	journalSize int
	unique      map[string][]string
	declared    map[string][]string // WithProperties
	// oauthLifetime is the OAuth access token lifetime (oauth.go).
	oauthLifetime time.Duration
	// listProcessing is how long lists with filters process (lists.go).
	listProcessing time.Duration
	// Exports (exports.go): how long an export is pending, then
	// processing, and the most records one may cover.
	exportPending, exportProcessing time.Duration
	exportRows                      int
	// Imports (imports.go).
	importLimits     ImportLimits
	importProcessing time.Duration
	// Transactional sends (transactional.go): the send limit; 0 for none.
	sendMax    int
	sendWindow time.Duration
	// Files (files.go): the size limit, import timing and fetcher; the
	// zero value is the defaults.
	files fileConfig
}

// Option configures a Server. An option given a value it cannot use makes
// NewServer fail its test, and Start return an error, naming it.
type Option func(*config) error

// WithClock sets the clock for timestamps, token expiry, rate-limit
// windows and injected latency. Default: the system clock.
func WithClock(c clock.Clock) Option {
	return func(c2 *config) error { c2.clock = clock.Or(c); return nil }
}

// WithLogger sets a logger for one Debug line per call (method, path,
// status, token fingerprint). Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithRateLimit sets the rate limit every new token gets.
func WithRateLimit(r RateLimit) Option {
	return func(c *config) error {
		if err := r.limits().Validate(); err != nil {
			return fmt.Errorf("hubspottest: WithRateLimit: %w", err)
		}
		c.rateLimit = r
		return nil
	}
}

// WithSignatureVerifier sets the verifier for tokens made with
// RequireSignature (see [Server.NewKey]). Without one, such tokens are
// refused.
func WithSignatureVerifier(v keypolicy.SignatureVerifier) Option {
	return func(c *config) error { c.verifier = v; return nil }
}

// WithSignaturePolicy limits the signature requirement of tokens made
// with RequireSignature to the calls sensitive matches (deletes, merges,
// GDPR deletions...); by default such tokens must sign every call.
func WithSignaturePolicy(sensitive func(r *http.Request) bool) Option {
	return func(c *config) error { c.sensitive = sensitive; return nil }
}

// WithJournalSize sets how many calls the journal keeps (default
// keypolicy.DefaultJournalSize); older calls give way.
func WithJournalSize(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("hubspottest: WithJournalSize(%d): the size must not be negative", n)
		}
		c.journalSize = n
		return nil
	}
}

// WithUniqueProperty makes property unique among objects of objectType,
// so it can be used as an idProperty and duplicates are refused with 409.
// A property objectType does not have is defined, as WithProperties does,
// with hasUniqueValue set. Contacts' email is always unique.
func WithUniqueProperty(objectType, property string) Option {
	return func(c *config) error {
		if objectType == "" || property == "" {
			return fmt.Errorf("hubspottest: WithUniqueProperty(%q, %q): name an object type and a property", objectType, property)
		}
		t := canonicalType(objectType)
		c.unique[t] = append(c.unique[t], property)
		return nil
	}
}

// WithProperties defines properties of objectType besides the HubSpot
// defaults the server starts with, as the test's account would have them:
// single-line text properties (type string, field type text) in the
// type's first property group. Writes that name a property the type does
// not have are refused with HubSpot's 400 PROPERTY_DOESNT_EXIST, so a test
// that writes its own properties defines them here, or, with other types
// and options, through the properties API.
func WithProperties(objectType string, names ...string) Option {
	return func(c *config) error {
		if objectType == "" {
			return fmt.Errorf("hubspottest: WithProperties(%q, ...): name an object type", objectType)
		}
		t := canonicalType(objectType)
		c.declared[t] = append(c.declared[t], names...)
		return nil
	}
}

// Server is an in-memory HubSpot.
type Server struct {
	t       failer
	ts      *httptest.Server
	cfg     config
	clock   clock.Clock
	keys    *keypolicy.Store
	journal *keypolicy.Journal
	db      *db

	closeOnce sync.Once

	mu     sync.Mutex
	faults []*Fault

	hooks webhookState // developer keys and the Webhooks API
	oauth oauthState   // OAuth apps and the token endpoint (oauth.go)
	burst burstCounter // calls of tokens without limits, for the headers (ratelimit.go)
}

// NewServer starts a Server on 127.0.0.1; t.Cleanup closes it. Methods
// that cannot do what they are asked (an unknown scope name, say) fail t.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := start(t, opts)
	if err != nil {
		t.Fatalf("hubspottest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server on 127.0.0.1 outside a test, for examples and
// programs that want a HubSpot to talk to; Close it when done. Where a
// Server made by NewServer would fail its test (an unknown scope name
// given to NewToken, say), one made by Start panics, as template.Must does.
func Start(opts ...Option) (*Server, error) { return start(panicFailer{}, opts) }

// failer is the part of testing.TB the Server reports misuse through.
type failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

type panicFailer struct{}

func (panicFailer) Helper() {}
func (panicFailer) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

func start(t failer, opts []Option) (*Server, error) {
	cfg := config{listProcessing: defaultListProcessing, exportPending: time.Second, exportProcessing: time.Second, exportRows: DefaultExportRowLimit, importLimits: DefaultImportLimits, importProcessing: time.Second, clock: clock.System, logger: slog.New(slog.DiscardHandler), unique: map[string][]string{}, declared: map[string][]string{}}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.checkOAuth(); err != nil {
		return nil, err
	}
	s := &Server{
		t:       t,
		cfg:     cfg,
		clock:   cfg.clock,
		journal: keypolicy.NewJournal(cfg.journalSize),
	}
	kopts := []keypolicy.Option{keypolicy.WithClock(cfg.clock), keypolicy.WithSignatureVerifier(cfg.verifier), keypolicy.WithSearchMatcher(isSearchCall)}
	if cfg.sensitive != nil {
		kopts = append(kopts, keypolicy.WithSignaturePolicy(cfg.sensitive))
	}
	keys, err := keypolicy.NewStore(kopts...)
	if err != nil {
		return nil, err
	}
	s.keys = keys
	s.db = newDB(cfg.clock, cfg.unique, cfg.declared)
	s.ts = httptest.NewServer(s)
	return s, nil
}

// URL returns the base URL, "http://127.0.0.1:PORT", without a trailing
// slash.
func (s *Server) URL() string { return s.ts.URL }

// Client returns an *http.Client that talks to the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down, ending calls in progress (an injected
// latency stops waiting); it is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Policy returns the key policy store behind the server's tokens, for what
// the Server's own token methods do not cover (updating a token's scopes or
// allow list, listing key records, resetting rate-limit budgets).
func (s *Server) Policy() *keypolicy.Store { return s.keys }

// NewToken makes a private-app-style token ("pat-na1-" and 256 random
// bits) with the given HubSpot scopes and the server's rate limit. An
// unknown scope name fails the test. Like every method that can fail the
// test, call it from the test's goroutine.
func (s *Server) NewToken(scopeNames ...string) string {
	s.t.Helper()
	return s.NewKey(keypolicy.Spec{Scopes: scopeNames})
}

// NewKey makes a token from a full key spec: scopes, IP allow list,
// signature requirement, per-token limits, expiry. A zero spec.Limits gets
// the server's rate limit; an empty spec.Prefix gets "pat-na1-". A bad spec
// or an unknown scope name fails the test.
func (s *Server) NewKey(spec keypolicy.Spec) string {
	s.t.Helper()
	for _, sc := range spec.Scopes {
		if !endpoints.IsKnownScope(sc) {
			s.t.Fatalf("hubspottest: unknown scope %q (known: %s)", sc, strings.Join(AllScopes, ", "))
		}
	}
	if spec.Limits == (keypolicy.Limits{}) {
		spec.Limits = s.cfg.rateLimit.limits()
	}
	if spec.Prefix == "" {
		spec.Prefix = "pat-na1-"
	}
	_, tok, err := s.keys.Create(spec)
	if err != nil {
		s.t.Fatalf("hubspottest: making a token: %v", err)
	}
	return tok.Reveal()
}

// key returns the key record of token, failing the test if there is none.
func (s *Server) key(token string) keypolicy.Key {
	s.t.Helper()
	k, ok := s.keys.Lookup(token)
	if !ok {
		s.t.Fatalf("hubspottest: no token with fingerprint %s", secrets.New(token).Fingerprint())
	}
	return k
}

// Key returns the key record of token.
func (s *Server) Key(token string) (keypolicy.Key, bool) { return s.keys.Lookup(token) }

// RevokeToken revokes token: it is refused with 401 from now on.
func (s *Server) RevokeToken(token string) {
	s.t.Helper()
	if err := s.keys.Revoke(s.key(token).ID); err != nil {
		s.t.Fatalf("hubspottest: %v", err)
	}
}

// SuspendToken suspends token until ResumeToken.
func (s *Server) SuspendToken(token string) {
	s.t.Helper()
	if err := s.keys.Suspend(s.key(token).ID); err != nil {
		s.t.Fatalf("hubspottest: %v", err)
	}
}

// ResumeToken resumes a suspended token.
func (s *Server) ResumeToken(token string) {
	s.t.Helper()
	if err := s.keys.Resume(s.key(token).ID); err != nil {
		s.t.Fatalf("hubspottest: %v", err)
	}
}

// Rotation grace periods HubSpot offers for a private app's token.
const (
	// ExpireLater is HubSpot's "rotate and expire later": the old token
	// keeps working for 7 days.
	ExpireLater = 7 * 24 * time.Hour
	// ExpireNow is "rotate and expire now".
	ExpireNow time.Duration = 0
)

// RotateToken returns a new token with the same scopes and limits and
// keeps the old one valid for grace: HubSpot's "rotate and expire later"
// keeps it 7 days; 0 is "expire now". The two share rate-limit budgets.
func (s *Server) RotateToken(token string, grace time.Duration) string {
	s.t.Helper()
	_, tok, err := s.keys.Rotate(s.key(token).ID, grace)
	if err != nil {
		s.t.Fatalf("hubspottest: %v", err)
	}
	return tok.Reveal()
}

// Call is one request in the journal: method, path, redacted query,
// status, the token's fingerprint (never the token), and what the key
// policy decided.
type Call = keypolicy.Entry

// Journal returns the calls the server has answered, oldest first.
func (s *Server) Journal() []Call { return s.journal.Entries() }

// ResetJournal empties the journal.
func (s *Server) ResetJournal() { s.journal.Reset() }

// statusWriter records the status a handler sends.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("hubspottest: connection cannot be hijacked")
	}
	return h.Hijack()
}

// ServeHTTP answers one call: injected faults first, then routing (404
// and 405 are answered here), then authentication, the key policy and rate
// limits, then the operation's handler (router.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.clock.Now()
	entry := keypolicy.NewEntry(r, start)
	x := &exchange{statusWriter: statusWriter{ResponseWriter: w}, s: s, entry: &entry, corr: newUUID()}
	x.Header().Set("X-HubSpot-Correlation-Id", x.corr)
	entry.CorrelationID = x.corr
	if token := bearer(r); token != "" {
		entry.TokenFingerprint = secrets.New(token).Fingerprint()
	}
	defer func() {
		entry.Status = x.status
		entry.Duration = s.clock.Now().Sub(start)
		s.journal.Record(entry)
		op := ""
		if x.op != nil {
			op = x.op.Name
		}
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelDebug, "hubspottest call",
			slog.String("method", entry.Method), slog.String("path", entry.Path), slog.String("operation", op),
			slog.Int("status", entry.Status), slog.String("token", entry.TokenFingerprint))
	}()

	if f := s.takeFault(r); f != nil {
		note, done := s.applyFault(&x.statusWriter, r, f, x.corr)
		entry.Note = note
		if done {
			return
		}
	}
	if !isCleanPath(r.URL.Path) { // which the mux would redirect
		writeNotFound(x, r, x.corr, "")
		return
	}
	if strings.HasPrefix(r.URL.Path, exportFilesPath) {
		s.serveExportFile(x, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, fileHostPath) {
		s.serveFile(x, r)
		return
	}
	theRouter().mux.ServeHTTP(x, r)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// setRateHeaders sets HubSpot's rate-limit headers for an allowed call.
// Search calls get none, as on HubSpot.
func setRateHeaders(h http.Header, u keypolicy.Usage) {
	if u.Search {
		return
	}
	if u.Max > 0 {
		h.Set("X-HubSpot-RateLimit-Max", fmt.Sprint(u.Max))
		h.Set("X-HubSpot-RateLimit-Remaining", fmt.Sprint(u.Remaining))
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", fmt.Sprint(u.Interval.Milliseconds()))
		h.Set("X-HubSpot-RateLimit-Secondly", fmt.Sprint(u.Secondly))
		h.Set("X-HubSpot-RateLimit-Secondly-Remaining", fmt.Sprint(u.SecondlyRemaining))
	}
	if u.Daily > 0 {
		h.Set("X-HubSpot-RateLimit-Daily", fmt.Sprint(u.Daily))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", fmt.Sprint(u.DailyRemaining))
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// sleep waits d on the server's clock or until ctx ends.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	return clock.Sleep(ctx, s.clock, d)
}
