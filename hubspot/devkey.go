package hubspot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubkey/hubkey/clock"
	"github.com/hubkey/hubkey/internal/endpoints"
	"github.com/hubkey/hubkey/secrets"
)

// developerKeyParam is the query parameter HubSpot reads a developer API
// key from.
const developerKeyParam = "hapikey"

// ErrNoDeveloperKey is returned for a call to an endpoint that takes a
// developer API key when none was configured.
var ErrNoDeveloperKey = errors.New("hubspot: no developer API key: pass WithDeveloperKey to call HubSpot's app settings endpoints (/webhooks/v3/{appId}/...)")

// errNoToken is what a Client built with only a developer key answers for
// calls that need a bearer token.
var errNoToken = errors.New("hubspot: no token: this Client has only a developer key (WithDeveloperKey), which HubSpot accepts only for its app settings endpoints; pass WithToken for other calls")

// isDecimalID reports whether s is 1 to 19 ASCII digits.
func isDecimalID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// WithDeveloperKey sets where the developer API key comes from: a
// TokenSource such as a *secrets.Cache (read on every request), or a
// secrets.Provider, which New wraps in a Cache that Client.Close closes.
//
// The key is sent only to the operations HubSpot authenticates with a
// developer key (the webhook settings and subscriptions of an app, through
// Client.Webhooks: /webhooks/v3/{appId}/... and, in the date-based
// versions, /app-webhooks/{version}/{appId}/...), as the hapikey query
// parameter, and never together with the bearer token. A Client may have
// a developer key and no token (WithToken), if it only manages app
// settings.
func WithDeveloperKey(src any) Option {
	return func(o *options) error {
		switch src.(type) {
		case nil:
			return errors.New("hubspot: WithDeveloperKey(nil): a developer key source is required")
		case TokenSource, secrets.Provider:
			o.devKey = src
			return nil
		}
		return fmt.Errorf("hubspot: WithDeveloperKey needs a TokenSource (such as *secrets.Cache) or a secrets.Provider, got %T", src)
	}
}

// devKeyState is what a Client keeps of its developer key.
type devKeyState struct {
	src   TokenSource    // nil: none configured
	owned *secrets.Cache // built by New around a Provider; closed by Close
}

func (d *devKeyState) close() {
	if d.owned != nil {
		d.owned.Close()
	}
}

// noToken is the token source of a Client built with only a developer key.
type noToken struct{}

func (noToken) Get(context.Context) (secrets.Version, error) { return secrets.Version{}, errNoToken }
func (noToken) Invalidate(secrets.Version)                   {}

// developerKeyLayer returns the Client's credential layer: requests to the
// developer-key endpoints go to a DeveloperKeyTransport over inner (the
// base transport, below the bearer layer), all others to bearer. It also
// sets up c.Webhooks.
func (c *Client) developerKeyLayer(o *options, bearer, inner http.RoundTripper) (http.RoundTripper, error) {
	switch k := o.devKey.(type) {
	case TokenSource:
		c.devKey.src = k
	case secrets.Provider:
		cache, err := secrets.NewCache(k, secrets.WithClock(o.clock), secrets.WithLogger(o.logger))
		if err != nil {
			return nil, fmt.Errorf("hubspot: wrapping the developer key provider in a cache: %w", err)
		}
		c.devKey = devKeyState{src: cache, owned: cache}
	}
	c.Webhooks = &WebhooksService{client: c}
	u, err := url.Parse(c.baseURL)
	if err != nil { // checkBaseURL made it; cannot happen
		return nil, fmt.Errorf("hubspot: base URL: %w", sanitizeError(err))
	}
	return &DeveloperKeyTransport{
		Source:     c.devKey.src,
		Base:       inner,
		Next:       bearer,
		Hosts:      o.hosts,
		PathPrefix: u.EscapedPath(),
		Logger:     o.logger,
		Clock:      o.clock,
	}, nil
}

