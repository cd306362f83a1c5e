// Package env reads a credential from an environment variable, at every
// Fetch, so a process whose environment is updated (or re-executed) sees the
// new value.
package env

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hubkey/hubkey/secrets"
)

// Provider reads one environment variable.
type Provider struct {
	name    string
	lookup  func(string) (string, bool)
	now     func() time.Time
	maxSize int
}

// Option configures a Provider. An option given a value it cannot use
// makes New fail, naming it.
type Option func(*Provider) error

// WithLookup replaces os.LookupEnv, for tests and for programs that keep
// their configuration in a map.
func WithLookup(f func(name string) (string, bool)) Option {
	return func(p *Provider) error {
		if f == nil {
			return errors.New("env: WithLookup(nil): a lookup function is required")
		}
		p.lookup = f
		return nil
	}
}

// WithMaxSize sets the largest value accepted, in bytes (default
// secrets.DefaultMaxSize).
func WithMaxSize(n int) Option {
	return func(p *Provider) error {
		if n <= 0 {
			return fmt.Errorf("env: WithMaxSize(%d): the size must be > 0", n)
		}
		p.maxSize = n
		return nil
	}
}

// New returns a Provider for the variable name.
func New(name string, opts ...Option) (*Provider, error) {
	if name == "" || strings.ContainsAny(name, "=\x00") {
		return nil, fmt.Errorf("env: invalid variable name %q", name)
	}
	p := &Provider{name: name, lookup: os.LookupEnv, now: time.Now, maxSize: secrets.DefaultMaxSize}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Source returns "env:NAME".
func (p *Provider) Source() string { return "env:" + p.name }

// Fetch reads the variable, trims surrounding white space, and returns it
// with the value's fingerprint as its version ID.
func (p *Provider) Fetch(ctx context.Context) (secrets.Version, error) {
	if err := ctx.Err(); err != nil {
		return secrets.Version{}, &secrets.Error{Source: p.Source(), Err: err}
	}
	raw, ok := p.lookup(p.name)
	if !ok {
		return secrets.Version{}, &secrets.Error{Source: p.Source(), Err: fmt.Errorf("%w: environment variable %s is not set", secrets.ErrNotFound, p.name)}
	}
	v := strings.TrimSpace(raw)
	if v == "" {
		return secrets.Version{}, &secrets.Error{Source: p.Source(), Err: fmt.Errorf("%w: environment variable %s is set but empty", secrets.ErrEmpty, p.name)}
	}
	if len(v) > p.maxSize {
		return secrets.Version{}, &secrets.Error{Source: p.Source(), Err: fmt.Errorf("%w: environment variable %s holds %d bytes, limit %d", secrets.ErrTooLarge, p.name, len(v), p.maxSize)}
	}
	s := secrets.New(v)
	return secrets.Version{Value: s, ID: s.Fingerprint(), Source: p.Source(), FetchedAt: p.now()}, nil
}

var _ secrets.Provider = (*Provider)(nil)
