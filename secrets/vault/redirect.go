package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/secrets"
)

// WithRedirectHosts lets the Session follow a redirect to the given hosts,
// each a "host:port" or an address such as "https://vault-2.example:8200".
//
// api.Client follows one redirect (301, 302 or 307) and sends the request
// again, with its X-Vault-Token and body (an AppRole secret ID, a JWT), to
// the Location's host: a Vault standby node without request forwarding
// answers that way, pointing at the active node's api_addr. By default a
// Session follows a redirect only to the host of the address the client was
// configured for (and the host that answered), and fails any other with an
// error naming the status and the target host; the token is not sent there.
// List the cluster's nodes here to follow redirects to them, or point the
// client at the active node or a load balancer.
//
// The Session does not see api.Config.DisableRedirects when it is set in
// code: api.Client.CloneConfig, with which the Session copies the client,
// leaves it out, and api.Client has no accessor for it. So a Session
// follows redirects as described above even then. VAULT_DISABLE_REDIRECTS
// in the environment is honoured (the copy reads the environment again):
// no redirect is followed, and a request answered with one fails with an
// error naming the status.
func WithRedirectHosts(hosts ...string) SessionOption {
	return func(s *Session) error {
		if len(hosts) == 0 {
			return errors.New("vault: WithRedirectHosts needs at least one host")
		}
		for _, h := range hosts {
			hp, err := parseRedirectHost(h)
			if err != nil {
				return err
			}
			if s.redirectHosts == nil {
				s.redirectHosts = map[string]bool{}
			}
			s.redirectHosts[hp] = true
		}
		return nil
	}
}

// parseRedirectHost turns "host:port" or "scheme://host[:port]" into the
// canonical "host:port" that redirect targets are compared with.
func parseRedirectHost(h string) (string, error) {
	s := strings.TrimSpace(h)
	if s == "" {
		return "", errors.New("vault: WithRedirectHosts: empty host")
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
			return "", fmt.Errorf("vault: WithRedirectHosts: %q is not an address like https://vault-2.example:8200 (scheme, host and port only)", h)
		}
		hp := hostPort(u)
		if hp == "" {
			return "", fmt.Errorf("vault: WithRedirectHosts: %q has a scheme other than http or https", h)
		}
		return hp, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" {
		return "", fmt.Errorf("vault: WithRedirectHosts: %q is not host:port (or an address like https://%s:8200)", h, s)
	}
	return hostPort(&url.URL{Scheme: "https", Host: net.JoinHostPort(host, port)}), nil
}

// hostPort returns u's host and port, lower-cased, with the scheme's
// default port when u names none; "" for a scheme other than http(s) or a
// URL without a host.
func hostPort(u *url.URL) string {
	if u == nil || u.Hostname() == "" {
		return ""
	}
	var port string
	switch strings.ToLower(u.Scheme) {
	case "http":
		port = "80"
	case "https":
		port = "443"
	default:
		return ""
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// redirectError is a redirect that the Session refused to follow.
type redirectError struct {
	status int
	from   string // host:port that answered
	to     string // host[:port] of the Location, scrubbed; "" if it is not an http(s) URL
}

func (e *redirectError) Error() string {
	target := "to a Location that is not an http(s) URL"
	if e.to != "" {
		target = "to " + e.to + ", which is not the configured Vault address"
	}
	return fmt.Sprintf("refused to follow a %d %s from %s %s, so as not to send the request's credentials there; point the client at the active node, or allow the host with vault.WithRedirectHosts",
		e.status, http.StatusText(e.status), e.from, target)
}

// redirectGuard sits under api's redirect handling (and net/http's): it
// turns every redirect to a host that is neither the configured one, nor
// the one that answered, nor one allowed by WithRedirectHosts into a
// transport error, so that the request, with its token and body, is never
// sent there.
type redirectGuard struct {
	base  http.RoundTripper
	home  string          // host:port of the configured address
	allow map[string]bool // host:port allowed by WithRedirectHosts
}

func (g *redirectGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := g.base.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return resp, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp, nil // api reports the missing Location
	}
	from := hostPort(r.URL)
	var to, shown string
	if target, perr := r.URL.Parse(loc); perr == nil {
		to, shown = hostPort(target), target.Host
	}
	if to != "" && (to == g.home || to == from || g.allow[to]) {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	re := &redirectError{status: resp.StatusCode, from: from}
	if to != "" {
		// The Location is server text: keep the token the request carried
		// out of the host it names (before any case folding).
		re.to = clip(scrub(shown, secrets.New(r.Header.Get(api.AuthHeaderName))), 255)
	}
	return nil, re
}

// noRetryOnRedirect wraps a retry policy so that a refused redirect is not
// retried: the server would only answer the same.
func noRetryOnRedirect(check retryPolicy) retryPolicy {
	if check == nil {
		check = api.DefaultRetryPolicy
	}
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		var re *redirectError
		if errors.As(err, &re) {
			return false, err
		}
		return check(ctx, resp, err)
	}
}

// retryPolicy is api.Config.CheckRetry's type.
type retryPolicy = func(ctx context.Context, resp *http.Response, err error) (bool, error)

// withoutURL returns the redirectError in err's chain, if there is one,
// without the *url.Error around it (whose URL names the request's path and
// query); else err.
func withoutURL(err error) error {
	var re *redirectError
	if errors.As(err, &re) {
		return re
	}
	return err
}