// DeveloperKeyTransport is the credential layer for HubSpot's developer API
// key: an http.RoundTripper that adds the key from Source as the hapikey
// query parameter to the requests for the operations that hubkey's
// operation catalogue says HubSpot authenticates with a developer key (an
// app's webhook settings and subscriptions), and hands every other request
// to Next untouched.
//
// Like Transport it reads the key on every request, and on a 401 calls
// Source.Invalidate and re-sends once if Source then has another version.
// It adds the key only to the hosts in Hosts (else ErrUnboundHost), there
// only over HTTPS or to a loopback host (else ErrInsecureURL), never to a
// request that already carries an
// Authorization header (HubSpot takes the developer key alone on these
// endpoints, and hubkey never sends both), and never to a redirect to
// another host: a redirected request has any hapikey removed first, since
// a Location header may echo the query string back.
//
// The key never reaches an error, a log record or the Response: errors
// from Base are rewritten so that no URL in them has a query string and no
// text in them has the key, the Debug log shows the path only, and
// Response.Request is the caller's request, without the key. It clones each
// request, never changes the caller's, and closes request bodies on every
// path. It is safe for concurrent use and usable with any http.Client.
type DeveloperKeyTransport struct {
	// Source provides the developer key. Without one, requests for the
	// developer-key endpoints fail with ErrNoDeveloperKey.
	Source TokenSource
	// Base sends the requests that get the key; nil means
	// http.DefaultTransport.
	Base http.RoundTripper
	// Next receives every other request; nil means Base.
	Next http.RoundTripper
	// Hosts are the hosts the key is bound to, as Transport.Hosts: "host"
	// or "host:port", empty meaning the host of DefaultBaseURL only. A
	// request for a developer-key endpoint on another host fails with
	// ErrUnboundHost.
	Hosts []string
	// PathPrefix is the escaped path of the API root, for a gateway that
	// serves HubSpot under a prefix ("/hubspot"): request paths are looked
	// up in the operation catalogue below it. Empty for HubSpot itself. A
	// Client's requests carry their operation, and need none.
	PathPrefix string
	// Logger, when set, receives one Debug record per attempt, as
	// Transport's: method, host, path (no query), status, duration and the
	// key's fingerprint.
	Logger *slog.Logger
	// Clock measures durations for the log; nil means the system clock.
	Clock clock.Clock
}

func (t *DeveloperKeyTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *DeveloperKeyTransport) next() http.RoundTripper {
	if t.Next != nil {
		return t.Next
	}
	return t.base()
}

// wants reports whether req is for an operation that takes the key, and
// returns the request to pass on (see callOf).
func (t *DeveloperKeyTransport) wants(req *http.Request) (bool, *http.Request) {
	oc, req := callOf(req, strings.TrimSuffix(t.PathPrefix, "/"))
	return oc.op != nil && oc.op.Cred == endpoints.DeveloperKey, req
}

// RoundTrip implements http.RoundTripper.
func (t *DeveloperKeyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Response != nil {
		// A redirect: whatever hapikey its Location carried is dropped,
		// from its URL and from its Referer, which net/http makes from the
		// URL of the hop before: a Location too, from the second hop on. On
		// the same host, a developer-key endpoint gets ours again below.
		q, inURL := withoutParam(req.URL.RawQuery, developerKeyParam)
		inReferer := refererHasParam(req.Header.Get("Referer"), developerKeyParam)
		if inURL || inReferer {
			r := req.Clone(req.Context())
			r.URL.RawQuery = q
			if inReferer {
				r.Header.Del("Referer")
			}
			req = r
		}
		if crossHostRedirect(req) {
			return t.next().RoundTrip(req)
		}
	}
	wants, req := t.wants(req)
	if !wants {
		return t.next().RoundTrip(req)
	}

	if t.Source == nil {
		closeBody(req)
		return nil, ErrNoDeveloperKey
	}
	if !secureURL(req.URL) {
		closeBody(req)
		return nil, fmt.Errorf("%w (%s://%s)", ErrInsecureURL, req.URL.Scheme, req.URL.Host)
	}
	if err := checkBound(req.URL, t.Hosts, "DeveloperKeyTransport.Hosts"); err != nil {
		closeBody(req)
		return nil, err
	}
	if req.Header.Get("Authorization") != "" {
		closeBody(req)
		return nil, fmt.Errorf("hubspot: %s %s carries an Authorization header; HubSpot takes the developer key alone on this endpoint, and it is never sent alongside a bearer token", req.Method, req.URL.Path)
	}
	ctx := req.Context()
	v, err := t.Source.Get(ctx)
	if err != nil {
		closeBody(req)
		return nil, fmt.Errorf("hubspot: getting the developer key: %w", err)
	}
	if v.Value.IsZero() {
		closeBody(req)
		return nil, errors.New("hubspot: the developer key source returned an empty key")
	}
	resp, err := t.sendWith(req, req.Body, v)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// 401: tell the source, and re-send once if it has another version.
	t.Source.Invalidate(v)
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return resp, nil
	}
	v2, err := t.Source.Get(ctx)
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
	return t.sendWith(req, body, v2)
}

