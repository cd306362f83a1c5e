package hubspot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// TokenSource is where the credential layer gets its token on every
// request. *secrets.Cache satisfies it.
type TokenSource interface {
	// Get returns the current version of the token.
	Get(ctx context.Context) (secrets.Version, error)
	// Invalidate reports that HubSpot rejected v. A source that holds a
	// newer version ignores it.
	Invalidate(v secrets.Version)
}

// ErrInsecureURL is returned (wrapped) when a credential would go to a URL
// that is neither HTTPS nor loopback.
var ErrInsecureURL = errors.New("hubspot: refusing to send a credential over plain HTTP to a host that is not loopback")

// ErrUnboundHost is returned (wrapped) for a request to a host that the
// credential layer's credentials are not bound to (Transport.Hosts; for a
// Client, its base URL's host and the hosts named with
// WithCredentialHosts). The request is not sent.
var ErrUnboundHost = errors.New("hubspot: refusing to send a credential to a host it is not bound to")

// Transport is the credential layer: an http.RoundTripper that adds
// HubSpot's credential to each request, reading it from its source on
// every request so a rotated credential is used as soon as the source has
// it. Which credential a call takes comes from hubkey's catalogue of
// HubSpot's operations:
//
//   - most calls take a bearer token, added as "Authorization: Bearer
//     <token>": from Source, or, with Credentials, from the
//     least-privileged of several credentials that may make the call (a
//     call none may make fails with a *ScopeError before it is sent);
//   - an app's webhook settings and subscriptions take the developer API
//     key, from DeveloperKey, added as the hapikey query parameter in
//     place of the bearer token, never beside it: such a request that
//     already carries an Authorization header is refused, and without
//     DeveloperKey the call fails with ErrNoDeveloperKey;
//   - a call HubSpot authenticates by what it carries itself (the OAuth
//     token endpoints) is sent without either.
//
// When HubSpot answers 401, Transport calls Invalidate on the source it
// used with the version it sent and, if that source then returns a
// different version, sends the request once more with it (the body is
// replayed through Request.GetBody; a request whose body cannot be
// replayed is not re-sent).
//
// Transport adds a credential only to the hosts in Hosts, and there only
// over HTTPS or, to a loopback host (127.0.0.0/8, ::1, localhost, for
// tests), plain HTTP. A request to another host fails with ErrUnboundHost,
// and one over plain HTTP to a host that is not loopback with
// ErrInsecureURL, before the credential is read or anything is sent. It
// never adds a credential to a request that an http.Client made by
// following a redirect to another host, nor to any later request of that
// chain, even one back on the first host; and it removes any hapikey from
// a redirected request's URL and Referer first, since a Location header
// may echo the query string back.
//
// No credential reaches an error, a log record or the Response: errors
// from Base are rewritten so that no URL in them has a query string and no
// text in them has the credential; Response.Request is the request as
// Transport received it; the credential, in any common encoding, is
// removed from the headers and body of every answer that can become an
// error: every non-2xx answer, and the 2xx answers of the Client's batch
// calls, whose errors[] become item errors (other 2xx bodies reach the
// caller untouched). It clones each request, never changes the caller's,
// and closes request bodies on every path, as http.RoundTripper requires.
// Transport is safe for concurrent use and usable with any http.Client.
type Transport struct {
	// Source provides the bearer token. Set Source or Credentials, not
	// both.
	Source TokenSource
	// Credentials, when set, picks the bearer token's source per request:
	// the least-privileged credential whose scopes cover the call.
	Credentials *Credentials
	// DeveloperKey provides the developer API key for the operations
	// HubSpot authenticates with one.
	DeveloperKey TokenSource
	// Hosts are the hosts the credentials are bound to, each "host" or
	// "host:port" ("api.hubapi.com", "127.0.0.1:8080"); a host without a
	// port stands for the default port of the request's scheme. Empty
	// means the host of DefaultBaseURL only.
	Hosts []string
	// PathPrefix is the escaped path of the API root, for a gateway that
	// serves HubSpot under a prefix ("/hubspot"): request paths are looked
	// up in the operation catalogue below it, and a path outside it is a
	// call the catalogue does not know. Empty for HubSpot itself. A
	// Client's requests carry their operation, and need none.
	PathPrefix string
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Logger, when set, receives one Debug record per attempt: method,
	// host, path (without query), status, duration, the credential's name
	// (with Credentials) and the fingerprint of the token or key. Never a
	// header, a credential or a body.
	Logger *slog.Logger
	// Clock measures durations for the log; nil means the system clock.
	Clock clock.Clock
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Response != nil {
		req = withoutDeveloperKey(req)
	}
	oc, req := callOf(req, strings.TrimSuffix(t.PathPrefix, "/"))
	if crossHostRedirect(req) {
		// Sent as the http.Client built it: without our credential.
		return t.sendAs(req, req, "", secrets.Secret{}, "", time.Time{})
	}
	if !secureURL(req.URL) {
		closeBody(req)
		return nil, fmt.Errorf("%w (%s://%s)", ErrInsecureURL, req.URL.Scheme, req.URL.Host)
	}
	if oc.base != "" && oc.op != nil && oc.op.Cred == endpoints.NoCred {
		// A typed call to another HubSpot host (the forms host) that
		// takes no credential: none is bound to that host, none is sent.
		return t.sendAs(req, req, "", secrets.Secret{}, "", time.Time{})
	}
	if err := checkBound(req.URL, t.Hosts, "Transport.Hosts"); err != nil {
		closeBody(req)
		return nil, err
	}
	kind := endpoints.Bearer
	if oc.op != nil {
		kind = oc.op.Cred
	}
	switch kind {
	case endpoints.NoCred:
		return t.sendAs(req, req, "", secrets.Secret{}, "", time.Time{})
	case endpoints.DeveloperKey:
		if t.DeveloperKey == nil {
			closeBody(req)
			return nil, ErrNoDeveloperKey
		}
		if req.Header.Get("Authorization") != "" {
			closeBody(req)
			return nil, fmt.Errorf("hubspot: %s %s carries an Authorization header; HubSpot takes the developer key alone on this endpoint, and it is never sent alongside a bearer token", req.Method, req.URL.Path)
		}
		return t.authorize(req, credential{src: t.DeveloperKey, what: "developer key", devKey: true})
	}
	src, name, err := t.source(oc)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	return t.authorize(req, credential{src: src, name: name, what: "token"})
}

