package conjur

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hubkey/hubkey/secrets"
)

// FetchBatch returns the current values of the variables ids, in that
// order, from one request (GET /secrets?variable_ids=...): a token and the
// key that signs with it, say, read together. Conjur answers all or
// nothing: if one variable is missing or not readable, the whole batch
// fails with an error that names it when Conjur does. The versions' IDs
// are the values' fingerprints (the batch answer carries no version
// numbers) and their Sources are those of the variables.
//
// Values are fetched base64-encoded (Accept-Encoding: base64), so any
// bytes come through; this needs Conjur 1.9 or later.
func (c *Client) FetchBatch(ctx context.Context, ids ...string) ([]secrets.Version, error) {
	src := c.batchSource(ids)
	if len(ids) == 0 {
		return nil, &secrets.Error{Source: src, Err: errors.New("no variable IDs given")}
	}
	full := make([]string, len(ids))
	seen := make(map[string]bool, len(ids))
	var limit int64 = 64
	for i, id := range ids {
		if err := checkID(id); err != nil {
			return nil, &secrets.Error{Source: src, Err: err}
		}
		if strings.Contains(id, ",") {
			return nil, &secrets.Error{Source: src, Err: fmt.Errorf("variable ID %q contains a comma, which a batch request cannot carry; fetch it with a Provider", id)}
		}
		if seen[id] {
			return nil, &secrets.Error{Source: src, Err: fmt.Errorf("variable ID %q is given twice (Conjur refuses duplicates)", id)}
		}
		seen[id] = true
		full[i] = c.fullID(id)
		// A JSON member: the quoted ID, and the value in base64 with a
		// newline (escaped, two bytes) every 60 characters.
		limit += int64(len(full[i])) + 8 + (c.maxSize+2)/3*4*62/60 + 8
	}
	if err := ctx.Err(); err != nil {
		return nil, &secrets.Error{Source: src, Err: err}
	}

	resp, err := c.call(ctx, func() (*http.Request, error) { return c.lib.RetrieveBatchSecretsRequest(full, true) })
	if err != nil {
		return nil, &secrets.Error{Source: src, Err: err}
	}
	encoded := resp.Header.Get("Content-Encoding") == "base64"
	data, err := c.read(resp, limit)
	if err != nil {
		return nil, &secrets.Error{Source: src, Err: c.explainBatch(err)}
	}
	if !encoded {
		clear(data)
		return nil, &secrets.Error{Source: src, Err: fmt.Errorf("%w: Conjur did not base64-encode the batch answer (Content-Encoding: base64); it may be older than 1.9", secrets.ErrMalformed)}
	}
	var m map[string]string
	err = json.Unmarshal(data, &m)
	clear(data)
	if err != nil {
		return nil, &secrets.Error{Source: src, Err: fmt.Errorf("%w: the batch answer is not a JSON object of strings", secrets.ErrMalformed)}
	}
	now := c.clk.Now()
	out := make([]secrets.Version, len(ids))
	for i, f := range full {
		vsrc := "conjur:" + f
		enc, ok := m[f]
		if !ok {
			return nil, &secrets.Error{Source: vsrc, Err: fmt.Errorf("%w: the batch answer lacks the variable", secrets.ErrMalformed)}
		}
		raw, err := base64.StdEncoding.DecodeString(enc) // skips Ruby's line breaks
		if err != nil {
			return nil, &secrets.Error{Source: vsrc, Err: fmt.Errorf("%w: the variable's value in the batch answer is not base64", secrets.ErrMalformed)}
		}
		if int64(len(raw)) > c.maxSize {
			clear(raw)
			return nil, &secrets.Error{Source: vsrc, Err: fmt.Errorf("%w (%d bytes)", secrets.ErrTooLarge, c.maxSize)}
		}
		v, err := value(raw)
		if err != nil {
			return nil, &secrets.Error{Source: vsrc, Err: err}
		}
		out[i] = secrets.Version{Value: v, ID: v.Fingerprint(), Source: vsrc, FetchedAt: now}
	}
	return out, nil
}

// batchSource names a batch in errors: "conjur:myorg:variable:{a,b}".
func (c *Client) batchSource(ids []string) string {
	return "conjur:" + c.account + ":variable:{" + strings.Join(ids, ",") + "}"
}

func (c *Client) explainBatch(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("reading the batch: %w", err)
	}
	var why string
	switch ae.StatusCode {
	case http.StatusUnauthorized:
		why = "Conjur refused the access token of " + c.auth.who() + " even after authenticating again"
	case http.StatusForbidden:
		why = c.auth.who() + " lacks the execute privilege on at least one of the variables"
	case http.StatusNotFound:
		why = "a variable does not exist or has no value"
	default:
		why = "reading the batch"
	}
	return fmt.Errorf("%s: %w", why, classify(err))
}
