package hubspot

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// Do calls an endpoint the typed methods do not cover, with everything
// they get: method to path, with query and the JSON of in as the body,
// and decodes a 2xx answer's JSON into out.
//
// path is escaped and relative to the base URL, such as
// "/crm/v3/objects/contacts/123" or "/crm/objects/2026-03/contacts/123";
// it is sent as given, whatever WithAPIVersion says. It is looked up once
// in hubkey's catalogue of HubSpot operations, so that a call the
// catalogue knows goes with the least-privileged credential whose scopes
// cover it (or the developer key, for an app's webhook settings), is
// signed when it is sensitive (WithSigner), counts against its rate limit
// (search, for a CRM search), and is retried after a 5xx or a dropped
// connection only if it is safe to repeat. A call it does not know goes
// with the fallback credential (WithFallbackCredential, or the one holding
// EveryScope; with neither it fails with a *ScopeError), counts against
// the general limit, is signed when IsSensitive says so, and is retried
// only for GET, HEAD and OPTIONS.
//
// in, when not nil, is encoded with encoding/json, or sent as it is when
// it is a []byte. out, when not nil, receives the answer's JSON through
// encoding/json (a *json.RawMessage keeps it as it is); the answer is read
// through the same limit as every call, and a credential a server echoes
// in it is removed first. An answer that is not 2xx is returned as an
// *Error, or a *RateLimitError for a 429, as from every call; the status
// is in it.
//
// Do refuses, before sending anything, a path that is not escaped and
// relative to the base URL: one that does not start with a single '/', an
// absolute URL, a path with a query or a fragment (put the query in
// query), an empty or dot segment (plain or percent-encoded), or a
// character that should have been escaped. Its errors never quote the
// path, which may hold a token (the OAuth introspection endpoints).
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if ctx == nil {
		return errors.New("hubspot: Do: nil context")
	}
	if err := checkDoMethod(method); err != nil {
		return err
	}
	if err := checkDoPath(path); err != nil {
		return err
	}
	oc := matchCall(method, path, "")
	oc.prefix = c.basePath
	// The caller's out is not the package's: it may keep whatever the
	// answer holds, and print it. Scrub every answer.
	oc.scrub = true
	_, err := c.do(ctx, oc, query, in, out)
	return err
}

// checkDoMethod checks that method is an HTTP method name (a token).
func checkDoMethod(method string) error {
	if method == "" {
		return errorf("Do: no method")
	}
	for i := 0; i < len(method); i++ {
		if !isTokenChar(method[i]) {
			return errorf("Do: the method is not an HTTP method name")
		}
	}
	return nil
}

func isTokenChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// checkDoPath checks that p is an escaped path relative to the base URL
// (see Do). Its errors do not quote p.
func checkDoPath(p string) error {
	switch {
	case p == "":
		return errorf("Do: the path is empty; give one relative to the base URL, such as /crm/v3/objects/contacts")
	case strings.Contains(p, "://") || !strings.HasPrefix(p, "/"):
		return errorf("Do: the path must start with '/' and be relative to the base URL, not an absolute URL")
	case strings.HasPrefix(p, "//"):
		return errorf("Do: the path starts with '//', which names a host, not a path")
	case strings.ContainsAny(p, "?#"):
		return errorf("Do: the path holds '?' or '#': give the query in query, and no fragment")
	}
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch {
		case b == '%':
			if i+2 >= len(p) || !isHexDigit(p[i+1]) || !isHexDigit(p[i+2]) {
				return errorf("Do: the path has a '%%' that does not start an escape (%%XX)")
			}
		case !isPathChar(b):
			return errorf("Do: the path holds a character that must be escaped (byte %d); escape each segment with url.PathEscape", i)
		}
	}
	for rest := p[1:]; ; {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" {
			return errorf("Do: the path has an empty segment (a doubled or trailing slash)")
		}
		if hasDotSegment(seg) {
			return errorf("Do: the path has a dot segment (\".\" or \"..\", plain or escaped), which would change the path")
		}
		if !more {
			return nil
		}
		rest = after
	}
}

// isPathChar reports whether b may stand unescaped in a path (RFC 3986
// pchar, and '/').
func isPathChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@/", b) >= 0
}

func isHexDigit(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}
