package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/secrets"
)

// ErrClosed is returned by requests on a [Session] after Close.
var ErrClosed = errors.New("vault: session is closed")

// ErrLogin is wrapped by every error of a failed login. When Vault refused
// the credentials (as opposed to being unreachable), the error wraps
// secrets.ErrPermission too.
var ErrLogin = errors.New("vault: login failed")

// maxResponseSize bounds every response body read from Vault, errors and
// logins included. Vault's own storage limits a KV entry to about 1 MiB
// (Raft's default max_entry_size), so nothing legitimate is near it.
const maxResponseSize = 2 << 20

// Session is an authenticated connection to Vault that keeps its token
// alive. It logs in on first use, renews the token at about two thirds of
// its lease (retrying a failed renewal with backoff), and logs in again
// when renewal ends (near the token's max TTL, near the end of the lease of
// a token that cannot be renewed, or when renewal kept failing until the
// lease was nearly over) or when Vault answers that the token is invalid.
// Logins are single-flight: concurrent requests that need a token share one
// login. A Session is safe for concurrent use; Close it to stop renewing.
type Session struct {
	client       *api.Client // private clone: no token of its own, bounded bodies
	auth         api.AuthMethod
	authName     string
	logger       *slog.Logger
	loginTimeout time.Duration
	clock        clock.Clock

	redirectHosts map[string]bool // host:port, from WithRedirectHosts

	base      context.Context // ends at Close
	stop      context.CancelFunc
	closeOnce sync.Once
	wg        sync.WaitGroup

	mu     sync.Mutex
	closed bool
	cur    *token       // nil: log in before the next request
	login  *loginFlight // the login in progress, if any
	gen    uint64
	stats  Stats
}

// token is one Vault token obtained by one login.
type token struct {
	value     secrets.Secret
	gen       uint64
	expiresAt time.Time          // zero: no TTL
	stop      context.CancelFunc // ends its renewal; nil when it has none
}

type loginFlight struct {
	done chan struct{}
	tok  *token
	err  error
}

// Stats describes a Session's token lifecycle, for health checks and
// tests. It carries no credential.
type Stats struct {
	// Logins counts successful logins (the first one and every re-login).
	Logins int
	// LoginFailures counts failed logins.
	LoginFailures int
	// Renewals counts successful token renewals.
	Renewals int
	// WatcherEnded counts the times the Session gave a token up before its
	// lease ended (near its max TTL, at the end of the lease of a token
	// that cannot be renewed, after renewals failed until the lease was
	// nearly over, or when renewal found it invalid), which makes the next
	// request log in again.
	WatcherEnded int
	// InvalidTokenRelogins counts requests that Vault refused with "invalid
	// token" and that were retried after a new login.
	InvalidTokenRelogins int
	// LoggedIn reports whether the Session holds a token now.
	LoggedIn bool
	// TokenExpiresAt is when the current token's lease ends, as of its last
	// login or renewal; zero when there is no token or it has no TTL.
	TokenExpiresAt time.Time
}

// SessionOption configures a Session.
type SessionOption func(*Session) error

// WithAuth sets how the Session logs in. Use [NewTokenAuth],
// [NewAppRoleAuth], [NewKubernetesAuth], or any api.AuthMethod (the
// packages under github.com/hashicorp/vault/api/auth implement it). The
// default uses the token the api.Client holds when NewSession is called
// (from VAULT_TOKEN or SetToken), renewing it while it can.
func WithAuth(m api.AuthMethod) SessionOption {
	return func(s *Session) error {
		if m == nil {
			return errors.New("vault: WithAuth needs an auth method, got nil")
		}
		s.auth = m
		return nil
	}
}

// WithLogger sets the logger that logins, renewals and failures are
// reported to. Records carry the auth method, TTLs and counts, never a
// token or credential. Default: discard.
func WithLogger(l *slog.Logger) SessionOption {
	return func(s *Session) error {
		if l == nil {
			return errors.New("vault: WithLogger needs a logger, got nil")
		}
		s.logger = l
		return nil
	}
}

// WithLoginTimeout bounds each login (default 1m). Logins run on a context
// of their own, so one caller's cancellation does not abort a login that
// other callers wait for.
func WithLoginTimeout(d time.Duration) SessionOption {
	return func(s *Session) error {
		if d <= 0 {
			return fmt.Errorf("vault: login timeout must be > 0, got %v", d)
		}
		s.loginTimeout = d
		return nil
	}
}

// WithClock sets the clock that token lifetimes are read on and renewals
// are scheduled on (default: the system clock).
func WithClock(c clock.Clock) SessionOption {
	return func(s *Session) error {
		if c == nil {
			return errors.New("vault: WithClock needs a clock, got nil")
		}
		s.clock = c
		return nil
	}
}