// credential is the source of one request's credential and how it goes on
// the request.
type credential struct {
	src    TokenSource
	name   string // the credential's name in Credentials; "" for a single source
	what   string // "token" or "developer key", for errors
	devKey bool   // the hapikey query parameter, not the Authorization header
}

// authorize sends req with c's credential and, after a 401, once more with
// the source's next version.
func (t *Transport) authorize(req *http.Request, c credential) (*http.Response, error) {
	ctx := req.Context()
	v, err := c.src.Get(ctx)
	if err != nil {
		closeBody(req)
		if c.name != "" {
			return nil, fmt.Errorf("hubspot: getting the %s of credential %q: %w", c.what, c.name, err)
		}
		return nil, fmt.Errorf("hubspot: getting the %s: %w", c.what, err)
	}
	if v.Value.IsZero() {
		closeBody(req)
		return nil, fmt.Errorf("hubspot: the %s source returned an empty %s", c.what, strings.TrimPrefix(c.what, "developer "))
	}
	resp, err := t.sendWith(req, req.Body, v, c)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// 401: tell the source, and re-send once if it has another version.
	c.src.Invalidate(v)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	v2, err := c.src.Get(ctx)
	if err != nil || v2.Same(v) || v2.Value.IsZero() {
		return resp, nil
	}
	var body io.ReadCloser
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	drainAndClose(resp.Body)
	return t.sendWith(req, body, v2, c)
}

