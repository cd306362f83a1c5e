package conjur

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cyberark/conjur-api-go/conjurapi/response"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// APIError is an error answer from Conjur: its HTTP status and, when it sent
// its JSON error shape ({"error":{"code":"not_found","message":"..."}}),
// the code and message. A 3xx answer (a redirect, which is not followed)
// has only StatusCode and Status set.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Status is the status code and Go's text for it, such as "404 Not
	// Found". The server's own reason phrase is not kept: it may echo a
	// credential.
	Status string
	// Code is Conjur's error code ("not_found", "argument_error"), or ""
	// when it sent none or one that is not a plain word (letters, digits,
	// '_', '-', '.') or that quoted a credential.
	Code string
	// Message is Conjur's message with control characters removed, cut to
	// 512 bytes, and withheld if it quoted a credential the Client holds.
	Message string
}

// Error describes the answer: "Conjur answered HTTP 404 Not Found
// (not_found): CONJ00076E Variable ... is empty or not found."
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("Conjur answered HTTP ")
	if e.Status != "" {
		b.WriteString(e.Status)
	} else {
		fmt.Fprintf(&b, "%d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.StatusCode/100 == 3 {
		b.WriteString("; redirects are not followed, so credentials are never re-sent to another location")
	}
	return b.String()
}

// read returns the body of a successful answer, read through limit, or the
// error the answer describes. It closes the body.
func (c *Client) read(resp *http.Response, limit int64) ([]byte, error) {
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, c.apiError(resp)
	}
	resp.Body = credhttp.LimitBody(resp.Body, limit, "the answer")
	b, err := response.DataResponse(resp)
	if err != nil {
		// A body's trailer is parsed as it is read, and net/http quotes a
		// malformed one.
		return nil, c.transportError(err)
	}
	return b, nil
}

// apiError decodes an error answer with conjur-api-go's decoder, reading at
// most maxErrorBody bytes of it.
func (c *Client) apiError(resp *http.Response) error {
	body := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(body, maxErrorBody), body}
	err := response.NewConjurError(resp)
	var ce *response.ConjurError
	if !errors.As(err, &ce) {
		return fmt.Errorf("reading Conjur's HTTP %d answer: %w", resp.StatusCode, c.transportError(err))
	}
	ae := &APIError{StatusCode: resp.StatusCode, Status: credhttp.StatusText(resp.StatusCode)}
	msg := ""
	if ce.Details != nil {
		ae.Code = c.cleanCode(ce.Details.Code)
		msg = ce.Details.Message
	}
	if msg == "" && ce.Message != resp.Status {
		msg = ce.Message // a body that is not Conjur's JSON shape
	}
	ae.Message = c.clean(msg)
	return ae
}

// cleanCode keeps an error code that is a plain word of at most 64 bytes
// and quotes no credential.
func (c *Client) cleanCode(code string) string {
	if code == "" || len(code) > 64 || c.creds.quoted(code) {
		return ""
	}
	for _, r := range code {
		if !(r == '_' || r == '-' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) {
			return ""
		}
	}
	return code
}

const maxMessage = 512

// clean makes a server message safe to put in an error: no control
// characters, bounded length, and nothing that quotes a credential.
func (c *Client) clean(msg string) string {
	if msg == "" {
		return ""
	}
	if c.creds.quoted(msg) {
		return "[message withheld: it quoted a credential]"
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return strings.TrimSpace(msg)
}

// classify wraps err with the secrets sentinel its status calls for.
func classify(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: %w", secrets.ErrPermission, err)
	case http.StatusNotFound:
		return fmt.Errorf("%w: %w", secrets.ErrNotFound, err)
	}
	return err
}

// transportError makes an error of http.Client.Do, or of reading an
// answer's body, fit to return. A refused redirect is its *APIError; any
// other keeps its chain unless its text quoted an answer's bytes or a
// credential the Client sent or received (see
// credhttp.ScrubTransportError).
func (c *Client) transportError(err error) error {
	var re *credhttp.RedirectError
	if errors.As(err, &re) {
		return &APIError{StatusCode: re.StatusCode, Status: credhttp.StatusText(re.StatusCode)}
	}
	return credhttp.ScrubTransportError(err, c.creds.all()...)
}

// drain reads a little of a body that is being discarded, so that the
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}