// NewSession returns a Session that talks to the Vault server client is
// configured for (address, TLS, namespace and other headers, timeouts,
// retries). The Session works on a private copy of client, so setting a
// token on it never affects the caller's client and vice versa. NewSession
// does no I/O: the first request logs in; call [Session.Login] to fail
// fast at startup.
func NewSession(client *api.Client, opts ...SessionOption) (*Session, error) {
	if client == nil {
		return nil, errors.New("vault: NewSession needs an *api.Client, got nil")
	}
	s := &Session{logger: slog.New(slog.DiscardHandler), loginTimeout: time.Minute, clock: clock.System}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.auth == nil {
		tok := client.Token()
		if tok == "" {
			return nil, errors.New("vault: no way to log in: the api.Client has no token (set VAULT_TOKEN or call SetToken) and no WithAuth option was given")
		}
		s.auth = &TokenAuth{token: staticToken(secrets.New(tok))}
	}
	s.authName = describeAuth(s.auth)
	c, err := privateClient(client, s.redirectHosts)
	if err != nil {
		return nil, err
	}
	s.client = c
	s.base, s.stop = context.WithCancel(context.Background())
	return s, nil
}

// privateClient returns a copy of user with the same address, headers and
// HTTP settings, no token, response bodies read through maxResponseSize,
// and redirects followed only to the configured address's host or to the
// allowed ones (see WithRedirectHosts).
func privateClient(user *api.Client, allowRedirects map[string]bool) (*api.Client, error) {
	cfg := user.CloneConfig() // holds a copy of the *http.Client, not the original
	base := cfg.HttpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	home, err := url.Parse(user.Address())
	if err != nil {
		return nil, fmt.Errorf("vault: the api.Client's address is not a URL")
	}
	guard := &redirectGuard{base: base, home: hostPort(home), allow: allowRedirects}
	cfg.HttpClient.Transport = &limitTransport{base: guard, max: maxResponseSize}
	// api follows one redirect itself, through the guard; net/http must not
	// follow any on its own (a custom http.Client would, up to ten).
	cfg.HttpClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.CheckRetry = noRetryOnRedirect(cfg.CheckRetry)
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault: copying the api.Client: %w", err)
	}
	if err := c.SetAddress(user.Address()); err != nil {
		return nil, fmt.Errorf("vault: copying the api.Client: %w", err)
	}
	c.SetHeaders(user.Headers()) // namespace and custom headers
	c.ClearToken()               // NewClient reads VAULT_TOKEN; requests carry ours
	return c, nil
}

// Address returns the address of the Vault server.
func (s *Session) Address() string { return s.client.Address() }

// Login logs in now unless the Session already holds a valid token. Call
// it at startup to find a configuration error before the first Fetch.
func (s *Session) Login(ctx context.Context) error {
	_, err := s.token(ctx)
	return err
}

// Stats returns a snapshot of the Session's token lifecycle.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.LoggedIn = s.cur != nil
	if s.cur != nil {
		st.TokenExpiresAt = s.cur.expiresAt
	}
	return st
}

// Close stops renewing the token (cancelling a renewal under way) and makes
// later requests fail with [ErrClosed]. It waits for the Session's
// goroutines. It does not revoke the token, which expires at its TTL. Close
// is safe to call more than once.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.forgetLocked(s.cur)
		s.mu.Unlock()
		s.stop()
		s.wg.Wait()
	})
	return nil
}

