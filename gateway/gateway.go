package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/gateway/keypolicy"
	"github.com/hubkey/hubkey/hubspot"
	"github.com/hubkey/hubkey/secrets"
	"github.com/hubkey/hubkey/signing"
)

// DefaultUpstream is HubSpot's API root.
const DefaultUpstream = "https://api.hubapi.com"

// Config configures a Gateway. Store, StoreKey and one of Token or
// Credentials are required.
type Config struct {
	// Store keeps the key records and the audit trail: sqlstore's SQLite
	// store for one process, its PostgreSQL store for several replicas.
	Store Store
	// StoreKey seals each key's signing secret in the Store (AES-256-GCM
	// under a key derived from it), so that a copy of the database alone
	// cannot forge signatures. At least 32 bytes; every replica needs the
	// same one. Rotating it needs the keys with signing secrets rotated.
	StoreKey secrets.Secret

	// Upstream is HubSpot's API root (DefaultUpstream when empty), or a
	// hubspottest server's URL.
	Upstream string
	// Token is the real HubSpot token (a *secrets.Cache, hot-swapped on
	// rotation). Set Token or Credentials, not both.
	Token hubspot.TokenSource
	// Credentials route each call to the least-privileged of several
	// tokens whose scopes cover it, as a hubspot.Client does (see
	// hubspot.Credentials).
	Credentials []hubspot.Credential
	// RateLimit paces the calls the gateway sends to HubSpot, for all its
	// callers together; zero means hubspot.LimitFreeStarter(). Search
	// calls are held to hubspot.LimitSearch().
	RateLimit hubspot.RateLimit
	// SharedBudget, when its Budget is set, shares HubSpot's rate budget
	// with the gateway's other replicas (hubspot/pgbudget), and each key's
	// own rolling and search limits too, so that behind N replicas a key
	// makes its limit's calls, not N times them (its daily limit is still
	// counted per replica).
	SharedBudget hubspot.SharedBudget
	// UpstreamTransport sends requests to HubSpot below the credential and
	// rate-limit layers; nil means a tuned clone of http.DefaultTransport.
	UpstreamTransport http.RoundTripper

	// TrustedProxies are the addresses of proxies in front of the gateway
	// whose X-Forwarded-For the gateway believes. The client's address is
	// the last address in the X-Forwarded-For chain that is not a trusted
	// proxy; a call whose immediate peer is not trusted is judged by the
	// peer's address, whatever it claims.
	TrustedProxies []netip.Prefix
	// PublicURL is the scheme and authority callers use to reach the
	// gateway ("https://hubspot-gw.internal"), which their signatures
	// cover. Empty: the request's own Host, and https when the connection
	// is TLS.
	PublicURL string

	// AuditQueue is how many audited calls may wait to be written; zero
	// means 8192. When it is full, refused calls are not audited (and
	// counted in Stats.AuditDropped) rather than slowing allowed ones.
	AuditQueue int
	// AuditFlushInterval is the longest an audited call waits to be
	// written; zero means one second.
	AuditFlushInterval time.Duration

	// OnCall, when set, is called with every call the gateway served,
	// allowed or refused, once it has been answered and queued for the
	// audit trail, on the goroutine that served it: keep it quick (a
	// metric, as hubspot/otelhubspot's GatewayCalls records). The Call
	// holds no secret.
	OnCall func(Call)

	// Clock is the time the gateway reads; nil means the system clock.
	Clock clock.Clock
	// Logger receives the gateway's own records (denials at Debug, store
	// failures at Warn); nil means none. Records name keys by ID and
	// fingerprint, never a token.
	Logger *slog.Logger
}

// Gateway is an http.Handler that speaks HubSpot's API to callers holding
// its own keys, and forwards what each key may do to HubSpot with the real
// token. Create one with New; Close it to stop its background work.
type Gateway struct {
	cfg      Config
	clock    clock.Clock
	logger   *slog.Logger
	upstream *url.URL
	sealer   *sealer
	proxies  []netip.Prefix
	origin   func(r *http.Request) (string, string)

	policy   *keypolicy.Store
	keys     *signing.KeySet
	verifier *signing.Verifier
	meta     sync.Map   // key ID to keyMeta
	metaMu   sync.Mutex // serializes apply

	forward  http.RoundTripper
	creds    *hubspot.Credentials
	rp       *httputil.ReverseProxy
	scrub    *scrubber
	audit    *auditor
	inflight inflight

	stop   context.CancelFunc
	closed atomic.Bool
	wg     sync.WaitGroup
}