// sendWith sends a copy of req with body and the credential of v, and
// returns a response and an error that do not carry it.
func (t *Transport) sendWith(req *http.Request, body io.ReadCloser, v secrets.Version, c credential) (*http.Response, error) {
	// A shallow copy with its own Header (and, for the key, its own URL):
	// req.Clone would copy more, for nothing.
	r := new(http.Request)
	*r = *req
	r.Body = body
	r.Header = make(http.Header, len(req.Header)+1)
	for k, vv := range req.Header {
		r.Header[k] = vv[:len(vv):len(vv)] // an Add below copies, never writes into req's
	}
	if c.devKey {
		u := *req.URL
		q, _ := withoutParam(u.RawQuery, developerKeyParam)
		if q != "" {
			q += "&"
		}
		//hubkeyvet:ignore HubSpot takes a developer key only as hapikey; redactKey and redactResponse scrub it from errors and bodies
		u.RawQuery = q + developerKeyParam + "=" + url.QueryEscape(v.Value.Reveal())
		u.ForceQuery = false
		r.URL = &u
	} else {
		r.Header["Authorization"] = []string{"Bearer " + v.Value.Reveal()}
	}
	var start time.Time
	if t.Logger != nil && t.Logger.Enabled(req.Context(), slog.LevelDebug) {
		start = clock.Or(t.Clock).Now()
	}
	resp, err := t.sendAs(req, r, c.name, v.Value, v.Lineage, start)
	if err != nil {
		return nil, err
	}
	resp.Request = req
	return resp, nil
}

// scrubResponse removes token from every answer that can become an error
// or a log line: every non-2xx answer, and a 2xx answer to a call marked
// scrub (see opCall). Other 2xx answers are data for the caller and are
// passed on untouched, streaming.
func scrubResponse(req *http.Request, resp *http.Response, token secrets.Secret) {
	switch {
	case resp.StatusCode/100 != 2:
		redactResponse(resp, token, maxErrorBody)
	case scrubbed(req):
		// One byte past the decoder's limit, so that it still reports a
		// body that is too long.
		redactResponse(resp, token, maxResponseBody+1)
	}
}

// scrubbed reports whether req's call is marked scrub.
func scrubbed(req *http.Request) bool {
	c, ok := req.Context().Value(callKey{}).(*opCall)
	return ok && c.scrub
}

// redactResponse removes the token, in any common encoding, from a
// response's headers and body before any layer above can put them in an
// error or a log: a hostile or broken server may echo the Authorization
// header back. The body is cut at limit bytes, which is all the parser
// reads anyway.
func redactResponse(resp *http.Response, token secrets.Secret, limit int64) {
	redactHeader(resp.Header, token)
	if resp.Body == nil || resp.Body == http.NoBody {
		return
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body.Close()
	b = redactJSONBody(b, token)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		// Whoever reads the body learns that it was cut short, and why.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), failingReader{err}))
	}
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
}

// failingReader fails every Read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// redactHeader removes token from the values of h. It looks at all of
// them at once first, since most answers hold no token.
func redactHeader(h http.Header, token secrets.Secret) {
	n := 0
	for _, vv := range h {
		for _, v := range vv {
			n += len(v) + 1
		}
	}
	all := make([]byte, 0, n)
	for _, vv := range h {
		for _, v := range vv {
			all = append(append(all, v...), '\n')
		}
	}
	if bytes.Equal(secrets.Redact(all, token), all) {
		return
	}
	for _, vv := range h {
		for i, v := range vv {
			if r := secrets.RedactString(v, token); r != v {
				vv[i] = r
			}
		}
	}
}

// sendAs sends r, made from orig with the credential cred (zero for none)
// of the given lineage (secrets.Version.Lineage), and logs the attempt,
// when start is set, under the credential's name (when not empty) and
// cred's fingerprint. An error from Base that quotes
// cred is rewritten not to (see redactKey).
func (t *Transport) sendAs(orig, r *http.Request, credential string, cred secrets.Secret, lineage string, start time.Time) (*http.Response, error) {
	fp := ""
	if !cred.IsZero() {
		fp = cred.Fingerprint()
	}
	oc, _ := orig.Context().Value(callKey{}).(*opCall)
	var ob *callObs
	var hide []secrets.Secret
	if oc != nil {
		// For the rate limiter below: the window of the credential's
		// lineage, which outlives its values.
		oc.lineage = lineage
		ob, hide = oc.obs, oc.hide
	}
	if ob != nil {
		r = ob.startAttempt(r, credential, fp, lineage)
	}
	resp, err := t.base().RoundTrip(r)
	if err != nil && !cred.IsZero() {
		// A transport may quote the URL, key and all, in its error.
		err = redactKey(err, cred)
	}
	if err == nil && !cred.IsZero() {
		// Before anything reads the answer: the observer, the log, the
		// layers above.
		scrubResponse(orig, resp, cred)
	}
	for _, h := range hide {
		// The secrets the body carries, likewise.
		if err != nil {
			err = redactKey(err, h)
		} else {
			scrubResponse(orig, resp, h)
		}
	}
	if ob != nil {
		ob.endAttempt(r, resp, err, cred)
	}
	if !start.IsZero() {
		attrs := []slog.Attr{
			slog.String("method", orig.Method),
			slog.String("host", orig.URL.Host),
			slog.String("path", orig.URL.Path),
			slog.Duration("duration", clock.Or(t.Clock).Now().Sub(start)),
			slog.String("token", fp),
		}
		if credential != "" {
			attrs = append(attrs, slog.String("credential", credential))
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", sanitizeError(err).Error()))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		t.Logger.LogAttrs(orig.Context(), slog.LevelDebug, "hubspot request", attrs...)
	}
	return resp, err
}

// crossHostRedirect reports whether an http.Client created req by following
// a redirect, in a chain where some request, req included, went to another
// host than the one the chain started with. Once another host has had a say
// in where the chain goes, nothing later in it gets a credential, even
// back on the first host, as net/http does for the headers it was given.
func crossHostRedirect(req *http.Request) bool {
	if req.Response == nil {
		return false
	}
	hops := []*url.URL{req.URL}
	for r := req; r.Response != nil && r.Response.Request != nil; r = r.Response.Request {
		hops = append(hops, r.Response.Request.URL)
	}
	first := hops[len(hops)-1]
	for _, u := range hops[:len(hops)-1] {
		if !sameHost(first, u) {
			return true
		}
	}
	return false
}

func sameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(canonicalHost(a), canonicalHost(b))
}

