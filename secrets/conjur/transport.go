package conjur

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// refuseRedirects is the RoundTripper of the Client's copy of the HTTP
// client: it turns every 3xx answer into an *APIError naming the status.
// Refusing here, not in CheckRedirect, also covers a Location net/http
// cannot parse: it reports that, quoting the Location, before it consults
// CheckRedirect.
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
	drain(resp)
	return nil, &APIError{StatusCode: resp.StatusCode, Status: statusText(resp.StatusCode)}
}

// CloseIdleConnections closes the idle connections of the transport
// underneath, as http.Client.CloseIdleConnections expects.
func (r refuseRedirects) CloseIdleConnections() {
	if c, ok := r.transport().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// statusText names a status by Go's text for it, never the server's
// reason phrase, which may echo a credential: "404 Not Found", "599".
func statusText(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}

// transportError makes an error of http.Client.Do fit to return. A
// refused redirect is its *APIError. net/http quotes a malformed answer's
// bytes (status line, header line, Content-Length, Transfer-Encoding) in
// its errors, and a server may echo a credential there, whole or cut at a
// space: those bytes are dropped. An error whose text then still holds a
// credential the Client sent or received keeps only its scrubbed text,
// since its chain would hold the original; any other keeps its chain, so
// errors.Is still matches a cancelled context.
func (c *Client) transportError(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	text := err.Error()
	if clean := c.creds.redact(dropQuotedAnswer(text)); clean != text {
		return errors.New(clean)
	}
	return err
}

// quotingErrors are the texts net/http and net/textproto put before the
// bytes of a malformed answer that they quote.
var quotingErrors = []string{
	"malformed HTTP response ",
	"malformed HTTP status code ",
	"malformed HTTP version ",
	"malformed MIME header line: ",
	"malformed MIME header initial line: ",
	"malformed MIME header: missing colon: ",
	"bad Content-Length ",
	"unsupported transfer encoding: ",
	"failed to parse Location header ",
	"invalid Trailer key ",
}

// notShown stands for the bytes of a malformed answer in an error.
const notShown = "(the answer's bytes are not shown: they may echo a credential)"

// dropQuotedAnswer cuts text after the first of quotingErrors it holds:
// what follows is the answer's bytes, quoted, and nothing else of use
// (a Location's parse error quotes them a second time).
func dropQuotedAnswer(text string) string {
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

// quotedForms returns the forms v takes inside a string quoted by Go's %q
// or %+q, or by JSON, where they differ from v (a value with '"', '\',
// control or non-ASCII characters), and inside such a string quoted once
// more (a JSON body quoted by %q, say): secrets.Redact matches the raw
// value only. The twice-quoted forms come first, since each holds a
// once-quoted one.
func quotedForms(v string) []string {
	once := quotedOnce(v)
	var out []string
	for _, f := range once {
		for _, g := range quotedOnce(f) {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	for _, f := range once {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// quotedOnce returns the forms v takes inside a string quoted by Go's %q
// or %+q, or by JSON, where they differ from v.
func quotedOnce(v string) []string {
	var out []string
	add := func(q string) {
		if len(q) >= 2 {
			if f := q[1 : len(q)-1]; f != v && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	add(strconv.Quote(v))
	add(strconv.QuoteToASCII(v))
	if j, err := json.Marshal(v); err == nil {
		add(string(j))
	}
	return out
}
