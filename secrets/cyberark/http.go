package cyberark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// maxErrorBody is how much of an error answer is read to find CyberArk's
// error code and message.
const maxErrorBody = 16 << 10

// request is one HTTP exchange with a CyberArk endpoint.
type request struct {
	op          string // for errors: "logon", "account search", ...
	method      string
	url         string         // full URL, query included; errors show it without the query
	auth        secrets.Secret // Authorization header value; zero for none
	token       secrets.Secret // the token in auth, without a scheme; scrubbed from errors
	body        []byte
	bodySecret  secrets.Secret // the credential in body (client secret, password); scrubbed from errors
	contentType string
	limit       int64 // largest 2xx body accepted
}

// credentials lists what r carries that no error may show: its
// Authorization header and token, the credential in its body, and its
// query.
func (r request) credentials() []secrets.Secret {
	creds := []secrets.Secret{r.auth, r.token, r.bodySecret}
	if u, err := url.Parse(r.url); err == nil && u.RawQuery != "" {
		creds = append(creds, secrets.New(u.RawQuery))
	}
	return creds
}

// response is a read answer: its status and (limited) body.
type response struct {
	status int
	body   []byte
}

// send performs r on hc, a client made by options.client. A transport
// failure is returned as an error that names the operation and the URL
// without its query, and none of r's credentials (see scrub); a
// 3xx answer is an error naming the status only (redirects are never
// followed); a 2xx body larger than r.limit is an ErrTooLarge error. Other
// statuses are returned for the caller to map.
func send(ctx context.Context, hc *http.Client, r request) (response, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return response{}, fmt.Errorf("cyberark: %s: building the request: %w", r.op, stripURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if !r.auth.IsZero() {
		req.Header.Set("Authorization", r.auth.Reveal())
	}
	resp, err := hc.Do(req)
	if err != nil {
		var re *credhttp.RedirectError
		if errors.As(err, &re) {
			// The Location is not named: a server may echo a credential there.
			return response{}, fmt.Errorf("cyberark: %s: %s %s answered HTTP %s; redirects are not followed, so that credentials stay with the configured host", r.op, r.method, redactRawURL(r.url), credhttp.StatusText(re.StatusCode))
		}
		return response{}, fmt.Errorf("cyberark: %s: %s %s: %w", r.op, r.method, redactRawURL(r.url), r.scrub(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode/100 != 2 {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil && len(b) == 0 {
			return response{}, fmt.Errorf("cyberark: %s: reading the HTTP %d answer: %w", r.op, resp.StatusCode, r.scrub(err))
		}
		return response{status: resp.StatusCode, body: b}, nil
	}
	b, err := secrets.ReadLimited(resp.Body, r.limit)
	if err != nil {
		if errors.Is(err, secrets.ErrTooLarge) {
			return response{}, fmt.Errorf("cyberark: %s: the response body is larger than %d bytes: %w", r.op, r.limit, secrets.ErrTooLarge)
		}
		return response{}, fmt.Errorf("cyberark: %s: reading the response: %w", r.op, r.scrub(err))
	}
	return response{status: resp.StatusCode, body: b}, nil
}

// scrub makes an error of sending r or reading its answer fit to return:
// without the URL of a *url.Error, which carries r's query, and through
// credhttp.ScrubTransportError with r's credentials, since net/http quotes
// a malformed answer's bytes (a trailer's too, met while reading the
// body) in its errors, and a server may echo a credential there.
func (r request) scrub(err error) error {
	return credhttp.ScrubTransportError(stripURLError(err), r.credentials()...)
}

// stripURLError unwraps a *url.Error, whose text carries the full URL
// (query included), to the error inside it.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func redactRawURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return redactURL(u)
}
