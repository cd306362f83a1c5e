// Package credhttp holds the protections every HTTP exchange that carries
// a credential needs, for the packages that send one (hubspot/oauth,
// secrets/conjur, secrets/cyberark):
//
//   - [Client] copies an http.Client so that no redirect is ever followed:
//     a 307 or 308 would re-send a credential to whatever the Location
//     names. Every 3xx is refused in the transport, as a [*RedirectError],
//     before net/http reads the Location: net/http reports a Location it
//     cannot parse, quoting it, before it consults CheckRedirect.
//   - [ScrubTransportError] makes an error of http.Client.Do, or of reading
//     a response, fit to return: it drops the bytes of a malformed answer
//     that net/http quotes (a credential echoed there may be cut at a
//     space, out of Redact's reach), and an error whose text then still
//     holds a credential keeps only its scrubbed text.
//
// A credential inside Go's or JSON's quotes is found by secrets.Redact
// itself.
package credhttp

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hubkey/hubkey/secrets"
)

// Client returns a shallow copy of hc (nil: of a zero http.Client) whose
// transport turns every 3xx answer into a *RedirectError, whatever
// CheckRedirect says. hc is left as it was. A Transport that follows
// redirects by itself (one wrapping an http.Client of its own) is beyond
// this reach.
func Client(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if _, ok := c.Transport.(refuseRedirects); !ok {
		c.Transport = refuseRedirects{c.Transport}
	}
	return &c
}

// refuseRedirects is the RoundTripper of a Client: it turns every 3xx
// answer into a *RedirectError.
type refuseRedirects struct{ base http.RoundTripper }

func (r refuseRedirects) transport() http.RoundTripper {
	if r.base == nil {
		return http.DefaultTransport
	}
	return r.base
}

func (r refuseRedirects) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.transport().RoundTrip(req)
	if err != nil || resp.StatusCode/100 != 3 {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets a small answer's connection be reused
	resp.Body.Close()
	return nil, &RedirectError{StatusCode: resp.StatusCode}
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, as http.Client.CloseIdleConnections expects.
func (r refuseRedirects) CloseIdleConnections() {
	if c, ok := r.transport().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RedirectError is a 3xx answer, which is not followed. http.Client.Do
// returns it inside a *url.Error; find it with errors.As.
type RedirectError struct {
	StatusCode int
}

func (e *RedirectError) Error() string {
	return "answered HTTP " + StatusText(e.StatusCode) + "; redirects are not followed"
}

// StatusText names a status by its number and Go's text for it, never by
// the server's reason phrase, which may echo a credential: "307 Temporary
// Redirect", or "399" for a status Go has no text for.
func StatusText(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}

// ScrubTransportError makes err, an error of http.Client.Do or of reading
// a response body, fit to return from a request that carried creds.
//
// net/http and net/textproto quote a malformed answer's bytes in their
// errors (a status line or code, a header line, a Content-Length, a
// Transfer-Encoding, a Location, a trailer), and a server may echo a
// credential there, whole or cut at a space: what follows the error's
// fixed text is dropped. An error whose text then still holds one of creds,
// in any form secrets.Redact finds, keeps only its scrubbed text, since its
// chain would hold the original. Any other error is returned as it is,
// chain and all, so errors.Is still matches a cancelled context, a deadline
// or a TLS alert. A nil err gives nil.
func ScrubTransportError(err error, creds ...secrets.Secret) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if clean := secrets.RedactString(cutQuotedAnswer(text), creds...); clean != text {
		return errors.New(clean)
	}
	return err
}

// quotingErrors are the texts net/http, net/textproto and net/http's
// HTTP/2 client put before the bytes of an answer that they quote.
var quotingErrors = []string{
	// HTTP/1: the status line, the header, the body's framing.
	"malformed HTTP response ",
	"malformed HTTP status code ",
	"malformed HTTP version ",
	"malformed MIME header line: ",
	"malformed MIME header initial line: ",
	"malformed MIME header: missing colon: ",
	"bad Content-Length ",
	"invalid empty Content-Length ",
	"multiple Content-Length headers; got ",
	"unsupported transfer encoding: ",
	"too many transfer encodings: ",
	"invalid Trailer key ",
	"bad trailer key ",
	// http.Client: a Location it cannot parse.
	"failed to parse Location header ",
	// HTTP/2: header names, and the debug data of a GOAWAY.
	"invalid header field name ",
	"invalid header field value for ",
	"invalid pseudo-header ",
	"duplicate pseudo-header ",
	", debug=",
}

// notShown stands for the bytes of an answer in an error.
const notShown = "(the answer's bytes are not shown: they may echo a credential)"

// cutQuotedAnswer cuts text after the first of quotingErrors it holds:
// what follows is the answer's bytes, quoted, and nothing else of use (a
// Location's parse error quotes them a second time).
func cutQuotedAnswer(text string) string {
	cut := -1
	for _, lead := range quotingErrors {
		if i := strings.Index(text, lead); i >= 0 && (cut < 0 || i+len(lead) < cut) {
			cut = i + len(lead)
		}
	}
	if cut < 0 {
		return text
	}
	return text[:cut] + notShown
}

// RedactPath returns p with the credentials HubSpot's API takes in a path
// (the token in /oauth/v1/access-tokens/{token} and
// /oauth/v1/refresh-tokens/{token}) replaced by "REDACTED"; p itself when
// it has none.
func RedactPath(p string) string {
	segs := strings.Split(p, "/")
	changed := false
	for i := 0; i+1 < len(segs); i++ {
		switch strings.ToLower(segs[i]) {
		case "access-tokens", "refresh-tokens":
			if segs[i+1] != "" && segs[i+1] != "REDACTED" {
				segs[i+1] = "REDACTED"
				changed = true
			}
		}
	}
	if !changed {
		return p
	}
	return strings.Join(segs, "/")
}
