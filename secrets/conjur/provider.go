package conjur

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/hubkey/hubkey/secrets"
)

// Provider reads one Conjur variable through a shared Client. It
// implements secrets.Provider and secrets.PreviousFetcher, and is safe for
// concurrent use.
type Provider struct {
	c      *Client
	id     string
	fullID string
	source string
	lookup bool
}

// VariableOption configures a Provider. An option given a value it cannot
// use makes Client.Variable fail, naming it.
type VariableOption func(*Provider) error

// WithVersionLookup makes Fetch learn the variable's current version
// number first (GET /resources/..., which any privilege on the variable
// allows) and fetch exactly that version, so that Version.ID is Conjur's
// version number rather than the value's fingerprint. It costs a second
// round trip per Fetch.
func WithVersionLookup() VariableOption {
	return func(p *Provider) error { p.lookup = true; return nil }
}

// Variable returns a Provider for the variable id: its identifier within
// the Client's account, as policy declares it ("hubspot/token"), not a
// fully qualified "account:variable:..." ID.
func (c *Client) Variable(id string, opts ...VariableOption) (*Provider, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	p := &Provider{c: c, id: id, fullID: c.fullID(id), source: "conjur:" + c.fullID(id)}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func checkID(id string) error {
	if id == "" || id == "." || id == ".." || hasControl(id) {
		return fmt.Errorf("conjur: invalid variable ID %q: it must be non-empty, not . or .., without control characters", id)
	}
	return nil
}

func (c *Client) fullID(id string) string { return c.account + ":variable:" + id }

// Source returns "conjur:<account>:variable:<id>".
func (p *Provider) Source() string { return p.source }

// Fetch returns the variable's current value. Its ID is the value's
// fingerprint, or Conjur's version number with WithVersionLookup.
func (p *Provider) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.fail(err)
	}
	if !p.lookup {
		return p.fetch(ctx, 0)
	}
	cur, _, err := p.versions(ctx)
	if err != nil {
		return secrets.Version{}, p.fail(err)
	}
	return p.fetch(ctx, cur)
}

// FetchPrevious returns the version before the current one, for fallback
// while a rotation settles. It reads the variable's metadata to learn the
// current version number, then fetches the newest version Conjur keeps
// below it. Its ID is that version's number.
func (p *Provider) FetchPrevious(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.fail(err)
	}
	cur, prev, err := p.versions(ctx)
	if err != nil {
		return secrets.Version{}, p.fail(err)
	}
	if prev == 0 {
		return secrets.Version{}, p.fail(fmt.Errorf("%w: Conjur keeps no version before version %d", secrets.ErrNotFound, cur))
	}
	return p.fetch(ctx, prev)
}

// FetchVersion returns version n (counted from 1) of the variable; Conjur
// keeps the last twenty. Its ID is n.
func (p *Provider) FetchVersion(ctx context.Context, n int) (secrets.Version, error) {
	if n < 1 {
		return secrets.Version{}, p.fail(fmt.Errorf("version must be >= 1, got %d", n))
	}
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, p.fail(err)
	}
	return p.fetch(ctx, n)
}

// fetch reads version n, or the latest when n is 0.
func (p *Provider) fetch(ctx context.Context, n int) (secrets.Version, error) {
	resp, err := p.c.call(ctx, func() (*http.Request, error) {
		if n == 0 {
			return p.c.lib.RetrieveSecretRequest(p.fullID)
		}
		return p.c.lib.RetrieveSecretWithVersionRequest(p.fullID, n)
	})
	if err != nil {
		return secrets.Version{}, p.fail(err)
	}
	data, err := p.c.read(resp, p.c.maxSize)
	if err != nil {
		return secrets.Version{}, p.fail(p.c.explainValue(err, n))
	}
	v, err := value(data)
	if err != nil {
		return secrets.Version{}, p.fail(err)
	}
	id := v.Fingerprint()
	if n > 0 {
		id = strconv.Itoa(n)
	}
	return secrets.Version{Value: v, ID: id, Source: p.source, FetchedAt: p.c.clk.Now()}, nil
}

// value makes a Secret of a fetched value, trimmed, and wipes data.
func value(data []byte) (secrets.Secret, error) {
	v := secrets.NewBytes(bytes.TrimSpace(data))
	clear(data)
	if v.IsZero() {
		return v, fmt.Errorf("%w: the variable's value is blank", secrets.ErrEmpty)
	}
	return v, nil
}

// explainValue says what a failed value read means.
func (c *Client) explainValue(err error, n int) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("reading the value: %w", err)
	}
	var why string
	switch ae.StatusCode {
	case http.StatusUnauthorized:
		why = "Conjur refused the access token of " + c.auth.who() + " even after authenticating again"
	case http.StatusForbidden:
		why = c.auth.who() + " lacks the execute privilege on the variable"
	case http.StatusNotFound:
		if n > 0 {
			why = fmt.Sprintf("Conjur does not have version %d (it keeps the last twenty), or the variable does not exist, or %s has no privilege on it", n, c.auth.who())
		} else {
			why = "the variable does not exist, has no value, or " + c.auth.who() + " has no privilege on it"
		}
	default:
		why = "reading the value"
	}
	return fmt.Errorf("%s: %w", why, classify(err))
}

// versions reads the variable's metadata and returns its current version
// number and the newest kept version below it (0 when none).
func (p *Provider) versions(ctx context.Context) (cur, prev int, err error) {
	resp, err := p.c.call(ctx, func() (*http.Request, error) { return p.c.lib.ResourceRequest(p.fullID) })
	if err != nil {
		return 0, 0, err
	}
	data, err := p.c.read(resp, maxResourceSize)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.StatusCode == http.StatusForbidden || ae.StatusCode == http.StatusNotFound) {
			return 0, 0, fmt.Errorf("looking up the variable's version: the variable does not exist or %s has no privilege on it: %w", p.c.auth.who(), classify(err))
		}
		return 0, 0, fmt.Errorf("looking up the variable's version: %w", classify(err))
	}
	var res struct {
		Secrets []struct {
			Version int `json:"version"`
		} `json:"secrets"`
	}
	if json.Unmarshal(data, &res) != nil {
		return 0, 0, fmt.Errorf("looking up the variable's version: %w: the metadata is not the JSON object Conjur sends", secrets.ErrMalformed)
	}
	for _, s := range res.Secrets {
		cur = max(cur, s.Version)
	}
	for _, s := range res.Secrets {
		if s.Version < cur {
			prev = max(prev, s.Version)
		}
	}
	if cur == 0 {
		return 0, 0, fmt.Errorf("%w: the variable has no value", secrets.ErrNotFound)
	}
	return cur, prev, nil
}

func (p *Provider) fail(err error) error { return &secrets.Error{Source: p.source, Err: err} }

var (
	_ secrets.Provider        = (*Provider)(nil)
	_ secrets.PreviousFetcher = (*Provider)(nil)
)