// sendWith clones req with body and the key of v in its query, sends it,
// and returns a response and error that do not carry the key.
func (t *DeveloperKeyTransport) sendWith(req *http.Request, body io.ReadCloser, v secrets.Version) (*http.Response, error) {
	key := v.Value.Reveal()
	r := req.Clone(req.Context())
	r.Body = body
	q, _ := withoutParam(req.URL.RawQuery, developerKeyParam)
	if q != "" {
		q += "&"
	}
	//hubkeyvet:ignore HubSpot takes a developer key only as hapikey; keyRedactingRT and redactResponse scrub it from errors and bodies
	r.URL.RawQuery = q + developerKeyParam + "=" + url.QueryEscape(key)
	r.URL.ForceQuery = false

	var start time.Time
	if t.Logger != nil && t.Logger.Enabled(req.Context(), slog.LevelDebug) {
		start = clock.Or(t.Clock).Now()
	}
	// Transport.send logs the attempt; its base redacts the key from errors
	// before the log or the caller sees them.
	logger := &Transport{Base: keyRedactingRT{base: t.base(), key: v.Value}, Logger: t.Logger, Clock: t.Clock}
	resp, err := logger.send(req, r, v.Value.Fingerprint(), start)
	if resp != nil {
		resp.Request = req
	}
	if err == nil {
		// A server may echo the request URL, key and all, in the body of
		// any answer the client parses as an error, and the parser prints it.
		scrubResponse(req, resp, v.Value)
	}
	return resp, err
}

// keyRedactingRT rewrites the errors of base so that they carry neither a
// query string in a URL nor the key anywhere in their text.
type keyRedactingRT struct {
	base http.RoundTripper
	key  secrets.Secret
}

func (k keyRedactingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := k.base.RoundTrip(r)
	if err != nil {
		err = redactKey(err, k.key)
	}
	return resp, err
}

// redactKey extends sanitizeError: after the URL of a *url.Error loses its
// query, an error whose text (or the text of any error it wraps) still
// contains key, in any form secrets.Redact knows, is replaced by one whose
// message has the key redacted and that does not unwrap to the original.
// errors.Is still sees through it (it answers yes or no, never text).
func redactKey(err error, key secrets.Secret) error {
	err = sanitizeError(err)
	if key.IsZero() || !errorMentions(err, key) {
		return err
	}
	return &redactedError{msg: secrets.RedactString(err.Error(), key), orig: err}
}

func mentions(text string, key secrets.Secret) bool { return secrets.RedactString(text, key) != text }

func errorMentions(err error, key secrets.Secret) bool {
	for depth := 0; err != nil && depth < 32; depth++ {
		if mentions(err.Error(), key) || mentions(fmt.Sprintf("%+v", err), key) {
			return true
		}
		var ue *url.Error
		if errors.As(err, &ue) && mentions(ue.URL, key) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if errorMentions(e, key) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// redactedError stands for an error whose text held a developer key.
type redactedError struct {
	msg  string
	orig error // never unwrapped, never printed
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// refererHasParam reports whether the query of ref, a Referer header,
// has the parameter name.
func refererHasParam(ref, name string) bool {
	_, q, ok := strings.Cut(ref, "?")
	if !ok {
		return false
	}
	q, _, _ = strings.Cut(q, "#")
	_, found := withoutParam(q, name)
	return found
}

// withoutParam removes every name=value pair whose name (unescaped) is
// name, ignoring case, from a raw query, keeping the rest as it was.
func withoutParam(raw, name string) (string, bool) {
	if raw == "" {
		return "", false
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	found := false
	for _, p := range parts {
		n, _, _ := strings.Cut(p, "=")
		if u, err := url.QueryUnescape(n); err == nil {
			n = u
		}
		if strings.EqualFold(n, name) {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	if !found {
		return raw, false
	}
	return strings.Join(kept, "&"), true
}