// canonicalHost is host:port with the scheme's default port made explicit.
func canonicalHost(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.ToLower(host), "."), port)
}

// defaultHosts is what an empty Hosts field binds a credential to.
var defaultHosts = []string{"api.hubapi.com"}

// checkBound returns nil when u's host is one of hosts (see
// Transport.Hosts; empty means defaultHosts), and otherwise an error
// wrapping ErrUnboundHost that names u's host and port, never its path or
// query. field names where hosts come from, for the error.
func checkBound(u *url.URL, hosts []string, field string) error {
	if len(hosts) == 0 {
		hosts = defaultHosts
	}
	got := canonicalHost(u)
	if slices.Contains(hosts, got) { // a Client's hosts are canonical already
		return nil
	}
	bound := make([]string, 0, len(hosts))
	for _, h := range hosts {
		c, ok := canonicalEntry(h, u.Scheme)
		if !ok {
			continue
		}
		if c == got {
			return nil
		}
		bound = append(bound, c)
	}
	return fmt.Errorf("%w: %s is not one of %s (for a Client, name other hosts with WithCredentialHosts; for a credential transport, list them in %s); not sent",
		ErrUnboundHost, got, strings.Join(bound, ", "), field)
}

// canonicalEntry is a Hosts entry ("host" or "host:port") in
// canonicalHost's form, a host without a port taking the default port of
// scheme; ok is false for an entry that is not a host or host:port.
func canonicalEntry(h, scheme string) (string, bool) {
	if h == "" || strings.ContainsAny(h, "/?#@\\ \t\r\n") {
		return "", false
	}
	u := &url.URL{Scheme: scheme, Host: h}
	if name := u.Hostname(); name == "" || (net.ParseIP(name) == nil && strings.Trim(strings.ToLower(name), "abcdefghijklmnopqrstuvwxyz0123456789.-") != "") {
		return "", false
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if !isDecimalID(p) || err != nil || n < 1 || n > 65535 {
			return "", false
		}
	} else if strings.HasSuffix(h, ":") {
		return "", false
	}
	return canonicalHost(u), true
}

// secureURL reports whether a credential may be sent to u: HTTPS, or HTTP
// to a loopback host.
func secureURL(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return isLoopback(u.Hostname())
	}
	return false
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckRedirect is an http.Client CheckRedirect function that stops after
// 10 redirects, as the default does, and removes Authorization, Cookie and
// Proxy-Authorization from a redirected request whose scheme, host or port
// differs from the original request's. (net/http keeps them for a
// subdomain; this does not.) New installs it on the client it builds.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("hubspot: stopped after 10 redirects")
	}
	if len(via) > 0 && !sameHost(via[0].URL, req.URL) {
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		req.Header.Del("Proxy-Authorization")
	}
	return nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// drainAndClose reads a little of body, so the connection can be reused,
// and closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	body.Close()
}