// keyMeta is what the gateway keeps beside keypolicy's record of a key.
type keyMeta struct {
	service string
	signs   bool
}

// New checks cfg, loads every key from the Store, starts watching it for
// changes made by any replica, and returns the Gateway.
func New(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.Store == nil {
		return nil, errors.New("gateway: Config.Store is required")
	}
	if (cfg.Token == nil) == (len(cfg.Credentials) == 0) {
		return nil, errors.New("gateway: set exactly one of Config.Token and Config.Credentials")
	}
	sl, err := newSealer(cfg.StoreKey)
	if err != nil {
		return nil, err
	}
	up := cfg.Upstream
	if up == "" {
		up = DefaultUpstream
	}
	u, err := url.Parse(up)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("gateway: Config.Upstream %q is not an http(s) URL with a host and no query or user info", up)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	for i, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, fmt.Errorf("gateway: Config.TrustedProxies[%d] is not a valid prefix", i)
		}
	}
	g := &Gateway{
		cfg:      cfg,
		clock:    clock.Or(cfg.Clock),
		logger:   cfg.Logger,
		upstream: u,
		sealer:   sl,
		proxies:  cfg.TrustedProxies,
		keys:     signing.NewKeySet(),
	}
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	g.origin, err = originFunc(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	vopts := []signing.VerifierOption{signing.WithClock(g.clock), signing.WithOrigin(g.origin)}
	if ns, ok := cfg.Store.(signing.NonceStore); ok {
		// Every gateway on the store refuses a signed call any of them
		// accepted: a replay to another replica is one.
		vopts = append(vopts, signing.WithNonceStore(ns))
	}
	g.verifier, err = signing.NewVerifier(g.keys, vopts...)
	if err != nil {
		return nil, err
	}
	g.policy, err = keypolicy.NewStore(
		keypolicy.WithClock(g.clock),
		keypolicy.WithClientIP(g.clientIP),
		keypolicy.WithSignaturePolicy(hubspot.IsSensitive),
		keypolicy.WithSignatureVerifier(keyBoundVerifier{g}),
	)
	if err != nil {
		return nil, err
	}
	if g.forward, err = g.upstreamTransport(); err != nil {
		return nil, err
	}
	g.scrub = newScrubber(cfg.Token, cfg.Credentials)
	g.rp = g.newReverseProxy()

	bg, stop := context.WithCancel(context.Background())
	g.stop = stop
	if err := cfg.Store.WatchKeys(ctx, func(id string) { g.reload(bg, id) }); err != nil {
		stop()
		return nil, fmt.Errorf("gateway: watching the store for key changes: %w", err)
	}
	if err := g.reloadAll(ctx); err != nil {
		stop()
		return nil, err
	}
	g.audit = newAuditor(g, cfg.AuditQueue, cfg.AuditFlushInterval)
	g.wg.Add(1)
	go func() { defer g.wg.Done(); g.audit.run(bg) }()
	return g, nil
}

// Close stops watching the store and writes the audited calls still
// queued. It does not close the Store. Calls served after Close are
// refused.
func (g *Gateway) Close() error {
	if g.closed.Swap(true) {
		return nil
	}
	g.stop()
	g.wg.Wait()
	return g.audit.err()
}

// upstreamTransport builds the layers a forwarded call goes through: the
// credential (least privilege, scrubbing of echoes, refresh on 401), then
// HubSpot's rate budget, then the network.
func (g *Gateway) upstreamTransport() (http.RoundTripper, error) {
	base := g.cfg.UpstreamTransport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 256
		t.ForceAttemptHTTP2 = true
		base = t
	}
	limit := g.cfg.RateLimit
	if limit == (hubspot.RateLimit{}) {
		limit = hubspot.LimitFreeStarter()
	}
	var creds *hubspot.Credentials
	if len(g.cfg.Credentials) > 0 {
		var err error
		if creds, err = hubspot.NewCredentials(g.cfg.Credentials, ""); err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
	}
	g.creds = creds
	rl := &hubspot.RateLimitTransport{
		Base:   base,
		Limit:  limit,
		Search: hubspot.LimitSearch(),
		Shared: g.cfg.SharedBudget,
		Clock:  g.cfg.Clock,
		Logger: g.cfg.Logger,
	}
	return &hubspot.Transport{
		Source:      g.cfg.Token,
		Credentials: creds,
		Hosts:       []string{g.upstream.Host},
		PathPrefix:  g.upstream.EscapedPath(),
		Base:        rl,
		Logger:      g.cfg.Logger,
		Clock:       g.cfg.Clock,
	}, nil
}

