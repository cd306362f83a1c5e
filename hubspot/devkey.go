package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubkey/hubkey/secrets"
)

// developerKeyParam is the query parameter HubSpot reads a developer API
// key from.
const developerKeyParam = "hapikey"

// ErrNoDeveloperKey is returned for a call to an endpoint that takes a
// developer API key when none was configured.
var ErrNoDeveloperKey = errors.New("hubspot: no developer API key: pass WithDeveloperKey to call HubSpot's app settings endpoints (/webhooks/v3/{appId}/..., /integrators/timeline/v3/{appId}/event-templates...)")

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
// TokenSource, normally a *secrets.Cache (read on every request; the
// Client does not close it).
//
// The key is sent only to the operations HubSpot authenticates with a
// developer key (the webhook settings and subscriptions of an app, through
// Client.Webhooks: /webhooks/v3/{appId}/... and, in the date-based
// versions, /app-webhooks/{version}/{appId}/...; and its timeline event
// templates, through Client.Timeline:
// /integrators/timeline/v3/{appId}/event-templates...), as the hapikey query
// parameter, and never together with the bearer token. A Client may have
// a developer key and no token (WithToken), if it only manages app
// settings.
func WithDeveloperKey(src TokenSource) Option {
	return func(o *options) error {
		if src == nil || isNilPointer(src) {
			return errors.New("hubspot: WithDeveloperKey(nil): a developer key source is required")
		}
		o.devKey = src
		return nil
	}
}

// noToken is the token source of a Client built with only a developer key.
type noToken struct{}

func (noToken) Get(context.Context) (secrets.Version, error) { return secrets.Version{}, errNoToken }
func (noToken) Invalidate(secrets.Version)                   {}

// withoutDeveloperKey returns req, a request an http.Client made by
// following a redirect, without whatever hapikey its Location carried:
// in its URL and in its Referer, which net/http makes from the URL of the
// hop before, a Location too from the second hop on. On the same host, a
// developer-key endpoint gets the Transport's key again.
func withoutDeveloperKey(req *http.Request) *http.Request {
	q, inURL := withoutParam(req.URL.RawQuery, developerKeyParam)
	inReferer := refererHasParam(req.Header.Get("Referer"), developerKeyParam)
	if !inURL && !inReferer {
		return req
	}
	r := req.Clone(req.Context())
	r.URL.RawQuery = q
	if inReferer {
		r.Header.Del("Referer")
	}
	return r
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

// redactedError stands for an error whose text held a credential.
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