// token returns a token that is believed valid, logging in first (once,
// for all concurrent callers) when there is none.
func (s *Session) token(ctx context.Context) (*token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if t := s.cur; t != nil {
		if t.expiresAt.IsZero() || s.clock.Now().Before(t.expiresAt) {
			s.mu.Unlock()
			return t, nil
		}
		s.forgetLocked(t) // expired before renewal gave it up (a suspended host, say)
	}
	f := s.login
	if f == nil {
		f = &loginFlight{done: make(chan struct{})}
		s.login = f
		s.wg.Add(1)
		go s.doLogin(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Session) doLogin(f *loginFlight) {
	defer s.wg.Done()
	ctx, cancel := context.WithTimeout(s.base, s.loginTimeout)
	defer cancel()
	issued := s.clock.Now() // the lease runs from no later than this
	sec, err := s.auth.Login(ctx, s.client)
	if err == nil && (sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "") {
		err = fmt.Errorf("%w: %s returned no client token", ErrLogin, s.authName)
	}
	if err != nil && !errors.Is(err, ErrLogin) {
		err = fmt.Errorf("%w: %s: %w", ErrLogin, s.authName, err)
	}
	if err != nil && s.base.Err() != nil {
		err = ErrClosed
	}

	var t *token
	var ttl time.Duration
	if err == nil {
		t = &token{value: secrets.New(sec.Auth.ClientToken)}
		// A token without a TTL (root, or periodic lookups that say 0)
		// needs no renewal: it is used until Vault refuses it.
		if ttl = time.Duration(sec.Auth.LeaseDuration) * time.Second; ttl > 0 {
			t.expiresAt = issued.Add(ttl)
		}
	}

	s.mu.Lock()
	s.login = nil
	switch {
	case err == nil && s.closed:
		err = ErrClosed
	case err == nil:
		s.gen++
		t.gen = s.gen
		s.cur = t
		s.stats.Logins++
		if ttl > 0 {
			var rctx context.Context
			rctx, t.stop = context.WithCancel(s.base)
			s.wg.Add(1)
			go s.keepAlive(rctx, t, ttl, sec.Auth.Renewable)
		}
	default:
		if !errors.Is(err, ErrClosed) {
			s.stats.LoginFailures++
		}
	}
	s.mu.Unlock()

	if err != nil {
		if !errors.Is(err, ErrClosed) {
			s.logger.Warn("vault login failed", slog.String("auth", s.authName), slog.String("error", err.Error()))
		}
		f.err = err
	} else {
		// The policy names are server text: keep the new token out of them.
		policies := make([]string, len(sec.Auth.Policies))
		for i, p := range sec.Auth.Policies {
			policies[i] = clip(scrub(p, t.value), 100)
		}
		s.logger.Info("vault login",
			slog.String("auth", s.authName),
			slog.Duration("ttl", time.Duration(sec.Auth.LeaseDuration)*time.Second),
			slog.Bool("renewable", sec.Auth.Renewable),
			slog.Any("policies", policies))
		f.tok = t
	}
	close(f.done)
}

// drop forgets t if it is still the current token, so that the next
// request logs in again.
func (s *Session) drop(t *token) {
	s.mu.Lock()
	s.forgetLocked(t)
	s.mu.Unlock()
}

// forgetLocked forgets t if it is the current token and ends its renewal.
// s.mu must be held.
func (s *Session) forgetLocked(t *token) {
	if t == nil || s.cur != t {
		return
	}
	s.cur = nil
	if t.stop != nil {
		t.stop()
	}
}

// withToken returns a view of the client whose requests carry t.
func (s *Session) withToken(t *token) *api.Client {
	return s.client.WithRequestCallbacks(func(r *api.Request) { r.ClientToken = t.value.Reveal() })
}

// call runs f with a client that sends the Session's token, logging in
// first if needed. When Vault refuses the token as invalid (revoked, or
// expired between renewals), it logs in again and runs f once more. sent
// holds the tokens the requests carried, for scrubbing what Vault said.
func (s *Session) call(ctx context.Context, f func(c *api.Client) (*api.Response, error)) (resp *api.Response, sent []secrets.Secret, err error) {
	t, err := s.token(ctx)
	if err != nil {
		return nil, nil, err
	}
	sent = append(sent, t.value)
	resp, err = f(s.withToken(t))
	if !invalidToken(resp, err) {
		return resp, sent, err
	}
	closeBody(resp)
	s.drop(t)
	s.mu.Lock()
	s.stats.InvalidTokenRelogins++
	s.mu.Unlock()
	s.logger.Info("vault refused the token as invalid; logging in again", slog.String("auth", s.authName))
	t, err = s.token(ctx)
	if err != nil {
		return nil, sent, err
	}
	sent = append(sent, t.value)
	resp, err = f(s.withToken(t))
	return resp, sent, err
}

// invalidToken reports whether Vault refused a request because its token
// is not valid (as opposed to a policy that does not allow the request):
// Vault then adds "invalid token" to "permission denied".
func invalidToken(resp *api.Response, err error) bool {
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		return false
	}
	var re *api.ResponseError
	return errors.As(err, &re) && saysInvalidToken(re)
}

// saysInvalidToken reports whether Vault's error messages say "invalid
// token".
func saysInvalidToken(re *api.ResponseError) bool {
	for _, m := range re.Errors {
		if strings.Contains(m, "invalid token") {
			return true
		}
	}
	return false
}

func closeBody(resp *api.Response) {
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
}

func describeAuth(m api.AuthMethod) string {
	if d, ok := m.(interface{ describe() string }); ok {
		return d.describe()
	}
	return fmt.Sprintf("%T", m)
}
