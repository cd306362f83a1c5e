package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/hubkey/hubkey/internal/credhttp"
	"github.com/hubkey/hubkey/secrets"
)

// Errors for KV v2 versions that exist but hold no data. Both come wrapped
// together with secrets.ErrNotFound.
var (
	// ErrVersionDeleted: the version was soft-deleted (it can be undeleted).
	ErrVersionDeleted = errors.New("version is deleted")
	// ErrVersionDestroyed: the version's data was destroyed for good.
	ErrVersionDestroyed = errors.New("version is destroyed")
)

// StatusError is a response from Vault with an error status that no more
// specific error describes (a sealed Vault, a rate limit, a server error).
type StatusError struct {
	Status   int    // HTTP status code
	Messages string // Vault's error messages, joined; never a credential
}

func (e *StatusError) Error() string {
	if e.Messages == "" {
		return fmt.Sprintf("vault answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("vault answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Messages)
}

// vaultMessages returns Vault's error messages from an api error, tidied
// into one line ("1 error occurred:\n\t* permission denied" becomes
// "permission denied"), without any occurrence of the given credentials
// and at most 300 bytes long.
func vaultMessages(err error, hide ...secrets.Secret) string {
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return ""
	}
	var parts []string
	for _, m := range re.Errors {
		for _, line := range strings.Split(m, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
			if line == "" || strings.HasSuffix(line, "errors occurred:") || strings.HasSuffix(line, "error occurred:") {
				continue
			}
			parts = append(parts, line)
		}
	}
	msg := strings.Join(parts, "; ")
	if re.RawError {
		msg = "non-JSON error body" // an HTML page from a proxy, say; not worth quoting
	}
	return clip(scrub(msg, hide...), 300)
}

// scrub replaces every occurrence of the given credentials in s, in their
// plain and encoded forms.
func scrub(s string, hide ...secrets.Secret) string { return secrets.RedactString(s, hide...) }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// requestError turns what api returned for a failed request into an error
// that names path and never carries a credential: ctx's error when ctx
// ended, secrets.ErrPermission for 403, secrets.ErrNotFound for 404, a
// *StatusError for other statuses, and transport errors as they are. hide
// holds the credentials the request carried (its Vault token), which are
// scrubbed from whatever Vault said.
func requestError(ctx context.Context, path string, resp *api.Response, err error, hide ...secrets.Secret) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return fmt.Errorf("reading %s: %w", path, scrubErr(withoutURL(err), hide...))
	}
	msg := vaultMessages(err, hide...)
	switch resp.StatusCode {
	case http.StatusForbidden:
		if msg == "" {
			msg = "permission denied"
		}
		return fmt.Errorf("%w: reading %s: vault said %q; check the token's policies", secrets.ErrPermission, path, msg)
	case http.StatusNotFound:
		if msg != "" {
			return fmt.Errorf("%w: nothing at %s (vault said %q)", secrets.ErrNotFound, path, msg)
		}
		return fmt.Errorf("%w: nothing at %s", secrets.ErrNotFound, path)
	}
	if err == nil {
		err = &StatusError{Status: resp.StatusCode}
	} else {
		err = &StatusError{Status: resp.StatusCode, Messages: msg}
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

// errorText describes err in one line without the given credentials:
// Vault's status and messages for a response error (rather than its
// multi-line text), else err's text, scrubbed.
func errorText(err error, hide ...secrets.Secret) string {
	var re *api.ResponseError
	if errors.As(err, &re) {
		return (&StatusError{Status: re.StatusCode, Messages: vaultMessages(err, hide...)}).Error()
	}
	return clip(scrub(withoutURL(err).Error(), hide...), 300)
}

// scrubErr returns err when no error in its chain carries one of the given
// credentials, in any form secrets.Redact knows; otherwise an error with
// err's text scrubbed, and nothing of the chain that carried it.
func scrubErr(err error, hide ...secrets.Secret) error {
	if err == nil || !carries(err, hide) {
		return err
	}
	return errors.New(clip(scrub(err.Error(), hide...), 300))
}

// carries reports whether the text of err or of an error in its chain
// holds one of the credentials.
func carries(err error, hide []secrets.Secret) bool {
	if err == nil {
		return false
	}
	if text := err.Error(); scrub(text, hide...) != text {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return carries(u.Unwrap(), hide)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if carries(e, hide) {
				return true
			}
		}
	}
	return false
}

// limitTransport fails the reading of any response body longer than max,
// so that nothing api reads from Vault (including the error bodies it
// buffers whole) can take unbounded memory.
type limitTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = credhttp.LimitBody(resp.Body, t.max, "Vault's answer")
	return resp, nil
}
