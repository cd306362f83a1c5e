package cyberark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

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
	body        []byte
	contentType string
	limit       int64 // largest 2xx body accepted
}

// response is a read answer: its status and (limited) body.
type response struct {
	status int
	body   []byte
}

// send performs r on hc. A transport failure is returned as an error that
// names the operation and the URL without its query; a 3xx answer is an
// error (redirects are never followed); a 2xx body larger than r.limit is
// an ErrTooLarge error. Other statuses are returned for the caller to map.
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
		return response{}, fmt.Errorf("cyberark: %s: %s %s: %w", r.op, r.method, redactRawURL(r.url), stripURLError(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		to := "another location"
		if loc, err := resp.Location(); err == nil {
			to = "host " + loc.Host
		}
		return response{}, fmt.Errorf("cyberark: %s: %s %s answered HTTP %d, a redirect to %s; redirects are not followed, so that credentials stay with the configured host", r.op, r.method, redactRawURL(r.url), resp.StatusCode, to)
	}
	if resp.StatusCode/100 != 2 {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil && len(b) == 0 {
			return response{}, fmt.Errorf("cyberark: %s: reading the HTTP %d answer: %w", r.op, resp.StatusCode, err)
		}
		return response{status: resp.StatusCode, body: b}, nil
	}
	b, err := secrets.ReadLimited(resp.Body, r.limit)
	if err != nil {
		if errors.Is(err, secrets.ErrTooLarge) {
			return response{}, fmt.Errorf("cyberark: %s: the response body is larger than %d bytes: %w", r.op, r.limit, secrets.ErrTooLarge)
		}
		return response{}, fmt.Errorf("cyberark: %s: reading the response: %w", r.op, stripURLError(err))
	}
	return response{status: resp.StatusCode, body: b}, nil
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