// reloadAll replaces every key the gateway knows with the Store's records.
func (g *Gateway) reloadAll(ctx context.Context) error {
	ks, err := g.cfg.Store.Keys(ctx)
	if err != nil {
		return fmt.Errorf("gateway: loading keys: %w", err)
	}
	for _, k := range ks {
		if err := g.apply(k); err != nil {
			return err
		}
	}
	return nil
}

// reload applies the Store's current record of one key ("" for all), as a
// watcher reports a change. A failure is logged; the next change or reload
// of the key retries.
func (g *Gateway) reload(ctx context.Context, id string) {
	if id == "" {
		if err := g.reloadAll(ctx); err != nil {
			g.logger.Warn("gateway: reloading keys after a missed change", "err", err)
		}
		return
	}
	k, err := g.cfg.Store.Key(ctx, id)
	if err == nil {
		err = g.apply(k)
	}
	if err != nil {
		g.logger.Warn("gateway: applying a key change", "key", id, "err", err)
	}
}

// apply makes k the gateway's record of its key: status, scopes, allow
// list and signing secret take effect on the next request.
func (g *Gateway) apply(k Key) error {
	g.metaMu.Lock()
	defer g.metaMu.Unlock()
	if err := g.policy.Restore(k.Key); err != nil {
		return fmt.Errorf("gateway: key %s: %w", k.ID, err)
	}
	signs := len(k.SealedSigningKey) > 0 && k.Status != keypolicy.Revoked
	if signs {
		sec, err := g.sealer.open(k.ID, k.SealedSigningKey)
		if err != nil {
			return fmt.Errorf("gateway: key %s: %w", k.ID, err)
		}
		g.keys.Remove(k.ID)
		if err := g.keys.AddStatic(k.ID, sec); err != nil {
			return fmt.Errorf("gateway: key %s: %w", k.ID, err)
		}
	} else {
		g.keys.Remove(k.ID)
	}
	g.meta.Store(k.ID, keyMeta{service: k.Service, signs: signs})
	return nil
}

func (g *Gateway) metaOf(id string) keyMeta {
	m, _ := g.meta.Load(id)
	km, _ := m.(keyMeta)
	return km
}

// clientIP is the caller's address: the peer's, or, when the peer is a
// trusted proxy, the last address in X-Forwarded-For that is not one.
func (g *Gateway) clientIP(r *http.Request) (netip.Addr, bool) {
	peer, ok := peerAddr(r)
	if !ok || !g.trusted(peer) {
		return peer, ok
	}
	chain := r.Header.Values("X-Forwarded-For")
	addr := peer
	for i := len(chain) - 1; i >= 0; i-- {
		parts := strings.Split(chain[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A hop a trusted proxy added that is not an address:
				// stop at the last one believed.
				return addr, true
			}
			addr = a.Unmap()
			if !g.trusted(addr) {
				return addr, true
			}
		}
	}
	return addr, true
}

func (g *Gateway) trusted(a netip.Addr) bool {
	for _, p := range g.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap(), true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// originFunc returns the scheme and authority signatures are checked
// against.
func originFunc(public string) (func(r *http.Request) (string, string), error) {
	if public == "" {
		return func(r *http.Request) (string, string) {
			if r.TLS != nil {
				return "https", r.Host
			}
			return "http", r.Host
		}, nil
	}
	u, err := url.Parse(public)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("gateway: Config.PublicURL %q is not a scheme and authority such as https://gw.example", public)
	}
	scheme, host := u.Scheme, u.Host
	return func(*http.Request) (string, string) { return scheme, host }, nil
}

// keyBoundVerifier checks a request signature and that it was made with
// the signing secret of the key that authenticated the call, so one key's
// holder cannot sign for another's.
type keyBoundVerifier struct{ g *Gateway }

type authKeyCtx struct{}

// VerifyRequest implements keypolicy.SignatureVerifier.
func (v keyBoundVerifier) VerifyRequest(r *http.Request) error {
	id, _ := r.Context().Value(authKeyCtx{}).(string)
	if id == "" || !v.g.metaOf(id).signs {
		return errors.New("the key has no signing secret")
	}
	res, err := v.g.verifier.Verify(r)
	if err != nil {
		return err
	}
	if res.KeyID != id {
		return errors.New("the signature was made with another key's signing secret")
	}
	return nil
}
